package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
	"aop/cmd/internal/store"
	"aop/engine"
	"aop/engine/grid"
)

// testCycle is a cycle of two departments that fill workbooks, each with
// its head's e-mail address.
const testCycle = `cycle: test-fy2027
company: Test Co
currency: USD
fiscal_year: 2027
lines: 5
departments:
  - {id: all, name: All}
  - {id: sales, name: Sales, parent: all, owner: dana@test.example}
  - {id: eng, name: Engineering, parent: all, owner: erin@test.example}
accounts:
  - {code: "6100", name: Travel, type: opex, group: Travel}
`

// harness is the API over a real plan.Service on a real SQLite store, with
// a fake job queue and fake workbooks.
type harness struct {
	t      testing.TB
	h      http.Handler
	svc    *plan.Service
	queue  *fakeQueue
	logs   *syncBuffer
	admin  string
	viewer string
}

// newHarness starts an API; edit changes its options.
func newHarness(t testing.TB, edit ...func(*Options)) *harness {
	t.Helper()
	return newHarnessWith(t, nil, edit...)
}

// newHarnessWith starts an API whose service has a Google side (nil for
// none).
func newHarnessWith(t testing.TB, sp plan.Spreadsheets, edit ...func(*Options)) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "aop.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	q := &fakeQueue{byKey: map[string]int64{}}
	svc := plan.New(plan.Options{
		Store: st, Queue: q, Books: fakeBooks{}, Spreadsheets: sp, Key: []byte("test signing key"), Log: log,
		ParseCycle: func(name string, data []byte) (*engine.Cycle, error) {
			f, err := cyclefile.Parse(name, data, nil)
			if err != nil {
				return nil, err
			}
			return f.Cycle, nil
		},
	})
	o := Options{Service: svc, Log: log, MaxUpload: 64 << 10}
	for _, e := range edit {
		e(&o)
	}
	h := &harness{t: t, h: New(o), svc: svc, queue: q, logs: logs}
	h.admin = h.token(plan.FinanceAdmin, "")
	h.viewer = h.token(plan.FinanceViewer, "")
	return h
}

// token makes a token directly through the service.
func (h *harness) token(role plan.Role, dept string) string {
	h.t.Helper()
	secret, _, err := h.svc.CreateToken(context.Background(), plan.System, string(role)+dept, role, dept)
	require.NoError(h.t, err)
	return secret
}

// request builds a request: body nil, []byte (an .xlsx), string (YAML) or
// anything else as JSON.
func request(method, path, token string, body any) *http.Request {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), xlsxType
	case string:
		rd, ctype = strings.NewReader(b), "application/yaml"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		rd, ctype = bytes.NewReader(data), jsonType
	}
	r := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

// serve runs one request through the API.
func (h *harness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, r)
	return w
}

// call makes a request and decodes a JSON answer into out (when not nil).
func (h *harness) call(method, path, token string, body, out any) *httptest.ResponseRecorder {
	h.t.Helper()
	w := h.serve(request(method, path, token, body))
	if out != nil {
		require.NoError(h.t, json.Unmarshal(w.Body.Bytes(), out), "%s %s: %d %s", method, path, w.Code, w.Body)
	}
	return w
}

// roundOpen loads the test cycle, opens a round and writes its workbooks.
func (h *harness) roundOpen() plan.Round {
	h.t.Helper()
	w := h.call("POST", "/api/v1/cycles?name=cycle.yaml", h.admin, testCycle, nil)
	require.Equal(h.t, 200, w.Code, w.Body.String())
	var r plan.Round
	w = h.call("POST", "/api/v1/rounds", h.admin, plan.OpenRound{Cycle: "test-fy2027", Name: "Draft",
		Due: time.Now().Add(48 * time.Hour)}, &r)
	require.Equal(h.t, 201, w.Code, w.Body.String())
	h.queue.run(h.t, h.svc)
	return r
}

// errorOf decodes an answer that must be in the error shape.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) errorDetail {
	t.Helper()
	require.Equal(t, "application/json", strings.Split(w.Header().Get("Content-Type"), ";")[0], w.Body.String())
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &raw), w.Body.String())
	require.Len(t, raw, 1, "only the error key: %s", w.Body)
	var body errorBody
	d := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	d.DisallowUnknownFields()
	require.NoError(t, d.Decode(&body), w.Body.String())
	require.NotEmpty(t, body.Error.Code, w.Body.String())
	require.NotEmpty(t, body.Error.Message, w.Body.String())
	return body.Error
}

