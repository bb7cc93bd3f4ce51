package xlsxread

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// TestDifferentialExcelize compares every cell of every fixture that
// excelize can open with excelize's raw cell values (GetRows with
// RawCellValue): numbers numerically, everything else exactly.
//
// Known legitimate differences, checked rather than skipped:
//   - booleans: excelize gives the stored "1"/"0", we give "TRUE"/"FALSE";
//   - empty strings: excelize gives "" for a cell whose string is empty, we
//     store no cell (the same thing in a grid);
//   - the OOXML escape _xHHHH_ in formula string results (t="str"):
//     excelize decodes it in shared strings only and returns the cached
//     formula result as stored ("abc_x000D_\ndef"); we decode it
//     everywhere, as Excel does (excelmac2016-crlf-strings proves it: the
//     formula "abc"&CHAR(13)&CHAR(10)&"def" caches "abc_x000D_\ndef"), so
//     excelize's text is compared after decoding the escapes.
func TestDifferentialExcelize(t *testing.T) {
	dir := fixturesDir(t, "xlsx-real")
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	require.NoError(t, err)
	files = append(files, filepath.Join(fixturesDir(t, "budgets"), "oakland-fy13-15-mayor-proposed.xlsx"))
	compared := 0
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Skipf("excelize cannot open it: %v", err)
			}
			defer f.Close()
			ours, err := ReadFile(t.Context(), path, Options{})
			if err != nil {
				t.Skipf("we refuse it (%v); excelize opened it", err)
			}
			for _, s := range ours.Sheets {
				rows, err := f.GetRows(s.Name, excelize.Options{RawCellValue: true})
				if err != nil {
					// excelize lists chartsheets but cannot read their rows.
					assert.Zero(t, s.Len(), "%s: excelize: %v", s.Name, err)
					continue
				}
				seen := map[grid.Ref]bool{}
				for i, row := range rows {
					for j, theirs := range row {
						at := grid.R(i+1, j+1)
						seen[at] = true
						v := s.Value(at)
						if theirs == "" {
							assert.True(t, v.IsEmpty(), "%s!%s: excelize has nothing, we read %q", s.Name, at, v.Text)
							continue
						}
						compared++
						assert.True(t, sameValue(v, theirs), "%s!%s: excelize %q, we read %s %q", s.Name, at, theirs, v.Kind, v.Text)
					}
				}
				for _, at := range s.Refs() {
					assert.True(t, seen[at], "%s!%s: we read %q, excelize has no cell", s.Name, at, s.Value(at).Text)
				}
			}
		})
	}
	t.Logf("compared %d cells with excelize", compared)
}

// sameValue compares our value with excelize's raw text.
func sameValue(v grid.Value, theirs string) bool {
	switch v.Kind {
	case grid.Number:
		a, err1 := strconv.ParseFloat(v.Text, 64)
		b, err2 := strconv.ParseFloat(theirs, 64)
		return err1 == nil && err2 == nil && (a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b)))
	case grid.Bool:
		return (v.Text == "TRUE" && theirs == "1") || (v.Text == "FALSE" && theirs == "0")
	}
	if v.Text == theirs {
		return true
	}
	return v.Kind == grid.String && v.Text == string(appendUnescaped(nil, []byte(theirs)))
}
