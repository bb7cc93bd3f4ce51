package excel

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"aop/engine/grid"
)

// wbSheet is one <sheet> of a workbook part.
type wbSheet struct {
	elem    *xmlElem
	name    string
	rid     string
	sheetID int
	visible bool
}

// slot is one tab of the written workbook: a kept sheet of the workbook
// (old ≥ 0, src < 0), a replaced one (both ≥ 0) or an added one (old < 0).
type slot struct {
	old, src int
}

// splicer writes new sheets into an existing package.
type splicer struct {
	w      *Writer
	sheets []*grid.Sheet
	opts   WriteBackOptions
	now    time.Time

	dst, src     *opcPackage
	dstCT, srcCT *contentTypeList
	srcWBPart    string
	srcSheetPart []string // by index of sheets
	wbPart       string

	// modified holds the new content of existing parts, by key; added
	// holds new parts in the order they are written.
	modified map[string][]byte
	added    []newPart
	used     map[string]bool // part keys taken in the written package
	copied   map[string]string
	xfMap    []int
	// replaced is set when a sheet is replaced, not only added.
	replaced bool
}

type newPart struct {
	name string
	data []byte
}

// prefixTrimmed drops the "excel: " of an error from the Writer when it is
// wrapped in a WriteBack error.
type prefixTrimmed struct{ err error }

func (e prefixTrimmed) Error() string { return strings.TrimPrefix(e.err.Error(), "excel: ") }
func (e prefixTrimmed) Unwrap() error { return e.err }

// spliceSheets returns the package orig with sheets written into it.
func (w *Writer) spliceSheets(orig []byte, sheets []*grid.Sheet, opts WriteBackOptions, now time.Time) ([]byte, error) {
	if len(sheets) == 0 {
		return nil, errors.New("no sheets to write")
	}
	built := grid.New()
	for i, s := range sheets {
		if s == nil {
			return nil, fmt.Errorf("sheet %d is nil", i+1)
		}
		// Visibility is set in the workbook part; building every sheet
		// visible keeps the builder's "one visible sheet" rule out of it.
		cp := *s
		cp.Visibility = grid.Visible
		built.Sheets = append(built.Sheets, &cp)
	}
	var buf bytes.Buffer
	if err := w.writeTo(&buf, built); err != nil {
		return nil, prefixTrimmed{err}
	}
	sp := &splicer{w: w, sheets: sheets, opts: opts, now: now,
		modified: make(map[string][]byte), used: make(map[string]bool), copied: make(map[string]string)}
	var err error
	if sp.dst, err = openPackage(orig); err != nil {
		return nil, err
	}
	if sp.src, err = openPackage(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("new sheets: %w", err)
	}
	return sp.splice()
}

