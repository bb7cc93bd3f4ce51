package excel

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
	"aop/engine/grid/gridtest"
)

// deptWorkbook is a realistic department workbook: protected sheets with
// unlocked, validated inputs, formulas, merges and widths, a hidden lists
// sheet, a veryHidden settings sheet and defined names.
func deptWorkbook(rows int) *grid.Workbook {
	wb := grid.New()
	title := &grid.Style{Bold: true, FontColor: "1F4E78"}
	head := &grid.Style{Bold: true, Fill: "D9E1F2", HAlign: grid.AlignCenter, Wrap: true, Border: true}
	input := &grid.Style{Unlocked: true, NumFmt: "#,##0.00", Fill: "FFF2CC", Border: true}
	text := &grid.Style{Unlocked: true, Fill: "FFF2CC", Border: true}
	total := &grid.Style{Bold: true, NumFmt: "#,##0.00", Border: true}

	ins := wb.AddSheet("Instructions")
	ins.Protection = &grid.Protection{Password: "dept-pw"}
	ins.Set(grid.MustRef("A1"), grid.Cell{Value: grid.Str("Budget 2027 – Marketing"), Style: title})
	ins.Merges = []grid.Range{grid.Rect(1, 1, 1, 6)}
	ins.SetValue(grid.MustRef("A3"), grid.Str("Fill in the yellow cells of Plan and Staff. Do not rename sheets."))
	ins.ColWidths = map[int]float64{1: 80}
	ins.TabColor = "1F4E78"

	plan := wb.AddSheet("Plan")
	plan.Protection = &grid.Protection{Password: "dept-pw"}
	plan.Freeze = grid.MustRef("C2")
	plan.ColWidths = map[int]float64{1: 12, 2: 36, 15: 14, 16: 14}
	for c, h := range []string{"Account", "Description"} {
		plan.Set(grid.R(1, c+1), grid.Cell{Value: grid.Str(h), Style: head})
	}
	for m := 1; m <= 12; m++ {
		plan.Set(grid.R(1, m+2), grid.Cell{Value: grid.Str(time.Month(m).String()[:3]), Style: head})
	}
	plan.Set(grid.R(1, 15), grid.Cell{Value: grid.Str("Total"), Style: head})
	plan.Set(grid.R(1, 16), grid.Cell{Value: grid.Str("Category"), Style: head})
	for r := 2; r <= rows+1; r++ {
		plan.SetValue(grid.R(r, 1), grid.Int(int64(600000+r)))
		plan.Set(grid.R(r, 2), grid.Cell{Value: grid.Str(fmt.Sprintf("Line item %d", r-1)), Style: text})
		for m := 1; m <= 12; m++ {
			plan.Set(grid.R(r, m+2), grid.Cell{Value: grid.NumText(fmt.Sprintf("%d.%02d", r*m*10, m)), Style: input})
		}
		plan.Set(grid.R(r, 15), grid.Cell{Formula: fmt.Sprintf("SUM(C%d:N%d)", r, r), Value: grid.NumText("0"), Style: total})
		plan.Set(grid.R(r, 16), grid.Cell{Value: grid.Str("Travel"), Style: text})
	}
	last := rows + 1
	plan.Validations = []grid.Validation{
		{Ranges: []grid.Range{grid.Rect(2, 3, last, 14)}, Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0",
			AllowBlank: true, InputTitle: "Amount", InputMessage: "EUR, without VAT", ErrorTitle: "Amount", ErrorMessage: "Enter an amount ≥ 0."},
		{Ranges: []grid.Range{grid.Rect(2, 16, last, 16)}, Type: grid.ValidateList, Formula1: "List_Categories", AllowBlank: true},
		{Ranges: []grid.Range{grid.Rect(2, 2, last, 2)}, Type: grid.ValidateTextLength, Operator: grid.LessOrEqual, Formula1: "80",
			ErrorStyle: grid.ErrorWarning, ErrorMessage: "Keep it short."},
	}

	staff := wb.AddSheet("Staff")
	staff.Protection = &grid.Protection{Password: "dept-pw"}
	staff.ColWidths = map[int]float64{1: 30, 2: 12, 3: 10}
	for c, h := range []string{"Name", "Grade", "FTE"} {
		staff.Set(grid.R(1, c+1), grid.Cell{Value: grid.Str(h), Style: head})
	}
	for r := 2; r <= 11; r++ {
		staff.Set(grid.R(r, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("Person %d", r-1)), Style: text})
		staff.Set(grid.R(r, 2), grid.Cell{Value: grid.Str("B"), Style: text})
		staff.Set(grid.R(r, 3), grid.Cell{Value: grid.NumText("1"), Style: &grid.Style{Unlocked: true, NumFmt: "0.0"}})
	}
	staff.Validations = []grid.Validation{
		{Ranges: []grid.Range{grid.Rect(2, 2, 11, 2)}, Type: grid.ValidateList, List: []string{"A", "B", "C"}},
		{Ranges: []grid.Range{grid.Rect(2, 3, 11, 3)}, Type: grid.ValidateDecimal, Operator: grid.Between, Formula1: "0", Formula2: "1"},
	}

	lists := wb.AddSheet("Lists")
	lists.Visibility = grid.Hidden
	for i, c := range []string{"Travel", "Training", "Software", "Events"} {
		lists.SetValue(grid.R(i+1, 1), grid.Str(c))
	}
	for m := 1; m <= 12; m++ {
		lists.SetValue(grid.R(m, 2), grid.Str(time.Month(m).String()))
	}

	meta := wb.AddSheet("Meta")
	meta.Visibility = grid.VeryHidden
	meta.SetValue(grid.MustRef("A1"), grid.Str("template"))
	meta.SetValue(grid.MustRef("B1"), grid.Str("dept-v3"))
	meta.SetValue(grid.MustRef("A2"), grid.Str("department"))
	meta.SetValue(grid.MustRef("B2"), grid.Str("MKT"))

	wb.AddName("List_Categories", grid.Rect(1, 1, 4, 1).On("Lists"))
	wb.AddName("List_Months", grid.Rect(1, 2, 12, 2).On("Lists"))
	wb.AddName("Plan_Amounts", grid.Rect(2, 3, last, 14).On("Plan"))
	wb.AddName("Dept_Code", "'Meta'!$B$2")
	return wb
}

