package cyclefile

import (
	"context"
	"strings"

	"aop/engine/grid"
	"aop/excel/xlsxread"
)

// readXLSX reads an xlsx ledger: the sheet the ledger names, or the first
// one. The sheet's first row holding a value is the header; the rows below
// it are data, and Problem.Line is their row number. Number cells are taken
// exactly as the file stored them.
func (lr *ledgerReader) readXLSX(data []byte) {
	wb, err := xlsxread.Read(context.Background(), data, xlsxread.Options{Limits: xlsxread.DefaultLimits()})
	if err != nil {
		lr.problem(0, "cannot read the workbook: %v", err)
		return
	}
	lr.date1904 = wb.Date1904
	if len(wb.Sheets) == 0 {
		lr.problem(0, "the workbook has no sheets")
		return
	}
	sh := wb.Sheets[0]
	if name := lr.l.sheet; name != "" {
		sh = wb.Sheet(name)
		var names []string
		for _, s := range wb.Sheets {
			names = append(names, s.Name)
			if sh == nil && strings.EqualFold(s.Name, name) {
				sh = s
			}
		}
		if sh == nil {
			lr.d.add(lr.l.sheetLine, lr.l.ctx, "sheet %q is not in %s%s; its sheets are: %s",
				clip(name), lr.file, didYouMean(name, names), clip(strings.Join(names, ", ")))
			return
		}
	}
	lr.sheet = sh.Name
	rng, ok := sh.Dimension()
	if !ok {
		lr.problem(0, "the sheet is empty; it needs a header row naming its columns")
		return
	}
	head := headerRow(sh, rng, lr.l.amountHeader())
	lr.firstCol = rng.From.Col
	header := make([]string, 0, rng.To.Col-rng.From.Col+1)
	for c := rng.From.Col; c <= rng.To.Col; c++ {
		header = append(header, sh.Value(grid.Ref{Row: head, Col: c}).Text)
	}
	if !lr.header(header) {
		return
	}
	if rng.To.Row-head > MaxLedgerRows {
		lr.problem(0, "the sheet has more than %d rows", MaxLedgerRows)
		return
	}
	// Read only the columns the ledger uses: lr.cols then indexes cells.
	var abs []int
	for role, i := range lr.cols {
		lr.cols[role] = len(abs)
		abs = append(abs, rng.From.Col+i)
	}
	cells := make([]grid.Value, len(abs))
	for r := head + 1; r <= rng.To.Row; r++ {
		for i, c := range abs {
			cells[i] = sh.Value(grid.Ref{Row: r, Col: c})
		}
		lr.row(r, cells)
	}
}

// headerRow returns the row holding the header: the first of the sheet's
// first 50 rows with a value that names the amount column (so a title above
// the table is passed over), else the first row with a value.
func headerRow(sh *grid.Sheet, rng grid.Range, amount string) int {
	first := 0
	for r := rng.From.Row; r <= rng.To.Row && r < rng.From.Row+50; r++ {
		for c := rng.From.Col; c <= rng.To.Col; c++ {
			v := sh.Value(grid.Ref{Row: r, Col: c})
			if v.IsEmpty() {
				continue
			}
			if first == 0 {
				first = r
			}
			if strings.EqualFold(strings.TrimSpace(v.Text), amount) {
				return r
			}
		}
	}
	if first == 0 {
		return rng.From.Row
	}
	return first
}
