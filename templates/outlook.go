package templates

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/grid"
	"aop/engine/model"
	"aop/engine/scenario"
)

// Sheet names of the finance summary's outlook tabs.
const (
	financeScenarios   = "Scenarios"
	financeRanges      = "Ranges"
	financeAccuracy    = "Accuracy"
	financeInitiatives = "Initiatives"
	financeDrivers     = "Drivers"
)

// Outlook is what the finance summary shows beyond the consolidated plan
// when the cycle has planning sections: the scenarios evaluated over the
// plan, the Monte Carlo ranges of the base, each department's forecast
// accuracy and the strategic initiatives. Each part gets its own tab; an
// empty part gets none.
type Outlook struct {
	// Scenarios are the evaluated scenarios, base first.
	Scenarios []*scenario.Result
	// Triggers are the triggers the scenarios watch; they say whether a
	// firing's value is a share of plan or an amount.
	Triggers []scenario.Trigger
	// Ranges is the simulation of the base, or nil.
	Ranges *scenario.Simulated
	// RangeDrivers are the uncertain drivers the simulation drew, the
	// cycle's and the departments' (model.IsDepartmentRange tells them
	// apart).
	RangeDrivers []scenario.Range
	// Accuracy is each department's record of forecasts against actuals.
	Accuracy []accuracy.Report
	// Initiatives are the initiatives in the plan with their monthly lines.
	Initiatives []Initiative
	// Drivers compares, per sales department, the revenue its pipeline,
	// win rate, deal size and sales cycle imply with the revenue it typed.
	Drivers []model.DriverGap
}

// Initiative is a strategic initiative's monthly revenue and costs over the
// fiscal year, as its engine/curves plan gives them.
type Initiative struct {
	Name string
	// Department is the id of the department whose plan holds it.
	Department string
	// Kind is the initiative's model, such as "launch" or "acquisition".
	Kind string
	// Proposed says the department proposed it on its workbook, rather than
	// finance in the cycle file.
	Proposed       bool
	Revenue, Costs []decimal.Decimal
}

// FinanceOptions are the choices of a finance summary workbook.
type FinanceOptions struct {
	// By, when not empty, adds the gaps and the plan by this dimension.
	By string
	// AsOf says when the summary was written, e.g. "on 2026-11-02 10:00 UTC".
	AsOf string
	// LeftOut lists the files left out of the consolidation.
	LeftOut []string
	// Outlook, when not nil, adds the Scenarios, Ranges, Accuracy and
	// Initiatives tabs for the parts it holds.
	Outlook *Outlook
}

// outlookStyles are the number formats and marks of the outlook tabs.
type outlookStyles struct {
	heads, headsBold, ratio, signal, whole, warning *grid.Style
}

func newOutlookStyles(c Spec) outlookStyles {
	return outlookStyles{
		heads:     &grid.Style{NumFmt: "#,##0.0"},
		headsBold: &grid.Style{NumFmt: "#,##0.0", Bold: true, Fill: c.Colors.Total},
		ratio:     &grid.Style{NumFmt: "0.000"},
		signal:    &grid.Style{NumFmt: "0.00"},
		whole:     &grid.Style{NumFmt: "0"},
		warning:   &grid.Style{Bold: true, FontColor: "9C0006", Fill: "FFC7CE"},
	}
}

// financeOutlook adds the tabs of the outlook's non-empty parts.
func (t *Department) financeOutlook(wb *grid.Workbook, o *Outlook, st summaryStyles) {
	ost := newOutlookStyles(*t.spec)
	if len(o.Scenarios) > 0 {
		t.financeScenarios(wb, o, st, ost)
	}
	if o.Ranges != nil && len(o.Ranges.Metrics) > 0 {
		t.financeRanges(wb, o.Ranges, o.RangeDrivers, st, ost)
	}
	if len(o.Accuracy) > 0 {
		t.financeAccuracy(wb, financeAccuracy, o.Accuracy, st, ost)
	}
	if len(o.Initiatives) > 0 {
		t.financeInitiatives(wb, o.Initiatives, st)
	}
	if len(o.Drivers) > 0 {
		t.financeDrivers(wb, o.Drivers, st)
	}
}

