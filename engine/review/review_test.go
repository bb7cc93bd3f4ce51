package review_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/actuals"
	"aop/engine/model"
	"aop/engine/review"
	"aop/engine/scenario"
	"aop/engine/variance"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func every(v string) (m [engine.MonthsPerYear]decimal.Decimal) {
	for i := range m {
		m[i] = d(v)
	}
	return m
}

func driver(name, v string) engine.Driver {
	dr := engine.Driver{Name: name}
	for i := range dr.Months {
		x := d(v)
		dr.Months[i] = &x
	}
	return dr
}

// fixture is a quarter of a small company, worked by hand:
//
// Sales plans revenue (4000) of 100,000 and opex (6000) of 50,000 a month,
// from a pipeline of 200,000 a month won at 25% with deals of 10,000
// closing a month later: 50,000 of bookings a month from month 2. The
// quarter brings a pipeline of 150,000 a month (the win rate holds), so
// the drivers imply 37,500 in months 2 and 3: the flexed plan is 25,000
// below the plan to date, all of it the pipeline's. Revenue comes in at
// 100,000, 95,000 and 92,000 (−13,000 to date: −25,000 assumption,
// +12,000 execution). Opex comes in at 50,000, 60,000 and 40,000: month
// 3's −10,000 nets to zero in the quarter (timing). Ops plans 30,000 of
// opex a month and spends exactly that, and books an unplanned 1,000 of
// revenue in month 2.
func fixture() review.Input {
	c := &engine.Cycle{ID: "c", Company: "C", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "sales", Name: "Sales"}, {ID: "ops", Name: "Ops"}},
		Accounts: []engine.Account{{Code: "4000", Name: "Subscriptions", Type: engine.Revenue},
			{Code: "6000", Name: "Travel", Type: engine.OpEx}}}
	sales := &engine.Submission{Department: "sales",
		Lines: []engine.Line{{Account: "4000", Months: every("100000")}, {Account: "6000", Months: every("50000")}},
		Drivers: []engine.Driver{driver(model.PipelineDriver, "200000"), driver(model.WinRateDriver, "0.25"),
			driver(model.DealSizeDriver, "10000"), driver(model.SalesCycleDriver, "1")},
		Assumptions: []engine.Assumption{
			{Driver: "Pipeline growth", From: "15%", To: "20%", Status: engine.Changed, Indicator: "Pipeline growth"},
			{Driver: "Pipeline", To: "200,000 a month", Status: engine.Maintained, Indicator: "pipeline"},
			{Driver: "Win rate", To: "25%", Status: engine.Maintained, Indicator: "win rate"},
			{Driver: "Team", To: "stays", Risk: "the seniors leave"},
		}}
	ops := &engine.Submission{Department: "ops", Lines: []engine.Line{{Account: "6000", Months: every("30000")}}}

	revenue := []string{"100000", "95000", "92000"}
	opex := []string{"50000", "60000", "40000"}
	growth := map[int]string{1: "0.15", 3: "0.12"}
	var sets []*actuals.Set
	for m := 1; m <= 3; m++ {
		s := actuals.NewSet(actuals.Period{Year: 2027, Month: engine.Period(m)}, "USD")
		s.Add(actuals.Amount{Department: "sales", Account: "4000", Amount: d(revenue[m-1])})
		s.Add(actuals.Amount{Department: "sales", Account: "6000", Amount: d(opex[m-1])})
		s.Add(actuals.Amount{Department: "ops", Account: "6000", Amount: d("30000")})
		if m == 2 {
			s.Add(actuals.Amount{Department: "ops", Account: "4000", Amount: d("1000")})
		}
		s.AddIndicator(actuals.Indicator{Name: model.PipelineDriver, Department: "sales", Value: d("150000")})
		s.AddIndicator(actuals.Indicator{Name: model.WinRateDriver, Department: "sales", Value: d("0.25")})
		if g, ok := growth[m]; ok {
			s.AddIndicator(actuals.Indicator{Name: "pipeline_growth", Department: "sales", Value: d(g)})
		}
		sets = append(sets, s)
	}
	policy := review.DefaultPolicy()
	policy.ExplainAmount = d("5000")
	freeze := scenario.Playbook{Name: "protect-margin", Actions: []scenario.Action{
		{Name: "freeze hiring", Lead: 1, Changes: []scenario.Change{scenario.Set(scenario.Selector{Driver: "hires"}, decimal.Zero)}}}}
	return review.Input{
		Cycle: c, Plans: []*engine.Submission{sales, ops}, Book: actuals.NewBook(sets...), Policy: policy,
		Triggers: []scenario.Trigger{
			{Name: "sales-slip", Department: "sales", Metric: scenario.Revenue, OfPlan: true, Compare: scenario.Below,
				Threshold: d("0.96"), Persistence: 2, Lag: 1, Playbook: freeze},
			{Name: "cost-overrun", Department: scenario.Company, Metric: scenario.Costs, OfPlan: true, Compare: scenario.Above,
				Threshold: d("1.1"), Playbook: scenario.Playbook{Name: "review-spend"}},
			{Name: "never", Department: "sales", Metric: scenario.Revenue, Compare: scenario.Below, Threshold: d("1")},
		},
		History: []accuracy.History{{Department: "sales", Line: accuracy.Revenue,
			Forecast: []decimal.Decimal{d("100"), d("100"), d("100")}, Actual: []decimal.Decimal{d("90"), d("91"), d("89")}}},
		Explanations: []review.Explanation{{Department: "sales", Account: "6000", Period: 3, Text: "Offsite paid in February"}},
	}
}

