package scenario_test

import (
	"math/rand/v2"
	"testing"

	"aop/engine"
	"aop/engine/scenario"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var toyModel = scenario.ModelFunc(toy)

func newPlan(t testing.TB, in scenario.Inputs, cs ...scenario.Constraint) *scenario.Plan {
	t.Helper()
	p, err := scenario.NewPlan(toyModel, in, cs)
	require.NoError(t, err)
	return p
}

// requireSameOutputs fails unless two projections have the same series
// with equal values.
func requireSameOutputs(t *testing.T, want, got scenario.Outputs) {
	t.Helper()
	require.Equal(t, want.Months, got.Months)
	require.Len(t, got.Metrics, len(want.Metrics))
	for k, w := range want.Metrics {
		g, ok := got.Metrics[k]
		require.True(t, ok, "missing %v", k)
		requireSeries(t, w, g, "%v", k)
	}
}

func requireSeries(t *testing.T, want, got scenario.Series, msg string, args ...any) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.True(t, want[i].Equal(got[i]), "%s month %d: want %s, got %s", append([]any{msg}, args...), i+1, want[i], got[i])
	}
}

func series(vs ...string) scenario.Series {
	s := make(scenario.Series, len(vs))
	for i, v := range vs {
		s[i] = d(v)
	}
	return s
}

func TestNoOverridesEqualsBase(t *testing.T) {
	for seed := range uint64(25) {
		r := rand.New(rand.NewPCG(seed, 7))
		in := randomInputs(r, 1+r.IntN(12), 1+r.IntN(24))
		p := newPlan(t, in)

		res, err := p.Evaluate(scenario.Scenario{Name: "base", Kind: scenario.Base})
		require.NoError(t, err)
		requireSameOutputs(t, p.Outputs(), res.Outputs)
		requireSameOutputs(t, p.Outputs(), res.WithoutPlaybooks)
		assert.Empty(t, res.Fired)
		assert.Empty(t, res.Effects)

		applied, err := scenario.Apply(in, nil)
		require.NoError(t, err)
		assert.Equal(t, in, applied)

		// Overrides that change nothing project the base too.
		all := scenario.Selector{}
		same, err := p.Evaluate(scenario.Scenario{Name: "identity", Overrides: []scenario.Override{
			scenario.Multiply(all, decimal.NewFromInt(1)).Within(0, 0),
			scenario.Add(all, decimal.Zero).Within(0, 0),
			scenario.Shift(all, 0).Within(0, 0),
		}})
		require.NoError(t, err)
		requireSameOutputs(t, p.Outputs(), same.Outputs)
	}
}

