package calc

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/grid"
)

// Expected values, spelled as the emulator will see them.
func n(text string) grid.Value { return grid.NumText(text) }
func s(text string) grid.Value { return grid.Str(text) }
func b(v bool) grid.Value      { return grid.BoolValue(v) }
func e(code string) grid.Value { return grid.ErrorValue(code) }

var blank = grid.Value{}

// testBook is the workbook most tests compute in.
func testBook() *book {
	months := map[string]any{}
	for i, m := range []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		months[grid.R(i+1, 1).String()] = m
	}
	plan := map[string]any{
		"C6": "6100", "C7": "6200", "C8": "6100",
		"F7": 10, "F8": 39,
		"R6": "=SUM(F6:Q6)", "R7": "=SUM(F7:Q7)", "R8": "=SUM(F8:Q8)",
		"S6": `=IF(R6=0,"",SUMIFS(R:R,C:C,C6)/R6-1)`,
		"S9": `=IF(R9=0,"",SUMIFS(R:R,C:C,C9)/R9-1)`,
	}
	for i := range 12 {
		plan[grid.R(6, 6+i).String()] = i + 1 // F6:Q6 = 1..12
	}
	bk := newBook(map[string]map[string]any{
		"Calc": {
			"A1": 1.5, "A2": 2.25, "A3": 0.1, "A4": "=SUM(A1:A3)",
			"B1": "2", "B2": "abc", "B3": true, "B5": 0,
			"C1": "apple", "C2": "Banana", "C3": "cherry", "C4": "banana split", "C5": "a*b",
			"D1": 10, "D2": 20, "D3": 30, "D4": 40, "D5": 50,
			"E1": grid.ErrorValue("#N/A"), "E2": 5,
			"F1": "=F2", "F2": "=F1",
			"G1": -7, "G2": 3,
			"H1": "  lots   of   space ",
			"K1": "=A4*1000000",
		},
		"Q1 Data": {"B2": 21},
		"Prior": {
			"A2": "6100", "A3": 6200, "A4": "6100", "A5": "7000",
			"B2": 100, "B3": 200, "B4": 50, "B5": 1,
		},
		"Drivers": {
			"B2": 2, "B3": 60000, "B4": 0.03, "B5": "Apr",
			"C3": 10, "C4": 5, "C5": 0,
		},
		"Plan":   plan,
		"Lists":  months,
		"Empty":  {},
		"O'Hara": {"A1": 7},
	})
	bk.name("Prior_Accounts", "Prior", "$A$2:$A$5")
	bk.name("Prior_Amounts", "Prior", "$B$2:$B$5")
	bk.name("List_Months", "Lists", "$A$1:$A$12")
	bk.name("Unknown_Sheet", "Gone", "A1:A3")
	return bk
}

