package xlsxread

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"aop/engine/grid"
)

// TestFixturesReadOrFail reads every real-world file: each must either read
// or fail with the expected *FileError, never panic, and take well under a
// second.
func TestFixturesReadOrFail(t *testing.T) {
	dir := fixturesDir(t, "xlsx-real")
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	wantProblem := map[string]Problem{
		"unknownapp-encrypted-password.xlsx": Encrypted,
		"gsheets-chart-bad-crc.xlsx":         Damaged,
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			for _, formulas := range []bool{false, true} {
				var wb *grid.Workbook
				var err error
				wb, err = ReadFile(context.Background(), path, Options{Formulas: formulas})
				if want, ok := wantProblem[name]; ok {
					require.Error(t, err)
					assert.Equal(t, want, problemOf(err), "%v", err)
					continue
				}
				require.NoError(t, err)
				require.NotEmpty(t, wb.Sheets)
			}
		})
	}
}

// TestFixtureErrors checks the messages of the two fixtures that cannot be
// read.
func TestFixtureErrors(t *testing.T) {
	_, err := ReadFile(context.Background(), realFixture(t, "unknownapp-encrypted-password.xlsx"), Options{})
	require.Error(t, err)
	assert.Equal(t, Encrypted, problemOf(err))
	assert.Contains(t, err.Error(), "password-protected")

	_, err = ReadFile(context.Background(), realFixture(t, "gsheets-chart-bad-crc.xlsx"), Options{})
	require.Error(t, err)
	assert.Equal(t, Damaged, problemOf(err))
	assert.Contains(t, err.Error(), "xl/_rels/workbook.xml.rels")
}

// csvExclusions lists the cells of Excel's CSV exports that cannot match
// the file's cached values, by "<file>.<sheet>" and A1 reference (or "*"
// for a whole sheet), with the reason. Excel recalculated these when it
// opened the file to export it.
func csvExclusions() map[string]map[string]string {
	lo41 := map[string]string{}
	for _, col := range "CDEFGHIJ" {
		lo41[string(col)+"38"] = "LibreOffice cached an empty string for a time formula; Excel recalculated it on load"
	}
	return map[string]map[string]string{
		"excelmac2011-formula-stress.xlsx.1": {
			"B6": "volatile NOW(): exported on another day than the values were cached",
			"B7": "volatile TODAY(): exported on another day than the values were cached",
		},
		"excelmac2011-formula-stress.xlsx.4": {
			"B3": "INFO(\"release\") depends on the Excel version that recalculated it",
		},
		"excelmac2011-formula-stress.xlsx.7": {
			"B46": "volatile RAND()",
			"B47": "volatile RANDBETWEEN()",
		},
		"excelmac2011-comments-stress.xlsx.2": {
			"*": "Comment() is a user-defined macro function: Excel recalculated it to #NAME?",
		},
		"excelmac2011-pivot-named-range.xlsx.2": {
			"*": "the pivot table is refreshed on load and laid out again by Excel",
		},
		"libreoffice41-numbers-inlinestr.xlsx.0": lo41,
	}
}

// csvStats counts the outcome of comparing CSV fields.
type csvStats struct {
	fields, matched int
	excluded        map[string]int // by reason
}

