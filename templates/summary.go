package templates

import (
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

// SummarySheetName is the read-only tab aop writes into every department
// workbook. aop never harvests it and rewrites it whole.
const SummarySheetName = "Summary"

// summaryStyles are the styles of the summary tabs and workbook.
type summaryStyles struct {
	title, note, header, label, bold                  *grid.Style
	money, moneyBold, percent, percentBold, good, bad *grid.Style
}

func newSummaryStyles(c Spec) summaryStyles {
	return summaryStyles{
		title:       &grid.Style{Bold: true, FontColor: c.Colors.Header},
		note:        &grid.Style{Italic: true, FontColor: c.Colors.Muted},
		header:      &grid.Style{Bold: true, Fill: c.Colors.Header, FontColor: c.Colors.HeaderFont, Wrap: true, HAlign: grid.AlignCenter},
		label:       &grid.Style{},
		bold:        &grid.Style{Bold: true, Fill: c.Colors.Total},
		money:       &grid.Style{NumFmt: "#,##0.00"},
		moneyBold:   &grid.Style{NumFmt: "#,##0.00", Bold: true, Fill: c.Colors.Total},
		percent:     &grid.Style{NumFmt: "0.0%"},
		percentBold: &grid.Style{NumFmt: "0.0%", Bold: true, Fill: c.Colors.Total},
		good:        &grid.Style{FontColor: "2E7D32"},
		bad:         &grid.Style{FontColor: "C62828", Bold: true},
	}
}

// sheetWriter places rows on a sheet top to bottom.
type sheetWriter struct {
	s   *grid.Sheet
	row int
}

func (w *sheetWriter) cell(col int, v grid.Value, st *grid.Style) {
	w.s.Set(grid.R(w.row, col), grid.Cell{Value: v, Style: st})
}

func (w *sheetWriter) money(col int, d decimal.Decimal, st *grid.Style) {
	w.cell(col, grid.Num(engine.RoundMoney(d)), st)
}

// keyFigure writes a key figure's label, plan and, when it has a target,
// the target, the gap and the gap as a share of the target, in columns 1-5.
func (w *sheetWriter) keyFigure(st summaryStyles, label string, plan, target, gap decimal.Decimal, has bool) {
	w.cell(1, grid.Str(label), st.bold)
	w.money(2, plan, st.moneyBold)
	if !has {
		return
	}
	w.money(3, target, st.moneyBold)
	w.money(4, gap, st.moneyBold)
	if !target.IsZero() {
		w.cell(5, grid.Num(gap.Div(target).Round(6)), st.percentBold)
	}
}

func (w *sheetWriter) headers(st *grid.Style, names ...string) {
	for i, n := range names {
		w.cell(i+1, grid.Str(n), st)
	}
	w.row++
}

// pct returns a fraction as a value, or empty when it is undefined.
func pct(p *decimal.Decimal) grid.Value {
	if p == nil {
		return grid.Value{}
	}
	return grid.Num(p.Round(6))
}

func status(favourable bool, gap decimal.Decimal) string {
	switch {
	case gap.IsZero():
		return "on target"
	case favourable:
		return "favourable"
	default:
		return "unfavourable"
	}
}

// measureName names a target's account or group.
func measureName(c *engine.Cycle, account, group string) string {
	if account != "" {
		if a, ok := c.Account(account); ok {
			return a.Label()
		}
		return account
	}
	return group + " (group)"
}

func periodName(c *engine.Cycle, p engine.Period) string {
	if p == engine.FullYear {
		return c.Year.Name()
	}
	return c.Year.Label(p)
}

// DepartmentSummary renders the read-only Summary tab of a department's
// workbook: its plan against its target by account and month, its gaps,
// and its share of the company gap. asOf says when it was written.
func (t *Department) DepartmentSummary(k *engine.Consolidation, dept string, key Key, asOf string) (*grid.Sheet, error) {
	c := t.cycle
	d, ok := c.Department(dept)
	if !ok {
		return nil, fmt.Errorf("templates: unknown department %q", dept)
	}
	st := newSummaryStyles(*t.spec)
	wb := grid.New()
	s := wb.AddSheet(SummarySheetName)
	s.Protection = &grid.Protection{Password: key.SheetPassword()}
	s.TabColor = t.spec.Colors.Header
	s.Page = printWide()
	s.ColWidths = map[int]float64{1: 34}
	for col := 2; col <= 2+engine.MonthsPerYear+4; col++ {
		s.ColWidths[col] = 14
	}
	w := &sheetWriter{s: s, row: 1}
	w.cell(1, grid.Str(fmt.Sprintf("%s · %s · %s: your plan against your target", c.Company, d.Name, c.Year.Name())), st.title)
	w.row++
	w.cell(1, grid.Str(fmt.Sprintf("Written by aop %s from the plan you submitted; gap = target − plan. Read-only: change the Plan sheet and submit again to update it. Amounts in %s.", asOf, c.Currency)), st.note)
	w.row += 2

	// Key figures.
	w.headers(st.header, "", "Plan", "Target", "Gap", "Gap %", "Share of gap")
	for _, m := range []struct {
		label string
		types []engine.AccountType
	}{{"Revenue", []engine.AccountType{engine.Revenue}}, {"Costs", []engine.AccountType{engine.COGS, engine.OpEx}}} {
		plan, target, gap, has := k.Totals(dept, m.types...)
		if plan.IsZero() && !has {
			continue
		}
		w.keyFigure(st, m.label, plan, target, gap, has)
		if has {
			if share, ok := k.GapShare(dept, m.types...); ok {
				w.cell(6, grid.Num(share.Round(6)), st.percentBold)
			}
		}
		w.row++
	}
	w.row++

	// Plan by account and month, with the account's yearly target.
	w.cell(1, grid.Str("Plan by account and month"), st.title)
	w.row++
	heads := []string{"Account"}
	for _, p := range engine.Periods() {
		heads = append(heads, c.Year.Label(p))
	}
	heads = append(heads, c.Year.Name()+" plan")
	accountTargets := false
	for _, a := range c.AccountsFor(dept) {
		if _, has := k.TargetOf(dept, a.Code, "", engine.FullYear); has {
			accountTargets = true
		}
	}
	if accountTargets {
		heads = append(heads, "Target", "Gap", "Gap %")
	}
	w.headers(st.header, heads...)
	s.Freeze = grid.R(w.row, 2)
	total := 2 + engine.MonthsPerYear
	for _, a := range c.AccountsFor(dept) {
		plan := k.Plan(dept, a.Code, engine.FullYear)
		target, has := k.TargetOf(dept, a.Code, "", engine.FullYear)
		if plan.IsZero() && !has {
			continue
		}
		w.cell(1, grid.Str(a.Label()), st.label)
		for _, p := range engine.Periods() {
			w.money(1+int(p), k.Plan(dept, a.Code, p), st.money)
		}
		w.money(total, plan, st.moneyBold)
		if has {
			gap := target.Sub(plan)
			w.money(total+1, target, st.money)
			w.money(total+2, gap, st.money)
			if !target.IsZero() {
				w.cell(total+3, grid.Num(gap.Div(target).Round(6)), st.percent)
			}
		}
		w.row++
	}
	w.row++

	// The department's gap register.
	w.cell(1, grid.Str("Targets and gaps"), st.title)
	w.row++
	w.headers(st.header, "Target on", "Period", "Target", "Plan", "Gap", "Gap %", "Status")
	n := 0
	for _, g := range k.Gaps() {
		if g.Department != dept {
			continue
		}
		n++
		w.cell(1, grid.Str(measureName(c, g.Account, g.Group)), st.label)
		w.cell(2, grid.Str(periodName(c, g.Period)), st.label)
		w.money(3, g.Target, st.money)
		w.money(4, g.Plan, st.money)
		w.money(5, g.Gap, st.money)
		w.cell(6, pct(g.GapPct), st.percent)
		stStyle := st.good
		if !g.Favourable && !g.Gap.IsZero() {
			stStyle = st.bad
		}
		w.cell(7, grid.Str(status(g.Favourable, g.Gap)), stStyle)
		w.row++
	}
	if n == 0 {
		w.cell(1, grid.Str("Finance set no targets for this department."), st.note)
	}
	return s, nil
}
