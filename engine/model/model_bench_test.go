package model_test

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"aop/engine/model"
	"aop/engine/scenario"
)

// BenchmarkScenarios1000 evaluates a base, an upside, a downside with a
// revenue trigger and a hiring-freeze playbook, and an event over a plan
// of 1,000 departments.
func BenchmarkScenarios1000(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	c, k, subs := genPlan(b, r, 20, 50)
	m, err := model.New(c, k, subs, model.Spec{})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	if err != nil {
		b.Fatal(err)
	}
	revenue := model.AccountSelector("*", "4000")
	respond := scenario.Playbook{Name: "respond", Actions: []scenario.Action{
		{Name: "freeze hiring", Lead: 1, Changes: []scenario.Change{scenario.Set(scenario.Selector{Driver: model.HiresDriver}, decimal.Zero)}},
		{Name: "cut G2", Lead: 1, Changes: []scenario.Change{scenario.Multiply(model.GroupSelector("", "G2"), d("0.9"))}},
	}}
	scenarios := []scenario.Scenario{
		{Name: "base", Kind: scenario.Base},
		{Name: "upside", Kind: scenario.Upside, Overrides: []scenario.Override{scenario.Multiply(revenue, d("1.08")).Within(4, 0)}},
		{Name: "downside", Kind: scenario.Downside, Overrides: []scenario.Override{scenario.Multiply(revenue, d("0.8")).Within(4, 0)},
			Triggers: []scenario.Trigger{{Name: "slump", Metric: scenario.Revenue, Trailing: 3, OfPlan: true, Compare: scenario.Below,
				Threshold: d("0.92"), Persistence: 2, Playbook: respond}}},
		{Name: "event", Kind: scenario.Event, Overrides: []scenario.Override{scenario.Multiply(revenue, d("0.95")).Within(7, 0)}},
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := plan.EvaluateAll(scenarios)
		if err != nil {
			b.Fatal(err)
		}
		if len(res[2].Fired) != 1 {
			b.Fatalf("the downside's trigger did not fire: %+v", res[2].Fired)
		}
	}
}
