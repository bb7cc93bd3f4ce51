package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"aop/addin/office"
)

// excelAddinPrefix is where the Excel add-in's files are served.
const excelAddinPrefix = "/addin/excel/"

// excelManifest answers the Excel add-in's manifest with the service's
// public URL in every URL it lists.
func (s *server) excelManifest(c *echo.Context) error {
	data, err := office.Manifest(s.publicURL)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", data)
}

// excelAddinFile answers one of the Excel add-in's files: the task pane,
// the commands page, their scripts, stylesheet and icons.
func (s *server) excelAddinFile(c *echo.Context) error {
	name := strings.TrimPrefix(c.Request().URL.Path, excelAddinPrefix)
	if name == "" || name != path.Clean(name) || strings.HasPrefix(name, ".") || name == "manifest.xml" {
		return &apiError{status: http.StatusNotFound, code: "not_found", message: "the Excel add-in has no file " + name}
	}
	data, err := fs.ReadFile(office.Files(), name)
	if err != nil {
		return &apiError{status: http.StatusNotFound, code: "not_found", message: "the Excel add-in has no file " + name}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentTypeOf(name), data)
}

func contentTypeOf(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// addinAPIPaths are the API routes the Excel add-in calls: the only ones
// that answer other origins, when cors_origins names them.
var addinAPIPaths = map[string]bool{
	"/api/v1/rounds/:id/departments/:dept":          true,
	"/api/v1/rounds/:id/departments/:dept/workbook": true,
	"/api/v1/rounds/:id/departments/:dept/validate": true,
	"/api/v1/rounds/:id/departments/:dept/upload":   true,
	"/api/v1/rounds/:id/departments/:dept/summary":  true,
}

// corsMiddleware lets pages of origins call the add-in's API routes, with
// a token or a signed link; nil when origins is empty.
func corsMiddleware(origins []string) (echo.MiddlewareFunc, error) {
	if len(origins) == 0 {
		return nil, nil
	}
	return middleware.CORSConfig{
		AllowOrigins:  origins,
		AllowMethods:  []string{http.MethodGet, http.MethodPost},
		AllowHeaders:  []string{"Authorization", "Content-Type", idempotencyHeader, requestIDHeader},
		ExposeHeaders: []string{requestIDHeader, "Retry-After"},
		MaxAge:        600,
	}.ToMiddleware()
}

// summary answers a department's Summary tab as cells (the Excel
// add-in's Refresh button writes them).
func (s *server) summary(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	tab, err := s.svc.Summary(c.Request().Context(), actorOf(c), round, c.Param("dept"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tab)
}

// departmentStatus answers where one department stands in a round.
func (s *server) departmentStatus(c *echo.Context) error {
	round, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := s.svc.DepartmentStatus(c.Request().Context(), actorOf(c), round, c.Param("dept"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