// TestExpectedCSV compares every sheet with the CSV that Excel itself
// exported (display-formatted, Windows-1252): every non-empty CSV field
// must match our value, loosely (see matchDisplayed), unless it is a listed
// exclusion or shows a number format the test does not render.
func TestExpectedCSV(t *testing.T) {
	dir := filepath.Join(fixturesDir(t, "xlsx-real"), "expected")
	names, err := filepath.Glob(filepath.Join(dir, "*.sheetnames"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	stats := csvStats{excluded: map[string]int{}}
	exclusions := csvExclusions()
	for _, namesPath := range names {
		file := strings.TrimSuffix(filepath.Base(namesPath), ".sheetnames")
		t.Run(file, func(t *testing.T) {
			wb := readFixture(t, file, Options{})
			raw, err := os.ReadFile(namesPath)
			require.NoError(t, err)
			if want := nonEmptyLines(decodeCP1252(raw)); len(want) > 0 {
				got := make([]string, len(wb.Sheets))
				for i, s := range wb.Sheets {
					got[i] = cp1252Display(s.Name)
				}
				assert.Equal(t, want, got, "sheet names")
			}
			formats := numberFormats(t, realFixture(t, file))
			before := stats
			before.excluded = nil
			defer func() {
				t.Logf("%s: %d fields, %d matched, %d excluded", file, stats.fields-before.fields,
					stats.matched-before.matched, stats.fields-before.fields-(stats.matched-before.matched))
			}()
			for i, s := range wb.Sheets {
				csvPath := filepath.Join(dir, fmt.Sprintf("%s.%d.csv", file, i))
				raw, err := os.ReadFile(csvPath)
				if os.IsNotExist(err) {
					continue
				}
				require.NoError(t, err)
				key := fmt.Sprintf("%s.%d", file, i)
				compareCSV(t, key, s, wb.Date1904, raw, exclusions[key], formats[s.Name], &stats)
			}
		})
	}
	t.Logf("expected CSV: %d non-empty fields, %d matched", stats.fields, stats.matched)
	for _, reason := range sortedKeys(stats.excluded) {
		t.Logf("  excluded %4d: %s", stats.excluded[reason], reason)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func decodeCP1252(b []byte) string {
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		panic(err)
	}
	return string(s)
}

// cp1252Display returns s as Excel's CSV export shows it: characters that
// Windows-1252 lacks become "_".
func cp1252Display(s string) string {
	var b strings.Builder
	for _, r := range s {
		if _, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// numberFormats returns the number format code of every cell of every
// sheet, by sheet name and A1 reference, read with excelize (this package
// does not read styles). Cells in the General format are left out.
func numberFormats(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	builtin := map[int]string{
		1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
		12: "# ?/?", 13: "# ??/??", 14: "m/d/yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
		18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
		37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
		45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
	}
	out := map[string]map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			continue
		}
		m := map[string]string{}
		for i, row := range rows {
			for j := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				id, err := f.GetCellStyle(sheet, cell)
				if err != nil || id == 0 {
					continue
				}
				st, err := f.GetStyle(id)
				if err != nil {
					continue
				}
				switch {
				case st.CustomNumFmt != nil:
					m[cell] = *st.CustomNumFmt
				case st.NumFmt != 0:
					m[cell] = builtin[st.NumFmt]
					if m[cell] == "" {
						m[cell] = fmt.Sprintf("builtin %d", st.NumFmt)
					}
				}
			}
		}
		out[sheet] = m
	}
	return out
}

// isDateFormat reports whether a number format code shows dates or times:
// it has y, m, d, h or s (or AM/PM) outside quoted text, escapes and
// bracketed colours.
func isDateFormat(code string) bool {
	code = strings.ToLower(code)
	inQuote := false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case c == '"':
			inQuote = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				return false
			}
			inner := code[i+1 : i+end]
			if strings.Trim(inner, "hms") == "" {
				return true // elapsed time [h], [mm], [ss]
			}
			i += end
		case strings.IndexByte("ymdhs", c) >= 0:
			return true
		case strings.HasPrefix(code[i:], "am/pm") || strings.HasPrefix(code[i:], "a/p"):
			return true
		}
	}
	return false
}

// compareCSV compares a sheet with Excel's CSV export of it.
func compareCSV(t *testing.T, key string, s *grid.Sheet, date1904 bool, raw []byte, excluded, formats map[string]string, stats *csvStats) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(decodeCP1252(raw)))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	records, err := r.ReadAll()
	require.NoError(t, err, key)
	for i, rec := range records {
		for j, field := range rec {
			if field == "" {
				continue
			}
			at := grid.R(i+1, j+1)
			stats.fields++
			reason, ok := excluded[at.String()]
			if !ok {
				reason, ok = excluded["*"]
			}
			if ok {
				stats.excluded[key+": "+reason]++
				continue
			}
			v := s.Value(at)
			outcome, why := matchDisplayed(field, v, date1904, formats[at.String()])
			switch outcome {
			case matchOK:
				stats.matched++
			case matchExcluded:
				stats.excluded[why]++
			default:
				t.Errorf("%s!%s: CSV shows %q, we read %s %q (format %q): %s", key, at, field, v.Kind, v.Text, formats[at.String()], why)
			}
		}
	}
}

type matchOutcome uint8

const (
	matchOK matchOutcome = iota
	matchFailed
	matchExcluded
)

