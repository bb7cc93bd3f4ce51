package engine

import (
	"fmt"
	"math/big"
	"math/bits"
	"slices"

	"github.com/shopspring/decimal"
)

// direction returns which way of a variance is good for an account: its
// Favourable, or the default of its type when unset.
func direction(a Account) Favourable {
	switch {
	case a.Favourable != "":
		return a.Favourable
	case a.Type == Revenue || a.Type == KPI:
		return Higher
	}
	return Lower
}

// yearBit marks a yearly target in the month masks of repeatTarget.
const yearBit = 1 << MonthsPerYear

// repeatTarget adds a target's period to the periods already set for its
// department and account or group (mask: bit p-1 per month, yearBit for
// the year), and returns an error when the target repeats one of them: the
// same period twice, or the year next to months.
func repeatTarget(t Target, mask uint16) (uint16, error) {
	what := func() string {
		if t.Account == "" {
			return fmt.Sprintf("group %q", t.Group)
		}
		return fmt.Sprintf("account %q", t.Account)
	}
	if t.Period == FullYear {
		switch {
		case mask&yearBit != 0:
			return mask, fmt.Errorf("target for %q on %s is set twice for the year", t.Department, what())
		case mask != 0:
			return mask, fmt.Errorf("target for %q on %s is set for the year and for months; give one or the other", t.Department, what())
		}
		return mask | yearBit, nil
	}
	bit := uint16(1) << (t.Period - 1)
	switch {
	case mask&bit != 0:
		return mask, fmt.Errorf("target for %q on %s is set twice for month %d", t.Department, what(), t.Period)
	case mask&yearBit != 0:
		return mask, fmt.Errorf("target for %q on %s is set for the year and for months; give one or the other", t.Department, what())
	}
	return mask | bit, nil
}

// repeatedTargets returns a problem for every target that repeats an
// earlier one. Targets on a department and on its parent may overlap: the
// gap register shows both and the bridge counts each amount once.
func (c *Cycle) repeatedTargets() []error {
	type key struct{ dept, account, group string }
	masks := make(map[key]uint16, len(c.Targets))
	var errs []error
	for _, t := range c.Targets {
		if t.Period < 0 || t.Period > MonthsPerYear || (t.Account == "") == (t.Group == "") {
			continue // reported as malformed
		}
		k := key{t.Department, t.Account, t.Group}
		m, err := repeatTarget(t, masks[k])
		if err != nil {
			errs = append(errs, err)
		}
		masks[k] = m
	}
	return errs
}

// indexTargets gathers the cycle's targets by department and measure.
func (k *Consolidation) indexTargets(bad func(string, ...any)) {
	k.targets = map[targetKey]*targetSet{}
	masks := map[targetKey]uint16{}
	for i, t := range k.cycle.Targets {
		n, ok := k.node[t.Department]
		m, okm := k.measureOf(t.Account, t.Group)
		switch {
		case !ok:
			bad("target #%d is for unknown department %q", i+1, t.Department)
			continue
		case !okm:
			bad("target #%d for %q must name one known account or group (account %q, group %q)", i+1, t.Department, t.Account, t.Group)
			continue
		case t.Period < 0 || t.Period > MonthsPerYear:
			bad("target #%d for %q has period %d; use 1-12 or the full year", i+1, t.Department, t.Period)
			continue
		}
		key := targetKey{n, m}
		mask, err := repeatTarget(t, masks[key])
		if err != nil {
			bad("%v", err)
			continue
		}
		masks[key] = mask
		ts := k.targets[key]
		if ts == nil {
			ts = &targetSet{}
			k.targets[key] = ts
		}
		ts.positions = append(ts.positions, i)
		if t.Period == FullYear {
			ts.year, ts.yearly, ts.mask = t.Amount, true, allMonths
		} else {
			ts.months[t.Period-1] = t.Amount
			ts.mask |= 1 << (t.Period - 1)
		}
	}
}

