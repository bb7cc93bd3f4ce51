package templates

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/grid"
)

var testKey = Key([]byte("0123456789abcdef0123456789abcdef"))

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// testCycle is a small cycle with a July fiscal year, two levels of
// departments, revenue and cost accounts, two dimensions and rules.
func testCycle() *engine.Cycle {
	return &engine.Cycle{
		ID: "acme-fy2027", Company: "Acme", Currency: "USD",
		Year: engine.FiscalYear{Year: 2027, StartMonth: time.July},
		Departments: []engine.Department{
			{ID: "gtm", Name: "Go-to-market"},
			{ID: "sales", Name: "Sales", Parent: "gtm", Owner: "dana@acme.example"},
			{ID: "ops", Name: "Operations", Parent: "gtm"},
		},
		Accounts: []engine.Account{
			{Code: "4000", Name: "Subscription revenue", Type: engine.Revenue, Favourable: engine.Higher, Group: "Revenue", Departments: []string{"sales"}},
			{Code: "6000", Name: "Salaries", Type: engine.OpEx, Favourable: engine.Lower, Group: "Personnel"},
			{Code: "6200", Name: "Travel", Type: engine.OpEx, Favourable: engine.Lower, Group: "Travel"},
			{Code: "7000", Name: "Headcount", Type: engine.Headcount, Favourable: engine.Lower},
		},
		Dimensions: []engine.Dimension{
			{ID: "project", Name: "Project", Members: []engine.Member{{ID: "apollo", Name: "Apollo"}, {ID: "zeus", Name: "Zeus"}}},
			{ID: "channel", Name: "Channel", Members: []engine.Member{{ID: "direct", Name: "Direct"}, {ID: "partner", Name: "Partner"}}},
		},
		PriorActuals: []engine.Amount{
			{Department: "sales", Account: "4000", Amount: dec("1200000")},
			{Department: "sales", Account: "6200", Amount: dec("12000.06")},
			{Department: "ops", Account: "6000", Amount: dec("480000")},
		},
		Rules: []engine.Rule{{ID: "explain", Kind: engine.RuleExplainGrowth, Threshold: dec("0.15"), Level: engine.Error}},
		Lines: 20,
	}
}

func newTemplate(t *testing.T, c *engine.Cycle) *Department {
	t.Helper()
	require.NoError(t, c.Validate())
	tpl, err := NewDepartment(c)
	require.NoError(t, err)
	return tpl
}

func generate(t *testing.T, tpl *Department, dept string) *grid.Workbook {
	t.Helper()
	wb, err := tpl.Generate(dept, "", testKey)
	require.NoError(t, err)
	return wb
}

// typeInto sets values in a workbook as a person typing would.
func typeInto(wb *grid.Workbook, in []Input) {
	for _, x := range in {
		wb.Sheet(x.Sheet).SetValue(x.Cell, x.Value)
	}
}

func TestGenerateSeedsPriorYearAndVerifies(t *testing.T) {
	tpl := newTemplate(t, testCycle())
	wb := generate(t, tpl, "sales")

	names := []string{}
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"Instructions", "Plan", "Drivers", "Headcount", "Assumptions", "Initiatives", "Ranges", "Lists", "_aop"}, names)
	assert.Equal(t, grid.VeryHidden, wb.Sheet("_aop").Visibility)
	assert.Equal(t, grid.Hidden, wb.Sheet("Lists").Visibility)

	id, err := tpl.Verify(wb, "sales", testKey)
	require.NoError(t, err)
	assert.Equal(t, Identity{Cycle: "acme-fy2027", Department: "sales", Template: "department", TemplateVersion: 2}, id)

	sub, facts, findings := tpl.Parse(wb, id)
	assert.Empty(t, findings)
	// Seeded: the sales accounts with prior actuals, spread evenly to the cent.
	require.Len(t, sub.Lines, 4)
	assert.Equal(t, "4000", sub.Lines[0].Account)
	assert.True(t, sub.Lines[0].Total().Equal(dec("1200000")), sub.Lines[0].Total().String())
	assert.Equal(t, "6000", sub.Lines[1].Account)
	assert.True(t, sub.Lines[1].Total().IsZero(), "no prior: an empty seeded line")
	assert.True(t, sub.Lines[2].Total().Equal(dec("12000.06")), "the spread adds back to the cent")
	assert.Equal(t, "'Plan'!A5", "'"+sub.Lines[0].Cells.Sheet+"'!"+sub.Lines[0].Cells.Account)
	assert.NotEmpty(t, facts)

	// Input regions are named, and every named input cell is unlocked.
	for _, name := range []string{"Plan_Account", "Plan_project", "Plan_channel", "Plan_Description", "Plan_Amounts", "Plan_Explanation", "Drivers_Values", "Headcount_Plan", "Assumptions_Register", "Initiatives_Table", "Ranges_Table"} {
		n, ok := wb.Name(name)
		require.True(t, ok, name)
		sheet, r, err := grid.SplitSheetRef(n.RefersTo)
		require.NoError(t, err, name)
		for row := r.From.Row; row <= r.To.Row; row++ {
			for col := r.From.Col; col <= r.To.Col; col++ {
				st := wb.Sheet(sheet).Cell(grid.R(row, col)).Style
				require.True(t, st != nil && st.Unlocked, "%s %s is locked", name, grid.R(row, col))
			}
		}
	}
	// A department without revenue gets no Drivers sheet.
	assert.Nil(t, generate(t, tpl, "ops").Sheet("Drivers"))
}

