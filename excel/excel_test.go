package excel

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
	"aop/engine/grid/gridtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// harness runs the grid conformance suite against the excel driver.
type harness struct{ w *Writer }

func (h harness) Render(_ context.Context, t *testing.T, wb *grid.Workbook) (string, error) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	return path, h.w.WriteFile(path, wb)
}

func (harness) ReadBack(_ context.Context, _ *testing.T, path string) (*grid.Workbook, error) {
	return Inspect(path)
}

func (harness) Capabilities() gridtest.Capabilities { return gridtest.Capabilities{} }

func TestConformance(t *testing.T) {
	gridtest.Run(t, harness{w: NewWriter()})
}

// TestGolden compares a normalised dump of each conformance workbook, as
// written and read back, plus file facts the grid does not hold (password
// hash parameters, the number of cell styles), with testdata/<case>.golden.
func TestGolden(t *testing.T) {
	w := NewWriter()
	for _, c := range gridtest.Cases() {
		if c.Name == "Dense" { // 4,000 cells of arithmetic: covered by conformance
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "book.xlsx")
			require.NoError(t, w.WriteFile(path, c.Build()))
			got, err := Inspect(path)
			require.NoError(t, err)
			dump := gridtest.Dump(got) + fileFacts(t, path)
			golden := filepath.Join("testdata", c.Name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(dump), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./excel -update to create it")
			assert.Equal(t, string(want), dump)
		})
	}
}

// fileFacts dumps what Inspect leaves out: each sheet's part, protection
// attributes (the hash itself is salted and random) and the cell style count.
func fileFacts(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	var b strings.Builder
	names := make([]string, 0, len(zr.File))
	parts := make(map[string]*zip.File)
	for _, f := range zr.File {
		names = append(names, f.Name)
		parts[f.Name] = f
	}
	sort.Strings(names)
	attr := regexp.MustCompile(`(algorithmName|spinCount|sheet|selectLockedCells|selectUnlockedCells|formatColumns|formatCells)="([^"]*)"`)
	for _, name := range names {
		if !strings.HasPrefix(name, "xl/worksheets/sheet") {
			continue
		}
		data := readPart(t, parts[name])
		prot := regexp.MustCompile(`<sheetProtection[^>]*>`).Find(data)
		if prot == nil {
			continue
		}
		fmt.Fprintf(&b, "file %s protection", name)
		for _, m := range attr.FindAllSubmatch(prot, -1) {
			fmt.Fprintf(&b, " %s=%s", m[1], m[2])
		}
		fmt.Fprintf(&b, " hash=%t salt=%t\n", bytes.Contains(prot, []byte(`hashValue="`)), bytes.Contains(prot, []byte(`saltValue="`)))
	}
	var styles struct {
		CellXfs struct {
			Count int `xml:"count,attr"`
		} `xml:"cellXfs"`
	}
	require.NoError(t, xml.Unmarshal(readPart(t, parts["xl/styles.xml"]), &styles))
	fmt.Fprintf(&b, "file cell styles %d\n", styles.CellXfs.Count)
	return b.String()
}

func readPart(t *testing.T, f *zip.File) []byte {
	t.Helper()
	require.NotNil(t, f)
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

// TestCachedFormulaValues checks the raw XML: a formula cell carries <f> and
// a typed <v>, and text starting with "=" is a string, not a formula.
func TestCachedFormulaValues(t *testing.T) {
	wb := grid.New()
	s := wb.AddSheet("S")
	s.SetValue(grid.MustRef("A1"), grid.NumText("0.1"))
	s.SetValue(grid.MustRef("A2"), grid.NumText("1234567.89"))
	s.SetFormula(grid.MustRef("A3"), "A1+A2", grid.NumText("1234567.99"))
	s.SetFormula(grid.MustRef("A4"), `"x"&A1`, grid.Str("x0.1"))
	s.SetFormula(grid.MustRef("A5"), "A1>0", grid.BoolValue(true))
	s.SetValue(grid.MustRef("A6"), grid.Str("=A1+A2"))
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, wb))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	var sheet []byte
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = readPart(t, f)
		}
	}
	for _, want := range []string{
		`<c r="A3"><f>A1+A2</f><v>1234567.99</v></c>`,
		`<c r="A4" t="str"><f>&#34;x&#34;&amp;A1</f><v>x0.1</v></c>`,
		`<c r="A5" t="b"><f>A1&gt;0</f><v>1</v></c>`,
		`<c r="A6" t="inlineStr"><is><t>=A1+A2</t></is></c>`,
	} {
		assert.Contains(t, string(sheet), want)
	}
}

