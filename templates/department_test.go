package templates

import (
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
	assert.Equal(t, []string{"Instructions", "Plan", "Drivers", "Headcount", "Assumptions", "Lists", "_aop"}, names)
	assert.Equal(t, grid.VeryHidden, wb.Sheet("_aop").Visibility)
	assert.Equal(t, grid.Hidden, wb.Sheet("Lists").Visibility)

	id, err := tpl.Verify(wb, "sales", testKey)
	require.NoError(t, err)
	assert.Equal(t, Identity{Cycle: "acme-fy2027", Department: "sales", Template: "department", TemplateVersion: 1}, id)

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
	for _, name := range []string{"Plan_Account", "Plan_project", "Plan_channel", "Plan_Description", "Plan_Amounts", "Plan_Explanation", "Drivers_Values", "Headcount_Plan", "Assumptions_Register"} {
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
	want := &engine.Submission{Cycle: c.ID, Department: "sales", Template: "department", TemplateVersion: 1,
		Lines: []engine.Line{
			{Account: "4000", Dims: map[string]string{"channel": "direct"}, Description: "New logos", Comment: "Two new reps ramped"},
			{Account: "4000", Dims: map[string]string{"channel": "partner", "project": "zeus"}},
			{Account: "6200", Dims: map[string]string{}, Comment: "=IMPORTXML(\"http://x\")"},
		},
		Drivers:     []engine.Driver{{Name: "win_rate"}},
		Hires:       []engine.Hire{{Role: "Account executive", Count: 2, Start: 3, AnnualSalary: dec("120000"), LoadedCost: dec("0.25"), RampMonths: 4}},
		Assumptions: []engine.Assumption{{Driver: "Win rate", From: "22%", To: "28%", Status: engine.Changed, Counterbalance: "Discounts ≤ 15%", Risk: "Methodology lands", Indicator: "Stage-2 conversion"}},
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
