package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/idtest"
	"aop/cmd/internal/plan"
)

// addonAudience is the test add-on's OAuth client id.
const addonAudience = "1234567890-addon.apps.googleusercontent.com"

// The heads of sales and engineering in testCycle.
const (
	salesHead = "dana@test.example"
	engHead   = "erin@test.example"
)

// googleHarness is a harness that takes the identity tokens of iss for
// the test add-on, from users of hostedDomain ("" for any).
func googleHarness(t *testing.T, iss *idtest.Issuer, hostedDomain string) *harness {
	t.Helper()
	return newHarness(t, func(o *Options) {
		o.Google = GoogleIdentity{Audience: addonAudience, HostedDomain: hostedDomain, Client: iss.Client()}
	})
}

// identityRequest is a webhook request as the add-on sends it: the
// identity token of the user who clicked and the sheet they clicked in.
func identityRequest(method, path, token, sheet string, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", jsonType)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	if sheet != "" {
		r.Header.Set(headerSheet, sheet)
	}
	return r
}

// TestWebhookWithGoogleIdentity walks the add-on's calls for the head of
// sales: validate, submit, poll the job, refresh. Each acts for sales as
// the person, whom the submission, the audit log and the request log
// name; the token itself is logged nowhere.
func TestWebhookWithGoogleIdentity(t *testing.T) {
	iss := idtest.NewIssuer(t)
	h := googleHarness(t, iss, "test.example")
	round := h.roundOpen()
	sales, eng := plan.SheetID(round.ID, "sales"), plan.SheetID(round.ID, "eng")
	token := iss.Token(idtest.ValidClaims(addonAudience, salesHead))
	book := h.call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales/workbook", round.ID), h.admin, nil, nil).Body.Bytes()

	var v validation
	w := h.serve(identityRequest("POST", "/api/v1/webhook/validate", token, sales, sheetBody(t, append(book, " bad"...))))
	require.Equal(t, 200, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &v)
	require.Len(t, v.Findings, 1)

	var accepted webhookAccepted
	r := identityRequest("POST", "/api/v1/webhook/submit", token, sales, sheetBody(t, book))
	r.Header.Set(idempotencyHeader, "click-1")
	w = h.serve(r)
	require.Equal(t, 202, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &accepted)
	require.NotZero(t, accepted.Submission)

	// A retried click with the same Idempotency-Key stores nothing new.
	var again webhookAccepted
	r = identityRequest("POST", "/api/v1/webhook/submit", token, sales, sheetBody(t, book))
	r.Header.Set(idempotencyHeader, "click-1")
	w = h.serve(r)
	require.Equal(t, 202, w.Code, w.Body.String())
	decode(t, w.Body.Bytes(), &again)
	assert.Equal(t, accepted.Submission, again.Submission)

	// The add-on polls the job with the same identity; from another
	// department's sheet the job is not found, and not theirs to ask.
	path := fmt.Sprintf("/api/v1/jobs/%d", accepted.Job)
	w = h.serve(identityRequest("GET", path, token, sales, nil))
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, 403, h.serve(identityRequest("GET", path, token, eng, nil)).Code)
	engToken := iss.Token(idtest.ValidClaims(addonAudience, engHead))
	assert.Equal(t, 404, h.serve(identityRequest("GET", path, engToken, eng, nil)).Code)

	h.queue.run(t, h.svc)
	var sub plan.Submission
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/submissions/%d", accepted.Submission), h.viewer, nil, &sub).Code)
	assert.Equal(t, plan.Accepted, sub.State)
	assert.Equal(t, "webhook", sub.Source)
	assert.Equal(t, "google:"+salesHead, sub.By)

	w = h.serve(identityRequest("POST", "/api/v1/webhook/refresh", token, sales, nil))
	require.Equal(t, 202, w.Code, w.Body.String())

	var audit []plan.AuditEntry
	require.Equal(t, 200, h.call("GET", fmt.Sprintf("/api/v1/audit?round=%d&action=submission.receive", round.ID), h.admin, nil, &audit).Code)
	require.Len(t, audit, 1)
	assert.Equal(t, "google:"+salesHead, audit[0].Actor)
	assert.Equal(t, plan.DepartmentRole, audit[0].Role)
	assert.Equal(t, "sales", audit[0].Department)

	recs := h.logs.records("route", "/api/v1/webhook/submit")
	require.Len(t, recs, 2)
	assert.Equal(t, "google:"+salesHead, recs[0]["actor"])
	logs := h.logs.String()
	for _, part := range strings.Split(token, ".") {
		assert.NotContains(t, logs, part, "a part of the identity token is in the log")
	}
}

