package main

import (
	"testing"

	"aop/cmd/internal/cyclefile"
	"aop/engine"
	"aop/engine/model"
	"aop/engine/review"
	"aop/engine/scenario"
)

// BenchmarkMonteCarloDemo runs 10,000 Monte Carlo runs of the demo
// company's ranges over its projected plan (submissions built in memory,
// no workbooks).
func BenchmarkMonteCarloDemo(b *testing.B) {
	cf, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	if err != nil {
		b.Fatal(err)
	}
	c := cf.Cycle
	var subs []*engine.Submission
	for _, d := range c.Leaves() {
		subs = append(subs, demoSubmission(c, d.ID))
	}
	k, err := engine.Consolidate(c, subs)
	if err != nil {
		b.Fatal(err)
	}
	m, err := model.New(c, k, subs, cf.Planning)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := scenario.NewPlan(m, m.Inputs(), nil)
	if err != nil {
		b.Fatal(err)
	}
	mc, _ := cf.Planning.Simulation()
	mc.Runs = 10_000
	b.ResetTimer()
	for b.Loop() {
		if _, err := plan.Simulate(mc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDemoClose reviews the demo company's year-end close: twelve
// closed months of its nine departments against their plans, with the
// flexed driver plan, the warnings, the triggers and the accuracy records.
func BenchmarkDemoClose(b *testing.B) {
	cf, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	if err != nil {
		b.Fatal(err)
	}
	in := demoCloseInput(b, cf, engine.MonthsPerYear)
	b.ResetTimer()
	for b.Loop() {
		if _, err := review.Close(in); err != nil {
			b.Fatal(err)
		}
	}
}