func line(t *testing.T, r *review.Report, dept, account string) review.Line {
	t.Helper()
	for _, dep := range r.Departments {
		if dep.ID != dept {
			continue
		}
		for _, l := range dep.Lines {
			if l.Account == account {
				return l
			}
		}
	}
	t.Fatalf("no line %s/%s", dept, account)
	return review.Line{}
}

func TestClose(t *testing.T) {
	r, err := review.Close(fixture())
	require.NoError(t, err)
	assert.Equal(t, 3, r.Closed)
	assert.Equal(t, actuals.Period{Year: 2027, Month: 3}, r.Close)

	rev := line(t, r, "sales", "4000")
	assert.Equal(t, "287000", rev.YTDActual.String())
	assert.Equal(t, "300000", rev.YTDPlan.String())
	assert.Equal(t, "-13000", rev.YTDVariance.String())
	assert.False(t, rev.YTDFavourable)
	assert.Equal(t, "1187000", rev.Outlook.String(), "287,000 to date + 9 × 100,000 of plan")
	assert.Equal(t, "-25000", rev.Assumption.String(), "the pipeline's shortfall moves the flexed plan")
	assert.Equal(t, "12000", rev.Execution.String(), "the team sold more than the pipeline it had implies")
	assert.True(t, rev.Assumption.Add(rev.Execution).Equal(rev.YTDVariance), "the reasons add up to the variance")
	assert.Equal(t, variance.Permanent, rev.Timing, "revenue stays behind over the quarter")
	assert.True(t, rev.Explain, "month 3 is 8,000 and 8%% below plan")

	sales := r.Departments[0]
	require.Equal(t, "sales", sales.ID)
	require.Len(t, sales.Drivers, 2, "pipeline and win rate have actuals")
	assert.Equal(t, review.DriverEffect{Driver: "pipeline", Effect: d("-25000")}.Driver, sales.Drivers[0].Driver)
	assert.Equal(t, "-25000", sales.Drivers[0].Effect.String())
	assert.Equal(t, "0", sales.Drivers[1].Effect.String(), "the win rate held")

	opex := line(t, r, "sales", "6000")
	assert.Equal(t, "0", opex.YTDVariance.String())
	assert.Equal(t, variance.Timing, opex.Timing, "month 3's underspend nets out in the quarter")
	assert.True(t, opex.Explain, "−10,000 and −20% in month 3")
	assert.Equal(t, "Offsite paid in February", opex.Explanation)
	assert.True(t, opex.Assumption.IsZero(), "costs have no external driver")

	unplanned := line(t, r, "ops", "4000")
	assert.Equal(t, "1000", unplanned.YTDVariance.String(), "actuals without a plan still show")
	assert.False(t, line(t, r, "ops", "6000").Explain, "on plan")

	require.Len(t, r.Company, 2)
	assert.Equal(t, engine.Revenue, r.Company[0].Type)
	assert.Equal(t, "288000", r.Company[0].YTDActual.String())
	assert.Equal(t, "240000", r.Company[1].YTDActual.String(), "sales 150,000 and ops 90,000")
	assert.Equal(t, "240000", r.Company[1].YTDPlan.String())
}

