package variance

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func months(vs ...string) Months {
	var m Months
	for i, v := range vs {
		m[i] = d(v)
	}
	return m
}

func TestCompareCost(t *testing.T) {
	plan := months("100", "100", "100", "100", "100", "100", "100", "100", "100", "100", "100", "120")
	actual := months("90", "130", "100.50")
	fc := months("100", "100", "100", "110", "110", "110", "100", "100", "100", "100", "100", "120")
	r, err := Compare(Line{Type: engine.OpEx, Plan: plan, Actual: actual, Forecast: &fc, Closed: 3})
	require.NoError(t, err)
	require.Len(t, r.Months, 3)
	assert.Equal(t, "-10", r.Months[0].Variance.String())
	assert.True(t, r.Months[0].Favourable, "spending less than planned")
	assert.InDelta(t, -0.10, float64(r.Months[0].Percent), 1e-12)
	assert.Equal(t, "30", r.Months[1].Variance.String())
	assert.False(t, r.Months[1].Favourable)
	assert.Equal(t, "0.5", r.Months[2].VsForecast.String())
	assert.Equal(t, "320.5", r.YTDActual.String())
	assert.Equal(t, "300", r.YTDPlan.String())
	assert.Equal(t, "20.5", r.YTDVariance.String())
	assert.False(t, r.YTDFavourable)
	assert.Equal(t, "1220", r.FullYearPlan.String())
	// 320.50 of actuals and the forecast of April to December.
	assert.Equal(t, "1270.5", r.Outlook.String())
	assert.Equal(t, "50.5", r.OutlookVariance.String())
	assert.False(t, r.OutlookFavourable)
}

func TestCompareRevenueWithoutForecast(t *testing.T) {
	plan := months("50", "50", "50", "50", "50", "50", "50", "50", "50", "50", "50", "50")
	r, err := Compare(Line{Type: engine.Revenue, Plan: plan, Actual: months("60", "45"), Closed: 2})
	require.NoError(t, err)
	assert.True(t, r.Months[0].Favourable, "more revenue than planned")
	assert.False(t, r.Months[1].Favourable)
	assert.Nil(t, r.Months[0].VsForecast)
	assert.Equal(t, "605", r.Outlook.String(), "105 of actuals and ten months of plan")
	assert.Equal(t, "5", r.OutlookVariance.String())

	_, err = Compare(Line{Closed: 13})
	assert.ErrorIs(t, err, ErrClosed)
	assert.True(t, math.IsNaN(Percent(d("1"), decimal.Zero)))
	assert.Equal(t, 0.0, Percent(decimal.Zero, decimal.Zero))
}

func TestMaterial(t *testing.T) {
	// The practitioners' rule: over 25,000 and over 5%.
	k, share := d("25000"), 0.05
	assert.True(t, Material(d("30000"), d("400000"), k, share))
	assert.False(t, Material(d("30000"), d("1000000"), k, share), "3% is not material")
	assert.False(t, Material(d("20000"), d("100000"), k, share), "under 25,000")
	assert.True(t, Material(d("-30000"), d("400000"), k, share), "either direction")
	assert.False(t, Material(decimal.Zero, decimal.Zero, decimal.Zero, 0))
}

// TestFlexOracleV3 is planning_math.md's V3: a budget of 1,000 lamps at 30
// of variable cost plus 20,000 fixed; 1,200 lamps were made for 36,000 of
// variable cost. The 6,000 unfavourable static variance is all volume.
func TestFlexOracleV3(t *testing.T) {
	f := Flex(d("1000"), d("30"), d("20000"), d("1200"), d("56000"))
	assert.Equal(t, "50000", f.Static.String())
	assert.Equal(t, "56000", f.Flex.String())
	assert.Equal(t, "6000", f.StaticVariance.String())
	assert.Equal(t, "6000", f.Volume.String())
	assert.True(t, f.FlexVariance.IsZero())
	assert.False(t, Favourable(engine.COGS, f.StaticVariance))
}

// p1 is planning_math.md's P1 data: three products, two years.
func p1() []Product {
	return []Product{
		{Name: "A", BudgetPrice: d("10"), BudgetQty: d("1000"), ActualPrice: d("11"), ActualQty: d("1000")},
		{Name: "B", BudgetPrice: d("15"), BudgetQty: d("800"), ActualPrice: d("15"), ActualQty: d("700")},
		{Name: "C", BudgetPrice: d("20"), BudgetQty: d("500"), ActualPrice: d("23"), ActualQty: d("800")},
	}
}

