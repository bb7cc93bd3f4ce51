package engine

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGapRegister(t *testing.T) {
	c, subs := smallCycle(t)
	type row struct {
		target, plan, gap string
		pct               string // "" for none
		dir               Favourable
		fav               bool
		missing           int
	}
	want := []row{
		{"20000", "18000", "2000", "0.1", Higher, false, 0},                 // revenue below target
		{"25000", "20400", "4600", "0.184", Higher, false, 0},               // group of revenue accounts
		{"2000", "2400", "-400", "-0.2", Lower, false, 0},                   // cost above a monthly target
		{"2500", "2400", "100", "0.04", Lower, true, 0},                     // cost below a monthly target
		{"70000", "72000", "-2000", "-0.0285714285714286", Lower, false, 1}, // research has not submitted
		{"30000", "20400", "9600", "0.32", Higher, false, 1},
		{"66000", "60000", "6000", "0.0909090909090909", Lower, true, 0},
		{"9000", "9600", "-600", "-0.0666666666666667", Lower, false, 1},
		{"0.25", "0.225", "0.025", "0.1", Higher, false, 0}, // a KPI below its target
		{"0", "30", "-30", "", Lower, false, 0},             // a zero target has no %
	}
	for range MonthsPerYear {
		want = append(want, row{"10", "0", "10", "1", Lower, true, 1})
	}
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		gaps := k.Gaps()
		require.Len(t, gaps, len(want))
		for i, w := range want {
			g := gaps[i]
			tg := c.Targets[i]
			assert.Equal(t, []any{tg.Department, tg.Account, tg.Group, tg.Period}, []any{g.Department, g.Account, g.Group, g.Period}, "row %d", i)
			assertDec(t, w.target, g.Target, "row %d", i)
			assertDec(t, w.plan, g.Plan, "row %d", i)
			assertDec(t, w.gap, g.Gap, "row %d", i)
			assertDec(t, w.gap, g.Target.Sub(g.Plan), "row %d: gap = target − plan", i)
			if w.pct == "" {
				assert.Nil(t, g.GapPct, "row %d", i)
			} else if assert.NotNil(t, g.GapPct, "row %d", i) {
				assertDec(t, w.pct, *g.GapPct, "row %d", i)
			}
			assert.Equal(t, w.dir, g.Direction, "row %d", i)
			assert.Equal(t, w.fav, g.Favourable, "row %d", i)
			assert.Equal(t, w.missing, g.Missing, "row %d", i)
		}
		mkt := k.GapsOf("mkt")
		require.Len(t, mkt, 2)
		assert.Equal(t, Period(2), mkt[1].Period)
		assert.Len(t, k.GapsOf("research"), MonthsPerYear)
		assert.Empty(t, k.GapsOf("gtm.x"))
		*gaps[0].GapPct = d("9")
		gaps[0].Gap = d("9")
		assertDec(t, "0.1", *k.Gaps()[0].GapPct, "callers get copies")
		assertDec(t, "2000", k.Gaps()[0].Gap, "callers get copies")
	})
}

func TestGapOfAGroupThatMixesDirections(t *testing.T) {
	c, subs := smallCycle(t)
	c.Accounts[2].Group = "Revenue" // hosting (a cost) joins the revenue group
	c.Targets = []Target{{Department: "co", Group: "Revenue", Amount: d("40000")}}
	k, err := Consolidate(c, subs)
	require.NoError(t, err)
	g := k.Gaps()[0]
	assertDec(t, "30000", g.Plan, "20400 revenue + 9600 hosting")
	assert.Equal(t, Favourable(""), g.Direction)
	assert.False(t, g.Favourable, "a mixed group is favourable only on target")

	b := k.Bridge(Revenue)
	assert.Equal(t, c.Targets, b.Unplaced, "a group with other types cannot be placed in a revenue bridge")
	assertDec(t, "0", b.Target)
	require.Len(t, b.Steps, 1)
	assert.Equal(t, UncoveredLabel, b.Steps[0].Label)
	assertDec(t, "-20400", b.Steps[0].Amount)
	b = k.Bridge(Revenue, COGS)
	assert.Empty(t, b.Unplaced)
	assertDec(t, "10000", b.Gap)
}

