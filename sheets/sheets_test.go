package sheets_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"google.golang.org/api/option"
	sheetsv4 "google.golang.org/api/sheets/v4"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/grid"
	"aop/engine/grid/gridtest"
	"aop/sheets"
	"aop/sheets/sheetstest"
)

// env is the driver talking to an in-process emulator as a service
// account that belongs to a shared drive holding the master template.
type env struct {
	emu    *sheetstest.Server
	client *sheets.Client
	seeded sheetstest.Seeded
	n      int
}

func newEnv(t testing.TB, opts sheetstest.Options, o sheets.Options) *env {
	t.Helper()
	emu, err := sheetstest.New(opts)
	require.NoError(t, err)
	seeded, err := emu.Seed(sheetstest.SeedOptions{})
	require.NoError(t, err)
	acct, err := sheets.ServiceAccount(context.Background(), seeded.Key, "", emu.Client())
	require.NoError(t, err)
	o.HTTPClient, o.Endpoint, o.Editor = acct.Client, emu.BaseURL(), acct.Email
	if o.Pacer == nil { // the emulator's quotas are the test's business
		lots := 1 << 20
		o.Pacer = sheets.NewPacer(sheets.NewMemorySlots(), sheets.Quotas{ReadsPerUser: lots, WritesPerUser: lots, ReadsPerProject: lots, WritesPerProject: lots})
	}
	o.Folder, o.Template = seeded.DriveID, seeded.TemplateID
	c, err := sheets.New(context.Background(), o)
	require.NoError(t, err)
	return &env{emu: emu, client: c, seeded: seeded}
}

// harness runs the grid conformance suite on the driver.
type harness struct{ *env }

func (h harness) Render(ctx context.Context, t *testing.T, wb *grid.Workbook) (string, error) {
	h.n++
	s, err := h.client.Create(ctx, sheets.NewSpreadsheet{Name: fmt.Sprintf("%s %d", t.Name(), h.n), Workbook: wb})
	if err == nil && h.emu == nil {
		t.Cleanup(func() { assert.NoError(t, h.client.Delete(context.Background(), s.ID)) })
	}
	return s.ID, err
}

func (h harness) ReadBack(ctx context.Context, t *testing.T, id string) (*grid.Workbook, error) {
	return h.client.ReadBack(ctx, id)
}

func (harness) Capabilities() gridtest.Capabilities {
	return gridtest.Capabilities{
		ColWidthTolerance:     0.1, // widths are whole pixels
		VeryHiddenAsHidden:    true,
		NoCharts:              true,
		LockOnlyWhenProtected: true,
		ValidationRuleOnly:    true,
	}
}

func TestConformance(t *testing.T) {
	e := newEnv(t, sheetstest.Options{Quotas: &sheetstest.Quotas{}}, sheets.Options{})
	gridtest.Run(t, harness{e})
}

// TestConformanceLive runs the suite against Google itself when
// AOP_GOOGLE_LIVE_CREDENTIALS names a service-account key file, with
// AOP_GOOGLE_LIVE_SHARED_DRIVE (a shared-drive folder the account can
// write to) and AOP_GOOGLE_LIVE_TEMPLATE (a blank master spreadsheet in
// it). The spreadsheets it makes go to the drive's trash afterwards.
func TestConformanceLive(t *testing.T) {
	keyFile := os.Getenv("AOP_GOOGLE_LIVE_CREDENTIALS")
	if keyFile == "" {
		t.Skip("AOP_GOOGLE_LIVE_CREDENTIALS is not set: the suite runs against the emulator only")
	}
	key, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	acct, err := sheets.ServiceAccount(t.Context(), key, os.Getenv("AOP_GOOGLE_LIVE_SUBJECT"), nil)
	require.NoError(t, err)
	c, err := sheets.New(t.Context(), sheets.Options{HTTPClient: acct.Client, Editor: acct.Email,
		Folder: os.Getenv("AOP_GOOGLE_LIVE_SHARED_DRIVE"), Template: os.Getenv("AOP_GOOGLE_LIVE_TEMPLATE")})
	require.NoError(t, err)
	gridtest.Run(t, harness{&env{client: c}})
}

