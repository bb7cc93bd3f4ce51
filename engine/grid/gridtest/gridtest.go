// Package gridtest is the conformance suite for grid drivers (excel,
// sheets), in the manner of go-cloud's drivertest: a driver's test calls Run
// with a Harness that renders a grid and reads it back, and every subtest
// checks that one feature survives the round trip.
package gridtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aop/engine/grid"
)

// Harness connects the suite to one driver.
type Harness interface {
	// Render writes wb with the driver and returns a handle to what was
	// written (a file path, a spreadsheet id).
	Render(ctx context.Context, t *testing.T, wb *grid.Workbook) (string, error)
	// ReadBack reads what Render wrote back into a grid, as fully as the
	// driver can.
	ReadBack(ctx context.Context, t *testing.T, handle string) (*grid.Workbook, error)
	// Capabilities says what the driver cannot keep, so the suite does not
	// fail it for that.
	Capabilities() Capabilities
}

// Capabilities relaxes the suite for a driver's known limits. The zero
// value demands everything.
type Capabilities struct {
	// ColWidthTolerance is how far, in characters, a column width read back
	// may be from the one written; zero means 0.01.
	ColWidthTolerance float64
	// VeryHiddenAsHidden is set when veryHidden sheets read back as hidden
	// (apps without that state).
	VeryHiddenAsHidden bool
	// NoCharts is set when the driver cannot read charts back.
	NoCharts bool
	// LockOnlyWhenProtected is set when a cell's lock flag exists only on
	// protected sheets (Google Sheets protects ranges, not cells), so
	// Unlocked is compared there only.
	LockOnlyWhenProtected bool
	// ValidationRuleOnly is set when validations keep their rule, input
	// message and whether a refusal blocks, but no titles, no error
	// message and no blank switch, and a list drawn from a defined name
	// keeps the name's range (Google Sheets, where blanks are always
	// allowed and an informational refusal is a warning).
	ValidationRuleOnly bool
}

// Case is one conformance case: a workbook to render and read back.
type Case struct {
	Name string
	// Build returns the workbook to render.
	Build func() *grid.Workbook
}

// Cases returns the conformance cases in the order Run runs them; drivers
// may also use them as fixtures (golden files, app checks).
func Cases() []Case {
	return []Case{
		{"Values", valuesCase},
		{"Formulas", formulasCase},
		{"NumberFormats", numberFormatsCase},
		{"Styles", stylesCase},
		{"Merges", mergesCase},
		{"ColumnWidths", columnWidthsCase},
		{"Validations", validationsCase},
		{"Protection", protectionCase},
		{"Visibility", visibilityCase},
		{"FirstSheetHidden", firstSheetHiddenCase},
		{"SheetNames", sheetNamesCase},
		{"DefinedNames", definedNamesCase},
		{"FreezePanes", freezeCase},
		{"TabColors", tabColorsCase},
		{"PageSetup", pageSetupCase},
		{"Charts", chartsCase},
		{"EmptySheet", emptySheetCase},
		{"Dense", denseCase},
		{"Everything", everythingCase},
	}
}

// Run runs every conformance case against the driver behind h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	caps := h.Capabilities()
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			RunCase(t, h, caps, c.Build())
		})
	}
}

// RunCase renders want with h, reads it back and reports every difference
// as a test error.
func RunCase(t *testing.T, h Harness, caps Capabilities, want *grid.Workbook) {
	t.Helper()
	ctx := t.Context()
	handle, err := h.Render(ctx, t, want)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	got, err := h.ReadBack(ctx, t, handle)
	if err != nil {
		t.Fatalf("read back %s: %v", handle, err)
	}
	diffs := Diff(want, got, caps)
	const maxReported = 60
	for i, d := range diffs {
		if i == maxReported {
			t.Errorf("... and %d more differences", len(diffs)-maxReported)
			break
		}
		t.Error(d)
	}
}

// Shared fixtures.

func label(s *grid.Sheet, row int, text string) {
	s.SetValue(grid.R(row, 1), grid.Str(text))
}

func num(s string) grid.Value { return grid.NumText(s) }

func valuesCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Values")
	numbers := []string{
		"0", "1", "-1", "0.1", "0.25", "1234567.89", "-1234567.89", "-42.5",
		"123456789012345", "-123456789012345", "99999999999999.9", "0.000123",
		"-0.000001", "1E+20", "3.14159265358979", "1000000000000",
	}
	row := 1
	for _, n := range numbers {
		label(s, row, "number "+n)
		s.SetValue(grid.R(row, 2), num(n))
		row++
	}
	texts := []string{
		"plain", "Zürich – Ünïcödé ✓ 日本語 😀", `He said "hi"`, "it's", "=1+2",
		"=SUM(A1:A2)", "+1", "-1", "0123", "1.50", "TRUE", "#N/A", "'quoted",
		"  leading and trailing  ", " ", "line1\nline2", "tab\there",
		"<xml> & ampersand; &amp;", strings.Repeat("long ", 400),
	}
	for i, txt := range texts {
		label(s, row, fmt.Sprintf("text %d", i+1))
		s.SetValue(grid.R(row, 2), grid.Str(txt))
		row++
	}
	label(s, row, "true")
	s.SetValue(grid.R(row, 2), grid.BoolValue(true))
	row++
	label(s, row, "false")
	s.SetValue(grid.R(row, 2), grid.BoolValue(false))
	row++
	label(s, row, "empty styled input")
	s.SetStyle(grid.R(row, 2), &grid.Style{Unlocked: true, Fill: "FFF2CC"})
	row++
	// A value far from others, past column Z, with gaps in its row.
	s.SetValue(grid.R(row, 30), num("7"))
	s.SetValue(grid.R(row+5, 3), grid.Str("after gap"))
	return wb
}

func formulasCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Calc")
	data := wb.AddSheet("Q1 Data")
	data.SetValue(grid.R(2, 2), num("21"))
	s.SetValue(grid.R(1, 1), num("1.5"))
	s.SetValue(grid.R(2, 1), num("2.25"))
	s.SetValue(grid.R(3, 1), num("0.1"))
	s.SetFormula(grid.R(4, 1), "SUM(A1:A3)", num("3.85"))
	s.SetFormula(grid.R(5, 1), "A1-A1", num("0"))
	s.SetFormula(grid.R(6, 1), `A1&" units"`, grid.Str("1.5 units"))
	s.SetFormula(grid.R(7, 1), "A1>1", grid.BoolValue(true))
	s.SetFormula(grid.R(8, 1), "A1>100", grid.BoolValue(false))
	s.SetFormula(grid.R(9, 1), "'Q1 Data'!B2*2", num("42"))
	s.SetFormula(grid.R(10, 1), `IF(A1>100,"big","")`, grid.Value{})
	s.SetFormula(grid.R(11, 1), "1/0", grid.ErrorValue("#DIV/0!"))
	s.SetFormula(grid.R(12, 1), "ROUND(A4*1000000,2)", num("3850000"))
	s.SetFormula(grid.R(13, 1), `"<tag> & ""quoted"""`, grid.Str(`<tag> & "quoted"`))
	s.SetFormula(grid.R(14, 1), "SUM(A1:A3)*-1", num("-3.85"))
	money := &grid.Style{NumFmt: "#,##0.00", Bold: true}
	s.Set(grid.R(15, 1), grid.Cell{Formula: "A4*2", Value: num("7.7"), Style: money})
	return wb
}

func numberFormatsCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Formats")
	formats := []string{
		"0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "#,##0;[Red]-#,##0",
		`#,##0.00 "EUR"`, "yyyy-mm-dd", "dd.mm.yyyy hh:mm", "@", "0.00E+00",
		`#,##0_);(#,##0);"-"_)`, "[$€-2] #,##0.00",
	}
	for i, f := range formats {
		s.Set(grid.R(i+1, 1), grid.Cell{Value: num("45678.125"), Style: &grid.Style{NumFmt: f}})
	}
	return wb
}

func stylesCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Styles")
	shared := &grid.Style{Bold: true, Fill: "D9E1F2"}
	styles := []*grid.Style{
		{Bold: true},
		{Italic: true},
		{FontColor: "C00000"},
		{Fill: "FFF2CC"},
		{HAlign: grid.AlignLeft},
		{HAlign: grid.AlignCenter},
		{HAlign: grid.AlignRight},
		{Wrap: true},
		{Border: true},
		{Unlocked: true},
		{NumFmt: "#,##0.00", Bold: true, Italic: true, FontColor: "1F4E78", Fill: "DDEBF7", HAlign: grid.AlignRight, Wrap: true, Border: true, Unlocked: true},
		shared,
		shared,
		{Bold: true, Fill: "D9E1F2"}, // same value as shared, another pointer
		{Fill: "d9e1f2"},             // lower-case colour
	}
	for i, st := range styles {
		s.Set(grid.R(i+1, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("style %d", i+1)), Style: st})
		s.Set(grid.R(i+1, 2), grid.Cell{Value: num(fmt.Sprint(i)), Style: st})
	}
	return wb
}

func mergesCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Merges")
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("Title across"), Style: &grid.Style{Bold: true, HAlign: grid.AlignCenter}})
	s.Merges = append(s.Merges, grid.Rect(1, 1, 1, 4))
	s.SetValue(grid.R(3, 2), grid.Str("down"))
	s.Merges = append(s.Merges, grid.Rect(3, 2, 5, 2))
	s.SetValue(grid.R(3, 3), num("12"))
	s.Merges = append(s.Merges, grid.Rect(3, 3, 6, 5))
	return wb
}

func columnWidthsCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Widths")
	s.ColWidths = map[int]float64{1: 30, 2: 12.5, 5: 8.43, 27: 50, 3: 4}
	s.SetValue(grid.R(1, 1), grid.Str("wide"))
	return wb
}

func listsSheet(wb *grid.Workbook) {
	lists := wb.AddSheet("Lists")
	lists.Visibility = grid.Hidden
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	for i, m := range months {
		lists.SetValue(grid.R(i+1, 1), grid.Str(m))
	}
	for i, c := range []string{"Ops", "Sales", "R&D"} {
		lists.SetValue(grid.R(i+1, 2), grid.Str(c))
	}
	wb.AddName("List_Months", grid.Rect(1, 1, 12, 1).On("Lists"))
}

func validationsCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Input")
	listsSheet(wb)
	col := func(c int) []grid.Range { return []grid.Range{grid.Rect(2, c, 20, c)} }
	s.Validations = []grid.Validation{
		{Ranges: col(2), Type: grid.ValidateList, List: []string{"Yes", "No", "Maybe", "Ünïcödé"},
			InputTitle: "Answer", InputMessage: "Pick one of the list."},
		{Ranges: col(3), Type: grid.ValidateList, Formula1: "List_Months", AllowBlank: true,
			ErrorTitle: "Month", ErrorMessage: "Choose a month from the list."},
		{Ranges: col(4), Type: grid.ValidateList, Formula1: grid.Rect(1, 2, 3, 2).On("Lists")},
		{Ranges: col(5), Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0", AllowBlank: true,
			InputTitle: "Amount", InputMessage: "EUR, without VAT.", ErrorTitle: "Not an amount", ErrorMessage: "Enter a number ≥ 0."},
		{Ranges: col(6), Type: grid.ValidateWhole, Operator: grid.Between, Formula1: "1", Formula2: "1000",
			ErrorStyle: grid.ErrorWarning, ErrorMessage: "Usually 1 to 1000."},
		{Ranges: col(7), Type: grid.ValidateDecimal, Operator: grid.Between, Formula1: "0", Formula2: "1",
			ErrorStyle: grid.ErrorInformation},
		{Ranges: col(8), Type: grid.ValidateDate, Operator: grid.GreaterThan, Formula1: "45658"},
		{Ranges: col(9), Type: grid.ValidateTextLength, Operator: grid.LessOrEqual, Formula1: "50"},
		{Ranges: []grid.Range{grid.Rect(2, 10, 5, 10), grid.Rect(2, 12, 5, 12)}, Type: grid.ValidateWhole,
			Operator: grid.NotEqual, Formula1: "0"},
		{Ranges: []grid.Range{grid.Rect(2, 13, 2, 13)}, Type: grid.ValidateAny,
			InputTitle: "Note", InputMessage: "Free text; no check."},
	}
	return wb
}

