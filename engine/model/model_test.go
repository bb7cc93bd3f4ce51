package model_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/curves"
	"aop/engine/model"
	"aop/engine/project"
	"aop/engine/scenario"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// genPlan builds a random cycle of two levels with leaves submitting plan
// lines on every account type and hiring plans, consolidated.
func genPlan(t testing.TB, r *rand.Rand, divisions, teams int) (*engine.Cycle, *engine.Consolidation, []*engine.Submission) {
	t.Helper()
	c := &engine.Cycle{ID: "gen", Company: "Gen", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.March}}
	for i := range divisions {
		div := fmt.Sprintf("div%d", i)
		c.Departments = append(c.Departments, engine.Department{ID: div, Name: div})
		for j := range teams {
			id := fmt.Sprintf("%s-t%d", div, j)
			c.Departments = append(c.Departments, engine.Department{ID: id, Name: id, Parent: div})
		}
	}
	types := []engine.AccountType{engine.Revenue, engine.Revenue, engine.COGS, engine.OpEx, engine.OpEx, engine.OpEx, engine.Headcount, engine.KPI}
	for i, typ := range types {
		fav := engine.Lower
		if typ == engine.Revenue || typ == engine.KPI {
			fav = engine.Higher
		}
		c.Accounts = append(c.Accounts, engine.Account{Code: fmt.Sprint(4000 + 100*i), Name: "a", Type: typ, Favourable: fav, Group: fmt.Sprintf("G%d", i%3)})
	}
	var subs []*engine.Submission
	for _, leaf := range c.Leaves() {
		s := &engine.Submission{Cycle: c.ID, Department: leaf.ID}
		for _, a := range c.Accounts {
			for range r.IntN(3) {
				l := engine.Line{Account: a.Code}
				for p := range l.Months {
					l.Months[p] = decimal.New(r.Int64N(10_000_000), -2)
				}
				s.Lines = append(s.Lines, l)
			}
			if a.Type == engine.Revenue && r.IntN(2) == 0 {
				c.PriorActuals = append(c.PriorActuals, engine.Amount{Department: leaf.ID, Account: a.Code, Amount: decimal.New(r.Int64N(1e9), -2)})
			}
		}
		for range r.IntN(4) {
			s.Hires = append(s.Hires, engine.Hire{Role: "r", Count: 1 + r.IntN(3), Start: engine.Period(1 + r.IntN(12)),
				AnnualSalary: decimal.NewFromInt(50_000 + r.Int64N(150_000)), LoadedCost: d("0.25")})
		}
		subs = append(subs, s)
	}
	require.NoError(t, c.Validate())
	k, err := engine.Consolidate(c, subs)
	require.NoError(t, err)
	return c, k, subs
}

// The base projection is the consolidated plan: revenue and costs of every
// department and the company, month by month, to the cent; headcount is
// the planned roster plus the hires to date.
func TestBaseReproducesThePlan(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 3))
		c, k, subs := genPlan(t, r, 1+r.IntN(3), 1+r.IntN(4))
		launch := curves.Launch{Price: d("100"), Ramp: curves.Ramp{Curve: curves.Logistic{Max: 50, K: 0.8, Midpoint: 5}, Start: 2},
			Development: curves.Spend{Total: d("90000"), From: 1, Months: 3}}
		m, err := model.New(c, k, subs, model.Spec{Initiatives: []model.Initiative{
			{Name: "x", Department: c.Leaves()[0].ID, Kind: model.Launch, Launch: &launch}}})
		require.NoError(t, err)
		out, err := m.Project(m.Inputs())
		require.NoError(t, err)
		for _, dept := range append(m.Departments(), scenario.Company) {
			rev, _ := out.Get(dept, scenario.Revenue)
			costs, _ := out.Get(dept, scenario.Costs)
			people, _ := out.Get(dept, scenario.Headcount)
			hp := k.Headcount(dept)
			for p := range engine.MonthsPerYear {
				period := engine.Period(p + 1)
				require.True(t, k.PlanType(dept, engine.Revenue, period).Equal(rev[p]), "seed %d %s revenue month %d: %s vs %s", seed, dept, p+1, rev[p], k.PlanType(dept, engine.Revenue, period))
				wantCosts := k.PlanType(dept, engine.COGS, period).Add(k.PlanType(dept, engine.OpEx, period))
				require.True(t, wantCosts.Equal(costs[p]), "seed %d %s costs month %d: %s vs %s", seed, dept, p+1, costs[p], wantCosts)
				wantPeople := k.PlanType(dept, engine.Headcount, period).Add(hp.Cumulative[p])
				require.True(t, wantPeople.Equal(people[p]), "seed %d %s headcount month %d: %s vs %s", seed, dept, p+1, people[p], wantPeople)
			}
		}
	}
}

