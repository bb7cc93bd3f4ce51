package xlsxread

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/grid"
)

func TestCellValues(t *testing.T) {
	sst := sstXML(`<si><t>zero</t></si><si><t xml:space="preserve">  one  </t></si><si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t/></si>`)
	tests := []struct {
		name string
		cell string
		want grid.Value
	}{
		{"number", `<c r="A1"><v>1234.56</v></c>`, grid.NumText("1234.56")},
		{"explicit n", `<c r="A1" t="n"><v>-1.5E-3</v></c>`, grid.NumText("-1.5E-3")},
		{"exact digits kept", `<c r="A1"><v>0.1000000000000000055511151231257827</v></c>`, grid.NumText("0.1000000000000000055511151231257827")},
		{"number with spaces", `<c r="A1"><v> 42 </v></c>`, grid.NumText("42")},
		{"plus sign dropped", `<c r="A1"><v>+42</v></c>`, grid.NumText("42")},
		{"empty v", `<c r="A1"><v/></c>`, grid.Value{}},
		{"shared string", `<c r="A1" t="s"><v>0</v></c>`, grid.Str("zero")},
		{"shared string keeps spaces", `<c r="A1" t="s"><v>1</v></c>`, grid.Str("  one  ")},
		{"rich shared string without phonetic", `<c r="A1" t="s"><v>2</v></c>`, grid.Str("rich")},
		{"empty shared string", `<c r="A1" t="s"><v>3</v></c>`, grid.Value{}},
		{"formula string", `<c r="A1" t="str"><f>A2&amp;"x"</f><v>ab&lt;c&gt;</v></c>`, grid.Str("ab<c>")},
		{"inline string", `<c r="A1" t="inlineStr"><is><t>in&amp;line</t></is></c>`, grid.Str("in&line")},
		{"rich inline string", `<c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r><rPh><t>x</t></rPh></is></c>`, grid.Str("ab")},
		{"inline string in v", `<c r="A1" t="inlineStr"><v>plain</v></c>`, grid.Str("plain")},
		{"bool true", `<c r="A1" t="b"><v>1</v></c>`, grid.BoolValue(true)},
		{"bool false", `<c r="A1" t="b"><v>0</v></c>`, grid.BoolValue(false)},
		{"bool spelled", `<c r="A1" t="b"><v>true</v></c>`, grid.BoolValue(true)},
		{"error", `<c r="A1" t="e"><v>#DIV/0!</v></c>`, grid.ErrorValue("#DIV/0!")},
		{"odd error", `<c r="A1" t="e"><v>#GETTING_DATA</v></c>`, grid.ErrorValue("#GETTING_DATA")},
		{"ISO date", `<c r="A1" t="d"><v>2024-01-01T12:00:00Z</v></c>`, grid.NumText("45292.5")},
		{"ISO date only", `<c r="A1" t="d"><v>1900-03-01</v></c>`, grid.NumText("61")},
		{"ISO time only", `<c r="A1" t="d"><v>18:00:00</v></c>`, grid.NumText("0.75")},
		{"not an ISO date", `<c r="A1" t="d"><v>someday</v></c>`, grid.Str("someday")},
		{"character references", `<c r="A1" t="str"><v>&#65;&#x42;&#x43;&quot;&apos;</v></c>`, grid.Str(`ABC"'`)},
		{"CDATA", `<c r="A1" t="str"><v><![CDATA[<a&b>]]></v></c>`, grid.Str("<a&b>")},
		{"comment inside v", `<c r="A1"><v>1<!-- x -->2</v></c>`, grid.NumText("12")},
		{"raw CRLF becomes LF", "<c r=\"A1\" t=\"str\"><v>a\r\nb\rc</v></c>", grid.Str("a\nb\nc")},
		{"referenced CR stays", `<c r="A1" t="str"><v>a&#13;&#10;b</v></c>`, grid.Str("a\r\nb")},
		{"escaped CR", `<c r="A1" t="str"><v>a_x000D_b</v></c>`, grid.Str("a\rb")},
		{"escaped escape", `<c r="A1" t="str"><v>a_x005F_x000D_b</v></c>`, grid.Str("a_x000D_b")},
		{"lower-case escape", `<c r="A1" t="str"><v>_x0041__x0062_</v></c>`, grid.Str("Ab")},
		{"surrogate pair escape", `<c r="A1" t="str"><v>_xD83D__xDE00_</v></c>`, grid.Str("😀")},
		{"lone surrogate escape", `<c r="A1" t="str"><v>_xD83D_!</v></c>`, grid.Str("\uFFFD!")},
		{"not an escape", `<c r="A1" t="str"><v>_x12_ _xZZZZ_ _x</v></c>`, grid.Str("_x12_ _xZZZZ_ _x")},
		{"unicode", `<c r="A1" t="str"><v>日本語 €</v></c>`, grid.Str("日本語 €")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readSheet(t, sheetXML(`<row r="1">`+tt.cell+`</row>`), sst, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.Value(grid.MustRef("A1")))
			if tt.want.IsEmpty() {
				assert.Zero(t, s.Len())
			}
		})
	}
}

