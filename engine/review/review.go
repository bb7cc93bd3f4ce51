// Package review is the monthly close: the approved plan set against the
// ledger's actuals of the months closed so far. Per department and
// account it reports the variance by month, year to date and as a
// full-year outlook, why it exists (timing within the quarter; the plan's
// assumptions against its execution, through the plan re-run with the
// actual drivers), and which lines ask the department for an explanation.
// Beside the results it reads the assumptions registers against their
// leading indicators, which warn before results miss; evaluates the
// cycle's trigger points on the actuals; and extends every department's
// forecast-accuracy record with the closed months.
//
// Like the rest of engine, review is pure: the caller brings the cycle,
// the plans and the book of actuals, and gets a Report.
package review

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/actuals"
	"aop/engine/model"
	"aop/engine/scenario"
	"aop/engine/variance"
)

// Policy holds the thresholds of a close.
type Policy struct {
	// A variance asks for an explanation when it exceeds both
	// ExplainAmount and ExplainShare of its plan, in the month or year to
	// date (variance.Material; a zero threshold is not applied).
	ExplainAmount decimal.Decimal
	ExplainShare  float64
	// An indicator short of its assumption by Watch (a share: 0.1 is 10%)
	// is watched, by Breach it is breaking.
	Watch, Breach float64
	// TimingTolerance is τ of the timing test: a month's variance is
	// timing when its quarter's closed months net to within τ of it.
	TimingTolerance float64
	// LowerIsBetter names indicators whose shortfall is being above the
	// assumption (sales_cycle, churn).
	LowerIsBetter []string
	Accuracy      accuracy.Policy
}

// DefaultPolicy returns the practitioners' thresholds: explain a variance
// above 25,000 and above 5% (planning_math.md §4.5), watch an indicator
// 10% short of its assumption, call it breaking at 20%, τ = 0.25.
func DefaultPolicy() Policy {
	return Policy{
		ExplainAmount: decimal.NewFromInt(25_000), ExplainShare: 0.05,
		Watch: 0.10, Breach: 0.20, TimingTolerance: 0.25,
		LowerIsBetter: []string{model.SalesCycleDriver, "churn", "attrition", "time_to_fill", "cac"},
		Accuracy:      accuracy.DefaultPolicy(),
	}
}

// Explanation is a department's word on a line's variance in a closed
// month, as harvested from its Actuals vs Plan tab.
type Explanation struct {
	Department string        `json:"department"`
	Account    string        `json:"account"`
	Period     engine.Period `json:"period"`
	Text       string        `json:"text"`
	// Sheet and Cell say where it was typed.
	Sheet string `json:"sheet,omitempty"`
	Cell  string `json:"cell,omitempty"`
}

// Input is what a close reviews.
type Input struct {
	Cycle *engine.Cycle
	// Year is the fiscal year reviewed (the cycle's when zero).
	Year int
	// Plans are the departments' approved plans.
	Plans []*engine.Submission
	Book  *actuals.Book
	// Triggers are the cycle's trigger points, evaluated on the actuals.
	Triggers []scenario.Trigger
	// History is each department's record before this year.
	History      []accuracy.History
	Explanations []Explanation
	Policy       Policy
}

// Report is one close.
type Report struct {
	Year int
	// Closed is how many fiscal months are closed; Close is the last of
	// them (zero when none is).
	Closed      int
	Close       actuals.Period
	Departments []Department
	// Warnings are the assumptions read against their indicators, the
	// worst first.
	Warnings []Warning
	// Firings are the triggers that fired on the actuals, in month order.
	Firings []scenario.Firing
	// Accuracy is each department's record with this year's closed months.
	Accuracy []accuracy.Report
	// Company totals the departments by account type.
	Company []Line
}

// Department is one department's close.
type Department struct {
	ID, Name string
	Lines    []Line
	// Drivers attributes the revenue's assumption variance to the sales
	// drivers whose actuals differ from the plan (Shapley, §4.3).
	Drivers []DriverEffect
}

