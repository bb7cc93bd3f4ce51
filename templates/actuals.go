package templates

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/engine/scenario"
	"aop/engine/variance"
)

// ActualsSheetName is the tab aop writes into a department's workbook at
// each monthly close: its actuals against its plan. It is read-only except
// for the explanation cells of the lines that ask for one, which
// ParseExplanations reads back at the next harvest.
const ActualsSheetName = "Actuals vs Plan"

// MaxExplanation is the most characters an explanation may hold.
const MaxExplanation = 2000

// The fixed places of the Actuals vs Plan tab. The close's period sits in
// B3 as "Sep 2026 (FY2027-P03)" (empty before the first close). Each
// account is a block of three rows from row 11 on — Actual, Plan and
// Variance, with the fiscal months as columns — and its code sits in
// column A of the block's first row, its explanation in column T of the
// same row (merged over the block). Blocks follow one another without a
// gap; the first row whose column A is empty ends them.
const (
	actualsCloseRow       = 3
	actualsCloseCol       = 2
	actualsKeyRow         = 5 // the key figures' headers; Revenue and Costs follow
	actualsHeaderRow      = 10
	actualsFirstRow       = 11
	actualsBlock          = 3
	actualsCodeCol        = 1
	actualsNameCol        = 2
	actualsLineCol        = 3
	actualsFirstMonthCol  = 4 // D: fiscal month 1; O: month 12
	actualsYTDCol         = actualsFirstMonthCol + engine.MonthsPerYear
	actualsYTDPctCol      = actualsYTDCol + 1
	actualsYearCol        = actualsYTDCol + 2
	actualsWhyCol         = actualsYTDCol + 3
	actualsExplanationCol = actualsYTDCol + 4
)

// The row labels of an account's block.
const (
	actualRow   = "Actual"
	planRow     = "Plan"
	varianceRow = "Variance"
)

// amountStyles are the looks of one kind of amount on the close tabs:
// money or quantities (headcount).
type amountStyles struct {
	plain, open, bold, good, bad *grid.Style
}

func newAmountStyles(numFmt string, c Spec) amountStyles {
	return amountStyles{
		plain: &grid.Style{NumFmt: numFmt},
		open:  &grid.Style{NumFmt: numFmt, FontColor: c.Colors.Muted},
		bold:  &grid.Style{NumFmt: numFmt, Bold: true, Fill: c.Colors.Total},
		good:  &grid.Style{NumFmt: numFmt, FontColor: "2E7D32"},
		bad:   &grid.Style{NumFmt: numFmt, FontColor: "C62828", Bold: true},
	}
}

// variance returns the style of a variance: green when favourable, red
// when not, plain when there is none.
func (a amountStyles) variance(v decimal.Decimal, favourable bool) *grid.Style {
	switch {
	case v.IsZero():
		return a.plain
	case favourable:
		return a.good
	}
	return a.bad
}

// closeStyles are the styles of the close tabs beyond the summary's.
type closeStyles struct {
	summaryStyles
	moneyAmt, unitAmt        amountStyles
	explanation, wrap        *grid.Style
	breaking, watch, onTrack *grid.Style
	ratio, whole             *grid.Style
}

func (t *Department) closeStyles() closeStyles {
	c := *t.spec
	return closeStyles{
		summaryStyles: newSummaryStyles(c),
		moneyAmt:      newAmountStyles("#,##0.00", c),
		unitAmt:       newAmountStyles("#,##0.0", c),
		explanation:   &grid.Style{Fill: c.Colors.Input, Border: true, Wrap: true, Unlocked: true},
		wrap:          &grid.Style{Wrap: true},
		breaking:      &grid.Style{Bold: true, FontColor: "9C0006", Fill: "FFC7CE"},
		watch:         &grid.Style{Bold: true, FontColor: "9C5700", Fill: "FFEB9C"},
		onTrack:       &grid.Style{FontColor: "006100", Fill: "C6EFCE"},
		ratio:         &grid.Style{NumFmt: "0.0%"},
		whole:         &grid.Style{NumFmt: "#,##0"},
	}
}

// amounts returns the styles of a line's amounts.
func (st closeStyles) amounts(t engine.AccountType) amountStyles {
	if t.IsMoney() {
		return st.moneyAmt
	}
	return st.unitAmt
}

