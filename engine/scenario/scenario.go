package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"aop/engine"

	"github.com/shopspring/decimal"
)

// Model projects a plan: it turns driver inputs into metric outputs. It must
// be deterministic, leave its Inputs unchanged and be safe for concurrent
// use (see the package documentation).
type Model interface {
	Project(Inputs) (Outputs, error)
}

// ModelFunc lets a plain function serve as a Model.
type ModelFunc func(Inputs) (Outputs, error)

// Project calls f.
func (f ModelFunc) Project(in Inputs) (Outputs, error) { return f(in) }

// Series holds one value per month of the horizon; index 0 is month 1.
type Series []decimal.Decimal

// At returns the value of month p (1-based).
func (s Series) At(p engine.Period) decimal.Decimal { return s[p-1] }

// Key names a driver series.
type Key struct {
	Department string
	// Driver is a driver id (pipeline, win_rate, hires) or an account code.
	Driver string
	// Dimension optionally cuts the series further (a region, a product, an
	// initiative); its text is the model's to interpret.
	Dimension string
}

// String formats the key as department/driver[/dimension].
func (k Key) String() string {
	if k.Dimension == "" {
		return k.Department + "/" + k.Driver
	}
	return k.Department + "/" + k.Driver + "/" + k.Dimension
}

// Switch says, month by month, whether something that can be paused, such
// as an initiative, is active.
type Switch []bool

// Inputs are what a model projects from: driver series and switches over a
// horizon of Months months.
type Inputs struct {
	Months   int
	Drivers  map[Key]Series
	Switches map[string]Switch
}

// Driver returns the series of a key, or nil when there is none.
func (in Inputs) Driver(k Key) Series { return in.Drivers[k] }

// Active reports whether a switch is on in month p; an unknown switch is
// off.
func (in Inputs) Active(name string, p engine.Period) bool {
	s := in.Switches[name]
	return p >= 1 && int(p) <= len(s) && s[p-1]
}

// Validate checks that the horizon is at least a month and that every
// series and switch has exactly one value per month.
func (in Inputs) Validate() error {
	if in.Months < 1 {
		return fmt.Errorf("the horizon must be at least one month, got %d", in.Months)
	}
	for k, s := range in.Drivers {
		if len(s) != in.Months {
			return fmt.Errorf("driver %s has %d months, want %d", k, len(s), in.Months)
		}
	}
	for name, s := range in.Switches {
		if len(s) != in.Months {
			return fmt.Errorf("switch %s has %d months, want %d", name, len(s), in.Months)
		}
	}
	return nil
}

// Company is the department of the company-wide series in Outputs.
const Company = ""

// Names of the metrics every projection is expected to emit; a model may
// emit any others.
const (
	Revenue   = "revenue"
	Costs     = "costs"
	Headcount = "headcount"
	Cash      = "cash"
)

// MetricKey names an output series: a metric of a department, or of the
// company when Department is Company.
type MetricKey struct {
	Department string
	Metric     string
}

// Outputs are a projection: metric series by department and for the
// company. Outputs handed out by this package share their series with each
// other and must be treated as read-only.
type Outputs struct {
	Months  int
	Metrics map[MetricKey]Series
	// Balances names the metrics that are month-end balances (cash,
	// headcount): their year figure is the last month's, not the sum.
	Balances map[string]bool
}

// Get returns a department's series of a metric (Company for the company).
func (o Outputs) Get(department, metric string) (Series, bool) {
	s, ok := o.Metrics[MetricKey{department, metric}]
	return s, ok
}

// Year returns the year figure of a series: the last month for a balance,
// the sum of the months otherwise.
func (o Outputs) Year(k MetricKey) decimal.Decimal {
	s := o.Metrics[k]
	if len(s) == 0 {
		return decimal.Zero
	}
	if o.Balances[k.Metric] {
		return s[len(s)-1]
	}
	return engine.Sum(s...)
}

// Selector picks driver series. Each field is a pattern: empty or "*"
// matches any value, "*" inside a pattern matches any run of characters,
// and any other text matches itself.
type Selector struct {
	Department string
	Driver     string
	Dimension  string
}

// Matches reports whether the selector picks a key.
func (s Selector) Matches(k Key) bool {
	return match(s.Department, k.Department) && match(s.Driver, k.Driver) && match(s.Dimension, k.Dimension)
}

