package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
	"aop/cmd/internal/store"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/excel"
	"aop/excel/xlsxread"
	"aop/sheets/sheetstest"
	"aop/templates"
)

// inlineQueue runs jobs when a test drains it, one at a time in the order
// they were queued, and, like the real queue, keeps a key it has seen from
// being queued again.
type inlineQueue struct {
	mu      sync.Mutex
	pending []plan.Job
	seen    map[string]int64
	ran     []plan.Job
}

func (q *inlineQueue) Enqueue(_ context.Context, j plan.Job) (int64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if id, ok := q.seen[j.Key]; ok {
		return id, nil
	}
	id := int64(len(q.seen) + 1)
	q.seen[j.Key] = id
	q.pending = append(q.pending, j)
	return id, nil
}

func (q *inlineQueue) Job(context.Context, int64) (plan.JobInfo, error) {
	return plan.JobInfo{}, plan.NotFound("job", 0)
}

// drain runs every queued job, and those they queue; a failing job fails
// the test.
func (q *inlineQueue) drain(t *testing.T, svc *plan.Service) {
	t.Helper()
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.mu.Unlock()
			return
		}
		j := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		require.NoError(t, svc.RunJob(t.Context(), j), "job %s %s", j.Kind, j.Key)
		q.mu.Lock()
		q.ran = append(q.ran, j)
		q.mu.Unlock()
	}
}

// count counts the jobs of a kind that ran.
func (q *inlineQueue) count(kind string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, j := range q.ran {
		if j.Kind == kind {
			n++
		}
	}
	return n
}

// alerts records the alerts raised.
type alerts struct {
	mu   sync.Mutex
	list []plan.Alert
}

func (a *alerts) Notify(_ context.Context, x plan.Alert) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, x)
	return nil
}

// clock is a virtual clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// closeService is a service on SQLite, run in process on a virtual clock,
// with the demo cycle's round filled by every department, approved and
// consolidated.
type closeService struct {
	svc    *plan.Service
	st     *store.Store
	q      *inlineQueue
	clock  *clock
	alerts *alerts
	c      *engine.Cycle
	round  plan.Round
}

// closeKey signs the close tests' workbooks.
var closeKey = templates.Key("the close test's signing key, 32 bytes or more")

// closeOptions are a close test's service options on a store and queue.
func closeOptions(t *testing.T, st *store.Store, q plan.Queue, now func() time.Time, n plan.Notifier) plan.Options {
	books := newXLSXBooks(closeKey)
	schedule, err := cron.ParseStandard("0 6 5 * *") // 06:00 on the 5th, when the books have closed
	require.NoError(t, err)
	return plan.Options{Store: st, Queue: q, Books: books, Closer: books, ParseCycle: books.parseCycle,
		Key: closeKey, Now: now, Log: slog.New(slog.DiscardHandler), CloseSchedule: schedule, Notifier: n,
		PublicURL: "https://aop.example"}
}

// openStore opens and migrates a store (River's tables too).
func openStore(t *testing.T, url string) *store.Store {
	st, err := store.Open(t.Context(), url, nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, migrateAll(t.Context(), st))
	return st
}