func TestEval(t *testing.T) {
	tests := []struct {
		formula string
		want    grid.Value
	}{
		// The conformance suite's formulas (engine/grid/gridtest).
		{"SUM(A1:A3)", n("3.85")},
		{"A1-A1", n("0")},
		{`A1&" units"`, s("1.5 units")},
		{"A1>1", b(true)},
		{"A1>100", b(false)},
		{"'Q1 Data'!B2*2", n("42")},
		{`IF(A1>100,"big","")`, blank},
		{"1/0", e("#DIV/0!")},
		{"ROUND(A4*1000000,2)", n("3850000")},
		{`"<tag> & ""quoted"""`, s(`<tag> & "quoted"`)},
		{"SUM(A1:A3)*-1", n("-3.85")},
		{"A4*2", n("7.7")},

		// Number results.
		{"1.5+2.25+0.1", n("3.85")},
		{"0.1+0.2", n("0.3")},
		{"3850000", n("3850000")},
		{"A4*1000000", n("3850000")},
		{"K1", n("3850000")},
		{"1E+20", n("1E+20")},
		{"1e20*10", n("1E+21")},
		{".5", n("0.5")},
		{"1/3", n("0.333333333333333")},
		{"2/3", n("0.666666666666667")},
		{"123456789012345678", n("1.23456789012346E+17")},
		{"999999999999999", n("999999999999999")},
		{"0.000001", n("0.000001")},
		{"0.0000001", n("1E-07")},
		{"-0", n("0")},
		{"50%", n("0.5")},
		{"10%%", n("0.001")},
		{"1E+308*10", e("#NUM!")},

		// Precedence: unary minus binds tighter than ^, ^ is left-associative.
		{"-2^2", n("4")},
		{"0-2^2", n("-4")},
		{"2^3^2", n("64")},
		{"2^-1", n("0.5")},
		{"1+2*3", n("7")},
		{"(1+2)*3", n("9")},
		{"2*3^2", n("18")},
		{"10-4-3", n("3")},
		{"12/3/2", n("2")},
		{"1+2&3", s("33")},
		{"1&2+3", s("15")},
		{"1+1=2", b(true)},
		{`"a"&"b"="AB"`, b(true)},
		{"-50%", n("-0.5")},
		{"--3", n("3")},
		{"+-+3", n("-3")},
		{"2^0.5*2^0.5", n("2")},
		{"0^0", n("1")},
		{"0^-1", e("#DIV/0!")},
		{"(-8)^(1/3)", e("#NUM!")},

		// Coercion.
		{`"2"+1`, n("3")},
		{"B1+1", n("3")},
		{"B2+1", e("#VALUE!")},
		{`"abc"*1`, e("#VALUE!")},
		{"B3+1", n("2")},
		{"TRUE+TRUE", n("2")},
		{"B4+1", n("1")},
		{`B4&"x"`, s("x")},
		{`""+1`, n("1")},
		{`" 2 "*2`, n("4")},
		{`"50%"*2`, n("1")},
		{`"Inf"+0`, e("#VALUE!")},
		{`"0x10"+0`, e("#VALUE!")},
		{`1&TRUE`, s("1TRUE")},
		{`0.1+0.2&""`, s("0.3")},
		{"B4", blank},
		{"B1", s("2")},
		{"B3", b(true)},

		// Comparison.
		{`"abc"="ABC"`, b(true)},
		{`"a"<"B"`, b(true)},
		{`1<"a"`, b(true)},
		{`"z"<TRUE`, b(true)},
		{`"1"=1`, b(false)},
		{"B4=0", b(true)},
		{`B4=""`, b(true)},
		{"B4=FALSE", b(true)},
		{"0.1+0.2=0.3", b(true)},
		{"1<>1", b(false)},
		{"2>=2", b(true)},
		{"2<=1", b(false)},

		// Errors propagate, the left one first.
		{"#N/A+1", e("#N/A")},
		{"1/0+#N/A", e("#DIV/0!")},
		{"#REF!&1", e("#REF!")},
		{"E1=1", e("#N/A")},
		{"-E1", e("#N/A")},
		{"#num!", e("#NUM!")},
		{"NOSUCH(1)", e("#NAME?")},
		{"No_Such_Name", e("#NAME?")},
		{"No_Such_Name+1", e("#NAME?")},
		{"SUM(Unknown_Sheet)", e("#REF!")},
		{"Gone!A1", e("#REF!")},
		{"F1", e("#REF!")},
		{"A1:A3", e("#VALUE!")},
		{"A1:A3+1", e("#VALUE!")},
		{"SUM()", e("#N/A")},
		{"NOT(1,2)", e("#N/A")},

		// References.
		{"$A$1+A$2+$A3", n("3.85")},
		{"a1", n("1.5")},
		{"'O''Hara'!A1", n("7")},
		{"Calc!A1", n("1.5")},
		{"SUM(Calc!A1:A3)", n("3.85")},
		{"SUM(A:A)", n("7.7")},
		{"SUM(D:D)", n("150")},
		{"SUM(3:3)", n("30.1")},
		{"SUM(2:2)", e("#REF!")},
		{"SUM(D2:D)", n("140")},
		{"SUM(Empty!A:A)", n("0")},
		{"SUM(A3:A1)", n("3.85")},
		{"Empty!Z99", blank},

		// Aggregates.
		{"SUM(1,2,3)", n("6")},
		{`SUM("2",TRUE,1)`, n("4")},
		{`SUM("x")`, e("#VALUE!")},
		{"SUM(B1:B4)", n("0")},
		{"SUM(A1:B4)", n("7.7")},
		{"SUM(E1:E2)", e("#N/A")},
		{"SUM(A1:A3,10)", n("13.85")},
		{"AVERAGE(D1:D5)", n("30")},
		{"AVERAGE(B1:B4)", e("#DIV/0!")},
		{"AVERAGE(D1:D2,B1:B3)", n("15")},
		{"MIN(D1:D5,G1:G2)", n("-7")},
		{"MAX(D1:D5,G1:G2)", n("50")},
		{"MAX(B1:B4)", n("0")},
		{"COUNT(A1:D5)", n("10")},
		{`COUNT(1,"2","x",TRUE)`, n("3")},
		{"COUNTA(B1:B5)", n("4")},
		{"COUNTA(1,,2)", n("3")},
		{"COUNTBLANK(B1:B5)", n("1")},
		{"PRODUCT(D1:D2,2)", n("400")},
		{"SUMPRODUCT(D1:D3,D3:D5)", n("2600")},
		{"SUMPRODUCT(D1:D3,D1:D2)", e("#VALUE!")},

		// Conditional aggregates.
		{`SUMIFS(Prior_Amounts,Prior_Accounts,"6100")`, n("150")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,6200)`, n("200")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,"6200")`, n("200")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,Plan!C6)`, n("150")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,"<>6100")`, n("201")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,"6100",Prior_Amounts,">60")`, n("100")},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,"9999")`, n("0")},
		{`SUMIFS(Prior_Amounts,Prior!A2:A3,"6100")`, e("#VALUE!")},
		{`SUMIF(Prior_Accounts,"6100",Prior_Amounts)`, n("150")},
		{`SUMIF(Prior!A2,"6100",Prior!B2:B5)`, n("100")},
		{`SUMIF(D1:D5,">25")`, n("120")},
		{`SUMIF(D1:D5,">=20")`, n("140")},
		{`SUMIF(D1:D5,"<20")`, n("10")},
		{`SUMIF(D1:D5,"<=20")`, n("30")},
		{`SUMIF(D1:D5,"="&D2)`, n("20")},
		{`SUMIF(D1:D5,D2)`, n("20")},
		{`SUMIF(C1:C5,"b*",D1:D5)`, n("60")},
		{`SUMIF(C1:C5,"?pple",D1:D5)`, n("10")},
		{`SUMIF(C1:C5,"*e*",D1:D5)`, n("40")},
		{`SUMIF(C1:C5,"a~*b",D1:D5)`, n("50")},
		{`SUMIF(C1:C5,"a*b",D1:D5)`, n("50")},
		{`SUMIF(C1:C5,"BANANA",D1:D5)`, n("20")},
		{`SUMIF(C1:C5,"<c",D1:D5)`, n("120")},
		{`COUNTIF(C1:C5,"<>banana")`, n("4")},
		{`COUNTIF(B1:B5,"")`, n("1")},
		{`COUNTIF(B1:B5,"<>")`, n("4")},
		{`COUNTIF(B1:B5,TRUE)`, n("1")},
		{`COUNTIF(B1:B5,"true")`, n("1")},
		{`COUNTIF(B1:B5,2)`, n("1")},
		{`COUNTIF(B1:B5,">1")`, n("0")},
		{`COUNTIF(D1:D5,">"&D3)`, n("2")},
		{`COUNTIF(Prior_Accounts,6100)`, n("2")},
		{`COUNTIF(Empty!A1:A10,"")`, n("10")},
		{`COUNTIF(D:D,"")`, n("1048571")},
		{`COUNTIFS(C1:C5,"b*",D1:D5,">30")`, n("1")},
		{`COUNTIFS(C1:C5,"b*",D1:D5)`, e("#N/A")},
		{`AVERAGEIF(D1:D5,">20")`, n("40")},
		{`AVERAGEIF(D1:D5,">99")`, e("#DIV/0!")},
		{`AVERAGEIFS(D1:D5,C1:C5,"b*")`, n("30")},

		// Logic.
		{"IF(1,2,3)", n("2")},
		{"IF(0,2,3)", n("3")},
		{"IF(0,2)", b(false)},
		{`IF("true",1,2)`, n("1")},
		{`IF("x",1,2)`, e("#VALUE!")},
		{"IF(B4,1,2)", n("2")},
		{"IF(TRUE,1/0,2)", e("#DIV/0!")},
		{"IF(FALSE,1/0,2)", n("2")},
		{"IF(TRUE,A1:A3,0)", e("#VALUE!")},
		{"SUM(IF(TRUE,A1:A3,0))", n("3.85")},
		{"IF(TRUE,B4,1)", blank},
		{"IFS(A1>2,1,A1>1,2)", n("2")},
		{"IFS(A1>2,1)", e("#N/A")},
		{"IFERROR(1/0,7)", n("7")},
		{"IFERROR(2,7)", n("2")},
		{"IFERROR(1/0)", blank},
		{"IFERROR(Drivers!C3*Drivers!C4/Drivers!C5,0)", n("0")},
		{"IFNA(E1,1)", n("1")},
		{"IFNA(1/0,1)", e("#DIV/0!")},
		{"AND(1,TRUE)", b(true)},
		{"AND(1,0)", b(false)},
		{"AND(D1:D5)", b(true)},
		{"AND(B1:B4)", b(true)},
		{"AND(C1:C2)", e("#VALUE!")},
		{`AND("x")`, e("#VALUE!")},
		{"OR(0,FALSE)", b(false)},
		{"OR(0,1/0)", e("#DIV/0!")},
		{"OR(G1:G2)", b(true)},
		{"XOR(TRUE,TRUE)", b(false)},
		{"NOT(0)", b(true)},
		{"NOT(A1)", b(false)},
		{"TRUE()", b(true)},
		{"true", b(true)},
		{"False", b(false)},

		// Maths.
		{"ROUND(2.675,2)", n("2.68")},
		{"ROUND(-2.5)", n("-3")},
		{"ROUND(2.5,0)", n("3")},
		{"ROUND(1234.5678,-2)", n("1200")},
		{"ROUND(0.4,-3)", n("0")},
		{"ROUND(1.005,2)", n("1.01")},
		{"ROUND(A1,1.9)", n("1.5")},
		{"ROUNDUP(0.1+0.2,1)", n("0.3")},
		{"ROUNDUP(1.21,1)", n("1.3")},
		{"ROUNDUP(-1.21,1)", n("-1.3")},
		{"ROUNDUP(0.0004,-2)", n("100")},
		{"ROUNDDOWN(1.29,1)", n("1.2")},
		{"ROUNDDOWN(-1.29,1)", n("-1.2")},
		{"ROUND(123456789.123456789,20)", n("123456789.123457")},
		{"ABS(G1)", n("7")},
		{"INT(-1.5)", n("-2")},
		{"INT((0.1+0.7)*10)", n("8")},
		{"MOD(-1,3)", n("2")},
		{"MOD(5,0)", e("#DIV/0!")},
		{"SIGN(G1)", n("-1")},
		{"SQRT(16)", n("4")},
		{"SQRT(-1)", e("#NUM!")},
		{"POWER(2,10)", n("1024")},

		// Lookup.
		{`MATCH("Apr",List_Months,0)`, n("4")},
		{`MATCH("apr",List_Months,0)`, n("4")},
		{`MATCH("A*",List_Months,0)`, n("4")},
		{`MATCH("Xyz",List_Months,0)`, e("#N/A")},
		{`MATCH(Drivers!B5,List_Months,0)`, n("4")},
		{"MATCH(25,D1:D5,1)", n("2")},
		{"MATCH(25,D1:D5)", n("2")},
		{"MATCH(5,D1:D5,1)", e("#N/A")},
		{"MATCH(99,D1:D5,1)", n("5")},
		{"MATCH(30,D1:D5,0)", n("3")},
		{"MATCH(30,A1:D5,0)", e("#N/A")},
		{"MATCH(25,Plan!F6:Q6,-1)", e("#N/A")},
		{"MATCH(5,D1:D5,-1)", n("5")},
		{"MATCH(B4,D1:D5,0)", e("#N/A")},
		{"INDEX(D1:D5,3)", n("30")},
		{"INDEX(A1:D5,2,4)", n("20")},
		{"INDEX(Plan!F6:Q6,12)", n("12")},
		{"INDEX(D1:D5,6)", e("#REF!")},
		{"INDEX(D1:D5,-1)", e("#VALUE!")},
		{"SUM(INDEX(A1:D5,0,4))", n("150")},
		{"SUM(INDEX(A1:D5,1,0))", n("11.5")},
		{"INDEX(D1:D5,MATCH(30,D1:D5,0))", n("30")},
		{"INDEX(7,1,1)", n("7")},
		{`VLOOKUP("banana",C1:D5,2,FALSE)`, n("20")},
		{`VLOOKUP("banana",C1:D5,3,FALSE)`, e("#REF!")},
		{`VLOOKUP("kiwi",C1:D5,2,FALSE)`, e("#N/A")},
		{"VLOOKUP(35,D1:D5,1)", n("30")},
		{"HLOOKUP(3,Plan!F6:Q6,1,FALSE)", n("3")},
		{"ROWS(A1:D5)", n("5")},
		{"COLUMNS(A1:D5)", n("4")},

		// Information.
		{"ISBLANK(B4)", b(true)},
		{"ISBLANK(B1)", b(false)},
		{`ISBLANK(IF(TRUE,""))`, b(false)},
		{"ISNUMBER(A1)", b(true)},
		{"ISNUMBER(B1)", b(false)},
		{"ISTEXT(B1)", b(true)},
		{"ISLOGICAL(B3)", b(true)},
		{"ISERROR(1/0)", b(true)},
		{"ISERROR(1)", b(false)},
		{"ISERR(E1)", b(false)},
		{"ISNA(E1)", b(true)},
		{"ISNA(NA())", b(true)},
		{"N(B3)", n("1")},

		// Text.
		{"LEN(C2)", n("6")},
		{`LEN("héllo")`, n("5")},
		{"LEN(A4)", n("4")},
		{`CONCATENATE("a",1,TRUE)`, s("a1TRUE")},
		{"CONCATENATE(C1:C2)", s("appleBanana")},
		{`CONCAT("x",E1)`, e("#N/A")},
		{"UPPER(C1)", s("APPLE")},
		{"LOWER(C2)", s("banana")},
		{"TRIM(H1)", s("lots of space")},
		{`LEFT("abc",2)`, s("ab")},
		{`LEFT("abc")`, s("a")},
		{`RIGHT("abc",5)`, s("abc")},
		{`MID("abcdef",2,3)`, s("bcd")},
		{`MID("abc",5,1)`, blank},
		{`SUBSTITUTE("a-b-c","-","+")`, s("a+b+c")},
		{`SUBSTITUTE("a-b-c","-","+",2)`, s("a-b+c")},
		{`VALUE("1,234.5")`, n("1234.5")},
		{`VALUE("x")`, e("#VALUE!")},
		{`TEXT(1234.567,"#,##0.00")`, s("1,234.57")},
		{`TEXT(0.256,"0.0%")`, s("25.6%")},
		{`TEXT(-1234567,"#,##0")`, s("-1,234,567")},
		{`TEXT(3.5,"0")`, s("4")},
		{`EXACT("a","A")`, b(false)},
		{`upper("x")`, s("X")},
		{`Sum( 1 , 2 )`, n("3")},
	}
	bk := testBook()
	for _, tt := range tests {
		t.Run(tt.formula, func(t *testing.T) {
			f, err := Parse(tt.formula)
			require.NoError(t, err)
			got := f.Eval(bk, "Calc")
			assert.Equal(t, tt.want, got, "%s: want %s %q, got %s %q", tt.formula, tt.want.Kind, tt.want.Text, got.Kind, got.Text)
		})
	}
}