// Freezing hiring from a month keeps the roster from then on and saves the
// cost of the hires that would have started; pausing an initiative takes
// its lines out of its department's plan.
func TestHiringFreezeAndPause(t *testing.T) {
	c := &engine.Cycle{ID: "x", Company: "X", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "eng", Name: "Engineering"}},
		Accounts: []engine.Account{{Code: "4000", Name: "Revenue", Type: engine.Revenue, Favourable: engine.Higher},
			{Code: "6000", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower, Group: "Personnel"}}}
	sub := &engine.Submission{Cycle: "x", Department: "eng",
		Hires: []engine.Hire{{Role: "engineer", Count: 2, Start: 3, AnnualSalary: d("120000")}, {Role: "engineer", Count: 1, Start: 8, AnnualSalary: d("120000")}}}
	rev := engine.Line{Account: "4000"}
	sal := engine.Line{Account: "6000"}
	for p := range rev.Months {
		rev.Months[p], sal.Months[p] = d("100000"), d("50000")
	}
	sub.Lines = []engine.Line{rev, sal}
	k, err := engine.Consolidate(c, []*engine.Submission{sub})
	require.NoError(t, err)
	launch := curves.Launch{Price: d("1000"), Ramp: curves.Ramp{Curve: curves.Logistic{Max: 20, K: 1, Midpoint: 4}, Start: 1},
		GoToMarket: curves.Spend{Total: d("12000"), From: 1, Months: 12}}
	m, err := model.New(c, k, []*engine.Submission{sub}, model.Spec{Initiatives: []model.Initiative{{Name: "apollo", Department: "eng", Kind: model.Launch, Launch: &launch}}})
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	require.NoError(t, err)
	res, err := plan.Evaluate(scenario.Scenario{Name: "freeze", Overrides: []scenario.Override{
		scenario.Set(scenario.Selector{Driver: model.HiresDriver}, decimal.Zero).Within(6, 0),
		scenario.Pause(model.InitiativeSwitch("apollo")).Within(10, 0),
	}})
	require.NoError(t, err)
	people, _ := res.Outputs.Get("eng", scenario.Headcount)
	assert.Equal(t, "2", people[7].String(), "the month-8 hire never starts")
	basePeople, _ := plan.Outputs().Get("eng", scenario.Headcount)
	assert.Equal(t, "3", basePeople[7].String())
	costs, _ := res.Outputs.Get("eng", scenario.Costs)
	baseCosts, _ := plan.Outputs().Get("eng", scenario.Costs)
	assert.True(t, costs[6].Equal(baseCosts[6]), "month 7 is untouched")
	assert.True(t, costs[7].Equal(baseCosts[7].Sub(d("10000"))), "month 8 saves a month of one salary: %s vs %s", costs[7], baseCosts[7])
	revenue, _ := res.Outputs.Get("eng", scenario.Revenue)
	assert.True(t, revenue[8].Equal(d("100000")), "month 9 keeps the launch revenue the plan holds")
	assert.True(t, revenue[9].LessThan(d("100000")), "from month 10 the paused launch's revenue is gone: %s", revenue[9])
}

// A department that fills half the roles it opens is projected with half
// its hires, and a freeze saves half as much: the roster follows its
// hiring history.
func TestHiringHistoryFillsTheRoster(t *testing.T) {
	c := &engine.Cycle{ID: "x", Company: "X", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "eng", Name: "Engineering"}},
		Accounts:    []engine.Account{{Code: "6000", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower, Group: "Personnel"}}}
	sub := &engine.Submission{Cycle: "x", Department: "eng",
		Hires: []engine.Hire{{Role: "engineer", Count: 4, Start: 3, AnnualSalary: d("120000")}}}
	sal := engine.Line{Account: "6000"}
	for p := range sal.Months {
		sal.Months[p] = d("50000")
	}
	sub.Lines = []engine.Line{sal}
	k, err := engine.Consolidate(c, []*engine.Submission{sub})
	require.NoError(t, err)
	history := project.HiringHistory{Requested: 10, Filled: 5, DaysToFill: []float64{45, 75}}
	m, err := model.New(c, k, []*engine.Submission{sub}, model.Spec{Hiring: []model.HiringRecord{{Department: "eng", HiringHistory: history}}})
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	require.NoError(t, err)
	people, _ := plan.Outputs().Get("eng", scenario.Headcount)
	assert.Equal(t, "2", people[2].String(), "four roles opened, half of them filled")
	ask, ok := m.HiringPlan("eng")
	require.True(t, ok)
	assert.Equal(t, 1.0, ask.FillRate, "the hiring check weighs the ask itself, every role filled")

	res, err := plan.Evaluate(scenario.Scenario{Name: "freeze", Overrides: []scenario.Override{
		scenario.Set(scenario.Selector{Driver: model.HiresDriver}, decimal.Zero).Within(1, 0)}})
	require.NoError(t, err)
	costs, _ := res.Outputs.Get("eng", scenario.Costs)
	baseCosts, _ := plan.Outputs().Get("eng", scenario.Costs)
	assert.Equal(t, "20000", baseCosts[2].Sub(costs[2]).String(), "the freeze saves two salaries a month, not four")
}

