package grid

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxRows and MaxCols are the limits of an .xlsx sheet (and of references).
const (
	MaxRows = 1 << 20
	MaxCols = 1 << 14
)

// Ref is a cell reference with 1-based row and column numbers. The zero Ref
// is "no cell".
type Ref struct {
	Row, Col int
}

// R returns the reference of the 1-based row and column.
func R(row, col int) Ref { return Ref{Row: row, Col: col} }

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.Row == 0 && r.Col == 0 }

// String formats r in A1 notation, e.g. "C14".
func (r Ref) String() string {
	var b [12]byte
	return string(appendRef(b[:0], r))
}

// Append appends r as String formats it, e.g. "C14".
func (r Ref) Append(b []byte) []byte { return appendRef(b, r) }

// Absolute formats r with absolute markers, e.g. "$C$14".
func (r Ref) Absolute() string { return "$" + ColName(r.Col) + "$" + strconv.Itoa(r.Row) }

// Less orders references row by row.
func (r Ref) Less(o Ref) bool {
	if r.Row != o.Row {
		return r.Row < o.Row
	}
	return r.Col < o.Col
}

// Offset returns r moved by rows and cols.
func (r Ref) Offset(rows, cols int) Ref { return Ref{Row: r.Row + rows, Col: r.Col + cols} }

func appendRef(b []byte, r Ref) []byte {
	b = AppendColName(b, r.Col)
	return strconv.AppendInt(b, int64(r.Row), 10)
}

// ColName returns the letters of a 1-based column number: 1 → "A", 27 → "AA".
func ColName(col int) string {
	var b [4]byte
	return string(AppendColName(b[:0], col))
}

// AppendColName appends the letters of a 1-based column number to b.
func AppendColName(b []byte, col int) []byte {
	if col <= 0 {
		return append(b, '?')
	}
	var tmp [4]byte
	i := len(tmp)
	for col > 0 && i > 0 {
		col--
		i--
		tmp[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, tmp[i:]...)
}

// ParseRef parses an A1 reference such as "C14" or "$C$14".
func ParseRef(s string) (Ref, error) {
	r, n, ok := scanRef(s)
	if !ok || n != len(s) {
		return Ref{}, fmt.Errorf("grid: %q is not a cell reference", s)
	}
	return r, nil
}

// MustRef parses an A1 reference and panics on error; for constants in code.
func MustRef(s string) Ref {
	r, err := ParseRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// ScanRef reads an A1 reference at the start of s and returns it with the
// number of bytes it took. It accepts "$" markers and lower-case letters.
func ScanRef(s string) (Ref, int, bool) { return scanRef(s) }

func scanRef(s string) (Ref, int, bool) {
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	col := 0
	start := i
	for i < len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
		if col > MaxCols {
			return Ref{}, 0, false
		}
		i++
	}
	if i == start {
		return Ref{}, 0, false
	}
	if i < len(s) && s[i] == '$' {
		i++
	}
	row := 0
	start = i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		row = row*10 + int(s[i]-'0')
		if row > MaxRows {
			return Ref{}, 0, false
		}
		i++
	}
	if i == start || row == 0 {
		return Ref{}, 0, false
	}
	return Ref{Row: row, Col: col}, i, true
}

// ParseRange parses "B2:D9", "$B$2:$D$9" or a single cell "B2". The corners
// are normalised so that From is top-left.
func ParseRange(s string) (Range, error) {
	a, b, found := strings.Cut(s, ":")
	from, err := ParseRef(a)
	if err != nil {
		return Range{}, err
	}
	to := from
	if found {
		if to, err = ParseRef(b); err != nil {
			return Range{}, err
		}
	}
	return Range{
		From: Ref{Row: min(from.Row, to.Row), Col: min(from.Col, to.Col)},
		To:   Ref{Row: max(from.Row, to.Row), Col: max(from.Col, to.Col)},
	}, nil
}

// QuoteSheet quotes a sheet name for use in a formula or an A1 range:
// Plan → 'Plan', O'Brien → 'O”Brien'. Names are always quoted, which every
// app accepts.
func QuoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// SplitSheetRef splits a sheet-qualified reference such as "'Plan'!$B$2:$D$9"
// or "Plan!B2" into the sheet name (unquoted) and the range.
func SplitSheetRef(s string) (sheet string, r Range, err error) {
	i := strings.LastIndexByte(s, '!')
	if i < 0 {
		return "", Range{}, fmt.Errorf("grid: %q names no sheet", s)
	}
	sheet = s[:i]
	if len(sheet) >= 2 && sheet[0] == '\'' && sheet[len(sheet)-1] == '\'' {
		sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
	}
	r, err = ParseRange(s[i+1:])
	return sheet, r, err
}