// Line is one account's close.
type Line struct {
	Account, Name string
	Type          engine.AccountType
	// Plan is the line's plan of every month of the year.
	Plan variance.Months
	variance.Report
	// Timing says whether the last closed month's variance is timing (its
	// quarter nets it out) or permanent.
	Timing variance.Kind
	// Assumption and Execution split the year-to-date variance through
	// the flexed plan: Assumption is what the actual drivers move the plan
	// by, Execution the rest. Lines without external drivers are all
	// execution.
	Assumption, Execution decimal.Decimal
	// Explain says the variance is material and asks for the department's
	// explanation; Explanation is what it said for the last closed month.
	Explain     bool
	Explanation string
}

// DriverEffect is one driver's part of a department's assumption variance.
type DriverEffect struct {
	Driver string
	Effect decimal.Decimal
}

// Status is how an assumption fares against its indicator.
type Status string

const (
	OnTrack  Status = "on track"
	Watch    Status = "watch"
	Breaking Status = "breaking"
)

// Warning reads one assumption of a register against its indicator.
type Warning struct {
	Department string
	Assumption engine.Assumption
	// Indicator is the indicator's name; Assumed and Actual are compared
	// over Months closed months where the driver is planned by month (the
	// pipeline's sum, other drivers' average), else the assumption's value
	// against the latest actual.
	Indicator       string
	Assumed, Actual decimal.Decimal
	Months          int
	// Shortfall is how far the indicator falls short of the assumption,
	// as a share (0.4 is 40% short; negative when ahead).
	Shortfall float64
	Status    Status
	// ResultsOnPlan says the department's results are still on plan (no
	// material variance on its revenue, or on all its lines without
	// revenue): the warning comes before the miss.
	ResultsOnPlan bool
}

// Close reviews the plans against the actuals.
func Close(in Input) (*Report, error) {
	c := in.Cycle
	if c == nil || in.Book == nil {
		return nil, fmt.Errorf("review: a close needs a cycle and a book of actuals")
	}
	year := cmp.Or(in.Year, c.Year.Year)
	r := &Report{Year: year, Closed: in.Book.Closed(year)}
	if r.Closed > 0 {
		r.Close = actuals.Period{Year: year, Month: engine.Period(r.Closed)}
	}
	plans := map[string]*engine.Submission{}
	for _, s := range in.Plans {
		plans[s.Department] = s
	}
	said := byLine(in.Explanations)
	for _, d := range c.Departments {
		if !c.IsLeaf(d.ID) {
			continue
		}
		dep, err := in.department(r, d, plans[d.ID], said)
		if err != nil {
			return nil, err
		}
		if len(dep.Lines) > 0 {
			r.Departments = append(r.Departments, dep)
		}
	}
	r.Company = companyLines(r)
	r.Warnings = in.warnings(r, plans)
	r.Firings = in.firings(r)
	acc, err := in.accuracy(r)
	if err != nil {
		return nil, err
	}
	r.Accuracy = acc
	return r, nil
}

