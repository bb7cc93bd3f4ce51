package templates

import (
	"aop/engine/grid/gridtest"
	"aop/engine/model"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/grid"
	"aop/engine/scenario"
)

// flat returns a year of equal months.
func flat(v string) scenario.Series {
	s := make(scenario.Series, engine.MonthsPerYear)
	for i := range s {
		s[i] = dec(v)
	}
	return s
}

// projection returns company outputs with flat monthly revenue and costs,
// a headcount and a cash balance that grows by a step each month.
func projection(revenue, costs, heads, cashStep string) scenario.Outputs {
	cash := make(scenario.Series, engine.MonthsPerYear)
	for i := range cash {
		cash[i] = dec(cashStep).Mul(decimal.NewFromInt(int64(i + 1)))
	}
	company := func(metric string) scenario.MetricKey {
		return scenario.MetricKey{Department: scenario.Company, Metric: metric}
	}
	return scenario.Outputs{Months: engine.MonthsPerYear,
		Metrics: map[scenario.MetricKey]scenario.Series{
			company(scenario.Revenue): flat(revenue), company(scenario.Costs): flat(costs),
			company(scenario.Headcount): flat(heads), company(scenario.Cash): cash,
		},
		Balances: map[string]bool{scenario.Headcount: true, scenario.Cash: true}}
}

// testOutlook is a hand-made outlook: a base and a downside whose trigger
// fired in month 5, ranges of two metrics, a biased and an unbiased
// department, and one launch.
func testOutlook() *Outlook {
	months := func(p10, p50, p90 string) []scenario.Percentiles {
		out := make([]scenario.Percentiles, engine.MonthsPerYear)
		for i := range out {
			out[i] = scenario.Percentiles{P10: dec(p10), P50: dec(p50), P90: dec(p90)}
		}
		return out
	}
	return &Outlook{
		Scenarios: []*scenario.Result{
			{Scenario: "base", Kind: scenario.Base, Outputs: projection("1000.005", "800", "10", "100")},
			{Scenario: "downside", Kind: scenario.Downside, Outputs: projection("900", "780", "8.5", "50"),
				Fired: []scenario.Firing{{Trigger: "slump", Playbook: "respond", Condition: "revenue < 92% of plan",
					Month: 5, Value: dec("0.9"), Response: 5, Actions: []scenario.Taken{
						{Action: "freeze hiring", InEffect: true, From: 6, To: 12},
						{Action: "too late", From: 13},
					}}}},
		},
		Triggers: []scenario.Trigger{{Name: "slump", OfPlan: true}},
		Ranges: &scenario.Simulated{Runs: 500, Seed: 7, Metrics: []scenario.MetricRange{
			{Metric: scenario.Revenue, Year: scenario.Percentiles{P10: dec("11000"), P50: dec("12000"), P90: dec("12500.5")}, Months: months("900", "1000", "1050")},
			{Metric: scenario.Cash, Year: scenario.Percentiles{P10: dec("-50"), P50: dec("1200"), P90: dec("1500")}, Months: months("-10", "100", "130")},
		}},
		RangeDrivers: []scenario.Range{
			{Name: "revenue", Select: model.AccountSelector("*", "4000"), Op: scenario.OpMultiply, From: 4,
				Dist: scenario.PERT{Min: dec("0.86"), Mode: dec("1"), Max: dec("1.06")}},
			{Name: "travel", Select: model.GroupSelector("ops", "Travel"), Op: scenario.OpAdd,
				Dist: scenario.LogNormal{P5: dec("100"), P95: dec("900")}},
			{Name: model.DepartmentRangeName("sales", "6200"), Select: model.AccountSelector("sales", "6200"), Op: scenario.OpMultiply,
				Dist: scenario.PERT{Min: dec("0.9"), Mode: dec("1"), Max: dec("1.25")}},
		},
		Accuracy: []accuracy.Report{
			{Department: "sales", Line: accuracy.Revenue, Periods: 12, PercentDefined: true, MAPE: 8.5, MPE: -8.25, WAPE: 8.3,
				Tracking: []accuracy.Signal{{Period: 12, TS: -11.5}}, Breach: 3, Significant: true,
				Evidence: "tracking signal -11.50 beyond ±4 at period 12", Bias: accuracy.OverProjection, Factor: dec("0.949")},
			{Department: "ops", Line: accuracy.Cost, Periods: 8, PercentDefined: true, MAPE: 1, MPE: 0.5, WAPE: 1.2,
				Tracking: []accuracy.Signal{{Period: 8, TS: 1.25}}, Evidence: "no significant bias", Factor: dec("1")},
		},
		Initiatives: []Initiative{
			{Name: "apollo", Department: "sales", Kind: "launch", Revenue: flat("300"), Costs: flat("100.5")},
			{Name: "hermes", Department: "ops", Kind: "acquisition", Proposed: true, Revenue: flat("50"), Costs: flat("10")},
		},
		Drivers: []model.DriverGap{{Department: "sales", Implied: [12]decimal.Decimal(flat("0")), Typed: [12]decimal.Decimal(flat("1000")),
			From: 3, ImpliedYear: dec("9500"), TypedYear: dec("10000"), Gap: dec("-500")}},
	}
}

