package templates

import (
	"fmt"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

// Department is the department input template bound to a cycle: it renders
// one workbook per department and parses filled ones back. It is safe for
// concurrent use.
type Department struct {
	spec   *Spec
	cycle  *engine.Cycle
	shapes shapes
	// planRefs are the references a parsed plan line names its cells by,
	// the same in every workbook.
	planRefs func() []lineRefs
	// accounts caches each department's accounts by code, for parsing;
	// departments that plan the same accounts share one map (accountSets,
	// by the codes), so that the cache stays small in a large company.
	accounts    sync.Map // department id → map[string]engine.Account
	accountSets sync.Map // the codes, each ended by a zero byte → map[string]engine.Account
}

// NewDepartment binds the embedded department template to a cycle.
func NewDepartment(c *engine.Cycle) (*Department, error) {
	spec, err := DepartmentSpec()
	if err != nil {
		return nil, err
	}
	t := &Department{spec: spec, cycle: c}
	t.planRefs = sync.OnceValue(t.lineRefs)
	return t, nil
}

// ID returns the template id written into every workbook.
func (t *Department) ID() string { return t.spec.ID }

// Version returns the template version written into every workbook.
func (t *Department) Version() int { return t.spec.Version }

// Spec returns the template's spec.
func (t *Department) Spec() *Spec { return t.spec }

// printWide prints a sheet across the page: month tables are wide.
func printWide() grid.PageSetup { return grid.PageSetup{Landscape: true, FitToWidth: true} }

// Fixed rows of the input sheets.
const (
	planHeaderRow  = 4
	planFirstRow   = 5
	tableHeaderRow = 3 // Drivers, Headcount, Assumptions
	tableFirstRow  = 4
	listsFirstRow  = 2
)

// planLayout places the columns of the Plan sheet for a cycle.
type planLayout struct {
	account     int
	dims        []int // one column per cycle dimension, in cycle order
	description int
	firstMonth  int // 12 month columns from here
	total       int
	prior       int
	growth      int
	explanation int
	lines       int
}

func (t *Department) plan() planLayout {
	l := planLayout{account: 1}
	col := 2
	for range t.cycle.Dimensions {
		l.dims = append(l.dims, col)
		col++
	}
	l.description = col
	l.firstMonth = col + 1
	l.total = l.firstMonth + engine.MonthsPerYear
	l.prior = l.total + 1
	l.growth = l.total + 2
	l.explanation = l.total + 3
	l.lines = t.cycle.Lines
	if l.lines == 0 {
		l.lines = t.spec.Lines
	}
	return l
}

func (l planLayout) lastRow() int  { return planFirstRow + l.lines - 1 }
func (l planLayout) totalRow() int { return l.lastRow() + 1 }
func (l planLayout) monthCol(p engine.Period) int {
	return l.firstMonth + int(p) - 1
}

// Headcount columns.
const (
	hcRole = iota + 1
	hcCount
	hcStart
	hcSalary
	hcLoaded
	hcRamp
	hcCost
)

// Assumptions columns.
const (
	asDriver = iota + 1
	asFrom
	asTo
	asStatus
	asCounterbalance
	asRisk
	asIndicator
)

// Initiatives columns: the inputs, then the year's cost.
const (
	inName = iota + 1
	inKind
	inStart
	inOneTime
	inMonthlyCost
	inRevenue
	inRamp
	inDescription
	inYearCost
)

// Ranges columns: the inputs, then the plan they apply to and the cases in
// money.
const (
	rgAccount = iota + 1
	rgLow
	rgLikely
	rgHigh
	rgWhy
	rgPlan
	rgLowAmount
	rgHighAmount
)

// Lists columns.
const (
	listAccounts = iota + 1
	listPriorAccount
	listPriorAmount
	listMonths
	listStatus
	listKinds
	listFirstDim
)

// initiativeKinds are the kinds a department picks for an initiative, as
// the drop-down shows them.
var initiativeKinds = []struct{ label, kind string }{
	{"launch", engine.InitiativeLaunch},
	{"expansion", engine.InitiativeExpansion},
	{"M&A", engine.InitiativeAcquisition},
}

// initiativeKindLabel is how an initiative's kind appears on the sheet.
func initiativeKindLabel(kind string) string {
	for _, k := range initiativeKinds {
		if k.kind == kind {
			return k.label
		}
	}
	return kind
}

// hasDrivers reports whether a department gets the Drivers sheet: the
// revenue drivers apply where a department plans revenue.
func (t *Department) hasDrivers(dept string) bool {
	for _, a := range t.accountsOf(dept) {
		if a.Type == engine.Revenue {
			return true
		}
	}
	return false
}

// MonthLabel is how a fiscal month appears in drop-downs: "P1 Jul 2026". The
// period prefix keeps apps from turning the text into a date.
func (t *Department) MonthLabel(p engine.Period) string {
	return fmt.Sprintf("P%d %s", p, t.cycle.Year.Label(p))
}

// styles are the cell styles of a rendered workbook.
type styles struct {
	title, subtitle, header, label, muted, wrap                  *grid.Style
	inputText, inputMoney, inputPercent, inputNumber, inputWhole *grid.Style
	money, percent, total, totalMoney, totalLabel                *grid.Style
}

func (t *Department) styles() styles {
	c := t.spec.Colors
	in := func(numFmt string) *grid.Style {
		return &grid.Style{NumFmt: numFmt, Fill: c.Input, Border: true, Unlocked: true}
	}
	return styles{
		title:        &grid.Style{Bold: true, FontColor: c.Header},
		subtitle:     &grid.Style{Italic: true, FontColor: c.Muted},
		header:       &grid.Style{Bold: true, Fill: c.Header, FontColor: c.HeaderFont, Wrap: true, HAlign: grid.AlignCenter},
		label:        &grid.Style{Bold: true},
		muted:        &grid.Style{FontColor: c.Muted, Wrap: true},
		wrap:         &grid.Style{Wrap: true},
		inputText:    in(""),
		inputMoney:   in("#,##0.00"),
		inputPercent: in("0.0%"),
		inputNumber:  in("#,##0.0"),
		inputWhole:   in("0"),
		money:        &grid.Style{NumFmt: "#,##0.00", Fill: c.Total, Border: true},
		percent:      &grid.Style{NumFmt: "0.0%", Fill: c.Total, Border: true},
		total:        &grid.Style{NumFmt: "#,##0.00", Fill: c.Total, Bold: true, Border: true},
		totalMoney:   &grid.Style{NumFmt: "#,##0.00", Fill: c.Total, Bold: true, Border: true},
		totalLabel:   &grid.Style{Fill: c.Total, Bold: true, Border: true},
	}
}

// Render builds the input workbook of one department, seeded with its prior
// year, with the identity sheet left unsigned (see Sign).
func (t *Department) Render(dept string) (*grid.Workbook, error) {
	d, ok := t.cycle.Department(dept)
	if !ok {
		return nil, fmt.Errorf("templates: unknown department %q", dept)
	}
	wb := grid.New()
	st := t.styles()
	t.renderInstructions(wb, d, st)
	t.renderPlan(wb, d, st)
	if t.hasDrivers(d.ID) {
		t.renderDrivers(wb, st)
	}
	t.renderHeadcount(wb, st)
	t.renderAssumptions(wb, st)
	t.renderInitiatives(wb, st)
	t.renderRanges(wb, st)
	t.renderLists(wb, d)
	t.renderIdentity(wb, Identity{})
	return wb, nil
}

func (t *Department) title(s *grid.Sheet, d engine.Department, what string, st styles) {
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("%s · %s · %s %s", t.cycle.Company, d.Name, t.cycle.Year.Name(), what)), Style: st.title})
}

