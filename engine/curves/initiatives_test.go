package curves

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func assertMoney(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	assert.True(t, got.Equal(d(want)), append([]any{"got %s, want %s", got, want}, msgAndArgs...)...)
}

func wholeCents(t *testing.T, series ...[]decimal.Decimal) {
	t.Helper()
	for _, s := range series {
		for i, v := range s {
			require.True(t, engine.IsWholeCents(v), "month %d: %s", i+1, v)
		}
	}
}

func TestRampLevelFlowAndDelay(t *testing.T) {
	l, err := LogisticThrough(1000, 6, 0.25, 10, 0.70)
	require.NoError(t, err)

	level, err := Ramp{Curve: l, Start: 3}.Units(8)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0}, level[:2], "nothing before launch")
	for i := 2; i < 8; i++ {
		assert.InDelta(t, l.At(float64(i-1)), level[i], 1e-12, "t = 1 in the launch month")
	}

	delayed, err := Ramp{Curve: l, Start: 3, Delay: 2}.Units(8)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0, 0, 0}, delayed[:4], "on sale from month 3, ramping after two months to fit")
	assert.InDelta(t, l.At(1), delayed[4], 1e-12)

	b := Bass{P: 0.03, Q: 0.38, M: 100}
	flow, err := Ramp{Curve: b, Start: 1, Flow: true}.Units(3)
	require.NoError(t, err)
	assert.InDelta(t, 3.576, flow[0], 0.0005, "oracle B1 new adopters")
	assert.InDelta(t, 4.930, flow[1], 0.0005)
	half, err := Ramp{Curve: b, Start: 1, Delay: 0.5, Flow: true}.Units(2)
	require.NoError(t, err)
	assert.InDelta(t, b.At(0.5), half[0], 1e-12, "a fractional delay starts the curve part-way through a month")

	_, err = Ramp{}.Units(3)
	assert.EqualError(t, err, "ramp has no curve")
	_, err = Ramp{Curve: b, Delay: -1}.Units(3)
	assert.EqualError(t, err, "time to product-market fit must be ≥ 0 months, got -1")
	_, err = Ramp{Curve: Bass{P: 0.03, Q: 0.38}}.Units(3)
	assert.EqualError(t, err, "the Bass market potential m must be > 0, got 0")
}

func TestLaunch(t *testing.T) {
	// The coefficients of oracle B1 read as monthly; launch in month 4 after a
	// three-month build, with go-to-market spend from the month before.
	launch := Launch{
		Months:          12,
		Development:     Spend{Total: d("120000"), From: 1, Months: 3},
		GoToMarket:      Spend{Total: d("50000"), From: 3, Months: 3},
		Ramp:            Ramp{Curve: Bass{P: 0.03, Q: 0.38, M: 100}, Start: 4, Flow: true},
		Price:           d("10"),
		Cannibalization: 0.26,
		OldPrice:        d("8"),
	}
	p, err := launch.Plan()
	require.NoError(t, err)
	wholeCents(t, p.Revenue, p.Cannibalized, p.NetRevenue, p.Development, p.GoToMarket, p.Net)

	for _, m := range []int{0, 1, 2} {
		assert.Zero(t, p.Units[m])
		assertMoney(t, "40000", p.Development[m])
	}
	assertMoney(t, "0", p.Development[3])
	assertMoney(t, "16666.67", p.GoToMarket[2])
	assertMoney(t, "16666.67", p.GoToMarket[3])
	assertMoney(t, "16666.66", p.GoToMarket[4])

	// Month 4: 3.5758 units → 35.76 revenue, 0.26 × 3.5758 × 8 = 7.44 lost.
	assertMoney(t, "35.76", p.Revenue[3])
	assertMoney(t, "7.44", p.Cannibalized[3])
	assertMoney(t, "28.32", p.NetRevenue[3])
	assertMoney(t, "-16638.35", p.Net[3])
	// Month 5: 4.930 new units.
	assertMoney(t, "49.30", p.Revenue[4])

	total := decimal.Zero
	for i := range p.Net {
		assert.True(t, p.NetRevenue[i].Equal(p.Revenue[i].Sub(p.Cannibalized[i])))
		assert.True(t, p.Net[i].Equal(p.NetRevenue[i].Sub(p.Development[i]).Sub(p.GoToMarket[i])))
		total = total.Add(p.Development[i]).Add(p.GoToMarket[i])
	}
	assertMoney(t, "170000", total, "one-time spends add back to their totals")
	assert.True(t, p.OutsideHorizon.IsZero())
}

