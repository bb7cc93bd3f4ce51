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
