package excel

import (
	"fmt"
	"io"
	"testing"

	"aop/engine/grid"
)

// benchWorkbook is department-sized: 6 sheets of 200 rows × 20 columns with
// labels, unlocked inputs, row-total formulas, validations, a hidden list
// sheet, defined names and 5 password-protected sheets.
func benchWorkbook() *grid.Workbook {
	wb := grid.New()
	input := &grid.Style{Unlocked: true, NumFmt: "#,##0.00", Fill: "FFF2CC", Border: true}
	total := &grid.Style{Bold: true, NumFmt: "#,##0.00"}
	head := &grid.Style{Bold: true, Fill: "D9E1F2", HAlign: grid.AlignCenter, Wrap: true}
	for i := range 5 {
		s := wb.AddSheet(fmt.Sprintf("Plan %d", i+1))
		s.Protection = &grid.Protection{Password: "dept-secret"}
		s.Freeze = grid.MustRef("B2")
		s.ColWidths = map[int]float64{1: 30}
		for c := 2; c <= 20; c++ {
			s.Set(grid.R(1, c), grid.Cell{Value: grid.Str(fmt.Sprintf("M%02d", c-1)), Style: head})
		}
		for r := 2; r <= 200; r++ {
			s.SetValue(grid.R(r, 1), grid.Str(fmt.Sprintf("Account %04d – description", r)))
			for c := 2; c <= 19; c++ {
				s.Set(grid.R(r, c), grid.Cell{Value: grid.NumText(fmt.Sprintf("%d.%02d", r*c, c)), Style: input})
			}
			s.Set(grid.R(r, 20), grid.Cell{Formula: fmt.Sprintf("SUM(B%d:S%d)", r, r), Value: grid.NumText("1"), Style: total})
		}
		s.Validations = []grid.Validation{
			{Ranges: []grid.Range{grid.Rect(2, 2, 200, 19)}, Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0",
				AllowBlank: true, ErrorTitle: "Amount", ErrorMessage: "Enter an amount ≥ 0."},
			{Ranges: []grid.Range{grid.Rect(2, 21, 200, 21)}, Type: grid.ValidateList, Formula1: "List_Months"},
		}
		wb.AddName(fmt.Sprintf("Plan_%d", i+1), grid.Rect(2, 2, 200, 19).On(s.Name))
	}
	lists := wb.AddSheet("Lists")
	lists.Visibility = grid.Hidden
	for r := 1; r <= 200; r++ {
		for c := 1; c <= 20; c++ {
			lists.SetValue(grid.R(r, c), grid.Str(fmt.Sprintf("item %d/%d", r, c)))
		}
	}
	wb.AddName("List_Months", grid.Rect(1, 1, 12, 1).On("Lists"))
	return wb
}

// BenchmarkWrite writes the department-sized workbook with a shared Writer,
// as bulk generation does (password hashed once).
func BenchmarkWrite(b *testing.B) {
	wb := benchWorkbook()
	w := NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(io.Discard, wb); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteFreshWriter writes with a new Writer each time, which hashes
// the password again (once per workbook, not per sheet).
func BenchmarkWriteFreshWriter(b *testing.B) {
	wb := benchWorkbook()
	for b.Loop() {
		if err := Write(io.Discard, wb); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashPassword is the cost of one SHA-512 sheet password hash
// (100,000 rounds), which excelize's ProtectSheet pays on every call.
func BenchmarkHashPassword(b *testing.B) {
	salt := make([]byte, 16)
	for b.Loop() {
		hashPassword("dept-secret", salt, spinCount)
	}
}
