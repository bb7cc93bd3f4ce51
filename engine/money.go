package engine

import (
	"sort"

	"github.com/shopspring/decimal"
)

// MinorUnits is the number of decimal places of money amounts (cents).
const MinorUnits = 2

// Zero is the zero amount.
var zero = decimal.Zero

// RoundMoney rounds an amount to cents, half away from zero
// (1.005 → 1.01, -1.005 → -1.01).
func RoundMoney(d decimal.Decimal) decimal.Decimal { return d.Round(MinorUnits) }

// IsWholeCents reports whether d has no digits below a cent.
func IsWholeCents(d decimal.Decimal) bool { return d.Equal(d.Round(MinorUnits)) }

// Spread splits total into len(weights) parts proportional to weights, each
// rounded to cents, so that the parts sum to RoundMoney(total) exactly
// (largest-remainder method; ties go to the earlier part). Zero or missing
// weights spread evenly.
func Spread(total decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	n := len(weights)
	if n == 0 {
		return nil
	}
	sumW := zero
	for _, w := range weights {
		sumW = sumW.Add(w)
	}
	if sumW.IsZero() {
		weights = make([]decimal.Decimal, n)
		for i := range weights {
			weights[i] = decimal.NewFromInt(1)
		}
		sumW = decimal.NewFromInt(int64(n))
	}
	total = RoundMoney(total)
	cents := total.Shift(MinorUnits) // exact integer
	parts := make([]decimal.Decimal, n)
	type rem struct {
		i int
		r decimal.Decimal
	}
	rems := make([]rem, n)
	allocated := zero
	for i, w := range weights {
		exact := cents.Mul(w).DivRound(sumW, 16)
		floor := exact.Floor()
		if total.IsNegative() {
			floor = exact.Ceil()
		}
		parts[i] = floor
		allocated = allocated.Add(floor)
		rems[i] = rem{i, exact.Sub(floor).Abs()}
	}
	left := cents.Sub(allocated).IntPart()
	step := decimal.NewFromInt(1)
	if left < 0 {
		step = step.Neg()
		left = -left
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.GreaterThan(rems[b].r) })
	for k := int64(0); k < left; k++ {
		i := rems[int(k)%n].i
		parts[i] = parts[i].Add(step)
	}
	for i := range parts {
		parts[i] = parts[i].Shift(-MinorUnits)
	}
	return parts
}

// SpreadEvenly splits total into n equal parts to the cent (see Spread).
func SpreadEvenly(total decimal.Decimal, n int) []decimal.Decimal {
	return Spread(total, make([]decimal.Decimal, n))
}

// Sum adds amounts. Amounts with up to 18 digits at the finest scale among
// them, as plan amounts in cents are, add as int64s without allocating;
// the result is the very decimal that adding them one by one gives.
func Sum(ds ...decimal.Decimal) decimal.Decimal {
	if s, ok := sumFixed(ds); ok {
		return s
	}
	s := zero
	for _, d := range ds {
		s = s.Add(d)
	}
	return s
}

// sumFixed adds amounts as int64 counts of the finest unit among them (and
// zero's, as Add would), and reports false when one does not fit.
func sumFixed(ds []decimal.Decimal) (decimal.Decimal, bool) {
	exp := zero.Exponent()
	for _, d := range ds {
		exp = min(exp, d.Exponent())
	}
	var sum int64
	for _, d := range ds {
		u, ok := toUnits(d, -exp)
		if !ok {
			return decimal.Decimal{}, false
		}
		s := sum + u
		if (sum^s)&(u^s) < 0 {
			return decimal.Decimal{}, false
		}
		sum = s
	}
	return decimal.New(sum, exp), true
}
