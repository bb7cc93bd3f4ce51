package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/keys"
	"aop/engine"
	"aop/excel"
	"aop/templates"
)

// bostonCSV is the City of Boston FY25 adopted operating budget with actuals
// (../shared/fixtures/budgets, see its README for the published totals).
func bostonCSV(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "fixtures", "budgets", "boston-fy25-operating-budget.csv")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Boston budget fixture missing in CI: %v", err)
		}
		t.Skipf("shared fixtures not found beside the checkout: %v", err)
	}
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}

var nonID = regexp.MustCompile(`[^a-z0-9]+`)

func slug(prefix, s string, taken map[string]bool) string {
	id := prefix + strings.Trim(nonID.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(id) > 60 {
		id = id[:60]
	}
	base := id
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	taken[id] = true
	return id
}

type bostonRow struct{ cabinet, dept, program, category, fy23, fy25 string }

// bostonCycle writes a cycle file for Boston: cabinets → departments →
// programs (the leaves that plan), the seven expense categories as
// accounts, FY25 Budget as targets and FY23 actuals as the prior year,
// loaded from the CSV ledger itself with "#Missing" as absent.
func bostonCycle(t *testing.T, dir string) (string, []bostonRow, map[string]string) {
	f, err := os.Open(bostonCSV(t))
	require.NoError(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "boston.csv"), mustRead(t, bostonCSV(t)), 0o644))

	taken := map[string]bool{}
	cabinets, depts, programs := map[string]string{}, map[string]string{}, map[string]string{}
	accounts := map[string]string{}
	var rows []bostonRow
	var y strings.Builder
	y.WriteString("cycle: boston-fy2025\ncompany: City of Boston\ncurrency: USD\nfiscal_year: 2025\nstart_month: July\nlines: 10\nsigning_key_file: signing.key\ndepartments:\n")
	for _, r := range records[1:] {
		row := bostonRow{r[0], r[1], r[2], r[3], r[5], r[7]}
		rows = append(rows, row)
		if _, ok := cabinets[row.cabinet]; !ok {
			cabinets[row.cabinet] = slug("c-", row.cabinet, taken)
			fmt.Fprintf(&y, "  - {id: %s, name: %q}\n", cabinets[row.cabinet], row.cabinet)
		}
		dk := row.cabinet + "|" + row.dept
		if _, ok := depts[dk]; !ok {
			depts[dk] = slug("d-", row.dept, taken)
			fmt.Fprintf(&y, "  - {id: %s, name: %q, parent: %s}\n", depts[dk], row.dept, cabinets[row.cabinet])
		}
		pk := dk + "|" + row.program
		if _, ok := programs[pk]; !ok {
			programs[pk] = slug("p-", row.dept+" "+row.program, taken)
			fmt.Fprintf(&y, "  - {id: %s, name: %q, parent: %s}\n", programs[pk], row.program, depts[dk])
		}
		if _, ok := accounts[row.category]; !ok {
			accounts[row.category] = fmt.Sprintf("%d", 5100+100*len(accounts))
		}
	}
	y.WriteString("accounts:\n")
	for _, cat := range []string{"Personnel Services", "Contractual Services", "Supplies & Materials", "Current Charges & Obligations", "Equipment", "Fixed Expenses", "Other Expenses"} {
		fmt.Fprintf(&y, "  - {code: %q, name: %q, type: opex}\n", accounts[cat], cat)
	}
	y.WriteString("targets:\n")
	for _, r := range rows {
		if r.fy25 == "#Missing" {
			continue
		}
		fmt.Fprintf(&y, "  - {department: %s, account: %q, amount: %s}\n", programs[r.cabinet+"|"+r.dept+"|"+r.program], accounts[r.category], r.fy25)
	}
	y.WriteString("prior_year:\n  ledgers:\n    - kind: actuals\n      file: boston.csv\n      columns: {department: Program, account: Expense Category, amount: FY23 Actual Expense}\n      missing: [\"#Missing\"]\n      departments:\n")
	for k, id := range programs {
		fmt.Fprintf(&y, "        %q: %s\n", strings.SplitN(k, "|", 3)[2], id)
	}
	path := filepath.Join(dir, "boston.yaml")
	require.NoError(t, os.WriteFile(path, []byte(y.String()), 0o644))
	_, err = keys.Create(filepath.Join(dir, "signing.key"))
	require.NoError(t, err)
	byProgram := map[string]string{}
	for k, id := range programs {
		byProgram[k] = id
	}
	for cat, code := range accounts {
		byProgram["account:"+cat] = code
	}
	for k, id := range cabinets {
		byProgram["cabinet:"+k] = id
	}
	return path, rows, byProgram
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

