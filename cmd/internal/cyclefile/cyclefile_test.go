package cyclefile

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// problemsOf parses a cycle file named cycle.yaml and returns its problems
// as strings, failing if it parses.
func problemsOf(t *testing.T, src string, fsys fs.FS) []string {
	t.Helper()
	f, err := Parse("cycle.yaml", []byte(src), fsys)
	require.Error(t, err, "parsed: %+v", f)
	var e *Error
	require.True(t, errors.As(err, &e), "error %T", err)
	var out []string
	for _, p := range e.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestLoadValid(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "valid", "cycle.yaml"))
	require.NoError(t, err)
	c := f.Cycle
	require.NoError(t, c.Validate())

	assert.Equal(t, filepath.Join("testdata", "valid", "cycle.yaml"), f.Path)
	assert.Equal(t, filepath.Join("testdata", "valid", "signing.key"), f.SigningKeyFile)
	assert.Equal(t, "acme-fy2027", c.ID)
	assert.Equal(t, "Acme Analytics Inc.", c.Company)
	assert.Equal(t, "USD", c.Currency)
	assert.Equal(t, engine.FiscalYear{Year: 2027, StartMonth: time.February}, c.Year)
	assert.Equal(t, 120, c.Lines)

	assert.Equal(t, []engine.Department{
		{ID: "gtm", Name: "Go-to-market", Owner: "cro@acme.example"},
		{ID: "sales", Name: "Sales", Parent: "gtm", Owner: "dana@acme.example"},
		{ID: "marketing", Name: "Marketing", Parent: "gtm"},
		{ID: "rnd", Name: "Research & Development"},
	}, c.Departments)

	assert.Equal(t, []engine.Account{
		{Code: "4000", Name: "Subscription revenue", Type: engine.Revenue, Favourable: engine.Higher, Group: "Revenue", Departments: []string{"sales"}},
		{Code: "5000", Name: "Hosting", Type: engine.COGS, Favourable: engine.Lower},
		{Code: "6100", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower, Group: "Personnel"},
		{Code: "6200", Name: "Advertising", Type: engine.OpEx, Favourable: engine.Higher, Group: "Marketing"},
		{Code: "HC", Name: "Headcount", Type: engine.Headcount, Favourable: engine.Lower},
		{Code: "NPS", Name: "Net promoter score", Type: engine.KPI, Favourable: engine.Higher},
	}, c.Accounts)

	assert.Equal(t, []engine.Dimension{
		{ID: "project", Name: "Project", Members: []engine.Member{{ID: "apollo", Name: "Apollo"}, {ID: "zeus", Name: "zeus"}}},
		{ID: "channel", Name: "Channel", Members: []engine.Member{{ID: "direct", Name: "direct"}, {ID: "partner", Name: "partner"}}},
	}, c.Dimensions)

	require.Len(t, c.Targets, 2+12)
	assert.Equal(t, engine.Target{Department: "sales", Account: "4000"}, withoutAmount(c.Targets[0]))
	assert.True(t, c.Targets[0].Amount.Equal(dec("12000000")))
	assert.Equal(t, engine.Target{Department: "marketing", Group: "Marketing"}, withoutAmount(c.Targets[1]))
	assert.True(t, c.Targets[1].Amount.Equal(dec("1500000.50")))
	for p := 1; p <= 12; p++ {
		tg := c.Targets[1+p]
		assert.Equal(t, engine.Period(p), tg.Period)
		assert.Equal(t, "rnd", tg.Department)
		assert.Equal(t, "6100", tg.Account)
	}
	assert.True(t, c.Targets[13].Amount.Equal(dec("-1234.57")), "money targets are rounded to cents: %s", c.Targets[13].Amount)

	type amt struct {
		dept, acct string
		p          engine.Period
		amount     string
	}
	got := func(as []engine.Amount) []amt {
		var out []amt
		for _, a := range as {
			out = append(out, amt{a.Department, a.Account, a.Period, a.Amount.String()})
		}
		return out
	}
	assert.Equal(t, []amt{
		{"sales", "4000", 0, "9000000"},
		{"rnd", "HC", 0, "12.5"}, // headcount is not money: not rounded
		// from ledger/fy26.csv: BOM, CRLF, quoted cells, names matched
		// ignoring case, explicit maps, parentheses negatives, calendar
		// months mapped through FY2026 (Feb 2025 - Jan 2026).
		{"sales", "6200", 1, "1000.1"},
		{"sales", "6200", 12, "-200.05"},
		{"rnd", "6100", 3, "75000.01"}, // 50000 + 25000.005, added up then rounded
		{"marketing", "6200", 5, "300"},
	}, got(c.PriorActuals))
	require.Len(t, c.PriorPlan, 12)
	assert.Equal(t, engine.Period(12), c.PriorPlan[11].Period)
	assert.Equal(t, "12", c.PriorPlan[11].Amount.String())

	assert.Equal(t, []engine.Rule{
		{ID: "explain-growth", Kind: engine.RuleExplainGrowth, Threshold: dec("0.15"), Accounts: []string{"Personnel"}, Level: engine.Error},
		{ID: "cap-hosting", Kind: engine.RuleMaxGrowth, Threshold: dec("0.5"), Accounts: []string{"5000"}, Level: engine.Warning},
		{ID: "no-negative", Kind: engine.RuleNoNegative, Level: engine.Error},
	}, normRules(c.Rules))
}

