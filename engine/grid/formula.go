package grid

import "strconv"

// AppendShifted appends formula f with its relative A1 references moved by
// dr rows and dc columns, as Excel does for the followers of a shared
// formula and Sheets when it copies a formula over a range: "A1+$B$1+B$2"
// moved one row and one column reads "B2+$B$1+C$2". Absolute parts ($) do not move; whole columns ("A:C") and whole rows
// ("1:3") move on their own axis. String literals, quoted sheet names,
// bracketed parts (structured and external references) and names are left
// alone. A reference moved off the sheet becomes #REF!, as in Excel.
func AppendShifted(dst []byte, f string, dr, dc int) []byte {
	i := 0
	for i < len(f) {
		c := f[i]
		switch {
		case c == '"' || c == '\'':
			j := skipQuoted(f, i)
			dst = append(dst, f[i:j]...)
			i = j
		case c == '[':
			j := skipBrackets(f, i)
			dst = append(dst, f[i:j]...)
			i = j
		case c == '$' || isLetter(c) || isDigit(c):
			if i > 0 && isIdent(f[i-1]) {
				// Inside a name or number: copy the rest of it.
				j := identEnd(f, i)
				dst = append(dst, f[i:j]...)
				i = j
				continue
			}
			if out, j, ok := shiftRef(dst, f, i, dr, dc); ok {
				dst, i = out, j
				continue
			}
			j := max(identEnd(f, i), i+1)
			dst = append(dst, f[i:j]...)
			i = j
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// shiftRef tries to read a reference at f[i:]: a cell ("A1", "$A$1"), a
// column range ("A:C") or a row range ("1:3"). It appends the moved
// reference and returns the index after it.
func shiftRef(dst []byte, f string, i, dr, dc int) ([]byte, int, bool) {
	// A cell: [$]letters[$]digits.
	if absC, col, absR, row, j, ok := scanCell(f, i); ok {
		if j < len(f) && (isIdent(f[j]) || f[j] == '(' || f[j] == '!') {
			return dst, 0, false
		}
		if !absC {
			col += dc
		}
		if !absR {
			row += dr
		}
		if col < 1 || col > MaxCols || row < 1 || row > MaxRows {
			return append(dst, "#REF!"...), j, true
		}
		dst = appendAbs(dst, absC)
		dst = AppendColName(dst, col)
		dst = appendAbs(dst, absR)
		return strconv.AppendInt(dst, int64(row), 10), j, true
	}
	// A column range: [$]letters:[$]letters.
	if abs1, c1, j, ok := scanCol(f, i); ok && j < len(f) && f[j] == ':' {
		if abs2, c2, k, ok := scanCol(f, j+1); ok && (k == len(f) || !isIdent(f[k]) && f[k] != '(') {
			if !abs1 {
				c1 += dc
			}
			if !abs2 {
				c2 += dc
			}
			if c1 < 1 || c2 < 1 || c1 > MaxCols || c2 > MaxCols {
				return append(dst, "#REF!"...), k, true
			}
			dst = AppendColName(appendAbs(dst, abs1), c1)
			dst = append(dst, ':')
			return AppendColName(appendAbs(dst, abs2), c2), k, true
		}
	}
	// A row range: [$]digits:[$]digits.
	if abs1, r1, j, ok := scanRow(f, i); ok && j < len(f) && f[j] == ':' {
		if abs2, r2, k, ok := scanRow(f, j+1); ok && (k == len(f) || !isIdent(f[k]) && f[k] != '(') {
			if !abs1 {
				r1 += dr
			}
			if !abs2 {
				r2 += dr
			}
			if r1 < 1 || r2 < 1 || r1 > MaxRows || r2 > MaxRows {
				return append(dst, "#REF!"...), k, true
			}
			dst = strconv.AppendInt(appendAbs(dst, abs1), int64(r1), 10)
			dst = append(dst, ':')
			return strconv.AppendInt(appendAbs(dst, abs2), int64(r2), 10), k, true
		}
	}
	return dst, 0, false
}

func appendAbs(dst []byte, abs bool) []byte {
	if abs {
		return append(dst, '$')
	}
	return dst
}

// scanCell reads [$]letters[$]digits at f[i:].
func scanCell(f string, i int) (absC bool, col int, absR bool, row int, j int, ok bool) {
	absC, col, j, ok = scanCol(f, i)
	if !ok {
		return
	}
	absR, row, j, ok = scanRow(f, j)
	return
}

// scanCol reads [$]letters (at most three) at f[i:].
func scanCol(f string, i int) (abs bool, col int, j int, ok bool) {
	j = i
	if j < len(f) && f[j] == '$' {
		abs = true
		j++
	}
	start := j
	for j < len(f) && isLetter(f[j]) && j-start < 4 {
		c := f[j] | 0x20
		col = col*26 + int(c-'a'+1)
		j++
	}
	n := j - start
	return abs, col, j, n >= 1 && n <= 3 && col <= MaxCols
}

// scanRow reads [$]digits (at most seven) at f[i:].
func scanRow(f string, i int) (abs bool, row int, j int, ok bool) {
	j = i
	if j < len(f) && f[j] == '$' {
		abs = true
		j++
	}
	start := j
	for j < len(f) && isDigit(f[j]) && j-start < 8 {
		row = row*10 + int(f[j]-'0')
		j++
	}
	n := j - start
	return abs, row, j, n >= 1 && n <= 7 && row >= 1 && row <= MaxRows && !(j < len(f) && isDigit(f[j]))
}

// skipQuoted returns the index after the quoted text at f[i] (a string
// literal "..." or a sheet name '...', with the quote doubled inside).
func skipQuoted(f string, i int) int {
	q := f[i]
	j := i + 1
	for j < len(f) {
		if f[j] == q {
			if j+1 < len(f) && f[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(f)
}

// skipBrackets returns the index after the bracketed part at f[i], which
// may nest (Table1[[#This Row],[Amount]]).
func skipBrackets(f string, i int) int {
	depth := 0
	for j := i; j < len(f); j++ {
		switch f[j] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '\'':
			// An escaped bracket inside a structured reference: '[ or '].
			j++
		}
	}
	return len(f)
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isIdent reports whether c may be part of a name or a number.
func isIdent(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '.' || c == '\\' || c == '?' || c >= 0x80
}

// identEnd returns the end of the name or number starting at f[i].
func identEnd(f string, i int) int {
	j := i
	for j < len(f) && (isIdent(f[j]) || f[j] == '$') {
		j++
	}
	return j
}

// ShiftFormula is AppendShifted as a string.
func ShiftFormula(f string, dr, dc int) string { return string(AppendShifted(nil, f, dr, dc)) }
