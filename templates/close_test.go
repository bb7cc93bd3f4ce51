package templates

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/grid/gridtest"
	"aop/engine/review"
)

// rowWhere returns the first row whose cells hold the texts by column, or 0.
func rowWhere(s *grid.Sheet, texts map[int]string) int {
	d, ok := s.Dimension()
	if !ok {
		return 0
	}
rows:
	for row := 1; row <= d.To.Row; row++ {
		for col, text := range texts {
			if s.Value(grid.R(row, col)).Text != text {
				continue rows
			}
		}
		return row
	}
	return 0
}

// closeWorkbook returns the finance summary with the outlook's tabs and
// the close tabs of closeInput.
func closeWorkbook(t *testing.T) (*Department, *grid.Workbook, *review.Report) {
	t.Helper()
	tpl, _, r := closed(t)
	k, err := engine.Consolidate(tpl.cycle, nil)
	require.NoError(t, err)
	wb, err := tpl.FinanceWorkbook(k, FinanceOptions{AsOf: "today", Outlook: testOutlook()})
	require.NoError(t, err)
	require.NotNil(t, wb.Sheet("Accuracy"), "the outlook has its own Accuracy tab")
	require.NoError(t, tpl.CloseTabs(wb, r, "on 2026-10-05"))
	return tpl, wb, r
}

func TestCloseTabsAreAddedOnceAndLocked(t *testing.T) {
	tpl, wb, r := closeWorkbook(t)
	n := len(wb.Sheets)
	require.NoError(t, tpl.CloseTabs(wb, r, "on 2026-10-06"), "the next close replaces the tabs")
	require.Len(t, wb.Sheets, n)

	var names []string
	seen := map[string]bool{}
	for _, s := range wb.Sheets {
		require.False(t, seen[s.Name], "%s appears once", s.Name)
		seen[s.Name] = true
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"BvA", "Early warnings", "Triggers fired", "Accuracy to date"}, names[n-4:])
	for _, name := range names[n-4:] {
		s := wb.Sheet(name)
		assert.NotNil(t, s.Protection, "%s is read-only", name)
		assert.Equal(t, grid.PageSetup{Landscape: true, FitToWidth: true}, s.Page, name)
		assert.False(t, s.Freeze.IsZero(), "%s freezes its headers", name)
		for at, c := range s.All() {
			require.False(t, c.Style != nil && c.Style.Unlocked, "%s!%s is locked", name, at)
		}
	}
	assert.Contains(t, wb.Sheet("BvA").Value(grid.R(2, 1)).Text, "on 2026-10-06")
	assert.Error(t, tpl.CloseTabs(wb, nil, "today"))
}

