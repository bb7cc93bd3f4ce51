package cyclefile

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/curves"
	"aop/engine/model"
	"aop/engine/scenario"
)

// planning decodes the scenario sections of the file into d.spec. It runs
// after departments and accounts, which its entries refer to.
func (d *decoder) planning(o *obj) {
	if n := o.get("cash"); !isNull(n) {
		d.cashTerms(n)
	}
	initiatives := map[string]bool{}
	for i, n := range d.list(o.get("initiatives"), "", "initiatives") {
		if in, ok := d.initiative(i, n, initiatives); ok {
			d.spec.Initiatives = append(d.spec.Initiatives, in)
		}
	}
	playbooks := map[string]scenario.Playbook{}
	var playbookNames []string
	for i, n := range d.list(o.get("playbooks"), "", "playbooks") {
		// A playbook with a bad action is still known by its name, so that
		// triggers naming it are not reported as well.
		if pb, _ := d.playbook(i, n, initiatives); pb.Name != "" {
			if _, dup := playbooks[pb.Name]; dup {
				d.add(n.Line, entry("playbook", i, pb.Name), "the name is used twice; give each playbook its own")
				continue
			}
			playbooks[pb.Name] = pb
			playbookNames = append(playbookNames, pb.Name)
		}
	}
	names := map[string]bool{}
	for i, n := range d.list(o.get("scenarios"), "", "scenarios") {
		if sc, ok := d.scenario(i, n, names); ok {
			d.spec.Scenarios = append(d.spec.Scenarios, sc)
		}
	}
	triggers := map[string]bool{}
	for i, n := range d.list(o.get("triggers"), "", "triggers") {
		if t, ok := d.trigger(i, n, triggers, playbooks, playbookNames, names); ok {
			d.spec.Triggers = append(d.spec.Triggers, t)
		}
	}
	if n := o.get("ranges"); !isNull(n) {
		d.ranges(n)
	}
	if n := o.get("history"); !isNull(n) {
		d.history(n)
	}
	capacities := map[string]bool{}
	for i, n := range d.list(o.get("capacities"), "", "capacities") {
		if cp, ok := d.capacity(i, n, capacities); ok {
			d.spec.Capacities = append(d.spec.Capacities, cp)
		}
	}
}

// capacity decodes {name, department, per_head, serves}: the department's
// people, each carrying per_head of monthly revenue, must cover the
// revenue of serves (the company when left out).
func (d *decoder) capacity(i int, n *yaml.Node, seen map[string]bool) (model.Capacity, bool) {
	ctx := entry("capacity", i, peek(n, "name"))
	o := d.object(n, ctx, "a capacity ({name, department, per_head, serves})")
	if o == nil {
		return model.Capacity{}, false
	}
	d.only(o, ctx, "name", "department", "per_head", "serves")
	name, ok := d.entryName(o, ctx, "capacity", seen)
	cp := model.Capacity{Name: name, Department: d.str(o.get("department"), ctx, "department"), Serves: d.str(o.get("serves"), ctx, "serves")}
	per, good := d.required(o, ctx, "per_head")
	cp.PerHead, ok = per, ok && good
	if good && !per.IsPositive() {
		d.add(o.keyLine["per_head"], ctx, "per_head must be above 0: the monthly revenue one person carries")
		ok = false
	}
	for _, f := range []struct{ field, id string }{{"department", cp.Department}, {"serves", cp.Serves}} {
		if f.id == "" {
			if f.field == "department" {
				d.add(n.Line, ctx, "department is missing; name the department whose people provide the capacity")
				ok = false
			}
			continue
		}
		if _, found := d.cycle.Department(f.id); !found {
			d.add(o.keyLine[f.field], ctx, "unknown department %q%s", clip(f.id), didYouMean(f.id, d.departmentIDs()))
			ok = false
		}
	}
	return cp, ok
}

func (d *decoder) cashTerms(n *yaml.Node) {
	const ctx = "cash"
	o := d.object(n, ctx, "cash")
	if o == nil {
		return
	}
	d.only(o, ctx, "dso", "dpo", "opening")
	for _, f := range []struct {
		field string
		to    **decimal.Decimal
	}{{"dso", &d.spec.Cash.DSO}, {"dpo", &d.spec.Cash.DPO}} {
		if v := o.get(f.field); !isNull(v) {
			if x, ok := d.amount(v, ctx, f.field); ok {
				if x.IsNegative() || x.GreaterThan(decimal.NewFromInt(365)) {
					d.add(v.Line, ctx, "%s must be days from 0 to 365, not %s", f.field, x)
					continue
				}
				*f.to = &x
			}
		}
	}
	if v := o.get("opening"); !isNull(v) {
		if x, ok := d.amount(v, ctx, "opening"); ok {
			d.spec.Cash.Opening = engine.RoundMoney(x)
		}
	}
}

// entryName returns an entry's required name, reporting a missing or repeated
// one; seen collects the names.
func (d *decoder) entryName(o *obj, ctx, kind string, seen map[string]bool) (string, bool) {
	name := d.str(o.get("name"), ctx, "name")
	switch {
	case name == "":
		d.add(o.node.Line, ctx, "name is missing; name the %s, such as downside", kind)
		return "", false
	case seen[name]:
		d.add(o.keyLine["name"], ctx, "%s %q is listed twice; give each its own name", kind, clip(name))
		return "", false
	}
	seen[name] = true
	return name, true
}

