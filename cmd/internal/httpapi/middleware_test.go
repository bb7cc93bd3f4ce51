package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestIDs(t *testing.T) {
	h := newHarness(t)
	r := request("GET", "/healthz", "", nil)
	r.Header.Set(requestIDHeader, "caller-42")
	assert.Equal(t, "caller-42", h.serve(r).Header().Get(requestIDHeader))

	for _, bad := range []string{"", "has space", strings.Repeat("x", 129)} {
		r := request("GET", "/healthz", "", nil)
		r.Header.Set(requestIDHeader, bad)
		assert.Regexp(t, `^[0-9a-f]{24}$`, h.serve(r).Header().Get(requestIDHeader), "%q", bad)
	}
}

func TestOneLogRecordPerRequest(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	r := request("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), h.viewer, nil)
	r.Header.Set(requestIDHeader, "req-log")
	require.Equal(t, 200, h.serve(r).Code)

	recs := h.logs.records("request_id", "req-log")
	require.Len(t, recs, 1)
	rec := recs[0]
	assert.Equal(t, "INFO", rec["level"])
	assert.Equal(t, "GET", rec["method"])
	assert.Equal(t, "/api/v1/rounds/{id}", rec["route"])
	assert.EqualValues(t, 200, rec["status"])
	assert.Contains(t, rec, "latency_ms")
	assert.Equal(t, "token:finance-viewer#2", rec["actor"])
	assert.NotContains(t, rec, "error")
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, 200, h.call("GET", "/api/v1/rounds", h.viewer, nil, nil).Code)
	require.Equal(t, 404, h.call("GET", "/no/such/route/1", "", nil, nil).Code)
	w := h.call("GET", "/metrics", "", nil, nil)
	require.Equal(t, 200, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, `aop_http_requests_total{code="200",method="GET",route="/api/v1/rounds"} 1`)
	assert.Contains(t, body, `aop_http_requests_total{code="404",method="GET",route="unmatched"} 1`)
	assert.Contains(t, body, `aop_http_request_duration_seconds_count{method="GET",route="/api/v1/rounds"} 1`)
	assert.NotContains(t, body, "/no/such/route")
}