// department reviews one leaf department's lines.
func (in Input) department(r *Report, d engine.Department, plan *engine.Submission, said map[string]string) (Department, error) {
	dep := Department{ID: d.ID, Name: d.Name}
	planned := map[string]*variance.Months{}
	var order []string
	if plan != nil {
		for i := range plan.Lines {
			l := &plan.Lines[i]
			m := planned[l.Account]
			if m == nil {
				m = new(variance.Months)
				planned[l.Account] = m
				order = append(order, l.Account)
			}
			for p := range m {
				m[p] = m[p].Add(l.Months[p])
			}
		}
	}
	for _, a := range in.Book.Accounts(r.Year, d.ID) {
		if planned[a] == nil {
			planned[a] = new(variance.Months)
			order = append(order, a)
		}
	}
	flex, drivers, err := in.flex(r, plan)
	if err != nil {
		return dep, err
	}
	dep.Drivers = drivers
	var revenue []int // the revenue lines, which share the flex
	for _, code := range order {
		a, _ := in.Cycle.Account(code)
		line := variance.Line{Type: a.Type, Plan: *planned[code], Actual: in.Book.Months(r.Year, d.ID, code), Closed: r.Closed}
		rep, err := variance.Compare(line)
		if err != nil {
			return dep, err
		}
		l := Line{Account: code, Name: a.Name, Type: a.Type, Plan: line.Plan, Report: rep, Execution: rep.YTDVariance}
		if r.Closed > 0 {
			last := rep.Months[r.Closed-1]
			l.Timing = variance.Classify(last.Variance, quarterVariance(rep.Months, r.Closed), in.Policy.TimingTolerance)
			l.Explain = variance.Material(last.Variance, last.Plan, in.Policy.ExplainAmount, in.Policy.ExplainShare) ||
				variance.Material(rep.YTDVariance, rep.YTDPlan, in.Policy.ExplainAmount, in.Policy.ExplainShare)
			l.Explanation = said[lineKey(d.ID, code, engine.Period(r.Closed))]
		}
		if a.Type == engine.Revenue {
			revenue = append(revenue, len(dep.Lines))
		}
		dep.Lines = append(dep.Lines, l)
	}
	shareFlex(dep.Lines, revenue, flex)
	return dep, nil
}

// quarterVariance nets the variances of the closed months of the quarter
// the last closed month falls in.
func quarterVariance(ms []variance.Month, closed int) decimal.Decimal {
	first := (closed-1)/3*3 + 1
	v := decimal.Zero
	for m := first; m <= closed; m++ {
		v = v.Add(ms[m-1].Variance)
	}
	return v
}

// shareFlex gives the revenue lines their part of the department's
// assumption variance, in proportion to their plan to date; the last line
// takes the rounding, so the parts add up to the cent.
func shareFlex(lines []Line, revenue []int, flex decimal.Decimal) {
	if flex.IsZero() || len(revenue) == 0 {
		return
	}
	total := decimal.Zero
	for _, i := range revenue {
		total = total.Add(lines[i].YTDPlan)
	}
	left := flex
	for k, i := range revenue {
		part := left
		if k < len(revenue)-1 {
			share := decimal.NewFromInt(1).Div(decimal.NewFromInt(int64(len(revenue))))
			if !total.IsZero() {
				share = lines[i].YTDPlan.Div(total)
			}
			part = engine.RoundMoney(flex.Mul(share))
		}
		left = left.Sub(part)
		lines[i].Assumption = part
		lines[i].Execution = lines[i].YTDVariance.Sub(part)
	}
}

// flexDrivers are the sales drivers a close replaces by their actuals.
var flexDrivers = []string{model.PipelineDriver, model.WinRateDriver, model.DealSizeDriver, model.SalesCycleDriver}

