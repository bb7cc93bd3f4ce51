package xlsxread

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"unicode/utf8"
)

// This file is a small, non-validating XML tokenizer for the large parts
// (worksheets and shared strings). It checks what a reader must check to be
// safe and correct: tags are closed in order, attributes are quoted,
// entities are the five predefined ones or character references, and any
// <!DOCTYPE ...> or other declaration is refused. It does not check
// namespaces (elements are matched on their local name, so <x:c> is <c>),
// duplicate attributes or the characters allowed in names.

type tokKind uint8

const (
	tokStart tokKind = iota + 1 // <a ...>
	tokEnd                      // </a>
	tokEmpty                    // <a .../>
)

// span is a range of the part's bytes. Spans rather than slices keep the
// tokenizer's bookkeeping free of pointers, which the garbage collector
// would otherwise have to track on every tag.
type span struct{ start, end int32 }

// attr is one attribute of the current tag.
type attr struct {
	local span // name without its prefix
	value span // raw value, entities not decoded
}

// scanner walks the tags of one XML part.
type scanner struct {
	b    []byte
	pos  int
	part string

	kind  tokKind
	name  []byte // qualified name of the current tag
	local []byte // name without its prefix
	attrs []attr

	stack []span // qualified names of the open elements

	scratch []byte // decoded text of the last text() call
	abuf    []byte // decoded value of the last attrValue() call

	done  <-chan struct{}
	ctx   context.Context
	ticks uint
}

func newScanner(ctx context.Context, b []byte, part string) *scanner {
	s := &scanner{ctx: ctx, done: ctx.Done()}
	s.reset(b, part)
	return s
}

func (s *scanner) reset(b []byte, part string) {
	// A UTF-8 byte order mark is allowed before the XML declaration.
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	s.b, s.pos, s.part = b, 0, part
	s.stack = s.stack[:0]
	s.kind = 0
}

// errorf returns a Malformed error for the part, with the byte offset.
func (s *scanner) errorf(format string, args ...any) error {
	return &FileError{Problem: Malformed, Part: s.part,
		Err: fmt.Errorf("at byte %d: %s", s.pos, fmt.Sprintf(format, args...))}
}

func (s *scanner) depth() int { return len(s.stack) }

// level returns the nesting level of the current tag: 0 for the root
// element, 1 for its children, and so on.
func (s *scanner) level() int {
	if s.kind == tokStart {
		return len(s.stack) - 1
	}
	return len(s.stack)
}

// bytes returns the bytes of a span.
func (s *scanner) bytes(sp span) []byte { return s.b[sp.start:sp.end] }

// top returns the name of the innermost open element.
func (s *scanner) top() []byte { return s.bytes(s.stack[len(s.stack)-1]) }

// next advances to the next tag, skipping character data, comments,
// processing instructions and CDATA sections. It returns io.EOF at the end
// of the part (an error if elements are still open), a *FileError for
// malformed XML, or the context's error once it is cancelled.
func (s *scanner) next() error {
	if err := s.tick(); err != nil {
		return err
	}
	for {
		i := bytes.IndexByte(s.b[s.pos:], '<')
		if i < 0 {
			s.pos = len(s.b)
			if len(s.stack) > 0 {
				return s.errorf("the part ends inside <%s>", clip(s.top()))
			}
			return io.EOF
		}
		s.pos += i
		if s.pos+1 >= len(s.b) {
			return s.errorf("the part ends inside a tag")
		}
		switch s.b[s.pos+1] {
		case '/':
			return s.endTag()
		case '?':
			if err := s.skipPast("?>"); err != nil {
				return err
			}
		case '!':
			if err := s.skipMarkup(); err != nil {
				return err
			}
		default:
			return s.startTag()
		}
	}
}

// tick counts a token read, and returns the context's error once it is
// cancelled (looked at every 1024 tokens).
func (s *scanner) tick() error {
	s.ticks++
	if s.ticks&1023 == 0 && s.done != nil {
		select {
		case <-s.done:
			return s.ctx.Err()
		default:
		}
	}
	return nil
}

