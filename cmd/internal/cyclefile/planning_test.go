package cyclefile

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/curves"
	"aop/engine/model"
	"aop/engine/scenario"
)

// planningBase is a small valid cycle (lines 1-12) the scenario sections
// are appended to.
const planningBase = `cycle: acme-fy2027
company: Acme
currency: USD
fiscal_year: 2027
departments:
  - {id: gtm, name: Go-to-market}
  - {id: sales, name: Sales, parent: gtm}
  - {id: eng, name: Engineering}
accounts:
  - {code: "4000", name: Revenue, type: revenue, group: Revenue}
  - {code: "6000", name: Salaries, type: opex, group: Personnel}
  - {code: "6200", name: Travel, type: opex, group: Travel}
`

const planningValid = `cash: {dso: 40, dpo: 20, opening: 1000000}
initiatives:
  - name: apollo
    department: sales
    kind: launch
    launch: {start: 3, price: 100, units: {peak: 50, midpoint: 6, steepness: 0.5}, development: {total: 1000, months: 2}}
  - name: buy-co
    department: eng
    kind: acquisition
    acquisition: {close: 6, revenue: 5000, cost: 4000, integration: {total: 1200, from: 0, months: 3}, cost_synergy: {run_rate: 12000, phasing: [0.5, 1], probability: 90%}}
scenarios:
  - {name: base, kind: base}
  - name: downside
    kind: downside
    overrides:
      - {op: multiply, department: sales, account: "4000", from: 4, value: 90%}
      - {op: shift, department: "*", driver: hires, months: 2}
      - {op: add, group: Travel, from: 2, to: 5, value: 100}
triggers:
  - {name: slump, metric: revenue, company: true, trailing: 3, of_plan: true, compare: "<", threshold: 92%, persistence: 2, lag: 1, playbook: respond, scenarios: [downside]}
playbooks:
  - name: respond
    actions:
      - {name: freeze hiring, lead: 1, freeze_hiring: true}
      - {name: pause apollo, lead: 2, for: 3, pause: [apollo]}
      - {name: cut travel, lead: 1, cut: {groups: [Travel], accounts: ["6000"], by: 10%}}
ranges:
  runs: 500
  seed: 9
  drivers:
    - {name: rev, department: sales, account: "4000", pert: {min: 0.9, mode: 1, max: 1.05}}
    - {name: travel, group: Travel, op: multiply, lognormal: {p5: 0.9, p95: 1.2}}
history:
  accuracy:
    - {department: sales, line: revenue, forecast: [100, 110, 120], actual: [90, 100, 105]}
  hiring:
    - {department: eng, requested: 10, filled: 7, days_to_fill: [30, 45], window_months: 12}
`

