package variance

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Flexible is the three-level analysis of a cost (or revenue) with a
// variable part: the static budget, the flexible budget (the budget's
// rates at the actual volume) and the actual (planning_math.md §4.1).
type Flexible struct {
	Static, Flex, Actual decimal.Decimal
	// StaticVariance = Actual − Static = Volume + FlexVariance.
	StaticVariance decimal.Decimal
	// Volume = Flex − Static: what the change in volume explains.
	Volume decimal.Decimal
	// FlexVariance = Actual − Flex: rates and efficiency.
	FlexVariance decimal.Decimal
}

// Flex flexes a budget of budgetVolume units at rate each plus fixed to
// the actual volume, and compares the actual amount with both.
func Flex(budgetVolume, rate, fixed, actualVolume, actual decimal.Decimal) Flexible {
	f := Flexible{
		Static: budgetVolume.Mul(rate).Add(fixed),
		Flex:   actualVolume.Mul(rate).Add(fixed),
		Actual: actual,
	}
	f.StaticVariance = f.Actual.Sub(f.Static)
	f.Volume = f.Flex.Sub(f.Static)
	f.FlexVariance = f.Actual.Sub(f.Flex)
	return f
}

// Product is one product's price and quantity in two periods (budget and
// actual, or last year and this).
type Product struct {
	Name                   string
	BudgetPrice, BudgetQty decimal.Decimal
	ActualPrice, ActualQty decimal.Decimal
}

// PVM is a revenue change split into price, mix and quantity, the ACCA
// definitions (planning_math.md §4.2): valued at budget prices, they sum
// exactly to actual − budget revenue.
type PVM struct {
	Budget, Actual decimal.Decimal
	// Price = Σ (Pa − Pb) × Qa.
	Price decimal.Decimal
	// Mix = Σ (Qa − Qa,total × mix_b) × Pb, and per product.
	Mix        decimal.Decimal
	MixProduct []decimal.Decimal
	// Quantity = (Qa,total − Qb,total) × the budget's average price.
	Quantity decimal.Decimal
}

// divPrecision is the decimal places kept by the divisions in a mix
// split; the parts are then rounded so that they still sum exactly.
const divPrecision = 16

// PriceVolumeMix splits the revenue change of several products.
func PriceVolumeMix(ps []Product) (PVM, error) {
	var r PVM
	var qb, qa decimal.Decimal
	for _, p := range ps {
		r.Budget = r.Budget.Add(p.BudgetPrice.Mul(p.BudgetQty))
		r.Actual = r.Actual.Add(p.ActualPrice.Mul(p.ActualQty))
		qb, qa = qb.Add(p.BudgetQty), qa.Add(p.ActualQty)
		r.Price = r.Price.Add(p.ActualPrice.Sub(p.BudgetPrice).Mul(p.ActualQty))
	}
	if qb.IsZero() {
		return PVM{}, errors.New("variance: a mix needs a budget quantity")
	}
	for _, p := range ps {
		share := p.BudgetQty.DivRound(qb, divPrecision)
		m := p.ActualQty.Sub(qa.Mul(share)).Mul(p.BudgetPrice)
		r.MixProduct = append(r.MixProduct, m)
		r.Mix = r.Mix.Add(m)
	}
	// Quantity is the rest of the volume effect, so that the three parts
	// sum to the change exactly despite the divisions above.
	r.Quantity = r.Actual.Sub(r.Budget).Sub(r.Price).Sub(r.Mix)
	return r, nil
}

// Shapley attributes the change of a product of factors, from before to
// after, to each factor: the average of its effect over every order of
// substituting the factors (averaged chain substitution, planning_math.md
// §4.3). The effects sum exactly to the change and do not depend on the
// order the factors are listed in. Up to 10 factors.
func Shapley(before, after []decimal.Decimal) ([]decimal.Decimal, error) {
	n := len(before)
	if n != len(after) {
		return nil, fmt.Errorf("variance: %d factors before, %d after", n, len(after))
	}
	// value(S) is the product with the factors in S at their after values.
	return ShapleyOf(n, func(set uint) decimal.Decimal {
		v := decimal.NewFromInt(1)
		for i := range n {
			if set&(1<<i) != 0 {
				v = v.Mul(after[i])
			} else {
				v = v.Mul(before[i])
			}
		}
		return v
	})
}