func (sp *splicer) splice() ([]byte, error) {
	for _, f := range sp.dst.files {
		sp.used[partKey(f.Name)] = true
	}
	var err error
	if sp.dstCT, err = sp.contentTypes(sp.dst); err != nil {
		return nil, err
	}
	if sp.srcCT, err = sp.contentTypes(sp.src); err != nil {
		return nil, err
	}
	if err := sp.sourceSheets(); err != nil {
		return nil, err
	}
	if sp.wbPart, err = workbookPart(sp.dst); err != nil {
		return nil, err
	}
	wbData, err := sp.dst.read(sp.wbPart)
	if err != nil {
		return nil, err
	}
	wbRoot, err := parseXMLTree(wbData)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sp.wbPart, err)
	}
	if ns, ok := elemNamespace(wbRoot); wbRoot.local != "workbook" || !ok || ns != nsMain {
		return nil, fmt.Errorf("%s: not a transitional Open XML workbook (namespace %q; Strict Open XML is not supported)", sp.wbPart, ns)
	}
	p := wbRoot.prefix
	relPrefix, hasRelPrefix := wbRoot.nsPrefix(nsRelationship)
	if hasRelPrefix && relPrefix == "" {
		hasRelPrefix = false // a default namespace cannot qualify r:id
	}
	sheetsElem := wbRoot.child(p, "sheets")
	if sheetsElem == nil || sheetsElem.closeStart < 0 {
		return nil, fmt.Errorf("%s: no sheets", sp.wbPart)
	}
	var old []wbSheet
	maxSheetID := 0
	for _, e := range sheetsElem.children {
		if e.local != "sheet" {
			continue
		}
		s := wbSheet{elem: e, name: attrOr(e, "name")}
		for _, a := range e.attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				s.rid = a.Value
			}
		}
		s.sheetID, _ = strconv.Atoi(attrOr(e, "sheetId"))
		st := attrOr(e, "state")
		s.visible = st == "" || st == "visible"
		maxSheetID = max(maxSheetID, s.sheetID)
		old = append(old, s)
	}

	// The new order of the tabs.
	slots := make([]slot, len(old))
	for i := range old {
		slots[i] = slot{old: i, src: -1}
	}
	var addedSlots []slot
	for i, s := range sp.sheets {
		j := -1
		for k, o := range old {
			if strings.EqualFold(o.name, s.Name) {
				j = k
			}
		}
		if j < 0 {
			addedSlots = append(addedSlots, slot{old: -1, src: i})
			continue
		}
		if !sp.replaceable(s.Name) {
			return nil, fmt.Errorf("the workbook already has a sheet %q and it is not listed in WriteBackOptions.Replace: refusing to overwrite it", old[j].name)
		}
		slots[j].src = i
	}
	at := 0
	if sp.opts.After != "" {
		at = -1
		preferred := -1
		for k, s := range slots {
			name := ""
			if s.src >= 0 {
				name = sp.sheets[s.src].Name
			} else {
				name = old[s.old].name
			}
			if strings.EqualFold(name, sp.opts.After) {
				at = k + 1
			}
			if sp.opts.OrAfter != "" && strings.EqualFold(name, sp.opts.OrAfter) {
				preferred = k + 1
			}
		}
		if preferred >= 0 {
			at = preferred
		}
		if at < 0 {
			return nil, fmt.Errorf("WriteBackOptions.After: the workbook has no sheet %q", sp.opts.After)
		}
	}
	slots = append(slots[:at], append(addedSlots, slots[at:]...)...)
	visible := 0
	newIndex := make(map[int]int) // old index → new index of the tab at that place
	for k, s := range slots {
		if s.old >= 0 {
			newIndex[s.old] = k
		}
		if (s.src >= 0 && sp.sheets[s.src].Visibility == grid.Visible) || (s.src < 0 && old[s.old].visible) {
			visible++
		}
	}
	if visible == 0 {
		return nil, errors.New("the workbook would have no visible sheet")
	}
	for _, s := range slots {
		sp.replaced = sp.replaced || (s.old >= 0 && s.src >= 0)
	}

	var edits []textEdit
	// Views: the active tab follows its sheet, and so does the first tab
	// of the tab bar unless that would scroll an added tab out of view.
	// Without a view the first tab is active; it stays the active one.
	active := newIndex[0]
	views := wbRoot.child(p, "bookViews")
	if views != nil {
		for i, v := range views.children {
			if v.local != "workbookView" {
				continue
			}
			tag := dstSlice(wbData, v.start, v.tagEnd)
			for _, name := range []string{"activeTab", "firstSheet"} {
				val, ok := v.attr("", name)
				n, err := strconv.Atoi(val)
				if !ok || err != nil {
					n = 0
				}
				nn, moved := newIndex[n]
				if !moved {
					continue
				}
				if name == "firstSheet" && len(addedSlots) > 0 {
					nn = min(nn, at)
				}
				if name == "activeTab" && i == 0 {
					active = nn
				}
				if ok || nn != 0 {
					tag = setAttr(tag, name, strconv.Itoa(nn))
				}
			}
			edits = append(edits, textEdit{v.start, v.tagEnd, tag})
		}
	} else if active != 0 {
		text := fmt.Sprintf(`<%s><%s activeTab="%d"/></%s>`, qname(p, "bookViews"), qname(p, "workbookView"), active, qname(p, "bookViews"))
		edits = append(edits, textEdit{sheetsElem.start, sheetsElem.start, []byte(text)})
	}
	if s := slots[active]; s.src >= 0 && sp.sheets[s.src].Visibility != grid.Visible {
		return nil, fmt.Errorf("sheet %q is the active tab and cannot be hidden", sp.sheets[s.src].Name)
	}

	// Styles, then the new sheets' parts.
	wbRels, err := sp.rels(sp.dst, sp.wbPart)
	if err != nil {
		return nil, err
	}
	if err := sp.mergeStyles(wbRels); err != nil {
		return nil, err
	}
	usedIDs := make(map[string]bool)
	for _, r := range wbRels {
		usedIDs[r.ID] = true
	}
	nextID := 1
	var sheetsXML bytes.Buffer
	var dropRels = make(map[string]bool)
	for k, s := range slots {
		if s.src < 0 {
			sheetsXML.Write(wbData[old[s.old].elem.start:old[s.old].elem.end])
			continue
		}
		gs := sp.sheets[s.src]
		part, err := sp.copyPart(sp.srcSheetPart[s.src], func(data []byte) ([]byte, error) {
			return sp.sheetXML(data, k == active)
		})
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", gs.Name, err)
		}
		for usedIDs["rId"+strconv.Itoa(nextID)] {
			nextID++
		}
		rid := "rId" + strconv.Itoa(nextID)
		usedIDs[rid] = true
		wbRels = append(wbRels, relationship{ID: rid, Type: relWorksheet, Target: relativeTarget(sp.wbPart, part)})
		sheetID := 0
		if s.old >= 0 {
			sheetID = old[s.old].sheetID
			dropRels[old[s.old].rid] = true
		} else {
			maxSheetID++
			sheetID = maxSheetID
		}
		fmt.Fprintf(&sheetsXML, `<%s name="`, qname(p, "sheet"))
		escapeAttr(&sheetsXML, gs.Name)
		fmt.Fprintf(&sheetsXML, `" sheetId="%d"`, sheetID)
		if gs.Visibility != grid.Visible {
			fmt.Fprintf(&sheetsXML, ` state="%s"`, gs.Visibility)
		}
		if hasRelPrefix {
			fmt.Fprintf(&sheetsXML, ` %s:id="%s"/>`, relPrefix, rid)
		} else {
			fmt.Fprintf(&sheetsXML, ` xmlns:r="%s" r:id="%s"/>`, nsRelationship, rid)
		}
	}
	edits = append(edits, textEdit{sheetsElem.tagEnd, sheetsElem.closeStart, sheetsXML.Bytes()})

	// Defined names local to a sheet follow it; those of a replaced sheet
	// go with it.
	if names := wbRoot.child(p, "definedNames"); names != nil {
		var nameEdits []textEdit
		kept := 0
		for _, e := range names.children {
			val, ok := e.attr("", "localSheetId")
			n, err := strconv.Atoi(val)
			if !ok || err != nil {
				kept++
				continue
			}
			nn, moved := newIndex[n]
			switch {
			case moved && slots[nn].src >= 0:
				nameEdits = append(nameEdits, textEdit{e.start, e.end, nil})
			case moved && nn != n:
				nameEdits = append(nameEdits, textEdit{e.start, e.tagEnd, setAttr(dstSlice(wbData, e.start, e.tagEnd), "localSheetId", strconv.Itoa(nn))})
				kept++
			default:
				kept++
			}
		}
		if kept == 0 && len(nameEdits) > 0 {
			edits = append(edits, textEdit{names.start, names.end, nil})
		} else {
			edits = append(edits, nameEdits...)
		}
	}
	newWB, err := applyEdits(wbData, edits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sp.wbPart, err)
	}
	sp.modified[partKey(sp.wbPart)] = newWB

	// Relationships of the workbook: the replaced sheets' go, and with them
	// the calculation chain, which lists their formula cells.
	var rels []relationship
	for _, r := range wbRels {
		if dropRels[r.ID] || (sp.replaced && r.Type == relCalcChain) {
			continue
		}
		rels = append(rels, r)
	}
	sp.modified[partKey(relsPart(sp.wbPart))] = marshalRels(rels)

	removed, err := sp.unreachable()
	if err != nil {
		return nil, err
	}
	sp.contentTypesOut(removed)
	out, err := sp.write(removed)
	if err != nil {
		return nil, err
	}
	if err := sp.verify(out, slots, old); err != nil {
		return nil, fmt.Errorf("written package fails its check: %w", err)
	}
	return out, nil
}

