package engine

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/shopspring/decimal"
)

// Unassigned is the dimension member under which a pivot shows the lines
// that name no member of the dimension.
const Unassigned = "unassigned"

// numTypes is the number of account types.
const numTypes = 5

// typeIndex numbers the account types in P&L order, or -1 for an unknown one.
func typeIndex(t AccountType) int {
	switch t {
	case Revenue:
		return 0
	case COGS:
		return 1
	case OpEx:
		return 2
	case Headcount:
		return 3
	case KPI:
		return 4
	}
	return -1
}

// Consolidation is the bottom-up plan of a cycle: the harvested submissions
// totalled by department, for every node of the hierarchy and the company,
// by account, account group and account type, by month and for the year.
// Consolidate builds it once; afterwards it is only read, so its methods
// are safe for concurrent use.
//
// Departments are nodes 0..n-1 in cycle order and node n is the company
// (the parent of every root). Measures are the accounts in chart order,
// then the account groups, then the five account types; every node has a
// row of thirteen amounts (months and year) per measure.
type Consolidation struct {
	cycle *Cycle
	fast  bool

	nodes    int // departments + the company
	company  int
	node     map[string]int
	parent   []int
	depth    []int
	children [][]int
	// Depth-first numbering: node x is in the subtree of n when
	// enter[n] <= enter[x] < exit[n]; the leaves of n are
	// leafOrder[firstLeaf[n]:endLeaf[n]].
	enter, exit        []int
	leafOrder          []int
	firstLeaf, endLeaf []int
	isLeaf             []bool
	subs               []*Submission
	missing            []int

	account    map[string]int
	group      map[string]int
	groups     []string
	accGroup   []int // -1 when the account has no group
	accType    []int
	groupTypes []uint8      // bit set of the types a group's accounts have
	groupDir   []Favourable // "" when the group mixes directions
	groupSize  []int
	measures   int
	scales     []int32

	targets map[targetKey]*targetSet
	members map[string]map[string]int // dimension → member → position

	tab table

	// register is the gap register; registerAt the positions of each
	// department's rows in it.
	register   []Gap
	registerAt map[int][]int
	// resolved keeps the bridge resolution of each set of types asked for.
	mu       sync.Mutex
	resolved map[uint8]*resolution
}

// targetKey names the targets of one department on one measure.
type targetKey struct{ node, measure int }

// targetSet is the targets of one department on one account or group: a
// yearly one, or monthly ones.
type targetSet struct {
	year   decimal.Decimal
	months [MonthsPerYear]decimal.Decimal
	// mask has bit m-1 set for every month with a target; a yearly target
	// sets all twelve and yearly is true.
	mask   uint16
	yearly bool
	// positions are where the set's targets are in the cycle.
	positions []int
}

const allMonths = 1<<MonthsPerYear - 1

// Consolidate totals the submissions of a cycle. Submissions of departments
// that are not leaves, of unknown departments or accounts, for another
// cycle, or two for one department are errors, as are a department
// hierarchy with a loop and targets that name unknown things or repeat one
// another (see Cycle.Validate); every problem is reported, joined. Money is
// expected in whole cents, as the harvest leaves it, but every amount is
// totalled exactly. The consolidation keeps the cycle and the submissions:
// do not change them afterwards.
func Consolidate(c *Cycle, subs []*Submission) (*Consolidation, error) {
	return consolidate(c, subs, true)
}

// consolidate builds a consolidation on the fixed-point store (fast) or on
// the decimal reference store.
func consolidate(c *Cycle, subs []*Submission, fast bool) (*Consolidation, error) {
	k := &Consolidation{cycle: c, fast: fast}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("consolidate: "+format, args...)) }
	k.indexDepartments(bad)
	k.indexAccounts(bad)
	k.indexDimensions()
	k.indexTargets(bad)
	k.subs = make([]*Submission, k.nodes)
	for i, s := range subs {
		switch n, ok := k.node[subDept(s)]; {
		case s == nil:
			bad("submission #%d is nil", i+1)
		case !ok:
			bad("submission #%d is for unknown department %q", i+1, s.Department)
		case !k.isLeaf[n]:
			bad("department %q has departments under it; only leaf departments submit plans", s.Department)
		case k.subs[n] != nil:
			bad("department %q submitted twice", s.Department)
		case s.Cycle != "" && s.Cycle != c.ID:
			bad("department %q submitted a plan for cycle %q, not %q", s.Department, s.Cycle, c.ID)
		default:
			k.subs[n] = s
			checkHires(s, bad)
		}
	}
	errs = append(errs, k.total()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	k.computeGaps()
	return k, nil
}

