package bench

import (
	"context"
	"os"
	"testing"

	"aop/cmd/internal/harvest"
	"aop/excel/xlsxread"
)

// BenchmarkHarvestPhases splits the harvest of one workbook of 200 lines ×
// 12 months into its phases on one core: reading the file into a grid,
// verifying its identity and structure, and parsing the inputs; all is the
// whole harvest, and all-without-records the harvest of the command line.
func BenchmarkHarvestPhases(b *testing.B) {
	f := loadFixture(b)
	data, _ := os.ReadFile(f.files(1)[0])
	h := f.harvester
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := xlsxread.Read(context.Background(), data, xlsxread.Options{Limits: h.Limits}); err != nil {
				b.Fatal(err)
			}
		}
	})
	wb, _ := xlsxread.Read(context.Background(), data, xlsxread.Options{Limits: h.Limits})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Template.Verify(wb, "d0001", h.Key); err != nil {
				b.Fatal(err)
			}
		}
	})
	id, _ := h.Template.Verify(wb, "d0001", h.Key)
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			h.Template.Parse(wb, id)
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			harvestCount(h, data, "d0001")
		}
	})
	// Without a record per input cell, as `aop harvest` and `aop
	// consolidate` harvest.
	bare := *h
	bare.Records = false
	b.Run("all-without-records", func(b *testing.B) {
		for b.Loop() {
			if r := bare.Bytes(context.Background(), "d0001.xlsx", data, "d0001"); r.Status != harvest.Valid {
				b.Fatal(r.Findings)
			}
		}
	})
}
