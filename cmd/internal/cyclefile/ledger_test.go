package cyclefile

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

// bostonCSV returns the path of the City of Boston FY25 operating budget
// shared with the developers (see its README for the totals checked here).
func bostonCSV() string {
	return filepath.Join("..", "..", "..", "..", "shared", "fixtures", "budgets", "boston-fy25-operating-budget.csv")
}

// bostonRows reads the Boston budget, skipping the test when the fixture is
// missing (and failing in CI, where it must be present).
func bostonRows(t *testing.T) ([]byte, []map[string]string) {
	t.Helper()
	data, err := os.ReadFile(bostonCSV())
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Boston budget fixture %s is missing", bostonCSV())
		}
		t.Skipf("the Boston budget fixture %s is missing; skipping", bostonCSV())
	}
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	require.NoError(t, err)
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return data, rows
}

// slug turns a name into an id: lower case letters and digits joined by
// '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// distinct returns the distinct values of a column, in order of first use.
func distinct(rows []map[string]string, col string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if v := r[col]; !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// bostonCycle writes a cycle of Boston's departments (but those in skip)
// and expense categories (but those in skip) with the budget as prior
// actuals, plus extra ledger lines, and returns the cycle file's path.
func bostonCycle(t *testing.T, data []byte, depts, accounts []string, skip map[string]bool, extra string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "ledger"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ledger", "boston.csv"), data, 0o644))
	var b strings.Builder
	b.WriteString("cycle: boston-fy2024\ncompany: City of Boston\ncurrency: USD\nfiscal_year: 2024\nstart_month: July\n")
	b.WriteString("departments:\n")
	ids := map[string]bool{}
	for _, d := range depts {
		if skip[d] {
			continue
		}
		id := slug(d)
		require.False(t, ids[id], "slug %q is not unique", id)
		ids[id] = true
		fmt.Fprintf(&b, "  - id: %s\n    name: %q\n", id, d)
	}
	b.WriteString("accounts:\n")
	for i, a := range accounts {
		if skip[a] {
			continue
		}
		fmt.Fprintf(&b, "  - code: \"5%d00\"\n    name: %q\n    type: opex\n", i+1, a)
	}
	b.WriteString("prior_year:\n  ledgers:\n    - kind: actuals\n      file: ledger/boston.csv\n")
	b.WriteString("      columns: {department: Dept, account: Expense Category, amount: FY23 Actual Expense}\n")
	b.WriteString("      missing: [\"#Missing\"]\n")
	b.WriteString(extra)
	path := filepath.Join(dir, "cycle.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func totalOf(as []engine.Amount) decimal.Decimal {
	s := decimal.Zero
	for _, a := range as {
		s = s.Add(a.Amount)
	}
	return s
}

func TestBostonLedger(t *testing.T) {
	data, rows := bostonRows(t)
	depts, accounts := distinct(rows, "Dept"), distinct(rows, "Expense Category")
	require.Len(t, depts, 86)
	require.Len(t, accounts, 7)

	f, err := Load(bostonCycle(t, data, depts, accounts, nil, ""))
	require.NoError(t, err)
	c := f.Cycle
	require.Len(t, c.Departments, 86)
	// The total published with the fixture, to the cent.
	assert.Equal(t, "4059689437.6", totalOf(c.PriorActuals).String())
	assert.True(t, totalOf(c.PriorActuals).Equal(dec("4059689437.60")))
	// One amount per (department, category) with an FY23 value; 0 is
	// kept (it differs from #Missing).
	keys := map[[2]string]bool{}
	for _, r := range rows {
		if r["FY23 Actual Expense"] != "#Missing" {
			keys[[2]string{r["Dept"], r["Expense Category"]}] = true
		}
	}
	for _, a := range c.PriorActuals {
		assert.Equal(t, engine.FullYear, a.Period)
	}
	assert.Len(t, c.PriorActuals, len(keys))
	// Boston Public Schools, all categories, checked against a sum of the
	// CSV computed here.
	want := decimal.Zero
	for _, r := range rows {
		if r["Dept"] == "Boston Public Schools" && r["FY23 Actual Expense"] != "#Missing" {
			want = want.Add(dec(r["FY23 Actual Expense"]))
		}
	}
	got := decimal.Zero
	for i := range accounts {
		a, _ := c.PriorActual("boston-public-schools", fmt.Sprintf("5%d00", i+1))
		got = got.Add(a)
	}
	assert.True(t, want.Round(2).Equal(got), "BPS: %s != %s", got, want)

	// sign: -1 flips the ledger's sign convention.
	f, err = Load(bostonCycle(t, data, depts, accounts, nil, "      sign: -1\n"))
	require.NoError(t, err)
	assert.True(t, totalOf(f.Cycle.PriorActuals).Equal(dec("-4059689437.60")))
}

func TestBostonUnmapped(t *testing.T) {
	data, rows := bostonRows(t)
	depts, accounts := distinct(rows, "Dept"), distinct(rows, "Expense Category")
	skip := map[string]bool{"Pensions": true, "Debt Service": true, "Equipment": true}
	path := bostonCycle(t, data, depts, accounts, skip, "")
	_, err := Load(path)
	require.Error(t, err)
	msg := err.Error()
	t.Log(msg)
	ledger := filepath.Join(filepath.Dir(path), "ledger", "boston.csv")
	for _, tc := range []struct{ role, col, value string }{
		{"department", "Dept", "Pensions"},
		{"department", "Dept", "Debt Service"},
		{"account", "Expense Category", "Equipment"},
	} {
		n, total, first := 0, decimal.Zero, 0
		for i, r := range rows {
			if r[tc.col] != tc.value || r["FY23 Actual Expense"] == "#Missing" {
				continue
			}
			if first == 0 {
				first = i + 2 // the header is line 1; no field spans lines
			}
			n++
			total = total.Add(dec(r["FY23 Actual Expense"]))
		}
		require.Positive(t, n)
		assert.Contains(t, msg, fmt.Sprintf("%s:%d: %s for unknown %s %q (total %s); map it under %ss: of the ledger at %s:",
			ledger, first, plural(n, "row"), tc.role, tc.value, formatAmount(total), tc.role, path))
	}
	assert.Len(t, strings.Split(msg, "\n"), 3)

	// Mapping the values makes it load, keeping every cent.
	fixed := bostonCycle(t, data, depts, accounts, skip,
		"      departments: {Pensions: reserve, Debt Service: reserve}\n      accounts: {Equipment: \"5100\"}\n")
	f, err := Load(fixed)
	require.NoError(t, err)
	assert.True(t, totalOf(f.Cycle.PriorActuals).Equal(dec("4059689437.60")))
}

// smallCycle is a cycle for the small ledger tests: FY2027 starting in
// February, so the prior year FY2026 runs from February 2025 to January
// 2026.
const smallCycle = `cycle: t
company: T
currency: USD
fiscal_year: 2027
start_month: Feb
departments:
  - {id: sales, name: Sales}
  - {id: mkt, name: Marketing}
  - {id: mkt2, name: Marketing}
accounts:
  - {code: "6200", name: Advertising, type: opex}
  - {code: HC, name: Heads, type: headcount}
prior_year:
  ledgers:
    - kind: %s
      file: gl.csv
      columns: {department: Dept, account: Account, amount: Amount, period: Month}
      missing: ["#Missing"]
%s`

// ledgerCycle returns the small cycle with a ledger kind and extra lines.
func ledgerCycle(kind, extra string) string { return fmt.Sprintf(smallCycle, kind, extra) }

func TestCSVLedger(t *testing.T) {
	gl := "Dept,Account,Amount,Month\n" +
		"sales,6200,10.004,1\n" +
		"sales,6200,10.004,1\n" +
		"Sales,Advertising,\"(5)\",2025-03-31\n" +
		"sales,HC,1.2345,13\n"
	f, err := Parse("cycle.yaml", []byte(ledgerCycle("plan", "")), fstest.MapFS{"gl.csv": {Data: []byte(gl)}})
	require.Error(t, err)
	assert.Equal(t, "gl.csv:5: period \"13\" is neither a fiscal period 1-12 nor a month such as 2026-03", err.Error())
	assert.Nil(t, f)

	gl = strings.Replace(gl, ",13", ",2026-01", 1)
	f, err = Parse("cycle.yaml", []byte(ledgerCycle("plan", "")), fstest.MapFS{"gl.csv": {Data: []byte(gl)}})
	require.NoError(t, err)
	assert.Empty(t, f.Cycle.PriorActuals)
	type amt struct {
		dept, acct string
		p          engine.Period
		amount     string
	}
	var got []amt
	for _, a := range f.Cycle.PriorPlan {
		got = append(got, amt{a.Department, a.Account, a.Period, a.Amount.String()})
	}
	assert.Equal(t, []amt{
		{"sales", "6200", 1, "20.01"}, // 10.004 + 10.004, then rounded
		{"sales", "6200", 2, "-5"},    // March 2025 is FY2026's second month
		{"sales", "HC", 12, "1.2345"}, // not money: every digit kept
	}, got)
}

func TestCSVLedgerMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, gl, extra string
		want            []string
	}{
		{"thousands separator", "Dept,Account,Amount,Month\nsales,6200,\"1,234.00\",1\n", "",
			[]string{`gl.csv:2: amount "1,234.00" uses a thousands separator`}},
		{"exponent", "Dept,Account,Amount,Month\nsales,6200,1.5E+06,1\n", "",
			[]string{`gl.csv:2: amount "1.5E+06" uses an exponent`}},
		{"currency sign", "Dept,Account,Amount,Month\nsales,6200,$12,1\n", "",
			[]string{`gl.csv:2: amount "$12" is not a number`}},
		{"empty amount not listed as missing", "Dept,Account,Amount,Month\nsales,6200,#Missing,1\nsales,6200,,1\n", "",
			[]string{`gl.csv:3: amount is empty; list "" under missing: to skip rows without an amount`}},
		{"month outside the prior year", "Dept,Account,Amount,Month\nsales,6200,1,2026-02\n", "",
			[]string{`gl.csv:2: period 2026-02 is outside the prior fiscal year FY2026 (Feb 2025 to Jan 2026)`}},
		{"empty period", "Dept,Account,Amount,Month\nsales,6200,1,\n", "",
			[]string{`gl.csv:2: period is empty`}},
		{"unknown department", "Dept,Account,Amount,Month\nParks Dept,6200,1000,1\nsales,6200,1,1\nParks Dept,6200,234,2\nParks Dept,6200,#Missing,2\n", "",
			[]string{`gl.csv:2: 2 rows for unknown department "Parks Dept" (total 1,234.00); map it under departments: of the ledger at cycle.yaml:15`}},
		{"typo in a department", "Dept,Account,Amount,Month\nsaels,6200,1,1\n", "",
			[]string{`gl.csv:2: 1 row for unknown department "saels" (total 1.00); map it under departments: of the ledger at cycle.yaml:15 (did you mean "sales"?)`}},
		{"unknown account", "Dept,Account,Amount,Month\nsales,Travel,-3.5,1\n", "",
			[]string{`gl.csv:2: 1 row for unknown account "Travel" (total -3.50); map it under accounts: of the ledger at cycle.yaml:15`}},
		{"empty department", "Dept,Account,Amount,Month\n,6200,7,1\n", "",
			[]string{`gl.csv:2: 1 row with an empty department (total 7.00); fill the department in, or map "" under departments:`}},
		{"ambiguous name", "Dept,Account,Amount,Month\nmarketing,6200,7,1\n", "",
			[]string{`gl.csv:2: 1 row for department "marketing" (total 7.00), a name several departments share; map it under departments:`}},
		{"column not in the header", "Dept,Acount,Amount,Month\nsales,6200,1,1\n", "",
			[]string{`cycle.yaml:17: ledger "gl.csv": columns: account column "Account" is not in the header of gl.csv (did you mean "Acount"?)`}},
		{"column twice", "Dept,Account,Amount,Month,Amount\nsales,6200,1,1,2\n", "",
			[]string{`cycle.yaml:17: ledger "gl.csv": columns: amount column "Amount" appears more than once in the header of gl.csv`}},
		{"column missing, no suggestion", "Dept,Account,Value,Month\nsales,6200,1,1\n", "",
			[]string{`columns: amount column "Amount" is not in the header of gl.csv; the header holds: Dept, Account, Value, Month`}},
		{"ragged row", "Dept,Account,Amount,Month\nsales,6200,1\nsales,6200,1,1,\n", "",
			[]string{`gl.csv:2: the row has 3 fields; the header has 4`, `gl.csv:3: the row has 5 fields; the header has 4`}},
		{"bare quote", "Dept,Account,Amount,Month\nsales,62\"00,1,1\n", "",
			[]string{`gl.csv:2: invalid CSV: bare " in non-quoted-field`}},
		{"empty file", "", "",
			[]string{`gl.csv: the ledger is empty; it needs a header row naming its columns`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := problemsOf(t, ledgerCycle("actuals", tc.extra), fstest.MapFS{"gl.csv": {Data: []byte(tc.gl)}})
			all := strings.Join(ps, "\n")
			for _, w := range tc.want {
				assert.Contains(t, all, w)
			}
		})
	}
	ps := problemsOf(t, ledgerCycle("actuals", ""), fstest.MapFS{})
	assert.Equal(t, []string{`cycle.yaml:15: ledger "gl.csv": ledger file "gl.csv" does not exist (ledger paths are relative to the cycle file's folder)`}, ps)
	ps = problemsOf(t, ledgerCycle("actuals", ""), nil)
	assert.Equal(t, []string{`cycle.yaml:15: ledger "gl.csv": cannot read "gl.csv": no folder was given to read ledgers from`}, ps)
	ps = problemsOf(t, ledgerCycle("actuals", ""), fstest.MapFS{"gl.csv/x": {}})
	assert.Equal(t, []string{`cycle.yaml:15: ledger "gl.csv": ledger file "gl.csv" is a folder`}, ps)
	// A ledger is not read while the cycle has problems of its own.
	ps = problemsOf(t, strings.Replace(ledgerCycle("actuals", ""), "currency: USD", "currency: usd", 1), fstest.MapFS{})
	assert.Equal(t, []string{`cycle.yaml:3: currency "usd" is not a three-letter ISO code such as USD`}, ps)
}