// TestTemplateFormulas evaluates the formulas aop's templates write, in the
// cells they sit in, through the resolver's recursion.
func TestTemplateFormulas(t *testing.T) {
	tests := []struct {
		sheet, formula string
		want           grid.Value
	}{
		{"Plan", "SUM(F6:Q6)", n("78")},
		{"Plan", `SUMIFS(Prior_Amounts,Prior_Accounts,"6100")`, n("150")},
		{"Plan", `SUMIFS(Prior_Amounts,Prior_Accounts,C6)`, n("150")},
		{"Plan", `SUMIFS(Prior_Amounts,Prior_Accounts,6100)`, n("150")},
		{"Plan", `IF(R6=0,"",SUMIFS(R:R,C:C,C6)/R6-1)`, n("0.5")},
		{"Plan", `IF(R9=0,"",SUMIFS(R:R,C:C,C9)/R9-1)`, blank},
		{"Drivers", "IFERROR(C3*C4/C5,0)", n("0")},
		{"Drivers", "IFERROR(C3*C4/C4,0)", n("10")},
		{"Drivers", "IFERROR(B2*B3*(1+B4)*(13-MATCH(B5,List_Months,0))/12,0)", n("92700")},
		{"Drivers", "IFERROR(B2*B3*(1+B4)*(13-MATCH(C3,List_Months,0))/12,0)", n("0")},
	}
	bk := testBook()
	for _, tt := range tests {
		t.Run(tt.formula, func(t *testing.T) {
			f, err := Parse(tt.formula)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.Eval(bk, tt.sheet))
		})
	}
	// Through the resolver, as the emulator reads a formula cell.
	assert.Equal(t, n("0.5"), bk.Value("Plan", 6, 19))
	assert.Equal(t, blank, bk.Value("Plan", 9, 19))
	assert.Equal(t, n("3.85"), bk.Value("Calc", 4, 1))
}

