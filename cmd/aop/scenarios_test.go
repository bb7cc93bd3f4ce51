package main

import (
	"aop/engine/grid/gridtest"
	"aop/engine/scenario"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/keys"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/model"
	"aop/excel"
)

// aop scenarios on the demo's workbooks: the downside fires its trigger,
// the hiring freeze holds headcount from the month after, the ranges give
// ordered percentiles, Customer Success is flagged for over-projection and
// Sales's drivers are checked against its revenue plan.
func TestScenariosOnTheDemo(t *testing.T) {
	dir, out := demoOutput(t)
	assert.Contains(t, out, "6. scenarios:")
	assert.Contains(t, out, "downside: revenue-slump")

	cycle := filepath.Join(dir, "cycle.yaml")
	files, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	code, text, errOut := aop(t, nil, append([]string{"scenarios", "--cycle", cycle, "--runs", "500"}, files...)...)
	require.Equal(t, 0, code, text+errOut)
	assert.Contains(t, text, "Monte Carlo, 500 runs (seed 2027)")
	// The departments' ranges join the cycle's; their initiative is listed
	// beside the cycle's.
	assert.Contains(t, text, "  ranges from the cycle file: subscription-revenue, hosting-costs\n")
	assert.Contains(t, text, "    Marketing                6400 Paid media                90.0%, 100.0%, 125.0%\n")
	assert.Contains(t, text, "    Customer Success         4100 Professional services     80.0%, 100.0%, 105.0%\n")
	assert.Regexp(t, `\n  premium-support +Customer Success +revenue +292,500\.00  costs +222,000\.00  \(launch, proposed by the department\)\n`, text)
	assert.Contains(t, text, "Customer Success         revenue")
	assert.Contains(t, text, "over-projection: suggested factor")
	assert.Contains(t, text, "OVER Engineering")
	implied, typed := demoSalesDriverCheck(t, cycle, filepath.Join(dir, "departments", "sales.xlsx"))
	assert.Contains(t, text, "driver-implied revenue against the plan")
	assert.Regexp(t, `\n  Sales +`+regexp.QuoteMeta(engine.FormatMoney(typed))+` +`+regexp.QuoteMeta(engine.FormatMoney(implied))+
		` +`+regexp.QuoteMeta(engine.FormatMoney(implied.Sub(typed)))+` +-?[0-9.]+%\n`, text)

	code, text, errOut = aop(t, nil, append([]string{"scenarios", "--cycle", cycle, "--json", "--runs", "500", "--seed", "7"}, files...)...)
	require.Equal(t, 0, code, errOut)
	var doc scenarioDoc
	require.NoError(t, json.Unmarshal([]byte(text), &doc), "stdout is one JSON document")
	require.Len(t, doc.Scenarios, 4)
	assert.Equal(t, "base", doc.Scenarios[0].Name)
	for _, s := range doc.Scenarios {
		if s.Name != "downside" {
			assert.Empty(t, s.Fired, s.Name)
			continue
		}
		require.Len(t, s.Fired, 1)
		f := s.Fired[0]
		assert.Equal(t, "revenue-slump", f.Trigger)
		// Sales revenue drops 18% from month 4: the trailing three months
		// fall below 92% of plan in month 5 and stay there in month 6.
		assert.Equal(t, 6, f.Month)
		require.Len(t, f.Actions, 3)
		assert.Equal(t, actionRow{Action: "freeze hiring", InEffect: true, From: 7, To: 12}, f.Actions[0])
	}
	down, base := doc.Scenarios[2], doc.Scenarios[0]
	assert.Equal(t, "downside", down.Name)
	assert.True(t, dec(t, down.Headcount).LessThan(dec(t, base.Headcount)), "the freeze leaves fewer people at year end")
	// The freeze takes effect in month 7: headcount follows the plan
	// through month 6 and falls behind it from month 7 on.
	assert.Equal(t, base.HeadcountByMonth[:6], down.HeadcountByMonth[:6])
	changed := 0
	for m := 6; m < 12; m++ {
		if down.HeadcountByMonth[m] != base.HeadcountByMonth[m] {
			changed++
			assert.True(t, dec(t, down.HeadcountByMonth[m]).LessThan(dec(t, base.HeadcountByMonth[m])), "month %d", m+1)
		}
	}
	assert.Positive(t, changed, "hires planned after month 6 never start")
	require.NotNil(t, doc.MonteCarlo)
	assert.Equal(t, uint64(7), doc.MonteCarlo.Seed)
	for metric, p := range doc.MonteCarlo.Metrics {
		assert.True(t, dec(t, p[0]).LessThanOrEqual(dec(t, p[1])) && dec(t, p[1]).LessThanOrEqual(dec(t, p[2])), "%s: %v", metric, p)
	}
	flagged := map[string]string{}
	for _, a := range doc.Accuracy {
		flagged[a.Department] = a.Bias
	}
	assert.Equal(t, "over-projection", flagged["customer-success"])
	assert.Equal(t, "unbiased", flagged["engineering"])

	require.Len(t, doc.Drivers, 1, "only Sales types drivers")
	sales := doc.Drivers[0]
	assert.Equal(t, "sales", sales.Department)
	assert.Equal(t, money(implied), sales.Implied)
	assert.Equal(t, money(typed), sales.Typed)
	assert.Equal(t, money(implied.Sub(typed)), sales.Gap, "the gap is implied − typed to the cent")
	assert.Equal(t, implied.Sub(typed).Div(typed).Round(4).String(), sales.GapPercent)
	byMonth := decimal.Zero
	for _, m := range sales.ImpliedByMonth {
		byMonth = byMonth.Add(dec(t, m))
	}
	assert.True(t, implied.Equal(byMonth), "the months add up to the year")
	assert.Empty(t, sales.Incomplete)
}