// plan is a department-like workbook: a protected Plan sheet of lines ×
// months with open input cells and a total column, and a hidden identity
// sheet.
func plan(lines int) *grid.Workbook {
	wb := grid.New()
	p := wb.AddSheet("Plan")
	p.Protection = &grid.Protection{}
	p.Freeze = grid.R(2, 3)
	input := &grid.Style{Unlocked: true, Fill: "FFF2CC", NumFmt: "#,##0.00"}
	p.SetValue(grid.R(1, 1), grid.Str("Account"))
	for m := 1; m <= 12; m++ {
		p.SetValue(grid.R(1, 2+m), grid.Str(fmt.Sprintf("M%02d", m)))
	}
	for i := range lines {
		row := i + 2
		p.SetValue(grid.R(row, 1), grid.Str(fmt.Sprintf("%d Line %d", 6000+i, i)))
		p.Set(grid.R(row, 2), grid.Cell{Value: grid.Str(""), Style: &grid.Style{Unlocked: true}})
		for m := 1; m <= 12; m++ {
			p.SetStyle(grid.R(row, 2+m), input)
		}
		p.SetFormula(grid.R(row, 15), fmt.Sprintf("SUM(C%d:N%d)", row, row), grid.Int(0))
	}
	wb.AddName("Plan_Amounts", grid.Rect(2, 3, lines+1, 14).On("Plan"))
	id := wb.AddSheet("Identity")
	id.Visibility = grid.VeryHidden
	id.Protection = &grid.Protection{}
	id.SetValue(grid.R(1, 1), grid.Str("department"))
	id.SetValue(grid.R(1, 2), grid.Str("sales"))
	return wb
}

