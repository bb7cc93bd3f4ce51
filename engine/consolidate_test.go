package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// months returns twelve amounts: the values given, then the last repeated
// (or zero when none is given).
func months(vals ...string) (ms [MonthsPerYear]decimal.Decimal) {
	last := decimal.Zero
	for i := range ms {
		if i < len(vals) {
			last = d(vals[i])
		}
		ms[i] = last
	}
	return ms
}

// onlyMonth returns twelve amounts, zero but for month p.
func onlyMonth(p Period, v string) (ms [MonthsPerYear]decimal.Decimal) {
	for i := range ms {
		ms[i] = decimal.Zero
	}
	ms[p-1] = d(v)
	return ms
}

// smallCycle is a company of two divisions and four teams (one of which has
// not submitted), with amounts small enough to check by hand:
//
//	co ─┬─ gtm ─┬─ sales
//	    │       └─ mkt
//	    └─ rnd ─┬─ eng
//	            └─ research (no submission)
func smallCycle(t *testing.T) (*Cycle, []*Submission) {
	t.Helper()
	c := &Cycle{
		ID: "acme-fy2027", Company: "Acme", Currency: "USD", Year: FiscalYear{Year: 2027, StartMonth: time.January},
		Departments: []Department{
			{ID: "co", Name: "Acme"},
			{ID: "gtm", Name: "Go to market", Parent: "co"},
			{ID: "sales", Name: "Sales", Parent: "gtm"},
			{ID: "mkt", Name: "Marketing", Parent: "gtm"},
			{ID: "rnd", Name: "R&D", Parent: "co"},
			{ID: "eng", Name: "Engineering", Parent: "rnd"},
			{ID: "research", Name: "Research", Parent: "rnd"},
		},
		Accounts: []Account{
			{Code: "4000", Name: "Product revenue", Type: Revenue, Favourable: Higher, Group: "Revenue"},
			{Code: "4100", Name: "Services revenue", Type: Revenue, Favourable: Higher, Group: "Revenue"},
			{Code: "5000", Name: "Hosting", Type: COGS, Favourable: Lower},
			{Code: "6000", Name: "Salaries", Type: OpEx, Favourable: Lower, Group: "Personnel"},
			{Code: "6100", Name: "Benefits", Type: OpEx, Favourable: Lower, Group: "Personnel"},
			{Code: "6500", Name: "Travel", Type: OpEx, Favourable: Lower},
			{Code: "7000", Name: "Headcount", Type: Headcount, Favourable: Lower},
			{Code: "8000", Name: "Win rate", Type: KPI, Favourable: Higher},
		},
		Dimensions: []Dimension{{ID: "project", Name: "Project", Members: []Member{{ID: "alpha", Name: "Alpha"}, {ID: "beta", Name: "Beta"}}}},
		Targets: []Target{
			{Department: "sales", Account: "4000", Amount: d("20000")},            // 0
			{Department: "gtm", Group: "Revenue", Amount: d("25000")},             // 1
			{Department: "mkt", Group: "Personnel", Period: 1, Amount: d("2000")}, // 2
			{Department: "mkt", Group: "Personnel", Period: 2, Amount: d("2500")}, // 3
			{Department: "rnd", Group: "Personnel", Amount: d("70000")},           // 4
			{Department: "co", Group: "Revenue", Amount: d("30000")},              // 5
			{Department: "eng", Account: "6000", Amount: d("66000")},              // 6
			{Department: "co", Account: "5000", Amount: d("9000")},                // 7
			{Department: "eng", Account: "8000", Period: 1, Amount: d("0.25")},    // 8
			{Department: "eng", Account: "7000", Amount: decimal.Zero},            // 9
		},
	}
	for p := Period(1); p <= MonthsPerYear; p++ { // 10-21: twelve monthly targets
		c.Targets = append(c.Targets, Target{Department: "research", Account: "6500", Period: p, Amount: d("10")})
	}
	require.NoError(t, c.Validate())
	alpha := map[string]string{"project": "alpha"}
	beta := map[string]string{"project": "beta"}
	subs := []*Submission{
		{Cycle: c.ID, Department: "sales", Lines: []Line{
			{Account: "4000", Dims: alpha, Months: months("1000")},
			{Account: "4000", Dims: beta, Months: months("500")},
			{Account: "4100", Months: months("200", "200", "200", "200", "200", "200", "0")},
			{Account: "6000", Dims: alpha, Months: months("3000")},
			{Account: "6500", Months: onlyMonth(1, "100.50")},
		}, Hires: []Hire{{Role: "AE", Count: 1, Start: 1, AnnualSalary: d("100000"), LoadedCost: decimal.Zero}}},
		{Cycle: c.ID, Department: "mkt", Lines: []Line{
			{Account: "4100", Dims: beta, Months: months("100")},
			{Account: "6000", Months: months("2000")},
			{Account: "6100", Months: months("400")},
			{Account: "6500", Months: months("250")},
		}},
		{Cycle: c.ID, Department: "eng", Lines: []Line{
			{Account: "5000", Dims: alpha, Months: months("800")},
			{Account: "6000", Dims: beta, Months: months("5000")},
			{Account: "6100", Months: months("1000")},
			{Account: "8000", Months: onlyMonth(1, "0.225")},
			{Account: "7000", Months: months("2.5")},
		}, Hires: []Hire{
			{Role: "Engineer", Count: 2, Start: 4, AnnualSalary: d("120000"), LoadedCost: d("0.25"), RampMonths: 3},
			{Role: "Designer", Count: 1, Start: 10, AnnualSalary: d("90000"), LoadedCost: d("0.2"), RampMonths: 2},
		}},
	}
	return c, subs
}