func TestTypedInputsParseBack(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	wb := generate(t, tpl, "sales")
	win := dec("0.28")
	want := &engine.Submission{Cycle: c.ID, Department: "sales", Template: "department", TemplateVersion: 2,
		Lines: []engine.Line{
			{Account: "4000", Dims: map[string]string{"channel": "direct"}, Description: "New logos", Comment: "Two new reps ramped"},
			{Account: "4000", Dims: map[string]string{"channel": "partner", "project": "zeus"}},
			{Account: "6200", Dims: map[string]string{}, Comment: "=IMPORTXML(\"http://x\")"},
		},
		Drivers:     []engine.Driver{{Name: "win_rate"}},
		Hires:       []engine.Hire{{Role: "Account executive", Count: 2, Start: 3, AnnualSalary: dec("120000"), LoadedCost: dec("0.25"), RampMonths: 4}},
		Assumptions: []engine.Assumption{{Driver: "Win rate", From: "22%", To: "28%", Status: engine.Changed, Counterbalance: "Discounts ≤ 15%", Risk: "Methodology lands", Indicator: "Stage-2 conversion"}},
		Initiatives: []engine.InitiativeInput{
			{Name: "Partner portal", Kind: engine.InitiativeLaunch, Start: 4, OneTimeCost: dec("60000"), MonthlyCost: dec("18000.50"),
				MonthlyRevenue: dec("45000"), RampMonths: 6, Description: "Self-serve deal registration"},
			{Name: "Buy Hermes Ltd", Kind: engine.InitiativeAcquisition, Start: 10, OneTimeCost: dec("250000"), MonthlyRevenue: dec("80000")},
		},
		Ranges: []engine.RangeInput{
			{Account: "4000", Low: dec("0.85"), Likely: dec("1"), High: dec("1.1"), Comment: "Two big renewals"},
			{Account: "6200", Low: dec("0.9"), Likely: dec("0.9"), High: dec("1.25")},
		},
	}
	for p := range engine.MonthsPerYear {
		want.Lines[0].Months[p] = dec("110000.10").Add(decimal.NewFromInt(int64(p)))
		want.Lines[1].Months[p] = dec("25000")
		want.Lines[2].Months[p] = dec("1000.5")
	}
	want.Drivers[0].Months[2] = &win
	in, err := tpl.Inputs(want)
	require.NoError(t, err)
	typeInto(wb, in)

	id, err := tpl.Verify(wb, "sales", testKey)
	require.NoError(t, err)
	got, facts, findings := tpl.Parse(wb, id)
	require.Empty(t, findings)
	require.Len(t, got.Lines, 3)
	for i := range want.Lines {
		assert.Equal(t, want.Lines[i].Account, got.Lines[i].Account)
		assert.Equal(t, want.Lines[i].Description, got.Lines[i].Description)
		assert.Equal(t, want.Lines[i].Comment, got.Lines[i].Comment)
		assert.Equal(t, len(want.Lines[i].Dims), len(got.Lines[i].Dims))
		for k, v := range want.Lines[i].Dims {
			assert.Equal(t, v, got.Lines[i].Dims[k])
		}
		for p := range engine.MonthsPerYear {
			assert.True(t, want.Lines[i].Months[p].Equal(got.Lines[i].Months[p]), "line %d month %d", i, p+1)
		}
	}
	require.Len(t, got.Drivers, 1)
	assert.True(t, got.Drivers[0].Months[2].Equal(win))
	require.Len(t, got.Hires, 1)
	assert.Equal(t, want.Hires[0].Start, got.Hires[0].Start)
	assert.True(t, got.Hires[0].LoadedCost.Equal(dec("0.25")))
	require.Len(t, got.Assumptions, 1)
	assert.Equal(t, want.Assumptions[0], withoutSource(got.Assumptions[0]))
	require.Len(t, got.Initiatives, 2)
	for i, w := range want.Initiatives {
		g := got.Initiatives[i]
		assert.Equal(t, engine.Source{Sheet: "Initiatives", Cell: fmt.Sprintf("A%d", 4+i)}, g.Source)
		assert.Equal(t, []any{w.Name, w.Kind, w.Start, w.RampMonths, w.Description}, []any{g.Name, g.Kind, g.Start, g.RampMonths, g.Description})
		for _, pair := range [][2]decimal.Decimal{{w.OneTimeCost, g.OneTimeCost}, {w.MonthlyCost, g.MonthlyCost}, {w.MonthlyRevenue, g.MonthlyRevenue}} {
			assert.True(t, pair[0].Equal(pair[1]), "initiative %d: %s vs %s", i, pair[0], pair[1])
		}
	}
	assert.Equal(t, "M&A", wb.Sheet("Initiatives").Value(grid.MustRef("B5")).Text, "the sheet shows an acquisition as M&A")
	require.Len(t, got.Ranges, 2)
	for i, w := range want.Ranges {
		g := got.Ranges[i]
		assert.Equal(t, engine.Source{Sheet: "Ranges", Cell: fmt.Sprintf("A%d", 4+i)}, g.Source)
		assert.Equal(t, w.Account, g.Account)
		assert.Equal(t, w.Comment, g.Comment)
		assert.True(t, w.Low.Equal(g.Low) && w.Likely.Equal(g.Likely) && w.High.Equal(g.High), "range %d: %+v", i, g)
	}
	assert.Equal(t, "6200 Travel", wb.Sheet("Ranges").Value(grid.MustRef("A5")).Text, "the account as the drop-down shows it")

	// Without records, the same submission and findings.
	bare, bareFindings := tpl.ParseSubmission(wb, id)
	assert.Equal(t, got, bare)
	assert.Equal(t, findings, bareFindings)

	// Every typed amount is a record with its account, period and dimensions.
	var amount *engine.Fact
	for i := range facts {
		if facts[i].Sheet == "Plan" && facts[i].Kind == "amount" && facts[i].Period == 3 && facts[i].Account == "4000" && facts[i].Dims["channel"] == "partner" {
			amount = &facts[i]
		}
	}
	require.NotNil(t, amount)
	assert.Equal(t, "zeus", amount.Dims["project"])
	assert.True(t, amount.Amount.Equal(dec("25000")))
	sheet, cell, _ := tpl.PlanCell(1, "month:3")
	assert.Equal(t, sheet, amount.Sheet)
	assert.Equal(t, cell.String(), amount.Cell)

	// Initiative and range cells are records too, with what they hold.
	kinds := map[string]*engine.Fact{}
	for i := range facts {
		kinds[facts[i].Sheet+"!"+facts[i].Cell] = &facts[i]
	}
	sheet, cell, _ = tpl.InitiativeCell(0, "start_month")
	f := kinds[sheet+"!"+cell.String()]
	require.NotNil(t, f)
	assert.Equal(t, []any{"initiative", "start_month", engine.Period(4)}, []any{f.Kind, f.Field, f.Period})
	sheet, cell, _ = tpl.InitiativeCell(0, "monthly_cost")
	require.NotNil(t, kinds[sheet+"!"+cell.String()].Amount)
	assert.True(t, kinds[sheet+"!"+cell.String()].Amount.Equal(dec("18000.50")))
	sheet, cell, _ = tpl.RangeCell(1, "high")
	f = kinds[sheet+"!"+cell.String()]
	require.NotNil(t, f)
	assert.Equal(t, []any{"range", "high", "6200"}, []any{f.Kind, f.Field, f.Account})
	assert.True(t, f.Amount.Equal(dec("1.25")))
}