func subDept(s *Submission) string {
	if s == nil {
		return ""
	}
	return s.Department
}

// indexDepartments numbers the departments and the company and lays out
// the hierarchy.
func (k *Consolidation) indexDepartments(bad func(string, ...any)) {
	c := k.cycle
	n := len(c.Departments)
	k.nodes, k.company = n+1, n
	k.node = make(map[string]int, n)
	for i, d := range c.Departments {
		if _, dup := k.node[d.ID]; dup {
			bad("department %q is listed twice", d.ID)
			continue
		}
		k.node[d.ID] = i
	}
	k.parent = make([]int, k.nodes)
	k.children = make([][]int, k.nodes)
	k.parent[k.company] = -1
	for i, d := range c.Departments {
		p, ok := k.node[d.Parent]
		switch {
		case d.Parent == "":
			p = k.company
		case !ok:
			bad("department %q has unknown parent %q", d.ID, d.Parent)
			p = k.company
		}
		k.parent[i] = p
	}
	// Cut every loop at the department that finds itself among its
	// ancestors, so that the numbering below terminates.
	for i := range n {
		x := k.parent[i]
		for steps := 0; x != k.company && x != i && steps <= n; steps++ {
			x = k.parent[x]
		}
		if x == i {
			bad("department %q is its own ancestor (the parents form a loop)", c.Departments[i].ID)
			k.parent[i] = k.company
		}
	}
	for i := range n {
		k.children[k.parent[i]] = append(k.children[k.parent[i]], i)
	}
	k.depth = make([]int, k.nodes)
	k.isLeaf = make([]bool, k.nodes)
	k.enter, k.exit = make([]int, k.nodes), make([]int, k.nodes)
	k.firstLeaf, k.endLeaf = make([]int, k.nodes), make([]int, k.nodes)
	clock := 0
	var walk func(x, depth int)
	walk = func(x, depth int) {
		k.depth[x], k.enter[x], k.firstLeaf[x] = depth, clock, len(k.leafOrder)
		clock++
		if x != k.company && len(k.children[x]) == 0 {
			k.isLeaf[x] = true
			k.leafOrder = append(k.leafOrder, x)
		}
		for _, ch := range k.children[x] {
			walk(ch, depth+1)
		}
		k.exit[x], k.endLeaf[x] = clock, len(k.leafOrder)
	}
	walk(k.company, 0)
}

// inSubtree reports whether node x is n or lies under it.
func (k *Consolidation) inSubtree(x, n int) bool {
	return k.enter[n] <= k.enter[x] && k.enter[x] < k.exit[n]
}

// indexAccounts numbers the accounts, groups and types as measures.
func (k *Consolidation) indexAccounts(bad func(string, ...any)) {
	c := k.cycle
	k.account = make(map[string]int, len(c.Accounts))
	k.group = map[string]int{}
	k.accGroup = make([]int, len(c.Accounts))
	k.accType = make([]int, len(c.Accounts))
	for i, a := range c.Accounts {
		if _, dup := k.account[a.Code]; dup {
			bad("account %q is listed twice", a.Code)
		}
		k.account[a.Code] = i
		k.accType[i] = typeIndex(a.Type)
		if k.accType[i] < 0 {
			bad("account %q has type %q; use revenue, cogs, opex, headcount or kpi", a.Code, a.Type)
			k.accType[i] = typeIndex(OpEx)
		}
		k.accGroup[i] = -1
		if a.Group == "" {
			continue
		}
		g, ok := k.group[a.Group]
		if !ok {
			g = len(k.groups)
			k.group[a.Group] = g
			k.groups = append(k.groups, a.Group)
			k.groupTypes = append(k.groupTypes, 0)
			k.groupDir = append(k.groupDir, direction(a))
			k.groupSize = append(k.groupSize, 0)
		}
		k.groupSize[g]++
		k.accGroup[i] = g
		k.groupTypes[g] |= 1 << k.accType[i]
		if k.groupDir[g] != direction(a) {
			k.groupDir[g] = "" // the group mixes directions
		}
	}
	nA, nG := len(c.Accounts), len(k.groups)
	k.measures = nA + nG + numTypes
	k.scales = make([]int32, k.measures)
	for i, a := range c.Accounts {
		k.scales[i] = scaleOf(a.Type)
		if g := k.accGroup[i]; g >= 0 {
			k.scales[nA+g] = max(k.scales[nA+g], k.scales[i])
		}
	}
	for t := range numTypes {
		k.scales[nA+nG+t] = scaleOf(typeAt(t))
	}
}