func TestBridge(t *testing.T) {
	c, subs := smallCycle(t)
	type step struct{ dept, label, amount string }
	cases := []struct {
		name              string
		types             []AccountType
		plan, target, gap string
		steps             []step
	}{
		{"revenue: nested targets on the company, a division and a team", []AccountType{Revenue}, "20400", "30000", "9600", []step{
			{"co", "Acme", "5000"},          // 30000 − 25000 asked of the company beyond gtm
			{"gtm", "Go to market", "2600"}, // 4600 − 2000 asked of gtm beyond sales
			{"sales", "Sales", "2000"},
		}},
		{"costs: an account nested in a group, monthly targets, plan no target covers", []AccountType{COGS, OpEx}, "149500.50", "83620", "-65880.50", []step{
			{"co", "Acme", "-600"},
			{"mkt", "Marketing", "-300"},   // two months: 4500 − 4800
			{"rnd", "R&D", "-8000"},        // −2000 less eng's 6000
			{"eng", "Engineering", "6000"}, // salaries inside the personnel group
			{"research", "Research", "120"},
			{"", UncoveredLabel, "-63100.50"}, // gtm's costs but mkt's two months, and eng's travel
		}},
		{"headcount", []AccountType{Headcount}, "30", "0", "-30", []step{{"eng", "Engineering", "-30"}}},
		{"no types", nil, "0", "0", "0", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
				b := k.Bridge(tc.types...)
				assertDec(t, tc.plan, b.Plan)
				assertDec(t, tc.target, b.Target)
				assertDec(t, tc.gap, b.Gap)
				require.Len(t, b.Steps, len(tc.steps))
				sum := decimal.Zero
				for i, s := range tc.steps {
					assert.Equal(t, s.dept, b.Steps[i].Department)
					assert.Equal(t, s.label, b.Steps[i].Label)
					assertDec(t, s.amount, b.Steps[i].Amount, s.label)
					sum = sum.Add(b.Steps[i].Amount)
				}
				assertDec(t, tc.gap, sum, "the steps add up to the gap")
				assert.Empty(t, b.Unplaced)
			})
		})
	}
}

func TestBridgeLeavesOutPartlyOverlappingTargets(t *testing.T) {
	c, subs := smallCycle(t)
	c.Targets = []Target{
		{Department: "rnd", Group: "Personnel", Period: 1, Amount: d("6000")},
		{Department: "eng", Account: "6000", Amount: d("60000")}, // the year, beyond rnd's one month
		{Department: "eng", Account: "6100", Period: 1, Amount: d("900")},
	}
	k, err := Consolidate(c, subs)
	require.NoError(t, err)
	b := k.Bridge(OpEx)
	assert.Equal(t, c.Targets[1:2], b.Unplaced)
	// rnd's month 1: a 6000 target against 6000 of plan, of which eng's
	// benefits (1000 against 900) are nested.
	assertDec(t, "6000", b.Target)
	want := []BridgeStep{
		{Department: "rnd", Label: "R&D", Amount: d("100")},
		{Department: "eng", Label: "Engineering", Amount: d("-100")},
		{Label: UncoveredLabel, Amount: d("-133900.50")},
	}
	require.Len(t, b.Steps, len(want))
	for i, w := range want {
		assert.Equal(t, w.Department, b.Steps[i].Department)
		assert.Equal(t, w.Label, b.Steps[i].Label)
		assertDec(t, w.Amount.String(), b.Steps[i].Amount)
	}
	assertDec(t, "-133900.50", b.Gap)
}

