package calc

import (
	"strings"
	"unicode/utf8"
)

// criterion is a condition of SUMIF, SUMIFS, COUNTIF, COUNTIFS and
// AVERAGEIF(S): an operator and an operand, from a number (5), a boolean or
// text such as "6100", ">5", "<>", "<=3" or "Q*".
type criterion struct {
	op      op  // opEq, opNe, opLt, opLe, opGt or opGe
	operand val // kNum, kBool, or kStr ("" matches empty cells)
	pat     []patRune
}

// patRune is one element of a wildcard pattern: a literal rune (lower
// case) or a wildcard.
type patRune struct {
	r    rune
	wild byte // 0, '*' or '?'
}

func makeCriterion(v val) criterion {
	switch v.k {
	case kNum, kBool:
		return criterion{op: opEq, operand: v}
	case kEmpty:
		return criterion{op: opEq, operand: emptyText}
	}
	s := v.s
	cr := criterion{op: opEq}
	for _, p := range []struct {
		text string
		op   op
	}{{"<>", opNe}, {"<=", opLe}, {">=", opGe}, {"<", opLt}, {">", opGt}, {"=", opEq}} {
		if strings.HasPrefix(s, p.text) {
			cr.op, s = p.op, s[len(p.text):]
			break
		}
	}
	switch {
	case s == "":
		cr.operand = emptyText
	case strings.EqualFold(s, "TRUE"):
		cr.operand = valTrue
	case strings.EqualFold(s, "FALSE"):
		cr.operand = valFalse
	default:
		if f, ok := parseNumber(s); ok {
			cr.operand = num(f)
		} else {
			cr.operand = str(s)
			cr.pat = compilePattern(s)
		}
	}
	return cr
}

// match reports whether a cell meets the criterion. Equality with a number
// also matches text that reads as that number ("6100" and 6100 are the same
// account); ordering compares only values of the operand's type; text
// compares without regard to case, with wildcards for = and <>.
func (cr *criterion) match(v val) bool {
	if cr.op == opNe {
		return !cr.equal(v)
	}
	if cr.op == opEq {
		return cr.equal(v)
	}
	if v.k == kErr || v.k == kEmpty || typeRank(v.k) != typeRank(cr.operand.k) {
		return false
	}
	if cr.operand.k == kStr && cr.operand.s == "" {
		return false
	}
	d := compare(v, cr.operand)
	switch cr.op {
	case opLt:
		return d < 0
	case opLe:
		return d <= 0
	case opGt:
		return d > 0
	default:
		return d >= 0
	}
}

func (cr *criterion) equal(v val) bool {
	o := cr.operand
	switch o.k {
	case kNum:
		switch v.k {
		case kNum:
			return compare(v, o) == 0
		case kStr:
			f, ok := parseNumber(v.s)
			return ok && strings.TrimSpace(v.s) != "" && compare(num(f), o) == 0
		}
		return false
	case kBool:
		return v.k == kBool && v.n == o.n
	}
	if o.s == "" {
		return v.k == kEmpty || (v.k == kStr && v.s == "")
	}
	return v.k == kStr && matchPattern(cr.pat, v.s)
}

// compilePattern reads a wildcard pattern: * is any run of characters, ? one
// character, and ~ takes the next character literally.
func compilePattern(s string) []patRune {
	s = strings.ToLower(s)
	pat := make([]patRune, 0, len(s))
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			pat = append(pat, patRune{r: r})
			escaped = false
		case r == '~':
			escaped = true
		case r == '*' || r == '?':
			pat = append(pat, patRune{wild: byte(r)})
		default:
			pat = append(pat, patRune{r: r})
		}
	}
	if escaped {
		pat = append(pat, patRune{r: '~'})
	}
	return pat
}

// matchPattern matches the whole of s against pat without regard to case,
// backtracking only to the last star, which keeps it linear in practice.
func matchPattern(pat []patRune, s string) bool {
	s = strings.ToLower(s)
	pi, si := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(pat) {
			switch p := pat[pi]; {
			case p.wild == '*':
				star, starS = pi, si
				pi++
				continue
			case p.wild == '?' || p.r == r:
				pi++
				si += size
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		_, size = utf8.DecodeRuneInString(s[starS:])
		starS += size
		si = starS
	}
	for pi < len(pat) && pat[pi].wild == '*' {
		pi++
	}
	return pi == len(pat)
}