// TestGoogleIdentityVariants checks the forms of a good token that are
// accepted: either spelling of Google's issuer, the owner's address in
// another case, a string email_verified, and no hd claim when no hosted
// domain is configured.
func TestGoogleIdentityVariants(t *testing.T) {
	iss := idtest.NewIssuer(t)
	h := googleHarness(t, iss, "")
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	for name, edit := range map[string]func(idtest.Claims){
		"bare issuer":             func(c idtest.Claims) { c["iss"] = "accounts.google.com" },
		"address in another case": func(c idtest.Claims) { c["email"] = "Dana@Test.Example" },
		"email_verified string":   func(c idtest.Claims) { c["email_verified"] = "true" },
		"no hosted domain":        func(c idtest.Claims) { delete(c, "hd") },
	} {
		t.Run(name, func(t *testing.T) {
			claims := idtest.ValidClaims(addonAudience, salesHead)
			edit(claims)
			w := h.serve(identityRequest("POST", "/api/v1/webhook/refresh", iss.Token(claims), sales, nil))
			require.Equal(t, 202, w.Code, w.Body.String())
		})
	}
}

// TestGoogleIdentityRefusals sends the add-on's request with every kind of
// bad identity, token or sheet: each is refused with its status and a
// message that says why, and the store is exactly as it was.
func TestGoogleIdentityRefusals(t *testing.T) {
	iss := idtest.NewIssuer(t)
	h := googleHarness(t, iss, "test.example")
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	body := sheetBody(t, []byte("workbook of sales round 1"))
	const hook = "/api/v1/webhook/submit"
	valid := func(edit func(idtest.Claims)) string {
		c := idtest.ValidClaims(addonAudience, salesHead)
		if edit != nil {
			edit(c)
		}
		return iss.Token(c)
	}
	good := valid(nil)

	before := snapshot(t, h, round.ID)
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		message string
		field   string
	}{
		{"wrong audience", identityRequest("POST", hook, iss.Token(idtest.ValidClaims("other-client", salesHead)), sales, body),
			401, "audience is not the add-on's client id", "audience"},
		{"expired", identityRequest("POST", hook, valid(func(c idtest.Claims) {
			c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		}), sales, body), 401, "has expired", "expired"},
		{"bad signature", identityRequest("POST", hook, iss.Forged(idtest.ValidClaims(addonAudience, salesHead)), sales, body),
			401, "signature does not verify", "signature"},
		{"payload changed after signing", identityRequest("POST", hook, swapPayload(good, valid(func(c idtest.Claims) { c["email"] = engHead })), sales, body),
			401, "signature does not verify", "signature"},
		{"unknown key id", identityRequest("POST", hook, iss.TokenWithKeyID("retired-key", idtest.ValidClaims(addonAudience, salesHead)), sales, body),
			401, "signature does not verify", "signature"},
		{"wrong issuer", identityRequest("POST", hook, valid(func(c idtest.Claims) { c["iss"] = "https://cloud.google.com/iap" }), sales, body),
			401, "not issued by Google Accounts", "issuer"},
		{"email not verified", identityRequest("POST", hook, valid(func(c idtest.Claims) { c["email_verified"] = false }), sales, body),
			401, "Google has not verified the e-mail address dana@test.example", "email_verified"},
		{"no email", identityRequest("POST", hook, valid(func(c idtest.Claims) { delete(c, "email") }), sales, body),
			401, "carries no e-mail address", "email"},
		{"not a JWT", identityRequest("POST", hook, "not.a.jwt", sales, body), 401, "neither an aop API token nor a readable identity token", "malformed"},
		{"wrong hosted domain", identityRequest("POST", hook, valid(func(c idtest.Claims) { c["hd"] = "other.example" }), sales, body),
			403, "dana@test.example is not a user of the Workspace domain test.example", ""},
		{"no hosted domain", identityRequest("POST", hook, valid(func(c idtest.Claims) { delete(c, "hd") }), sales, body),
			403, "is not a user of the Workspace domain test.example", ""},
		{"another department's owner", identityRequest("POST", hook, iss.Token(idtest.ValidClaims(addonAudience, engHead)), sales, body),
			403, "erin@test.example is not the owner of department sales (Sales)", ""},
		{"someone of the domain", identityRequest("POST", hook, iss.Token(idtest.ValidClaims(addonAudience, "finance@test.example")), sales, body),
			403, "finance@test.example is not the owner of department sales", ""},
		{"unknown round", identityRequest("POST", hook, good, plan.SheetID(round.ID+1, "sales"), body),
			404, fmt.Sprintf("round %d does not exist", round.ID+1), ""},
		{"department not in the round", identityRequest("POST", hook, good, plan.SheetID(round.ID, "all"), body),
			404, "department all is not in round", ""},
		{"not a sheet id", identityRequest("POST", hook, good, "sales", body), 400, `X-AOP-Sheet "sales" is not an aop sheet id`, ""},
		{"no sheet", identityRequest("POST", hook, good, "", body), 400, "send X-AOP-Sheet", ""},
		{"identity token on an API route", identityRequest("GET", "/api/v1/rounds", good, "", nil),
			401, "taken by the webhook routes only", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.serve(tc.req)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			e := errorOf(t, w)
			assert.Contains(t, e.Message, tc.message)
			if tc.field != "" {
				assert.Equal(t, tc.field, e.Fields["Authorization"])
			}
		})
	}
	assert.Equal(t, before, snapshot(t, h, round.ID), "a refused request changed the store")
}

