package model_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/curves"
	"aop/engine/model"
	"aop/engine/scenario"
)

// departmentsCycle is one division with two teams: sales plans revenue and
// travel, ops plans salaries.
func departmentsCycle(t *testing.T) (*engine.Cycle, *engine.Consolidation, []*engine.Submission) {
	t.Helper()
	c := &engine.Cycle{ID: "x", Company: "X", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "gtm", Name: "GTM"}, {ID: "sales", Name: "Sales", Parent: "gtm"}, {ID: "ops", Name: "Ops", Parent: "gtm"}},
		Accounts: []engine.Account{
			{Code: "4000", Name: "Revenue", Type: engine.Revenue, Favourable: engine.Higher, Group: "Revenue"},
			{Code: "6000", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower, Group: "Personnel"},
			{Code: "6200", Name: "Travel", Type: engine.OpEx, Favourable: engine.Lower, Group: "Travel"},
		}}
	require.NoError(t, c.Validate())
	line := func(code, amount string) engine.Line {
		l := engine.Line{Account: code}
		for p := range l.Months {
			l.Months[p] = d(amount)
		}
		return l
	}
	sales := &engine.Submission{Cycle: "x", Department: "sales", Lines: []engine.Line{line("4000", "100000"), line("6200", "2000")}}
	ops := &engine.Submission{Cycle: "x", Department: "ops", Lines: []engine.Line{line("6000", "50000")}}
	k, err := engine.Consolidate(c, []*engine.Submission{sales, ops})
	require.NoError(t, err)
	return c, k, []*engine.Submission{sales, ops}
}

// A department's range becomes a PERT multiplier of its plan on the
// account, unless the cycle already has a range on that plan; one on an
// account it planned nothing on is left out; the cycle's ranges come first.
func TestDepartmentRangesJoinTheCyclesWhereItHasNone(t *testing.T) {
	c, _, subs := departmentsCycle(t)
	sales, ops := subs[0], subs[1]
	sales.Ranges = []engine.RangeInput{
		{Account: "4000", Low: d("0.8"), Likely: d("1"), High: d("1.1")},
		{Account: "6200", Low: d("0.9"), Likely: d("1"), High: d("1.5")},
	}
	ops.Ranges = []engine.RangeInput{
		{Account: "6000", Low: d("0.95"), Likely: d("1"), High: d("1.05")},
		{Account: "6200", Low: d("0.5"), Likely: d("1"), High: d("2")}, // ops plans no travel
	}
	cycle := scenario.Range{Name: "revenue", Select: model.AccountSelector("*", "4000"), Op: scenario.OpMultiply,
		Dist: scenario.PERT{Min: d("0.9"), Mode: d("1"), Max: d("1.02")}}
	spec := model.Spec{Ranges: []scenario.Range{cycle}, Runs: 500, Seed: 7}

	got := spec.WithSubmissions(c, subs)
	require.Len(t, got.Ranges, 3)
	assert.Equal(t, cycle, got.Ranges[0], "the cycle's range on revenue wins over Sales's")
	assert.Equal(t, scenario.Range{Name: "sales 6200 (department)", Select: model.AccountSelector("sales", "6200"), Op: scenario.OpMultiply,
		Dist: scenario.PERT{Min: d("0.9"), Mode: d("1"), Max: d("1.5")}}, got.Ranges[1])
	assert.Equal(t, "ops 6000 (department)", got.Ranges[2].Name)
	assert.Equal(t, scenario.PERT{Min: d("0.95"), Mode: d("1"), Max: d("1.05")}, got.Ranges[2].Dist)
	assert.False(t, model.IsDepartmentRange(got.Ranges[0]))
	assert.True(t, model.IsDepartmentRange(got.Ranges[1]))
	assert.Equal(t, 500, got.Runs)
	assert.Len(t, spec.Ranges, 1, "the spec it was called on is left as it was")
	assert.Equal(t, got, got.WithSubmissions(c, subs), "the same submissions again add nothing")
	assert.Equal(t, got, spec.WithSubmissions(c, []*engine.Submission{ops, sales}), "departments come in the cycle's order")

	// A group range of the cycle covers the accounts of the group too.
	spec = model.Spec{Ranges: []scenario.Range{{Name: "travel", Select: model.GroupSelector("sales", "Travel"), Op: scenario.OpMultiply,
		Dist: scenario.LogNormal{P5: d("0.9"), P95: d("1.2")}}}}
	got = spec.WithSubmissions(c, subs)
	require.Len(t, got.Ranges, 3)
	assert.Equal(t, []string{"travel", "sales 4000 (department)", "ops 6000 (department)"},
		[]string{got.Ranges[0].Name, got.Ranges[1].Name, got.Ranges[2].Name})
}

