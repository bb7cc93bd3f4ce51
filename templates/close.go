package templates

import (
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
)

// Sheet names of the finance summary's close tabs. The accuracy record
// extended with the closed months gets its own name beside the outlook's
// Accuracy tab.
const (
	financeBvA            = "BvA"
	financeWarnings       = "Early warnings"
	financeFired          = "Triggers fired"
	financeAccuracyToDate = "Accuracy to date"
)

// closeTabs lists the close tabs in the order CloseTabs adds them.
var closeTabs = []string{financeBvA, financeWarnings, financeFired, financeAccuracyToDate}

// CloseTabs adds a monthly close to the finance summary workbook: BvA (the
// company's and every department's lines against plan, with reasons and
// explanations, and charts of actual against plan), Early warnings, Triggers
// fired and, when the close has a record, Accuracy to date. Tabs of those
// names already in wb are replaced, so the same workbook can take the next
// close. Every tab is protected: only aop writes the summary.
func (t *Department) CloseTabs(wb *grid.Workbook, r *review.Report, asOf string) error {
	if wb == nil || r == nil {
		return errors.New("templates: the close tabs need a workbook and a close")
	}
	wb.Sheets = slices.DeleteFunc(wb.Sheets, func(s *grid.Sheet) bool { return slices.Contains(closeTabs, s.Name) })
	st := t.closeStyles()
	added := []*grid.Sheet{t.financeBvA(wb, r, st, asOf), t.financeWarnings(wb, r, st), t.financeFired(wb, r, st)}
	if len(r.Accuracy) > 0 {
		t.financeAccuracy(wb, financeAccuracyToDate, r.Accuracy, st.summaryStyles, newOutlookStyles(*t.spec))
		added = append(added, wb.Sheet(financeAccuracyToDate))
	}
	for _, s := range added {
		s.Protection = &grid.Protection{}
		s.Page = printWide()
	}
	return nil
}

// The columns of the BvA tab's lines.
const (
	bvaDepartment = 1 + iota
	bvaAccount
	bvaName
	bvaYTDActual
	bvaYTDPlan
	bvaVariance
	bvaPercent
	bvaOutlook
	bvaYearPlan
	bvaOutlookVariance
	bvaWhy
	bvaExplain
	bvaExplanation
)

