package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"aop/cmd/internal/plan"
)

// Keys of what middleware and handlers keep on an echo context.
const (
	requestIDKey = "aop.request_id"
	actorKey     = "aop.actor"
	errorKey     = "aop.error"
)

// requestIDHeader carries the request id both ways.
const requestIDHeader = "X-Request-Id"

// requestID takes the caller's X-Request-Id when it is a sensible one
// (printable, at most 128 characters) and makes one up otherwise; the
// answer carries it back.
func (s *server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		id := c.Request().Header.Get(requestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(requestIDHeader, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestIDOf is the request's id ("" outside the middleware).
func requestIDOf(c *echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// actorOf is who authenticated the request (the zero Actor on public
// routes).
func actorOf(c *echo.Context) plan.Actor {
	a, _ := c.Get(actorKey).(plan.Actor)
	return a
}

// observe answers errors in the API's shape, then writes one log record
// per request and counts it in the request metrics. Errors of status 500
// and above are logged at level Error with their cause; the answer shows
// only the request id.
func (s *server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			s.writeError(c, err)
		}
		latency := time.Since(start)
		_, status := echo.ResolveResponseStatus(c.Response(), nil)
		route := routeLabel(c)
		method := methodLabel(c.Request().Method)
		s.metrics.observe(route, method, status, latency)

		level := slog.LevelInfo
		if status >= http.StatusInternalServerError {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
		}
		if a := actorOf(c); a.Kind != "" {
			attrs = append(attrs, slog.String("actor", a.Kind+":"+a.Name))
		}
		if err, ok := c.Get(errorKey).(error); ok {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// routeLabel is the route's pattern as openapi.json writes it
// (/api/v1/rounds/{id}), or "unmatched" for requests no route took, so
// that the metrics' labels stay few.
func routeLabel(c *echo.Context) string {
	ri := c.RouteInfo()
	if ri.Path == "" || ri.Name == echo.NotFoundRouteName || ri.Name == echo.MethodNotAllowedRouteName {
		return "unmatched"
	}
	return openAPIPath(ri.Path)
}

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath writes an echo route path the OpenAPI way: /rounds/:id
// becomes /rounds/{id}.
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// methodLabel keeps the standard methods and folds the rest together.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// requestMetrics are the API's Prometheus metrics.
type requestMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newRequestMetrics(reg *prometheus.Registry) *requestMetrics {
	m := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aop_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aop_http_request_duration_seconds",
			Help:    "How long HTTP requests took to answer, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
	}
	m.requests = register(reg, m.requests)
	m.latency = register(reg, m.latency)
	return m
}

// register adds a collector to reg, or returns the one registered before
// under the same name (a second API on one registry shares its metrics).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

func (m *requestMetrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}
