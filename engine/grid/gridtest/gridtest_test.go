package gridtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aop/engine/grid"
)

// memHarness is a perfect in-memory driver: ReadBack returns a copy of what
// was rendered, changed by mutate when set.
type memHarness struct {
	books  map[string]*grid.Workbook
	mutate func(*grid.Workbook)
}

func (h *memHarness) Render(_ context.Context, _ *testing.T, wb *grid.Workbook) (string, error) {
	if h.books == nil {
		h.books = make(map[string]*grid.Workbook)
	}
	handle := fmt.Sprint(len(h.books))
	h.books[handle] = clone(wb)
	return handle, nil
}

func (h *memHarness) ReadBack(_ context.Context, _ *testing.T, handle string) (*grid.Workbook, error) {
	wb := clone(h.books[handle])
	if h.mutate != nil {
		h.mutate(wb)
	}
	return wb, nil
}

func (h *memHarness) Capabilities() Capabilities { return Capabilities{} }

func clone(wb *grid.Workbook) *grid.Workbook {
	out := grid.New()
	out.Names = append(out.Names, wb.Names...)
	for _, s := range wb.Sheets {
		c := out.AddSheet(s.Name)
		c.Visibility, c.Freeze, c.TabColor, c.Page = s.Visibility, s.Freeze, s.TabColor, s.Page
		if s.Protection != nil {
			p := *s.Protection
			c.Protection = &p
		}
		c.Merges = append(c.Merges, s.Merges...)
		c.Validations = append(c.Validations, s.Validations...)
		for _, ch := range s.Charts {
			ch.Series = append([]grid.Series(nil), ch.Series...)
			c.Charts = append(c.Charts, ch)
		}
		if s.ColWidths != nil {
			c.ColWidths = make(map[int]float64)
			for k, v := range s.ColWidths {
				c.ColWidths[k] = v
			}
		}
		for _, r := range s.Refs() {
			cell := s.Cell(r)
			if cell.Style != nil {
				st := *cell.Style
				cell.Style = &st
			}
			c.Set(r, cell)
		}
	}
	return out
}

// TestRunPerfectDriver checks that every case builds and that a driver that
// keeps everything passes.
func TestRunPerfectDriver(t *testing.T) {
	Run(t, &memHarness{})
}

