package calc

import (
	"math"

	"aop/engine/grid"
)

func (n *numNode) eval(*ctx) val   { return num(n.v) }
func (n *strNode) eval(*ctx) val   { return str(n.s) }
func (n *boolNode) eval(*ctx) val  { return boolean(n.b) }
func (n *errNode) eval(*ctx) val   { return errv(n.code) }
func (missingNode) eval(*ctx) val  { return empty }
func (n *refNode) eval(c *ctx) val { return c.areaOf(n.sheet, n.rng) }

func (n *nameNode) eval(c *ctx) val {
	sheet, rng, ok := c.r.Name(n.name)
	if !ok {
		return errv(errName)
	}
	if sheet == "" {
		sheet = c.sheet
	}
	return c.areaOf(sheet, rng)
}

func (n *unaryNode) eval(c *ctx) val {
	f, e := toNum(c.scalar(n.x))
	if e.isErr() {
		return e
	}
	if n.neg {
		f = -f
	}
	return num(f)
}

func (n *percentNode) eval(c *ctx) val {
	f, e := toNum(c.scalar(n.x))
	if e.isErr() {
		return e
	}
	return num(f / 100)
}

func (n *binaryNode) eval(c *ctx) val {
	l, r := c.scalar(n.l), c.scalar(n.r)
	if l.isErr() {
		return l
	}
	if r.isErr() {
		return r
	}
	switch n.op {
	case opConcat:
		a, _ := toText(l)
		b, _ := toText(r)
		return str(a + b)
	case opEq, opNe, opLt, opLe, opGt, opGe:
		d := compare(l, r)
		switch n.op {
		case opEq:
			return boolean(d == 0)
		case opNe:
			return boolean(d != 0)
		case opLt:
			return boolean(d < 0)
		case opLe:
			return boolean(d <= 0)
		case opGt:
			return boolean(d > 0)
		default:
			return boolean(d >= 0)
		}
	}
	a, e := toNum(l)
	if e.isErr() {
		return e
	}
	b, e := toNum(r)
	if e.isErr() {
		return e
	}
	switch n.op {
	case opAdd:
		return num(a + b)
	case opSub:
		return num(a - b)
	case opMul:
		return num(a * b)
	case opDiv:
		if b == 0 {
			return errv(errDiv0)
		}
		return num(a / b)
	default:
		return power(a, b)
	}
}

// power follows Sheets: 0^0 is 1, 0 to a negative power is #DIV/0!, and a
// negative base to a fractional power is #NUM!.
func power(a, b float64) val {
	if a == 0 && b < 0 {
		return errv(errDiv0)
	}
	if a < 0 && b != math.Trunc(b) {
		return errv(errNum)
	}
	return num(math.Pow(a, b))
}

func (n *callNode) eval(c *ctx) val {
	if n.fn == nil {
		return errv(errName)
	}
	if len(n.args) < n.fn.min || (n.fn.max >= 0 && len(n.args) > n.fn.max) {
		// Sheets' message: "Wrong number of arguments to SUM".
		return errv(errNA)
	}
	return n.fn.call(c, n.args)
}

// areaOf returns a reference to rng on sheet ("" for the formula's sheet),
// or #REF! when the sheet does not exist.
func (c *ctx) areaOf(sheet string, rng grid.Range) val {
	if sheet == "" {
		sheet = c.sheet
	}
	rows, cols, ok := c.r.Bounds(sheet)
	if !ok {
		return errv(errRef)
	}
	return val{k: kArea, a: &area{sheet: sheet, rng: rng, rows: rows, cols: cols}}
}

// scalar evaluates n to a single value.
func (c *ctx) scalar(n node) val { return c.deref(n.eval(c)) }

// deref turns a one-cell reference into the cell's value. A larger range
// where one value is needed is #VALUE! (Sheets would spill it as an array,
// which the emulator does not do).
func (c *ctx) deref(v val) val {
	if v.k != kArea {
		return v
	}
	a := v.a
	if a.rng.From != a.rng.To {
		return errv(errValue)
	}
	return c.cell(a, a.rng.From.Row, a.rng.From.Col)
}