// ShapleyOf attributes value(all) − value(none) to n factors, where
// value(set) is the outcome with the factors whose bits are in set at
// their new values and the others at their old ones: any model, not only
// a product. value is called once for each of the 2ⁿ sets. Up to 10
// factors.
func ShapleyOf(n int, value func(set uint) decimal.Decimal) ([]decimal.Decimal, error) {
	if n == 0 || n > 10 {
		return nil, fmt.Errorf("variance: Shapley needs 1 to 10 factors, got %d", n)
	}
	values := make([]decimal.Decimal, 1<<n)
	for set := range values {
		values[set] = value(uint(set))
	}
	fact := make([]int64, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * int64(i)
	}
	effects := make([]decimal.Decimal, n)
	total := decimal.NewFromInt(fact[n])
	for i := range n {
		sum := decimal.Zero
		for set := uint(0); set < 1<<n; set++ {
			if set&(1<<i) != 0 {
				continue
			}
			k := popcount(set)
			w := decimal.NewFromInt(fact[k] * fact[n-k-1])
			sum = sum.Add(values[set|1<<i].Sub(values[set]).Mul(w))
		}
		effects[i] = sum.DivRound(total, divPrecision)
	}
	return effects, nil
}

func popcount(x uint) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// FX is a change in a foreign-currency line split into the exchange rate,
// price and volume, in the reporting currency (planning_math.md §4.4).
type FX struct {
	Exchange, Price, Volume, Total decimal.Decimal
}

// SplitFX splits actual vs base: local value and units at average selling
// prices, converted at the actual and the base rate.
func SplitFX(actualUnits, actualASP, actualRate, baseUnits, baseASP, baseRate decimal.Decimal) FX {
	actualLC := actualUnits.Mul(actualASP)
	f := FX{
		Exchange: actualLC.Mul(actualRate).Sub(actualLC.Mul(baseRate)),
		Price:    actualUnits.Mul(actualASP).Sub(actualUnits.Mul(baseASP)).Mul(baseRate),
	}
	f.Total = actualLC.Mul(actualRate).Sub(baseUnits.Mul(baseASP).Mul(baseRate))
	f.Volume = f.Total.Sub(f.Exchange).Sub(f.Price)
	return f
}

// Kind is why a line differs from its plan.
type Kind string

const (
	// Timing: the months differ, the window's total does not: phasing.
	Timing Kind = "timing"
	// Permanent: the difference stays over the window.
	Permanent Kind = "permanent"
)

// Classify tells timing from a permanent difference for one month's
// variance: it is timing when the variance summed over its window (the
// quarter, or the months to date and the outlook of the rest) is within
// tolerance (a share, e.g. 0.1) of the month's own variance.
func Classify(monthVariance, windowVariance decimal.Decimal, tolerance float64) Kind {
	if monthVariance.IsZero() {
		return Permanent
	}
	if windowVariance.Abs().LessThanOrEqual(monthVariance.Abs().Mul(decimal.NewFromFloat(tolerance))) {
		return Timing
	}
	return Permanent
}

// Reasons splits a line's variance through a flexed plan (the plan re-run
// with the actual external drivers): the assumption variance is
// flexed − plan (the plan's assumptions were wrong), the execution
// variance is actual − flexed (performance given the conditions).
type Reasons struct {
	Assumption, Execution decimal.Decimal
	// AssumptionShare is the assumption variance's share of the total,
	// by absolute value (0…1).
	AssumptionShare float64
}

// Explain splits actual − plan through the flexed plan.
func Explain(plan, flexed, actual decimal.Decimal) Reasons {
	r := Reasons{Assumption: flexed.Sub(plan), Execution: actual.Sub(flexed)}
	a, e := r.Assumption.Abs(), r.Execution.Abs()
	if s := a.Add(e); !s.IsZero() {
		r.AssumptionShare, _ = a.Div(s).Float64()
	}
	return r
}