func TestOverrideKinds(t *testing.T) {
	const n = 12
	months := func() scenario.Series {
		s := make(scenario.Series, n)
		for i := range s {
			s[i] = decimal.NewFromInt(int64(i + 1))
		}
		return s
	}
	base := func() scenario.Inputs {
		return scenario.Inputs{
			Months: n,
			Drivers: map[scenario.Key]scenario.Series{
				{Department: "sales-emea", Driver: pipeline}:                   months(),
				{Department: "sales-us", Driver: pipeline}:                     months(),
				{Department: "eng", Driver: pipeline}:                          months(),
				{Department: "sales-us", Driver: pipeline, Dimension: "smb"}:   months(),
				{Department: "sales-us", Driver: winRate, Dimension: "smb"}:    months(),
				{Department: "sales-us", Driver: winRate, Dimension: "enterp"}: months(),
			},
			Switches: map[string]scenario.Switch{
				"initiative:x":      on(n),
				"initiative:y":      on(n),
				"initiative:launch": {false, false, true, true, true, true, true, true, true, true, true, true},
			},
		}
	}
	emea := scenario.Key{Department: "sales-emea", Driver: pipeline}
	us := scenario.Key{Department: "sales-us", Driver: pipeline}
	eng := scenario.Key{Department: "eng", Driver: pipeline}
	smb := scenario.Key{Department: "sales-us", Driver: pipeline, Dimension: "smb"}
	winSMB := scenario.Key{Department: "sales-us", Driver: winRate, Dimension: "smb"}
	sel := func(dept, driver, dim string) scenario.Selector {
		return scenario.Selector{Department: dept, Driver: driver, Dimension: dim}
	}
	cases := []struct {
		name      string
		overrides []scenario.Override
		want      map[scenario.Key]scenario.Series // the series that change
		switches  map[string]scenario.Switch
	}{
		{
			name:      "set within months 3 to 5",
			overrides: []scenario.Override{scenario.Set(sel("eng", pipeline, ""), d("0")).Within(3, 5)},
			want:      map[scenario.Key]scenario.Series{eng: series("1", "2", "0", "0", "0", "6", "7", "8", "9", "10", "11", "12")},
		},
		{
			name:      "add from month 10 on",
			overrides: []scenario.Override{scenario.Add(sel("eng", pipeline, ""), d("0.5")).Within(10, 0)},
			want:      map[scenario.Key]scenario.Series{eng: series("1", "2", "3", "4", "5", "6", "7", "8", "9", "10.5", "11.5", "12.5")},
		},
		{
			name:      "multiply with a department wildcard and no dimension",
			overrides: []scenario.Override{scenario.Multiply(sel("sales-*", pipeline, ""), d("2")).Within(11, 12)},
			want: map[scenario.Key]scenario.Series{
				emea: series("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "22", "24"),
				us:   series("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "22", "24"),
				smb:  series("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "22", "24"),
			},
		},
		{
			name:      "a dimension picks one cut",
			overrides: []scenario.Override{scenario.Set(sel("", "*", "smb"), d("7")).Within(1, 1)},
			want: map[scenario.Key]scenario.Series{
				smb:    series("7", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
				winSMB: series("7", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
			},
		},
		{
			name:      "shift delays within the window and holds the first value",
			overrides: []scenario.Override{scenario.Shift(sel("eng", "", ""), 2).Within(1, 6)},
			want:      map[scenario.Key]scenario.Series{eng: series("1", "1", "1", "2", "3", "4", "7", "8", "9", "10", "11", "12")},
		},
		{
			name:      "a negative shift brings forward and holds the last value",
			overrides: []scenario.Override{scenario.Shift(sel("eng", "", ""), -2).Within(0, 0)},
			want:      map[scenario.Key]scenario.Series{eng: series("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "12", "12")},
		},
		{
			name: "overrides apply in order",
			overrides: []scenario.Override{
				scenario.Set(sel("eng", "", ""), d("100")).Within(0, 0),
				scenario.Multiply(sel("eng", "", ""), d("1.1")).Within(7, 0),
			},
			want: map[scenario.Key]scenario.Series{eng: series("100", "100", "100", "100", "100", "100", "110", "110", "110", "110", "110", "110")},
		},
		{
			name:      "pause from month 4, resume in month 9",
			overrides: []scenario.Override{scenario.Pause("initiative:x").Within(4, 0), scenario.Resume("initiative:x").Within(9, 0)},
			switches: map[string]scenario.Switch{
				"initiative:x": {true, true, true, false, false, false, false, false, true, true, true, true},
			},
		},
		{
			name:      "pause every initiative with a wildcard",
			overrides: []scenario.Override{scenario.Pause("initiative:*").Within(12, 12)},
			switches: map[string]scenario.Switch{
				"initiative:x":      {true, true, true, true, true, true, true, true, true, true, true, false},
				"initiative:y":      {true, true, true, true, true, true, true, true, true, true, true, false},
				"initiative:launch": {false, false, true, true, true, true, true, true, true, true, true, false},
			},
		},
		{
			name:      "a launch slips two months",
			overrides: []scenario.Override{scenario.ShiftSwitch("initiative:launch", 2).Within(0, 0)},
			switches: map[string]scenario.Switch{
				"initiative:launch": {false, false, false, false, true, true, true, true, true, true, true, true},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			got, err := scenario.Apply(in, tc.overrides)
			require.NoError(t, err)
			for k, s := range got.Drivers {
				want, changed := tc.want[k]
				if !changed {
					want = months()
				}
				requireSeries(t, want, s, "%s", k)
			}
			for name, s := range got.Switches {
				want, changed := tc.switches[name]
				if !changed {
					want = base().Switches[name]
				}
				assert.Equal(t, want, s, name)
			}
			assert.Equal(t, base(), in, "Apply changed its input")
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	in := flatInputs()
	cases := []struct {
		name string
		o    scenario.Override
		want string
	}{
		{"matches nothing", scenario.Set(scenario.Selector{Driver: "pipline"}, d("1")).Within(0, 0), "no driver series matches */pipline/*"},
		{"no such switch", scenario.Pause("initiative:z").Within(0, 0), `no switch matches "initiative:z"`},
		{"window past the horizon", scenario.Set(scenario.Selector{}, d("1")).Within(3, 13), "months 3 to 13 are not within the horizon of 1 to 12"},
		{"window backwards", scenario.Set(scenario.Selector{}, d("1")).Within(5, 4), "months 5 to 4"},
		{"unknown op", scenario.Change{Op: "scale"}.Within(0, 0), `unknown operation "scale"`},
		{"set on a switch", scenario.Change{Op: scenario.OpSet, Switch: "initiative:x"}.Within(0, 0), "set acts on driver series"},
		{"pause a driver", scenario.Change{Op: scenario.OpPause, Switch: "initiative:x", Select: scenario.Selector{Driver: hires}}.Within(0, 0), "pause acts on switches"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenario.Apply(in, []scenario.Override{tc.o})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestUpsideReportsBindingConstraint(t *testing.T) {
	delivery := scenario.Constraint{Name: "delivery capacity", Capacity: capacity, Demand: scenario.Revenue}
	p := newPlan(t, flatInputs(), delivery)

	base, err := p.Evaluate(scenario.Scenario{Name: "base", Kind: scenario.Base})
	require.NoError(t, err)
	assert.Empty(t, base.Bindings, "the base plan fits its capacity")

	// Sales wins 37,500 a month; its capacity is 3,000 a head with 11 heads
	// in month 1 and 12 in month 2. The company's capacity is 55,000 in
	// month 1 for 57,500 of revenue.
	up, err := p.Evaluate(scenario.Scenario{Name: "upside", Kind: scenario.Upside, Overrides: []scenario.Override{
		scenario.Multiply(scenario.Selector{Department: "sales", Driver: pipeline}, d("1.5")).Within(0, 0),
	}})
	require.NoError(t, err)
	require.Len(t, up.Bindings, 2)
	company, sales := up.Bindings[0], up.Bindings[1]
	assert.Equal(t, "delivery capacity", company.Constraint)
	assert.Equal(t, scenario.Company, company.Department)
	assert.Equal(t, []engine.Period{1}, company.Months)
	assert.Equal(t, "2500", company.Shortfall.String())
	assert.Equal(t, "sales", sales.Department)
	assert.Equal(t, []engine.Period{1, 2}, sales.Months)
	assert.Equal(t, engine.Period(1), sales.Worst)
	assert.Equal(t, "4500", sales.Shortfall.String())

	_, err = scenario.NewPlan(toyModel, flatInputs(), []scenario.Constraint{{Name: "typo", Capacity: "capacty", Demand: scenario.Revenue}})
	require.ErrorContains(t, err, "no department")
}

func TestEvaluateAllMatchesEvaluate(t *testing.T) {
	p := newPlan(t, randomInputs(rand.New(rand.NewPCG(1, 2)), 10, 12), scenario.Constraint{Name: "delivery", Capacity: capacity, Demand: scenario.Revenue})
	set := scenarioSet()
	all, err := p.EvaluateAll(set)
	require.NoError(t, err)
	require.Len(t, all, len(set))
	fired := 0
	for i, s := range set {
		one, err := p.Evaluate(s)
		require.NoError(t, err)
		assert.Equal(t, s.Name, all[i].Scenario)
		assert.Equal(t, one.Fired, all[i].Fired)
		assert.Equal(t, one.Bindings, all[i].Bindings)
		requireSameOutputs(t, one.Outputs, all[i].Outputs)
		fired += len(one.Fired)
	}
	assert.Equal(t, 3, fired, "the downside and both events fire their triggers")

	set[2].Overrides = []scenario.Override{scenario.Set(scenario.Selector{Driver: "typo"}, decimal.Zero).Within(0, 0)}
	set[4].Overrides = set[2].Overrides
	_, err = p.EvaluateAll(set)
	require.ErrorContains(t, err, "scenario downside: override 1")
}
