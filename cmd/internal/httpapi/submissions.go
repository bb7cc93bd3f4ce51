package httpapi

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
	"aop/engine"
)

// idempotencyHeader makes a retried upload store its workbook once.
const idempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// upload stores a department's workbook and harvests it at once: 201 with
// the submission when it was accepted, 422 with the submission and its
// findings (sheet, cell, message) when it was rejected.
func (s *server) upload(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	dept := c.Param("dept")
	key := c.Request().Header.Get(idempotencyHeader)
	if len(key) > maxIdempotencyKey {
		return badRequest(idempotencyHeader, "%s must be at most %d characters", idempotencyHeader, maxIdempotencyKey)
	}
	name, data, err := readWorkbook(c, s.maxUpload, dept+".xlsx")
	if err != nil {
		return err
	}
	sub, err := s.svc.Submit(c.Request().Context(), actorOf(c), plan.Upload{
		Round: round, Department: dept, Filename: name, Data: data, Source: "upload", Key: key})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if sub.State != plan.Accepted {
		status = http.StatusUnprocessableEntity
	}
	// The answer is the outcome and the findings; the values read, a
	// record per input cell, are one GET away.
	sub.Records = nil
	return c.JSON(status, submissionView(sub))
}

// validation is what checking a workbook found, without storing it.
type validation struct {
	// Refused says the workbook is not usable at all; Problem says how
	// (wrong_department, tampered, encrypted, …).
	Refused  bool             `json:"refused"`
	Problem  string           `json:"problem,omitempty"`
	Findings []engine.Finding `json:"findings"`
}

func validationOf(h plan.Harvest) validation {
	v := validation{Refused: h.Refused, Problem: h.Problem, Findings: h.Findings}
	if v.Findings == nil {
		v.Findings = []engine.Finding{}
	}
	return v
}

// validate checks a workbook as an upload would and answers the findings;
// nothing is stored.
func (s *server) validate(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	dept := c.Param("dept")
	name, data, err := readWorkbook(c, s.maxUpload, dept+".xlsx")
	if err != nil {
		return err
	}
	h, err := s.svc.Validate(c.Request().Context(), actorOf(c), round, dept, name, data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, validationOf(h))
}

// download answers a department's workbook as aop last wrote it.
func (s *server) download(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	data, name, err := s.svc.Download(c.Request().Context(), actorOf(c), round, c.Param("dept"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return c.Blob(http.StatusOK, xlsxType, data)
}

func (s *server) listSubmissions(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	subs, err := s.svc.Submissions(c.Request().Context(), actorOf(c), round, c.Param("dept"))
	for i := range subs {
		subs[i] = submissionView(subs[i])
	}
	return list(c, subs, err)
}

func (s *server) submission(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sub, err := s.svc.Submission(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, submissionView(sub))
}

// diff lists what changed, cell by cell, from submission ?from= to the
// one in the path.
func (s *server) diff(c *echo.Context) error {
	to, err := pathID(c)
	if err != nil {
		return err
	}
	from, err := parseID("from", c.QueryParam("from"))
	if err != nil {
		return err
	}
	changes, err := s.svc.Diff(c.Request().Context(), actorOf(c), from, to)
	return list(c, changes, err)
}

// revert makes an earlier accepted submission the department's current
// one.
func (s *server) revert(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := s.svc.Revert(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// submissionView makes a submission's lists [] rather than null.
func submissionView(sub plan.Submission) plan.Submission {
	if sub.Findings == nil {
		sub.Findings = []engine.Finding{}
	}
	return sub
}