func TestSpendOutsideTheHorizonIsReportedApart(t *testing.T) {
	p, err := Launch{
		Months:      12,
		Development: Spend{Total: d("100"), From: -1, Months: 4}, // months −1, 0, 1, 2
		GoToMarket:  Spend{Total: d("90"), From: 11, Months: 3},  // months 11, 12, 13
		Ramp:        Ramp{Curve: Gompertz{A: 1, B: 5, C: 0.4}, Start: 1},
	}.Plan()
	require.NoError(t, err)
	assertMoney(t, "25", p.Development[0])
	assertMoney(t, "25", p.Development[1])
	assertMoney(t, "30", p.GoToMarket[11])
	assertMoney(t, "80", p.OutsideHorizon, "50 of development before month 1, 30 of go-to-market after month 12")
}

func TestAcquisition(t *testing.T) {
	a := Acquisition{
		Months:        36,
		Close:         4,
		Slip:          2,
		TargetRevenue: d("500000"),
		TargetCost:    d("400000"),
		CostSynergy:   Synergy{RunRate: d("1200000"), Phasing: []float64{0.3, 0.7, 1}, Probability: 1},
		RevenueSynergy: Synergy{RunRate: d("600000"), Phasing: []float64{0, 0.5, 1},
			Probability: 0.5},
		DisSynergy:  d("10000"),
		Integration: Spend{Total: d("900000"), From: 0, Months: 6},
	}
	p, err := a.Plan()
	require.NoError(t, err)
	wholeCents(t, p.TargetRevenue, p.TargetCost, p.RevenueSynergy, p.CostSynergy, p.DisSynergy, p.Integration, p.Net, p.SlipContingency)

	assertMoney(t, "0", p.Net[2], "nothing before the close")
	assertMoney(t, "150000", p.Integration[3], "one-time cost, from the close over six months")
	assertMoney(t, "400000", p.TargetCost[3], "run-rate cost excludes integration")
	assertMoney(t, "30000", p.CostSynergy[3], "year 1: 30% of 1.2M / 12")
	assertMoney(t, "0", p.RevenueSynergy[3])
	assertMoney(t, "-30000", p.Net[3], "500k − 400k + 30k − 10k − 150k")
	assertMoney(t, "120000", p.Net[9], "integration done")
	assertMoney(t, "70000", p.CostSynergy[15], "year 2 from month 16")
	assertMoney(t, "12500", p.RevenueSynergy[15], "50% × 600k / 12 × probability 0.5")
	assertMoney(t, "172500", p.Net[15])
	assertMoney(t, "100000", p.CostSynergy[27], "year 3 on: full run-rate")
	assertMoney(t, "100000", p.CostSynergy[35])

	// Slip of two months: close in month 6 instead of 4.
	assertMoney(t, "-30000", p.SlipContingency[3], "a slip defers integration cost too")
	assertMoney(t, "0", p.SlipContingency[5])
	assertMoney(t, "150000", p.SlipContingency[9])
	assertMoney(t, "52500", p.SlipContingency[15])

	var integration decimal.Decimal
	for i := range p.Net {
		integration = integration.Add(p.Integration[i])
		want := engine.Sum(p.TargetRevenue[i], p.RevenueSynergy[i], p.TargetCost[i].Neg(), p.CostSynergy[i], p.DisSynergy[i].Neg(), p.Integration[i].Neg())
		assert.True(t, p.Net[i].Equal(want))
	}
	assertMoney(t, "900000", integration)

	late := a
	late.Months, late.Close, late.Slip = 24, 22, 0
	p, err = late.Plan()
	require.NoError(t, err)
	assertMoney(t, "450000", p.OutsideHorizon, "three of six integration months fall after month 24")
	for _, c := range p.SlipContingency {
		assert.True(t, c.IsZero())
	}
}

func TestAcquisitionErrors(t *testing.T) {
	ok := Acquisition{Months: 12, Close: 1, CostSynergy: Synergy{RunRate: d("1"), Phasing: []float64{1}, Probability: 1}}
	for _, c := range []struct {
		name string
		edit func(*Acquisition)
		msg  string
	}{
		{"horizon", func(a *Acquisition) { a.Months = 0 }, "acquisition horizon must be at least one month, got 0"},
		{"slip", func(a *Acquisition) { a.Slip = -1 }, "close slip must be ≥ 0 months, got -1"},
		{"probability unset", func(a *Acquisition) { a.CostSynergy.Probability = 0 }, "cost synergy probability must lie in (0, 1], got 0"},
		{"no phasing", func(a *Acquisition) { a.CostSynergy.Phasing = nil }, "cost synergy needs a phasing: the share of run-rate reached in each year after close"},
		{"negative phase", func(a *Acquisition) {
			a.RevenueSynergy = Synergy{RunRate: d("1"), Phasing: []float64{0.5, -1}, Probability: 1}
		}, "revenue synergy phasing of year 2 must be ≥ 0, got -1"},
		{"integration months", func(a *Acquisition) { a.Integration = Spend{Total: d("5")} }, "integration: spend of 5 needs at least one month"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := ok
			c.edit(&a)
			_, err := a.Plan()
			assert.EqualError(t, err, c.msg)
		})
	}
}