// flex re-runs a department's driver-based revenue with the actual
// drivers of the closed months (indicators named like the drivers) and
// returns the year-to-date change of the revenue the drivers imply, with
// each driver's Shapley part of it. Without drivers or indicators there is
// nothing to flex.
func (in Input) flex(r *Report, plan *engine.Submission) (decimal.Decimal, []DriverEffect, error) {
	if plan == nil || r.Closed == 0 || len(plan.Drivers) == 0 {
		return decimal.Zero, nil, nil
	}
	type flexed struct {
		name   string
		actual [engine.MonthsPerYear]*decimal.Decimal
	}
	var fs []flexed
	for _, name := range flexDrivers {
		f := flexed{name: name}
		found := false
		for m := 1; m <= r.Closed; m++ {
			if v, ok := in.Book.Indicator(actuals.Period{Year: r.Year, Month: engine.Period(m)}, name, plan.Department); ok {
				f.actual[m-1], found = &v, true
			}
		}
		if found {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return decimal.Zero, nil, nil
	}
	var failed error
	implied := func(set uint) decimal.Decimal {
		s := *plan
		s.Drivers = slices.Clone(plan.Drivers)
		for i, f := range fs {
			if set&(1<<i) == 0 {
				continue
			}
			at := slices.IndexFunc(s.Drivers, func(d engine.Driver) bool { return d.Name == f.name })
			if at < 0 {
				s.Drivers = append(s.Drivers, engine.Driver{Name: f.name})
				at = len(s.Drivers) - 1
			}
			for m, v := range f.actual {
				if v != nil {
					s.Drivers[at].Months[m] = v
				}
			}
		}
		gaps, err := model.DriverCheck(in.Cycle, []*engine.Submission{&s})
		if err != nil || len(gaps) == 0 {
			failed = cmp.Or(failed, err)
			return decimal.Zero
		}
		return engine.Sum(gaps[0].Implied[:r.Closed]...)
	}
	effects, err := variance.ShapleyOf(len(fs), implied)
	if err = cmp.Or(err, failed); err != nil {
		return decimal.Zero, nil, fmt.Errorf("review: flexing the drivers of %s: %w", plan.Department, err)
	}
	total := decimal.Zero
	out := make([]DriverEffect, len(fs))
	for i, f := range fs {
		out[i] = DriverEffect{Driver: f.name, Effect: engine.RoundMoney(effects[i])}
		total = total.Add(out[i].Effect)
	}
	return total, out, nil
}

// companyLines totals the departments' lines by account type.
func companyLines(r *Report) []Line {
	byType := map[engine.AccountType]*variance.Line{}
	var types []engine.AccountType
	for _, d := range r.Departments {
		for _, l := range d.Lines {
			if !l.Type.IsMoney() {
				continue
			}
			t := byType[l.Type]
			if t == nil {
				t = &variance.Line{Type: l.Type, Closed: r.Closed}
				byType[l.Type] = t
				types = append(types, l.Type)
			}
			for i := range engine.MonthsPerYear {
				t.Plan[i] = t.Plan[i].Add(l.Plan[i])
			}
			for _, m := range l.Months {
				t.Actual[m.Period-1] = t.Actual[m.Period-1].Add(m.Actual)
			}
		}
	}
	order := []engine.AccountType{engine.Revenue, engine.COGS, engine.OpEx}
	slices.SortFunc(types, func(a, b engine.AccountType) int {
		return cmp.Compare(slices.Index(order, a), slices.Index(order, b))
	})
	var out []Line
	for _, typ := range types {
		rep, _ := variance.Compare(*byType[typ])
		out = append(out, Line{Account: string(typ), Name: typeName(typ), Type: typ, Plan: byType[typ].Plan, Report: rep, Execution: rep.YTDVariance})
	}
	return out
}

func typeName(t engine.AccountType) string {
	switch t {
	case engine.Revenue:
		return "Revenue"
	case engine.COGS:
		return "Cost of sales"
	case engine.OpEx:
		return "Operating expenses"
	}
	return string(t)
}

// warnings reads every assumption that names an indicator against it.
func (in Input) warnings(r *Report, plans map[string]*engine.Submission) []Warning {
	if r.Closed == 0 {
		return nil
	}
	onPlan := map[string]bool{}
	for _, d := range r.Departments {
		onPlan[d.ID] = resultsOnPlan(d, in.Policy)
	}
	var ws []Warning
	for _, d := range in.Cycle.Departments {
		s := plans[d.ID]
		if s == nil {
			continue
		}
		for _, a := range s.Assumptions {
			name := indicatorName(a.Indicator)
			if name == "" {
				continue
			}
			w, ok := in.warning(r, s, a, name)
			if !ok {
				continue
			}
			w.ResultsOnPlan = onPlan[d.ID]
			ws = append(ws, w)
		}
	}
	rank := map[Status]int{Breaking: 0, Watch: 1, OnTrack: 2}
	slices.SortStableFunc(ws, func(a, b Warning) int { return cmp.Compare(rank[a.Status], rank[b.Status]) })
	return ws
}

// warning compares an assumption's indicator with what the plan assumed:
// the driver's planned months where the plan has the driver by month, else
// the assumption's own value ("20%") against the latest actual.
func (in Input) warning(r *Report, s *engine.Submission, a engine.Assumption, name string) (Warning, bool) {
	w := Warning{Department: s.Department, Assumption: a, Indicator: name}
	at := slices.IndexFunc(s.Drivers, func(d engine.Driver) bool { return d.Name == name })
	for m := 1; m <= r.Closed; m++ {
		v, ok := in.Book.Indicator(actuals.Period{Year: r.Year, Month: engine.Period(m)}, name, s.Department)
		if !ok {
			continue
		}
		if at >= 0 {
			if p := s.Drivers[at].Months[m-1]; p != nil {
				w.Assumed, w.Actual, w.Months = w.Assumed.Add(*p), w.Actual.Add(v), w.Months+1
			}
			continue
		}
		w.Actual, w.Months = v, 1 // the latest value
	}
	if at < 0 {
		assumed, ok := parseAssumed(a.To)
		if !ok {
			return w, false
		}
		w.Assumed = assumed
	}
	if w.Months == 0 || w.Assumed.IsZero() {
		return w, false
	}
	if at >= 0 && name != model.PipelineDriver {
		// Rates and sizes read as the months' average; the pipeline, a
		// flow, as their sum. The ratio is the same either way.
		n := decimal.NewFromInt(int64(w.Months))
		w.Assumed, w.Actual = w.Assumed.DivRound(n, 6), w.Actual.DivRound(n, 6)
	}
	short, _ := decimal.NewFromInt(1).Sub(w.Actual.Div(w.Assumed)).Float64()
	if slices.Contains(in.Policy.LowerIsBetter, name) {
		short = -short
	}
	w.Shortfall = short
	switch {
	case short >= in.Policy.Breach:
		w.Status = Breaking
	case short >= in.Policy.Watch:
		w.Status = Watch
	default:
		w.Status = OnTrack
	}
	return w, true
}

// indicatorName turns an indicator as people write it in a register
// ("Pipeline growth") into the name indicators are imported under
// ("pipeline_growth").
func indicatorName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
}

