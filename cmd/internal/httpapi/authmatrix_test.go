package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/idtest"
	"aop/cmd/internal/plan"
)

// TestAuthMatrix sends requests that would change something with every
// kind of bad credential (API tokens, sheet signatures, the add-on's
// Google identity tokens): each is refused with 401 or 403 in the error
// shape, and the store is exactly as it was.
func TestAuthMatrix(t *testing.T) {
	iss := idtest.NewIssuer(t)
	h := googleHarness(t, iss, "test.example")
	round := h.roundOpen()
	sales, eng := h.token(plan.DepartmentRole, "sales"), h.token(plan.DepartmentRole, "eng")
	sheet := plan.SheetID(round.ID, "sales")
	secret := h.svc.SheetSecret(sheet)
	body := sheetBody(t, []byte("workbook of sales round 1"))
	const hook = "/api/v1/webhook/submit"
	dept := fmt.Sprintf("/api/v1/rounds/%d/departments/", round.ID)
	replayed := signedWith(secret, "POST", hook, sheet, body, time.Now(), "nonce-matrix-1")
	require.Equal(t, 202, h.serve(replayed).Code, "the original of the replay is taken")

	before := snapshot(t, h, round.ID)
	for _, tc := range []struct {
		name   string
		status int
		req    func() *http.Request
	}{
		{"missing token", 401, func() *http.Request { return request("POST", dept+"sales/upload", "", []byte("wb")) }},
		{"wrong token", 401, func() *http.Request {
			return request("POST", dept+"sales/upload", "aop_"+sales[len(sales)-43:len(sales)-1]+"x", []byte("wb"))
		}},
		{"viewer opens a round", 403, func() *http.Request {
			return request("POST", "/api/v1/rounds", h.viewer, plan.OpenRound{Cycle: "test-fy2027", Name: "X", Due: time.Now().Add(time.Hour)})
		}},
		{"viewer approves", 403, func() *http.Request {
			return request("POST", dept+"sales/approve", h.viewer, map[string]string{})
		}},
		{"department approves itself", 403, func() *http.Request {
			return request("POST", dept+"sales/approve", sales, map[string]string{})
		}},
		{"department token on another department", 403, func() *http.Request {
			return request("POST", dept+"sales/upload", eng, []byte("wb"))
		}},
		{"department token creates a token", 403, func() *http.Request {
			return request("POST", "/api/v1/tokens", sales, map[string]string{"name": "x", "role": "finance-admin"})
		}},
		{"bad signature", 401, func() *http.Request {
			return signedWith("not the secret", "POST", hook, sheet, body, time.Now(), newNonce())
		}},
		{"replayed signature", 401, func() *http.Request {
			return signedWith(secret, "POST", hook, sheet, body, time.Now(), "nonce-matrix-1")
		}},
		{"expired timestamp", 401, func() *http.Request {
			return signedWith(secret, "POST", hook, sheet, body, time.Now().Add(-6*time.Minute), newNonce())
		}},
		{"bearer token on the webhook", 401, func() *http.Request { return request("POST", hook, h.admin, body) }},
		{"identity token for another audience", 401, func() *http.Request {
			return identityRequest("POST", hook, iss.Token(idtest.ValidClaims("other-client", salesHead)), sheet, body)
		}},
		{"expired identity token", 401, func() *http.Request {
			c := idtest.ValidClaims(addonAudience, salesHead)
			c["exp"] = time.Now().Add(-time.Minute).Unix()
			return identityRequest("POST", hook, iss.Token(c), sheet, body)
		}},
		{"forged identity token", 401, func() *http.Request {
			return identityRequest("POST", hook, iss.Forged(idtest.ValidClaims(addonAudience, salesHead)), sheet, body)
		}},
		{"identity token of another department's head", 403, func() *http.Request {
			return identityRequest("POST", hook, iss.Token(idtest.ValidClaims(addonAudience, engHead)), sheet, body)
		}},
		{"identity token from another domain", 403, func() *http.Request {
			c := idtest.ValidClaims(addonAudience, salesHead)
			c["hd"] = "other.example"
			return identityRequest("POST", hook, iss.Token(c), sheet, body)
		}},
		{"identity token on an API route", 401, func() *http.Request {
			return identityRequest("POST", dept+"sales/upload", iss.Token(idtest.ValidClaims(addonAudience, salesHead)), "", []byte("wb"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.serve(tc.req())
			require.Equal(t, tc.status, w.Code, w.Body.String())
			want := map[int]string{401: "unauthorized", 403: "forbidden"}[tc.status]
			assert.Equal(t, want, errorOf(t, w).Code)
		})
	}
	assert.Equal(t, before, snapshot(t, h, round.ID), "a refused request changed the store")

	// The snapshot does see changes: the same upload with the right token.
	require.Equal(t, 201, h.serve(request("POST", dept+"sales/upload", sales, []byte("workbook of sales round 1"))).Code)
	assert.NotEqual(t, before, snapshot(t, h, round.ID))
}

// snapshot is what a refused request must not change: the rounds, every
// department's state and submissions, the audit log and the jobs queued.
func snapshot(t *testing.T, h *harness, round int64) string {
	t.Helper()
	var rounds []plan.Round
	var status plan.RoundStatus
	var audit []plan.AuditEntry
	require.Equal(t, 200, h.call("GET", "/api/v1/rounds", h.admin, nil, &rounds).Code)
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/rounds/%d", round), h.admin, nil, &status).Code)
	require.Equal(t, 200, h.call("GET", "/api/v1/audit?limit=1000", h.admin, nil, &audit).Code)
	subs := map[string][]plan.Submission{}
	for _, d := range status.Round.Departments {
		subs[d] = h.submissions(round, d)
	}
	h.queue.mu.Lock()
	jobs := len(h.queue.jobs)
	h.queue.mu.Unlock()
	return fmt.Sprintf("%+v\n%+v\n%+v\n%+v\njobs %d", rounds, status, audit, subs, jobs)
}
