package templates

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

// Parse reads the inputs of a department workbook whose identity was
// verified: plan lines, drivers, headcount, assumptions, initiatives and
// ranges. It returns the
// typed submission, a fact for every non-empty input cell, and the findings
// (type errors, missing fields, the cycle's rules), each at its cell.
func (t *Department) Parse(wb *grid.Workbook, id Identity) (*engine.Submission, []engine.Fact, []engine.Finding) {
	return t.parse(wb, id, true)
}

// ParseSubmission is Parse without a fact per input cell, for a harvest
// that reports and consolidates but does not store each cell.
func (t *Department) ParseSubmission(wb *grid.Workbook, id Identity) (*engine.Submission, []engine.Finding) {
	sub, _, findings := t.parse(wb, id, false)
	return sub, findings
}

func (t *Department) parse(wb *grid.Workbook, id Identity, records bool) (*engine.Submission, []engine.Fact, []engine.Finding) {
	p := &parser{t: t, wb: wb, dept: id.Department, accounts: t.accountsOf(id.Department), records: records}
	if s := wb.Sheet(t.spec.Sheets.Plan); s != nil && records {
		p.facts = make([]engine.Fact, 0, s.Len())
	}
	p.sub = &engine.Submission{Cycle: id.Cycle, Department: id.Department, Template: id.Template,
		TemplateVersion: id.TemplateVersion, Round: id.Round}
	p.parsePlan()
	if t.hasDrivers(id.Department) {
		p.parseDrivers()
	}
	p.parseHeadcount()
	p.parseAssumptions()
	p.parseInitiatives()
	p.parseRanges()
	p.findings = append(p.findings, engine.CheckRules(t.cycle, p.sub)...)
	return p.sub, p.facts, p.findings
}

type parser struct {
	t        *Department
	wb       *grid.Workbook
	dept     string
	accounts map[string]engine.Account
	sub      *engine.Submission
	facts    []engine.Fact
	findings []engine.Finding
	// records keeps a Fact per input cell; off, fact returns scratch.
	records bool
	scratch engine.Fact
}

// accountsOf returns the accounts a department plans, by code. The map is
// shared: it must not be changed.
func (t *Department) accountsOf(dept string) map[string]engine.Account {
	if m, ok := t.accounts.Load(dept); ok {
		return m.(map[string]engine.Account)
	}
	as := t.cycle.AccountsFor(dept)
	var key strings.Builder
	for _, a := range as {
		key.WriteString(a.Code)
		key.WriteByte(0)
	}
	m, ok := t.accountSets.Load(key.String())
	if !ok {
		byCode := make(map[string]engine.Account, len(as))
		for _, a := range as {
			byCode[a.Code] = a
		}
		m, _ = t.accountSets.LoadOrStore(key.String(), byCode)
	}
	t.accounts.Store(dept, m)
	return m.(map[string]engine.Account)
}

// lineRefs are the references of a plan row's cells that a parsed line
// keeps.
type lineRefs struct {
	account, comment string
	months           [engine.MonthsPerYear]string
}

// lineRefs returns the references of every plan row, from the first.
func (t *Department) lineRefs() []lineRefs {
	l := t.plan()
	refs := make([]lineRefs, l.lastRow()-planFirstRow+1)
	for i := range refs {
		row := planFirstRow + i
		refs[i] = lineRefs{account: grid.R(row, l.account).String(), comment: grid.R(row, l.explanation).String(),
			months: monthRefs(row, l.monthCol)}
	}
	return refs
}

