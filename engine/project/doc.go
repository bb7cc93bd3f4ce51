// Package project holds the projection building blocks of an annual
// operating plan, month by month: driver-based revenue (pipeline to
// bookings to recognised revenue, sales capacity, the recurring-revenue
// bridge, CAC payback), headcount (roster roll-forward from a hiring plan,
// its fully loaded cost, and a check of the hiring ask against the
// department's hiring history) and operating cash flow through working
// capital. Section numbers in the doc comments (§2.2, §3.5 …) refer to
// research/planning_math.md, where each formula and its sources are
// written out.
//
// Like the rest of the engine, the package is pure: no I/O, no clock, no
// logging.
//
// # Months
//
// A monthly series is a slice whose index 0 is fiscal month 1 (see
// engine.Period). Every projection takes its horizon, months, explicitly:
// engine.MonthsPerYear for a plan, more where a sales cycle, a contract
// term or a ramp runs past the year. Input series may be shorter than the
// horizon (missing months are zero), never longer. What would land after
// the horizon is reported apart (AfterHorizon) rather than lost, so totals
// still reconcile.
//
// # Money and rounding
//
// Money is decimal. A money series is rounded once: its exact total is
// rounded to cents half away from zero (engine.RoundMoney) and spread over
// the months in proportion to the exact monthly amounts by the
// largest-remainder method (engine.Spread). Months therefore add up to the
// total to the cent and each month is within a cent of its exact value. The
// few exceptions say so where they occur: bookings are rounded per cohort of
// opportunities, balances of working capital per month end, and one Stripe
// amortization method rounds the way Stripe does.
//
// # Counts and rates
//
// Quantities that multiply money directly (opportunities, win rates, deal
// sizes, attainment, gross margin) are decimals and exact. Quantities born
// of continuous math (attrition compounded monthly, expected hires from a
// fill rate, ramp-weighted heads) are float64: expected FTE, not whole
// people. They enter money through the shortest decimal that represents
// the float (decimal.NewFromFloat), at the multiplication by an amount.
// Ratios (GRR, payback months, velocity) are not rounded.
//
// # Errors
//
// Inputs are checked before anything is computed; every problem found is
// reported (errors.Join) as an *InputError that names the field, so a
// caller that knows where the field sits on a sheet can point at the cell.
package project

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// InputError is an input a projection refuses. Field names it as the Go
// value does ("Roles[3].AnnualSalary", "WinRate"); Item, when set, is the
// name of the list entry the field belongs to (a role's title).
type InputError struct {
	Field string
	Item  string
	Rule  string // what the field must be, such as "must be ≥ 0"
	Value string // what it was
}

// Error reads as a sentence: the field, what it must be, what it was.
func (e *InputError) Error() string {
	if e.Item != "" {
		return fmt.Sprintf("%s (%s) %s, got %s", e.Field, e.Item, e.Rule, e.Value)
	}
	return fmt.Sprintf("%s %s, got %s", e.Field, e.Rule, e.Value)
}

// field names an input for an InputError. It is built as a value and
// spelt out only when the input is refused, so checking a long list costs
// no formatting.
type field struct {
	list  string // the list the field sits in, if any
	index int
	name  string // the field, or the member of the list entry
	item  string // the list entry's own name, for people
}

// named is a field outside any list.
func named(name string) field { return field{name: name} }

// elem is entry i of a list.
func elem(list string, i int) field { return field{list: list, index: i} }

// dot is a member of a list entry: elem("Roles", 3).dot("Heads").
func (f field) dot(name string) field { f.name = name; return f }

// of names the list entry for people: a role's title.
func (f field) of(item string) field { f.item = item; return f }

func (f field) String() string {
	switch {
	case f.list == "":
		return f.name
	case f.name == "":
		return fmt.Sprintf("%s[%d]", f.list, f.index)
	}
	return fmt.Sprintf("%s[%d].%s", f.list, f.index, f.name)
}

// checker gathers every problem of an input before a projection starts.
type checker struct{ errs []error }

func (c *checker) fail(f field, rule string, value any) {
	c.errs = append(c.errs, &InputError{Field: f.String(), Item: f.item, Rule: rule, Value: fmt.Sprint(value)})
}

// nonNegative refuses a negative amount or count.
func (c *checker) nonNegative(f field, d decimal.Decimal) {
	if d.IsNegative() {
		c.fail(f, "must be ≥ 0", d)
	}
}

// share refuses a rate outside 0 to 1.
func (c *checker) share(f field, d decimal.Decimal) {
	if d.IsNegative() || d.GreaterThan(one) {
		c.fail(f, "must be between 0 and 1", d)
	}
}

// nonNegativeFloat refuses a negative or non-finite quantity.
func (c *checker) nonNegativeFloat(f field, x float64) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		c.fail(f, "must be a number", x)
	case x < 0:
		c.fail(f, "must be ≥ 0", x)
	}
}

// shareFloat refuses a rate outside 0 to 1.
func (c *checker) shareFloat(f field, x float64) {
	if math.IsNaN(x) || x < 0 || x > 1 {
		c.fail(f, "must be between 0 and 1", x)
	}
}

// amounts refuses negative entries of a series and one longer than the
// horizon.
func (c *checker) amounts(list string, series []decimal.Decimal, months int) {
	if len(series) > months {
		c.fail(named(list), fmt.Sprintf("must have at most %d months (the horizon)", months), fmt.Sprintf("%d months", len(series)))
	}
	for i, d := range series {
		c.nonNegative(elem(list, i), d)
	}
}

// horizon refuses a horizon of no months.
func (c *checker) horizon(months int) {
	if months < 1 {
		c.fail(named("months"), "must be ≥ 1", months)
	}
}

func (c *checker) err() error { return errors.Join(c.errs...) }

var (
	one    = decimal.NewFromInt(1)
	twelve = decimal.NewFromInt(engine.MonthsPerYear)
)

// at returns series[i], or zero past its end.
func at(series []decimal.Decimal, i int) decimal.Decimal {
	if i < len(series) {
		return series[i]
	}
	return decimal.Zero
}

// maxCents is the largest amount the projections count in int64 cents.
const maxCents = math.MaxInt64

var maxCentsDecimal = decimal.NewFromInt(maxCents)

// toCents returns d rounded to cents as a count of cents, and false when
// the count does not fit an int64.
func toCents(d decimal.Decimal) (int64, bool) {
	c := engine.RoundMoney(d).Shift(engine.MinorUnits)
	if c.Abs().GreaterThan(maxCentsDecimal) {
		return 0, false
	}
	return c.IntPart(), true
}

// addCents adds non-negative cents to a running total and reports false
// when the total would overflow. Every partial sum of non-negative parts
// is at most their total, so checking the total covers them all.
func addCents(total *int64, cents int64) bool {
	if cents > maxCents-*total {
		return false
	}
	*total += cents
	return true
}

// fromCents converts counts of cents to amounts.
func fromCents(cents []int64) []decimal.Decimal {
	out := make([]decimal.Decimal, len(cents))
	for i, c := range cents {
		if c != 0 { // zero months keep the zero value, which allocates nothing
			out[i] = decimal.New(c, -engine.MinorUnits)
		}
	}
	return out
}

// tooLarge refuses amounts beyond what int64 cents can count.
func tooLarge(field string) error {
	return &InputError{Field: field, Rule: "must add up to at most 92,233,720,368,547,758.07", Value: "more"}
}
