package cyclefile

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/actuals"
)

// actualsCycle is a small cycle (FY2027 from February) with one actuals
// mapping of the GL sheet xlsxLedger writes.
const actualsCycle = `cycle: t
company: T
currency: USD
fiscal_year: 2027
start_month: Feb
departments:
  - {id: sales, name: Sales}
accounts:
  - {code: "6200", name: Advertising, type: opex}
actuals:
  mappings:
    - name: gl
      sheet: GL
      columns: {department: Dept, account: Account, amount: Amount, period: Month}
      missing: ["#Missing", ""]
`

func TestImportActualsXLSX(t *testing.T) {
	f, err := Parse("cycle.yaml", []byte(actualsCycle), nil)
	require.NoError(t, err)
	data := xlsxLedger(t, [][]any{
		{"sales", 6200, 1000.1, time.Date(2026, time.March, 31, 0, 0, 0, 0, time.UTC)},
		{"Sales", "Advertising", "(250.50)", 2},
		{"sales", 6200, "#Missing", 2},
		{"Parks", 6200, 7, "2026-02"},
	})
	imp, err := f.ImportActuals("gl.xlsx", data, ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, "GL", imp.Sheet)
	require.Len(t, imp.Sets, 1, "February holds only Parks, which is not imported")
	require.Len(t, imp.Periods, 2)
	assert.Equal(t, PeriodSummary{Period: actuals.Period{Year: 2027, Month: 1}, UnmappedRows: 1, Unmapped: imp.Periods[0].Unmapped}, imp.Periods[0])
	assert.Equal(t, actuals.Period{Year: 2027, Month: 2}, imp.Sets[0].Period)
	assert.Equal(t, "749.6", imp.Sets[0].Total().String(), "March 2026 is FY2027's second month")
	require.Len(t, imp.Unmapped, 1)
	assert.Equal(t, Unmapped{Role: "department", Value: "Parks", Rows: 1, Total: imp.Unmapped[0].Total, FirstLine: 7,
		Hint: `; map it under departments: of the actuals mapping "gl"`}, imp.Unmapped[0])
	assert.Equal(t, "7", imp.Unmapped[0].Total.String())

	// A mistake names the sheet, the row and the column.
	data = xlsxLedger(t, [][]any{{"sales", 6200, "lots", 1}})
	_, err = f.ImportActuals("gl.xlsx", data, ImportOptions{})
	require.Error(t, err)
	assert.Equal(t, `gl.xlsx: sheet "GL", row 4: column C ("Amount"): amount "lots" is not a number`, strings.SplitN(err.Error(), ";", 2)[0])

	_, err = f.ImportActuals("gl.xlsx", data, ImportOptions{MaxSize: 100})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gl.xlsx: the file is larger than")
}

func TestActualsMappingMistakes(t *testing.T) {
	base := strings.SplitN(actualsCycle, "actuals:\n", 2)[0] + "actuals:\n  mappings:\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"no period", "    - {name: gl, columns: {department: D, account: A, amount: X}}\n",
			`cycle.yaml:12: actuals mapping "gl": columns: amount needs a period column`},
		{"bad period", "    - name: gl\n      columns: {department: D, account: A}\n      periods: {FY22: 2022}\n",
			`cycle.yaml:14: actuals mapping "gl": periods: "FY22": period "2022" is neither`},
		{"currency", "    - {name: gl, currency: EUR, columns: {department: D, account: A, amount: X, period: P}}\n",
			`currency EUR is not the cycle's currency USD`},
		{"dimension", "    - {name: gl, columns: {department: D, account: A, amount: X, period: P, dimensions: {projekt: P}}}\n",
			`"projekt" is not a dimension of the cycle`},
		{"sign", "    - {name: gl, sign: {revenu: -1}, columns: {department: D, account: A, amount: X, period: P}}\n",
			`unknown field "revenu" (did you mean "revenue"?)`},
		{"twice", "    - {name: gl, columns: {department: D, account: A, amount: X, period: P}}\n    - {name: gl, columns: {department: D, account: A, amount: X, period: P}}\n",
			`cycle.yaml:13: actuals mapping "gl": mapping name is used twice (first on line 12)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("cycle.yaml", []byte(base+tc.yaml), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// The close's thresholds come from actuals: review:, the defaults
// otherwise.
func TestActualsReviewPolicy(t *testing.T) {
	f, err := Parse("cycle.yaml", []byte(actualsCycle), nil)
	require.NoError(t, err)
	assert.Nil(t, f.Review, "no review: section, the defaults")

	withReview := strings.Replace(actualsCycle, "actuals:\n", "actuals:\n  review:\n    explain_above: {amount: 10000, share: 8%}\n    watch: 0.15\n    breach: 30%\n", 1)
	f, err = Parse("cycle.yaml", []byte(withReview), nil)
	require.NoError(t, err)
	require.NotNil(t, f.Review)
	assert.Equal(t, "10000", f.Review.ExplainAmount.String())
	assert.InDelta(t, 0.08, f.Review.ExplainShare, 1e-12)
	assert.InDelta(t, 0.15, f.Review.Watch, 1e-12)
	assert.InDelta(t, 0.30, f.Review.Breach, 1e-12)
	assert.InDelta(t, 0.25, f.Review.TimingTolerance, 1e-12, "unset: the default")
	assert.NotEmpty(t, f.Review.LowerIsBetter, "the defaults the section does not name stay")

	bad := strings.Replace(actualsCycle, "actuals:\n", "actuals:\n  review:\n    watch: 30%\n    breach: 20%\n    explain_abov: {amount: 1}\n", 1)
	_, err = Parse("cycle.yaml", []byte(bad), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "breach (20%) must not be below watch (30%)")
	assert.Contains(t, err.Error(), `unknown field "explain_abov"`)
}
