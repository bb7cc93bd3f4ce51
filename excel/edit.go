package excel

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// Edit is one value typed into one cell. An empty Value clears the cell's
// value and keeps its style.
type Edit struct {
	Sheet string
	Cell  grid.Ref
	Value grid.Value
}

// EditFile types values into cells of an existing workbook, as a person
// would in a spreadsheet app, and saves it atomically. Numbers are stored as
// the app stores them (IEEE doubles, shortest text); strings stay strings
// even when they start with "=". Cached formula results are dropped and the
// workbook is marked to recalculate, so totals follow the new inputs in
// every app.
func EditFile(path string, edits []Edit) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return fmt.Errorf("excel: open %s: %w", path, err)
	}
	defer f.Close()
	for _, e := range edits {
		cell := e.Cell.String()
		switch e.Value.Kind {
		case grid.Empty:
			err = f.SetCellValue(e.Sheet, cell, nil)
		case grid.Number:
			v, ok := e.Value.Float64()
			if !ok {
				return fmt.Errorf("excel: %s!%s: %q is not a number", e.Sheet, cell, e.Value.Text)
			}
			err = f.SetCellFloat(e.Sheet, cell, v, -1, 64)
		case grid.Bool:
			err = f.SetCellBool(e.Sheet, cell, e.Value.Bool())
		default:
			err = f.SetCellStr(e.Sheet, cell, e.Value.Text)
		}
		if err != nil {
			return fmt.Errorf("excel: %s!%s: %w", e.Sheet, cell, err)
		}
	}
	// The cached results of formulas no longer match the inputs: drop them
	// so that every app computes them on open (LibreOffice keeps cached
	// results of .xlsx files by default and would show stale totals).
	if err := f.UpdateLinkedValue(); err != nil {
		return err
	}
	yes := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &yes}); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".edit-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := f.Write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("excel: save %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
