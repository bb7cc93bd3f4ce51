package gridtest

import (
	"testing"

	"github.com/shopspring/decimal"

	"aop/engine/grid"
)

// RowOf returns the first row whose cell in column col holds the text, or
// 0 when none does: tests find a labelled row of a rendered sheet with it.
func RowOf(s *grid.Sheet, col int, text string) int {
	for at, c := range s.All() {
		if at.Col == col && c.Value.Kind == grid.String && c.Value.Text == text {
			return at.Row
		}
	}
	return 0
}

// Number returns the number in a cell and fails the test when the cell
// holds anything else.
func Number(tb testing.TB, s *grid.Sheet, row, col int) decimal.Decimal {
	tb.Helper()
	v := s.Value(grid.R(row, col))
	if v.Kind != grid.Number {
		tb.Fatalf("%s!%s holds %q, not a number", s.Name, grid.R(row, col), v.Text)
	}
	d, err := v.Decimal()
	if err != nil {
		tb.Fatalf("%s!%s: %v", s.Name, grid.R(row, col), err)
	}
	return d
}
