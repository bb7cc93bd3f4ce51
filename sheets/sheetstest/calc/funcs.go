package calc

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// function is a built-in spreadsheet function. It receives its arguments
// unevaluated, so that IF and IFERROR evaluate only what they need and SUM
// can tell a range from a value.
type function struct {
	min, max int // argument counts; max -1 for any number
	call     func(c *ctx, args []node) val
}

// functions maps upper-case names to the built-in functions.
var functions = map[string]*function{
	// Aggregates.
	"SUM":        {1, -1, fnSum},
	"PRODUCT":    {1, -1, fnProduct},
	"AVERAGE":    {1, -1, fnAverage},
	"MIN":        {1, -1, fnMin},
	"MAX":        {1, -1, fnMax},
	"COUNT":      {1, -1, fnCount},
	"COUNTA":     {1, -1, fnCountA},
	"COUNTBLANK": {1, 1, fnCountBlank},
	"SUMPRODUCT": {1, -1, fnSumProduct},
	"SUMIF":      {2, 3, conditionalSum(false)},
	"SUMIFS":     {3, -1, conditionalSum(true)},
	"COUNTIF":    {2, 2, fnCountIf},
	"COUNTIFS":   {2, -1, fnCountIfs},
	"AVERAGEIF":  {2, 3, conditionalAverage(false)},
	"AVERAGEIFS": {3, -1, conditionalAverage(true)},

	// Logic.
	"IF":      {2, 3, fnIf},
	"IFS":     {2, -1, fnIfs},
	"IFERROR": {1, 2, fnIfError},
	"IFNA":    {2, 2, fnIfNA},
	"AND":     {1, -1, fnAnd},
	"OR":      {1, -1, fnOr},
	"XOR":     {1, -1, fnXor},
	"NOT":     {1, 1, fnNot},
	"TRUE":    {0, 0, func(*ctx, []node) val { return valTrue }},
	"FALSE":   {0, 0, func(*ctx, []node) val { return valFalse }},

	// Maths.
	"ROUND":     {1, 2, roundFunc(roundHalf)},
	"ROUNDUP":   {1, 2, roundFunc(roundUp)},
	"ROUNDDOWN": {1, 2, roundFunc(roundDown)},
	"INT":       {1, 1, fnInt},
	"ABS":       {1, 1, mathFunc(math.Abs)},
	"SIGN":      {1, 1, fnSign},
	"SQRT":      {1, 1, fnSqrt},
	"MOD":       {2, 2, fnMod},
	"POWER":     {2, 2, fnPower},

	// Lookup.
	"MATCH":   {2, 3, fnMatch},
	"INDEX":   {2, 3, fnIndex},
	"VLOOKUP": {3, 4, lookupFunc(false)},
	"HLOOKUP": {3, 4, lookupFunc(true)},
	"ROWS":    {1, 1, areaSize((*area).height)},
	"COLUMNS": {1, 1, areaSize((*area).width)},

	// Information.
	"ISBLANK":   {1, 1, fnIsBlank},
	"ISNUMBER":  {1, 1, isFunc(func(v val) bool { return v.k == kNum })},
	"ISTEXT":    {1, 1, isFunc(func(v val) bool { return v.k == kStr })},
	"ISLOGICAL": {1, 1, isFunc(func(v val) bool { return v.k == kBool })},
	"ISERROR":   {1, 1, isFunc(func(v val) bool { return v.k == kErr })},
	"ISERR":     {1, 1, isFunc(func(v val) bool { return v.k == kErr && v.s != errNA })},
	"ISNA":      {1, 1, isFunc(func(v val) bool { return v.k == kErr && v.s == errNA })},
	"NA":        {0, 0, func(*ctx, []node) val { return errv(errNA) }},
	"N":         {1, 1, fnN},

	// Text.
	"LEN":         {1, 1, fnLen},
	"CONCATENATE": {1, -1, fnConcat},
	"CONCAT":      {1, -1, fnConcat},
	"UPPER":       {1, 1, textFunc(strings.ToUpper)},
	"LOWER":       {1, 1, textFunc(strings.ToLower)},
	"TRIM":        {1, 1, textFunc(trimSpaces)},
	"LEFT":        {1, 2, fnLeft},
	"RIGHT":       {1, 2, fnRight},
	"MID":         {3, 3, fnMid},
	"SUBSTITUTE":  {3, 4, fnSubstitute},
	"VALUE":       {1, 1, fnValue},
	"TEXT":        {2, 2, fnText},
	"EXACT":       {2, 2, fnExact},
}

