package sheetstest

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// renderCell builds the CellData a read returns: the stored user-entered
// parts plus the computed effective value, formatted value and effective
// format; want says which fields the caller's mask selects.
func (s *Server) renderCell(c *call, ss *spreadsheetState, sh *sheetState, k cellKey, want func(string) bool) *sheets.CellData {
	cd := sh.Cells[k]
	out := &sheets.CellData{}
	if cd == nil {
		return out
	}
	if want("userEnteredValue") {
		out.UserEnteredValue = cd.UserEnteredValue
	}
	if cd.UserEnteredValue != nil && (want("effectiveValue") || want("formattedValue")) {
		ev := s.effectiveValue(ss, sh, k)
		if want("effectiveValue") {
			out.EffectiveValue = ev
		}
		if want("formattedValue") && ev != nil {
			out.FormattedValue = formatExtended(ev, cellNumberFormat(cd), ss.Props.Locale)
		}
	}
	if want("userEnteredFormat") {
		out.UserEnteredFormat = cd.UserEnteredFormat
	}
	if want("effectiveFormat") && (cd.UserEnteredFormat != nil || cd.UserEnteredValue != nil) {
		out.EffectiveFormat = effectiveFormat(ss, cd)
	}
	if want("dataValidation") {
		out.DataValidation = cd.DataValidation
	}
	if want("note") {
		out.Note = cd.Note
	}
	if want("hyperlink") {
		out.Hyperlink = cd.Hyperlink
	}
	if want("textFormatRuns") {
		out.TextFormatRuns = cd.TextFormatRuns
	}
	return out
}

// effectiveFormat is the spreadsheet's default format overlaid with the
// cell's own.
func effectiveFormat(ss *spreadsheetState, cd *sheets.CellData) *sheets.CellFormat {
	base := ss.Props.DefaultFormat
	if base == nil {
		base = defaultFormat()
	}
	if cd.UserEnteredFormat == nil {
		return base
	}
	var bm, um map[string]any
	b1, _ := json.Marshal(base)
	b2, _ := json.Marshal(cd.UserEnteredFormat)
	_ = json.Unmarshal(b1, &bm)
	_ = json.Unmarshal(b2, &um)
	deepMerge(bm, um)
	var out sheets.CellFormat
	b3, _ := json.Marshal(bm)
	_ = json.Unmarshal(b3, &out)
	return &out
}

func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func cellNumberFormat(cd *sheets.CellData) *sheets.NumberFormat {
	if cd == nil || cd.UserEnteredFormat == nil {
		return nil
	}
	return cd.UserEnteredFormat.NumberFormat
}

// effectiveValue is a cell's computed value: its user-entered value, or
// for a formula the value the formula evaluates to.
func (s *Server) effectiveValue(ss *spreadsheetState, sh *sheetState, k cellKey) *sheets.ExtendedValue {
	cd := sh.Cells[k]
	if cd == nil || cd.UserEnteredValue == nil {
		return nil
	}
	uv := cd.UserEnteredValue
	if uv.FormulaValue == nil {
		return uv
	}
	return s.evalFormulaCell(ss, sh, k)
}

// errorTypes maps spreadsheet error codes to ErrorValue types.
var errorTypes = map[string]string{
	"#NULL!":   "NULL_VALUE",
	"#DIV/0!":  "DIVIDE_BY_ZERO",
	"#VALUE!":  "VALUE",
	"#REF!":    "REF",
	"#NAME?":   "NAME",
	"#NUM!":    "NUM",
	"#N/A":     "N_A",
	"#ERROR!":  "ERROR",
	"#LOADING": "LOADING",
}

func errorCode(ev *sheets.ErrorValue) string {
	for code, t := range errorTypes {
		if t == ev.Type {
			return code
		}
	}
	return "#ERROR!"
}

// isDateFormat reports whether a number format shows dates or times.
func isDateFormat(nf *sheets.NumberFormat) bool {
	if nf == nil {
		return false
	}
	switch nf.Type {
	case "DATE", "TIME", "DATE_TIME":
		return true
	}
	return false
}

