package cyclefile

import (
	"aop/engine/grid"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// maxIntDigits is the most integer digits an amount may have.
const maxIntDigits = 18

// maxNumberLen is the longest number text accepted.
const maxNumberLen = 48

// parseNumber parses plain decimal text: an optional sign, digits and an
// optional '.' followed by digits (".5" and "5." are accepted). On failure
// it returns a reason to put after the quoted value, such as "is not a
// number" or "uses a thousands separator ...".
func parseNumber(s string) (decimal.Decimal, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Decimal{}, "is empty"
	}
	if len(t) > maxNumberLen {
		return decimal.Decimal{}, "is too long to be an amount"
	}
	body := t
	if body[0] == '-' || body[0] == '+' {
		body = body[1:]
	}
	intDigits, ok := plainDecimal(body)
	if !ok {
		return decimal.Decimal{}, whyNotNumber(body)
	}
	if intDigits > maxIntDigits {
		return decimal.Decimal{}, fmt.Sprintf("has more than %d digits before the decimal point", maxIntDigits)
	}
	if t[0] == '+' {
		t = t[1:]
	}
	d, err := grid.ParseDecimal(t)
	if err != nil {
		return decimal.Decimal{}, "is not a number"
	}
	return d, ""
}

// plainDecimal reports whether s is digits with at most one '.', holding at
// least one digit, and how many digits come before the point.
func plainDecimal(s string) (int, bool) {
	digits, intDigits, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			if !point {
				intDigits++
			}
		case c == '.' && !point:
			point = true
		default:
			return 0, false
		}
	}
	return intDigits, digits > 0
}

// whyNotNumber explains why s (without its sign) is not a plain decimal.
func whyNotNumber(s string) string {
	lower := strings.ToLower(s)
	if strings.Contains(s, ",") {
		if _, ok := plainDecimal(strings.ReplaceAll(s, ",", "")); ok {
			return "uses a thousands separator; write the number without separators, such as 1234.56 (separators mean different things in different locales)"
		}
	}
	if strings.Contains(s, "_") || strings.Contains(s, " ") || strings.Contains(s, "'") {
		if _, ok := plainDecimal(strings.NewReplacer("_", "", " ", "", "'", "").Replace(s)); ok {
			return "uses a digit separator; write the number without separators, such as 1234.56"
		}
	}
	if strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0o") || strings.HasPrefix(lower, "0b") {
		return "is not a decimal number; write it in plain decimal digits"
	}
	if i := strings.IndexAny(lower, "e"); i > 0 {
		if _, ok := plainDecimal(lower[:i]); ok {
			return "uses an exponent; write the number out in full, such as 1500000"
		}
	}
	if lower == ".nan" || lower == "nan" || lower == ".inf" || lower == "inf" || lower == "infinity" {
		return "is not a finite number"
	}
	return "is not a number"
}

// parseLedgerAmount parses a ledger cell's text: a plain decimal, or one in
// parentheses for an accounting negative ("(12.50)" is -12.50).
func parseLedgerAmount(s string) (decimal.Decimal, string) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") && len(t) > 2 {
		inner := strings.TrimSpace(t[1 : len(t)-1])
		if inner == "" || inner[0] == '-' || inner[0] == '+' {
			return decimal.Decimal{}, "is not a number"
		}
		d, why := parseNumber(inner)
		if why != "" {
			return d, why
		}
		return d.Neg(), ""
	}
	return parseNumber(t)
}

// parseThreshold parses a rule threshold: "15%" or a fraction such as 0.15.
// A bare number above 1 is refused, since 15 would read as 1500%.
func parseThreshold(s string) (decimal.Decimal, string) {
	t := strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(t, "%"); ok {
		d, why := parseNumber(p)
		if why != "" {
			return d, why
		}
		return d.Shift(-2), ""
	}
	d, why := parseNumber(t)
	if why != "" {
		return d, why + `; write a percentage such as "15%" or a fraction such as 0.15`
	}
	if d.GreaterThan(decimal.NewFromInt(1)) {
		return d, fmt.Sprintf(`reads as %s%%; write "%s%%" if you mean %s percent (a threshold above 100%% is written as a percentage)`, d.Shift(2).String(), d.String(), d.String())
	}
	return d, ""
}

// parseMonth parses a month number (1-12) or an English month name or its
// three-letter abbreviation, in any case.
func parseMonth(s string) (time.Month, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if n, ok := smallInt(t); ok && n >= 1 && n <= 12 {
		return time.Month(n), true
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if t == name || t == name[:3] || (m == time.September && t == "sept") {
			return m, true
		}
	}
	return 0, false
}

// smallInt parses up to 9 decimal digits with an optional sign.
func smallInt(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// isEmail reports whether s is a plain e-mail address such as
// dana@acme.example (no display name, no angle brackets).
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// suggest returns the option closest to s when it is close enough to be a
// likely typo, or "".
func suggest(s string, options []string) string {
	if len(s) > 64 {
		return ""
	}
	best, bestDist := "", 3
	ls := strings.ToLower(s)
	for _, o := range options {
		if len(o) > 64 || o == s {
			continue
		}
		d := distance(ls, strings.ToLower(o))
		if d < bestDist && d < max(len(s), 2) {
			best, bestDist = o, d
		}
	}
	return best
}

// didYouMean returns ` (did you mean "x"?)` for a close option, or "".
func didYouMean(s string, options []string) string {
	if o := suggest(s, options); o != "" {
		return fmt.Sprintf(" (did you mean %q?)", o)
	}
	return ""
}

// distance is the Levenshtein distance between two strings, by byte.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// formatAmount formats an amount for a message with thousands separators
// and at least two decimals: 1234 → "1,234.00".
func formatAmount(d decimal.Decimal) string {
	s := d.String()
	if d.Exponent() >= -2 {
		s = d.StringFixed(2)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// plural returns "1 row" or "3 rows".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
