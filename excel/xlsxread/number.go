package xlsxread

import (
	"strconv"
	"time"

	"aop/engine/grid"
)

// maxNumberLen bounds the text of a number: Excel writes at most 17
// significant digits and a three-digit exponent, so anything longer is not
// a spreadsheet number (and could make decimal arithmetic downstream
// expensive).
const maxNumberLen = 64

// validNumber reports whether b is a decimal number as spreadsheet files
// store them: an optional sign, digits with an optional decimal point, and
// an optional exponent of at most three digits ("1234.56", "-1.5E-3").
func validNumber(b []byte) bool {
	if len(b) == 0 || len(b) > maxNumberLen {
		return false
	}
	i := 0
	if b[0] == '-' || b[0] == '+' {
		i++
	}
	digits := 0
	for i < len(b) && isDigit(b[i]) {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigit(b[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		exp := 0
		for i < len(b) && isDigit(b[i]) {
			i++
			exp++
		}
		if exp == 0 || exp > 3 {
			return false
		}
	}
	return i == len(b)
}

// trimSpace trims XML white space from both ends.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// appendISODate converts the ISO 8601 text of a type-d cell to a date serial
// number in the given date system and appends its decimal text. The clock
// is read as written; a zone offset is ignored, as in Excel.
func appendISODate(dst, b []byte, date1904 bool) ([]byte, bool) {
	s := string(trimSpace(b))
	layouts := [...]string{
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return strconv.AppendFloat(dst, grid.TimeToSerial(t, date1904), 'f', -1, 64), true
		}
	}
	// Time-only forms give a fraction of a day.
	timeLayouts := [...]string{"T15:04:05.999999999", "15:04:05.999999999", "T15:04", "15:04"}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			h, m, sec := t.Clock()
			day := float64((h*3600+m*60+sec))*1e9 + float64(t.Nanosecond())
			return strconv.AppendFloat(dst, day/(24*3600*1e9), 'f', -1, 64), true
		}
	}
	return dst, false
}