// bothPaths consolidates on the fast and the reference path and runs the
// test on each.
func bothPaths(t *testing.T, c *Cycle, subs []*Submission, test func(t *testing.T, k *Consolidation)) {
	t.Helper()
	for _, fast := range []bool{true, false} {
		name := map[bool]string{true: "fixed", false: "decimal"}[fast]
		t.Run(name, func(t *testing.T) {
			k, err := consolidate(c, subs, fast)
			require.NoError(t, err)
			test(t, k)
		})
	}
}

func assertDec(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	msg := ""
	if len(msgAndArgs) > 0 {
		msg = fmt.Sprintf(msgAndArgs[0].(string), msgAndArgs[1:]...)
	}
	assert.True(t, d(want).Equal(got), "want %s, got %s: %s", want, got, msg)
}

func TestConsolidateRollsUpThroughTwoLevels(t *testing.T) {
	c, subs := smallCycle(t)
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		assert.Equal(t, []string{"sales", "mkt", "eng"}, k.Submitted())
		assert.Equal(t, []string{"research"}, k.Missing())
		cases := []struct {
			dept, account, group string
			typ                  AccountType
			p                    Period
			want                 string
		}{
			{"sales", "4000", "", "", FullYear, "18000"},
			{"gtm", "4000", "", "", FullYear, "18000"},
			{"gtm", "4100", "", "", FullYear, "2400"},
			{"gtm", "4100", "", "", 7, "100"},
			{"gtm", "6500", "", "", 1, "350.50"},
			{"gtm", "6500", "", "", FullYear, "3100.50"},
			{"co", "6000", "", "", FullYear, "120000"},
			{"", "6000", "", "", FullYear, "120000"},
			{"rnd", "6000", "", "", 3, "5000"},
			{"research", "6000", "", "", FullYear, "0"},
			{"", "8000", "", "", 1, "0.225"},
			{"", "7000", "", "", FullYear, "30"},
			{"gtm", "", "Revenue", "", FullYear, "20400"},
			{"", "", "Revenue", "", 1, "1800"},
			{"", "", "Personnel", "", FullYear, "136800"},
			{"mkt", "", "Personnel", "", 2, "2400"},
			{"", "", "", Revenue, FullYear, "20400"},
			{"", "", "", COGS, FullYear, "9600"},
			{"", "", "", OpEx, FullYear, "139900.50"},
			{"gtm", "", "", OpEx, FullYear, "67900.50"},
			{"rnd", "", "", OpEx, 12, "6000"},
			{"", "", "", KPI, FullYear, "0.225"},
			{"unknown", "6000", "", "", FullYear, "0"},
			{"", "9999", "", "", FullYear, "0"},
			{"", "6000", "", "", 13, "0"},
		}
		for _, tc := range cases {
			var got decimal.Decimal
			switch {
			case tc.account != "":
				got = k.Plan(tc.dept, tc.account, tc.p)
			case tc.group != "":
				got = k.PlanGroup(tc.dept, tc.group, tc.p)
			default:
				got = k.PlanType(tc.dept, tc.typ, tc.p)
			}
			assertDec(t, tc.want, got, "%+v", tc)
		}
	})
}