// summarySheet is a read-only summary tab: values only, protected.
func summarySheet(total string) *grid.Sheet {
	wb := grid.New()
	s := wb.AddSheet("Summary")
	s.Protection = &grid.Protection{Password: "summary-pw"}
	money := &grid.Style{NumFmt: "#,##0.00"}
	s.Set(grid.MustRef("A1"), grid.Cell{Value: grid.Str("Summary (read-only)"), Style: &grid.Style{Bold: true, FontColor: "1F4E78"}})
	s.Merges = []grid.Range{grid.Rect(1, 1, 1, 3)}
	s.SetValue(grid.MustRef("A3"), grid.Str("Travel"))
	s.Set(grid.MustRef("B3"), grid.Cell{Value: grid.NumText("1000000"), Style: money})
	s.SetValue(grid.MustRef("A4"), grid.Str("Training"))
	s.Set(grid.MustRef("B4"), grid.Cell{Value: grid.NumText("234567.89"), Style: money})
	s.Set(grid.MustRef("A5"), grid.Cell{Value: grid.Str("Total"), Style: &grid.Style{Bold: true}})
	s.Set(grid.MustRef("B5"), grid.Cell{Value: grid.NumText(total), Style: &grid.Style{Bold: true, NumFmt: "#,##0.00", Border: true}})
	s.ColWidths = map[int]float64{1: 24, 2: 18}
	s.TabColor = "70AD47"
	return s
}

// deptFiles lays out DIR/departments/<name>.xlsx and DIR/history.
func deptFiles(t testing.TB, w *Writer, wb *grid.Workbook) (path, history string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "departments"), 0o755))
	path = filepath.Join(dir, "departments", "MKT.xlsx")
	require.NoError(t, w.WriteFile(path, wb))
	return path, filepath.Join(dir, "history")
}

// without returns wb minus the named sheets (sharing the sheets).
func without(wb *grid.Workbook, names ...string) *grid.Workbook {
	out := &grid.Workbook{Names: wb.Names, Date1904: wb.Date1904}
	for _, s := range wb.Sheets {
		skip := false
		for _, n := range names {
			skip = skip || s.Name == n
		}
		if !skip {
			out.Sheets = append(out.Sheets, s)
		}
	}
	return out
}

func sheetNames(wb *grid.Workbook) []string {
	var names []string
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
	}
	return names
}

