package scenario_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"aop/engine/scenario"

	"github.com/shopspring/decimal"
)

// scenarioSet is base, upside, downside and two events, each of the last
// three with triggers and playbooks.
func scenarioSet() []scenario.Scenario {
	all := func(driver string) scenario.Selector { return scenario.Selector{Driver: driver} }
	freeze := scenario.Action{Name: "freeze hiring", Lead: 1, Changes: []scenario.Change{scenario.Set(all(hires), decimal.Zero)}}
	cut := func(lead, months int, f string) scenario.Action {
		return scenario.Action{Name: "cut opex", Lead: lead, Months: months, Changes: []scenario.Change{scenario.Multiply(all(opex), d(f))}}
	}
	pause := func(pattern string) scenario.Action {
		return scenario.Action{Name: "pause " + pattern, Lead: 2, Changes: []scenario.Change{scenario.Pause(pattern)}}
	}
	return []scenario.Scenario{
		{Name: "base", Kind: scenario.Base},
		{Name: "upside", Kind: scenario.Upside, Overrides: []scenario.Override{scenario.Multiply(all(pipeline), d("1.2")).Within(0, 0)}},
		{Name: "downside", Kind: scenario.Downside, Overrides: winRatesFall, Triggers: []scenario.Trigger{
			revenueBelowPlan(scenario.Playbook{Name: "downside", Actions: []scenario.Action{freeze, pause("initiative:*2"), cut(1, 2, "0.9"), cut(3, 0, "0.8")}}),
		}},
		{Name: "competitor launch", Kind: scenario.Event,
			Overrides: []scenario.Override{scenario.Multiply(scenario.Selector{Department: "*1", Driver: winRate}, d("0.7")).Within(6, 0)},
			Triggers: []scenario.Trigger{{Name: "revenue dips", Metric: scenario.Revenue, OfPlan: true, Compare: scenario.Below,
				Threshold: d("0.99"), Lag: 1, Playbook: scenario.Playbook{Name: "defend", Actions: []scenario.Action{pause("initiative:*"), cut(0, 0, "0.95")}}}},
		},
		{Name: "supply disruption", Kind: scenario.Event,
			Overrides: []scenario.Override{
				scenario.Shift(scenario.Selector{Department: "*2", Driver: pipeline}, 2).Within(5, 0),
				scenario.Multiply(all(costPerHead), d("1.05")).Within(5, 0),
			},
			Triggers: []scenario.Trigger{{Name: "costs run high", Metric: scenario.Costs, Trailing: 2, Average: false, OfPlan: true,
				Compare: scenario.Above, Threshold: d("1.01"), Persistence: 2, Playbook: scenario.Playbook{Name: "freeze", Actions: []scenario.Action{freeze}}}},
		},
	}
}

// BenchmarkScenarioSet times projecting the base and evaluating the five
// scenarios of scenarioSet, on a demo-sized company and on one of 1,000
// departments.
func BenchmarkScenarioSet(b *testing.B) {
	for _, depts := range []int{10, 1000} {
		b.Run(fmt.Sprintf("departments=%d", depts), func(b *testing.B) {
			in := randomInputs(rand.New(rand.NewPCG(1, 2)), depts, 12)
			set := scenarioSet()
			fired := 0
			for b.Loop() {
				p, err := scenario.NewPlan(toyModel, in, []scenario.Constraint{{Name: "delivery", Capacity: capacity, Demand: scenario.Revenue}})
				if err != nil {
					b.Fatal(err)
				}
				rs, err := p.EvaluateAll(set)
				if err != nil {
					b.Fatal(err)
				}
				fired = 0
				for _, r := range rs {
					fired += len(r.Fired)
				}
			}
			b.ReportMetric(float64(fired), "fired")
		})
	}
}

// BenchmarkMonteCarlo times 10,000 runs of a demo-sized company: 10
// departments, 20 uncertain drivers.
func BenchmarkMonteCarlo(b *testing.B) {
	in := randomInputs(rand.New(rand.NewPCG(1, 2)), 10, 12)
	p, err := scenario.NewPlan(toyModel, in, nil)
	if err != nil {
		b.Fatal(err)
	}
	mc := scenario.MonteCarlo{Runs: 10_000, Seed: 1, Ranges: demoRanges(in)}
	for b.Loop() {
		if _, err := p.Simulate(mc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(mc.Runs)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
