package xlsxread

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"unicode/utf8"
)

// parseSharedStrings reads the shared string table: one string per <si>,
// the text of its <t> elements (plain or in rich runs <r><t>) concatenated,
// phonetic runs <rPh> left out. All strings share one backing allocation.
func parseSharedStrings(ctx context.Context, b []byte, part string, maxStrings int) ([]string, error) {
	return sharedStrings(ctx, b, part, maxStrings, true)
}

// sharedStrings is parseSharedStrings; plain reads plain strings without
// the general tokenizer (tests compare both ways).
func sharedStrings(ctx context.Context, b []byte, part string, maxStrings int, plain bool) ([]string, error) {
	if !utf8.Valid(b) {
		return nil, fail(Malformed, part, "the part is not valid UTF-8")
	}
	s := newScanner(ctx, b, part)
	arena := make([]byte, 0, len(b)/2)
	var ends []int
	for {
		if plain && ends != nil && len(s.stack) == 1 {
			// The commonest string, one plain run: <si><t>text</t></si>.
			if t, ok := s.plainString(); ok {
				if len(ends) >= maxStrings {
					return nil, fail(TooLarge, part, "more than %d shared strings", maxStrings)
				}
				arena = appendUnescaped(arena, t)
				ends = append(ends, len(arena))
				if err := s.tick(); err != nil {
					return nil, err
				}
				continue
			}
		}
		err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if s.kind == tokEnd {
			continue
		}
		switch string(s.local) {
		case "sst":
			if v, ok := s.attr("uniqueCount"); ok && ends == nil {
				if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
					// Trust the count only as far as the part's size and
					// the limit allow ("<si/>" takes at least 5 bytes).
					ends = make([]int, 0, min(n, maxStrings, len(b)/5+1))
				}
			}
		case "si":
			if s.level() != 1 {
				continue
			}
			if len(ends) >= maxStrings {
				return nil, fail(TooLarge, part, "more than %d shared strings", maxStrings)
			}
			if arena, err = s.richText(arena); err != nil {
				return nil, err
			}
			ends = append(ends, len(arena))
		}
	}
	all := string(arena)
	out := make([]string, len(ends))
	prev := 0
	for i, e := range ends {
		out[i] = all[prev:e]
		prev = e
	}
	return out, nil
}

// plainString reads "<si><t>text</t></si>" next in the part, text holding
// no markup, entity or carriage return, and returns the text; it reports
// false, having consumed nothing, for anything else.
func (s *scanner) plainString() ([]byte, bool) {
	b := s.b
	i := bytes.IndexByte(b[s.pos:], '<')
	if i < 0 || !bytes.HasPrefix(b[s.pos+i:], []byte("<si><t>")) {
		return nil, false
	}
	t := s.pos + i + len("<si><t>")
	j := t
	for j < len(b) && b[j] != '<' {
		if b[j] == '&' || b[j] == '\r' {
			return nil, false
		}
		j++
	}
	if !bytes.HasPrefix(b[j:], []byte("</t></si>")) {
		return nil, false
	}
	s.pos = j + len("</t></si>")
	return b[t:j], true
}

// richText appends the text of the element (<si> or <is>) whose start tag
// was just read: its <t> children and those of its rich runs, unescaped,
// without the phonetic runs (<rPh>). It consumes the end tag.
func (s *scanner) richText(dst []byte) ([]byte, error) {
	if s.kind != tokStart {
		return dst, nil
	}
	d := s.depth() - 1
	phonetic := 0
	for {
		if err := s.next(); err != nil {
			if err == io.EOF {
				return nil, s.errorf("the part ends inside a string")
			}
			return nil, err
		}
		switch s.kind {
		case tokEnd:
			if s.depth() == d {
				return dst, nil
			}
			if string(s.local) == "rPh" && phonetic > 0 {
				phonetic--
			}
		case tokStart:
			switch string(s.local) {
			case "t":
				if phonetic > 0 {
					if err := s.skipElement(); err != nil {
						return nil, err
					}
					continue
				}
				t, err := s.text()
				if err != nil {
					return nil, err
				}
				dst = appendUnescaped(dst, t)
			case "rPh":
				phonetic++
			}
		}
	}
}
