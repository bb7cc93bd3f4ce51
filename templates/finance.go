package templates

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

// Sheet names of the finance summary workbook.
const (
	financeOverview  = "Overview"
	financePnL       = "P&L"
	financeHeadcount = "Headcount"
	financeGaps      = "Gap register"
	financeWaterfall = "Gap waterfall"
)

// FinanceSummary renders the finance summary workbook of a consolidation:
// an overview, the consolidated P&L by month, headcount, the gap register
// by department and account, the same by a dimension (by, when not empty),
// and gap waterfalls by department. leftOut lists the files left out.
func (t *Department) FinanceSummary(k *engine.Consolidation, by, asOf string, leftOut []string) (*grid.Workbook, error) {
	return t.FinanceWorkbook(k, FinanceOptions{By: by, AsOf: asOf, LeftOut: leftOut})
}

// FinanceWorkbook renders the finance summary workbook as FinanceSummary
// does, followed, when o.Outlook is set, by the tabs of the cycle's
// scenarios, ranges, forecast accuracy and initiatives. Every tab is
// protected: only aop writes the summary.
func (t *Department) FinanceWorkbook(k *engine.Consolidation, o FinanceOptions) (*grid.Workbook, error) {
	c := t.cycle
	st := newSummaryStyles(*t.spec)
	wb := grid.New()
	t.financeOverview(wb, k, st, o.AsOf, o.LeftOut)
	t.financePnL(wb, k, st)
	t.financeHeadcount(wb, k, st)
	t.financeGaps(wb, k, st)
	if o.By != "" {
		dim, ok := c.Dimension(o.By)
		if !ok {
			return nil, fmt.Errorf("templates: cycle %s has no dimension %q", c.ID, o.By)
		}
		if err := t.financeByDimension(wb, k, dim, st); err != nil {
			return nil, err
		}
	}
	t.financeWaterfall(wb, k, st)
	if o.Outlook != nil {
		t.financeOutlook(wb, o.Outlook, st)
	}
	for _, s := range wb.Sheets {
		s.Protection = &grid.Protection{}
		s.Page = printWide()
	}
	return wb, nil
}

func (t *Department) financeOverview(wb *grid.Workbook, k *engine.Consolidation, st summaryStyles, asOf string, leftOut []string) {
	c := t.cycle
	s := wb.AddSheet(financeOverview)
	s.ColWidths = map[int]float64{1: 34, 2: 34, 3: 18, 4: 18, 5: 18, 6: 10, 7: 14}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("%s · %s plan: bottom-up against top-down", c.Company, c.Year.Name())), st.title)
	w.row++
	w.cell(1, grid.Str(fmt.Sprintf("Consolidated by aop %s. Amounts in %s. %d of %d departments submitted.",
		asOf, c.Currency, len(k.Submitted()), len(c.Leaves()))), st.note)
	w.row += 2
	w.headers(st.header, "", "Plan (bottom-up)", "Target (top-down)", "Gap (target − plan)", "Gap %", "Status")
	for _, m := range measures() {
		plan, target, gap, has := k.Totals("", m.types...)
		w.keyFigure(st, m.label, plan, target, gap, has)
		if has {
			fav := gap.IsNegative() == (m.label == "Revenue")
			w.cell(6, grid.Str(status(fav, gap)), st.bold)
		}
		w.row++
	}
	w.row++
	w.cell(1, grid.Str("Biggest gaps"), st.title)
	w.row++
	w.headers(st.header, "Department", "Target on", "Target", "Plan", "Gap", "Gap %", "Status")
	for _, g := range BiggestGaps(k, 10) {
		d, _ := c.Department(g.Department)
		w.cell(1, grid.Str(d.Name), st.label)
		w.cell(2, grid.Str(measureName(c, g.Account, g.Group)+" · "+periodName(c, g.Period)), st.label)
		w.money(3, g.Target, st.money)
		w.money(4, g.Plan, st.money)
		w.money(5, g.Gap, st.money)
		w.cell(6, pct(g.GapPct), st.percent)
		w.cell(7, grid.Str(status(g.Favourable, g.Gap)), statusStyle(st, g))
		w.row++
	}
	w.row++
	if missing := k.Missing(); len(missing) > 0 || len(leftOut) > 0 {
		w.cell(1, grid.Str("Not in this consolidation"), st.title)
		w.row++
		for _, id := range missing {
			d, _ := c.Department(id)
			w.cell(1, grid.Str(d.Name+" ("+id+")"), st.label)
			w.cell(2, grid.Str("no valid submission"), st.bad)
			w.row++
		}
		for _, f := range leftOut {
			w.cell(1, grid.Str(f), st.label)
			w.cell(2, grid.Str("file left out: see the harvest findings"), st.bad)
			w.row++
		}
	}
}

