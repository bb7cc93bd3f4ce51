package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/engine/actuals"
)

// TestActualsImportBoston imports the City of Boston's FY22 and FY23
// actual expense columns as fiscal-year totals: the totals of the
// fixture's README to the cent, "#Missing" absent (not zero), and the
// negative actuals kept.
func TestActualsImportBoston(t *testing.T) {
	dir := t.TempDir()
	cyclePath, rows, ids := bostonCycle(t, dir)
	var y strings.Builder
	y.WriteString("actuals:\n  mappings:\n    - name: boston\n      columns: {department: Program, account: Expense Category}\n")
	y.WriteString("      periods: {FY22 Actual Expense: FY2022, FY23 Actual Expense: FY2023}\n      missing: [\"#Missing\"]\n      departments:\n")
	for k, id := range ids {
		if parts := strings.SplitN(k, "|", 3); len(parts) == 3 {
			fmt.Fprintf(&y, "        %q: %s\n", parts[2], id)
		}
	}
	f, err := os.OpenFile(cyclePath, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(y.String())
	require.NoError(t, err)
	require.NoError(t, f.Close())

	code, out, errOut := aop(t, nil, "actuals", "import", "--cycle", cyclePath, filepath.Join(dir, "boston.csv"))
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "3,838,631,715.66")
	assert.Contains(t, out, "4,059,689,437.60")
	assert.NotContains(t, out, "unmapped")
	t.Log("\n" + out)

	cf, err := cyclefile.Load(cyclePath)
	require.NoError(t, err)
	book, recs, err := cyclefile.LoadActuals(filepath.Join(dir, "actuals"), cf.Cycle.ID)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, []actuals.Period{{Year: 2022}, {Year: 2023}}, book.Periods())
	fy22, fy23 := book.Set(actuals.Period{Year: 2022}), book.Set(actuals.Period{Year: 2023})
	assert.Equal(t, "3838631715.66", fy22.Total().StringFixed(2))
	assert.Equal(t, "4059689437.6", fy23.Total().Round(2).String())

	// Each row's amount is there exactly; #Missing is absent, 0 is zero.
	var missing22, zero23, negatives int
	for _, r := range rows {
		id, acct := ids[r.cabinet+"|"+r.dept+"|"+r.program], ids["account:"+r.category]
		raw := rawBoston(t, dir, r)
		for _, c := range []struct {
			set  *actuals.Set
			cell string
		}{{fy22, raw[4]}, {fy23, raw[5]}} {
			a, found := findAmount(c.set, id, acct)
			if c.cell == "#Missing" {
				assert.False(t, found, "%s %s: #Missing must be absent", id, acct)
				if c.set == fy22 {
					missing22++
				}
				continue
			}
			require.True(t, found, "%s %s", id, acct)
			assert.Equal(t, c.cell, a, "%s %s", id, acct)
			if c.set == fy23 && c.cell == "0" {
				zero23++
			}
			if strings.HasPrefix(c.cell, "-") {
				negatives++
			}
		}
	}
	assert.Equal(t, 183, missing22, "FY22 #Missing cells (README)")
	assert.Positive(t, zero23, "zeros are kept as zeros")
	assert.GreaterOrEqual(t, negatives, 2, "the negative actuals (README)")
	found := false
	for _, a := range fy23.Amounts {
		if a.Amount.String() == "-247302.69" {
			found = true
		}
	}
	assert.True(t, found, "FY23 Office of Early Childhood Personnel Services -247,302.69 is kept")

	// Importing again replaces both years and keeps the earlier ones.
	code, out, errOut = aop(t, nil, "actuals", "import", "--cycle", cyclePath, filepath.Join(dir, "boston.csv"))
	require.Equal(t, 0, code, out+errOut)
	hist, err := os.ReadDir(filepath.Join(dir, "actuals", "history"))
	require.NoError(t, err)
	assert.Len(t, hist, 2)
}

// rawBoston returns the CSV record of a Boston row.
func rawBoston(t *testing.T, dir string, r bostonRow) []string {
	t.Helper()
	if bostonRecords == nil {
		f, err := os.Open(filepath.Join(dir, "boston.csv"))
		require.NoError(t, err)
		defer f.Close()
		recs, err := csvReadAll(f)
		require.NoError(t, err)
		bostonRecords = map[string][]string{}
		for _, rec := range recs[1:] {
			bostonRecords[strings.Join(rec[:4], "|")] = rec
		}
	}
	return bostonRecords[strings.Join([]string{r.cabinet, r.dept, r.program, r.category}, "|")]
}

var bostonRecords map[string][]string