// zipParts returns the raw (compressed) bytes and CRC of each part.
type rawPart struct {
	crc  uint32
	size uint64
	raw  []byte
}

func zipParts(t testing.TB, path string) map[string]rawPart {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	parts := make(map[string]rawPart)
	for _, f := range zr.File {
		rc, err := f.OpenRaw()
		require.NoError(t, err)
		raw, err := io.ReadAll(rc)
		require.NoError(t, err)
		parts[f.Name] = rawPart{crc: f.CRC32, size: f.UncompressedSize64, raw: raw}
	}
	return parts
}

func partText(t testing.TB, path, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			data, err := io.ReadAll(rc)
			require.NoError(t, err)
			return string(data)
		}
	}
	t.Fatalf("%s has no part %s", path, name)
	return ""
}

// partChanges compares two packages part by part and returns the parts
// that changed, were removed and were added.
func partChanges(before, after map[string]rawPart) (changed, removed, added []string) {
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			removed = append(removed, name)
		case a.crc != b.crc || a.size != b.size || !bytes.Equal(a.raw, b.raw):
			changed = append(changed, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			added = append(added, name)
		}
	}
	sort.Strings(changed)
	sort.Strings(removed)
	sort.Strings(added)
	return changed, removed, added
}

// sheetStates reads each sheet's state attribute from xl/workbook.xml.
func sheetStates(t testing.TB, path string) map[string]string {
	t.Helper()
	states := make(map[string]string)
	name := regexp.MustCompile(`\sname="([^"]*)"`)
	state := regexp.MustCompile(`\sstate="([^"]*)"`)
	for _, tag := range regexp.MustCompile(`<sheet\s[^>]*>`).FindAllString(partText(t, path, "xl/workbook.xml"), -1) {
		st := ""
		if m := state.FindStringSubmatch(tag); m != nil {
			st = m[1]
		}
		states[name.FindStringSubmatch(tag)[1]] = st
	}
	return states
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkKeptInputs checks that WriteBack left every other sheet as it was:
// through Inspect and gridtest.Diff, and part by part in the zip.
func checkKeptInputs(t *testing.T, before *grid.Workbook, beforeParts map[string]rawPart, path string, written ...string) *grid.Workbook {
	t.Helper()
	after, err := Inspect(path)
	require.NoError(t, err)
	assert.Empty(t, gridtest.Diff(before, without(after, written...), gridtest.Capabilities{}), "inputs changed")
	assert.Equal(t, gridtest.Dump(before), gridtest.Dump(without(after, written...)))

	changed, removed, _ := partChanges(beforeParts, zipParts(t, path))
	assert.Empty(t, removed, "no part of the inputs may go")
	for _, name := range changed {
		switch name {
		case "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml":
		default:
			t.Errorf("part %s changed", name)
		}
	}
	return after
}

func TestWriteBackKeepsInputs(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(40))
	before, err := Inspect(path)
	require.NoError(t, err)
	beforeParts := zipParts(t, path)
	origBytes, err := os.ReadFile(path)
	require.NoError(t, err)

	now := time.Date(2026, 11, 24, 13, 50, 0, 0, time.UTC)
	sum := summarySheet("1234567.89")
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{sum}, WriteBackOptions{HistoryDir: history, Now: now, After: "Instructions", Replace: []string{"Summary"}}))

	after := checkKeptInputs(t, before, beforeParts, path, "Summary")
	assert.Equal(t, []string{"Instructions", "Summary", "Plan", "Staff", "Lists", "Meta"}, sheetNames(after))
	want := grid.New()
	cp := *sum
	cp.Protection = &grid.Protection{} // Inspect cannot read a password back
	want.Sheets = []*grid.Sheet{&cp}
	assert.Empty(t, gridtest.Diff(want, &grid.Workbook{Sheets: []*grid.Sheet{after.Sheet("Summary")}}, gridtest.Capabilities{}))

	states := sheetStates(t, path)
	assert.Equal(t, "veryHidden", states["Meta"])
	assert.Equal(t, "hidden", states["Lists"])
	assert.Equal(t, "", states["Summary"])

	// The previous file is in the history, byte for byte.
	assert.Equal(t, []string{"MKT-20261124T135000Z.xlsx"}, listDir(t, history))
	hist, err := os.ReadFile(filepath.Join(history, "MKT-20261124T135000Z.xlsx"))
	require.NoError(t, err)
	assert.Equal(t, origBytes, hist)
	assert.Equal(t, []string{"MKT.xlsx"}, listDir(t, filepath.Dir(path)), "no temporary file may be left behind")

	// Only the first tab is selected; the active tab is still Instructions.
	wbXML := partText(t, path, "xl/workbook.xml")
	assert.NotContains(t, wbXML, "activeTab=\"1\"")
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, "Instructions", f.GetSheetName(f.GetActiveSheetIndex()))
	selected := 0
	for name := range zipParts(t, path) {
		if strings.HasPrefix(name, "xl/worksheets/sheet") {
			selected += len(regexp.MustCompile(`<sheetView [^>]*tabSelected="(1|true)"`).FindAllString(partText(t, path, name), -1))
		}
	}
	assert.Equal(t, 1, selected)

	// The summary is protected with its password, the inputs with theirs.
	for sheet, pw := range map[string]string{"Summary": "summary-pw", "Plan": "dept-pw"} {
		opts, err := f.GetSheetProtection(sheet)
		require.NoError(t, err)
		assert.Equal(t, "SHA-512", opts.AlgorithmName, sheet)
		assert.ErrorIs(t, f.UnprotectSheet(sheet, "wrong"), excelize.ErrUnprotectSheetPassword)
		assert.NoError(t, f.UnprotectSheet(sheet, pw), sheet)
	}
	// The values show, and the defined names still resolve.
	v, err := f.GetCellValue("Summary", "B5")
	require.NoError(t, err)
	assert.Equal(t, "1,234,567.89", v)
	v, err = f.CalcCellValue("Plan", "O2")
	require.NoError(t, err)
	assert.NotEqual(t, "0", v)
}