func fnSum(c *ctx, args []node) val {
	var s float64
	if e := c.numbers(args, func(f float64) { s += f }); e.isErr() {
		return e
	}
	return num(s)
}

func fnProduct(c *ctx, args []node) val {
	p, seen := 1.0, false
	if e := c.numbers(args, func(f float64) { p *= f; seen = true }); e.isErr() {
		return e
	}
	if !seen {
		return num(0)
	}
	return num(p)
}

func fnAverage(c *ctx, args []node) val {
	var s float64
	n := 0
	if e := c.numbers(args, func(f float64) { s += f; n++ }); e.isErr() {
		return e
	}
	if n == 0 {
		return errv(errDiv0)
	}
	return num(s / float64(n))
}

func fnMin(c *ctx, args []node) val {
	m, seen := math.Inf(1), false
	if e := c.numbers(args, func(f float64) { m = min(m, f); seen = true }); e.isErr() {
		return e
	}
	if !seen {
		return num(0)
	}
	return num(m)
}

func fnMax(c *ctx, args []node) val {
	m, seen := math.Inf(-1), false
	if e := c.numbers(args, func(f float64) { m = max(m, f); seen = true }); e.isErr() {
		return e
	}
	if !seen {
		return num(0)
	}
	return num(m)
}

// fnCount counts numbers: in ranges only numbers, among direct arguments
// also booleans and numeric text. Errors are not counted and do not
// propagate.
func fnCount(c *ctx, args []node) val {
	n := 0
	c.values(args, func(v val, inRange bool) val {
		switch v.k {
		case kNum:
			n++
		case kBool:
			if !inRange {
				n++
			}
		case kStr:
			if _, ok := parseNumber(v.s); ok && !inRange && strings.TrimSpace(v.s) != "" {
				n++
			}
		}
		return empty
	})
	return num(float64(n))
}

// fnCountA counts values that are not empty cells.
func fnCountA(c *ctx, args []node) val {
	n := 0
	c.values(args, func(v val, inRange bool) val {
		if v.k != kEmpty || !inRange {
			n++
		}
		return empty
	})
	return num(float64(n))
}

func fnCountBlank(c *ctx, args []node) val {
	v := args[0].eval(c)
	if v.k != kArea {
		return errv(errValue)
	}
	a := v.a
	filled := 0
	c.each(a, func(v val) bool {
		if v.k != kEmpty && !(v.k == kStr && v.s == "") {
			filled++
		}
		return true
	})
	return num(float64(a.height()*a.width() - filled))
}

func fnSumProduct(c *ctx, args []node) val {
	var areas []*area
	for _, n := range args {
		v := n.eval(c)
		switch v.k {
		case kErr:
			return v
		case kArea:
			areas = append(areas, v.a)
		default:
			return errv(errValue)
		}
	}
	h, w := areas[0].height(), areas[0].width()
	uh, uw := 0, 0
	for _, a := range areas {
		if a.height() != h || a.width() != w {
			return errv(errValue)
		}
		uh, uw = max(uh, a.usedHeight()), max(uw, a.usedWidth())
	}
	var s float64
	for i := range uh {
		for j := range uw {
			p := 1.0
			for _, a := range areas {
				v := c.cell(a, a.rng.From.Row+i, a.rng.From.Col+j)
				switch v.k {
				case kErr:
					return v
				case kNum:
					p *= v.n
				default:
					p = 0
				}
			}
			s += p
		}
	}
	return num(s)
}