func newCloseService(t *testing.T, url string) *closeService {
	ctx := t.Context()
	st := openStore(t, url)
	cs := &closeService{st: st, q: &inlineQueue{seen: map[string]int64{}}, alerts: &alerts{},
		clock: &clock{now: time.Date(2026, time.January, 20, 9, 0, 0, 0, time.UTC)}}
	cs.svc = plan.New(closeOptions(t, st, cs.q, cs.clock.Now, cs.alerts))

	_, err := cs.svc.LoadCycle(ctx, plan.System, "cycle.yaml", []byte(demoCycleYAML()))
	require.NoError(t, err)
	cs.c = demoCycle(t)
	cs.round, err = cs.svc.OpenRound(ctx, plan.System, plan.OpenRound{Cycle: cs.c.ID, Name: "FY2027 plan",
		Due: cs.clock.Now().Add(7 * 24 * time.Hour)})
	require.NoError(t, err)
	cs.q.drain(t, cs.svc)
	for _, d := range cs.c.Leaves() {
		wb, _, err := cs.svc.Download(ctx, plan.System, cs.round.ID, d.ID)
		require.NoError(t, err)
		sub, err := cs.svc.Submit(ctx, plan.System, plan.Upload{Round: cs.round.ID, Department: d.ID, Filename: d.ID + ".xlsx",
			Data: servetest.Fill(t, cs.c, demoSubmission(cs.c, d.ID), wb), Source: "upload"})
		require.NoError(t, err)
		require.Equal(t, plan.Accepted, sub.State, "%s: %+v", d.ID, sub.Findings)
		_, err = cs.svc.Approve(ctx, plan.System, plan.Review{Round: cs.round.ID, Department: d.ID})
		require.NoError(t, err)
	}
	_, _, err = cs.svc.Consolidate(ctx, plan.System, cs.round.ID)
	require.NoError(t, err)
	cs.q.drain(t, cs.svc)
	return cs
}

// monthEnd is the first day after fiscal month m of the demo year.
func (cs *closeService) monthEnd(m engine.Period) time.Time {
	cal, year := cs.c.Year.Month(m)
	return time.Date(year, cal, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
}

// importMonth imports the demo ledger and KPI exports of month m.
func (cs *closeService) importMonth(t *testing.T, m engine.Period) {
	gl, kpis, err := demoLedger(cs.c, m)
	require.NoError(t, err)
	for _, f := range []struct {
		mapping string
		data    []byte
	}{{"gl", gl}, {"kpis", kpis}} {
		imp, err := cs.svc.ImportActuals(t.Context(), plan.System, cs.c.ID, f.mapping, fmt.Sprintf("%s-%02d.csv", f.mapping, m), f.data, true)
		require.NoError(t, err)
		require.True(t, imp.Clean, "month %d, %s: %s", m, f.mapping, strings.Join(imp.Lines, "\n"))
		require.Len(t, imp.Periods, 1)
	}
}

// tick runs the schedule's periodic job at t, as the leader would.
func (cs *closeService) tick(t *testing.T, at time.Time) {
	cs.clock.set(at)
	_, err := cs.q.Enqueue(t.Context(), plan.Job{Kind: plan.JobCloseTick, Key: "close-tick@" + at.Format(time.RFC3339)})
	require.NoError(t, err)
	cs.q.drain(t, cs.svc)
}

func (cs *closeService) closes(t *testing.T) []plan.CloseRun {
	runs, err := cs.svc.CloseRuns(t.Context(), plan.System, cs.c.ID)
	require.NoError(t, err)
	return runs
}

// workbook reads a department's stored workbook.
func (cs *closeService) workbook(t *testing.T, dept string) *grid.Workbook {
	data, _, err := cs.svc.Download(t.Context(), plan.System, cs.round.ID, dept)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), dept+".xlsx")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	wb, err := excel.Inspect(path)
	require.NoError(t, err)
	return wb
}

// ledgerAmounts sums the demo ledger of months 1…closed by department and
// account, straight from the CSV the import read.
func ledgerAmounts(t *testing.T, c *engine.Cycle, closed engine.Period) map[string][engine.MonthsPerYear]decimal.Decimal {
	out := map[string][engine.MonthsPerYear]decimal.Decimal{}
	for m := engine.Period(1); m <= closed; m++ {
		gl, _, err := demoLedger(c, m)
		require.NoError(t, err)
		rows, err := csv.NewReader(strings.NewReader(string(gl))).ReadAll()
		require.NoError(t, err)
		for _, r := range rows[1 : len(rows)-1] {
			k := r[0] + "/" + r[1]
			v := out[k]
			v[m-1] = v[m-1].Add(decimal.RequireFromString(r[3]))
			out[k] = v
		}
	}
	return out
}