// TestPasswordHash checks the cached hash against excelize's own check and
// that a Writer hashes each password once.
func TestPasswordHash(t *testing.T) {
	w := NewWriter()
	wb := grid.New()
	for i := range 3 {
		s := wb.AddSheet(fmt.Sprintf("P%d", i))
		s.Protection = &grid.Protection{Password: "pässwörd 1"}
	}
	other := wb.AddSheet("Other")
	other.Protection = &grid.Protection{Password: "other"}
	path := filepath.Join(t.TempDir(), "p.xlsx")
	require.NoError(t, w.WriteFile(path, wb))
	assert.Len(t, w.hashes, 2)

	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	for i := range 3 {
		sheet := fmt.Sprintf("P%d", i)
		opts, err := f.GetSheetProtection(sheet)
		require.NoError(t, err)
		assert.Equal(t, "SHA-512", opts.AlgorithmName)
		assert.True(t, opts.SelectLockedCells && opts.SelectUnlockedCells && opts.FormatColumns)
		assert.False(t, opts.FormatCells || opts.InsertRows || opts.DeleteRows)
		assert.ErrorIs(t, f.UnprotectSheet(sheet, "wrong"), excelize.ErrUnprotectSheetPassword)
		assert.NoError(t, f.UnprotectSheet(sheet, "pässwörd 1"), sheet)
	}
	assert.ErrorIs(t, f.UnprotectSheet("Other", "pässwörd 1"), excelize.ErrUnprotectSheetPassword)
	assert.NoError(t, f.UnprotectSheet("Other", "other"))

	// A second workbook reuses the hash instead of spinning 100,000 rounds
	// again: it carries the same salt and hash, where a fresh hash would
	// draw a new random salt.
	var first, second bytes.Buffer
	require.NoError(t, w.Write(&first, wb))
	require.NoError(t, w.Write(&second, wb))
	salt := regexp.MustCompile(`saltValue="[^"]+" hashValue="[^"]+"|hashValue="[^"]+" saltValue="[^"]+"`)
	a, b := salt.FindString(sheetXML(t, first.Bytes(), "xl/worksheets/sheet1.xml")), salt.FindString(sheetXML(t, second.Bytes(), "xl/worksheets/sheet1.xml"))
	require.NotEmpty(t, a)
	assert.Equal(t, a, b)
	var fresh bytes.Buffer
	require.NoError(t, NewWriter().Write(&fresh, wb))
	assert.NotEqual(t, a, salt.FindString(sheetXML(t, fresh.Bytes(), "xl/worksheets/sheet1.xml")), "a new writer hashes anew")
}

// sheetXML returns one part of a written package as text.
func sheetXML(t *testing.T, pkg []byte, part string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	require.NoError(t, err)
	f, err := zr.Open(part)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return string(b)
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "book.xlsx")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))

	bad := grid.New()
	bad.AddSheet("S").Validations = []grid.Validation{{Type: grid.ValidateList}} // no ranges
	require.Error(t, WriteFile(path, bad))
	old, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(old), "a failed write must leave the file alone")

	good := grid.New()
	good.AddSheet("S").SetValue(grid.MustRef("A1"), grid.Int(1))
	require.NoError(t, WriteFile(path, good))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file may be left behind")
	got, err := Inspect(path)
	require.NoError(t, err)
	assert.Equal(t, "1", got.Sheet("S").Value(grid.MustRef("A1")).Text)

	require.Error(t, WriteFile(filepath.Join(dir, "missing", "book.xlsx"), good))
}