// ratio returns a multiplier or share written as a percentage ("92%") or a
// plain number (0.92).
func (d *decoder) ratio(n *yaml.Node, ctx, field string) (decimal.Decimal, bool) {
	if !d.plain(n, ctx) {
		return decimal.Decimal{}, false
	}
	if isNull(n) || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		d.add(n.Line, ctx, `%s must be a number such as 0.92 or a percentage such as "92%%", not %s`, field, describe(n))
		return decimal.Decimal{}, false
	}
	t := strings.TrimSpace(n.Value)
	pct := strings.HasSuffix(t, "%")
	v, why := parseNumber(strings.TrimSuffix(t, "%"))
	if why != "" {
		d.add(n.Line, ctx, "%s %q %s", field, clip(n.Value), why)
		return decimal.Decimal{}, false
	}
	if pct {
		v = v.Shift(-2)
	}
	return v, true
}

// float returns a number field as a float64 (curve parameters, shares).
func (d *decoder) float(n *yaml.Node, ctx, field string) (float64, bool) {
	v, ok := d.ratio(n, ctx, field)
	f, _ := v.Float64()
	return f, ok
}

// month returns an optional fiscal month 1-12 (0 when absent).
func (d *decoder) month(o *obj, ctx, field string) engine.Period {
	n := o.get(field)
	if isNull(n) {
		return 0
	}
	v, _ := d.integer(n, ctx, field+" (a fiscal month)", 1, engine.MonthsPerYear)
	return engine.Period(v)
}

// deptRef returns a department reference: an id of the cycle or a
// pattern with '*'.
func (d *decoder) deptRef(o *obj, ctx string) string {
	dep := d.str(o.get("department"), ctx, "department")
	if dep != "" && !strings.Contains(dep, "*") {
		if _, ok := d.cycle.Department(dep); !ok {
			d.add(o.keyLine["department"], ctx, "unknown department %q%s", clip(dep), didYouMean(dep, d.departmentIDs()))
		}
	}
	return dep
}

func (d *decoder) departmentIDs() []string {
	ids := make([]string, 0, len(d.cycle.Departments))
	for _, dep := range d.cycle.Departments {
		ids = append(ids, dep.ID)
	}
	return ids
}

// selector decodes what an override or a range picks: a department and
// one of driver, account or group (none: every driver).
func (d *decoder) selector(o *obj, ctx string) (scenario.Selector, bool) {
	dep := d.deptRef(o, ctx)
	driver, account, group := d.str(o.get("driver"), ctx, "driver"), d.str(o.get("account"), ctx, "account"), d.str(o.get("group"), ctx, "group")
	given := 0
	for _, s := range []string{driver, account, group} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		d.add(o.node.Line, ctx, "give one of driver, account and group, not %d", given)
		return scenario.Selector{}, false
	}
	switch {
	case account != "" && !strings.Contains(account, "*"):
		if _, ok := d.cycle.Account(account); !ok {
			d.add(o.keyLine["account"], ctx, "unknown account %q%s", clip(account), didYouMean(account, d.idx.accountCodes))
			return scenario.Selector{}, false
		}
	case group != "" && !strings.Contains(group, "*"):
		var groups []string
		for _, a := range d.cycle.Accounts {
			groups = append(groups, a.Group)
		}
		if !contains(groups, group) {
			d.add(o.keyLine["group"], ctx, "unknown account group %q%s", clip(group), didYouMean(group, groups))
			return scenario.Selector{}, false
		}
	}
	switch {
	case group != "":
		return model.GroupSelector(dep, group), true
	case account != "":
		return model.AccountSelector(dep, account), true
	}
	return scenario.Selector{Department: dep, Driver: driver}, true
}

func (d *decoder) scenario(i int, n *yaml.Node, names map[string]bool) (scenario.Scenario, bool) {
	ctx := entry("scenario", i, peek(n, "name"))
	o := d.object(n, ctx, "a scenario")
	if o == nil {
		return scenario.Scenario{}, false
	}
	d.only(o, ctx, "name", "kind", "overrides")
	name, ok := d.entryName(o, ctx, "scenario", names)
	sc := scenario.Scenario{Name: name, Kind: scenario.Kind(d.str(o.get("kind"), ctx, "kind"))}
	kinds := []string{"base", "upside", "downside", "event"}
	switch {
	case sc.Kind == "":
		d.add(o.node.Line, ctx, "kind is missing; use base, upside, downside or event")
		ok = false
	case !contains(kinds, string(sc.Kind)):
		d.add(o.keyLine["kind"], ctx, "kind %q is not base, upside, downside or event%s", clip(string(sc.Kind)), didYouMean(string(sc.Kind), kinds))
		ok = false
	}
	for j, on := range d.list(o.get("overrides"), ctx, "overrides") {
		octx := fmt.Sprintf("%s: override #%d", ctx, j+1)
		oo := d.object(on, octx, "an override")
		if oo == nil {
			ok = false
			continue
		}
		d.only(oo, octx, "op", "department", "driver", "account", "group", "from", "to", "value", "months")
		sel, good := d.selector(oo, octx)
		c := scenario.Change{Op: scenario.Op(d.str(oo.get("op"), octx, "op")), Select: sel}
		ops := []string{"set", "add", "multiply", "shift"}
		switch {
		case c.Op == "":
			d.add(on.Line, octx, "op is missing; use set, add, multiply or shift")
			good = false
		case !contains(ops, string(c.Op)):
			d.add(oo.keyLine["op"], octx, "op %q is not set, add, multiply or shift%s", clip(string(c.Op)), didYouMean(string(c.Op), ops))
			good = false
		case c.Op == scenario.OpShift:
			if v := oo.get("months"); isNull(v) {
				d.add(on.Line, octx, "a shift needs months: how many months later (negative: earlier)")
				good = false
			} else if m, okm := d.integer(v, octx, "months", -engine.MonthsPerYear, engine.MonthsPerYear); okm {
				c.Months = m
			} else {
				good = false
			}
			if !isNull(oo.get("value")) {
				d.add(oo.keyLine["value"], octx, "a shift takes months, not value")
				good = false
			}
		default:
			if v := oo.get("value"); isNull(v) {
				d.add(on.Line, octx, "value is missing; %s needs a number", c.Op)
				good = false
			} else if x, okv := d.ratio(v, octx, "value"); okv {
				c.Value = x
			} else {
				good = false
			}
			if !isNull(oo.get("months")) {
				d.add(oo.keyLine["months"], octx, "%s takes value, not months", c.Op)
				good = false
			}
		}
		from, to := d.month(oo, octx, "from"), d.month(oo, octx, "to")
		if from > 0 && to > 0 && from > to {
			d.add(oo.keyLine["to"], octx, "to (%d) comes before from (%d)", to, from)
			good = false
		}
		if good {
			sc.Overrides = append(sc.Overrides, c.Within(from, to))
		} else {
			ok = false
		}
	}
	return sc, ok
}