func (p *parser) find(level engine.Level, sheet string, at grid.Ref, format string, args ...any) {
	p.findings = append(p.findings, engine.Finding{Sheet: sheet, Cell: at.String(), Level: level, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) fact(sheet string, at grid.Ref, kind, field string, v grid.Value) *engine.Fact {
	if !p.records {
		p.scratch = engine.Fact{}
		return &p.scratch
	}
	p.facts = append(p.facts, engine.Fact{Sheet: sheet, Cell: at.String(), Kind: kind, Field: field, Value: v.Text})
	return &p.facts[len(p.facts)-1]
}

// monthRefs returns the references of a plan row's month cells, cut from
// one string.
func monthRefs(row int, col func(engine.Period) int) [engine.MonthsPerYear]string {
	var buf [engine.MonthsPerYear * 8]byte
	var ends [engine.MonthsPerYear]int
	b := buf[:0]
	for _, pr := range engine.Periods() {
		b = grid.R(row, col(pr)).Append(b)
		ends[pr-1] = len(b)
	}
	all := string(b)
	var refs [engine.MonthsPerYear]string
	start := 0
	for i, end := range ends {
		refs[i], start = all[start:end], end
	}
	return refs
}

// plainNumber reads a number cell without a word to say: a number value
// that parses. Anything else goes through parser.number, which explains.
func plainNumber(v grid.Value) (decimal.Decimal, bool) {
	d, err := v.Decimal()
	return d, err == nil
}

// label is what a number is, in words, for findings.
type label string

func (l label) String() string { return string(l) }

// amountLabel names a plan amount in findings ("amount for 6100 Travel in
// P3 Sep 2026"); it is formatted only when there is something to say.
type amountLabel struct {
	account engine.Account
	period  engine.Period
	year    engine.FiscalYear
}

func (a *amountLabel) String() string {
	if a.account.Code == "" {
		return "amount"
	}
	return fmt.Sprintf("amount for %s in %s", a.account.Label(), a.year.Label(a.period))
}

// text returns a cell as text: strings trimmed, numbers as typed.
func text(v grid.Value) string {
	if v.Kind == grid.Number {
		if d, err := v.Decimal(); err == nil {
			return d.String()
		}
	}
	return strings.TrimSpace(v.Text)
}

// number reads a numeric input. Text that is a plain number (an app that
// stored "1200" as text) is accepted; anything else is a finding.
func (p *parser) number(sheet string, at grid.Ref, v grid.Value, what fmt.Stringer) (decimal.Decimal, bool) {
	switch v.Kind {
	case grid.Number:
		d, err := v.Decimal()
		if err == nil {
			return d, true
		}
	case grid.String:
		s := strings.TrimSpace(v.Text)
		if d, err := decimal.NewFromString(s); err == nil && !strings.ContainsAny(s, "eE") {
			return d, true
		}
		p.find(engine.Error, sheet, at, "%s must be a number, got %q", what, v.Text)
		return decimal.Zero, false
	case grid.Error:
		p.find(engine.Error, sheet, at, "%s shows the error %s; type a number", what, v.Text)
		return decimal.Zero, false
	}
	p.find(engine.Error, sheet, at, "%s must be a number, got %q", what, v.Text)
	return decimal.Zero, false
}

func (p *parser) money(sheet string, at grid.Ref, d decimal.Decimal, what fmt.Stringer) decimal.Decimal {
	r := engine.RoundMoney(d)
	if d.Sub(r).Abs().GreaterThan(decimal.New(1, -6)) {
		p.find(engine.Warning, sheet, at, "%s %s has more than cents; counted as %s", what, d, r.StringFixed(engine.MinorUnits))
	}
	return r
}

func (p *parser) parsePlan() {
	sheet := p.t.spec.Sheets.Plan
	s := p.wb.Sheet(sheet)
	l := p.t.plan()
	type key struct {
		account, dims, description string
	}
	seen := make(map[key]int, l.lastRow()-planFirstRow+1)
	refs := p.t.planRefs()
	p.sub.Lines = make([]engine.Line, 0, l.lastRow()-planFirstRow+1)
	var dimsBuf []byte
	for row := planFirstRow; row <= l.lastRow(); row++ {
		at := func(col int) grid.Ref { return grid.R(row, col) }
		cells := s.Row(row)
		acctV := cells.Value(l.account)
		empty := acctV.IsEmpty()
		hasAmounts := false
		for _, pr := range engine.Periods() {
			if !cells.Value(l.monthCol(pr)).IsEmpty() {
				hasAmounts = true
				break
			}
		}
		others := !cells.Value(l.description).IsEmpty() || !cells.Value(l.explanation).IsEmpty()
		for _, c := range l.dims {
			others = others || !cells.Value(c).IsEmpty()
		}
		if empty && !hasAmounts && !others {
			continue
		}
		ref := &refs[row-planFirstRow]
		line := engine.Line{Dims: map[string]string{}}
		line.Cells.Sheet = sheet
		line.Cells.Account = ref.account
		line.Cells.Comment = ref.comment
		ok := true
		var account engine.Account
		if empty {
			if hasAmounts {
				p.find(engine.Error, sheet, at(l.account), "this line has amounts but no account; pick the account from the list")
			} else {
				p.find(engine.Warning, sheet, at(l.account), "this line has text but no account and is ignored")
			}
			ok = false
		} else {
			p.fact(sheet, at(l.account), "account", "account", acctV)
			account, ok = p.account(sheet, at(l.account), acctV)
		}
		for i, dim := range p.t.cycle.Dimensions {
			v := cells.Value(l.dims[i])
			if v.IsEmpty() {
				continue
			}
			f := p.fact(sheet, at(l.dims[i]), "dimension", dim.ID, v)
			f.Account = account.Code
			m, found := member(dim, text(v))
			if !found {
				p.find(engine.Error, sheet, at(l.dims[i]), "%s %q is not in the list; pick one of: %s", dim.Name, text(v), memberNames(dim))
				ok = false
				continue
			}
			line.Dims[dim.ID] = m.ID
		}
		if v := cells.Value(l.description); !v.IsEmpty() {
			line.Description = text(v)
			p.fact(sheet, at(l.description), "description", "description", v).Account = account.Code
		}
		if v := cells.Value(l.explanation); !v.IsEmpty() {
			line.Comment = text(v)
			p.fact(sheet, at(l.explanation), "comment", "explanation", v).Account = account.Code
		}
		var dims map[string]string // shared by the line's amount facts, which never change it
		if p.records {
			dims = cloneDims(line.Dims)
		}
		var amounts *[engine.MonthsPerYear]decimal.Decimal // what the line's amount facts point to
		if p.records {
			amounts = new([engine.MonthsPerYear]decimal.Decimal)
		}
		line.Cells.Months = ref.months
		for _, pr := range engine.Periods() {
			v := cells.Value(l.monthCol(pr))
			if v.IsEmpty() {
				continue
			}
			c, cell := at(l.monthCol(pr)), line.Cells.Months[pr-1]
			f := &p.scratch
			if p.records {
				p.facts = append(p.facts, engine.Fact{Sheet: sheet, Cell: cell, Kind: "amount", Field: "amount", Value: v.Text,
					Account: account.Code, Period: pr, Dims: dims})
				f = &p.facts[len(p.facts)-1]
			}
			d, good := plainNumber(v)
			if !good {
				if d, good = p.number(sheet, c, v, &amountLabel{account, pr, p.t.cycle.Year}); !good {
					ok = false
					continue
				}
			}
			if account.Type.IsMoney() && d.Exponent() < -engine.MinorUnits {
				d = p.money(sheet, c, d, &amountLabel{account, pr, p.t.cycle.Year})
			}
			line.Months[pr-1] = d
			if amounts != nil {
				amounts[pr-1] = d
				f.Amount = &amounts[pr-1]
			}
		}
		if !ok {
			continue
		}
		line.Account = account.Code
		dimsBuf = appendDimsKey(dimsBuf[:0], p.t.cycle.Dimensions, line.Dims)
		k := key{account.Code, string(dimsBuf), line.Description}
		if prev, dup := seen[k]; dup {
			p.find(engine.Warning, sheet, at(l.account), "same account, dimensions and description as row %d; both lines count (give each line its own description to tell them apart)", prev)
		}
		seen[k] = row
		p.sub.Lines = append(p.sub.Lines, line)
	}
}

func (p *parser) account(sheet string, at grid.Ref, v grid.Value) (engine.Account, bool) {
	s := text(v)
	code, _, _ := strings.Cut(s, " ")
	if a, ok := p.accounts[code]; ok {
		return a, true
	}
	for _, a := range p.accounts {
		if strings.EqualFold(a.Name, s) || strings.EqualFold(a.Label(), s) {
			return a, true
		}
	}
	if a, ok := p.t.cycle.Account(code); ok {
		p.find(engine.Error, sheet, at, "account %s is not planned by this department; pick an account from the list", a.Label())
		return engine.Account{}, false
	}
	p.find(engine.Error, sheet, at, "account %q is not in the chart of accounts; pick an account from the list", s)
	return engine.Account{}, false
}

func member(d engine.Dimension, s string) (engine.Member, bool) {
	for _, m := range d.Members {
		if strings.EqualFold(memberLabel(m), s) || strings.EqualFold(m.ID, s) {
			return m, true
		}
	}
	return engine.Member{}, false
}

func memberNames(d engine.Dimension) string {
	names := make([]string, len(d.Members))
	for i, m := range d.Members {
		names[i] = memberLabel(m)
	}
	if len(names) > 12 {
		names = append(names[:12], "…")
	}
	return strings.Join(names, ", ")
}

func cloneDims(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// appendDimsKey appends a key for a line's dimension members, the same
// for the same members: "id=member;" for each dimension the line names, in
// cycle order.
func appendDimsKey(b []byte, dims []engine.Dimension, m map[string]string) []byte {
	for _, d := range dims {
		if v, ok := m[d.ID]; ok {
			b = append(append(append(append(b, d.ID...), '='), v...), ';')
		}
	}
	return b
}

func (p *parser) parseDrivers() {
	sheet := p.t.spec.Sheets.Drivers
	s := p.wb.Sheet(sheet)
	if s == nil {
		return
	}
	for i, dr := range p.t.spec.Drivers {
		row := tableFirstRow + i
		d := engine.Driver{Name: dr.ID, Source: engine.Source{Sheet: sheet, Cell: grid.R(row, 2).String()}}
		any := false
		for _, pr := range engine.Periods() {
			at := grid.R(row, 1+int(pr))
			v := s.Value(at)
			if v.IsEmpty() {
				continue
			}
			what := label(fmt.Sprintf("%s in %s", strings.ToLower(dr.Label), p.t.cycle.Year.Label(pr)))
			p.fact(sheet, at, "driver", dr.ID, v).Period = pr
			n, ok := p.number(sheet, at, v, what)
			if !ok {
				continue
			}
			switch {
			case n.IsNegative():
				p.find(engine.Error, sheet, at, "%s must be zero or more, got %s", what, n)
				continue
			case dr.Unit == "percent" && n.GreaterThan(decimal.NewFromInt(1)):
				p.find(engine.Error, sheet, at, "%s must be a percentage between 0%% and 100%%, got %s (type %s%%)", what, n, n)
				continue
			case dr.Unit == "money":
				n = p.money(sheet, at, n, what)
			}
			val := n
			p.setAmountAt(sheet, at, val)
			d.Months[pr-1] = &val
			any = true
		}
		if any {
			p.sub.Drivers = append(p.sub.Drivers, d)
		}
	}
}

func (p *parser) parseHeadcount() {
	sheet := p.t.spec.Sheets.Headcount
	s := p.wb.Sheet(sheet)
	fields := []string{hcRole: "role", hcCount: "count", hcStart: "start_month", hcSalary: "annual_salary", hcLoaded: "loaded_cost", hcRamp: "ramp_months"}
	for i := 0; i < p.t.spec.Hires; i++ {
		row := tableFirstRow + i
		at := func(c int) grid.Ref { return grid.R(row, c) }
		blank := true
		for c := hcRole; c <= hcRamp; c++ {
			if v := s.Value(at(c)); !v.IsEmpty() {
				blank = false
				p.fact(sheet, at(c), "headcount", fields[c], v)
			}
		}
		if blank {
			continue
		}
		h := engine.Hire{Source: engine.Source{Sheet: sheet, Cell: at(hcRole).String()}}
		ok := true
		h.Role = text(s.Value(at(hcRole)))
		role := h.Role
		if role == "" {
			p.find(engine.Error, sheet, at(hcRole), "this headcount line has no role; name the role (e.g. Account executive)")
			ok, role = false, fmt.Sprintf("row %d", row)
		}
		required := func(c int, what string) (decimal.Decimal, bool) {
			v := s.Value(at(c))
			if v.IsEmpty() {
				p.find(engine.Error, sheet, at(c), "%s is missing for %s", what, role)
				return decimal.Zero, false
			}
			return p.number(sheet, at(c), v, label(fmt.Sprintf("%s for %s", what, role)))
		}
		if n, good := required(hcCount, "the count"); good {
			if !n.IsInteger() || n.LessThan(decimal.NewFromInt(1)) || n.GreaterThan(decimal.NewFromInt(1000)) {
				p.find(engine.Error, sheet, at(hcCount), "the count for %s must be a whole number from 1 to 1000, got %s", role, n)
				ok = false
			} else {
				h.Count = int(n.IntPart())
				p.setAmountAt(sheet, at(hcCount), n)
			}
		} else {
			ok = false
		}
		if v := s.Value(at(hcStart)); v.IsEmpty() {
			p.find(engine.Error, sheet, at(hcStart), "the start month is missing for %s; pick it from the list", role)
			ok = false
		} else if pr, good := p.startMonth(v); good {
			h.Start = pr
			p.lastFact(sheet, at(hcStart)).Period = pr
		} else {
			p.find(engine.Error, sheet, at(hcStart), "the start month for %s must be a month of %s from the list (e.g. %q), got %q",
				role, p.t.cycle.Year.Name(), p.t.MonthLabel(1), text(v))
			ok = false
		}
		if n, good := required(hcSalary, "the annual salary"); good {
			if n.IsNegative() {
				p.find(engine.Error, sheet, at(hcSalary), "the annual salary for %s must be zero or more, got %s", role, n)
				ok = false
			}
			h.AnnualSalary = p.money(sheet, at(hcSalary), n, label("the annual salary for "+role))
			p.setAmountAt(sheet, at(hcSalary), h.AnnualSalary)
		} else {
			ok = false
		}
		if v := s.Value(at(hcLoaded)); !v.IsEmpty() {
			if n, good := p.number(sheet, at(hcLoaded), v, label("the loaded cost for "+role)); good {
				if n.IsNegative() || n.GreaterThan(decimal.NewFromInt(2)) {
					p.find(engine.Error, sheet, at(hcLoaded), "the loaded cost for %s must be a percentage of salary from 0%% to 200%%, got %s (type 25%% for a quarter on top)", role, n)
					ok = false
				}
				h.LoadedCost = n
				p.setAmountAt(sheet, at(hcLoaded), n)
			} else {
				ok = false
			}
		}
		if v := s.Value(at(hcRamp)); !v.IsEmpty() {
			if n, good := p.number(sheet, at(hcRamp), v, label("the ramp for "+role)); good {
				if !n.IsInteger() || n.IsNegative() || n.GreaterThan(decimal.NewFromInt(36)) {
					p.find(engine.Error, sheet, at(hcRamp), "the ramp for %s must be a whole number of months from 0 to 36, got %s", role, n)
					ok = false
				}
				h.RampMonths = int(n.IntPart())
				p.setAmountAt(sheet, at(hcRamp), n)
			} else {
				ok = false
			}
		}
		if ok {
			p.sub.Hires = append(p.sub.Hires, h)
		}
	}
}

// setAmountAt records a parsed number on the fact of its cell.
func (p *parser) setAmountAt(sheet string, at grid.Ref, n decimal.Decimal) {
	if f := p.lastFact(sheet, at); f != nil {
		v := n
		f.Amount = &v
	}
}

func (p *parser) lastFact(sheet string, at grid.Ref) *engine.Fact {
	cell := at.String()
	for i := len(p.facts) - 1; i >= 0; i-- {
		if p.facts[i].Sheet == sheet && p.facts[i].Cell == cell {
			return &p.facts[i]
		}
	}
	return &engine.Fact{}
}

// startMonth reads a fiscal month: a label from the list ("P3 Sep 2026"),
// the month alone ("Sep 2026"), a period number (3) or a date an app made
// of the text.
func (p *parser) startMonth(v grid.Value) (engine.Period, bool) {
	fy := p.t.cycle.Year
	switch v.Kind {
	case grid.String:
		s := strings.TrimSpace(v.Text)
		for _, pr := range engine.Periods() {
			if strings.EqualFold(s, p.t.MonthLabel(pr)) || strings.EqualFold(s, fy.Label(pr)) || strings.EqualFold(s, fmt.Sprintf("P%d", pr)) {
				return pr, true
			}
		}
	case grid.Number:
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			return 0, false
		}
		if f >= 1 && f <= 12 && f == math.Trunc(f) {
			return engine.Period(f), true
		}
		if f > 366 {
			t := grid.SerialToTime(f, p.wb.Date1904)
			return fy.PeriodOf(t.Month(), t.Year())
		}
	}
	return 0, false
}

func (p *parser) parseAssumptions() {
	sheet := p.t.spec.Sheets.Assumptions
	s := p.wb.Sheet(sheet)
	fields := []string{asDriver: "driver", asFrom: "from", asTo: "to", asStatus: "status", asCounterbalance: "counterbalance", asRisk: "risk", asIndicator: "indicator"}
	for i := 0; i < p.t.spec.Assumptions; i++ {
		row := tableFirstRow + i
		at := func(c int) grid.Ref { return grid.R(row, c) }
		get := func(c int) string { return text(s.Value(at(c))) }
		blank := true
		for c := asDriver; c <= asIndicator; c++ {
			if v := s.Value(at(c)); !v.IsEmpty() {
				blank = false
				p.fact(sheet, at(c), "assumption", fields[c], v)
			}
		}
		if blank {
			continue
		}
		a := engine.Assumption{Source: engine.Source{Sheet: sheet, Cell: at(asDriver).String()},
			Driver: get(asDriver), From: get(asFrom), To: get(asTo), Counterbalance: get(asCounterbalance),
			Risk: get(asRisk), Indicator: get(asIndicator)}
		ok := true
		if a.Driver == "" {
			p.find(engine.Error, sheet, at(asDriver), "this assumption has no driver; name the driver it is about (e.g. win rate)")
			ok = false
		}
		switch st := strings.ToLower(get(asStatus)); st {
		case string(engine.Maintained), string(engine.Changed):
			a.Status = engine.AssumptionStatus(st)
		case "":
			p.find(engine.Error, sheet, at(asStatus), "say whether the assumption on %q is maintained (continues the past) or changed (a bet to monitor)", a.Driver)
			ok = false
		default:
			p.find(engine.Error, sheet, at(asStatus), "status must be maintained or changed, got %q", get(asStatus))
			ok = false
		}
		if ok {
			p.sub.Assumptions = append(p.sub.Assumptions, a)
		}
	}
}

// initiativeKind reads the kind of an initiative: a label of the drop-down
// or the kind's own name, in any case.
func initiativeKind(s string) (string, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for _, k := range initiativeKinds {
		if s == strings.ToLower(k.label) || s == k.kind {
			return k.kind, true
		}
	}
	return "", false
}

func (p *parser) parseInitiatives() {
	sheet := p.t.spec.Sheets.Initiatives
	s := p.wb.Sheet(sheet)
	if s == nil {
		return
	}
	fields := []string{inName: "name", inKind: "kind", inStart: "start_month", inOneTime: "one_time_cost", inMonthlyCost: "monthly_cost",
		inRevenue: "monthly_revenue", inRamp: "ramp_months", inDescription: "description"}
	seen := map[string]int{}
	for i := 0; i < p.t.spec.Initiatives; i++ {
		row := tableFirstRow + i
		at := func(c int) grid.Ref { return grid.R(row, c) }
		blank := true
		for c := inName; c <= inDescription; c++ {
			if v := s.Value(at(c)); !v.IsEmpty() {
				blank = false
				p.fact(sheet, at(c), "initiative", fields[c], v)
			}
		}
		if blank {
			continue
		}
		in := engine.InitiativeInput{Source: engine.Source{Sheet: sheet, Cell: at(inName).String()},
			Name: text(s.Value(at(inName))), Description: text(s.Value(at(inDescription)))}
		ok := true
		name := in.Name
		switch prev, dup := seen[strings.ToLower(name)]; {
		case name == "":
			p.find(engine.Error, sheet, at(inName), "this initiative has no name; name it (e.g. EMEA expansion)")
			ok, name = false, fmt.Sprintf("the initiative in row %d", row)
		case dup:
			p.find(engine.Error, sheet, at(inName), "initiative %q is named in row %d already; give each initiative its own name", name, prev)
			ok = false
		default:
			seen[strings.ToLower(name)] = row
		}
		switch v := s.Value(at(inKind)); {
		case v.IsEmpty():
			p.find(engine.Error, sheet, at(inKind), "the kind of %s is missing; pick launch, expansion or M&A from the list", name)
			ok = false
		default:
			kind, good := initiativeKind(text(v))
			if !good {
				p.find(engine.Error, sheet, at(inKind), "the kind of %s must be launch, expansion or M&A from the list, got %q", name, text(v))
				ok = false
			}
			in.Kind = kind
		}
		if v := s.Value(at(inStart)); v.IsEmpty() {
			p.find(engine.Error, sheet, at(inStart), "the start month of %s is missing; pick it from the list", name)
			ok = false
		} else if pr, good := p.startMonth(v); good {
			in.Start = pr
			p.lastFact(sheet, at(inStart)).Period = pr
		} else {
			p.find(engine.Error, sheet, at(inStart), "the start month of %s must be a month of %s from the list (e.g. %q), got %q",
				name, p.t.cycle.Year.Name(), p.t.MonthLabel(1), text(v))
			ok = false
		}
		amount := func(c int, what string) decimal.Decimal {
			v := s.Value(at(c))
			if v.IsEmpty() {
				return decimal.Zero
			}
			what = fmt.Sprintf("the %s of %s", what, name)
			n, good := p.number(sheet, at(c), v, label(what))
			if !good {
				ok = false
				return decimal.Zero
			}
			if n.IsNegative() {
				p.find(engine.Error, sheet, at(c), "%s must be zero or more, got %s", what, n)
				ok = false
				return decimal.Zero
			}
			n = p.money(sheet, at(c), n, label(what))
			p.setAmountAt(sheet, at(c), n)
			return n
		}
		in.OneTimeCost = amount(inOneTime, "one-time cost")
		in.MonthlyCost = amount(inMonthlyCost, "monthly running cost")
		in.MonthlyRevenue = amount(inRevenue, "monthly revenue")
		if v := s.Value(at(inRamp)); !v.IsEmpty() {
			if n, good := p.number(sheet, at(inRamp), v, label("the months to full ramp of "+name)); good {
				if !n.IsInteger() || n.IsNegative() || n.GreaterThan(decimal.NewFromInt(36)) {
					p.find(engine.Error, sheet, at(inRamp), "the months to full ramp of %s must be a whole number from 0 to 36, got %s", name, n)
					ok = false
				}
				in.RampMonths = int(n.IntPart())
				p.setAmountAt(sheet, at(inRamp), n)
			} else {
				ok = false
			}
		}
		if ok && in.OneTimeCost.IsZero() && in.MonthlyCost.IsZero() && in.MonthlyRevenue.IsZero() {
			p.find(engine.Error, sheet, at(inOneTime), "%s has no cost and no revenue; type its one-time cost, monthly running cost or monthly revenue", name)
			ok = false
		}
		if ok {
			p.sub.Initiatives = append(p.sub.Initiatives, in)
		}
	}
}

// rangeCases are the three cases of a range, as the findings name them,
// with an example of each.
var rangeCases = [3]struct {
	col           int
	name, example string
}{{rgLow, "low", "85%"}, {rgLikely, "likely", "100%"}, {rgHigh, "high", "110%"}}

// parseRanges reads the Ranges sheet; it runs after parsePlan, whose lines
// tell whether a range has a plan to move.
func (p *parser) parseRanges() {
	sheet := p.t.spec.Sheets.Ranges
	s := p.wb.Sheet(sheet)
	if s == nil {
		return
	}
	fields := []string{rgAccount: "account", rgLow: "low", rgLikely: "likely", rgHigh: "high", rgWhy: "comment"}
	most := decimal.NewFromInt(10)
	seen := map[string]int{}
	for i := 0; i < p.t.spec.Ranges; i++ {
		row := tableFirstRow + i
		at := func(c int) grid.Ref { return grid.R(row, c) }
		blank := true
		for c := rgAccount; c <= rgWhy; c++ {
			if v := s.Value(at(c)); !v.IsEmpty() {
				blank = false
				p.fact(sheet, at(c), "range", fields[c], v)
			}
		}
		if blank {
			continue
		}
		r := engine.RangeInput{Source: engine.Source{Sheet: sheet, Cell: at(rgAccount).String()}, Comment: text(s.Value(at(rgWhy)))}
		ok := true
		what := fmt.Sprintf("the range in row %d", row)
		if v := s.Value(at(rgAccount)); v.IsEmpty() {
			p.find(engine.Error, sheet, at(rgAccount), "this range has no account; pick the account from the list")
			ok = false
		} else if a, good := p.account(sheet, at(rgAccount), v); !good {
			ok = false
		} else {
			r.Account, what = a.Code, a.Label()
			for c := rgAccount; c <= rgWhy; c++ {
				p.lastFact(sheet, at(c)).Account = a.Code
			}
			if prev, dup := seen[a.Code]; dup {
				p.find(engine.Error, sheet, at(rgAccount), "%s has a range in row %d already; give one range per account and delete the other", a.Label(), prev)
				ok = false
			} else {
				seen[a.Code] = row
			}
		}
		var cases [3]decimal.Decimal
		complete := true
		for j, rc := range rangeCases {
			v := s.Value(at(rc.col))
			if v.IsEmpty() {
				p.find(engine.Error, sheet, at(rc.col), "the %s case of %s is missing; type it as a share of your plan, e.g. %s", rc.name, what, rc.example)
				complete = false
				continue
			}
			n, good := p.number(sheet, at(rc.col), v, label(fmt.Sprintf("the %s case of %s", rc.name, what)))
			if !good {
				complete = false
				continue
			}
			if !n.IsPositive() || n.GreaterThan(most) {
				p.find(engine.Error, sheet, at(rc.col), "the %s case of %s must be a share of your plan above 0%% and at most 1000%%, got %s; type it as a percentage, e.g. %s",
					rc.name, what, engine.Percent(n), rc.example)
				complete = false
				continue
			}
			cases[j] = n
			p.setAmountAt(sheet, at(rc.col), n)
		}
		if complete {
			for j := 1; j < len(cases); j++ {
				if cases[j].LessThan(cases[j-1]) {
					lo, hi := rangeCases[j-1], rangeCases[j]
					p.find(engine.Error, sheet, at(hi.col), "the %s case of %s (%s) is below its %s case (%s); the cases go low ≤ likely ≤ high",
						hi.name, what, engine.Percent(cases[j]), lo.name, engine.Percent(cases[j-1]))
					complete = false
					break
				}
			}
		}
		if !ok || !complete {
			continue
		}
		r.Low, r.Likely, r.High = cases[0], cases[1], cases[2]
		if !p.sub.Plans(r.Account) {
			p.find(engine.Warning, sheet, at(rgAccount), "your plan has no amounts on %s, so this range moves nothing; plan the account on the %s sheet or delete the range",
				what, p.t.spec.Sheets.Plan)
		}
		p.sub.Ranges = append(p.sub.Ranges, r)
	}
}