// A year of monthly closes on a virtual clock: each month finance imports
// the ledger and the KPIs after month end, and the schedule (06:00 on the
// 5th) closes it once, writing every department's Actuals vs Plan tab
// into its stored workbook; the schedule running again the same day, or
// finding the same actuals, writes nothing; a stop over two scheduled
// runs is caught up by one run.
func TestCloseYearOnAVirtualClock(t *testing.T) {
	cs := newCloseService(t, filepath.Join(t.TempDir(), "aop.db"))
	ctx := t.Context()
	runsAt := func(m engine.Period) time.Time { return cs.monthEnd(m).AddDate(0, 0, 4).Add(6*time.Hour + time.Minute) }

	var warnedAt, firedAt engine.Period
	for m := engine.Period(1); m <= engine.MonthsPerYear; m++ {
		cs.clock.set(cs.monthEnd(m).Add(9 * time.Hour))
		cs.importMonth(t, m)
		if m == 10 || m == 11 {
			continue // aop is down over the runs of the 5th of these months
		}
		before := len(cs.closes(t))
		cs.tick(t, runsAt(m))
		runs := cs.closes(t)
		require.Len(t, runs, before+1, "month %d: one close", m)
		require.Equal(t, "done", runs[0].State, runs[0].Error)
		assert.Equal(t, fmt.Sprintf("FY2027-P%02d", m), runs[0].Period)

		// The schedule looking again the same day finds its run done and
		// the actuals closed: nothing is written twice.
		cs.tick(t, runsAt(m).Add(time.Minute))
		cs.tick(t, runsAt(m).Add(2*time.Hour))
		require.Len(t, cs.closes(t), before+1, "month %d: still one close", m)

		run, err := cs.st.CloseRun(ctx, runs[0].ID)
		require.NoError(t, err)
		rep := decodeReport(t, run)
		if warnedAt == 0 && slices.ContainsFunc(rep.Warnings, func(w review.Warning) bool {
			return w.Status == review.Breaking && w.ResultsOnPlan
		}) {
			warnedAt = m
		}
		if firedAt == 0 && len(rep.Firings) > 0 {
			firedAt = m
		}
	}
	assert.Equal(t, engine.Period(3), warnedAt, "the conversion assumption breaks in month 3, revenue still on plan")
	assert.Equal(t, engine.Period(7), firedAt, "trailing-3-month revenue under 92%% of plan in months 6 and 7")
	require.Len(t, cs.alerts.list, 1, "the trigger alerts once, though it holds at every later close")
	a := cs.alerts.list[0]
	assert.Equal(t, "revenue-slump", a.Trigger)
	assert.Equal(t, "downside-response", a.Playbook)
	assert.Equal(t, []string{"freeze hiring", "pause Apollo", "cut discretionary opex 10%"}, actionNames(a))
	assert.Contains(t, a.Month, "FY2027-P07")

	// Months 10 and 11 were caught up by one run: 10 closes for 12 months.
	runs := cs.closes(t)
	require.Len(t, runs, 10)
	assert.Equal(t, 10, cs.q.count(plan.JobClose), "one close job per state of the actuals, however often the schedule looked")
	assert.Equal(t, "FY2027-P12", runs[0].Period)
	assert.Equal(t, "FY2027-P09", runs[1].Period)
	last, ok, err := cs.st.LastRun(ctx, plan.CloseSchedule)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, runsAt(12).Add(-time.Minute), last, "the last run is the schedule's time, not the clock's")

	// The department tabs, cell by cell, against the ledger the import read.
	run, err := cs.st.CloseRun(ctx, runs[0].ID)
	require.NoError(t, err)
	rep := decodeReport(t, run)
	ledger := ledgerAmounts(t, cs.c, 12)
	for _, d := range cs.c.Leaves() {
		wb := cs.workbook(t, d.ID)
		tab := wb.Sheet(templates.ActualsSheetName)
		require.NotNil(t, tab, "%s has its Actuals vs Plan tab", d.ID)
		assert.Equal(t, "Jan 2027 (FY2027-P12)", tab.Cell(grid.R(3, 2)).Value.Text, d.ID)
		require.NotNil(t, tab.Protection, "the tab is read-only")
		dep := rep.Departments[slices.IndexFunc(rep.Departments, func(x review.Department) bool { return x.ID == d.ID })]
		row := 11
		for _, l := range dep.Lines {
			require.Equal(t, l.Account, tab.Cell(grid.R(row, 1)).Value.Text, "%s row %d", d.ID, row)
			months := ledger[d.ID+"/"+l.Account]
			ytd := decimal.Zero
			for m := range engine.MonthsPerYear {
				got := decimal.RequireFromString(tab.Cell(grid.R(row, 4+m)).Value.Text)
				assert.True(t, months[m].Equal(got), "%s %s month %d: tab %s, ledger %s", d.ID, l.Account, m+1, got, months[m])
				ytd = ytd.Add(months[m])
			}
			assert.True(t, ytd.Equal(decimal.RequireFromString(tab.Cell(grid.R(row, 16)).Value.Text)), "%s %s YTD", d.ID, l.Account)
			plan := decimal.RequireFromString(tab.Cell(grid.R(row+1, 16)).Value.Text)
			variance := decimal.RequireFromString(tab.Cell(grid.R(row+2, 16)).Value.Text)
			assert.True(t, ytd.Sub(plan).Equal(variance), "%s %s: variance = actual − plan to the cent", d.ID, l.Account)
			explanation := tab.Cell(grid.R(row, 20))
			if l.Explain {
				require.NotNil(t, explanation.Style, "%s %s asks for an explanation", d.ID, l.Account)
				assert.True(t, explanation.Style.Unlocked, "%s %s: the explanation cell is open", d.ID, l.Account)
			}
			row += 3
		}
		assert.Empty(t, tab.Cell(grid.R(row, 1)).Value.Text, "%s: the blocks end", d.ID)
	}

	// The finance close workbook is kept for each close.
	data, name, err := cs.svc.CloseSummary(ctx, plan.System, runs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "close-kestrel-fy2027-FY2027-P12.xlsx", name)
	assert.NotEmpty(t, data)
}

