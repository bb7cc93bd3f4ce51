package engine

import (
	"math"
	"sync"

	"github.com/shopspring/decimal"
)

// This file holds the two exact stores of consolidated amounts. Both keep
// rows of thirteen cells: the twelve fiscal months and the year.
//
// decimalTable is the reference: one decimal per cell, added with the
// decimal library. fixedTable is the fast path: one int64 per cell counting
// units of 10^-scale (cents for money), with every addition checked. A cell
// whose amount has more digits than its scale, or whose total would
// overflow, leaves the fast path for good: it is marked with a sentinel and
// its exact decimal total is kept in a side map. Nothing is ever rounded, so
// both stores hold the same totals; the fast one is only faster while
// amounts fit, which money in cents below 92 quadrillion always does.

// slots is the number of cells in a row: the twelve months and the year.
const slots = MonthsPerYear + 1

// yearSlot is the cell of a row that holds the year's total.
const yearSlot = MonthsPerYear

// Scales of the fixed-point store: money counts cents; headcount and KPIs
// count millionths. An amount with more digits leaves the fast path.
const (
	moneyScale = MinorUnits
	countScale = 6
)

// spilled marks a fixed-point cell whose total is kept as a decimal. It is
// never a valid total: checked additions refuse it.
const spilled = math.MinInt64

// pow10 returns 10^n for 0 <= n <= 18.
func pow10(n int32) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// table is an exact store of rows of thirteen amounts. Each row has a
// scale, the fixed-point store's unit: 10^-scale.
type table interface {
	// addMonths adds twelve monthly amounts to a row's months and year.
	addMonths(row int, months *[MonthsPerYear]decimal.Decimal)
	// addRow adds row src to row dst; dst's scale may be finer.
	addRow(dst, src int)
	// addBlock adds the n rows from src to the n rows from dst, which have
	// the same scales.
	addBlock(dst, src, n int)
	// get returns one cell.
	get(row, slot int) decimal.Decimal
	// isZero reports whether a cell is zero.
	isZero(row, slot int) bool
}

// newTable returns an empty store of n rows, fixed-point or decimal.
func newTable(fast bool, rows int, scaleOf func(row int) int32) table {
	if fast {
		return &fixedTable{v: make([]int64, rows*slots), scaleOf: scaleOf}
	}
	return &decimalTable{v: make([]decimal.Decimal, rows*slots)}
}

// fixedTable is the fixed-point store.
type fixedTable struct {
	v       []int64
	scaleOf func(row int) int32
	// big holds the exact totals of the cells marked spilled. Leaves are
	// added concurrently, each to its own rows, so big is guarded by mu.
	mu  sync.Mutex
	big map[int]decimal.Decimal
}

func (t *fixedTable) scale(row int) int32 { return t.scaleOf(row) }

// toUnits returns x as a count of 10^-scale units, and false when x has
// more digits than the scale or does not fit an int64.
func toUnits(x decimal.Decimal, scale int32) (int64, bool) {
	if x.NumDigits() > 18 {
		return 0, false
	}
	c := x.CoefficientInt64()
	if c == 0 {
		return 0, true
	}
	e := x.Exponent() + scale
	switch {
	case e == 0:
		return c, true
	case e > 0:
		if e > 18 {
			return 0, false
		}
		p := pow10(e)
		if c > math.MaxInt64/p || c < -math.MaxInt64/p {
			return 0, false
		}
		return c * p, true
	default:
		// |c| < 10^18, so a power of ten beyond that never divides it.
		if e < -18 || c%pow10(-e) != 0 {
			return 0, false
		}
		return c / pow10(-e), true
	}
}

// fromUnits returns the decimal of a count of 10^-scale units.
func fromUnits(u int64, scale int32) decimal.Decimal { return decimal.New(u, -scale) }