// conditional evaluates the range/criterion pairs of the *IF(S) functions
// and calls fn with the offset of every cell that meets all criteria.
// outside is the number of cells beyond the sheets' content (all empty)
// that meet them too. Ranges must all have the shape of the first one.
func (c *ctx) conditional(pairs []node, fn func(i, j int)) (h, w, outside int, e val) {
	var areas []*area
	var crits []criterion
	for k := 0; k+1 < len(pairs); k += 2 {
		v := pairs[k].eval(c)
		if v.isErr() {
			return 0, 0, 0, v
		}
		if v.k != kArea {
			return 0, 0, 0, errv(errValue)
		}
		cv := c.scalar(pairs[k+1])
		if cv.isErr() {
			return 0, 0, 0, cv
		}
		areas = append(areas, v.a)
		crits = append(crits, makeCriterion(cv))
	}
	h, w = areas[0].height(), areas[0].width()
	uh, uw := 0, 0
	for _, a := range areas {
		if a.height() != h || a.width() != w {
			return 0, 0, 0, errv(errValue)
		}
		uh, uw = max(uh, a.usedHeight()), max(uw, a.usedWidth())
	}
	for i := range uh {
		for j := range uw {
			ok := true
			for k, a := range areas {
				if !crits[k].match(c.cell(a, a.rng.From.Row+i, a.rng.From.Col+j)) {
					ok = false
					break
				}
			}
			if ok {
				fn(i, j)
			}
		}
	}
	for k := range crits {
		if !crits[k].match(empty) {
			return h, w, 0, empty
		}
	}
	return h, w, h*w - uh*uw, empty
}

// sumRange returns the range whose cells SUMIF(S) adds, checked against
// (or, for SUMIF, resized to) the criteria ranges' shape.
func (c *ctx) sumRange(n node) (*area, val) {
	v := n.eval(c)
	if v.isErr() {
		return nil, v
	}
	if v.k != kArea {
		return nil, errv(errValue)
	}
	return v.a, empty
}

// sumIfs adds (and counts) the numbers of target at the offsets that meet
// the criteria of pairs.
func (c *ctx) sumIfs(target *area, pairs []node, resize bool) (float64, int, val) {
	var s float64
	n := 0
	var bad val
	h, w, _, e := c.conditional(pairs, func(i, j int) {
		v := c.cell(target, target.rng.From.Row+i, target.rng.From.Col+j)
		switch v.k {
		case kNum:
			s += v.n
			n++
		case kErr:
			if !bad.isErr() {
				bad = v
			}
		}
	})
	if e.isErr() {
		return 0, 0, e
	}
	if !resize && (target.height() != h || target.width() != w) {
		return 0, 0, errv(errValue)
	}
	if bad.isErr() {
		return 0, 0, bad
	}
	return s, n, empty
}

// matchingSum sums and counts the target cells whose criteria hold:
// SUMIFS order (target, then range and criterion pairs) when ifs is set,
// SUMIF order (range, criterion, optional target) otherwise.
func (c *ctx) matchingSum(args []node, ifs bool) (float64, int, val) {
	target, e := c.sumRange(args[0])
	if e.isErr() {
		return 0, 0, e
	}
	if ifs {
		return c.sumIfs(target, args[1:], false)
	}
	if len(args) == 3 {
		if target, e = c.sumRange(args[2]); e.isErr() {
			return 0, 0, e
		}
	}
	return c.sumIfs(target, args[:2], true)
}

// conditionalSum is SUMIF and SUMIFS; conditionalAverage AVERAGEIF and
// AVERAGEIFS (#DIV/0! when no cell matches).
func conditionalSum(ifs bool) func(*ctx, []node) val {
	return func(c *ctx, args []node) val {
		if ifs && len(args)%2 != 1 {
			return errv(errNA)
		}
		s, _, e := c.matchingSum(args, ifs)
		if e.isErr() {
			return e
		}
		return num(s)
	}
}

func conditionalAverage(ifs bool) func(*ctx, []node) val {
	return func(c *ctx, args []node) val {
		if ifs && len(args)%2 != 1 {
			return errv(errNA)
		}
		s, n, e := c.matchingSum(args, ifs)
		if e.isErr() {
			return e
		}
		if n == 0 {
			return errv(errDiv0)
		}
		return num(s / float64(n))
	}
}

func fnCountIfs(c *ctx, args []node) val {
	if len(args)%2 != 0 {
		return errv(errNA)
	}
	n := 0
	_, _, outside, e := c.conditional(args, func(int, int) { n++ })
	if e.isErr() {
		return e
	}
	return num(float64(n + outside))
}

func fnCountIf(c *ctx, args []node) val { return fnCountIfs(c, args) }

