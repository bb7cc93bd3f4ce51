package main

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/plan"
	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/templates"
)

// demoClose reviews the demo plans against the demo ledger of months
// 1…closed, as the service's books do.
func demoClose(t testing.TB, cf *cyclefile.File, closed engine.Period) *review.Report {
	rep, err := review.Close(demoCloseInput(t, cf, closed))
	require.NoError(t, err)
	return rep
}

// demoCloseInput is what a close of the demo's months 1…closed reviews:
// the demo plans and the demo ledger, imported with the cycle's mappings.
func demoCloseInput(t testing.TB, cf *cyclefile.File, closed engine.Period) review.Input {
	c := cf.Cycle
	var sets []*actuals.Set
	byPeriod := map[actuals.Period]*actuals.Set{}
	for m := engine.Period(1); m <= closed; m++ {
		gl, kpis, err := demoLedger(c, m)
		require.NoError(t, err)
		for i, data := range [][]byte{gl, kpis} {
			imp, err := cf.ImportActuals(fmt.Sprintf("m%d.csv", m), data, cyclefile.ImportOptions{Mapping: []string{"gl", "kpis"}[i]})
			require.NoError(t, err)
			for _, s := range imp.Sets {
				if byPeriod[s.Period] == nil {
					byPeriod[s.Period] = actuals.NewSet(s.Period, s.Currency)
					sets = append(sets, byPeriod[s.Period])
				}
				for _, a := range s.Amounts {
					byPeriod[s.Period].Add(a)
				}
				for _, x := range s.Indicators {
					byPeriod[s.Period].AddIndicator(x)
				}
			}
		}
	}
	var plans []*engine.Submission
	for _, d := range c.Leaves() {
		plans = append(plans, demoSubmission(c, d.ID))
	}
	return closeInput(c, &bookCycle{planning: cf.Planning, file: cf}, plans, actuals.NewBook(sets...), nil)
}

// The Actuals vs Plan tab through the Sheets emulator: every close makes
// the tab anew with one structural request, and what the spreadsheet then
// holds is the tab the .xlsx workbook gets, cell by cell. A department can
// type in the explanation cells of the month's lines only; what it typed
// reads back (one values request) as its explanations, which the next
// write of the same month shows where the line now sits.
func TestActualsTabInGoogleSheets(t *testing.T) {
	ctx := t.Context()
	cf, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	require.NoError(t, err)
	c := cf.Cycle
	books := newXLSXBooks(closeKey)
	emu, g, _, err := emulatedSheets(ctx, books)
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)

	const dept = "sales"
	d, _ := c.Department(dept)
	id, _, err := g.Create(ctx, c, plan.Workbook{Department: dept, Round: "1", Sheet: "r1." + dept, Secret: "s"}, "Sales plan", d.Owner, false)
	require.NoError(t, err)
	tab := "'" + templates.ActualsSheetName + "'!"

	write := func(rep *review.Report, asOf string, create bool) *grid.Sheet {
		t.Helper()
		before := emu.Stats()
		require.NoError(t, g.WriteActuals(ctx, c, rep, dept, id, asOf, create))
		assert.Equal(t, requestCount(map[string]int{"sheets.spreadsheets.batchUpdate": 1}), requestsSince(before, emu.Stats()), asOf)

		wb, err := g.client.ReadBack(ctx, id)
		require.NoError(t, err)
		got := wb.Sheet(templates.ActualsSheetName)
		require.NotNil(t, got)
		sheet, err := tpl.ActualsTab(rep, dept, closeKey, asOf)
		require.NoError(t, err)
		compared := 0
		for at, cell := range sheet.All() {
			v := got.Cell(at).Value
			switch cell.Value.Kind {
			case grid.Number:
				require.Equal(t, grid.Number, v.Kind, "%s", at)
				assert.True(t, decimal.RequireFromString(cell.Value.Text).Equal(decimal.RequireFromString(v.Text)), "%s: %s vs %s", at, cell.Value.Text, v.Text)
			default:
				assert.Equal(t, cell.Value.Text, v.Text, "%s", at)
			}
			compared++
		}
		assert.Greater(t, compared, 300, "the tab is written cell by cell")
		assert.Equal(t, rep.Close.Label(c.Year.StartMonth), got.Cell(grid.R(3, 2)).Value.Text)
		return sheet
	}
	write(demoClose(t, cf, 7), "at the close of month 7", true)
	sheet := write(demoClose(t, cf, 8), "at the close of month 8", false)

	// The head of sales may type an explanation, and nothing else.
	rep := demoClose(t, cf, 8)
	asked := explainRows(rep, dept)
	require.NotEmpty(t, asked, "month 8 asks sales for an explanation")
	row, account := asked[0].row, asked[0].account
	require.NoError(t, emu.EditAs(d.Owner, id, tab+grid.R(row, 20).String(), [][]any{{"Deals slipped to Q3"}}))
	assert.Error(t, emu.EditAs(d.Owner, id, tab+grid.R(row, 4).String(), [][]any{{1}}), "an actual is read-only")
	assert.True(t, sheet.Cell(grid.R(row, 20)).Style.Unlocked)

	// Read back, it is what sales said of the line in month 8.
	values, err := g.FetchActuals(ctx, id)
	require.NoError(t, err)
	said, findings, err := books.Explanations(c, dept, values)
	require.NoError(t, err)
	assert.Empty(t, findings)
	var typed []review.Explanation
	for _, e := range said {
		if e.Text != "" {
			typed = append(typed, e)
		}
	}
	require.Equal(t, []review.Explanation{{Department: dept, Account: account, Period: 8, Text: "Deals slipped to Q3",
		Sheet: templates.ActualsSheetName, Cell: grid.R(row, 20).String()}}, typed)

	// Month 8 closed again (a re-import) shows it; month 9 asks anew.
	rep.Explain(typed)
	write(rep, "at the close of month 8, again", false)
	wb, err := g.client.ReadBack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Deals slipped to Q3", wb.Sheet(templates.ActualsSheetName).Cell(grid.R(row, 20)).Value.Text)

	next := demoClose(t, cf, 9)
	next.Explain(typed)
	write(next, "at the close of month 9", false)
	wb, err = g.client.ReadBack(ctx, id)
	require.NoError(t, err)
	got := wb.Sheet(templates.ActualsSheetName)
	assert.Equal(t, "Oct 2026 (FY2027-P09)", got.Cell(grid.R(3, 2)).Value.Text)
	open := map[int]bool{}
	for _, a := range explainRows(next, dept) {
		open[a.row] = true
		assert.Empty(t, got.Cell(grid.R(a.row, 20)).Value.Text, "month 8's word is not month 9's")
		assert.NoError(t, emu.EditAs(d.Owner, id, tab+grid.R(a.row, 20).String(), [][]any{{"typed in month 9"}}), "row %d asks", a.row)
	}
	for r := 11; r < 11+3*len(next.Departments[0].Lines); r += 3 {
		if !open[r] {
			assert.Error(t, emu.EditAs(d.Owner, id, tab+grid.R(r, 20).String(), [][]any{{"x"}}), "row %d asks nothing in month 9", r)
		}
	}
}

// explainRow is a line of a department's Actuals vs Plan tab that asks
// for an explanation: the first row of its block and its account.
type explainRow struct {
	row     int
	account string
}

func explainRows(rep *review.Report, dept string) []explainRow {
	var out []explainRow
	for _, d := range rep.Departments {
		if d.ID != dept {
			continue
		}
		for i, l := range d.Lines {
			if l.Explain {
				out = append(out, explainRow{row: 11 + 3*i, account: l.Account})
			}
		}
	}
	return out
}