// Gap is one row of the gap register: a target against the bottom-up plan
// of its department's subtree on the same account or group and period.
type Gap struct {
	Department string
	// Exactly one of Account and Group is set, as in the target.
	Account string
	Group   string
	// Period is the target's month, or FullYear.
	Period Period
	Target decimal.Decimal
	Plan   decimal.Decimal
	// Gap is Target − Plan: what the plan must still move to meet the target.
	Gap decimal.Decimal
	// GapPct is Gap / Target (16 decimal places), nil when the target is
	// zero.
	GapPct *decimal.Decimal
	// Direction is the account's or group's favourable direction; empty
	// for a group whose accounts disagree.
	Direction Favourable
	// Favourable reports whether the plan is on the good side of the
	// target or on it: a revenue plan at or above its target, a cost plan at
	// or below. A group that mixes directions is favourable only on target.
	Favourable bool
	// Missing counts the leaf departments of the subtree that have not
	// submitted: while it is not zero, the plan is incomplete.
	Missing int
}

// Gaps returns the gap register: one row per target of the cycle, in cycle
// order. Each row compares the target with the plan of its department's
// subtree over the target's account or group for its month or the year
// (planning_math 7.1: gap = target − bottom-up). A target on a department
// and one on its parent both get a row; Bridge counts each amount once.
func (k *Consolidation) Gaps() []Gap { return cloneGaps(k.register, nil) }

// GapsOf returns the rows of the gap register for the targets set on one
// department (not those below it), in cycle order.
func (k *Consolidation) GapsOf(dept string) []Gap {
	n, ok := k.node[dept]
	if !ok {
		return nil
	}
	return cloneGaps(k.register, k.registerAt[n])
}

// cloneGaps copies the rows of the register (or those at positions), so
// that callers cannot change the consolidation's own.
func cloneGaps(register []Gap, positions []int) []Gap {
	if positions == nil {
		positions = make([]int, len(register))
		for i := range positions {
			positions[i] = i
		}
	}
	gaps := make([]Gap, len(positions))
	for i, p := range positions {
		gaps[i] = register[p]
		if pct := register[p].GapPct; pct != nil {
			c := *pct
			gaps[i].GapPct = &c
		}
	}
	return gaps
}

// computeGaps builds the gap register once.
func (k *Consolidation) computeGaps() {
	k.register = make([]Gap, 0, len(k.cycle.Targets))
	k.registerAt = map[int][]int{}
	for i, t := range k.cycle.Targets {
		n := k.node[t.Department]
		m, _ := k.measureOf(t.Account, t.Group)
		s, _ := slotOf(t.Period)
		plan := k.tab.get(k.row(n, m), s)
		g := Gap{Department: t.Department, Account: t.Account, Group: t.Group, Period: t.Period,
			Target: t.Amount, Plan: plan, Gap: t.Amount.Sub(plan), Direction: k.directionOf(m), Missing: k.missing[n]}
		if !t.Amount.IsZero() {
			pct := g.Gap.Div(t.Amount)
			g.GapPct = &pct
		}
		switch g.Direction {
		case Higher:
			g.Favourable = g.Gap.Sign() <= 0
		case Lower:
			g.Favourable = g.Gap.Sign() >= 0
		default:
			g.Favourable = g.Gap.IsZero()
		}
		k.register = append(k.register, g)
		k.registerAt[n] = append(k.registerAt[n], i)
	}
}

func (k *Consolidation) directionOf(measure int) Favourable {
	if nA := len(k.cycle.Accounts); measure >= nA {
		return k.groupDir[measure-nA]
	}
	return direction(k.cycle.Accounts[measure])
}

// typesOf returns the bit set of the account types a measure covers.
func (k *Consolidation) typesOf(measure int) uint8 {
	if nA := len(k.cycle.Accounts); measure >= nA {
		return k.groupTypes[measure-nA]
	}
	return 1 << k.accType[measure]
}