// rewritePart edits one part of an .xlsx file in place (for tests that need
// what our Writer does not write).
func rewritePart(t testing.TB, path, name string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		if f.Name != name {
			require.NoError(t, zw.Copy(f))
			continue
		}
		found = true
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		fw, err := zw.Create(name)
		require.NoError(t, err)
		_, err = fw.Write([]byte(edit(string(data))))
		require.NoError(t, err)
	}
	require.NoError(t, zr.Close())
	require.NoError(t, zw.Close())
	require.True(t, found, name)
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

func TestWriteBackTabBar(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(5))
	// Staff active, the tab bar scrolled to Plan.
	rewritePart(t, path, "xl/workbook.xml", func(s string) string {
		return strings.Replace(s, "<workbookView ", `<workbookView firstSheet="1" activeTab="2" `, 1)
	})
	rewritePart(t, path, "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, `tabSelected="true" `, "", 1)
	})
	rewritePart(t, path, "xl/worksheets/sheet3.xml", func(s string) string {
		return strings.Replace(s, "<sheetView ", `<sheetView tabSelected="1" `, 1)
	})
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, WriteBackOptions{HistoryDir: history, After: "Instructions"}))
	wbXML := partText(t, path, "xl/workbook.xml")
	assert.Contains(t, wbXML, `firstSheet="1" activeTab="3"`, "Summary (1) stays in view, Staff (now 3) stays active")

	// Replacing the active sheet selects the new one.
	s := summarySheet("2")
	s.Name = "Staff"
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{s}, WriteBackOptions{HistoryDir: history, Replace: []string{"Staff"}}))
	assert.Contains(t, partText(t, path, "xl/workbook.xml"), `firstSheet="1" activeTab="3"`)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, "Staff", f.GetSheetName(f.GetActiveSheetIndex()))
	v, err := f.GetCellValue("Staff", "B5")
	require.NoError(t, err)
	assert.Equal(t, "2.00", v)
	selected := 0
	for name := range zipParts(t, path) {
		if strings.HasPrefix(name, "xl/worksheets/sheet") {
			selected += len(regexp.MustCompile(`<sheetView [^>]*tabSelected="(1|true)"`).FindAllString(partText(t, path, name), -1))
		}
	}
	assert.Equal(t, 1, selected)
}