func protectionCase() *grid.Workbook {
	wb := grid.New()
	input := &grid.Style{Unlocked: true, Fill: "FFF2CC", NumFmt: "#,##0.00"}
	s := wb.AddSheet("Protected")
	s.Protection = &grid.Protection{Password: "s3cret ü"}
	for r := 2; r <= 5; r++ {
		s.Set(grid.R(r, 2), grid.Cell{Value: num(fmt.Sprint(r * 100)), Style: input})
	}
	s.Set(grid.R(6, 2), grid.Cell{Formula: "SUM(B2:B5)", Value: num("1400"), Style: &grid.Style{Bold: true, NumFmt: "#,##0.00"}})
	s.SetStyle(grid.R(7, 2), input) // empty input cell
	open := wb.AddSheet("No password")
	open.Protection = &grid.Protection{}
	open.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("locked")})
	open.Set(grid.R(2, 1), grid.Cell{Style: &grid.Style{Unlocked: true}})
	unprotected := wb.AddSheet("Unprotected")
	unprotected.SetValue(grid.R(1, 1), grid.Str("free"))
	return wb
}

func visibilityCase() *grid.Workbook {
	wb := grid.New()
	wb.AddSheet("Shown").SetValue(grid.R(1, 1), grid.Str("visible"))
	h := wb.AddSheet("Hidden")
	h.Visibility = grid.Hidden
	h.SetValue(grid.R(1, 1), grid.Str("hidden"))
	vh := wb.AddSheet("Identity")
	vh.Visibility = grid.VeryHidden
	vh.Protection = &grid.Protection{Password: "x"}
	vh.SetValue(grid.R(1, 1), grid.Str("very hidden"))
	wb.AddSheet("Also shown")
	return wb
}

func firstSheetHiddenCase() *grid.Workbook {
	wb := grid.New()
	a := wb.AddSheet("Lists")
	a.Visibility = grid.Hidden
	a.SetValue(grid.R(1, 1), grid.Str("a"))
	b := wb.AddSheet("Meta")
	b.Visibility = grid.VeryHidden
	wb.AddSheet("Cover").SetValue(grid.R(1, 1), grid.Str("first visible"))
	return wb
}

func sheetNamesCase() *grid.Workbook {
	wb := grid.New()
	names := []string{"Summary", "Q1 Data", "O'Brien's", "Ünïcödé", "2024", "A-B & C", "x.y (z)"}
	for _, n := range names {
		wb.AddSheet(n)
	}
	sum := wb.Sheets[0]
	for i, n := range names[1:] {
		s := wb.Sheet(n)
		s.SetValue(grid.R(1, 1), num(fmt.Sprint(i+1)))
		sum.SetFormula(grid.R(i+1, 1), grid.QuoteSheet(n)+"!A1", num(fmt.Sprint(i+1)))
		wb.AddName(fmt.Sprintf("Cell_%d", i+1), grid.Rect(1, 1, 1, 1).On(n))
	}
	sum.Validations = append(sum.Validations, grid.Validation{
		Ranges: []grid.Range{grid.Rect(1, 3, 1, 3)}, Type: grid.ValidateList, Formula1: grid.Rect(1, 1, 1, 1).On("O'Brien's"),
	})
	return wb
}

func definedNamesCase() *grid.Workbook {
	wb := grid.New()
	p := wb.AddSheet("Plan")
	for r := 1; r <= 5; r++ {
		p.SetValue(grid.R(r, 1), num(fmt.Sprint(r)))
	}
	o := wb.AddSheet("Other sheet")
	o.SetValue(grid.R(1, 1), num("1"))
	wb.AddName("Plan_Amounts", grid.Rect(1, 1, 5, 1).On("Plan"))
	wb.AddName("Plan_Total", grid.Rect(6, 1, 6, 1).On("Plan"))
	wb.AddName("Other_Block", grid.Rect(1, 1, 10, 4).On("Other sheet"))
	wb.AddName("VAT_Rate", "0.2")
	p.SetFormula(grid.R(6, 1), "SUM(Plan_Amounts)", num("15"))
	p.SetFormula(grid.R(7, 1), "Plan_Total*VAT_Rate", num("3"))
	return wb
}

