package templates

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/grid/gridtest"
	"aop/engine/review"
	"aop/engine/review/reviewtest"
	"aop/engine/scenario"
)

// closeInput is engine/review's worked quarter on the test cycle (a July
// fiscal year: the quarter is Jul to Sep 2026). Sales plans revenue (4000)
// of 100,000 and costs (6000) of 50,000 a month on a pipeline of 200,000 a
// month; the quarter's pipeline is 150,000, so the drivers imply 25,000
// less revenue to date than planned. Revenue comes in at 100,000, 95,000
// and 92,000 (−13,000: −25,000 assumption, +12,000 execution), costs at
// 50,000, 60,000 and 40,000 (September's −10,000 is timing, and Sales
// explained it). Ops spends its 30,000 a month and books an unplanned 1,000
// of revenue in August. Four triggers fire: Ops' spend in July (an
// amount), the company's costs in August, Go-to-market's revenue in
// August (a parent of both) and Sales' revenue in September, whose
// playbook's second action falls after the year.
func closeInput(c *engine.Cycle) review.Input {
	in := reviewtest.Quarter(c)
	in.Triggers[0].Playbook.Actions = append(in.Triggers[0].Playbook.Actions, scenario.Action{Name: "close an office", Lead: 10})
	in.Triggers = append(in.Triggers,
		scenario.Trigger{Name: "ops-spend", Department: "ops", Metric: scenario.Costs, Compare: scenario.AtLeast, Threshold: dec("30000"),
			Playbook: scenario.Playbook{Name: "ops-review"}},
		scenario.Trigger{Name: "gtm-revenue", Department: "gtm", Metric: scenario.Revenue, OfPlan: true, Compare: scenario.Below,
			Threshold: dec("1"), Playbook: scenario.Playbook{Name: "escalate"}})
	in.Explanations[0].Text = "Offsite paid in August"
	return in
}

// closed returns the test template and the close of closeInput.
func closed(t *testing.T) (*Department, review.Input, *review.Report) {
	t.Helper()
	c := testCycle()
	tpl := newTemplate(t, c)
	in := closeInput(c)
	r, err := review.Close(in)
	require.NoError(t, err)
	require.Equal(t, 3, r.Closed)
	return tpl, in, r
}

func actualsTab(t *testing.T, tpl *Department, r *review.Report, dept string) *grid.Sheet {
	t.Helper()
	s, err := tpl.ActualsTab(r, dept, testKey, "on 2026-10-05 08:00 UTC")
	require.NoError(t, err)
	return s
}

// textAt returns the text of the cell at an A1 reference.
func textAt(s *grid.Sheet, a1 string) string { return s.Value(grid.MustRef(a1)).Text }

// tabLines counts the account blocks of an Actuals vs Plan tab.
func tabLines(t *testing.T, s *grid.Sheet) int {
	t.Helper()
	n := 0
	for row := actualsFirstRow; s.Value(grid.R(row, actualsCodeCol)).Text != ""; row += actualsBlock {
		n++
	}
	require.NotZero(t, n)
	return n
}

// number returns the number of the cell at an A1 reference, as text.
func number(t *testing.T, s *grid.Sheet, a1 string) string {
	t.Helper()
	at := grid.MustRef(a1)
	return gridtest.Number(t, s, at.Row, at.Col).String()
}

