package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/project"
	"aop/engine/scenario"
)

// Model projects a cycle's plan; it implements scenario.Model. Build it
// with New; it is read-only afterwards and safe for concurrent use.
type Model struct {
	months int
	// nodes are the cycle's departments in order; leaves index them.
	nodes  []string
	leaves []int
	// up lists, for each node, the nodes its series add to: itself and
	// its ancestors.
	up [][]int
	// lines, hires: what a driver key stands for.
	lines map[scenario.Key]line
	hires map[scenario.Key]hire
	// hireKeys lists each leaf's hire keys in line order.
	hireKeys map[int][]scenario.Key
	// baseRoster is each leaf's roster under the base hiring plan.
	baseRoster map[int]project.Headcount
	baseHires  map[int][]scenario.Series
	// history is each leaf's hiring record: the share of open roles it
	// fills, and how long that takes.
	history map[int]project.HiringHistory
	// capacities are the operational limits, checked on every projection.
	capacities []Capacity
	// initiatives with their base lines.
	initiatives []initiative
	// priorRevenue and priorCOGS are each leaf's last-year actuals by
	// month, the months before month 1 for working capital.
	priorRevenue, priorCOGS map[int][]decimal.Decimal
	cash                    CashTerms
	base                    scenario.Inputs
}

// line is a plan-line driver: the leaf it belongs to and its account type.
type line struct {
	leaf int
	typ  engine.AccountType
}

// hire is a hiring-plan driver: the leaf, the role and its pay.
type hire struct {
	leaf       int
	role       string
	salary     decimal.Decimal
	loadFactor decimal.Decimal
}

type initiative struct {
	name, switchName string
	leaf             int
	revenue, costs   []decimal.Decimal
}