func freezeCase() *grid.Workbook {
	wb := grid.New()
	both := wb.AddSheet("Both")
	both.Freeze = grid.MustRef("C4")
	rows := wb.AddSheet("Rows")
	rows.Freeze = grid.MustRef("A2")
	cols := wb.AddSheet("Cols")
	cols.Freeze = grid.MustRef("B1")
	wb.AddSheet("None")
	for _, s := range wb.Sheets {
		s.SetValue(grid.R(1, 1), grid.Str(s.Name))
	}
	return wb
}

func tabColorsCase() *grid.Workbook {
	wb := grid.New()
	wb.AddSheet("Red").TabColor = "C00000"
	wb.AddSheet("Lower").TabColor = "70ad47"
	wb.AddSheet("Plain")
	return wb
}

func chartsCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Charts")
	months := []string{"Jan", "Feb", "Mar", "Apr"}
	s.SetValue(grid.R(1, 2), grid.Str("Plan"))
	s.SetValue(grid.R(1, 3), grid.Str("Actual"))
	s.SetValue(grid.R(1, 4), grid.Str("Base"))
	for i, m := range months {
		s.SetValue(grid.R(i+2, 1), grid.Str(m))
		s.SetValue(grid.R(i+2, 2), num(fmt.Sprint(100+i*10)))
		s.SetValue(grid.R(i+2, 3), num(fmt.Sprint(95+i*12)))
		s.SetValue(grid.R(i+2, 4), num(fmt.Sprint(i*20)))
	}
	cats := grid.Rect(2, 1, 5, 1).On("Charts")
	vals := func(c int) string { return grid.Rect(2, c, 5, c).On("Charts") }
	s.Charts = []grid.Chart{
		{Type: grid.ChartColumn, Title: "Plan vs actual", Anchor: grid.MustRef("F2"), YAxisNumFmt: "#,##0",
			Series: []grid.Series{
				{Name: "Plan", Categories: cats, Values: vals(2), Color: "4472C4"},
				{Name: grid.Rect(1, 3, 1, 3).On("Charts"), Categories: cats, Values: vals(3), Color: "ED7D31"},
			}},
		{Type: grid.ChartColumnStacked, Title: "Bridge", Anchor: grid.MustRef("F20"), Width: 600, Height: 300,
			Series: []grid.Series{
				{Name: "Base", Categories: cats, Values: vals(4), Transparent: true},
				{Name: "Change", Categories: cats, Values: vals(2), Color: "70AD47"},
			}},
		{Type: grid.ChartBar, Title: "Bars", Anchor: grid.MustRef("P2"),
			Series: []grid.Series{{Name: "Plan", Categories: cats, Values: vals(2)}}},
		{Type: grid.ChartLine, Title: "Trend ü & <co>", Anchor: grid.MustRef("P20"),
			Series: []grid.Series{
				{Name: "Plan", Categories: cats, Values: vals(2)},
				{Name: "Actual", Categories: cats, Values: vals(3)},
				{Name: "Base", Categories: cats, Values: vals(4), Color: "A5A5A5"},
			}},
		{Type: grid.ChartColumn, Anchor: grid.MustRef("F40"),
			Series: []grid.Series{{Categories: cats, Values: vals(3)}}},
	}
	other := wb.AddSheet("Other")
	other.Charts = []grid.Chart{{Type: grid.ChartLine, Title: "Elsewhere", Anchor: grid.MustRef("B2"),
		Series: []grid.Series{{Name: "Plan", Categories: cats, Values: vals(2)}}}}
	return wb
}

func emptySheetCase() *grid.Workbook {
	wb := grid.New()
	wb.AddSheet("Empty")
	wb.AddSheet("Not empty").SetValue(grid.R(1, 1), num("1"))
	wb.AddSheet("Empty too")
	return wb
}

