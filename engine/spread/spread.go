// Package spread holds the allocation and spreading methods of
// planning_math.md §7.2 — an amount over periods or over departments — and
// the allocation of a top-down gap back to departments (§7.1, §7.3).
//
// Every method returns parts in whole cents that add back to its amount to
// the cent: the parts are the largest-remainder apportionment made by
// engine.Spread, so no cent is lost or invented in rounding. Where a method
// computes its parts from a formula rather than receiving an amount
// (PercentChange, Growth, StraightLine), its amount is the exact total of the
// formula rounded to cents, and the parts apportion that total in proportion
// to their exact values. Rates are fractions: 0.05 is +5%.
//
// The methods follow IBM Planning Analytics (TM1) spreading codes: P and RP
// (Proportional), S (Equal), R (Repeat), P% and R% (PercentChange), GR
// (Growth), SL (StraightLine), and H, held cells that the rest absorb
// (AllocateGap with Exclude).
package spread

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Proportional spreads amount in proportion to weights (§7.2: TM1 P on the
// current values, RP on a reference series such as prior-year actuals, or
// a driver such as headcount):
//
//	part_i = amount × w_i / Σw
//
// When every weight is zero it spreads equally, as TM1 does with
// ProportionSpreadToZeroCells. Weights must not mix signs.
func Proportional(amount decimal.Decimal, weights []decimal.Decimal) ([]decimal.Decimal, error) {
	if len(weights) == 0 {
		return nil, errors.New("nothing to spread over: no weights")
	}
	if mixedSigns(weights) {
		return nil, errors.New("weights mix positive and negative values, so shares of the amount are undefined")
	}
	return engine.Spread(amount, weights), nil
}

// Equal spreads amount over n equal parts (§7.2, TM1 S): 1,200 over four
// quarters is 300 each. Parts differ by at most a cent, the earlier ones
// taking the extra cents.
func Equal(amount decimal.Decimal, n int) ([]decimal.Decimal, error) {
	if n < 1 {
		return nil, fmt.Errorf("cannot spread over %d periods", n)
	}
	return engine.SpreadEvenly(amount, n), nil
}

// Repeat puts the same amount, rounded to cents, in each of n parts (§7.2,
// TM1 R; Hyperion's "P" copy). Unlike the other methods its parts add up
// to n × RoundMoney(amount), not to amount.
func Repeat(amount decimal.Decimal, n int) ([]decimal.Decimal, error) {
	if n < 1 {
		return nil, fmt.Errorf("cannot repeat over %d periods", n)
	}
	parts := make([]decimal.Decimal, n)
	for i := range parts {
		parts[i] = engine.RoundMoney(amount)
	}
	return parts, nil
}

// PercentChange moves every value of base by the same rate (§7.2: TM1 P% on
// the current values, R% on a reference series):
//
//	part_i = base_i × (1 + rate)
//
// It does not compound: each period changes by rate of its own base value
// (Growth compounds). The parts add to RoundMoney(Σ base_i × (1 + rate)).
// A rate below −1 (−100%) would flip signs and is refused.
func PercentChange(base []decimal.Decimal, rate decimal.Decimal) ([]decimal.Decimal, error) {
	if len(base) == 0 {
		return nil, errors.New("nothing to change: no base values")
	}
	if rate.LessThan(decimal.NewFromInt(-1)) {
		return nil, fmt.Errorf("a change of %s%% would flip signs; it must be ≥ −100%%", rate.Shift(2))
	}
	factor := decimal.NewFromInt(1).Add(rate)
	exact := make([]decimal.Decimal, len(base))
	for i, b := range base {
		exact[i] = b.Mul(factor)
	}
	return apportion(total(exact), exact), nil
}

// Growth compounds a start value by rate per period over n periods (§7.2,
// TM1 GR):
//
//	part_i = start × (1 + rate)^(i−1),  i = 1..n
//
// so the first part is start itself (100 at 10% gives 100, 110, 121). The
// parts add to the rounded exact total. rate must be ≥ −1.
func Growth(start, rate decimal.Decimal, n int) ([]decimal.Decimal, error) {
	if n < 1 {
		return nil, fmt.Errorf("cannot grow over %d periods", n)
	}
	if rate.LessThan(decimal.NewFromInt(-1)) {
		return nil, fmt.Errorf("a growth rate of %s%% would flip signs; it must be ≥ −100%%", rate.Shift(2))
	}
	factor := decimal.NewFromInt(1).Add(rate)
	exact := make([]decimal.Decimal, n)
	v := start
	for i := range exact {
		exact[i] = v
		v = v.Mul(factor)
	}
	return apportion(total(exact), exact), nil
}

// StraightLine interpolates linearly from start to end over n ≥ 2 periods
// (§7.2, TM1 SL):
//
//	part_i = start + (end − start) × (i − 1)/(n − 1),  i = 1..n
//
// The parts add to RoundMoney(n × (start + end)/2).
func StraightLine(start, end decimal.Decimal, n int) ([]decimal.Decimal, error) {
	if n < 2 {
		return nil, fmt.Errorf("a straight line needs at least two periods, got %d", n)
	}
	step := end.Sub(start).DivRound(decimal.NewFromInt(int64(n-1)), 20)
	exact := make([]decimal.Decimal, n)
	for i := range exact {
		exact[i] = start.Add(step.Mul(decimal.NewFromInt(int64(i))))
	}
	exact[n-1] = end
	// The sum of the parts is exactly n·(start + end)/2; the divided step
	// is not, so the total comes from the closed form.
	sum := start.Add(end).Mul(decimal.NewFromInt(int64(n))).Div(decimal.NewFromInt(2))
	return apportion(engine.RoundMoney(sum), exact), nil
}

// ByWeeks spreads amount over months in proportion to their weeks, as a
// 4-4-5 calendar does (§7.2, Hyperion patterns): 13 over 4-4-5 is 4, 4, 5.
func ByWeeks(amount decimal.Decimal, weeks []int) ([]decimal.Decimal, error) {
	if len(weeks) == 0 {
		return nil, errors.New("nothing to spread over: no months")
	}
	weights := make([]decimal.Decimal, len(weeks))
	some := false
	for i, w := range weeks {
		if w < 0 {
			return nil, fmt.Errorf("month %d has %d weeks; weeks must be ≥ 0", i+1, w)
		}
		some = some || w > 0
		weights[i] = decimal.NewFromInt(int64(w))
	}
	if !some {
		return nil, errors.New("every month has zero weeks")
	}
	return engine.Spread(amount, weights), nil
}

// FourFourFive returns the weeks per month of a 4-4-5 calendar for the given
// number of quarters: 4, 4, 5 repeated (52 weeks for four quarters).
func FourFourFive(quarters int) []int {
	weeks := make([]int, 0, 3*max(quarters, 0))
	for range quarters {
		weeks = append(weeks, 4, 4, 5)
	}
	return weeks
}

// total is the rounded exact sum of parts.
func total(exact []decimal.Decimal) decimal.Decimal {
	return engine.RoundMoney(decimal.Sum(decimal.Zero, exact...))
}

// apportion rounds exact parts to whole cents that add to total (their sum
// rounded to cents), by largest remainder in proportion to the exact parts:
// engine.Spread with the parts as weights. Spread needs weights of one sign;
// when the parts mix signs, every part is first raised by the same whole
// amount c, which makes them all positive, and lowered by c after the
// split. The raised parts add to total + n·c exactly, so the lowered ones
// add to total.
func apportion(total decimal.Decimal, exact []decimal.Decimal) []decimal.Decimal {
	if !mixedSigns(exact) {
		return engine.Spread(total, exact)
	}
	lowest := decimal.Min(exact[0], exact[1:]...)
	c := lowest.Neg().Ceil().Add(decimal.NewFromInt(1)) // whole units, so whole cents too
	raised := make([]decimal.Decimal, len(exact))
	for i, x := range exact {
		raised[i] = x.Add(c)
	}
	n := decimal.NewFromInt(int64(len(exact)))
	parts := engine.Spread(total.Add(c.Mul(n)), raised)
	for i := range parts {
		parts[i] = parts[i].Sub(c)
	}
	return parts
}

// mixedSigns reports whether ds hold both a positive and a negative value.
func mixedSigns(ds []decimal.Decimal) bool {
	pos, neg := false, false
	for _, d := range ds {
		pos = pos || d.IsPositive()
		neg = neg || d.IsNegative()
	}
	return pos && neg
}