func TestActualsTabCellByCell(t *testing.T) {
	tpl, _, r := closed(t)
	s := actualsTab(t, tpl, r, "sales")

	assert.Equal(t, ActualsSheetName, s.Name)
	assert.Equal(t, "Acme · Sales · FY2027: actuals against plan, through Sep 2026", textAt(s, "A1"))
	assert.Contains(t, textAt(s, "A2"), "Written by aop on 2026-10-05 08:00 UTC from the ledger")
	assert.Contains(t, textAt(s, "A2"), "Variance = actual − plan")
	assert.Equal(t, "Sep 2026 (FY2027-P03)", textAt(s, "B3"), "the close sits in a fixed cell")

	// Key figures.
	assert.Equal(t, []string{"Revenue", "Costs"}, []string{textAt(s, "A6"), textAt(s, "A7")})
	for a1, want := range map[string]string{
		"B6": "287000", "C6": "300000", "D6": "-13000", "E6": "-0.043333", "F6": "1187000", "G6": "1200000", "H6": "-13000",
		"B7": "150000", "C7": "150000", "D7": "0", "E7": "0", "F7": "600000", "G7": "600000", "H7": "0",
	} {
		assert.Equal(t, want, number(t, s, a1), a1)
	}
	assert.Equal(t, "unfavourable", textAt(s, "I6"))
	assert.Equal(t, "on plan", textAt(s, "I7"))
	assert.Equal(t, "#,##0.00", s.Cell(grid.MustRef("B6")).Style.NumFmt)
	assert.Equal(t, "0.0%", s.Cell(grid.MustRef("E6")).Style.NumFmt)
	assert.Equal(t, "C62828", s.Cell(grid.MustRef("D6")).Style.FontColor, "an unfavourable variance is red")

	// The table: headers, then a block of Actual, Plan and Variance rows per account.
	assert.Equal(t, "Account", textAt(s, "A10"))
	assert.Equal(t, "Jul 2026", textAt(s, "D10"))
	assert.Equal(t, "Jun 2027", textAt(s, "O10"))
	assert.Equal(t, []string{"Year to date", "YTD %", "Full year (outlook)", "Why", "Explanation"},
		[]string{textAt(s, "P10"), textAt(s, "Q10"), textAt(s, "R10"), textAt(s, "S10"), textAt(s, "T10")})
	assert.Equal(t, grid.R(11, 4), s.Freeze)

	assert.Equal(t, "4000", textAt(s, "A11"), "the account code sits in column A of the block's first row")
	assert.Equal(t, "Subscription revenue", textAt(s, "B11"))
	assert.Equal(t, []string{"Actual", "Plan", "Variance"}, []string{textAt(s, "C11"), textAt(s, "C12"), textAt(s, "C13")})
	for a1, want := range map[string]string{
		"D11": "100000", "E11": "95000", "F11": "92000",
		"D12": "100000", "E12": "100000", "F12": "100000", "G12": "100000", "O12": "100000",
		"D13": "0", "E13": "-5000", "F13": "-8000",
		"P11": "287000", "P12": "300000", "P13": "-13000", "Q13": "-0.043333",
		"R11": "1187000", "R12": "1200000", "R13": "-13000",
	} {
		assert.Equal(t, want, number(t, s, a1), a1)
	}
	assert.True(t, s.Value(grid.MustRef("G11")).IsEmpty(), "October is open: no actual")
	assert.True(t, s.Value(grid.MustRef("G13")).IsEmpty(), "nor a variance")
	assert.Equal(t, "7F7F7F", s.Cell(grid.MustRef("G12")).Style.FontColor, "an open month's plan is muted")
	assert.Equal(t, "C62828", s.Cell(grid.MustRef("F13")).Style.FontColor)
	assert.Equal(t, "permanent; assumption -25,000.00, execution +12,000.00", textAt(s, "S11"))

	assert.Equal(t, "6000", textAt(s, "A14"))
	assert.Equal(t, "Salaries", textAt(s, "B14"))
	for a1, want := range map[string]string{"D14": "50000", "E14": "60000", "F14": "40000", "E16": "10000", "F16": "-10000", "P16": "0", "Q16": "0"} {
		assert.Equal(t, want, number(t, s, a1), a1)
	}
	assert.Equal(t, "C62828", s.Cell(grid.MustRef("E16")).Style.FontColor, "overspending is unfavourable")
	assert.Equal(t, "2E7D32", s.Cell(grid.MustRef("F16")).Style.FontColor, "underspending is favourable")
	assert.Equal(t, "timing: Sep 2026's variance nets out in its quarter", textAt(s, "S14"))
	assert.Equal(t, "Offsite paid in August", textAt(s, "T14"), "the explanation Sales gave is pre-filled")
	assert.True(t, s.Value(grid.MustRef("A17")).IsEmpty(), "the blocks end")

	// Early warnings: the department's three, the worst first.
	g := gridtest.RowOf(s, 3, "pipeline_growth")
	require.Positive(t, g)
	assert.Equal(t, "Pipeline growth: 15% → 20%", s.Value(grid.R(g, 2)).Text)
	assert.Equal(t, "1", gridtest.Number(t, s, g, 4).String(), "the latest month's value")
	assert.Equal(t, "0.2", gridtest.Number(t, s, g, 5).String())
	assert.Equal(t, "0.12", gridtest.Number(t, s, g, 6).String())
	assert.Equal(t, "0.0%", s.Cell(grid.R(g, 5)).Style.NumFmt, "a percentage assumption shows as one")
	assert.Equal(t, "0.4", gridtest.Number(t, s, g, 7).String())
	assert.Equal(t, "breaking", s.Value(grid.R(g, 8)).Text)
	assert.Equal(t, "FFC7CE", s.Cell(grid.R(g, 8)).Style.Fill)
	assert.Equal(t, "results still on plan: the indicator warns first", s.Value(grid.R(g, 9)).Text)
	p := gridtest.RowOf(s, 3, "pipeline")
	assert.Equal(t, g+1, p)
	assert.Equal(t, "600000", gridtest.Number(t, s, p, 5).String())
	assert.Equal(t, "450000", gridtest.Number(t, s, p, 6).String())
	assert.Equal(t, "#,##0", s.Cell(grid.R(p, 5)).Style.NumFmt)
	win := gridtest.RowOf(s, 3, "win_rate")
	assert.Equal(t, "on track", s.Value(grid.R(win, 8)).Text)
	assert.True(t, s.Value(grid.R(win, 9)).IsEmpty(), "nothing to say of an indicator on track")

	// Triggers: its own, its parent's and the company's, not Ops'.
	assert.Zero(t, gridtest.RowOf(s, 2, "ops-spend"))
	costs := gridtest.RowOf(s, 2, "cost-overrun")
	require.Positive(t, costs)
	assert.Equal(t, "Aug 2026", s.Value(grid.R(costs, 3)).Text)
	assert.Equal(t, "1.125", gridtest.Number(t, s, costs, 4).String())
	assert.Equal(t, "0.0%", s.Cell(grid.R(costs, 4)).Style.NumFmt, "a share of plan shows as a percentage")
	assert.Equal(t, "review-spend", s.Value(grid.R(costs, 5)).Text)
	assert.Equal(t, "no actions", s.Value(grid.R(costs, 7)).Text)
	assert.Positive(t, gridtest.RowOf(s, 2, "gtm-revenue"), "the parent's trigger concerns Sales")
	slip := gridtest.RowOf(s, 2, "sales-slip")
	require.Positive(t, slip)
	assert.Equal(t, "Sep 2026", s.Value(grid.R(slip, 3)).Text)
	assert.Equal(t, "0.92", gridtest.Number(t, s, slip, 4).String())
	assert.Equal(t, "Oct 2026", s.Value(grid.R(slip, 6)).Text, "the response starts a month later")
	assert.Equal(t, "freeze hiring", s.Value(grid.R(slip, 7)).Text)
	assert.Equal(t, "Nov 2026", s.Value(grid.R(slip, 8)).Text)
	assert.Equal(t, "Jun 2027", s.Value(grid.R(slip, 9)).Text)
	assert.Equal(t, "revenue of sales < 96% of plan for 2 consecutive months", s.Value(grid.R(slip, 10)).Text)
	assert.Equal(t, "close an office", s.Value(grid.R(slip+1, 7)).Text)
	assert.Equal(t, "after the horizon", s.Value(grid.R(slip+1, 8)).Text)
}

