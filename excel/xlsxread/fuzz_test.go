package xlsxread

import (
	"context"
	"errors"
	"slices"
	"testing"

	"aop/engine/grid"
)

// FuzzRead feeds arbitrary bytes to Read: it must never panic or hang, must
// fail only with a *FileError, and what it reads must be well-formed. The
// seed corpus in testdata/fuzz/FuzzRead holds small real workbooks and
// truncated copies of them (see testdata/README.md).
func FuzzRead(f *testing.F) {
	f.Add(minimalXLSX(f, sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f t="shared" ref="B1:C1" si="0">A1&amp;"x"</f><v>1.5</v></c><c r="C1"><f t="shared" si="0"/><v>2</v></c></row>`+
		`<row><c t="inlineStr"><is><r><t>a_x000D_</t></r><rPh><t>b</t></rPh></is></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>`)+
		`<mergeCells><mergeCell ref="A1:B2"/></mergeCells>`, sstXML(`<si><t xml:space="preserve"> x&amp;y </t></si>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{Formulas: len(data)%2 == 0, Limits: Limits{MaxCells: 100000}}
		wb, err := Read(context.Background(), data, opts)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FileError: %v", err)
			}
			switch fe.Problem {
			case NotXLSX, Encrypted, LegacyFormat, Damaged, TooLarge, Unsupported, Malformed:
			default:
				t.Fatalf("unknown problem %q", fe.Problem)
			}
			if fe.Error() == "" {
				t.Fatalf("bad FileError %#v", fe)
			}
			return
		}
		checkWorkbook(t, wb)
	})
}