func TestHarvestReadsWhatPeopleTyped(t *testing.T) {
	e := newEnv(t, sheetstest.Options{Quotas: &sheetstest.Quotas{}}, sheets.Options{})
	ctx := t.Context()
	const owner = "dana@kestrel.example"
	s, err := e.client.Create(ctx, sheets.NewSpreadsheet{Name: "FY27 Sales", Workbook: plan(5), Share: owner,
		Metadata: map[string]string{"aop.department": "sales", "aop.round": "1"}})
	require.NoError(t, err)

	require.NoError(t, e.emu.EditAs(owner, s.ID, "'Plan'!C2:E2", [][]any{{"1234.56", 100, "=1/3"}}))
	require.NoError(t, e.emu.EditAs(owner, s.ID, "Plan!B3", [][]any{{"Trade show"}}))
	err = e.emu.EditAs(owner, s.ID, "Plan!A2", [][]any{{"renamed"}})
	require.Error(t, err, "the account labels are protected")
	assert.Contains(t, err.Error(), "protected")
	require.Error(t, e.emu.EditAs("mallory@elsewhere.example", s.ID, "Plan!C3", [][]any{{1}}), "not shared with them")

	data, err := e.client.Harvest(ctx, s.ID, []string{"Plan", "Identity"})
	require.NoError(t, err)
	wb, err := sheets.DecodeValues(data)
	require.NoError(t, err)
	p := wb.Sheet("Plan")
	require.NotNil(t, p)
	assert.Equal(t, grid.NumText("1234.56"), p.Value(grid.MustRef("C2")))
	assert.Equal(t, grid.NumText("100"), p.Value(grid.MustRef("D2")))
	f, _ := p.Value(grid.MustRef("E2")).Float64()
	assert.InDelta(t, 1.0/3, f, 1e-15, "a formula a person typed reads as its value")
	assert.Equal(t, grid.Str("Trade show"), p.Value(grid.MustRef("B3")))
	assert.Equal(t, grid.Str("6000 Line 0"), p.Value(grid.MustRef("A2")))
	total, _ := p.Value(grid.MustRef("O2")).Decimal()
	assert.Equal(t, "1334.89", total.Round(2).String(), "the template's total recomputes")
	assert.Equal(t, grid.Str("sales"), wb.Sheet("Identity").Value(grid.MustRef("B1")), "hidden sheets are harvested too")

	st := e.emu.Stats()
	assert.Equal(t, map[string]int{"drive.files.copy": 1, "sheets.spreadsheets.batchUpdate": 1, "drive.permissions.create": 1,
		"sheets.spreadsheets.values.batchGet": 1}, nonZero(st.BySpreadsheet[s.ID]), "create is 3 requests, harvest 1")

	problems, err := e.client.Check(ctx, s.ID, plan(5), map[string]string{"aop.department": "sales", "aop.round": "1"}, false)
	require.NoError(t, err)
	assert.Empty(t, problems)
	problems, err = e.client.Check(ctx, s.ID, plan(5), map[string]string{"aop.department": "sales", "aop.round": "2"}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{`the spreadsheet's metadata aop.round is "1", not "2"`}, problems)
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func TestLockClosesTheInputs(t *testing.T) {
	e := newEnv(t, sheetstest.Options{Quotas: &sheetstest.Quotas{}}, sheets.Options{})
	ctx := t.Context()
	const owner = "dana@kestrel.example"
	wb := plan(3)
	s, err := e.client.Create(ctx, sheets.NewSpreadsheet{Name: "FY27 Sales", Workbook: wb, Share: owner})
	require.NoError(t, err)
	require.NoError(t, e.emu.EditAs(owner, s.ID, "Plan!C2", [][]any{{10}}))

	require.NoError(t, e.client.SetLocked(ctx, s.ID, wb, true))
	assert.Error(t, e.emu.EditAs(owner, s.ID, "Plan!C2", [][]any{{20}}), "an approved plan takes no input")
	problems, err := e.client.Check(ctx, s.ID, wb, nil, true)
	require.NoError(t, err)
	assert.Empty(t, problems)
	got, err := e.client.ReadBack(ctx, s.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Sheet("Plan").Cell(grid.MustRef("C2")).Style.Fill, "locked inputs lose their input colour")

	require.NoError(t, e.client.SetLocked(ctx, s.ID, wb, false))
	assert.NoError(t, e.emu.EditAs(owner, s.ID, "Plan!C2", [][]any{{20}}), "reopened")
	got, err = e.client.ReadBack(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "FFF2CC", got.Sheet("Plan").Cell(grid.MustRef("C2")).Style.Fill)
	problems, err = e.client.Check(ctx, s.ID, wb, nil, true)
	require.NoError(t, err)
	assert.Equal(t, []string{`sheet "Plan": the cells open for input were changed`}, problems, "checked as if locked, it is not")
}

// TestSummaryTextStaysText writes a read-only tab whose text starts with
// the characters spreadsheets read as formulas, first when the tab is
// created and again as values: every one stays text.
func TestSummaryTextStaysText(t *testing.T) {
	e := newEnv(t, sheetstest.Options{Quotas: &sheetstest.Quotas{}}, sheets.Options{})
	ctx := t.Context()
	const owner = "dana@kestrel.example"
	s, err := e.client.Create(ctx, sheets.NewSpreadsheet{Name: "FY27 Sales", Workbook: plan(2), Share: owner})
	require.NoError(t, err)
	texts := []string{`=IMPORTXML("https://evil.example","//a")`, "+1", "-1", "@SUM(A1)", "=1+1", "'quoted"}
	tab := func(amount string) sheets.Tab {
		sum := grid.New().AddSheet("Summary")
		sum.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("Summary"), Style: &grid.Style{Bold: true}})
		for i, txt := range texts {
			sum.SetValue(grid.R(i+2, 1), grid.Str(txt))
			sum.SetFormula(grid.R(i+2, 2), "A1*2", grid.NumText(amount))
		}
		return sheets.Tab{ID: 900, Sheet: sum, Index: 0}
	}
	for i, amount := range []string{"1234.5", "99.25"} {
		e.emu.ResetStats()
		require.NoError(t, e.client.WriteTab(ctx, s.ID, tab(amount), i == 0))
		method := map[int]string{0: "sheets.spreadsheets.batchUpdate", 1: "sheets.spreadsheets.values.batchUpdate"}[i]
		assert.Equal(t, map[string]int{method: 1}, nonZero(e.emu.Stats().BySpreadsheet[s.ID]), "write %d is one request", i+1)
		got, err := e.client.ReadBack(ctx, s.ID)
		require.NoError(t, err)
		sum := got.Sheet("Summary")
		require.NotNil(t, sum)
		for j, txt := range texts {
			c := sum.Cell(grid.R(j+2, 1))
			assert.Equal(t, grid.Str(txt), c.Value, "write %d row %d", i+1, j+2)
			assert.Empty(t, c.Formula, "write %d row %d is no formula", i+1, j+2)
			assert.Equal(t, grid.NumText(amount), sum.Cell(grid.R(j+2, 2)).Value, "values, not formulas")
			assert.Empty(t, sum.Cell(grid.R(j+2, 2)).Formula)
		}
		assert.NotNil(t, sum.Protection)
		assert.Error(t, e.emu.EditAs(owner, s.ID, "Summary!B2", [][]any{{1}}), "the summary is read-only for its department")
	}
}

