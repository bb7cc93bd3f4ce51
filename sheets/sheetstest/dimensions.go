package sheetstest

import (
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// shift describes rows or columns inserted into or deleted from one sheet:
// everything that lies after moves, and what was deleted goes.
type shift struct {
	sheet *sheetState
	rows  bool
	// at and n: n indexes inserted before index at (n > 0), or the indexes
	// [at, at-n) deleted (n < 0).
	at, n int
}

// index maps an index; ok is false when it was deleted.
func (s shift) index(i int) (int, bool) {
	switch {
	case i < s.at:
		return i, true
	case s.n > 0:
		return i + s.n, true
	case i < s.at-s.n:
		return 0, false
	}
	return i + s.n, true
}

// span maps a half-open span [lo, hi); hi < 0 is open. ok is false when
// nothing of it is left. A span the insertion point falls strictly inside
// grows.
func (s shift) span(lo, hi int) (int, int, bool) {
	if s.n > 0 {
		nlo, nhi := lo, hi
		if lo >= s.at {
			nlo += s.n
		}
		if hi >= 0 && hi > s.at {
			nhi += s.n
		}
		return nlo, nhi, true
	}
	del := -s.n
	mapEdge := func(x int) int {
		switch {
		case x <= s.at:
			return x
		case x <= s.at+del:
			return s.at
		}
		return x - del
	}
	nlo := mapEdge(lo)
	if hi < 0 {
		return nlo, hi, true
	}
	nhi := mapEdge(hi)
	return nlo, nhi, nhi > nlo
}

// gridRange moves a GridRange on the shifted sheet; ok is false when it
// was deleted entirely.
func (s shift) gridRange(g *sheets.GridRange) bool {
	if g == nil || g.SheetId != s.sheet.Props.SheetId {
		return true
	}
	lo, hi := &g.StartRowIndex, &g.EndRowIndex
	if !s.rows {
		lo, hi = &g.StartColumnIndex, &g.EndColumnIndex
	}
	end := int(*hi)
	if end == 0 {
		end = -1 // open
	}
	nlo, nhi, ok := s.span(int(*lo), end)
	if !ok {
		return false
	}
	*lo = int64(nlo)
	if nhi >= 0 {
		*hi = int64(nhi)
	}
	return true
}

// apply moves the whole spreadsheet's content for the shift.
func (s shift) apply(ss *spreadsheetState) {
	sh := s.sheet
	cells := make(map[cellKey]*sheets.CellData, len(sh.Cells))
	for k, cd := range sh.Cells {
		i := k.Row
		if !s.rows {
			i = k.Col
		}
		ni, ok := s.index(i)
		if !ok {
			continue
		}
		if s.rows {
			k.Row = ni
		} else {
			k.Col = ni
		}
		cells[k] = cd
	}
	sh.Cells = cells
	props := sh.Rows
	if !s.rows {
		props = sh.Cols
	}
	moved := map[int]*sheets.DimensionProperties{}
	for i, p := range props {
		if ni, ok := s.index(i); ok {
			moved[ni] = p
		}
	}
	if s.rows {
		sh.Rows = moved
	} else {
		sh.Cols = moved
	}
	gp := *sh.Props.GridProperties
	if s.rows {
		gp.RowCount += int64(s.n)
		gp.FrozenRowCount = min(gp.FrozenRowCount, gp.RowCount)
	} else {
		gp.ColumnCount += int64(s.n)
		gp.FrozenColumnCount = min(gp.FrozenColumnCount, gp.ColumnCount)
	}
	sh.Props.GridProperties = &gp

	for _, other := range ss.Sheets {
		other.Merges = slices.DeleteFunc(other.Merges, func(g *sheets.GridRange) bool {
			return !s.gridRange(g) || (g.EndRowIndex-g.StartRowIndex)*(g.EndColumnIndex-g.StartColumnIndex) == 1
		})
		other.Protected = slices.DeleteFunc(other.Protected, func(p *sheets.ProtectedRange) bool {
			if p.Range != nil && !s.gridRange(p.Range) {
				return true
			}
			p.UnprotectedRanges = slices.DeleteFunc(p.UnprotectedRanges, func(u *sheets.GridRange) bool { return !s.gridRange(u) })
			return false
		})
	}
	ss.NamedRanges = slices.DeleteFunc(ss.NamedRanges, func(nr *sheets.NamedRange) bool { return !s.gridRange(nr.Range) })
	dim := "ROWS"
	if !s.rows {
		dim = "COLUMNS"
	}
	ss.Metadata = slices.DeleteFunc(ss.Metadata, func(m *metadataEntry) bool {
		d := m.M.Location.DimensionRange
		if d == nil || d.SheetId != sh.Props.SheetId || d.Dimension != dim {
			return false
		}
		ni, ok := s.index(int(d.StartIndex))
		if !ok {
			return true
		}
		d.StartIndex, d.EndIndex = int64(ni), int64(ni+1)
		return false
	})
	// Formulas anywhere that refer to the sheet follow the cells.
	for _, other := range ss.Sheets {
		for k, cd := range other.Cells {
			if cd.UserEnteredValue == nil || cd.UserEnteredValue.FormulaValue == nil {
				continue
			}
			f := *cd.UserEnteredValue.FormulaValue
			nf := adjustFormula(f, other.Props.Title, sh.Props.Title, s)
			if nf != f {
				nc := *cd
				nc.UserEnteredValue = formulaValue(nf)
				other.Cells[k] = &nc
			}
		}
	}
}

// adjustFormula rewrites the references of a formula on sheet home that
// point at the shifted sheet target: they move with the cells, references
// to deleted cells become #REF!, ranges grow or shrink.
func adjustFormula(f, home, target string, s shift) string {
	var b strings.Builder
	inStr := false
	for i := 0; i < len(f); {
		c := f[i]
		if c == '"' {
			inStr = !inStr
			b.WriteByte(c)
			i++
			continue
		}
		if inStr || (i > 0 && isNameByte(f[i-1])) {
			b.WriteByte(c)
			i++
			continue
		}
		n, out := adjustRefAt(f[i:], home, target, s)
		if n > 0 {
			b.WriteString(out)
			i += n
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// refPart is one side of a reference as written: its column and row
// (1-based, 0 when absent) and $ markers.
type refPart struct {
	col, row       int
	absCol, absRow bool
}

func (p refPart) String() string {
	var b strings.Builder
	if p.col > 0 {
		if p.absCol {
			b.WriteByte('$')
		}
		b.WriteString(colName(p.col - 1))
	}
	if p.row > 0 {
		if p.absRow {
			b.WriteByte('$')
		}
		b.WriteString(strconv.Itoa(p.row))
	}
	return b.String()
}

func scanRefPart(s string) (refPart, int) {
	var p refPart
	i := 0
	if i < len(s) && s[i] == '$' {
		p.absCol = true
		i++
	}
	c0 := i
	for i < len(s) && 'a' <= s[i]|0x20 && s[i]|0x20 <= 'z' && i-c0 < 4 {
		p.col = p.col*26 + int(s[i]|0x20-'a'+1)
		i++
	}
	if i-c0 > 3 {
		return refPart{}, 0
	}
	if i == c0 {
		p.absCol = false
		i = 0
	}
	if i < len(s) && s[i] == '$' {
		p.absRow = true
		i++
	}
	r0 := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' && i-r0 < 8 {
		p.row = p.row*10 + int(s[i]-'0')
		i++
	}
	if i == r0 {
		p.absRow = false
		if p.col == 0 {
			return refPart{}, 0
		}
		i = r0
	}
	return p, i
}

// adjustRefAt reads an optionally sheet-qualified reference at the start
// of s and returns its length and adjusted text (n = 0: no reference).
func adjustRefAt(s, home, target string, sh shift) (int, string) {
	i := 0
	sheet := home
	prefix := ""
	if s[0] == '\'' {
		title, n, ok := scanQuoted(s)
		if !ok || n >= len(s) || s[n] != '!' {
			return 0, ""
		}
		sheet, prefix, i = title, s[:n+1], n+1
	} else {
		j := 0
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		if j > 0 && j < len(s) && s[j] == '!' {
			sheet, prefix, i = s[:j], s[:j+1], j+1
		}
	}
	a, n := scanRefPart(s[i:])
	if n == 0 {
		return 0, ""
	}
	end := i + n
	var bp refPart
	two := false
	if end < len(s) && s[end] == ':' {
		if p, m := scanRefPart(s[end+1:]); m > 0 {
			bp, two, end = p, true, end+1+m
		}
	}
	if end < len(s) && (isNameByte(s[end]) || s[end] == '(' || s[end] == '!') {
		return 0, ""
	}
	// A lone part must be a cell; whole rows and columns come in pairs.
	if !two && (a.col == 0 || a.row == 0) {
		return 0, ""
	}
	if two && ((a.col == 0) != (bp.col == 0) || (a.row == 0) != (bp.row == 0)) {
		return 0, ""
	}
	if !strings.EqualFold(sheet, target) {
		return end, s[:end]
	}
	get := func(p *refPart) *int {
		if sh.rows {
			return &p.row
		}
		return &p.col
	}
	if !two {
		x := get(&a)
		ni, ok := sh.index(*x - 1)
		if !ok {
			return end, "#REF!"
		}
		*x = ni + 1
		return end, prefix + a.String()
	}
	x, y := get(&a), get(&bp)
	if *x == 0 {
		return end, s[:end] // a whole column (row) range is not moved by row (column) changes
	}
	lo, hi := min(*x, *y), max(*x, *y)
	nlo, nhi, ok := sh.span(lo-1, hi)
	if !ok {
		return end, "#REF!"
	}
	*x, *y = nlo+1, nhi
	return end, prefix + a.String() + ":" + bp.String()
}

// dimensionShift checks an insert or delete and returns the shift.
func (b *batch) dimensionShift(d *sheets.DimensionRange, insert bool) (shift, *reqError) {
	if d == nil {
		return shift{}, failf("range must be specified.")
	}
	sh, err := b.sheet(d.SheetId)
	if err != nil {
		return shift{}, err
	}
	count := sh.rowCount()
	switch d.Dimension {
	case "ROWS":
	case "COLUMNS":
		count = sh.colCount()
	default:
		return shift{}, failf("range.dimension must be ROWS or COLUMNS.")
	}
	lo, hi := int(d.StartIndex), int(d.EndIndex)
	if hi <= lo || lo < 0 {
		return shift{}, failf("range.endIndex must be greater than range.startIndex.")
	}
	s := shift{sheet: sh, rows: d.Dimension == "ROWS", at: lo}
	if insert {
		if lo > count {
			return shift{}, failf("Cannot insert at index %d: the sheet has only %d %s.", lo, count, strings.ToLower(d.Dimension))
		}
		s.n = hi - lo
	} else {
		if hi > count {
			return shift{}, failf("Cannot delete %s %d to %d: the sheet has only %d.", strings.ToLower(d.Dimension), lo, hi, count)
		}
		if hi-lo == count {
			return shift{}, failf("You can't delete all the %s on the sheet.", strings.ToLower(d.Dimension))
		}
		s.n = -(hi - lo)
	}
	// Protected areas the caller may not edit refuse structural changes
	// inside them.
	for _, a := range b.c.protections(b.f, b.ss, sh).ranges {
		alo, ahi := a.area.R0, a.area.R1
		if !s.rows {
			alo, ahi = a.area.C0, a.area.C1
		}
		if insert && ((alo < lo && lo < ahi) || (alo == 0 && ahi == count)) {
			return shift{}, &reqError{raw: errProtected()}
		}
		if !insert && alo < hi && lo < ahi {
			return shift{}, &reqError{raw: errProtected()}
		}
	}
	return s, nil
}

func (b *batch) insertDimension(r *sheets.InsertDimensionRequest) *reqError {
	s, err := b.dimensionShift(r.Range, true)
	if err != nil {
		return err
	}
	if r.InheritFromBefore && s.at == 0 {
		return failf("Cannot inherit properties from before the first %s.", map[bool]string{true: "row", false: "column"}[s.rows])
	}
	s.apply(b.ss)
	// New rows take the format and validation of their neighbour.
	from := s.at + s.n
	if r.InheritFromBefore {
		from = s.at - 1
	}
	sh := s.sheet
	limit := sh.colCount()
	if !s.rows {
		limit = sh.rowCount()
	}
	for j := 0; j < limit; j++ {
		src := cellKey{from, j}
		if !s.rows {
			src = cellKey{j, from}
		}
		cd := sh.Cells[src]
		if cd == nil || (cd.UserEnteredFormat == nil && cd.DataValidation == nil) {
			continue
		}
		for i := s.at; i < s.at+s.n; i++ {
			k := cellKey{i, j}
			if !s.rows {
				k = cellKey{j, i}
			}
			sh.Cells[k] = &sheets.CellData{UserEnteredFormat: cd.UserEnteredFormat, DataValidation: cd.DataValidation}
		}
	}
	return b.cellLimit()
}

func (b *batch) deleteDimension(r *sheets.DeleteDimensionRequest) *reqError {
	s, err := b.dimensionShift(r.Range, false)
	if err != nil {
		return err
	}
	s.apply(b.ss)
	return nil
}

func (b *batch) cellLimit() *reqError {
	if msg := b.ss.checkCellLimit(); msg != "" {
		return failf("%s", msg)
	}
	return nil
}

// BatchUpdateAs applies spreadsheets.batchUpdate requests as the user
// email would through the Sheets UI: inserting or deleting rows, merging,
// formatting, with the same permission and protection checks as the API,
// but no quota, faults or request counts. Tests use it to act as a
// department head who inserts a line or deletes one.
func (s *Server) BatchUpdateAs(email, spreadsheetID string, requests ...*sheets.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, api: "sheets", method: "emulator.batchUpdateAs", fileID: spreadsheetID,
		user: identity{Email: email, Project: s.projectOf(email)}}
	f, err := c.openSpreadsheet(true)
	if err != nil {
		return err
	}
	b := &batch{c: c, f: f, ss: f.Sheet.clone()}
	for i, r := range requests {
		kind, kerr := requestKind(r)
		if kerr != "" {
			return invalidf("Invalid requests[%d]: %s", i, kerr)
		}
		if _, rerr := b.apply(kind, r); rerr != nil {
			if rerr.raw != nil {
				return rerr.raw
			}
			return invalidf("Invalid requests[%d].%s: %s", i, kind, rerr.msg)
		}
	}
	c.commit(f, b.ss)
	f.Name = b.ss.Props.Title
	if s.opts.File != "" {
		return s.saveLocked()
	}
	return nil
}

// isNameByte reports whether c may be part of a name or a number in a
// formula.
func isNameByte(c byte) bool {
	return c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z'
}