func TestActualsTabLocksAllButTheExplanations(t *testing.T) {
	tpl, _, r := closed(t)
	s := actualsTab(t, tpl, r, "sales")
	require.NotNil(t, s.Protection)
	assert.Equal(t, testKey.SheetPassword(), s.Protection.Password)
	assert.Equal(t, grid.PageSetup{Landscape: true, FitToWidth: true}, s.Page)

	var unlocked []string
	for at, c := range s.All() {
		if c.Style != nil && c.Style.Unlocked {
			unlocked = append(unlocked, at.String())
			assert.Equal(t, tpl.Spec().Colors.Input, c.Style.Fill, "%s is coloured as an input", at)
		}
	}
	assert.Equal(t, []string{"T11", "T12", "T13", "T14", "T15", "T16"}, unlocked,
		"both Sales lines ask for an explanation; the merged cell is open wherever it is clicked")
	assert.Contains(t, s.Merges, grid.Rect(11, 20, 13, 20))
	assert.Contains(t, s.Merges, grid.Rect(14, 20, 16, 20))
	require.Len(t, s.Validations, 1)
	v := s.Validations[0]
	assert.Equal(t, grid.ValidateTextLength, v.Type)
	assert.Equal(t, grid.LessOrEqual, v.Operator)
	assert.Equal(t, "2000", v.Formula1)
	assert.Equal(t, []grid.Range{grid.Rect(11, 20, 13, 20), grid.Rect(14, 20, 16, 20)}, v.Ranges)

	// Ops is on plan where it planned, and its unplanned 1,000 is not material.
	ops := actualsTab(t, tpl, r, "ops")
	assert.Equal(t, "6000", textAt(ops, "A11"))
	assert.Equal(t, "4000", textAt(ops, "A14"), "actuals without a plan still show")
	assert.Equal(t, "1000", number(t, ops, "E14"))
	assert.Equal(t, "0", number(t, ops, "E15"), "nothing planned")
	for at, c := range ops.All() {
		require.False(t, c.Style != nil && c.Style.Unlocked, "%s is locked: nothing to explain", at)
	}
	assert.Empty(t, ops.Validations)
	assert.Positive(t, gridtest.RowOf(ops, 2, "ops-spend"))
	assert.Equal(t, "30000", gridtest.Number(t, ops, gridtest.RowOf(ops, 2, "ops-spend"), 4).String())
	assert.Equal(t, "#,##0.00", ops.Cell(grid.R(gridtest.RowOf(ops, 2, "ops-spend"), 4)).Style.NumFmt, "an amount trigger shows its amount")
	assert.Zero(t, gridtest.RowOf(ops, 2, "sales-slip"))
	assert.Positive(t, gridtest.RowOf(ops, 2, "No assumption of your register is read against an indicator with actuals yet."))
}