// breadth returns the number of accounts a measure covers.
func (k *Consolidation) breadth(measure int) int {
	if nA := len(k.cycle.Accounts); measure >= nA {
		return k.groupSize[measure-nA]
	}
	return 1
}

// accountsMeet reports whether two measures share an account.
func (k *Consolidation) accountsMeet(a, b int) bool {
	nA := len(k.cycle.Accounts)
	switch {
	case a == b:
		return true
	case a < nA && b < nA, a >= nA && b >= nA:
		return false
	case a < nA:
		return k.accGroup[a] == b-nA
	}
	return k.accGroup[b] == a-nA
}

// accountsWithin reports whether every account of measure a is in measure b.
func (k *Consolidation) accountsWithin(a, b int) bool {
	nA := len(k.cycle.Accounts)
	switch {
	case a == b:
		return true
	case a < nA && b >= nA:
		return k.accGroup[a] == b-nA
	case a >= nA && b < nA:
		return k.groupSize[a-nA] == 1 && k.accGroup[b] == a-nA
	}
	return false
}

// BridgeStep is one bar of a gap bridge.
type BridgeStep struct {
	// Department is the department whose targets the step closes; empty
	// for the plan no target covers.
	Department string
	// Label is the department's name, or "Plan no target covers".
	Label  string
	Amount decimal.Decimal
}

// UncoveredLabel labels the bridge step of the plan that no target covers.
const UncoveredLabel = "Plan no target covers"

// Bridge is a gap waterfall: from the bottom-up plan to the top-down target
// in steps that add up exactly to the gap.
type Bridge struct {
	Types []AccountType
	// Plan is the company's full-year plan on the accounts of the types.
	Plan decimal.Decimal
	// Target is the sum of the outermost targets the bridge counts.
	Target decimal.Decimal
	// Gap is Target − Plan, the sum of Steps.
	Gap   decimal.Decimal
	Steps []BridgeStep
	// Unplaced are the targets on these types the bridge leaves out: those
	// that partly overlap a broader target (neither holds the other), and
	// those on a group whose accounts have other types too. The register
	// still shows them.
	Unplaced []Target
}

// bridgeUnit is the targets of one department on one account or group,
// summed over the months they cover.
type bridgeUnit struct {
	node, measure int
	mask          uint16
	positions     []int // of the unit's targets in the cycle
	target, plan  decimal.Decimal
	// parent is the smallest counted unit that contains this one, -1 for
	// none; counted is false for a unit the bridge cannot place.
	parent  int
	counted bool
}

// resolution is the targets on a set of types resolved for a bridge.
type resolution struct {
	// units are in processing order, broadest first.
	units    []bridgeUnit
	unplaced []Target
	// targetAt holds, for each node, the sum of the outermost counted
	// targets set on it or below it; hasAt whether there is any.
	targetAt []decimal.Decimal
	hasAt    []bool
	bridge   Bridge
}

// typeMask returns the bit set of some account types.
func typeMask(types []AccountType) uint8 {
	var want uint8
	for _, t := range types {
		if i := typeIndex(t); i >= 0 {
			want |= 1 << i
		}
	}
	return want
}

// resolve returns the resolution of the targets on the types of a mask,
// computed once and kept.
func (k *Consolidation) resolve(want uint8) *resolution {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.resolved[want]; ok {
		return r
	}
	if k.resolved == nil {
		k.resolved = map[uint8]*resolution{}
	}
	r := &resolution{}
	r.units, r.unplaced = k.bridgeUnits(want)
	r.targetAt, r.hasAt = make([]decimal.Decimal, k.nodes), make([]bool, k.nodes)
	for _, u := range r.units {
		if !u.counted {
			continue
		}
		stop := -1
		if u.parent >= 0 {
			stop = r.units[u.parent].node
		}
		// u is outermost in the subtrees from its node up to below its
		// parent's node.
		for x := u.node; x >= 0 && (stop < 0 || !k.inSubtree(stop, x)); x = k.parent[x] {
			r.targetAt[x] = r.targetAt[x].Add(u.target)
			r.hasAt[x] = true
		}
	}
	r.bridge = k.makeBridge(want, r)
	k.resolved[want] = r
	return r
}

