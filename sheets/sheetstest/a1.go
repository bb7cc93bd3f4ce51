package sheetstest

import (
	"errors"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// a1Ref is a parsed A1 range before it is resolved against a spreadsheet:
// an optional sheet title and a rectangle with zero-based, half-open
// bounds, where -1 marks an end left open ("A:A", "A5:A", "1:2") and a
// bare name is a sheet title or a named range.
type a1Ref struct {
	Sheet    string
	HasSheet bool
	// Name is a bare word that is not a cell reference: a sheet title or a
	// named range.
	Name string
	// Whole is set when the reference names a whole sheet.
	Whole          bool
	R0, C0, R1, C1 int
}

// maxA1Col is the last column A1 notation can name (ZZZ).
const maxA1Col = 18278

// maxA1Row bounds row numbers well beyond any real grid (10 million cells).
const maxA1Row = 10_000_000

var errA1 = errors.New("not an A1 range")

// parseA1 parses the A1 forms Sheets accepts: Sheet1!A1:B2, 'My Sheet'!A:A,
// Sheet1!1:2, Sheet1!A5:A, A1:B2 (first visible sheet), Sheet1 or
// 'Jon”s Data' (whole sheet), and a bare named range. Quoted titles double
// an embedded quote.
func parseA1(s string) (a1Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 1000 {
		return a1Ref{}, errA1
	}
	var ref a1Ref
	rest := s
	if s[0] == '\'' {
		title, n, ok := scanQuoted(s)
		if !ok || title == "" {
			return a1Ref{}, errA1
		}
		ref.Sheet, ref.HasSheet = title, true
		rest = s[n:]
		if rest == "" {
			ref.Whole = true
			return ref, nil
		}
		if rest[0] != '!' {
			return a1Ref{}, errA1
		}
		rest = rest[1:]
	} else if i := strings.LastIndexByte(s, '!'); i >= 0 {
		if i == 0 {
			return a1Ref{}, errA1
		}
		ref.Sheet, ref.HasSheet = s[:i], true
		rest = s[i+1:]
	} else {
		r0, c0, r1, c1, err := parseCells(s)
		if err != nil {
			if strings.ContainsAny(s, ":'") {
				return a1Ref{}, errA1
			}
			ref.Name = s
			return ref, nil
		}
		ref.R0, ref.C0, ref.R1, ref.C1 = r0, c0, r1, c1
		return ref, nil
	}
	r0, c0, r1, c1, err := parseCells(rest)
	if err != nil {
		return a1Ref{}, err
	}
	ref.R0, ref.C0, ref.R1, ref.C1 = r0, c0, r1, c1
	return ref, nil
}

// scanQuoted reads a single-quoted sheet title at the start of s, undoubling
// embedded quotes, and returns it with the bytes it took.
func scanQuoted(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// endpoint is one side of a cell range: a column, a row or both.
type endpoint struct {
	col, row int // 1-based; 0 when absent
}

func scanEndpoint(s string) (endpoint, bool) {
	var e endpoint
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	start := i
	for i < len(s) {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		e.col = e.col*26 + int(c-'a'+1)
		if e.col > maxA1Col {
			return e, false
		}
		i++
	}
	hadCol := i > start
	if i < len(s) && s[i] == '$' {
		if !hadCol {
			return e, false
		}
		i++
	}
	start = i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		e.row = e.row*10 + int(s[i]-'0')
		if e.row > maxA1Row {
			return e, false
		}
		i++
	}
	hadRow := i > start
	if i != len(s) || (!hadCol && !hadRow) || (hadRow && e.row == 0) {
		return e, false
	}
	return e, true
}

// parseCells parses the cell part of a range ("A1", "A1:B2", "A:C",
// "A5:A", "1:3") into zero-based half-open bounds, -1 for open ends.
func parseCells(s string) (r0, c0, r1, c1 int, err error) {
	if r0, c0, r1, c1, err := parseR1C1Range(s); err == nil {
		return r0, c0, r1, c1, nil
	}
	a, b, two := strings.Cut(s, ":")
	from, ok := scanEndpoint(a)
	if !ok {
		return 0, 0, 0, 0, errA1
	}
	if !two {
		if from.col == 0 || from.row == 0 {
			return 0, 0, 0, 0, errA1
		}
		return from.row - 1, from.col - 1, from.row, from.col, nil
	}
	to, ok := scanEndpoint(b)
	if !ok {
		return 0, 0, 0, 0, errA1
	}
	switch {
	case from.col == 0 && to.col == 0: // 1:3
		lo, hi := min(from.row, to.row), max(from.row, to.row)
		return lo - 1, 0, hi, -1, nil
	case from.col == 0 || to.col == 0:
		return 0, 0, 0, 0, errA1
	}
	cLo, cHi := min(from.col, to.col), max(from.col, to.col)
	switch {
	case from.row != 0 && to.row != 0:
		return min(from.row, to.row) - 1, cLo - 1, max(from.row, to.row), cHi, nil
	case from.row != 0: // A5:A
		return from.row - 1, cLo - 1, -1, cHi, nil
	case to.row != 0: // A:B5
		return 0, cLo - 1, to.row, cHi, nil
	default: // A:C
		return 0, cLo - 1, -1, cHi, nil
	}
}

// rect is a resolved range on one sheet: zero-based, half-open.
type rect struct {
	R0, C0, R1, C1 int
}

func (r rect) contains(row, col int) bool {
	return row >= r.R0 && row < r.R1 && col >= r.C0 && col < r.C1
}

func (r rect) intersects(o rect) bool {
	return r.R0 < o.R1 && o.R0 < r.R1 && r.C0 < o.C1 && o.C0 < r.C1
}

func (r rect) intersect(o rect) rect {
	return rect{max(r.R0, o.R0), max(r.C0, o.C0), min(r.R1, o.R1), min(r.C1, o.C1)}
}

// colName returns the letters of a zero-based column index.
func colName(col int) string {
	col++
	var b []byte
	for col > 0 {
		col--
		b = append(b, byte('A'+col%26))
		col /= 26
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func cellName(row, col int) string { return colName(col) + strconv.Itoa(row+1) }

// formatA1 formats a range as Sheets echoes it: the title quoted only when
// it has to be ('O”Brien Dept'!A1:C3, Sheet1!B5).
func formatA1(title string, r rect) string {
	s := quoteTitle(title) + "!" + cellName(r.R0, r.C0)
	if r.R1-r.R0 != 1 || r.C1-r.C0 != 1 {
		s += ":" + cellName(r.R1-1, r.C1-1)
	}
	return s
}

// quoteTitle quotes a sheet title unless it is a plain identifier that
// cannot be read as a cell reference.
func quoteTitle(title string) string {
	if plainTitle(title) {
		return title
	}
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

func plainTitle(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '_', 'a' <= c|0x20 && c|0x20 <= 'z':
		case '0' <= c && c <= '9':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	if _, ok := scanEndpoint(t); ok {
		return false // CRM26, AB, 12 read as references
	}
	if _, _, _, _, err := parseR1C1(t); err == nil {
		return false
	}
	u := strings.ToUpper(t)
	return u != "TRUE" && u != "FALSE"
}

// parseR1C1 recognises R1C1 cell references (only to decide quoting).
func parseR1C1(s string) (int, int, int, int, error) {
	u := strings.ToUpper(s)
	if !strings.HasPrefix(u, "R") {
		return 0, 0, 0, 0, errA1
	}
	r, c, ok := strings.Cut(u[1:], "C")
	if !ok {
		return 0, 0, 0, 0, errA1
	}
	if !allDigits(r) || !allDigits(c) || len(r) > 8 || len(c) > 8 {
		return 0, 0, 0, 0, errA1
	}
	rn, _ := strconv.Atoi(r)
	cn, _ := strconv.Atoi(c)
	if rn == 0 || cn == 0 {
		return 0, 0, 0, 0, errA1
	}
	return rn - 1, cn - 1, rn, cn, nil
}

// parseR1C1Range reads the absolute R1C1 forms reads accept: R2C3 and
// R1C1:R10C4.
func parseR1C1Range(s string) (r0, c0, r1, c1 int, err error) {
	a, b, two := strings.Cut(s, ":")
	ar, ac, _, _, err := parseR1C1(a)
	if err != nil || ar < 0 || ac < 0 || ar >= maxA1Row || ac >= maxA1Col {
		return 0, 0, 0, 0, errA1
	}
	if !two {
		return ar, ac, ar + 1, ac + 1, nil
	}
	br, bc, _, _, err := parseR1C1(b)
	if err != nil || br < 0 || bc < 0 || br >= maxA1Row || bc >= maxA1Col {
		return 0, 0, 0, 0, errA1
	}
	return min(ar, br), min(ac, bc), max(ar, br) + 1, max(ac, bc) + 1, nil
}

// resolved is an A1 range resolved against a spreadsheet.
type resolved struct {
	Sheet *sheetState
	Rect  rect
}

// resolveA1 resolves an A1 range against a spreadsheet. Open ends extend to
// the sheet's grid; a range beyond the grid is clamped when clamp is set
// (reads) and refused otherwise.
func resolveA1(ss *spreadsheetState, src string, clamp bool) (resolved, *apiError) {
	ref, err := parseA1(src)
	if err != nil {
		return resolved{}, invalidf("Unable to parse range: %s", src)
	}
	var sh *sheetState
	switch {
	case ref.HasSheet:
		sh = ss.sheetByTitle(ref.Sheet)
		if sh == nil {
			return resolved{}, invalidf("Unable to parse range: %s", src)
		}
		if ref.Whole {
			return resolved{Sheet: sh, Rect: rect{0, 0, sh.rowCount(), sh.colCount()}}, nil
		}
	case ref.Name != "":
		if sh = ss.sheetByTitle(ref.Name); sh != nil {
			return resolved{Sheet: sh, Rect: rect{0, 0, sh.rowCount(), sh.colCount()}}, nil
		}
		if nr := ss.namedRange(ref.Name); nr != nil {
			sh, r := ss.gridRect(nr.Range)
			if sh == nil {
				return resolved{}, invalidf("Unable to parse range: %s", src)
			}
			return resolved{Sheet: sh, Rect: r}, nil
		}
		return resolved{}, invalidf("Unable to parse range: %s", src)
	default:
		sh = ss.firstVisible()
		if sh == nil {
			return resolved{}, invalidf("Unable to parse range: %s", src)
		}
	}
	r := rect{ref.R0, ref.C0, ref.R1, ref.C1}
	if r.R1 < 0 {
		r.R1 = max(sh.rowCount(), r.R0+1)
	}
	if r.C1 < 0 {
		r.C1 = max(sh.colCount(), r.C0+1)
	}
	if r.R1 > sh.rowCount() || r.C1 > sh.colCount() {
		if !clamp || r.R0 >= sh.rowCount() || r.C0 >= sh.colCount() {
			return resolved{}, errGridLimits(sh, r)
		}
		r.R1 = min(r.R1, sh.rowCount())
		r.C1 = min(r.C1, sh.colCount())
	}
	return resolved{Sheet: sh, Rect: r}, nil
}

func errGridLimits(sh *sheetState, r rect) *apiError {
	return invalidf("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d",
		"'"+strings.ReplaceAll(sh.Props.Title, "'", "''")+"'!"+cellName(r.R0, r.C0)+
			func() string {
				if r.R1-r.R0 == 1 && r.C1-r.C0 == 1 {
					return ""
				}
				return ":" + cellName(r.R1-1, r.C1-1)
			}(),
		sh.rowCount(), sh.colCount())
}

// gridRect resolves a GridRange: a missing sheetId is sheet 0 and missing
// end indexes are open, extending to the grid. It returns a nil sheet when
// the sheet does not exist.
func (ss *spreadsheetState) gridRect(g *sheets.GridRange) (*sheetState, rect) {
	if g == nil {
		g = &sheets.GridRange{}
	}
	sh := ss.sheetByID(g.SheetId)
	if sh == nil {
		return nil, rect{}
	}
	return sh, gridToRect(g, sh)
}

// gridToRect converts a GridRange on sh to bounds, open ends extended to the
// grid.
func gridToRect(g *sheets.GridRange, sh *sheetState) rect {
	r := rect{int(g.StartRowIndex), int(g.StartColumnIndex), int(g.EndRowIndex), int(g.EndColumnIndex)}
	if g.EndRowIndex == 0 {
		r.R1 = sh.rowCount()
	}
	if g.EndColumnIndex == 0 {
		r.C1 = sh.colCount()
	}
	return r
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
