package sheetstest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// inputValue is one value of a values write, parsed: the value to store
// (nil clears the cell's value), the number format the entry implies (a
// date typed as 2026-01-15 formats the cell as a date), and skip for null,
// which leaves the cell alone.
type inputValue struct {
	value  *sheets.ExtendedValue
	format *sheets.NumberFormat
	skip   bool
}

// parseInput interprets one value of a values write. RAW stores strings
// as they are, "=1+1" included; USER_ENTERED parses them as if typed into
// the UI: formulas, numbers (with thousands separators, a leading $ or a
// trailing %), booleans, ISO and US dates and times; a leading apostrophe
// keeps the rest as text.
func parseInput(v any, userEntered bool) (inputValue, error) {
	switch x := v.(type) {
	case nil:
		return inputValue{skip: true}, nil
	case bool:
		return inputValue{value: &sheets.ExtendedValue{BoolValue: &x}}, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return inputValue{}, fmt.Errorf("invalid number")
		}
		return inputValue{value: numberValue(x)}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return inputValue{}, fmt.Errorf("invalid number %s", x)
		}
		return inputValue{value: numberValue(f)}, nil
	case int:
		return inputValue{value: numberValue(float64(x))}, nil
	case int64:
		return inputValue{value: numberValue(float64(x))}, nil
	case string:
		if x == "" {
			return inputValue{}, nil
		}
		if !userEntered {
			return inputValue{value: stringValue(x)}, nil
		}
		return parseTyped(x), nil
	case map[string]any, []any:
		return inputValue{}, fmt.Errorf("values must be strings, numbers or booleans")
	}
	return inputValue{value: stringValue(fmt.Sprint(v))}, nil
}

func numberValue(f float64) *sheets.ExtendedValue { return &sheets.ExtendedValue{NumberValue: &f} }
func stringValue(s string) *sheets.ExtendedValue  { return &sheets.ExtendedValue{StringValue: &s} }
func boolValue(b bool) *sheets.ExtendedValue      { return &sheets.ExtendedValue{BoolValue: &b} }
func formulaValue(s string) *sheets.ExtendedValue { return &sheets.ExtendedValue{FormulaValue: &s} }

// parseTyped parses text as the Sheets UI does when a person types it.
func parseTyped(s string) inputValue {
	if rest, ok := strings.CutPrefix(s, "'"); ok {
		return inputValue{value: stringValue(rest)}
	}
	if len(s) > 1 && s[0] == '=' {
		return inputValue{value: formulaValue(s)}
	}
	t := strings.TrimSpace(s)
	switch strings.ToUpper(t) {
	case "TRUE":
		return inputValue{value: boolValue(true)}
	case "FALSE":
		return inputValue{value: boolValue(false)}
	}
	if f, nf, ok := parseTypedNumber(t); ok {
		return inputValue{value: numberValue(f), format: nf}
	}
	if f, nf, ok := parseTypedDate(t); ok {
		return inputValue{value: numberValue(f), format: nf}
	}
	return inputValue{value: stringValue(s)}
}

// parseTypedNumber reads 1200, -3.5, 1e3, 1,200.50, $1,200, 12%, (100).
func parseTypedNumber(s string) (float64, *sheets.NumberFormat, bool) {
	if s == "" {
		return 0, nil, false
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	currency := false
	if strings.HasPrefix(s, "$") {
		currency, s = true, s[1:]
		if strings.HasPrefix(s, "-") && !neg {
			neg, s = true, s[1:]
		}
	}
	percent := false
	if strings.HasSuffix(s, "%") {
		percent, s = true, strings.TrimSpace(s[:len(s)-1])
	}
	if s == "" {
		return 0, nil, false
	}
	thousands := false
	if strings.Contains(s, ",") {
		ip, fp, hasFrac := strings.Cut(s, ".")
		groups := strings.Split(ip, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, nil, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, nil, false
			}
		}
		s = strings.Join(groups, "")
		if hasFrac {
			s += "." + fp
		}
		thousands = true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, nil, false
		}
	}
	if s[0] == '.' && len(s) == 1 {
		return 0, nil, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, nil, false
	}
	if neg {
		f = -f
	}
	decimals := 0
	if _, fp, ok := strings.Cut(s, "."); ok {
		decimals = len(strings.TrimRightFunc(fp, func(r rune) bool { return r < '0' || r > '9' }))
	}
	switch {
	case percent:
		pattern := "0%"
		if decimals > 0 {
			pattern = "0." + strings.Repeat("0", decimals) + "%"
		}
		return f / 100, &sheets.NumberFormat{Type: "PERCENT", Pattern: pattern}, true
	case currency:
		return f, &sheets.NumberFormat{Type: "CURRENCY", Pattern: "\"$\"#,##0.00"}, true
	case thousands:
		pattern := "#,##0"
		if decimals > 0 {
			pattern = "#,##0." + strings.Repeat("0", decimals)
		}
		return f, &sheets.NumberFormat{Type: "NUMBER", Pattern: pattern}, true
	}
	return f, nil, true
}

// typedDateLayouts are the date and time forms USER_ENTERED recognises,
// with the number format Sheets then gives the cell.
var typedDateLayouts = []struct {
	layout, typ, pattern string
}{
	{"2006-01-02", "DATE", "yyyy-mm-dd"},
	{"2006-1-2", "DATE", "yyyy-m-d"},
	{"2006-01-02 15:04", "DATE_TIME", "yyyy-mm-dd hh:mm"},
	{"2006-01-02 15:04:05", "DATE_TIME", "yyyy-mm-dd hh:mm:ss"},
	{"2006-01-02T15:04:05", "DATE_TIME", "yyyy-mm-dd hh:mm:ss"},
	{"1/2/2006", "DATE", "M/d/yyyy"},
	{"1/2/2006 15:04:05", "DATE_TIME", "M/d/yyyy H:mm:ss"},
	{"1/2/2006 15:04", "DATE_TIME", "M/d/yyyy H:mm"},
	{"15:04:05", "TIME", "h:mm:ss am/pm"},
	{"15:04", "TIME", "h:mm am/pm"},
}

func parseTypedDate(s string) (float64, *sheets.NumberFormat, bool) {
	if len(s) < 4 || len(s) > 20 {
		return 0, nil, false
	}
	for _, l := range typedDateLayouts {
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		f := timeToSerial(t)
		if l.typ == "TIME" {
			f -= math.Floor(f)
		}
		return f, &sheets.NumberFormat{Type: l.typ, Pattern: l.pattern}, true
	}
	return 0, nil, false
}
