package scenario_test

import (
	"testing"

	"aop/engine"
	"aop/engine/scenario"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revenueBelowPlan is "trailing-3-month revenue < 92% of plan for 2
// consecutive months".
func revenueBelowPlan(pb scenario.Playbook) scenario.Trigger {
	return scenario.Trigger{
		Name: "revenue below plan", Metric: scenario.Revenue, Trailing: 3, OfPlan: true,
		Compare: scenario.Below, Threshold: d("0.92"), Persistence: 2, Playbook: pb,
	}
}

var discretionary = scenario.Selector{Driver: opex}

// downsidePlaybook freezes hiring and pauses initiative x from the month
// after the response starts, pauses y the month after that, and cuts
// discretionary opex 10% for two months, then 20%.
var downsidePlaybook = scenario.Playbook{Name: "downside", Actions: []scenario.Action{
	{Name: "freeze hiring", Lead: 1, Changes: []scenario.Change{scenario.Set(scenario.Selector{Driver: hires}, decimal.Zero)}},
	{Name: "pause initiative x", Lead: 1, Changes: []scenario.Change{scenario.Pause("initiative:x")}},
	{Name: "pause initiative y", Lead: 2, Changes: []scenario.Change{scenario.Pause("initiative:y")}},
	{Name: "cut opex 10% within 30 days", Lead: 1, Months: 2, Changes: []scenario.Change{scenario.Multiply(discretionary, d("0.9"))}},
	{Name: "cut opex 20% within 90 days", Lead: 3, Changes: []scenario.Change{scenario.Multiply(discretionary, d("0.8"))}},
}}

// winRatesFall is a 20% fall of every win rate from month 4: the company's
// revenue goes from 45,000 to 36,000 a month, so the trailing-3-month ratio
// to plan is 0.933 in month 4, 0.867 in month 5 and 0.8 from month 6.
var winRatesFall = []scenario.Override{scenario.Multiply(scenario.Selector{Driver: winRate}, d("0.8")).Within(4, 0)}

func TestTriggerString(t *testing.T) {
	assert.Equal(t, "trailing-3-month revenue < 92% of plan for 2 consecutive months", revenueBelowPlan(downsidePlaybook).String())
	assert.Equal(t, "trailing-2-month average costs of eng >= 90000",
		scenario.Trigger{Department: "eng", Metric: scenario.Costs, Trailing: 2, Average: true, Compare: scenario.AtLeast, Threshold: d("90000")}.String())
}

func TestDownsidePlaybookTakesEffectFromTheRightMonths(t *testing.T) {
	p := newPlan(t, flatInputs())
	res, err := p.Evaluate(scenario.Scenario{
		Name: "downside", Kind: scenario.Downside, Overrides: winRatesFall,
		Triggers: []scenario.Trigger{revenueBelowPlan(downsidePlaybook)},
	})
	require.NoError(t, err)

	require.Len(t, res.Fired, 1)
	f := res.Fired[0]
	assert.Equal(t, "revenue below plan", f.Trigger)
	assert.Equal(t, "downside", f.Playbook)
	assert.Equal(t, engine.Period(6), f.Month, "months 5 and 6 are below 92%")
	assert.Equal(t, "0.8", f.Value.String())
	assert.Equal(t, engine.Period(6), f.Response)
	assert.Equal(t, []scenario.Taken{
		{Action: "freeze hiring", InEffect: true, From: 7, To: 12},
		{Action: "pause initiative x", InEffect: true, From: 7, To: 12},
		{Action: "pause initiative y", InEffect: true, From: 8, To: 12},
		{Action: "cut opex 10% within 30 days", InEffect: true, From: 7, To: 8},
		{Action: "cut opex 20% within 90 days", InEffect: true, From: 9, To: 12},
	}, f.Actions)

	get := func(o scenario.Outputs, dept, metric string) scenario.Series {
		s, ok := o.Get(dept, metric)
		require.True(t, ok)
		return s
	}
	// Sales: 10 people + 1 hire a month at 1,000; opex 2,000; initiative x
	// 5,000. Eng: 20 + 2 a month at 1,500; opex 3,000; initiative y 4,000.
	requireSeries(t, series("11", "12", "13", "14", "15", "16", "16", "16", "16", "16", "16", "16"),
		get(res.Outputs, "sales", scenario.Headcount), "sales headcount")
	requireSeries(t, series("11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22"),
		get(res.WithoutPlaybooks, "sales", scenario.Headcount), "sales headcount without the playbook")
	requireSeries(t, series("18000", "19000", "20000", "21000", "22000", "23000", "17800", "17800", "17600", "17600", "17600", "17600"),
		get(res.Outputs, "sales", scenario.Costs), "sales costs")
	requireSeries(t, series("40000", "43000", "46000", "49000", "52000", "55000", "54700", "50700", "50400", "50400", "50400", "50400"),
		get(res.Outputs, "eng", scenario.Costs), "eng costs")
	requireSeries(t, get(res.WithoutPlaybooks, scenario.Company, scenario.Revenue), get(res.Outputs, scenario.Company, scenario.Revenue), "revenue")

	// The effects name exactly the series the playbook changed, and only
	// from month 7.
	var changed []scenario.MetricKey
	for _, e := range res.Effects {
		changed = append(changed, e.MetricKey)
		for i := range 6 {
			assert.True(t, e.Months[i].IsZero(), "%v changed in month %d", e.MetricKey, i+1)
		}
	}
	key := func(dept, metric string) scenario.MetricKey {
		return scenario.MetricKey{Department: dept, Metric: metric}
	}
	assert.Equal(t, []scenario.MetricKey{
		key(scenario.Company, capacity), key("eng", capacity), key("sales", capacity),
		key(scenario.Company, scenario.Cash), key("eng", scenario.Cash), key("sales", scenario.Cash),
		key(scenario.Company, scenario.Costs), key("eng", scenario.Costs), key("sales", scenario.Costs),
		key(scenario.Company, scenario.Headcount), key("eng", scenario.Headcount), key("sales", scenario.Headcount),
	}, changed)
	for _, e := range res.Effects {
		if e.MetricKey == key(scenario.Company, scenario.Headcount) {
			assert.Equal(t, "-18", e.Year.String(), "a balance's year figure is its last month: 6 fewer in sales, 12 in eng")
		}
		if e.MetricKey == key("sales", scenario.Costs) {
			assert.Equal(t, "-6200", e.Months[6].String())
			assert.Equal(t, "-53000", e.Year.String())
		}
	}
}

func TestPersistenceIgnoresASingleBadMonth(t *testing.T) {
	p := newPlan(t, flatInputs())
	badMonth := []scenario.Override{scenario.Set(scenario.Selector{Driver: winRate}, d("0.1")).Within(5, 5)}
	trigger := func(persistence int) scenario.Trigger {
		return scenario.Trigger{Name: "monthly revenue below plan", Metric: scenario.Revenue, OfPlan: true,
			Compare: scenario.Below, Threshold: d("0.92"), Persistence: persistence, Playbook: downsidePlaybook}
	}

	res, err := p.Evaluate(scenario.Scenario{Name: "blip", Overrides: badMonth, Triggers: []scenario.Trigger{trigger(2)}})
	require.NoError(t, err)
	assert.Empty(t, res.Fired)
	assert.Empty(t, res.Effects)
	requireSameOutputs(t, res.WithoutPlaybooks, res.Outputs)

	res, err = p.Evaluate(scenario.Scenario{Name: "blip", Overrides: badMonth, Triggers: []scenario.Trigger{trigger(1)}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, engine.Period(5), res.Fired[0].Month)
	assert.Equal(t, "0.311111", res.Fired[0].Value.String(), "14,000 of 45,000")

	// Two bad months in a row fire a persistence of 2 in the second.
	twoMonths := []scenario.Override{scenario.Set(scenario.Selector{Driver: winRate}, d("0.1")).Within(5, 6)}
	res, err = p.Evaluate(scenario.Scenario{Name: "slump", Overrides: twoMonths, Triggers: []scenario.Trigger{trigger(2)}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, engine.Period(6), res.Fired[0].Month)
}

func TestLagAndLeadTimes(t *testing.T) {
	p := newPlan(t, flatInputs())
	freeze := scenario.Playbook{Name: "freeze", Actions: []scenario.Action{
		{Name: "freeze hiring", Lead: 1, Changes: []scenario.Change{scenario.Set(scenario.Selector{Driver: hires}, decimal.Zero)}},
		{Name: "too late", Lead: 7, Changes: []scenario.Change{scenario.Pause("initiative:*")}},
	}}
	trig := revenueBelowPlan(freeze)
	trig.Lag = 2 // fires in month 6, responds in month 8, freezes from month 9
	res, err := p.Evaluate(scenario.Scenario{Name: "downside", Overrides: winRatesFall, Triggers: []scenario.Trigger{trig}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	f := res.Fired[0]
	assert.Equal(t, engine.Period(6), f.Month)
	assert.Equal(t, engine.Period(8), f.Response)
	assert.Equal(t, []scenario.Taken{
		{Action: "freeze hiring", InEffect: true, From: 9, To: 12},
		{Action: "too late", From: 15},
	}, f.Actions)
	hc, _ := res.Outputs.Get("sales", scenario.Headcount)
	requireSeries(t, series("11", "12", "13", "14", "15", "16", "17", "18", "18", "18", "18", "18"), hc, "sales headcount")
	costs, _ := res.Outputs.Get(scenario.Company, scenario.Costs)
	without, _ := res.WithoutPlaybooks.Get(scenario.Company, scenario.Costs)
	requireSeries(t, without[:8], costs[:8], "company costs before the freeze")
	assert.True(t, costs[8].LessThan(without[8]), "the freeze lowers costs in month 9")

	// A response that starts after the horizon changes nothing.
	trig.Lag = 6
	res, err = p.Evaluate(scenario.Scenario{Name: "downside", Overrides: winRatesFall, Triggers: []scenario.Trigger{trig}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, engine.Period(12), res.Fired[0].Response)
	assert.Equal(t, []scenario.Taken{{Action: "freeze hiring", From: 13}, {Action: "too late", From: 19}}, res.Fired[0].Actions)
	assert.Empty(t, res.Effects)
}

func TestTriggersFireInMonthOrderOnceAndSeeEarlierPlaybooks(t *testing.T) {
	p := newPlan(t, flatInputs())
	// The company's costs are 54,000 + 4,000·month: above 85,000 from
	// month 8 unless hiring stops first.
	costsHigh := scenario.Trigger{Name: "costs high", Metric: scenario.Costs, Compare: scenario.Above, Threshold: d("85000"),
		Playbook: scenario.Playbook{Name: "cut opex", Actions: []scenario.Action{
			{Name: "cut opex", Changes: []scenario.Change{scenario.Multiply(discretionary, d("0.5"))}},
		}}}
	revenueLow := revenueBelowPlan(downsidePlaybook)

	res, err := p.Evaluate(scenario.Scenario{Name: "costs only", Overrides: winRatesFall, Triggers: []scenario.Trigger{costsHigh}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, engine.Period(8), res.Fired[0].Month)
	assert.Equal(t, "86000", res.Fired[0].Value.String())

	// Listed first but later in time, costsHigh waits for revenueLow, whose
	// hiring freeze keeps costs below the threshold: it never fires.
	res, err = p.Evaluate(scenario.Scenario{Name: "both", Overrides: winRatesFall, Triggers: []scenario.Trigger{costsHigh, revenueLow}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, "revenue below plan", res.Fired[0].Trigger)

	// A trigger fires once even when its condition holds again later.
	always := scenario.Trigger{Name: "always", Metric: scenario.Revenue, Compare: scenario.Above, Threshold: decimal.Zero,
		Playbook: scenario.Playbook{Name: "trim", Actions: []scenario.Action{
			{Name: "trim opex", Months: 1, Changes: []scenario.Change{scenario.Multiply(discretionary, d("0.99"))}},
		}}}
	res, err = p.Evaluate(scenario.Scenario{Name: "once", Triggers: []scenario.Trigger{always}})
	require.NoError(t, err)
	require.Len(t, res.Fired, 1)
	assert.Equal(t, engine.Period(1), res.Fired[0].Month)
	assert.Equal(t, []scenario.Taken{{Action: "trim opex", InEffect: true, From: 1, To: 1}}, res.Fired[0].Actions)
}

func TestTriggerValidation(t *testing.T) {
	p := newPlan(t, flatInputs())
	cases := []struct {
		name string
		edit func(*scenario.Trigger)
		want string
	}{
		{"unknown metric", func(t *scenario.Trigger) { t.Metric = "bookings" }, "the model emits no bookings for the company"},
		{"unknown department", func(t *scenario.Trigger) { t.Department = "legal" }, "no revenue for department legal"},
		{"unknown comparison", func(t *scenario.Trigger) { t.Compare = "≠" }, "unknown comparison"},
		{"window too long", func(t *scenario.Trigger) { t.Trailing = 13 }, "longer than the 12-month horizon"},
		{"playbook typo", func(t *scenario.Trigger) {
			t.Playbook = scenario.Playbook{Name: "p", Actions: []scenario.Action{{Name: "a", Changes: []scenario.Change{scenario.Pause("initative:x")}}}}
		}, "pause initative:x acts on nothing"},
		{"empty playbook", func(t *scenario.Trigger) { t.Playbook = scenario.Playbook{Name: "p"} }, "no actions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trig := revenueBelowPlan(downsidePlaybook)
			tc.edit(&trig)
			_, err := p.Evaluate(scenario.Scenario{Name: "s", Triggers: []scenario.Trigger{trig}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
