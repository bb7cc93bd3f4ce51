package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"

	"aop/cmd/internal/plan"
	"aop/engine"
	"aop/engine/review"
)

// fakeSheets stands for Google: spreadsheets are names, values are the
// fake books' text, and each call is counted.
type fakeSheets struct {
	mu       sync.Mutex
	calls    map[string]int
	problems map[string][]string // by spreadsheet id: what the structure check finds
	fetchErr error
}

func (f *fakeSheets) count(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[call]++
}

func (f *fakeSheets) Create(_ context.Context, _ *engine.Cycle, w plan.Workbook, name, _ string, _ bool) (string, string, error) {
	f.count("create")
	return "ss-" + w.Department, "https://sheets.example/" + w.Department, nil
}

func (f *fakeSheets) SetLocked(context.Context, *engine.Cycle, plan.Workbook, string) error {
	f.count("lock")
	return nil
}

func (f *fakeSheets) Check(_ context.Context, _ *engine.Cycle, _ plan.Workbook, id string) ([]string, error) {
	f.count("check")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.problems[id], nil
}

func (f *fakeSheets) Fetch(_ context.Context, _ *engine.Cycle, w plan.Workbook, _ string) ([]byte, error) {
	f.count("fetch")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fetchErr != nil {
		return nil, f.fetchErr
	}
	return fmt.Appendf(nil, "workbook of %s values", w.Department), nil
}

func (f *fakeSheets) WriteSummary(context.Context, *engine.Cycle, *engine.Consolidation, string, string, string, bool) error {
	f.count("summary")
	return nil
}

func (f *fakeSheets) FetchActuals(context.Context, string) ([]byte, error) {
	f.count("fetch actuals")
	return []byte(`{"valueRanges": []}`), nil
}

func (f *fakeSheets) WriteActuals(context.Context, *engine.Cycle, *review.Report, string, string, string, bool) error {
	f.count("actuals")
	return nil
}

func TestSheetsRoundNeedsGoogle(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, 200, h.call("POST", "/api/v1/cycles?name=cycle.yaml", h.admin, testCycle, nil).Code)
	due := time.Now().Add(48 * time.Hour)
	w := h.call("POST", "/api/v1/rounds", h.admin, plan.OpenRound{Cycle: "test-fy2027", Name: "Draft", Due: due, Backend: plan.BackendSheets}, nil)
	require.Equal(t, 422, w.Code, w.Body.String())
	e := errorOf(t, w)
	assert.Contains(t, e.Message, "not connected to Google Sheets")
	assert.Contains(t, e.Fields, "backend")
	w = h.call("POST", "/api/v1/rounds", h.admin, plan.OpenRound{Cycle: "test-fy2027", Name: "Draft", Due: due, Backend: "pdf"}, nil)
	require.Equal(t, 400, w.Code, w.Body.String())
	assert.Equal(t, "xlsx or sheets", errorOf(t, w).Fields["backend"])
}

// TestSheetsRoundHarvest follows the Submit button of a sheets round: the
// structure check runs once, a transient error from Google fails the job
// (to be retried) and never the department, and a spreadsheet whose
// protections were changed is refused with findings naming the sheet.
func TestSheetsRoundHarvest(t *testing.T) {
	g := &fakeSheets{calls: map[string]int{}, problems: map[string][]string{
		"ss-eng": {`sheet "Plan": its protection was removed`}}}
	h := newHarnessWith(t, g)
	require.Equal(t, 200, h.call("POST", "/api/v1/cycles?name=cycle.yaml", h.admin, testCycle, nil).Code)
	var r plan.Round
	w := h.call("POST", "/api/v1/rounds", h.admin, plan.OpenRound{Cycle: "test-fy2027", Name: "Draft",
		Due: time.Now().Add(48 * time.Hour), Backend: plan.BackendSheets}, &r)
	require.Equal(t, 201, w.Code, w.Body.String())
	assert.Equal(t, plan.BackendSheets, r.Backend)
	h.queue.run(t, h.svc)
	assert.Equal(t, 2, g.calls["create"])
	var st plan.RoundStatus
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/rounds/%d", r.ID), h.admin, nil, &st).Code)
	assert.Equal(t, 2, st.Spreadsheets)
	for _, d := range st.Departments {
		assert.Equal(t, "https://sheets.example/"+d.Department, d.Spreadsheet.URL)
	}
	h.queue.run(t, h.svc) // generating again creates nothing
	assert.Equal(t, 2, g.calls["create"])

	submit := func(dept string) plan.Job {
		t.Helper()
		sheet := plan.SheetID(r.ID, dept)
		w := h.serve(signedRequest(h, "POST", "/api/v1/webhook/submit", sheet, []byte(`{}`)))
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		var acc webhookAccepted
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &acc))
		info, err := h.queue.Job(context.Background(), acc.Job)
		require.NoError(t, err)
		assert.Equal(t, plan.JobHarvestSheet, info.Job.Kind)
		return info.Job
	}

	// Google answers 503: the job fails, to run again; nothing is stored
	// and the department is not failed.
	g.fetchErr = &googleapi.Error{Code: 503, Message: "backend error"}
	j := submit("sales")
	require.Error(t, h.svc.RunJob(context.Background(), j))
	assert.Empty(t, h.submissions(r.ID, "sales"))
	d, err := h.svc.RoundStatus(context.Background(), plan.System, r.ID)
	require.NoError(t, err)
	assert.Equal(t, plan.NotStarted, d.Departments[0].Status)
	assert.True(t, d.Departments[0].Spreadsheet.Checked, "the check passed before the read failed")

	g.fetchErr = nil
	require.NoError(t, h.svc.RunJob(context.Background(), j), "the retry")
	subs := h.submissions(r.ID, "sales")
	require.Len(t, subs, 1)
	assert.Equal(t, plan.Accepted, subs[0].State)
	assert.Equal(t, "harvest", subs[0].Source)
	require.NoError(t, h.svc.RunJob(context.Background(), j), "a job run twice stores one submission")
	assert.Len(t, h.submissions(r.ID, "sales"), 1)
	require.NoError(t, h.svc.RunJob(context.Background(), submit("sales")))
	assert.Len(t, h.submissions(r.ID, "sales"), 2)
	assert.Equal(t, 1, g.calls["check"], "the structure check runs once per round per spreadsheet")

	// A spreadsheet whose protection was removed: refused, naming the sheet.
	require.NoError(t, h.svc.RunJob(context.Background(), submit("eng")))
	subs = h.submissions(r.ID, "eng")
	require.Len(t, subs, 1)
	assert.Equal(t, plan.Rejected, subs[0].State)
	assert.Equal(t, "changed_structure", subs[0].Problem)
	require.NotEmpty(t, subs[0].Findings)
	assert.Contains(t, subs[0].Findings[0].Message, `sheet "Plan"`)

	// An .xlsx round's submit without a workbook is told to send one.
	h2 := newHarness(t)
	r2 := h2.roundOpen()
	w = h2.serve(signedRequest(h2, "POST", "/api/v1/webhook/submit", plan.SheetID(r2.ID, "sales"), []byte(`{}`)))
	require.Equal(t, 400, w.Code, w.Body.String())
	assert.Contains(t, errorOf(t, w).Message, "send the workbook")
}
