package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t)
	w := h.call("GET", "/healthz", "", nil, nil)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "ok", w.Body.String())
	w = h.call("GET", "/readyz", "", nil, nil)
	assert.Equal(t, 200, w.Code)
}

func TestARoundThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	assert.ElementsMatch(t, []string{"sales", "eng"}, round.Departments)
	base := fmt.Sprintf("/api/v1/rounds/%d/departments/", round.ID)

	var cycles []plan.Cycle
	require.Equal(t, 200, h.call("GET", "/api/v1/cycles", h.viewer, nil, &cycles).Code)
	require.Len(t, cycles, 1)
	assert.Equal(t, "test-fy2027", cycles[0].ID)

	// Finance makes a department token through the API.
	var created struct {
		Token string    `json:"token"`
		ID    int64     `json:"id"`
		Role  plan.Role `json:"role"`
		Dept  string    `json:"department"`
	}
	w := h.call("POST", "/api/v1/tokens", h.admin, map[string]string{"name": "sales head", "role": "department", "department": "sales"}, &created)
	require.Equal(t, 201, w.Code, w.Body.String())
	assert.True(t, strings.HasPrefix(created.Token, "aop_"))
	assert.Equal(t, plan.DepartmentRole, created.Role)
	assert.Equal(t, "sales", created.Dept)
	sales := created.Token

	var rounds []plan.Round
	require.Equal(t, 200, h.call("GET", "/api/v1/rounds", sales, nil, &rounds).Code)
	require.Len(t, rounds, 1)

	// The department downloads its workbook, checks it, then sends it.
	w = h.call("GET", base+"sales/workbook", sales, nil, nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, xlsxType, w.Header().Get("Content-Type"))
	assert.Equal(t, fmt.Sprintf(`attachment; filename=sales-round%d.xlsx`, round.ID), w.Header().Get("Content-Disposition"))
	book := w.Body.Bytes()
	assert.True(t, strings.HasPrefix(string(book), "workbook of sales "))

	var v validation
	require.Equal(t, 200, h.call("POST", base+"sales/validate", sales, book, &v).Code)
	assert.False(t, v.Refused)
	assert.Empty(t, v.Findings)
	require.NotNil(t, v.Findings, "an empty list, not null")

	bad := append([]byte(nil), book...)
	bad = append(bad, " bad"...)
	envelope := uploadEnvelope{Filename: "mine.xlsx", Data: base64.StdEncoding.EncodeToString(bad)}
	require.Equal(t, 200, h.call("POST", base+"sales/validate", sales, envelope, &v).Code)
	require.Len(t, v.Findings, 1)
	assert.Equal(t, "Plan", v.Findings[0].Sheet)
	assert.Equal(t, "E7", v.Findings[0].Cell)

	var rejected plan.Submission
	w = h.call("POST", base+"sales/upload?filename=first.xlsx", sales, bad, &rejected)
	require.Equal(t, 422, w.Code, w.Body.String())
	assert.Equal(t, plan.Rejected, rejected.State)
	assert.Equal(t, "first.xlsx", rejected.Filename)
	require.Len(t, rejected.Findings, 1)
	assert.Equal(t, "E7", rejected.Findings[0].Cell)

	var first plan.Submission
	r := request("POST", base+"sales/upload", sales, book)
	r.Header.Set("Idempotency-Key", "k-1")
	w = h.serve(r)
	require.Equal(t, 201, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &first)
	assert.Equal(t, plan.Accepted, first.State)
	assert.Equal(t, "upload", first.Source)

	// A retry with the same key finds the same submission.
	var again plan.Submission
	r = request("POST", base+"sales/upload", sales, book)
	r.Header.Set("Idempotency-Key", "k-1")
	w = h.serve(r)
	require.Equal(t, 201, w.Code)
	decode(t, w.Body.Bytes(), &again)
	assert.Equal(t, first.ID, again.ID)

	// The JSON form of an upload, as the Excel add-in sends it.
	changed := append(append([]byte(nil), book...), " v2"...)
	var second plan.Submission
	w = h.call("POST", base+"sales/upload", sales, uploadEnvelope{Filename: "v2.xlsx", Data: base64.StdEncoding.EncodeToString(changed)}, &second)
	require.Equal(t, 201, w.Code, w.Body.String())
	assert.Equal(t, "v2.xlsx", second.Filename)

	var subs []plan.Submission
	require.Equal(t, 200, h.call("GET", base+"sales/submissions", h.viewer, nil, &subs).Code)
	require.Len(t, subs, 3)
	assert.Equal(t, second.ID, subs[0].ID, "newest first")

	var one plan.Submission
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/submissions/%d", second.ID), sales, nil, &one).Code)
	require.Len(t, one.Records, 1)

	var changes []plan.Change
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/submissions/%d/diff?from=%d", second.ID, first.ID), h.viewer, nil, &changes).Code)
	require.Len(t, changes, 1)
	assert.Equal(t, "E5", changes[0].Cell)

	var st plan.DepartmentState
	require.Equal(t, 200, h.call("POST", fmt.Sprintf("/api/v1/submissions/%d/revert", first.ID), h.admin, nil, &st).Code)
	assert.Equal(t, first.ID, st.Current)

	// Review.
	w = h.call("POST", base+"sales/send-back", h.admin, map[string]string{}, nil)
	assert.Equal(t, 400, w.Code)
	assert.Equal(t, "required", errorOf(t, w).Fields["comment"])
	require.Equal(t, 200, h.call("POST", base+"sales/send-back", h.admin, reviewBody{Comment: "travel is high"}, &st).Code)
	assert.Equal(t, plan.SentBack, st.Status)
	require.Equal(t, 201, h.call("POST", base+"sales/upload", sales, changed, nil).Code)
	require.Equal(t, 200, h.call("POST", base+"sales/approve", h.admin, reviewBody{Comment: "good"}, &st).Code)
	assert.True(t, st.Locked)
	require.Equal(t, 200, h.call("POST", base+"sales/reopen", h.admin, nil, &st).Code)
	assert.False(t, st.Locked)

	var status plan.RoundStatus
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), h.viewer, nil, &status).Code)
	assert.Equal(t, 1, status.Counts[plan.InProgress])

	// Consolidation.
	var started consolidationStarted
	w = h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), h.admin, nil, &started)
	require.Equal(t, 202, w.Code, w.Body.String())
	assert.NotZero(t, started.Job)
	assert.Equal(t, "queued", started.Consolidation.State)
	var runs []plan.Consolidation
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), h.viewer, nil, &runs).Code)
	require.Len(t, runs, 1)
	var run plan.Consolidation
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/consolidations/%d", started.Consolidation.ID), h.viewer, nil, &run).Code)
	assert.Equal(t, started.Consolidation.ID, run.ID)

	var job plan.JobInfo
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/jobs/%d", started.Job), h.viewer, nil, &job).Code)
	assert.Equal(t, plan.JobConsolidate, job.Kind)
	assert.Equal(t, 404, h.call("GET", fmt.Sprintf("/api/v1/jobs/%d", started.Job), sales, nil, nil).Code,
		"a department does not see finance's jobs")

	// Close and reopen the round.
	var closed plan.Round
	require.Equal(t, 200, h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/close", round.ID), h.admin, nil, &closed).Code)
	assert.Equal(t, plan.RoundClosed, closed.State)
	require.Equal(t, 200, h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/reopen", round.ID), h.admin, nil, &closed).Code)
	assert.Equal(t, plan.RoundOpen, closed.State)

	// The audit log, filtered and paged.
	var entries []plan.AuditEntry
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/audit?round=%d&department=sales&action=submission.accept", round.ID), h.viewer, nil, &entries).Code)
	require.Len(t, entries, 3)
	var page []plan.AuditEntry
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/audit?round=%d&limit=2&before=%d", round.ID, entries[0].ID), h.viewer, nil, &page).Code)
	require.Len(t, page, 2)
	assert.Less(t, page[0].ID, entries[0].ID)
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(data, v), string(data))
}