// cell reads one cell of a's sheet; cells beyond the used size are empty.
func (c *ctx) cell(a *area, row, col int) val {
	if row > a.rows || col > a.cols {
		return empty
	}
	return fromGrid(c.r.Value(a.sheet, row, col))
}

// height and width give the shape of the area.
func (a *area) height() int { return a.rng.To.Row - a.rng.From.Row + 1 }
func (a *area) width() int  { return a.rng.To.Col - a.rng.From.Col + 1 }

// usedHeight and usedWidth give how far into the area the sheet's content
// reaches; the cells beyond are empty.
func (a *area) usedHeight() int { return max(0, min(a.rng.To.Row, a.rows)-a.rng.From.Row+1) }
func (a *area) usedWidth() int  { return max(0, min(a.rng.To.Col, a.cols)-a.rng.From.Col+1) }

// usedLen is the number of cells of a one-row or one-column area within
// the sheet's used size.
func (a *area) usedLen() int {
	h, w := a.usedHeight(), a.usedWidth()
	if h == 0 || w == 0 {
		return 0
	}
	if a.height() == 1 {
		return w
	}
	return h
}

// each calls fn with the cells of a within the sheet's used size, row by
// row, until fn returns false.
func (c *ctx) each(a *area, fn func(v val) bool) {
	h, w := a.usedHeight(), a.usedWidth()
	for i := range h {
		for j := range w {
			if !fn(c.cell(a, a.rng.From.Row+i, a.rng.From.Col+j)) {
				return
			}
		}
	}
}

// at returns the cell at the 0-based offset i of a one-row or one-column
// area.
func (c *ctx) at(a *area, i int) val {
	if a.height() == 1 {
		return c.cell(a, a.rng.From.Row, a.rng.From.Col+i)
	}
	return c.cell(a, a.rng.From.Row+i, a.rng.From.Col)
}

// numArg evaluates n as a number.
func (c *ctx) numArg(n node) (float64, val) { return toNum(c.scalar(n)) }

// textArg evaluates n as text.
func (c *ctx) textArg(n node) (string, val) { return toText(c.scalar(n)) }

// intArg evaluates n as a number truncated toward zero, as Sheets does for
// counts and positions.
func (c *ctx) intArg(n node) (int, val) {
	f, e := c.numArg(n)
	if e.isErr() {
		return 0, e
	}
	f = math.Trunc(f)
	if f > 1<<40 || f < -(1<<40) {
		return 0, errv(errNum)
	}
	return int(f), empty
}

// optNum evaluates the optional argument i of args as a number, or def when
// it is absent.
func (c *ctx) optInt(args []node, i, def int) (int, val) {
	if i >= len(args) {
		return def, empty
	}
	if _, ok := args[i].(missingNode); ok {
		return def, empty
	}
	return c.intArg(args[i])
}

// values calls fn with every value args hold, cells of ranges marked with
// inRange so that callers can treat them as Sheets does (SUM skips text in
// a range but coerces a text argument); a left-out argument is an empty
// value not in a range. It stops at fn's first error.
func (c *ctx) values(args []node, fn func(v val, inRange bool) val) val {
	for _, n := range args {
		v := n.eval(c)
		if v.k != kArea {
			if e := fn(v, false); e.isErr() {
				return e
			}
			continue
		}
		var e val
		c.each(v.a, func(cell val) bool {
			e = fn(cell, true)
			return !e.isErr()
		})
		if e.isErr() {
			return e
		}
	}
	return empty
}

// numbers calls fn with the numbers of args as SUM, AVERAGE, MIN and MAX
// see them: in ranges only numbers count (text, booleans and empty cells
// are skipped); arguments typed directly are coerced, so non-numeric text
// is #VALUE!. Errors propagate.
func (c *ctx) numbers(args []node, fn func(f float64)) val {
	return c.values(args, func(v val, inRange bool) val {
		switch v.k {
		case kErr:
			return v
		case kNum:
			fn(v.n)
		case kBool:
			if !inRange {
				fn(v.n)
			}
		case kStr:
			if !inRange {
				f, e := toNum(v)
				if e.isErr() {
					return e
				}
				fn(f)
			}
		}
		return empty
	})
}