// TestWriteBackNoViews writes into a workbook without <bookViews>, whose
// first tab is the active one.
func TestWriteBackNoViews(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(5))
	rewritePart(t, path, "xl/workbook.xml", func(s string) string {
		return regexp.MustCompile(`<bookViews>.*</bookViews>`).ReplaceAllString(s, "")
	})
	hidden := summarySheet("1")
	hidden.Name = "Instructions"
	hidden.Visibility = grid.Hidden
	err := w.WriteBack(path, []*grid.Sheet{hidden}, WriteBackOptions{HistoryDir: history, Replace: []string{"Instructions"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "active tab and cannot be hidden")

	require.NoError(t, w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, WriteBackOptions{HistoryDir: history}))
	assert.Contains(t, partText(t, path, "xl/workbook.xml"), `<bookViews><workbookView activeTab="1"/></bookViews><sheets>`)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, "Instructions", f.GetSheetName(f.GetActiveSheetIndex()))
}

func TestWriteBackTwice(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(40))
	before, err := Inspect(path)
	require.NoError(t, err)
	beforeParts := zipParts(t, path)
	opts := WriteBackOptions{HistoryDir: history, Now: time.Date(2026, 11, 24, 13, 50, 0, 0, time.UTC), After: "Instructions", Replace: []string{"Summary"}}

	require.NoError(t, w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, opts))
	styles1 := partText(t, path, "xl/styles.xml")
	// The same second again: the history gets a counter, not an overwrite.
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{summarySheet("2")}, opts))

	after := checkKeptInputs(t, before, beforeParts, path, "Summary")
	assert.Equal(t, []string{"Instructions", "Summary", "Plan", "Staff", "Lists", "Meta"}, sheetNames(after))
	assert.Equal(t, "2", after.Sheet("Summary").Value(grid.MustRef("B5")).Text)
	assert.Equal(t, []string{"MKT-20261124T135000Z-2.xlsx", "MKT-20261124T135000Z.xlsx"}, listDir(t, history))
	assert.Equal(t, styles1, partText(t, path, "xl/styles.xml"), "the second write reuses the cell formats of the first")

	// The first history copy is the original, the second holds summary 1.
	h2, err := Inspect(filepath.Join(history, "MKT-20261124T135000Z-2.xlsx"))
	require.NoError(t, err)
	assert.Equal(t, "1", h2.Sheet("Summary").Value(grid.MustRef("B5")).Text)

	// The replaced sheet's part is gone, not orphaned.
	parts := zipParts(t, path)
	sheets := 0
	for name := range parts {
		if strings.HasPrefix(name, "xl/worksheets/sheet") {
			sheets++
		}
	}
	assert.Equal(t, 6, sheets)
	assert.Equal(t, 6, strings.Count(partText(t, path, "[Content_Types].xml"), "worksheet+xml"))
}

// TestWriteBackMoreSheets adds two sheets first (the default), replaces one
// of them, and moves sheet-local defined names and the active tab.
func TestWriteBackMoreSheets(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(10))
	// A print area local to Plan (index 1), set like Excel does.
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	require.NoError(t, f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "Plan!$A$1:$P$11", Scope: "Plan"}))
	f.SetActiveSheet(2)
	require.NoError(t, f.Save())
	require.NoError(t, f.Close())

	a, b := summarySheet("1"), summarySheet("2")
	b.Name = "Chart data"
	b.Visibility = grid.Hidden
	b.Protection = nil
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{a, b}, WriteBackOptions{HistoryDir: history}))
	f, err = excelize.OpenFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"Summary", "Chart data", "Instructions", "Plan", "Staff", "Lists", "Meta"}, f.GetSheetList())
	assert.Equal(t, "Staff", f.GetSheetName(f.GetActiveSheetIndex()))
	assert.Contains(t, partText(t, path, "xl/workbook.xml"), `localSheetId="3"`)
	names := f.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Area" {
			found = true
			assert.Equal(t, "Plan", n.Scope)
		}
	}
	assert.True(t, found)
	require.NoError(t, f.Close())
	assert.Equal(t, "hidden", sheetStates(t, path)["Chart data"])

	// Replace only the hidden one; Summary stays as it was.
	b2 := summarySheet("3")
	b2.Name = "chart data" // names match without regard to case
	b2.Visibility = grid.Hidden
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{b2}, WriteBackOptions{HistoryDir: history, Replace: []string{"Chart Data"}}))
	got, err := Inspect(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"Summary", "chart data", "Instructions", "Plan", "Staff", "Lists", "Meta"}, sheetNames(got))
	assert.Equal(t, "1", got.Sheet("Summary").Value(grid.MustRef("B5")).Text)
	assert.Equal(t, "3", got.Sheet("chart data").Value(grid.MustRef("B5")).Text)
	assert.Len(t, listDir(t, history), 2)
}

