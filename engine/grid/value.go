package grid

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Kind is the type of a cell value.
type Kind uint8

const (
	Empty Kind = iota
	// Number values keep the exact decimal text the file stored, e.g.
	// "1234.56" or "1.5E-3", so no digit is lost between file and engine.
	Number
	String
	Bool
	// Error values hold an error code such as "#DIV/0!".
	Error
)

func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Error:
		return "error"
	default:
		return "empty"
	}
}

// Value is a typed cell value. Numbers are kept as text so that reading a
// file never rounds; Decimal parses them exactly.
type Value struct {
	Kind Kind
	// Text is the number's decimal text, the string, "TRUE"/"FALSE" for a
	// bool, or the error code.
	Text string
}

// Str returns a string value; an empty string is the empty value.
func Str(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{Kind: String, Text: s}
}

// Num returns a number value holding d exactly.
func Num(d decimal.Decimal) Value { return Value{Kind: Number, Text: d.String()} }

// Int returns a number value holding n.
func Int(n int64) Value { return Value{Kind: Number, Text: strconv.FormatInt(n, 10)} }

// Float returns a number value holding f in the shortest text that reads
// back as f.
func Float(f float64) Value { return Value{Kind: Number, Text: strconv.FormatFloat(f, 'g', -1, 64)} }

// NumText returns a number value from its decimal text, which is trusted to
// be a valid number (drivers use it for what a file stored).
func NumText(s string) Value { return Value{Kind: Number, Text: s} }

// BoolValue returns a bool value.
func BoolValue(b bool) Value {
	if b {
		return Value{Kind: Bool, Text: "TRUE"}
	}
	return Value{Kind: Bool, Text: "FALSE"}
}

// ErrorValue returns an error value such as "#N/A".
func ErrorValue(code string) Value { return Value{Kind: Error, Text: code} }

// IsEmpty reports whether the value is empty.
func (v Value) IsEmpty() bool { return v.Kind == Empty }

// Decimal returns a number value as an exact decimal. It fails for other
// kinds and for malformed number text.
func (v Value) Decimal() (decimal.Decimal, error) {
	if v.Kind != Number {
		return decimal.Decimal{}, &strconv.NumError{Func: "Decimal", Num: v.Text, Err: strconv.ErrSyntax}
	}
	return ParseDecimal(v.Text)
}

// Float64 returns a number value as a float64 (for display and charts, never
// for money).
func (v Value) Float64() (float64, bool) {
	if v.Kind != Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.Text, 64)
	return f, err == nil
}

// Bool returns a bool value's truth.
func (v Value) Bool() bool { return v.Kind == Bool && v.Text == "TRUE" }

// String returns the value as text, as a CSV export would show a General
// cell.
func (v Value) String() string { return v.Text }

// Equal reports whether two values are the same: numbers compare by numeric
// value ("1.50" equals "1.5"), the rest by kind and text.
func (v Value) Equal(o Value) bool {
	if v.Kind != o.Kind {
		return false
	}
	if v.Kind == Number && v.Text != o.Text {
		a, err1 := ParseDecimal(v.Text)
		b, err2 := ParseDecimal(o.Text)
		return err1 == nil && err2 == nil && a.Equal(b)
	}
	if v.Kind == Bool {
		return strings.EqualFold(v.Text, o.Text)
	}
	return v.Text == o.Text
}
