package cyclefile

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
)

// The actuals: section names how ledger exports map onto the cycle at each
// monthly close (aop actuals import). Each mapping describes one shape of
// export; the first is the default.
//
//	actuals:
//	  mappings:
//	    - name: gl                # aop actuals import --mapping gl
//	      sheet: GL               # xlsx only; default the first sheet
//	      columns:                # header names in the file
//	        department: Cost centre
//	        account: GL account   # optional for a file of indicators only
//	        amount: Amount        # with period: one amount per row ...
//	        period: Month         # 1-12 (of fiscal_year), 2026-03, 2026-03-31, a date, FY2026
//	        currency: Currency    # optional: rows must be in the cycle's currency
//	        dimensions: {project: Project, channel: Channel}   # dimension id → header
//	        indicators: {pipeline: Pipeline, hires: Hires}     # indicator name → header
//	      periods:                # ... or amount columns by period (instead of amount and period)
//	        FY22 Actual Expense: FY2022     # a whole fiscal year
//	        Mar 2026: 2026-03               # a calendar month
//	      fiscal_year: 2027       # the year of bare periods 1-12; default the cycle's
//	      departments: {"Boston Public Schools": bps}   # optional value → department id
//	      accounts: {"Personnel Services": "5100"}      # optional value → account code
//	      missing: ["#Missing", ""]                     # cells that mean "no amount"; default [""]
//	      sign: {revenue: -1}     # 1 or -1 for the file, or by account type (credits negative)
//	      currency: USD           # the file's currency; must be the cycle's
//	      control_total: {column: Cost centre, label: Total}   # the row holding the file's total
//
// A row whose department, account or dimension member maps to nothing is
// not imported; it is listed with its amounts (never dropped silently).
// The control total row, when the mapping names one, is compared with the
// sum of the file's amounts, before any sign is applied.

// actualsFields are the fields of an actuals mapping.
var actualsFields = []string{"name", "sheet", "columns", "periods", "fiscal_year", "departments", "accounts",
	"missing", "sign", "currency", "control_total"}

// actualsSection decodes the actuals: section.
func (d *decoder) actualsSection(n *yaml.Node) {
	const ctx = "actuals"
	o := d.object(n, ctx, "actuals")
	if o == nil {
		return
	}
	d.only(o, ctx, "mappings", "review")
	if r := o.get("review"); !isNull(r) {
		d.reviewPolicy(r)
	}
	names := map[string]int{}
	for i, it := range d.list(o.get("mappings"), ctx, "mappings") {
		l := d.actualsMapping(i, it)
		if l == nil {
			continue
		}
		if first, dup := names[l.name]; dup {
			d.add(l.line, l.ctx, "mapping name is used twice (first on line %d)", first)
			continue
		}
		names[l.name] = l.line
		d.mappings = append(d.mappings, l)
	}
}

// reviewPolicy decodes actuals: review:, the thresholds of the monthly
// close:
//
//	review:
//	  explain_above: {amount: 25000, share: 5%}  # both must be exceeded
//	  watch: 10%          # an indicator this far short of its assumption
//	  breach: 20%         # ... and this far: breaking
//	  timing_tolerance: 25%
func (d *decoder) reviewPolicy(n *yaml.Node) {
	const ctx = "actuals.review"
	o := d.object(n, ctx, "review")
	if o == nil {
		return
	}
	d.only(o, ctx, "explain_above", "watch", "breach", "timing_tolerance")
	p := review.DefaultPolicy()
	if e := o.get("explain_above"); !isNull(e) {
		eo := d.object(e, ctx+".explain_above", "explain_above")
		if eo != nil {
			d.only(eo, ctx+".explain_above", "amount", "share")
			if a := eo.get("amount"); !isNull(a) {
				if v, ok := d.amount(a, ctx+".explain_above", "amount"); ok {
					p.ExplainAmount = v
				}
			}
			if s := eo.get("share"); !isNull(s) {
				if v, ok := d.float(s, ctx+".explain_above", "share"); ok {
					p.ExplainShare = v
				}
			}
		}
	}
	for _, f := range []struct {
		field string
		dst   *float64
	}{{"watch", &p.Watch}, {"breach", &p.Breach}, {"timing_tolerance", &p.TimingTolerance}} {
		if v := o.get(f.field); !isNull(v) {
			if x, ok := d.float(v, ctx, f.field); ok {
				*f.dst = x
			}
		}
	}
	if p.Breach < p.Watch {
		d.add(o.keyLine["breach"], ctx, "breach (%g%%) must not be below watch (%g%%)", p.Breach*100, p.Watch*100)
	}
	d.review = &p
}

