package xlsxread

import (
	"archive/zip"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"aop/engine/grid"
)

// TestFastCellsMatchGeneral reads every worksheet and shared string table
// of the real-world fixtures with the fast paths for plain cells and
// strings and with the general path alone, worksheets with and without
// formulas, and checks that both read the same.
func TestFastCellsMatchGeneral(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixturesDir(t, "xlsx-real"), "*.xlsx"))
	require.NoError(t, err)
	sheets := 0
	for _, path := range files {
		zr, err := zip.OpenReader(path)
		if err != nil {
			continue // not a zip: the fixtures of refused files
		}
		parts := map[string][]byte{}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			if b, err := io.ReadAll(rc); err == nil {
				parts[f.Name] = b
			}
			rc.Close()
		}
		zr.Close()
		var sst []string
		if b, ok := parts["xl/sharedStrings.xml"]; ok {
			var err error
			sst, err = parseSharedStrings(context.Background(), b, "sst", 1<<20)
			general, gerr := sharedStrings(context.Background(), b, "sst", 1<<20, false)
			require.Equal(t, gerr, err, path)
			require.Equal(t, general, sst, path)
		}
		for name, b := range parts {
			if !strings.HasPrefix(name, "xl/worksheets/") {
				continue
			}
			for _, formulas := range []bool{false, true} {
				read := func(general bool) (*grid.Sheet, error) {
					cells := 0
					r := &sheetReader{s: newScanner(context.Background(), nil, ""), sst: sst, formulas: formulas,
						cells: &cells, maxCells: 1 << 24, expand: 1 << 30, maxExpand: 1 << 30, general: general}
					s := grid.New().AddSheet("S")
					return s, r.read(b, name, s)
				}
				fast, err := read(false)
				general, gerr := read(true)
				where := filepath.Base(path) + " " + name
				if gerr != nil {
					require.EqualError(t, err, gerr.Error(), where)
					continue
				}
				require.NoError(t, err, where)
				require.True(t, sameCells(fast, general), where)
				sheets++
			}
		}
	}
	t.Logf("%d worksheets read both ways", sheets)
}
