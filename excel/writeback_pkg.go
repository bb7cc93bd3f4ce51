package excel

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Namespaces and relationship types of the transitional Open XML format,
// the one Excel and LibreOffice write. Strict Open XML is refused.
const (
	nsMain         = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRelationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPackageRels  = "http://schemas.openxmlformats.org/package/2006/relationships"
	nsContentTypes = "http://schemas.openxmlformats.org/package/2006/content-types"
	relOfficeDoc   = nsRelationship + "/officeDocument"
	relWorksheet   = nsRelationship + "/worksheet"
	relStyles      = nsRelationship + "/styles"
	relCalcChain   = nsRelationship + "/calcChain"
	ctRels         = "application/vnd.openxmlformats-package.relationships+xml"
	ctCalcChain    = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
	contentTypes   = "[Content_Types].xml"
	// maxPartSize bounds one inflated part of a workbook being written back.
	maxPartSize = 512 << 20
)

// opcPackage is a read-only view of an .xlsx zip package. Part names are
// looked up without regard to case, as Open Packaging Conventions require.
type opcPackage struct {
	files []*zip.File
	byKey map[string]*zip.File
}

func openPackage(data []byte) (*opcPackage, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not an .xlsx package (encrypted, legacy .xls or damaged?): %w", err)
	}
	p := &opcPackage{files: zr.File, byKey: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		k := partKey(f.Name)
		if _, dup := p.byKey[k]; dup {
			return nil, fmt.Errorf("package holds part %s twice", f.Name)
		}
		p.byKey[k] = f
	}
	return p, nil
}

// partKey is the lookup key of a part name.
func partKey(name string) string { return strings.ToLower(strings.TrimPrefix(name, "/")) }

func (p *opcPackage) has(name string) bool { _, ok := p.byKey[partKey(name)]; return ok }

func (p *opcPackage) read(name string) ([]byte, error) {
	f, ok := p.byKey[partKey(name)]
	if !ok {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	if f.UncompressedSize64 > maxPartSize {
		return nil, fmt.Errorf("part %s is %d bytes, more than %d", name, f.UncompressedSize64, maxPartSize)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	defer func() { _ = rc.Close() }()
	data, err := io.ReadAll(io.LimitReader(rc, maxPartSize+1))
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	return data, nil
}

// relationship is one relationship of a part.
type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
	Mode   string `xml:"TargetMode,attr,omitempty"`
}

func (r relationship) external() bool { return r.Mode == "External" }

// relsPart is the name of the relationships part of a part; "" is the
// package itself.
func relsPart(part string) string {
	dir, base := path.Split(strings.TrimPrefix(part, "/"))
	return dir + "_rels/" + base + ".rels"
}

// resolveTarget returns the part a relationship of source points to.
func resolveTarget(source, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)[1:]
	}
	return strings.TrimPrefix(path.Join(path.Dir("/"+source), target), "/")
}

// relativeTarget is the target that points from source to part.
func relativeTarget(source, part string) string {
	from := strings.Split(path.Dir("/" + source)[1:], "/")
	if from[0] == "" {
		from = nil
	}
	to := strings.Split(part, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && strings.EqualFold(from[i], to[i]) {
		i++
	}
	return strings.Repeat("../", len(from)-i) + strings.Join(to[i:], "/")
}

func parseRels(data []byte) ([]relationship, error) {
	var doc struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return doc.Rels, nil
}

func marshalRels(rels []relationship) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header[:len(xml.Header)-1])
	b.WriteString("\n<Relationships xmlns=\"" + nsPackageRels + "\">")
	for _, r := range rels {
		b.WriteString(`<Relationship Id="`)
		escapeAttr(&b, r.ID)
		b.WriteString(`" Type="`)
		escapeAttr(&b, r.Type)
		b.WriteString(`" Target="`)
		escapeAttr(&b, r.Target)
		if r.Mode != "" {
			b.WriteString(`" TargetMode="`)
			escapeAttr(&b, r.Mode)
		}
		b.WriteString(`"/>`)
	}
	b.WriteString("</Relationships>")
	return b.Bytes()
}