func TestTargetOf(t *testing.T) {
	c, subs := smallCycle(t)
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		cases := []struct {
			dept, account, group string
			p                    Period
			want                 string // "" for none
		}{
			{"sales", "4000", "", FullYear, "20000"},
			{"sales", "4000", "", 3, ""}, // a yearly target is not spread
			{"mkt", "", "Personnel", 1, "2000"},
			{"mkt", "", "Personnel", 2, "2500"},
			{"mkt", "", "Personnel", 3, ""},
			{"mkt", "", "Personnel", FullYear, ""}, // two months make no year
			{"research", "6500", "", 5, "10"},
			{"research", "6500", "", FullYear, "120"}, // twelve months make a year
			{"gtm", "4000", "", FullYear, ""},         // targets do not roll up
			{"sales", "4000", "Revenue", FullYear, ""},
			{"nope", "4000", "", FullYear, ""},
		}
		for _, tc := range cases {
			got, ok := k.TargetOf(tc.dept, tc.account, tc.group, tc.p)
			if tc.want == "" {
				assert.False(t, ok, "%+v", tc)
				continue
			}
			if assert.True(t, ok, "%+v", tc) {
				assertDec(t, tc.want, got, "%+v", tc)
			}
		}
	})
}

func TestPnL(t *testing.T) {
	c, subs := smallCycle(t)
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		type row struct {
			label  string
			kind   PnLKind
			month1 string
			total  string
		}
		want := []row{
			{"4000 Product revenue", PnLAccount, "1500", "18000"},
			{"4100 Services revenue", PnLAccount, "300", "2400"},
			{"Revenue", PnLSubtotal, "1800", "20400"},
			{"Cost of goods sold", PnLSubtotal, "0", "0"},
			{"Gross margin", PnLResult, "1800", "20400"},
			{"6000 Salaries", PnLAccount, "5000", "60000"},
			{"6100 Benefits", PnLAccount, "400", "4800"},
			{"6500 Travel", PnLAccount, "350.50", "3100.50"},
			{"Operating expenses", PnLSubtotal, "5750.50", "67900.50"},
			{"Operating result", PnLResult, "-3950.50", "-47500.50"},
		}
		got := k.PnL("gtm")
		require.Len(t, got, len(want))
		for i, w := range want {
			assert.Equal(t, w.label, got[i].Label)
			assert.Equal(t, w.kind, got[i].Kind, w.label)
			assert.Equal(t, w.kind == PnLAccount, got[i].Account != nil, w.label)
			assertDec(t, w.month1, got[i].Months[0], w.label)
			assertDec(t, w.total, got[i].Total, w.label)
			assertDec(t, w.total, Sum(got[i].Months[:]...), "months add up to the total: "+w.label)
		}
		company := k.PnL("")
		last := company[len(company)-1]
		assert.Equal(t, "Operating result", last.Label)
		assertDec(t, "-129100.50", last.Total, "20400 − 9600 − 139900.50")
		assert.Nil(t, k.PnL("nope"))
	})
}

