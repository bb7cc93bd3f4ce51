package httpapi

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
)

// consolidationStarted is the answer to starting a consolidation: the run
// and the job that computes it.
type consolidationStarted struct {
	Consolidation plan.Consolidation `json:"consolidation"`
	Job           int64              `json:"job"`
}

// consolidate starts a consolidation run of a round: 202, then poll the
// job or the run.
func (s *server) consolidate(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	k, job, err := s.svc.Consolidate(c.Request().Context(), actorOf(c), round)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, consolidationStarted{Consolidation: k, Job: job})
}

func (s *server) listConsolidations(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	ks, err := s.svc.Consolidations(c.Request().Context(), actorOf(c), round)
	return list(c, ks, err)
}

func (s *server) consolidation(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := s.svc.Consolidation(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

// audit lists audit entries, newest first: ?round=, ?department=,
// ?action= select; ?before= (an entry id) and ?limit= page.
func (s *server) audit(c *echo.Context) error {
	q := plan.AuditQuery{Department: c.QueryParam("department"), Action: c.QueryParam("action")}
	for _, p := range []struct {
		name string
		into *int64
	}{{"round", &q.Round}, {"before", &q.Before}} {
		if v := c.QueryParam(p.name); v != "" {
			n, err := parseID(p.name, v)
			if err != nil {
				return err
			}
			*p.into = n
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return badRequest("limit", "limit must be a whole number from 1 to 1000, got %q", v)
		}
		q.Limit = n
	}
	entries, err := s.svc.Audit(c.Request().Context(), actorOf(c), q)
	return list(c, entries, err)
}

// job answers a job's state, to a token or to the sheet whose job it is.
func (s *server) job(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	info, err := s.svc.Job(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, info)
}

// tokenRequest is what creating a token takes.
type tokenRequest struct {
	Name       string    `json:"name"`
	Role       plan.Role `json:"role"`
	Department string    `json:"department"`
}

// tokenCreated carries the token's secret, shown this once, with the
// token's fields.
type tokenCreated struct {
	Secret string `json:"token"`
	plan.Token
}

func (s *server) createToken(c *echo.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	secret, t, err := s.svc.CreateToken(c.Request().Context(), actorOf(c), req.Name, req.Role, req.Department)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tokenCreated{Secret: secret, Token: t})
}

// consolidationSummary serves the finance summary workbook of a finished
// run.
func (s *server) consolidationSummary(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	data, name, err := s.svc.ConsolidationSummary(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return c.Blob(http.StatusOK, xlsxType, data)
}
