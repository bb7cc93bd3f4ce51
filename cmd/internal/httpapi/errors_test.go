package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

// TestErrorShape goes through every way the API answers an error and
// checks that each answers the one shape, with the status its code maps
// to.
func TestErrorShape(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	dept := fmt.Sprintf("/api/v1/rounds/%d/departments/sales", round.ID)
	require.Equal(t, 200, h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/close", round.ID), h.admin, nil, nil).Code)

	for _, tc := range []struct {
		name       string
		req        func() *httptest.ResponseRecorder
		status     int
		code       string
		field      string
		inMessage  string
		wantHeader string
	}{
		{name: "non-numeric id", status: 400, code: "invalid", field: "id", inMessage: `"abc"`,
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/rounds/abc", h.admin, nil, nil) }},
		{name: "zero id", status: 400, code: "invalid", field: "id",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/submissions/0", h.admin, nil, nil) }},
		{name: "non-numeric from", status: 400, code: "invalid", field: "from",
			req: func() *httptest.ResponseRecorder {
				return h.call("GET", "/api/v1/submissions/1/diff?from=x", h.admin, nil, nil)
			}},
		{name: "malformed JSON", status: 400, code: "invalid", field: "body",
			req: func() *httptest.ResponseRecorder {
				r := request("POST", "/api/v1/rounds", h.admin, nil)
				r.Body = httptest.NewRequest("POST", "/", strings.NewReader("{")).Body
				return h.serve(r)
			}},
		{name: "unknown JSON field", status: 400, code: "invalid", field: "body", inMessage: "departement",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", "/api/v1/rounds", h.admin, map[string]any{"departement": "x"}, nil)
			}},
		{name: "a plan error with fields", status: 400, code: "invalid", field: "name",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", "/api/v1/rounds", h.admin, plan.OpenRound{Cycle: "test-fy2027"}, nil)
			}},
		{name: "bad audit limit", status: 400, code: "invalid", field: "limit",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/audit?limit=0", h.admin, nil, nil) }},
		{name: "no token", status: 401, code: "unauthorized", field: "Authorization", wantHeader: "WWW-Authenticate",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/rounds", "", nil, nil) }},
		{name: "viewer writes", status: 403, code: "forbidden",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/reopen", round.ID), h.viewer, nil, nil)
			}},
		{name: "no such round", status: 404, code: "not_found", inMessage: "round 999",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/rounds/999", h.admin, nil, nil) }},
		{name: "no such route", status: 404, code: "not_found", inMessage: "openapi.json",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/api/v1/nowhere", h.admin, nil, nil) }},
		{name: "no such route, no token", status: 404, code: "not_found",
			req: func() *httptest.ResponseRecorder { return h.call("GET", "/nowhere", "", nil, nil) }},
		{name: "wrong method", status: 405, code: "method_not_allowed", wantHeader: "Allow",
			req: func() *httptest.ResponseRecorder { return h.call("DELETE", "/api/v1/rounds", h.admin, nil, nil) }},
		{name: "closed twice", status: 409, code: "conflict", inMessage: "already closed",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/close", round.ID), h.admin, nil, nil)
			}},
		{name: "workbook too large", status: 413, code: "too_large", field: "body",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", dept+"/upload", h.admin, bytes.Repeat([]byte("x"), 64<<10+1), nil)
			}},
		{name: "not a workbook type", status: 415, code: "unsupported_media_type", field: "Content-Type",
			req: func() *httptest.ResponseRecorder {
				r := request("POST", dept+"/validate", h.admin, []byte("wb"))
				r.Header.Set("Content-Type", "text/plain")
				return h.serve(r)
			}},
		{name: "cycle file with mistakes", status: 422, code: "unprocessable",
			req: func() *httptest.ResponseRecorder {
				return h.call("POST", "/api/v1/cycles", h.admin, "cycle: [not, a, cycle", nil)
			}},
		{name: "refresh of a department not in the round", status: 404, code: "not_found",
			req: func() *httptest.ResponseRecorder {
				return h.serve(signedRequest(h, "POST", "/api/v1/webhook/refresh", plan.SheetID(round.ID, "nosuch"), nil))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.req()
			require.Equal(t, tc.status, w.Code, w.Body.String())
			e := errorOf(t, w)
			assert.Equal(t, tc.code, e.Code)
			if tc.field != "" {
				assert.Contains(t, e.Fields, tc.field)
			}
			assert.Contains(t, e.Message, tc.inMessage)
			if tc.wantHeader != "" {
				assert.NotEmpty(t, w.Header().Get(tc.wantHeader))
			}
			assert.NotEmpty(t, w.Header().Get(requestIDHeader))
		})
	}
}

// TestInternalErrors checks that a failure inside the service answers 500
// with the request id and nothing else, and is logged once under that id.
func TestInternalErrors(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	h.queue.fail = errors.New("queue database is on fire")
	r := request("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), h.admin, nil)
	r.Header.Set(requestIDHeader, "req-500")
	w := h.serve(r)
	require.Equal(t, 500, w.Code)
	e := errorOf(t, w)
	assert.Equal(t, "internal", e.Code)
	assert.Equal(t, "internal error (request id req-500)", e.Message)
	assert.NotContains(t, w.Body.String(), "fire")

	recs := h.logs.records("request_id", "req-500")
	require.Len(t, recs, 1)
	assert.Equal(t, "ERROR", recs[0]["level"])
	assert.Contains(t, recs[0]["error"], "queue database is on fire")
}

func TestPanicsAreInternalErrors(t *testing.T) {
	logs := &syncBuffer{}
	e := New(Options{Log: slog.New(slog.NewJSONHandler(logs, nil))}) // no service: authenticating panics
	r := request("GET", "/api/v1/rounds", "aop_whatever", nil)
	r.Header.Set(requestIDHeader, "req-panic")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	require.Equal(t, 500, w.Code)
	assert.Equal(t, "internal error (request id req-panic)", errorOf(t, w).Message)
	recs := logs.records("request_id", "req-panic")
	require.Len(t, recs, 1)
	assert.Contains(t, recs[0]["error"], "PANIC")
}

func TestNotReady(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.Ready = func(context.Context) error { return errors.New("schema version 3, want 4") }
	})
	r := request("GET", "/readyz", "", nil)
	r.Header.Set(requestIDHeader, "req-503")
	w := h.serve(r)
	require.Equal(t, 503, w.Code)
	e := errorOf(t, w)
	assert.Equal(t, "unavailable", e.Code)
	assert.Contains(t, e.Message, "req-503")
	assert.NotContains(t, e.Message, "schema")
	recs := h.logs.records("request_id", "req-503")
	require.Len(t, recs, 1)
	assert.Contains(t, recs[0]["error"], "schema version 3")
}
