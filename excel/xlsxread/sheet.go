package xlsxread

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"aop/engine/grid"
)

// cellType is a cell's t attribute.
type cellType uint8

const (
	typeNumber cellType = iota // n, the default
	typeShared                 // s: index into the shared strings
	typeStr                    // str: a formula's string result
	typeInline                 // inlineStr: text in <is>
	typeBool                   // b
	typeError                  // e
	typeDate                   // d: ISO 8601 text
)

// maxFormulaBytes bounds the text of one formula: Excel allows 8,192
// characters, which take at most 24 KiB in UTF-8.
const maxFormulaBytes = 24 << 10

// noText marks an absent arena slice.
const noText = -1

// flushCells and flushBytes bound the cells and text held before they are
// stored in the sheet.
const (
	flushCells = 1 << 16
	flushBytes = 4 << 20
)

// pending is a cell waiting for the text read so far to be turned into one
// string. It holds no pointers, so that batches of them cost the garbage
// collector nothing.
type pending struct {
	ref  grid.Ref
	kind grid.Kind
	// src says where the value's text is: a shared string index (>= 0),
	// the arena (srcArena, between vOff and vEnd) or a constant.
	src        int32
	vOff, vEnd int32
	// fOff and fEnd delimit the formula in the arena, or are noText.
	fOff, fEnd int32
}

// Value sources of a pending cell other than shared strings.
const (
	srcArena int32 = -1 - iota
	srcTrue
	srcFalse
	srcErrors // srcErrors-i is the i-th standard error code, see errorCode
)

// sharedFormula is the anchor cell of a shared formula group.
type sharedFormula struct {
	at      grid.Ref
	formula string
}

// follower is a shared-formula cell met before its group's anchor.
type follower struct {
	at grid.Ref
	si int
}

// sheetReader turns worksheet XML into cells. One reader serves all the
// sheets of a workbook so that its buffers are reused.
type sheetReader struct {
	s        *scanner
	sst      []string
	formulas bool
	date1904 bool
	cells    *int // non-empty cells read so far, in all sheets
	maxCells int
	// expand is what remains of maxExpand, the bytes that translated
	// shared formulas may take in all sheets.
	expand, maxExpand int64

	// general turns fastCell off, for tests that compare both ways.
	general bool

	sheet     *grid.Sheet
	row, col  int // current row, column of the last cell
	arena     []byte
	pend      []pending
	shared    map[int]sharedFormula
	followers []follower
	ftmp      []byte
}

// spare returns the reader with its buffers kept for the next workbook
// and everything else dropped, or nil when its buffers are too large to
// keep.
func (r *sheetReader) spare() *sheetReader {
	if r == nil || cap(r.arena) > maxSpareBuf || cap(r.pend) > flushCells || cap(r.followers) > flushCells ||
		cap(r.ftmp) > maxSpareBuf || cap(r.s.scratch) > maxSpareBuf || cap(r.s.abuf) > maxSpareBuf {
		return nil
	}
	s := r.s
	*s = scanner{attrs: s.attrs[:0], stack: s.stack[:0], scratch: s.scratch[:0], abuf: s.abuf[:0]}
	if cap(s.attrs) > 1<<10 || cap(s.stack) > 1<<10 { // a hostile part's
		s.attrs, s.stack = nil, nil
	}
	shared := r.shared
	if len(shared) > 1<<10 {
		shared = nil
	}
	clear(shared)
	*r = sheetReader{s: s, arena: r.arena[:0], pend: r.pend[:0], shared: shared, followers: r.followers[:0], ftmp: r.ftmp[:0]}
	return r
}

