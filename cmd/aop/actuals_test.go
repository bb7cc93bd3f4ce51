package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
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
