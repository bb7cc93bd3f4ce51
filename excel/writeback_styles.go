package excel

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// firstCustomNumFmt is the first number format id free for custom codes.
const firstCustomNumFmt = 164

// stylesSection is one list of a styles part (fonts, fills, borders,
// cellXfs, numFmts) and the elements appended to it.
type stylesSection struct {
	elem     *xmlElem
	existing [][]byte
	added    [][]byte
}

// index returns the position of el in the section, appending it when no
// identical element exists, so that writing the same sheets again adds
// nothing.
func (s *stylesSection) index(el []byte) int {
	for i, e := range s.existing {
		if bytes.Equal(e, el) {
			return i
		}
	}
	for i, e := range s.added {
		if bytes.Equal(e, el) {
			return len(s.existing) + i
		}
	}
	s.added = append(s.added, el)
	return len(s.existing) + len(s.added) - 1
}

// refSection names the list a cell format attribute points into.
var refSection = map[string]string{"fontId": "fonts", "fillId": "fills", "borderId": "borders"}

var (
	xfRefAttr   = regexp.MustCompile(`\b(numFmtId|fontId|fillId|borderId|xfId)="(\d+)"`)
	countAttr   = regexp.MustCompile(`(\scount\s*=\s*)(["'])\d*(["'])`)
	elementName = regexp.MustCompile(`<(/?)([A-Za-z_][\w.\-]*)`)
)