// The Initiatives and Ranges sheets are tables like Headcount: yellow,
// unlocked input cells with drop-downs and number checks, computed columns
// locked, and the kinds and months listed for the drop-downs.
func TestInitiativesAndRangesSheets(t *testing.T) {
	tpl := newTemplate(t, testCycle())
	wb := generate(t, tpl, "sales")
	input := tpl.Spec().Colors.Input

	s := wb.Sheet("Initiatives")
	require.NotNil(t, s)
	require.NotNil(t, s.Protection)
	assert.Equal(t, []string{"Initiative", "Kind", "Start month", "One-time cost", "Monthly running cost", "Monthly revenue at full ramp",
		"Months to full ramp", "What it is", "FY2027 cost"}, rowTexts(s, 3, 9))
	for col := 1; col <= 8; col++ {
		st := s.Cell(grid.R(4, col)).Style
		require.NotNil(t, st)
		assert.True(t, st.Unlocked, "column %d is an input", col)
		assert.Equal(t, input, st.Fill)
	}
	cost := s.Cell(grid.MustRef("I4"))
	assert.Equal(t, "IFERROR(D4+E4*(13-MATCH(C4,List_Months,0)),0)", cost.Formula)
	assert.False(t, cost.Style.Unlocked)
	assert.Equal(t, map[string]string{"B4:B13": "List_Kinds", "C4:C13": "List_Months"}, listValidations(s))
	assert.Equal(t, "'Initiatives'!$A$4:$H$13", mustName(t, wb, "Initiatives_Table"))
	kinds, ok := wb.Name("List_Kinds")
	require.True(t, ok)
	sheet, r, err := grid.SplitSheetRef(kinds.RefersTo)
	require.NoError(t, err)
	var labels []string
	for row := r.From.Row; row <= r.To.Row; row++ {
		labels = append(labels, wb.Sheet(sheet).Value(grid.R(row, r.From.Col)).Text)
	}
	assert.Equal(t, []string{"launch", "expansion", "M&A"}, labels)

	s = wb.Sheet("Ranges")
	require.NotNil(t, s)
	require.NotNil(t, s.Protection)
	assert.Equal(t, []string{"Account", "Low case (% of plan)", "Likely case (% of plan)", "High case (% of plan)", "Why this range",
		"FY2027 plan (account)", "Low case", "High case"}, rowTexts(s, 3, 8))
	for col := 1; col <= 5; col++ {
		st := s.Cell(grid.R(23, col)).Style
		require.NotNil(t, st)
		assert.True(t, st.Unlocked, "column %d is an input", col)
	}
	assert.Equal(t, "0.0%", s.Cell(grid.MustRef("B4")).Style.NumFmt)
	assert.Equal(t, `IF(A4="",0,SUMIFS(Plan_Total,Plan_Account,A4))`, s.Cell(grid.MustRef("F4")).Formula)
	assert.Equal(t, "IFERROR(F4*B4,0)", s.Cell(grid.MustRef("G4")).Formula)
	assert.Equal(t, "IFERROR(F4*D4,0)", s.Cell(grid.MustRef("H4")).Formula)
	assert.Equal(t, map[string]string{"A4:A23": "List_Accounts"}, listValidations(s))
	assert.Equal(t, "'Ranges'!$A$4:$E$23", mustName(t, wb, "Ranges_Table"))
	assert.Equal(t, "'Plan'!$Q$5:$Q$24", mustName(t, wb, "Plan_Total"), "the plan's year totals, which the ranges read")
}