// New builds the model of a cycle's consolidated plan. subs are the
// submissions the consolidation was built from: their hiring plans become
// the hires drivers, and the initiatives they propose join the spec's
// (see Spec.WithSubmissions: a cycle initiative of the same name wins).
// spec gives the cycle's initiatives and the cash terms.
func New(c *engine.Cycle, k *engine.Consolidation, subs []*engine.Submission, spec Spec) (*Model, error) {
	const months = engine.MonthsPerYear
	spec = spec.WithSubmissions(c, subs)
	m := &Model{
		months:       months,
		lines:        map[scenario.Key]line{},
		hires:        map[scenario.Key]hire{},
		hireKeys:     map[int][]scenario.Key{},
		baseRoster:   map[int]project.Headcount{},
		history:      map[int]project.HiringHistory{},
		baseHires:    map[int][]scenario.Series{},
		cash:         spec.Cash,
		priorRevenue: map[int][]decimal.Decimal{},
		priorCOGS:    map[int][]decimal.Decimal{},
	}
	m.base = scenario.Inputs{Months: months, Drivers: map[scenario.Key]scenario.Series{}, Switches: map[string]scenario.Switch{}}
	index := map[string]int{}
	for i, d := range c.Departments {
		m.nodes = append(m.nodes, d.ID)
		index[d.ID] = i
	}
	for i, d := range c.Departments {
		up := []int{i}
		for _, a := range c.Ancestors(d.ID) {
			up = append(up, index[a])
		}
		m.up = append(m.up, up)
		if !c.IsLeaf(d.ID) {
			continue
		}
		m.leaves = append(m.leaves, i)
		var rev, cogs []decimal.Decimal
		for _, a := range c.AccountsFor(d.ID) {
			series := make(scenario.Series, months)
			planned := false
			for p := range months {
				series[p] = k.Plan(d.ID, a.Code, engine.Period(p+1))
				planned = planned || !series[p].IsZero()
			}
			if prior, ok := c.PriorActualMonths(d.ID, a.Code); ok {
				switch a.Type {
				case engine.Revenue:
					rev = addInto(rev, prior[:])
				case engine.COGS:
					cogs = addInto(cogs, prior[:])
				}
			}
			if !planned {
				continue
			}
			key := scenario.Key{Department: d.ID, Driver: a.Code, Dimension: a.Group}
			m.base.Drivers[key] = series
			m.lines[key] = line{leaf: i, typ: a.Type}
		}
		m.priorRevenue[i], m.priorCOGS[i] = rev, cogs
	}
	var errs []error
	for _, s := range subs {
		leaf, ok := index[s.Department]
		if !ok {
			errs = append(errs, fmt.Errorf("submission for unknown department %q", s.Department))
			continue
		}
		for j, h := range s.Hires {
			if h.Start < 1 || int(h.Start) > months || h.Count < 0 {
				errs = append(errs, fmt.Errorf("department %s: hire line %d starts in month %d with %d people", s.Department, j+1, h.Start, h.Count))
				continue
			}
			key := scenario.Key{Department: s.Department, Driver: HiresDriver, Dimension: strconv.Itoa(j + 1)}
			series := make(scenario.Series, months)
			series[h.Start-1] = decimal.NewFromInt(int64(h.Count))
			m.base.Drivers[key] = series
			m.hires[key] = hire{leaf: leaf, role: h.Role, salary: h.AnnualSalary, loadFactor: decimal.NewFromInt(1).Add(h.LoadedCost)}
			m.hireKeys[leaf] = append(m.hireKeys[leaf], key)
		}
	}
	for _, h := range spec.Hiring {
		if leaf, ok := index[h.Department]; ok {
			m.history[leaf] = h.HiringHistory
		}
	}
	for _, cp := range spec.Capacities {
		_, known := index[cp.Department]
		_, serves := index[cp.Serves]
		if !known || (cp.Serves != "" && !serves) || !cp.PerHead.IsPositive() {
			errs = append(errs, fmt.Errorf("capacity %s: needs a known department, a known department served (or none, the company) and a positive amount a head", cp.Name))
			continue
		}
		m.capacities = append(m.capacities, cp)
	}
	for leaf, keys := range m.hireKeys {
		series := make([]scenario.Series, len(keys))
		for i, key := range keys {
			series[i] = m.base.Drivers[key]
		}
		roster, err := m.roster(leaf, series)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.baseRoster[leaf], m.baseHires[leaf] = roster, series
	}
	for _, in := range spec.Initiatives {
		leaf, ok := index[in.Department]
		if !ok || !c.IsLeaf(in.Department) {
			errs = append(errs, fmt.Errorf("initiative %s: department %q is not a department that plans (a leaf)", in.Name, in.Department))
			continue
		}
		rev, costs, err := in.Lines(months)
		if err != nil {
			errs = append(errs, fmt.Errorf("initiative %s: %w", in.Name, err))
			continue
		}
		name := InitiativeSwitch(in.Name)
		if _, dup := m.base.Switches[name]; dup {
			errs = append(errs, fmt.Errorf("initiative %s is listed twice", in.Name))
			continue
		}
		on := make(scenario.Switch, months)
		for t := range on {
			on[t] = true
		}
		m.base.Switches[name] = on
		m.initiatives = append(m.initiatives, initiative{name: in.Name, switchName: name, leaf: leaf, revenue: rev, costs: costs})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// Inputs returns the base inputs: the plan as consolidated.
func (m *Model) Inputs() scenario.Inputs { return m.base }

// Departments returns the ids of the departments the model projects, in
// cycle order.
func (m *Model) Departments() []string { return slices.Clone(m.nodes) }

// HiringPlan returns a leaf department's hiring plan as engine/project
// sees it (every role filled, no attrition), and false when it hires no one.
func (m *Model) HiringPlan(dept string) (project.Department, bool) {
	for _, leaf := range m.leaves {
		if m.nodes[leaf] == dept && len(m.hireKeys[leaf]) > 0 {
			return m.department(leaf, m.baseHires[leaf], false), true
		}
	}
	return project.Department{}, false
}

// department turns a leaf's hire series into a project.Department: one
// role per line and month with people starting. With history, the roles
// are filled at the department's historical fill rate, backfills after
// its mean time to fill; without, every role is filled.
func (m *Model) department(leaf int, series []scenario.Series, history bool) project.Department {
	d := project.Department{Name: m.nodes[leaf], FillRate: 1, LoadFactor: decimal.NewFromInt(1)}
	if h, ok := m.history[leaf]; history && ok && h.Requested > 0 {
		d.FillRate = h.FillRate()
		d.TimeToFillMonths = int(math.Round(h.MeanDaysToFill() / (365.0 / engine.MonthsPerYear)))
	}
	for i, key := range m.hireKeys[leaf] {
		h := m.hires[key]
		for t, heads := range series[i] {
			if heads.IsZero() {
				continue
			}
			f, _ := heads.Float64()
			d.Roles = append(d.Roles, project.Role{Title: h.role, Heads: f, Start: t + 1, AnnualSalary: h.salary, LoadFactor: h.loadFactor})
		}
	}
	return d
}

func (m *Model) roster(leaf int, series []scenario.Series) (project.Headcount, error) {
	return project.ProjectHeadcount(m.department(leaf, series, true), m.months)
}

// Project projects the inputs: see the package documentation.
func (m *Model) Project(in scenario.Inputs) (scenario.Outputs, error) {
	if in.Months != m.months {
		return scenario.Outputs{}, fmt.Errorf("the model projects %d months, not %d", m.months, in.Months)
	}
	n := m.months
	type leafLines struct{ revenue, cogs, opex, people []decimal.Decimal }
	byLeaf := make(map[int]*leafLines, len(m.leaves))
	for _, leaf := range m.leaves {
		byLeaf[leaf] = &leafLines{revenue: zeros(n), cogs: zeros(n), opex: zeros(n), people: zeros(n)}
	}
	for key, s := range in.Drivers {
		l, ok := m.lines[key]
		if !ok {
			continue
		}
		ll := byLeaf[l.leaf]
		var to []decimal.Decimal
		switch l.typ {
		case engine.Revenue:
			to = ll.revenue
		case engine.COGS:
			to = ll.cogs
		case engine.OpEx:
			to = ll.opex
		case engine.Headcount:
			to = ll.people
		default:
			continue
		}
		for t := range n {
			to[t] = to[t].Add(s[t])
		}
	}
	for leaf, keys := range m.hireKeys {
		series := make([]scenario.Series, len(keys))
		same := true
		for i, key := range keys {
			series[i] = in.Drivers[key]
			if len(series[i]) != n {
				return scenario.Outputs{}, fmt.Errorf("hires %s: %d months, want %d", key, len(series[i]), n)
			}
			same = same && &series[i][0] == &m.baseHires[leaf][i][0]
		}
		base := m.baseRoster[leaf]
		roster := base
		if !same {
			var err error
			if roster, err = m.roster(leaf, series); err != nil {
				return scenario.Outputs{}, err
			}
		}
		ll := byLeaf[leaf]
		for t := range n {
			ll.opex[t] = ll.opex[t].Add(roster.Cost[t]).Sub(base.Cost[t])
			ll.people[t] = ll.people[t].Add(decimal.NewFromFloat(roster.FTE[t]))
		}
	}
	// An initiative runs its own months only while its switch is on: off
	// months take its lines out of the plan, and a later month picks up
	// where it stopped, so a launch that slips by three months ramps three
	// months later, and a paused one resumes where it left off.
	for _, it := range m.initiatives {
		ll := byLeaf[it.leaf]
		k := 0
		for t := range n {
			rev, cost := decimal.Zero, decimal.Zero
			if in.Active(it.switchName, engine.Period(t+1)) {
				rev, cost = it.revenue[k], it.costs[k]
				k++
			}
			ll.revenue[t] = ll.revenue[t].Add(rev).Sub(it.revenue[t])
			ll.opex[t] = ll.opex[t].Add(cost).Sub(it.costs[t])
		}
	}

	out := scenario.Outputs{Months: n, Metrics: map[scenario.MetricKey]scenario.Series{},
		Balances: map[string]bool{scenario.Headcount: true, scenario.Cash: true}}
	series := func(dept, metric string) scenario.Series {
		k := scenario.MetricKey{Department: dept, Metric: metric}
		s, ok := out.Metrics[k]
		if !ok {
			s = zeros(n)
			out.Metrics[k] = s
		}
		return s
	}
	for _, metric := range []string{scenario.Revenue, scenario.Costs, scenario.Headcount, scenario.Cash} {
		for _, dept := range m.nodes {
			series(dept, metric)
		}
		series(scenario.Company, metric)
	}
	for _, leaf := range m.leaves {
		ll := byLeaf[leaf]
		// Opex is paid in the month it is incurred, so it does not touch
		// working capital: it is taken off the cash flow here rather than
		// given to ProjectCash, which refuses the negative opex a scenario
		// can leave (a hiring freeze saving more than a line planned).
		cf, err := project.ProjectCash(project.CashInputs{
			Revenue: ll.revenue, COGS: ll.cogs, DSO: m.cash.dso(), DPO: m.cash.dpo(),
			PriorRevenue: m.priorRevenue[leaf], PriorCOGS: m.priorCOGS[leaf],
		}, n)
		if err != nil {
			return scenario.Outputs{}, fmt.Errorf("cash of %s: %w", m.nodes[leaf], err)
		}
		cash := make([]decimal.Decimal, n)
		running := decimal.Zero
		for t := range n {
			running = running.Add(cf.OperatingCashFlow[t]).Sub(ll.opex[t])
			cash[t] = running
		}
		costs := make([]decimal.Decimal, n)
		for t := range n {
			costs[t] = ll.cogs[t].Add(ll.opex[t])
		}
		for _, metric := range []struct {
			name   string
			values []decimal.Decimal
		}{{scenario.Revenue, ll.revenue}, {scenario.Costs, costs}, {scenario.Headcount, ll.people}, {scenario.Cash, cash}} {
			targets := make([]scenario.Series, 0, len(m.up[leaf])+1)
			for _, node := range m.up[leaf] {
				targets = append(targets, series(m.nodes[node], metric.name))
			}
			targets = append(targets, series(scenario.Company, metric.name))
			for _, s := range targets {
				for t := range n {
					s[t] = s[t].Add(metric.values[t])
				}
			}
		}
	}
	if !m.cash.Opening.IsZero() {
		s := series(scenario.Company, scenario.Cash)
		for t := range n {
			s[t] = s[t].Add(m.cash.Opening)
		}
	}
	for _, cp := range m.capacities {
		people := series(cp.Department, scenario.Headcount)
		served := cmp.Or(cp.Serves, scenario.Company)
		revenue := series(served, scenario.Revenue)
		capacity, demand := series(cp.Department, CapacityMetric(cp.Name)), series(cp.Department, DemandMetric(cp.Name))
		for t := range n {
			capacity[t] = people[t].Mul(cp.PerHead)
			demand[t] = revenue[t]
		}
	}
	return out, nil
}

// Constraints are the capacities as the scenario package checks them:
// on every scenario, in the department that provides the capacity.
func (m *Model) Constraints() []scenario.Constraint {
	var cs []scenario.Constraint
	for _, cp := range m.capacities {
		cs = append(cs, scenario.Constraint{Name: cp.Name, Capacity: CapacityMetric(cp.Name), Demand: DemandMetric(cp.Name), Departments: cp.Department})
	}
	return cs
}

// zeros returns a series of n zero amounts.
func zeros(n int) []decimal.Decimal { return make([]decimal.Decimal, n) }

// addInto adds b into a month by month, allocating a when it is nil.
func addInto(a, b []decimal.Decimal) []decimal.Decimal {
	if a == nil {
		a = zeros(len(b))
	}
	for i := range b {
		a[i] = a[i].Add(b[i])
	}
	return a
}