// valueFor renders a cell for the values API under a value render option
// and a date-time render option; nil is an empty cell.
func (s *Server) valueFor(ss *spreadsheetState, sh *sheetState, k cellKey, render, dtRender string) any {
	cd := sh.Cells[k]
	if cd == nil || cd.UserEnteredValue == nil {
		return nil
	}
	nf := cellNumberFormat(cd)
	if render == "FORMULA" {
		uv := cd.UserEnteredValue
		if uv.FormulaValue != nil {
			return *uv.FormulaValue
		}
		return rawValue(uv)
	}
	ev := s.effectiveValue(ss, sh, k)
	if ev == nil {
		return ""
	}
	if render == "UNFORMATTED_VALUE" {
		if ev.NumberValue != nil && dtRender == "FORMATTED_STRING" && isDateFormat(nf) {
			return formatExtended(ev, nf, ss.Props.Locale)
		}
		if ev.ErrorValue != nil {
			return errorCode(ev.ErrorValue)
		}
		return rawValue(ev)
	}
	return formatExtended(ev, nf, ss.Props.Locale)
}

func rawValue(ev *sheets.ExtendedValue) any {
	switch {
	case ev.NumberValue != nil:
		return *ev.NumberValue
	case ev.StringValue != nil:
		return *ev.StringValue
	case ev.BoolValue != nil:
		return *ev.BoolValue
	case ev.FormulaValue != nil:
		return *ev.FormulaValue
	case ev.ErrorValue != nil:
		return errorCode(ev.ErrorValue)
	}
	return ""
}

// formatExtended is the formatted value of an effective value.
func formatExtended(ev *sheets.ExtendedValue, nf *sheets.NumberFormat, locale string) string {
	switch {
	case ev.NumberValue != nil:
		return formatNumber(*ev.NumberValue, nf)
	case ev.StringValue != nil:
		return *ev.StringValue
	case ev.BoolValue != nil:
		if *ev.BoolValue {
			return "TRUE"
		}
		return "FALSE"
	case ev.ErrorValue != nil:
		return errorCode(ev.ErrorValue)
	case ev.FormulaValue != nil:
		return *ev.FormulaValue
	}
	return ""
}

// serialEpoch is day 0 of Sheets' serial dates: December 30th 1899 (which
// treats 1900 correctly as not a leap year).
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func timeToSerial(t time.Time) float64 {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := math.Round(day.Sub(serialEpoch).Hours() / 24)
	h, mi, sec := t.Clock()
	return days + float64(h*3600+mi*60+sec)/86400
}

func serialToTime(f float64) time.Time {
	ms := math.Round(f * 86400000)
	return serialEpoch.Add(time.Duration(ms) * time.Millisecond)
}

// formatNumber formats a number by a number format's pattern, or by
// Sheets' automatic format when there is none.
func formatNumber(f float64, nf *sheets.NumberFormat) string {
	pattern := ""
	if nf != nil {
		pattern = nf.Pattern
		if pattern == "" {
			switch nf.Type {
			case "DATE":
				pattern = "M/d/yyyy"
			case "TIME":
				pattern = "h:mm:ss am/pm"
			case "DATE_TIME":
				pattern = "M/d/yyyy H:mm:ss"
			case "PERCENT":
				pattern = "0.00%"
			case "CURRENCY":
				pattern = "\"$\"#,##0.00"
			case "SCIENTIFIC":
				pattern = "0.00E+00"
			case "NUMBER":
				pattern = "#,##0.00"
			case "TEXT":
				return automatic(f)
			}
		}
	}
	if pattern == "" || strings.EqualFold(pattern, "General") {
		return automatic(f)
	}
	return applyPattern(f, pattern)
}