// monthTable starts a tab of lines by month: its title, a note, and the
// headers (first, Line, the months, the year), frozen above the lines.
func (t *Department) monthTable(wb *grid.Workbook, name string, st summaryStyles, first, title, note string) *sheetWriter {
	s := wb.AddSheet(name)
	s.ColWidths = map[int]float64{1: 30, 2: 12}
	for col := 3; col <= 3+engine.MonthsPerYear; col++ {
		s.ColWidths[col] = 14
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(title), st.title)
	w.row++
	w.cell(1, grid.Str(note), st.note)
	w.row += 2
	w.headers(st.header, append([]string{first}, t.monthHeaders("Line")...)...)
	s.Freeze = grid.R(w.row, 3)
	return w
}

// monthLine writes one line of a month table: the group's label on its
// first line only, the line's name, its months and the year's figure
// (bold lines are totals).
func (w *sheetWriter) monthLine(st summaryStyles, label string, first bool, name string, months []decimal.Decimal, year decimal.Decimal, bold bool) {
	money, lstyle := st.money, st.label
	if bold {
		money, lstyle = st.moneyBold, st.bold
	}
	if first {
		w.cell(1, grid.Str(label), lstyle)
	} else {
		w.cell(1, grid.Value{}, lstyle)
	}
	w.cell(2, grid.Str(name), lstyle)
	for i, m := range months {
		w.money(3+i, m, money)
	}
	w.money(3+len(months), year, st.moneyBold)
	w.row++
}

// financeDrivers writes the driver check: per department, the bookings its
// drivers imply, the revenue it typed and the gap, by month and for the
// months the year's pipeline reaches.
func (t *Department) financeDrivers(wb *grid.Workbook, gaps []model.DriverGap, st summaryStyles) {
	c := t.cycle
	w := t.monthTable(wb, financeDrivers, st, "Department",
		fmt.Sprintf("Driver check · %s (%s): the revenue each department's sales drivers imply against the revenue it typed", c.Year.Name(), c.Currency),
		"Implied: the pipeline created in a month, won at that month's win rate and deal size, closes a sales cycle later. "+
			"The year column compares the months the year's pipeline reaches; a gap above zero means the drivers carry more than the plan asks for.")
	for _, g := range gaps {
		name := g.Department
		if d, ok := c.Department(g.Department); ok {
			name = d.Name
		}
		var gap [engine.MonthsPerYear]decimal.Decimal
		for i := range gap {
			if g.From != 0 && engine.Period(i+1) >= g.From {
				gap[i] = g.Implied[i].Sub(g.Typed[i])
			}
		}
		for j, line := range []struct {
			label  string
			months [engine.MonthsPerYear]decimal.Decimal
			year   decimal.Decimal
		}{{"Implied", g.Implied, g.ImpliedYear}, {"Typed", g.Typed, g.TypedYear}, {"Gap", gap, g.Gap}} {
			w.monthLine(st, name, j == 0, line.label, line.months[:], line.year, j == 2)
		}
	}
}

// companySeries returns a company metric of a projection, with a zero
// month wherever the projection is shorter than the year.
func companySeries(out scenario.Outputs, metric string) [engine.MonthsPerYear]decimal.Decimal {
	var ms [engine.MonthsPerYear]decimal.Decimal
	s, _ := out.Get(scenario.Company, metric)
	for i := range ms {
		if i < len(s) {
			ms[i] = s[i]
		}
	}
	return ms
}

// scenarioColors are the series colours of the scenario charts, base first.
var scenarioColors = []string{"1F4E79", "2E7D32", "C62828", "EF6C00", "6A1B9A", "00838F"}