// Customer success, three people carrying 100,000 of monthly revenue each,
// covers the plan's 250,000 a month; an upside of 30% more revenue from
// July needs 325,000 and finds the bottleneck there.
func TestCapacityBindsInTheUpside(t *testing.T) {
	c := &engine.Cycle{ID: "x", Company: "X", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "sales", Name: "Sales"}, {ID: "cs", Name: "Customer success"}},
		Accounts: []engine.Account{{Code: "4000", Name: "Revenue", Type: engine.Revenue, Favourable: engine.Higher},
			{Code: "6000", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower}}}
	rev := engine.Line{Account: "4000"}
	for p := range rev.Months {
		rev.Months[p] = d("250000")
	}
	sales := &engine.Submission{Cycle: "x", Department: "sales", Lines: []engine.Line{rev}}
	cs := &engine.Submission{Cycle: "x", Department: "cs",
		Hires: []engine.Hire{{Role: "manager", Count: 3, Start: 1, AnnualSalary: d("90000")}}}
	k, err := engine.Consolidate(c, []*engine.Submission{sales, cs})
	require.NoError(t, err)
	m, err := model.New(c, k, []*engine.Submission{sales, cs}, model.Spec{
		Capacities: []model.Capacity{{Name: "customer success", Department: "cs", PerHead: d("100000"), Serves: "sales"}}})
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), m.Constraints())
	require.NoError(t, err)
	results, err := plan.EvaluateAll([]scenario.Scenario{{Name: "base", Kind: scenario.Base},
		{Name: "upside", Kind: scenario.Upside, Overrides: []scenario.Override{
			scenario.Multiply(model.AccountSelector("sales", "4000"), d("1.3")).Within(7, 0)}}})
	require.NoError(t, err)
	assert.Empty(t, results[0].Bindings, "the plan fits")
	require.Len(t, results[1].Bindings, 1)
	b := results[1].Bindings[0]
	assert.Equal(t, "cs", b.Department)
	assert.Equal(t, []engine.Period{7, 8, 9, 10, 11, 12}, b.Months)
	assert.Equal(t, "25000", b.Shortfall.String(), "325,000 of revenue against 300,000 of capacity")
}

// A launch that slips by three months ramps three months later: each
// month's launch revenue and cost is the plan's of three months before,
// and none comes before the slip ends.
func TestSlippedLaunchRampsLater(t *testing.T) {
	c := &engine.Cycle{ID: "x", Company: "X", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "eng", Name: "Engineering"}},
		Accounts:    []engine.Account{{Code: "4000", Name: "Revenue", Type: engine.Revenue, Favourable: engine.Higher}}}
	rev := engine.Line{Account: "4000"}
	for p := range rev.Months {
		rev.Months[p] = d("100000")
	}
	sub := &engine.Submission{Cycle: "x", Department: "eng", Lines: []engine.Line{rev}}
	k, err := engine.Consolidate(c, []*engine.Submission{sub})
	require.NoError(t, err)
	launch := curves.Launch{Price: d("1000"), Ramp: curves.Ramp{Curve: curves.Logistic{Max: 20, K: 1, Midpoint: 4}, Start: 1},
		GoToMarket: curves.Spend{Total: d("12000"), From: 1, Months: 12}}
	in := model.Initiative{Name: "apollo", Department: "eng", Kind: model.Launch, Launch: &launch}
	launchRev, launchCost, err := in.Lines(engine.MonthsPerYear)
	require.NoError(t, err)
	m, err := model.New(c, k, []*engine.Submission{sub}, model.Spec{Initiatives: []model.Initiative{in}})
	require.NoError(t, err)
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	require.NoError(t, err)
	res, err := plan.Evaluate(scenario.Scenario{Name: "slip", Overrides: []scenario.Override{
		scenario.ShiftSwitch(model.InitiativeSwitch("apollo"), 3).Within(0, 0)}})
	require.NoError(t, err)
	revenue, _ := res.Outputs.Get("eng", scenario.Revenue)
	costs, _ := res.Outputs.Get("eng", scenario.Costs)
	baseRevenue, _ := plan.Outputs().Get("eng", scenario.Revenue)
	baseCosts, _ := plan.Outputs().Get("eng", scenario.Costs)
	for m := range engine.MonthsPerYear {
		wantRev, wantCost := baseRevenue[m].Sub(launchRev[m]), baseCosts[m].Sub(launchCost[m])
		if m >= 3 {
			wantRev, wantCost = wantRev.Add(launchRev[m-3]), wantCost.Add(launchCost[m-3])
		}
		assert.True(t, revenue[m].Equal(wantRev), "month %d revenue: %s, want %s", m+1, revenue[m], wantRev)
		assert.True(t, costs[m].Equal(wantCost), "month %d costs: %s, want %s", m+1, costs[m], wantCost)
	}
}