func (t *Department) renderInstructions(wb *grid.Workbook, d engine.Department, st styles) {
	s := wb.AddSheet(t.spec.Sheets.Instructions)
	s.Protection = &grid.Protection{}
	s.ColWidths = map[int]float64{1: 110}
	t.title(s, d, "plan", st)
	s.Set(grid.R(2, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("Department %s (%s) · owner %s · amounts in %s · fiscal year %s to %s",
		d.Name, d.ID, orDash(d.Owner), t.cycle.Currency, t.cycle.Year.Label(1), t.cycle.Year.Label(engine.MonthsPerYear))), Style: st.subtitle})
	row := 4
	for i, line := range strings.Split(strings.TrimSpace(t.spec.Instructions), "\n") {
		style := st.wrap
		if i == 0 {
			style = st.label
		}
		s.Set(grid.R(row, 1), grid.Cell{Value: grid.Str(strings.TrimSpace(line)), Style: style})
		row++
	}
	row++
	s.Set(grid.R(row, 1), grid.Cell{Value: grid.Str("Yellow: your input"), Style: st.inputText})
	s.Set(grid.R(row+1, 1), grid.Cell{Value: grid.Str("Blue: computed, updates as you type"), Style: st.money})
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// seedLine is a plan line the template fills in before anyone types.
type seedLine struct {
	account engine.Account
	months  [engine.MonthsPerYear]decimal.Decimal
	seeded  bool
}

func (t *Department) seeds(dept string) []seedLine {
	var seeds []seedLine
	for _, a := range t.cycle.AccountsFor(dept) {
		months, ok := t.cycle.PriorActualMonths(dept, a.Code)
		seeds = append(seeds, seedLine{account: a, months: months, seeded: ok})
	}
	return seeds
}