// statusText returns the style of a variance's status in words.
func (st closeStyles) statusText(v decimal.Decimal, favourable bool) *grid.Style {
	if !favourable && !v.IsZero() {
		return st.bad
	}
	return st.good
}

// status returns the style of a warning's status.
func (st closeStyles) status(s review.Status) *grid.Style {
	switch s {
	case review.Breaking:
		return st.breaking
	case review.Watch:
		return st.watch
	}
	return st.onTrack
}

// amount writes an amount: money to the cent, quantities to two places.
func (w *sheetWriter) amount(col int, d decimal.Decimal, money bool, style *grid.Style) {
	if money {
		w.money(col, d, style)
		return
	}
	w.cell(col, grid.Num(d.Round(2)), style)
}

// headersFrom writes a row of headers from column col on.
func (w *sheetWriter) headersFrom(col int, st *grid.Style, names ...string) {
	for i, n := range names {
		w.cell(col+i, grid.Str(n), st)
	}
	w.row++
}

// ratio returns a share (0.05 is 5%) as a value, or empty when it is
// undefined (a variance on a zero plan).
func ratio(f float64) grid.Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return grid.Value{}
	}
	return grid.Num(decimal.NewFromFloat(f).Round(6))
}

// closeYear is the fiscal year a close reviews.
func (t *Department) closeYear(r *review.Report) engine.FiscalYear {
	return engine.FiscalYear{Year: r.Year, StartMonth: t.cycle.Year.StartMonth}
}