// financeBvA writes the BvA tab: every line's year to date and outlook
// against plan, the company's lines first, then YTD actual against plan by
// department and the company's revenue and costs by month, charted.
func (t *Department) financeBvA(wb *grid.Workbook, r *review.Report, st closeStyles, asOf string) *grid.Sheet {
	c := t.cycle
	fy := t.closeYear(r)
	s := wb.AddSheet(financeBvA)
	s.ColWidths = map[int]float64{bvaDepartment: 24, bvaAccount: 12, bvaName: 28, bvaPercent: 10,
		bvaWhy: 44, bvaExplain: 9, bvaExplanation: 60}
	for col := bvaYTDActual; col <= bvaOutlookVariance; col++ {
		s.ColWidths[col] = max(s.ColWidths[col], 15)
	}
	w := &sheetWriter{s: s, row: 1}
	title := fmt.Sprintf("Actuals against plan · %s (%s)", fy.Name(), c.Currency)
	if r.Closed > 0 {
		title += ", through " + fy.Label(r.Close.Month)
	}
	w.cell(1, grid.Str(title), st.title)
	w.row++
	w.cell(1, grid.Str(fmt.Sprintf("Written by aop %s from the ledger and the approved plans. Variance = actual − plan: favourable in green, unfavourable in red. "+
		"The outlook is the actuals to date and the plan of the open months. Explain: the variance is material and the department was asked why.", asOf)), st.note)
	w.row++
	if r.Closed == 0 {
		w.cell(1, grid.Str(fmt.Sprintf("No month of %s is closed yet.", fy.Name())), st.bold)
		return s
	}
	w.cell(1, grid.Str("Closed through"), st.bold)
	w.cell(2, grid.Str(r.Close.Label(c.Year.StartMonth)), st.label)
	w.row += 2
	w.headers(st.header, "Department", "Account", "Name", "YTD actual", "YTD plan", "Variance", "Variance %",
		"Full-year outlook", "Full-year plan", "Outlook variance", "Why", "Explain", "Explanation")
	s.Freeze = grid.R(w.row, bvaYTDActual)
	for _, l := range r.Company {
		t.bvaLine(w, st, r, fy, "Company", l, true)
	}
	for _, d := range r.Departments {
		for _, l := range d.Lines {
			t.bvaLine(w, st, r, fy, d.Name, l, false)
		}
	}
	w.row++

	// Year to date by department.
	w.cell(1, grid.Str("Year to date by department"), st.title)
	w.row++
	w.headers(st.header, "Department", "Revenue actual", "Revenue plan", "Costs actual", "Costs plan")
	first := w.row
	for _, d := range r.Departments {
		rev, costs := keyFigure(d.Lines, engine.Revenue), keyFigure(d.Lines, engine.COGS, engine.OpEx)
		w.cell(1, grid.Str(d.Name), st.label)
		for i, v := range []decimal.Decimal{rev.YTDActual, rev.YTDPlan, costs.YTDActual, costs.YTDPlan} {
			w.money(2+i, v, st.moneyAmt.plain)
		}
		w.row++
	}
	byDept := grid.Rect(first, 1, w.row-1, 5)
	w.row++

	// The company's revenue and costs by month.
	w.cell(1, grid.Str("The company by month"), st.title)
	w.row++
	w.headers(st.header, "Month", "Revenue actual", "Revenue plan", "Costs actual", "Costs plan")
	first = w.row
	var revenue, costs [2][engine.MonthsPerYear]decimal.Decimal // actual, plan
	for _, l := range r.Company {
		into := &costs
		if l.Type == engine.Revenue {
			into = &revenue
		}
		for i := range engine.MonthsPerYear {
			into[1][i] = into[1][i].Add(l.Plan[i])
		}
		for _, m := range l.Months {
			into[0][m.Period-1] = into[0][m.Period-1].Add(m.Actual)
		}
	}
	for _, p := range engine.Periods() {
		w.cell(1, grid.Str(fy.Label(p)), st.label)
		if int(p) <= r.Closed {
			w.money(2, revenue[0][p-1], st.moneyAmt.plain)
			w.money(4, costs[0][p-1], st.moneyAmt.plain)
		}
		w.money(3, revenue[1][p-1], st.moneyAmt.plain)
		w.money(5, costs[1][p-1], st.moneyAmt.plain)
		w.row++
	}
	byMonth := grid.Rect(first, 1, w.row-1, 5)
	w.row++

	// The charts sit below the tables, where they cover nothing.
	col := func(r grid.Range, n int) string { return grid.Rect(r.From.Row, n, r.To.Row, n).On(s.Name) }
	series := func(r grid.Range) []grid.Series {
		return []grid.Series{
			{Name: "Revenue actual", Categories: col(r, 1), Values: col(r, 2), Color: "1F4E79"},
			{Name: "Revenue plan", Categories: col(r, 1), Values: col(r, 3), Color: "9DC3E6"},
			{Name: "Costs actual", Categories: col(r, 1), Values: col(r, 4), Color: "C62828"},
			{Name: "Costs plan", Categories: col(r, 1), Values: col(r, 5), Color: "F4B183"},
		}
	}
	if len(r.Departments) > 0 {
		s.Charts = append(s.Charts, grid.Chart{Type: grid.ChartColumn, Title: "Year to date: actual against plan by department",
			Anchor: grid.R(w.row, 1), Width: 720, Height: 340, YAxisNumFmt: "#,##0", Series: series(byDept)})
	}
	s.Charts = append(s.Charts, grid.Chart{Type: grid.ChartLine, Title: "The company by month: actual against plan",
		Anchor: grid.R(w.row+19, 1), Width: 720, Height: 340, YAxisNumFmt: "#,##0", Series: series(byMonth)})
	return s
}