func (t *Department) renderPlan(wb *grid.Workbook, d engine.Department, st styles) {
	l := t.plan()
	s := wb.AddSheet(t.spec.Sheets.Plan)
	s.Protection = &grid.Protection{}
	s.Page = printWide()
	s.Freeze = grid.R(planFirstRow, l.firstMonth)
	t.title(s, d, "plan", st)
	s.Set(grid.R(2, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("Amounts in %s by fiscal month. Type in the yellow cells; lines start from last year's actuals where known.", t.cycle.Currency)), Style: st.subtitle})

	s.ColWidths = map[int]float64{l.account: 30, l.description: 28, l.total: 15, l.prior: 15, l.growth: 10, l.explanation: 40}
	header := func(col int, text string) {
		s.Set(grid.R(planHeaderRow, col), grid.Cell{Value: grid.Str(text), Style: st.header})
	}
	header(l.account, "Account")
	for i, dim := range t.cycle.Dimensions {
		header(l.dims[i], dim.Name)
		s.ColWidths[l.dims[i]] = 16
	}
	header(l.description, "Description")
	for _, p := range engine.Periods() {
		header(l.monthCol(p), t.cycle.Year.Label(p))
		s.ColWidths[l.monthCol(p)] = 13
	}
	header(l.total, t.cycle.Year.Name()+" total")
	header(l.prior, "Prior year (account)")
	header(l.growth, "Growth (account)")
	header(l.explanation, "Explanation")

	last := l.lastRow()
	col := func(c int) string { return grid.Rect(planFirstRow, c, last, c).Absolute() }
	seeds := t.seeds(d.ID)
	accountTotals := map[string]decimal.Decimal{}
	for i, sd := range seeds {
		if i < l.lines && sd.seeded {
			accountTotals[sd.account.Label()] = engine.Sum(sd.months[:]...)
		}
	}
	monthTotals := make([]decimal.Decimal, engine.MonthsPerYear)
	for i := 0; i < l.lines; i++ {
		row := planFirstRow + i
		var sd seedLine
		if i < len(seeds) {
			sd = seeds[i]
		}
		accountLabel := ""
		if sd.account.Code != "" {
			accountLabel = sd.account.Label()
		}
		s.Set(grid.R(row, l.account), grid.Cell{Value: grid.Str(accountLabel), Style: st.inputText})
		for _, c := range l.dims {
			s.Set(grid.R(row, c), grid.Cell{Style: st.inputText})
		}
		s.Set(grid.R(row, l.description), grid.Cell{Style: st.inputText})
		lineTotal := decimal.Zero
		for _, p := range engine.Periods() {
			cell := grid.Cell{Style: st.inputMoney}
			if sd.seeded {
				cell.Value = grid.Num(sd.months[p-1])
				lineTotal = lineTotal.Add(sd.months[p-1])
				monthTotals[p-1] = monthTotals[p-1].Add(sd.months[p-1])
			}
			s.Set(grid.R(row, l.monthCol(p)), cell)
		}
		first, lastMonth := grid.R(row, l.firstMonth), grid.R(row, l.monthCol(engine.MonthsPerYear))
		s.Set(grid.R(row, l.total), grid.Cell{Formula: fmt.Sprintf("SUM(%s:%s)", first, lastMonth), Value: grid.Num(lineTotal), Style: st.money})

		acct := grid.R(row, l.account).String()
		prior := decimal.Zero
		if sd.account.Code != "" {
			prior, _ = t.cycle.PriorActual(d.ID, sd.account.Code)
		}
		s.Set(grid.R(row, l.prior), grid.Cell{
			Formula: fmt.Sprintf("SUMIFS(%s,%s,%s)", "Prior_Amounts", "Prior_Accounts", acct),
			Value:   grid.Num(prior), Style: st.money,
		})
		priorRef := grid.R(row, l.prior).String()
		growth := grid.Value{}
		if !prior.IsZero() {
			growth = grid.Num(accountTotals[accountLabel].Div(prior).Sub(decimal.NewFromInt(1)).Round(6))
		}
		s.Set(grid.R(row, l.growth), grid.Cell{
			Formula: fmt.Sprintf(`IF(%s=0,"",SUMIFS(%s,%s,%s)/%s-1)`, priorRef, col(l.total), col(l.account), acct, priorRef),
			Value:   growth, Style: st.percent,
		})
		s.Set(grid.R(row, l.explanation), grid.Cell{Style: st.inputText})
	}
	tr := l.totalRow()
	s.Set(grid.R(tr, l.account), grid.Cell{Value: grid.Str("Total of all lines"), Style: st.totalLabel})
	grand := decimal.Zero
	for _, p := range engine.Periods() {
		c := l.monthCol(p)
		grand = grand.Add(monthTotals[p-1])
		s.Set(grid.R(tr, c), grid.Cell{Formula: fmt.Sprintf("SUM(%s:%s)", grid.R(planFirstRow, c), grid.R(last, c)), Value: grid.Num(monthTotals[p-1]), Style: st.totalMoney})
	}
	s.Set(grid.R(tr, l.total), grid.Cell{Formula: fmt.Sprintf("SUM(%s:%s)", grid.R(planFirstRow, l.total), grid.R(last, l.total)), Value: grid.Num(grand), Style: st.totalMoney})

	// Input regions, validation and names.
	plan := t.spec.Sheets.Plan
	accounts := grid.Rect(planFirstRow, l.account, last, l.account)
	s.Validations = append(s.Validations, grid.Validation{
		Ranges: []grid.Range{accounts}, Type: grid.ValidateList, Formula1: "List_Accounts", AllowBlank: true,
		InputTitle: "Account", InputMessage: "Pick the account from the list.",
		ErrorTitle: "Unknown account", ErrorMessage: "Pick an account from the list.",
	})
	wb.AddName("Plan_Account", accounts.On(plan))
	for i, dim := range t.cycle.Dimensions {
		r := grid.Rect(planFirstRow, l.dims[i], last, l.dims[i])
		s.Validations = append(s.Validations, grid.Validation{
			Ranges: []grid.Range{r}, Type: grid.ValidateList, Formula1: listName(dim.ID), AllowBlank: true,
			InputTitle: dim.Name, InputMessage: fmt.Sprintf("Pick the %s from the list, or leave it empty.", strings.ToLower(dim.Name)),
			ErrorTitle: "Unknown " + strings.ToLower(dim.Name), ErrorMessage: "Pick a value from the list.",
		})
		wb.AddName("Plan_"+nameSafe(dim.ID), r.On(plan))
	}
	wb.AddName("Plan_Description", grid.Rect(planFirstRow, l.description, last, l.description).On(plan))
	amounts := grid.Rect(planFirstRow, l.firstMonth, last, l.monthCol(engine.MonthsPerYear))
	s.Validations = append(s.Validations, grid.Validation{
		Ranges: []grid.Range{amounts}, Type: grid.ValidateDecimal, Operator: grid.Between,
		Formula1: "-1000000000000", Formula2: "1000000000000", AllowBlank: true,
		ErrorTitle: "Not an amount", ErrorMessage: "Type an amount, e.g. 12500 or 12500.50.",
	})
	wb.AddName("Plan_Amounts", amounts.On(plan))
	wb.AddName("Plan_Explanation", grid.Rect(planFirstRow, l.explanation, last, l.explanation).On(plan))
	wb.AddName("Plan_Total", grid.Rect(planFirstRow, l.total, last, l.total).On(plan))
}