// automatic is Sheets' automatic number format: up to ten decimals, no
// trailing zeros, scientific notation for very large or small numbers.
func automatic(f float64) string {
	if f == 0 {
		return "0"
	}
	a := math.Abs(f)
	if a >= 1e15 || a < 1e-10 {
		return strings.Replace(strconv.FormatFloat(f, 'E', 2, 64), "E+", "E+", 1)
	}
	s := strconv.FormatFloat(f, 'f', 10, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// applyPattern formats f with a spreadsheet number format pattern: up to
// four sections (positive;negative;zero;text), date and time tokens, digit
// placeholders 0 # ?, thousands separators, percent, scientific notation,
// quoted and escaped literals and bracketed colours or currency symbols.
func applyPattern(f float64, pattern string) string {
	sections := splitSections(pattern)
	sec := sections[0]
	neg := false
	switch {
	case f < 0 && len(sections) >= 2:
		sec, f = sections[1], -f
	case f == 0 && len(sections) >= 3:
		sec = sections[2]
	case f < 0:
		neg = true
		f = -f
	}
	if isDatePattern(sec) {
		return formatDatePattern(f, sec)
	}
	out := formatNumberPattern(f, sec)
	if neg && strings.ContainsAny(out, "123456789") {
		out = "-" + out
	}
	return out
}

func splitSections(p string) []string {
	var out []string
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && !inQuote && i+1 < len(p):
			b.WriteByte(c)
			i++
			c = p[i]
		case c == ';' && !inQuote:
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(c)
	}
	return append(out, b.String())
}

// literalsRemoved strips quoted text, escapes and bracketed parts from a
// pattern, to look at its tokens.
func literalsRemoved(p string) string {
	var b strings.Builder
	inQuote, inBracket := false, false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case inBracket:
			if c == ']' {
				inBracket = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\':
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isDatePattern(p string) bool {
	t := strings.ToLower(literalsRemoved(p))
	return strings.ContainsAny(t, "ydhs") || (strings.Contains(t, "m") && !strings.ContainsAny(t, "0#?"))
}

func formatDatePattern(f float64, p string) string {
	t := serialToTime(f)
	var b strings.Builder
	lower := strings.ToLower(p)
	hasAMPM := strings.Contains(lower, "am/pm") || strings.Contains(lower, "a/p")
	lastWasHour := false
	for i := 0; i < len(p); {
		c := p[i]
		lc := c | 0x20
		n := 1
		for i+n < len(p) && p[i+n]|0x20 == lc && strings.IndexByte("ymdhs", lc) >= 0 {
			n++
		}
		switch {
		case c == '"':
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				b.WriteString(p[i+1:])
				return b.String()
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		case c == '\\' && i+1 < len(p):
			b.WriteByte(p[i+1])
			i += 2
			continue
		case c == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				i = len(p)
				continue
			}
			i += j + 1
			continue
		case strings.HasPrefix(strings.ToLower(p[i:]), "am/pm"):
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
			i += 5
			continue
		case lc == 'y':
			if n <= 2 {
				b.WriteString(pad2(t.Year() % 100))
			} else {
				b.WriteString(strconv.Itoa(t.Year()))
			}
		case lc == 'm':
			minutes := lastWasHour || strings.HasPrefix(strings.TrimLeft(strings.ToLower(p[i+n:]), ":"), "s")
			switch {
			case minutes && n <= 2:
				if n == 2 {
					b.WriteString(pad2(t.Minute()))
				} else {
					b.WriteString(strconv.Itoa(t.Minute()))
				}
			case n == 1:
				b.WriteString(strconv.Itoa(int(t.Month())))
			case n == 2:
				b.WriteString(pad2(int(t.Month())))
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			case n == 5:
				b.WriteString(t.Month().String()[:1])
			default:
				b.WriteString(t.Month().String())
			}
		case lc == 'd':
			switch n {
			case 1:
				b.WriteString(strconv.Itoa(t.Day()))
			case 2:
				b.WriteString(pad2(t.Day()))
			case 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				b.WriteString(t.Weekday().String())
			}
		case lc == 'h':
			h := t.Hour()
			if hasAMPM {
				h %= 12
				if h == 0 {
					h = 12
				}
			}
			if n >= 2 {
				b.WriteString(pad2(h))
			} else {
				b.WriteString(strconv.Itoa(h))
			}
		case lc == 's':
			if n >= 2 {
				b.WriteString(pad2(t.Second()))
			} else {
				b.WriteString(strconv.Itoa(t.Second()))
			}
		default:
			b.WriteByte(c)
		}
		if lc == 'h' {
			lastWasHour = true
		} else if strings.IndexByte("ymds", lc) >= 0 {
			lastWasHour = false
		}
		i += n
	}
	return b.String()
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// formatNumberPattern formats a non-negative number with a numeric
// pattern section.
func formatNumberPattern(f float64, p string) string {
	tokens := literalsRemoved(p)
	if strings.Count(tokens, "%") > 0 {
		f *= 100 * math.Pow(100, float64(strings.Count(tokens, "%")-1))
	}
	// Split the pattern into prefix, numeric body and suffix.
	start, end := -1, -1
	inQuote := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c == '\\' {
			i++
			continue
		}
		if c == '[' {
			if j := strings.IndexByte(p[i:], ']'); j >= 0 {
				i += j
			}
			continue
		}
		if strings.IndexByte("0#?.,", c) >= 0 || ((c == 'E' || c == 'e') && start >= 0) || ((c == '+' || c == '-') && i > 0 && (p[i-1] == 'E' || p[i-1] == 'e')) {
			if start < 0 {
				start = i
			}
			end = i + 1
		}
	}
	if start < 0 {
		return literalText(p)
	}
	prefix, body, suffix := literalText(p[:start]), p[start:end], literalText(p[end:])
	return prefix + formatBody(f, body) + suffix
}

// literalText renders the literal parts of a pattern: quoted text, escaped
// characters, currency symbols in [$€] and plain characters; colours such
// as [Red] and the * and _ spacing directives are dropped.
func literalText(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '"':
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				b.WriteString(p[i+1:])
				return b.String()
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 1
		case '\\':
			if i+1 < len(p) {
				b.WriteByte(p[i+1])
				i++
			}
		case '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return b.String()
			}
			inner := p[i+1 : i+j]
			if strings.HasPrefix(inner, "$") {
				sym, _, _ := strings.Cut(inner[1:], "-")
				b.WriteString(sym)
			}
			i += j
		case '*', '_':
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// formatBody formats f with the numeric part of a pattern ("#,##0.00",
// "0%", "0.00E+00").
func formatBody(f float64, body string) string {
	mant, exp, sci := body, "", false
	if i := strings.IndexAny(body, "Ee"); i >= 0 {
		mant, exp, sci = body[:i], strings.TrimLeft(body[i+1:], "+-"), true
	}
	intPart, fracPart, _ := strings.Cut(mant, ".")
	thousands := strings.Contains(intPart, ",")
	// Trailing commas scale by thousands.
	for strings.HasSuffix(intPart, ",") {
		f /= 1000
		intPart = intPart[:len(intPart)-1]
		thousands = strings.Contains(intPart, ",")
	}
	decimals := len(fracPart)
	minDecimals := strings.Count(fracPart, "0")
	minInt := strings.Count(intPart, "0")
	e := 0
	if sci && f != 0 {
		e = int(math.Floor(math.Log10(f)))
		f /= math.Pow(10, float64(e))
		if math.Round(f*math.Pow(10, float64(decimals))) >= 10*math.Pow(10, float64(decimals)) {
			f /= 10
			e++
		}
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) > minDecimals && strings.HasSuffix(fp, "0") {
		fp = fp[:len(fp)-1]
	}
	if ip == "0" && minInt == 0 {
		ip = ""
	}
	for len(ip) < minInt {
		ip = "0" + ip
	}
	if thousands && len(ip) > 3 {
		var b strings.Builder
		lead := len(ip) % 3
		if lead > 0 {
			b.WriteString(ip[:lead])
		}
		for i := lead; i < len(ip); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(ip[i : i+3])
		}
		ip = b.String()
	}
	out := ip
	if decimals > 0 && (fp != "" || strings.Contains(fracPart, "0")) {
		out += "." + fp
	} else if fp != "" {
		out += "." + fp
	}
	if sci {
		sign := "+"
		if e < 0 {
			sign, e = "-", -e
		}
		es := strconv.Itoa(e)
		for len(es) < len(exp) {
			es = "0" + es
		}
		out += "E" + sign + es
	}
	if out == "" {
		out = "0"
	}
	return out
}
