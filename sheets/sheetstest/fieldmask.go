package sheetstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// maskNode is a parsed partial-response selector (the fields parameter):
// "sheets(properties,data.rowData.values(userEnteredValue)),spreadsheetId",
// "files(id,name)", "sheets/properties/title", "*". A node that selects its
// whole subtree has all set.
type maskNode struct {
	all      bool
	children map[string]*maskNode
}

var errMask = errors.New("bad fields mask")

// parseFieldsMask parses Google's partial-response syntax: comma-separated
// selections; a path of names joined by "/" or "."; a parenthesised
// sub-selection; "*" for every field.
func parseFieldsMask(s string) (*maskNode, error) {
	p := &maskParser{s: s}
	root := &maskNode{children: map[string]*maskNode{}}
	if err := p.list(root); err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, errMask
	}
	return root, nil
}

type maskParser struct {
	s     string
	i     int
	depth int
}

func (p *maskParser) list(into *maskNode) error {
	p.depth++
	if p.depth > 50 {
		return errMask
	}
	defer func() { p.depth-- }()
	for {
		if err := p.selection(into); err != nil {
			return err
		}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return nil
	}
}

func (p *maskParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *maskParser) name() (string, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c == '*' || c == '@' || c == '$' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' {
			p.i++
			continue
		}
		break
	}
	if p.i == start {
		return "", errMask
	}
	return camelCase(p.s[start:p.i]), nil
}

func (p *maskParser) selection(into *maskNode) error {
	node := into
	for {
		n, err := p.name()
		if err != nil {
			return err
		}
		if node.children == nil {
			node.children = map[string]*maskNode{}
		}
		child := node.children[n]
		if child == nil {
			child = &maskNode{}
			node.children[n] = child
		}
		node = child
		if p.i < len(p.s) && (p.s[p.i] == '/' || p.s[p.i] == '.') {
			p.i++
			continue
		}
		break
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		if node.children == nil {
			node.children = map[string]*maskNode{}
		}
		if err := p.list(node); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return errMask
		}
		p.i++
		return nil
	}
	node.all = true
	return nil
}

// selects reports whether the mask includes the field at path (or a part
// of it).
func (n *maskNode) selects(path ...string) bool {
	cur := n
	for _, p := range path {
		if cur == nil {
			return false
		}
		if cur.all {
			return true
		}
		next := cur.children[p]
		if next == nil {
			next = cur.children["*"]
		}
		cur = next
	}
	return cur != nil
}

// prune keeps the selected parts of a decoded JSON value.
func (n *maskNode) prune(v any) any {
	if n == nil || n.all {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			child := n.children[k]
			if child == nil {
				child = n.children["*"]
			}
			if child == nil {
				continue
			}
			out[k] = child.prune(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.prune(e)
		}
		return out
	}
	return v
}

// checkMask refuses selections of fields the response schema does not
// have.
func checkMask(doc *discoveryDoc, n *maskNode, sc *schema) string {
	sc = doc.resolve(sc)
	for sc != nil && sc.Type == "array" {
		sc = doc.resolve(sc.Items)
	}
	if sc == nil || n == nil {
		return ""
	}
	for name, child := range n.children {
		if name == "*" {
			continue
		}
		var next *schema
		switch {
		case sc.Properties != nil:
			next = sc.Properties[name]
		case sc.AdditionalProperties != nil:
			next = sc.AdditionalProperties
		case sc.Type == "object" || sc.Type == "any" || sc.Type == "":
			continue
		}
		if next == nil {
			return name
		}
		if bad := checkMask(doc, child, next); bad != "" {
			return name + "/" + bad
		}
	}
	return ""
}

// applyFieldsMask prunes an encoded response to the fields parameter.
func (s *Server) applyFieldsMask(c *call, body []byte, fields string) ([]byte, error) {
	mask, err := parseFieldsMask(fields)
	if err != nil {
		return nil, s.maskError(c, fields)
	}
	if m := s.disc.methods[c.method]; m != nil && m.Response != nil {
		if bad := checkMask(s.disc.doc(c.method), mask, m.Response); bad != "" {
			return nil, s.maskError(c, bad)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newError(500, "%s", msgInternal)
	}
	out, err := json.Marshal(mask.prune(v))
	if err != nil {
		return nil, newError(500, "%s", msgInternal)
	}
	return out, nil
}

func (s *Server) maskError(c *call, sel string) *apiError {
	msg := "Invalid field selection " + strings.TrimSpace(sel)
	if c.api == "drive" {
		return driveError(400, "invalidParameter", msg, "fields")
	}
	return badRequestField("fields", msg)
}

// parseMaskForCall parses the call's fields parameter, nil when absent.
func (c *call) fieldsMask() (*maskNode, *apiError) {
	f := c.query.Get("fields")
	if f == "" {
		return nil, nil
	}
	m, err := parseFieldsMask(f)
	if err != nil {
		return nil, c.s.maskError(c, f)
	}
	return m, nil
}