func (t *Department) renderDrivers(wb *grid.Workbook, st styles) {
	s := wb.AddSheet(t.spec.Sheets.Drivers)
	s.Protection = &grid.Protection{}
	s.Page = printWide()
	s.Freeze = grid.R(tableFirstRow, 2)
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("Revenue drivers by fiscal month"), Style: st.title})
	s.ColWidths = map[int]float64{1: 26, 2 + engine.MonthsPerYear: 60}
	s.Set(grid.R(tableHeaderRow, 1), grid.Cell{Value: grid.Str("Driver"), Style: st.header})
	for _, p := range engine.Periods() {
		s.Set(grid.R(tableHeaderRow, 1+int(p)), grid.Cell{Value: grid.Str(t.cycle.Year.Label(p)), Style: st.header})
		s.ColWidths[1+int(p)] = 13
	}
	s.Set(grid.R(tableHeaderRow, 2+engine.MonthsPerYear), grid.Cell{Value: grid.Str("What to type"), Style: st.header})
	for i, dr := range t.spec.Drivers {
		row := tableFirstRow + i
		s.Set(grid.R(row, 1), grid.Cell{Value: grid.Str(dr.Label), Style: st.label})
		style, v := st.inputMoney, grid.Validation{Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0"}
		switch dr.Unit {
		case "percent":
			style = st.inputPercent
			v = grid.Validation{Type: grid.ValidateDecimal, Operator: grid.Between, Formula1: "0", Formula2: "1",
				ErrorMessage: "Type a percentage between 0% and 100%, e.g. 22%."}
		case "months":
			style = st.inputNumber
			v = grid.Validation{Type: grid.ValidateDecimal, Operator: grid.Between, Formula1: "0", Formula2: "60",
				ErrorMessage: "Type a number of months between 0 and 60."}
		}
		for _, p := range engine.Periods() {
			s.Set(grid.R(row, 1+int(p)), grid.Cell{Style: style})
		}
		r := grid.Rect(row, 2, row, 1+engine.MonthsPerYear)
		v.Ranges, v.AllowBlank, v.ErrorTitle = []grid.Range{r}, true, dr.Label
		if v.ErrorMessage == "" {
			v.ErrorMessage = "Type an amount of zero or more."
		}
		s.Validations = append(s.Validations, v)
		s.Set(grid.R(row, 2+engine.MonthsPerYear), grid.Cell{Value: grid.Str(dr.Help), Style: st.muted})
	}
	wb.AddName("Drivers_Values", grid.Rect(tableFirstRow, 2, tableFirstRow+len(t.spec.Drivers)-1, 1+engine.MonthsPerYear).On(s.Name))
	// Expected wins: pipeline × win rate ÷ deal size, when all three are known.
	row := tableFirstRow + len(t.spec.Drivers) + 1
	s.Set(grid.R(row, 1), grid.Cell{Value: grid.Str("Expected wins (deals)"), Style: st.totalLabel})
	idx := map[string]int{}
	for i, dr := range t.spec.Drivers {
		idx[dr.ID] = tableFirstRow + i
	}
	for _, p := range engine.Periods() {
		c := 1 + int(p)
		pipe, win, size := grid.R(idx["pipeline"], c), grid.R(idx["win_rate"], c), grid.R(idx["deal_size"], c)
		s.Set(grid.R(row, c), grid.Cell{
			Formula: fmt.Sprintf("IFERROR(%s*%s/%s,0)", pipe, win, size), Value: grid.Int(0),
			Style: &grid.Style{NumFmt: "#,##0.0", Fill: t.spec.Colors.Total, Bold: true, Border: true},
		})
	}
}