func TestLedgerAmountText(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12", "-12.5": "-12.5", "+3": "3", "(12.50)": "-12.5", " ( 7 ) ": "-7", "0": "0", ".25": "0.25",
		"1234567.891": "1234567.891",
	} {
		d, why := parseLedgerAmount(in)
		require.Empty(t, why, in)
		assert.True(t, d.Equal(dec(want)), "%s: %s", in, d)
	}
	for _, in := range []string{"", "()", "(-5)", "1,000", "1.5E+06", "$5", "5-", "--5", "1.2.3", "NaN", "Infinity", "0x1F", "12 500", "(5", "٣"} {
		_, why := parseLedgerAmount(in)
		assert.NotEmpty(t, why, in)
	}
}

func TestLedgerSymlinkOutOfFolder(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "gl.csv"), []byte("Dept,Account,Amount,Month\nsales,6200,1,1\n"), 0o644))
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "gl.csv"), filepath.Join(dir, "gl.csv")); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	path := filepath.Join(dir, "cycle.yaml")
	require.NoError(t, os.WriteFile(path, []byte(ledgerCycle("actuals", "")), 0o644))
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+`:15: ledger "gl.csv": ledger file "gl.csv" leads out of the cycle file's folder`)

	// The same ledger inside the folder loads.
	require.NoError(t, os.Remove(filepath.Join(dir, "gl.csv")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gl.csv"), []byte("Dept,Account,Amount,Month\nsales,6200,1,1\n"), 0o644))
	f, err := Load(path)
	require.NoError(t, err)
	assert.Len(t, f.Cycle.PriorActuals, 1)
}