// fakeBooks stands for the excel driver. A workbook is text: "workbook of
// DEPT …" as written for a department; one holding "bad" has an error at
// Plan!E7; one written for another department is refused.
type fakeBooks struct{}

func (fakeBooks) Harvest(_ context.Context, _ *engine.Cycle, _ string, data []byte, dept, _ string) plan.Harvest {
	text := string(data)
	if strings.HasPrefix(text, "workbook of ") && !strings.HasPrefix(text, "workbook of "+dept+" ") {
		return plan.Harvest{Refused: true, Problem: "wrong_department", Findings: []engine.Finding{
			{Level: engine.Error, Message: "this is another department's workbook"}}}
	}
	h := plan.Harvest{Records: []engine.Fact{{Sheet: "Plan", Cell: "E5", Kind: "amount", Value: text}}}
	if strings.Contains(text, "bad") {
		h.Findings = []engine.Finding{{Sheet: "Plan", Cell: "E7", Level: engine.Error, Message: "E7: must be a number, got 'bad'"}}
		return h
	}
	h.Submission = &engine.Submission{Department: dept}
	return h
}

func (fakeBooks) Generate(_ *engine.Cycle, w plan.Workbook) ([]byte, error) {
	return fmt.Appendf(nil, "workbook of %s round %s locked=%v", w.Department, w.Round, w.Locked), nil
}

func (fakeBooks) WriteSummary(_ *engine.Cycle, _ *engine.Consolidation, _ string, wb []byte, _ string) ([]byte, error) {
	return wb, nil
}

// SummarySheet renders a two-row Summary tab naming the department.
func (fakeBooks) SummarySheet(_ *engine.Cycle, _ *engine.Consolidation, dept, asOf string) (*grid.Sheet, error) {
	s := grid.New().AddSheet("Summary")
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str(dept + ": your plan against your target"), Style: &grid.Style{Bold: true}})
	s.Set(grid.R(2, 1), grid.Cell{Value: grid.Str("written " + asOf)})
	s.Set(grid.R(2, 2), grid.Cell{Value: grid.NumText("1234.5"), Style: &grid.Style{NumFmt: "#,##0"}})
	return s, nil
}

func (fakeBooks) FinanceSummary(*engine.Cycle, *engine.Consolidation, []*engine.Submission, string, []string) ([]byte, json.RawMessage, error) {
	return []byte("summary"), json.RawMessage(`{}`), nil
}

// fakeQueue keeps jobs in memory; run applies the pending ones.
type fakeQueue struct {
	mu    sync.Mutex
	jobs  []plan.Job
	done  int
	byKey map[string]int64
	fail  error
}

func (q *fakeQueue) Enqueue(_ context.Context, j plan.Job) (int64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail != nil {
		return 0, q.fail
	}
	if id, ok := q.byKey[j.Key]; ok {
		return id, nil
	}
	q.jobs = append(q.jobs, j)
	id := int64(len(q.jobs))
	q.byKey[j.Key] = id
	return id, nil
}

func (q *fakeQueue) Job(_ context.Context, id int64) (plan.JobInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if id < 1 || id > int64(len(q.jobs)) {
		return plan.JobInfo{}, plan.NotFound("job", id)
	}
	j := q.jobs[id-1]
	state := "available"
	if id <= int64(q.done) {
		state = "completed"
	}
	return plan.JobInfo{ID: id, Kind: j.Kind, State: state, Attempt: 1, Created: time.Now(), Job: j}, nil
}

// run applies the jobs queued so far, in order.
func (q *fakeQueue) run(t testing.TB, svc *plan.Service) {
	t.Helper()
	for {
		q.mu.Lock()
		if q.done == len(q.jobs) {
			q.mu.Unlock()
			return
		}
		j := q.jobs[q.done]
		q.mu.Unlock()
		require.NoError(t, svc.RunJob(context.Background(), j), "job %+v", j)
		q.mu.Lock()
		q.done++
		q.mu.Unlock()
	}
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct{ servetest.SyncBuffer }

// records returns the log records that have a key with a value.
func (b *syncBuffer) records(key, value string) []map[string]any {
	var out []map[string]any
	for line := range strings.SplitSeq(b.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && fmt.Sprint(rec[key]) == value {
			out = append(out, rec)
		}
	}
	return out
}
