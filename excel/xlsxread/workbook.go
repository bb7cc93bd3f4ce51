package xlsxread

import (
	"context"
	"errors"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// The small parts (relationships and workbook.xml) are read with the same
// tokenizer as the sheets, so that every part gets the same checks (no
// DOCTYPE, valid UTF-8, tags closed in order). Elements and attributes are
// matched on their local names, so transitional (schemas.openxmlformats.org)
// and Strict (purl.oclc.org) files read alike.

// rel is a resolved relationship: its type's last segment ("worksheet",
// "sharedStrings", ...) and the target part's name.
type rel struct {
	kind   string
	target string
}

// workbookXML is what is read from workbook.xml.
type workbookXML struct {
	date1904 bool
	sheets   []sheetXMLEntry
	names    []definedName
}

type sheetXMLEntry struct {
	name, state, rid string
}

type definedName struct {
	name, formula string
	local         bool // has a localSheetId: scoped to one sheet
}

// attrString returns an attribute's decoded value as a string, or "".
func (s *scanner) attrString(local string) (string, error) {
	for _, a := range s.attrs {
		if string(s.bytes(a.local)) == local {
			v, err := s.attrValue(a)
			return string(v), err
		}
	}
	return "", nil
}

// hasAttr reports whether the current tag has the attribute.
func (s *scanner) hasAttr(local string) bool {
	_, ok := s.attr(local)
	return ok
}

// parseWorkbook reads the sheets, date system and defined names of
// workbook.xml.
func parseWorkbook(ctx context.Context, b []byte, part string) (*workbookXML, error) {
	if !utf8.Valid(b) {
		return nil, fail(Malformed, part, "the part is not valid UTF-8")
	}
	s := newScanner(ctx, b, part)
	wb := &workbookXML{}
	inSheets := false
	for {
		err := s.next()
		if err == io.EOF {
			return wb, nil
		}
		if err != nil {
			return nil, err
		}
		if s.kind == tokEnd {
			if string(s.local) == "sheets" {
				inSheets = false
			}
			continue
		}
		// Only children of <workbook> count: <workbookPr> also appears in
		// extensions (<x15:workbookPr>) without the date system.
		switch lvl := s.level(); {
		case lvl == 1:
		case lvl == 2 && (inSheets || string(s.local) == "definedName"):
		default:
			continue
		}
		switch string(s.local) {
		case "workbookPr":
			v, err := s.attrString("date1904")
			if err != nil {
				return nil, err
			}
			wb.date1904 = parseBool(v)
		case "sheets":
			inSheets = s.kind == tokStart
		case "sheet":
			if !inSheets {
				continue
			}
			var e sheetXMLEntry
			if e.name, err = s.attrString("name"); err == nil {
				if e.state, err = s.attrString("state"); err == nil {
					e.rid, err = s.attrString("id")
				}
			}
			if err != nil {
				return nil, err
			}
			wb.sheets = append(wb.sheets, e)
		case "definedName":
			n := definedName{local: s.hasAttr("localSheetId")}
			if n.name, err = s.attrString("name"); err != nil {
				return nil, err
			}
			t, err := s.text()
			if err != nil {
				return nil, err
			}
			n.formula = strings.TrimPrefix(strings.TrimSpace(string(t)), "=")
			wb.names = append(wb.names, n)
		}
	}
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
	if !utf8.Valid(b) {
		return nil, fail(Malformed, name, "the part is not valid UTF-8")
	}
	s := newScanner(p.ctx, b, name)
	out := map[string]rel{}
	for {
		err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if s.kind == tokEnd || s.level() != 1 || string(s.local) != "Relationship" {
			continue
		}
		var id, typ, target, mode string
		if id, err = s.attrString("Id"); err == nil {
			if typ, err = s.attrString("Type"); err == nil {
				if target, err = s.attrString("Target"); err == nil {
					mode, err = s.attrString("TargetMode")
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(mode, "External") || target == "" {
			continue
		}
		if _, dup := out[id]; !dup {
			out[id] = rel{kind: typ[strings.LastIndexByte(typ, '/')+1:], target: resolveTarget(dir, target)}
		}
	}
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