func statusStyle(st summaryStyles, g engine.Gap) *grid.Style {
	if !g.Favourable && !g.Gap.IsZero() {
		return st.bad
	}
	return st.good
}

type measure struct {
	label string
	types []engine.AccountType
}

func measures() []measure {
	return []measure{
		{"Revenue", []engine.AccountType{engine.Revenue}},
		{"Costs (cost of revenue and operating expenses)", []engine.AccountType{engine.COGS, engine.OpEx}},
	}
}

// BiggestGaps returns the n gaps of the register with the largest absolute
// amount, unfavourable first when amounts tie.
func BiggestGaps(k *engine.Consolidation, n int) []engine.Gap {
	gaps := append([]engine.Gap(nil), k.Gaps()...)
	sort.SliceStable(gaps, func(i, j int) bool {
		a, b := gaps[i].Gap.Abs(), gaps[j].Gap.Abs()
		if !a.Equal(b) {
			return a.GreaterThan(b)
		}
		return !gaps[i].Favourable && gaps[j].Favourable
	})
	if len(gaps) > n {
		gaps = gaps[:n]
	}
	return gaps
}

func (t *Department) monthHeaders(first string) []string {
	heads := []string{first}
	for _, p := range engine.Periods() {
		heads = append(heads, t.cycle.Year.Label(p))
	}
	return append(heads, t.cycle.Year.Name())
}

func (t *Department) financePnL(wb *grid.Workbook, k *engine.Consolidation, st summaryStyles) {
	s := wb.AddSheet(financePnL)
	s.ColWidths = map[int]float64{1: 36}
	for col := 2; col <= 2+engine.MonthsPerYear; col++ {
		s.ColWidths[col] = 14
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("Consolidated P&L by month · %s (%s)", t.cycle.Year.Name(), t.cycle.Currency)), st.title)
	w.row += 2
	w.headers(st.header, t.monthHeaders("Account")...)
	s.Freeze = grid.R(w.row, 2)
	for _, r := range k.PnL("") {
		style, label := st.money, st.label
		if r.Account == nil {
			style, label = st.moneyBold, st.bold
		}
		w.cell(1, grid.Str(r.Label), label)
		for i, m := range r.Months {
			w.money(2+i, m, style)
		}
		w.money(2+engine.MonthsPerYear, r.Total, st.moneyBold)
		w.row++
	}
}

