package templates

import (
	"slices"
	"sync"

	"aop/engine/grid"
)

// shape is what the fast structure check needs of a rendered workbook:
// its sheets in order and, per sheet, the open cells (inputs and formulas),
// whose content changes as people type. Every other cell is fixed
// structure. Departments whose workbooks have the same sheets share a
// shape: seeded lines, titles and lists change what fixed cells hold, not
// which cells are open.
type shape struct {
	sheets []string
	open   [][]grid.Ref // per sheet, in row-major order
}

// shapes caches one shape per shapeKey of a Department.
type shapes struct {
	mu sync.Mutex
	m  map[bool]*shape
}

// Sheets lists the sheets of a department's workbook in order, the
// identity sheet left out.
func (t *Department) Sheets(dept string) ([]string, error) {
	sh, err := t.shapeFor(dept)
	if err != nil {
		return nil, err
	}
	return slices.Clone(sh.sheets), nil
}

// HarvestSheets lists the sheets a harvest of a department's workbook
// reads, in the workbook's order, the identity sheet last: what a reader
// that fetches sheets by name (Google Sheets) asks for.
func (t *Department) HarvestSheets(dept string) ([]string, error) {
	all, err := t.Sheets(dept)
	if err != nil {
		return nil, err
	}
	names := slices.DeleteFunc(all, func(name string) bool { return !t.Harvests(name) })
	return append(names, t.spec.Sheets.Identity), nil
}

// shapeFor returns the shape of a department's workbook, rendering one
// workbook of that shape the first time.
func (t *Department) shapeFor(dept string) (*shape, error) {
	key := t.hasDrivers(dept)
	t.shapes.mu.Lock()
	defer t.shapes.mu.Unlock()
	if sh, ok := t.shapes.m[key]; ok {
		return sh, nil
	}
	wb, err := t.Render(dept)
	if err != nil {
		return nil, err
	}
	sh := &shape{}
	for _, s := range wb.Sheets {
		if s.Name == t.spec.Sheets.Identity {
			continue
		}
		var open []grid.Ref
		for at, c := range s.All() {
			if c.Formula != "" || (c.Style != nil && c.Style.Unlocked) {
				open = append(open, at)
			}
		}
		sh.sheets = append(sh.sheets, s.Name)
		sh.open = append(sh.open, open)
	}
	if t.shapes.m == nil {
		t.shapes.m = map[bool]*shape{}
	}
	t.shapes.m[key] = sh
	return sh, nil
}

// digest is structureDigest computed from a harvested workbook: every
// non-empty cell outside the open cells is taken as fixed. It equals the
// digest signed into the workbook exactly when the fixed cells hold what
// they held when it was generated and nothing was typed outside the
// inputs; ok is false when a sheet of the shape is missing.
func (sh *shape) digest(wb *grid.Workbook) (string, bool) {
	d := newDigest()
	for i, name := range sh.sheets {
		s := wb.Sheet(name)
		if s == nil {
			return "", false
		}
		d.sheet(s.Name)
		open := sh.open[i]
		for at, c := range s.All() { // both in row-major order: a merge, no lookups
			if c.Value.IsEmpty() {
				continue
			}
			for len(open) > 0 && open[0].Less(at) {
				open = open[1:]
			}
			if len(open) > 0 && open[0] == at {
				continue
			}
			d.cell(at, c.Value)
		}
	}
	return d.sum(), true
}