// matchDisplayed compares a CSV field (Excel's formatted display) with a
// value. Strings compare exactly (after Windows-1252 mapping), numbers
// numerically within the precision the display shows (thousands
// separators, currency, percent and accounting parentheses allowed), and
// date or time displays against SerialToTime. Displays that need a number
// format rendered (custom formats such as "yy" or "[h]", "####" for values
// that do not fit) are reported as excluded with the reason.
func matchDisplayed(field string, v grid.Value, date1904 bool, format string) (matchOutcome, string) {
	switch v.Kind {
	case grid.Empty:
		return matchFailed, "the file has no value"
	case grid.String, grid.Error:
		if cp1252Display(v.Text) == field {
			return matchOK, ""
		}
		return matchFailed, "text differs"
	case grid.Bool:
		if strings.EqualFold(v.Text, field) {
			return matchOK, ""
		}
		return matchFailed, "boolean differs"
	}
	f, ok := v.Float64()
	if !ok {
		return matchFailed, "bad number"
	}
	if strings.Trim(field, "#") == "" {
		return matchExcluded, "Excel shows #### (the value does not fit the column, or is a negative date)"
	}
	if isDateFormat(format) {
		tm, unit, ok := parseDisplayedTime(field)
		if !ok {
			if field == "0-Jan-00" && f == 0 {
				return matchOK, "" // serial 0 is "1900-01-00"
			}
			return matchExcluded, "a date/time format the test does not render (yy, dddd, [h], AM/PM, ... on the number-format test sheets)"
		}
		got := grid.SerialToTime(f, date1904)
		if unit == 0 { // a time of day alone
			got = time.Date(0, 1, 1, got.Hour(), got.Minute(), got.Second(), got.Nanosecond(), time.UTC)
			tm = time.Date(0, 1, 1, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC)
			unit = time.Second
			if tm.Second() == 0 {
				unit = time.Minute
			}
		}
		if got.Truncate(unit).Equal(tm) || got.Round(unit).Equal(tm) {
			return matchOK, ""
		}
		return matchFailed, fmt.Sprintf("date differs: serial %v is %v", f, got)
	}
	want, tol, ok := parseDisplayedNumber(field)
	if !ok {
		return matchExcluded, "a number format the test does not parse: " + format
	}
	if math.Abs(f-want) <= tol+1e-9*math.Abs(want) {
		return matchOK, ""
	}
	return matchFailed, fmt.Sprintf("number differs (display %v ± %v)", want, tol)
}

// parseDisplayedNumber reads a number as Excel displays it, with the
// tolerance its last shown digit implies.
func parseDisplayedNumber(s string) (float64, float64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = strings.TrimPrefix(s, "$")
	if strings.HasPrefix(s, "-$") {
		s = "-" + s[2:]
	}
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSuffix(s, "%")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || s == "-" {
		return 0, 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false
	}
	// The tolerance is half a unit of the last digit shown.
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	decimals := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		decimals = len(mant) - i - 1
	}
	tol := 0.5 * math.Pow(10, float64(exp-decimals))
	if pct {
		f, tol = f/100, tol/100
	}
	if neg {
		f = -f
	}
	return f, tol, true
}

// parseDisplayedTime reads a date or time as Excel's default US formats
// display it; unit is the precision shown, 0 for a time of day alone.
func parseDisplayedTime(s string) (time.Time, time.Duration, bool) {
	layouts := []struct {
		layout string
		unit   time.Duration
	}{
		{"1/2/06", 24 * time.Hour},
		{"1/2/2006", 24 * time.Hour},
		{"1/2/06 15:04", time.Minute},
		{"1/2/2006 15:04:05", time.Second},
		{"1/2/2006 15:04", time.Minute},
		{"2-Jan-06", 24 * time.Hour},
		{"2-Jan", 24 * time.Hour},
		{"Jan-06", 24 * time.Hour},
		{"January 2, 2006", 24 * time.Hour},
		{"3:04 PM", 0},
		{"3:04:05 PM", 0},
		{"15:04", 0},
		{"15:04:05", 0},
	}
	for _, l := range layouts {
		if tm, err := time.Parse(l.layout, s); err == nil {
			return tm, l.unit, true
		}
	}
	return time.Time{}, 0, false
}

