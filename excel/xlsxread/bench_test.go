package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

const (
	benchRows = 200
	benchCols = 15 // 14 numeric columns and a text column
)

// benchWorkbook writes the benchmark workbook with excelize: a header row
// and 200 rows of 14 numbers with two decimals and a text column.
func benchWorkbook(tb testing.TB) (string, []byte) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	header := make([]any, benchCols)
	header[0] = "Line"
	for c := 1; c < benchCols; c++ {
		header[c] = fmt.Sprintf("Month %d", c)
	}
	if err := sw.SetRow("A1", header); err != nil {
		tb.Fatal(err)
	}
	for r := 0; r < benchRows; r++ {
		row := make([]any, benchCols)
		row[0] = fmt.Sprintf("Budget line %d - %s", r+1, []string{"Personnel", "Supplies", "Contracts", "Equipment"}[r%4])
		for c := 1; c < benchCols; c++ {
			row[c] = float64(rng.IntN(10000000)) / 100
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, data
}

func BenchmarkRead(b *testing.B) {
	_, data := benchWorkbook(b)
	ctx := context.Background()
	cells := 0
	for b.Loop() {
		wb, err := Read(ctx, data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		cells = wb.Sheets[0].Len()
	}
	if cells != (benchRows+1)*benchCols {
		b.Fatalf("read %d cells", cells)
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

// BenchmarkInflateFloor only inflates every part of the same file with
// archive/zip: the least any reader must spend.
func BenchmarkInflateFloor(b *testing.B) {
	_, data := benchWorkbook(b)
	for b.Loop() {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	}
}

// BenchmarkExcelizeRows reads the same file with excelize's Rows iterator.
func BenchmarkExcelizeRows(b *testing.B) {
	_, data := benchWorkbook(b)
	cells := 0
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		cells = 0
		for rows.Next() {
			cols, err := rows.Columns()
			if err != nil {
				b.Fatal(err)
			}
			cells += len(cols)
		}
		rows.Close()
		f.Close()
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}
