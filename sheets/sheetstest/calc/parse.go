package calc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"aop/engine/grid"
)

// maxDepth bounds the nesting of a formula, so that a hostile one cannot
// exhaust the stack; Sheets' own limit is lower in practice.
const maxDepth = 200

// SyntaxError is a formula that does not parse. Sheets shows such a cell as
// #ERROR!; ParseErrorValue is that value.
type SyntaxError struct {
	Src string // the formula as given
	Pos int    // byte offset where parsing stopped
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("calc: %s at offset %d of %q", e.Msg, e.Pos, e.Src)
}

// ParseErrorValue is the value Sheets shows for a formula that does not parse.
var ParseErrorValue = grid.ErrorValue(errError)

// node is a parsed expression.
type node interface {
	eval(c *ctx) val
}

type (
	numNode     struct{ v float64 }
	strNode     struct{ s string }
	boolNode    struct{ b bool }
	errNode     struct{ code string }
	missingNode struct{} // an argument left out, as in IF(A1,,1)
	refNode     struct {
		sheet string // "" for the formula's own sheet
		rng   grid.Range
	}
	nameNode  struct{ name string }
	unaryNode struct {
		neg bool
		x   node
	}
	percentNode struct{ x node }
	binaryNode  struct {
		op   op
		l, r node
	}
	callNode struct {
		name string // upper case
		fn   *function
		args []node
	}
)

// op is a binary operator.
type op uint8

const (
	opAdd op = iota
	opSub
	opMul
	opDiv
	opPow
	opConcat
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{"+", "-", "*", "/", "^", "&", "=", "<>", "<", "<=", ">", ">="}

type parser struct {
	src   string
	pos   int
	depth int
}

// Parse parses a formula without its leading "=" (a leading "=" is
// tolerated). Function names are looked up here; an unknown one parses and
// evaluates to #NAME?, as in Sheets.
func Parse(src string) (*Formula, error) {
	p := &parser{src: src}
	if len(src) > maxText {
		return nil, p.fail("formula longer than 50000 characters")
	}
	p.skipSpace()
	if p.peek() == '=' {
		p.pos++
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, p.fail("empty formula")
	}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.fail(fmt.Sprintf("unexpected %q", p.src[p.pos:p.pos+1]))
	}
	return &Formula{src: src, root: root}, nil
}

func (p *parser) fail(msg string) error {
	return &SyntaxError{Src: p.src, Pos: p.pos, Msg: msg}
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// levels are the binary operators from the loosest binding to the
// tightest, as in Sheets: comparison, "&", "+" "-", "*" "/", "^". Every
// level is left-associative (2^3^2 is 64), and "^" binds looser than
// unary minus (-2^2 is 4). Longer operators come first in a level.
var levels = [][]op{
	{opNe, opLe, opGe, opLt, opGt, opEq},
	{opConcat},
	{opAdd, opSub},
	{opMul, opDiv},
	{opPow},
}

// expr parses a comparison, the loosest binding level.
func (p *parser) expr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.fail("formula nested too deeply")
	}
	return p.binary(0)
}

// binary parses a left-associative chain of one level's operators, whose
// operands are the next level's.
func (p *parser) binary(level int) (node, error) {
	operand := func() (node, error) {
		if level+1 == len(levels) {
			return p.unary()
		}
		return p.binary(level + 1)
	}
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		o, ok := p.operator(levels[level])
		if !ok {
			return l, nil
		}
		p.pos += len(opText[o])
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &binaryNode{op: o, l: l, r: r}
	}
}

// operator returns the operator of ops at the parser's position.
func (p *parser) operator(ops []op) (op, bool) {
	for _, o := range ops {
		if strings.HasPrefix(p.src[p.pos:], opText[o]) {
			return o, true
		}
	}
	return 0, false
}

func (p *parser) unary() (node, error) {
	p.skipSpace()
	switch p.peek() {
	case '-', '+':
		neg := p.peek() == '-'
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.fail("formula nested too deeply")
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if !neg {
			return x, nil
		}
		if n, ok := x.(*numNode); ok {
			return &numNode{v: -n.v}, nil
		}
		return &unaryNode{neg: true, x: x}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if p.peek() != '%' {
			return x, nil
		}
		p.pos++
		x = &percentNode{x: x}
	}
}

