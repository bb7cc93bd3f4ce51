package httpapi

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

// signedRequest is a webhook request signed now with a fresh nonce, as a
// sheet's script sends it.
func signedRequest(h *harness, method, path, sheet string, body []byte) *http.Request {
	return signedWith(h.svc.SheetSecret(sheet), method, path, sheet, body, time.Now(), newNonce())
}

// signedWith signs a request with a secret, a time and a nonce.
func signedWith(secret, method, path, sheet string, body []byte, at time.Time, nonce string) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", jsonType)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	r.Header.Set(headerSheet, sheet)
	r.Header.Set(headerTimestamp, ts)
	r.Header.Set(headerNonce, nonce)
	r.Header.Set(headerSignature, plan.Sign(secret, method, path, ts, nonce, body))
	return r
}

func newNonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sheetBody is the JSON a sheet's script sends.
func sheetBody(t *testing.T, workbook []byte) []byte {
	t.Helper()
	data, err := json.Marshal(sheetWorkbook{Filename: "plan.xlsx", Workbook: base64.StdEncoding.EncodeToString(workbook)})
	require.NoError(t, err)
	return data
}

func TestWebhookValidateAndSubmit(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	sales, eng := plan.SheetID(round.ID, "sales"), plan.SheetID(round.ID, "eng")
	book := h.call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales/workbook", round.ID), h.admin, nil, nil).Body.Bytes()

	var v validation
	w := h.serve(signedRequest(h, "POST", "/api/v1/webhook/validate", sales, sheetBody(t, append(book, " bad"...))))
	require.Equal(t, 200, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &v)
	require.Len(t, v.Findings, 1)
	assert.Equal(t, "E7", v.Findings[0].Cell)

	var accepted webhookAccepted
	w = h.serve(signedRequest(h, "POST", "/api/v1/webhook/submit", sales, sheetBody(t, book)))
	require.Equal(t, 202, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &accepted)
	require.NotZero(t, accepted.Job)
	require.NotZero(t, accepted.Submission)

	// The sheet polls its job with a signed GET; another sheet does not
	// see it.
	path := fmt.Sprintf("/api/v1/jobs/%d", accepted.Job)
	var job plan.JobInfo
	w = h.serve(signedRequest(h, "GET", path, sales, nil))
	require.Equal(t, 200, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &job)
	assert.Equal(t, plan.JobProcessSubmission, job.Kind)
	assert.Equal(t, accepted.Submission, job.Job.Submission)
	assert.Equal(t, 404, h.serve(signedRequest(h, "GET", path, eng, nil)).Code)

	h.queue.run(t, h.svc)
	var sub plan.Submission
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/submissions/%d", accepted.Submission), h.viewer, nil, &sub).Code)
	assert.Equal(t, plan.Accepted, sub.State)
	assert.Equal(t, "webhook", sub.Source)
	assert.Equal(t, "sheet:"+sales, sub.By)
	assert.Equal(t, "plan.xlsx", sub.Filename)

	// Refresh queues a rewrite of the sheet's own workbook.
	w = h.serve(signedRequest(h, "POST", "/api/v1/webhook/refresh", sales, nil))
	require.Equal(t, 202, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &accepted)
	w = h.serve(signedRequest(h, "GET", fmt.Sprintf("/api/v1/jobs/%d", accepted.Job), sales, nil))
	require.Equal(t, 200, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &job)
	assert.Equal(t, plan.JobWriteBack, job.Kind)
	assert.Equal(t, "sales", job.Job.Department)

	// Round status: the round and the sheet's own department only.
	var st plan.RoundStatus
	w = h.serve(signedRequest(h, "GET", "/api/v1/webhook/status", sales, nil))
	require.Equal(t, 200, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &st)
	assert.Equal(t, round.ID, st.Round.ID)
	require.Len(t, st.Departments, 1)
	assert.Equal(t, "sales", st.Departments[0].Department)
	assert.Equal(t, plan.Submitted, st.Departments[0].Status)

	recs := h.logs.records("route", "/api/v1/webhook/submit")
	require.Len(t, recs, 1)
	assert.Equal(t, "sheet:"+sales, recs[0]["actor"])
}