// TestDateTwins checks serial-to-date conversion against Excel's own
// TEXT(B,"YYYY-MM-DD") results cached in the 1900 and 1904 twins: the same
// serials read as different dates in the two systems.
func TestDateTwins(t *testing.T) {
	for _, tt := range []struct {
		file     string
		date1904 bool
	}{
		{"excelmac2016-dates-1900.xlsx", false},
		{"excelmac2016-dates-1904.xlsx", true},
	} {
		t.Run(tt.file, func(t *testing.T) {
			wb := readFixture(t, tt.file, Options{})
			assert.Equal(t, tt.date1904, wb.Date1904)
			s := wb.Sheets[0]
			checked := 0
			for _, at := range s.Refs() {
				v := s.Value(at)
				if v.Kind != grid.Number {
					continue
				}
				// Find the TEXT() result on the same row.
				for col := at.Col + 1; col <= at.Col+3; col++ {
					txt := s.Value(grid.R(at.Row, col))
					if txt.Kind != grid.String || len(txt.Text) != 10 || txt.Text[4] != '-' {
						continue
					}
					f, _ := v.Float64()
					assert.Equal(t, txt.Text, grid.SerialToTime(f, tt.date1904).Format("2006-01-02"), "%s serial %s", at, v.Text)
					checked++
					break
				}
			}
			assert.GreaterOrEqual(t, checked, 5, "TEXT() results checked")
		})
	}
}

// TestStrictLikeTransitional reads the Strict OOXML files: the Strict twin
// of excel2013-hidden-sheets must read exactly like it.
func TestStrictLikeTransitional(t *testing.T) {
	for _, formulas := range []bool{false, true} {
		a := readFixture(t, "excel2013-hidden-sheets.xlsx", Options{Formulas: formulas})
		b := readFixture(t, "excel2013-strict-hidden-sheets.xlsx", Options{Formulas: formulas})
		require.Equal(t, len(a.Sheets), len(b.Sheets))
		for i := range a.Sheets {
			sa, sb := a.Sheets[i], b.Sheets[i]
			assert.Equal(t, sa.Name, sb.Name)
			assert.Equal(t, sa.Visibility, sb.Visibility)
			assert.Equal(t, sa.Refs(), sb.Refs(), sa.Name)
			for _, at := range sa.Refs() {
				assert.Equal(t, sa.Cell(at), sb.Cell(at), "%s!%s", sa.Name, at)
			}
		}
		assert.Equal(t, a.Names, b.Names)
	}
	wb := readFixture(t, "excel365-strict-iso.xlsx", Options{Formulas: true})
	require.Len(t, wb.Sheets, 1)
	assert.Greater(t, wb.Sheets[0].Len(), 1000)
}

// TestOaklandBudget reads the large 1904-system budget and checks the
// FY13-14 expense total published in its README.
func TestOaklandBudget(t *testing.T) {
	path := filepath.Join(fixturesDir(t, "budgets"), "oakland-fy13-15-mayor-proposed.xlsx")
	start := time.Now()
	wb, err := ReadFile(context.Background(), path, Options{})
	require.NoError(t, err)
	t.Logf("read %d cells in %v", wb.Sheets[0].Len(), time.Since(start))
	assert.True(t, wb.Date1904)
	require.Len(t, wb.Sheets, 1)
	s := wb.Sheets[0]
	assert.Equal(t, "City_of_Oakland_Proposed_Policy", s.Name)
	assert.Equal(t, 263700, s.Len())
	cols := map[string]int{}
	for c := 1; c <= 15; c++ {
		cols[s.Value(grid.R(1, c)).Text] = c
	}
	require.Contains(t, cols, "Budget Year Name")
	require.Contains(t, cols, "Account Type")
	require.Contains(t, cols, "Amount")
	require.Contains(t, cols, "Account  Description", "the header has two spaces")
	sums := map[string]decimal.Decimal{}
	dim, _ := s.Dimension()
	for row := 2; row <= dim.To.Row; row++ {
		amount, err := s.Value(grid.R(row, cols["Amount"])).Decimal()
		require.NoError(t, err, "row %d", row)
		key := s.Value(grid.R(row, cols["Budget Year Name"])).Text + " " + s.Value(grid.R(row, cols["Account Type"])).Text
		sums[key] = sums[key].Add(amount)
	}
	assert.Equal(t, "1039006929", sums["FY13-14 Expense"].String())
	assert.Equal(t, "1052690555", sums["FY13-14 Revenue"].String())
	assert.Equal(t, "1060583969", sums["FY14-15 Expense"].String())
	assert.Equal(t, "1071696861", sums["FY14-15 Revenue"].String())
}