func typeAt(i int) AccountType {
	return [numTypes]AccountType{Revenue, COGS, OpEx, Headcount, KPI}[i]
}

func scaleOf(t AccountType) int32 {
	if t.IsMoney() {
		return moneyScale
	}
	return countScale
}

func (k *Consolidation) groupMeasure(g int) int    { return len(k.cycle.Accounts) + g }
func (k *Consolidation) typeMeasure(t int) int     { return len(k.cycle.Accounts) + len(k.groups) + t }
func (k *Consolidation) row(node, measure int) int { return node*k.measures + measure }

// measureOf returns the measure of an account or a group (exactly one set).
func (k *Consolidation) measureOf(account, group string) (int, bool) {
	switch {
	case account != "" && group == "":
		a, ok := k.account[account]
		return a, ok
	case group != "" && account == "":
		g, ok := k.group[group]
		return k.groupMeasure(g), ok
	}
	return 0, false
}

func (k *Consolidation) indexDimensions() {
	k.members = map[string]map[string]int{}
	for _, d := range k.cycle.Dimensions {
		ms := make(map[string]int, len(d.Members))
		for i, m := range d.Members {
			ms[m.ID] = i
		}
		k.members[d.ID] = ms
	}
}

// checkHires reports the hires of a submission that the consolidation
// cannot place. (Lines are checked as they are added; dimension members
// where the plan is cut by a dimension: Pivot, GapsByDimension.)
func checkHires(s *Submission, bad func(string, ...any)) {
	for i, h := range s.Hires {
		if h.Start < 1 || h.Start > MonthsPerYear {
			bad("department %q, hire %d: start period %d is not a month 1-12", s.Department, i+1, h.Start)
		}
		if h.Count < 0 {
			bad("department %q, hire %d: count %d is negative", s.Department, i+1, h.Count)
		}
	}
}

// memberOf returns the position of a line's member of a dimension (members
// is the dimension's index), the Unassigned position when it names none, and
// an error when it names an unknown one.
func memberOf(s *Submission, line int, dim string, members map[string]int) (int, error) {
	id := s.Lines[line].Dims[dim]
	if id == "" {
		return len(members), nil
	}
	if m, ok := members[id]; ok {
		return m, nil
	}
	return 0, fmt.Errorf("department %q, line %d: %q is not a member of dimension %q", s.Department, line+1, id, dim)
}

// linesPerWorker is the fewest plan lines worth a goroutine of their own.
const linesPerWorker = 10000

// total adds the submissions into the leaves' rows, derives the groups and
// types, and rolls the rows up the hierarchy. Leaves are independent, so
// they are added on every processor; the roll-up follows. It returns the
// lines it cannot place, in leaf order.
func (k *Consolidation) total() []error {
	k.tab = newTable(k.fast, k.nodes*k.measures, func(row int) int32 { return k.scales[row%k.measures] })
	k.missing = make([]int, k.nodes)
	var leaves []int
	lines := 0
	for _, n := range k.leafOrder {
		if s := k.subs[n]; s != nil {
			leaves = append(leaves, n)
			lines += len(s.Lines)
			continue
		}
		for x := n; x >= 0; x = k.parent[x] {
			k.missing[x]++
		}
	}
	errs := make([][]error, len(leaves))
	workers := max(1, min(runtime.GOMAXPROCS(0), lines/linesPerWorker))
	var wg sync.WaitGroup
	next, share := 0, lines/workers+1
	for w := range workers {
		lo, size := next, 0
		for next < len(leaves) && (size < share || w == workers-1) {
			size += len(k.subs[leaves[next]].Lines)
			next++
		}
		hi := next
		wg.Go(func() {
			seen := make([]int, len(k.cycle.Accounts))
			for i := lo; i < hi; i++ {
				errs[i] = k.addLeaf(leaves[i], seen)
			}
		})
	}
	wg.Wait()
	if err := slices.Concat(errs...); len(err) > 0 {
		return err
	}
	has := make([]bool, k.nodes)
	for _, n := range leaves {
		has[n] = true
	}
	// Children before parents: deepest first.
	order := make([]int, 0, k.nodes)
	for i := range k.nodes {
		if i != k.company {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return k.depth[b] - k.depth[a] })
	for _, n := range order {
		if has[n] {
			p := k.parent[n]
			k.tab.addBlock(k.row(p, 0), k.row(n, 0), k.measures)
			has[p] = true
		}
	}
	return nil
}