// parseAssumed reads an assumption's value: "20%", "0.2", "1,500".
func parseAssumed(s string) (decimal.Decimal, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	pct := strings.HasSuffix(s, "%")
	d, err := decimal.NewFromString(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	if err != nil {
		return decimal.Zero, false
	}
	if pct {
		d = d.Shift(-2)
	}
	return d, true
}

// resultsOnPlan says a department's revenue (or, without revenue, every
// line) has no material variance to date.
func resultsOnPlan(d Department, p Policy) bool {
	hasRevenue := slices.ContainsFunc(d.Lines, func(l Line) bool { return l.Type == engine.Revenue })
	for _, l := range d.Lines {
		if hasRevenue && l.Type != engine.Revenue {
			continue
		}
		if !l.YTDFavourable && variance.Material(l.YTDVariance, l.YTDPlan, p.ExplainAmount, p.ExplainShare) {
			return false
		}
	}
	return true
}

// firings evaluates the triggers on the actuals: revenue and costs of each
// department, its ancestors and the company.
func (in Input) firings(r *Report) []scenario.Firing {
	if r.Closed == 0 || len(in.Triggers) == 0 {
		return nil
	}
	actual := scenario.Outputs{Months: engine.MonthsPerYear, Metrics: map[scenario.MetricKey]scenario.Series{}}
	plan := scenario.Outputs{Months: engine.MonthsPerYear, Metrics: map[scenario.MetricKey]scenario.Series{}}
	add := func(o scenario.Outputs, dept, metric string, i int, v decimal.Decimal) {
		for _, who := range append([]string{dept, scenario.Company}, in.Cycle.Ancestors(dept)...) {
			k := scenario.MetricKey{Department: who, Metric: metric}
			s := o.Metrics[k]
			if s == nil {
				s = make(scenario.Series, engine.MonthsPerYear)
				for j := range s {
					s[j] = decimal.Zero
				}
				o.Metrics[k] = s
			}
			s[i] = s[i].Add(v)
		}
	}
	for _, d := range r.Departments {
		for _, l := range d.Lines {
			metric := scenario.Costs
			switch l.Type {
			case engine.Revenue:
				metric = scenario.Revenue
			case engine.COGS, engine.OpEx:
			default:
				continue
			}
			for i := range engine.MonthsPerYear {
				add(plan, d.ID, metric, i, l.Plan[i])
			}
			for _, m := range l.Months {
				add(actual, d.ID, metric, int(m.Period-1), m.Actual)
			}
		}
	}
	return scenario.Watch(in.Triggers, actual, plan, r.Closed, engine.MonthsPerYear)
}

// accuracy extends each department's record with the closed months of the
// year (the plan as the forecast) and assesses it.
func (in Input) accuracy(r *Report) ([]accuracy.Report, error) {
	if r.Closed == 0 && len(in.History) == 0 {
		return nil, nil
	}
	hs := make([]accuracy.History, 0, len(in.History))
	index := map[string]int{}
	for _, h := range in.History {
		index[h.Department+"\x00"+h.Line.String()] = len(hs)
		hs = append(hs, accuracy.History{Department: h.Department, Line: h.Line,
			Forecast: slices.Clone(h.Forecast), Actual: slices.Clone(h.Actual)})
	}
	for _, d := range r.Departments {
		for _, side := range []accuracy.Line{accuracy.Revenue, accuracy.Cost} {
			var f, a [engine.MonthsPerYear]decimal.Decimal
			any := false
			for _, l := range d.Lines {
				if side == accuracy.Revenue && l.Type != engine.Revenue || side == accuracy.Cost && l.Type != engine.COGS && l.Type != engine.OpEx {
					continue
				}
				any = true
				for _, m := range l.Months {
					f[m.Period-1] = f[m.Period-1].Add(m.Plan)
					a[m.Period-1] = a[m.Period-1].Add(m.Actual)
				}
			}
			if !any || r.Closed == 0 {
				continue
			}
			key := d.ID + "\x00" + side.String()
			i, ok := index[key]
			if !ok {
				i = len(hs)
				index[key] = i
				hs = append(hs, accuracy.History{Department: d.ID, Line: side})
			}
			hs[i].Forecast = append(hs[i].Forecast, f[:r.Closed]...)
			hs[i].Actual = append(hs[i].Actual, a[:r.Closed]...)
		}
	}
	return accuracy.AssessAll(hs, in.Policy.Accuracy)
}

// Explain sets the explanations of the lines for the last closed month
// from said, as Close does: a stored report shows what departments said
// since it was made.
func (r *Report) Explain(said []Explanation) {
	if r.Closed == 0 {
		return
	}
	m := byLine(said)
	for i := range r.Departments {
		d := &r.Departments[i]
		for j := range d.Lines {
			d.Lines[j].Explanation = m[lineKey(d.ID, d.Lines[j].Account, engine.Period(r.Closed))]
		}
	}
}

// byLine indexes explanations by department, account and month.
func byLine(said []Explanation) map[string]string {
	m := make(map[string]string, len(said))
	for _, e := range said {
		m[lineKey(e.Department, e.Account, e.Period)] = e.Text
	}
	return m
}

func lineKey(dept, account string, p engine.Period) string {
	return dept + "\x00" + account + "\x00" + strconv.Itoa(int(p))
}
