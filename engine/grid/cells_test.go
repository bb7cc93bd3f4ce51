package grid

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestCellsAgainstMap sets and clears cells in random order, in and out of
// row-major order, and checks the sheet against a plain map after every
// step: lookups, count, order of Refs and All, and Dimension.
func TestCellsAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		s := &Sheet{Name: "S"}
		if round%2 == 0 {
			s.Grow(rng.IntN(100))
		}
		model := map[Ref]Cell{}
		for step := range 400 {
			if rng.IntN(50) == 0 { // room reserved while a row holds the spare room
				s.Grow(rng.IntN(40))
			}
			at := Ref{Row: 1 + rng.IntN(30), Col: 1 + rng.IntN(12)}
			if step%3 == 0 { // mostly appends, as readers do
				at = Ref{Row: 30 + step, Col: 1 + step%5}
			}
			var c Cell
			if rng.IntN(4) > 0 {
				c = Cell{Value: Str("v" + strconv.Itoa(step))}
			}
			s.Set(at, c)
			if c.IsZero() {
				delete(model, at)
			} else {
				model[at] = c
			}
			if got := s.Cell(at); got != c {
				t.Fatalf("round %d step %d: Cell(%v) = %v, want %v", round, step, at, got, c)
			}
		}
		for r := range 30 + 400 {
			row := s.Row(r)
			for col := range 14 {
				if got, want := row.Value(col), model[Ref{Row: r, Col: col}].Value; got != want {
					t.Fatalf("round %d: Row(%d).Value(%d) = %v, want %v", round, r, col, got, want)
				}
			}
		}
		if s.Len() != len(model) {
			t.Fatalf("round %d: Len = %d, want %d", round, s.Len(), len(model))
		}
		var want []Ref
		for at := range model {
			want = append(want, at)
		}
		slices.SortFunc(want, func(a, b Ref) int {
			if a.Less(b) {
				return -1
			}
			return boolInt(b.Less(a))
		})
		if got := s.Refs(); !slices.Equal(got, want) {
			t.Fatalf("round %d: Refs out of order or incomplete:\n got %v\nwant %v", round, got, want)
		}
		i := 0
		for at, c := range s.All() {
			if at != want[i] || c != model[at] {
				t.Fatalf("round %d: All yields %v %v at %d, want %v %v", round, at, c, i, want[i], model[want[i]])
			}
			i++
		}
		dim, ok := s.Dimension()
		if ok != (len(model) > 0) {
			t.Fatalf("round %d: Dimension ok = %v with %d cells", round, ok, len(model))
		}
		for at := range model {
			if !dim.Contains(at) {
				t.Fatalf("round %d: Dimension %v does not hold %v", round, dim, at)
			}
		}
		for _, edge := range []Ref{dim.From, dim.To} {
			hasRow, hasCol := false, false
			for at := range model {
				hasRow = hasRow || at.Row == edge.Row
				hasCol = hasCol || at.Col == edge.Col
			}
			if !hasRow || !hasCol {
				t.Fatalf("round %d: Dimension %v is larger than the cells", round, dim)
			}
		}
	}
}
