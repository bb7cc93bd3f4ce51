package calc

import (
	"fmt"
	"strconv"
	"strings"

	"aop/engine/grid"
)

// book is a Resolver over literal cells and formulas, evaluating formula
// cells recursively as the emulator does, with the same cycle rule.
type book struct {
	sheets   map[string]map[grid.Ref]any // grid.Value, or a formula string starting with "="
	names    map[string]Ref
	visiting map[string]bool
	reads    int
}

// newBook builds a book from sheet name → A1 → content, where content is a
// float64, int, bool, grid.Value, or a string: "=…" is a formula, anything
// else text.
func newBook(sheets map[string]map[string]any) *book {
	b := &book{sheets: map[string]map[grid.Ref]any{}, names: map[string]Ref{}, visiting: map[string]bool{}}
	for name, cells := range sheets {
		m := map[grid.Ref]any{}
		for a1, content := range cells {
			m[grid.MustRef(a1)] = content
		}
		b.sheets[name] = m
	}
	return b
}

func (b *book) name(name, sheet, rng string) *book {
	r, err := grid.ParseRange(strings.ReplaceAll(rng, "$", ""))
	if err != nil {
		panic(err)
	}
	b.names[strings.ToLower(name)] = Ref{Sheet: sheet, Range: r}
	return b
}

func (b *book) Value(sheet string, row, col int) grid.Value {
	b.reads++
	content, ok := b.sheets[sheet][grid.R(row, col)]
	if !ok {
		return grid.Value{}
	}
	switch c := content.(type) {
	case grid.Value:
		return c
	case float64:
		return grid.NumText(strconv.FormatFloat(c, 'f', -1, 64))
	case int:
		return grid.Int(int64(c))
	case bool:
		return grid.BoolValue(c)
	case string:
		if !strings.HasPrefix(c, "=") {
			return grid.Str(c)
		}
		key := fmt.Sprintf("%s!%d,%d", sheet, row, col)
		if b.visiting[key] {
			return grid.ErrorValue("#REF!")
		}
		b.visiting[key] = true
		defer delete(b.visiting, key)
		f, err := Parse(c)
		if err != nil {
			return ParseErrorValue
		}
		return f.Eval(b, sheet)
	}
	panic(fmt.Sprintf("book: cell content %T", content))
}

func (b *book) Name(name string) (string, grid.Range, bool) {
	r, ok := b.names[strings.ToLower(name)]
	return r.Sheet, r.Range, ok
}

func (b *book) Bounds(sheet string) (rows, cols int, ok bool) {
	cells, ok := b.sheets[sheet]
	if !ok {
		return 0, 0, false
	}
	for ref := range cells {
		rows, cols = max(rows, ref.Row), max(cols, ref.Col)
	}
	return rows, cols, true
}