func (d *decoder) playbook(i int, n *yaml.Node, initiatives map[string]bool) (scenario.Playbook, bool) {
	ctx := entry("playbook", i, peek(n, "name"))
	o := d.object(n, ctx, "a playbook")
	if o == nil {
		return scenario.Playbook{}, false
	}
	d.only(o, ctx, "name", "actions")
	name, ok := d.entryName(o, ctx, "playbook", map[string]bool{})
	pb := scenario.Playbook{Name: name}
	acts := d.list(o.get("actions"), ctx, "actions")
	if len(acts) == 0 {
		d.add(o.node.Line, ctx, "actions is missing; list what to do, in order, such as {name: freeze hiring, lead: 1, freeze_hiring: true}")
		ok = false
	}
	for j, an := range acts {
		actx := fmt.Sprintf("%s: %s", ctx, entry("action", j, peek(an, "name")))
		ao := d.object(an, actx, "an action")
		if ao == nil {
			ok = false
			continue
		}
		d.only(ao, actx, "name", "lead", "for", "department", "freeze_hiring", "pause", "cut")
		a := scenario.Action{Name: d.str(ao.get("name"), actx, "name")}
		if a.Name == "" {
			d.add(an.Line, actx, "name is missing; say what the action does, such as freeze hiring")
			ok = false
		}
		if v := ao.get("lead"); !isNull(v) {
			a.Lead, _ = d.integer(v, actx, "lead (months)", 0, 36)
		}
		if v := ao.get("for"); !isNull(v) {
			a.Months, _ = d.integer(v, actx, "for (months)", 1, 36)
		}
		dep := d.deptRef(ao, actx)
		if v := ao.get("freeze_hiring"); !isNull(v) {
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				d.add(v.Line, actx, "freeze_hiring must be true or false, not %s", describe(v))
				ok = false
			} else if v.Value == "true" {
				a.Changes = append(a.Changes, scenario.Set(scenario.Selector{Department: dep, Driver: model.HiresDriver}, decimal.Zero))
			}
		}
		for _, p := range d.strList(ao.get("pause"), actx, "pause") {
			if !initiatives[p] && !strings.Contains(p, "*") {
				d.add(ao.keyLine["pause"], actx, "pause names unknown initiative %q%s", clip(p), didYouMean(p, sortedKeys(initiatives)))
				ok = false
				continue
			}
			a.Changes = append(a.Changes, scenario.Pause(model.InitiativeSwitch(p)))
		}
		if v := ao.get("cut"); !isNull(v) {
			changes, good := d.cut(v, actx, dep)
			a.Changes = append(a.Changes, changes...)
			ok = ok && good
		}
		if isNull(ao.get("freeze_hiring")) && isNull(ao.get("pause")) && isNull(ao.get("cut")) {
			d.add(an.Line, actx, "the action changes nothing; give freeze_hiring: true, pause: [initiative] or cut: {groups: [...], by: 10%%}")
			ok = false
		}
		pb.Actions = append(pb.Actions, a)
	}
	return pb, ok
}

// cut decodes {accounts: [...], groups: [...], by: 10%}: a multiply by 1 −
// by of each account and group.
func (d *decoder) cut(n *yaml.Node, ctx, dep string) ([]scenario.Change, bool) {
	ctx += ": cut"
	o := d.object(n, ctx, "cut")
	if o == nil {
		return nil, false
	}
	d.only(o, ctx, "accounts", "groups", "by")
	by, ok := decimal.Decimal{}, true
	if v := o.get("by"); isNull(v) {
		d.add(n.Line, ctx, `by is missing; give the cut as a percentage such as "10%%"`)
		ok = false
	} else if by, ok = d.ratio(v, ctx, "by"); ok && (!by.IsPositive() || by.GreaterThan(decimal.NewFromInt(1))) {
		d.add(v.Line, ctx, "by must be more than 0%% and at most 100%%, not %s", clip(v.Value))
		ok = false
	}
	factor := decimal.NewFromInt(1).Sub(by)
	var changes []scenario.Change
	for _, a := range d.strList(o.get("accounts"), ctx, "accounts") {
		if _, found := d.cycle.Account(a); !found && !strings.Contains(a, "*") {
			d.add(o.keyLine["accounts"], ctx, "unknown account %q%s", clip(a), didYouMean(a, d.idx.accountCodes))
			ok = false
			continue
		}
		changes = append(changes, scenario.Multiply(model.AccountSelector(dep, a), factor))
	}
	var groups []string
	for _, a := range d.cycle.Accounts {
		groups = append(groups, a.Group)
	}
	for _, g := range d.strList(o.get("groups"), ctx, "groups") {
		if !contains(groups, g) {
			d.add(o.keyLine["groups"], ctx, "unknown account group %q%s", clip(g), didYouMean(g, groups))
			ok = false
			continue
		}
		changes = append(changes, scenario.Multiply(model.GroupSelector(dep, g), factor))
	}
	if len(changes) == 0 && ok {
		d.add(n.Line, ctx, "name the accounts or groups to cut")
		ok = false
	}
	return changes, ok
}

