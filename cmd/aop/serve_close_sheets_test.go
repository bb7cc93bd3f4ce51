package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/keys"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/excel/xlsxread"
	"aop/templates"
)

// TestServeClosesASheetsRound runs the monthly close of a round in Google
// Sheets end to end: `aop serve` and the emulator are separate processes.
// Two departments plan in their spreadsheets, finance approves and
// consolidates, then imports the ledger month by month and closes. Each
// close writes every Actuals vs Plan tab (a job a department), checked
// cell by cell against the tab the engine renders. What a head types in
// an explanation cell comes back two ways: read back before the next
// write, and harvested by the sheet's Submit button although the plan is
// locked. Either way the next close shows it, in the tab and in finance's
// close workbook.
func TestServeClosesASheetsRound(t *testing.T) {
	e := startEmulator(t)
	s := servetest.StartOn(t, "", fmt.Sprintf("google:\n  credentials_file: %s\n  endpoint: %s\n  shared_drive: %s\n  template: %s\n",
		e.keyFile, e.url, e.drive, e.tmpl))
	cf, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	require.NoError(t, err)
	c := cf.Cycle
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	require.Equal(t, 200, s.Call("POST", "/api/v1/cycles?name=cycle.yaml", s.Admin, demoCycleYAML(), nil))
	key, err := keys.Load(func(string) string { return "" }, filepath.Join(s.Dir, "data", "signing.key"))
	require.NoError(t, err)

	depts := []string{"sales", "marketing"}
	owner := map[string]string{}
	for _, id := range depts {
		d, ok := c.Department(id)
		require.True(t, ok && d.Owner != "", id)
		owner[id] = d.Owner
	}

	// The round: spreadsheets made, plans typed and submitted, approved,
	// consolidated.
	var round plan.Round
	require.Equal(t, 201, s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "FY2027 plan",
		Due: time.Now().Add(7 * 24 * time.Hour).UTC().Truncate(time.Second), Departments: depts, Backend: plan.BackendSheets}, &round))
	status := waitStatus(t, s, round.ID, func(st plan.RoundStatus) bool { return st.Spreadsheets == len(depts) })
	sheetOf := map[string]string{}
	for _, d := range status.Departments {
		sheetOf[d.Department] = d.Spreadsheet.ID
	}
	secrets := map[string][2]string{}
	for i, d := range depts {
		in, err := tpl.Inputs(demoSubmission(c, d))
		require.NoError(t, err)
		for _, run := range inputRuns(in) {
			code, msg := e.edit(owner[d], sheetOf[d], run.a1, [][]any{run.values})
			require.Equal(t, 200, code, "%s %s: %s", d, run.a1, msg)
		}
		sheetID, secret := tpl.Webhook(e.batchGet(owner[d], sheetOf[d], tpl.Spec().Sheets.Identity))
		secrets[d] = [2]string{sheetID, secret}
		submitSheet(t, s, secrets[d], fmt.Sprintf("plan-nonce-%d", i))
	}
	waitStatus(t, s, round.ID, func(st plan.RoundStatus) bool { return st.Counts[plan.Submitted] == len(depts) })
	for _, d := range depts {
		require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/approve", round.ID, d), s.Admin, map[string]string{}, nil))
	}
	var started struct {
		Job int64 `json:"job"`
	}
	require.Equal(t, 202, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), s.Admin, nil, &started))
	s.WaitJob(started.Job)
	waitAudit(t, s, round.ID, "spreadsheet.summary", len(depts))

	var code int
	code = s.Call("POST", "/api/v1/cycles/"+c.ID+"/closes", s.Admin, nil, nil)
	require.Equal(t, 409, code, "no actuals, nothing to close")

	// closeMonths imports the ledger of months from…to, closes now and
	// waits for every tab; it returns the close.
	writes := 0
	closeMonths := func(from, to engine.Period) plan.CloseRun {
		t.Helper()
		for m := from; m <= to; m++ {
			gl, kpis, err := demoLedger(c, m)
			require.NoError(t, err)
			for mapping, data := range map[string][]byte{"gl": gl, "kpis": kpis} {
				var imp plan.ImportedActuals
				require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/cycles/%s/actuals?mapping=%s&name=%s-%02d.csv&strict=true", c.ID, mapping, mapping, m),
					s.Admin, data, &imp), "month %d %s", m, mapping)
			}
		}
		return closeNow(t, s, c.ID, round.ID, &writes, len(depts))
	}

	// The plans as the service harvested them from the spreadsheets (a
	// percent typed in Google reads back as a fraction, 22% as 0.22).
	h := &harvest.Harvester{Template: tpl, Key: key, Limits: harvest.DefaultLimits()}
	var plans []*engine.Submission
	for _, d := range depts {
		names, err := tpl.HarvestSheets(d)
		require.NoError(t, err)
		r := h.Workbook(d, e.batchGet(owner[d], sheetOf[d], names...), d)
		require.NotNil(t, r.Submission, "%s: %+v", d, r.Findings)
		plans = append(plans, r.Submission)
	}

	// checkTab compares a department's tab in its spreadsheet with the tab
	// the engine renders for the close, explanations as said.
	checkTab := func(run plan.CloseRun, closed engine.Period, said []review.Explanation) map[string]*grid.Sheet {
		t.Helper()
		in := demoCloseInput(t, cf, closed)
		in.Plans = plans
		in.Explanations = said
		rep, err := review.Close(in)
		require.NoError(t, err)
		out := map[string]*grid.Sheet{}
		for _, d := range depts {
			want, err := tpl.ActualsTab(rep, d, key, "on "+run.Done.UTC().Format("2006-01-02 15:04 MST"))
			require.NoError(t, err)
			got := e.batchGet(owner[d], sheetOf[d], templates.ActualsSheetName).Sheet(templates.ActualsSheetName)
			require.NotNil(t, got, d)
			for at, cell := range want.All() {
				w, g := cell.Value, got.Value(at)
				if w.Kind == grid.Number {
					wf, _ := w.Float64()
					gf, ok := g.Float64()
					require.True(t, ok && gf == wf, "%s %s: want %s, got %q", d, at, w.Text, g.Text)
					continue
				}
				require.Equal(t, w.Text, g.Text, "%s %s", d, at)
			}
			out[d] = want
		}
		return out
	}

	// Months 1 to 8: the first close adds each tab.
	run := closeMonths(1, 8)
	assert.Equal(t, "FY2027-P08", run.Period)
	tabs := checkTab(run, 8, nil)
	line := firstAsked(t, tabs["sales"])
	tab := grid.QuoteSheet(templates.ActualsSheetName) + "!"
	code, msg := e.edit(owner["sales"], sheetOf["sales"], tab+grid.R(line.row, 3).String(), [][]any{{"x"}})
	assert.NotEqual(t, 200, code, "the figures are read-only")
	assert.Contains(t, msg, "protected cell")

	// The head of sales explains month 8 in the sheet and presses nothing:
	// month 9's close reads it back before it writes the tab again.
	code, msg = e.edit(owner["sales"], sheetOf["sales"], tab+grid.R(line.row, 20).String(), [][]any{{"Two renewals slipped into October"}})
	require.Equal(t, 200, code, msg)
	run = closeMonths(9, 9)
	august := review.Explanation{Department: "sales", Account: line.account, Period: 8, Text: "Two renewals slipped into October",
		Sheet: templates.ActualsSheetName, Cell: grid.R(line.row, 20).String()}
	said := explanations(t, s, c.ID)
	require.Len(t, said, 1)
	assert.Equal(t, august.Text, said[0].Text)
	assert.Equal(t, 8, said[0].Month)
	assert.Equal(t, "spreadsheet:"+sheetOf["sales"], said[0].By, "read back before the tab was written again")
	tabs = checkTab(run, 9, []review.Explanation{august})
	assert.Empty(t, tabs["sales"].Value(grid.R(line.row, 20)).Text, "month 8's word is not month 9's")

	// Month 9 explained and submitted with the sheet's button: the plan is
	// approved and locked, the explanation is taken all the same.
	line = firstAsked(t, tabs["sales"])
	code, msg = e.edit(owner["sales"], sheetOf["sales"], tab+grid.R(line.row, 20).String(), [][]any{{"Pipeline conversion is down"}})
	require.Equal(t, 200, code, msg)
	submitSheet(t, s, secrets["sales"], "explained-nonce-9")
	var subs []plan.Submission
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales/submissions", round.ID), s.Admin, nil, &subs))
	assert.Equal(t, plan.Accepted, subs[0].State, "%+v", subs[0].Findings)
	assert.Equal(t, 1, subs[0].Explained)
	var st plan.DepartmentState
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales", round.ID), s.Admin, nil, &st))
	assert.Equal(t, plan.Approved, st.Status, "the plan stays approved")
	assert.Equal(t, subs[1].ID, st.Current, "and current")
	september := review.Explanation{Department: "sales", Account: line.account, Period: 9, Text: "Pipeline conversion is down"}
	said = explanations(t, s, c.ID)
	require.Len(t, said, 2)

	// The next close (same actuals, new word) shows it in the tab, at its
	// line, and in finance's close workbook.
	run = closeNow(t, s, c.ID, round.ID, &writes, len(depts))
	assert.Equal(t, "FY2027-P09", run.Period)
	tabs = checkTab(run, 9, []review.Explanation{august, september})
	assert.Equal(t, september.Text, tabs["sales"].Value(grid.R(line.row, 20)).Text)
	var book []byte
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/closes/%d/summary", run.ID), s.Admin, nil, &book))
	wb, err := xlsxread.Read(t.Context(), book, xlsxread.Options{})
	require.NoError(t, err)
	found := false
	for _, sh := range wb.Sheets {
		for _, cell := range sh.All() {
			found = found || cell.Value.Text == september.Text
		}
	}
	assert.True(t, found, "finance's close workbook shows what sales said")
}