func findAmount(s *actuals.Set, dept, acct string) (string, bool) {
	for _, a := range s.Amounts {
		if a.Department == dept && a.Account == acct {
			return a.Amount.String(), true
		}
	}
	return "", false
}

func csvReadAll(f *os.File) ([][]string, error) { return csv.NewReader(f).ReadAll() }

// demoActualsMappings maps Kestrel's GL export (one row per cost centre,
// account, month and project/channel, revenue as credits, a TOTAL row)
// and its leading-indicator file.
const demoActualsMappings = `
actuals:
  mappings:
    - name: gl
      columns:
        department: Cost centre
        account: GL account
        amount: Amount
        period: Month
        currency: Currency
        dimensions: {project: Project, channel: Channel}
      sign: {revenue: -1}
      control_total: {column: Cost centre, label: TOTAL}
    - name: kpis
      columns: {department: Dept, period: Month, indicators: {pipeline: Pipeline, hires: Hires}}
`

const demoGL = "Cost centre,GL account,Month,Amount,Currency,Project,Channel,Memo\r\n" +
	"Sales,4000,2026-02,-950000.00,USD,core,Direct,invoices\r\n" +
	"sales,Subscription revenue,2026-02,-50000.50,USD,Apollo launch,online,\r\n" +
	"Engineering,6000,2026-02-28,412345.67,USD,platform-v3,,payroll\r\n" +
	"Marketing,6400,2026-02,43000,USD,,,\r\n" +
	"Legal dept,6700,2026-02,1200,USD,,,an old cost centre\r\n" +
	"finance,9999,2026-02,300,USD,,,suspense\r\n" +
	"Sales,4000,2026-03,-900000,USD,core,direct,\r\n" +
	"TOTAL,,,-1443154.83,,,,\r\n"

func demoActualsCycle(t *testing.T) (dir, cyclePath string) {
	t.Helper()
	dir = t.TempDir()
	cyclePath = filepath.Join(dir, "cycle.yaml")
	// The demo's own actuals: section gives way to this test's mappings.
	demoYAML := regexp.MustCompile(`(?m)^actuals:\n(?:  .*\n|\n)*`).ReplaceAllString(demoCycleYAML(), "")
	require.NotContains(t, demoYAML, "\nactuals:")
	require.NoError(t, os.WriteFile(cyclePath, []byte(demoYAML+demoActualsMappings), 0o644))
	return dir, cyclePath
}