func TestWriteBackWithChart(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(10))
	s := summarySheet("1234567.89")
	s.Charts = []grid.Chart{{Type: grid.ChartColumn, Title: "By category", Anchor: grid.MustRef("D3"),
		Series: []grid.Series{{Name: "Plan", Categories: "'Summary'!$A$3:$A$4", Values: "'Summary'!$B$3:$B$4", Color: "4472C4"}}}}
	opts := WriteBackOptions{HistoryDir: history, Replace: []string{"Summary"}}
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{s}, opts))
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{s}, opts))
	got, err := Inspect(path)
	require.NoError(t, err)
	require.Len(t, got.Sheet("Summary").Charts, 1)
	assert.Equal(t, "By category", got.Sheet("Summary").Charts[0].Title)
	var drawings, charts int
	for name := range zipParts(t, path) {
		switch {
		case regexp.MustCompile(`^xl/drawings/drawing\d+\.xml$`).MatchString(name):
			drawings++
		case regexp.MustCompile(`^xl/charts/chart\d+\.xml$`).MatchString(name):
			charts++
		}
	}
	assert.Equal(t, 1, drawings, "the first summary's drawing is removed with it")
	assert.Equal(t, 1, charts)
}

func TestWriteBackRefuses(t *testing.T) {
	w := NewWriter()
	good := func() []*grid.Sheet { return []*grid.Sheet{summarySheet("1")} }
	badGrid := summarySheet("1")
	badGrid.Validations = []grid.Validation{{Type: grid.ValidateList}} // no ranges
	hiddenActive := summarySheet("1")
	hiddenActive.Name = "Instructions"
	hiddenActive.Visibility = grid.Hidden
	tests := []struct {
		name   string
		sheets []*grid.Sheet
		opts   func(history string) WriteBackOptions
		err    string
	}{
		{"input sheet name", []*grid.Sheet{func() *grid.Sheet { s := summarySheet("1"); s.Name = "plan"; return s }()},
			func(h string) WriteBackOptions { return WriteBackOptions{HistoryDir: h, Replace: []string{"Summary"}} },
			`already has a sheet "Plan" and it is not listed in WriteBackOptions.Replace`},
		{"no history", good(), func(string) WriteBackOptions { return WriteBackOptions{} }, "HistoryDir is required"},
		{"unknown After", good(), func(h string) WriteBackOptions { return WriteBackOptions{HistoryDir: h, After: "Nope"} }, `no sheet "Nope"`},
		{"bad grid", []*grid.Sheet{badGrid}, func(h string) WriteBackOptions { return WriteBackOptions{HistoryDir: h} }, `sheet "Summary": validation 1: no ranges`},
		{"duplicate", []*grid.Sheet{summarySheet("1"), summarySheet("2")}, func(h string) WriteBackOptions { return WriteBackOptions{HistoryDir: h} }, "duplicate sheet name"},
		{"nothing", nil, func(h string) WriteBackOptions { return WriteBackOptions{HistoryDir: h} }, "no sheets to write"},
		{"hidden active", []*grid.Sheet{hiddenActive}, func(h string) WriteBackOptions {
			return WriteBackOptions{HistoryDir: h, Replace: []string{"Instructions"}}
		}, "active tab and cannot be hidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, history := deptFiles(t, w, deptWorkbook(5))
			orig, err := os.ReadFile(path)
			require.NoError(t, err)
			err = w.WriteBack(path, tt.sheets, tt.opts(history))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, strings.HasPrefix(err.Error(), "excel: write back "), err.Error())
			assert.NotContains(t, err.Error(), "excel: excel:")
			now, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, orig, now, "a refused write-back must leave the file alone")
			assert.Equal(t, []string{"MKT.xlsx"}, listDir(t, filepath.Dir(path)))
			assert.Empty(t, listDir(t, history))
		})
	}

	t.Run("history in the workbook folder", func(t *testing.T) {
		path, _ := deptFiles(t, w, deptWorkbook(5))
		for _, h := range []string{filepath.Dir(path), filepath.Dir(path) + "/./", filepath.Join(filepath.Dir(path), "..", "departments")} {
			err := w.WriteBack(path, good(), WriteBackOptions{HistoryDir: h})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "is the workbook's own folder")
		}
		// Through a symlink to the folder.
		link := filepath.Join(t.TempDir(), "link")
		require.NoError(t, os.Symlink(filepath.Dir(path), link))
		err := w.WriteBack(path, good(), WriteBackOptions{HistoryDir: link})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is the workbook's own folder")
		assert.Equal(t, []string{"MKT.xlsx"}, listDir(t, filepath.Dir(path)))
	})

	t.Run("not a workbook", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "x.xlsx")
		require.NoError(t, os.WriteFile(path, []byte("not a zip"), 0o644))
		err := w.WriteBack(path, good(), WriteBackOptions{HistoryDir: filepath.Join(t.TempDir(), "h")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not an .xlsx package")
		err = w.WriteBack(filepath.Join(dir, "missing.xlsx"), good(), WriteBackOptions{HistoryDir: filepath.Join(t.TempDir(), "h")})
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
}

// TestWriteBackFailureSafety injects a failure at each stage of the file
// replacement, and makes the history folder impossible to create.
func TestWriteBackFailureSafety(t *testing.T) {
	w := NewWriter()
	check := func(t *testing.T, path, history string, orig []byte) {
		t.Helper()
		now, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, orig, now, "the original must be untouched")
		assert.Equal(t, []string{"MKT.xlsx"}, listDir(t, filepath.Dir(path)), "no temporary file may be left behind")
		_, err = Inspect(path)
		assert.NoError(t, err)
	}
	for _, stage := range []string{"temp", "history"} {
		t.Run(stage, func(t *testing.T) {
			path, history := deptFiles(t, w, deptWorkbook(5))
			orig, err := os.ReadFile(path)
			require.NoError(t, err)
			injected := errors.New("injected failure")
			writeBackFault = func(s string) error {
				if s == stage {
					return injected
				}
				return nil
			}
			defer func() { writeBackFault = nil }()
			err = w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, WriteBackOptions{HistoryDir: history})
			assert.ErrorIs(t, err, injected)
			check(t, path, history, orig)
			assert.Empty(t, listDir(t, history), "a failed write-back leaves no history copy")
		})
	}
	t.Run("history folder is a file", func(t *testing.T) {
		path, history := deptFiles(t, w, deptWorkbook(5))
		require.NoError(t, os.WriteFile(history, []byte("x"), 0o644))
		orig, err := os.ReadFile(path)
		require.NoError(t, err)
		err = w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, WriteBackOptions{HistoryDir: history})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "history copy")
		check(t, path, history, orig)
	})
	t.Run("read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores folder permissions; the injected failures cover this")
		}
		path, history := deptFiles(t, w, deptWorkbook(5))
		orig, err := os.ReadFile(path)
		require.NoError(t, err)
		dir := filepath.Dir(path)
		require.NoError(t, os.Chmod(dir, 0o555))
		defer os.Chmod(dir, 0o755)
		err = w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, WriteBackOptions{HistoryDir: history})
		require.Error(t, err)
		assert.ErrorIs(t, err, os.ErrPermission)
		check(t, path, history, orig)
		assert.Empty(t, listDir(t, history))
	})
}

