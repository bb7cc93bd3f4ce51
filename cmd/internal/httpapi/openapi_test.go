package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

// document is the part of openapi.json the tests read.
type document struct {
	OpenAPI  string                `json:"openapi"`
	Security []map[string][]string `json:"security"`
	Paths    map[string]map[string]json.RawMessage
}

type operation struct {
	Security  *[]map[string][]string `json:"security"`
	Responses map[string]json.RawMessage
}

func loadDocument(t *testing.T) document {
	t.Helper()
	var d document
	require.NoError(t, json.Unmarshal(openAPI, &d))
	require.Equal(t, "3.1.0", d.OpenAPI)
	return d
}

// TestOpenAPICoversTheRoutes checks both ways that every route echo serves
// is in the document and every operation of the document is served.
func TestOpenAPICoversTheRoutes(t *testing.T) {
	d := loadDocument(t)
	documented := map[string]bool{}
	for path, item := range d.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range New(Options{}).Router().Routes() {
		served[r.Method+" "+openAPIPath(r.Path)] = true
	}
	require.NotEmpty(t, served)
	for op := range served {
		assert.True(t, documented[op], "%s is served but not documented", op)
	}
	for op := range documented {
		assert.True(t, served[op], "%s is documented but not served", op)
	}
}

// TestOpenAPISecurity checks that each operation declares the
// authentication its route takes.
func TestOpenAPISecurity(t *testing.T) {
	d := loadDocument(t)
	want := map[access][]string{public: {}, bearer: {"bearerToken"}, signed: {"googleIdentity", "sheetSignature"},
		bearerOrSigned: {"bearerToken", "googleIdentity", "sheetSignature"}, bearerOrLink: {"bearerToken", "signedLink"}}
	for _, r := range newServer(Options{}).routes() {
		raw, ok := d.Paths[openAPIPath(r.path)][strings.ToLower(r.method)]
		if !assert.True(t, ok, "%s %s", r.method, r.path) {
			continue
		}
		var op operation
		require.NoError(t, json.Unmarshal(raw, &op))
		security := d.Security
		if op.Security != nil {
			security = *op.Security
		}
		var schemes []string
		for _, req := range security {
			for name := range req {
				schemes = append(schemes, name)
			}
		}
		slices.Sort(schemes)
		assert.Equal(t, want[r.access], append([]string{}, schemes...), "%s %s", r.method, r.path)
		if r.access != public {
			assert.Contains(t, op.Responses, "401", "%s %s", r.method, r.path)
		}
	}
}

// TestOpenAPIReferencesResolve checks every $ref of the document and that
// every path parameter is declared.
func TestOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPI, &doc))
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); ok && k == "$ref" {
					assert.NotNil(t, resolve(doc, ref), "unresolved %s", ref)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)

	paramName := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc["paths"].(map[string]any) {
		declared := map[string]bool{}
		collect := func(params any) {
			list, _ := params.([]any)
			for _, p := range list {
				m := p.(map[string]any)
				if ref, ok := m["$ref"].(string); ok {
					m, _ = resolve(doc, ref).(map[string]any)
				}
				if m["in"] == "path" {
					declared[m["name"].(string)] = true
				}
			}
		}
		collect(item.(map[string]any)["parameters"])
		for method, op := range item.(map[string]any) {
			if method != "parameters" {
				collect(op.(map[string]any)["parameters"])
			}
		}
		for _, m := range paramName.FindAllStringSubmatch(path, -1) {
			assert.True(t, declared[m[1]], "%s: {%s} is not declared", path, m[1])
		}
	}
}

func resolve(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	return cur
}

// TestOpenAPISignatureExample checks the worked signature of the
// sheetSignature scheme against plan.Sign, so clients written from the
// document sign as the service verifies.
func TestOpenAPISignatureExample(t *testing.T) {
	var doc struct {
		Components struct {
			SecuritySchemes struct {
				SheetSignature struct {
					Example struct {
						Secret, Method, Path, Timestamp, Nonce, Body, BodySha256, Signature string
					} `json:"x-example"`
				} `json:"sheetSignature"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPI, &doc))
	ex := doc.Components.SecuritySchemes.SheetSignature.Example
	require.NotEmpty(t, ex.Secret)
	sum := sha256.Sum256([]byte(ex.Body))
	assert.Equal(t, hex.EncodeToString(sum[:]), ex.BodySha256)
	assert.Equal(t, plan.Sign(ex.Secret, ex.Method, ex.Path, ex.Timestamp, ex.Nonce, []byte(ex.Body)), ex.Signature)
}