func escapeAttr(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// contentTypeList is the [Content_Types].xml part.
type contentTypeList struct {
	Defaults []struct {
		Extension   string `xml:"Extension,attr"`
		ContentType string `xml:"ContentType,attr"`
	} `xml:"Default"`
	Overrides []contentOverride `xml:"Override"`
}

type contentOverride struct {
	PartName    string `xml:"PartName,attr"`
	ContentType string `xml:"ContentType,attr"`
}

func parseContentTypes(data []byte) (*contentTypeList, error) {
	var ct contentTypeList
	if err := xml.Unmarshal(data, &ct); err != nil {
		return nil, fmt.Errorf("%s: %w", contentTypes, err)
	}
	return &ct, nil
}

// typeOf returns the content type of a part, or "".
func (ct *contentTypeList) typeOf(part string) string {
	for _, o := range ct.Overrides {
		if partKey(o.PartName) == partKey(part) {
			return o.ContentType
		}
	}
	return ct.defaultFor(part)
}

func (ct *contentTypeList) defaultFor(part string) string {
	ext := strings.TrimPrefix(path.Ext(part), ".")
	for _, d := range ct.Defaults {
		if strings.EqualFold(d.Extension, ext) {
			return d.ContentType
		}
	}
	return ""
}

func (ct *contentTypeList) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header[:len(xml.Header)-1])
	b.WriteString("\n<Types xmlns=\"" + nsContentTypes + "\">")
	for _, d := range ct.Defaults {
		b.WriteString(`<Default Extension="`)
		escapeAttr(&b, d.Extension)
		b.WriteString(`" ContentType="`)
		escapeAttr(&b, d.ContentType)
		b.WriteString(`"/>`)
	}
	for _, o := range ct.Overrides {
		b.WriteString(`<Override PartName="`)
		escapeAttr(&b, o.PartName)
		b.WriteString(`" ContentType="`)
		escapeAttr(&b, o.ContentType)
		b.WriteString(`"/>`)
	}
	b.WriteString("</Types>")
	return b.Bytes()
}

// reachableParts returns the keys of the parts reachable from the package
// root through relationships. exists says whether a part is present and
// relsOf returns the relationships of a part (nil when it has none).
func reachableParts(exists func(string) bool, relsOf func(string) ([]relationship, error)) (map[string]bool, error) {
	seen := make(map[string]bool)
	queue := []string{""}
	for len(queue) > 0 {
		src := queue[0]
		queue = queue[1:]
		rels, err := relsOf(src)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if r.external() {
				continue
			}
			t := resolveTarget(src, r.Target)
			if k := partKey(t); !seen[k] && exists(t) {
				seen[k] = true
				queue = append(queue, t)
			}
		}
	}
	return seen, nil
}

// xmlElem is an element of a parsed XML part with its byte positions, so
// that a part can be edited in place and everything else kept byte for
// byte.
type xmlElem struct {
	prefix, local string
	attrs         []xml.Attr
	// start and tagEnd delimit the start tag, start and end the element;
	// closeStart is where the end tag starts, or -1 for an empty-element
	// tag (<x/>).
	start, tagEnd, closeStart, end int
	children                       []*xmlElem
}

// parseXMLTree parses a part into its element tree, keeping prefixes as
// written (no namespace resolution).
func parseXMLTree(data []byte) (*xmlElem, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root *xmlElem
	var stack []*xmlElem
	for {
		before := int(d.InputOffset())
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		after := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xmlElem{prefix: t.Name.Space, local: t.Name.Local, attrs: t.Copy().Attr, start: before, tagEnd: after, closeStart: -1}
			switch {
			case len(stack) > 0:
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, e)
			case root == nil:
				root = e
			default:
				return nil, errors.New("more than one root element")
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unexpected end tag %s", t.Name.Local)
			}
			e := stack[len(stack)-1]
			if e.prefix != t.Name.Space || e.local != t.Name.Local {
				return nil, fmt.Errorf("element <%s> closed by </%s>", e.local, t.Name.Local)
			}
			stack = stack[:len(stack)-1]
			if after > before {
				e.closeStart = before
			}
			e.end = after
		case xml.Directive:
			return nil, errors.New("DOCTYPE or other directive is not allowed")
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, errors.New("incomplete XML")
	}
	return root, nil
}

// attr returns the value of the attribute with the given prefix and local
// name.
func (e *xmlElem) attr(prefix, local string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Space == prefix && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// child returns the first child element with the given prefix and local
// name, or nil.
func (e *xmlElem) child(prefix, local string) *xmlElem {
	for _, c := range e.children {
		if c.prefix == prefix && c.local == local {
			return c
		}
	}
	return nil
}

// nsPrefix returns the prefix the root element binds to namespace ns ("" for
// the default namespace) and whether it binds it at all.
func (e *xmlElem) nsPrefix(ns string) (string, bool) {
	for _, a := range e.attrs {
		if a.Value != ns {
			continue
		}
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			return "", true
		case a.Name.Space == "xmlns":
			return a.Name.Local, true
		}
	}
	return "", false
}

// qname returns prefix:local, or local for the empty prefix.
func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// textEdit replaces data[start:end] with text.
type textEdit struct {
	start, end int
	text       []byte
}

// applyEdits applies non-overlapping edits to data.
func applyEdits(data []byte, edits []textEdit) ([]byte, error) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	b.Grow(len(data) + 1024)
	at := 0
	for _, e := range edits {
		if e.start < at || e.end < e.start || e.end > len(data) {
			return nil, errors.New("overlapping edits")
		}
		b.Write(data[at:e.start])
		b.Write(e.text)
		at = e.end
	}
	b.Write(data[at:])
	return b.Bytes(), nil
}
