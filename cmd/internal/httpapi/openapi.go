package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v5"
)

// openAPI is the hand-written OpenAPI 3.1 document of the API; a test
// keeps it and the routes in step.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(c *echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPI)
}
