package httpapi

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

func TestTheSummaryTabAsCells(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	base := fmt.Sprintf("/api/v1/rounds/%d/departments/", round.ID)
	sales := h.token(plan.DepartmentRole, "sales")

	w := h.call("GET", base+"sales/summary", sales, nil, nil)
	assert.Equal(t, http.StatusNotFound, w.Code, "no accepted plan yet")
	assert.Contains(t, errorOf(t, w).Message, "no accepted plan")

	book := h.call("GET", base+"sales/workbook", sales, nil, nil).Body.Bytes()
	require.Equal(t, 201, h.call("POST", base+"sales/upload", sales, book, nil).Code)
	w = h.call("GET", base+"sales/summary", sales, nil, nil)
	assert.Equal(t, http.StatusNotFound, w.Code, "not consolidated yet")
	assert.Contains(t, errorOf(t, w).Message, "not been consolidated")

	require.Equal(t, 202, h.call("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), h.admin, nil, nil).Code)
	h.queue.run(t, h.svc)

	var tab plan.SummaryTab
	w = h.call("GET", base+"sales/summary", sales, nil, &tab)
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, "Summary", tab.Sheet)
	assert.Equal(t, "sales", tab.Department)
	assert.Equal(t, round.ID, tab.Round)
	assert.Equal(t, "A1:B2", tab.Range)
	assert.Contains(t, tab.AsOf, "on ")
	assert.Equal(t, "sales: your plan against your target", tab.Values[0][0])
	assert.Equal(t, []string{"A1"}, tab.Bold)
	assert.Equal(t, [][]string{{"@", "General"}, {"@", "#,##0"}}, tab.NumberFormats, "text stays text in Excel")
	assert.Contains(t, w.Body.String(), `1234.5]`, "a number, not text")

	// The signed link of the department reads it too; others do not.
	link := h.svc.Link(round.ID, "sales", time.Now().Add(time.Hour))
	assert.Equal(t, 200, h.call("GET", base+"sales/summary?"+link, "", nil, nil).Code)
	assert.Equal(t, 200, h.call("GET", base+"sales/summary", h.viewer, nil, nil).Code)
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{base + "sales/summary", "", 401},
		{base + "sales/summary", "aop_forged", 401},
		{base + "sales/summary?" + h.svc.Link(round.ID, "sales", time.Now().Add(-time.Minute)), "", 401},
		{base + "eng/summary?" + link, "", 401},
		{base + "eng/summary", sales, 403},
	} {
		w := h.call("GET", tc.path, tc.token, nil, nil)
		assert.Equal(t, tc.want, w.Code, "%s %s", tc.path, w.Body)
	}
}

func TestADepartmentsStatus(t *testing.T) {
	h := newHarness(t)
	round := h.roundOpen()
	base := fmt.Sprintf("/api/v1/rounds/%d/departments/", round.ID)
	var d plan.DepartmentState
	link := h.svc.Link(round.ID, "eng", time.Now().Add(time.Hour))
	require.Equal(t, 200, h.call("GET", base+"eng?"+link, "", nil, &d).Code)
	assert.Equal(t, "eng", d.Department)
	assert.Equal(t, plan.NotStarted, d.Status)
	assert.Equal(t, 403, h.call("GET", base+"eng", h.token(plan.DepartmentRole, "sales"), nil, nil).Code)
	assert.Equal(t, 401, h.call("GET", base+"eng", "", nil, nil).Code)
}

func TestTheExcelAddinIsServed(t *testing.T) {
	const public = "https://plans.example.org/aop"
	h := newHarnessWith(t, nil, func(o *Options) { o.PublicURL = public + "/" })

	w := h.call("GET", "/addin/excel/manifest.xml", "", nil, nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, "application/xml; charset=utf-8", w.Header().Get("Content-Type"))
	manifest := w.Body.String()
	require.NoError(t, xml.Unmarshal([]byte(manifest), new(struct{})), "well-formed")
	assert.NotContains(t, manifest, "aop.example.com")
	urls := regexp.MustCompile(`https?://[^"<\s]+`).FindAllString(manifest, -1)
	var listed int
	for _, u := range urls {
		if strings.HasPrefix(u, "http://schemas.microsoft.com/") || strings.HasPrefix(u, "http://www.w3.org/") {
			continue
		}
		listed++
		assert.True(t, strings.HasPrefix(u, public+"/") || u == public, "%s is not under the public URL", u)
	}
	assert.Greater(t, listed, 8)
	assert.Contains(t, manifest, public+"/addin/excel/taskpane.html")
	assert.NotContains(t, manifest, "5a0c3f3e-6d1b-4c1e-9a57-0a0b0c0d0e0f", "the id is the public URL's")
	assert.Regexp(t, `<Id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}</Id>`, manifest)

	for file, ctype := range map[string]string{
		"taskpane.html": "text/html", "commands.html": "text/html", "aop-excel.js": "text/javascript",
		"taskpane.js": "text/javascript", "commands.js": "text/javascript", "taskpane.css": "text/css",
		"icons/icon-80.png": "image/png",
	} {
		w := h.call("GET", "/addin/excel/"+file, "", nil, nil)
		assert.Equal(t, 200, w.Code, file)
		assert.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), ctype), "%s: %s", file, w.Header().Get("Content-Type"))
	}
	for _, file := range []string{"office.go", "nothing.js", "icons/nothing.png", "..%2Foffice.go"} {
		assert.Equal(t, 404, h.call("GET", "/addin/excel/"+file, "", nil, nil).Code, file)
	}
	page := h.call("GET", "/addin/excel/taskpane.html", "", nil, nil).Body.String()
	assert.Contains(t, page, `src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"`, "Office's script from Microsoft's CDN")
}

func TestCORSOnlyForTheAddinsOrigins(t *testing.T) {
	const origin = "https://addins.example.com"
	h := newHarnessWith(t, nil, func(o *Options) { o.CORSOrigins = []string{origin} })
	round := h.roundOpen()
	path := fmt.Sprintf("/api/v1/rounds/%d/departments/sales/upload", round.ID)

	preflight := func(path, from string) *http.Response {
		r := request("OPTIONS", path, "", nil)
		r.Header.Set("Origin", from)
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		return h.serve(r).Result()
	}
	res := preflight(path, origin)
	assert.Equal(t, 204, res.StatusCode)
	assert.Equal(t, origin, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")

	res = preflight(path, "https://evil.example.net")
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "another origin")
	res = preflight("/api/v1/rounds", origin)
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "not a route of the add-in")

	// The answer itself carries the header, and credentials are still needed.
	r := request("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/sales", round.ID), "", nil)
	r.Header.Set("Origin", origin)
	w := h.serve(r)
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, origin, w.Header().Get("Access-Control-Allow-Origin"))

	// Without cors_origins, nothing answers other origins.
	plain := newHarness(t)
	r = request("OPTIONS", path, "", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", "POST")
	assert.Empty(t, plain.serve(r).Header().Get("Access-Control-Allow-Origin"))
}