func TestTotalsAndGapShare(t *testing.T) {
	c, subs := smallCycle(t)
	costs := []AccountType{COGS, OpEx}
	cases := []struct {
		dept              string
		types             []AccountType
		plan, target, gap string
		has               bool
	}{
		{"", []AccountType{Revenue}, "20400", "30000", "9600", true},
		{"gtm", []AccountType{Revenue}, "20400", "25000", "4600", true},
		{"sales", []AccountType{Revenue}, "19200", "20000", "800", true},
		{"mkt", []AccountType{Revenue}, "1200", "0", "-1200", false},
		{"", costs, "149500.50", "83620", "-65880.50", true},
		{"rnd", costs, "81600", "70120", "-11480", true}, // rnd's group target and research's months
		{"eng", costs, "81600", "66000", "-15600", true},
		{"research", costs, "0", "120", "120", true},
	}
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		for _, tc := range cases {
			plan, target, gap, has := k.Totals(tc.dept, tc.types...)
			assertDec(t, tc.plan, plan, "%+v", tc)
			assertDec(t, tc.target, target, "%+v", tc)
			assertDec(t, tc.gap, gap, "%+v", tc)
			assert.Equal(t, tc.has, has, "%+v", tc)
		}
		share, ok := k.GapShare("rnd", costs...)
		assert.True(t, ok)
		assertDec(t, d("-11480").Div(d("-65880.50")).String(), share)
		_, ok = k.GapShare("mkt", Revenue)
		assert.False(t, ok, "no target")
		share, ok = k.GapShare("", Revenue)
		assert.True(t, ok)
		assertDec(t, "1", share)
	})
}

func TestGapsByDimension(t *testing.T) {
	c, subs := smallCycle(t)
	type row struct{ member, account, group, plan, gap, target string }
	want := []row{
		{"alpha", "4000", "", "12000", "1333.33", "13333.33"},      // 2000 × 12000/18000
		{"alpha", "", "Revenue", "12000", "5647.06", "17647.06"},   // 9600 × 12000/20400, largest remainder
		{"alpha", "5000", "", "9600", "-600", "9000"},              //
		{"beta", "4000", "", "6000", "666.67", "6666.67"},          // gets the cent: remainder .67 > .33
		{"beta", "", "Personnel", "60000", "-1666.67", "58333.33"}, // rnd's −2000 by 60000 / 12000
		{"beta", "", "Revenue", "7200", "3388.23", "10588.23"},
		{"beta", "6000", "", "60000", "6000", "66000"},
		{Unassigned, "", "Personnel", "16800", "-633.33", "16166.67"}, // mkt's two months and rnd's rest
		{Unassigned, "", "Revenue", "1200", "564.71", "1764.71"},
		{Unassigned, "8000", "", "0.225", "0.025", "0.25"},
		{Unassigned, "7000", "", "30", "-30", "0"},
		{Unassigned, "6500", "", "0", "120", "120"}, // research has no plan: its gap is unassigned
	}
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		rows, err := k.GapsByDimension("project")
		require.NoError(t, err)
		require.Len(t, rows, len(want))
		for i, w := range want {
			r := rows[i]
			assert.Equal(t, []string{w.member, w.account, w.group}, []string{r.Member, r.Account, r.Group}, "row %d", i)
			assertDec(t, w.plan, r.Plan, "row %d", i)
			assertDec(t, w.gap, r.Gap, "row %d", i)
			assertDec(t, w.target, r.Target, "row %d", i)
		}
		_, err = k.GapsByDimension("region")
		assert.ErrorContains(t, err, `unknown dimension "region"`)
	})
}