// read reads one worksheet part into sheet.
func (r *sheetReader) read(b []byte, part string, sheet *grid.Sheet) error {
	if !utf8.Valid(b) {
		return fail(Malformed, part, "the part is not valid UTF-8")
	}
	s := r.s
	s.reset(b, part)
	r.sheet = sheet
	r.row, r.col = 0, 0
	r.arena = r.arena[:0]
	r.pend = r.pend[:0]
	// Size the batch for the part: a stored cell takes at least about 24
	// bytes of XML, and most values are a few bytes long.
	if want := min(len(b)/24, flushCells); cap(r.pend) < want {
		r.pend = make([]pending, 0, want)
	}
	if want := min(len(b)/8, flushBytes); cap(r.arena) < want {
		r.arena = make([]byte, 0, want)
	}
	r.followers = r.followers[:0]
	clear(r.shared)
	inData := false
	for {
		if inData && !r.general {
			ok, err := r.fastCell()
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if s.kind == tokEnd {
			if string(s.local) == "sheetData" {
				inData = false
			}
			continue
		}
		switch string(s.local) {
		case "sheetData":
			inData = s.kind == tokStart
		case "row":
			if inData {
				if err := r.startRow(); err != nil {
					return err
				}
			}
		case "c":
			if inData {
				if err := r.cell(); err != nil {
					return err
				}
			}
		case "mergeCell":
			if err := r.merge(); err != nil {
				return err
			}
		}
	}
	r.flush()
	return r.resolveFollowers()
}

func (r *sheetReader) errorf(format string, args ...any) error { return r.s.errorf(format, args...) }

// startRow reads a <row> tag: its r attribute, or the row after the last.
func (r *sheetReader) startRow() error {
	r.col = 0
	if v, ok := r.s.attr("r"); ok {
		n, ok := parseRowNum(v)
		if !ok {
			return r.errorf("row number %q is not between 1 and %d", clip(v), grid.MaxRows)
		}
		r.row = n
		return nil
	}
	if r.row >= grid.MaxRows {
		return r.errorf("more than %d rows", grid.MaxRows)
	}
	r.row++
	return nil
}

func parseRowNum(b []byte) (int, bool) {
	b = trimSpace(b)
	if len(b) == 0 || len(b) > 7 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= grid.MaxRows
}

// parseCellRef reads an A1 reference without $ markers.
func parseCellRef(b []byte) (grid.Ref, bool) {
	i, col := 0, 0
	for i < len(b) && isLetter(b[i]) && i < 4 {
		col = col*26 + int(b[i]|0x20-'a'+1)
		i++
	}
	if i == 0 || i > 3 || col > grid.MaxCols {
		return grid.Ref{}, false
	}
	row, ok := parseRowNum(b[i:])
	return grid.Ref{Row: row, Col: col}, ok
}

// cell reads a <c> element.
func (r *sheetReader) cell() error {
	s := r.s
	typ := typeNumber
	var at grid.Ref
	hasRef := false
	for _, a := range s.attrs {
		switch string(s.bytes(a.local)) {
		case "r":
			v, err := s.attrValue(a)
			if err != nil {
				return err
			}
			ref, ok := parseCellRef(v)
			if !ok {
				return r.errorf("cell reference %q is not a cell of the sheet's %d rows and %d columns", clip(v), grid.MaxRows, grid.MaxCols)
			}
			at, hasRef = ref, true
		case "t":
			v, err := s.attrValue(a)
			if err != nil {
				return err
			}
			t, ok := parseCellType(v)
			if !ok {
				return r.errorf("unknown cell type %q", clip(v))
			}
			typ = t
		}
	}
	at, err := r.place(at, hasRef)
	if err != nil || s.kind == tokEmpty {
		return err
	}

	p := pending{ref: at, src: srcArena, vOff: noText, vEnd: noText, fOff: noText, fEnd: noText}
	if ok, err := r.fastValue(&p, typ); ok || err != nil {
		if err != nil || p.kind == grid.Empty {
			return err
		}
		return r.store(&p)
	}
	hasValue, hasInline := false, false
	var fShared bool
	si := -1
	d := s.depth() - 1
	for {
		if err := s.next(); err != nil {
			if err == io.EOF {
				return r.errorf("the part ends inside cell %s", at)
			}
			return err
		}
		if s.kind == tokEnd {
			if s.depth() == d {
				break
			}
			continue
		}
		switch string(s.local) {
		case "v":
			if hasInline {
				if err := s.skipElement(); err != nil {
					return err
				}
				continue
			}
			t, err := s.text()
			if err != nil {
				return err
			}
			if err := r.value(&p, typ, t); err != nil {
				return err
			}
			hasValue = true
		case "is":
			if typ != typeInline {
				if err := s.skipElement(); err != nil {
					return err
				}
				continue
			}
			off := len(r.arena)
			a, err := s.richText(r.arena)
			if err != nil {
				return err
			}
			r.arena = a
			p.kind, p.src = grid.String, srcArena
			p.vOff, p.vEnd = int32(off), int32(len(r.arena))
			hasValue, hasInline = true, true
		case "f":
			if !r.formulas {
				if err := s.skipElement(); err != nil {
					return err
				}
				continue
			}
			shared, idx, err := r.formula(&p, at)
			if err != nil {
				return err
			}
			fShared, si = shared, idx
		default:
			if err := s.skipElement(); err != nil {
				return err
			}
		}
	}
	if fShared && p.fOff == noText {
		// A follower of a shared formula: translate the anchor's formula.
		if m, ok := r.shared[si]; ok {
			off := len(r.arena)
			r.arena = grid.AppendShifted(r.arena, m.formula, at.Row-m.at.Row, at.Col-m.at.Col)
			p.fOff, p.fEnd = int32(off), int32(len(r.arena))
			if err := r.spend(len(r.arena) - off); err != nil {
				return err
			}
		} else {
			r.followers = append(r.followers, follower{at: at, si: si})
		}
	}
	if (!hasValue || p.kind == grid.Empty) && p.fOff == noText {
		return nil
	}
	if p.kind == grid.String && p.src == srcArena && p.vOff == p.vEnd && p.fOff == noText {
		return nil // an empty string is an empty cell
	}
	return r.store(&p)
}

// place returns where a cell goes: at when its tag gave a reference,
// else the column after the last cell of the row, which becomes the last.
func (r *sheetReader) place(at grid.Ref, hasRef bool) (grid.Ref, error) {
	if !hasRef {
		if r.row == 0 {
			r.row = 1
		}
		if r.col >= grid.MaxCols {
			return at, r.errorf("more than %d columns in row %d", grid.MaxCols, r.row)
		}
		at = grid.Ref{Row: r.row, Col: r.col + 1}
	}
	r.col = at.Col
	return at, nil
}

// fastCell reads the commonest cells of sheetData without the general
// tokenizer: a <c> tag without prefixes whose attributes are double-quoted
// and free of entities, holding nothing, a <v> value without entities or
// carriage returns, and (when formulas are not read) before or after it a
// formula tag without attributes, or inline text of one plain run. It reports false, having consumed
// nothing, for anything else, which the general path reads. Problems are
// reported as the general path reports them, at the same byte.
func (r *sheetReader) fastCell() (bool, error) {
	s := r.s
	b := s.b
	i := bytes.IndexByte(b[s.pos:], '<')
	if i < 0 {
		return false, nil
	}
	q := s.pos + i + 3
	if q >= len(b) || b[q-2] != 'c' || b[q-1] != ' ' {
		return false, nil
	}
	// The tag: remember the r and t attributes in the order given.
	var ref, typ []byte
	refFirst := false
	for {
		for q < len(b) && b[q] == ' ' {
			q++
		}
		if q >= len(b) {
			return false, nil
		}
		if b[q] == '>' || b[q] == '/' {
			break
		}
		n := q
		for q < len(b) && (b[q] >= 'a' && b[q] <= 'z' || b[q] >= 'A' && b[q] <= 'Z') {
			q++
		}
		if q == n || q+1 >= len(b) || b[q] != '=' || b[q+1] != '"' {
			return false, nil
		}
		name := b[n:q]
		q += 2
		e := q // values are short: a loop beats IndexByte
		for e < len(b) && b[e] != '"' {
			if b[e] == '&' {
				return false, nil
			}
			e++
		}
		if e >= len(b) {
			return false, nil
		}
		if len(name) == 1 {
			switch name[0] {
			case 'r':
				if ref != nil {
					return false, nil
				}
				ref, refFirst = b[q:e], typ == nil
			case 't':
				if typ != nil {
					return false, nil
				}
				typ = b[q:e]
			}
		}
		q = e + 1
	}
	empty := b[q] == '/'
	if empty {
		if q+1 >= len(b) || b[q+1] != '>' {
			return false, nil
		}
		q++
	}
	q++
	afterTag := q
	// The content: formulas skipped, at most one value.
	var text, inline []byte
	valueAt := -1 // where the general path reports a bad value
	if !empty {
		for {
			if q+4 > len(b) || b[q] != '<' {
				return false, nil
			}
			if b[q+1] == '/' && b[q+2] == 'c' && b[q+3] == '>' {
				q += 4
				break
			}
			if q == afterTag && string(typ) == "inlineStr" && bytes.HasPrefix(b[q:], []byte("<is><t>")) {
				// Inline text of one plain run, alone in the cell.
				t := q + 7
				j := t
				for j < len(b) && b[j] != '<' {
					if b[j] == '&' || b[j] == '\r' {
						return false, nil
					}
					j++
				}
				if !bytes.HasPrefix(b[j:], []byte("</t></is></c>")) {
					return false, nil
				}
				inline, q = b[t:j], j+len("</t></is></c>")
				break
			}
			tag := b[q+1]
			if b[q+2] != '>' || !(tag == 'v' && text == nil || tag == 'f' && !r.formulas) {
				return false, nil
			}
			t := q + 3
			j := t
			if tag == 'v' { // values are short: a loop beats IndexByte
				for j < len(b) && b[j] != '<' {
					if b[j] == '&' || b[j] == '\r' {
						return false, nil
					}
					j++
				}
			} else if k := bytes.IndexByte(b[t:], '<'); k >= 0 {
				j = t + k
			} else {
				j = len(b)
			}
			if j+4 > len(b) || b[j+1] != '/' || b[j+2] != tag || b[j+3] != '>' {
				return false, nil
			}
			if tag == 'v' {
				text = b[t:j]
				valueAt = j + 4
				if q == afterTag && bytes.HasPrefix(b[valueAt:], []byte("</c>")) {
					valueAt = afterTag
				}
			}
			q = j + 4
		}
	}
	if err := s.tick(); err != nil {
		return true, err
	}

	s.pos = afterTag
	// As the general path, read the attributes in their order and stop at
	// the first bad one.
	var at grid.Ref
	kind := typeNumber
	var ok bool
	if typ != nil && (ref == nil || !refFirst) {
		if kind, ok = parseCellType(typ); !ok {
			return true, r.errorf("unknown cell type %q", clip(typ))
		}
	}
	if ref != nil {
		if at, ok = parseCellRef(ref); !ok {
			return true, r.errorf("cell reference %q is not a cell of the sheet's %d rows and %d columns", clip(ref), grid.MaxRows, grid.MaxCols)
		}
		if typ != nil && refFirst {
			if kind, ok = parseCellType(typ); !ok {
				return true, r.errorf("unknown cell type %q", clip(typ))
			}
		}
	}
	var err error
	if at, err = r.place(at, ref != nil); err != nil {
		return true, err
	}
	if len(inline) > 0 {
		p := pending{ref: at, kind: grid.String, src: srcArena, vOff: int32(len(r.arena)), fOff: noText, fEnd: noText}
		r.arena = appendUnescaped(r.arena, inline)
		p.vEnd = int32(len(r.arena))
		if p.vEnd > p.vOff {
			if err := r.store(&p); err != nil {
				return true, err
			}
		}
	}
	if text != nil {
		s.pos = valueAt
		p := pending{ref: at, src: srcArena, vOff: noText, vEnd: noText, fOff: noText, fEnd: noText}
		if err := r.value(&p, kind, text); err != nil {
			return true, err
		}
		if p.kind != grid.Empty {
			if err := r.store(&p); err != nil {
				return true, err
			}
		}
	}
	s.pos = q
	return true, nil
}

// fastValue reads the commonest cell body, "<v>text</v></c>" without
// prefixes, entities or line ends, without the general tokenizer. It
// reports false, having consumed nothing, for anything else.
func (r *sheetReader) fastValue(p *pending, typ cellType) (bool, error) {
	s := r.s
	if len(s.name) != 1 { // the cell tag was not plain <c>
		return false, nil
	}
	b := s.b[s.pos:]
	if len(b) < 3 || b[0] != '<' || b[1] != 'v' || b[2] != '>' {
		return false, nil
	}
	b = b[3:]
	i := bytes.IndexByte(b, '<')
	if i < 0 || !bytes.HasPrefix(b[i:], []byte("</v></c>")) {
		return false, nil
	}
	t := b[:i]
	if bytes.IndexByte(t, '&') >= 0 || bytes.IndexByte(t, '\r') >= 0 {
		return false, nil
	}
	if err := r.value(p, typ, t); err != nil {
		return true, err
	}
	s.pos += 3 + i + 8
	s.stack = s.stack[:len(s.stack)-1]
	s.kind = tokEnd
	return true, nil
}

// store counts a cell against the limit and queues it.
func (r *sheetReader) store(p *pending) error {
	*r.cells++
	if *r.cells > r.maxCells {
		return fail(TooLarge, r.s.part, "more than %d cells", r.maxCells)
	}
	r.pend = append(r.pend, *p)
	if len(r.pend) >= flushCells || len(r.arena) >= flushBytes {
		r.flush()
	}
	return nil
}

func parseCellType(v []byte) (cellType, bool) {
	switch string(v) {
	case "n", "":
		return typeNumber, true
	case "s":
		return typeShared, true
	case "str":
		return typeStr, true
	case "inlineStr":
		return typeInline, true
	case "b":
		return typeBool, true
	case "e":
		return typeError, true
	case "d":
		return typeDate, true
	}
	return 0, false
}

// value stores the text of a <v> element according to the cell type.
func (r *sheetReader) value(p *pending, typ cellType, t []byte) error {
	p.src, p.vOff, p.vEnd = srcArena, noText, noText
	switch typ {
	case typeNumber:
		t = trimSpace(t)
		if len(t) == 0 {
			p.kind = grid.Empty
			return nil
		}
		if !validNumber(t) {
			return r.errorf("cell %s holds %q where a number belongs", p.ref, clip(t))
		}
		if t[0] == '+' {
			t = t[1:]
		}
		p.kind = grid.Number
		p.vOff = int32(len(r.arena))
		r.arena = append(r.arena, t...)
		p.vEnd = int32(len(r.arena))
	case typeShared:
		n, ok := parseIndex(t)
		if !ok {
			if len(trimSpace(t)) == 0 {
				p.kind = grid.Empty
				return nil
			}
			return r.errorf("cell %s refers to shared string %q", p.ref, clip(t))
		}
		if n >= len(r.sst) {
			return r.errorf("cell %s refers to shared string %d but the file has %d", p.ref, n, len(r.sst))
		}
		p.kind, p.src = grid.String, int32(n)
		if r.sst[n] == "" {
			p.kind = grid.Empty
		}
	case typeStr, typeInline:
		p.kind = grid.String
		p.vOff = int32(len(r.arena))
		r.arena = appendUnescaped(r.arena, t)
		p.vEnd = int32(len(r.arena))
		if p.vOff == p.vEnd {
			p.kind = grid.Empty
		}
	case typeBool:
		switch string(trimSpace(t)) {
		case "1", "true", "TRUE":
			p.kind, p.src = grid.Bool, srcTrue
		case "0", "false", "FALSE":
			p.kind, p.src = grid.Bool, srcFalse
		case "":
			p.kind = grid.Empty
		default:
			return r.errorf("cell %s holds %q where TRUE or FALSE belongs", p.ref, clip(t))
		}
	case typeError:
		t = trimSpace(t)
		if len(t) == 0 {
			p.kind = grid.Empty
			return nil
		}
		p.kind = grid.Error
		if i := errorIndex(t); i >= 0 {
			p.src = srcErrors - int32(i)
			return nil
		}
		p.vOff = int32(len(r.arena))
		r.arena = appendUnescaped(r.arena, t)
		p.vEnd = int32(len(r.arena))
	case typeDate:
		if len(trimSpace(t)) == 0 {
			p.kind = grid.Empty
			return nil
		}
		off := len(r.arena)
		if a, ok := appendISODate(r.arena, t, r.date1904); ok {
			p.kind = grid.Number
			r.arena = a
		} else {
			p.kind = grid.String
			r.arena = appendUnescaped(r.arena, t)
		}
		p.vOff, p.vEnd = int32(off), int32(len(r.arena))
	}
	return nil
}

// parseIndex reads a shared string index: decimal digits, perhaps with
// surrounding white space.
func parseIndex(t []byte) (int, bool) {
	t = trimSpace(t)
	if len(t) == 0 || len(t) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range t {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// errorCodes are the standard error values, in the order of errorCode.
const errorCodes = "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A"

// errorIndex returns the position of a standard error code in errorCodes,
// or -1.
func errorIndex(t []byte) int {
	i := 0
	for code := range strings.FieldsSeq(errorCodes) {
		if string(t) == code {
			return i
		}
		i++
	}
	return -1
}

// errorCode returns the i-th standard error code.
func errorCode(i int) string {
	for code := range strings.FieldsSeq(errorCodes) {
		if i == 0 {
			return code
		}
		i--
	}
	return ""
}

// clip shortens text quoted in an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// formula reads an <f> element. It stores the formula text in p and reports
// whether the cell belongs to a shared formula group, and which.
func (r *sheetReader) formula(p *pending, at grid.Ref) (bool, int, error) {
	s := r.s
	shared, isMaster := false, false
	si := -1
	for _, a := range s.attrs {
		switch string(s.bytes(a.local)) {
		case "t":
			v, err := s.attrValue(a)
			if err != nil {
				return false, 0, err
			}
			shared = string(v) == "shared"
		case "si":
			v, err := s.attrValue(a)
			if err != nil {
				return false, 0, err
			}
			n, err := strconv.Atoi(string(trimSpace(v)))
			if err != nil || n < 0 {
				return false, 0, r.errorf("cell %s has a shared formula index %q", at, clip(v))
			}
			si = n
		case "ref":
			isMaster = true
		}
	}
	t, err := s.text()
	if err != nil {
		return false, 0, err
	}
	if len(t) > 0 && t[0] == '=' {
		t = t[1:]
	}
	if shared && si < 0 {
		return false, 0, r.errorf("cell %s has a shared formula without an index", at)
	}
	if len(t) == 0 {
		return shared, si, nil
	}
	if len(t) > maxFormulaBytes {
		return false, 0, r.errorf("cell %s has a formula of %d bytes, longer than Excel allows", at, len(t))
	}
	off := len(r.arena)
	r.arena = appendUnescaped(r.arena, t)
	p.fOff, p.fEnd = int32(off), int32(len(r.arena))
	if shared && (isMaster || r.shared[si].formula == "") {
		if r.shared == nil {
			r.shared = make(map[int]sharedFormula)
		}
		if len(r.shared) >= r.maxCells {
			return false, 0, fail(TooLarge, s.part, "more than %d shared formulas", r.maxCells)
		}
		r.shared[si] = sharedFormula{at: at, formula: string(r.arena[off:])}
	}
	return shared, si, nil
}

// spend takes n bytes of translated shared formulas from the budget: a
// small file can make each of many follower cells copy a long formula, so
// the copies are bounded like inflated data.
func (r *sheetReader) spend(n int) error {
	r.expand -= int64(n)
	if r.expand < 0 {
		return fail(TooLarge, r.s.part, "shared formulas expand to more than %d bytes", r.maxExpand)
	}
	return nil
}

// flush turns the arena into one string and stores the pending cells.
// Cells are stored in batches so that the sheet's cell map can be sized
// by the first batch, which halves the cost of storing them.
func (r *sheetReader) flush() {
	if len(r.pend) == 0 {
		r.arena = r.arena[:0]
		return
	}
	if r.sheet.Len() == 0 {
		r.sheet.Grow(len(r.pend))
	}
	text := string(r.arena)
	for i := range r.pend {
		p := &r.pend[i]
		var c grid.Cell
		if p.kind != grid.Empty {
			c.Value.Kind = p.kind
			switch {
			case p.src >= 0:
				c.Value.Text = r.sst[p.src]
			case p.src == srcArena:
				c.Value.Text = text[p.vOff:p.vEnd]
			case p.src == srcTrue:
				c.Value.Text = "TRUE"
			case p.src == srcFalse:
				c.Value.Text = "FALSE"
			default:
				c.Value.Text = errorCode(int(srcErrors - p.src))
			}
			if c.Value.Text == "" {
				c.Value = grid.Value{}
			}
		}
		if p.fOff != noText {
			c.Formula = text[p.fOff:p.fEnd]
		}
		r.sheet.Set(p.ref, c)
	}
	r.pend = r.pend[:0]
	r.arena = r.arena[:0]
}

// resolveFollowers gives formulas to shared-formula cells that came before
// their anchor. Followers whose anchor never came keep only their value.
func (r *sheetReader) resolveFollowers() error {
	for _, f := range r.followers {
		m, ok := r.shared[f.si]
		if !ok {
			continue
		}
		c := r.sheet.Cell(f.at)
		if c.IsZero() {
			*r.cells++
			if *r.cells > r.maxCells {
				return fail(TooLarge, r.s.part, "more than %d cells", r.maxCells)
			}
		}
		r.ftmp = grid.AppendShifted(r.ftmp[:0], m.formula, f.at.Row-m.at.Row, f.at.Col-m.at.Col)
		if err := r.spend(len(r.ftmp)); err != nil {
			return err
		}
		c.Formula = string(r.ftmp)
		r.sheet.Set(f.at, c)
	}
	return nil
}

// merge reads a <mergeCell ref="A1:B2"/>.
func (r *sheetReader) merge() error {
	v, ok := r.s.attr("ref")
	if !ok {
		return nil
	}
	rg, err := grid.ParseRange(string(trimSpace(v)))
	if err != nil {
		return r.errorf("merged range %q is not a range", clip(v))
	}
	if len(r.sheet.Merges) >= r.maxCells {
		return fail(TooLarge, r.s.part, "more than %d merged ranges", r.maxCells)
	}
	r.sheet.Merges = append(r.sheet.Merges, rg)
	return nil
}
