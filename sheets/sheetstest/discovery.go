package sheetstest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The discovery documents of the Sheets v4 and Drive v3 APIs, copied from
// the google.golang.org/api module the project requires (see
// discovery/README.md). Request bodies, query parameters and fields masks
// are checked against them.
//
//go:embed discovery/sheets-api.json discovery/drive-api.json
var discoveryFS embed.FS

// schema is a JSON schema of a discovery document.
type schema struct {
	ID                   string             `json:"id"`
	Type                 string             `json:"type"`
	Ref                  string             `json:"$ref"`
	Format               string             `json:"format"`
	Enum                 []string           `json:"enum"`
	Properties           map[string]*schema `json:"properties"`
	Items                *schema            `json:"items"`
	AdditionalProperties *schema            `json:"additionalProperties"`
	Repeated             bool               `json:"repeated"`
	Location             string             `json:"location"`
}

type discoveryMethod struct {
	ID         string             `json:"id"`
	HTTPMethod string             `json:"httpMethod"`
	Parameters map[string]*schema `json:"parameters"`
	Request    *schema            `json:"request"`
	Response   *schema            `json:"response"`
}

type discoveryResource struct {
	Methods   map[string]*discoveryMethod   `json:"methods"`
	Resources map[string]*discoveryResource `json:"resources"`
}

type discoveryDoc struct {
	Name       string                        `json:"name"`
	Revision   string                        `json:"revision"`
	Package    string                        // proto package for type names
	Parameters map[string]*schema            `json:"parameters"`
	Schemas    map[string]*schema            `json:"schemas"`
	Resources  map[string]*discoveryResource `json:"resources"`
	methods    map[string]*discoveryMethod
}

// discovery holds both APIs' documents.
type discovery struct {
	docs    map[string]*discoveryDoc // by API name: "sheets", "drive"
	methods map[string]*discoveryMethod
}

// loadDiscovery parses the embedded documents once per process; the
// result is read-only.
var loadDiscovery = sync.OnceValues(parseDiscovery)

func parseDiscovery() (*discovery, error) {
	d := &discovery{docs: map[string]*discoveryDoc{}, methods: map[string]*discoveryMethod{}}
	for _, f := range []struct{ path, pkg string }{
		{"discovery/sheets-api.json", "google.apps.sheets.v4"},
		{"discovery/drive-api.json", "google.apps.drive.v3"},
	} {
		b, err := discoveryFS.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		var doc discoveryDoc
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("sheetstest: %s: %w", f.path, err)
		}
		doc.Package = f.pkg
		doc.methods = map[string]*discoveryMethod{}
		var walk func(map[string]*discoveryResource)
		walk = func(rs map[string]*discoveryResource) {
			for _, r := range rs {
				for _, m := range r.Methods {
					doc.methods[m.ID] = m
					d.methods[m.ID] = m
				}
				walk(r.Resources)
			}
		}
		walk(doc.Resources)
		d.docs[doc.Name] = &doc
	}
	return d, nil
}

func (d *discovery) doc(method string) *discoveryDoc {
	api, _, _ := strings.Cut(method, ".")
	return d.docs[api]
}

func (doc *discoveryDoc) resolve(sc *schema) *schema {
	for sc != nil && sc.Ref != "" {
		sc = doc.Schemas[sc.Ref]
	}
	return sc
}

// snakeCase turns a JSON field name into the proto field name Google's
// error messages use: addSheet → add_sheet.
func snakeCase(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// camelCase turns a proto field name into its JSON name: add_sheet → addSheet.
func camelCase(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	var b strings.Builder
	up := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			up = true
			continue
		}
		if up && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}

// enumTypeNames are the proto enum types of fields whose JSON name does not
// give the type name.
var enumTypeNames = map[string]string{
	"majorDimension":           "Dimension",
	"dimension":                "Dimension",
	"sheetType":                "SheetType",
	"locationType":             "DeveloperMetadataLocationType",
	"visibility":               "DeveloperMetadataVisibility",
	"locationMatchingStrategy": "DeveloperMetadataLocationMatchingStrategy",
	"mergeType":                "MergeType",
	"type":                     "ConditionType",
}

// bodyValidator walks a JSON body against a schema, the way Google's JSON
// parser does: unknown names, wrong types and unknown enum values are
// refused with Google's messages; snake_case names are accepted and
// rewritten to camelCase.
type bodyValidator struct {
	doc     *discoveryDoc
	renamed bool
}

