package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
)

// The headers of a signed webhook request. The signature is
// "v1=" + hex HMAC-SHA256(sheet secret, method + "\n" + path + "\n" +
// timestamp + "\n" + nonce + "\n" + hex SHA-256 of the body); see
// plan.Sign.
const (
	headerSheet     = "X-AOP-Sheet"
	headerTimestamp = "X-AOP-Timestamp"
	headerNonce     = "X-AOP-Nonce"
	headerSignature = "X-AOP-Signature"
)

// Keys of what a verified webhook request (signed, or from the add-on)
// keeps on its context.
const (
	signedBodyKey  = "aop.signed_body"
	signedRoundKey = "aop.signed_round"
)

// isSigned reports whether a request means to authenticate as a sheet.
func isSigned(r *http.Request) bool {
	return r.Header.Get(headerSignature) != "" || r.Header.Get(headerSheet) != ""
}

// verifySheet authenticates a signed request: it reads the body once
// (bounded as a base64 workbook of MaxUpload bytes), has the service check
// the signature, the timestamp and the nonce (which it records, so a
// replay is refused), and keeps the body and the sheet's round for the
// handler.
func (s *server) verifySheet(c *echo.Context) (plan.Actor, error) {
	r := c.Request()
	missing := map[string]string{}
	for _, h := range []string{headerSheet, headerTimestamp, headerNonce, headerSignature} {
		if r.Header.Get(h) == "" {
			missing[h] = "required"
		}
	}
	if len(missing) > 0 {
		return plan.Actor{}, &plan.Error{Kind: plan.KindUnauthorized, Fields: missing,
			Message: "a sheet's request is signed, with X-AOP-Sheet, X-AOP-Timestamp, X-AOP-Nonce and X-AOP-Signature, " +
				"or comes from the Workspace add-on with Authorization: Bearer <Google identity token> and X-AOP-Sheet"}
	}
	body, err := readBody(c, "request body", base64Limit(s.maxUpload))
	if err != nil {
		return plan.Actor{}, err
	}
	actor, round, err := s.svc.VerifySheet(r.Context(), plan.Signed{
		Sheet:     r.Header.Get(headerSheet),
		Method:    r.Method,
		Path:      r.URL.EscapedPath(),
		Timestamp: r.Header.Get(headerTimestamp),
		Nonce:     r.Header.Get(headerNonce),
		Signature: r.Header.Get(headerSignature),
		Body:      body,
	})
	if err != nil {
		return plan.Actor{}, err
	}
	c.Set(signedBodyKey, body)
	c.Set(signedRoundKey, round)
	return actor, nil
}

// sheetWorkbook is the body of the validate and submit webhooks.
type sheetWorkbook struct {
	Filename string `json:"filename"`
	// Workbook is the .xlsx file, base64-encoded.
	Workbook string `json:"workbook"`
}

// fromSheet reports whether a verified request carries no workbook: in a
// round that runs in Google Sheets, aop reads the spreadsheet itself. An
// empty body, or JSON without "workbook", asks for that.
func fromSheet(c *echo.Context) bool {
	body, _ := c.Get(signedBodyKey).([]byte)
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	var w sheetWorkbook
	return json.Unmarshal(body, &w) == nil && w.Workbook == ""
}

// signedWorkbook decodes the verified body's workbook.
func (s *server) signedWorkbook(c *echo.Context) (string, []byte, error) {
	body, _ := c.Get(signedBodyKey).([]byte)
	var w sheetWorkbook
	if err := json.Unmarshal(body, &w); err != nil {
		return "", nil, badRequest("body", "the body is not JSON {\"filename\", \"workbook\": base64}: %v", err)
	}
	if w.Workbook == "" {
		return "", nil, badRequest("workbook", "workbook is required: the .xlsx file, base64-encoded")
	}
	data, err := decodeBase64("workbook", w.Workbook)
	if err != nil {
		return "", nil, err
	}
	if int64(len(data)) > s.maxUpload {
		return "", nil, tooLarge("workbook", s.maxUpload)
	}
	if w.Filename == "" {
		w.Filename = actorOf(c).Department + ".xlsx"
	}
	return w.Filename, data, nil
}

// signedRound is the round of the verified sheet.
func signedRound(c *echo.Context) int64 {
	r, _ := c.Get(signedRoundKey).(int64)
	return r
}

// webhookValidate checks the sheet's workbook and answers the findings at
// once; nothing is stored. Without a workbook, the department's Google
// spreadsheet is read.
func (s *server) webhookValidate(c *echo.Context) error {
	if fromSheet(c) {
		a := actorOf(c)
		h, err := s.svc.ValidateSheet(c.Request().Context(), a, signedRound(c), a.Department)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, validationOf(h))
	}
	name, data, err := s.signedWorkbook(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	h, err := s.svc.Validate(c.Request().Context(), a, signedRound(c), a.Department, name, data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, validationOf(h))
}

// webhookAccepted is the answer to a webhook that queued work.
type webhookAccepted struct {
	Job        int64 `json:"job"`
	Submission int64 `json:"submission,omitempty"`
}

// webhookSubmit stores the sheet's workbook as a submission and queues its
// processing: 202 with the job to poll (GET /api/v1/jobs/{id}). Without a
// workbook, in a round that runs in Google Sheets, it queues the harvest
// of the department's spreadsheet; the submission appears when the job
// has read it.
func (s *server) webhookSubmit(c *echo.Context) error {
	ctx, a := c.Request().Context(), actorOf(c)
	// A signed request's nonce is new by construction; the add-on's
	// requests may carry an Idempotency-Key instead.
	key := c.Request().Header.Get(headerNonce)
	if a.Kind != "sheet" {
		key = c.Request().Header.Get(idempotencyHeader)
		if len(key) > maxIdempotencyKey {
			return badRequest(idempotencyHeader, "%s must be at most %d characters", idempotencyHeader, maxIdempotencyKey)
		}
	}
	if fromSheet(c) {
		job, err := s.svc.SubmitSheet(ctx, a, signedRound(c), a.Department, key)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, webhookAccepted{Job: job})
	}
	name, data, err := s.signedWorkbook(c)
	if err != nil {
		return err
	}
	sub, err := s.svc.Receive(ctx, a, plan.Upload{Round: signedRound(c), Department: a.Department, Filename: name,
		Data: data, Source: "webhook", Key: key})
	if err != nil {
		return err
	}
	job, err := s.svc.EnqueueProcessing(ctx, sub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, webhookAccepted{Job: job, Submission: sub.ID})
}

// webhookRefresh queues the rewriting of the sheet's workbook from the
// stored plan (values, lock, Summary tab): 202 with the job to poll.
func (s *server) webhookRefresh(c *echo.Context) error {
	a := actorOf(c)
	job, err := s.svc.Refresh(c.Request().Context(), a, signedRound(c), a.Department)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, webhookAccepted{Job: job})
}

// webhookStatus answers the sheet's round and its department's status
// (the Round status menu item): the round status as a department token
// sees it, with the one department.
func (s *server) webhookStatus(c *echo.Context) error {
	st, err := s.svc.RoundStatus(c.Request().Context(), actorOf(c), signedRound(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