// TestActualsImportDemoGL imports a monthly GL export of the demo company:
// fiscal months from calendar months (FY2027 starts in February), revenue
// credits turned positive, dimensions by id or name, the control total,
// unmapped rows listed; then a corrected February replaces the first and
// keeps it in history, and a file of indicators adds to the months.
func TestActualsImportDemoGL(t *testing.T) {
	dir, cyclePath := demoActualsCycle(t)
	gl := filepath.Join(dir, "gl-2026-02.csv")
	require.NoError(t, os.WriteFile(gl, []byte(demoGL), 0o644))
	code, out, errOut := aop(t, nil, "actuals", "import", "--cycle", cyclePath, gl)
	t.Log("\n" + out)
	require.Equal(t, 1, code, "rows left unmapped exit 1: "+out+errOut)
	assert.Contains(t, out, `department "Legal dept": 1 row from line 6, total 1,200.00`)
	assert.Contains(t, out, `account "9999": 1 row from line 7, total 300.00`)
	assert.Contains(t, out, `"Amount" reconciles to the cent with the control total -1,443,154.83 (line 9)`)
	assert.Contains(t, out, "Feb 2026 (FY2027-P01)")
	assert.Contains(t, out, "not imported: 2 amounts, 1,500.00")

	book, _, err := cyclefile.LoadActuals(filepath.Join(dir, "actuals"), "kestrel-fy2027")
	require.NoError(t, err)
	assert.Equal(t, 2, book.Closed(2027))
	sales := book.Months(2027, "sales", "4000")
	assert.Equal(t, "1000000.5", sales[0].String(), "credits are revenue")
	assert.Equal(t, "900000", sales[1].String())
	p1 := book.Set(actuals.Period{Year: 2027, Month: 1})
	assert.Equal(t, "1455346.17", p1.Total().String(), "revenue 1,000,000.50 and costs 455,345.67, both positive")
	var dims []string
	for _, a := range p1.Amounts {
		dims = append(dims, fmt.Sprint(a.Department, a.Account, a.Dimensions))
	}
	assert.Contains(t, dims, "sales4000map[channel:direct project:core]")
	assert.Contains(t, dims, "sales4000map[channel:online project:apollo]")
	assert.Contains(t, dims, "engineering6000map[project:platform-v3]")

	// --strict imports nothing when something is unmapped.
	strictDir := filepath.Join(dir, "strict")
	code, out, _ = aop(t, nil, "actuals", "import", "--cycle", cyclePath, "--strict", "--out", strictDir, gl)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "nothing imported (--strict)")
	assert.NoDirExists(t, strictDir)

	// A control total that does not match says by how much.
	wrong := filepath.Join(dir, "wrong.csv")
	require.NoError(t, os.WriteFile(wrong, []byte(strings.Replace(demoGL, "-1443154.83", "-1443154.80", 1)), 0o644))
	code, out, _ = aop(t, nil, "actuals", "import", "--cycle", cyclePath, "--dry-run", wrong)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "but the control total (line 9) is -1,443,154.80: it differs by -0.03")

	// February again, corrected: it replaces the first import, which moves
	// to history; March is left as it was.
	fixed := strings.NewReplacer("Legal dept", "finance", "finance,9999", "finance,6700").Replace(demoGL)
	fixed = strings.ReplaceAll(fixed, "Sales,4000,2026-03,-900000,USD,core,direct,\r\n", "")
	fixed = strings.ReplaceAll(fixed, "-1443154.83", "-543154.83")
	require.NoError(t, os.WriteFile(gl, []byte(fixed), 0o644))
	code, out, errOut = aop(t, nil, "actuals", "import", "--cycle", cyclePath, gl)
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "the earlier import is in ")
	hist, err := os.ReadDir(filepath.Join(dir, "actuals", "history"))
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.True(t, strings.HasPrefix(hist[0].Name(), "FY2027-P01."), hist[0].Name())
	book, _, err = cyclefile.LoadActuals(filepath.Join(dir, "actuals"), "kestrel-fy2027")
	require.NoError(t, err)
	fin := book.Months(2027, "finance", "6700")
	assert.Equal(t, "1500", fin[0].String())
	assert.Equal(t, "900000", book.Months(2027, "sales", "4000")[1].String(), "March untouched")

	// Leading indicators from their own file add to the months' amounts.
	kpis := filepath.Join(dir, "kpis.csv")
	require.NoError(t, os.WriteFile(kpis, []byte("Dept,Month,Pipeline,Hires\nsales,1,2500000,2\nengineering,1,,3\nengineering,1,,1\n"), 0o644))
	code, out, errOut = aop(t, nil, "actuals", "import", "--cycle", cyclePath, "--mapping", "kpis", kpis)
	require.Equal(t, 0, code, out+errOut)
	book, _, err = cyclefile.LoadActuals(filepath.Join(dir, "actuals"), "kestrel-fy2027")
	require.NoError(t, err)
	p1 = book.Set(actuals.Period{Year: 2027, Month: 1})
	hires, ok := book.Indicator(p1.Period, "hires", "engineering")
	assert.True(t, ok)
	assert.Equal(t, "4", hires.String())
	assert.Equal(t, "1000000.5", book.Months(2027, "sales", "4000")[0].String(), "amounts kept by an indicators-only import")
}

// TestActualsImportMistakes: a row that cannot be read fails the import
// naming the file, line and column, and nothing is kept; unknown mappings
// and oversized files are refused.
func TestActualsImportMistakes(t *testing.T) {
	dir, cyclePath := demoActualsCycle(t)
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(demoGL, "43000", `"43,000"`, 1)), 0o644))
	code, out, _ := aop(t, nil, "actuals", "import", "--cycle", cyclePath, bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, bad+`:5: column D ("Amount"): amount "43,000"`)
	assert.Contains(t, out, "nothing imported")
	assert.NoDirExists(t, filepath.Join(dir, "actuals"))

	eur := filepath.Join(dir, "eur.csv")
	require.NoError(t, os.WriteFile(eur, []byte(strings.Replace(demoGL, "43000,USD", "43000,EUR", 1)), 0o644))
	_, out, _ = aop(t, nil, "actuals", "import", "--cycle", cyclePath, eur)
	assert.Contains(t, out, `:5: column E ("Currency"): the row is in EUR, not the cycle's currency USD`)

	code, out, _ = aop(t, nil, "actuals", "import", "--cycle", cyclePath, "--mapping", "gll", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `no actuals mapping is named "gll" (did you mean "gl"?)`)

	big := filepath.Join(dir, "big.csv")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, cyclefile.MaxLedgerSize+1)) // sparse: nothing is written
	code, out, _ = aop(t, nil, "actuals", "import", "--cycle", cyclePath, big)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "larger than 64 MiB")
}
