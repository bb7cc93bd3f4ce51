package scenario_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"aop/engine"
	"aop/engine/scenario"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPERTMeanOracle(t *testing.T) {
	// Oracle M1: (80, 100, 150) has mean 105, α = 2.142857, β = 3.857143.
	pert := scenario.PERT{Min: d("80"), Mode: d("100"), Max: d("150")}
	assert.Equal(t, "105", pert.Mean().String())
	a, b := pert.Shape()
	assert.InDelta(t, 2.142857, a, 1e-6)
	assert.InDelta(t, 3.857143, b, 1e-6)

	// The sampler agrees: the sample mean of 200,000 draws is within a few
	// standard errors (σ ≈ 11.6, so ≈ 0.026) of 105, and draws stay within
	// [min, max].
	r := rand.New(rand.NewPCG(1, 2))
	sum := 0.0
	const n = 200_000
	for range n {
		x := pert.Sample(r).InexactFloat64()
		require.True(t, x >= 80 && x <= 150, "draw %v outside [80, 150]", x)
		sum += x
	}
	assert.InDelta(t, 105, sum/n, 0.15)

	require.Error(t, scenario.PERT{Min: d("2"), Mode: d("1"), Max: d("3")}.Validate())
}

func TestLogNormalFromA90PercentInterval(t *testing.T) {
	// "90% sure it is between 8.1M and 8.4M": μ = 15.92556, σ = 0.011055,
	// median 8.2486M.
	ln := scenario.LogNormal{P5: d("8100000"), P95: d("8400000")}
	mu, sigma := ln.Params()
	assert.InDelta(t, 15.92556, mu, 1e-5)
	assert.InDelta(t, 0.011055, sigma, 1e-6)
	assert.InDelta(t, 8.2486e6, math.Exp(mu), 100)

	r := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 100_000)
	for i := range xs {
		xs[i] = ln.Sample(r).InexactFloat64()
	}
	slices.Sort(xs)
	assert.InDelta(t, 8.1e6, scenario.Percentile(xs, 0.05), 5e3)
	assert.InDelta(t, 8.4e6, scenario.Percentile(xs, 0.95), 5e3)

	require.Error(t, scenario.LogNormal{P5: d("0"), P95: d("1")}.Validate())
	require.Error(t, scenario.LogNormal{P5: d("2"), P95: d("1")}.Validate())
}

func TestPercentileConvention(t *testing.T) {
	// Oracle M2 (Hyndman–Fan type 7, numpy linear, Excel PERCENTILE.INC).
	xs := []float64{1, 2, 3, 4, 5}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {0.1, 1.4}, {0.25, 2}, {0.5, 3}, {0.75, 4}, {0.9, 4.6}, {1, 5}} {
		assert.InDelta(t, c.want, scenario.Percentile(xs, c.p), 1e-12, "P%v", c.p*100)
	}
	assert.Equal(t, 7.0, scenario.Percentile([]float64{7}, 0.9))
	assert.True(t, math.IsNaN(scenario.Percentile(nil, 0.5)))
}