// String formats the selector as department/driver/dimension with * for any.
func (s Selector) String() string {
	f := func(p string) string {
		if p == "" {
			return "*"
		}
		return p
	}
	return f(s.Department) + "/" + f(s.Driver) + "/" + f(s.Dimension)
}

// match reports whether s matches a pattern in which "*" stands for any run
// of characters; the empty pattern matches everything.
func match(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// Op is what a Change does.
type Op string

// The operations of a Change.
const (
	// OpSet replaces each month's value with Value.
	OpSet Op = "set"
	// OpAdd adds Value to each month.
	OpAdd Op = "add"
	// OpMultiply multiplies each month by Value (0.9 is a 10% cut).
	OpMultiply Op = "multiply"
	// OpShift delays a series or a switch by Months months (negative: brings
	// it forward) within the window; the months it vacates hold the value
	// at the window's edge, and what moves past the window is dropped.
	OpShift Op = "shift"
	// OpPause turns switches off.
	OpPause Op = "pause"
	// OpResume turns switches on.
	OpResume Op = "resume"
)

// Change is one change to inputs, before it is given months: set, add,
// multiply or shift the driver series Select picks, or pause, resume or
// shift the switches Switch names.
type Change struct {
	Op Op
	// Select picks the driver series of set, add, multiply and shift.
	Select Selector
	// Switch is a pattern of switch names, for pause, resume and a shift of
	// switches; when it is set, Select must be empty.
	Switch string
	// Value is the operand of set, add and multiply.
	Value decimal.Decimal
	// Months is the delay of a shift.
	Months int
}

// Set returns a change that sets the series sel picks to v.
func Set(sel Selector, v decimal.Decimal) Change { return Change{Op: OpSet, Select: sel, Value: v} }

// Add returns a change that adds v to the series sel picks.
func Add(sel Selector, v decimal.Decimal) Change { return Change{Op: OpAdd, Select: sel, Value: v} }

// Multiply returns a change that multiplies the series sel picks by f.
func Multiply(sel Selector, f decimal.Decimal) Change {
	return Change{Op: OpMultiply, Select: sel, Value: f}
}

// Shift returns a change that delays the series sel picks by months
// (negative: brings them forward).
func Shift(sel Selector, months int) Change { return Change{Op: OpShift, Select: sel, Months: months} }

// ShiftSwitch returns a change that delays the switches a pattern names,
// such as an initiative's launch slipping by months.
func ShiftSwitch(pattern string, months int) Change {
	return Change{Op: OpShift, Switch: pattern, Months: months}
}

// Pause returns a change that turns off the switches a pattern names.
func Pause(pattern string) Change { return Change{Op: OpPause, Switch: pattern} }

// Resume returns a change that turns on the switches a pattern names.
func Resume(pattern string) Change { return Change{Op: OpResume, Switch: pattern} }

// Within gives a change its months: from and to inclusive, 0 for the first
// and the last month of the horizon.
func (c Change) Within(from, to engine.Period) Override {
	return Override{Change: c, From: from, To: to}
}

// String describes the change, e.g. "multiply */discretionary_opex/* by 0.9".
func (c Change) String() string {
	switch c.Op {
	case OpSet:
		return fmt.Sprintf("set %s to %s", c.Select, c.Value)
	case OpAdd:
		return fmt.Sprintf("add %s to %s", c.Value, c.Select)
	case OpMultiply:
		return fmt.Sprintf("multiply %s by %s", c.Select, c.Value)
	case OpShift:
		if c.Switch != "" {
			return fmt.Sprintf("shift switch %s by %d months", c.Switch, c.Months)
		}
		return fmt.Sprintf("shift %s by %d months", c.Select, c.Months)
	case OpPause, OpResume:
		return fmt.Sprintf("%s %s", c.Op, c.Switch)
	}
	return fmt.Sprintf("%q", c.Op)
}

// onSwitches reports whether the change acts on switches rather than on
// driver series.
func (c Change) onSwitches() bool { return c.Switch != "" || c.Op == OpPause || c.Op == OpResume }

// validate checks that the operation is known and names what it acts on.
func (c Change) validate() error {
	switch c.Op {
	case OpSet, OpAdd, OpMultiply:
		if c.Switch != "" {
			return fmt.Errorf("%s acts on driver series, not on switch %q", c.Op, c.Switch)
		}
	case OpShift:
		if c.Switch != "" && c.Select != (Selector{}) {
			return errors.New("a shift moves either driver series or switches, not both")
		}
	case OpPause, OpResume:
		if c.Switch == "" {
			return fmt.Errorf("%s names no switch", c.Op)
		}
		if c.Select != (Selector{}) {
			return fmt.Errorf("%s acts on switches, not on driver series", c.Op)
		}
	default:
		return fmt.Errorf("unknown operation %q (want set, add, multiply, shift, pause or resume)", c.Op)
	}
	return nil
}

// matchesAny reports whether the change acts on at least one series or
// switch of in.
func (c Change) matchesAny(in Inputs) bool {
	if c.onSwitches() {
		for name := range in.Switches {
			if match(c.Switch, name) {
				return true
			}
		}
		return false
	}
	for k := range in.Drivers {
		if c.Select.Matches(k) {
			return true
		}
	}
	return false
}

// Override is a Change over a window of months, From to To inclusive; 0
// stands for the first and the last month of the horizon.
type Override struct {
	Change
	From, To engine.Period
}

// window resolves an override's months against a horizon.
func window(from, to engine.Period, months int) (engine.Period, engine.Period, error) {
	if from == 0 {
		from = 1
	}
	if to == 0 {
		to = engine.Period(months)
	}
	if from < 1 || to > engine.Period(months) || from > to {
		return 0, 0, fmt.Errorf("months %d to %d are not within the horizon of 1 to %d", from, to, months)
	}
	return from, to, nil
}

// Apply returns in with the overrides applied in order. It leaves in
// unchanged: changed series are copies, the others are shared with in.
func Apply(in Inputs, overrides []Override) (Inputs, error) {
	if len(overrides) == 0 {
		return in, nil
	}
	a := applier{in: in}
	for i, o := range overrides {
		if err := a.apply(o); err != nil {
			return Inputs{}, fmt.Errorf("override %d (%s): %w", i+1, o.Change, err)
		}
	}
	return a.in, nil
}

// applier applies overrides copy-on-write: it copies a map the first time
// it changes it, and a series or switch the first time it changes that.
type applier struct {
	in                Inputs
	drivers, switches bool // the maps are copies
	ownSeries         map[Key]bool
	ownSwitch         map[string]bool
}

func (a *applier) apply(o Override) error {
	if err := o.validate(); err != nil {
		return err
	}
	from, to, err := window(o.From, o.To, a.in.Months)
	if err != nil {
		return err
	}
	if o.onSwitches() {
		return a.applySwitches(o.Change, from, to)
	}
	matched := false
	for k, s := range a.in.Drivers {
		if !o.Select.Matches(k) {
			continue
		}
		matched = true
		if !a.drivers {
			a.in.Drivers = maps.Clone(a.in.Drivers)
			a.drivers = true
			a.ownSeries = map[Key]bool{}
		}
		if !a.ownSeries[k] {
			s = slices.Clone(s)
			a.in.Drivers[k] = s
			a.ownSeries[k] = true
		}
		changeSeries(s, o.Change, from, to)
	}
	if !matched {
		return fmt.Errorf("no driver series matches %s", o.Select)
	}
	return nil
}

func (a *applier) applySwitches(c Change, from, to engine.Period) error {
	matched := false
	for name, s := range a.in.Switches {
		if !match(c.Switch, name) {
			continue
		}
		matched = true
		if !a.switches {
			a.in.Switches = maps.Clone(a.in.Switches)
			a.switches = true
			a.ownSwitch = map[string]bool{}
		}
		if !a.ownSwitch[name] {
			s = slices.Clone(s)
			a.in.Switches[name] = s
			a.ownSwitch[name] = true
		}
		switch c.Op {
		case OpPause, OpResume:
			for m := from; m <= to; m++ {
				s[m-1] = c.Op == OpResume
			}
		case OpShift:
			shift(s, c.Months, from, to)
			// A delayed switch has not started in the months it vacates:
			// a launch that slips is off until it begins.
			for m := from; c.Months > 0 && m <= to && m < from+engine.Period(c.Months); m++ {
				s[m-1] = false
			}
		}
	}
	if !matched {
		return fmt.Errorf("no switch matches %q", c.Switch)
	}
	return nil
}

// changeSeries applies a set, add, multiply or shift to months from..to of
// s, in place.
func changeSeries(s Series, c Change, from, to engine.Period) {
	switch c.Op {
	case OpSet:
		for m := from; m <= to; m++ {
			s[m-1] = c.Value
		}
	case OpAdd:
		for m := from; m <= to; m++ {
			s[m-1] = s[m-1].Add(c.Value)
		}
	case OpMultiply:
		for m := from; m <= to; m++ {
			s[m-1] = s[m-1].Mul(c.Value)
		}
	case OpShift:
		shift(s, c.Months, from, to)
	}
}

// shift moves months from..to of s by n months, in place: month m takes
// the value of month m-n, clamped to the window.
func shift[T any](s []T, n int, from, to engine.Period) {
	if n == 0 {
		return
	}
	old := slices.Clone(s[from-1 : to])
	for m := from; m <= to; m++ {
		src := min(max(m-engine.Period(n), from), to)
		s[m-1] = old[src-from]
	}
}

// Kind classifies a scenario.
type Kind string

// The kinds of scenario finance prepares.
const (
	// Base is the honest best estimate.
	Base Kind = "base"
	// Upside is the better case, where operational constraints (sales
	// capacity, implementation, customer success) tend to bind.
	Upside Kind = "upside"
	// Downside is the worse case, usually with triggers and playbooks.
	Downside Kind = "downside"
	// Event is a scenario driven by one event (a competitor's launch, a
	// supply disruption).
	Event Kind = "event"
)

// Scenario is the base inputs with overrides, and the triggers watched
// while it unfolds.
type Scenario struct {
	Name      string
	Kind      Kind
	Overrides []Override
	// Triggers are tested in month order; for the same month, in this order.
	Triggers []Trigger
}

// Constraint is an operational limit a plan must respect: in each month,
// the Capacity metric must stay at or above the Demand metric (sales
// capacity and bookings, implementation capacity and new customers).
type Constraint struct {
	Name     string
	Capacity string
	Demand   string
	// Departments is a pattern of the departments checked: empty or "*"
	// checks every department and the company that emit both metrics.
	Departments string
}

// Binding is a constraint that binds: demand exceeds capacity in a
// department in some months.
type Binding struct {
	Constraint string
	Department string
	// Months are the months in which demand exceeds capacity, in order.
	Months []engine.Period
	// Worst is the month of the largest Shortfall (demand minus capacity);
	// the first such month on a tie.
	Worst     engine.Period
	Shortfall decimal.Decimal
}

// Effect is what a scenario's playbooks did to one metric series: the
// scenario with its playbooks minus the scenario without them.
type Effect struct {
	MetricKey
	Months Series
	// Year is the difference of the year figures (see Outputs.Year).
	Year decimal.Decimal
}

// Result is an evaluated scenario.
type Result struct {
	Scenario string
	Kind     Kind
	// Outputs is the projection with every playbook that fired.
	Outputs Outputs
	// WithoutPlaybooks is the projection of the scenario's overrides alone.
	WithoutPlaybooks Outputs
	// Fired lists the triggers that fired, in the order they fired.
	Fired []Firing
	// Effects lists the series the playbooks changed, by metric and then
	// department (the company first).
	Effects []Effect
	// Bindings lists the constraints that bind on Outputs, in the plan's
	// order of constraints and then by department.
	Bindings []Binding
}

// Plan is a model with its base inputs, projected once; scenarios and
// simulations are evaluated against it. Its methods are safe for
// concurrent use.
type Plan struct {
	model       Model
	base        Inputs
	out         Outputs
	constraints []Constraint
}

// NewPlan projects the base inputs and checks that every constraint finds
// both of its metrics in at least one department of the projection.
func NewPlan(m Model, base Inputs, constraints []Constraint) (*Plan, error) {
	if err := base.Validate(); err != nil {
		return nil, fmt.Errorf("base inputs: %w", err)
	}
	p := &Plan{model: m, base: base, constraints: slices.Clone(constraints)}
	out, err := p.project(base)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	p.out = out
	for _, c := range constraints {
		if c.Name == "" || c.Capacity == "" || c.Demand == "" {
			return nil, fmt.Errorf("constraint %q needs a name, a capacity metric and a demand metric", c.Name)
		}
		if len(bindings(out, c, true)) == 0 {
			return nil, fmt.Errorf("constraint %s: no department %q emits both %s and %s", c.Name, c.Departments, c.Capacity, c.Demand)
		}
	}
	return p, nil
}

// Inputs returns the base inputs.
func (p *Plan) Inputs() Inputs { return p.base }

// Outputs returns the base projection, the plan triggers compare with.
func (p *Plan) Outputs() Outputs { return p.out }

// project calls the model and checks the shape of what it returns.
func (p *Plan) project(in Inputs) (Outputs, error) {
	out, err := p.model.Project(in)
	if err != nil {
		return Outputs{}, fmt.Errorf("projecting: %w", err)
	}
	if out.Months != in.Months {
		return Outputs{}, fmt.Errorf("the model projected %d months of a %d-month horizon", out.Months, in.Months)
	}
	for k, s := range out.Metrics {
		if len(s) != out.Months {
			return Outputs{}, fmt.Errorf("the model's %s of %q has %d months, want %d", k.Metric, k.Department, len(s), out.Months)
		}
	}
	return out, nil
}

// Evaluate projects a scenario, walks its triggers through the months
// applying the playbooks of those that fire, and reports what fired, the
// playbooks' effects and the constraints that bind. A scenario without
// overrides starts from the base projection itself.
func (p *Plan) Evaluate(s Scenario) (*Result, error) {
	r, err := p.evaluate(s)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return r, nil
}

func (p *Plan) evaluate(s Scenario) (*Result, error) {
	for i, t := range s.Triggers {
		if err := t.validate(p); err != nil {
			return nil, fmt.Errorf("trigger %d (%s): %w", i+1, t.Name, err)
		}
	}
	in, err := Apply(p.base, s.Overrides)
	if err != nil {
		return nil, err
	}
	without := p.out
	if len(s.Overrides) > 0 {
		if without, err = p.project(in); err != nil {
			return nil, err
		}
	}
	out, fired, err := p.walk(s.Triggers, in, without)
	if err != nil {
		return nil, err
	}
	r := &Result{Scenario: s.Name, Kind: s.Kind, Outputs: out, WithoutPlaybooks: without, Fired: fired}
	if len(fired) > 0 {
		r.Effects = effects(out, without)
	}
	for _, c := range p.constraints {
		r.Bindings = append(r.Bindings, bindings(out, c, false)...)
	}
	return r, nil
}

// EvaluateAll evaluates scenarios concurrently and returns their results in
// the same order; on failure it returns the error of the first scenario, in
// order, that failed.
func (p *Plan) EvaluateAll(scenarios []Scenario) ([]*Result, error) {
	results := make([]*Result, len(scenarios))
	errs := make([]error, len(scenarios))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(scenarios)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(scenarios); i = int(next.Add(1)) - 1 {
				results[i], errs[i] = p.Evaluate(scenarios[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// effects returns the series in which with differs from without, sorted by
// metric and then department.
func effects(with, without Outputs) []Effect {
	var es []Effect
	for k, w := range with.Metrics {
		wo, ok := without.Metrics[k]
		if !ok {
			continue
		}
		var diff Series
		for i := range w {
			if !w[i].Equal(wo[i]) {
				if diff == nil {
					diff = make(Series, len(w))
					for j := range diff {
						diff[j] = w[j].Sub(wo[j])
					}
				}
				break
			}
		}
		if diff != nil {
			es = append(es, Effect{MetricKey: k, Months: diff, Year: with.Year(k).Sub(without.Year(k))})
		}
	}
	slices.SortFunc(es, func(a, b Effect) int {
		return cmp.Or(cmp.Compare(a.Metric, b.Metric), cmp.Compare(a.Department, b.Department))
	})
	return es
}

// bindings returns where a constraint binds on out, by department. With
// all set it returns an entry for every department checked, binding or not,
// which is how NewPlan learns that a constraint checks something.
func bindings(out Outputs, c Constraint, all bool) []Binding {
	var bs []Binding
	for k, capacity := range out.Metrics {
		if k.Metric != c.Capacity || !match(c.Departments, k.Department) {
			continue
		}
		demand, ok := out.Metrics[MetricKey{k.Department, c.Demand}]
		if !ok {
			continue
		}
		b := Binding{Constraint: c.Name, Department: k.Department}
		for i := range capacity {
			short := demand[i].Sub(capacity[i])
			if !short.IsPositive() {
				continue
			}
			b.Months = append(b.Months, engine.Period(i+1))
			if b.Worst == 0 || short.GreaterThan(b.Shortfall) {
				b.Worst, b.Shortfall = engine.Period(i+1), short
			}
		}
		if all || len(b.Months) > 0 {
			bs = append(bs, b)
		}
	}
	slices.SortFunc(bs, func(a, b Binding) int { return cmp.Compare(a.Department, b.Department) })
	return bs
}