func actionNames(a plan.Alert) []string {
	var out []string
	for _, x := range a.Actions {
		out = append(out, x.What)
	}
	return out
}

func decodeReport(t *testing.T, run plan.CloseRun) review.Report {
	t.Helper()
	var rep review.Report
	require.NoError(t, json.Unmarshal(run.Report, &rep))
	return rep
}

// A department's explanations come back in its workbook all year: the
// head downloads the workbook with this month's Actuals vs Plan tab,
// types why a line differs and uploads it. The plan is approved and
// locked; sent back unchanged it is accepted for its explanations and
// stays the approved one; sent back changed it is refused, and its
// explanations are kept all the same. Finance's next close (the same
// actuals, a new word) shows the explanation in the tab and in finance's
// close workbook; an emptied cell withdraws it.
func TestExplanationsInAnUploadedWorkbook(t *testing.T) {
	cs := newCloseService(t, filepath.Join(t.TempDir(), "aop.db"))
	ctx := t.Context()
	for m := engine.Period(1); m <= 3; m++ {
		cs.importMonth(t, m)
	}
	runsAt := cs.monthEnd(3).AddDate(0, 0, 4).Add(6*time.Hour + time.Minute)
	cs.tick(t, runsAt)
	require.Len(t, cs.closes(t), 1)
	first := decodeReport(t, mustCloseRun(t, cs, cs.closes(t)[0].ID))
	dept := ""
	for _, d := range first.Departments {
		if dept == "" && slices.ContainsFunc(d.Lines, func(l review.Line) bool { return l.Explain }) {
			dept = d.ID
		}
	}
	require.NotEmpty(t, dept, "month 3 asks some department why")
	tab := cs.workbook(t, dept).Sheet(templates.ActualsSheetName)
	require.NotNil(t, tab)
	line := firstAsked(t, tab)
	at := grid.R(line.row, 20)
	before, err := cs.svc.DepartmentStatus(ctx, plan.System, cs.round.ID, dept)
	require.NoError(t, err)
	require.Equal(t, plan.Approved, before.Status)

	// upload sends the stored workbook with edits, as the head would.
	head := plan.Actor{Kind: "token", Name: "head", Role: plan.DepartmentRole, Department: dept}
	upload := func(sub *engine.Submission, edits ...excel.Edit) plan.Submission {
		t.Helper()
		wb, _, err := cs.svc.Download(ctx, plan.System, cs.round.ID, dept)
		require.NoError(t, err)
		out, err := cs.svc.Submit(ctx, head, plan.Upload{Round: cs.round.ID, Department: dept, Filename: dept + ".xlsx",
			Data: servetest.Fill(t, cs.c, sub, wb, edits...), Source: "upload"})
		require.NoError(t, err)
		return out
	}
	explain := func(text string) excel.Edit {
		return excel.Edit{Sheet: templates.ActualsSheetName, Cell: at, Value: grid.Str(text)}
	}

	sub := upload(demoSubmission(cs.c, dept), explain("Two renewals slipped into the next quarter"))
	assert.Equal(t, plan.Accepted, sub.State, "%+v", sub.Findings)
	assert.Equal(t, 1, sub.Explained)
	after, err := cs.svc.DepartmentStatus(ctx, plan.System, cs.round.ID, dept)
	require.NoError(t, err)
	assert.Equal(t, before.Current, after.Current, "the approved plan stays current")
	assert.Equal(t, plan.Approved, after.Status)
	assert.True(t, after.Locked)

	said, err := cs.svc.Explanations(ctx, plan.System, cs.c.ID)
	require.NoError(t, err)
	require.Len(t, said, 1)
	assert.Equal(t, plan.Explanation{ID: said[0].ID, Cycle: cs.c.ID, Department: dept, Account: line.account, Month: 3,
		Text: "Two renewals slipped into the next quarter", Sheet: templates.ActualsSheetName, Cell: at.String(),
		Source: sub.Blob, By: "token:head", At: said[0].At}, said[0], "kept with the workbook it came from")

	// Finance closes again and sees it.
	closeNow := func() {
		t.Helper()
		_, err := cs.svc.CloseNow(ctx, plan.System, cs.c.ID)
		require.NoError(t, err)
		cs.q.drain(t, cs.svc)
	}
	closeNow()
	runs := cs.closes(t)
	require.Len(t, runs, 2, "a new word is a new state to close")
	assert.Equal(t, runs[1].Period, runs[0].Period, "the same month")
	rep := decodeReport(t, mustCloseRun(t, cs, runs[0].ID))
	assert.Equal(t, "Two renewals slipped into the next quarter", reportLine(t, &rep, dept, line.account).Explanation)
	tab = cs.workbook(t, dept).Sheet(templates.ActualsSheetName)
	assert.Equal(t, "Two renewals slipped into the next quarter", tab.Value(at).Text)
	data, _, err := cs.svc.CloseSummary(ctx, plan.System, runs[0].ID)
	require.NoError(t, err)
	assert.Contains(t, xlsxText(t, data), "Two renewals slipped into the next quarter", "finance sees it")
	closeNow()
	require.Len(t, cs.closes(t), 2, "nothing new, no close")

	// A changed plan is refused; its explanation is kept.
	changed := demoSubmission(cs.c, dept)
	changed.Lines[0].Months[11] = changed.Lines[0].Months[11].Add(decimal.NewFromInt(1000))
	sub = upload(changed, explain("Renewals slipped; the pipeline is thinner too"))
	assert.Equal(t, plan.Rejected, sub.State)
	assert.Equal(t, "locked", sub.Problem)
	assert.Contains(t, sub.Findings[0].Message, "the explanation on the Actuals vs Plan tab is kept")
	said, err = cs.svc.Explanations(ctx, plan.System, cs.c.ID)
	require.NoError(t, err)
	require.Len(t, said, 1)
	assert.Equal(t, "Renewals slipped; the pipeline is thinner too", said[0].Text)

	// An emptied cell withdraws it.
	sub = upload(demoSubmission(cs.c, dept), explain(""))
	assert.Equal(t, plan.Rejected, sub.State, "nothing said, and the plan is locked")
	said, err = cs.svc.Explanations(ctx, plan.System, cs.c.ID)
	require.NoError(t, err)
	assert.Empty(t, said)
	closeNow()
	require.Len(t, cs.closes(t), 3)
	tab = cs.workbook(t, dept).Sheet(templates.ActualsSheetName)
	assert.Empty(t, tab.Value(at).Text)
}

