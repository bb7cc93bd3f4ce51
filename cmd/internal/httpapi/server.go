// Package httpapi serves the aop service's HTTP API over the use cases of
// package plan: the admin and department API under /api/v1 (bearer
// tokens), the webhook the sheets' menu buttons call (signed per
// spreadsheet, or with the Google identity of the Workspace add-on's
// user), health, readiness, metrics and the OpenAPI document that
// describes it all. It is the only package of aop that knows about echo.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"aop/cmd/internal/plan"
)

// DefaultMaxUpload bounds a workbook or cycle file when Options.MaxUpload
// is zero.
const DefaultMaxUpload = 20 << 20

// Options configure the API.
type Options struct {
	// Service runs the use cases.
	Service *plan.Service
	// Log receives one record per request (slog.Default when nil).
	Log *slog.Logger
	// MaxUpload bounds a workbook or a cycle file, in bytes
	// (DefaultMaxUpload when zero).
	MaxUpload int64
	// RatePerSecond and RateBurst limit requests per token, per sheet for
	// webhooks and per client IP otherwise; no limit when RatePerSecond
	// is zero.
	RatePerSecond float64
	RateBurst     int
	// Metrics is the registry /metrics serves; the API adds its request
	// metrics to it (a new registry when nil).
	Metrics *prometheus.Registry
	// Ready reports whether the service can take requests (always ready
	// when nil).
	Ready func(ctx context.Context) error
	// Google lets the Workspace add-on call the webhook with its users'
	// identity tokens; without an audience only signed requests are.
	Google GoogleIdentity
	// PublicURL is the address people reach the service at; the Excel
	// add-in's manifest lists URLs under it.
	PublicURL string
	// CORSOrigins are origins (scheme://host[:port]) whose pages may call
	// the API routes the Excel add-in uses, for an add-in hosted
	// elsewhere; none when aop serves the add-in on its own origin. New
	// panics on an origin that is not one (config.Validate refuses them).
	CORSOrigins []string
}

// server holds what the handlers share.
type server struct {
	svc       *plan.Service
	log       *slog.Logger
	maxUpload int64
	ready     func(ctx context.Context) error
	limits    *limiter
	metrics   *requestMetrics
	registry  *prometheus.Registry
	identity  *identityVerifier
	publicURL string
}

// New returns the API as an echo instance, which is an http.Handler.
func New(o Options) *echo.Echo {
	s := newServer(o)
	e := echo.NewWithConfig(echo.Config{
		Logger:           s.log,
		HTTPErrorHandler: func(c *echo.Context, err error) { s.writeError(c, err) },
		Router:           echo.NewRouter(echo.RouterConfig{}),
	})
	e.Use(s.requestID, s.observe, middleware.Recover())
	cors, err := corsMiddleware(o.CORSOrigins)
	if err != nil {
		panic("httpapi: cors_origins: " + err.Error())
	}
	for _, r := range s.routes() {
		if cors != nil && addinAPIPaths[r.path] {
			e.Add(r.method, r.path, r.handler, cors, s.guard(r.access))
			continue
		}
		e.Add(r.method, r.path, r.handler, s.guard(r.access))
	}
	if cors != nil {
		// Preflights: the CORS middleware answers them before any route.
		for p := range addinAPIPaths {
			e.Add(http.MethodOptions, p, func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }, cors)
		}
	}
	return e
}

func newServer(o Options) *server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	if o.Ready == nil {
		o.Ready = func(context.Context) error { return nil }
	}
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	return &server{
		svc:       o.Service,
		log:       o.Log,
		maxUpload: o.MaxUpload,
		ready:     o.Ready,
		limits:    newLimiter(o.RatePerSecond, o.RateBurst),
		metrics:   newRequestMetrics(o.Metrics),
		registry:  o.Metrics,
		identity:  newIdentityVerifier(o.Google),
		publicURL: o.PublicURL,
	}
}

// healthz answers while the process serves HTTP.
func (s *server) healthz(c *echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// readyz answers 200 when the service can take requests (its database
// answers and has the expected schema), 503 otherwise.
func (s *server) readyz(c *echo.Context) error {
	if err := s.ready(c.Request().Context()); err != nil {
		return &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
			message: "the service is not ready; its log says why (request id " + requestIDOf(c) + ")", cause: err}
	}
	return c.String(http.StatusOK, "ready")
}