func fnIf(c *ctx, args []node) val {
	b, e := toBool(c.scalar(args[0]))
	if e.isErr() {
		return e
	}
	if b {
		return args[1].eval(c)
	}
	if len(args) < 3 {
		return valFalse
	}
	return args[2].eval(c)
}

func fnIfs(c *ctx, args []node) val {
	if len(args)%2 != 0 {
		return errv(errNA)
	}
	for k := 0; k < len(args); k += 2 {
		b, e := toBool(c.scalar(args[k]))
		if e.isErr() {
			return e
		}
		if b {
			return args[k+1].eval(c)
		}
	}
	return errv(errNA)
}

func fnIfError(c *ctx, args []node) val {
	v := c.scalar(args[0])
	if v.isErr() {
		if len(args) < 2 {
			return empty
		}
		return args[1].eval(c)
	}
	return v
}

func fnIfNA(c *ctx, args []node) val {
	v := c.scalar(args[0])
	if v.k == kErr && v.s == errNA {
		return args[1].eval(c)
	}
	return v
}

// logical folds the truth values of args: in ranges booleans and numbers
// count and the rest is skipped; direct arguments are coerced. No value at
// all is #VALUE!.
func (c *ctx) logical(args []node, fn func(b bool)) val {
	seen := false
	e := c.values(args, func(v val, inRange bool) val {
		if inRange && v.k != kNum && v.k != kBool && v.k != kErr {
			return empty
		}
		if v.k == kEmpty {
			return empty
		}
		b, e := toBool(v)
		if e.isErr() {
			return e
		}
		fn(b)
		seen = true
		return empty
	})
	if e.isErr() {
		return e
	}
	if !seen {
		return errv(errValue)
	}
	return empty
}

func fnAnd(c *ctx, args []node) val {
	r := true
	if e := c.logical(args, func(b bool) { r = r && b }); e.isErr() {
		return e
	}
	return boolean(r)
}

func fnOr(c *ctx, args []node) val {
	r := false
	if e := c.logical(args, func(b bool) { r = r || b }); e.isErr() {
		return e
	}
	return boolean(r)
}

func fnXor(c *ctx, args []node) val {
	r := false
	if e := c.logical(args, func(b bool) { r = r != b }); e.isErr() {
		return e
	}
	return boolean(r)
}

func fnNot(c *ctx, args []node) val {
	b, e := toBool(c.scalar(args[0]))
	if e.isErr() {
		return e
	}
	return boolean(!b)
}

// roundMode says which way ROUND, ROUNDUP and ROUNDDOWN go.
type roundMode uint8

const (
	roundHalf roundMode = iota // half away from zero
	roundUp                    // away from zero
	roundDown                  // toward zero
)

func roundFunc(mode roundMode) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val {
		x, e := c.numArg(args[0])
		if e.isErr() {
			return e
		}
		places, e := c.optInt(args, 1, 0)
		if e.isErr() {
			return e
		}
		return num(roundDigits(x, places, mode))
	}
}

// roundDigits rounds x to places decimal places (negative places round to
// tens, hundreds…). It works on x's 15 significant digits in decimal, so
// that ROUND(2.675, 2) is 2.68 and ROUNDUP(0.1+0.2, 1) is 0.3, as people
// expect and spreadsheets answer.
func roundDigits(x float64, places int, mode roundMode) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	neg := x < 0
	// d.dddddddddddddde±XX: 15 significant digits.
	s := strconv.FormatFloat(math.Abs(x), 'e', 14, 64)
	exp, _ := strconv.Atoi(s[17:])
	digits := s[:1] + s[2:16]
	keep := exp + 1 + places // digits kept of the 15
	var n int64
	switch {
	case keep >= 15:
		r, _ := strconv.ParseFloat(s, 64)
		if neg {
			r = -r
		}
		return r
	case keep < 0:
		// x is below half a unit of the last place.
		if mode == roundUp {
			n = 1
		}
	default:
		n, _ = strconv.ParseInt("0"+digits[:keep], 10, 64)
		rest := digits[keep:]
		switch mode {
		case roundHalf:
			if rest[0] >= '5' {
				n++
			}
		case roundUp:
			if strings.TrimRight(rest, "0") != "" {
				n++
			}
		}
	}
	r, err := strconv.ParseFloat(strconv.FormatInt(n, 10)+"e"+strconv.Itoa(-places), 64)
	if err != nil && !math.IsInf(r, 0) {
		return math.NaN()
	}
	if neg {
		r = -r
	}
	return r
}