// financeScenarios writes each scenario's year figures side by side, its
// revenue and cash by month, the triggers that fired with their playbooks'
// actions, and charts of revenue and cash by scenario.
func (t *Department) financeScenarios(wb *grid.Workbook, o *Outlook, st summaryStyles, ost outlookStyles) {
	c := t.cycle
	results := o.Scenarios
	n := len(results)
	s := wb.AddSheet(financeScenarios)
	s.ColWidths = map[int]float64{1: 30}
	for col := 2; col <= 1+2*n; col++ {
		s.ColWidths[col] = 16
	}
	for i, r := range results {
		// A scenario's name heads its column in the year figures.
		s.ColWidths[2+i] = max(s.ColWidths[2+i], float64(len(r.Scenario)+4))
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("Scenarios · %s (%s): the consolidated plan projected under each scenario", c.Year.Name(), c.Currency)), st.title)
	w.row++
	w.cell(1, grid.Str("The base is the plan as consolidated. Each scenario applies its overrides, and the playbook of every trigger that fires. Headcount and cash are at year end."), st.note)
	w.row += 2

	// The year figures, one column per scenario.
	heads := []string{"Scenario"}
	for _, r := range results {
		heads = append(heads, r.Scenario)
	}
	w.headers(st.header, heads...)
	s.Freeze = grid.R(w.row, 2)
	w.cell(1, grid.Str("Kind"), st.label)
	for i, r := range results {
		w.cell(2+i, grid.Str(string(r.Kind)), &grid.Style{HAlign: grid.AlignRight})
	}
	w.row++
	base := results[0].Outputs
	year := func(out scenario.Outputs, metric string) decimal.Decimal {
		return out.Year(scenario.MetricKey{Department: scenario.Company, Metric: metric})
	}
	for _, f := range []struct {
		label, metric string
		style         *grid.Style
		money         bool
	}{
		{"Revenue", scenario.Revenue, st.moneyBold, true},
		{"Costs", scenario.Costs, st.money, true},
		{"Headcount at year end", scenario.Headcount, ost.heads, false},
		{"Cash at year end", scenario.Cash, st.moneyBold, true},
	} {
		w.cell(1, grid.Str(f.label), st.label)
		for i, r := range results {
			v := year(r.Outputs, f.metric)
			if f.money {
				w.money(2+i, v, f.style)
			} else {
				w.cell(2+i, grid.Num(v.Round(2)), f.style)
			}
		}
		w.row++
	}
	for _, f := range []struct{ label, metric string }{{"Revenue against base", scenario.Revenue}, {"Cash against base", scenario.Cash}} {
		w.cell(1, grid.Str(f.label), st.label)
		for i, r := range results {
			w.money(2+i, year(r.Outputs, f.metric).Sub(year(base, f.metric)), st.money)
		}
		w.row++
	}
	w.row++

	// Revenue and cash by month, a block of two columns per scenario.
	w.cell(1, grid.Str("Revenue and cash at month end, by scenario"), st.title)
	w.row++
	w.cell(1, grid.Str(""), st.header)
	for i, r := range results {
		col := 2 + 2*i
		w.cell(col, grid.Str(r.Scenario), st.header)
		w.cell(col+1, grid.Value{}, st.header)
		s.Merges = append(s.Merges, grid.Rect(w.row, col, w.row, col+1))
	}
	w.row++
	monthHeads := []string{"Month"}
	for range results {
		monthHeads = append(monthHeads, "Revenue", "Cash")
	}
	w.headers(st.header, monthHeads...)
	first := w.row
	revenue := make([][engine.MonthsPerYear]decimal.Decimal, n)
	cash := make([][engine.MonthsPerYear]decimal.Decimal, n)
	for i, r := range results {
		revenue[i] = companySeries(r.Outputs, scenario.Revenue)
		cash[i] = companySeries(r.Outputs, scenario.Cash)
	}
	for _, p := range engine.Periods() {
		w.cell(1, grid.Str(c.Year.Label(p)), st.label)
		for i := range results {
			w.money(2+2*i, revenue[i][p-1], st.money)
			w.money(3+2*i, cash[i][p-1], st.money)
		}
		w.row++
	}
	last := w.row - 1
	w.cell(1, grid.Str(c.Year.Name()), st.bold)
	for i := range results {
		w.money(2+2*i, engine.Sum(revenue[i][:]...), st.moneyBold)
		w.money(3+2*i, cash[i][engine.MonthsPerYear-1], st.moneyBold)
	}
	w.row += 2

	t.firedTriggers(w, o, st)

	// The charts sit below the tables, where they cover nothing.
	w.row++
	col := func(n int) string { return grid.Rect(first, n, last, n).On(s.Name) }
	var revenueSeries, cashSeries []grid.Series
	for i, r := range results {
		color := scenarioColors[i%len(scenarioColors)]
		revenueSeries = append(revenueSeries, grid.Series{Name: r.Scenario, Categories: col(1), Values: col(2 + 2*i), Color: color})
		cashSeries = append(cashSeries, grid.Series{Name: r.Scenario, Categories: col(1), Values: col(3 + 2*i), Color: color})
	}
	s.Charts = append(s.Charts,
		grid.Chart{Type: grid.ChartColumn, Title: "Revenue by month and scenario", Anchor: grid.R(w.row, 1),
			Width: 720, Height: 340, YAxisNumFmt: "#,##0", Series: revenueSeries},
		grid.Chart{Type: grid.ChartLine, Title: "Cash at month end by scenario", Anchor: grid.R(w.row+19, 1),
			Width: 720, Height: 340, YAxisNumFmt: "#,##0", Series: cashSeries},
	)
}