func mustCloseRun(t *testing.T, cs *closeService, id int64) plan.CloseRun {
	t.Helper()
	run, err := cs.st.CloseRun(t.Context(), id)
	require.NoError(t, err)
	return run
}

func reportLine(t *testing.T, r *review.Report, dept, account string) review.Line {
	t.Helper()
	for _, d := range r.Departments {
		for _, l := range d.Lines {
			if d.ID == dept && l.Account == account {
				return l
			}
		}
	}
	t.Fatalf("no line %s/%s", dept, account)
	return review.Line{}
}

// xlsxText is every text of a workbook, a cell a line.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	wb, err := xlsxread.Read(t.Context(), data, xlsxread.Options{})
	require.NoError(t, err)
	var b strings.Builder
	for _, s := range wb.Sheets {
		for _, c := range s.All() {
			b.WriteString(c.Value.Text + "\n")
		}
	}
	return b.String()
}

// newSheetsCloseService is newCloseService on the Google Sheets backend:
// three departments plan in spreadsheets of an in-process emulator, press
// Submit, are approved and consolidated.
func newSheetsCloseService(t *testing.T) (*closeService, *sheetstest.Server, *sheetsBooks, map[string]string) {
	ctx := t.Context()
	st := openStore(t, filepath.Join(t.TempDir(), "aop.db"))
	emu, g, _, err := emulatedSheets(ctx, newXLSXBooks(closeKey))
	require.NoError(t, err)
	t.Cleanup(func() { emu.Close() })
	cs := &closeService{st: st, q: &inlineQueue{seen: map[string]int64{}}, alerts: &alerts{},
		clock: &clock{now: time.Date(2026, time.January, 20, 9, 0, 0, 0, time.UTC)}}
	o := closeOptions(t, st, cs.q, cs.clock.Now, cs.alerts)
	o.Spreadsheets = g
	cs.svc = plan.New(o)
	_, err = cs.svc.LoadCycle(ctx, plan.System, "cycle.yaml", []byte(demoCycleYAML()))
	require.NoError(t, err)
	cs.c = demoCycle(t)
	tpl, err := templates.NewDepartment(cs.c)
	require.NoError(t, err)
	depts := []string{"sales", "marketing", "customer-success"}
	cs.round, err = cs.svc.OpenRound(ctx, plan.System, plan.OpenRound{Cycle: cs.c.ID, Name: "FY2027 plan",
		Due: cs.clock.Now().Add(7 * 24 * time.Hour), Departments: depts, Backend: plan.BackendSheets})
	require.NoError(t, err)
	cs.q.drain(t, cs.svc)
	ids := map[string]string{}
	for _, dept := range depts {
		d, _ := cs.c.Department(dept)
		state, err := cs.svc.DepartmentStatus(ctx, plan.System, cs.round.ID, dept)
		require.NoError(t, err)
		require.NotEmpty(t, state.Spreadsheet.ID, dept)
		ids[dept] = state.Spreadsheet.ID
		in, err := tpl.Inputs(demoSubmission(cs.c, dept))
		require.NoError(t, err)
		for _, run := range inputRuns(in) {
			require.NoError(t, emu.EditAs(d.Owner, ids[dept], run.a1, [][]any{run.values}), "%s %s", dept, run.a1)
		}
		head := plan.Actor{Kind: "token", Name: dept, Role: plan.DepartmentRole, Department: dept}
		_, err = cs.svc.SubmitSheet(ctx, head, cs.round.ID, dept, "plan")
		require.NoError(t, err)
		cs.q.drain(t, cs.svc)
		state, err = cs.svc.DepartmentStatus(ctx, plan.System, cs.round.ID, dept)
		require.NoError(t, err)
		require.Equal(t, plan.Submitted, state.Status, dept)
		_, err = cs.svc.Approve(ctx, plan.System, plan.Review{Round: cs.round.ID, Department: dept})
		require.NoError(t, err)
	}
	_, _, err = cs.svc.Consolidate(ctx, plan.System, cs.round.ID)
	require.NoError(t, err)
	cs.q.drain(t, cs.svc)
	return cs, emu, g, ids
}