func TestEvalLeadingEquals(t *testing.T) {
	f, err := Parse(" =SUM(1,2)")
	require.NoError(t, err)
	assert.Equal(t, n("3"), f.Eval(testBook(), "Calc"))
	assert.Equal(t, " =SUM(1,2)", f.String())
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"", "=", "1+", "(1", "1)", "SUM(1", "SUM(1,", `"abc`, "#FOO!", "1 2", "A1:", "'Sheet", "'Sheet'A1",
		"'Sheet'!", "Sheet1!", "Sheet1!foo", "''!A1", "$", "$A", "1.2.3", "3A", "*1", "1**2", "{1,2}", "A1 A2",
		"SUM(1;2)", "@A1", "=1=",
	} {
		t.Run(src, func(t *testing.T) {
			f, err := Parse(src)
			require.Error(t, err, "parsed as %#v", f)
			var se *SyntaxError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, src, se.Src)
			assert.LessOrEqual(t, se.Pos, len(src))
		})
	}
}

func TestParseNesting(t *testing.T) {
	deep := ""
	for range 150 {
		deep += "("
	}
	deep += "1"
	for range 150 {
		deep += ")"
	}
	f, err := Parse(deep)
	require.NoError(t, err)
	assert.Equal(t, n("1"), f.Eval(testBook(), "Calc"))

	tooDeep := ""
	for range 10000 {
		tooDeep += "-("
	}
	_, err = Parse(tooDeep + "1")
	require.Error(t, err)
}

