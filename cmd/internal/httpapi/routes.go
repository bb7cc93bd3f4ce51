package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one entry of the API: what openapi.json documents, route by
// route.
type route struct {
	method, path string
	access       access
	handler      echo.HandlerFunc
}

// routes lists every route the API serves, with how it authenticates.
func (s *server) routes() []route {
	const v1 = "/api/v1"
	metrics := echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	return []route{
		{http.MethodGet, "/healthz", public, s.healthz},
		{http.MethodGet, "/readyz", public, s.readyz},
		{http.MethodGet, "/metrics", public, metrics},
		{http.MethodGet, v1 + "/openapi.json", public, serveOpenAPI},
		{http.MethodGet, excelAddinPrefix + "manifest.xml", public, s.excelManifest},
		{http.MethodGet, excelAddinPrefix + ":file", public, s.excelAddinFile},
		{http.MethodGet, excelAddinPrefix + "icons/:file", public, s.excelAddinFile},

		{http.MethodPost, v1 + "/cycles", bearer, s.loadCycle},
		{http.MethodGet, v1 + "/cycles", bearer, s.listCycles},
		{http.MethodPost, v1 + "/cycles/:id/actuals", bearer, s.importActuals},
		{http.MethodGet, v1 + "/cycles/:id/closes", bearer, s.listCloses},
		{http.MethodPost, v1 + "/cycles/:id/closes", bearer, s.closeNow},
		{http.MethodGet, v1 + "/cycles/:id/explanations", bearer, s.listExplanations},
		{http.MethodGet, v1 + "/closes/:id/summary", bearer, s.closeSummary},

		{http.MethodGet, v1 + "/rounds", bearer, s.listRounds},
		{http.MethodPost, v1 + "/rounds", bearer, s.openRound},
		{http.MethodGet, v1 + "/rounds/:id", bearer, s.roundStatus},
		{http.MethodPost, v1 + "/rounds/:id/close", bearer, s.closeRound},
		{http.MethodPost, v1 + "/rounds/:id/reopen", bearer, s.reopenRound},

		{http.MethodPost, v1 + "/rounds/:id/departments/:dept/approve", bearer, s.review(reviewApprove)},
		{http.MethodPost, v1 + "/rounds/:id/departments/:dept/send-back", bearer, s.review(reviewSendBack)},
		{http.MethodPost, v1 + "/rounds/:id/departments/:dept/reopen", bearer, s.review(reviewReopen)},
		{http.MethodGet, v1 + "/rounds/:id/departments/:dept/submissions", bearer, s.listSubmissions},
		{http.MethodPost, v1 + "/rounds/:id/departments/:dept/upload", bearerOrLink, s.upload},
		{http.MethodPost, v1 + "/rounds/:id/departments/:dept/validate", bearerOrLink, s.validate},
		{http.MethodGet, v1 + "/rounds/:id/departments/:dept/workbook", bearerOrLink, s.download},
		{http.MethodGet, v1 + "/rounds/:id/departments/:dept/summary", bearerOrLink, s.summary},
		{http.MethodGet, v1 + "/rounds/:id/departments/:dept/actuals", bearerOrLink, s.actualsTab},
		{http.MethodGet, v1 + "/rounds/:id/departments/:dept", bearerOrLink, s.departmentStatus},

		{http.MethodGet, v1 + "/submissions/:id", bearer, s.submission},
		{http.MethodGet, v1 + "/submissions/:id/diff", bearer, s.diff},
		{http.MethodPost, v1 + "/submissions/:id/revert", bearer, s.revert},

		{http.MethodPost, v1 + "/rounds/:id/consolidations", bearer, s.consolidate},
		{http.MethodGet, v1 + "/rounds/:id/consolidations", bearer, s.listConsolidations},
		{http.MethodGet, v1 + "/consolidations/:id", bearer, s.consolidation},
		{http.MethodGet, v1 + "/consolidations/:id/summary", bearer, s.consolidationSummary},

		{http.MethodGet, v1 + "/audit", bearer, s.audit},
		{http.MethodGet, v1 + "/jobs/:id", bearerOrSigned, s.job},
		{http.MethodPost, v1 + "/tokens", bearer, s.createToken},

		{http.MethodPost, v1 + "/webhook/validate", signed, s.webhookValidate},
		{http.MethodPost, v1 + "/webhook/submit", signed, s.webhookSubmit},
		{http.MethodPost, v1 + "/webhook/refresh", signed, s.webhookRefresh},
		{http.MethodGet, v1 + "/webhook/status", signed, s.webhookStatus},
	}
}