func TestActualsTabBeforeTheFirstClose(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	in := closeInput(c)
	in.Book = actuals.NewBook()
	r, err := review.Close(in)
	require.NoError(t, err)
	s := actualsTab(t, tpl, r, "sales")
	assert.Equal(t, "Acme · Sales · FY2027: actuals against plan", textAt(s, "A1"))
	assert.Equal(t, "No month of FY2027 is closed yet: this tab fills in at the first close.", textAt(s, "A3"))
	assert.True(t, s.Value(grid.MustRef("B3")).IsEmpty())
	assert.True(t, s.Value(grid.MustRef("A11")).IsEmpty())
	for at, cell := range s.All() {
		require.False(t, cell.Style != nil && cell.Style.Unlocked, "%s is locked", at)
	}
	assert.NotNil(t, s.Protection)

	wb := grid.New()
	wb.Sheets = append(wb.Sheets, s)
	got, findings := tpl.ParseExplanations(wb, "sales")
	assert.Empty(t, got)
	assert.Empty(t, findings)
}

func TestActualsTabUnknownDepartment(t *testing.T) {
	tpl, _, r := closed(t)
	_, err := tpl.ActualsTab(r, "legal", testKey, "today")
	assert.ErrorContains(t, err, `unknown department "legal"`)
	_, err = tpl.ActualsTab(nil, "sales", testKey, "today")
	assert.Error(t, err)
}

// An explanation typed into the tab comes back with its account, the
// close's month and its cell, and a close that reads it shows it.
func TestExplanationsRoundTrip(t *testing.T) {
	tpl, in, r := closed(t)
	wb := generate(t, tpl, "sales")
	wb.Sheets = append(wb.Sheets, actualsTab(t, tpl, r, "sales"))
	s := wb.Sheet(ActualsSheetName)
	s.SetValue(grid.MustRef("T11"), grid.Str("  The pipeline slipped: two deals moved to October.  "))
	s.SetValue(grid.MustRef("T14"), grid.Value{})

	got, findings := tpl.ParseExplanations(wb, "sales")
	assert.Empty(t, findings)
	require.NotEmpty(t, got)
	assert.Equal(t, review.Explanation{Department: "sales", Account: "4000", Period: 3,
		Text: "The pipeline slipped: two deals moved to October.", Sheet: ActualsSheetName, Cell: "T11"}, got[0])
	for _, e := range got[1:] {
		assert.Empty(t, e.Text, "%s: nothing typed, nothing said", e.Cell)
		assert.Equal(t, engine.Period(3), e.Period)
	}
	assert.Len(t, got, tabLines(t, actualsTab(t, tpl, r, "sales")), "one for each line of the tab")

	// The next close reads what Sales said.
	in.Explanations = got
	r, err := review.Close(in)
	require.NoError(t, err)
	again := actualsTab(t, tpl, r, "sales")
	assert.Equal(t, "The pipeline slipped: two deals moved to October.", textAt(again, "T11"))
	assert.True(t, again.Value(grid.MustRef("T14")).IsEmpty())
	assert.True(t, again.Cell(grid.MustRef("T14")).Style.Unlocked, "still asked for")
}