// submitSheet presses a spreadsheet's Submit button and waits for its
// harvest.
func submitSheet(t *testing.T, s *servetest.Server, secret [2]string, nonce string) {
	t.Helper()
	code, out := signedCall(t, s, "/api/v1/webhook/submit", secret, nonce, []byte(`{}`))
	require.Equal(t, 202, code, "%s", out)
	var acc struct {
		Job int64 `json:"job"`
	}
	require.NoError(t, json.Unmarshal(out, &acc))
	s.WaitJob(acc.Job)
}

// closeNow asks for a close, waits for it and for the tab of every
// department (writes counts the tabs written so far), and returns it.
func closeNow(t *testing.T, s *servetest.Server, cycle string, round int64, writes *int, depts int) plan.CloseRun {
	t.Helper()
	var queued struct {
		Job int64 `json:"job"`
	}
	require.Equal(t, 202, s.Call("POST", "/api/v1/cycles/"+cycle+"/closes", s.Admin, nil, &queued))
	s.WaitJob(queued.Job)
	*writes += depts
	waitAudit(t, s, round, "spreadsheet.actuals", *writes)
	var runs []plan.CloseRun
	require.Equal(t, 200, s.Call("GET", "/api/v1/cycles/"+cycle+"/closes", s.Admin, nil, &runs))
	require.NotEmpty(t, runs)
	require.Equal(t, "done", runs[0].State, runs[0].Error)
	return runs[0]
}

func explanations(t *testing.T, s *servetest.Server, cycle string) []plan.Explanation {
	t.Helper()
	var out []plan.Explanation
	require.Equal(t, 200, s.Call("GET", "/api/v1/cycles/"+cycle+"/explanations", s.Admin, nil, &out))
	return out
}

// firstAsked finds the first line of an Actuals vs Plan tab that asks
// for an explanation (its explanation cell is open).
func firstAsked(t *testing.T, tab *grid.Sheet) explainRow {
	t.Helper()
	for row := 11; tab.Value(grid.R(row, 1)).Text != ""; row += 3 {
		if st := tab.Cell(grid.R(row, 20)).Style; st != nil && st.Unlocked {
			return explainRow{row: row, account: tab.Value(grid.R(row, 1)).Text}
		}
	}
	t.Fatal("no line asks for an explanation")
	return explainRow{}
}