func (t *Department) financeHeadcount(wb *grid.Workbook, k *engine.Consolidation, st summaryStyles) {
	c := t.cycle
	s := wb.AddSheet(financeHeadcount)
	s.ColWidths = map[int]float64{1: 32}
	for col := 2; col <= 2+engine.MonthsPerYear; col++ {
		s.ColWidths[col] = 12
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str("New headcount by department and month (cumulative heads added) and their loaded cost"), st.title)
	w.row += 2
	w.headers(st.header, t.monthHeaders("Department")...)
	s.Freeze = grid.R(w.row, 2)
	row := func(label string, months [engine.MonthsPerYear]decimal.Decimal, total decimal.Decimal, style, lstyle *grid.Style) {
		w.cell(1, grid.Str(label), lstyle)
		for i, m := range months {
			w.cell(2+i, grid.Num(m), style)
		}
		w.cell(2+engine.MonthsPerYear, grid.Num(total), style)
		w.row++
	}
	heads := &grid.Style{NumFmt: "#,##0"}
	headsBold := &grid.Style{NumFmt: "#,##0", Bold: true, Fill: t.spec.Colors.Total}
	for _, d := range c.Leaves() {
		hc := k.Headcount(d.ID)
		row(d.Name, hc.Cumulative, hc.Cumulative[engine.MonthsPerYear-1], heads, st.label)
	}
	hc := k.Headcount("")
	row("Company", hc.Cumulative, hc.Cumulative[engine.MonthsPerYear-1], headsBold, st.bold)
	w.row++
	w.cell(1, grid.Str("Loaded cost of new hires"), st.title)
	w.row++
	w.headers(st.header, t.monthHeaders("Department")...)
	for _, d := range c.Leaves() {
		hc := k.Headcount(d.ID)
		row(d.Name, roundMonths(hc.Cost), engine.RoundMoney(engine.Sum(hc.Cost[:]...)), st.money, st.label)
	}
	row("Company", roundMonths(hc.Cost), engine.RoundMoney(engine.Sum(hc.Cost[:]...)), st.moneyBold, st.bold)
}

func roundMonths(ms [engine.MonthsPerYear]decimal.Decimal) [engine.MonthsPerYear]decimal.Decimal {
	for i := range ms {
		ms[i] = engine.RoundMoney(ms[i])
	}
	return ms
}

func (t *Department) financeGaps(wb *grid.Workbook, k *engine.Consolidation, st summaryStyles) {
	c := t.cycle
	s := wb.AddSheet(financeGaps)
	s.ColWidths = map[int]float64{1: 30, 2: 26, 3: 34, 4: 12, 5: 16, 6: 16, 7: 16, 8: 10, 9: 14}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str("Gap register: every top-down target against the bottom-up plan (gap = target − plan)"), st.title)
	w.row += 2
	w.headers(st.header, "Department", "Parent", "Target on", "Period", "Target", "Plan", "Gap", "Gap %", "Status")
	s.Freeze = grid.R(w.row, 1)
	for _, g := range k.Gaps() {
		d, _ := c.Department(g.Department)
		parent := ""
		if p, ok := c.Department(d.Parent); ok {
			parent = p.Name
		}
		w.cell(1, grid.Str(d.Name), st.label)
		w.cell(2, grid.Str(parent), st.label)
		w.cell(3, grid.Str(measureName(c, g.Account, g.Group)), st.label)
		w.cell(4, grid.Str(periodName(c, g.Period)), st.label)
		w.money(5, g.Target, st.money)
		w.money(6, g.Plan, st.money)
		w.money(7, g.Gap, st.money)
		w.cell(8, pct(g.GapPct), st.percent)
		w.cell(9, grid.Str(status(g.Favourable, g.Gap)), statusStyle(st, g))
		w.row++
	}
}

func (t *Department) financeByDimension(wb *grid.Workbook, k *engine.Consolidation, dim engine.Dimension, st summaryStyles) error {
	c := t.cycle
	s := wb.AddSheet("By " + dim.Name)
	s.ColWidths = map[int]float64{1: 26, 2: 34}
	for col := 3; col <= 3+engine.MonthsPerYear; col++ {
		s.ColWidths[col] = 14
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("The gaps by %s: each department's gap shared out by its plan in each %s", lower(dim.Name), lower(dim.Name))), st.title)
	w.row += 2
	w.headers(st.header, dim.Name, "Target on", "Target (allocated)", "Plan", "Gap")
	gaps, err := k.GapsByDimension(dim.ID)
	if err != nil {
		return err
	}
	for _, g := range gaps {
		w.cell(1, grid.Str(memberName(dim, g.Member)), st.label)
		w.cell(2, grid.Str(measureName(c, g.Account, g.Group)), st.label)
		w.money(3, g.Target, st.money)
		w.money(4, g.Plan, st.money)
		w.money(5, g.Gap, st.money)
		w.row++
	}
	w.row++
	w.cell(1, grid.Str(fmt.Sprintf("Plan by %s and account, by month", lower(dim.Name))), st.title)
	w.row++
	heads := append([]string{dim.Name}, t.monthHeaders("Account")...)
	w.headers(st.header, heads...)
	pivot, err := k.Pivot(dim.ID, "")
	if err != nil {
		return err
	}
	for _, r := range pivot {
		w.cell(1, grid.Str(memberName(dim, r.Member)), st.label)
		w.cell(2, grid.Str(measureName(c, r.Account, "")), st.label)
		for i, m := range r.Months {
			w.money(3+i, m, st.money)
		}
		w.money(3+engine.MonthsPerYear, r.Total, st.moneyBold)
		w.row++
	}
	return nil
}