// addLeaf adds a leaf's submission into its rows and derives its groups and
// types. seen is scratch space, one int per account.
func (k *Consolidation) addLeaf(n int, seen []int) []error {
	s := k.subs[n]
	var errs []error
	var used []int
	for i := range s.Lines {
		l := &s.Lines[i]
		a, ok := k.account[l.Account]
		if !ok {
			errs = append(errs, fmt.Errorf("consolidate: department %q, line %d: unknown account %q", s.Department, i+1, l.Account))
			continue
		}
		k.tab.addMonths(k.row(n, a), &l.Months)
		if seen[a] != n+1 {
			seen[a] = n + 1
			used = append(used, a)
		}
	}
	for _, a := range used {
		if g := k.accGroup[a]; g >= 0 {
			k.tab.addRow(k.row(n, k.groupMeasure(g)), k.row(n, a))
		}
		k.tab.addRow(k.row(n, k.typeMeasure(k.accType[a])), k.row(n, a))
	}
	return errs
}

// nodeOf returns the node of a department id, "" being the company.
func (k *Consolidation) nodeOf(dept string) (int, bool) {
	if dept == "" {
		return k.company, true
	}
	n, ok := k.node[dept]
	return n, ok
}

// slotOf returns the cell of a period: month p-1, or the year.
func slotOf(p Period) (int, bool) {
	if p == FullYear {
		return yearSlot, true
	}
	if p >= 1 && p <= MonthsPerYear {
		return int(p) - 1, true
	}
	return 0, false
}

// amount returns a node's plan on a measure for a period, zero when the
// department or period is unknown.
func (k *Consolidation) amount(dept string, measure int, ok bool, p Period) decimal.Decimal {
	n, found := k.nodeOf(dept)
	s, valid := slotOf(p)
	if !ok || !found || !valid {
		return decimal.Zero
	}
	return k.tab.get(k.row(n, measure), s)
}