// swapPayload is token with the payload of other: its signature is no
// longer over what it says.
func swapPayload(token, other string) string {
	t, o := strings.Split(token, "."), strings.Split(other, ".")
	return t[0] + "." + o[1] + "." + t[2]
}

// TestGoogleIdentityNotConfigured checks that without the add-on's client
// id identity tokens are refused with 401 and a reason, while signed
// requests work as before.
func TestGoogleIdentityNotConfigured(t *testing.T) {
	iss := idtest.NewIssuer(t)
	h := newHarness(t)
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	w := h.serve(identityRequest("POST", "/api/v1/webhook/refresh", iss.Token(idtest.ValidClaims(addonAudience, salesHead)), sales, nil))
	require.Equal(t, 401, w.Code, w.Body.String())
	assert.Contains(t, errorOf(t, w).Message, "the Workspace add-on is not configured (google.addon_client_id)")
	assert.Zero(t, iss.Fetches(), "nothing is fetched for an add-on that is not configured")
	assert.Equal(t, 202, h.serve(signedRequest(h, "POST", "/api/v1/webhook/refresh", sales, nil)).Code)
}

// TestGoogleKeysUnavailable checks that when Google's keys cannot be
// fetched the answer is 503, not a refusal of the caller's token, and that
// it does not count as a failed authentication.
func TestGoogleKeysUnavailable(t *testing.T) {
	iss := idtest.NewIssuer(t)
	iss.Fail(http.StatusBadGateway)
	h := googleHarness(t, iss, "")
	round := h.roundOpen()
	sales := plan.SheetID(round.ID, "sales")
	token := iss.Token(idtest.ValidClaims(addonAudience, salesHead))
	w := h.serve(identityRequest("POST", "/api/v1/webhook/refresh", token, sales, nil))
	require.Equal(t, 503, w.Code, w.Body.String())
	assert.Contains(t, errorOf(t, w).Message, "Google's signing keys could not be fetched")
	recs := h.logs.records("status", "503")
	require.Len(t, recs, 1)
	assert.Contains(t, recs[0]["error"], "502 Bad Gateway")

	iss.Fail(0)
	w = h.serve(identityRequest("POST", "/api/v1/webhook/refresh", token, sales, nil))
	require.Equal(t, 202, w.Code, w.Body.String())
}