func TestRefs(t *testing.T) {
	bk := testBook()
	tests := []struct {
		formula string
		want    []Ref
	}{
		{"1+2", nil},
		{"A1", []Ref{{"Calc", grid.Rect(1, 1, 1, 1)}}},
		{"SUM($B$2:C3)+B2+b2:c3", []Ref{{"Calc", grid.Rect(2, 2, 3, 3)}, {"Calc", grid.Rect(2, 2, 2, 2)}}},
		{"'Q1 Data'!B2*2", []Ref{{"Q1 Data", grid.Rect(2, 2, 2, 2)}}},
		{"SUM(A:B)", []Ref{{"Calc", grid.Rect(1, 1, grid.MaxRows, 2)}}},
		{"SUM(3:4)", []Ref{{"Calc", grid.Rect(3, 1, 4, grid.MaxCols)}}},
		{"SUM(A3:B)", []Ref{{"Calc", grid.Rect(3, 1, grid.MaxRows, 2)}}},
		{`SUMIFS(Prior_Amounts,Prior_Accounts,C6)+No_Name`, []Ref{
			{"Prior", grid.Rect(2, 2, 5, 2)}, {"Prior", grid.Rect(2, 1, 5, 1)}, {"Calc", grid.Rect(6, 3, 6, 3)},
		}},
		{"IF(-A1%>0,NOSUCH(B1),C1)", []Ref{
			{"Calc", grid.Rect(1, 1, 1, 1)}, {"Calc", grid.Rect(1, 2, 1, 2)}, {"Calc", grid.Rect(1, 3, 1, 3)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.formula, func(t *testing.T) {
			f, err := Parse(tt.formula)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.Refs(bk, "Calc"))
		})
	}
}

// TestRangesReadOnlyUsedCells checks that whole columns cost what the sheet
// holds, not a million reads.
func TestRangesReadOnlyUsedCells(t *testing.T) {
	bk := testBook()
	f, err := Parse("SUM(D:D)+COUNTIF(A:Z,\"x\")")
	require.NoError(t, err)
	bk.reads = 0
	assert.Equal(t, n("150"), f.Eval(bk, "Calc"))
	assert.Less(t, bk.reads, 200)
}

func TestFormatNumber(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{
		{0, "0"}, {3850000, "3850000"}, {1.5 + 2.25 + 0.1, "3.85"}, {0.1 + 0.2, "0.3"}, {-3.85, "-3.85"},
		{1e15, "1E+15"}, {999999999999999, "999999999999999"}, {1e-6, "0.000001"}, {1.5e-7, "1.5E-07"},
		{123456.7890123456789, "123456.789012346"}, {1.0 / 3, "0.333333333333333"},
	} {
		got := formatNumber(tt.f)
		assert.Equal(t, tt.want, got, "%v", tt.f)
		_, err := grid.NumText(got).Decimal()
		assert.NoError(t, err, "decimal parse of %q", got)
	}
}

func TestFunctionNames(t *testing.T) {
	names := functionNames()
	for _, want := range []string{
		"SUM", "SUMIFS", "SUMIF", "COUNTIFS", "COUNTIF", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "IF",
		"IFERROR", "IFNA", "AND", "OR", "NOT", "ROUND", "ROUNDUP", "ROUNDDOWN", "ABS", "MATCH", "INDEX", "ISBLANK",
		"ISNUMBER", "ISERROR", "LEN", "CONCATENATE", "UPPER", "LOWER", "TRIM", "TEXT",
	} {
		assert.Contains(t, names, want)
	}
}

func TestRefsNameOnFormulaSheet(t *testing.T) {
	bk := testBook()
	bk.names["local"] = Ref{Range: grid.Rect(1, 1, 2, 1)}
	f, err := Parse("SUM(Local)")
	require.NoError(t, err)
	assert.Equal(t, []Ref{{"Calc", grid.Rect(1, 1, 2, 1)}}, f.Refs(bk, "Calc"))
	assert.Equal(t, n("3.75"), f.Eval(bk, "Calc"))
}
