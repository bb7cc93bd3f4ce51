package calc

import (
	"math"
	"strconv"
	"strings"

	"aop/engine/grid"
)

// kind is the type of an intermediate value. It extends grid.Kind with
// references (areas), which functions such as SUM treat differently from
// values typed into the formula.
type kind uint8

const (
	kEmpty kind = iota
	kNum
	kStr
	kBool
	kErr
	kArea
)

// val is an intermediate value. Numbers are float64, as in Sheets; the empty
// string is a kStr with s == "" (ISBLANK tells it from an empty cell), and it
// becomes the empty grid.Value only when a result leaves Eval.
type val struct {
	k kind
	n float64 // number, or 1/0 for a bool
	s string  // text or error code
	a *area   // for kArea
}

// area is a reference to a block of cells on a sheet, with the sheet's used
// size so that iteration stops where the sheet's content ends.
type area struct {
	sheet      string
	rng        grid.Range
	rows, cols int // used size of the sheet (Resolver.Bounds)
}

// Error codes, as Sheets and Excel spell them.
const (
	errNA    = "#N/A"
	errDiv0  = "#DIV/0!"
	errValue = "#VALUE!"
	errRef   = "#REF!"
	errName  = "#NAME?"
	errNum   = "#NUM!"
	errNull  = "#NULL!"
	errError = "#ERROR!"
)

var errorCodes = []string{errNA, errDiv0, errValue, errRef, errName, errNum, errNull, errError}

var (
	empty     = val{}
	valTrue   = val{k: kBool, n: 1}
	valFalse  = val{k: kBool}
	emptyText = val{k: kStr}
)

func num(f float64) val {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return errv(errNum)
	}
	return val{k: kNum, n: f}
}

// maxText is the longest text a cell holds in Sheets; longer text results
// are #VALUE!, which also bounds what nested SUBSTITUTEs can build.
const maxText = 50000

func str(s string) val {
	if len(s) > maxText {
		return errv(errValue)
	}
	return val{k: kStr, s: s}
}

func errv(code string) val { return val{k: kErr, s: code} }

func boolean(b bool) val {
	if b {
		return valTrue
	}
	return valFalse
}

func (v val) isErr() bool { return v.k == kErr }

// fromGrid converts a cell value the resolver returned.
func fromGrid(g grid.Value) val {
	switch g.Kind {
	case grid.Number:
		f, err := strconv.ParseFloat(g.Text, 64)
		if err != nil {
			// Number text the float parser refuses (out of range, or a
			// form it does not know) is taken for what it says.
			return errv(errNum)
		}
		return num(f)
	case grid.String:
		return str(g.Text)
	case grid.Bool:
		return boolean(strings.EqualFold(g.Text, "TRUE"))
	case grid.Error:
		return errv(g.Text)
	}
	return empty
}

// toGrid converts a result for the emulator. Numbers are rounded to 15
// significant digits (see formatNumber); the empty string becomes the empty
// value, as grid.Str does, because Sheets reports no effectiveValue for a
// formula whose result is "".
func toGrid(v val) grid.Value {
	switch v.k {
	case kNum:
		return grid.NumText(formatNumber(v.n))
	case kStr:
		return grid.Str(v.s)
	case kBool:
		return grid.BoolValue(v.n != 0)
	case kErr:
		return grid.ErrorValue(v.s)
	}
	return grid.Value{}
}

// round15 rounds f to 15 significant digits, the precision Sheets and Excel
// show and compare with, so that 0.1+0.2 is 0.3.
func round15(f float64) float64 {
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// formatNumber gives the text of a number result: the double rounded to 15
// significant digits, then written in the shortest form that reads back as
// that double. Numbers from 1e-6 up to 1e15 are written without exponent
// ("3850000", "3.85", "0.000125"); others as "1E+20" or "1.5E-07", which is
// how Sheets shows them and what decimal parsers accept.
func formatNumber(f float64) string {
	f = round15(f)
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'E', -1, 64)
}

// parseNumber reads text as a number the way Sheets coerces text in
// arithmetic: surrounding spaces, a sign, digits with an optional point and
// exponent, and an optional trailing percent sign. The empty string is 0.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	pct := false
	if strings.HasSuffix(s, "%") {
		pct = true
		s = strings.TrimSpace(s[:len(s)-1])
	}
	if !plainNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	if pct {
		f /= 100
	}
	return f, true
}

// plainNumber reports whether s is [+-]digits[.digits][E[+-]digits], which
// keeps ParseFloat from accepting "Inf", "NaN", hexadecimal or underscores.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// toNum coerces a scalar for arithmetic: empty is 0, TRUE is 1, numeric text
// is its number; other text is #VALUE!.
func toNum(v val) (float64, val) {
	switch v.k {
	case kNum, kBool:
		return v.n, empty
	case kEmpty:
		return 0, empty
	case kStr:
		if f, ok := parseNumber(v.s); ok {
			return f, empty
		}
		return 0, errv(errValue)
	case kErr:
		return 0, v
	}
	return 0, errv(errValue)
}

// toText coerces a scalar for concatenation and text functions.
func toText(v val) (string, val) {
	switch v.k {
	case kStr:
		return v.s, empty
	case kNum:
		return formatNumber(v.n), empty
	case kBool:
		if v.n != 0 {
			return "TRUE", empty
		}
		return "FALSE", empty
	case kErr:
		return "", v
	}
	return "", empty
}

// toBool coerces a scalar for IF, AND, OR and NOT.
func toBool(v val) (bool, val) {
	switch v.k {
	case kNum, kBool:
		return v.n != 0, empty
	case kEmpty:
		return false, empty
	case kStr:
		switch {
		case strings.EqualFold(v.s, "TRUE"):
			return true, empty
		case strings.EqualFold(v.s, "FALSE"):
			return false, empty
		}
		return false, errv(errValue)
	case kErr:
		return false, v
	}
	return false, errv(errValue)
}

// typeRank orders kinds for comparison, as Sheets and Excel do: numbers
// before text before booleans.
func typeRank(k kind) int {
	switch k {
	case kNum:
		return 0
	case kStr:
		return 1
	case kBool:
		return 2
	}
	return -1
}

// compare orders two scalars that are not errors. An empty value takes the
// other side's type (0, "" or FALSE); text compares without regard to case;
// numbers compare at 15 significant digits.
func compare(a, b val) int {
	if a.k == kEmpty && b.k == kEmpty {
		return 0
	}
	if a.k == kEmpty {
		a = zeroOf(b.k)
	}
	if b.k == kEmpty {
		b = zeroOf(a.k)
	}
	if ra, rb := typeRank(a.k), typeRank(b.k); ra != rb {
		return cmpInt(ra, rb)
	}
	switch a.k {
	case kStr:
		return strings.Compare(strings.ToLower(a.s), strings.ToLower(b.s))
	default:
		x, y := a.n, b.n
		if x == y {
			return 0
		}
		x, y = round15(x), round15(y)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
}

func zeroOf(k kind) val {
	switch k {
	case kStr:
		return emptyText
	case kBool:
		return valFalse
	}
	return num(0)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