func TestAllocateAddsBackExactly(t *testing.T) {
	cases := []struct {
		name    string
		total   string
		weights []string
		want    []string
	}{
		{"even", "100", []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		{"negative mirrors positive", "-100", []string{"1", "1", "1"}, []string{"-33.34", "-33.33", "-33.33"}},
		{"largest remainder", "2000", []string{"12000", "6000", "0"}, []string{"1333.33", "666.67", "0"}},
		{"IBM relative proportional (oracle A1)", "400", []string{"10", "20", "70"}, []string{"40", "80", "280"}},
		{"no plan goes to the last (unassigned)", "10", []string{"0", "0", "0"}, []string{"0", "0", "10"}},
		{"a plan that nets to zero too", "10", []string{"5", "-5", "0"}, []string{"0", "0", "10"}},
		{"mixed signs", "1", []string{"3", "-1", "0"}, []string{"1.5", "-0.5", "0"}},
		{"negative weights", "1", []string{"-1", "-3"}, []string{"0.25", "0.75"}},
		{"KPI digits are kept", "0.0001", []string{"1", "1", "1"}, []string{"0.0001", "0", "0"}},
		{"decimal weights", "0.05", []string{"0.5", "0.5"}, []string{"0.03", "0.02"}},
		{"zero", "0", []string{"1", "2"}, []string{"0", "0"}},
		{"trailing zeros add no digits", "0.0500", []string{"1", "1"}, []string{"0.03", "0.02"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ws []decimal.Decimal
			for _, w := range tc.weights {
				ws = append(ws, d(w))
			}
			got := allocate(d(tc.total), ws)
			require.Len(t, got, len(tc.want))
			for i := range got {
				assertDec(t, tc.want[i], got[i], "part %d", i)
			}
			assertDec(t, tc.total, Sum(got...))
		})
	}
	r := rand.New(rand.NewPCG(7, 7))
	for range 2000 {
		n := 1 + r.IntN(8)
		ws := make([]decimal.Decimal, n)
		for i := range ws {
			ws[i] = decimal.New(r.Int64N(2e6)-5e5, -int32(r.IntN(5)))
		}
		total := decimal.New(r.Int64N(2e12)-1e12, -int32(r.IntN(7)))
		parts := allocate(total, ws)
		require.True(t, Sum(parts...).Equal(total), "%s by %v: %v", total, ws, parts)
	}
}

// TestFastPathEqualsDecimalPath consolidates random cycles on both paths,
// with amounts near the int64 edge and KPIs with more digits than the fast
// path keeps, and compares every answer.
func TestFastPathEqualsDecimalPath(t *testing.T) {
	spilledSeeds := 0
	defer func() { assert.Positive(t, spilledSeeds, "some totals left the fast path") }()
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			c, subs := genCycle(r, genOptions{fanout: []int{2 + r.IntN(2), 1 + r.IntN(3), r.IntN(3)}, accounts: 12 + r.IntN(12),
				lines: 1 + r.IntN(20), maxCents: 1e12, huge: seed%3 != 2, oddKPIs: seed%2 == 0, targets: true, skip: 0.2})
			fast, err := consolidate(c, subs, true)
			require.NoError(t, err)
			slow, err := consolidate(c, subs, false)
			require.NoError(t, err)
			want, got := render(t, slow), render(t, fast)
			require.Equal(t, len(want), len(got))
			for i := range want {
				require.Equal(t, want[i], got[i])
			}
			if len(fast.tab.(*fixedTable).big) > 0 {
				spilledSeeds++
			}
		})
	}
}

// TestFastPathEqualsDecimalPathInParallel consolidates a cycle big enough
// to be added on several processors (run it with -race).
func TestFastPathEqualsDecimalPathInParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	c, subs := genCycle(r, genOptions{fanout: []int{3, 5, 5}, accounts: 30, lines: 300, maxCents: 1e12, huge: true, oddKPIs: true, targets: true})
	require.GreaterOrEqual(t, len(subs)*300, 2*linesPerWorker, "enough lines for two workers")
	fast, err := consolidate(c, subs, true)
	require.NoError(t, err)
	slow, err := consolidate(c, subs, false)
	require.NoError(t, err)
	assert.NotEmpty(t, fast.tab.(*fixedTable).big)
	for _, dp := range append([]string{""}, c.Departments[0].ID, c.Departments[7].ID, c.Departments[len(c.Departments)-1].ID) {
		for _, a := range c.Accounts {
			for _, p := range append([]Period{FullYear}, Periods()...) {
				require.True(t, slow.Plan(dp, a.Code, p).Equal(fast.Plan(dp, a.Code, p)), "%s %s %d", dp, a.Code, p)
			}
		}
	}
	for _, ts := range [][]AccountType{{Revenue}, {COGS, OpEx}, {KPI}} {
		assert.Equal(t, fmt.Sprintf("%+v", slow.Bridge(ts...)), fmt.Sprintf("%+v", fast.Bridge(ts...)))
	}
}