// tableSheet adds a protected input sheet laid out as a table: the title
// in A1, the column headings (indexed by column, from column 1) in the
// header row with their widths, and the panes frozen above the first row
// and left of column freeze.
func tableSheet(wb *grid.Workbook, st styles, name, title string, freeze int, heads []string, widths []float64) *grid.Sheet {
	s := wb.AddSheet(name)
	s.Protection = &grid.Protection{}
	s.Page = printWide()
	s.Freeze = grid.R(tableFirstRow, freeze)
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str(title), Style: st.title})
	s.ColWidths = map[int]float64{}
	for c := 1; c < len(heads); c++ {
		s.Set(grid.R(tableHeaderRow, c), grid.Cell{Value: grid.Str(heads[c]), Style: st.header})
		s.ColWidths[c] = widths[c]
	}
	return s
}

func (t *Department) renderHeadcount(wb *grid.Workbook, st styles) {
	s := tableSheet(wb, st, t.spec.Sheets.Headcount, "Headcount plan: new roles", 1,
		[]string{hcRole: "Role", hcCount: "Count", hcStart: "Start month", hcSalary: "Annual salary",
			hcLoaded: "Loaded cost %", hcRamp: "Ramp (months)", hcCost: t.cycle.Year.Name() + " cost"},
		[]float64{hcRole: 32, hcCount: 8, hcStart: 16, hcSalary: 15, hcLoaded: 13, hcRamp: 12, hcCost: 16})
	n := t.spec.Hires
	last := tableFirstRow + n - 1
	for i := 0; i < n; i++ {
		row := tableFirstRow + i
		s.Set(grid.R(row, hcRole), grid.Cell{Style: st.inputText})
		s.Set(grid.R(row, hcCount), grid.Cell{Style: st.inputWhole})
		s.Set(grid.R(row, hcStart), grid.Cell{Style: st.inputText})
		s.Set(grid.R(row, hcSalary), grid.Cell{Style: st.inputMoney})
		s.Set(grid.R(row, hcLoaded), grid.Cell{Style: st.inputPercent})
		s.Set(grid.R(row, hcRamp), grid.Cell{Style: st.inputWhole})
		r := func(c int) string { return grid.R(row, c).String() }
		// Cost in the fiscal year: count × salary × (1 + loaded) × months on payroll ÷ 12.
		s.Set(grid.R(row, hcCost), grid.Cell{
			Formula: fmt.Sprintf(`IFERROR(%s*%s*(1+%s)*(13-MATCH(%s,List_Months,0))/12,0)`, r(hcCount), r(hcSalary), r(hcLoaded), r(hcStart)),
			Value:   grid.Int(0), Style: st.money,
		})
	}
	s.Set(grid.R(last+1, hcRole), grid.Cell{Value: grid.Str("Total"), Style: st.totalLabel})
	for _, c := range []int{hcCount, hcCost} {
		s.Set(grid.R(last+1, c), grid.Cell{Formula: fmt.Sprintf("SUM(%s:%s)", grid.R(tableFirstRow, c), grid.R(last, c)), Value: grid.Int(0), Style: st.totalMoney})
	}
	col := func(c int) grid.Range { return grid.Rect(tableFirstRow, c, last, c) }
	s.Validations = append(s.Validations,
		grid.Validation{Ranges: []grid.Range{col(hcCount)}, Type: grid.ValidateWhole, Operator: grid.Between, Formula1: "1", Formula2: "1000", AllowBlank: true,
			ErrorTitle: "Count", ErrorMessage: "Type a whole number of people, 1 or more."},
		grid.Validation{Ranges: []grid.Range{col(hcStart)}, Type: grid.ValidateList, Formula1: "List_Months", AllowBlank: true,
			InputTitle: "Start month", InputMessage: "Pick the fiscal month the role starts.", ErrorTitle: "Start month", ErrorMessage: "Pick a month from the list."},
		grid.Validation{Ranges: []grid.Range{col(hcSalary)}, Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0", AllowBlank: true,
			ErrorTitle: "Annual salary", ErrorMessage: "Type the annual salary, e.g. 95000."},
		grid.Validation{Ranges: []grid.Range{col(hcLoaded)}, Type: grid.ValidateDecimal, Operator: grid.Between, Formula1: "0", Formula2: "2", AllowBlank: true,
			ErrorTitle: "Loaded cost", ErrorMessage: "Type the cost on top of salary as a percentage, e.g. 25%."},
		grid.Validation{Ranges: []grid.Range{col(hcRamp)}, Type: grid.ValidateWhole, Operator: grid.Between, Formula1: "0", Formula2: "36", AllowBlank: true,
			ErrorTitle: "Ramp", ErrorMessage: "Type the months to full productivity, 0 to 36."},
	)
	wb.AddName("Headcount_Plan", grid.Rect(tableFirstRow, hcRole, last, hcRamp).On(s.Name))
}

