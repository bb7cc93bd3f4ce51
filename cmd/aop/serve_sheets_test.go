package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/keys"
	"aop/cmd/internal/pgtest"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
	"aop/engine"
	"aop/engine/grid"
	"aop/sheets"
	"aop/templates"
)

// emulator is a Sheets/Drive emulator reached over HTTP, as a person's
// browser and aop reach Google: its API, and its own routes to act as a
// person (/_emulator/edit), to get a person's token (/_emulator/token)
// and to read its request counters (/_emulator/stats).
type emulator struct {
	t               *testing.T
	url             string
	drive, tmpl, sa string
	keyFile         string
	httpc           *http.Client
}

// emulatorStats is GET /_emulator/stats.
type emulatorStats struct {
	Requests      map[string]int            `json:"requests"`
	BySpreadsheet map[string]map[string]int `json:"bySpreadsheet"`
}

func (e *emulator) getStats() emulatorStats {
	e.t.Helper()
	var st emulatorStats
	e.getJSON("/_emulator/stats", &st)
	return st
}

func (e *emulator) getJSON(path string, out any) {
	e.t.Helper()
	resp, err := e.httpc.Get(e.url + path)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	require.Equal(e.t, 200, resp.StatusCode, "%s: %s", path, data)
	require.NoError(e.t, json.Unmarshal(data, out), "%s", data)
}

// edit types values into a range as user, through the Sheets UI the
// emulator stands in for; it returns the emulator's refusal, if any.
func (e *emulator) edit(user, id, a1 string, values [][]any) (int, string) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"user": user, "spreadsheetId": id, "range": a1, "values": values})
	require.NoError(e.t, err)
	resp, err := e.httpc.Post(e.url+"/_emulator/edit", "application/json", bytes.NewReader(body))
	require.NoError(e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, string(data)
}

// token is a person's access token (or the service account's).
func (e *emulator) token(email string) string {
	e.t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	e.getJSON("/_emulator/token?email="+url.QueryEscape(email), &tok)
	return tok.AccessToken
}

// batchGet reads whole sheets with values.batchGet as email, the way the
// driver harvests, and decodes them into a grid.
func (e *emulator) batchGet(email, id string, sheetNames ...string) *grid.Workbook {
	e.t.Helper()
	q := url.Values{"valueRenderOption": {"UNFORMATTED_VALUE"}, "dateTimeRenderOption": {"SERIAL_NUMBER"}}
	for _, s := range sheetNames {
		q.Add("ranges", grid.QuoteSheet(s))
	}
	req, err := http.NewRequestWithContext(context.Background(), "GET", e.url+"/v4/spreadsheets/"+id+"/values:batchGet?"+q.Encode(), nil)
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+e.token(email))
	resp, err := e.httpc.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	require.Equal(e.t, 200, resp.StatusCode, "%s", data)
	wb, err := sheets.DecodeValues(data)
	require.NoError(e.t, err)
	return wb
}

// TestServeRunsASheetsRound runs a round in Google Sheets end to end:
// `aop serve` and the emulator are separate processes that talk HTTP.
// Finance opens the round; aop creates each department's spreadsheet and
// shares it with the department's owner; owners type their plans in the
// emulator (protected cells refuse them) and press Submit (a signed
// webhook); aop checks the structure once, harvests, finance approves one
// (its inputs close) and consolidates, and aop writes each Summary tab,
// which refuses a person's edit. The emulator's counters show how many
// requests each department cost.
//
// On PostgreSQL the driver books its quota in the database's slots, which
// every instance shares.
func TestServeRunsASheetsRound(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runSheetsRound(t, "") })
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.Database(t, "aop_sheets_test")
		runSheetsRound(t, db)
		conn, err := pgx.Connect(t.Context(), db)
		require.NoError(t, err)
		defer conn.Close(context.WithoutCancel(t.Context()))
		var buckets []string
		rows, err := conn.Query(t.Context(), `SELECT bucket FROM quota_slots ORDER BY bucket`)
		require.NoError(t, err)
		buckets, err = pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		assert.Equal(t, []string{"sheets.read.project", "sheets.read.user", "sheets.write.project", "sheets.write.user"}, buckets,
			"the instances' shared quota buckets")
	})
}