// TestWriteBackConcurrent runs write-backs to one file at once; run with
// -race.
func TestWriteBackConcurrent(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(20))
	before, err := Inspect(path)
	require.NoError(t, err)
	beforeParts := zipParts(t, path)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- w.WriteBack(path, []*grid.Sheet{summarySheet(fmt.Sprint(i + 1))},
				WriteBackOptions{HistoryDir: history, After: "Instructions", Replace: []string{"Summary"}})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	after := checkKeptInputs(t, before, beforeParts, path, "Summary")
	assert.Equal(t, []string{"Instructions", "Summary", "Plan", "Staff", "Lists", "Meta"}, sheetNames(after))
	assert.Len(t, listDir(t, history), n)
	assert.Equal(t, []string{"MKT.xlsx"}, listDir(t, filepath.Dir(path)))
	// Each write saw the one before it: the history holds the original and
	// n-1 distinct summaries.
	seen := make(map[string]bool)
	for _, name := range listDir(t, history) {
		h, err := Inspect(filepath.Join(history, name))
		require.NoError(t, err)
		if s := h.Sheet("Summary"); s != nil {
			seen[s.Value(grid.MustRef("B5")).Text] = true
		}
	}
	assert.Len(t, seen, n-1)
}

// TestMergeStylesPrefixed merges into a styles part whose elements carry a
// prefix, with empty sections, as some generators write.
func TestMergeStylesPrefixed(t *testing.T) {
	dst := `<?xml version="1.0"?><x:styleSheet xmlns:x="` + nsMain + `"><x:fonts count="1"><x:font><x:sz val="10"/></x:font></x:fonts>` +
		`<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill><x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>` +
		`<x:borders count="1"><x:border/></x:borders><x:cellStyleXfs count="1"><x:xf/></x:cellStyleXfs><x:cellXfs count="1"><x:xf numFmtId="0"/></x:cellXfs></x:styleSheet>`
	src := `<styleSheet xmlns="` + nsMain + `"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00 &quot;€&quot;"/></numFmts>` +
		`<fonts count="2"><font><sz val="11"/></font><font><b val="1"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`
	out, xfMap, err := mergeStyles([]byte(dst), []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2}, xfMap)
	got := string(out)
	assert.Contains(t, got, `<x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="#,##0.00 &#34;€&#34;"/></x:numFmts><x:fonts count="2">`)
	assert.Contains(t, got, `<x:font><x:b val="1"/></x:font></x:fonts>`)
	assert.Contains(t, got, `<x:cellXfs count="3"><x:xf numFmtId="0"/><x:xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0"/><x:xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0"/></x:cellXfs>`)
	_, err = parseXMLTree(out)
	require.NoError(t, err)

	// Merging again adds nothing.
	again, xfMap2, err := mergeStyles(out, []byte(src))
	require.NoError(t, err)
	assert.Equal(t, xfMap, xfMap2)
	assert.Equal(t, got, string(again))

	// A built-in id that the workbook redefines gets a custom id.
	redefined := strings.Replace(dst, `<x:fonts`, `<x:numFmts count="1"><x:numFmt numFmtId="4" formatCode="0.000"/></x:numFmts><x:fonts`, 1)
	out, _, err = mergeStyles([]byte(redefined), []byte(src))
	require.NoError(t, err)
	assert.Contains(t, string(out), `<x:numFmt numFmtId="165" formatCode="#,##0.00"/>`)
}