// FuzzSheetXML feeds arbitrary worksheet XML straight to the scanner, which
// the zip layer's checksums would otherwise shield from most mutations, and
// checks that the fast path for plain cells reads what the general path
// reads, failing the same way.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f t="shared" ref="B1:C2" si="0">$A1+A$1+SUM(1:1)+A:B</f><v>1</v></c><c><f t="shared" si="0"/><v>2</v></c></row>`)))
	f.Add([]byte(sheetXML(`<x:row><x:c t="inlineStr"><x:is><x:r><x:t>&lt;a&#x41;&#66;_xD83D__xDE00_</x:t></x:r><x:rPh><x:t>b</x:t></x:rPh></x:is></x:c><c t="d"><v>2024-01-02T03:04:05Z</v></c></x:row>`)))
	f.Add([]byte(`<sst uniqueCount="3"><si><t>a_x0041_</t></si> <si><t>b</t><rPh><t>c</t></rPh></si><si><r><t>d</t></r></si><si><t></t></si></sst>`))
	f.Add([]byte("<worksheet><sheetData><row r=\"2\"><c t=\"str\"><v><![CDATA[a\r\nb]]><!--c--></v></c></row></sheetData><mergeCells><mergeCell ref=\"A1:B2\"/></mergeCells></worksheet>"))
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" s="1"><v>1.5</v></c><c r="B1" t="s"><v>0</v></c><c r="C1" s="2"></c><c r="D1"/>` +
		`<c r="E1"><f>SUM(A1:B1)</f><v>3</v></c><c r="F1" t="str"><f>A1</f></c><c t="n" r="G1"><v>x</v></c>` +
		`<c r="H1" t="inlineStr"><is><t>a_x0041_b</t></is></c><c r="I1" t="inlineStr"><is><t></t></is></c></row>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		formulas := len(data)%2 == 0
		read := func(general bool) (*grid.Sheet, error) {
			cells := 0
			r := &sheetReader{s: newScanner(context.Background(), nil, ""), sst: []string{"a", ""}, formulas: formulas,
				cells: &cells, maxCells: 100000, expand: 1 << 20, maxExpand: 1 << 20, general: general}
			s := grid.New().AddSheet("S")
			return s, r.read(data, "sheet.xml", s)
		}
		s, err := read(false)
		// The fast path for plain cells reads what the general path reads.
		gs, gerr := read(true)
		if (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
			t.Fatalf("error %v, read by the general path %v", err, gerr)
		}
		if err == nil && !sameCells(s, gs) {
			t.Fatalf("cells differ from the general path's")
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FileError: %v", err)
			}
			return
		}
		checkSheet(t, s)
		strs, err := parseSharedStrings(context.Background(), data, "sst.xml", 100000)
		gstrs, gerr := sharedStrings(context.Background(), data, "sst.xml", 100000, false)
		if (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) || !slices.Equal(strs, gstrs) {
			t.Fatalf("shared strings %q, %v; read by the general path %q, %v", strs, err, gstrs, gerr)
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FileError: %v", err)
			}
		}
	})
}

// FuzzShift checks that moving a formula never panics and that moving a
// plain reference there and back gives it back.
func FuzzShift(f *testing.F) {
	f.Add("SUM($A1:B$2)+'x''y'!C3+\"A1\"+T[[#This Row],[A]]+1:1+A:A", 3, -2)
	f.Fuzz(func(t *testing.T, formula string, dr, dc int) {
		dr, dc = dr%2000, dc%2000
		_ = grid.AppendShifted(nil, formula, dr, dc)
		if ref, n, ok := grid.ScanRef(formula); ok && n == len(formula) && formula[0] != '$' {
			moved := ref.Offset(dr, dc)
			if moved.Row >= 1 && moved.Row <= grid.MaxRows && moved.Col >= 1 && moved.Col <= grid.MaxCols {
				back := string(grid.AppendShifted(nil, string(grid.AppendShifted(nil, formula, dr, dc)), -dr, -dc))
				if r2, err := grid.ParseRef(back); err != nil || r2 != ref {
					t.Fatalf("%q moved by %d,%d and back is %q", formula, dr, dc, back)
				}
			}
		}
	})
}

// checkWorkbook checks the invariants of a workbook that was read.
func checkWorkbook(t *testing.T, wb *grid.Workbook) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range wb.Sheets {
		if s.Name == "" || seen[s.Name] {
			t.Fatalf("bad or duplicate sheet name %q", s.Name)
		}
		seen[s.Name] = true
		checkSheet(t, s)
	}
}

// checkSheet checks that every cell is on the sheet and holds a valid value.
func checkSheet(t *testing.T, s *grid.Sheet) {
	t.Helper()
	for _, at := range s.Refs() {
		if at.Row < 1 || at.Row > grid.MaxRows || at.Col < 1 || at.Col > grid.MaxCols {
			t.Fatalf("cell %v is off the sheet", at)
		}
		c := s.Cell(at)
		switch c.Value.Kind {
		case grid.Number:
			if _, err := c.Value.Decimal(); err != nil {
				t.Fatalf("cell %s: number %q: %v", at, c.Value.Text, err)
			}
		case grid.String, grid.Error:
			if c.Value.Text == "" {
				t.Fatalf("cell %s: empty %s", at, c.Value.Kind)
			}
		case grid.Bool:
			if c.Value.Text != "TRUE" && c.Value.Text != "FALSE" {
				t.Fatalf("cell %s: bool %q", at, c.Value.Text)
			}
		case grid.Empty:
			if c.Formula == "" {
				t.Fatalf("cell %s is stored but empty", at)
			}
		}
	}
	for _, m := range s.Merges {
		if m.From.Row < 1 || m.To.Row > grid.MaxRows || m.From.Col < 1 || m.To.Col > grid.MaxCols {
			t.Fatalf("merge %v is off the sheet", m)
		}
	}
}

// sameCells reports whether two sheets hold the same cells and merges.
func sameCells(a, b *grid.Sheet) bool {
	if a.Len() != b.Len() || len(a.Merges) != len(b.Merges) {
		return false
	}
	for at, c := range a.All() {
		if b.Cell(at) != c {
			return false
		}
	}
	for i := range a.Merges {
		if a.Merges[i] != b.Merges[i] {
			return false
		}
	}
	return true
}