func TestPivotByDimension(t *testing.T) {
	c, subs := smallCycle(t)
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		rows, err := k.Pivot("project", "gtm")
		require.NoError(t, err)
		want := []struct{ member, account, month1, total string }{
			{"alpha", "4000", "1000", "12000"},
			{"alpha", "6000", "3000", "36000"},
			{"beta", "4000", "500", "6000"},
			{"beta", "4100", "100", "1200"},
			{Unassigned, "4100", "200", "1200"},
			{Unassigned, "6000", "2000", "24000"},
			{Unassigned, "6100", "400", "4800"},
			{Unassigned, "6500", "350.50", "3100.50"},
		}
		require.Len(t, rows, len(want))
		for i, w := range want {
			assert.Equal(t, w.member, rows[i].Member)
			assert.Equal(t, w.account, rows[i].Account)
			assertDec(t, w.month1, rows[i].Months[0], "%+v", w)
			assertDec(t, w.total, rows[i].Total, "%+v", w)
		}
		_, err = k.Pivot("region", "")
		assert.ErrorContains(t, err, `unknown dimension "region"`)
		_, err = k.Pivot("project", "nope")
		assert.ErrorContains(t, err, `unknown department "nope"`)
	})
	subs[0].Lines[0].Dims = map[string]string{"project": "gamma"}
	k, err := Consolidate(c, subs)
	require.NoError(t, err, "members are checked when the plan is cut by the dimension")
	_, err = k.Pivot("project", "")
	assert.ErrorContains(t, err, `department "sales", line 1: "gamma" is not a member of dimension "project"`)
	_, err = k.GapsByDimension("project")
	assert.ErrorContains(t, err, `"gamma" is not a member`)
}

func TestHeadcount(t *testing.T) {
	c, subs := smallCycle(t)
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		hc := k.Headcount("rnd")
		wantNew := []string{"0", "0", "0", "2", "0", "0", "0", "0", "0", "1", "0", "0"}
		wantCum := []string{"0", "0", "0", "2", "2", "2", "2", "2", "2", "3", "3", "3"}
		// 2 × 120,000 × 1.25 = 300,000 a year from April; 90,000 × 1.2 =
		// 108,000 a year from October. Ramp does not change cost.
		wantCost := []string{"0", "0", "0", "25000", "25000", "25000", "25000", "25000", "25000", "34000", "34000", "34000"}
		for m := range MonthsPerYear {
			assertDec(t, wantNew[m], hc.New[m], "new, month %d", m+1)
			assertDec(t, wantCum[m], hc.Cumulative[m], "cumulative, month %d", m+1)
			assertDec(t, wantCost[m], hc.Cost[m], "cost, month %d", m+1)
		}
		assertDec(t, "252000", hc.TotalCost)

		// 100,000 a year does not split evenly into months: the first four
		// months carry the extra cent.
		sales := k.Headcount("sales")
		for m := range MonthsPerYear {
			want := "8333.33"
			if m < 4 {
				want = "8333.34"
			}
			assertDec(t, want, sales.Cost[m], "month %d", m+1)
		}
		assertDec(t, "100000", sales.TotalCost)
		assertDec(t, "352000", k.Headcount("").TotalCost)
		assertDec(t, "0", k.Headcount("nope").TotalCost)
	})
}