func (d *decoder) trigger(i int, n *yaml.Node, seen map[string]bool, playbooks map[string]scenario.Playbook, playbookNames []string, scenarios map[string]bool) (model.Trigger, bool) {
	ctx := entry("trigger", i, peek(n, "name"))
	o := d.object(n, ctx, "a trigger")
	if o == nil {
		return model.Trigger{}, false
	}
	d.only(o, ctx, "name", "metric", "department", "company", "trailing", "average", "of_plan", "compare", "threshold",
		"persistence", "lag", "playbook", "scenarios")
	name, ok := d.entryName(o, ctx, "trigger", seen)
	t := model.Trigger{Trigger: scenario.Trigger{Name: name, Metric: d.str(o.get("metric"), ctx, "metric")}}
	metrics := []string{scenario.Revenue, scenario.Costs, scenario.Headcount, scenario.Cash}
	switch {
	case t.Metric == "":
		d.add(n.Line, ctx, "metric is missing; use revenue, costs, headcount or cash")
		ok = false
	case !contains(metrics, t.Metric):
		d.add(o.keyLine["metric"], ctx, "metric %q is not revenue, costs, headcount or cash%s", clip(t.Metric), didYouMean(t.Metric, metrics))
		ok = false
	}
	company := d.flag(o, ctx, "company")
	if dep := o.get("department"); !isNull(dep) {
		if company {
			d.add(o.keyLine["department"], ctx, "give department or company: true, not both")
			ok = false
		}
		t.Department = d.str(dep, ctx, "department")
		if _, found := d.cycle.Department(t.Department); !found {
			d.add(dep.Line, ctx, "unknown department %q%s", clip(t.Department), didYouMean(t.Department, d.departmentIDs()))
			ok = false
		}
	} else if !company {
		d.add(n.Line, ctx, "say what the trigger watches: department: <id>, or company: true")
		ok = false
	}
	if v := o.get("trailing"); !isNull(v) {
		t.Trailing, _ = d.integer(v, ctx, "trailing (months)", 1, engine.MonthsPerYear)
	}
	t.Average = d.flag(o, ctx, "average")
	t.OfPlan = d.flag(o, ctx, "of_plan")
	t.Compare = scenario.Comparison(d.str(o.get("compare"), ctx, "compare"))
	comparisons := []string{"<", "<=", ">", ">="}
	switch {
	case t.Compare == "":
		d.add(n.Line, ctx, `compare is missing; use "<", "<=", ">" or ">="`)
		ok = false
	case !contains(comparisons, string(t.Compare)):
		d.add(o.keyLine["compare"], ctx, `compare %q is not "<", "<=", ">" or ">="`, clip(string(t.Compare)))
		ok = false
	}
	if v := o.get("threshold"); isNull(v) {
		d.add(n.Line, ctx, `threshold is missing; give a number, or a share of plan such as "92%%" with of_plan: true`)
		ok = false
	} else if x, good := d.ratio(v, ctx, "threshold"); good {
		if strings.HasSuffix(strings.TrimSpace(v.Value), "%") && !t.OfPlan {
			d.add(v.Line, ctx, "a percentage threshold compares with the plan; add of_plan: true")
			ok = false
		}
		t.Threshold = x
	} else {
		ok = false
	}
	if v := o.get("persistence"); !isNull(v) {
		t.Persistence, _ = d.integer(v, ctx, "persistence (months)", 1, engine.MonthsPerYear)
	}
	if v := o.get("lag"); !isNull(v) {
		t.Lag, _ = d.integer(v, ctx, "lag (months)", 0, engine.MonthsPerYear)
	}
	switch pb := d.str(o.get("playbook"), ctx, "playbook"); {
	case pb == "":
		d.add(n.Line, ctx, "playbook is missing; name the playbook under playbooks: that responds")
		ok = false
	default:
		p, found := playbooks[pb]
		if !found {
			d.add(o.keyLine["playbook"], ctx, "unknown playbook %q%s", clip(pb), didYouMean(pb, playbookNames))
			ok = false
		}
		t.Playbook = p
	}
	t.Scenarios = d.strList(o.get("scenarios"), ctx, "scenarios")
	for _, s := range t.Scenarios {
		if !scenarios[s] {
			d.add(o.keyLine["scenarios"], ctx, "unknown scenario %q%s", clip(s), didYouMean(s, sortedKeys(scenarios)))
			ok = false
		}
	}
	return t, ok
}

// flag returns an optional true/false field.
func (d *decoder) flag(o *obj, ctx, field string) bool {
	v := o.get(field)
	if isNull(v) || !d.plain(v, ctx) {
		return false
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
		d.add(v.Line, ctx, "%s must be true or false, not %s", field, describe(v))
		return false
	}
	return v.Value == "true"
}

