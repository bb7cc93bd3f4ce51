package grid

import (
	"iter"
	"slices"
)

// cells stores a sheet's cells in row-major order: rows sorted by number,
// each with its cells sorted by column. Readers and templates set cells
// row by row, left to right, so almost every Set is an append, every
// lookup is a binary search over a few hundred rows and a few dozen
// columns, and walking the cells in order needs no sort. Unlike a dense
// array, a lone cell at XFD1048576 costs one row and one cell.
type cells struct {
	rows []row
	n    int
	// spare is room reserved by Grow that new rows take their cells from.
	// A row appended after the last one takes all of it, and gives back
	// what it did not fill when the next row is appended: rows stored in
	// order share one allocation without knowing their lengths.
	spare []colCell
	// open is the number of the row holding the spare room, or 0.
	open int
}

type row struct {
	num   int
	cells []colCell
}

type colCell struct {
	col  int
	cell Cell
}

// findRow returns the index of row num, or where it would be inserted.
func (cs *cells) findRow(num int) (int, bool) {
	n := len(cs.rows)
	if n > 0 && cs.rows[n-1].num <= num {
		return n - 1 + boolInt(cs.rows[n-1].num < num), cs.rows[n-1].num == num
	}
	// Tables are mostly contiguous rows: try where num would sit if no row
	// before it were missing.
	if n > 0 {
		if i := num - cs.rows[0].num; i >= 0 && i < n {
			if cs.rows[i].num > num { // rows are missing before num: step back over them
				i -= cs.rows[i].num - num
			}
			if i >= 0 && cs.rows[i].num == num {
				return i, true
			}
		}
	}
	return slices.BinarySearchFunc(cs.rows, num, func(r row, num int) int { return r.num - num })
}

// find returns the index of column col in a row, or where it would be
// inserted.
func (r *row) find(col int) (int, bool) {
	n := len(r.cells)
	if n > 0 && r.cells[n-1].col <= col {
		return n - 1 + boolInt(r.cells[n-1].col < col), r.cells[n-1].col == col
	}
	// Rows are mostly contiguous: try where col would sit if no column
	// before it were missing.
	if n > 0 {
		if j := col - r.cells[0].col; j >= 0 && j < n && r.cells[j].col == col {
			return j, true
		}
	}
	return slices.BinarySearchFunc(r.cells, col, func(c colCell, col int) int { return c.col - col })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (cs *cells) get(at Ref) Cell {
	i, ok := cs.findRow(at.Row)
	if !ok {
		return Cell{}
	}
	r := &cs.rows[i]
	j, ok := r.find(at.Col)
	if !ok {
		return Cell{}
	}
	return r.cells[j].cell
}

func (cs *cells) set(at Ref, c Cell) {
	i, ok := cs.findRow(at.Row)
	if !ok {
		if c.IsZero() {
			return
		}
		if i == len(cs.rows) {
			cs.rows = append(cs.rows, row{num: at.Row, cells: cs.newRow(i, at.Row)})
		} else {
			cs.rows = slices.Insert(cs.rows, i, row{num: at.Row, cells: cs.newRow(i, at.Row)})
		}
	}
	r := &cs.rows[i]
	j, ok := r.find(at.Col)
	switch {
	case ok && c.IsZero():
		r.cells = slices.Delete(r.cells, j, j+1)
		cs.n--
		if len(r.cells) == 0 {
			cs.rows = slices.Delete(cs.rows, i, i+1)
		}
	case ok:
		r.cells[j].cell = c
	case !c.IsZero():
		if j == len(r.cells) {
			r.cells = append(r.cells, colCell{col: at.Col, cell: c})
		} else {
			r.cells = slices.Insert(r.cells, j, colCell{col: at.Col, cell: c})
		}
		cs.n++
	}
}

// newRow returns the empty cells of row num, to be inserted at index i:
// all the spare room when the row comes last, else room for as many cells
// as the row before it holds.
func (cs *cells) newRow(i, num int) []colCell {
	last := i == len(cs.rows)
	if last {
		cs.closeOpen()
	}
	if last && len(cs.spare) > 0 {
		c := cs.spare[:0]
		cs.spare, cs.open = nil, num
		return c
	}
	want := 8
	if i > 0 {
		want = len(cs.rows[i-1].cells)
	}
	return make([]colCell, 0, want)
}

// closeOpen ends the open row's hold on the spare room: the row keeps
// what it filled, and the rest is spare again.
func (cs *cells) closeOpen() {
	if n := len(cs.rows); cs.open != 0 && n > 0 && cs.rows[n-1].num == cs.open {
		r := &cs.rows[n-1]
		k := len(r.cells)
		cs.spare = r.cells[k:cap(r.cells)]
		r.cells = r.cells[:k:k]
	}
	cs.open = 0
}

// Set stores a cell. Setting the zero Cell removes it.
func (s *Sheet) Set(at Ref, c Cell) { s.cells.set(at, c) }

// Cell returns the cell at a reference; a cell never set is the zero Cell.
func (s *Sheet) Cell(at Ref) Cell { return s.cells.get(at) }

// Value returns the value of the cell at a reference.
func (s *Sheet) Value(at Ref) Value { return s.cells.get(at).Value }

// Row returns one row of the sheet, to read many of its cells without
// finding the row for each. The sheet must not change while it is used.
func (s *Sheet) Row(num int) RowView {
	if i, ok := s.cells.findRow(num); ok {
		return RowView{&s.cells.rows[i]}
	}
	return RowView{}
}

// RowView is a row of a sheet (see Sheet.Row); an empty row has no cells.
type RowView struct{ r *row }

// Value returns the value of the row's cell in column col.
func (v RowView) Value(col int) Value {
	if v.r == nil {
		return Value{}
	}
	if j, ok := v.r.find(col); ok {
		return v.r.cells[j].cell.Value
	}
	return Value{}
}

// Len returns the number of stored cells.
func (s *Sheet) Len() int { return s.cells.n }

// Dimension returns the smallest range that holds every stored cell, and
// false for an empty sheet.
func (s *Sheet) Dimension() (Range, bool) {
	rows := s.cells.rows
	if len(rows) == 0 {
		return Range{}, false
	}
	minCol, maxCol := rows[0].cells[0].col, 0
	for _, r := range rows {
		minCol = min(minCol, r.cells[0].col)
		maxCol = max(maxCol, r.cells[len(r.cells)-1].col)
	}
	return Range{From: Ref{Row: rows[0].num, Col: minCol}, To: Ref{Row: rows[len(rows)-1].num, Col: maxCol}}, true
}

// All yields every stored cell with its reference in row-major order. The
// sheet must not change while it is walked.
func (s *Sheet) All() iter.Seq2[Ref, Cell] {
	return func(yield func(Ref, Cell) bool) {
		for _, r := range s.cells.rows {
			for _, c := range r.cells {
				if !yield(Ref{Row: r.num, Col: c.col}, c.cell) {
					return
				}
			}
		}
	}
}

// Refs returns the references of every stored cell in row-major order.
func (s *Sheet) Refs() []Ref {
	refs := make([]Ref, 0, s.cells.n)
	for at := range s.All() {
		refs = append(refs, at)
	}
	return refs
}

// Grow makes room for n more cells, so that a reader that knows roughly
// how many cells a sheet holds (from the file's declared dimension or a
// first batch) stores them in one allocation. It is only a hint: it changes
// no cell.
func (s *Sheet) Grow(n int) {
	s.cells.closeOpen()
	if n > len(s.cells.spare) {
		s.cells.spare = make([]colCell, n)
	}
}