func (d *decoder) actualsMapping(i int, n *yaml.Node) *ledgerSpec {
	ctx := entry("actuals mapping", i, peek(n, "name"))
	o := d.object(n, ctx, "an actuals mapping")
	if o == nil {
		return nil
	}
	d.only(o, ctx, actualsFields...)
	l := &ledgerSpec{ctx: ctx, line: o.node.Line, kind: "import", sign: 1, missing: []string{""}, columnLines: map[string]int{},
		sheetLine: o.keyLine["sheet"], columns: map[string]string{}, periods: map[string]actuals.Period{}}
	ok := true
	if l.name = d.str(o.get("name"), ctx, "name"); l.name == "" {
		d.add(o.node.Line, ctx, "name is missing; name the mapping, such as gl, for aop actuals import --mapping")
		ok = false
	}
	l.sheet = d.str(o.get("sheet"), ctx, "sheet")
	if n := o.get("fiscal_year"); !isNull(n) {
		if y, good := d.integer(n, ctx, "fiscal_year", 1900, 9999); good {
			l.fiscalYear = y
		} else {
			ok = false
		}
	}
	cctx := ctx + ": columns"
	if cols := o.get("columns"); isNull(cols) {
		d.add(o.node.Line, ctx, "columns is missing; name the header of the department, account and amount columns")
		ok = false
	} else if co := d.object(cols, cctx, "columns"); co == nil {
		ok = false
	} else {
		d.only(co, cctx, "department", "account", "amount", "period", "currency", "dimensions", "indicators")
		for _, role := range []string{"department", "account", "amount", "period", "currency"} {
			if h := d.str(co.get(role), cctx, role); h != "" {
				l.columns[role] = h
				l.columnLines[role] = co.keyLine[role]
			}
		}
		for _, group := range []string{"dimension", "indicator"} {
			m := d.valueMap(co.get(group+"s"), cctx, group+"s")
			for _, k := range sortedKeys(m) {
				role := group + ":" + k
				l.columns[role] = m[k].to
				l.columnLines[role] = m[k].line
			}
		}
	}
	periods := d.valueMap(o.get("periods"), ctx, "periods")
	for _, k := range sortedKeys(periods) {
		line, v := periods[k].line, periods[k].to
		p, why := d.periodText(v, l.fiscalYear)
		if why != "" {
			d.add(line, ctx+": periods", "%q: period %q %s", clip(k), clip(v), why)
			ok = false
			continue
		}
		role := "periods:" + k
		l.columns[role] = k
		l.columnLines[role] = line
		l.periods[role] = p
	}
	_, amount := l.columns["amount"]
	_, period := l.columns["period"]
	_, account := l.columns["account"]
	indicators := slices.ContainsFunc(sortedKeys(l.columns), func(r string) bool { return strings.HasPrefix(r, "indicator:") })
	switch {
	case !ok:
	case l.columns["department"] == "":
		d.add(o.node.Line, cctx, "department is missing; give the header of the file's department (cost centre) column")
		ok = false
	case amount && len(l.periods) > 0:
		d.add(o.keyLine["periods"], ctx, "give either columns: amount (with a period column) or periods: (amount columns by period), not both")
		ok = false
	case amount && !period:
		d.add(l.columnLines["amount"], cctx, "amount needs a period column: name it under columns: period, or map each amount column to its period under periods:")
		ok = false
	case (amount || len(l.periods) > 0) && !account:
		d.add(o.node.Line, cctx, "account is missing; give the header of the file's account column")
		ok = false
	case !amount && len(l.periods) == 0 && !indicators:
		d.add(o.node.Line, cctx, "amount is missing; name the amount column (with a period column), map amount columns under periods:, or name indicator columns")
		ok = false
	case indicators && !period:
		d.add(o.node.Line, cctx, "indicators need a period column; name it under columns: period")
		ok = false
	}
	l.departments = d.valueMap(o.get("departments"), ctx, "departments")
	l.accounts = d.valueMap(o.get("accounts"), ctx, "accounts")
	if m := o.get("missing"); m != nil {
		l.missing = d.missingValues(m, ctx)
	}
	if s := o.get("sign"); !isNull(s) && d.plain(s, ctx) {
		if s.Kind == yaml.MappingNode {
			so := d.object(s, ctx+": sign", "sign")
			d.only(so, ctx+": sign", "revenue", "cogs", "opex", "headcount", "kpi")
			l.signByType = map[engine.AccountType]int64{}
			for _, k := range so.keys {
				if v, good := d.integer(so.get(k), ctx+": sign", k, -1, 1); good && v != 0 {
					l.signByType[engine.AccountType(k)] = int64(v)
				} else {
					if good {
						d.add(so.keyLine[k], ctx+": sign", "%s must be 1 or -1, not 0", k)
					}
					ok = false
				}
			}
		} else if v, good := d.integer(s, ctx, "sign", -1, 1); good && v != 0 {
			l.sign = int64(v)
		} else {
			if good {
				d.add(s.Line, ctx, "sign must be 1 or -1 (or a mapping by account type such as {revenue: -1}), not 0")
			}
			ok = false
		}
	}
	if l.currency = d.str(o.get("currency"), ctx, "currency"); l.currency != "" && d.cycle.Currency != "" && !strings.EqualFold(l.currency, d.cycle.Currency) {
		d.add(o.keyLine["currency"], ctx, "currency %s is not the cycle's currency %s; aop imports actuals in the cycle's currency, so convert them in the export", clip(l.currency), d.cycle.Currency)
		ok = false
	}
	if n := o.get("control_total"); !isNull(n) {
		tctx := ctx + ": control_total"
		if to := d.object(n, tctx, "control_total"); to != nil {
			d.only(to, tctx, "column", "label")
			col, label := d.str(to.get("column"), tctx, "column"), d.str(to.get("label"), tctx, "label")
			if col == "" || label == "" {
				d.add(to.node.Line, tctx, "give the column and the label of the row holding the file's total, such as {column: Account, label: Total}")
				ok = false
			} else {
				l.columns["control"] = col
				l.columnLines["control"] = to.keyLine["column"]
				l.controlLabel = label
			}
		} else {
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return l
}

// missingValues decodes a ledger's missing: list.
func (d *decoder) missingValues(m *yaml.Node, ctx string) []string {
	out := []string{}
	for _, it := range d.list(m, ctx, "missing") {
		if !d.plain(it, ctx) {
			continue
		}
		if it.Kind != yaml.ScalarNode {
			d.add(it.Line, ctx, "missing must list text values, not %s", describe(it))
			continue
		}
		v := it.Value
		if isNull(it) {
			v = ""
		}
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

// periodText reads a period written as text: FY2026 or FY26 (a whole
// fiscal year), a calendar month 2026-03 or a date 2026-03-31 (the fiscal
// month it falls in), or a fiscal month 1-12 of year (the cycle's year
// when 0).
func (d *decoder) periodText(text string, year int) (actuals.Period, string) {
	if year == 0 {
		year = d.cycle.Year.Year
	}
	if text == "" {
		return actuals.Period{}, "is empty; give a fiscal month 1-12, a month such as 2026-03, or a fiscal year such as FY2026"
	}
	if n, ok := smallInt(text); ok && n >= 1 && n <= engine.MonthsPerYear {
		return actuals.Period{Year: year, Month: engine.Period(n)}, ""
	}
	if rest, ok := strings.CutPrefix(strings.ToUpper(text), "FY"); ok {
		if y, ok := smallInt(rest); ok && (len(rest) == 2 || len(rest) == 4) {
			if len(rest) == 2 {
				y += 2000
			}
			if y >= 1900 && y <= 9999 {
				return actuals.Period{Year: y}, ""
			}
		}
	}
	t, err := time.Parse("2006-01", text)
	if err != nil {
		if t, err = time.Parse("2006-01-02", text); err != nil {
			return actuals.Period{}, "is neither a fiscal month 1-12, a month such as 2026-03, nor a fiscal year such as FY2026"
		}
	}
	return d.monthPeriod(t), ""
}

// monthPeriod returns the fiscal month a calendar month falls in.
func (d *decoder) monthPeriod(t time.Time) actuals.Period {
	start := d.cycle.Year.StartMonth
	y := t.Year()
	if start != time.January && t.Month() >= start {
		y++
	}
	fy := engine.FiscalYear{Year: y, StartMonth: start}
	p, _ := fy.PeriodOf(t.Month(), t.Year())
	return actuals.Period{Year: y, Month: p}
}

// roleName names a column's role in messages.
func roleName(role string) string {
	kind, name, ok := strings.Cut(role, ":")
	switch {
	case !ok:
		if role == "control" {
			return "control_total"
		}
		return role
	case kind == "periods":
		return "amount"
	}
	return kind + " " + name
}

// roles lists the roles of the ledger's columns: the plain ones first, in
// a fixed order, then dimensions, indicators and amount columns by name.
func (l *ledgerSpec) roles() []string {
	fixed := []string{"department", "account", "amount", "period", "currency", "control"}
	var out []string
	for _, r := range fixed {
		if _, ok := l.columns[r]; ok {
			out = append(out, r)
		}
	}
	for _, r := range sortedKeys(l.columns) {
		if !slices.Contains(fixed, r) {
			out = append(out, r)
		}
	}
	return out
}

// amountHeader returns the header of the ledger's first amount column, by
// which an xlsx sheet's header row is found.
func (l *ledgerSpec) amountHeader() string {
	if h, ok := l.columns["amount"]; ok {
		return h
	}
	for _, role := range sortedKeys(l.columns) {
		if strings.HasPrefix(role, "periods:") || strings.HasPrefix(role, "indicator:") {
			return l.columns[role]
		}
	}
	return l.columns["department"]
}

// ActualsImport is what one ledger export brought for the cycle's actuals.
type ActualsImport struct {
	// File is the file's name as given; Sheet the xlsx sheet read.
	File, Sheet string
	// Mapping names the mapping the file was read with; ReadsAmounts and
	// ReadsIndicators say whether it has amount and indicator columns (an
	// import replaces only what its mapping reads).
	Mapping                       string
	ReadsAmounts, ReadsIndicators bool
	// Sets holds the actuals by period, in time order.
	Sets []*actuals.Set
	// Periods summarises each period, in the same order.
	Periods []PeriodSummary
	// Unmapped lists the file's values that map to nothing, with their
	// amounts; their rows are not in Sets.
	Unmapped []Unmapped
	// Controls compares each amount column with the file's control total
	// row, when the mapping names one; otherwise it holds the columns'
	// totals with no control.
	Controls []ControlCheck
}

// PeriodSummary is what a file held for one period.
type PeriodSummary struct {
	Period actuals.Period
	// Rows counts the rows imported, Amount their total after the sign
	// convention.
	Rows   int
	Amount decimal.Decimal
	// UnmappedRows and Unmapped are the rows of the period not imported
	// and their total as the file has it.
	UnmappedRows int
	Unmapped     decimal.Decimal
	// Indicators counts the indicator values imported.
	Indicators int
}

// Unmapped is a value of a file that maps to no department, account or
// dimension member.
type Unmapped struct {
	// Role is "department", "account" or "dimension <id>".
	Role, Value string
	Rows        int
	// Total sums the rows' amounts as the file has them.
	Total decimal.Decimal
	// FirstLine is the line (CSV) or row (xlsx) of the first such row.
	FirstLine int
	// Hint suggests a near id or name, or says how to map it.
	Hint string
}

// ControlCheck compares one amount column's total with the control total.
type ControlCheck struct {
	// Column is the amount column's header; Period its period when the
	// column is one period's.
	Column string
	Period *actuals.Period
	// FileTotal sums the column over the data rows, mapped or not, as the
	// file has them (before the sign convention).
	FileTotal decimal.Decimal
	// Control is the control row's amount, nil without a control row.
	Control *decimal.Decimal
	// Line is the control row's line (CSV) or row (xlsx).
	Line int
}

// Difference returns FileTotal − Control (zero without a control).
func (c ControlCheck) Difference() decimal.Decimal {
	if c.Control == nil {
		return decimal.Zero
	}
	return c.FileTotal.Sub(*c.Control)
}

// Reconciles reports whether the file's total equals its control total to
// the cent (true without a control total).
func (c ControlCheck) Reconciles() bool {
	return engine.RoundMoney(c.Difference()).IsZero()
}

// Mappings lists the names of the cycle's actuals mappings; the first is
// the default.
func (f *File) Mappings() []string {
	var out []string
	for _, l := range f.mappings {
		out = append(out, l.name)
	}
	return out
}

// ImportOptions tunes ImportActuals.
type ImportOptions struct {
	// Mapping names the mapping; "" takes the first.
	Mapping string
	// MaxSize is the largest file read, in bytes (0: MaxLedgerSize).
	MaxSize int64
}

// ImportActuals reads a ledger export (CSV, or xlsx when name ends in
// .xlsx) with one of the cycle's actuals mappings. Rows that map to nothing
// are listed in Unmapped, not imported and not refused; a row that cannot
// be read (an amount that is not a number, a period outside the calendar, a
// row in another currency) fails the import with an *Error naming the file,
// the line and the column.
func (f *File) ImportActuals(name string, data []byte, opts ImportOptions) (*ActualsImport, error) {
	c := &collector{}
	d := newDecoder(f.Path, c)
	d.cycle = f.Cycle
	if len(f.mappings) == 0 {
		d.add(0, "", "the cycle file has no actuals mappings; add an actuals: mappings: section naming the columns of the ledger export (see README, Monthly close)")
		return nil, c.err()
	}
	l := f.mappings[0]
	if opts.Mapping != "" {
		i := slices.IndexFunc(f.mappings, func(l *ledgerSpec) bool { return l.name == opts.Mapping })
		if i < 0 {
			d.add(0, "", "no actuals mapping is named %q%s; the mappings are: %s", clip(opts.Mapping), didYouMean(opts.Mapping, f.Mappings()), strings.Join(f.Mappings(), ", "))
			return nil, c.err()
		}
		l = f.mappings[i]
	}
	limit := opts.MaxSize
	if limit <= 0 {
		limit = MaxLedgerSize
	}
	lr := &ledgerReader{
		d:        d,
		l:        l,
		file:     name,
		cols:     map[string]int{},
		letters:  map[string]string{},
		firstCol: 1,
		unmapped: map[unmappedKey]*unmappedSum{},
		imp: &importState{
			sets:      map[actuals.Period]*actuals.Set{},
			summaries: map[actuals.Period]*PeriodSummary{},
			totals:    map[string]decimal.Decimal{},
			controls:  map[string]decimal.Decimal{},
			hints:     map[unmappedKey]string{},
			dims:      map[string]*lookup{},
			out: &ActualsImport{File: name, Mapping: l.name,
				ReadsAmounts:    slices.ContainsFunc(l.roles(), isAmountRole),
				ReadsIndicators: slices.ContainsFunc(l.roles(), func(r string) bool { return strings.HasPrefix(r, "indicator:") })},
		},
	}
	lr.depts = newLookup(l.departments)
	for _, dep := range f.Cycle.Departments {
		lr.depts.add(dep.ID, dep.Name)
	}
	lr.accts = newLookup(l.accounts)
	for _, a := range f.Cycle.Accounts {
		lr.accts.add(a.Code, a.Name)
	}
	for _, dim := range f.Cycle.Dimensions {
		lk := newLookup(nil)
		for _, m := range dim.Members {
			lk.add(m.ID, m.Name)
		}
		lr.imp.dims[dim.ID] = lk
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case int64(len(data)) > limit:
		lr.problem(0, "the file is larger than %d MiB; split the export by period", limit>>20)
	case ext == ".xlsx" || bytes.HasPrefix(data, []byte("PK\x03\x04")):
		lr.readXLSX(data)
	case ext == ".csv" || ext == ".txt" || ext == "":
		lr.readCSV(data)
	default:
		lr.problem(0, "the file is not a .csv or .xlsx file; export the ledger as CSV or as an Excel workbook (.xlsx)")
	}
	if !c.empty() {
		return nil, c.err()
	}
	lr.finish()
	if err := c.err(); err != nil {
		return nil, err
	}
	lr.imp.out.Sheet = lr.sheet
	return lr.imp.out, nil
}

// importState gathers an import's rows.
type importState struct {
	sets      map[actuals.Period]*actuals.Set
	summaries map[actuals.Period]*PeriodSummary
	// totals and controls sum each amount role over the data rows and hold
	// its control row amount.
	totals      map[string]decimal.Decimal
	controls    map[string]decimal.Decimal
	controlLine int
	hints       map[unmappedKey]string
	dims        map[string]*lookup
	out         *ActualsImport
}

// cellProblem reports a problem with one cell: its line and column.
func (lr *ledgerReader) cellProblem(line int, role, format string, args ...any) {
	lr.problem(line, "column %s (%q): %s", lr.letters[role], clip(lr.l.columns[role]), fmt.Sprintf(format, args...))
}

// importRow maps one data row of an actuals import.
func (lr *ledgerReader) importRow(line int, cells []grid.Value) {
	st := lr.imp
	get := func(role string) grid.Value {
		col, ok := lr.cols[role]
		if !ok || col >= len(cells) {
			return grid.Value{}
		}
		return cells[col]
	}
	roles := sortedKeys(lr.cols)
	if _, ok := lr.cols["control"]; ok && strings.EqualFold(cellText(get("control")), lr.l.controlLabel) {
		if st.controlLine != 0 {
			lr.problem(line, "a second control total row %q (the first is on line %d); keep one total row", clip(lr.l.controlLabel), st.controlLine)
			return
		}
		st.controlLine = line
		for _, role := range roles {
			if !isAmountRole(role) || lr.isMissing(get(role)) {
				continue
			}
			if v, why := lr.amount(get(role)); why != "" {
				lr.cellProblem(line, role, "control total %s", why)
			} else {
				st.controls[role] = v
			}
		}
		return
	}
	// The row's amounts, by role, as the file has them.
	type cellAmount struct {
		role   string
		amount decimal.Decimal
	}
	var amounts []cellAmount
	bad := false
	for _, role := range roles {
		if !isAmountRole(role) || lr.isMissing(get(role)) {
			continue
		}
		v, why := lr.amount(get(role))
		if why != "" {
			lr.cellProblem(line, role, "amount %s", why)
			bad = true
			continue
		}
		amounts = append(amounts, cellAmount{role, v})
	}
	type indValue struct {
		name  string
		value decimal.Decimal
	}
	var inds []indValue
	for _, role := range roles {
		name, ok := strings.CutPrefix(role, "indicator:")
		if !ok || lr.isMissing(get(role)) || cellText(get(role)) == "" {
			continue
		}
		v, why := lr.amount(get(role))
		if why != "" {
			lr.cellProblem(line, role, "%s %s", name, why)
			bad = true
			continue
		}
		inds = append(inds, indValue{name, v})
	}
	if bad || (len(amounts) == 0 && len(inds) == 0) {
		return
	}
	if cur, ok := lr.cols["currency"]; ok && cur < len(cells) {
		if c := cellText(cells[cur]); c != "" && !strings.EqualFold(c, lr.d.cycle.Currency) {
			lr.cellProblem(line, "currency", "the row is in %s, not the cycle's currency %s; convert it in the export", clip(c), lr.d.cycle.Currency)
			return
		}
	}
	var rowPeriod actuals.Period
	if _, ok := lr.cols["period"]; ok {
		p, why := lr.importPeriod(get("period"))
		if why != "" {
			lr.cellProblem(line, "period", "%s", why)
			return
		}
		rowPeriod = p
	}
	periodOf := func(role string) actuals.Period {
		if p, ok := lr.l.periods[role]; ok {
			return p
		}
		return rowPeriod
	}
	for _, a := range amounts {
		st.totals[a.role] = st.totals[a.role].Add(a.amount)
	}
	// Map the row: a value that maps to nothing is listed once per row.
	mapped := true
	unknown := func(role, value, hint string) {
		mapped = false
		rowTotal := decimal.Zero
		for _, a := range amounts {
			rowTotal = rowTotal.Add(a.amount)
		}
		lr.unknown(line, role, value, rowTotal)
		if hint != "" {
			st.hints[unmappedKey{role, value}] = hint
		}
	}
	deptText := cellText(get("department"))
	dept, ok := lr.depts.find(deptText)
	if !ok {
		unknown("department", deptText, didYouMean(deptText, lr.depts.names))
	}
	var acct engine.Account
	if len(amounts) > 0 {
		acctText := cellText(get("account"))
		code, ok := lr.accts.find(acctText)
		if ok {
			acct, _ = lr.d.cycle.Account(code)
		} else {
			unknown("account", acctText, didYouMean(acctText, lr.accts.names))
		}
	}
	var dims map[string]string
	for _, role := range roles {
		id, ok := strings.CutPrefix(role, "dimension:")
		if !ok {
			continue
		}
		v := cellText(get(role))
		if v == "" {
			continue
		}
		lk := st.dims[id]
		if lk == nil {
			unknown("dimension "+id, v, "; the cycle has no dimension "+strconv.Quote(id))
			continue
		}
		m, ok := lk.find(v)
		if !ok {
			unknown("dimension "+id, v, didYouMean(v, lk.names))
			continue
		}
		if dims == nil {
			dims = map[string]string{}
		}
		dims[id] = m
	}
	if !mapped {
		for _, a := range amounts {
			s := st.summary(periodOf(a.role))
			s.UnmappedRows++
			s.Unmapped = s.Unmapped.Add(a.amount)
		}
		return
	}
	sign := decimal.NewFromInt(lr.l.signFor(acct.Type))
	for _, a := range amounts {
		p := periodOf(a.role)
		v := a.amount.Mul(sign)
		st.set(p, lr.d.cycle.Currency).Add(actuals.Amount{Department: dept, Account: acct.Code, Dimensions: dims, Amount: v})
		s := st.summary(p)
		s.Rows++
		s.Amount = s.Amount.Add(v)
	}
	for _, in := range inds {
		st.set(rowPeriod, lr.d.cycle.Currency).AddIndicator(actuals.Indicator{Name: in.name, Department: dept, Value: in.value})
		st.summary(rowPeriod).Indicators++
	}
}

// isAmountRole reports whether a column role holds amounts.
func isAmountRole(role string) bool { return role == "amount" || strings.HasPrefix(role, "periods:") }

// signFor returns the sign convention for an account type.
func (l *ledgerSpec) signFor(t engine.AccountType) int64 {
	if s, ok := l.signByType[t]; ok {
		return s
	}
	return l.sign
}

func (st *importState) set(p actuals.Period, currency string) *actuals.Set {
	s := st.sets[p]
	if s == nil {
		s = actuals.NewSet(p, currency)
		st.sets[p] = s
	}
	return s
}

func (st *importState) summary(p actuals.Period) *PeriodSummary {
	s := st.summaries[p]
	if s == nil {
		s = &PeriodSummary{Period: p}
		st.summaries[p] = s
	}
	return s
}

// importPeriod reads a period cell: text as periodText reads it, or a
// spreadsheet date.
func (lr *ledgerReader) importPeriod(v grid.Value) (actuals.Period, string) {
	text := cellText(v)
	if v.Kind == grid.Number {
		if n, ok := smallInt(text); ok && n >= 1 && n <= engine.MonthsPerYear {
			return actuals.Period{Year: cmp.Or(lr.l.fiscalYear, lr.d.cycle.Year.Year), Month: engine.Period(n)}, ""
		}
		dv, err := v.Decimal()
		if err != nil || dv.LessThan(decimal.NewFromInt(367)) || dv.GreaterThan(decimal.NewFromInt(2958465)) {
			return actuals.Period{}, fmt.Sprintf("period %q is neither a fiscal month 1-12 nor a date", clip(text))
		}
		return lr.d.monthPeriod(grid.SerialToTime(dv.InexactFloat64(), lr.date1904)), ""
	}
	p, why := lr.d.periodText(text, lr.l.fiscalYear)
	if why != "" {
		return p, fmt.Sprintf("period %q %s", clip(text), why)
	}
	return p, ""
}

// finishImport fills in the import's result.
func (lr *ledgerReader) finishImport() {
	st := lr.imp
	out := st.out
	var periods []actuals.Period
	for p := range st.summaries {
		periods = append(periods, p)
	}
	slices.SortFunc(periods, actuals.Compare)
	for _, p := range periods {
		if s := st.sets[p]; s != nil {
			s.Sort()
			out.Sets = append(out.Sets, s)
		}
		out.Periods = append(out.Periods, *st.summaries[p])
	}
	for _, k := range lr.unmappedKeys {
		u := lr.unmapped[k]
		hint := st.hints[k]
		if !strings.HasPrefix(k.role, "dimension") {
			hint += fmt.Sprintf("; map it under %ss: of the actuals mapping %q", k.role, lr.l.name)
		}
		out.Unmapped = append(out.Unmapped, Unmapped{Role: k.role, Value: k.value, Rows: u.rows, Total: u.total, FirstLine: u.firstLine, Hint: hint})
	}
	for _, role := range sortedKeys(lr.cols) {
		if !isAmountRole(role) {
			continue
		}
		c := ControlCheck{Column: lr.l.columns[role], FileTotal: st.totals[role]}
		if p, ok := lr.l.periods[role]; ok {
			c.Period = &p
		}
		if v, ok := st.controls[role]; ok {
			c.Control = &v
			c.Line = st.controlLine
		}
		out.Controls = append(out.Controls, c)
	}
	if _, ok := lr.cols["control"]; ok && st.controlLine == 0 {
		lr.problem(0, "no control total row: no row has %q in column %q; add the total row to the export, or remove control_total: from the mapping %q",
			clip(lr.l.controlLabel), clip(lr.l.columns["control"]), lr.l.name)
	}
}