// render writes every answer of a consolidation as text.
func render(t *testing.T, k *Consolidation) []string {
	t.Helper()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	depts := []string{""}
	for _, dp := range k.cycle.Departments {
		depts = append(depts, dp.ID)
	}
	periods := append([]Period{FullYear}, Periods()...)
	typeSets := [][]AccountType{{Revenue}, {COGS, OpEx}, {Headcount}, {KPI}, {Revenue, COGS, OpEx, Headcount, KPI}}
	for _, dp := range depts {
		for _, p := range periods {
			for _, a := range k.cycle.Accounts {
				add("plan %s %s %d %s", dp, a.Code, p, k.Plan(dp, a.Code, p))
			}
			for _, g := range k.groups {
				add("group %s %s %d %s", dp, g, p, k.PlanGroup(dp, g, p))
			}
			for i := range numTypes {
				add("type %s %s %d %s", dp, typeAt(i), p, k.PlanType(dp, typeAt(i), p))
			}
		}
		for _, r := range k.PnL(dp) {
			add("pnl %s %s %s %v %s", dp, r.Label, r.Kind, r.Months, r.Total)
		}
		for _, ts := range typeSets {
			plan, target, gap, has := k.Totals(dp, ts...)
			share, ok := k.GapShare(dp, ts...)
			add("totals %s %v %s %s %s %v %s %v", dp, ts, plan, target, gap, has, share, ok)
		}
		for _, dim := range k.cycle.Dimensions {
			rows, err := k.Pivot(dim.ID, dp)
			require.NoError(t, err)
			for _, r := range rows {
				add("pivot %s %s %+v", dim.ID, dp, r)
			}
		}
		add("headcount %s %+v", dp, k.Headcount(dp))
	}
	for _, g := range k.Gaps() {
		pct := "none"
		if g.GapPct != nil {
			pct = g.GapPct.String()
		}
		g.GapPct = nil
		add("gap %+v %s", g, pct)
	}
	for _, ts := range typeSets {
		add("bridge %+v", k.Bridge(ts...))
	}
	for _, dim := range k.cycle.Dimensions {
		rows, err := k.GapsByDimension(dim.ID)
		require.NoError(t, err)
		for _, r := range rows {
			add("by %s %+v", dim.ID, r)
		}
	}
	return out
}

// TestBridgeProperties checks bridges of random cycles, with overlapping,
// monthly and mixed-group targets, against a cell-by-cell computation: every
// cell (leaf, account, month) belongs to the smallest counted target that
// covers it, and a department's step is its targets, less the targets nested
// in them, less the plan of the cells they own.
func TestBridgeProperties(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 3))
		c, subs := genCycle(r, genOptions{fanout: []int{1 + r.IntN(3), 1 + r.IntN(3), r.IntN(3)}, accounts: 6 + r.IntN(10),
			lines: 1 + r.IntN(8), maxCents: 1e7, targets: true, skip: 0.2})
		k, err := Consolidate(c, subs)
		require.NoError(t, err)
		for _, types := range [][]AccountType{{Revenue}, {COGS, OpEx}, {OpEx}, {Revenue, COGS, OpEx, Headcount, KPI}} {
			b := k.Bridge(types...)
			name := fmt.Sprintf("seed %d, %v", seed, types)
			sum := decimal.Zero
			for _, s := range b.Steps {
				sum = sum.Add(s.Amount)
			}
			require.True(t, sum.Equal(b.Gap), "%s: steps %s, gap %s", name, sum, b.Gap)
			require.True(t, b.Gap.Equal(b.Target.Sub(b.Plan)), name)
			checkBridgeByCells(t, k, types, b, name)
		}
	}
}