// Submitted returns the ids of the departments that submitted, in cycle
// order.
func (k *Consolidation) Submitted() []string {
	var ids []string
	for i, d := range k.cycle.Departments {
		if k.subs[i] != nil {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// Missing returns the ids of the leaf departments that did not submit, in
// cycle order: the consolidated plan leaves them out.
func (k *Consolidation) Missing() []string {
	var ids []string
	for i, d := range k.cycle.Departments {
		if k.isLeaf[i] && k.subs[i] == nil {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// Plan returns the plan of a department and its subtree ("" is the
// company) on an account, for fiscal month p or, with FullYear, the year.
// Unknown departments, accounts and periods have no plan: zero.
func (k *Consolidation) Plan(dept, account string, p Period) decimal.Decimal {
	a, ok := k.account[account]
	return k.amount(dept, a, ok, p)
}

// PlanGroup returns the plan of a department's subtree on the accounts of
// a group, like Plan.
func (k *Consolidation) PlanGroup(dept, group string, p Period) decimal.Decimal {
	m, ok := k.measureOf("", group)
	return k.amount(dept, m, ok, p)
}

// PlanType returns the plan of a department's subtree on every account of
// a type, like Plan.
func (k *Consolidation) PlanType(dept string, t AccountType, p Period) decimal.Decimal {
	i := typeIndex(t)
	return k.amount(dept, k.typeMeasure(max(i, 0)), i >= 0, p)
}

// TargetOf returns the target finance set for a department on an account
// or a group (exactly one given) for fiscal month p or the year, and
// whether one is set. Targets are not spread or summed up the hierarchy:
// twelve monthly targets add up to a yearly one, but a yearly target has no
// monthly value (finance gave no phasing), and monthly targets for only
// some months make no yearly one.
func (k *Consolidation) TargetOf(dept, account, group string, p Period) (decimal.Decimal, bool) {
	n, ok := k.nodeOf(dept)
	m, okm := k.measureOf(account, group)
	if !ok || !okm {
		return decimal.Zero, false
	}
	ts := k.targets[targetKey{n, m}]
	switch {
	case ts == nil:
		return decimal.Zero, false
	case p == FullYear && ts.yearly:
		return ts.year, true
	case p == FullYear && ts.mask == allMonths:
		return Sum(ts.months[:]...), true
	case p >= 1 && p <= MonthsPerYear && !ts.yearly && ts.mask&(1<<(p-1)) != 0:
		return ts.months[p-1], true
	}
	return decimal.Zero, false
}

// PnLKind says what a P&L row holds.
type PnLKind string

// The kinds of P&L rows.
const (
	// PnLAccount is one account's plan.
	PnLAccount PnLKind = "account"
	// PnLSubtotal is the total of one account type.
	PnLSubtotal PnLKind = "subtotal"
	// PnLResult is gross margin (revenue − cost of goods sold) or the
	// operating result (gross margin − operating expenses).
	PnLResult PnLKind = "result"
)

// PnLRow is one row of a consolidated P&L.
type PnLRow struct {
	Label string
	Kind  PnLKind
	// Type is the account type of an account or subtotal row; empty for
	// results.
	Type AccountType
	// Account is the account of an account row, nil otherwise.
	Account *Account
	Months  [MonthsPerYear]decimal.Decimal
	Total   decimal.Decimal
}

// PnL returns the consolidated P&L of a department's subtree ("" is the
// company) by month: the revenue accounts with a plan, in chart order, and
// their subtotal "Revenue"; the same for cost of goods sold; "Gross margin";
// the operating expenses and their subtotal; and "Operating result". Costs
// are planned as positive amounts and subtracted. The five subtotal and
// result rows are always there; headcount and KPI accounts are not money
// and are left out. An unknown department has no P&L: nil.
func (k *Consolidation) PnL(dept string) []PnLRow {
	n, ok := k.nodeOf(dept)
	if !ok {
		return nil
	}
	rowOf := func(measure int) (r PnLRow) {
		for s := range MonthsPerYear {
			r.Months[s] = k.tab.get(k.row(n, measure), s)
		}
		r.Total = k.tab.get(k.row(n, measure), yearSlot)
		return r
	}
	var rows []PnLRow
	section := func(t AccountType, label string) PnLRow {
		for i, a := range k.cycle.Accounts {
			if a.Type != t || k.zeroRow(n, i) {
				continue
			}
			r := rowOf(i)
			acc := a
			r.Label, r.Kind, r.Type, r.Account = a.Label(), PnLAccount, t, &acc
			rows = append(rows, r)
		}
		r := rowOf(k.typeMeasure(typeIndex(t)))
		r.Label, r.Kind, r.Type = label, PnLSubtotal, t
		rows = append(rows, r)
		return r
	}
	result := func(label string, a, b PnLRow) PnLRow {
		r := PnLRow{Label: label, Kind: PnLResult, Total: a.Total.Sub(b.Total)}
		for s := range MonthsPerYear {
			r.Months[s] = a.Months[s].Sub(b.Months[s])
		}
		rows = append(rows, r)
		return r
	}
	rev := section(Revenue, "Revenue")
	cogs := section(COGS, "Cost of goods sold")
	gross := result("Gross margin", rev, cogs)
	opex := section(OpEx, "Operating expenses")
	result("Operating result", gross, opex)
	return rows
}

// zeroRow reports whether a node has no plan in any month on a measure.
func (k *Consolidation) zeroRow(n, measure int) bool {
	for s := range slots {
		if !k.tab.isZero(k.row(n, measure), s) {
			return false
		}
	}
	return true
}

// PivotRow is the plan of one dimension member on one account.
type PivotRow struct {
	// Member is a member id of the dimension, or Unassigned.
	Member  string
	Account string
	Months  [MonthsPerYear]decimal.Decimal
	Total   decimal.Decimal
}

// Pivot totals the plan of a department's subtree ("" is the company) by
// the members of a dimension and by account: one row per member and
// account with a plan, members in the dimension's order, accounts in chart
// order. Lines that name no member of the dimension count as Unassigned,
// shown last. An unknown dimension or department, or a line that names an
// unknown member of the dimension, is an error.
func (k *Consolidation) Pivot(dim, dept string) ([]PivotRow, error) {
	d, ok := k.cycle.Dimension(dim)
	if !ok {
		return nil, fmt.Errorf("pivot: unknown dimension %q", dim)
	}
	n, ok := k.nodeOf(dept)
	if !ok {
		return nil, fmt.Errorf("pivot: unknown department %q", dept)
	}
	members := k.members[dim]
	nA := len(k.cycle.Accounts)
	nM := len(d.Members) + 1 // the last is Unassigned
	tab := newTable(k.fast, nM*nA, func(row int) int32 { return k.scales[row%nA] })
	for _, leaf := range k.leafOrder[k.firstLeaf[n]:k.endLeaf[n]] {
		s := k.subs[leaf]
		if s == nil {
			continue
		}
		for i := range s.Lines {
			m, err := memberOf(s, i, dim, members)
			if err != nil {
				return nil, fmt.Errorf("pivot: %w", err)
			}
			tab.addMonths(m*nA+k.account[s.Lines[i].Account], &s.Lines[i].Months)
		}
	}
	var rows []PivotRow
	for m := range nM {
		for a := range nA {
			r := m*nA + a
			nonZero := false
			for s := range slots {
				nonZero = nonZero || !tab.isZero(r, s)
			}
			if !nonZero {
				continue
			}
			pr := PivotRow{Member: Unassigned, Account: k.cycle.Accounts[a].Code, Total: tab.get(r, yearSlot)}
			if m < len(d.Members) {
				pr.Member = d.Members[m].ID
			}
			for s := range MonthsPerYear {
				pr.Months[s] = tab.get(r, s)
			}
			rows = append(rows, pr)
		}
	}
	return rows, nil
}

// HeadcountPlan is the hiring plan of a department's subtree by month.
type HeadcountPlan struct {
	// New is the number of people starting in each month.
	New [MonthsPerYear]decimal.Decimal
	// Cumulative is the number of people added from the first month to
	// each month.
	Cumulative [MonthsPerYear]decimal.Decimal
	// Cost is the fully loaded cost of the new people in each month.
	Cost [MonthsPerYear]decimal.Decimal
	// TotalCost is the year's loaded cost of the new people.
	TotalCost decimal.Decimal
}

// Headcount returns the hiring plans of a department's subtree ("" is the
// company) by month. A hire line costs count × salary × (1 + loaded cost)
// a year, rounded to cents and split into twelve monthly parts to the cent
// (SpreadEvenly, so the parts add back exactly); the months from the start
// month on are charged. Ramp is productivity, not cost: a new person is paid
// in full from the first month. An unknown department has no hires.
func (k *Consolidation) Headcount(dept string) HeadcountPlan {
	var hp HeadcountPlan
	n, ok := k.nodeOf(dept)
	if !ok {
		return hp
	}
	one := decimal.NewFromInt(1)
	for _, leaf := range k.leafOrder[k.firstLeaf[n]:k.endLeaf[n]] {
		s := k.subs[leaf]
		if s == nil {
			continue
		}
		for _, h := range s.Hires {
			start := int(h.Start) - 1
			count := decimal.NewFromInt(int64(h.Count))
			hp.New[start] = hp.New[start].Add(count)
			yearly := count.Mul(h.AnnualSalary).Mul(one.Add(h.LoadedCost))
			for m, part := range SpreadEvenly(yearly, MonthsPerYear) {
				if m >= start {
					hp.Cost[m] = hp.Cost[m].Add(part)
					hp.TotalCost = hp.TotalCost.Add(part)
				}
			}
		}
	}
	running := decimal.Zero
	for m := range MonthsPerYear {
		running = running.Add(hp.New[m])
		hp.Cumulative[m] = running
	}
	return hp
}
