package cyclefile

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/engine"
)

// xlsxLedger writes a small ledger workbook with excelize: a "Notes" sheet
// first, then "GL" with a title, a blank row, the header on row 3 and data
// rows from row 4.
func xlsxLedger(t testing.TB, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	require.NoError(t, x.SetSheetName("Sheet1", "Notes"))
	require.NoError(t, x.SetCellValue("Notes", "A1", "The ledger is on sheet GL"))
	_, err := x.NewSheet("GL")
	require.NoError(t, err)
	require.NoError(t, x.SetCellValue("GL", "A1", "Acme general ledger, FY2026"))
	require.NoError(t, x.SetSheetRow("GL", "A3", &[]any{"Dept", "Account", "Amount", "Month", "Memo"}))
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, 4+i)
		require.NoError(t, err)
		require.NoError(t, x.SetSheetRow("GL", cell, &r))
	}
	buf, err := x.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

// xlsxCycle is the small cycle reading gl.xlsx, sheet GL.
func xlsxCycle(sheet string) string {
	return strings.Replace(ledgerCycle("actuals", "      sheet: "+sheet+"\n"), "file: gl.csv", "file: gl.xlsx", 1)
}

func TestXLSXLedger(t *testing.T) {
	add := func(a, b float64) float64 { return a + b }
	data := xlsxLedger(t, [][]any{
		{"sales", 6200, 1000.1, time.Date(2025, time.March, 15, 0, 0, 0, 0, time.UTC)},
		{"Sales", "Advertising", "(250.50)", 3, "accounting negative as text"},
		{"sales", "HC", 2.5, "2026-01"},
		{},
		{"mkt", "6200", "#Missing", 1},
		{"sales", "6200", add(0.1, 0.2), 2, "a float sum, kept exactly then rounded"},
		{nil, nil, nil, nil, "a note beside the table"},
	})
	f, err := Parse("cycle.yaml", []byte(xlsxCycle("GL")), fstest.MapFS{"gl.xlsx": {Data: data}})
	require.NoError(t, err)
	type amt struct {
		dept, acct string
		p          engine.Period
		amount     string
	}
	var got []amt
	for _, a := range f.Cycle.PriorActuals {
		got = append(got, amt{a.Department, a.Account, a.Period, a.Amount.String()})
	}
	assert.Equal(t, []amt{
		{"sales", "6200", 2, "1000.4"}, // March 2025 (a date cell) and period 2: 1000.1 + 0.30000000000000004
		{"sales", "6200", 3, "-250.5"},
		{"sales", "HC", 12, "2.5"},
	}, got)

	// The sheet is found ignoring case.
	_, err = Parse("cycle.yaml", []byte(xlsxCycle("gl")), fstest.MapFS{"gl.xlsx": {Data: data}})
	require.NoError(t, err)
}

func TestXLSXLedgerMistakes(t *testing.T) {
	data := xlsxLedger(t, [][]any{
		{"Parks", 6200, 10, 1},
		{"sales", 6200, "1,000", 1},
		{"sales", 6200, true, 1},
		{"sales", 6200, 5, 13},
	})
	ps := problemsOf(t, xlsxCycle("GL"), fstest.MapFS{"gl.xlsx": {Data: data}})
	assert.Equal(t, []string{
		`gl.xlsx: sheet "GL", row 4: 1 row for unknown department "Parks" (total 10.00); map it under departments: of the ledger at cycle.yaml:15`,
		`gl.xlsx: sheet "GL", row 5: amount "1,000" uses a thousands separator; write the number without separators, such as 1234.56 (separators mean different things in different locales)`,
		`gl.xlsx: sheet "GL", row 6: amount "TRUE" is not a number`,
		`gl.xlsx: sheet "GL", row 7: period "13" is neither a fiscal period 1-12 nor a date`,
	}, ps)

	ps = problemsOf(t, xlsxCycle("Ledger"), fstest.MapFS{"gl.xlsx": {Data: data}})
	assert.Equal(t, []string{`cycle.yaml:19: ledger "gl.xlsx": sheet "Ledger" is not in gl.xlsx; its sheets are: Notes, GL`}, ps)

	// Without sheet:, the first sheet is read, and it has no Amount column.
	ps = problemsOf(t, strings.Replace(ledgerCycle("actuals", ""), "file: gl.csv", "file: gl.xlsx", 1), fstest.MapFS{"gl.xlsx": {Data: data}})
	require.NotEmpty(t, ps)
	assert.Contains(t, ps[0], `cycle.yaml:17: ledger "gl.xlsx": columns: department column "Dept" is not in the header of gl.xlsx (sheet "Notes")`)

	ps = problemsOf(t, xlsxCycle("GL"), fstest.MapFS{"gl.xlsx": {Data: []byte("Dept,Account\n")}})
	require.Len(t, ps, 1)
	assert.Contains(t, ps[0], "gl.xlsx: cannot read the workbook: the file is not an Excel workbook (.xlsx)")
}