func fnInt(c *ctx, args []node) val {
	x, e := c.numArg(args[0])
	if e.isErr() {
		return e
	}
	return num(math.Floor(round15(x)))
}

func mathFunc(f func(float64) float64) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val {
		x, e := c.numArg(args[0])
		if e.isErr() {
			return e
		}
		return num(f(x))
	}
}

func fnSign(c *ctx, args []node) val {
	x, e := c.numArg(args[0])
	if e.isErr() {
		return e
	}
	switch {
	case x > 0:
		return num(1)
	case x < 0:
		return num(-1)
	}
	return num(0)
}

func fnSqrt(c *ctx, args []node) val {
	x, e := c.numArg(args[0])
	if e.isErr() {
		return e
	}
	if x < 0 {
		return errv(errNum)
	}
	return num(math.Sqrt(x))
}

// fnMod takes the sign of the divisor, as spreadsheets do: MOD(-1, 3) is 2.
func fnMod(c *ctx, args []node) val {
	a, e := c.numArg(args[0])
	if e.isErr() {
		return e
	}
	b, e := c.numArg(args[1])
	if e.isErr() {
		return e
	}
	if b == 0 {
		return errv(errDiv0)
	}
	return num(a - b*math.Floor(a/b))
}

func fnPower(c *ctx, args []node) val {
	a, e := c.numArg(args[0])
	if e.isErr() {
		return e
	}
	b, e := c.numArg(args[1])
	if e.isErr() {
		return e
	}
	return power(a, b)
}

// lineArg evaluates a one-row or one-column range for MATCH.
func (c *ctx) lineArg(n node) (*area, val) {
	v := n.eval(c)
	if v.isErr() {
		return nil, v
	}
	if v.k != kArea || (v.a.height() != 1 && v.a.width() != 1) {
		return nil, errv(errNA)
	}
	return v.a, empty
}

// fnMatch finds the position of a value: type 0 the first equal one (text
// without regard to case, with wildcards), type 1 (the default) the last
// one not greater in an ascending list, type -1 the last one not less in a
// descending list.
func fnMatch(c *ctx, args []node) val {
	want := c.scalar(args[0])
	if want.isErr() {
		return want
	}
	if want.k == kEmpty {
		return errv(errNA)
	}
	line, e := c.lineArg(args[1])
	if e.isErr() {
		return e
	}
	mode, e := c.optInt(args, 2, 1)
	if e.isErr() {
		return e
	}
	if i := c.search(line, line.usedLen(), want, mode); i >= 0 {
		return num(float64(i + 1))
	}
	return errv(errNA)
}

// search returns the 0-based position of want among the first n cells of
// line, by MATCH's rules for mode, or -1.
func (c *ctx) search(line *area, n int, want val, mode int) int {
	var pat []patRune
	if mode == 0 && want.k == kStr {
		pat = compilePattern(want.s)
	}
	found := -1
	for i := range n {
		v := c.at(line, i)
		if v.k == kEmpty || v.k == kErr || typeRank(v.k) != typeRank(want.k) {
			continue
		}
		switch {
		case mode == 0:
			if pat != nil {
				if matchPattern(pat, v.s) {
					return i
				}
			} else if compare(v, want) == 0 {
				return i
			}
		case mode > 0:
			if compare(v, want) > 0 {
				return found
			}
			found = i
		default:
			if compare(v, want) < 0 {
				return found
			}
			found = i
		}
	}
	return found
}