func (t *Department) renderAssumptions(wb *grid.Workbook, st styles) {
	widths := make([]float64, asIndicator+1)
	for c := asDriver; c <= asIndicator; c++ {
		widths[c] = 24
	}
	s := tableSheet(wb, st, t.spec.Sheets.Assumptions, "Assumptions register: the drivers your plan rests on", 1,
		[]string{asDriver: "Driver", asFrom: "From", asTo: "To", asStatus: "Maintained or changed",
			asCounterbalance: "Counterbalance", asRisk: "Dependency / risk", asIndicator: "Leading indicator"}, widths)
	n := t.spec.Assumptions
	last := tableFirstRow + n - 1
	s.StyleRange(grid.Rect(tableFirstRow, asDriver, last, asIndicator), st.inputText)
	s.Validations = append(s.Validations, grid.Validation{
		Ranges: []grid.Range{grid.Rect(tableFirstRow, asStatus, last, asStatus)}, Type: grid.ValidateList, Formula1: "List_Status", AllowBlank: true,
		InputTitle: "Maintained or changed", InputMessage: "maintained: continues the past; changed: a bet to monitor.",
		ErrorTitle: "Maintained or changed", ErrorMessage: "Pick maintained or changed.",
	})
	wb.AddName("Assumptions_Register", grid.Rect(tableFirstRow, asDriver, last, asIndicator).On(s.Name))
}