// validateBody parses and checks a request body against the method's
// request schema. It returns the body to decode (rewritten when it used
// proto field names).
func (d *discovery) validateBody(method string, body []byte) ([]byte, *apiError) {
	m := d.methods[method]
	doc := d.doc(method)
	if m == nil || doc == nil || m.Request == nil {
		return body, nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidf("Invalid JSON payload received. %s", jsonSyntaxMessage(err))
	}
	if dec.More() {
		return nil, invalidf("Invalid JSON payload received. Unexpected token.")
	}
	bv := &bodyValidator{doc: doc}
	if err := bv.walk(v, doc.resolve(m.Request), "", ""); err != nil {
		return nil, err
	}
	if bv.renamed {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, invalidf("Invalid JSON payload received.")
		}
		return b, nil
	}
	return body, nil
}

func jsonSyntaxMessage(err error) string {
	var se *json.SyntaxError
	if ok := asSyntax(err, &se); ok {
		return fmt.Sprintf("Unexpected token at offset %d.", se.Offset)
	}
	return "Unexpected end of string. Expected a value."
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func protoType(sc *schema) string {
	switch sc.Type {
	case "integer":
		switch sc.Format {
		case "int64":
			return "TYPE_INT64"
		case "uint32":
			return "TYPE_UINT32"
		case "uint64":
			return "TYPE_UINT64"
		}
		return "TYPE_INT32"
	case "number":
		if sc.Format == "float" {
			return "TYPE_FLOAT"
		}
		return "TYPE_DOUBLE"
	case "boolean":
		return "TYPE_BOOL"
	}
	return "TYPE_STRING"
}

func showJSON(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (bv *bodyValidator) invalidValue(path, typ string, v any) *apiError {
	return badRequestField(path, fmt.Sprintf("Invalid value at '%s' (%s), %s", path, typ, showJSON(v)))
}

// walk checks v against sc; path is the proto path of v, field its JSON
// name.
func (bv *bodyValidator) walk(v any, sc *schema, path, field string) *apiError {
	sc = bv.doc.resolve(sc)
	if sc == nil || v == nil {
		return nil
	}
	if sc.Repeated || sc.Type == "array" {
		if sc.Type == "array" {
			arr, ok := v.([]any)
			if !ok {
				return bv.invalidValue(path, "type.googleapis.com/google.protobuf.ListValue", v)
			}
			for i, e := range arr {
				if err := bv.walk(e, sc.Items, fmt.Sprintf("%s[%d]", path, i), field); err != nil {
					return err
				}
			}
			return nil
		}
	}
	switch sc.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			if sc.ID != "" {
				return bv.invalidValue(path, "type.googleapis.com/"+bv.doc.Package+"."+sc.ID, v)
			}
			return bv.invalidValue(path, "type.googleapis.com/google.protobuf.Struct", v)
		}
		if sc.Properties == nil && sc.AdditionalProperties == nil {
			return nil // free-form object
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			val := obj[k]
			if sc.AdditionalProperties != nil && sc.Properties == nil {
				if err := bv.walk(val, sc.AdditionalProperties, joinPath(path, k), k); err != nil {
					return err
				}
				continue
			}
			prop, name := sc.Properties[k], k
			if prop == nil {
				if c := camelCase(k); c != k && sc.Properties[c] != nil {
					prop, name = sc.Properties[c], c
					delete(obj, k)
					obj[c] = val
					bv.renamed = true
				}
			}
			if prop == nil {
				msg := fmt.Sprintf("Invalid JSON payload received. Unknown name %q", k)
				if path != "" {
					msg += fmt.Sprintf(" at '%s'", path)
				}
				msg += ": Cannot find field."
				return badRequestField(path, msg)
			}
			if err := bv.walk(val, prop, joinPath(path, snakeCase(name)), name); err != nil {
				return err
			}
		}
		return nil
	case "string":
		str, ok := v.(string)
		if !ok {
			if len(sc.Enum) > 0 {
				if n, isNum := v.(json.Number); isNum {
					i, err := strconv.Atoi(string(n))
					if err == nil && i >= 0 && i < len(sc.Enum) {
						return nil // enums may be sent as numbers
					}
				}
				return bv.invalidValue(path, bv.enumType(field, sc), v)
			}
			return bv.invalidValue(path, "TYPE_STRING", v)
		}
		if len(sc.Enum) > 0 {
			for _, e := range sc.Enum {
				if e == str {
					return nil
				}
			}
			return bv.invalidValue(path, bv.enumType(field, sc), v)
		}
		if sc.Format == "int64" || sc.Format == "uint64" {
			if _, err := strconv.ParseInt(str, 10, 64); err != nil {
				return bv.invalidValue(path, protoType(&schema{Type: "integer", Format: sc.Format}), v)
			}
		}
		return nil
	case "integer":
		var n json.Number
		switch x := v.(type) {
		case json.Number:
			n = x
		case string:
			n = json.Number(x)
		default:
			return bv.invalidValue(path, protoType(sc), v)
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(string(n), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
				return bv.invalidValue(path, protoType(sc), v)
			}
			i = int64(f)
		}
		if sc.Format == "int32" && (i < math.MinInt32 || i > math.MaxInt32) {
			return bv.invalidValue(path, protoType(sc), v)
		}
		if sc.Format == "uint32" && (i < 0 || i > math.MaxUint32) {
			return bv.invalidValue(path, protoType(sc), v)
		}
		return nil
	case "number":
		switch x := v.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil || math.IsInf(f, 0) {
				return bv.invalidValue(path, protoType(sc), v)
			}
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return bv.invalidValue(path, protoType(sc), v)
			}
		default:
			return bv.invalidValue(path, protoType(sc), v)
		}
		return nil
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bv.invalidValue(path, "TYPE_BOOL", v)
		}
		return nil
	}
	return nil // "any"
}