// bridgeUnits resolves the targets on the types of a mask into a laminar
// family of units (every two are nested or disjoint) and returns them in
// processing order, with the targets it could not place.
func (k *Consolidation) bridgeUnits(want uint8) (units []bridgeUnit, unplaced []Target) {
	var left []int
	for key, ts := range k.targets {
		have := k.typesOf(key.measure)
		switch {
		case have&want == 0:
			continue
		case have&^want != 0:
			left = append(left, ts.positions...)
			continue
		}
		u := bridgeUnit{node: key.node, measure: key.measure, mask: ts.mask, positions: ts.positions, parent: -1}
		if ts.yearly {
			u.target = ts.year
		} else {
			u.target = decimal.Zero
			for m := range MonthsPerYear {
				if ts.mask&(1<<m) != 0 {
					u.target = u.target.Add(ts.months[m])
				}
			}
		}
		u.plan = k.maskedPlan(key.node, key.measure, ts.mask)
		units = append(units, u)
	}
	// Broadest first: higher departments, then groups before accounts,
	// then more months; ties in cycle order.
	slices.SortFunc(units, func(a, b bridgeUnit) int {
		switch {
		case k.depth[a.node] != k.depth[b.node]:
			return k.depth[a.node] - k.depth[b.node]
		case k.breadth(a.measure) != k.breadth(b.measure):
			return k.breadth(b.measure) - k.breadth(a.measure)
		case bits.OnesCount16(a.mask) != bits.OnesCount16(b.mask):
			return bits.OnesCount16(b.mask) - bits.OnesCount16(a.mask)
		}
		return a.positions[0] - b.positions[0]
	})
	byNode := map[int][]int{}
	for i := range units {
		u := &units[i]
		ok := true
		for x := u.node; x >= 0 && ok; x = k.parent[x] {
			for _, j := range byNode[x] {
				v := &units[j]
				if u.mask&v.mask == 0 || !k.accountsMeet(u.measure, v.measure) {
					continue
				}
				if u.mask&^v.mask != 0 || !k.accountsWithin(u.measure, v.measure) {
					ok = false
					break
				}
				u.parent = max(u.parent, j)
			}
		}
		if !ok {
			u.parent = -1
			left = append(left, u.positions...)
			continue
		}
		u.counted = true
		byNode[u.node] = append(byNode[u.node], i)
	}
	slices.Sort(left)
	for _, i := range left {
		unplaced = append(unplaced, k.cycle.Targets[i])
	}
	return units, unplaced
}

// maskedPlan returns a node's plan on a measure over the months of a mask.
func (k *Consolidation) maskedPlan(n, measure int, mask uint16) decimal.Decimal {
	if mask == allMonths {
		return k.tab.get(k.row(n, measure), yearSlot)
	}
	sum := decimal.Zero
	for m := range MonthsPerYear {
		if mask&(1<<m) != 0 {
			sum = sum.Add(k.tab.get(k.row(n, measure), m))
		}
	}
	return sum
}

// typesPlan returns a node's full-year plan on the accounts of the types
// of a mask.
func (k *Consolidation) typesPlan(n int, want uint8) decimal.Decimal {
	sum := decimal.Zero
	for i := range numTypes {
		if want&(1<<i) != 0 {
			sum = sum.Add(k.tab.get(k.row(n, k.typeMeasure(i)), yearSlot))
		}
	}
	return sum
}