func TestWriteErrors(t *testing.T) {
	sheet := func(mod func(wb *grid.Workbook, s *grid.Sheet)) *grid.Workbook {
		wb := grid.New()
		s := wb.AddSheet("S")
		s.SetValue(grid.MustRef("A1"), grid.Int(1))
		mod(wb, s)
		return wb
	}
	col := []grid.Range{grid.Rect(1, 1, 5, 1)}
	tests := []struct {
		name string
		wb   *grid.Workbook
		err  string
	}{
		{"no sheets", grid.New(), "no sheets"},
		{"duplicate names", sheet(func(wb *grid.Workbook, _ *grid.Sheet) { wb.AddSheet("s") }), `duplicate sheet name "s"`},
		{"all hidden", sheet(func(_ *grid.Workbook, s *grid.Sheet) { s.Visibility = grid.Hidden }), "no visible sheet"},
		{"bad sheet name", sheet(func(wb *grid.Workbook, _ *grid.Sheet) { wb.AddSheet("a[b]") }), `sheet "a[b]"`},
		{"bad number", sheet(func(_ *grid.Workbook, s *grid.Sheet) { s.SetValue(grid.MustRef("B2"), grid.NumText("1,5")) }),
			`cell B2: malformed number "1,5"`},
		{"long inline list", sheet(func(_ *grid.Workbook, s *grid.Sheet) {
			s.Validations = []grid.Validation{{Ranges: col, Type: grid.ValidateList, List: []string{strings.Repeat("x", 300)}}}
		}), "exceeds 255; put the list on a sheet"},
		{"comma in inline list", sheet(func(_ *grid.Workbook, s *grid.Sheet) {
			s.Validations = []grid.Validation{{Ranges: col, Type: grid.ValidateList, List: []string{"a,b"}}}
		}), "contains a comma"},
		{"between without bound", sheet(func(_ *grid.Workbook, s *grid.Sheet) {
			s.Validations = []grid.Validation{{Ranges: col, Type: grid.ValidateWhole, Operator: grid.Between, Formula1: "1"}}
		}), "needs Formula2"},
		{"long message", sheet(func(_ *grid.Workbook, s *grid.Sheet) {
			s.Validations = []grid.Validation{{Ranges: col, Type: grid.ValidateWhole, Operator: grid.GreaterThan, Formula1: "1", ErrorMessage: strings.Repeat("m", 256)}}
		}), "error message of 256 characters exceeds 255"},
		{"bad colour", sheet(func(_ *grid.Workbook, s *grid.Sheet) { s.SetStyle(grid.MustRef("A1"), &grid.Style{Fill: "red"}) }),
			`fill: colour "red" is not RRGGBB`},
		{"chart without anchor", sheet(func(_ *grid.Workbook, s *grid.Sheet) {
			s.Charts = []grid.Chart{{Series: []grid.Series{{Values: "'S'!$A$1:$A$5"}}}}
		}), "no anchor"},
		{"bad defined name", sheet(func(wb *grid.Workbook, _ *grid.Sheet) { wb.AddName("1 bad", "'S'!$A$1") }), `defined name "1 bad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, tt.wb)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, strings.HasPrefix(err.Error(), "excel: "), err.Error())
		})
	}
}

// TestColsAscending guards against excelize's prepending of columns: Excel
// repairs a file whose <col> elements are out of order.
func TestColsAscending(t *testing.T) {
	wb := grid.New()
	s := wb.AddSheet("S")
	s.ColWidths = map[int]float64{7: 1, 1: 2, 3: 3, 30: 4, 2: 5}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, wb))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		var mins []int
		for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllSubmatch(readPart(t, f), -1) {
			var n int
			fmt.Sscan(string(m[1]), &n)
			mins = append(mins, n)
		}
		assert.Equal(t, []int{1, 2, 3, 7, 30}, mins)
	}
}

func TestInspectErrors(t *testing.T) {
	_, err := Inspect(filepath.Join(t.TempDir(), "missing.xlsx"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist), err.Error())
}

// TestConcurrentWrites shares one Writer, as a generator of many workbooks
// does; run with -race.
func TestConcurrentWrites(t *testing.T) {
	w := NewWriter()
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			wb := gridtest.Cases()[i%len(gridtest.Cases())].Build()
			errs <- w.WriteFile(filepath.Join(t.TempDir(), fmt.Sprintf("b%d.xlsx", i)), wb)
		}()
	}
	for range 8 {
		assert.NoError(t, <-errs)
	}
}

// TestPrecision pins how numbers beyond Excel's 15 significant digits are
// stored; up to 15 digits they read back exactly.
func TestPrecision(t *testing.T) {
	wb := grid.New()
	s := wb.AddSheet("S")
	s.SetValue(grid.MustRef("A1"), grid.NumText("123456789012345"))
	s.SetValue(grid.MustRef("A2"), grid.NumText("0.30000000000000004"))
	s.SetValue(grid.MustRef("A3"), grid.NumText("9007199254740993"))
	path := filepath.Join(t.TempDir(), "p.xlsx")
	require.NoError(t, WriteFile(path, wb))
	got, err := Inspect(path)
	require.NoError(t, err)
	g := got.Sheet("S")
	assert.Equal(t, "123456789012345", g.Value(grid.MustRef("A1")).Text)
	assert.Equal(t, "0.300000000000000", g.Value(grid.MustRef("A2")).Text)
	assert.Equal(t, "9007199254740990", g.Value(grid.MustRef("A3")).Text)
}