type cell struct{ leaf, account, month int }

func checkBridgeByCells(t *testing.T, k *Consolidation, types []AccountType, b Bridge, name string) {
	t.Helper()
	want := uint8(0)
	for _, ty := range types {
		want |= 1 << typeIndex(ty)
	}
	units := k.resolve(typeMask(types)).units
	cellsOf := func(u bridgeUnit) map[cell]bool {
		cs := map[cell]bool{}
		for _, leaf := range k.leafOrder[k.firstLeaf[u.node]:k.endLeaf[u.node]] {
			for a := range k.cycle.Accounts {
				if !k.accountsWithin(a, u.measure) {
					continue
				}
				for m := range MonthsPerYear {
					if u.mask&(1<<m) != 0 {
						cs[cell{leaf, a, m}] = true
					}
				}
			}
		}
		return cs
	}
	var counted []int
	cells := map[int]map[cell]bool{}
	placed := 0
	for i, u := range units {
		if u.counted {
			counted = append(counted, i)
			cells[i] = cellsOf(u)
			placed += len(u.positions)
		}
	}
	assert.Equal(t, placed+len(b.Unplaced), countTargetsOn(k, want), name+": every target is counted or unplaced")
	within := func(a, b map[cell]bool) bool {
		for c := range a {
			if !b[c] {
				return false
			}
		}
		return true
	}
	// Laminar, and each parent is the smallest counted unit holding it.
	parent := map[int]int{}
	for _, i := range counted {
		parent[i] = -1
		for _, j := range counted {
			if i == j {
				continue
			}
			meet := false
			for c := range cells[i] {
				if cells[j][c] {
					meet = true
					break
				}
			}
			if !meet {
				continue
			}
			in, out := within(cells[i], cells[j]), within(cells[j], cells[i])
			require.True(t, in || out, "%s: counted targets overlap in part", name)
			// Equal cell sets nest in processing order.
			if in && (!out || j < i) {
				if p := parent[i]; p < 0 || len(cells[j]) < len(cells[p]) || (len(cells[j]) == len(cells[p]) && j > p) {
					parent[i] = j
				}
			}
		}
		require.Equal(t, parent[i], units[i].parent, name)
	}
	// Owner of each cell: the smallest counted unit, later on ties.
	owner := map[cell]int{}
	for _, i := range counted {
		for c := range cells[i] {
			o, ok := owner[c]
			if !ok || len(cells[i]) < len(cells[o]) || (len(cells[i]) == len(cells[o]) && i > o) {
				owner[c] = i
			}
		}
	}
	steps := map[string]decimal.Decimal{}
	target := decimal.Zero
	for _, i := range counted {
		u := units[i]
		dept := k.cycle.Departments[u.node].ID
		steps[dept] = steps[dept].Add(u.target)
		if parent[i] >= 0 {
			pd := k.cycle.Departments[units[parent[i]].node].ID
			steps[pd] = steps[pd].Sub(u.target)
		} else {
			target = target.Add(u.target)
		}
	}
	uncovered := decimal.Zero
	for _, leaf := range k.leafOrder {
		for a, acc := range k.cycle.Accounts {
			if want&(1<<k.accType[a]) == 0 {
				continue
			}
			for m := range MonthsPerYear {
				plan := k.Plan(k.cycle.Departments[leaf].ID, acc.Code, Period(m+1))
				if o, ok := owner[cell{leaf, a, m}]; ok {
					dept := k.cycle.Departments[units[o].node].ID
					steps[dept] = steps[dept].Sub(plan)
				} else {
					uncovered = uncovered.Sub(plan)
				}
			}
		}
	}
	require.True(t, target.Equal(b.Target), "%s: target %s, by cells %s", name, b.Target, target)
	got := map[string]decimal.Decimal{}
	for _, s := range b.Steps {
		got[s.Department] = s.Amount
	}
	if !uncovered.IsZero() {
		steps[""] = uncovered
	}
	require.Equal(t, len(steps), len(got), name)
	for dept, amt := range steps {
		require.True(t, amt.Equal(got[dept]), "%s: step %q is %s, by cells %s", name, dept, got[dept], amt)
	}
}

