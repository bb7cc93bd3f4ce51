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

// The Actuals vs Plan tab through the Sheets emulator: the first close
// adds it with one structural request, the next writes its values with
// one more; what the spreadsheet then holds is the tab the .xlsx
// workbook gets, cell by cell; a department can type in its explanation
// cells only, and what it typed survives the next close.
func TestActualsTabInGoogleSheets(t *testing.T) {
	ctx := t.Context()
	cf, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	require.NoError(t, err)
	c := cf.Cycle
	emu, g, _, err := emulatedSheets(ctx, newXLSXBooks(closeKey))
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)

	const dept = "sales"
	d, _ := c.Department(dept)
	id, _, err := g.Create(ctx, c, plan.Workbook{Department: dept, Round: "1", Sheet: "r1." + dept, Secret: "s"}, "Sales plan", d.Owner, false)
	require.NoError(t, err)

	for i, closed := range []engine.Period{7, 8} {
		rep := demoClose(t, cf, closed)
		asOf := fmt.Sprintf("at the close of month %d", closed)
		before := emu.Stats()
		require.NoError(t, g.WriteActuals(ctx, c, rep, dept, id, asOf, i == 0))
		want := map[string]int{"sheets.spreadsheets.batchUpdate": 1}
		if i > 0 {
			want = map[string]int{"sheets.spreadsheets.values.batchUpdate": 1}
		}
		assert.Equal(t, requestCount(want), requestsSince(before, emu.Stats()), "close of month %d", closed)

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
	}

	// The head of sales may type an explanation, and nothing else.
	rep := demoClose(t, cf, 8)
	row := 11
	for _, l := range rep.Departments[0].Lines {
		if l.Explain {
			break
		}
		row += 3
	}
	tab := "'" + templates.ActualsSheetName + "'!"
	require.NoError(t, emu.EditAs(d.Owner, id, tab+grid.R(row, 20).String(), [][]any{{"Deals slipped to Q3"}}))
	assert.Error(t, emu.EditAs(d.Owner, id, tab+grid.R(row, 4).String(), [][]any{{1}}), "an actual is read-only")

	// The next close's write leaves the explanation as typed.
	require.NoError(t, g.WriteActuals(ctx, c, demoClose(t, cf, 9), dept, id, "at the close of month 9", false))
	wb, err := g.client.ReadBack(ctx, id)
	require.NoError(t, err)
	got := wb.Sheet(templates.ActualsSheetName)
	assert.Equal(t, "Deals slipped to Q3", got.Cell(grid.R(row, 20)).Value.Text)
	assert.Equal(t, "Oct 2026 (FY2027-P09)", got.Cell(grid.R(3, 2)).Value.Text)
}