// The year of closes on the virtual clock, in Google Sheets: the schedule
// closes each month once (months 10 and 11, missed while aop was down,
// by one run), each close writes every department's tab as a job of its
// own, and at the year's end each spreadsheet's tab is the one the engine
// renders, cell by cell. A close after the first costs a department two
// requests: reading the tab back and making it anew.
func TestCloseYearInGoogleSheets(t *testing.T) {
	cs, emu, g, ids := newSheetsCloseService(t)
	ctx := t.Context()
	runsAt := func(m engine.Period) time.Time { return cs.monthEnd(m).AddDate(0, 0, 4).Add(6*time.Hour + time.Minute) }
	var last requestCount
	for m := engine.Period(1); m <= engine.MonthsPerYear; m++ {
		cs.clock.set(cs.monthEnd(m).Add(9 * time.Hour))
		cs.importMonth(t, m)
		if m == 10 || m == 11 {
			continue
		}
		before := emu.Stats()
		cs.tick(t, runsAt(m))
		cs.tick(t, runsAt(m).Add(time.Hour))
		last = requestsSince(before, emu.Stats())
	}
	runs := cs.closes(t)
	require.Len(t, runs, 10)
	assert.Equal(t, 10*len(ids), cs.q.count(plan.JobWriteActuals), "a tab a department a close")
	assert.Equal(t, requestCount{"sheets.spreadsheets.values.batchGet": len(ids), "sheets.spreadsheets.batchUpdate": len(ids)}, last,
		"the last close: each tab read back and made anew")
	require.Len(t, cs.alerts.list, 1)
	assert.Equal(t, "revenue-slump", cs.alerts.list[0].Trigger)

	run := mustCloseRun(t, cs, runs[0].ID)
	rep := decodeReport(t, run)
	tpl, err := templates.NewDepartment(cs.c)
	require.NoError(t, err)
	for dept, id := range ids {
		want, err := tpl.ActualsTab(&rep, dept, closeKey, "on "+run.Done.UTC().Format("2006-01-02 15:04 MST"))
		require.NoError(t, err)
		wb, err := g.client.ReadBack(ctx, id)
		require.NoError(t, err)
		got := wb.Sheet(templates.ActualsSheetName)
		require.NotNil(t, got, dept)
		assert.Equal(t, "Jan 2027 (FY2027-P12)", got.Value(grid.R(3, 2)).Text, dept)
		compared := 0
		for at, cell := range want.All() {
			w, v := cell.Value, got.Value(at)
			if w.Kind == grid.Number {
				assert.True(t, decimal.RequireFromString(w.Text).Equal(decimal.RequireFromString(v.Text)), "%s %s: %s vs %s", dept, at, w.Text, v.Text)
			} else {
				assert.Equal(t, w.Text, v.Text, "%s %s", dept, at)
			}
			compared++
		}
		assert.Greater(t, compared, 300, dept)
	}
}