func TestDiffReports(t *testing.T) {
	want := everythingCase()
	plan := "Plan (EUR)"
	tests := []struct {
		name   string
		mutate func(*grid.Workbook)
		report string
	}{
		{"number became text", func(wb *grid.Workbook) {
			wb.Sheet(plan).SetValue(grid.MustRef("C2"), grid.Str("200.5"))
		}, `sheet "Plan (EUR)" cell C2: value: want number "200.5", got string "200.5"`},
		{"text became formula", func(wb *grid.Workbook) {
			wb.Sheet(plan).SetFormula(grid.MustRef("A2"), "1+2", grid.Str("4002 Travel"))
		}, `sheet "Plan (EUR)" cell A2: formula: want "", got "1+2"`},
		{"cached value lost", func(wb *grid.Workbook) {
			wb.Sheet(plan).SetFormula(grid.MustRef("C7"), "SUM(C2:C6)", grid.Value{})
		}, `cell C7: value: want number "2002.5", got empty`},
		{"numbers compare by value", func(wb *grid.Workbook) {
			wb.Sheet(plan).SetValue(grid.MustRef("C2"), grid.NumText("200.50"))
		}, ""},
		{"extra cell", func(wb *grid.Workbook) {
			wb.Sheet(plan).SetValue(grid.MustRef("Z99"), grid.Int(1))
		}, `cell Z99: value: want empty, got number "1"`},
		{"unlocked lost", func(wb *grid.Workbook) {
			c := wb.Sheet(plan).Cell(grid.MustRef("C3"))
			st := *c.Style
			st.Unlocked = false
			wb.Sheet(plan).SetStyle(grid.MustRef("C3"), &st)
		}, `cell C3: unlocked: want true, got false`},
		{"merge lost", func(wb *grid.Workbook) { wb.Sheets[0].Merges = nil }, `sheet "Cover": merge A1:F1: missing`},
		{"width off", func(wb *grid.Workbook) { wb.Sheets[0].ColWidths[1] = 41 }, `column A width: want 40, got 41`},
		{"very hidden became hidden", func(wb *grid.Workbook) { wb.Sheet("Meta").Visibility = grid.Hidden },
			`sheet "Meta": visibility: want veryHidden, got hidden`},
		{"protection lost", func(wb *grid.Workbook) { wb.Sheet(plan).Protection = nil }, `protected: want true, got false`},
		{"validation message lost", func(wb *grid.Workbook) { wb.Sheet(plan).Validations[1].ErrorMessage = "" },
			`validation on C2:C6: error message: want "Enter an amount ≥ 0.", got ""`},
		{"validation lost", func(wb *grid.Workbook) { wb.Sheet(plan).Validations = wb.Sheet(plan).Validations[:1] },
			`validation on C2:C6: missing`},
		{"name moved", func(wb *grid.Workbook) { wb.Names[1].RefersTo = "'Plan (EUR)'!$C$2:$C$7" },
			`defined name "Plan_Amounts": want`},
		{"name quoting differs", func(wb *grid.Workbook) { wb.Names[0].RefersTo = "Lists!A1:A12" }, ""},
		{"freeze lost", func(wb *grid.Workbook) { wb.Sheet(plan).Freeze = grid.Ref{} }, `freeze: want C2, got none`},
		{"chart lost", func(wb *grid.Workbook) { wb.Sheet(plan).Charts = nil }, `charts: want 1, got 0`},
		{"series lost", func(wb *grid.Workbook) { wb.Sheet(plan).Charts[0].Series = nil }, `series: want 1, got 0`},
		{"sheet renamed", func(wb *grid.Workbook) { wb.Sheets[0].Name = "Cover2" }, `sheets: want`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clone(want)
			tt.mutate(got)
			diffs := Diff(want, got, Capabilities{})
			if tt.report == "" {
				if len(diffs) > 0 {
					t.Errorf("want no differences, got:\n%s", strings.Join(diffs, "\n"))
				}
				return
			}
			for _, d := range diffs {
				if strings.Contains(d, tt.report) {
					return
				}
			}
			t.Errorf("no difference contains %q; got:\n%s", tt.report, strings.Join(diffs, "\n"))
		})
	}
}

func TestCapabilities(t *testing.T) {
	want := visibilityCase()
	got := clone(want)
	got.Sheet("Identity").Visibility = grid.Hidden
	if d := Diff(want, got, Capabilities{VeryHiddenAsHidden: true}); len(d) > 0 {
		t.Errorf("VeryHiddenAsHidden: %q", d)
	}
	want = chartsCase()
	got = clone(want)
	got.Sheets[0].Charts = nil
	if d := Diff(want, got, Capabilities{NoCharts: true}); len(d) > 0 {
		t.Errorf("NoCharts: %q", d)
	}
	want = columnWidthsCase()
	got = clone(want)
	got.Sheets[0].ColWidths[1] += 0.4
	if d := Diff(want, got, Capabilities{ColWidthTolerance: 0.5}); len(d) > 0 {
		t.Errorf("ColWidthTolerance: %q", d)
	}
}

func TestDump(t *testing.T) {
	d := Dump(everythingCase())
	for _, line := range []string{
		`sheet "Meta" veryHidden protected with-password`,
		`sheet "Plan (EUR)" visible protected with-password freeze=C2`,
		`  C7 number "2002.5" formula="SUM(C2:C6)" locked numfmt="#,##0.00" bold`,
		`  C2 number "200.5" unlocked numfmt="#,##0.00" border fill=FFF2CC`,
		`  validation C2:C6 decimal greaterOrEqual f1="0" allow-blank error="Amount"/"Enter an amount ≥ 0." stop`,
		`name Plan_Amounts = 'Plan (EUR)'!$C$2:$C$6`,
	} {
		if !strings.Contains(d, line+"\n") {
			t.Errorf("dump lacks line %q; dump:\n%s", line, d)
		}
	}
}