// addUnits adds u units to cell i and reports whether the fast path held.
func (t *fixedTable) addUnits(i int, u int64) bool {
	a := t.v[i]
	s := a + u
	if a == spilled || u == spilled || (a^s)&(u^s) < 0 || s == spilled {
		return false
	}
	t.v[i] = s
	return true
}

// spill adds x to cell i in decimal, moving the cell off the fast path.
func (t *fixedTable) spill(i int, x decimal.Decimal, scale int32) {
	sum := t.cell(i, scale).Add(x)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.big == nil {
		t.big = map[int]decimal.Decimal{}
	}
	t.big[i] = sum
	t.v[i] = spilled
}

// cell returns cell i, whose row has the given scale.
func (t *fixedTable) cell(i int, scale int32) decimal.Decimal {
	if t.v[i] == spilled {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.big[i]
	}
	return fromUnits(t.v[i], scale)
}

func (t *fixedTable) addMonths(row int, months *[MonthsPerYear]decimal.Decimal) {
	scale := t.scale(row)
	base := row * slots
	for m := range months {
		x := months[m]
		u, ok := toUnits(x, scale)
		if u == 0 && ok {
			continue
		}
		if !ok || !t.addUnits(base+m, u) {
			t.spill(base+m, x, scale)
		}
		if !ok || !t.addUnits(base+yearSlot, u) {
			t.spill(base+yearSlot, x, scale)
		}
	}
}

func (t *fixedTable) addRow(dst, src int) {
	ds, ss := t.scale(dst), t.scale(src)
	if ds == ss {
		t.addBlock(dst, src, 1)
		return
	}
	p := pow10(ds - ss)
	for k := range slots {
		si, di := src*slots+k, dst*slots+k
		u := t.v[si]
		if u == 0 {
			continue
		}
		if u == spilled || u > math.MaxInt64/p || u < -math.MaxInt64/p || !t.addUnits(di, u*p) {
			t.spill(di, t.cell(si, ss), ds)
		}
	}
}

func (t *fixedTable) addBlock(dst, src, n int) {
	d := t.v[dst*slots : (dst+n)*slots]
	s := t.v[src*slots : (src+n)*slots]
	for k, b := range s {
		if b == 0 {
			continue
		}
		a := d[k]
		r := a + b
		if a != spilled && b != spilled && (a^r)&(b^r) >= 0 && r != spilled {
			d[k] = r
			continue
		}
		srow, drow := src+k/slots, dst+k/slots
		t.spill(dst*slots+k, t.cell(src*slots+k, t.scale(srow)), t.scale(drow))
	}
}

func (t *fixedTable) get(row, slot int) decimal.Decimal {
	return t.cell(row*slots+slot, t.scale(row))
}

func (t *fixedTable) isZero(row, slot int) bool {
	i := row*slots + slot
	if t.v[i] == spilled {
		return t.cell(i, 0).IsZero()
	}
	return t.v[i] == 0
}

// decimalTable is the reference store: plain decimal additions.
type decimalTable struct {
	v []decimal.Decimal
}

func (t *decimalTable) addMonths(row int, months *[MonthsPerYear]decimal.Decimal) {
	base := row * slots
	for m, x := range months {
		if x.IsZero() {
			continue
		}
		t.v[base+m] = t.v[base+m].Add(x)
		t.v[base+yearSlot] = t.v[base+yearSlot].Add(x)
	}
}

func (t *decimalTable) addRow(dst, src int) { t.addBlock(dst, src, 1) }

func (t *decimalTable) addBlock(dst, src, n int) {
	d := t.v[dst*slots : (dst+n)*slots]
	for k, x := range t.v[src*slots : (src+n)*slots] {
		if !x.IsZero() {
			d[k] = d[k].Add(x)
		}
	}
}

func (t *decimalTable) get(row, slot int) decimal.Decimal { return t.v[row*slots+slot] }

func (t *decimalTable) isZero(row, slot int) bool { return t.v[row*slots+slot].IsZero() }