// firedTriggers lists the triggers that fired in each scenario, one row per
// action of the playbook that answered, with the months it took effect.
func (t *Department) firedTriggers(w *sheetWriter, o *Outlook, st summaryStyles) {
	c := t.cycle
	w.cell(1, grid.Str("Triggers that fired and the playbooks that answered"), st.title)
	w.row++
	w.headers(st.header, "Scenario", "Trigger", "Fired in", "Fiscal month", "Value", "Playbook", "Response from",
		"Action", "In effect from", "To", "Condition")
	ofPlan := map[string]bool{}
	for _, tr := range o.Triggers {
		ofPlan[tr.Name] = tr.OfPlan
	}
	fired := 0
	for _, r := range o.Scenarios {
		for _, f := range r.Fired {
			fired++
			w.cell(1, grid.Str(r.Scenario), st.label)
			w.cell(2, grid.Str(f.Trigger), st.label)
			w.cell(3, grid.Str(c.Year.Label(f.Month)), st.label)
			w.cell(4, grid.Int(int64(f.Month)), st.label)
			if ofPlan[f.Trigger] {
				w.cell(5, grid.Num(f.Value.Round(6)), st.percent)
			} else {
				w.money(5, f.Value, st.money)
			}
			w.cell(6, grid.Str(f.Playbook), st.label)
			w.cell(7, grid.Str(monthOrAfter(c, f.Response)), st.label)
			w.cell(11, grid.Str(f.Condition), st.label)
			if len(f.Actions) == 0 {
				w.row++
			}
			for _, a := range f.Actions {
				w.cell(8, grid.Str(a.Action), st.label)
				if a.InEffect {
					w.cell(9, grid.Str(c.Year.Label(a.From)), st.label)
					w.cell(10, grid.Str(c.Year.Label(a.To)), st.label)
				} else {
					w.cell(9, grid.Str("after the year ends"), st.note)
				}
				w.row++
			}
		}
	}
	if fired == 0 {
		w.cell(1, grid.Str("No trigger fired in any scenario."), st.note)
		w.row++
	}
	w.s.ColWidths[8] = max(w.s.ColWidths[8], 30)
	w.s.ColWidths[11] = max(w.s.ColWidths[11], 70)
	for col := 2; col <= 10; col++ {
		w.s.ColWidths[col] = max(w.s.ColWidths[col], 14)
	}
}

// monthOrAfter names a fiscal month, or says that it lies after the year.
func monthOrAfter(c *engine.Cycle, p engine.Period) string {
	if p > engine.MonthsPerYear {
		return "after the year ends"
	}
	return c.Year.Label(p)
}

// metricLabel names a simulated company metric.
func metricLabel(metric string) string {
	switch metric {
	case scenario.Revenue:
		return "Revenue"
	case scenario.Costs:
		return "Costs"
	case scenario.Cash:
		return "Cash"
	case scenario.Headcount:
		return "Headcount"
	}
	return metric
}