// TestWebhookRefusals checks that a request whose signature, timestamp or
// nonce fails is refused with 401 and stores nothing.
func TestWebhookRefusals(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	body := sheetBody(t, []byte("workbook of sales round 1"))
	const path = "/api/v1/webhook/submit"
	secret := h.svc.SheetSecret(sales)

	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"bad signature", func() *http.Request {
			return signedWith("not the secret", "POST", path, sales, body, time.Now(), newNonce())
		}},
		{"another sheet's secret", func() *http.Request {
			r := signedWith(h.svc.SheetSecret(plan.SheetID(round.ID, "eng")), "POST", path, plan.SheetID(round.ID, "eng"), body, time.Now(), newNonce())
			r.Header.Set(headerSheet, sales)
			return r
		}},
		{"signed for another path", func() *http.Request {
			r := signedWith(secret, "POST", "/api/v1/webhook/validate", sales, body, time.Now(), newNonce())
			r.URL.Path = path
			return r
		}},
		{"body changed after signing", func() *http.Request {
			r := signedWith(secret, "POST", path, sales, body, time.Now(), newNonce())
			r.Body = io.NopCloser(bytes.NewReader(sheetBody(t, []byte("something else"))))
			r.ContentLength = -1
			return r
		}},
		{"expired timestamp", func() *http.Request {
			return signedWith(secret, "POST", path, sales, body, time.Now().Add(-10*time.Minute), newNonce())
		}},
		{"timestamp in the future", func() *http.Request {
			return signedWith(secret, "POST", path, sales, body, time.Now().Add(10*time.Minute), newNonce())
		}},
		{"short nonce", func() *http.Request { return signedWith(secret, "POST", path, sales, body, time.Now(), "n1") }},
		{"not a sheet id", func() *http.Request {
			return signedWith(h.svc.SheetSecret("x1.sales"), "POST", path, "x1.sales", body, time.Now(), newNonce())
		}},
		{"no signature headers", func() *http.Request { return request("POST", path, h.admin, body) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.serve(tc.req())
			require.Equal(t, 401, w.Code, w.Body.String())
			assert.Equal(t, "unauthorized", errorOf(t, w).Code)
		})
	}
	assert.Empty(t, h.submissions(round.ID, "sales"), "no refused request stored anything")

	// A replayed request: the first is taken, its copy refused.
	valid := signedWith(secret, "POST", path, sales, body, time.Now(), "nonce-replayed-1")
	require.Equal(t, 202, h.serve(valid).Code)
	replay := signedWith(secret, "POST", path, sales, body, time.Now(), "nonce-replayed-1")
	w := h.serve(replay)
	require.Equal(t, 401, w.Code)
	assert.Contains(t, errorOf(t, w).Message, "replayed")
	assert.Len(t, h.submissions(round.ID, "sales"), 1)

	var audit []plan.AuditEntry
	require.Equal(t, 200, h.call("GET", "/api/v1/audit?action=submission.receive", h.admin, nil, &audit).Code)
	assert.Len(t, audit, 1)
}

func TestWebhookBodies(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		field  string
	}{
		{"not JSON", []byte("<xml/>"), 400, "body"},
		{"no workbook", []byte(`{"filename":"x.xlsx"}`), 400, "workbook"},
		{"not base64", []byte(`{"workbook":"***"}`), 400, "workbook"},
		{"workbook too large", sheetBody(t, bytes.Repeat([]byte("x"), 64<<10+1)), 413, "body"},
		{"body too large", bytes.Repeat([]byte(" "), int(base64Limit(64<<10))+1), 413, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.serve(signedRequest(h, "POST", "/api/v1/webhook/validate", sales, tc.body))
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Contains(t, errorOf(t, w).Fields, tc.field)
		})
	}
}

// submissions lists a department's submissions through the service.
func (h *harness) submissions(round int64, dept string) []plan.Submission {
	h.t.Helper()
	var subs []plan.Submission
	w := h.call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round, dept), h.admin, nil, &subs)
	require.Equal(h.t, 200, w.Code)
	return subs
}

// FuzzWebhookBody sends any body, correctly signed, to the webhook: the
// answer is a 2xx or a 4xx in the error shape, never a 500, and a body the
// webhook takes holds a workbook within the limit.
func FuzzWebhookBody(f *testing.F) {
	h := newHarness(f)
	round := h.roundOpen()
	sheet := plan.SheetID(round.ID, "sales")
	secret := h.svc.SheetSecret(sheet)
	actions := []string{"validate", "submit", "refresh"}
	f.Add(uint8(0), []byte(`{"filename":"a.xlsx","workbook":"d29ya2Jvb2sgb2Ygc2FsZXMgcm91bmQgMQ=="}`))
	f.Add(uint8(1), []byte(`{"workbook":"***"}`))
	f.Add(uint8(0), []byte(`{"filename":"","workbook":""}`))
	f.Add(uint8(2), []byte(``))
	f.Add(uint8(1), []byte(`[1,2,3]`))
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		path := "/api/v1/webhook/" + actions[int(action)%len(actions)]
		r := signedWith(secret, "POST", path, sheet, body, time.Now(), fmt.Sprintf("fuzz-nonce-%d", n.Add(1)))
		w := h.serve(r)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var e struct {
				Error errorDetail `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
				t.Fatalf("%s: %d is not in the error shape: %s", path, w.Code, w.Body)
			}
		}
	})
}