// TestBostonBudgetToTheCent runs the loop on the City of Boston FY25
// budget: generate a workbook per program, type each program's FY25 amounts
// spread over twelve months into its input cells through the excel driver,
// harvest, consolidate what was harvested, and reproduce the published
// totals to the cent.
func TestBostonBudgetToTheCent(t *testing.T) {
	if testing.Short() {
		t.Skip("230 workbooks: skipped with -short")
	}
	dir := t.TempDir()
	cyclePath, rows, ids := bostonCycle(t, dir)
	cf, err := cyclefile.Load(cyclePath)
	require.NoError(t, err)
	c := cf.Cycle
	require.Len(t, c.Leaves(), 230)
	prior := decimal.Zero
	for _, a := range c.PriorActuals {
		prior = prior.Add(a.Amount)
	}
	assert.Equal(t, "4059689437.6", prior.String(), "FY23 actuals loaded from the ledger")

	code, out, errOut := aop(t, nil, "generate", "--cycle", cyclePath, "--out", dir)
	require.Equal(t, 0, code, out+errOut)

	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	type line struct {
		account string
		annual  decimal.Decimal
	}
	plans := map[string][]line{}
	for _, r := range rows {
		if r.fy25 == "#Missing" {
			continue
		}
		id := ids[r.cabinet+"|"+r.dept+"|"+r.program]
		plans[id] = append(plans[id], line{ids["account:"+r.category], decimal.RequireFromString(r.fy25)})
	}
	var files []string
	for _, d := range c.Leaves() {
		path := filepath.Join(dir, "departments", d.ID+".xlsx")
		files = append(files, path)
		sub := &engine.Submission{Department: d.ID}
		for _, l := range plans[d.ID] {
			el := engine.Line{Account: l.account}
			copy(el.Months[:], engine.SpreadEvenly(l.annual, engine.MonthsPerYear))
			sub.Lines = append(sub.Lines, el)
		}
		in, err := tpl.Inputs(sub)
		require.NoError(t, err)
		edits := make([]excel.Edit, len(in))
		for i, x := range in {
			edits[i] = excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value}
		}
		require.NoError(t, excel.EditFile(path, edits))
	}

	// What was harvested: each line's twelve months add back to its annual
	// amount to the cent.
	key, err := keys.Load(func(string) string { return "" }, cf.SigningKeyFile)
	require.NoError(t, err)
	h, err := harvest.New(c, key)
	require.NoError(t, err)
	for _, d := range c.Leaves() {
		r, err := h.File(context.Background(), filepath.Join(dir, "departments", d.ID+".xlsx"), d.ID)
		require.NoError(t, err)
		require.Equal(t, harvest.Valid, r.Status, "%s: %v", d.ID, r.Findings)
		require.Len(t, r.Submission.Lines, len(plans[d.ID]), d.ID)
		for i, l := range plans[d.ID] {
			assert.Equal(t, l.annual.StringFixed(2), r.Submission.Lines[i].Total().StringFixed(2), "%s line %d", d.ID, i)
		}
	}

	summary := filepath.Join(dir, "summary.xlsx")
	code, out, errOut = aop(t, nil, append([]string{"consolidate", "--cycle", cyclePath, "--out", summary, "--json"}, files...)...)
	require.Equal(t, 0, code, errOut)
	var doc consolidateReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	totals := map[string]string{}
	for _, d := range doc.Departments {
		totals[d.ID] = d.Plan.Costs
	}
	assert.Equal(t, "4636924670.23", doc.Company.Plan.Costs, "FY25 total")
	assert.Equal(t, "1526629446.00", totals[ids["cabinet:Education Cabinet"]], "Education Cabinet")
	assert.Equal(t, "782550370.67", totals[ids["cabinet:Public Safety Cabinet"]], "Public Safety Cabinet")
	assert.Equal(t, "4636924670.23", doc.Company.Target.Costs, "the FY25 budget is the target")
	assert.Equal(t, "0.00", doc.Company.Gap.Costs, "planned exactly as budgeted")
}