// fnIndex returns the cell at a row and column of a range (1-based); 0
// selects the whole row or column. The result is a reference, so
// SUM(INDEX(A1:C9,0,2)) adds column B.
func fnIndex(c *ctx, args []node) val {
	v := args[0].eval(c)
	if v.isErr() {
		return v
	}
	row, e := c.optInt(args, 1, 0)
	if e.isErr() {
		return e
	}
	col, e := c.optInt(args, 2, 0)
	if e.isErr() {
		return e
	}
	if v.k != kArea {
		if (row == 0 || row == 1) && (col == 0 || col == 1) {
			return v
		}
		return errv(errRef)
	}
	a := *v.a
	if len(args) == 2 && a.height() == 1 {
		row, col = 0, row
	}
	if row < 0 || col < 0 {
		return errv(errValue)
	}
	if row > a.height() || col > a.width() {
		return errv(errRef)
	}
	if row > 0 {
		a.rng.From.Row += row - 1
		a.rng.To.Row = a.rng.From.Row
	}
	if col > 0 {
		a.rng.From.Col += col - 1
		a.rng.To.Col = a.rng.From.Col
	}
	return val{k: kArea, a: &a}
}

// lookupFunc makes VLOOKUP (or HLOOKUP when horizontal): find the key in
// the first column (row) of the range, exactly or, when sorted (the
// default), as the last key not greater; return the cell index columns
// (rows) across.
func lookupFunc(horizontal bool) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val {
		want := c.scalar(args[0])
		if want.isErr() {
			return want
		}
		v := args[1].eval(c)
		if v.isErr() {
			return v
		}
		if v.k != kArea {
			return errv(errNA)
		}
		a := v.a
		index, e := c.intArg(args[2])
		if e.isErr() {
			return e
		}
		sorted := true
		if len(args) == 4 {
			if _, ok := args[3].(missingNode); !ok {
				if sorted, e = toBool(c.scalar(args[3])); e.isErr() {
					return e
				}
			}
		}
		key, across := *a, a.width()
		key.rng.To.Col = key.rng.From.Col
		if horizontal {
			key.rng.To = a.rng.To
			key.rng.To.Row = key.rng.From.Row
			across = a.height()
		}
		if index < 1 {
			return errv(errValue)
		}
		if index > across {
			return errv(errRef)
		}
		if want.k == kEmpty {
			return errv(errNA)
		}
		mode := 0
		if sorted {
			mode = 1
		}
		i := c.search(&key, key.usedLen(), want, mode)
		if i < 0 {
			return errv(errNA)
		}
		if horizontal {
			return c.cell(a, a.rng.From.Row+index-1, a.rng.From.Col+i)
		}
		return c.cell(a, a.rng.From.Row+i, a.rng.From.Col+index-1)
	}
}

// areaSize is ROWS or COLUMNS: a measure of an area argument; any other
// value counts as one.
func areaSize(measure func(*area) int) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val {
		v := args[0].eval(c)
		switch v.k {
		case kErr:
			return v
		case kArea:
			return num(float64(measure(v.a)))
		}
		return num(1)
	}
}

// fnIsBlank is TRUE only for an empty cell (or a left-out argument), not
// for the empty string a formula returned within the same formula.
func fnIsBlank(c *ctx, args []node) val {
	return boolean(c.scalar(args[0]).k == kEmpty)
}

func isFunc(test func(v val) bool) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val { return boolean(test(c.scalar(args[0]))) }
}

func fnN(c *ctx, args []node) val {
	v := c.scalar(args[0])
	switch v.k {
	case kNum, kBool:
		return num(v.n)
	case kErr:
		return v
	}
	return num(0)
}

func fnLen(c *ctx, args []node) val {
	s, e := c.textArg(args[0])
	if e.isErr() {
		return e
	}
	return num(float64(utf8.RuneCountInString(s)))
}

// fnConcat joins its arguments; cells of ranges are joined in row order.
func fnConcat(c *ctx, args []node) val {
	var b strings.Builder
	e := c.values(args, func(v val, _ bool) val {
		s, e := toText(v)
		if e.isErr() {
			return e
		}
		b.WriteString(s)
		return empty
	})
	if e.isErr() {
		return e
	}
	return str(b.String())
}

func textFunc(f func(string) string) func(c *ctx, args []node) val {
	return func(c *ctx, args []node) val {
		s, e := c.textArg(args[0])
		if e.isErr() {
			return e
		}
		return str(f(s))
	}
}