func TestFinanceWorkbookOutlookTabs(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	k, err := engine.Consolidate(c, nil)
	require.NoError(t, err)

	plain, err := tpl.FinanceSummary(k, "", "today", nil)
	require.NoError(t, err)
	wb, err := tpl.FinanceWorkbook(k, FinanceOptions{AsOf: "today", Outlook: testOutlook()})
	require.NoError(t, err)
	require.Len(t, wb.Sheets, len(plain.Sheets)+5, "the outlook adds five tabs after the others")
	for i, name := range []string{"Scenarios", "Ranges", "Accuracy", "Initiatives", "Drivers"} {
		s := wb.Sheets[len(plain.Sheets)+i]
		assert.Equal(t, name, s.Name)
		assert.NotNil(t, s.Protection, "%s is read-only", name)
		assert.False(t, s.Freeze.IsZero(), "%s freezes its headers", name)
		assert.NotEmpty(t, s.ColWidths, name)
		for at, cell := range s.All() {
			require.False(t, cell.Style != nil && cell.Style.Unlocked, "%s!%s is locked", name, at)
		}
	}

	s := wb.Sheet("Scenarios")
	head := gridtest.RowOf(s, 1, "Scenario")
	require.Positive(t, head)
	assert.Equal(t, "base", s.Value(grid.R(head, 2)).Text)
	assert.Equal(t, "downside", s.Value(grid.R(head, 3)).Text)
	rev := gridtest.RowOf(s, 1, "Revenue")
	assert.Equal(t, "12000.06", gridtest.Number(t, s, rev, 2).String(), "the year's revenue, rounded to cents")
	assert.Equal(t, "#,##0.00", s.Cell(grid.R(rev, 2)).Style.NumFmt)
	assert.Equal(t, "10800", gridtest.Number(t, s, rev, 3).String())
	assert.Equal(t, "8.5", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Headcount at year end"), 3).String())
	assert.Equal(t, "600", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Cash at year end"), 3).String(), "a balance is its last month")
	may := gridtest.RowOf(s, 1, c.Year.Label(5))
	assert.Equal(t, "1000.01", gridtest.Number(t, s, may, 2).String(), "base revenue in month 5")
	assert.Equal(t, "250", gridtest.Number(t, s, may, 5).String(), "downside cash at the end of month 5")
	fired := gridtest.RowOf(s, 2, "slump")
	require.Positive(t, fired, "the fired trigger is listed")
	assert.Equal(t, "downside", s.Value(grid.R(fired, 1)).Text)
	assert.Equal(t, c.Year.Label(5), s.Value(grid.R(fired, 3)).Text)
	assert.Equal(t, "5", gridtest.Number(t, s, fired, 4).String())
	assert.Equal(t, "0.9", gridtest.Number(t, s, fired, 5).String())
	assert.Equal(t, "0.0%", s.Cell(grid.R(fired, 5)).Style.NumFmt, "a share of plan shows as a percentage")
	assert.Equal(t, "freeze hiring", s.Value(grid.R(fired, 8)).Text)
	assert.Equal(t, c.Year.Label(6), s.Value(grid.R(fired, 9)).Text)
	assert.Equal(t, c.Year.Label(12), s.Value(grid.R(fired, 10)).Text)
	assert.Equal(t, "after the year ends", s.Value(grid.R(fired+1, 9)).Text, "an action past the horizon says so")
	require.Len(t, s.Charts, 2)
	assert.Equal(t, grid.ChartColumn, s.Charts[0].Type)
	assert.Len(t, s.Charts[0].Series, 2, "one series per scenario")

	s = wb.Sheet("Ranges")
	assert.Equal(t, "500", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Runs"), 2).String())
	assert.Equal(t, "7", gridtest.Number(t, s, gridtest.RowOf(s, 1, "Seed"), 2).String())
	year := gridtest.RowOf(s, 1, "Revenue")
	assert.Equal(t, []string{"11000", "12000", "12500.5"},
		[]string{gridtest.Number(t, s, year, 2).String(), gridtest.Number(t, s, year, 3).String(), gridtest.Number(t, s, year, 4).String()})
	cash := gridtest.RowOf(s, 1, "Cash at year end")
	assert.Equal(t, "-50", gridtest.Number(t, s, cash, 2).String())
	month := gridtest.RowOf(s, 1, c.Year.Label(1))
	assert.Equal(t, "900", gridtest.Number(t, s, month, 2).String())
	assert.Equal(t, "130", gridtest.Number(t, s, month, 7).String(), "cash P90 in month 1")
	head = gridtest.RowOf(s, 1, "Range")
	require.Greater(t, head, month, "the drivers are listed below the percentiles")
	texts := func(row int) []string {
		var out []string
		for col := 1; col <= 9; col++ {
			out = append(out, s.Value(grid.R(row, col)).Text)
		}
		return out
	}
	assert.Equal(t, []string{"Range", "Department", "Plan of", "Spread", "Low (min or P5)", "Likely (mode)", "High (max or P95)", "Months", "Given by"}, texts(head))
	assert.Equal(t, []string{"revenue", "all departments", "4000 Subscription revenue", "multiply, PERT", "0.86", "1", "1.06", "Oct 2026 to Jun 2027", "the cycle file"}, texts(head+1))
	assert.Equal(t, "0.0%", s.Cell(grid.R(head+1, 5)).Style.NumFmt, "a multiplier shows as a share of plan")
	assert.Equal(t, []string{"travel", "Operations", "group Travel", "add, lognormal 90%", "100", "", "900", "the year", "the cycle file"}, texts(head+2))
	assert.Equal(t, "#,##0.00", s.Cell(grid.R(head+2, 5)).Style.NumFmt, "an amount added shows as money")
	assert.Equal(t, []string{"sales 6200 (department)", "Sales", "6200 Travel", "multiply, PERT", "0.9", "1", "1.25", "the year", "Sales's workbook"}, texts(head+3))

	s = wb.Sheet("Accuracy")
	sales := gridtest.RowOf(s, 1, "Sales")
	require.Positive(t, sales)
	assert.Equal(t, "OVER-PROJECTS: suggested factor 0.949", s.Value(grid.R(sales, 3)).Text)
	assert.Equal(t, "FFC7CE", s.Cell(grid.R(sales, 3)).Style.Fill, "the flag is styled as a warning")
	assert.Equal(t, "0.083", gridtest.Number(t, s, sales, 5).String(), "WAPE as a fraction")
	assert.Equal(t, "-0.0825", gridtest.Number(t, s, sales, 7).String(), "MPE as a fraction")
	assert.Equal(t, "-11.5", gridtest.Number(t, s, sales, 8).String())
	assert.Equal(t, "3", gridtest.Number(t, s, sales, 9).String())
	assert.Equal(t, "over-projection", s.Value(grid.R(sales, 10)).Text)
	assert.Equal(t, "0.949", gridtest.Number(t, s, sales, 11).String())
	ops := gridtest.RowOf(s, 1, "Operations")
	assert.Equal(t, "no persistent bias", s.Value(grid.R(ops, 3)).Text)
	assert.Equal(t, "none", s.Value(grid.R(ops, 9)).Text)

	s = wb.Sheet("Initiatives")
	apollo := gridtest.RowOf(s, 1, "apollo (Sales, launch)")
	require.Positive(t, apollo)
	total := 3 + engine.MonthsPerYear
	assert.Equal(t, "3600", gridtest.Number(t, s, apollo, total).String())
	assert.Equal(t, "1206", gridtest.Number(t, s, apollo+1, total).String())
	assert.Equal(t, "Net", s.Value(grid.R(apollo+2, 2)).Text)
	assert.Equal(t, "199.5", gridtest.Number(t, s, apollo+2, 3).String())
	hermes := gridtest.RowOf(s, 1, "hermes (Operations, M&A, proposed by the department)")
	require.Positive(t, hermes, "a department's initiative is listed like the cycle's, and says who proposed it")
	assert.Equal(t, "480", gridtest.Number(t, s, hermes+2, total).String())
	all := gridtest.RowOf(s, 1, "All initiatives")
	assert.Equal(t, "2874", gridtest.Number(t, s, all+2, total).String(), "(300 − 100.5 + 50 − 10) × 12")

	s = wb.Sheet("Drivers")
	salesRow := gridtest.RowOf(s, 1, "Sales")
	require.Positive(t, salesRow)
	assert.Equal(t, "Implied", s.Value(grid.R(salesRow, 2)).Text)
	assert.Equal(t, "9500", gridtest.Number(t, s, salesRow, total).String())
	assert.Equal(t, "10000", gridtest.Number(t, s, salesRow+1, total).String())
	assert.Equal(t, "-500", gridtest.Number(t, s, salesRow+2, total).String(), "the gap of the months the pipeline reaches")
	assert.Equal(t, "0", gridtest.Number(t, s, salesRow+2, 3).String(), "January closes from last year's pipeline: no gap")
	assert.Equal(t, "-1000", gridtest.Number(t, s, salesRow+2, 5).String(), "March")
}

func TestFinanceWorkbookLeavesOutEmptyParts(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	k, err := engine.Consolidate(c, nil)
	require.NoError(t, err)
	o := testOutlook()
	o.Scenarios, o.Initiatives, o.Drivers = nil, nil, nil
	wb, err := tpl.FinanceWorkbook(k, FinanceOptions{Outlook: o})
	require.NoError(t, err)
	assert.Nil(t, wb.Sheet("Scenarios"))
	assert.Nil(t, wb.Sheet("Initiatives"))
	assert.Nil(t, wb.Sheet("Drivers"))
	assert.NotNil(t, wb.Sheet("Ranges"))
	assert.NotNil(t, wb.Sheet("Accuracy"))
}