// financeRanges writes the Monte Carlo percentiles of the base: the year
// figures and each month's, with the runs and the seed that reproduce them,
// and below them the uncertain drivers drawn.
func (t *Department) financeRanges(wb *grid.Workbook, sim *scenario.Simulated, drivers []scenario.Range, st summaryStyles, ost outlookStyles) {
	c := t.cycle
	s := wb.AddSheet(financeRanges)
	s.ColWidths = map[int]float64{1: 30}
	for col := 2; col <= 1+3*len(sim.Metrics); col++ {
		s.ColWidths[col] = 16
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("Ranges · %s (%s): Monte Carlo percentiles of the base plan", c.Year.Name(), c.Currency)), st.title)
	w.row++
	w.cell(1, grid.Str("P10 is the low case (one run in ten falls below it), P50 the median, P90 the high case. A year figure is the percentile of the runs' year figures (cash at year end), not the sum of the monthly percentiles."), st.note)
	w.row += 2
	w.cell(1, grid.Str("Runs"), st.label)
	w.cell(2, grid.Int(int64(sim.Runs)), &grid.Style{NumFmt: "#,##0"})
	w.row++
	w.cell(1, grid.Str("Seed"), st.label)
	w.cell(2, grid.NumText(strconv.FormatUint(sim.Seed, 10)), ost.whole)
	w.row += 2

	w.cell(1, grid.Str(c.Year.Name()), st.title)
	w.row++
	w.headers(st.header, "Metric", "P10", "P50", "P90")
	s.Freeze = grid.R(w.row, 2)
	for _, m := range sim.Metrics {
		label := metricLabel(m.Metric)
		if m.Metric == scenario.Cash || m.Metric == scenario.Headcount {
			label += " at year end"
		}
		w.cell(1, grid.Str(label), st.bold)
		w.money(2, m.Year.P10, st.moneyBold)
		w.money(3, m.Year.P50, st.moneyBold)
		w.money(4, m.Year.P90, st.moneyBold)
		w.row++
	}
	w.row++

	w.cell(1, grid.Str("By month"), st.title)
	w.row++
	w.cell(1, grid.Value{}, st.header)
	for i, m := range sim.Metrics {
		col := 2 + 3*i
		w.cell(col, grid.Str(metricLabel(m.Metric)), st.header)
		w.cell(col+1, grid.Value{}, st.header)
		w.cell(col+2, grid.Value{}, st.header)
		s.Merges = append(s.Merges, grid.Rect(w.row, col, w.row, col+2))
	}
	w.row++
	heads := []string{"Month"}
	for range sim.Metrics {
		heads = append(heads, "P10", "P50", "P90")
	}
	w.headers(st.header, heads...)
	first := w.row
	for _, p := range engine.Periods() {
		w.cell(1, grid.Str(c.Year.Label(p)), st.label)
		for i, m := range sim.Metrics {
			if int(p) > len(m.Months) {
				continue
			}
			q := m.Months[p-1]
			w.money(2+3*i, q.P10, st.money)
			w.money(3+3*i, q.P50, st.money)
			w.money(4+3*i, q.P90, st.money)
		}
		w.row++
	}
	last := w.row - 1
	for i, m := range sim.Metrics {
		if m.Metric != scenario.Cash {
			continue
		}
		col := func(n int) string { return grid.Rect(first, n, last, n).On(s.Name) }
		s.Charts = append(s.Charts, grid.Chart{
			Type: grid.ChartLine, Title: "Cash at month end: P10, P50, P90", Anchor: grid.R(3, 3+3*len(sim.Metrics)),
			Width: 640, Height: 340, YAxisNumFmt: "#,##0",
			Series: []grid.Series{
				{Name: "P10", Categories: col(1), Values: col(2 + 3*i), Color: "C62828"},
				{Name: "P50", Categories: col(1), Values: col(3 + 3*i), Color: "1F4E79"},
				{Name: "P90", Categories: col(1), Values: col(4 + 3*i), Color: "2E7D32"},
			},
		})
	}
	if len(drivers) > 0 {
		w.row++
		t.rangeDrivers(w, drivers, st)
	}
}

