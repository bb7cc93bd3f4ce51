package xlsxread

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
)

// The small parts (relationships and workbook.xml) are read with
// encoding/xml after a check that refuses any DOCTYPE or entity
// declaration. Elements and attributes are matched on their local names, so
// transitional (schemas.openxmlformats.org) and Strict (purl.oclc.org)
// files read alike.

type xRelationships struct {
	Rels []xRel `xml:"Relationship"`
}

type xRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
	Mode   string `xml:"TargetMode,attr"`
}

type xWorkbook struct {
	WorkbookPr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets       []xSheet       `xml:"sheets>sheet"`
	DefinedNames []xDefinedName `xml:"definedNames>definedName"`
}

type xSheet struct {
	Name  string `xml:"name,attr"`
	State string `xml:"state,attr"`
	// RID is the r:id attribute; a namespace-less tag matches the local
	// name in both the transitional and the Strict relationships namespace.
	RID string `xml:"id,attr"`
}

type xDefinedName struct {
	Name         string  `xml:"name,attr"`
	LocalSheetID *string `xml:"localSheetId,attr"`
	Formula      string  `xml:",chardata"`
}

// rel is a resolved relationship: its type's last segment ("worksheet",
// "sharedStrings", ...) and the target part's name.
type rel struct {
	kind   string
	target string
}

// checkNoDTD refuses a part that has any "<!" construct other than a
// comment or a CDATA section.
func checkNoDTD(b []byte, part string) error {
	for {
		i := bytes.Index(b, []byte("<!"))
		if i < 0 {
			return nil
		}
		b = b[i:]
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			j := bytes.Index(b[4:], []byte("-->"))
			if j < 0 {
				return nil // encoding/xml reports the unterminated comment
			}
			b = b[4+j+3:]
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			j := bytes.Index(b[9:], []byte("]]>"))
			if j < 0 {
				return nil
			}
			b = b[9+j+3:]
		default:
			return &FileError{Problem: Malformed, Part: part, Err: ErrDTD}
		}
	}
}

// decodeSmall parses a small XML part with encoding/xml.
func decodeSmall(b []byte, part string, v any) error {
	if err := checkNoDTD(b, part); err != nil {
		return err
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, errors.New("the part is not encoded in UTF-8")
	}
	if err := d.Decode(v); err != nil {
		return &FileError{Problem: Malformed, Part: part, Err: err}
	}
	return nil
}

// readRels reads the relationships of a part ("xl/workbook.xml" →
// "xl/_rels/workbook.xml.rels"), keyed by Id, with targets resolved to part
// names. A missing relationships part gives an empty map.
func (p *pkg) readRels(source string) (map[string]rel, error) {
	dir, base := path.Split(source)
	name := dir + "_rels/" + base + ".rels"
	f := p.file(name)
	if f == nil {
		return map[string]rel{}, nil
	}
	b, err := p.read(f, min(p.lim.MaxPartSize, maxMetaPart))
	if err != nil {
		return nil, err
	}
	var x xRelationships
	if err := decodeSmall(b, name, &x); err != nil {
		return nil, err
	}
	out := make(map[string]rel, len(x.Rels))
	for _, r := range x.Rels {
		if strings.EqualFold(r.Mode, "External") || r.Target == "" {
			continue
		}
		kind := r.Type[strings.LastIndexByte(r.Type, '/')+1:]
		out[r.ID] = rel{kind: kind, target: resolveTarget(dir, r.Target)}
	}
	return out, nil
}

// resolveTarget turns a relationship target into a part name: relative
// targets ("worksheets/sheet1.xml", "../xl/a.xml") are resolved against the
// source part's folder, absolute ones ("/xl/worksheets/sheet1.xml") against
// the package root. Percent-escapes are decoded.
func resolveTarget(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.Contains(target, "%") {
		if t, err := url.PathUnescape(target); err == nil {
			target = t
		}
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// officeDocument finds the workbook part through the package relationships
// (_rels/.rels), falling back to xl/workbook.xml when they are missing.
func (p *pkg) officeDocument() (string, error) {
	rels, err := p.readRels("")
	if err != nil {
		return "", err
	}
	for _, r := range sortedRels(rels) {
		if r.kind == "officeDocument" {
			return r.target, nil
		}
	}
	if p.file("xl/workbook.xml") != nil {
		return "xl/workbook.xml", nil
	}
	if p.file("xl/workbook.bin") != nil {
		return "xl/workbook.bin", nil
	}
	return "", p.notWorkbook()
}

// notWorkbook explains a zip package without a workbook.
func (p *pkg) notWorkbook() error {
	detail := "the zip package holds no workbook"
	switch {
	case p.file("mimetype") != nil && p.file("content.xml") != nil:
		detail = "it is an OpenDocument file (.ods), not an .xlsx workbook"
	case p.file("word/document.xml") != nil:
		detail = "it is a Word document"
	case p.file("ppt/presentation.xml") != nil:
		detail = "it is a PowerPoint presentation"
	}
	return &FileError{Problem: NotXLSX, Err: errors.New(detail)}
}

// sortedRels returns relationships in a stable order (by Id) so that a
// package with two officeDocument relationships always reads the same.
func sortedRels(m map[string]rel) []rel {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]rel, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

// parseBool reads an xsd:boolean attribute.
func parseBool(s string) bool {
	s = strings.TrimSpace(s)
	return s == "1" || strings.EqualFold(s, "true") || strings.EqualFold(s, "on")
}