// rowTexts returns the texts of a row's first n cells.
func rowTexts(s *grid.Sheet, row, n int) []string {
	var out []string
	for col := 1; col <= n; col++ {
		out = append(out, s.Value(grid.R(row, col)).Text)
	}
	return out
}

// listValidations maps the ranges of a sheet's drop-downs to their lists.
func listValidations(s *grid.Sheet) map[string]string {
	out := map[string]string{}
	for _, v := range s.Validations {
		if v.Type == grid.ValidateList {
			for _, r := range v.Ranges {
				out[r.String()] = v.Formula1
			}
		}
	}
	return out
}

func mustName(t *testing.T, wb *grid.Workbook, name string) string {
	t.Helper()
	n, ok := wb.Name(name)
	require.True(t, ok, name)
	return n.RefersTo
}

func withoutSource(a engine.Assumption) engine.Assumption { a.Source = engine.Source{}; return a }

func TestFindingsNameTheCell(t *testing.T) {
	tpl := newTemplate(t, testCycle())
	type edit struct {
		sheet, cell string
		v           grid.Value
	}
	cases := []struct {
		name      string
		edits     []edit
		wantCell  string
		wantLevel engine.Level
		wantMsg   string
	}{
		{"words in an amount", []edit{{"Plan", "F5", grid.Str("two")}}, "F5", engine.Error, `must be a number, got "two"`},
		{"error value", []edit{{"Plan", "G5", grid.ErrorValue("#DIV/0!")}}, "G5", engine.Error, "shows the error #DIV/0!"},
		{"unknown account", []edit{{"Plan", "A10", grid.Str("9999 Yachts")}, {"Plan", "E10", grid.Int(5)}}, "A10", engine.Error, "not in the chart of accounts"},
		{"amount without account", []edit{{"Plan", "F12", grid.Int(5)}}, "A12", engine.Error, "no account"},
		{"unknown member", []edit{{"Plan", "B5", grid.Str("Hermes")}}, "B5", engine.Error, "pick one of: Apollo, Zeus"},
		{"win rate as a whole number", []edit{{"Drivers", "C5", grid.Int(22)}}, "C5", engine.Error, "between 0% and 100%"},
		{"hire without start", []edit{{"Headcount", "A4", grid.Str("AE")}, {"Headcount", "B4", grid.Int(1)}, {"Headcount", "D4", grid.Int(90000)}}, "C4", engine.Error, "start month is missing"},
		{"fractional count", []edit{{"Headcount", "A4", grid.Str("AE")}, {"Headcount", "B4", grid.NumText("1.5")}, {"Headcount", "C4", grid.Str("P2 Aug 2026")}, {"Headcount", "D4", grid.Int(90000)}}, "B4", engine.Error, "whole number"},
		{"assumption without status", []edit{{"Assumptions", "A4", grid.Str("Win rate")}}, "D4", engine.Error, "maintained"},
		{"growth without explanation", []edit{{"Plan", "E7", grid.Int(5000)}}, "T7", engine.Error, "needs an explanation"},
		{"sub-cent amount", []edit{{"Plan", "F6", grid.NumText("10.555")}}, "F6", engine.Warning, "has more than cents"},
		{"initiative without name", []edit{{"Initiatives", "B4", grid.Str("launch")}, {"Initiatives", "C4", grid.Str("P2 Aug 2026")}, {"Initiatives", "D4", grid.Int(5000)}},
			"A4", engine.Error, "no name"},
		{"initiative of an unknown kind", []edit{{"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("merger")}, {"Initiatives", "C4", grid.Str("P2 Aug 2026")}, {"Initiatives", "D4", grid.Int(5000)}},
			"B4", engine.Error, `the kind of Portal must be launch, expansion or M&A from the list, got "merger"`},
		{"initiative without start", []edit{{"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("M&A")}, {"Initiatives", "D4", grid.Int(5000)}},
			"C4", engine.Error, "the start month of Portal is missing"},
		{"initiative with a negative cost", []edit{{"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("launch")}, {"Initiatives", "C4", grid.Int(2)}, {"Initiatives", "E4", grid.Int(-5)}},
			"E4", engine.Error, "the monthly running cost of Portal must be zero or more"},
		{"initiative with a fractional ramp", []edit{{"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("launch")}, {"Initiatives", "C4", grid.Int(2)}, {"Initiatives", "F4", grid.Int(9000)}, {"Initiatives", "G4", grid.NumText("2.5")}},
			"G4", engine.Error, "whole number from 0 to 36"},
		{"initiative without amounts", []edit{{"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("expansion")}, {"Initiatives", "C4", grid.Int(2)}},
			"D4", engine.Error, "Portal has no cost and no revenue"},
		{"initiative named twice", []edit{{"Initiatives", "A5", grid.Str("portal")}, {"Initiatives", "A4", grid.Str("Portal")}, {"Initiatives", "B4", grid.Str("launch")}, {"Initiatives", "C4", grid.Int(2)}, {"Initiatives", "D4", grid.Int(1)},
			{"Initiatives", "B5", grid.Str("launch")}, {"Initiatives", "C5", grid.Int(3)}, {"Initiatives", "D5", grid.Int(1)}},
			"A5", engine.Error, `initiative "portal" is named in row 4 already`},
		{"range without account", []edit{{"Ranges", "B4", grid.NumText("0.9")}}, "A4", engine.Error, "this range has no account"},
		{"range on an unknown account", []edit{{"Ranges", "A4", grid.Str("9999 Yachts")}, {"Ranges", "B4", grid.NumText("0.9")}, {"Ranges", "C4", grid.Int(1)}, {"Ranges", "D4", grid.NumText("1.1")}},
			"A4", engine.Error, "not in the chart of accounts"},
		{"range missing its likely case", []edit{{"Ranges", "A4", grid.Str("4000 Subscription revenue")}, {"Ranges", "B4", grid.NumText("0.9")}, {"Ranges", "D4", grid.NumText("1.1")}},
			"C4", engine.Error, "the likely case of 4000 Subscription revenue is missing; type it as a share of your plan, e.g. 100%"},
		{"range typed as a whole number", []edit{{"Ranges", "A4", grid.Str("4000 Subscription revenue")}, {"Ranges", "B4", grid.Int(85)}, {"Ranges", "C4", grid.Int(1)}, {"Ranges", "D4", grid.NumText("1.1")}},
			"B4", engine.Error, "above 0% and at most 1000%, got 8500.0%; type it as a percentage, e.g. 85%"},
		{"range of zero", []edit{{"Ranges", "A4", grid.Str("4000 Subscription revenue")}, {"Ranges", "B4", grid.Int(0)}, {"Ranges", "C4", grid.Int(1)}, {"Ranges", "D4", grid.NumText("1.1")}},
			"B4", engine.Error, "above 0%"},
		{"range out of order", []edit{{"Ranges", "A4", grid.Str("4000 Subscription revenue")}, {"Ranges", "B4", grid.NumText("0.9")}, {"Ranges", "C4", grid.NumText("1.2")}, {"Ranges", "D4", grid.NumText("1.1")}},
			"D4", engine.Error, "the high case of 4000 Subscription revenue (110.0%) is below its likely case (120.0%); the cases go low ≤ likely ≤ high"},
		{"two ranges on one account", []edit{{"Ranges", "A5", grid.Str("4000")}, {"Ranges", "A4", grid.Str("4000 Subscription revenue")}, {"Ranges", "B4", grid.NumText("0.9")}, {"Ranges", "C4", grid.Int(1)}, {"Ranges", "D4", grid.NumText("1.1")},
			{"Ranges", "B5", grid.NumText("0.8")}, {"Ranges", "C5", grid.Int(1)}, {"Ranges", "D5", grid.NumText("1.2")}},
			"A5", engine.Error, "4000 Subscription revenue has a range in row 4 already"},
		{"range on an account without a plan", []edit{{"Ranges", "A4", grid.Str("6000 Salaries")}, {"Ranges", "B4", grid.NumText("0.9")}, {"Ranges", "C4", grid.Int(1)}, {"Ranges", "D4", grid.NumText("1.1")}},
			"A4", engine.Warning, "your plan has no amounts on 6000 Salaries, so this range moves nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wb := generate(t, tpl, "sales")
			for _, e := range tc.edits {
				wb.Sheet(e.sheet).SetValue(grid.MustRef(e.cell), e.v)
			}
			id, err := tpl.Verify(wb, "sales", testKey)
			require.NoError(t, err)
			_, _, findings := tpl.Parse(wb, id)
			var hit *engine.Finding
			for i := range findings {
				if findings[i].Cell == tc.wantCell && strings.Contains(findings[i].Message, tc.wantMsg) {
					hit = &findings[i]
				}
			}
			require.NotNil(t, hit, "no finding at %s containing %q; got %v", tc.wantCell, tc.wantMsg, findings)
			assert.Equal(t, tc.wantLevel, hit.Level)
			assert.Equal(t, tc.edits[0].sheet, hit.Sheet)
		})
	}
}

func TestStartMonthAcceptsWhatAppsMake(t *testing.T) {
	tpl := newTemplate(t, testCycle())
	for _, v := range []grid.Value{grid.Str("P3 Sep 2026"), grid.Str("sep 2026"), grid.Int(3), grid.Float(46266)} { // 46266 = 2026-09-01
		wb := generate(t, tpl, "sales")
		s := wb.Sheet("Headcount")
		s.SetValue(grid.MustRef("A4"), grid.Str("AE"))
		s.SetValue(grid.MustRef("B4"), grid.Int(1))
		s.SetValue(grid.MustRef("C4"), v)
		s.SetValue(grid.MustRef("D4"), grid.Int(100000))
		id, err := tpl.Verify(wb, "", testKey)
		require.NoError(t, err)
		sub, _, findings := tpl.Parse(wb, id)
		require.Empty(t, findings, "start month %v", v)
		require.Len(t, sub.Hires, 1)
		assert.Equal(t, engine.Period(3), sub.Hires[0].Start, "start month %v", v)
	}
}

func TestVerifyRefusesEachWayWithItsOwnProblem(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	other := testCycle()
	other.ID = "acme-fy2028"
	otherTpl := newTemplate(t, other)

	cases := []struct {
		name    string
		wb      func() *grid.Workbook
		key     Key
		want    string
		problem Problem
		msg     string
	}{
		{"not an aop workbook", func() *grid.Workbook { wb := grid.New(); wb.AddSheet("Sheet1"); return wb }, testKey, "", NotAOP, "not an aop planning workbook"},
		{"another department", func() *grid.Workbook { return generate(t, tpl, "ops") }, testKey, "sales", WrongDepartment, "belongs to department Operations (ops), not to Sales (sales)"},
		{"another cycle", func() *grid.Workbook { return generate(t, otherTpl, "sales") }, testKey, "sales", WrongCycle, `cycle "acme-fy2028"`},
		{"wrong key", func() *grid.Workbook { return generate(t, tpl, "sales") }, Key([]byte(strings.Repeat("k", 32))), "sales", WrongKey, "signed with another key"},
		{"unknown template version", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheet("_aop").SetValue(grid.R(idVersion, 2), grid.Str("9"))
			return wb
		}, testKey, "sales", UnknownTemplate, "version 9"},
		{"changed header", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheet("Plan").SetValue(grid.MustRef("B4"), grid.Str("Programme"))
			return wb
		}, testKey, "sales", ChangedLayout, `B4 should read "Project" but reads "Programme"`},
		{"inserted column", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheet("Plan").SetValue(grid.MustRef("Z30"), grid.Str("moved"))
			return wb
		}, testKey, "sales", ChangedLayout, "where the template has nothing"},
		{"missing sheet", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheets = append(wb.Sheets[:3], wb.Sheets[4:]...)
			return wb
		}, testKey, "sales", ChangedLayout, `sheet "Headcount" is missing`},
		{"changed prior year", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheet("Lists").SetValue(grid.R(listsFirstRow, listPriorAmount), grid.Int(1))
			return wb
		}, testKey, "sales", ChangedLayout, "should read"},
		{"edited identity", func() *grid.Workbook {
			wb := generate(t, tpl, "sales")
			wb.Sheet("_aop").SetValue(grid.R(idRound, 2), grid.Str("r2"))
			return wb
		}, testKey, "sales", Tampered, "does not match its signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tpl.Verify(tc.wb(), tc.want, tc.key)
			var ie *IdentityError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.problem, ie.Problem)
			assert.Contains(t, ie.Message, tc.msg)
		})
	}

	t.Run("LibreOffice turns veryHidden into hidden", func(t *testing.T) {
		wb := generate(t, tpl, "sales")
		wb.Sheet("_aop").Visibility = grid.Hidden
		wb.Sheet("Lists").Visibility = grid.Visible
		_, err := tpl.Verify(wb, "sales", testKey)
		require.NoError(t, err)
	})
	t.Run("numbers re-saved in another form", func(t *testing.T) {
		wb := generate(t, tpl, "sales")
		s := wb.Sheet("Lists")
		at := grid.R(listsFirstRow, listPriorAmount)
		s.SetValue(at, grid.NumText(s.Value(at).Text+".000"))
		_, err := tpl.Verify(wb, "sales", testKey)
		require.NoError(t, err)
	})
}

func TestGenerateRefusesShortKey(t *testing.T) {
	tpl := newTemplate(t, testCycle())
	_, err := tpl.Generate("sales", "", Key("short"))
	require.Error(t, err)
}