// skipMarkup skips a comment or CDATA section at s.pos and refuses any other
// declaration (<!DOCTYPE, <!ENTITY, ...).
func (s *scanner) skipMarkup() error {
	rest := s.b[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		s.pos += 4
		return s.skipPast("-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		s.pos += 9
		return s.skipPast("]]>")
	}
	return &FileError{Problem: Malformed, Part: s.part, Err: ErrDTD}
}

// skipPast moves s.pos past the next occurrence of end.
func (s *scanner) skipPast(end string) error {
	i := bytes.Index(s.b[s.pos:], []byte(end))
	if i < 0 {
		return s.errorf("unterminated %q", end)
	}
	s.pos += i + len(end)
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func isNameEnd(c byte) bool { return isSpace(c) || c == '>' || c == '/' || c == '=' }

func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// startTag parses "<name attr="v" ...>" or ".../>" at s.pos.
func (s *scanner) startTag() error {
	b := s.b
	p := s.pos + 1
	q, colon := p, -1
	for q < len(b) && !isNameEnd(b[q]) {
		if b[q] == ':' {
			colon = q
		}
		q++
	}
	if q == p || b[p] == '<' {
		return s.errorf("a tag has no name")
	}
	s.name = b[p:q]
	s.local = b[max(p, colon+1):q]
	name := span{int32(p), int32(q)}
	s.attrs = s.attrs[:0]
	for {
		for q < len(b) && isSpace(b[q]) {
			q++
		}
		if q >= len(b) {
			return s.errorf("the part ends inside <%s>", clip(s.name))
		}
		switch b[q] {
		case '>':
			s.pos = q + 1
			s.kind = tokStart
			s.stack = append(s.stack, name)
			return nil
		case '/':
			if q+1 < len(b) && b[q+1] == '>' {
				s.pos = q + 2
				s.kind = tokEmpty
				return nil
			}
			return s.errorf("stray '/' in <%s>", clip(s.name))
		}
		n := q
		colon = -1
		for q < len(b) && !isNameEnd(b[q]) {
			if b[q] == ':' {
				colon = q
			}
			q++
		}
		if q == n {
			return s.errorf("bad attribute in <%s>", clip(s.name))
		}
		local := span{int32(max(n, colon+1)), int32(q)}
		for q < len(b) && isSpace(b[q]) {
			q++
		}
		if q >= len(b) || b[q] != '=' {
			return s.errorf("attribute %s of <%s> has no value", clip(b[n:q]), clip(s.name))
		}
		q++
		for q < len(b) && isSpace(b[q]) {
			q++
		}
		if q >= len(b) || (b[q] != '"' && b[q] != '\'') {
			return s.errorf("attribute %s of <%s> is not quoted", clip(s.bytes(local)), clip(s.name))
		}
		end := bytes.IndexByte(b[q+1:], b[q])
		if end < 0 {
			return s.errorf("unterminated attribute %s of <%s>", clip(s.bytes(local)), clip(s.name))
		}
		s.attrs = append(s.attrs, attr{local: local, value: span{int32(q + 1), int32(q + 1 + end)}})
		q += end + 2
	}
}

// endTag parses "</name>" at s.pos and closes the innermost open element.
func (s *scanner) endTag() error {
	b := s.b
	p := s.pos + 2
	q := p
	for q < len(b) && !isNameEnd(b[q]) {
		q++
	}
	name := b[p:q]
	for q < len(b) && isSpace(b[q]) {
		q++
	}
	if q >= len(b) || b[q] != '>' {
		return s.errorf("bad end tag </%s", clip(name))
	}
	if len(s.stack) == 0 {
		return s.errorf("</%s> closes no element", clip(name))
	}
	if top := s.top(); !bytes.Equal(top, name) {
		return s.errorf("</%s> closes <%s>", clip(name), clip(top))
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.name, s.local = name, localName(name)
	s.kind = tokEnd
	s.pos = q + 1
	return nil
}

// skipElement skips the content of the element whose start tag was just
// read, up to and including its end tag.
func (s *scanner) skipElement() error {
	if s.kind != tokStart {
		return nil
	}
	d := len(s.stack) - 1
	for len(s.stack) > d {
		if err := s.next(); err != nil {
			if err == io.EOF {
				return s.errorf("the part ends inside an element")
			}
			return err
		}
	}
	return nil
}

// text reads the character data of the element whose start tag was just
// read, up to and including its end tag, with entities decoded, CDATA
// sections included and line ends normalised as XML requires ("\r\n" and
// a lone "\r" become "\n"). Child elements are not allowed. The result
// points into the part or into a scratch buffer: it is valid until the next
// call.
func (s *scanner) text() ([]byte, error) {
	if s.kind != tokStart {
		return nil, nil
	}
	b := s.b
	start := s.pos
	i := bytes.IndexByte(b[start:], '<')
	if i >= 0 && start+i+1 < len(b) && b[start+i+1] == '/' {
		raw := b[start : start+i]
		if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
			s.pos = start + i
			if err := s.endTag(); err != nil {
				return nil, err
			}
			return raw, nil
		}
	}
	out := s.scratch[:0]
	var err error
	for {
		i := bytes.IndexByte(b[s.pos:], '<')
		if i < 0 {
			s.pos = len(b)
			return nil, s.errorf("the part ends inside <%s>", clip(s.top()))
		}
		if out, err = s.appendCharData(out, b[s.pos:s.pos+i]); err != nil {
			return nil, err
		}
		s.pos += i
		if s.pos+1 >= len(b) {
			return nil, s.errorf("the part ends inside a tag")
		}
		switch b[s.pos+1] {
		case '/':
			if err := s.endTag(); err != nil {
				return nil, err
			}
			s.scratch = out
			return out, nil
		case '?':
			if err := s.skipPast("?>"); err != nil {
				return nil, err
			}
		case '!':
			if bytes.HasPrefix(b[s.pos:], []byte("<![CDATA[")) {
				s.pos += 9
				j := bytes.Index(b[s.pos:], []byte("]]>"))
				if j < 0 {
					return nil, s.errorf("unterminated CDATA section")
				}
				out = appendNewlines(out, b[s.pos:s.pos+j])
				s.pos += j + 3
				continue
			}
			if err := s.skipMarkup(); err != nil {
				return nil, err
			}
		default:
			return nil, s.errorf("unexpected element inside <%s>", clip(s.top()))
		}
	}
}

// attrValue returns an attribute's value with entities decoded; the result
// is valid until the next call.
func (s *scanner) attrValue(a attr) ([]byte, error) {
	v := s.bytes(a.value)
	if bytes.IndexByte(v, '&') < 0 {
		return v, nil
	}
	v, err := s.appendCharData(s.abuf[:0], v)
	s.abuf = v
	return v, err
}

// attr returns the raw value of the attribute with the given local name.
func (s *scanner) attr(local string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(s.bytes(a.local)) == local {
			return s.bytes(a.value), true
		}
	}
	return nil, false
}

// appendNewlines appends raw text with "\r\n" and lone "\r" turned into
// "\n", as an XML processor must.
func appendNewlines(dst, raw []byte) []byte {
	for {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		dst = append(dst, '\n')
		raw = raw[i+1:]
		if len(raw) > 0 && raw[0] == '\n' {
			raw = raw[1:]
		}
	}
}

// appendCharData appends character data with line ends normalised and the
// predefined entities and character references decoded.
func (s *scanner) appendCharData(dst, raw []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return appendNewlines(dst, raw), nil
		}
		dst = appendNewlines(dst, raw[:i])
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			return nil, s.errorf("a '&' starts no entity")
		}
		ent := raw[1:semi]
		raw = raw[semi+1:]
		switch string(ent) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return nil, s.errorf("unknown or invalid entity &%s;", clip(ent))
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
}