func (t *Department) renderInitiatives(wb *grid.Workbook, st styles) {
	s := tableSheet(wb, st, t.spec.Sheets.Initiatives, "Initiatives you propose: launches, expansions and acquisitions", 2,
		[]string{inName: "Initiative", inKind: "Kind", inStart: "Start month", inOneTime: "One-time cost",
			inMonthlyCost: "Monthly running cost", inRevenue: "Monthly revenue at full ramp", inRamp: "Months to full ramp",
			inDescription: "What it is", inYearCost: t.cycle.Year.Name() + " cost"},
		[]float64{inName: 28, inKind: 12, inStart: 16, inOneTime: 15, inMonthlyCost: 15, inRevenue: 17, inRamp: 12, inDescription: 40, inYearCost: 16})
	s.Set(grid.R(2, 1), grid.Cell{Value: grid.Str(fmt.Sprintf("Amounts in %s. Keep each initiative's amounts in your Plan lines too: "+
		"this sheet says which part of the plan it is, so that a scenario can pause it. Revenue climbs an S-curve from the start month to its full level.", t.cycle.Currency)), Style: st.subtitle})
	n := t.spec.Initiatives
	last := tableFirstRow + n - 1
	for i := 0; i < n; i++ {
		row := tableFirstRow + i
		for c, style := range []*grid.Style{inName: st.inputText, inKind: st.inputText, inStart: st.inputText, inOneTime: st.inputMoney,
			inMonthlyCost: st.inputMoney, inRevenue: st.inputMoney, inRamp: st.inputWhole, inDescription: st.inputText} {
			if style != nil {
				s.Set(grid.R(row, c), grid.Cell{Style: style})
			}
		}
		r := func(c int) string { return grid.R(row, c).String() }
		// Cost in the fiscal year: the one-time cost and the running cost
		// of every month from the start.
		s.Set(grid.R(row, inYearCost), grid.Cell{
			Formula: fmt.Sprintf(`IFERROR(%s+%s*(13-MATCH(%s,List_Months,0)),0)`, r(inOneTime), r(inMonthlyCost), r(inStart)),
			Value:   grid.Int(0), Style: st.money,
		})
	}
	s.Set(grid.R(last+1, inName), grid.Cell{Value: grid.Str("Total"), Style: st.totalLabel})
	s.Set(grid.R(last+1, inYearCost), grid.Cell{Formula: fmt.Sprintf("SUM(%s:%s)", grid.R(tableFirstRow, inYearCost), grid.R(last, inYearCost)),
		Value: grid.Int(0), Style: st.totalMoney})
	col := func(c int) grid.Range { return grid.Rect(tableFirstRow, c, last, c) }
	money := func(c int, title, message string) grid.Validation {
		return grid.Validation{Ranges: []grid.Range{col(c)}, Type: grid.ValidateDecimal, Operator: grid.GreaterOrEqual, Formula1: "0", AllowBlank: true,
			ErrorTitle: title, ErrorMessage: message}
	}
	s.Validations = append(s.Validations,
		grid.Validation{Ranges: []grid.Range{col(inKind)}, Type: grid.ValidateList, Formula1: "List_Kinds", AllowBlank: true,
			InputTitle: "Kind", InputMessage: "launch: a new product; expansion: a new market or country; M&A: an acquisition.",
			ErrorTitle: "Kind", ErrorMessage: "Pick launch, expansion or M&A."},
		grid.Validation{Ranges: []grid.Range{col(inStart)}, Type: grid.ValidateList, Formula1: "List_Months", AllowBlank: true,
			InputTitle: "Start month", InputMessage: "Pick the fiscal month the initiative starts.", ErrorTitle: "Start month", ErrorMessage: "Pick a month from the list."},
		money(inOneTime, "One-time cost", "Type the one-time cost, paid in the start month, e.g. 60000."),
		money(inMonthlyCost, "Monthly running cost", "Type the cost of each month from the start, e.g. 18000."),
		money(inRevenue, "Monthly revenue", "Type the revenue of a month once the initiative is fully ramped, e.g. 45000."),
		grid.Validation{Ranges: []grid.Range{col(inRamp)}, Type: grid.ValidateWhole, Operator: grid.Between, Formula1: "0", Formula2: "36", AllowBlank: true,
			InputTitle: "Months to full ramp", InputMessage: "The month of the initiative (1 is the start month) from which it earns its full revenue; 0 for at once.",
			ErrorTitle: "Months to full ramp", ErrorMessage: "Type a whole number of months, 0 to 36."},
	)
	wb.AddName("Initiatives_Table", grid.Rect(tableFirstRow, inName, last, inDescription).On(s.Name))
}

func (t *Department) renderRanges(wb *grid.Workbook, st styles) {
	year := t.cycle.Year.Name()
	s := tableSheet(wb, st, t.spec.Sheets.Ranges, "Ranges: how far your plan could move, by account", 2,
		[]string{rgAccount: "Account", rgLow: "Low case (% of plan)", rgLikely: "Likely case (% of plan)", rgHigh: "High case (% of plan)",
			rgWhy: "Why this range", rgPlan: year + " plan (account)", rgLowAmount: "Low case", rgHighAmount: "High case"},
		[]float64{rgAccount: 30, rgLow: 13, rgLikely: 13, rgHigh: 13, rgWhy: 40, rgPlan: 16, rgLowAmount: 16, rgHighAmount: 16})
	s.Set(grid.R(2, 1), grid.Cell{Value: grid.Str("For the accounts you are least sure of: the low, likely and high case as a share of your plan on the account " +
		"(85% is 15% below plan, 110% is 10% above). Finance simulates the plan within these ranges."), Style: st.subtitle})
	n := t.spec.Ranges
	last := tableFirstRow + n - 1
	for i := 0; i < n; i++ {
		row := tableFirstRow + i
		r := func(c int) string { return grid.R(row, c).String() }
		s.Set(grid.R(row, rgAccount), grid.Cell{Style: st.inputText})
		for _, c := range []int{rgLow, rgLikely, rgHigh} {
			s.Set(grid.R(row, c), grid.Cell{Style: st.inputPercent})
		}
		s.Set(grid.R(row, rgWhy), grid.Cell{Style: st.inputText})
		s.Set(grid.R(row, rgPlan), grid.Cell{Formula: fmt.Sprintf(`IF(%s="",0,SUMIFS(Plan_Total,Plan_Account,%s))`, r(rgAccount), r(rgAccount)),
			Value: grid.Int(0), Style: st.money})
		s.Set(grid.R(row, rgLowAmount), grid.Cell{Formula: fmt.Sprintf("IFERROR(%s*%s,0)", r(rgPlan), r(rgLow)), Value: grid.Int(0), Style: st.money})
		s.Set(grid.R(row, rgHighAmount), grid.Cell{Formula: fmt.Sprintf("IFERROR(%s*%s,0)", r(rgPlan), r(rgHigh)), Value: grid.Int(0), Style: st.money})
	}
	s.Validations = append(s.Validations,
		grid.Validation{Ranges: []grid.Range{grid.Rect(tableFirstRow, rgAccount, last, rgAccount)}, Type: grid.ValidateList, Formula1: "List_Accounts", AllowBlank: true,
			InputTitle: "Account", InputMessage: "Pick the account from the list: one line per account.",
			ErrorTitle: "Unknown account", ErrorMessage: "Pick an account from the list."},
		grid.Validation{Ranges: []grid.Range{grid.Rect(tableFirstRow, rgLow, last, rgHigh)}, Type: grid.ValidateDecimal, Operator: grid.Between,
			Formula1: "0.01", Formula2: "10", AllowBlank: true,
			InputTitle: "Share of plan", InputMessage: "The low case at most the likely one, the likely at most the high one, e.g. 85%, 100%, 110%.",
			ErrorTitle: "Share of plan", ErrorMessage: "Type a share of your plan from 1% to 1000%, e.g. 85%."},
	)
	wb.AddName("Ranges_Table", grid.Rect(tableFirstRow, rgAccount, last, rgWhy).On(s.Name))
}