// rangeDrivers lists the uncertain drivers of a simulation: what each
// picks, its spread and who gave it. Multipliers show as shares of plan.
func (t *Department) rangeDrivers(w *sheetWriter, drivers []scenario.Range, st summaryStyles) {
	c := t.cycle
	for col, width := range map[int]float64{2: 24, 3: 26, 4: 16, 8: 22, 9: 30} {
		w.s.ColWidths[col] = max(w.s.ColWidths[col], width)
	}
	for col := 5; col <= 7; col++ {
		w.s.ColWidths[col] = max(w.s.ColWidths[col], 14)
	}
	w.cell(1, grid.Str("Uncertain drivers"), st.title)
	w.row++
	w.cell(1, grid.Str("Each run draws every range once and applies it to the plan it picks over its months. A department's range of its own plan is used where the cycle file has none for that plan."), st.note)
	w.row++
	w.headers(st.header, "Range", "Department", "Plan of", "Spread", "Low (min or P5)", "Likely (mode)", "High (max or P95)", "Months", "Given by")
	for _, r := range drivers {
		value := func(col int, d decimal.Decimal) {
			if r.Op == scenario.OpMultiply {
				w.cell(col, grid.Num(d), st.percent)
			} else {
				w.cell(col, grid.Num(d), st.money)
			}
		}
		w.cell(1, grid.Str(r.Name), st.label)
		w.cell(2, grid.Str(t.selectedDepartment(r.Select.Department)), st.label)
		w.cell(3, grid.Str(t.selectedPlan(r.Select)), st.label)
		switch d := r.Dist.(type) {
		case scenario.PERT:
			w.cell(4, grid.Str(string(r.Op)+", PERT"), st.label)
			value(5, d.Min)
			value(6, d.Mode)
			value(7, d.Max)
		case scenario.LogNormal:
			w.cell(4, grid.Str(string(r.Op)+", lognormal 90%"), st.label)
			value(5, d.P5)
			value(7, d.P95)
		}
		months := "the year"
		if r.From > 1 || (r.To > 0 && r.To < engine.MonthsPerYear) {
			from, to := max(r.From, 1), r.To
			if to == 0 {
				to = engine.MonthsPerYear
			}
			months = c.Year.Label(from) + " to " + c.Year.Label(to)
		}
		w.cell(8, grid.Str(months), st.label)
		by := "the cycle file"
		if model.IsDepartmentRange(r) {
			by = t.selectedDepartment(r.Select.Department) + "'s workbook"
		}
		w.cell(9, grid.Str(by), st.label)
		w.row++
	}
}

// selectedDepartment names the departments a selector picks.
func (t *Department) selectedDepartment(pattern string) string {
	if pattern == "" || pattern == "*" {
		return "all departments"
	}
	if d, ok := t.cycle.Department(pattern); ok {
		return d.Name
	}
	return pattern
}

// selectedPlan names the plan a selector picks: an account, a group of
// accounts or a driver.
func (t *Department) selectedPlan(sel scenario.Selector) string {
	driver := sel.Driver
	switch {
	case sel.Dimension != "" && sel.Dimension != "*":
		return "group " + sel.Dimension
	case driver == "" || driver == "*":
		return "every account"
	}
	if a, ok := t.cycle.Account(driver); ok {
		return a.Label()
	}
	return driver
}

// BiasFlag is the warning the Accuracy tab shows for a department with a
// persistent bias, such as "OVER-PROJECTS: suggested factor 0.949", and
// empty when the department shows none.
func BiasFlag(r accuracy.Report) string {
	switch r.Bias {
	case accuracy.OverProjection:
		return "OVER-PROJECTS: suggested factor " + r.Factor.StringFixed(3)
	case accuracy.Sandbagging:
		return "SANDBAGS: suggested factor " + r.Factor.StringFixed(3)
	}
	return ""
}