func runSheetsRound(t *testing.T, database string) {
	e := startEmulator(t)
	s := servetest.StartOn(t, database, fmt.Sprintf("google:\n  credentials_file: %s\n  endpoint: %s\n  shared_drive: %s\n  template: %s\n",
		e.keyFile, e.url, e.drive, e.tmpl))
	c := demoCycle(t)
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	var cyc plan.Cycle
	require.Equal(t, 200, s.Call("POST", "/api/v1/cycles?name=cycle.yaml", s.Admin, demoCycleYAML(), &cyc))

	var depts []string
	owner := map[string]string{}
	for _, d := range c.Leaves() {
		if d.ID != demoMistakeDept && d.Owner != "" && len(depts) < 3 {
			depts = append(depts, d.ID)
			owner[d.ID] = d.Owner
		}
	}
	require.Len(t, depts, 3)

	// Open: a sheets round; aop creates and shares the spreadsheets.
	before := e.getStats()
	var round plan.Round
	due := time.Now().Add(7 * 24 * time.Hour).UTC().Truncate(time.Second)
	require.Equal(t, 201, s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "Sheets draft", Due: due,
		Departments: depts, Backend: plan.BackendSheets}, &round))
	assert.Equal(t, plan.BackendSheets, round.Backend)
	status := waitStatus(t, s, round.ID, func(st plan.RoundStatus) bool { return st.Spreadsheets == len(depts) })
	sheetOf := map[string]plan.Spreadsheet{}
	for _, d := range status.Departments {
		require.NotEmpty(t, d.Spreadsheet.ID, d.Department)
		assert.Equal(t, sheets.URL(d.Spreadsheet.ID), d.Spreadsheet.URL)
		assert.Equal(t, plan.NotStarted, d.Status)
		sheetOf[d.Department] = d.Spreadsheet
	}
	created := e.getStats()

	// The owners type their plans; a label is protected, so typing over
	// it is refused.
	plan0, labels := tpl.Spec().Sheets.Plan, 0
	for _, d := range depts {
		id := sheetOf[d].ID
		code, msg := e.edit(owner[d], id, grid.QuoteSheet(plan0)+"!A1", [][]any{{"my own title"}})
		assert.NotEqual(t, 200, code, "%s: a label is protected", d)
		assert.Contains(t, msg, "protected cell", d)
		labels++
		in, err := tpl.Inputs(demoSubmission(c, d))
		require.NoError(t, err)
		for _, run := range inputRuns(in) {
			code, msg := e.edit(owner[d], id, run.a1, [][]any{run.values})
			require.Equal(t, 200, code, "%s %s: %s", d, run.a1, msg)
		}
	}
	// The sheet's script signs with the id and secret on its hidden
	// identity sheet, which its owner can read.
	secrets := map[string][2]string{}
	for _, d := range depts {
		wb := e.batchGet(owner[d], sheetOf[d].ID, tpl.Spec().Sheets.Identity)
		sheetID, secret := tpl.Webhook(wb)
		require.Equal(t, plan.SheetID(round.ID, d), sheetID)
		require.NotEmpty(t, secret)
		secrets[d] = [2]string{sheetID, secret}
	}

	// Submit from each sheet: 202 and a job that harvests.
	typed := e.getStats()
	for i, d := range depts {
		code, out := signedCall(t, s, "/api/v1/webhook/submit", secrets[d], fmt.Sprintf("sheets-nonce-%d", i), []byte(`{}`))
		require.Equal(t, 202, code, "%s", out)
		var acc struct {
			Job int64 `json:"job"`
		}
		require.NoError(t, json.Unmarshal(out, &acc))
		s.WaitJob(acc.Job)
	}
	status = waitStatus(t, s, round.ID, func(st plan.RoundStatus) bool { return st.Counts[plan.Submitted] == len(depts) })
	for _, d := range status.Departments {
		assert.True(t, d.Spreadsheet.Checked, "%s: the structure was checked", d.Department)
		var subs []plan.Submission
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round.ID, d.Department), s.Admin, nil, &subs))
		require.Len(t, subs, 1)
		assert.Equal(t, plan.Accepted, subs[0].State, "%s: %+v", d.Department, subs[0].Findings)
		assert.Equal(t, "harvest", subs[0].Source)
		assert.Equal(t, "sheet:"+plan.SheetID(round.ID, d.Department), subs[0].By)
	}
	harvested := e.getStats()

	// Approve one: its inputs close.
	approved := depts[0]
	require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/approve", round.ID, approved), s.Admin, map[string]string{}, nil))
	waitAudit(t, s, round.ID, "spreadsheet.lock", 1)
	in, err := tpl.Inputs(demoSubmission(c, approved))
	require.NoError(t, err)
	first := inputRuns(in)[0]
	code, msg := e.edit(owner[approved], sheetOf[approved].ID, first.a1, [][]any{first.values})
	assert.NotEqual(t, 200, code, "an approved plan's input is closed")
	assert.Contains(t, msg, "protected cell")
	in, err = tpl.Inputs(demoSubmission(c, depts[1]))
	require.NoError(t, err)
	first = inputRuns(in)[0]
	code, msg = e.edit(owner[depts[1]], sheetOf[depts[1]].ID, first.a1, [][]any{first.values})
	assert.Equal(t, 200, code, "a plan not approved stays open: %s", msg)
	locked := e.getStats()

	// Consolidate: the finance summary is a workbook; each spreadsheet
	// gets its Summary tab, read-only.
	var started struct {
		Consolidation plan.Consolidation `json:"consolidation"`
		Job           int64              `json:"job"`
	}
	require.Equal(t, 202, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), s.Admin, nil, &started))
	s.WaitJob(started.Job)
	waitAudit(t, s, round.ID, "spreadsheet.summary", len(depts))
	written := e.getStats()
	var k plan.Consolidation
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/consolidations/%d", started.Consolidation.ID), s.Admin, nil, &k))
	require.Equal(t, "done", k.State)

	// The Summary tabs hold the consolidation's figures: what aop renders
	// from the plans typed, as of the run.
	key, err := keys.Load(func(string) string { return "" }, filepath.Join(s.Dir, "data", "signing.key"))
	require.NoError(t, err)
	var typedPlans []*engine.Submission
	for _, d := range depts {
		typedPlans = append(typedPlans, demoSubmission(c, d))
	}
	kk, err := engine.Consolidate(c, typedPlans)
	require.NoError(t, err)
	for _, d := range depts {
		want, err := tpl.DepartmentSummary(kk, d, key, "on "+k.Done.UTC().Format("2006-01-02 15:04 MST"))
		require.NoError(t, err)
		got := e.batchGet(owner[d], sheetOf[d].ID, templates.SummarySheetName).Sheet(templates.SummarySheetName)
		require.NotNil(t, got, d)
		numbers := 0
		for at, cell := range want.All() {
			w, g := cell.Value, got.Value(at)
			if w.Kind == grid.Number {
				numbers++
				wf, _ := w.Float64()
				gf, ok := g.Float64()
				require.True(t, ok && gf == wf, "%s Summary!%s: want %s, got %q", d, at, w.Text, g.Text)
				continue
			}
			require.Equal(t, w.Text, g.Text, "%s Summary!%s", d, at)
		}
		require.NotZero(t, numbers, "%s: the Summary tab has figures", d)
		code, msg := e.edit(owner[d], sheetOf[d].ID, grid.QuoteSheet(templates.SummarySheetName)+"!B5", [][]any{{"42"}})
		assert.NotEqual(t, 200, code, "%s: the Summary tab is read-only", d)
		assert.Contains(t, msg, "protected cell")
	}

	// What each department cost, from the emulator's counters.
	perSheet := func(from, to emulatorStats, id string) map[string]int {
		out := map[string]int{}
		for m, n := range to.BySpreadsheet[id] {
			if d := n - from.BySpreadsheet[id][m]; d > 0 {
				out[m] = d
			}
		}
		return out
	}
	sum := func(m map[string]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	}
	copies := created.Requests["drive.files.copy"] - before.Requests["drive.files.copy"]
	assert.Equal(t, len(depts), copies, "one Drive copy per department")
	for _, d := range depts {
		id := sheetOf[d].ID
		create := perSheet(before, created, id)
		if _, counted := create["drive.files.copy"]; !counted {
			create["drive.files.copy"] = copies / len(depts) // counted on the template it copies
		}
		harvest := perSheet(typed, harvested, id)
		lock := perSheet(harvested, locked, id)
		write := perSheet(locked, written, id)
		t.Logf("%s (%s): create %v; harvest %v; approval lock %v; write-back %v", d, id,
			sorted(create), sorted(harvest), sorted(lock), sorted(write))
		assert.LessOrEqual(t, sum(create), 3, "%s: create", d)
		assert.Equal(t, 1, harvest["sheets.spreadsheets.values.batchGet"], "%s: harvest is one values.batchGet", d)
		assert.Equal(t, 1, harvest["sheets.spreadsheets.get"], "%s: the structure check is one spreadsheets.get, counted apart", d)
		assert.Equal(t, 2, sum(harvest), "%s: harvest, structure check included", d)
		assert.Equal(t, 1, sum(write), "%s: write-back is one request", d)
		if d == approved {
			assert.Equal(t, 1, sum(lock), "%s: the approval's lock is one batchUpdate", d)
		} else {
			assert.Zero(t, sum(lock), d)
		}
	}
	assert.Equal(t, 3, labels)
}