func (d *decoder) ranges(n *yaml.Node) {
	const ctx = "ranges"
	o := d.object(n, ctx, "ranges")
	if o == nil {
		return
	}
	d.only(o, ctx, "runs", "seed", "drivers")
	d.spec.Runs = 1000
	if v := o.get("runs"); !isNull(v) {
		d.spec.Runs, _ = d.integer(v, ctx, "runs", 1, 1_000_000)
	}
	if v := o.get("seed"); !isNull(v) {
		s, _ := d.integer(v, ctx, "seed", 0, 1<<31-1)
		d.spec.Seed = uint64(s)
	}
	names := map[string]bool{}
	drivers := d.list(o.get("drivers"), ctx, "drivers")
	if len(drivers) == 0 {
		d.add(n.Line, ctx, "drivers is missing; list the uncertain drivers, such as {name: win-rate, department: sales, account: \"4000\", pert: {min: 0.9, mode: 1, max: 1.05}}")
	}
	for i, rn := range drivers {
		rctx := entry("range", i, peek(rn, "name"))
		ro := d.object(rn, rctx, "a range")
		if ro == nil {
			continue
		}
		d.only(ro, rctx, "name", "department", "driver", "account", "group", "op", "from", "to", "pert", "lognormal")
		name, ok := d.entryName(ro, rctx, "range", names)
		sel, good := d.selector(ro, rctx)
		r := scenario.Range{Name: name, Select: sel, Op: scenario.OpMultiply, From: d.month(ro, rctx, "from"), To: d.month(ro, rctx, "to")}
		if op := d.str(ro.get("op"), rctx, "op"); op != "" {
			if !contains([]string{"set", "add", "multiply"}, op) {
				d.add(ro.keyLine["op"], rctx, "op %q is not set, add or multiply", clip(op))
				ok = false
			}
			r.Op = scenario.Op(op)
		}
		pert, logn := ro.get("pert"), ro.get("lognormal")
		switch {
		case pert != nil && logn != nil:
			d.add(ro.keyLine["lognormal"], rctx, "give pert or lognormal, not both")
			ok = false
		case pert != nil:
			p := scenario.PERT{}
			if po := d.object(pert, rctx+": pert", "pert"); po != nil {
				d.only(po, rctx+": pert", "min", "mode", "max")
				var okMin, okMode, okMax bool
				p.Min, okMin = d.required(po, rctx+": pert", "min")
				p.Mode, okMode = d.required(po, rctx+": pert", "mode")
				p.Max, okMax = d.required(po, rctx+": pert", "max")
				if okMin && okMode && okMax && p.Validate() != nil {
					d.add(pert.Line, rctx+": pert", "min, mode and max must be in order (min ≤ mode ≤ max)")
					ok = false
				}
				ok = ok && okMin && okMode && okMax
			} else {
				ok = false
			}
			r.Dist = p
		case logn != nil:
			l := scenario.LogNormal{}
			if lo := d.object(logn, rctx+": lognormal", "lognormal"); lo != nil {
				d.only(lo, rctx+": lognormal", "p5", "p95")
				var ok5, ok95 bool
				l.P5, ok5 = d.required(lo, rctx+": lognormal", "p5")
				l.P95, ok95 = d.required(lo, rctx+": lognormal", "p95")
				if ok5 && ok95 && l.Validate() != nil {
					d.add(logn.Line, rctx+": lognormal", "p5 and p95 must be positive, p5 ≤ p95")
					ok = false
				}
				ok = ok && ok5 && ok95
			} else {
				ok = false
			}
			r.Dist = l
		default:
			d.add(rn.Line, rctx, "give the spread: pert: {min, mode, max} or lognormal: {p5, p95}")
			ok = false
		}
		if ok && good {
			d.spec.Ranges = append(d.spec.Ranges, r)
		}
	}
}

// required returns a required number field (a plain number or a
// percentage).
func (d *decoder) required(o *obj, ctx, field string) (decimal.Decimal, bool) {
	v := o.get(field)
	if isNull(v) {
		d.add(o.node.Line, ctx, "%s is missing", field)
		return decimal.Decimal{}, false
	}
	return d.ratio(v, ctx, field)
}