// financeAccuracy writes each department's forecast accuracy by line on
// the tab name, and flags the departments with a persistent bias.
func (t *Department) financeAccuracy(wb *grid.Workbook, name string, reports []accuracy.Report, st summaryStyles, ost outlookStyles) {
	c := t.cycle
	s := wb.AddSheet(name)
	s.ColWidths = map[int]float64{1: 28, 2: 10, 3: 40, 4: 9, 5: 10, 6: 10, 7: 10, 8: 22, 9: 15, 10: 16, 11: 17, 12: 70}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str("Forecast accuracy: each department's past forecasts against the actuals that followed"), st.title)
	w.row++
	w.cell(1, grid.Str("Errors are actual − forecast: a negative MPE or tracking signal means forecasts ran high. A tracking signal beyond ±4 is a breach. The suggested factor multiplies the department's next submission on that line."), st.note)
	w.row += 2
	w.headers(st.header, "Department", "Line", "Flag", "Periods", "WAPE", "MAPE", "MPE", "Tracking signal (last)",
		"Breach period", "Bias", "Suggested factor", "Evidence")
	s.Freeze = grid.R(w.row, 2)
	for _, r := range reports {
		name := r.Department
		if d, ok := c.Department(r.Department); ok {
			name = d.Name
		}
		label := st.label
		if r.Bias != accuracy.Unbiased {
			label = ost.warning
		}
		w.cell(1, grid.Str(name), label)
		w.cell(2, grid.Str(r.Line.String()), st.label)
		if flag := BiasFlag(r); flag != "" {
			w.cell(3, grid.Str(flag), ost.warning)
		} else {
			w.cell(3, grid.Str("no persistent bias"), st.good)
		}
		w.cell(4, grid.Int(int64(r.Periods)), ost.whole)
		if r.PercentDefined {
			w.cell(5, percentOf(r.WAPE), st.percent)
			w.cell(6, percentOf(r.MAPE), st.percent)
			w.cell(7, percentOf(r.MPE), st.percent)
		}
		if n := len(r.Tracking); n > 0 {
			w.cell(8, grid.Float(round(r.Tracking[n-1].TS, 4)), ost.signal)
		}
		if r.Breach > 0 {
			w.cell(9, grid.Int(int64(r.Breach)), ost.whole)
		} else {
			w.cell(9, grid.Str("none"), st.note)
		}
		w.cell(10, grid.Str(r.Bias.String()), label)
		w.cell(11, grid.Num(r.Factor.Round(6)), ost.ratio)
		w.cell(12, grid.Str(r.Evidence), st.label)
		w.row++
	}
}

// percentOf turns a percentage such as 6.25 into the fraction 0.0625 that a
// percent format shows as 6.3%.
func percentOf(p float64) grid.Value {
	return grid.Num(decimal.NewFromFloat(p).Shift(-2).Round(6))
}

// round rounds a statistic to places decimals for display.
func round(x float64, places int32) float64 {
	f, _ := decimal.NewFromFloat(x).Round(places).Float64()
	return f
}

// financeInitiatives writes each initiative's revenue, costs and net by
// month, and the totals of all of them.
func (t *Department) financeInitiatives(wb *grid.Workbook, ins []Initiative, st summaryStyles) {
	c := t.cycle
	w := t.monthTable(wb, financeInitiatives, st, "Initiative",
		fmt.Sprintf("Strategic initiatives · %s (%s): revenue, costs and net by month", c.Year.Name(), c.Currency),
		"From each initiative's model (a launch on its adoption curve, an acquisition from its close; one a department proposed on its workbook, its one-time and running costs and revenue on an S-curve to its full level). "+
			"The plan includes them; a playbook that pauses an initiative takes its lines out from that month. Net = revenue − costs.")
	var total [3][engine.MonthsPerYear]decimal.Decimal
	lines := func(label string, l [3][engine.MonthsPerYear]decimal.Decimal, bold bool) {
		for j, name := range []string{"Revenue", "Costs", "Net"} {
			w.monthLine(st, label, j == 0, name, l[j][:], engine.Sum(l[j][:]...), bold || j == 2)
		}
	}
	for _, in := range ins {
		var l [3][engine.MonthsPerYear]decimal.Decimal
		for i := range engine.MonthsPerYear {
			if i < len(in.Revenue) {
				l[0][i] = in.Revenue[i]
			}
			if i < len(in.Costs) {
				l[1][i] = in.Costs[i]
			}
			l[2][i] = l[0][i].Sub(l[1][i])
			for j := range total {
				total[j][i] = total[j][i].Add(l[j][i])
			}
		}
		label := in.Name
		if d, ok := c.Department(in.Department); ok {
			kind := in.Kind
			if in.Proposed {
				kind = initiativeKindLabel(in.Kind) + ", proposed by the department"
			}
			label += " (" + d.Name + ", " + kind + ")"
		}
		lines(label, l, false)
	}
	lines("All initiatives", total, true)
}
