// Package reviewtest holds a close worked by hand, for the tests of
// engine/review and of the tabs that show a close.
package reviewtest

import (
	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/actuals"
	"aop/engine/model"
	"aop/engine/review"
	"aop/engine/scenario"
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

// Quarter is a quarter of a small company, worked by hand, on a cycle
// that has departments sales and ops, a revenue account 4000 and a cost
// account 6000, and whose fiscal year 2027 the quarter opens:
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
func Quarter(c *engine.Cycle) review.Input {
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
		Explanations: []review.Explanation{{Department: "sales", Account: "6000", Period: 3, Text: "Offsite paid in the second month"}},
	}
}