func TestPlanningSectionsRoundTrip(t *testing.T) {
	f, err := Parse("cycle.yaml", []byte(planningBase+planningValid), nil)
	require.NoError(t, err)
	p := f.Planning
	assert.Equal(t, "40", p.Cash.DSO.String())
	assert.Equal(t, "20", p.Cash.DPO.String())
	assert.Equal(t, "1000000", p.Cash.Opening.String())

	require.Len(t, p.Initiatives, 2)
	assert.Equal(t, model.Launch, p.Initiatives[0].Kind)
	assert.Equal(t, 3, p.Initiatives[0].Launch.Ramp.Start)
	assert.Equal(t, "1000", p.Initiatives[0].Launch.Development.Total.String())
	assert.Equal(t, model.Acquisition, p.Initiatives[1].Kind)
	assert.Equal(t, 0.9, p.Initiatives[1].Acquisition.CostSynergy.Probability)
	assert.Equal(t, []float64{0.5, 1}, p.Initiatives[1].Acquisition.CostSynergy.Phasing)

	require.Len(t, p.Scenarios, 2)
	down := p.Scenarios[1]
	assert.Equal(t, scenario.Downside, down.Kind)
	require.Len(t, down.Overrides, 3)
	assert.Equal(t, scenario.Multiply(model.AccountSelector("sales", "4000"), dec("0.90")).Within(4, 0), down.Overrides[0])
	assert.Equal(t, scenario.Shift(scenario.Selector{Department: "*", Driver: model.HiresDriver}, 2).Within(0, 0), down.Overrides[1])
	assert.Equal(t, scenario.Add(model.GroupSelector("", "Travel"), dec("100")).Within(2, 5), down.Overrides[2])

	require.Len(t, p.Triggers, 1)
	tr := p.Triggers[0]
	assert.Equal(t, "trailing-3-month revenue < 92% of plan for 2 consecutive months", tr.Trigger.String())
	assert.Equal(t, []string{"downside"}, tr.Scenarios)
	assert.Equal(t, 1, tr.Lag)
	require.Len(t, tr.Playbook.Actions, 3)
	assert.Equal(t, scenario.Action{Name: "pause apollo", Lead: 2, Months: 3, Changes: []scenario.Change{scenario.Pause("initiative:apollo")}}, tr.Playbook.Actions[1])
	assert.Equal(t, []scenario.Change{
		scenario.Multiply(model.AccountSelector("", "6000"), dec("0.90")),
		scenario.Multiply(model.GroupSelector("", "Travel"), dec("0.90")),
	}, tr.Playbook.Actions[2].Changes)
	withTriggers := p.WithTriggers()
	assert.Empty(t, withTriggers[0].Triggers, "the base does not watch a trigger meant for the downside")
	assert.Len(t, withTriggers[1].Triggers, 1)

	assert.Equal(t, 500, p.Runs)
	assert.Equal(t, uint64(9), p.Seed)
	require.Len(t, p.Ranges, 2)
	assert.Equal(t, scenario.PERT{Min: dec("0.9"), Mode: dec("1"), Max: dec("1.05")}, p.Ranges[0].Dist)
	assert.Equal(t, scenario.LogNormal{P5: dec("0.9"), P95: dec("1.2")}, p.Ranges[1].Dist)

	require.Len(t, p.Accuracy, 1)
	assert.Equal(t, accuracy.Revenue, p.Accuracy[0].Line)
	assert.Len(t, p.Accuracy[0].Actual, 3)
	require.Len(t, p.Hiring, 1)
	assert.Equal(t, 7, p.Hiring[0].Filled)
	assert.Equal(t, 37.5, p.Hiring[0].MeanDaysToFill())
}

// TestLaunchCurvesAndExpansion reads a Bass launch (cumulative adopters,
// each month its new ones) and an expansion whose local amounts are
// translated at each month's rate, the last rate holding after the list.
func TestLaunchCurvesAndExpansion(t *testing.T) {
	f, err := Parse("cycle.yaml", []byte(planningBase+`initiatives:
  - {name: b, department: sales, kind: launch, launch: {price: 100, units: {bass: {p: 0.03, q: 0.38, market: 1200}}}}
  - name: de
    department: eng
    kind: expansion
    expansion:
      price: 50
      unit_cost: 20
      units: {gompertz: {a: 100, b: 5, c: 0.4}}
      entry: {total: 12000, from: 1, months: 2}
      hires: [{start: 2, count: 3, monthly_cost: 7000}]
      fx: [1.10, 1.20]
`), nil)
	require.NoError(t, err)
	in := f.Planning.Initiatives
	require.Len(t, in, 2)
	bass, ok := in[0].Launch.Ramp.Curve.(curves.Bass)
	require.True(t, ok)
	assert.InDelta(t, 0.03/12, bass.P, 1e-15, "annual coefficients, applied monthly")
	assert.True(t, in[0].Launch.Ramp.Flow, "a month's units are its new adopters")
	rev, _, err := in[0].Lines(12)
	require.NoError(t, err)
	units := 1200 * (1 - math.Exp(-(0.03+0.38)/12)) / (1 + 0.38/0.03*math.Exp(-(0.03+0.38)/12))
	got, _ := rev[0].Float64()
	assert.InDelta(t, units*100, got, 0.01, "month 1: F(1)·m new adopters at 100")

	require.Equal(t, model.Expansion, in[1].Kind)
	rev, costs, err := in[1].Lines(12)
	require.NoError(t, err)
	g := curves.Gompertz{A: 100, B: 5, C: 0.4}
	local := func(m int) decimal.Decimal {
		return engine.RoundMoney(decimal.NewFromFloat(g.At(float64(m))).Mul(dec("50")))
	}
	assert.Equal(t, engine.RoundMoney(local(1).Mul(dec("1.10"))).String(), rev[0].String(), "month 1 at 1.10")
	assert.Equal(t, engine.RoundMoney(local(5).Mul(dec("1.20"))).String(), rev[4].String(), "month 5 at the last rate")
	var cost2 decimal.Decimal
	{
		vc := engine.RoundMoney(decimal.NewFromFloat(g.At(2)).Mul(dec("20")))
		cost2 = engine.RoundMoney(vc.Mul(dec("1.20"))).Add(dec("25200")).Add(dec("7200"))
	}
	assert.Equal(t, cost2.String(), costs[1].String(), "month 2: variable cost, three hires and half the entry, at 1.20")
}

