package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
)

// errorBody is the one shape of every error the API answers:
// {"error":{"code":"…","message":"…","fields":{…}}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	// Code is stable and machine-readable: a plan.Kind, or one of the
	// HTTP layer's own codes below.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fields name the parts of the request at fault (a path or query
	// parameter, a body field, a header).
	Fields map[string]string `json:"fields,omitempty"`
}

// statusOfKind maps the kinds of plan errors to HTTP statuses: the one
// table the API has of them.
var statusOfKind = map[plan.Kind]int{
	plan.KindInvalid:       http.StatusBadRequest,
	plan.KindUnauthorized:  http.StatusUnauthorized,
	plan.KindForbidden:     http.StatusForbidden,
	plan.KindNotFound:      http.StatusNotFound,
	plan.KindConflict:      http.StatusConflict,
	plan.KindTooLarge:      http.StatusRequestEntityTooLarge,
	plan.KindUnprocessable: http.StatusUnprocessableEntity,
}

// codeOfStatus names the errors echo itself raises (no route, wrong
// method, bad request) and the ones of this package, by status.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            string(plan.KindInvalid),
	http.StatusUnauthorized:          string(plan.KindUnauthorized),
	http.StatusForbidden:             string(plan.KindForbidden),
	http.StatusNotFound:              string(plan.KindNotFound),
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              string(plan.KindConflict),
	http.StatusRequestEntityTooLarge: string(plan.KindTooLarge),
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   string(plan.KindUnprocessable),
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusNotImplemented:        "not_implemented",
	http.StatusServiceUnavailable:    "unavailable",
}

// apiError is an error of the HTTP layer: a malformed request, a body too
// large, a rate limit. cause, when set, is logged and never shown.
type apiError struct {
	status  int
	code    string
	message string
	fields  map[string]string
	cause   error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return e.message + ": " + e.cause.Error()
	}
	return e.message
}

func (e *apiError) Unwrap() error { return e.cause }

// badRequest is a 400 naming the field at fault.
func badRequest(field, format string, args ...any) *apiError {
	msg := fmt.Sprintf(format, args...)
	return &apiError{status: http.StatusBadRequest, code: string(plan.KindInvalid), message: msg,
		fields: map[string]string{field: msg}}
}

// tooLarge is a 413 for a body beyond limit bytes.
func tooLarge(what string, limit int64) *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, code: string(plan.KindTooLarge),
		message: fmt.Sprintf("the %s is larger than the %s this service takes", what, byteSize(limit)),
		fields:  map[string]string{"body": fmt.Sprintf("at most %d bytes", limit)}}
}

// byteSize writes a size the way people read it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describe turns any error into its status and body. Errors that are
// neither plan's nor the HTTP layer's are internal: 500, with a message
// that names the request id and nothing else.
func describe(err error, requestID string) (int, errorDetail) {
	var pe *plan.Error
	if errors.As(err, &pe) {
		if status, ok := statusOfKind[pe.Kind]; ok {
			return status, errorDetail{Code: string(pe.Kind), Message: pe.Message, Fields: pe.Fields}
		}
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, errorDetail{Code: ae.code, Message: ae.message, Fields: ae.fields}
	}
	if status := echo.StatusCode(err); status != 0 && status < 500 {
		code, ok := codeOfStatus[status]
		if !ok {
			code = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
		}
		return status, errorDetail{Code: code, Message: echoMessage(err, status)}
	}
	return http.StatusInternalServerError, errorDetail{Code: "internal",
		Message: "internal error (request id " + requestID + ")"}
}

// echoMessage says in a sentence what went wrong for errors echo raises.
func echoMessage(err error, status int) string {
	switch status {
	case http.StatusNotFound:
		return "no such route; the API is described at /api/v1/openapi.json"
	case http.StatusMethodNotAllowed:
		return "this route does not take this method; the API is described at /api/v1/openapi.json"
	case http.StatusRequestEntityTooLarge:
		return "the request body is too large"
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Message != "" {
		return he.Message
	}
	return http.StatusText(status)
}

// writeError answers an error in the one error shape, unless the response
// has gone out already. It remembers the error for the request's log line.
func (s *server) writeError(c *echo.Context, err error) {
	c.Set(errorKey, err)
	if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
		return
	}
	status, detail := describe(err, requestIDOf(c))
	if status == http.StatusUnauthorized && c.Response().Header().Get("WWW-Authenticate") == "" {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="aop"`)
	}
	_ = c.JSON(status, errorBody{Error: detail})
}