func TestCloseWarnsBeforeResultsMiss(t *testing.T) {
	r, err := review.Close(fixture())
	require.NoError(t, err)
	require.Len(t, r.Warnings, 3, "the register's fourth assumption names no indicator")
	byName := map[string]review.Warning{}
	for _, w := range r.Warnings {
		byName[w.Indicator] = w
	}
	g := byName["pipeline_growth"]
	assert.Equal(t, review.Breaking, g.Status)
	assert.Equal(t, "0.2", g.Assumed.String())
	assert.Equal(t, "0.12", g.Actual.String(), "the latest month's value")
	assert.InDelta(t, 0.4, g.Shortfall, 1e-9)
	assert.True(t, g.ResultsOnPlan, "revenue is 4.3% behind: not material yet, the indicator warns first")

	p := byName["pipeline"]
	assert.Equal(t, review.Breaking, p.Status)
	assert.Equal(t, "600000", p.Assumed.String(), "three planned months")
	assert.Equal(t, "450000", p.Actual.String())
	assert.Equal(t, 3, p.Months)

	assert.Equal(t, review.OnTrack, byName["win_rate"].Status)
	assert.Equal(t, "0.25", byName["win_rate"].Assumed.String(), "a rate reads as the months' average")
	assert.Equal(t, review.OnTrack, r.Warnings[2].Status, "the worst come first")
}

func TestCloseFiresTriggersOnActuals(t *testing.T) {
	r, err := review.Close(fixture())
	require.NoError(t, err)
	require.Len(t, r.Firings, 2, "the third trigger's figure never goes below 1")
	costs, slip := r.Firings[0], r.Firings[1]
	assert.Equal(t, "cost-overrun", costs.Trigger)
	assert.Equal(t, engine.Period(2), costs.Month, "90,000 against 80,000 of plan")
	assert.Equal(t, "1.125", costs.Value.String())

	assert.Equal(t, "sales-slip", slip.Trigger)
	assert.Equal(t, "protect-margin", slip.Playbook)
	assert.Equal(t, engine.Period(3), slip.Month, "95% in month 2 and 92% in month 3")
	assert.Equal(t, "0.92", slip.Value.String())
	assert.Equal(t, engine.Period(4), slip.Response)
	require.Len(t, slip.Actions, 1)
	assert.Equal(t, scenario.Taken{Action: "freeze hiring", InEffect: true, From: 5, To: 12}, slip.Actions[0])
}

func TestCloseExtendsAccuracy(t *testing.T) {
	r, err := review.Close(fixture())
	require.NoError(t, err)
	periods := map[string]int{}
	for _, a := range r.Accuracy {
		periods[a.Department+"/"+a.Line.String()] = a.Periods
	}
	assert.Equal(t, map[string]int{"sales/revenue": 6, "sales/cost": 3, "ops/revenue": 3, "ops/cost": 3}, periods)
}

// With nothing closed there is nothing to compare, warn of or fire.
func TestCloseBeforeTheFirstClose(t *testing.T) {
	in := fixture()
	in.Book = actuals.NewBook()
	r, err := review.Close(in)
	require.NoError(t, err)
	assert.Zero(t, r.Closed)
	assert.Empty(t, r.Warnings)
	assert.Empty(t, r.Firings)
	for _, dep := range r.Departments {
		for _, l := range dep.Lines {
			assert.Empty(t, l.Months)
			assert.False(t, l.Explain)
		}
	}
}