// mergeStyles appends the cell formats of src, a styles part written by
// this package, to dst, a workbook's styles part, and returns the new dst
// and, for each cell format index of src, its index in dst. Format 0 (the
// default look) maps to dst's default, so new sheets take the workbook's
// default font; the others are appended unless dst holds an identical one.
// dst is edited in place: its existing entries keep their bytes and
// positions, so the cells of other sheets keep their formats.
func mergeStyles(dst, src []byte) ([]byte, []int, error) {
	droot, err := parseXMLTree(dst)
	if err != nil {
		return nil, nil, fmt.Errorf("styles: %w", err)
	}
	sroot, err := parseXMLTree(src)
	if err != nil {
		return nil, nil, fmt.Errorf("new styles: %w", err)
	}
	if droot.local != "styleSheet" {
		return nil, nil, fmt.Errorf("styles: root element is <%s>", droot.local)
	}
	if ns, ok := elemNamespace(droot); !ok || ns != nsMain {
		return nil, nil, fmt.Errorf("styles: unsupported namespace %q (Strict Open XML is not supported)", ns)
	}
	p := droot.prefix
	// frag brings an element of src, which is unprefixed, into dst's prefix.
	frag := func(e *xmlElem) []byte {
		raw := src[e.start:e.end]
		if p == "" {
			return raw
		}
		return elementName.ReplaceAll(raw, []byte("<${1}"+p+":${2}"))
	}
	section := func(local string, required bool) (*stylesSection, error) {
		e := droot.child(p, local)
		if e == nil {
			if required {
				return nil, fmt.Errorf("styles: no <%s>", local)
			}
			return &stylesSection{}, nil
		}
		s := &stylesSection{elem: e}
		for _, c := range e.children {
			s.existing = append(s.existing, dst[c.start:c.end])
		}
		return s, nil
	}
	srcSection := func(local string) []*xmlElem {
		if e := sroot.child("", local); e != nil {
			return e.children
		}
		return nil
	}

	numFmts, err := section("numFmts", false)
	if err != nil {
		return nil, nil, err
	}
	codes := make(map[int]string) // dst's number formats by id
	maxID := firstCustomNumFmt - 1
	if numFmts.elem != nil {
		for _, c := range numFmts.elem.children {
			id, err1 := strconv.Atoi(attrOr(c, "numFmtId"))
			code, ok := c.attr("", "formatCode")
			if err1 != nil || !ok {
				continue
			}
			codes[id] = code
			maxID = max(maxID, id)
		}
	}
	srcCodes := make(map[int]string)
	for _, c := range srcSection("numFmts") {
		if id, err := strconv.Atoi(attrOr(c, "numFmtId")); err == nil {
			srcCodes[id] = attrOr(c, "formatCode")
		}
	}
	numMap := make(map[int]int)
	mapNumFmt := func(id int) (int, error) {
		if n, ok := numMap[id]; ok {
			return n, nil
		}
		var code string
		if id < firstCustomNumFmt {
			// A built-in id means the same in dst unless dst redefines it.
			got, redefined := codes[id]
			code = builtinNumFmt(id)
			if !redefined || got == code || code == "" {
				numMap[id] = id
				return id, nil
			}
		} else {
			var ok bool
			if code, ok = srcCodes[id]; !ok {
				return 0, fmt.Errorf("new styles: number format %d is not defined", id)
			}
		}
		ids := make([]int, 0, len(codes))
		for k := range codes {
			ids = append(ids, k)
		}
		sort.Ints(ids)
		for _, k := range ids {
			if codes[k] == code {
				numMap[id] = k
				return k, nil
			}
		}
		maxID++
		codes[maxID] = code
		var b bytes.Buffer
		fmt.Fprintf(&b, `<%s numFmtId="%d" formatCode="`, qname(p, "numFmt"), maxID)
		escapeAttr(&b, code)
		b.WriteString(`"/>`)
		numFmts.added = append(numFmts.added, b.Bytes())
		numMap[id] = maxID
		return maxID, nil
	}

	// Fonts, fills and borders: the leading entries every styles part must
	// have (the default font, the none and gray125 fills, the empty border)
	// map to dst's own.
	maps := make(map[string][]int)
	sections := make(map[string]*stylesSection)
	for _, l := range []struct {
		local string
		fixed int
	}{{"fonts", 1}, {"fills", 2}, {"borders", 1}} {
		s, err := section(l.local, true)
		if err != nil {
			return nil, nil, err
		}
		sections[l.local] = s
		var m []int
		for i, c := range srcSection(l.local) {
			if i < l.fixed {
				m = append(m, i)
				continue
			}
			m = append(m, s.index(frag(c)))
		}
		maps[l.local] = m
	}
	xfs, err := section("cellXfs", true)
	if err != nil {
		return nil, nil, err
	}
	var xfMap []int
	for i, c := range srcSection("cellXfs") {
		if i == 0 {
			xfMap = append(xfMap, 0)
			continue
		}
		var ferr error
		tag := xfRefAttr.ReplaceAllFunc(src[c.start:c.tagEnd], func(m []byte) []byte {
			sub := xfRefAttr.FindSubmatch(m)
			name := string(sub[1])
			n, _ := strconv.Atoi(string(sub[2]))
			switch name {
			case "numFmtId":
				var err error
				if n, err = mapNumFmt(n); err != nil {
					ferr = err
				}
			case "xfId":
				n = 0
			default:
				m := maps[refSection[name]]
				if n < 0 || n >= len(m) {
					ferr = fmt.Errorf("new styles: %s %d out of range", name, n)
					return sub[0]
				}
				n = m[n]
			}
			return []byte(name + `="` + strconv.Itoa(n) + `"`)
		})
		if ferr != nil {
			return nil, nil, ferr
		}
		el := append(append([]byte(nil), tag...), src[c.tagEnd:c.end]...)
		if p != "" {
			el = elementName.ReplaceAll(el, []byte("<${1}"+p+":${2}"))
		}
		xfMap = append(xfMap, xfs.index(el))
	}
	if len(xfMap) == 0 {
		return nil, nil, errors.New("new styles: no cell formats")
	}

	var edits []textEdit
	for _, s := range []*stylesSection{numFmts, sections["fonts"], sections["fills"], sections["borders"], xfs} {
		if len(s.added) == 0 {
			continue
		}
		added := bytes.Join(s.added, nil)
		n := strconv.Itoa(len(s.existing) + len(s.added))
		switch e := s.elem; {
		case e == nil: // numFmts, which comes first in a styles part
			text := fmt.Sprintf(`<%s count="%s">%s</%s>`, qname(p, "numFmts"), n, added, qname(p, "numFmts"))
			edits = append(edits, textEdit{droot.tagEnd, droot.tagEnd, []byte(text)})
		case e.closeStart < 0: // <fonts count="0"/>
			tag := setCount(bytes.TrimRight(dst[e.start:e.tagEnd-1], " \t\r\n/"), n)
			text := append(append(append(tag, '>'), added...), "</"+qname(e.prefix, e.local)+">"...)
			edits = append(edits, textEdit{e.start, e.end, text})
		default:
			edits = append(edits, textEdit{e.start, e.tagEnd, setCount(dst[e.start:e.tagEnd], n)})
			edits = append(edits, textEdit{e.closeStart, e.closeStart, added})
		}
	}
	if len(edits) == 0 {
		return dst, xfMap, nil
	}
	out, err := applyEdits(dst, edits)
	if err != nil {
		return nil, nil, fmt.Errorf("styles: %w", err)
	}
	return out, xfMap, nil
}

// setCount sets the count attribute of a start tag, when it has one.
func setCount(tag []byte, n string) []byte {
	return countAttr.ReplaceAll(append([]byte(nil), tag...), []byte("${1}${2}"+n+"${3}"))
}

// attrOr returns an unprefixed attribute's value or "".
func attrOr(e *xmlElem, local string) string {
	v, _ := e.attr("", local)
	return v
}

// elemNamespace returns the namespace the root element's own prefix is
// bound to.
func elemNamespace(root *xmlElem) (string, bool) {
	for _, a := range root.attrs {
		if (root.prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") ||
			(root.prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == root.prefix) {
			return a.Value, true
		}
	}
	return "", false
}