func memberName(d engine.Dimension, id string) string {
	if id == engine.Unassigned {
		return "(unassigned)"
	}
	for _, m := range d.Members {
		if m.ID == id {
			return memberLabel(m)
		}
	}
	return id
}

func lower(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// financeWaterfall draws the gap bridges: from the bottom-up plan to the
// target, one bar per department's gap. A stacked column chart with an
// invisible base series is the waterfall every spreadsheet app can draw.
func (t *Department) financeWaterfall(wb *grid.Workbook, k *engine.Consolidation, st summaryStyles) {
	c := t.cycle
	s := wb.AddSheet(financeWaterfall)
	s.ColWidths = map[int]float64{1: 30, 2: 16, 3: 16, 4: 16, 5: 16, 6: 16}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str("Gap bridges: from the bottom-up plan to the top-down target, by department"), st.title)
	w.row += 2
	for i, m := range measures() {
		b := k.Bridge(m.types...)
		if b.Target.IsZero() && b.Plan.IsZero() {
			continue
		}
		w.cell(1, grid.Str(m.label), st.title)
		w.row++
		w.headers(st.header, "Step", "Amount", "Running total", "Base", "Increase", "Decrease")
		first := w.row
		running := b.Plan
		bar := func(label string, amount, base, up, down decimal.Decimal, style *grid.Style) {
			w.cell(1, grid.Str(label), st.label)
			w.money(2, amount, style)
			w.money(3, running, style)
			w.money(4, base, st.money)
			w.money(5, up, st.money)
			w.money(6, down, st.money)
			w.row++
		}
		bar("Bottom-up plan", b.Plan, decimal.Zero, b.Plan, decimal.Zero, st.moneyBold)
		for _, step := range b.Steps {
			before := running
			running = running.Add(step.Amount)
			base := decimal.Min(before, running)
			up, down := decimal.Zero, decimal.Zero
			if step.Amount.IsPositive() {
				up = step.Amount
			} else {
				down = step.Amount.Neg()
			}
			label := step.Label
			if d, ok := c.Department(step.Department); ok && label == "" {
				label = d.Name
			}
			bar(label, step.Amount, base, up, down, st.money)
		}
		bar("Top-down target", b.Target, decimal.Zero, b.Target, decimal.Zero, st.moneyBold)
		last := w.row - 1
		col := func(n int) string { return grid.Rect(first, n, last, n).On(s.Name) }
		s.Charts = append(s.Charts, grid.Chart{
			Type: grid.ChartColumnStacked, Title: m.label + ": plan to target",
			Anchor: grid.R(3+i*22, 8), Width: 720, Height: 380, YAxisNumFmt: "#,##0",
			Series: []grid.Series{
				{Name: "Base", Categories: col(1), Values: col(4), Transparent: true},
				{Name: "Increase", Categories: col(1), Values: col(5), Color: "2E7D32"},
				{Name: "Decrease", Categories: col(1), Values: col(6), Color: "C62828"},
			},
		})
		w.row = max(w.row+2, 3+(i+1)*22)
	}
}