func TestParseExplanationsRefusesLongText(t *testing.T) {
	tpl, _, r := closed(t)
	wb := grid.New()
	wb.Sheets = append(wb.Sheets, actualsTab(t, tpl, r, "sales"))
	s := wb.Sheet(ActualsSheetName)
	s.SetValue(grid.MustRef("T11"), grid.Str(strings.Repeat("é", MaxExplanation+1)))
	s.SetValue(grid.MustRef("T14"), grid.Str(strings.Repeat("é", MaxExplanation)))

	got, findings := tpl.ParseExplanations(wb, "sales")
	require.Len(t, findings, 1)
	f := findings[0]
	assert.Equal(t, ActualsSheetName, f.Sheet)
	assert.Equal(t, "T11", f.Cell)
	assert.Equal(t, engine.Warning, f.Level, "the plan beside it is not wrong")
	assert.Equal(t, "the explanation of account 4000 is 2001 characters long and was left out: shorten it to 2000 or fewer", f.Message)
	require.NotEmpty(t, got)
	assert.Equal(t, "6000", got[0].Account, "the long one is left out")
	assert.Equal(t, strings.Repeat("é", MaxExplanation), got[0].Text, "characters count, not bytes: 2,000 accented letters pass")
}

func TestParseExplanationsWithoutTheTab(t *testing.T) {
	tpl, _, _ := closed(t)
	got, findings := tpl.ParseExplanations(generate(t, tpl, "sales"), "sales")
	assert.Nil(t, got)
	assert.Nil(t, findings)
}

func TestParseExplanationsUnreadableClose(t *testing.T) {
	tpl, _, r := closed(t)
	wb := grid.New()
	wb.Sheets = append(wb.Sheets, actualsTab(t, tpl, r, "sales"))
	wb.Sheet(ActualsSheetName).SetValue(grid.MustRef("B3"), grid.Str("September"))
	got, findings := tpl.ParseExplanations(wb, "sales")
	assert.Empty(t, got)
	require.Len(t, findings, 1)
	assert.Equal(t, "B3", findings[0].Cell)
}

func TestFiringConditionReading(t *testing.T) {
	for _, tc := range []struct {
		trigger scenario.Trigger
		dept    string
		ofPlan  bool
	}{
		{scenario.Trigger{Department: "sales", Metric: scenario.Revenue, OfPlan: true, Compare: scenario.Below, Threshold: dec("0.96"), Persistence: 2}, "sales", true},
		{scenario.Trigger{Department: scenario.Company, Metric: scenario.Costs, OfPlan: true, Compare: scenario.AtLeast, Threshold: dec("1.1")}, scenario.Company, true},
		{scenario.Trigger{Department: "ops", Metric: scenario.Costs, Trailing: 3, Average: true, Compare: scenario.Above, Threshold: dec("30000")}, "ops", false},
		{scenario.Trigger{Department: scenario.Company, Metric: scenario.Cash, Compare: scenario.AtMost, Threshold: dec("0")}, scenario.Company, false},
	} {
		f := scenario.Firing{Condition: tc.trigger.String()}
		t.Run(f.Condition, func(t *testing.T) {
			assert.Equal(t, tc.dept, firingDepartment(f))
			assert.Equal(t, tc.ofPlan, firingOfPlan(f))
		})
	}
}

func TestSignedAmount(t *testing.T) {
	for in, want := range map[string]string{
		"12000": "+12,000.00", "-25000": "-25,000.00", "0": "0.00", "999.995": "+1,000.00",
		"-1234567.8": "-1,234,567.80", "100": "+100.00",
	} {
		assert.Equal(t, want, signedAmount(dec(in)), in)
	}
}