func TestExpansion(t *testing.T) {
	l, err := LogisticThrough(1000, 6, 0.25, 10, 0.70)
	require.NoError(t, err)
	fx := make([]decimal.Decimal, 12)
	for i := range fx {
		fx[i] = d("1.08")
		if i >= 6 {
			fx[i] = d("1.10")
		}
	}
	e := Expansion{
		Months: 12,
		Entry:  Spend{Total: d("60000"), From: 1, Months: 3},
		Hires: []Hire{
			{Start: 2, Count: 2, MonthlyCost: d("8000")},
			{Start: 5, Count: 1, MonthlyCost: d("6500")},
		},
		Ramp:     Ramp{Curve: l, Start: 4},
		Price:    d("49.99"),
		UnitCost: d("20"),
		FX:       fx,
	}
	p, err := e.Plan()
	require.NoError(t, err)
	for _, lines := range []ExpansionLines{p.Local, p.Reporting} {
		wholeCents(t, lines.Revenue, lines.VariableCost, lines.Payroll, lines.Entry, lines.Net)
		for i := range lines.Net {
			assert.True(t, lines.Net[i].Equal(lines.Revenue[i].Sub(lines.VariableCost[i]).Sub(lines.Payroll[i]).Sub(lines.Entry[i])))
		}
	}
	assertMoney(t, "20000", p.Local.Entry[0])
	assertMoney(t, "21600", p.Reporting.Entry[0], "20,000 EUR at 1.08")
	assertMoney(t, "0", p.Local.Payroll[0])
	assertMoney(t, "16000", p.Local.Payroll[1])
	assertMoney(t, "22500", p.Local.Payroll[4])
	assertMoney(t, "24300", p.Reporting.Payroll[4], "22,500 at 1.08")
	assertMoney(t, "24750", p.Reporting.Payroll[6], "22,500 at 1.10")

	// Month 4: t = 1 on the L1 curve scaled to 1,000 units, 28.44 units.
	assert.InDelta(t, 28.44, p.Units[3], 0.005)
	assert.Zero(t, p.Units[2])
	u := decimal.NewFromFloat(p.Units[3])
	assert.True(t, p.Local.Revenue[3].Equal(engine.RoundMoney(u.Mul(d("49.99")))))
	assert.True(t, p.Reporting.Revenue[3].Equal(engine.RoundMoney(p.Local.Revenue[3].Mul(d("1.08")))))
	assert.True(t, p.Reporting.Revenue[9].Equal(engine.RoundMoney(p.Local.Revenue[9].Mul(d("1.10")))))
}

func TestExpansionErrors(t *testing.T) {
	ok := Expansion{Months: 2, Ramp: Ramp{Curve: Gompertz{A: 1, B: 1, C: 1}}, FX: []decimal.Decimal{d("1"), d("1")}}
	for _, c := range []struct {
		name string
		edit func(*Expansion)
		msg  string
	}{
		{"rates", func(e *Expansion) { e.FX = e.FX[:1] }, "expansion needs one exchange rate per month: 2 months, 1 rates"},
		{"zero rate", func(e *Expansion) { e.FX = []decimal.Decimal{d("1"), d("0")} }, "exchange rate of month 2 must be > 0, got 0"},
		{"hire", func(e *Expansion) { e.Hires = []Hire{{Count: -1}} }, "hire 1: count must be ≥ 0, got -1"},
		{"ramp", func(e *Expansion) { e.Ramp.Curve = nil }, "expansion ramp: ramp has no curve"},
		{"horizon", func(e *Expansion) { e.Months = 0 }, "expansion horizon must be at least one month, got 0"},
		{"entry", func(e *Expansion) { e.Entry = Spend{Total: d("1"), Months: -2} }, "entry: spend months must be ≥ 0, got -2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			c.edit(&e)
			_, err := e.Plan()
			assert.EqualError(t, err, c.msg)
		})
	}
	_, err := Launch{Months: 1, Ramp: ok.Ramp, Cannibalization: 2}.Plan()
	assert.EqualError(t, err, "cannibalization rate must lie in [0, 1], got 2")
}