// Bridge returns the gap waterfall for a set of account types (Revenue; or
// COGS and OpEx): from the company's bottom-up plan to its target, one step
// per department that holds targets on those types, in cycle order, then a
// step for the plan that no target covers (planning_math 7.3: shown, never
// silently plugged). The steps add up exactly to Target − Plan.
//
// Targets may overlap: one on a department and one on its parent, or one on
// an account and one on its group. The bridge counts each amount once. The
// Target is the sum of the outermost targets; a department's step is the gap
// of its own targets less the gaps of the targets nested inside them, so a
// parent's step is the part of its target its children's targets leave
// open. Two targets that partly overlap (neither holds the other) cannot
// both be counted: the broader one (higher department, then group before
// account, then more months) is, the other is listed in Unplaced.
func (k *Consolidation) Bridge(types ...AccountType) Bridge {
	b := k.resolve(typeMask(types)).bridge
	b.Types = slices.Clone(types)
	b.Steps = slices.Clone(b.Steps)
	b.Unplaced = slices.Clone(b.Unplaced)
	return b
}

// makeBridge builds the bridge of a resolution.
func (k *Consolidation) makeBridge(want uint8, r *resolution) Bridge {
	b := Bridge{Plan: k.typesPlan(k.company, want), Target: decimal.Zero, Unplaced: r.unplaced}
	steps := make(map[int]decimal.Decimal)
	covered := decimal.Zero
	for _, u := range r.units {
		if !u.counted {
			continue
		}
		gap := u.target.Sub(u.plan)
		steps[u.node] = steps[u.node].Add(gap)
		if u.parent < 0 {
			b.Target = b.Target.Add(u.target)
			covered = covered.Add(u.plan)
		} else {
			p := r.units[u.parent].node
			steps[p] = steps[p].Sub(gap)
		}
	}
	for i, d := range k.cycle.Departments {
		if amt, ok := steps[i]; ok {
			label := d.Name
			if label == "" {
				label = d.ID
			}
			b.Steps = append(b.Steps, BridgeStep{Department: d.ID, Label: label, Amount: amt})
		}
	}
	if uncovered := b.Plan.Sub(covered); !uncovered.IsZero() {
		b.Steps = append(b.Steps, BridgeStep{Label: UncoveredLabel, Amount: uncovered.Neg()})
	}
	b.Gap = b.Target.Sub(b.Plan)
	return b
}

// Totals returns a department's full-year plan on the accounts of some
// types ("" is the company), the target on them, the gap (target − plan),
// and whether any target is set. The target is the sum of the outermost
// targets on those types set on the department or below it, counted as in
// Bridge; targets set above the department are not apportioned to it.
func (k *Consolidation) Totals(dept string, types ...AccountType) (plan, target, gap decimal.Decimal, has bool) {
	n, ok := k.nodeOf(dept)
	if !ok {
		return decimal.Zero, decimal.Zero, decimal.Zero, false
	}
	want := typeMask(types)
	r := k.resolve(want)
	plan, target = k.typesPlan(n, want), r.targetAt[n]
	return plan, target, target.Sub(plan), r.hasAt[n]
}

// GapShare returns a department's gap on some types (as Totals gives it)
// as a fraction of the company's (16 decimal places), and false when the
// department has no target on them or the company's gap is zero.
func (k *Consolidation) GapShare(dept string, types ...AccountType) (decimal.Decimal, bool) {
	_, _, gap, has := k.Totals(dept, types...)
	company := k.resolve(typeMask(types)).bridge.Gap
	if !has || company.IsZero() {
		return decimal.Zero, false
	}
	return gap.Div(company), true
}

// DimensionGap is the part of the gaps on one account or group that falls
// to one member of a dimension.
type DimensionGap struct {
	// Member is a member id of the dimension, or Unassigned.
	Member string
	// Exactly one of Account and Group is set.
	Account string
	Group   string
	// Plan is the member's plan under the targets counted.
	Plan decimal.Decimal
	// Gap is the member's share of the targets' gaps.
	Gap decimal.Decimal
	// Target is Plan + Gap: the target that falls to the member.
	Target decimal.Decimal
}

