package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
)

// loadCycle stores a cycle file sent as the body (?name= is its file
// name, which says how to read it).
func (s *server) loadCycle(c *echo.Context) error {
	data, err := readBody(c, "cycle file", s.maxUpload)
	if err != nil {
		return err
	}
	cyc, err := s.svc.LoadCycle(c.Request().Context(), actorOf(c), c.QueryParamOr("name", "cycle.yaml"), data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cyc)
}

func (s *server) listCycles(c *echo.Context) error {
	cs, err := s.svc.Cycles(c.Request().Context(), actorOf(c))
	return list(c, cs, err)
}

func (s *server) listRounds(c *echo.Context) error {
	rs, err := s.svc.Rounds(c.Request().Context(), actorOf(c))
	return list(c, rs, err)
}

func (s *server) openRound(c *echo.Context) error {
	var o plan.OpenRound
	if err := decodeJSON(c, &o); err != nil {
		return err
	}
	r, err := s.svc.OpenRound(c.Request().Context(), actorOf(c), o)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *server) roundStatus(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st, err := s.svc.RoundStatus(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *server) closeRound(c *echo.Context) error  { return s.setRound(c, s.svc.CloseRound) }
func (s *server) reopenRound(c *echo.Context) error { return s.setRound(c, s.svc.ReopenRound) }

func (s *server) setRound(c *echo.Context, change func(context.Context, plan.Actor, int64) (plan.Round, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := change(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// reviewAction is one of finance's words on a department's plan.
type reviewAction int

const (
	reviewApprove reviewAction = iota
	reviewSendBack
	reviewReopen
)

// reviewBody is what a review sends.
type reviewBody struct {
	Comment string `json:"comment"`
}

// review approves, sends back or reopens a department's plan.
func (s *server) review(action reviewAction) echo.HandlerFunc {
	return func(c *echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var body reviewBody
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		rv := plan.Review{Round: id, Department: c.Param("dept"), Comment: body.Comment}
		ctx, a := c.Request().Context(), actorOf(c)
		var d plan.DepartmentState
		switch action {
		case reviewApprove:
			d, err = s.svc.Approve(ctx, a, rv)
		case reviewSendBack:
			d, err = s.svc.SendBack(ctx, a, rv)
		case reviewReopen:
			d, err = s.svc.Reopen(ctx, a, rv)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	}
}

// list answers a list, as [] rather than null when it is empty.
func list[T any](c *echo.Context, xs []T, err error) error {
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []T{}
	}
	return c.JSON(http.StatusOK, xs)
}