// trimSpaces removes leading and trailing spaces and collapses runs of
// spaces inside to one, as TRIM does.
func trimSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// textAndCount reads LEFT's and RIGHT's arguments: a text and a count of
// characters (1 when left out, never negative).
func (c *ctx) textAndCount(args []node) ([]rune, int, val) {
	s, e := c.textArg(args[0])
	if e.isErr() {
		return nil, 0, e
	}
	n, e := c.optInt(args, 1, 1)
	if e.isErr() {
		return nil, 0, e
	}
	if n < 0 {
		return nil, 0, errv(errValue)
	}
	r := []rune(s)
	return r, min(n, len(r)), empty
}

func fnLeft(c *ctx, args []node) val {
	r, n, e := c.textAndCount(args)
	if e.isErr() {
		return e
	}
	return str(string(r[:n]))
}

func fnRight(c *ctx, args []node) val {
	r, n, e := c.textAndCount(args)
	if e.isErr() {
		return e
	}
	return str(string(r[len(r)-n:]))
}

func fnMid(c *ctx, args []node) val {
	s, e := c.textArg(args[0])
	if e.isErr() {
		return e
	}
	start, e := c.intArg(args[1])
	if e.isErr() {
		return e
	}
	n, e := c.intArg(args[2])
	if e.isErr() {
		return e
	}
	if start < 1 || n < 0 {
		return errv(errValue)
	}
	r := []rune(s)
	if start > len(r) {
		return emptyText
	}
	return str(string(r[start-1 : min(len(r), start-1+n)]))
}

// fnSubstitute replaces every occurrence of a text, or only the n-th.
func fnSubstitute(c *ctx, args []node) val {
	var s [3]string
	for i := range s {
		var e val
		if s[i], e = c.textArg(args[i]); e.isErr() {
			return e
		}
	}
	text, old, repl := s[0], s[1], s[2]
	if old == "" {
		return str(text)
	}
	if len(args) < 4 {
		return str(strings.ReplaceAll(text, old, repl))
	}
	nth, e := c.intArg(args[3])
	if e.isErr() {
		return e
	}
	if nth < 1 {
		return errv(errValue)
	}
	at := 0
	for k := 1; ; k++ {
		i := strings.Index(text[at:], old)
		if i < 0 {
			return str(text)
		}
		if k == nth {
			return str(text[:at+i] + repl + text[at+i+len(old):])
		}
		at += i + len(old)
	}
}

func fnValue(c *ctx, args []node) val {
	v := c.scalar(args[0])
	switch v.k {
	case kNum, kErr:
		return v
	case kEmpty:
		return num(0)
	case kStr:
		s := strings.ReplaceAll(strings.TrimSpace(v.s), ",", "")
		if f, ok := parseNumber(s); ok {
			return num(f)
		}
	}
	return errv(errValue)
}

func fnExact(c *ctx, args []node) val {
	a, e := c.textArg(args[0])
	if e.isErr() {
		return e
	}
	b, e := c.textArg(args[1])
	if e.isErr() {
		return e
	}
	return boolean(a == b)
}

// fnText formats a number with the common number formats: "0", "0.00",
// "#,##0", "#,##0.00", with an optional "%" at the end. Other formats give
// the number as General text.
func fnText(c *ctx, args []node) val {
	v := c.scalar(args[0])
	if v.isErr() {
		return v
	}
	format, e := c.textArg(args[1])
	if e.isErr() {
		return e
	}
	if v.k == kStr {
		if f, ok := parseNumber(v.s); ok && strings.TrimSpace(v.s) != "" {
			v = num(f)
		} else {
			return v
		}
	}
	x, e := toNum(v)
	if e.isErr() {
		return e
	}
	return str(formatText(x, format))
}

func formatText(x float64, format string) string {
	pct := strings.HasSuffix(format, "%")
	f := strings.TrimSuffix(format, "%")
	grouped := strings.HasPrefix(f, "#,##")
	f = strings.TrimPrefix(f, "#,##")
	intPart, frac, _ := strings.Cut(f, ".")
	if intPart != "0" || strings.Trim(frac, "0") != "" {
		s, _ := toText(num(x))
		return s
	}
	if pct {
		x *= 100
	}
	s := strconv.FormatFloat(roundDigits(x, len(frac), roundHalf), 'f', len(frac), 64)
	if grouped {
		s = group(s)
	}
	if pct {
		s += "%"
	}
	return s
}

// group inserts thousands separators into a formatted number.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// functionNames lists the built-in functions in order, for documentation
// and tests.
func functionNames() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