// TestFixtureFeatures checks particular cells of the real fixtures.
func TestFixtureFeatures(t *testing.T) {
	t.Run("phonetic runs are left out", func(t *testing.T) {
		s := readFixture(t, "excelmac2011-phonetic-text.xlsx", Options{}).Sheets[0]
		assert.Equal(t, grid.Str("漢字"), s.Value(grid.MustRef("A1")))
		assert.Equal(t, grid.Str("漢字withColor"), s.Value(grid.MustRef("A2")))
		s = readFixture(t, "libreoffice64-phonetic-rph.xlsx", Options{}).Sheets[0]
		assert.Equal(t, grid.Str("課きく　毛こ"), s.Value(grid.MustRef("A1")))
	})
	t.Run("CRLF follows XML, _x000D_ is a real CR", func(t *testing.T) {
		s := readFixture(t, "excelmac2016-crlf-strings.xlsx", Options{Formulas: true}).Sheets[0]
		// The shared string has a raw CR LF, which XML reads as LF.
		assert.Equal(t, grid.Str("abc\ndef"), s.Value(grid.MustRef("B1")))
		// The formula "abc"&CHAR(13)&CHAR(10)&"def" caches _x000D_ + LF.
		c := s.Cell(grid.MustRef("B2"))
		assert.Equal(t, grid.Str("abc\r\ndef"), c.Value)
		assert.Equal(t, `"abc"&CHAR(13)&CHAR(10)&"def"`, c.Formula)
		s = readFixture(t, "excel2016-escaped-x000d.xlsx", Options{}).Sheets[0]
		assert.Equal(t, grid.Str("ABC\r\nDEF"), s.Value(grid.MustRef("A1")))
	})
	t.Run("rich text runs are concatenated", func(t *testing.T) {
		s := readFixture(t, "excelmac2011-richtext-stress.xlsx", Options{}).Sheets[0]
		assert.Equal(t, grid.Str("this text is bold, sure enough"), s.Value(grid.MustRef("B2")))
	})
	t.Run("errors and look-alike strings", func(t *testing.T) {
		s := readFixture(t, "excelmac2011-error-types.xlsx", Options{}).Sheets[0]
		assert.Equal(t, grid.ErrorValue("#DIV/0!"), s.Value(grid.MustRef("A3")))
		assert.Equal(t, grid.Str("#DIV/0"), s.Value(grid.MustRef("D3")))
		assert.Equal(t, grid.ErrorValue("#N/A"), s.Value(grid.MustRef("A8")))
		assert.Equal(t, grid.BoolValue(true), s.Value(grid.MustRef("H2")))
	})
	t.Run("cached formula results of every type", func(t *testing.T) {
		s := readFixture(t, "excel2007-cached-formula-results.xlsx", Options{Formulas: true}).Sheets[0]
		kinds := map[grid.Kind]int{}
		for _, at := range s.Refs() {
			c := s.Cell(at)
			if c.Formula != "" {
				kinds[c.Value.Kind]++
			}
		}
		for _, k := range []grid.Kind{grid.Number, grid.String, grid.Bool, grid.Error} {
			assert.Positive(t, kinds[k], "formulas with a cached %s", k)
		}
	})
	t.Run("hidden and very hidden sheets", func(t *testing.T) {
		wb := readFixture(t, "excel2013-hidden-sheets.xlsx", Options{})
		assert.Equal(t, []grid.Visibility{grid.Visible, grid.Hidden, grid.VeryHidden},
			[]grid.Visibility{wb.Sheets[0].Visibility, wb.Sheets[1].Visibility, wb.Sheets[2].Visibility})
		wb = readFixture(t, "excel2007-veryhidden-sheet.xlsx", Options{})
		assert.Equal(t, grid.VeryHidden, wb.Sheets[1].Visibility)
	})
	t.Run("chartsheets are listed without cells", func(t *testing.T) {
		wb := readFixture(t, "excel2016-chartsheet-hidden.xlsx", Options{})
		names := []string{}
		for _, s := range wb.Sheets {
			names = append(names, s.Name)
		}
		assert.Equal(t, []string{"Visible", "Hidden", "VeryHidden", "Chart"}, names)
		assert.Zero(t, wb.Sheet("Chart").Len())
		assert.Positive(t, wb.Sheet("Visible").Len())
	})
	t.Run("workbook-scoped names only", func(t *testing.T) {
		wb := readFixture(t, "excel2007-defined-names.xlsx", Options{})
		got := map[string]string{}
		for _, n := range wb.Names {
			got[n.Name] = n.RefersTo
			assert.False(t, strings.HasPrefix(n.Name, "_xlnm."), n.Name)
		}
		assert.Equal(t, "0.98", got["Baz"])
		assert.NotContains(t, got, "Bar", "Bar is defined per sheet only")
		wb = readFixture(t, "excel2016-defined-names-unicode.xlsx", Options{})
		assert.NotEmpty(t, wb.Names)
		for _, n := range wb.Names {
			assert.NotEmpty(t, n.RefersTo, n.Name)
		}
	})
	t.Run("merged ranges", func(t *testing.T) {
		s := readFixture(t, "excelmac2011-merged-cells.xlsx", Options{}).Sheets[0]
		assert.Len(t, s.Merges, 5)
		wb := readFixture(t, "excel2016-merged-ranges.xlsx", Options{})
		assert.Len(t, append(wb.Sheets[0].Merges, wb.Sheets[1].Merges...), 15)
	})
	t.Run("backslash zip paths and app.xml ignored", func(t *testing.T) {
		wb := readFixture(t, "unknownapp-backslash-zip-paths.xlsx", Options{})
		require.Len(t, wb.Sheets, 1)
		assert.Positive(t, wb.Sheets[0].Len())
	})
	t.Run("Numbers empty cells are not cells", func(t *testing.T) {
		s := readFixture(t, "numbers-data-offset.xlsx", Options{}).Sheets[0]
		dim, ok := s.Dimension()
		require.True(t, ok)
		assert.Equal(t, "B4:C6", dim.String())
	})
	t.Run("sheet selection", func(t *testing.T) {
		wb := readFixture(t, "excel2013-hidden-sheets.xlsx", Options{Sheets: func(n string) bool { return n == "Hidden" }})
		require.Len(t, wb.Sheets, 3)
		assert.Zero(t, wb.Sheets[0].Len())
		assert.Positive(t, wb.Sheets[1].Len())
		assert.Zero(t, wb.Sheets[2].Len())
	})
	t.Run("booleans spelled by LibreOffice and dates 1904", func(t *testing.T) {
		wb := readFixture(t, "libreoffice73-dates-1904.xlsx", Options{})
		assert.True(t, wb.Date1904, `date1904="true"`)
		wb = readFixture(t, "excel2007-dates-1904.xlsx", Options{})
		assert.True(t, wb.Date1904)
	})
}