// withoutAmount clears a target's amount, which assert.Equal cannot compare.
func withoutAmount(t engine.Target) engine.Target {
	t.Amount = decimal.Decimal{}
	return t
}

// normRules makes thresholds comparable with assert.Equal.
func normRules(rs []engine.Rule) []engine.Rule {
	out := make([]engine.Rule, len(rs))
	for i, r := range rs {
		if !r.Threshold.IsZero() {
			r.Threshold = dec(r.Threshold.String())
		}
		out[i] = r
	}
	return out
}

func TestShorthands(t *testing.T) {
	const head = "cycle: x\ncompany: X\ncurrency: EUR\nfiscal_year: 2026\n" +
		"departments: [{id: a, name: A}]\naccounts: [{code: 1, name: One, type: opex}]\n"
	for _, tc := range []struct {
		src   string
		month time.Month
	}{
		{"", time.January},
		{"start_month: 7", time.July},
		{"start_month: jul", time.July},
		{"start_month: JULY", time.July},
		{"start_month: Sept", time.September},
		{"start_month: \"10\"", time.October},
	} {
		f, err := Parse("c.yaml", []byte(head+tc.src), nil)
		require.NoError(t, err, tc.src)
		assert.Equal(t, tc.month, f.Cycle.Year.StartMonth, tc.src)
		assert.Equal(t, "1", f.Cycle.Accounts[0].Code)
		assert.Equal(t, "", f.SigningKeyFile)
	}
	for _, tc := range []struct{ src, want string }{
		{"threshold: 15%", "0.15"},
		{"threshold: \"12.5 %\"", "0.125"},
		{"threshold: 0.15", "0.15"},
		{"threshold: 150%", "1.5"},
		{"threshold: 1", "1"},
	} {
		f, err := Parse("c.yaml", []byte(head+"rules:\n  - id: r\n    kind: max_growth\n    "+tc.src+"\n"), nil)
		require.NoError(t, err, tc.src)
		assert.True(t, f.Cycle.Rules[0].Threshold.Equal(dec(tc.want)), "%s: %s", tc.src, f.Cycle.Rules[0].Threshold)
	}
	for _, tc := range []struct{ src, want string }{
		{"amount: 1234.56", "1234.56"},
		{"amount: \"1234.56\"", "1234.56"},
		{"amount: -20", "-20"},
		{"amount: +7", "7"},
		{"amount: .5", "0.5"},
		{"amount: 0.125", "0.13"}, // opex: money, rounded to cents half away from zero
		{"amount: 123456789012345678", "123456789012345678"},
	} {
		f, err := Parse("c.yaml", []byte(head+"targets:\n  - department: a\n    account: \"1\"\n    "+tc.src+"\n"), nil)
		require.NoError(t, err, tc.src)
		assert.True(t, f.Cycle.Targets[0].Amount.Equal(dec(tc.want)), "%s: %s", tc.src, f.Cycle.Targets[0].Amount)
	}
	f, err := Parse(filepath.Join("plans", "c.yaml"), []byte(head+"signing_key_file: keys/k.pem\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("plans", "keys", "k.pem"), f.SigningKeyFile)
	f, err = Parse(filepath.Join("plans", "c.yaml"), []byte(head+"signing_key_file: /etc/aop/k.pem\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, "/etc/aop/k.pem", f.SigningKeyFile)
}

// head is the first four lines of a cycle file in the mistake tests.
const head = "cycle: t\ncompany: T\ncurrency: USD\nfiscal_year: 2027\n"

// depts and accts are two-department and two-account sections, each of
// four lines.
const (
	depts = "departments:\n  - {id: a, name: A}\n  - id: b\n    name: B\n"
	accts = "accounts:\n  - {code: \"1\", name: One, type: opex, group: G}\n  - code: \"2\"\n    name: Two\n    type: revenue\n"
)

// lines joins lines into a file.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestMistakes(t *testing.T) {
	// The base file is head (lines 1-4), depts (5-8), accts (9-13); each
	// case's own lines start at line 14.
	base := head + depts + accts
	for _, tc := range []struct {
		name string
		src  string
		want []string
		not  []string
	}{
		{"unknown top-level field", base + lines("compny: Acme"),
			[]string{`cycle.yaml:14: unknown field "compny" (did you mean "company"?)`}, nil},
		{"unknown field without suggestion lists the fields", base + lines("colour: red"),
			[]string{`cycle.yaml:14: unknown field "colour" (fields: cycle, company,`}, nil},
		{"unknown department field", head + lines("departments:", "  - id: sales", "    name: Sales", "    ownr: d@acme.example") + accts,
			[]string{`cycle.yaml:8: department "sales": unknown field "ownr" (did you mean "owner"?)`}, nil},
		{"unknown account field", head + depts + lines("accounts:", "  - code: \"1\"", "    name: One", "    typ: opex"),
			[]string{`cycle.yaml:12: account "1": unknown field "typ" (did you mean "type"?)`}, nil},
		{"unknown member field", base + lines("dimensions:", "  - id: p", "    name: P", "    members:", "      - {id: x, nme: X}"),
			[]string{`cycle.yaml:18: dimension "p": member "x": unknown field "nme" (did you mean "name"?)`}, nil},
		{"unknown ledger column field", base + lines("prior_year:", "  ledgers:", "    - kind: actuals", "      file: l.csv",
			"      columns:", "        department: D", "        account: A", "        amount: X", "        perod: P"),
			[]string{`cycle.yaml:22: ledger "l.csv": columns: unknown field "perod" (did you mean "period"?)`}, nil},
		{"unknown prior_year field", base + lines("prior_year:", "  actual: []"),
			[]string{`cycle.yaml:15: prior_year: unknown field "actual" (did you mean "actuals"?)`}, nil},
		{"field given twice", head + lines("departments:", "  - id: a", "    name: A", "    name: B") + accts,
			[]string{`cycle.yaml:8: department "a": field "name" is given twice (first on line 7)`}, nil},

		{"list expected", head + lines("departments: sales") + accts,
			[]string{`cycle.yaml:5: departments must be a list (- item, or [a, b]), not text ("sales")`}, nil},
		{"text expected", head + lines("departments:", "  - id: a", "    name: [A, B]") + accts,
			[]string{`cycle.yaml:7: department "a": name must be text, not a list`}, nil},
		{"mapping expected", head + lines("departments:", "  - a") + accts,
			[]string{`cycle.yaml:6: department #1: a department must be a mapping of fields (key: value), not text ("a")`}, nil},
		{"year not a number", "cycle: t\ncompany: T\ncurrency: USD\nfiscal_year: twenty\n" + depts + accts,
			[]string{`cycle.yaml:4: fiscal_year must be a whole number, not text ("twenty")`}, []string{"out of range"}},
		{"year missing", "cycle: t\ncompany: T\ncurrency: USD\n" + depts + accts,
			[]string{`cycle.yaml: fiscal_year is missing`}, []string{"out of range"}},
		{"year out of range", "cycle: t\ncompany: T\ncurrency: USD\nfiscal_year: 27\n" + depts + accts,
			[]string{`cycle.yaml:4: fiscal_year must be a whole number from 1900 to 9999, not 27`}, nil},
		{"bad month", base + lines("start_month: Febuary"),
			[]string{`cycle.yaml:14: start_month must be a month number from 1 to 12 or a month name`}, nil},
		{"month 13", base + lines("start_month: 13"),
			[]string{`cycle.yaml:14: start_month must be a month number`}, []string{"fiscal year start month"}},
		{"lines", base + lines("lines: many"),
			[]string{`cycle.yaml:14: lines must be a whole number, not text ("many")`}, nil},

		{"amount with a letter O", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: 12,5OO"),
			[]string{`cycle.yaml:17: target #1 (a 1): amount "12,5OO" is not a number`}, nil},
		{"thousands separator", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: \"1,234.56\""),
			[]string{`cycle.yaml:17: target #1 (a 1): amount "1,234.56" uses a thousands separator`}, nil},
		{"exponent", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: 1e6"),
			[]string{`cycle.yaml:17: target #1 (a 1): amount "1e6" uses an exponent`}, nil},
		{"nan", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: .nan"),
			[]string{`amount ".nan" is not a finite number`}, nil},
		{"hex", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: 0x10"),
			[]string{`amount "0x10" is not a decimal number`}, nil},
		{"too many digits", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: 1234567890123456789"),
			[]string{`cycle.yaml:17: target #1 (a 1): amount "1234567890123456789" has more than 18 digits`}, nil},
		{"bool amount", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: true"),
			[]string{`cycle.yaml:17: target #1 (a 1): amount must be a number, not true/false`}, nil},
		{"11 months", base + lines("targets:", "  - department: a", "    account: \"1\"", "    months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]"),
			[]string{`cycle.yaml:17: target #1 (a 1): months holds 11 amounts; give exactly 12`}, nil},
		{"bad month amount", base + lines("targets:", "  - department: a", "    account: \"1\"", "    months:",
			"      - 1", "      - 2", "      - 3", "      - 4", "      - 5", "      - x6", "      - 7", "      - 8", "      - 9", "      - 10", "      - 11", "      - 12"),
			[]string{`cycle.yaml:23: target #1 (a 1): month 6 "x6" is not a number`}, nil},
		{"amount and months", base + lines("targets:", "  - department: a", "    account: \"1\"", "    amount: 1", "    months: []"),
			[]string{`cycle.yaml:18: target #1 (a 1): give amount (the year) or months (12 monthly amounts), not both`}, nil},
		{"no amount", base + lines("targets:", "  - department: a", "    account: \"1\""),
			[]string{`cycle.yaml:15: target #1 (a 1): amount is missing`}, nil},

		{"unknown parent", head + lines("departments:", "  - id: a", "    name: A", "    parent: zz") + accts,
			[]string{`cycle.yaml:8: department "a" has unknown parent "zz"`}, nil},
		{"own ancestor", head + lines("departments:", "  - {id: a, name: A, parent: b}", "  - {id: b, name: B, parent: a}") + accts,
			[]string{`cycle.yaml:6: department "a" is its own ancestor`, `cycle.yaml:7: department "b" is its own ancestor`}, nil},
		{"duplicate department", head + lines("departments:", "  - {id: a, name: A}", "  - id: b", "    name: B", "  - id: a", "    name: A again") + accts,
			[]string{`cycle.yaml:9: department "a" is listed twice`}, nil},
		{"duplicate account", head + depts + lines("accounts:", "  - {code: \"1\", name: One, type: opex}", "  - {code: 1, name: Uno, type: opex}"),
			[]string{`cycle.yaml:11: account "1" is listed twice`}, nil},
		{"bad department id", head + lines("departments:", "  - {id: a b, name: A}") + accts,
			[]string{`cycle.yaml:6: department id "a b" may hold only letters`}, nil},
		{"bad account type", head + depts + lines("accounts:", "  - code: \"1\"", "    name: One", "    type: opx"),
			[]string{`cycle.yaml:12: account "1" has type "opx"; use revenue, cogs, opex, headcount or kpi`}, []string{"favourable"}},
		{"account limited to unknown department", head + depts + lines("accounts:", "  - code: \"1\"", "    name: One", "    type: opex", "    departments: [a, zz]"),
			[]string{`cycle.yaml:13: account "1" is limited to unknown department "zz"`}, nil},
		{"no code", head + depts + lines("accounts:", "  - {code: \"1\", name: One, type: opex}", "  - {name: Two, type: opex}"),
			[]string{`cycle.yaml:11: an account has no code`}, nil},
		{"unknown account in target", base + lines("targets:", "  - department: a", "    amount: 5", "    account: \"9\""),
			[]string{`cycle.yaml:17: target for "a" names unknown account "9"`}, nil},
		{"target for unknown department", base + lines("targets:", "  - account: \"1\"", "    amount: 5", "    department: zz"),
			[]string{`cycle.yaml:17: target for unknown department "zz"`}, nil},
		{"group target with unknown group", base + lines("targets:", "  - department: a", "    amount: 5", "    group: Personnel"),
			[]string{`cycle.yaml:17: target for "a" names unknown account group "Personnel"`}, nil},
		{"account and group", base + lines("targets:", "  - {department: b, account: \"1\", group: G, amount: 5}"),
			[]string{`cycle.yaml:15: target for "b" must name exactly one of account and group`}, nil},
		{"prior-year actual for unknown account", base + lines("prior_year:", "  actuals:", "    - {department: a, account: \"1\", amount: 1}", "    - department: b", "      account: \"7\"", "      amount: 1"),
			[]string{`cycle.yaml:18: prior-year actual for "b" names unknown account "7"`}, nil},
		{"prior-year plan for unknown department", base + lines("prior_year:", "  plan:", "    - department: zz", "      account: \"1\"", "      amount: 1"),
			[]string{`cycle.yaml:16: prior-year plan for unknown department "zz"`}, nil},
		{"bad e-mail", head + lines("departments:", "  - id: a", "    name: A", "    owner: dana at acme") + accts,
			[]string{`cycle.yaml:8: department "a": owner "dana at acme" is not an e-mail address`}, nil},
		{"e-mail with a display name", head + lines("departments:", "  - id: a", "    name: A", "    owner: Dana <dana@acme.example>") + accts,
			[]string{`cycle.yaml:8: department "a": owner "Dana <dana@acme.example>" is not an e-mail address`}, nil},
		{"duplicate member", base + lines("dimensions:", "  - id: p", "    name: P", "    members: [x, x]"),
			[]string{`cycle.yaml:17: dimension "p": member "x" is empty or listed twice`}, nil},

		{"unknown rule kind", base + lines("rules:", "  - id: r", "    kind: max_grwth", "    threshold: 10%"),
			[]string{`cycle.yaml:16: rule "r" has unknown kind "max_grwth"`}, nil},
		{"threshold without percent", base + lines("rules:", "  - id: r", "    kind: max_growth", "    threshold: 15"),
			[]string{`cycle.yaml:17: rule "r": threshold "15" reads as 1500%; write "15%" if you mean 15 percent`}, nil},
		{"threshold not a number", base + lines("rules:", "  - id: r", "    kind: max_growth", "    threshold: lots"),
			[]string{`cycle.yaml:17: rule "r": threshold "lots" is not a number`}, nil},
		{"missing threshold", base + lines("rules:", "  - id: r", "    kind: explain_growth"),
			[]string{`cycle.yaml:15: rule "r" needs a positive threshold`}, nil},
		{"threshold on no_negative", base + lines("rules:", "  - id: r", "    kind: no_negative", "    threshold: 5%"),
			[]string{`cycle.yaml:17: rule "r": a no_negative rule takes no threshold`}, nil},
		{"bad level", base + lines("rules:", "  - id: r", "    kind: no_negative", "    level: fatal"),
			[]string{`cycle.yaml:17: rule "r": level must be error or warning`}, nil},
		{"rule names unknown account", base + lines("rules:", "  - id: r", "    kind: no_negative", "    accounts: [G, Travel]"),
			[]string{`cycle.yaml:17: rule "r" names unknown account or group "Travel"`}, nil},
		{"rule without id", base + lines("rules:", "  - kind: no_negative"),
			[]string{`cycle.yaml:15: rule #1: id is missing`}, nil},
		{"rule id twice", base + lines("rules:", "  - {id: r, kind: no_negative}", "  - {id: r, kind: no_negative}"),
			[]string{`cycle.yaml:16: rule "r": rule id is used twice (first on line 15)`}, nil},

		{"yaml syntax", base + lines("targets:", "  - department: a", "   account: 1"),
			[]string{`cycle.yaml:16: invalid YAML:`}, nil},
		{"tab indentation", base + lines("targets:", "\t- department: a"),
			[]string{`cycle.yaml:15: invalid YAML:`}, nil},
		{"alias", head + lines("departments:", "  - &d {id: a, name: A}", "  - *d") + accts,
			[]string{`cycle.yaml:7: department #2: aliases (*d) are not supported`}, nil},
		{"two documents", base + lines("---", "cycle: u"),
			[]string{`cycle.yaml:14: the file holds a second YAML document`}, nil},
		{"empty", "", []string{`cycle.yaml: the file is empty`}, nil},
		{"comments only", "# nothing\n", []string{`cycle.yaml: the file is empty`}, nil},
		{"not a mapping", "- a\n- b\n", []string{`cycle.yaml:1: the file must be a mapping of fields (key: value), not a list`}, nil},
		{"missing everything", "cycle: t\n",
			[]string{`cycle.yaml: company is missing`, `cycle.yaml: no departments`, `cycle.yaml: fiscal_year is missing`}, nil},
		{"bad currency", "cycle: t\ncompany: T\ncurrency: usd\nfiscal_year: 2027\n" + depts + accts,
			[]string{`cycle.yaml:3: currency "usd" is not a three-letter ISO code`}, nil},

		{"ledger outside the folder", base + lines("prior_year:", "  ledgers:", "    - kind: actuals", "      file: ../secret/gl.csv",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:17: ledger "../secret/gl.csv": file "../secret/gl.csv" is outside the cycle file's folder; put the ledger beside the cycle file`}, nil},
		{"ledger absolute", base + lines("prior_year:", "  ledgers:", "    - kind: actuals", "      file: /etc/gl.csv",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:17: ledger "/etc/gl.csv": file "/etc/gl.csv" is an absolute path; put the ledger beside the cycle file`}, nil},
		{"ledger kind", base + lines("prior_year:", "  ledgers:", "    - kind: actual", "      file: gl.csv",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:16: ledger "gl.csv": kind "actual" is not actuals or plan (did you mean "actuals"?)`}, nil},
		{"ledger extension", base + lines("prior_year:", "  ledgers:", "    - kind: plan", "      file: gl.xls",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:17: ledger "gl.xls": file "gl.xls" is not a .csv or .xlsx file`}, nil},
		{"ledger sheet on csv", base + lines("prior_year:", "  ledgers:", "    - kind: plan", "      file: gl.csv", "      sheet: GL",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:18: ledger "gl.csv": sheet applies only to .xlsx ledgers`}, nil},
		{"ledger columns", base + lines("prior_year:", "  ledgers:", "    - kind: plan", "      file: gl.csv",
			"      columns: {department: D, amount: X}"),
			[]string{`cycle.yaml:18: ledger "gl.csv": columns: account is missing`}, nil},
		{"ledger sign", base + lines("prior_year:", "  ledgers:", "    - kind: plan", "      file: gl.csv", "      sign: 2",
			"      columns: {department: D, account: A, amount: X}"),
			[]string{`cycle.yaml:18: ledger "gl.csv": sign must be a whole number from -1 to 1, not 2`}, nil},
		{"ledger maps to unknown ids", base + lines("prior_year:", "  ledgers:", "    - kind: plan", "      file: gl.csv",
			"      columns: {department: D, account: A, amount: X}", "      departments:", "        Boston Public Schools: bps",
			"      accounts:", "        Personnel: \"3\""),
			[]string{`cycle.yaml:20: ledger "gl.csv": departments: "Boston Public Schools" maps to unknown department "bps"`,
				`cycle.yaml:22: ledger "gl.csv": accounts: "Personnel" maps to unknown account "3" (did you mean "1"?)`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := problemsOf(t, tc.src, nil)
			all := strings.Join(ps, "\n")
			for _, w := range tc.want {
				assert.Contains(t, all, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, all, n)
			}
		})
	}
}

func TestAllProblemsInLineOrder(t *testing.T) {
	src := head + lines(
		"departments:",
		"  - id: a",
		"    name: A",
		"    ownr: x",                     // 8
		"  - {id: b, name: B, parent: c}", // 9
		"accounts:",
		"  - {code: \"1\", name: One, type: opex}",
		"targets:",
		"  - {department: a, account: \"1\", amount: 1.2.3}", // 13
		"  - {department: a, account: \"2\", amount: 1}",     // 14
		"bogus: 1", // 15
	)
	ps := problemsOf(t, src, nil)
	require.Len(t, ps, 5, strings.Join(ps, "\n"))
	assert.Equal(t, []string{
		`cycle.yaml:8: department "a": unknown field "ownr" (did you mean "owner"?)`,
		`cycle.yaml:9: department "b" has unknown parent "c"`,
		`cycle.yaml:13: target #1 (a 1): amount "1.2.3" is not a number`,
		`cycle.yaml:14: target for "a" names unknown account "2"`,
		`cycle.yaml:15: unknown field "bogus" (fields: cycle, company, currency, fiscal_year, start_month, signing_key_file, lines, departments, accounts, dimensions, targets, prior_year, rules, actuals, cash, initiatives, playbooks, scenarios, triggers, ranges, history, capacities)`,
	}, ps)
}

func TestProblemLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(head + "departments:\n")
	for i := range 150 {
		fmt.Fprintf(&b, "  - {id: d%d, name: D, ownr: x}\n", i)
	}
	b.WriteString(accts)
	_, err := Parse("cycle.yaml", []byte(b.String()), nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Len(t, e.Problems, MaxProblems)
	assert.Equal(t, 50, e.Omitted)
	assert.True(t, strings.HasSuffix(e.Error(), "... and 50 more problems"))
	assert.Contains(t, e.Problems[0].String(), "cycle.yaml:6:")
}

func TestLimits(t *testing.T) {
	_, err := Parse("cycle.yaml", make([]byte, MaxFileSize+1), nil)
	require.ErrorContains(t, err, "larger than")
	_, err = Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.ErrorContains(t, err, "cannot read the cycle file")
}

func TestProblemString(t *testing.T) {
	assert.Equal(t, "c.yaml:3: x", Problem{File: "c.yaml", Line: 3, Message: "x"}.String())
	assert.Equal(t, "c.yaml: x", Problem{File: "c.yaml", Message: "x"}.String())
	assert.Equal(t, `l.xlsx: sheet "GL", row 4: x`, Problem{File: "l.xlsx", Sheet: "GL", Line: 4, Message: "x"}.String())
	assert.Equal(t, `l.xlsx: sheet "GL": x`, Problem{File: "l.xlsx", Sheet: "GL", Message: "x"}.String())
}

func TestFormatAmount(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0.00", "1234": "1,234.00", "-1234.5": "-1,234.50", "4059689437.6": "4,059,689,437.60",
		"123.456": "123.456", "100": "100.00", "-0.005": "-0.005",
	} {
		assert.Equal(t, want, formatAmount(dec(in)), in)
	}
}

func TestSuggest(t *testing.T) {
	assert.Equal(t, "owner", suggest("ownr", []string{"id", "name", "parent", "owner"}))
	assert.Equal(t, "name", suggest("Name", []string{"id", "name"}))
	assert.Equal(t, "", suggest("colour", []string{"id", "name"}))
	assert.Equal(t, "", suggest("x", []string{"id"}))
}