// bvaLine writes one line of the BvA tab.
func (t *Department) bvaLine(w *sheetWriter, st closeStyles, r *review.Report, fy engine.FiscalYear, who string, l review.Line, company bool) {
	am, money := st.amounts(l.Type), l.Type.IsMoney()
	label, plain := st.label, am.plain
	if company {
		label, plain = st.bold, am.bold
	}
	w.cell(bvaDepartment, grid.Str(who), label)
	if !company {
		w.cell(bvaAccount, grid.Str(l.Account), label)
	}
	w.cell(bvaName, grid.Str(l.Name), label)
	w.amount(bvaYTDActual, l.YTDActual, money, plain)
	w.amount(bvaYTDPlan, l.YTDPlan, money, plain)
	w.amount(bvaVariance, l.YTDVariance, money, am.variance(l.YTDVariance, l.YTDFavourable))
	w.cell(bvaPercent, ratio(float64(l.YTDPercent)), st.percent)
	w.amount(bvaOutlook, l.Outlook, money, plain)
	w.amount(bvaYearPlan, l.FullYearPlan, money, plain)
	w.amount(bvaOutlookVariance, l.OutlookVariance, money, am.variance(l.OutlookVariance, l.OutlookFavourable))
	if !company {
		w.cell(bvaWhy, grid.Str(whyText(r, fy, l)), st.label)
	}
	if l.Explain {
		w.cell(bvaExplain, grid.Str("yes"), st.bad)
		text, style := l.Explanation, st.wrap
		if text == "" {
			text, style = "not explained yet", st.note
		}
		w.cell(bvaExplanation, grid.Str(text), style)
	}
	w.row++
}

// financeWarnings writes every assumption read against its indicator,
// the worst first, its status in colour.
func (t *Department) financeWarnings(wb *grid.Workbook, r *review.Report, st closeStyles) *grid.Sheet {
	c := t.cycle
	fy := t.closeYear(r)
	s := wb.AddSheet(financeWarnings)
	s.ColWidths = map[int]float64{1: 24, 2: 34, 3: 20, 4: 9, 5: 15, 6: 15, 7: 11, 8: 12, 9: 44}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("Early warnings · %s: the assumptions of the plans read against their leading indicators, the worst first", fy.Name())), st.title)
	w.row++
	w.cell(1, grid.Str("Shortfall is how far the indicator falls short of what the plan assumed (negative when ahead). "+
		"A breaking or watched indicator while results are still on plan is the warning before the miss."), st.note)
	w.row += 2
	if len(r.Warnings) == 0 {
		w.cell(1, grid.Str("No assumption is read against an indicator with actuals yet."), st.note)
		return s
	}
	w.headers(st.header, "Department", "Assumption", "Indicator", "Months", "Assumed", "Actual", "Shortfall", "Status", "Results")
	s.Freeze = grid.R(w.row, 2)
	for _, wa := range r.Warnings {
		name := wa.Department
		if d, ok := c.Department(wa.Department); ok {
			name = d.Name
		}
		w.cell(1, grid.Str(name), st.label)
		warningCells(w, st, wa, 2)
		w.row++
	}
	return s
}

// financeFired writes every trigger that fired on the actuals with the
// playbook that answers and its actions' months.
func (t *Department) financeFired(wb *grid.Workbook, r *review.Report, st closeStyles) *grid.Sheet {
	fy := t.closeYear(r)
	s := wb.AddSheet(financeFired)
	s.ColWidths = map[int]float64{1: 20, 2: 20, 3: 14, 4: 14, 5: 18, 6: 14, 7: 30, 8: 16, 9: 14, 10: 70}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("Triggers fired on the actuals · %s", fy.Name())), st.title)
	w.row++
	w.cell(1, grid.Str("A trigger fires once, in the first closed month its condition has held for its persistence; its playbook's actions "+
		"take effect from the response month on. A value compared with the plan shows as a percentage of it."), st.note)
	w.row += 2
	if len(r.Firings) > 0 {
		s.Freeze = grid.R(w.row+1, 2)
	}
	t.firings(w, st, fy, r.Firings, true)
	return s
}