func (d *decoder) initiative(i int, n *yaml.Node, seen map[string]bool) (model.Initiative, bool) {
	ctx := entry("initiative", i, peek(n, "name"))
	o := d.object(n, ctx, "an initiative")
	if o == nil {
		return model.Initiative{}, false
	}
	d.only(o, ctx, "name", "department", "kind", "launch", "acquisition", "expansion")
	name, ok := d.entryName(o, ctx, "initiative", seen)
	in := model.Initiative{Name: name, Department: d.str(o.get("department"), ctx, "department"), Kind: model.InitiativeKind(d.str(o.get("kind"), ctx, "kind"))}
	_, found := d.cycle.Department(in.Department)
	switch {
	case in.Department == "":
		d.add(n.Line, ctx, "department is missing; name the department whose plan holds the initiative")
		ok = false
	case !found:
		d.add(o.keyLine["department"], ctx, "unknown department %q%s", clip(in.Department), didYouMean(in.Department, d.departmentIDs()))
		ok = false
	case !d.cycle.IsLeaf(in.Department):
		d.add(o.keyLine["department"], ctx, "department %q has departments under it; name the one whose plan holds the initiative", clip(in.Department))
		ok = false
	}
	switch in.Kind {
	case model.Launch:
		if v := o.get("launch"); isNull(v) {
			d.add(n.Line, ctx, "a launch initiative needs launch: {start, price, units: {peak, midpoint, steepness}, ...}")
			ok = false
		} else if l, good := d.launch(v, ctx+": launch"); good {
			in.Launch = &l
		} else {
			ok = false
		}
	case model.Acquisition:
		if v := o.get("acquisition"); isNull(v) {
			d.add(n.Line, ctx, "an acquisition initiative needs acquisition: {close, revenue, cost, ...}")
			ok = false
		} else if a, good := d.acquisition(v, ctx+": acquisition"); good {
			in.Acquisition = &a
		} else {
			ok = false
		}
	case model.Expansion:
		if v := o.get("expansion"); isNull(v) {
			d.add(n.Line, ctx, "an expansion initiative needs expansion: {price, units, fx, ...}")
			ok = false
		} else if e, good := d.expansion(v, ctx+": expansion"); good {
			in.Expansion = &e
		} else {
			ok = false
		}
	case "":
		d.add(n.Line, ctx, "kind is missing; use launch, acquisition or expansion")
		ok = false
	default:
		d.add(o.keyLine["kind"], ctx, "kind %q is not launch, acquisition or expansion", clip(string(in.Kind)))
		ok = false
	}
	return in, ok
}

// spend decodes {total, from, months}.
func (d *decoder) spend(n *yaml.Node, ctx string, fromLo int) (curves.Spend, bool) {
	o := d.object(n, ctx, "a spend ({total, from, months})")
	if o == nil {
		return curves.Spend{}, false
	}
	d.only(o, ctx, "total", "from", "months")
	total, ok := d.required(o, ctx, "total")
	s := curves.Spend{Total: total, From: 1, Months: 1}
	if v := o.get("from"); !isNull(v) {
		var good bool
		s.From, good = d.integer(v, ctx, "from", fromLo, 36)
		ok = ok && good
	}
	if v := o.get("months"); !isNull(v) {
		var good bool
		s.Months, good = d.integer(v, ctx, "months", 1, 60)
		ok = ok && good
	}
	return s, ok
}

func (d *decoder) launch(n *yaml.Node, ctx string) (curves.Launch, bool) {
	o := d.object(n, ctx, "launch")
	if o == nil {
		return curves.Launch{}, false
	}
	d.only(o, ctx, "start", "time_to_fit", "price", "units", "development", "go_to_market", "cannibalization", "old_price")
	price, ok := d.required(o, ctx, "price")
	l := curves.Launch{Price: price}
	ramp, good := d.ramp(n, o, ctx)
	l.Ramp, ok = ramp, ok && good
	if v := o.get("time_to_fit"); !isNull(v) {
		f, good := d.float(v, ctx, "time_to_fit (months)")
		l.Ramp.Delay, ok = f, ok && good && f >= 0
	}
	for _, f := range []struct {
		field string
		to    *curves.Spend
	}{{"development", &l.Development}, {"go_to_market", &l.GoToMarket}} {
		if v := o.get(f.field); !isNull(v) {
			s, good := d.spend(v, ctx+": "+f.field, -24)
			*f.to, ok = s, ok && good
		}
	}
	if v := o.get("cannibalization"); !isNull(v) {
		f, good := d.float(v, ctx, "cannibalization")
		l.Cannibalization, ok = f, ok && good
		old, good := d.required(o, ctx, "old_price")
		l.OldPrice, ok = old, ok && good
	}
	return l, ok
}

func (d *decoder) acquisition(n *yaml.Node, ctx string) (curves.Acquisition, bool) {
	o := d.object(n, ctx, "acquisition")
	if o == nil {
		return curves.Acquisition{}, false
	}
	d.only(o, ctx, "close", "slip", "revenue", "cost", "dis_synergy", "integration", "revenue_synergy", "cost_synergy")
	a, ok := curves.Acquisition{}, true
	if v := o.get("close"); isNull(v) {
		d.add(n.Line, ctx, "close is missing; give the fiscal month the deal closes")
		ok = false
	} else {
		var good bool
		a.Close, good = d.integer(v, ctx, "close", -24, engine.MonthsPerYear)
		ok = ok && good
	}
	if v := o.get("slip"); !isNull(v) {
		a.Slip, _ = d.integer(v, ctx, "slip (months)", 0, 24)
	}
	for _, f := range []struct {
		field string
		to    *decimal.Decimal
	}{{"revenue", &a.TargetRevenue}, {"cost", &a.TargetCost}, {"dis_synergy", &a.DisSynergy}} {
		if v := o.get(f.field); !isNull(v) {
			x, good := d.amount(v, ctx, f.field)
			*f.to, ok = x, ok && good
		}
	}
	if v := o.get("integration"); !isNull(v) {
		s, good := d.spend(v, ctx+": integration", 0)
		a.Integration, ok = s, ok && good
	}
	for _, f := range []struct {
		field string
		to    *curves.Synergy
	}{{"revenue_synergy", &a.RevenueSynergy}, {"cost_synergy", &a.CostSynergy}} {
		v := o.get(f.field)
		if isNull(v) {
			f.to.Phasing, f.to.Probability = []float64{0}, 1
			continue
		}
		sctx := ctx + ": " + f.field
		so := d.object(v, sctx, f.field)
		if so == nil {
			ok = false
			continue
		}
		d.only(so, sctx, "run_rate", "phasing", "probability")
		rr, good := d.required(so, sctx, "run_rate")
		f.to.RunRate, ok = rr, ok && good
		f.to.Probability = 1
		if p := so.get("probability"); !isNull(p) {
			x, good := d.float(p, sctx, "probability")
			if good && (x <= 0 || x > 1) {
				d.add(p.Line, sctx, "probability must be more than 0 and at most 1 (or 100%%)")
				good = false
			}
			f.to.Probability, ok = x, ok && good
		}
		for _, pn := range d.list(so.get("phasing"), sctx, "phasing") {
			x, good := d.float(pn, sctx, "phasing item")
			f.to.Phasing, ok = append(f.to.Phasing, x), ok && good
		}
		if len(f.to.Phasing) == 0 {
			f.to.Phasing = []float64{1}
		}
	}
	return a, ok
}