// TestTabWithInputs writes a tab with an input cell that moves: each write
// makes the tab anew in one request, its protection leaves out only the
// input cell of that write, and a tab someone deleted is added again.
func TestTabWithInputs(t *testing.T) {
	e := newEnv(t, sheetstest.Options{Quotas: &sheetstest.Quotas{}}, sheets.Options{})
	ctx := t.Context()
	const owner = "dana@kestrel.example"
	s, err := e.client.Create(ctx, sheets.NewSpreadsheet{Name: "FY27 Sales", Workbook: plan(2), Share: owner})
	require.NoError(t, err)
	tab := func(input int, said string) sheets.Tab {
		sh := grid.New().AddSheet("Actuals vs Plan")
		for r := 1; r <= 6; r++ {
			sh.SetValue(grid.R(r, 1), grid.Str(fmt.Sprintf("line %d", r)))
		}
		sh.Set(grid.R(input, 2), grid.Cell{Value: grid.Str(said), Style: &grid.Style{Unlocked: true}})
		return sheets.Tab{ID: 901, Sheet: sh, Index: 0, Inputs: true}
	}
	write := func(input int, said string, create bool, requests int) {
		t.Helper()
		e.emu.ResetStats()
		require.NoError(t, e.client.WriteTab(ctx, s.ID, tab(input, said), create))
		assert.Equal(t, map[string]int{"sheets.spreadsheets.batchUpdate": requests}, nonZero(e.emu.Stats().BySpreadsheet[s.ID]))
		got, err := e.client.ReadBack(ctx, s.ID)
		require.NoError(t, err)
		sh := got.Sheet("Actuals vs Plan")
		require.NotNil(t, sh)
		assert.Equal(t, said, sh.Value(grid.R(input, 2)).Text, "the input holds what the write said")
		for r := 1; r <= 6; r++ {
			err := e.emu.EditAs(owner, s.ID, fmt.Sprintf("'Actuals vs Plan'!B%d", r), [][]any{{"typed"}})
			if r == input {
				assert.NoError(t, err, "B%d is this write's input", r)
			} else {
				assert.Error(t, err, "B%d is read-only", r)
			}
		}
	}
	write(2, "", true, 1)
	write(5, "Deals slipped", false, 1)
	// Someone with the service's rights deletes the tab.
	acct, err := sheets.ServiceAccount(ctx, e.seeded.Key, "", e.emu.Client())
	require.NoError(t, err)
	api, err := sheetsv4.NewService(ctx, option.WithHTTPClient(acct.Client), option.WithEndpoint(e.emu.BaseURL()))
	require.NoError(t, err)
	_, err = api.Spreadsheets.BatchUpdate(s.ID, &sheetsv4.BatchUpdateSpreadsheetRequest{
		Requests: []*sheetsv4.Request{{DeleteSheet: &sheetsv4.DeleteSheetRequest{SheetId: 901}}}}).Context(ctx).Do()
	require.NoError(t, err)
	write(3, "", false, 2)
}