// ActualsTab renders the read-only Actuals vs Plan tab of a department's
// workbook from a close: key figures to date and for the year, each
// account's actual, plan and variance by closed month with its year to
// date, outlook and reasons, an explanation cell (the only unlocked cells)
// where the close asks for one, and the department's early warnings and
// the triggers that fired on it, an ancestor or the company. asOf says
// when it was written.
func (t *Department) ActualsTab(r *review.Report, dept string, key Key, asOf string) (*grid.Sheet, error) {
	c := t.cycle
	d, ok := c.Department(dept)
	if !ok {
		return nil, fmt.Errorf("templates: unknown department %q", dept)
	}
	if r == nil {
		return nil, errors.New("templates: the Actuals vs Plan tab needs a close")
	}
	st := t.closeStyles()
	fy := t.closeYear(r)
	s := grid.New().AddSheet(ActualsSheetName)
	s.Protection = &grid.Protection{Password: key.SheetPassword()}
	s.TabColor = t.spec.Colors.Header
	s.Page = printWide()
	s.ColWidths = map[int]float64{actualsCodeCol: 10, actualsNameCol: 32, actualsLineCol: 14,
		actualsYTDCol: 15, actualsYTDPctCol: 9, actualsYearCol: 15, actualsWhyCol: 40, actualsExplanationCol: 60}
	for _, p := range engine.Periods() {
		s.ColWidths[actualsFirstMonthCol+int(p)-1] = 13
	}
	w := &sheetWriter{s: s, row: 1}
	title := fmt.Sprintf("%s · %s · %s: actuals against plan", c.Company, d.Name, fy.Name())
	if r.Closed > 0 {
		title += ", through " + fy.Label(r.Close.Month)
	}
	w.cell(1, grid.Str(title), st.title)
	w.row++
	w.cell(1, grid.Str(fmt.Sprintf("Written by aop %s from the ledger. Variance = actual − plan: favourable in green, unfavourable in red. "+
		"The outlook is the actuals to date and the plan of the open months. Read-only, except the yellow explanation cells: "+
		"type there why a line differs from plan, and aop reads it at the next harvest. Amounts in %s.", asOf, c.Currency)), st.note)
	w.row = actualsCloseRow
	if r.Closed == 0 {
		w.cell(1, grid.Str(fmt.Sprintf("No month of %s is closed yet: this tab fills in at the first close.", fy.Name())), st.bold)
		return s, nil
	}
	w.cell(1, grid.Str("Closed through"), st.bold)
	w.cell(actualsCloseCol, grid.Str(r.Close.Label(c.Year.StartMonth)), st.label)

	var lines []review.Line
	if i := slices.IndexFunc(r.Departments, func(x review.Department) bool { return x.ID == dept }); i >= 0 {
		lines = r.Departments[i].Lines
	}
	w.row = actualsKeyRow
	w.headers(st.header, "", "YTD actual", "YTD plan", "Variance", "Variance %", "Full-year outlook", "Full-year plan", "Outlook variance", "Status")
	for _, m := range []struct {
		label string
		fav   engine.AccountType
		types []engine.AccountType
	}{{"Revenue", engine.Revenue, []engine.AccountType{engine.Revenue}}, {"Costs", engine.OpEx, []engine.AccountType{engine.COGS, engine.OpEx}}} {
		k := keyFigure(lines, m.types...)
		ytd, outlook := k.YTDVariance, k.OutlookVariance
		w.cell(1, grid.Str(m.label), st.bold)
		w.money(2, k.YTDActual, st.moneyBold)
		w.money(3, k.YTDPlan, st.moneyBold)
		w.money(4, ytd, st.moneyAmt.variance(ytd, variance.Favourable(m.fav, ytd)))
		w.cell(5, ratio(variance.Percent(ytd, k.YTDPlan)), st.percentBold)
		w.money(6, k.Outlook, st.moneyBold)
		w.money(7, k.FullYearPlan, st.moneyBold)
		w.money(8, outlook, st.moneyAmt.variance(outlook, variance.Favourable(m.fav, outlook)))
		w.cell(9, grid.Str(favourableText(ytd, variance.Favourable(m.fav, ytd))), st.statusText(ytd, variance.Favourable(m.fav, ytd)))
		w.row++
	}

	w.row = actualsHeaderRow - 1
	w.cell(1, grid.Str("By account: actual, plan and variance by month"), st.title)
	w.row = actualsHeaderRow
	heads := []string{"Account", "Name", ""}
	for _, p := range engine.Periods() {
		heads = append(heads, fy.Label(p))
	}
	heads = append(heads, "Year to date", "YTD %", "Full year (outlook)", "Why", "Explanation")
	w.headers(st.header, heads...)
	s.Freeze = grid.R(actualsFirstRow, actualsFirstMonthCol)
	var explain []grid.Range
	for _, l := range lines {
		if at, ok := t.actualsBlock(w, st, r, fy, l); ok {
			explain = append(explain, at)
		}
	}
	if len(lines) == 0 {
		w.cell(actualsNameCol, grid.Str("Nothing to compare: this department has no plan and no actuals this year."), st.note)
		w.row++
	}
	if len(explain) > 0 {
		s.Validations = append(s.Validations, grid.Validation{
			Ranges: explain, Type: grid.ValidateTextLength, Operator: grid.LessOrEqual, Formula1: fmt.Sprint(MaxExplanation), AllowBlank: true,
			InputTitle: "Explanation", InputMessage: "Why does this line differ from plan? aop reads this at the next harvest.",
			ErrorTitle: "Too long", ErrorMessage: fmt.Sprintf("Keep an explanation to %d characters or fewer.", MaxExplanation),
		})
	}
	w.row++

	t.departmentWarnings(w, st, r, dept)
	w.row++
	w.cell(1, grid.Str("Triggers fired on the actuals"), st.title)
	w.row++
	concerns := append([]string{dept, scenario.Company}, c.Ancestors(dept)...)
	var fired []scenario.Firing
	for _, f := range r.Firings {
		if slices.Contains(concerns, firingDepartment(f)) {
			fired = append(fired, f)
		}
	}
	t.firings(w, st, fy, fired, false)
	return s, nil
}

// keyFigure totals the lines of some account types.
func keyFigure(lines []review.Line, types ...engine.AccountType) variance.Report {
	var k variance.Report
	for _, l := range lines {
		if !slices.Contains(types, l.Type) {
			continue
		}
		k.YTDActual = k.YTDActual.Add(l.YTDActual)
		k.YTDPlan = k.YTDPlan.Add(l.YTDPlan)
		k.Outlook = k.Outlook.Add(l.Outlook)
		k.FullYearPlan = k.FullYearPlan.Add(l.FullYearPlan)
	}
	k.YTDVariance = k.YTDActual.Sub(k.YTDPlan)
	k.OutlookVariance = k.Outlook.Sub(k.FullYearPlan)
	return k
}

func favourableText(v decimal.Decimal, favourable bool) string {
	switch {
	case v.IsZero():
		return "on plan"
	case favourable:
		return "favourable"
	}
	return "unfavourable"
}