// Without ranges in the cycle, departments' ranges still simulate, with the
// cycle file's default number of runs, and their spread shows.
func TestDepartmentRangesAloneSimulate(t *testing.T) {
	c, k, subs := departmentsCycle(t)
	subs[0].Ranges = []engine.RangeInput{{Account: "4000", Low: d("0.8"), Likely: d("1"), High: d("1.1")}}
	spec := model.Spec{}.WithSubmissions(c, subs)
	mc, ok := spec.Simulation()
	require.True(t, ok)
	assert.Equal(t, model.DefaultRuns, mc.Runs)
	m, err := model.New(c, k, subs, spec)
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	require.NoError(t, err)
	mc.Runs = 400
	sim, err := plan.Simulate(mc)
	require.NoError(t, err)
	rev, ok := sim.Metric(scenario.Revenue)
	require.True(t, ok)
	year := d("1200000")
	assert.True(t, rev.Year.P10.LessThan(year) && rev.Year.P10.GreaterThan(year.Mul(d("0.8"))), "P10 %s", rev.Year.P10)
	assert.True(t, rev.Year.P90.LessThan(year.Mul(d("1.1"))), "P90 %s", rev.Year.P90)
	assert.True(t, rev.Year.P10.LessThan(rev.Year.P90))
}

// A proposal's revenue climbs an S-curve to its full level in month
// RampMonths of the initiative; its costs are the one-time cost in the
// start month and the run-rate cost from it.
func TestProposalLines(t *testing.T) {
	p := model.Proposal{Start: 4, OneTimeCost: d("60000"), MonthlyCost: d("18000"), MonthlyRevenue: d("45000"), RampMonths: 6}
	revenue, costs, err := p.Lines(engine.MonthsPerYear)
	require.NoError(t, err)
	// The logistic through 2% at 0 and 98% at 6 has its midpoint at 3 and
	// steepness ln(49)/3: month k of the initiative earns
	// 45000 / (1 + 49^(−(k−3)/3)), and the S-curve is symmetric about its
	// midpoint (months 1 and 5 add up to full revenue, as do 2 and 4).
	want := []string{"0", "0", "0", "3127.06", "9658.09", "22500", "35341.91", "41872.94", "45000", "45000", "45000", "45000"}
	for m := range engine.MonthsPerYear {
		assert.Equal(t, want[m], revenue[m].String(), "month %d revenue", m+1)
	}
	assert.Equal(t, []string{"0", "0", "0", "78000", "18000", "18000", "18000", "18000", "18000", "18000", "18000", "18000"}, strings(costs))

	for _, ramp := range []int{0, 1} {
		p.RampMonths = ramp
		revenue, _, err = p.Lines(engine.MonthsPerYear)
		require.NoError(t, err)
		assert.Equal(t, "0", revenue[2].String())
		assert.Equal(t, "45000", revenue[3].String(), "ramp %d: full from the start", ramp)
	}
	for _, bad := range []model.Proposal{{Start: 0}, {Start: 13}, {Start: 1, RampMonths: -1}, {Start: 1, MonthlyCost: d("-1")}} {
		_, _, err := bad.Lines(engine.MonthsPerYear)
		assert.Error(t, err, "%+v", bad)
	}
}

func strings(ds []decimal.Decimal) []string {
	out := make([]string, len(ds))
	for i, x := range ds {
		out[i] = x.String()
	}
	return out
}

