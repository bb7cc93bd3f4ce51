package plan

import (
	"context"
	"encoding/json"
	"slices"

	"aop/engine"
	"aop/engine/grid"
)

// SummaryTab is a department's Summary tab as cells, for a client that
// writes the tab itself (the Excel add-in's Refresh button): the same
// cells the Summary tab of a downloaded workbook holds.
type SummaryTab struct {
	// Sheet is the tab's name.
	Sheet string `json:"sheet"`
	// Round and Department say whose tab it is.
	Round      int64  `json:"round"`
	Department string `json:"department"`
	// AsOf says when the consolidation it shows was finished.
	AsOf string `json:"as_of"`
	// Range is the block Values fills, from A1 ("A1:R42").
	Range string `json:"range"`
	// Values are the cells row by row: numbers as JSON numbers, text as
	// strings, booleans as booleans, empty cells as "" (the shape of
	// Excel's Range.values). Formula cells hold their computed value.
	Values [][]any `json:"values"`
	// NumberFormats are the cells' Excel number format codes, row by row
	// ("General" where a cell has none, "@" for text, which Excel would
	// otherwise read as a date or a number): Range.numberFormat.
	NumberFormats [][]string `json:"number_formats"`
	// Bold lists the cells (A1) shown in bold: headings and totals.
	Bold []string `json:"bold"`
	// Inputs are the cells the department may type in, the tab being
	// protected otherwise: A1 ranges, each a cell or a merged range
	// ("T11:T13"), top to bottom. The Actuals vs Plan tab's explanations
	// are its only ones.
	Inputs []string `json:"inputs"`
}

// Summary returns a department's Summary tab from the round's latest
// finished consolidation and the submissions current now, as the
// department's downloaded workbook shows it. Before the round's first
// consolidation, or while the department has no accepted plan, there is
// none (KindNotFound).
func (s *Service) Summary(ctx context.Context, a Actor, round int64, dept string) (SummaryTab, error) {
	r, c, d, err := s.readDepartment(ctx, a, round, dept)
	if err != nil {
		return SummaryTab{}, err
	}
	if d.Current == 0 {
		return SummaryTab{}, Errorf(KindNotFound,
			"%s has no accepted plan in round %d yet: the Summary tab is written once a submitted plan is accepted and finance consolidates", dept, round)
	}
	k, asOf, ok, err := s.latestConsolidation(ctx, c, r.ID)
	if err != nil {
		return SummaryTab{}, err
	}
	if !ok {
		return SummaryTab{}, Errorf(KindNotFound,
			"round %d has not been consolidated yet: the Summary tab is written when finance consolidates", round)
	}
	sheet, err := s.o.Books.SummarySheet(c, k, d.Department, asOf)
	if err != nil {
		return SummaryTab{}, err
	}
	tab := summaryCells(sheet)
	tab.Round, tab.Department, tab.AsOf = round, d.Department, asOf
	return tab, nil
}

// readDepartment returns a department's state in a round with the round
// and its cycle, for an actor who may read it.
func (s *Service) readDepartment(ctx context.Context, a Actor, round int64, dept string) (Round, *engine.Cycle, DepartmentState, error) {
	if err := can(a, dept, false); err != nil {
		return Round{}, nil, DepartmentState{}, err
	}
	r, c, err := s.roundCycle(ctx, round)
	if err != nil {
		return Round{}, nil, DepartmentState{}, err
	}
	d, err := s.o.Store.DepartmentState(ctx, round, dept)
	return r, c, d, err
}

// summaryCells lays a sheet's cells out as rows from A1 to its last used
// cell.
func summaryCells(sheet *grid.Sheet) SummaryTab {
	tab := SummaryTab{Sheet: sheet.Name, Values: [][]any{}, NumberFormats: [][]string{}, Bold: []string{}, Inputs: inputRanges(sheet)}
	dim, ok := sheet.Dimension()
	if !ok {
		return tab
	}
	block := grid.Range{From: grid.Ref{Row: 1, Col: 1}, To: dim.To}
	tab.Range = block.String()
	for row := 1; row <= block.To.Row; row++ {
		values := make([]any, block.To.Col)
		formats := make([]string, block.To.Col)
		for col := 1; col <= block.To.Col; col++ {
			at := grid.Ref{Row: row, Col: col}
			cell := sheet.Cell(at)
			values[col-1] = cellValue(cell.Value)
			formats[col-1] = numberFormat(cell)
			if cell.Style != nil && cell.Style.Bold && !cell.Value.IsEmpty() {
				tab.Bold = append(tab.Bold, at.String())
			}
		}
		tab.Values = append(tab.Values, values)
		tab.NumberFormats = append(tab.NumberFormats, formats)
	}
	return tab
}

// numberFormat is a cell's Excel number format: text as text ("@"; Excel
// would read "Feb 2026" as a date and "6000" as a number), else its own,
// else General.
func numberFormat(cell grid.Cell) string {
	switch {
	case cell.Value.Kind == grid.String:
		return "@"
	case cell.Style != nil && cell.Style.NumFmt != "":
		return cell.Style.NumFmt
	}
	return "General"
}

// inputRanges lists a sheet's unlocked cells, a merged range as one.
func inputRanges(sheet *grid.Sheet) []string {
	out := []string{}
	seen := map[grid.Range]bool{}
	for at, cell := range sheet.All() {
		if cell.Style == nil || !cell.Style.Unlocked {
			continue
		}
		rg := grid.Range{From: at, To: at}
		if i := slices.IndexFunc(sheet.Merges, func(m grid.Range) bool { return m.Contains(at) }); i >= 0 {
			rg = sheet.Merges[i]
		}
		if !seen[rg] {
			seen[rg] = true
			out = append(out, rg.String())
		}
	}
	return out
}

// cellValue is a cell's value as Excel's Range.values holds it. Numbers
// keep their exact decimal text.
func cellValue(v grid.Value) any {
	switch v.Kind {
	case grid.Empty:
		return ""
	case grid.Number:
		return json.Number(v.Text)
	case grid.Bool:
		return v.Bool()
	default:
		return v.Text
	}
}

// DepartmentStatus returns where one department stands in a round: its
// status, whether it is locked, its current submission and the reviewer's
// comment (the Excel add-in's Status button).
func (s *Service) DepartmentStatus(ctx context.Context, a Actor, round int64, dept string) (DepartmentState, error) {
	if err := can(a, dept, false); err != nil {
		return DepartmentState{}, err
	}
	return s.o.Store.DepartmentState(ctx, round, dept)
}