// denseCase is a plan-like block: 200 rows of 20 columns with labels,
// numbers, unlocked inputs and row totals.
func denseCase() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Plan")
	input := &grid.Style{Unlocked: true, NumFmt: "#,##0.00", Fill: "FFF2CC"}
	total := &grid.Style{Bold: true, NumFmt: "#,##0.00"}
	for r := 1; r <= 200; r++ {
		s.SetValue(grid.R(r, 1), grid.Str(fmt.Sprintf("Account %04d", r)))
		sum := 0
		for c := 2; c <= 19; c++ {
			v := (r*31 + c*17) % 1000
			sum += v
			s.Set(grid.R(r, c), grid.Cell{Value: num(fmt.Sprintf("%d.%02d", v, c)), Style: input})
		}
		// Sum of the 18 values with cents c for c = 2..19: 189 cents total.
		s.Set(grid.R(r, 20), grid.Cell{Formula: fmt.Sprintf("SUM(B%d:S%d)", r, r), Value: num(fmt.Sprintf("%d.%02d", sum+1, 89)), Style: total})
	}
	s.Protection = &grid.Protection{Password: "plan"}
	s.Freeze = grid.MustRef("B2")
	return wb
}

// everythingCase combines the features on one department-like workbook.
func everythingCase() *grid.Workbook {
	wb := grid.New()
	cover := wb.AddSheet("Cover")
	cover.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("Budget 2026 – R&D"), Style: &grid.Style{Bold: true}})
	cover.Merges = []grid.Range{grid.Rect(1, 1, 1, 6)}
	cover.ColWidths = map[int]float64{1: 40}
	cover.TabColor = "1F4E78"
	plan := wb.AddSheet("Plan (EUR)")
	listsSheet(wb)
	meta := wb.AddSheet("Meta")
	meta.Visibility = grid.VeryHidden
	meta.Protection = &grid.Protection{Password: "meta"}
	meta.SetValue(grid.R(1, 1), grid.Str("template-version"))
	meta.SetValue(grid.R(1, 2), grid.Str("1"))
	input := &grid.Style{Unlocked: true, NumFmt: "#,##0.00", Fill: "FFF2CC", Border: true}
	plan.Protection = &grid.Protection{Password: "plan"}
	plan.Freeze = grid.MustRef("C2")
	plan.ColWidths = map[int]float64{1: 24, 2: 10}
	plan.SetValue(grid.R(1, 1), grid.Str("Account"))
	plan.SetValue(grid.R(1, 2), grid.Str("Month"))
	plan.SetValue(grid.R(1, 3), grid.Str("Amount"))
	for r := 2; r <= 6; r++ {
		plan.SetValue(grid.R(r, 1), grid.Str(fmt.Sprintf("4%03d Travel", r)))
		plan.Set(grid.R(r, 2), grid.Cell{Value: grid.Str("Jan"), Style: &grid.Style{Unlocked: true}})
		plan.Set(grid.R(r, 3), grid.Cell{Value: num(fmt.Sprintf("%d.5", r*100)), Style: input})
	}
	plan.Set(grid.R(7, 3), grid.Cell{Formula: "SUM(C2:C6)", Value: num("2002.5"), Style: &grid.Style{Bold: true, NumFmt: "#,##0.00"}})
	plan.Validations = []grid.Validation{
		{Ranges: []grid.Range{grid.Rect(2, 2, 6, 2)}, Type: grid.ValidateList, Formula1: "List_Months"},
		{Ranges: []grid.Range{grid.Rect(2, 3, 6, 3)}, Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0",
			AllowBlank: true, ErrorTitle: "Amount", ErrorMessage: "Enter an amount ≥ 0."},
	}
	wb.AddName("Plan_Amounts", grid.Rect(2, 3, 6, 3).On(plan.Name))
	plan.Charts = []grid.Chart{{Type: grid.ChartColumn, Title: "Plan", Anchor: grid.MustRef("E2"),
		Series: []grid.Series{{Name: "Amount", Categories: grid.Rect(2, 1, 6, 1).On(plan.Name), Values: grid.Rect(2, 3, 6, 3).On(plan.Name)}}}}
	return wb
}

// pageSetupCase prints one sheet landscape and fitted to a page's width.
func pageSetupCase() *grid.Workbook {
	wb := grid.New()
	wide := wb.AddSheet("Wide")
	wide.Page = grid.PageSetup{Landscape: true, FitToWidth: true}
	for col := 1; col <= 30; col++ {
		wide.SetValue(grid.R(1, col), grid.Int(int64(col)))
	}
	wb.AddSheet("Portrait").SetValue(grid.R(1, 1), grid.Str("plain"))
	wb.AddSheet("Landscape").Page = grid.PageSetup{Landscape: true}
	return wb
}