// Each section's mistakes are reported at their line, with what to do.
func TestPlanningSectionProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"cash", "cash: {dso: 400, dp0: 3}\n", []string{
			`cycle.yaml:13: cash: unknown field "dp0" (did you mean "dpo"?)`,
			`cycle.yaml:13: cash: dso must be days from 0 to 365, not 400`}},
		{"scenarios", `scenarios:
  - {name: down, kind: downsde}
  - name: down
    kind: base
    overrides:
      - {op: scale, account: "4000", value: 2}
      - {op: multiply, department: salse, account: "4001", value: lots}
      - {op: shift, driver: hires}
      - {op: set, driver: hires, value: 0, from: 9, to: 3}
      - {op: add, account: "4000", group: Revenue, value: 1, from: 13}
`, []string{
			`cycle.yaml:14: scenario "down": kind "downsde" is not base, upside, downside or event (did you mean "downside"?)`,
			`cycle.yaml:15: scenario "down": scenario "down" is listed twice; give each its own name`,
			`cycle.yaml:18: scenario "down": override #1: op "scale" is not set, add, multiply or shift`,
			`cycle.yaml:19: scenario "down": override #2: unknown department "salse" (did you mean "sales"?)`,
			`cycle.yaml:19: scenario "down": override #2: unknown account "4001" (did you mean "4000"?)`,
			`cycle.yaml:19: scenario "down": override #2: value "lots" is not a number`,
			`cycle.yaml:20: scenario "down": override #3: a shift needs months: how many months later (negative: earlier)`,
			`cycle.yaml:21: scenario "down": override #4: to (3) comes before from (9)`,
			`cycle.yaml:22: scenario "down": override #5: give one of driver, account and group, not 2`,
			`cycle.yaml:22: scenario "down": override #5: from (a fiscal month) must be a whole number from 1 to 12, not 13`}},
		{"triggers and playbooks", `playbooks:
  - name: respond
    actions:
      - {name: freeze, lead: 1}
      - {name: pause, pause: [zeus]}
      - {name: cut, cut: {groups: [Travl], by: 150%}}
triggers:
  - {name: slump, metric: revenu, department: sales, company: true, compare: "=<", threshold: 92%, playbook: respnd}
  - {name: cash, metric: cash, trailing: 3, compare: "<", threshold: 100, persistence: 0, playbook: respond}
`, []string{
			`cycle.yaml:16: playbook "respond": action "freeze": the action changes nothing; give freeze_hiring: true, pause: [initiative] or cut: {groups: [...], by: 10%}`,
			`cycle.yaml:17: playbook "respond": action "pause": pause names unknown initiative "zeus"`,
			`cycle.yaml:18: playbook "respond": action "cut": cut: by must be more than 0% and at most 100%, not 150%`,
			`cycle.yaml:18: playbook "respond": action "cut": cut: unknown account group "Travl" (did you mean "Travel"?)`,
			`cycle.yaml:20: trigger "slump": metric "revenu" is not revenue, costs, headcount or cash (did you mean "revenue"?)`,
			`cycle.yaml:20: trigger "slump": give department or company: true, not both`,
			`cycle.yaml:20: trigger "slump": compare "=<" is not "<", "<=", ">" or ">="`,
			`cycle.yaml:20: trigger "slump": a percentage threshold compares with the plan; add of_plan: true`,
			`cycle.yaml:20: trigger "slump": unknown playbook "respnd" (did you mean "respond"?)`,
			`cycle.yaml:21: trigger "cash": say what the trigger watches: department: <id>, or company: true`,
			`cycle.yaml:21: trigger "cash": persistence (months) must be a whole number from 1 to 12, not 0`}},
		{"ranges", `ranges:
  runs: 0
  drivers:
    - {name: a, account: "4000", pert: {min: 2, mode: 1, max: 3}}
    - {name: b, account: "4000", lognormal: {p5: 1}}
    - {name: c, account: "4000"}
`, []string{
			`cycle.yaml:14: ranges: runs must be a whole number from 1 to 1000000, not 0`,
			`cycle.yaml:16: range "a": pert: min, mode and max must be in order (min ≤ mode ≤ max)`,
			`cycle.yaml:17: range "b": lognormal: p95 is missing`,
			`cycle.yaml:18: range "c": give the spread: pert: {min, mode, max} or lognormal: {p5, p95}`}},
		{"initiatives", `initiatives:
  - {name: x, department: gtm, kind: launch, launch: {price: 1, units: {peak: 1, midpoint: 1, steepness: 1}}}
  - {name: y, department: eng, kind: merger}
  - {name: z, department: eng, kind: launch, launch: {price: 1}}
`, []string{
			`cycle.yaml:14: initiative "x": department "gtm" has departments under it; name the one whose plan holds the initiative`,
			`cycle.yaml:15: initiative "y": kind "merger" is not launch, acquisition or expansion`,
			`cycle.yaml:16: initiative "z": launch: units is missing; give the monthly units' S-curve as {peak, midpoint, steepness}, {bass: {p, q, market}} or {gompertz: {a, b, c}}`}},
		{"curves and expansions", `initiatives:
  - {name: b, department: sales, kind: launch, launch: {price: 1, units: {bass: {p: 0.03, q: 0.38}}}}
  - {name: g, department: sales, kind: launch, launch: {price: 1, units: {gompertz: {a: 100, b: -5, c: 0.4}}}}
  - {name: e, department: eng, kind: expansion, expansion: {price: 10, units: {peak: 5, midpoint: 3, steepness: 1}, fx: [1.1, 0]}}
  - {name: f, department: eng, kind: expansion, expansion: {price: 10, units: {peak: 5, midpoint: 3, steepness: 1}}}
`, []string{
			`cycle.yaml:14: initiative "b": launch: units: bass: market is missing`,
			`cycle.yaml:15: initiative "g": launch: units: the Gompertz a, b and c must be > 0, got 100, -5, 0.4`,
			`cycle.yaml:16: initiative "e": expansion: fx rate 2 must be above 0, not 0`,
			`cycle.yaml:17: initiative "f": expansion: fx is missing; give the reporting currency per unit of local currency, one rate or one a month`}},
		{"history", `history:
  accuracy:
    - {department: sales, line: profit, forecast: [1, 2], actual: [1]}
  hiring:
    - {department: eng, requested: 3, filled: 5}
`, []string{
			`cycle.yaml:15: history: accuracy #1 (sales): line must be revenue or cost, not "profit"`,
			`cycle.yaml:15: history: accuracy #1 (sales): actual holds 1 periods and forecast 2; give one actual per forecast`,
			`cycle.yaml:17: history: hiring #1 (eng): filled (5) is more than requested (3)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, problemsOf(t, planningBase+tc.src, nil))
		})
	}
}
