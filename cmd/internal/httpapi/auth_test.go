package httpapi

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

func TestTokensAreRequired(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ name, header string }{
		{"no header", ""},
		{"not bearer", "Basic dXNlcjpwYXNz"},
		{"empty bearer", "Bearer "},
		{"not an aop token", "Bearer abc"},
		{"unknown token", "Bearer aop_" + strings.Repeat("x", 43)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request("GET", "/api/v1/rounds", "", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := h.serve(r)
			require.Equal(t, 401, w.Code)
			assert.Equal(t, "unauthorized", errorOf(t, w).Code)
			assert.Equal(t, `Bearer realm="aop"`, w.Header().Get("WWW-Authenticate"))
		})
	}
	assert.Equal(t, 200, h.call("GET", "/api/v1/rounds", h.viewer, nil, nil).Code)
	assert.Equal(t, 200, h.call("GET", "/api/v1/openapi.json", "", nil, nil).Code, "the document is public")
}

func TestRolesAreEnforced(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	eng := h.token(plan.DepartmentRole, "eng")

	w := h.call("POST", "/api/v1/rounds", h.viewer, plan.OpenRound{Cycle: "test-fy2027", Name: "Second", Due: time.Now().Add(time.Hour)}, nil)
	require.Equal(t, 403, w.Code)
	assert.Equal(t, "forbidden", errorOf(t, w).Code)

	upload := fmt.Sprintf("/api/v1/rounds/%d/departments/sales/upload", round.ID)
	w = h.call("POST", upload, eng, []byte("workbook of eng round 1"), nil)
	require.Equal(t, 403, w.Code)
	assert.Contains(t, errorOf(t, w).Message, "eng")
	assert.Empty(t, h.submissions(round.ID, "sales"))

	for _, path := range []string{"/api/v1/audit", "/api/v1/cycles", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID)} {
		assert.Equal(t, 403, h.call("GET", path, eng, nil, nil).Code, path)
	}
	assert.Equal(t, 403, h.call("POST", "/api/v1/tokens", h.viewer, map[string]string{"name": "x", "role": "finance-admin"}, nil).Code)
	assert.Equal(t, 403, h.call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales/workbook", round.ID), eng, nil, nil).Code)
}

// TestBodyLimit checks the upload limit by the declared length, by the
// bytes read when no length is declared, and when the declared length is
// smaller than the body; a workbook of exactly the limit passes, in either
// form.
func TestBodyLimit(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	upload := fmt.Sprintf("/api/v1/rounds/%d/departments/sales/upload", round.ID)
	const limit = 64 << 10
	big := bytes.Repeat([]byte("x"), limit+1)

	for _, tc := range []struct {
		name string
		req  func() *httptest.ResponseRecorder
	}{
		{"declared", func() *httptest.ResponseRecorder { return h.call("POST", upload, h.admin, big, nil) }},
		{"undeclared", func() *httptest.ResponseRecorder {
			r := request("POST", upload, h.admin, nil)
			r.Header.Set("Content-Type", octetType)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(big)), -1
			return h.serve(r)
		}},
		{"understated", func() *httptest.ResponseRecorder {
			r := request("POST", upload, h.admin, big)
			r.ContentLength = 10
			return h.serve(r)
		}},
		{"base64 of a workbook over the limit", func() *httptest.ResponseRecorder {
			return h.call("POST", upload, h.admin, uploadEnvelope{Data: base64.StdEncoding.EncodeToString(big)}, nil)
		}},
		{"cycle file", func() *httptest.ResponseRecorder {
			return h.call("POST", "/api/v1/cycles", h.admin, strings.Repeat("#", limit+1), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.req()
			require.Equal(t, 413, w.Code, w.Body.String())
			assert.Equal(t, "too_large", errorOf(t, w).Code)
		})
	}
	assert.Empty(t, h.submissions(round.ID, "sales"))

	fits := append([]byte("workbook of sales round 1 "), bytes.Repeat([]byte("x"), limit-26)...)
	require.Len(t, fits, limit)
	assert.Equal(t, 201, h.call("POST", upload, h.admin, fits, nil).Code)
	assert.Equal(t, 201, h.call("POST", upload, h.admin, uploadEnvelope{Data: base64.StdEncoding.EncodeToString(fits)}, nil).Code)
}

// TestSignedLinks: a reminder's link acts for its department on that
// department's workbook, validate and upload routes of its round, and
// nowhere else.
func TestSignedLinks(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	link := h.svc.Link(round.ID, "sales", time.Now().Add(time.Hour))
	dept := fmt.Sprintf("/api/v1/rounds/%d/departments/", round.ID)

	require.Equal(t, 200, h.call("GET", dept+"sales/workbook?"+link, "", nil, nil).Code)
	w := h.call("POST", dept+"sales/upload?"+link, "", []byte("workbook of sales round 1"), nil)
	require.Equal(t, 201, w.Code, w.Body.String())
	subs := h.submissions(round.ID, "sales")
	require.Len(t, subs, 1)
	assert.Equal(t, "link:"+plan.SheetID(round.ID, "sales"), subs[0].By)

	for _, path := range []string{
		dept + "eng/workbook?" + link, // another department
		fmt.Sprintf("/api/v1/rounds/%d/departments/sales/workbook?%s", round.ID+1, link),       // another round
		dept + "sales/workbook?" + h.svc.Link(round.ID, "sales", time.Now().Add(-time.Minute)), // expired
		dept + "sales/workbook?" + strings.Replace(link, "sig=", "sig=0", 1),                   // tampered
		fmt.Sprintf("/api/v1/rounds/%d?%s", round.ID, link),                                    // not a department route
	} {
		w := h.call("GET", path, "", nil, nil)
		assert.Equal(t, 401, w.Code, path)
	}
	assert.Len(t, h.submissions(round.ID, "sales"), 1)
}