// enumType guesses the proto enum type of a field for error messages: from
// the enum's UNSPECIFIED value (CONDITION_TYPE_UNSPECIFIED → ConditionType)
// or from the field name.
func (bv *bodyValidator) enumType(field string, sc *schema) string {
	name := ""
	if sc != nil && len(sc.Enum) > 0 {
		if p, ok := strings.CutSuffix(sc.Enum[0], "_UNSPECIFIED"); ok {
			for _, w := range strings.Split(strings.ToLower(p), "_") {
				if w != "" {
					name += strings.ToUpper(w[:1]) + w[1:]
				}
			}
		}
	}
	if name == "" {
		name = enumTypeNames[field]
	}
	if name == "" && field != "" {
		name = strings.ToUpper(field[:1]) + field[1:]
	}
	return "type.googleapis.com/" + bv.doc.Package + "." + name
}

// systemParams are the query parameters every Google API accepts.
var systemParams = map[string]bool{
	"$.xgafv": true, "access_token": true, "alt": true, "callback": true, "fields": true, "key": true,
	"oauth_token": true, "prettyPrint": true, "quotaUser": true, "uploadType": true, "upload_protocol": true,
}

// validateQuery checks the query parameters of a Sheets request against the
// method's: unknown names and unknown enum values are refused.
func (s *Server) validateQuery(c *call) *apiError {
	m := s.disc.methods[c.method]
	if m == nil {
		return nil
	}
	doc := s.disc.doc(c.method)
	names := make([]string, 0, len(c.query))
	for k := range c.query {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if systemParams[k] {
			continue
		}
		name := k
		p := m.Parameters[k]
		if p == nil {
			if cc := camelCase(k); m.Parameters[cc] != nil {
				p, name = m.Parameters[cc], cc
				c.query[cc] = c.query[k]
			}
		}
		if p == nil || p.Location == "path" {
			if c.api == "drive" {
				continue // Drive ignores parameters it does not know
			}
			return badRequestField(k, fmt.Sprintf("Invalid JSON payload received. Unknown name %q: Cannot bind query parameter. Field '%s' could not be found in request message.", k, k))
		}
		for _, val := range c.query[k] {
			if len(p.Enum) > 0 {
				ok := false
				for _, e := range p.Enum {
					if e == val {
						ok = true
					}
				}
				if !ok {
					bv := &bodyValidator{doc: doc}
					return bv.invalidValue(snakeCase(name), bv.enumType(name, p), val)
				}
			}
			switch p.Type {
			case "boolean":
				if val != "true" && val != "false" {
					return badRequestField(snakeCase(name), fmt.Sprintf("Invalid value at '%s' (TYPE_BOOL), %q", snakeCase(name), val))
				}
			case "integer":
				if _, err := strconv.ParseInt(val, 10, 64); err != nil {
					return badRequestField(snakeCase(name), fmt.Sprintf("Invalid value at '%s' (%s), %q", snakeCase(name), protoType(p), val))
				}
			}
		}
	}
	return nil
}

// decodeBody validates the request body against the discovery document
// and decodes it into v.
func (c *call) decodeBody(v any) *apiError {
	body, err := c.s.disc.validateBody(c.method, c.body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if uerr := json.Unmarshal(body, v); uerr != nil {
		return invalidf("Invalid JSON payload received. %v", uerr)
	}
	return nil
}