func TestPartPaths(t *testing.T) {
	assert.Equal(t, "xl/_rels/workbook.xml.rels", relsPart("xl/workbook.xml"))
	assert.Equal(t, "_rels/.rels", relsPart(""))
	assert.Equal(t, "xl/workbook.xml", resolveTarget("", "xl/workbook.xml"))
	assert.Equal(t, "xl/workbook.xml", resolveTarget("", "/xl/workbook.xml"))
	assert.Equal(t, "xl/drawings/drawing1.xml", resolveTarget("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml"))
	assert.Equal(t, "../drawings/drawing3.xml", relativeTarget("xl/worksheets/sheet9.xml", "xl/drawings/drawing3.xml"))
	assert.Equal(t, "worksheets/sheet9.xml", relativeTarget("xl/workbook.xml", "xl/worksheets/sheet9.xml"))
	assert.Equal(t, "xl/workbook.xml", relativeTarget("", "xl/workbook.xml"))
	assert.Equal(t, []byte(`<w a="1" activeTab="3"/>`), setAttr([]byte(`<w a="1"/>`), "activeTab", "3"))
	assert.Equal(t, []byte(`<w activeTab='4' a="1">`), setAttr([]byte(`<w activeTab='2' a="1">`), "activeTab", "4"))
}

// TestWriteBackBytesEqualsWriteBack: the in-memory write-back gives the
// bytes the file write-back leaves on disk.
func TestWriteBackBytesEqualsWriteBack(t *testing.T) {
	w := NewWriter()
	path, history := deptFiles(t, w, deptWorkbook(40))
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	opts := WriteBackOptions{HistoryDir: history, Now: time.Date(2026, 11, 24, 13, 50, 0, 0, time.UTC), After: "Instructions", Replace: []string{"Summary"}}
	got, err := w.WriteBackBytes(orig, []*grid.Sheet{summarySheet("1")}, opts)
	require.NoError(t, err)
	require.NoError(t, w.WriteBack(path, []*grid.Sheet{summarySheet("1")}, opts))
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = w.WriteBackBytes([]byte("not a zip"), []*grid.Sheet{summarySheet("1")}, opts)
	assert.Error(t, err)
}
