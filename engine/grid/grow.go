package grid

// Grow makes room for n more cells, so that a reader that knows roughly how
// many cells a sheet holds (from the file's declared dimension) stores them
// without the cell map growing step by step. It is only a hint: it changes
// no cell.
func (s *Sheet) Grow(n int) {
	if n <= 0 {
		return
	}
	if len(s.cells) == 0 {
		s.cells = make(map[Ref]Cell, n)
		return
	}
	m := make(map[Ref]Cell, len(s.cells)+n)
	for r, c := range s.cells {
		m[r] = c
	}
	s.cells = m
}