// TestSharedFormulaFixtures checks the translation of shared formulas on
// the real files built to test it.
func TestSharedFormulaFixtures(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string
	}{
		{"excelmac2016-shared-formula-multiaxis.xlsx", map[string]string{
			"B1": "B1", "C1": "C1", "D1": "D1", "B2": "B2", "C2": "C2", "D2": "D2",
			"I1": "B1", "J1": "C1", "K1": "D1", "F2": "A2", "F3": "A3", "F4": "A4",
		}},
		{"excelmac2016-shared-formula-absolute.xlsx", map[string]string{
			"B1": "B$1", "C1": "C$1", "E1": "E$1", "B2": "B$1", "E3": "E$1", "A2": "A$1", "A3": "A$1",
		}},
		{"excelmac2016-shared-formula-nonmonotonic.xlsx", map[string]string{
			"A3": "A2+1", "A4": "A3+1", "A6": "A5+1", "B3": "B2+2", "B6": "B5+2", "C4": "C3+3", "C6": "C5+3",
		}},
		{"excel2007-array-formula.xlsx", map[string]string{
			"A1": "SUM(B1:C1*B2:C2)", "A2": "", "A3": "",
		}},
		{"excel2013-hidden-sheets.xlsx", map[string]string{
			"A2": "CODE(A1)", "G2": "CODE(G1)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := readFixture(t, tt.file, Options{Formulas: true}).Sheets[0]
			for ref, want := range tt.want {
				assert.Equal(t, want, s.Cell(grid.MustRef(ref)).Formula, ref)
			}
			// Without Formulas the values are the same and no formula is kept.
			plain := readFixture(t, tt.file, Options{}).Sheets[0]
			for _, at := range s.Refs() {
				assert.Equal(t, s.Value(at), plain.Value(at), at.String())
				assert.Empty(t, plain.Cell(at).Formula)
			}
		})
	}
}

// sortedKeys returns a map's keys in order (for stable logs).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