// countTargetsOn counts the cycle's targets on accounts or groups that have
// any of the types.
func countTargetsOn(k *Consolidation, want uint8) int {
	n := 0
	for _, t := range k.cycle.Targets {
		m, _ := k.measureOf(t.Account, t.Group)
		if k.typesOf(m)&want != 0 {
			n++
		}
	}
	return n
}

// TestGapsByDimensionAddUp checks on random cycles that the parts of the
// gaps add up, by account or group, to the gaps of the targets counted, and
// that pivots add up to the plan.
func TestGapsByDimensionAddUp(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 5))
		c, subs := genCycle(r, genOptions{fanout: []int{1 + r.IntN(3), 1 + r.IntN(3), r.IntN(3)}, accounts: 8 + r.IntN(8),
			lines: 1 + r.IntN(10), maxCents: 1e8, oddKPIs: true, targets: true, skip: 0.1})
		k, err := Consolidate(c, subs)
		require.NoError(t, err)
		// The targets counted: no target on the same measure above covers
		// any of their months.
		wantGap, wantPlan := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for _, g := range k.Gaps() {
			nested := false
			for _, anc := range c.Ancestors(g.Department) {
				for _, o := range c.Targets {
					if o.Department == anc && o.Account == g.Account && o.Group == g.Group && (o.Period == FullYear || g.Period == FullYear || o.Period == g.Period) {
						nested = true
					}
				}
			}
			if !nested {
				key := g.Account + "/" + g.Group
				wantGap[key] = wantGap[key].Add(g.Gap)
				wantPlan[key] = wantPlan[key].Add(g.Plan)
			}
		}
		for _, dim := range c.Dimensions {
			rows, err := k.GapsByDimension(dim.ID)
			require.NoError(t, err)
			gotGap, gotPlan := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
			for _, row := range rows {
				key := row.Account + "/" + row.Group
				gotGap[key] = gotGap[key].Add(row.Gap)
				gotPlan[key] = gotPlan[key].Add(row.Plan)
				require.True(t, row.Target.Equal(row.Plan.Add(row.Gap)))
			}
			for key, g := range wantGap {
				require.True(t, g.Equal(gotGap[key]), "seed %d %s %s: gap %s, parts %s", seed, dim.ID, key, g, gotGap[key])
				require.True(t, wantPlan[key].Equal(gotPlan[key]), "seed %d %s %s: plan", seed, dim.ID, key)
			}
			for key, g := range gotGap {
				require.True(t, g.Equal(wantGap[key]), "seed %d: %s has parts but no counted gap", seed, key)
			}
			for _, dp := range append([]string{""}, c.Departments[bits.Len(uint(seed))%len(c.Departments)].ID) {
				pivot, err := k.Pivot(dim.ID, dp)
				require.NoError(t, err)
				byAccount := map[string]decimal.Decimal{}
				for _, row := range pivot {
					byAccount[row.Account] = byAccount[row.Account].Add(row.Total)
				}
				for _, a := range c.Accounts {
					require.True(t, k.Plan(dp, a.Code, FullYear).Equal(byAccount[a.Code]), "pivot of %q on %s", dp, a.Code)
				}
			}
		}
	}
}