func (t *Department) renderLists(wb *grid.Workbook, d engine.Department) {
	s := wb.AddSheet(t.spec.Sheets.Lists)
	s.Visibility = grid.Hidden
	s.Protection = &grid.Protection{}
	head := []string{listAccounts: "Accounts", listPriorAccount: "Prior-year account", listPriorAmount: "Prior-year actual",
		listMonths: "Months", listStatus: "Status", listKinds: "Initiative kinds"}
	for c := listAccounts; c <= listKinds; c++ {
		s.Set(grid.R(1, c), grid.Cell{Value: grid.Str(head[c])})
	}
	list := func(name string, col int, items []string) {
		for i, it := range items {
			s.Set(grid.R(listsFirstRow+i, col), grid.Cell{Value: grid.Str(it)})
		}
		n := max(len(items), 1)
		wb.AddName(name, grid.Rect(listsFirstRow, col, listsFirstRow+n-1, col).On(s.Name))
	}
	var accounts []string
	for _, a := range t.cycle.AccountsFor(d.ID) {
		accounts = append(accounts, a.Label())
	}
	list("List_Accounts", listAccounts, accounts)
	var priorAccts []string
	row := listsFirstRow
	for _, a := range t.cycle.AccountsFor(d.ID) {
		if amt, ok := t.cycle.PriorActual(d.ID, a.Code); ok {
			priorAccts = append(priorAccts, a.Label())
			s.Set(grid.R(row, listPriorAmount), grid.Cell{Value: grid.Num(amt)})
			row++
		}
	}
	list("Prior_Accounts", listPriorAccount, priorAccts)
	wb.AddName("Prior_Amounts", grid.Rect(listsFirstRow, listPriorAmount, listsFirstRow+max(len(priorAccts), 1)-1, listPriorAmount).On(s.Name))
	var months []string
	for _, p := range engine.Periods() {
		months = append(months, t.MonthLabel(p))
	}
	list("List_Months", listMonths, months)
	list("List_Status", listStatus, []string{string(engine.Maintained), string(engine.Changed)})
	var kinds []string
	for _, k := range initiativeKinds {
		kinds = append(kinds, k.label)
	}
	list("List_Kinds", listKinds, kinds)
	for i, dim := range t.cycle.Dimensions {
		col := listFirstDim + i
		s.Set(grid.R(1, col), grid.Cell{Value: grid.Str(dim.Name)})
		var names []string
		for _, m := range dim.Members {
			names = append(names, memberLabel(m))
		}
		list(listName(dim.ID), col, names)
	}
}

// memberLabel is how a dimension member appears in a workbook.
func memberLabel(m engine.Member) string {
	if m.Name == "" {
		return m.ID
	}
	return m.Name
}

func listName(dim string) string { return "List_" + nameSafe(dim) }

// nameSafe turns an id into the part of a defined name: letters, digits and
// underscores.
func nameSafe(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, id)
}

// Harvests reports whether a harvest reads a sheet: the template's own
// sheets and the explanations of the Actuals vs Plan tab, not the Summary
// tab aop writes back nor sheets a person added.
func (t *Department) Harvests(sheet string) bool { return harvests(t.spec, sheet) }

// HarvestsSheet is Department.Harvests for the embedded department
// template, before any cycle is loaded: a harvest may start reading files
// while the cycle file loads.
func HarvestsSheet(sheet string) bool {
	spec, err := embeddedSpec()
	return err == nil && harvests(spec, sheet)
}

var embeddedSpec = sync.OnceValues(DepartmentSpec)

func harvests(spec *Spec, sheet string) bool {
	sh := spec.Sheets
	switch sheet {
	case sh.Instructions, sh.Plan, sh.Drivers, sh.Headcount, sh.Assumptions, sh.Initiatives, sh.Ranges, sh.Lists, sh.Identity,
		ActualsSheetName:
		return true
	}
	return false
}