func (p *parser) primary() (node, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of formula")
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.fail("missing )")
		}
		p.pos++
		return x, nil
	case c == '"':
		return p.stringLit()
	case c == '#':
		return p.errorLit()
	case c == '\'':
		return p.quotedSheetRef()
	case isDigit(c) || c == '.':
		if rng, n, ok := scanRange(p.src[p.pos:]); ok {
			p.pos += n
			return &refNode{rng: rng}, nil
		}
		return p.number()
	case c == '$':
		if rng, n, ok := scanRange(p.src[p.pos:]); ok {
			p.pos += n
			return &refNode{rng: rng}, nil
		}
		return nil, p.fail("bad reference")
	}
	word := scanWord(p.src[p.pos:])
	if word == "" {
		return nil, p.fail(fmt.Sprintf("unexpected %q", p.src[p.pos:p.pos+1]))
	}
	after := p.pos + len(word)
	if after < len(p.src) && p.src[after] == '!' {
		p.pos = after + 1
		return p.sheetRef(word)
	}
	// A function call: the word is followed by "(" (LOG10( is a call, not
	// the cell LOG10).
	q := after
	for q < len(p.src) && (p.src[q] == ' ' || p.src[q] == '\t') {
		q++
	}
	if q < len(p.src) && p.src[q] == '(' {
		p.pos = q + 1
		return p.call(word)
	}
	if rng, n, ok := scanRange(p.src[p.pos:]); ok {
		p.pos += n
		return &refNode{rng: rng}, nil
	}
	p.pos = after
	switch strings.ToUpper(word) {
	case "TRUE":
		return &boolNode{b: true}, nil
	case "FALSE":
		return &boolNode{b: false}, nil
	}
	return &nameNode{name: word}, nil
}

// scanWord returns the identifier at the start of s: a letter, "_" or "\"
// followed by letters, digits, "_" and ".".
func scanWord(s string) string {
	i := 0
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		ok := r == '_' || r == '\\' || unicode.IsLetter(r)
		if i > 0 {
			ok = ok || r == '.' || unicode.IsDigit(r)
		}
		if !ok {
			break
		}
		i += size
	}
	return s[:i]
}

// isWordByte reports whether c may continue an identifier; a reference
// followed by one (A1B, A1_x) is a name, not a reference.
func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '\\' || isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= utf8.RuneSelf
}

func endsWord(s string, n int) bool { return n >= len(s) || !isWordByte(s[n]) }

// scanRange reads a reference at the start of s: a cell (B2, $B$2), a range
// of cells (A1:B3), an open-ended range (A2:B, down to the last row), whole
// columns (A:C) or whole rows (3:5). Whole and open-ended ranges extend to
// grid.MaxRows and grid.MaxCols; Eval clips them to the sheet's used size.
func scanRange(s string) (grid.Range, int, bool) {
	if from, n, ok := grid.ScanRef(s); ok && endsWord(s, n) && !followedByParen(s, n) {
		if n < len(s) && s[n] == ':' {
			if to, m, ok := grid.ScanRef(s[n+1:]); ok && endsWord(s, n+1+m) {
				return normRange(from, to), n + 1 + m, true
			}
			if col, m, ok := scanCol(s[n+1:]); ok && endsWord(s, n+1+m) {
				return normRange(from, grid.R(grid.MaxRows, col)), n + 1 + m, true
			}
		}
		return grid.Range{From: from, To: from}, n, true
	}
	if c1, n, ok := scanCol(s); ok && n < len(s) && s[n] == ':' {
		if c2, m, ok := scanCol(s[n+1:]); ok && endsWord(s, n+1+m) {
			return normRange(grid.R(1, c1), grid.R(grid.MaxRows, c2)), n + 1 + m, true
		}
	}
	if r1, n, ok := scanRow(s); ok && n < len(s) && s[n] == ':' {
		if r2, m, ok := scanRow(s[n+1:]); ok && endsWord(s, n+1+m) {
			return normRange(grid.R(r1, 1), grid.R(r2, grid.MaxCols)), n + 1 + m, true
		}
	}
	return grid.Range{}, 0, false
}