func TestPriceVolumeMixOracleP1(t *testing.T) {
	r, err := PriceVolumeMix(p1())
	require.NoError(t, err)
	assert.Equal(t, "32000", r.Budget.String())
	assert.Equal(t, "39900", r.Actual.String())
	assert.Equal(t, "3400", r.Price.String())
	assert.Equal(t, "2782.61", r.Quantity.Round(2).String())
	assert.Equal(t, "1717.39", r.Mix.Round(2).String())
	want := []string{"-869.57", "-2543.48", "5130.43"}
	for i, m := range r.MixProduct {
		assert.Equal(t, want[i], m.Round(2).String(), "product %s", p1()[i].Name)
	}
	assert.True(t, r.Price.Add(r.Mix).Add(r.Quantity).Equal(r.Actual.Sub(r.Budget)), "the parts sum exactly")

	_, err = PriceVolumeMix([]Product{{ActualQty: d("1")}})
	assert.Error(t, err)
}

// TestShapleyOracleP2 attributes P1's change line by line to price and
// quantity: 2,950 and 4,950.
func TestShapleyOracleP2(t *testing.T) {
	var price, qty decimal.Decimal
	for _, p := range p1() {
		e, err := Shapley([]decimal.Decimal{p.BudgetPrice, p.BudgetQty}, []decimal.Decimal{p.ActualPrice, p.ActualQty})
		require.NoError(t, err)
		price, qty = price.Add(e[0]), qty.Add(e[1])
	}
	assert.Equal(t, "2950", price.String())
	assert.Equal(t, "4950", qty.String())
}

// TestShapleyProperties: for random products of up to six factors, the
// effects sum to the change, and listing the factors in another order
// gives the same effect to each factor.
func TestShapleyProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 1 + rng.IntN(6)
		before, after := make([]decimal.Decimal, n), make([]decimal.Decimal, n)
		for i := range n {
			before[i] = decimal.NewFromInt(int64(rng.IntN(2000) - 500)).Shift(-2)
			after[i] = decimal.NewFromInt(int64(rng.IntN(2000) - 500)).Shift(-2)
		}
		e, err := Shapley(before, after)
		require.NoError(t, err)
		prod := func(xs []decimal.Decimal) decimal.Decimal {
			p := decimal.NewFromInt(1)
			for _, x := range xs {
				p = p.Mul(x)
			}
			return p
		}
		sum := decimal.Zero
		for _, x := range e {
			sum = sum.Add(x)
		}
		change := prod(after).Sub(prod(before))
		assert.True(t, sum.Sub(change).Abs().LessThan(d("1e-12")), "effects %v sum to %s, the change is %s", e, sum, change)

		perm := rng.Perm(n)
		pb, pa := make([]decimal.Decimal, n), make([]decimal.Decimal, n)
		for i, j := range perm {
			pb[i], pa[i] = before[j], after[j]
		}
		pe, err := Shapley(pb, pa)
		require.NoError(t, err)
		for i, j := range perm {
			assert.True(t, pe[i].Equal(e[j]), "factor %d's effect does not depend on the order", j)
		}
	}
	_, err := Shapley([]decimal.Decimal{d("1")}, nil)
	assert.Error(t, err)
}

// TestSplitFXOracleX1 is planning_math.md's X1.
func TestSplitFXOracleX1(t *testing.T) {
	f := SplitFX(d("23021"), d("15.979"), d("1.53851"), d("23204"), d("16.5"), d("1.48925"))
	fl := func(x decimal.Decimal) float64 { v, _ := x.Float64(); return v }
	assert.InDelta(t, 18120.4, fl(f.Exchange), 0.5)
	assert.InDelta(t, -17862, fl(f.Price), 1)
	assert.InDelta(t, -4497, fl(f.Volume), 1)
	assert.InDelta(t, -4238, fl(f.Total), 1)
	assert.True(t, f.Exchange.Add(f.Price).Add(f.Volume).Equal(f.Total))
}

func TestClassifyAndExplain(t *testing.T) {
	// 30 over in February, 28 under in March: the quarter is on plan.
	assert.Equal(t, Timing, Classify(d("30"), d("2"), 0.1))
	assert.Equal(t, Permanent, Classify(d("30"), d("25"), 0.1))
	assert.Equal(t, Permanent, Classify(decimal.Zero, decimal.Zero, 0.1))

	// Revenue planned at 1,000 on a market the plan assumed would grow
	// 20%; it grew 12% (flexed plan 933.33), and the team sold 900.
	r := Explain(d("1000"), d("933.33"), d("900"))
	assert.Equal(t, "-66.67", r.Assumption.String())
	assert.Equal(t, "-33.33", r.Execution.String())
	assert.InDelta(t, 0.6667, r.AssumptionShare, 1e-4)
	assert.Equal(t, 0.0, Explain(d("1"), d("1"), d("1")).AssumptionShare)
}