// charRef decodes the body of a character reference ("#65", "#x41") to a
// character that XML 1.0 allows.
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	digits, base := ent[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + d
		if r > utf8.MaxRune {
			return 0, false
		}
	}
	return r, isXMLChar(r)
}

// isXMLChar reports whether XML 1.0 allows the character in a document.
func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= utf8.MaxRune)
}

// appendUnescaped appends text with the OOXML escapes "_xHHHH_" replaced by
// the UTF-16 code unit they stand for (Excel writes control characters such
// as a carriage return as "_x000D_", and a literal "_x000D_" as
// "_x005F_x000D_", where "_x005F_" is the underscore). A surrogate pair
// written as two escapes becomes one character; a lone surrogate becomes
// U+FFFD.
func appendUnescaped(dst, text []byte) []byte {
	for {
		i := bytes.Index(text, []byte("_x"))
		if i < 0 {
			return append(dst, text...)
		}
		dst = append(dst, text[:i]...)
		text = text[i:]
		u, ok := escapeAt(text)
		if !ok {
			dst = append(dst, '_', 'x')
			text = text[2:]
			continue
		}
		text = text[7:]
		r := rune(u)
		if u >= 0xD800 && u <= 0xDBFF {
			if lo, ok := escapeAt(text); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				r = 0x10000 + (rune(u)-0xD800)<<10 + (rune(lo) - 0xDC00)
				text = text[7:]
			} else {
				r = utf8.RuneError
			}
		} else if u >= 0xDC00 && u <= 0xDFFF {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// escapeAt decodes an "_xHHHH_" escape at the start of b.
func escapeAt(b []byte) (uint16, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			u = u<<4 | uint16(c-'0')
		case 'a' <= c && c <= 'f':
			u = u<<4 | uint16(c-'a'+10)
		case 'A' <= c && c <= 'F':
			u = u<<4 | uint16(c-'A'+10)
		default:
			return 0, false
		}
	}
	return u, true
}
