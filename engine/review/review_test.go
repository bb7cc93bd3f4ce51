package review_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/review"
	"aop/engine/review/reviewtest"
	"aop/engine/scenario"
	"aop/engine/variance"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fixture is reviewtest's quarter on a cycle of its own (a January
// fiscal year).
func fixture() review.Input {
	return reviewtest.Quarter(&engine.Cycle{ID: "c", Company: "C", Currency: "USD", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "sales", Name: "Sales"}, {ID: "ops", Name: "Ops"}},
		Accounts: []engine.Account{{Code: "4000", Name: "Subscriptions", Type: engine.Revenue},
			{Code: "6000", Name: "Travel", Type: engine.OpEx}}})
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
	assert.Equal(t, "Offsite paid in the second month", opex.Explanation)
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

// A stored report shows what a department said after it was made, for
// its last closed month only.
func TestReportExplain(t *testing.T) {
	in := fixture()
	in.Explanations = nil
	r, err := review.Close(in)
	require.NoError(t, err)
	require.Empty(t, line(t, r, "sales", "6000").Explanation)

	r.Explain([]review.Explanation{
		{Department: "sales", Account: "6000", Period: 3, Text: "Offsite paid in the second month"},
		{Department: "sales", Account: "4000", Period: 2, Text: "said of an earlier month"},
		{Department: "ops", Account: "6000", Period: 3, Text: ""},
	})
	assert.Equal(t, "Offsite paid in the second month", line(t, r, "sales", "6000").Explanation)
	assert.Empty(t, line(t, r, "sales", "4000").Explanation, "month 2 is not the close's month")
	assert.Empty(t, line(t, r, "ops", "6000").Explanation)

	r.Explain(nil)
	assert.Empty(t, line(t, r, "sales", "6000").Explanation, "withdrawn")
}

// A report is stored as JSON and read back for every tab written later:
// a line without a plan (its percent undefined, NaN) must survive that.
func TestReportJSONRoundTrip(t *testing.T) {
	r, err := review.Close(fixture())
	require.NoError(t, err)
	unplanned := line(t, r, "ops", "4000")
	require.True(t, math.IsNaN(float64(unplanned.YTDPercent)), "no plan, no percent")

	data, err := json.Marshal(r)
	require.NoError(t, err)
	var back review.Report
	require.NoError(t, json.Unmarshal(data, &back))
	again, err := json.Marshal(&back)
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(again))
	l := line(t, &back, "ops", "4000")
	assert.True(t, math.IsNaN(float64(l.YTDPercent)))
	assert.True(t, math.IsNaN(float64(l.Months[1].Percent)), "1,000 in month 2, without a plan")
	assert.Equal(t, line(t, r, "sales", "4000").YTDPercent, line(t, &back, "sales", "4000").YTDPercent)
	assert.Equal(t, "1000", l.YTDVariance.String())
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