// dstSlice copies data[i:j], so that edits never alias the original.
func dstSlice(data []byte, i, j int) []byte { return append([]byte(nil), data[i:j]...) }

func (sp *splicer) replaceable(name string) bool {
	for _, r := range sp.opts.Replace {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

func (sp *splicer) contentTypes(p *opcPackage) (*contentTypeList, error) {
	data, err := p.read(contentTypes)
	if err != nil {
		return nil, err
	}
	return parseContentTypes(data)
}

func (sp *splicer) rels(p *opcPackage, part string) ([]relationship, error) {
	return packageRels(p, part)
}

// packageRels returns the relationships of a part ("" for the package),
// none when it has no relationships part.
func packageRels(p *opcPackage, part string) ([]relationship, error) {
	name := "_rels/.rels"
	if part != "" {
		name = relsPart(part)
	}
	if !p.has(name) {
		return nil, nil
	}
	data, err := p.read(name)
	if err != nil {
		return nil, err
	}
	rels, err := parseRels(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rels, nil
}

// workbookPart returns the name of the package's workbook part.
func workbookPart(p *opcPackage) (string, error) {
	rels, err := packageRels(p, "")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if r.Type == relOfficeDoc && !r.external() {
			return resolveTarget("", r.Target), nil
		}
	}
	return "", errors.New("no workbook part (not a spreadsheet, or Strict Open XML, which is not supported)")
}

// sourceSheets finds the part of each new sheet in the package the Writer
// built.
func (sp *splicer) sourceSheets() error {
	var err error
	if sp.srcWBPart, err = workbookPart(sp.src); err != nil {
		return err
	}
	data, err := sp.src.read(sp.srcWBPart)
	if err != nil {
		return err
	}
	root, err := parseXMLTree(data)
	if err != nil {
		return err
	}
	rels, err := sp.rels(sp.src, sp.srcWBPart)
	if err != nil {
		return err
	}
	byID := make(map[string]string)
	for _, r := range rels {
		byID[r.ID] = resolveTarget(sp.srcWBPart, r.Target)
	}
	if sheets := root.child("", "sheets"); sheets != nil {
		for _, e := range sheets.children {
			rid, _ := e.attr("r", "id")
			sp.srcSheetPart = append(sp.srcSheetPart, byID[rid])
		}
	}
	if len(sp.srcSheetPart) != len(sp.sheets) {
		return fmt.Errorf("new sheets: built %d sheets, want %d", len(sp.srcSheetPart), len(sp.sheets))
	}
	return nil
}

func (sp *splicer) mergeStyles(wbRels []relationship) error {
	var part string
	for _, r := range wbRels {
		if r.Type == relStyles && !r.external() {
			part = resolveTarget(sp.wbPart, r.Target)
		}
	}
	if part == "" || !sp.dst.has(part) {
		return errors.New("the workbook has no styles part")
	}
	dst, err := sp.dst.read(part)
	if err != nil {
		return err
	}
	srcRels, err := sp.rels(sp.src, sp.srcWBPart)
	if err != nil {
		return err
	}
	var src []byte
	for _, r := range srcRels {
		if r.Type == relStyles {
			if src, err = sp.src.read(resolveTarget(sp.srcWBPart, r.Target)); err != nil {
				return err
			}
		}
	}
	out, xfMap, err := mergeStyles(dst, src)
	if err != nil {
		return err
	}
	sp.xfMap = xfMap
	if !bytes.Equal(out, dst) {
		sp.modified[partKey(part)] = out
	}
	return nil
}

var (
	cellTag      = regexp.MustCompile(`<(?:c|row)\s[^>]*>`)
	colTag       = regexp.MustCompile(`<col\s[^>]*>`)
	styleAttr    = regexp.MustCompile(`(\ss=")(\d+)(")`)
	colStyleAttr = regexp.MustCompile(`(\sstyle=")(\d+)(")`)
	sheetViewTag = regexp.MustCompile(`<sheetView[\s>/][^>]*>`)
	tabSelected  = regexp.MustCompile(`\stabSelected="[^"]*"`)
	sharedString = regexp.MustCompile(`<c\s[^>]*\bt="s"`)
)

// sheetXML maps a new sheet's cell formats into the workbook's styles and
// selects its tab only when it is the active one: two selected tabs would
// open grouped, and typing would then edit both.
func (sp *splicer) sheetXML(data []byte, active bool) ([]byte, error) {
	if sharedString.Match(data) {
		return nil, errors.New("new sheet uses the shared string table")
	}
	var ferr error
	remap := func(attr *regexp.Regexp) func([]byte) []byte {
		return func(tag []byte) []byte {
			return attr.ReplaceAllFunc(tag, func(m []byte) []byte {
				sub := attr.FindSubmatch(m)
				n, _ := strconv.Atoi(string(sub[2]))
				if n < 0 || n >= len(sp.xfMap) {
					ferr = fmt.Errorf("cell format %d is not defined", n)
					return m
				}
				return []byte(string(sub[1]) + strconv.Itoa(sp.xfMap[n]) + string(sub[3]))
			})
		}
	}
	data = cellTag.ReplaceAllFunc(data, remap(styleAttr))
	data = colTag.ReplaceAllFunc(data, remap(colStyleAttr))
	if ferr != nil {
		return nil, ferr
	}
	first := true
	data = sheetViewTag.ReplaceAllFunc(data, func(tag []byte) []byte {
		tag = tabSelected.ReplaceAll(tag, nil)
		if active && first {
			tag = append([]byte(`<sheetView tabSelected="1"`), tag[len("<sheetView"):]...)
		}
		first = false
		return tag
	})
	return data, nil
}

// copyPart copies a part of the built package, and every part it refers
// to, into the written package under free names, and returns its new name.
func (sp *splicer) copyPart(srcName string, transform func([]byte) ([]byte, error)) (string, error) {
	if name, ok := sp.copied[partKey(srcName)]; ok {
		return name, nil
	}
	data, err := sp.src.read(srcName)
	if err != nil {
		return "", err
	}
	if transform != nil {
		if data, err = transform(data); err != nil {
			return "", err
		}
	}
	name := sp.freeName(srcName)
	sp.copied[partKey(srcName)] = name
	sp.added = append(sp.added, newPart{name, data})
	if ct := sp.srcCT.typeOf(srcName); ct != "" && ct != sp.dstCT.defaultFor(name) {
		sp.dstCT.Overrides = append(sp.dstCT.Overrides, contentOverride{PartName: "/" + name, ContentType: ct})
	}
	rels, err := sp.rels(sp.src, srcName)
	if err != nil {
		return "", err
	}
	if rels == nil {
		return name, nil
	}
	for i, r := range rels {
		if r.external() {
			continue
		}
		child, err := sp.copyPart(resolveTarget(srcName, r.Target), nil)
		if err != nil {
			return "", err
		}
		rels[i].Target = relativeTarget(name, child)
	}
	rp := relsPart(name)
	sp.added = append(sp.added, newPart{rp, marshalRels(rels)})
	if sp.dstCT.defaultFor(rp) != ctRels {
		sp.dstCT.Overrides = append(sp.dstCT.Overrides, contentOverride{PartName: "/" + rp, ContentType: ctRels})
	}
	return name, nil
}

var trailingDigits = regexp.MustCompile(`\d*$`)

// freeName returns a name like srcName (same folder, stem and extension)
// that neither the workbook nor an earlier new part uses, nor its
// relationships part, and takes it.
func (sp *splicer) freeName(srcName string) string {
	ext := path.Ext(srcName)
	stem := trailingDigits.ReplaceAllString(strings.TrimSuffix(srcName, ext), "")
	for n := 1; ; n++ {
		name := stem + strconv.Itoa(n) + ext
		if !sp.used[partKey(name)] && !sp.used[partKey(relsPart(name))] {
			sp.used[partKey(name)] = true
			sp.used[partKey(relsPart(name))] = true
			return name
		}
	}
}

// unreachable returns the keys of the parts that the edits cut off: those
// reachable from the package root before and not after (a replaced sheet,
// its drawings and comments, the calculation chain), with their
// relationships parts. Parts that were unreachable before are kept.
func (sp *splicer) unreachable() (map[string]bool, error) {
	relsIn := func(get func(string) ([]byte, bool)) func(string) ([]relationship, error) {
		return func(part string) ([]relationship, error) {
			name := "_rels/.rels"
			if part != "" {
				name = relsPart(part)
			}
			data, ok := get(name)
			if !ok {
				return nil, nil
			}
			rels, err := parseRels(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return rels, nil
		}
	}
	readOld := func(name string) ([]byte, bool) {
		if !sp.dst.has(name) {
			return nil, false
		}
		data, err := sp.dst.read(name)
		return data, err == nil
	}
	newParts := make(map[string][]byte)
	for _, p := range sp.added {
		newParts[partKey(p.name)] = p.data
	}
	readNew := func(name string) ([]byte, bool) {
		k := partKey(name)
		if data, ok := sp.modified[k]; ok {
			return data, true
		}
		if data, ok := newParts[k]; ok {
			return data, true
		}
		return readOld(name)
	}
	before, err := reachableParts(sp.dst.has, relsIn(readOld))
	if err != nil {
		return nil, err
	}
	after, err := reachableParts(func(name string) bool {
		_, ok := newParts[partKey(name)]
		return ok || sp.dst.has(name)
	}, relsIn(readNew))
	if err != nil {
		return nil, err
	}
	removed := make(map[string]bool)
	for k := range before {
		if !after[k] && k != partKey(contentTypes) {
			removed[k] = true
			removed[partKey(relsPart(k))] = true
		}
	}
	if sp.replaced {
		// A calculation chain that no relationship reaches still names
		// the replaced sheet's cells to an app that finds it by type.
		for _, o := range sp.dstCT.Overrides {
			if o.ContentType == ctCalcChain {
				removed[partKey(o.PartName)] = true
			}
		}
	}
	return removed, nil
}

// contentTypesOut drops the content types of removed parts and records
// the new [Content_Types].xml.
func (sp *splicer) contentTypesOut(removed map[string]bool) {
	kept := sp.dstCT.Overrides[:0:0]
	for _, o := range sp.dstCT.Overrides {
		if !removed[partKey(o.PartName)] {
			kept = append(kept, o)
		}
	}
	sp.dstCT.Overrides = kept
	sp.modified[partKey(contentTypes)] = sp.dstCT.marshal()
}

// write writes the package: the workbook's entries in their order, copied
// raw (compressed bytes and all) unless modified or removed, then the new
// parts.
func (sp *splicer) write(removed map[string]bool) ([]byte, error) {
	var out bytes.Buffer
	zw := newZipRewriter(&out, &sp.w.flaters, nil, nil).zw
	create := func(name string, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: sp.now})
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	written := 0
	for _, f := range sp.dst.files {
		k := partKey(f.Name)
		if removed[k] {
			continue
		}
		var err error
		if data, ok := sp.modified[k]; ok {
			written++
			err = create(f.Name, data)
		} else {
			err = zw.Copy(f)
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	if written != len(sp.modified) {
		return nil, errors.New("a modified part is missing from the workbook")
	}
	for _, p := range sp.added {
		if err := create(p.name, p.data); err != nil {
			return nil, fmt.Errorf("write %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// verify reopens the written package and checks its tabs and their parts.
func (sp *splicer) verify(out []byte, slots []slot, old []wbSheet) error {
	p, err := openPackage(out)
	if err != nil {
		return err
	}
	wbPart, err := workbookPart(p)
	if err != nil {
		return err
	}
	data, err := p.read(wbPart)
	if err != nil {
		return err
	}
	root, err := parseXMLTree(data)
	if err != nil {
		return err
	}
	rels, err := sp.rels(p, wbPart)
	if err != nil {
		return err
	}
	targets := make(map[string]string)
	for _, r := range rels {
		targets[r.ID] = resolveTarget(wbPart, r.Target)
	}
	var got []string
	if sheets := root.child(root.prefix, "sheets"); sheets != nil {
		for _, e := range sheets.children {
			got = append(got, attrOr(e, "name"))
			var rid string
			for _, a := range e.attrs {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
			if t, ok := targets[rid]; !ok || !p.has(t) {
				return fmt.Errorf("sheet %q has no part", attrOr(e, "name"))
			}
		}
	}
	want := make([]string, len(slots))
	for i, s := range slots {
		if s.src >= 0 {
			want[i] = sp.sheets[s.src].Name
		} else {
			want[i] = old[s.old].name
		}
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		return fmt.Errorf("sheets are %q, want %q", got, want)
	}
	return nil
}

// setAttr sets an unprefixed attribute of a start tag, adding it when
// missing.
func setAttr(tag []byte, name, value string) []byte {
	re := regexp.MustCompile(`(\s` + name + `\s*=\s*)(["'])[^"']*(["'])`)
	if re.Match(tag) {
		return re.ReplaceAll(tag, []byte("${1}${2}"+value+"${3}"))
	}
	end := len(tag) - 1
	if end > 0 && tag[end-1] == '/' {
		end--
	}
	out := append([]byte(nil), tag[:end]...)
	out = append(out, ` `+name+`="`+value+`"`...)
	return append(out, tag[end:]...)
}