// actualsBlock writes one account's block of the Actuals vs Plan tab and,
// when the line asks for an explanation, returns its explanation cells.
func (t *Department) actualsBlock(w *sheetWriter, st closeStyles, r *review.Report, fy engine.FiscalYear, l review.Line) (grid.Range, bool) {
	s, first := w.s, w.row
	am, money := st.amounts(l.Type), l.Type.IsMoney()
	name := l.Name
	if name == "" {
		name = l.Account
	}
	w.cell(actualsCodeCol, grid.Str(l.Account), st.bold)
	w.cell(actualsNameCol, grid.Str(name), st.wrap)
	for i, label := range []string{actualRow, planRow, varianceRow} {
		w.row = first + i
		w.cell(actualsLineCol, grid.Str(label), st.label)
	}
	for _, p := range engine.Periods() {
		col := actualsFirstMonthCol + int(p) - 1
		if int(p) > r.Closed {
			w.row = first + 1
			w.amount(col, l.Plan[p-1], money, am.open)
			continue
		}
		m := l.Months[p-1]
		w.row = first
		w.amount(col, m.Actual, money, am.plain)
		w.row++
		w.amount(col, m.Plan, money, am.plain)
		w.row++
		w.amount(col, m.Variance, money, am.variance(m.Variance, m.Favourable))
	}
	for i, v := range [][2]decimal.Decimal{{l.YTDActual, l.Outlook}, {l.YTDPlan, l.FullYearPlan}} {
		w.row = first + i
		w.amount(actualsYTDCol, v[0], money, am.bold)
		w.amount(actualsYearCol, v[1], money, am.bold)
	}
	w.row = first + 2
	w.amount(actualsYTDCol, l.YTDVariance, money, am.variance(l.YTDVariance, l.YTDFavourable))
	w.cell(actualsYTDPctCol, ratio(float64(l.YTDPercent)), st.percent)
	w.amount(actualsYearCol, l.OutlookVariance, money, am.variance(l.OutlookVariance, l.OutlookFavourable))

	last := first + actualsBlock - 1
	w.row = first
	w.cell(actualsWhyCol, grid.Str(whyText(r, fy, l)), st.wrap)
	for _, col := range []int{actualsCodeCol, actualsNameCol, actualsWhyCol, actualsExplanationCol} {
		s.Merges = append(s.Merges, grid.Rect(first, col, last, col))
	}
	w.row = last + 1
	if !l.Explain {
		return grid.Range{}, false
	}
	at := grid.Rect(first, actualsExplanationCol, last, actualsExplanationCol)
	s.StyleRange(at, st.explanation) // every cell of the merge, so that it is editable wherever it is clicked
	s.SetValue(at.From, grid.Str(l.Explanation))
	return at, true
}

// whyText says why a line differs from its plan: timing or permanent (the
// last closed month's variance, against its quarter) and, where the plan's
// drivers moved, how much of the variance to date the assumptions explain
// and how much the execution.
func whyText(r *review.Report, fy engine.FiscalYear, l review.Line) string {
	if r.Closed == 0 || len(l.Months) < r.Closed {
		return ""
	}
	last := l.Months[r.Closed-1]
	if last.Variance.IsZero() && l.YTDVariance.IsZero() {
		return "on plan"
	}
	why := "permanent"
	if l.Timing == variance.Timing {
		why = fmt.Sprintf("timing: %s's variance nets out in its quarter", fy.Label(r.Close.Month))
	}
	if !l.Assumption.IsZero() {
		why += fmt.Sprintf("; assumption %s, execution %s", signedAmount(l.Assumption), signedAmount(l.Execution))
	}
	return why
}