func TestMalformedCells(t *testing.T) {
	tests := []struct {
		name  string
		sheet string
	}{
		{"not a number", sheetXML(`<row r="1"><c r="A1"><v>12abc</v></c></row>`)},
		{"infinity", sheetXML(`<row r="1"><c r="A1"><v>INF</v></c></row>`)},
		{"huge exponent", sheetXML(`<row r="1"><c r="A1"><v>1E99999</v></c></row>`)},
		{"shared string out of range", sheetXML(`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`)},
		{"negative shared string", sheetXML(`<row r="1"><c r="A1" t="s"><v>-1</v></c></row>`)},
		{"unknown type", sheetXML(`<row r="1"><c r="A1" t="x"><v>1</v></c></row>`)},
		{"bad bool", sheetXML(`<row r="1"><c r="A1" t="b"><v>2</v></c></row>`)},
		{"row beyond the sheet", sheetXML(`<row r="1048577"><c><v>1</v></c></row>`)},
		{"row zero", sheetXML(`<row r="0"><c><v>1</v></c></row>`)},
		{"huge row number", sheetXML(`<row r="99999999999999999999"><c><v>1</v></c></row>`)},
		{"cell beyond the last row", sheetXML(`<row><c r="A1048577"><v>1</v></c></row>`)},
		{"column beyond XFD", sheetXML(`<row><c r="XFE1"><v>1</v></c></row>`)},
		{"four-letter column", sheetXML(`<row><c r="AAAA1"><v>1</v></c></row>`)},
		{"bad reference", sheetXML(`<row><c r="1A"><v>1</v></c></row>`)},
		{"too many cells without r", sheetXML(`<row><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>`)},
		{"mismatched tags", sheetXML(`<row r="1"><c r="A1"><v>1</c></v></row>`)},
		{"unclosed element", `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>`},
		{"unquoted attribute", sheetXML(`<row r=1><c><v>1</v></c></row>`)},
		{"unterminated attribute", `<worksheet><sheetData><row r="1><c/></row></sheetData></worksheet>`},
		{"unknown entity", sheetXML(`<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>`)},
		{"bare ampersand", sheetXML(`<row r="1"><c r="A1" t="str"><v>a & b</v></c></row>`)},
		{"invalid character reference", sheetXML(`<row r="1"><c r="A1" t="str"><v>&#0;</v></c></row>`)},
		{"huge character reference", sheetXML(`<row r="1"><c r="A1" t="str"><v>&#x110000;</v></c></row>`)},
		{"element inside v", sheetXML(`<row r="1"><c r="A1"><v><b/>1</v></c></row>`)},
		{"invalid UTF-8", sheetXML("<row r=\"1\"><c r=\"A1\" t=\"str\"><v>\xff</v></c></row>")},
		{"bad merge", sheetXML(``) + `<mergeCells><mergeCell ref="A1:nope"/></mergeCells>`},
		{"unterminated comment", sheetXML(`<row r="1"><!-- `)},
		{"stray end tag", `<worksheet></sheetData></worksheet>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readSheet(t, tt.sheet, sstXML(`<si><t>a</t></si>`), Options{})
			require.Error(t, err)
			assert.Equal(t, Malformed, problemOf(err), "%v", err)
			var fe *FileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "xl/worksheets/sheet1.xml", fe.Part)
			assert.Contains(t, err.Error(), "xl/worksheets/sheet1.xml")
		})
	}
}

func TestCellPositions(t *testing.T) {
	sheet := sheetXML(`<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>3</v></c><c><v>4</v></c></row>` +
		`<row><c><v>5</v></c></row>` +
		`<row r="10"><c r="C10"/><c><v>6</v></c></row>` +
		`<row><c><v>7</v></c></row>`)
	s, err := readSheet(t, sheet, "", Options{})
	require.NoError(t, err)
	want := map[string]string{"A1": "1", "B1": "2", "E1": "3", "F1": "4", "A2": "5", "D10": "6", "A11": "7"}
	got := map[string]string{}
	for _, at := range s.Refs() {
		got[at.String()] = s.Value(at).Text
	}
	assert.Equal(t, want, got)
}

func TestNamespacePrefixes(t *testing.T) {
	sheet := `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
		`<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c r="C2"><x:f>B2</x:f><x:v>7</x:v></x:c></x:row>` +
		`</x:sheetData><x:mergeCells><x:mergeCell ref="B2:C3"/></x:mergeCells></x:worksheet>`
	sst := `<main:sst xmlns:main="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><main:si><main:r><main:t>pre</main:t></main:r><main:r><main:t>fixed</main:t></main:r></main:si></main:sst>`
	s, err := readSheet(t, sheet, sst, Options{Formulas: true})
	require.NoError(t, err)
	assert.Equal(t, grid.Str("prefixed"), s.Value(grid.MustRef("B2")))
	assert.Equal(t, grid.Cell{Value: grid.NumText("7"), Formula: "B2"}, s.Cell(grid.MustRef("C2")))
	assert.Equal(t, []grid.Range{grid.Rect(2, 2, 3, 3)}, s.Merges)
}

func TestFormulas(t *testing.T) {
	sheet := sheetXML(
		`<row r="1"><c r="A1"><f>=SUM(B1:C1)</f><v>3</v></c><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c></row>` +
			// A follower before its anchor (the anchor's ref still says B2:D3).
			`<row r="2"><c r="C2"><f t="shared" si="4"/><v>5</v></c><c r="B2"><f t="shared" ref="B2:D3" si="4">$A$1+A2+A$1+$A2</f><v>4</v></c></row>` +
			`<row r="3"><c r="D3"><f t="shared" si="4"/><v>6</v></c>` +
			`<c r="E3"><f t="array" ref="E3:E4">SUM(A1:A2*B1:B2)</f><v>9</v></c>` +
			`<c r="F3"><f>"a&amp;b"&amp;A1</f></c>` +
			`<c r="G3"><f t="shared" si="99"/><v>8</v></c></row>` +
			`<row r="4"><c r="E4"><v>10</v></c></row>`)
	s, err := readSheet(t, sheet, "", Options{Formulas: true})
	require.NoError(t, err)
	tests := map[string]grid.Cell{
		"A1": {Value: grid.NumText("3"), Formula: "SUM(B1:C1)"},
		"B2": {Value: grid.NumText("4"), Formula: "$A$1+A2+A$1+$A2"},
		"C2": {Value: grid.NumText("5"), Formula: "$A$1+B2+B$1+$A2"},
		"D3": {Value: grid.NumText("6"), Formula: "$A$1+C3+C$1+$A3"},
		"E3": {Value: grid.NumText("9"), Formula: "SUM(A1:A2*B1:B2)"},
		"E4": {Value: grid.NumText("10")},
		"F3": {Formula: `"a&b"&A1`},
		"G3": {Value: grid.NumText("8")}, // its anchor never came
	}
	for ref, want := range tests {
		assert.Equal(t, want, s.Cell(grid.MustRef(ref)), ref)
	}
	s, err = readSheet(t, sheet, "", Options{})
	require.NoError(t, err)
	assert.Equal(t, grid.Cell{Value: grid.NumText("5")}, s.Cell(grid.MustRef("C2")))
	assert.True(t, s.Cell(grid.MustRef("F3")).IsZero(), "a formula without a value is no cell without Formulas")
}

func TestAppendShifted(t *testing.T) {
	tests := []struct {
		formula string
		dr, dc  int
		want    string
	}{
		{"A1", 1, 1, "B2"},
		{"$A$1", 5, 5, "$A$1"},
		{"A$1+$A1", 2, 3, "D$1+$A3"},
		{"SUM(A1:B2)", 1, 0, "SUM(A2:B3)"},
		{"SUM(A:A)", 3, 2, "SUM(C:C)"},
		{"SUM($A:B)", 3, 2, "SUM($A:D)"},
		{"SUM(1:1)", 3, 2, "SUM(4:4)"},
		{"SUM($1:2)", 3, 2, "SUM($1:5)"},
		{"Sheet1!A1+'My Sheet'!B2", 1, 1, "Sheet1!B2+'My Sheet'!C3"},
		{`"A1"&A1`, 1, 0, `"A1"&A2`},
		{`"say ""A1"""&A1`, 1, 0, `"say ""A1"""&A2`},
		{"'It''s A1'!A1", 1, 0, "'It''s A1'!A2"},
		{"LOG10(A1)+ATAN2(A1,B1)", 1, 0, "LOG10(A2)+ATAN2(A2,B2)"},
		{"Table1[[#This Row],[A1]]+A1", 1, 0, "Table1[[#This Row],[A1]]+A2"},
		{"[1]Sheet1!A1", 0, 1, "[1]Sheet1!B1"},
		{"1.5E3+A1", 1, 0, "1.5E3+A2"},
		{"TRUE+A1+_xlfn.STDEV.S(A1:A3)", 1, 0, "TRUE+A2+_xlfn.STDEV.S(A2:A4)"},
		{"#REF!+A1", 0, 1, "#REF!+B1"},
		{"XFD1+A1048576", 1, 1, "#REF!+#REF!"},
		{"A2", -1, 0, "A1"},
		{"A1", -1, 0, "#REF!"},
		{"R1C1+name_1+ABCD1", 1, 1, "R1C1+name_1+ABCD1"},
		{"日本語!A1", 1, 0, "日本語!A2"},
		{"a1+b$2", 1, 1, "B2+C$2"},
	}
	for _, tt := range tests {
		t.Run(tt.formula, func(t *testing.T) {
			assert.Equal(t, tt.want, string(grid.AppendShifted(nil, tt.formula, tt.dr, tt.dc)))
		})
	}
}

func TestWorkbookParts(t *testing.T) {
	t.Run("absolute targets, backslashes and case", func(t *testing.T) {
		data := buildZip(t,
			entry{name: `_rels\.rels`, body: strings.Replace(testRels, `Target="xl/workbook.xml"`, `Target="/XL/Workbook.xml"`, 1)},
			entry{name: `xl\workbook.xml`, body: testWorkbook},
			entry{name: `xl\_rels\workbook.xml.rels`, body: strings.Replace(testWorkbookRels, `Target="worksheets/sheet1.xml"`, `Target="/xl/worksheets/../worksheets/sheet%201.xml"`, 1)},
			entry{name: `xl\worksheets\sheet 1.xml`, body: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`)},
		)
		wb, err := Read(context.Background(), data, Options{})
		require.NoError(t, err)
		assert.Equal(t, grid.NumText("1"), wb.Sheets[0].Value(grid.MustRef("A1")))
	})
	t.Run("workbook properties, names and visibility", func(t *testing.T) {
		wbXML := `<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships">` +
			`<workbookPr date1904="true"/><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/><sheet name="Secret" sheetId="2" state="veryHidden" r:id="rId1b"/></sheets>` +
			`<definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">Plan!$A$1:$B$2</definedName>` +
			`<definedName name="_xlnm._FilterDatabase" hidden="1">Plan!$A$1</definedName>` +
			`<definedName name="Local" localSheetId="0">Plan!$A$1</definedName>` +
			`<definedName name="Amounts">Plan!$B$1:$B$9</definedName><definedName name="Rate">0.98</definedName></definedNames>` +
			`<extLst><ext uri="{x}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>`
		rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId1b" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="worksheets/sheet2.xml"/>` +
			`<Relationship Id="rIdX" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink" Target="http://example.com/" TargetMode="External"/></Relationships>`
		data := buildZip(t,
			entry{name: "_rels/.rels", body: strings.Replace(testRels, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument", 1)},
			entry{name: "xl/workbook.xml", body: wbXML},
			entry{name: "xl/_rels/workbook.xml.rels", body: rels},
			entry{name: "xl/worksheets/sheet1.xml", body: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`)},
			entry{name: "xl/worksheets/sheet2.xml", body: sheetXML(`<row r="1"><c r="A1"><v>2</v></c></row>`)},
		)
		wb, err := Read(context.Background(), data, Options{})
		require.NoError(t, err)
		assert.True(t, wb.Date1904)
		assert.Equal(t, []grid.DefinedName{{Name: "Amounts", RefersTo: "Plan!$B$1:$B$9"}, {Name: "Rate", RefersTo: "0.98"}}, wb.Names)
		require.Len(t, wb.Sheets, 2)
		assert.Equal(t, grid.VeryHidden, wb.Sheets[1].Visibility)
		assert.Equal(t, grid.NumText("2"), wb.Sheets[1].Value(grid.MustRef("A1")))
	})
	t.Run("workbook without package relationships", func(t *testing.T) {
		data := buildZip(t,
			entry{name: "xl/workbook.xml", body: testWorkbook},
			entry{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels},
			entry{name: "xl/worksheets/sheet1.xml", body: sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)},
			entry{name: "xl/sharedStrings.xml", body: sstXML(`<si><t>hi</t></si>`)},
		)
		wb, err := Read(context.Background(), data, Options{})
		require.NoError(t, err)
		assert.Equal(t, grid.Str("hi"), wb.Sheets[0].Value(grid.MustRef("A1")))
	})
	t.Run("stored parts", func(t *testing.T) {
		data := buildZip(t,
			entry{name: "_rels/.rels", body: testRels, store: true},
			entry{name: "xl/workbook.xml", body: testWorkbook, store: true},
			entry{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels},
			entry{name: "xl/worksheets/sheet1.xml", body: sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), store: true},
		)
		wb, err := Read(context.Background(), data, Options{})
		require.NoError(t, err)
		assert.Equal(t, grid.NumText("1"), wb.Sheets[0].Value(grid.MustRef("A1")))
	})
	t.Run("unknown compression method", func(t *testing.T) {
		data := buildZip(t,
			entry{name: "_rels/.rels", body: testRels, method: 12},
			entry{name: "xl/workbook.xml", body: testWorkbook},
		)
		_, err := Read(context.Background(), data, Options{})
		assert.Equal(t, Unsupported, problemOf(err), "%v", err)
		assert.Contains(t, err.Error(), "_rels/.rels")
	})
}

func TestWorkbookProblems(t *testing.T) {
	sheet := sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`)
	tests := []struct {
		name    string
		entries []entry
		want    Problem
		detail  string
	}{
		{"xlsb", []entry{
			{name: "_rels/.rels", body: strings.Replace(testRels, "xl/workbook.xml", "xl/workbook.bin", 1)},
			{name: "xl/workbook.bin", body: "\x83\x01\x00"},
		}, Unsupported, ".xlsb"},
		{"ods", []entry{{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet"}, {name: "content.xml", body: "<x/>"}}, NotXLSX, "OpenDocument"},
		{"docx", []entry{{name: "word/document.xml", body: "<x/>"}}, NotXLSX, "Word"},
		{"plain zip", []entry{{name: "readme.txt", body: "hello"}}, NotXLSX, "no workbook"},
		{"missing sheet part", []entry{
			{name: "_rels/.rels", body: testRels}, {name: "xl/workbook.xml", body: testWorkbook}, {name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels},
		}, Malformed, "missing"},
		{"missing relationship", []entry{
			{name: "_rels/.rels", body: testRels}, {name: "xl/workbook.xml", body: testWorkbook}, {name: "xl/worksheets/sheet1.xml", body: sheet},
		}, Malformed, "rId1"},
		{"duplicate sheet names", []entry{
			{name: "_rels/.rels", body: testRels},
			{name: "xl/workbook.xml", body: strings.Replace(testWorkbook, `</sheets>`, `<sheet name="SHEET1" sheetId="2" r:id="rId1"/></sheets>`, 1)},
			{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels}, {name: "xl/worksheets/sheet1.xml", body: sheet},
		}, Malformed, "named"},
		{"two sheets on one part", []entry{
			{name: "_rels/.rels", body: testRels},
			{name: "xl/workbook.xml", body: strings.Replace(testWorkbook, `</sheets>`, `<sheet name="Other" sheetId="2" r:id="rId1"/></sheets>`, 1)},
			{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels}, {name: "xl/worksheets/sheet1.xml", body: sheet},
		}, Malformed, "share"},
		{"malformed workbook.xml", []entry{
			{name: "_rels/.rels", body: testRels}, {name: "xl/workbook.xml", body: "<workbook><sheets>"},
		}, Malformed, "xl/workbook.xml"},
		{"malformed rels", []entry{
			{name: "_rels/.rels", body: "<Relationships><Relationship"},
		}, Malformed, "_rels/.rels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), buildZip(t, tt.entries...), Options{})
			require.Error(t, err)
			assert.Equal(t, tt.want, problemOf(err), "%v", err)
			assert.Contains(t, err.Error(), tt.detail)
		})
	}
}

func TestLimits(t *testing.T) {
	assert.Equal(t, DefaultLimits(), Limits{}.withDefaults())
	rows := strings.Repeat(`<row><c><v>1</v></c><c><v>2</v></c></row>`, 10)
	t.Run("cells", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxCells: 19}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
		s, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxCells: 20}})
		require.NoError(t, err)
		assert.Equal(t, 20, s.Len())
	})
	t.Run("shared strings", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), sstXML(strings.Repeat("<si><t>x</t></si>", 11)), Options{Limits: Limits{MaxSharedStrings: 10}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("part size", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxPartSize: 100}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("total size", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxTotalSize: 500}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("file size", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxFileSize: 100}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("entries", func(t *testing.T) {
		_, err := readSheet(t, sheetXML(rows), "", Options{Limits: Limits{MaxEntries: 3}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("merged ranges", func(t *testing.T) {
		merges := `<mergeCells>` + strings.Repeat(`<mergeCell ref="A1:B2"/>`, 30) + `</mergeCells>`
		_, err := readSheet(t, sheetXML(rows)+merges, "", Options{Limits: Limits{MaxCells: 25}})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("refused by size before reading", func(t *testing.T) {
		path := filepath.Join(dir, "big.xlsx")
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(60<<20)) // sparse: costs no disk
		require.NoError(t, f.Close())
		_, err = ReadFile(context.Background(), path, Options{})
		assert.Equal(t, TooLarge, problemOf(err), "%v", err)
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := ReadFile(context.Background(), filepath.Join(dir, "nope.xlsx"), Options{})
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("directory", func(t *testing.T) {
		_, err := ReadFile(context.Background(), dir, Options{})
		assert.Error(t, err)
	})
}

func TestContextCancelled(t *testing.T) {
	data := minimalXLSX(t, sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, data, Options{})
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled while scanning a large sheet.
	big := sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 100000))
	data = minimalXLSX(t, big, "")
	ctx, cancel = context.WithCancel(context.Background())
	s := &scanner{}
	s.reset([]byte(big), "x")
	s.ctx, s.done = ctx, ctx.Done()
	cancel()
	var err2 error
	for err2 == nil {
		err2 = s.next()
	}
	assert.True(t, errors.Is(err2, context.Canceled), "%v", err2)
	_, err = Read(ctx, data, Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFileErrorMessages(t *testing.T) {
	for _, p := range []Problem{NotXLSX, Encrypted, LegacyFormat, Damaged, TooLarge, Unsupported, Malformed} {
		e := &FileError{Problem: p}
		assert.NotEqual(t, (&FileError{Problem: "other"}).Error(), e.Error(), p)
		assert.True(t, e.Error()[0] >= 'a' && e.Error()[0] <= 'z', "errors start in lower case: %s", e.Error())
	}
	e := &FileError{Problem: Damaged, Part: "xl/worksheets/sheet1.xml", Err: errors.New("boom")}
	assert.Equal(t, "the file is damaged or incomplete (perhaps a download or upload was cut short); open it in Excel, save it again and upload the new copy (xl/worksheets/sheet1.xml: boom)", e.Error())
	assert.Equal(t, "boom", errors.Unwrap(e).Error())
}