func TestCloseTabBvA(t *testing.T) {
	_, wb, _ := closeWorkbook(t)
	s := wb.Sheet("BvA")
	assert.Equal(t, "Actuals against plan · FY2027 (USD), through Sep 2026", s.Value(grid.R(1, 1)).Text)
	assert.Equal(t, "Sep 2026 (FY2027-P03)", s.Value(grid.R(3, 2)).Text)
	head := gridtest.RowOf(s, 1, "Department")
	require.Positive(t, head)
	assert.Equal(t, grid.R(head+1, 4), s.Freeze)

	// The company's lines first, by account type.
	rev := head + 1
	assert.Equal(t, "Company", s.Value(grid.R(rev, 1)).Text)
	assert.Equal(t, "Revenue", s.Value(grid.R(rev, 3)).Text)
	for col, want := range map[int]string{4: "288000", 5: "300000", 6: "-12000", 7: "-0.04", 8: "1188000", 9: "1200000", 10: "-12000"} {
		assert.Equal(t, want, gridtest.Number(t, s, rev, col).String(), "company revenue, column %d", col)
	}
	assert.True(t, s.Cell(grid.R(rev, 4)).Style.Bold, "company lines are totals")
	opex := head + 2
	assert.Equal(t, "Operating expenses", s.Value(grid.R(opex, 3)).Text)
	assert.Equal(t, "240000", gridtest.Number(t, s, opex, 4).String())
	assert.Equal(t, "240000", gridtest.Number(t, s, opex, 5).String())
	assert.Equal(t, "0", gridtest.Number(t, s, opex, 6).String())

	// Every department's lines.
	sales := rowWhere(s, map[int]string{1: "Sales", 2: "4000"})
	require.Positive(t, sales)
	for col, want := range map[int]string{4: "287000", 5: "300000", 6: "-13000", 7: "-0.043333", 8: "1187000", 9: "1200000", 10: "-13000"} {
		assert.Equal(t, want, gridtest.Number(t, s, sales, col).String(), "sales revenue, column %d", col)
	}
	assert.Equal(t, "C62828", s.Cell(grid.R(sales, 6)).Style.FontColor)
	assert.Equal(t, "permanent; assumption -25,000.00, execution +12,000.00", s.Value(grid.R(sales, 11)).Text)
	assert.Equal(t, "yes", s.Value(grid.R(sales, 12)).Text)
	assert.Equal(t, "not explained yet", s.Value(grid.R(sales, 13)).Text)
	salesCosts := rowWhere(s, map[int]string{1: "Sales", 2: "6000"})
	assert.Equal(t, "timing: Sep 2026's variance nets out in its quarter", s.Value(grid.R(salesCosts, 11)).Text)
	assert.Equal(t, "Offsite paid in August", s.Value(grid.R(salesCosts, 13)).Text)
	opsRevenue := rowWhere(s, map[int]string{1: "Operations", 2: "4000"})
	require.Positive(t, opsRevenue)
	assert.Equal(t, "1000", gridtest.Number(t, s, opsRevenue, 6).String())
	assert.True(t, s.Value(grid.R(opsRevenue, 12)).IsEmpty(), "not material: no explanation asked")
	assert.True(t, s.Value(grid.R(opsRevenue, 7)).IsEmpty(), "a variance on a zero plan has no percentage")

	// Year to date by department, and the company by month.
	byDept := gridtest.RowOf(s, 1, "Year to date by department")
	require.Positive(t, byDept)
	salesYTD := byDept + 2 // the title, the headers
	assert.Equal(t, "Sales", s.Value(grid.R(salesYTD, 1)).Text)
	assert.Equal(t, "Operations", s.Value(grid.R(salesYTD+1, 1)).Text)
	assert.Equal(t, []string{"287000", "300000", "150000", "150000"}, []string{gridtest.Number(t, s, salesYTD, 2).String(),
		gridtest.Number(t, s, salesYTD, 3).String(), gridtest.Number(t, s, salesYTD, 4).String(), gridtest.Number(t, s, salesYTD, 5).String()})
	aug := gridtest.RowOf(s, 1, "Aug 2026")
	require.Positive(t, aug)
	assert.Equal(t, "96000", gridtest.Number(t, s, aug, 2).String(), "Sales' 95,000 and Ops' 1,000")
	assert.Equal(t, "100000", gridtest.Number(t, s, aug, 3).String())
	assert.Equal(t, "90000", gridtest.Number(t, s, aug, 4).String())
	assert.Equal(t, "80000", gridtest.Number(t, s, aug, 5).String())
	oct := gridtest.RowOf(s, 1, "Oct 2026")
	assert.True(t, s.Value(grid.R(oct, 2)).IsEmpty(), "October is open")
	assert.Equal(t, "100000", gridtest.Number(t, s, oct, 3).String())

	require.Len(t, s.Charts, 2)
	col := s.Charts[0]
	assert.Equal(t, grid.ChartColumn, col.Type)
	require.Len(t, col.Series, 4)
	assert.Equal(t, "Revenue actual", col.Series[0].Name)
	assert.Equal(t, grid.Rect(salesYTD, 1, salesYTD+1, 1).On("BvA"), col.Series[0].Categories, "one category per department")
	assert.Equal(t, grid.Rect(salesYTD, 2, salesYTD+1, 2).On("BvA"), col.Series[0].Values)
	line := s.Charts[1]
	assert.Equal(t, grid.ChartLine, line.Type)
	jul := gridtest.RowOf(s, 1, "Jul 2026")
	assert.Equal(t, grid.Rect(jul, 2, jul+11, 2).On("BvA"), line.Series[0].Values, "company revenue actual by month")
	assert.Equal(t, grid.Rect(jul, 3, jul+11, 3).On("BvA"), line.Series[1].Values, "against plan")
	d, _ := s.Dimension()
	assert.Greater(t, col.Anchor.Row, d.To.Row, "the charts cover no table")
}

func TestCloseTabEarlyWarnings(t *testing.T) {
	_, wb, r := closeWorkbook(t)
	s := wb.Sheet("Early warnings")
	head := gridtest.RowOf(s, 1, "Department")
	require.Positive(t, head)
	require.Len(t, r.Warnings, 3)
	for i, want := range []struct{ indicator, status, fill string }{
		{"pipeline_growth", "breaking", "FFC7CE"}, {"pipeline", "breaking", "FFC7CE"}, {"win_rate", "on track", "C6EFCE"},
	} {
		row := head + 1 + i
		assert.Equal(t, "Sales", s.Value(grid.R(row, 1)).Text)
		assert.Equal(t, want.indicator, s.Value(grid.R(row, 3)).Text, "the worst first")
		assert.Equal(t, want.status, s.Value(grid.R(row, 8)).Text)
		assert.Equal(t, want.fill, s.Cell(grid.R(row, 8)).Style.Fill, "the status in colour")
	}
	assert.Equal(t, "0.25", gridtest.Number(t, s, head+2, 7).String(), "450,000 of pipeline against 600,000 is 25% short")
	assert.Equal(t, "results still on plan: the indicator warns first", s.Value(grid.R(head+1, 9)).Text)
}