// signedAmount writes an amount with its sign and thousands separators:
// "+12,000.00", "-25,000.00".
func signedAmount(d decimal.Decimal) string {
	d = engine.RoundMoney(d)
	sign := "+"
	if d.IsNegative() {
		sign, d = "-", d.Neg()
	} else if d.IsZero() {
		sign = ""
	}
	whole, cents, _ := strings.Cut(d.StringFixed(2), ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + "." + cents
}

// departmentWarnings writes a department's early warnings: its
// assumptions against their leading indicators.
func (t *Department) departmentWarnings(w *sheetWriter, st closeStyles, r *review.Report, dept string) {
	w.cell(1, grid.Str("Early warnings: your assumptions against their leading indicators"), st.title)
	w.row++
	w.cell(1, grid.Str("Shortfall is how far the indicator falls short of what the plan assumed (negative when ahead). "+
		"An indicator that falls behind while results are still on plan warns before the results miss."), st.note)
	w.row++
	n := 0
	for _, wa := range r.Warnings {
		if wa.Department != dept {
			continue
		}
		if n == 0 {
			w.headersFrom(2, st.header, "Assumption", "Indicator", "Months", "Assumed", "Actual", "Shortfall", "Status", "Results")
		}
		n++
		warningCells(w, st, wa, 2)
		w.row++
	}
	if n == 0 {
		w.cell(2, grid.Str("No assumption of your register is read against an indicator with actuals yet."), st.note)
		w.row++
	}
}

// warningCells writes a warning from column col on: the assumption, the
// indicator, the months compared, the assumed and actual values, the
// shortfall, the status and whether results are still on plan.
func warningCells(w *sheetWriter, st closeStyles, wa review.Warning, col int) {
	a := wa.Assumption
	text := a.Driver
	switch {
	case a.From != "" && a.To != "":
		text += ": " + a.From + " → " + a.To
	case a.To != "":
		text += ": " + a.To
	}
	w.cell(col, grid.Str(text), st.wrap)
	w.cell(col+1, grid.Str(wa.Indicator), st.label)
	w.cell(col+2, grid.Int(int64(wa.Months)), st.whole)
	style := indicatorStyle(st, wa)
	w.cell(col+3, grid.Num(wa.Assumed), style)
	w.cell(col+4, grid.Num(wa.Actual), style)
	w.cell(col+5, ratio(wa.Shortfall), st.percent)
	w.cell(col+6, grid.Str(string(wa.Status)), st.status(wa.Status))
	switch {
	case wa.Status == review.OnTrack:
	case wa.ResultsOnPlan:
		w.cell(col+7, grid.Str("results still on plan: the indicator warns first"), st.label)
	default:
		w.cell(col+7, grid.Str("results already off plan"), st.bad)
	}
}

// indicatorStyle formats an indicator's values: as a percentage when the
// assumption is one ("20%"), whole when both values are, else to cents.
func indicatorStyle(st closeStyles, wa review.Warning) *grid.Style {
	switch {
	case strings.HasSuffix(strings.TrimSpace(wa.Assumption.To), "%"):
		return st.ratio
	case wa.Assumed.IsInteger() && wa.Actual.IsInteger():
		return st.whole
	}
	return st.moneyAmt.plain
}

// firingDepartment returns the department whose series a fired trigger
// watched, or scenario.Company: the condition reads as Trigger.String
// writes it, "revenue of sales < 96% of plan", the department named before
// the comparison.
func firingDepartment(f scenario.Firing) string {
	head := f.Condition
	if i := strings.IndexAny(head, "<>"); i >= 0 {
		head = head[:i]
	}
	if _, dept, ok := strings.Cut(strings.TrimSpace(head), " of "); ok {
		return dept
	}
	return scenario.Company
}

// firingOfPlan reports whether a fired trigger compared a share of plan
// ("< 96% of plan"), so that its value is a ratio.
func firingOfPlan(f scenario.Firing) bool {
	i := strings.IndexAny(f.Condition, "<>")
	return i >= 0 && strings.Contains(f.Condition[i:], "% of plan")
}

// firings writes fired triggers, one row per action of the playbook that
// answers with the months it takes effect in. On a department's tab the
// table starts in column B; on the finance tab (all) in column A, with the
// department the trigger watched.
func (t *Department) firings(w *sheetWriter, st closeStyles, fy engine.FiscalYear, fs []scenario.Firing, all bool) {
	c := t.cycle
	col := 2
	heads := []string{"Trigger"}
	if all {
		col = 1
		heads = append(heads, "Watches")
	}
	heads = append(heads, "Fired in", "Value", "Playbook", "Response from", "Action", "In effect from", "To", "Condition")
	if len(fs) == 0 {
		w.cell(col, grid.Str("No trigger fired."), st.note)
		w.row++
		return
	}
	w.headersFrom(col, st.header, heads...)
	for _, f := range fs {
		w.cell(col, grid.Str(f.Trigger), st.bold)
		at := col + 1
		if all {
			who := "the company"
			if d, ok := c.Department(firingDepartment(f)); ok {
				who = d.Name
			} else if id := firingDepartment(f); id != scenario.Company {
				who = id
			}
			w.cell(at, grid.Str(who), st.label)
			at++
		}
		w.cell(at, grid.Str(fy.Label(f.Month)), st.label)
		if firingOfPlan(f) {
			w.cell(at+1, grid.Num(f.Value.Round(6)), st.percent)
		} else {
			w.money(at+1, f.Value, st.moneyAmt.plain)
		}
		w.cell(at+2, grid.Str(f.Playbook), st.label)
		w.cell(at+3, grid.Str(horizonMonth(fy, f.Response)), st.label)
		w.cell(at+7, grid.Str(f.Condition), st.label)
		if len(f.Actions) == 0 {
			w.cell(at+4, grid.Str("no actions"), st.note)
			w.row++
		}
		for _, a := range f.Actions {
			w.cell(at+4, grid.Str(a.Action), st.label)
			if a.InEffect {
				w.cell(at+5, grid.Str(fy.Label(a.From)), st.label)
				w.cell(at+6, grid.Str(fy.Label(a.To)), st.label)
			} else {
				w.cell(at+5, grid.Str("after the horizon"), st.note)
			}
			w.row++
		}
	}
}

// horizonMonth names a fiscal month, or says that it lies after the
// horizon (the fiscal year).
func horizonMonth(fy engine.FiscalYear, p engine.Period) string {
	if p > engine.MonthsPerYear {
		return "after the horizon"
	}
	return fy.Label(p)
}

// ParseExplanations reads the explanations of the Actuals vs Plan tab of a
// harvested department workbook, for the month the tab was written for:
// one for each line of the tab, with an empty Text where nothing is typed
// (which withdraws what the department said before). An explanation
// longer than MaxExplanation characters is left out with a warning at its
// cell: the plan beside it is not wrong for it. A workbook without the
// tab, or written before the first close, holds none.
func (t *Department) ParseExplanations(wb *grid.Workbook, dept string) ([]review.Explanation, []engine.Finding) {
	s := wb.Sheet(ActualsSheetName)
	if s == nil {
		return nil, nil
	}
	closeAt := grid.R(actualsCloseRow, actualsCloseCol)
	v := strings.TrimSpace(s.Value(closeAt).Text)
	if v == "" {
		return nil, nil
	}
	p, err := closePeriod(v)
	if err != nil {
		return nil, []engine.Finding{{Sheet: s.Name, Cell: closeAt.String(), Level: engine.Error,
			Message: fmt.Sprintf("the month of the close, %q, is unreadable: ask finance for a fresh %s tab", v, ActualsSheetName)}}
	}
	var out []review.Explanation
	var findings []engine.Finding
	for row := actualsFirstRow; ; row += actualsBlock {
		code := strings.TrimSpace(s.Value(grid.R(row, actualsCodeCol)).Text)
		if code == "" || s.Value(grid.R(row, actualsLineCol)).Text != actualRow {
			break
		}
		at := grid.R(row, actualsExplanationCol)
		text := strings.TrimSpace(s.Value(at).Text)
		if n := utf8.RuneCountInString(text); n > MaxExplanation {
			findings = append(findings, engine.Finding{Sheet: s.Name, Cell: at.String(), Level: engine.Warning,
				Message: fmt.Sprintf("the explanation of account %s is %d characters long and was left out: shorten it to %d or fewer", code, n, MaxExplanation)})
			continue
		}
		if _, ok := t.cycle.Account(code); !ok {
			findings = append(findings, engine.Finding{Sheet: s.Name, Cell: grid.R(row, actualsCodeCol).String(), Level: engine.Warning,
				Message: fmt.Sprintf("account %s is not in the cycle: its explanation is left out", code)})
			continue
		}
		out = append(out, review.Explanation{Department: dept, Account: code, Period: p.Month, Text: text,
			Sheet: s.Name, Cell: at.String()})
	}
	return out, findings
}

// ActualsExplanationCell is the explanation cell of the i-th line (from
// 0) of a department's Actuals vs Plan tab.
func ActualsExplanationCell(i int) grid.Ref {
	return grid.R(actualsFirstRow+i*actualsBlock, actualsExplanationCol)
}

// closePeriod reads the close's period from its label, "Sep 2026
// (FY2027-P03)", or from the period alone.
func closePeriod(v string) (actuals.Period, error) {
	if i := strings.LastIndexByte(v, '('); i >= 0 && strings.HasSuffix(v, ")") {
		v = v[i+1 : len(v)-1]
	}
	p, err := actuals.ParsePeriod(v)
	if err == nil && p.Yearly() {
		err = fmt.Errorf("%s is a year, not a month", v)
	}
	return p, err
}
