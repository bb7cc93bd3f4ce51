package httpapi

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"
)

// importActuals reads a ledger export (CSV or xlsx) into a cycle's
// actuals: ?mapping= names the cycle's mapping (its first by default),
// ?name= the file, ?strict=true keeps nothing unless every row maps and
// the control totals reconcile. The answer is the import's report and the
// periods kept.
func (s *server) importActuals(c *echo.Context) error {
	data, err := readBody(c, "ledger export", s.maxUpload)
	if err != nil {
		return err
	}
	strict, _ := strconv.ParseBool(c.QueryParam("strict"))
	imp, err := s.svc.ImportActuals(c.Request().Context(), actorOf(c), c.Param("id"), c.QueryParam("mapping"),
		c.QueryParamOr("name", "ledger.csv"), data, strict)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(imp.Periods) == 0 {
		status = http.StatusUnprocessableEntity // strict, and something did not map or reconcile
	}
	return c.JSON(status, imp)
}

func (s *server) listCloses(c *echo.Context) error {
	runs, err := s.svc.CloseRuns(c.Request().Context(), actorOf(c), c.Param("id"))
	return list(c, runs, err)
}

// closeNow queues the close of a cycle's current actuals.
func (s *server) closeNow(c *echo.Context) error {
	job, err := s.svc.CloseNow(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]int64{"job": job})
}

func (s *server) listExplanations(c *echo.Context) error {
	es, err := s.svc.Explanations(c.Request().Context(), actorOf(c), c.Param("id"))
	return list(c, es, err)
}

// actualsTab answers a department's Actuals vs Plan tab as cells (the
// Excel add-in's Refresh).
func (s *server) actualsTab(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	tab, err := s.svc.ActualsTab(c.Request().Context(), actorOf(c), round, c.Param("dept"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tab)
}

func (s *server) closeSummary(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	data, name, err := s.svc.CloseSummary(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return c.Blob(http.StatusOK, xlsxType, data)
}