// sorted writes counters in a stable order for the log.
func sorted(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strconv.Itoa(m[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// inputRun is a run of input cells on one row, typed in one edit.
type inputRun struct {
	a1     string
	values []any
}

// inputRuns groups a plan's non-empty inputs into runs of adjacent cells
// on a row.
func inputRuns(in []templates.Input) []inputRun {
	var runs []inputRun
	var sheet string
	var last grid.Ref
	var from grid.Ref
	for _, x := range in {
		if x.Value.IsEmpty() {
			continue
		}
		v := any(x.Value.Text)
		if f, ok := x.Value.Float64(); ok && x.Value.Kind == grid.Number {
			v = f
		}
		if n := len(runs); n > 0 && x.Sheet == sheet && x.Cell.Row == last.Row && x.Cell.Col == last.Col+1 {
			runs[n-1].values = append(runs[n-1].values, v)
			runs[n-1].a1 = grid.QuoteSheet(sheet) + "!" + grid.Range{From: from, To: x.Cell}.String()
			last = x.Cell
			continue
		}
		sheet, from, last = x.Sheet, x.Cell, x.Cell
		runs = append(runs, inputRun{a1: grid.QuoteSheet(sheet) + "!" + x.Cell.String(), values: []any{v}})
	}
	return runs
}

// signedCall sends a webhook request signed with a sheet's id and secret.
func signedCall(t *testing.T, s *servetest.Server, path string, sheet [2]string, nonce string, body []byte) (int, []byte) {
	t.Helper()
	ts := fmt.Sprint(time.Now().Unix())
	code, out, err := s.Do(servetest.Request{Method: "POST", Path: path, Body: json.RawMessage(body), Headers: map[string]string{
		"X-AOP-Sheet": sheet[0], "X-AOP-Timestamp": ts, "X-AOP-Nonce": nonce,
		"X-AOP-Signature": plan.Sign(sheet[1], "POST", path, ts, nonce, body)}})
	require.NoError(t, err)
	return code, out
}

// waitStatus polls a round's status until ok.
func waitStatus(t *testing.T, s *servetest.Server, round int64, ok func(plan.RoundStatus) bool) plan.RoundStatus {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var st plan.RoundStatus
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d", round), s.Admin, nil, &st))
		if ok(st) {
			return st
		}
		require.True(t, time.Now().Before(deadline), "round %d: %+v\n%s", round, st, s.Log())
		time.Sleep(50 * time.Millisecond)
	}
}

// waitAudit polls the audit log until a round has n entries of an action.
func waitAudit(t *testing.T, s *servetest.Server, round int64, action string, n int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var es []plan.AuditEntry
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/audit?round=%d&action=%s&limit=1000", round, action), s.Admin, nil, &es))
		if len(es) >= n {
			return
		}
		require.True(t, time.Now().Before(deadline), "round %d: %d of %d %s\n%s", round, len(es), n, action, s.Log())
		time.Sleep(50 * time.Millisecond)
	}
}