func (d *decoder) history(n *yaml.Node) {
	const ctx = "history"
	o := d.object(n, ctx, "history")
	if o == nil {
		return
	}
	d.only(o, ctx, "accuracy", "hiring")
	for i, hn := range d.list(o.get("accuracy"), ctx, "accuracy") {
		hctx := fmt.Sprintf("history: accuracy #%d", i+1)
		if dep := peek(hn, "department"); dep != "" {
			hctx = fmt.Sprintf("history: accuracy #%d (%s)", i+1, clip(dep))
		}
		ho := d.object(hn, hctx, "an accuracy record")
		if ho == nil {
			continue
		}
		d.only(ho, hctx, "department", "line", "forecast", "actual")
		h := accuracy.History{Department: d.str(ho.get("department"), hctx, "department")}
		ok := true
		if _, found := d.cycle.Department(h.Department); !found {
			d.add(hn.Line, hctx, "unknown or missing department %q%s", clip(h.Department), didYouMean(h.Department, d.departmentIDs()))
			ok = false
		}
		switch line := d.str(ho.get("line"), hctx, "line"); line {
		case "revenue":
			h.Line = accuracy.Revenue
		case "cost", "costs":
			h.Line = accuracy.Cost
		default:
			d.add(hn.Line, hctx, "line must be revenue or cost, not %q", clip(line))
			ok = false
		}
		for _, f := range []struct {
			field string
			to    *[]decimal.Decimal
		}{{"forecast", &h.Forecast}, {"actual", &h.Actual}} {
			for j, v := range d.list(ho.get(f.field), hctx, f.field) {
				x, good := d.amount(v, hctx, fmt.Sprintf("%s #%d", f.field, j+1))
				*f.to, ok = append(*f.to, x), ok && good
			}
		}
		switch {
		case len(h.Forecast) == 0:
			d.add(hn.Line, hctx, "forecast is missing; list the amounts forecast for each past period, oldest first")
			ok = false
		case len(h.Forecast) != len(h.Actual):
			d.add(ho.keyLine["actual"], hctx, "actual holds %d periods and forecast %d; give one actual per forecast", len(h.Actual), len(h.Forecast))
			ok = false
		}
		if ok {
			d.spec.Accuracy = append(d.spec.Accuracy, h)
		}
	}
	for i, hn := range d.list(o.get("hiring"), ctx, "hiring") {
		hctx := fmt.Sprintf("history: hiring #%d", i+1)
		if dep := peek(hn, "department"); dep != "" {
			hctx = fmt.Sprintf("history: hiring #%d (%s)", i+1, clip(dep))
		}
		ho := d.object(hn, hctx, "a hiring record")
		if ho == nil {
			continue
		}
		d.only(ho, hctx, "department", "requested", "filled", "days_to_fill", "window_months")
		r := model.HiringRecord{Department: d.str(ho.get("department"), hctx, "department")}
		ok := true
		if _, found := d.cycle.Department(r.Department); !found {
			d.add(hn.Line, hctx, "unknown or missing department %q%s", clip(r.Department), didYouMean(r.Department, d.departmentIDs()))
			ok = false
		}
		for _, f := range []struct {
			field string
			to    *int
		}{{"requested", &r.Requested}, {"filled", &r.Filled}} {
			if v := ho.get(f.field); isNull(v) {
				d.add(hn.Line, hctx, "%s is missing", f.field)
				ok = false
			} else {
				x, good := d.integer(v, hctx, f.field, 0, 1_000_000)
				*f.to, ok = x, ok && good
			}
		}
		if r.Filled > r.Requested {
			d.add(ho.keyLine["filled"], hctx, "filled (%d) is more than requested (%d)", r.Filled, r.Requested)
			ok = false
		}
		for _, v := range d.list(ho.get("days_to_fill"), hctx, "days_to_fill") {
			x, good := d.float(v, hctx, "days_to_fill item")
			if good && x < 0 {
				d.add(v.Line, hctx, "days_to_fill must be 0 or more")
				good = false
			}
			r.DaysToFill, ok = append(r.DaysToFill, x), ok && good
		}
		if v := ho.get("window_months"); !isNull(v) {
			x, good := d.integer(v, hctx, "window_months", 1, 120)
			r.WindowMonths, ok = x, ok && good
		}
		if ok {
			d.spec.Hiring = append(d.spec.Hiring, r)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ramp decodes the start (a fiscal month, 1 when left out) and the units
// curve of a launch or an expansion.
func (d *decoder) ramp(n *yaml.Node, o *obj, ctx string) (curves.Ramp, bool) {
	r := curves.Ramp{Start: 1}
	ok := true
	if v := o.get("start"); !isNull(v) {
		r.Start, ok = d.integer(v, ctx, "start (a fiscal month)", -24, engine.MonthsPerYear)
	}
	u := o.get("units")
	if isNull(u) {
		d.add(n.Line, ctx, "units is missing; give the monthly units' S-curve as {peak, midpoint, steepness}, {bass: {p, q, market}} or {gompertz: {a, b, c}}")
		return r, false
	}
	c, flow, good := d.curve(u, ctx+": units")
	r.Curve, r.Flow = c, flow
	return r, ok && good
}

// curve decodes a launch's units: a logistic run-rate ramp {peak,
// midpoint, steepness}, a Bass diffusion {bass: {p, q, market}} (annual
// coefficients; the month's units are its new adopters), or a Gompertz
// run-rate ramp {gompertz: {a, b, c}} (c per month). flow says the curve
// is cumulative and each month takes its increment.
func (d *decoder) curve(n *yaml.Node, ctx string) (curves.Curve, bool, bool) {
	o := d.object(n, ctx, "units")
	if o == nil {
		return nil, false, false
	}
	floats := func(o *obj, ctx string, fields ...string) ([]float64, bool) {
		out := make([]float64, len(fields))
		ok := true
		for i, f := range fields {
			v, good := d.required(o, ctx, f)
			out[i], _ = v.Float64()
			ok = ok && good
		}
		return out, ok
	}
	var c curves.Curve
	flow := false
	var ok bool
	switch {
	case !isNull(o.get("bass")):
		d.only(o, ctx, "bass")
		bo := d.object(o.get("bass"), ctx+": bass", "a Bass curve ({p, q, market})")
		if bo == nil {
			return nil, false, false
		}
		d.only(bo, ctx+": bass", "p", "q", "market")
		var f []float64
		f, ok = floats(bo, ctx+": bass", "p", "q", "market")
		c, flow = curves.Bass{P: f[0], Q: f[1], M: f[2]}.PerMonth(), true
	case !isNull(o.get("gompertz")):
		d.only(o, ctx, "gompertz")
		g := d.object(o.get("gompertz"), ctx+": gompertz", "a Gompertz curve ({a, b, c})")
		if g == nil {
			return nil, false, false
		}
		d.only(g, ctx+": gompertz", "a", "b", "c")
		var f []float64
		f, ok = floats(g, ctx+": gompertz", "a", "b", "c")
		c = curves.Gompertz{A: f[0], B: f[1], C: f[2]}
	default:
		d.only(o, ctx, "peak", "midpoint", "steepness")
		var f []float64
		f, ok = floats(o, ctx, "peak", "midpoint", "steepness")
		c = curves.Logistic{Max: f[0], Midpoint: f[1], K: f[2]}
	}
	if ok {
		if err := c.Validate(); err != nil {
			d.add(n.Line, ctx, "%v", err)
			ok = false
		}
	}
	return c, flow, ok
}

// expansion decodes entry into a new country: {start, price, unit_cost,
// units, entry: spend, hires: [{start, count, monthly_cost}], fx} with
// amounts in local currency and fx the reporting currency per unit of it,
// one rate or one per month (the last rate holds for later months).
func (d *decoder) expansion(n *yaml.Node, ctx string) (curves.Expansion, bool) {
	o := d.object(n, ctx, "expansion")
	if o == nil {
		return curves.Expansion{}, false
	}
	d.only(o, ctx, "start", "price", "unit_cost", "units", "entry", "hires", "fx", "currency")
	price, ok := d.required(o, ctx, "price")
	e := curves.Expansion{Price: price}
	ramp, good := d.ramp(n, o, ctx)
	e.Ramp, ok = ramp, ok && good
	if v := o.get("unit_cost"); !isNull(v) {
		uc, good := d.required(o, ctx, "unit_cost")
		e.UnitCost, ok = uc, ok && good
	}
	if v := o.get("entry"); !isNull(v) {
		s, good := d.spend(v, ctx+": entry", -24)
		e.Entry, ok = s, ok && good
	}
	for i, h := range d.list(o.get("hires"), ctx, "hires") {
		hctx := fmt.Sprintf("%s: hire %d", ctx, i+1)
		ho := d.object(h, hctx, "a hire ({start, count, monthly_cost})")
		if ho == nil {
			ok = false
			continue
		}
		d.only(ho, hctx, "start", "count", "monthly_cost")
		hire := curves.Hire{Start: 1}
		if v := ho.get("start"); !isNull(v) {
			var good bool
			hire.Start, good = d.integer(v, hctx, "start", 1, 36)
			ok = ok && good
		}
		var good bool
		hire.Count, good = d.integer(ho.get("count"), hctx, "count", 0, 100000)
		ok = ok && good
		hire.MonthlyCost, good = d.required(ho, hctx, "monthly_cost")
		ok = ok && good
		e.Hires = append(e.Hires, hire)
	}
	fx := o.get("fx")
	switch {
	case isNull(fx):
		d.add(n.Line, ctx, "fx is missing; give the reporting currency per unit of local currency, one rate or one a month")
		ok = false
	case fx.Kind == yaml.SequenceNode:
		for i, r := range fx.Content {
			v, good := d.ratio(r, ctx, fmt.Sprintf("fx %d", i+1))
			e.FX, ok = append(e.FX, v), ok && good
		}
	default:
		v, good := d.ratio(fx, ctx, "fx")
		e.FX, ok = []decimal.Decimal{v}, ok && good
	}
	for i, r := range e.FX {
		if !r.IsPositive() {
			d.add(fx.Line, ctx, "fx rate %d must be above 0, not %s", i+1, r)
			ok = false
		}
	}
	return e, ok
}