// GapsByDimension allocates the gaps of the register to the members of a
// dimension and totals them by member and account or group. Each gap is
// shared in proportion to its department's plan in each member on the
// target's account or group and period (planning_math 7.2, driver-based
// allocation), by largest remainder so that the parts add up exactly to the
// gap (to the cent, or to the gap's last digit when it has more); a gap
// whose department has no plan there (or a plan that nets to zero) goes to
// Unassigned. So that nested targets are not counted twice, a target is
// left out when a target on the same account or group at a department above
// it covers any of its months. Rows come by member in the dimension's order,
// Unassigned last, then by account or group in register order; members with
// neither plan nor gap are left out. An unknown dimension, or a line that
// names an unknown member of it, is an error.
func (k *Consolidation) GapsByDimension(dim string) ([]DimensionGap, error) {
	d, ok := k.cycle.Dimension(dim)
	if !ok {
		return nil, fmt.Errorf("gaps by dimension: unknown dimension %q", dim)
	}
	// The targets to count: no target on the same measure above overlaps.
	masks := map[targetKey]uint16{}
	for key, ts := range k.targets {
		masks[key] = ts.mask
	}
	var counted []int
	pairAt := map[targetKey]int{} // department and measure → pair
	var pairs []targetKey
	pairsAt := make([][]int, k.nodes)
	measureSlot := map[int]int{}
	var measures []int
	for i, t := range k.cycle.Targets {
		n := k.node[t.Department]
		m, _ := k.measureOf(t.Account, t.Group)
		mask := uint16(allMonths)
		if t.Period != FullYear {
			mask = 1 << (t.Period - 1)
		}
		nested := false
		for x := k.parent[n]; x >= 0 && !nested; x = k.parent[x] {
			nested = masks[targetKey{x, m}]&mask != 0
		}
		if nested {
			continue
		}
		counted = append(counted, i)
		if _, ok := pairAt[targetKey{n, m}]; !ok {
			pairAt[targetKey{n, m}] = len(pairs)
			pairsAt[n] = append(pairsAt[n], len(pairs))
			pairs = append(pairs, targetKey{n, m})
		}
		if _, ok := measureSlot[m]; !ok {
			measureSlot[m] = len(measures)
			measures = append(measures, m)
		}
	}
	if len(counted) == 0 {
		return nil, nil
	}
	// The plan by member of each department and measure counted: row
	// pair × members + member.
	nMem := len(d.Members) + 1
	tab := newTable(k.fast, len(pairs)*nMem, func(row int) int32 { return k.scales[pairs[row/nMem].measure] })
	members := k.members[dim]
	var up []int
	for _, leaf := range k.leafOrder {
		s := k.subs[leaf]
		if s == nil {
			continue
		}
		up = up[:0]
		for x := leaf; x >= 0; x = k.parent[x] {
			up = append(up, pairsAt[x]...)
		}
		if len(up) == 0 {
			continue
		}
		for i := range s.Lines {
			l := &s.Lines[i]
			mem, err := memberOf(s, i, dim, members)
			if err != nil {
				return nil, fmt.Errorf("gaps by dimension: %w", err)
			}
			a := k.account[l.Account]
			g := k.groupMeasureOf(a)
			for _, p := range up {
				if m := pairs[p].measure; m == a || m == g {
					tab.addMonths(p*nMem+mem, &l.Months)
				}
			}
		}
	}
	// Allocate each counted gap and total by member and measure.
	nMeas := len(measures)
	plans := make([]decimal.Decimal, nMem*nMeas)
	parts := make([]decimal.Decimal, nMem*nMeas)
	weights := make([]decimal.Decimal, nMem)
	for _, i := range counted {
		t := k.cycle.Targets[i]
		n := k.node[t.Department]
		m, _ := k.measureOf(t.Account, t.Group)
		p, mi := pairAt[targetKey{n, m}], measureSlot[m]
		s, _ := slotOf(t.Period)
		plan := k.tab.get(k.row(n, m), s)
		for mem := range nMem {
			weights[mem] = tab.get(p*nMem+mem, s)
		}
		for mem, part := range allocate(t.Amount.Sub(plan), weights) {
			plans[mem*nMeas+mi] = plans[mem*nMeas+mi].Add(weights[mem])
			parts[mem*nMeas+mi] = parts[mem*nMeas+mi].Add(part)
		}
	}
	var rows []DimensionGap
	for mem := range nMem {
		for mi, m := range measures {
			p, g := plans[mem*nMeas+mi], parts[mem*nMeas+mi]
			if p.IsZero() && g.IsZero() {
				continue
			}
			r := DimensionGap{Member: Unassigned, Plan: p, Gap: g, Target: p.Add(g)}
			if mem < len(d.Members) {
				r.Member = d.Members[mem].ID
			}
			if nA := len(k.cycle.Accounts); m < nA {
				r.Account = k.cycle.Accounts[m].Code
			} else {
				r.Group = k.groups[m-nA]
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// groupMeasureOf returns the measure of an account's group, -1 for none.
func (k *Consolidation) groupMeasureOf(a int) int {
	if g := k.accGroup[a]; g >= 0 {
		return k.groupMeasure(g)
	}
	return -1
}

// decimalPlaces returns the number of digits of d after the decimal point,
// trailing zeros left out: 1.500 has one.
func decimalPlaces(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if exp >= 0 || d.IsZero() {
		return 0
	}
	c, r, ten := d.Coefficient(), new(big.Int), big.NewInt(10)
	for exp < 0 {
		q, _ := new(big.Int).QuoRem(c, ten, r)
		if r.Sign() != 0 {
			break
		}
		c, exp = q, exp+1
	}
	return -exp
}

// allocate splits total into parts proportional to weights, by largest
// remainder, so that the parts add up to total exactly. Parts have the
// digits of total, at least cents. Ties go to the earlier part; a negative
// total is split as its opposite. When the weights add up to zero, the
// whole total goes to the last part (Unassigned, for a dimension).
func allocate(total decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	n := len(weights)
	parts := make([]decimal.Decimal, n)
	if n == 0 || total.IsZero() {
		return parts
	}
	ws := int32(0)
	for _, w := range weights {
		ws = max(ws, -w.Exponent())
	}
	ints := make([]*big.Int, n)
	sum := new(big.Int)
	for i, w := range weights {
		ints[i] = w.Shift(ws).BigInt()
		sum.Add(sum, ints[i])
	}
	if sum.Sign() == 0 {
		parts[n-1] = total
		return parts
	}
	if sum.Sign() < 0 {
		sum.Neg(sum)
		for _, w := range ints {
			w.Neg(w)
		}
	}
	places := max(MinorUnits, decimalPlaces(total))
	units := total.Abs().Shift(places).BigInt()
	// Floor division leaves remainders in [0, sum), so what is left to
	// hand out one unit at a time is fewer than n units.
	q := make([]*big.Int, n)
	r := make([]*big.Int, n)
	left := new(big.Int).Set(units)
	for i, w := range ints {
		q[i], r[i] = new(big.Int), new(big.Int)
		q[i].DivMod(new(big.Int).Mul(units, w), sum, r[i])
		left.Sub(left, q[i])
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return r[b].Cmp(r[a]) })
	for i := range int(left.Int64()) {
		q[order[i]].Add(q[order[i]], big.NewInt(1))
	}
	for i := range parts {
		parts[i] = decimal.NewFromBigInt(q[i], -places)
		if total.IsNegative() {
			parts[i] = parts[i].Neg()
		}
	}
	return parts
}