// A department's initiatives join the model with switches of their own, so
// that a playbook pauses them; a cycle initiative of the same name wins,
// and the same name from a second department is told apart.
func TestDepartmentInitiativesHaveSwitches(t *testing.T) {
	c, k, subs := departmentsCycle(t)
	sales, ops := subs[0], subs[1]
	sales.Initiatives = []engine.InitiativeInput{
		{Name: "premium", Kind: engine.InitiativeLaunch, Start: 3, OneTimeCost: d("10000"), MonthlyCost: d("1000"), MonthlyRevenue: d("20000"), RampMonths: 4},
		{Name: "apollo", Kind: engine.InitiativeLaunch, Start: 1, MonthlyRevenue: d("5000")},
	}
	ops.Initiatives = []engine.InitiativeInput{{Name: "premium", Kind: engine.InitiativeExpansion, Start: 6, MonthlyCost: d("3000")}}
	launch := curves.Launch{Price: d("100"), Ramp: curves.Ramp{Curve: curves.Logistic{Max: 10, K: 1, Midpoint: 3}, Start: 1}}
	spec := model.Spec{Initiatives: []model.Initiative{{Name: "apollo", Department: "sales", Kind: model.Launch, Launch: &launch}}}

	got := spec.WithSubmissions(c, subs)
	require.Len(t, got.Initiatives, 3)
	assert.Same(t, &launch, got.Initiatives[0].Launch, "the cycle's apollo wins")
	assert.Equal(t, "premium", got.Initiatives[1].Name)
	assert.Equal(t, model.Launch, got.Initiatives[1].Kind)
	assert.Equal(t, &model.Proposal{Start: 3, OneTimeCost: d("10000"), MonthlyCost: d("1000"), MonthlyRevenue: d("20000"), RampMonths: 4}, got.Initiatives[1].Proposal)
	assert.Equal(t, "premium (ops)", got.Initiatives[2].Name)
	assert.Equal(t, "ops", got.Initiatives[2].Department)
	assert.Equal(t, model.Expansion, got.Initiatives[2].Kind)

	// New takes them from the submissions itself.
	m, err := model.New(c, k, subs, spec)
	require.NoError(t, err)
	for _, name := range []string{"apollo", "premium", "premium (ops)"} {
		assert.Contains(t, m.Inputs().Switches, model.InitiativeSwitch(name))
	}
	premium := got.Initiatives[1]
	premiumRev, premiumCost, err := premium.Lines(engine.MonthsPerYear)
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	require.NoError(t, err)
	res, err := plan.Evaluate(scenario.Scenario{Name: "pause", Overrides: []scenario.Override{
		scenario.Pause(model.InitiativeSwitch("premium")).Within(8, 0)}})
	require.NoError(t, err)
	revenue, _ := res.Outputs.Get("sales", scenario.Revenue)
	costs, _ := res.Outputs.Get("sales", scenario.Costs)
	baseRevenue, _ := plan.Outputs().Get("sales", scenario.Revenue)
	baseCosts, _ := plan.Outputs().Get("sales", scenario.Costs)
	opsCosts, _ := res.Outputs.Get("ops", scenario.Costs)
	baseOps, _ := plan.Outputs().Get("ops", scenario.Costs)
	for m := range engine.MonthsPerYear {
		wantRev, wantCost := baseRevenue[m], baseCosts[m]
		if m >= 7 {
			wantRev, wantCost = wantRev.Sub(premiumRev[m]), wantCost.Sub(premiumCost[m])
		}
		assert.True(t, revenue[m].Equal(wantRev), "month %d revenue: %s, want %s", m+1, revenue[m], wantRev)
		assert.True(t, costs[m].Equal(wantCost), "month %d costs: %s, want %s", m+1, costs[m], wantCost)
		assert.True(t, opsCosts[m].Equal(baseOps[m]), "ops's own premium keeps running")
	}
	assert.True(t, baseRevenue[7].Equal(d("100000")), "the base is the plan, which holds the initiative already")
}