// demoSalesDriverCheck harvests the demo's Sales workbook and works out,
// from the drivers it holds, the revenue they imply for the year and the
// revenue the department typed. Each month's pipeline × win rate is booked
// to the cent a whole sales cycle later; what closes after month 12 is not
// in the year.
func demoSalesDriverCheck(t *testing.T, cycle, file string) (implied, typed decimal.Decimal) {
	t.Helper()
	cf, err := cyclefile.Load(cycle)
	require.NoError(t, err)
	key, err := keys.Load(func(string) string { return "" }, cf.SigningKeyFile)
	require.NoError(t, err)
	h, err := harvest.New(cf.Cycle, key)
	require.NoError(t, err)
	r, err := h.File(context.Background(), file, "sales")
	require.NoError(t, err)
	require.NotNil(t, r.Submission, "the Sales workbook is accepted: %v", r.Findings)
	drivers := map[string][engine.MonthsPerYear]*decimal.Decimal{}
	for _, dr := range r.Submission.Drivers {
		drivers[dr.Name] = dr.Months
	}
	for p := range engine.MonthsPerYear {
		pipeline, win, lag := drivers[model.PipelineDriver][p], drivers[model.WinRateDriver][p], drivers[model.SalesCycleDriver][p]
		require.True(t, pipeline != nil && win != nil && lag != nil && lag.IsInteger(), "month %d: the demo types every driver, in whole months", p+1)
		if p+int(lag.IntPart()) < engine.MonthsPerYear {
			implied = implied.Add(engine.RoundMoney(pipeline.Mul(*win)))
		}
	}
	require.True(t, implied.IsPositive(), "some of the demo's pipeline closes within the year")
	// The comparison covers the months the pipeline reaches: from the
	// first month's cycle on.
	from := int(drivers[model.SalesCycleDriver][0].IntPart())
	for _, l := range r.Submission.Lines {
		if a, ok := cf.Cycle.Account(l.Account); ok && a.Type == engine.Revenue {
			typed = typed.Add(engine.Sum(l.Months[from:]...))
		}
	}
	return implied, typed
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	require.NoError(t, err)
	return d
}