func TestCloseTabTriggersFired(t *testing.T) {
	_, wb, r := closeWorkbook(t)
	s := wb.Sheet("Triggers fired")
	require.Len(t, r.Firings, 4)
	head := gridtest.RowOf(s, 1, "Trigger")
	require.Positive(t, head)
	for i, want := range []struct{ trigger, watches, month, value, numFmt, playbook, action string }{
		{"ops-spend", "Operations", "Jul 2026", "30000", "#,##0.00", "ops-review", "no actions"},
		{"cost-overrun", "the company", "Aug 2026", "1.125", "0.0%", "review-spend", "no actions"},
		{"gtm-revenue", "Go-to-market", "Aug 2026", "0.96", "0.0%", "escalate", "no actions"},
		{"sales-slip", "Sales", "Sep 2026", "0.92", "0.0%", "protect-margin", "freeze hiring"},
	} {
		row := head + 1 + i
		assert.Equal(t, want.trigger, s.Value(grid.R(row, 1)).Text, "in month order")
		assert.Equal(t, want.watches, s.Value(grid.R(row, 2)).Text)
		assert.Equal(t, want.month, s.Value(grid.R(row, 3)).Text)
		assert.Equal(t, want.value, gridtest.Number(t, s, row, 4).String())
		assert.Equal(t, want.numFmt, s.Cell(grid.R(row, 4)).Style.NumFmt)
		assert.Equal(t, want.playbook, s.Value(grid.R(row, 5)).Text)
		assert.Equal(t, want.action, s.Value(grid.R(row, 7)).Text)
	}
	slip := head + 4
	assert.Equal(t, "Oct 2026", s.Value(grid.R(slip, 6)).Text)
	assert.Equal(t, "Nov 2026", s.Value(grid.R(slip, 8)).Text)
	assert.Equal(t, "Jun 2027", s.Value(grid.R(slip, 9)).Text)
	assert.Equal(t, "revenue of sales < 96% of plan for 2 consecutive months", s.Value(grid.R(slip, 10)).Text)
	assert.Equal(t, "close an office", s.Value(grid.R(slip+1, 7)).Text)
	assert.Equal(t, "after the horizon", s.Value(grid.R(slip+1, 8)).Text)
}

func TestCloseTabAccuracyToDate(t *testing.T) {
	_, wb, r := closeWorkbook(t)
	s := wb.Sheet("Accuracy to date")
	require.NotNil(t, s)
	require.NotEmpty(t, r.Accuracy)
	periods := map[string]string{}
	for _, a := range r.Accuracy {
		d, _ := testCycle().Department(a.Department)
		row := rowWhere(s, map[int]string{1: d.Name, 2: a.Line.String()})
		require.Positive(t, row, "%s %s", a.Department, a.Line)
		periods[a.Department+"/"+a.Line.String()] = gridtest.Number(t, s, row, 4).String()
	}
	assert.Equal(t, map[string]string{"sales/revenue": "6", "sales/cost": "3", "ops/revenue": "3", "ops/cost": "3"}, periods,
		"the record before the year and the closed months")
	assert.Equal(t, "Sales", wb.Sheet("Accuracy").Value(grid.R(gridtest.RowOf(wb.Sheet("Accuracy"), 1, "Sales"), 1)).Text,
		"the outlook's tab stays as it was")
}

func TestCloseTabsBeforeTheFirstClose(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	in := closeInput(c)
	in.Book = actuals.NewBook()
	r, err := review.Close(in)
	require.NoError(t, err)
	wb := grid.New()
	require.NoError(t, tpl.CloseTabs(wb, r, "today"))
	s := wb.Sheet("BvA")
	assert.Equal(t, "Actuals against plan · FY2027 (USD)", s.Value(grid.R(1, 1)).Text)
	assert.Equal(t, "No month of FY2027 is closed yet.", s.Value(grid.R(3, 1)).Text)
	assert.Empty(t, s.Charts)
	assert.Positive(t, gridtest.RowOf(wb.Sheet("Early warnings"), 1, "No assumption is read against an indicator with actuals yet."))
	assert.Positive(t, gridtest.RowOf(wb.Sheet("Triggers fired"), 1, "No trigger fired."))
	for _, sh := range wb.Sheets {
		assert.NotNil(t, sh.Protection, sh.Name)
	}
}