func followedByParen(s string, n int) bool {
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	return n < len(s) && s[n] == '('
}

func normRange(a, b grid.Ref) grid.Range {
	return grid.Range{
		From: grid.R(min(a.Row, b.Row), min(a.Col, b.Col)),
		To:   grid.R(max(a.Row, b.Row), max(a.Col, b.Col)),
	}
}

// scanCol reads "$"? letters (a column without a row).
func scanCol(s string) (int, int, bool) {
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	col, start := 0, i
	for i < len(s) {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > grid.MaxCols {
			return 0, 0, false
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	return col, i, true
}

// scanRow reads "$"? digits (a row without a column).
func scanRow(s string) (int, int, bool) {
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	row, start := 0, i
	for i < len(s) && isDigit(s[i]) {
		row = row*10 + int(s[i]-'0')
		if row > grid.MaxRows {
			return 0, 0, false
		}
		i++
	}
	if i == start || row == 0 {
		return 0, 0, false
	}
	return row, i, true
}

func (p *parser) quotedSheetRef() (node, error) {
	name, err := p.quoted('\'', "sheet name")
	if err != nil {
		return nil, err
	}
	if p.peek() != '!' {
		return nil, p.fail("missing ! after sheet name")
	}
	p.pos++
	if name == "" {
		return nil, p.fail("empty sheet name")
	}
	return p.sheetRef(name)
}

// quoted reads text between quote characters q at the parser's position,
// a doubled q standing for one.
func (p *parser) quoted(q byte, what string) (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		i := strings.IndexByte(p.src[p.pos:], q)
		if i < 0 {
			p.pos = start
			return "", p.fail("unterminated " + what)
		}
		b.WriteString(p.src[p.pos : p.pos+i])
		p.pos += i + 1
		if p.peek() != q {
			return b.String(), nil
		}
		b.WriteByte(q)
		p.pos++
	}
}

func (p *parser) sheetRef(sheet string) (node, error) {
	rng, n, ok := scanRange(p.src[p.pos:])
	if !ok {
		return nil, p.fail("bad reference after sheet name")
	}
	p.pos += n
	return &refNode{sheet: sheet, rng: rng}, nil
}

func (p *parser) stringLit() (node, error) {
	text, err := p.quoted('"', "string")
	if err != nil {
		return nil, err
	}
	return &strNode{s: text}, nil
}

func (p *parser) errorLit() (node, error) {
	rest := p.src[p.pos:]
	for _, code := range errorCodes {
		if len(rest) >= len(code) && strings.EqualFold(rest[:len(code)], code) {
			p.pos += len(code)
			return &errNode{code: code}, nil
		}
	}
	return nil, p.fail("unknown error literal")
}

func (p *parser) number() (node, error) {
	s := p.src[p.pos:]
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	if i == 1 && s[0] == '.' {
		return nil, p.fail("bad number")
	}
	if !endsWord(s, i) {
		return nil, p.fail("bad number")
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return nil, p.fail("number out of range")
	}
	p.pos += i
	return &numNode{v: f}, nil
}

func (p *parser) call(word string) (node, error) {
	name := strings.ToUpper(word)
	c := &callNode{name: name, fn: functions[name]}
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
		return c, nil
	}
	for {
		p.skipSpace()
		var arg node = missingNode{}
		if ch := p.peek(); ch != ',' && ch != ')' {
			var err error
			if arg, err = p.expr(); err != nil {
				return nil, err
			}
			p.skipSpace()
		}
		c.args = append(c.args, arg)
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return c, nil
		default:
			if p.pos >= len(p.src) {
				return nil, p.fail("missing ) after arguments of " + name)
			}
			return nil, p.fail(fmt.Sprintf("unexpected %q in arguments of %s", p.src[p.pos:p.pos+1], name))
		}
	}
}