func TestConsolidateRefusesWhatItCannotPlace(t *testing.T) {
	cases := []struct {
		name   string
		change func(c *Cycle, subs []*Submission) []*Submission
		want   []string
	}{
		{"a parent submits", func(c *Cycle, subs []*Submission) []*Submission {
			return append(subs, &Submission{Department: "gtm"})
		}, []string{`department "gtm" has departments under it`}},
		{"unknown department", func(c *Cycle, subs []*Submission) []*Submission {
			return append(subs, &Submission{Department: "legal"})
		}, []string{`unknown department "legal"`}},
		{"twice", func(c *Cycle, subs []*Submission) []*Submission {
			return append(subs, &Submission{Department: "sales"})
		}, []string{`department "sales" submitted twice`}},
		{"unknown account", func(c *Cycle, subs []*Submission) []*Submission {
			subs[1].Lines[2].Account = "6199"
			return subs
		}, []string{`department "mkt", line 3: unknown account "6199"`}},
		{"another cycle", func(c *Cycle, subs []*Submission) []*Submission {
			subs[0].Cycle = "acme-fy2026"
			return subs
		}, []string{`cycle "acme-fy2026"`}},
		{"bad hire", func(c *Cycle, subs []*Submission) []*Submission {
			subs[2].Hires[0].Start = 13
			return subs
		}, []string{`hire 1: start period 13`}},
		{"nil", func(c *Cycle, subs []*Submission) []*Submission {
			return append(subs, nil)
		}, []string{`submission #4 is nil`}},
		{"repeated target", func(c *Cycle, subs []*Submission) []*Submission {
			c.Targets = append(c.Targets, Target{Department: "sales", Account: "4000", Amount: d("1")})
			return subs
		}, []string{`target for "sales" on account "4000" is set twice for the year`}},
		{"year and months", func(c *Cycle, subs []*Submission) []*Submission {
			c.Targets = append(c.Targets, Target{Department: "research", Account: "6500", Amount: d("1")})
			return subs
		}, []string{`target for "research" on account "6500" is set for the year and for months`}},
		{"loop, and every problem at once", func(c *Cycle, subs []*Submission) []*Submission {
			c.Departments[0].Parent = "sales"
			subs[1].Lines[0].Account = "x"
			return append(subs, &Submission{Department: "legal"})
		}, []string{`"co" is its own ancestor`, `unknown department "legal"`, `unknown account "x"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, subs := smallCycle(t)
			subs = tc.change(c, subs)
			k, err := Consolidate(c, subs)
			require.Error(t, err)
			assert.Nil(t, k)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestValidateRefusesRepeatedTargets(t *testing.T) {
	c, _ := smallCycle(t)
	c.Targets = append(c.Targets,
		Target{Department: "mkt", Group: "Personnel", Period: 2, Amount: d("1")},
		Target{Department: "eng", Account: "8000", Amount: d("1")},
		Target{Department: "sales", Group: "Revenue", Amount: d("1")}, // overlaps sales 4000: allowed
	)
	err := c.Validate()
	require.Error(t, err)
	assert.ErrorContains(t, err, `target for "mkt" on group "Personnel" is set twice for month 2`)
	assert.ErrorContains(t, err, `target for "eng" on account "8000" is set for the year and for months; give one or the other`)
	assert.Len(t, flattenErrs(err), 2)
}

func flattenErrs(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestBigAmountsAreExact(t *testing.T) {
	// Amounts of a city budget (billions with cents) and amounts near the
	// edge of the fast path's int64 cents, whose totals leave it.
	c := &Cycle{ID: "big", Company: "City", Currency: "USD", Year: FiscalYear{Year: 2025, StartMonth: time.July},
		Departments: []Department{{ID: "city", Name: "City"}, {ID: "a", Name: "A", Parent: "city"}, {ID: "b", Name: "B", Parent: "city"}},
		Accounts:    []Account{{Code: "1", Name: "Spend", Type: OpEx, Favourable: Lower}, {Code: "2", Name: "Edge", Type: OpEx, Favourable: Lower}},
		Targets:     []Target{{Department: "city", Account: "1", Amount: d("10000000000.00")}},
	}
	edge := "92233720368547758.07" // the largest int64 count of cents
	subs := []*Submission{
		{Department: "a", Lines: []Line{
			{Account: "1", Months: months("4636924670.23", "782550370.67", "0.01")},
			{Account: "2", Months: months(edge)},
		}},
		{Department: "b", Lines: []Line{
			{Account: "1", Months: months("118181749.15", "-247302.69", "1526629446.00")},
			{Account: "2", Months: months(edge, "-"+edge, "0.01")},
			{Account: "2", Months: months("0.001")}, // a sub-cent amount leaves the fast path too
		}},
	}
	bothPaths(t, c, subs, func(t *testing.T, k *Consolidation) {
		assertDec(t, "4755106419.38", k.Plan("", "1", 1))
		assertDec(t, "782303067.98", k.Plan("", "1", 2))
		assertDec(t, "4636924670.23", k.Plan("a", "1", 1))
		// a: 4636924670.23 + 782550370.67 + 10 × 0.01; b: 118181749.15 − 247302.69 + 10 × 1526629446.00
		assertDec(t, "20803703947.46", k.Plan("", "1", FullYear))
		assertDec(t, "184467440737095516.141", k.Plan("", "2", 1))
		assertDec(t, "1106804644422573096.952", k.Plan("", "2", FullYear))
		assertDec(t, "1106804665226277044.412", k.PlanType("", OpEx, FullYear))
		if ft, ok := k.tab.(*fixedTable); ok {
			assert.NotEmpty(t, ft.big, "the edge amounts left the fast path")
		}
		g := k.Gaps()[0]
		assertDec(t, "-10803703947.46", g.Gap)
		assert.False(t, g.Favourable, "spending above the target")
	})
}