// demoRanges puts a PERT on every department's win rate (±10% around the
// plan) and a lognormal on every pipeline from month 3 (a 90% interval of
// 80% to 125% of plan, whose median is the plan): two ranges a department.
func demoRanges(in scenario.Inputs) []scenario.Range {
	var rs []scenario.Range
	for k := range in.Drivers {
		if k.Driver != pipeline {
			continue
		}
		rs = append(rs,
			scenario.Range{Name: k.Department + " win rate", Select: scenario.Selector{Department: k.Department, Driver: winRate},
				Op: scenario.OpMultiply, Dist: scenario.PERT{Min: d("0.9"), Mode: d("1"), Max: d("1.1")}},
			scenario.Range{Name: k.Department + " pipeline", Select: scenario.Selector{Department: k.Department, Driver: pipeline},
				From: 3, Op: scenario.OpMultiply, Dist: scenario.LogNormal{P5: d("0.8"), P95: d("1.25")}},
		)
	}
	slices.SortFunc(rs, func(a, b scenario.Range) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

func TestMonteCarloIsReproducible(t *testing.T) {
	in := randomInputs(rand.New(rand.NewPCG(5, 6)), 6, 12)
	p := newPlan(t, in)
	mc := scenario.MonteCarlo{Runs: 400, Seed: 42, Ranges: demoRanges(in)}

	run := func(workers int) *scenario.Simulated {
		t.Helper()
		mc := mc
		mc.Workers = workers
		s, err := p.Simulate(mc)
		require.NoError(t, err)
		return s
	}
	want := run(1)
	for _, w := range []int{2, 3, 7} {
		assert.Equal(t, want, run(w), "%d workers", w)
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		got := run(0)
		runtime.GOMAXPROCS(old)
		assert.Equal(t, want, got, "GOMAXPROCS %d", procs)
	}
	assert.Equal(t, want, run(1), "a second time")

	// The order of the ranges does not matter: each draws from its own stream.
	reversed := mc
	reversed.Ranges = slices.Clone(mc.Ranges)
	slices.Reverse(reversed.Ranges)
	got, err := p.Simulate(reversed)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	other := mc
	other.Seed = 43
	got, err = p.Simulate(other)
	require.NoError(t, err)
	assert.NotEqual(t, want, got)

	// The figures make sense: P10 ≤ P50 ≤ P90 everywhere, and the base sits
	// inside the revenue's yearly range.
	require.Len(t, want.Metrics, 3)
	for _, m := range want.Metrics {
		for _, ps := range append([]scenario.Percentiles{m.Year}, m.Months...) {
			assert.True(t, ps.P10.LessThanOrEqual(ps.P50) && ps.P50.LessThanOrEqual(ps.P90), "%s: %v", m.Metric, ps)
		}
	}
	rev, ok := want.Metric(scenario.Revenue)
	require.True(t, ok)
	base := p.Outputs().Year(scenario.MetricKey{Metric: scenario.Revenue})
	assert.True(t, rev.Year.P10.LessThan(base) && base.LessThan(rev.Year.P90), "%v around %s", rev.Year, base)
	assert.False(t, rev.Months[0].P10.Equal(rev.Months[0].P90), "win rates vary from month 1")
}

func TestZeroWidthRangesGiveBase(t *testing.T) {
	in := randomInputs(rand.New(rand.NewPCG(8, 9)), 4, 12)
	p := newPlan(t, in)
	var ranges []scenario.Range
	for i, r := range demoRanges(in) {
		if i%2 == 0 {
			r.Dist = scenario.PERT{Min: d("1"), Mode: d("1"), Max: d("1")}
		} else {
			r.Dist = scenario.LogNormal{P5: d("1"), P95: d("1")}
		}
		ranges = append(ranges, r)
	}
	// Setting a series to the value it has is zero width too.
	k := scenario.Key{Department: "d0001", Driver: costPerHead}
	v := in.Drivers[k][0]
	ranges = append(ranges, scenario.Range{Name: "cost per head", Select: scenario.Selector{Department: "d0001", Driver: costPerHead},
		Op: scenario.OpSet, Dist: scenario.PERT{Min: v, Mode: v, Max: v}})

	sim, err := p.Simulate(scenario.MonteCarlo{Runs: 50, Seed: 1, Ranges: ranges, Metrics: []string{scenario.Revenue, scenario.Costs, scenario.Cash, scenario.Headcount}})
	require.NoError(t, err)
	base := p.Outputs()
	for _, m := range sim.Metrics {
		key := scenario.MetricKey{Metric: m.Metric}
		check := func(ps scenario.Percentiles, want decimal.Decimal, where string) {
			want = engine.RoundMoney(want)
			for _, got := range []decimal.Decimal{ps.P10, ps.P50, ps.P90} {
				assert.True(t, got.Equal(want), "%s %s: want %s, got %s", m.Metric, where, want, got)
			}
		}
		check(m.Year, base.Year(key), "year")
		for i, ps := range m.Months {
			check(ps, base.Metrics[key][i], fmt.Sprintf("month %d", i+1))
		}
	}
}

func TestMonteCarloErrors(t *testing.T) {
	p := newPlan(t, flatInputs())
	pert := scenario.PERT{Min: d("0.9"), Mode: d("1"), Max: d("1.1")}
	win := scenario.Selector{Driver: winRate}
	cases := []struct {
		name string
		mc   scenario.MonteCarlo
		want string
	}{
		{"no runs", scenario.MonteCarlo{}, "at least one run"},
		{"unnamed range", scenario.MonteCarlo{Runs: 1, Ranges: []scenario.Range{{Select: win, Op: scenario.OpMultiply, Dist: pert}}}, "a name of its own"},
		{"same name twice", scenario.MonteCarlo{Runs: 1, Ranges: []scenario.Range{
			{Name: "w", Select: win, Op: scenario.OpMultiply, Dist: pert}, {Name: "w", Select: win, Op: scenario.OpMultiply, Dist: pert}}}, "a name of its own"},
		{"shift", scenario.MonteCarlo{Runs: 1, Ranges: []scenario.Range{{Name: "w", Select: win, Op: scenario.OpShift, Dist: pert}}}, "sets, adds or multiplies"},
		{"no match", scenario.MonteCarlo{Runs: 1, Ranges: []scenario.Range{{Name: "w", Select: scenario.Selector{Driver: "winrate"}, Op: scenario.OpMultiply, Dist: pert}}}, "no driver series matches"},
		{"bad distribution", scenario.MonteCarlo{Runs: 1, Ranges: []scenario.Range{{Name: "w", Select: win, Op: scenario.OpMultiply, Dist: scenario.PERT{Min: d("2"), Mode: d("1"), Max: d("3")}}}}, "min ≤ mode ≤ max"},
		{"unknown metric", scenario.MonteCarlo{Runs: 1, Metrics: []string{"bookings"}}, "no company bookings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Simulate(tc.mc)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	// A failing model reports its first failing run, whatever the workers.
	failing := scenario.ModelFunc(func(in scenario.Inputs) (scenario.Outputs, error) {
		if w := in.Drivers[scenario.Key{Department: "sales", Driver: winRate}][0]; w.GreaterThan(d("0.26")) {
			return scenario.Outputs{}, fmt.Errorf("win rate %s is too good to be true", w)
		}
		return toy(in)
	})
	fp, err := scenario.NewPlan(failing, flatInputs(), nil)
	require.NoError(t, err)
	mc := scenario.MonteCarlo{Runs: 200, Seed: 3, Workers: 1, Ranges: []scenario.Range{
		{Name: "w", Select: scenario.Selector{Department: "sales", Driver: winRate}, Op: scenario.OpMultiply, Dist: scenario.PERT{Min: d("0.5"), Mode: d("1"), Max: d("1.1")}}}}
	_, err1 := fp.Simulate(mc)
	require.Error(t, err1)
	require.Regexp(t, `^run \d+: projecting: win rate`, err1.Error())
	mc.Workers = 3
	_, err3 := fp.Simulate(mc)
	require.Error(t, err3)
	assert.Equal(t, err1.Error(), err3.Error())
}