// The finance summary of `aop demo` and of `aop consolidate` carries the
// outlook tabs: the scenarios over the consolidated plan with the
// downside's trigger, ordered ranges, and Customer Success flagged for
// over-projecting.
func TestSummaryOutlookTabsOnTheDemo(t *testing.T) {
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	cf, err := cyclefile.Load(cycle)
	require.NoError(t, err)
	c := cf.Cycle

	files, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	again := filepath.Join(t.TempDir(), "summary.xlsx")
	code, text, errOut := aop(t, nil, append([]string{"consolidate", "--cycle", cycle, "--out", again, "--json", "--no-write-back"}, files...)...)
	require.Equal(t, 0, code, text+errOut)
	var rep consolidateReport
	require.NoError(t, json.Unmarshal([]byte(text), &rep))
	planRevenue := dec(t, rep.Company.Plan.Revenue)

	for _, summary := range []string{filepath.Join(dir, "summary.xlsx"), again} {
		wb, err := excel.Inspect(summary)
		require.NoError(t, err)
		for _, name := range []string{"Scenarios", "Ranges", "Accuracy", "Initiatives"} {
			s := wb.Sheet(name)
			require.NotNil(t, s, "%s has the %s tab", summary, name)
			assert.NotNil(t, s.Protection, "%s is protected", name)
		}

		s := wb.Sheet("Scenarios")
		head := gridtest.RowOf(s, 1, "Scenario")
		require.Equal(t, "base", s.Value(grid.R(head, 2)).Text)
		assert.True(t, planRevenue.Equal(gridtest.Number(t, s, gridtest.RowOf(s, 1, "Revenue"), 2)), "the base is the consolidated plan")
		fired := gridtest.RowOf(s, 2, "revenue-slump")
		require.Positive(t, fired, "the downside's trigger is listed")
		assert.Equal(t, "downside", s.Value(grid.R(fired, 1)).Text)
		assert.Equal(t, c.Year.Label(6), s.Value(grid.R(fired, 3)).Text)
		assert.Equal(t, "6", gridtest.Number(t, s, fired, 4).String())
		assert.Equal(t, "freeze hiring", s.Value(grid.R(fired, 8)).Text)
		assert.Equal(t, c.Year.Label(7), s.Value(grid.R(fired, 9)).Text)
		assert.Len(t, s.Charts, 2)

		s = wb.Sheet("Ranges")
		assert.Equal(t, "2000", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Runs"), 2).String())
		assert.Equal(t, "2027", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Seed"), 2).String())
		rows := []int{gridtest.RowOf(s, 1, "Revenue"), gridtest.RowOf(s, 1, "Costs"), gridtest.RowOf(s, 1, "Cash at year end")}
		for _, p := range engine.Periods() {
			rows = append(rows, gridtest.RowOf(s, 1, c.Year.Label(p)))
		}
		for _, row := range rows {
			require.Positive(t, row)
			// The year table holds one metric a row; the month table a
			// block of three columns per metric.
			require.Equal(t, grid.Number, s.Value(grid.R(row, 4)).Kind)
			for col := 2; s.Value(grid.R(row, col+2)).Kind == grid.Number; col += 3 {
				p10, p50, p90 := gridtest.Number(t, s, row, col), gridtest.Number(t, s, row, col+1), gridtest.Number(t, s, row, col+2)
				assert.True(t, p10.LessThanOrEqual(p50) && p50.LessThanOrEqual(p90), "row %d, column %d: %s %s %s", row, col, p10, p50, p90)
			}
		}

		drivers := gridtest.RowOf(s, 1, "Range")
		require.Positive(t, drivers, "the Ranges tab lists the uncertain drivers")
		for i, want := range [][2]string{{"subscription-revenue", "the cycle file"}, {"hosting-costs", "the cycle file"},
			{"marketing 6400 (department)", "Marketing's workbook"}, {"customer-success 4100 (department)", "Customer Success's workbook"}} {
			assert.Equal(t, want[0], s.Value(grid.R(drivers+1+i, 1)).Text)
			assert.Equal(t, want[1], s.Value(grid.R(drivers+1+i, 9)).Text)
		}
		custSuccess := drivers + 4
		assert.Equal(t, "4100 Professional services", s.Value(grid.R(custSuccess, 3)).Text)
		assert.Equal(t, []string{"0.8", "1", "1.05"}, []string{gridtest.Number(t, s, custSuccess, 5).String(), gridtest.Number(t, s, custSuccess, 6).String(), gridtest.Number(t, s, custSuccess, 7).String()})

		s = wb.Sheet("Accuracy")
		cs := gridtest.RowOf(s, 1, "Customer Success")
		require.Positive(t, cs)
		assert.Equal(t, "OVER-PROJECTS: suggested factor 0.949", s.Value(grid.R(cs, 3)).Text)
		require.NotNil(t, s.Cell(grid.R(cs, 3)).Style)
		assert.True(t, s.Cell(grid.R(cs, 3)).Style.Bold, "the flag stands out")
		assert.Equal(t, "no persistent bias", s.Value(grid.R(gridtest.RowOf(s, 1, "Engineering"), 3)).Text)

		s = wb.Sheet("Initiatives")
		assert.Positive(t, gridtest.RowOf(s, 1, "apollo (Sales, launch)"))
		premium := gridtest.RowOf(s, 1, "premium-support (Customer Success, launch, proposed by the department)")
		require.Positive(t, premium, "the department's initiative is listed like the cycle's")
		// 45,000 a month at full revenue from month 4 on an S-curve of six
		// months (see model.TestProposalLines): 3,127.06 + 9,658.09 +
		// 22,500 + 35,341.91 + 41,872.94 + 4 × 45,000; costs 60,000 once and
		// 18,000 for each of the nine months.
		year := 3 + engine.MonthsPerYear
		assert.Equal(t, "292500", gridtest.Number(t, s, premium, year).String())
		assert.Equal(t, "222000", gridtest.Number(t, s, premium+1, year).String())
		assert.Equal(t, "78000", gridtest.Number(t, s, premium+1, 3+3).String(), "the one-time cost lands in the start month")
		assert.Positive(t, gridtest.RowOf(s, 1, "All initiatives"))
	}
}

// TestScenariosWithADepartmentLeftOut: a department whose workbook has
// errors is left out of the consolidation; the overrides and playbook
// changes aimed at it match nothing and are named, and the scenarios still
// run.
func TestScenariosWithADepartmentLeftOut(t *testing.T) {
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	var files []string
	all, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	for _, f := range all {
		if filepath.Base(f) == demoMistakeDept+".xlsx" {
			f = breakWorkbook(t, f)
		}
		files = append(files, f)
	}
	code, text, errOut := aop(t, nil, append([]string{"scenarios", "--cycle", cycle, "--runs", "200"}, files...)...)
	require.Equal(t, exitProblems, code, "the broken file is reported: %s", errOut)
	assert.Contains(t, text, "left out (no accepted plan matches them):")
	assert.Contains(t, text, "scenario competitor-launch: multiply marketing/")
	assert.Contains(t, text, "downside: revenue-slump")
	assert.Contains(t, text, "Monte Carlo, 200 runs")
}

func TestBottlenecksArePrinted(t *testing.T) {
	c := &engine.Cycle{Company: "X", Year: engine.FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []engine.Department{{ID: "cs", Name: "Customer success"}}}
	r := &scenarioReport{cycle: c, spec: model.Spec{Capacities: []model.Capacity{{Name: "customer success", Department: "cs"}}},
		results: []*scenario.Result{{Scenario: "base"}, {Scenario: "upside", Bindings: []scenario.Binding{{Constraint: "customer success",
			Department: "cs", Months: []engine.Period{7, 8, 9}, Worst: 9, Shortfall: decimal.RequireFromString("25000")}}}}}
	var b strings.Builder
	r.printBottlenecks(&b)
	assert.Equal(t, "\nbottlenecks (demand above capacity):\n  upside: customer success in Customer success from Jul 2027, 3 months; the worst, Sep 2027, short 25,000.00\n", b.String())
	r.results = r.results[:1]
	b.Reset()
	r.printBottlenecks(&b)
	assert.Equal(t, "\nno capacity binds in any scenario\n", b.String())
}

// A plan that hires no one has no hiring to freeze: the playbook loses
// that action and keeps the rest, and a trigger whose playbook had only
// that action is no longer watched; both are named.
func TestKeepMatchingDropsActionsLeftEmpty(t *testing.T) {
	in := scenario.Inputs{Months: 12, Drivers: map[scenario.Key]scenario.Series{
		{Department: "marketing", Driver: "6400", Dimension: "Travel"}: make(scenario.Series, 12)}}
	freeze := scenario.Action{Name: "freeze hiring", Changes: []scenario.Change{
		scenario.Set(scenario.Selector{Driver: model.HiresDriver}, decimal.Zero)}}
	cut := scenario.Action{Name: "cut travel", Changes: []scenario.Change{
		scenario.Multiply(model.GroupSelector("", "Travel"), decimal.RequireFromString("0.9"))}}
	sc := scenario.Scenario{Name: "downside", Kind: scenario.Downside, Triggers: []scenario.Trigger{
		{Name: "slump", Playbook: scenario.Playbook{Name: "respond", Actions: []scenario.Action{freeze, cut}}},
		{Name: "deep slump", Playbook: scenario.Playbook{Name: "freeze", Actions: []scenario.Action{freeze}}},
	}}
	out, _, skipped := keepMatching([]scenario.Scenario{sc}, nil, in)
	require.Len(t, out[0].Triggers, 1)
	assert.Equal(t, "slump", out[0].Triggers[0].Name)
	assert.Equal(t, []scenario.Action{cut}, out[0].Triggers[0].Playbook.Actions)
	assert.Contains(t, skipped, "scenario downside: trigger deep slump: playbook freeze has nothing left to do")
	assert.Len(t, sc.Triggers[0].Playbook.Actions, 2, "the cycle's own scenario is left as it was")
}
