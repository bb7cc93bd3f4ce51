package calc

import (
	"testing"

	"aop/engine/grid"
)

// FuzzParse checks that no formula text makes Parse, Eval or Refs panic.
// The seed corpus (below and in testdata/fuzz/FuzzParse) runs under go test.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"SUM(F6:Q6)",
		`SUMIFS(Prior_Amounts,Prior_Accounts,"6100")`,
		`IF(R6=0,"",SUMIFS(R:R,C:C,C6)/R6-1)`,
		"IFERROR(B3*B4/B5,0)",
		"IFERROR(B2*B3*(1+B4)*(13-MATCH(B5,List_Months,0))/12,0)",
		`'Q1 Data'!B2*2`,
		`"<tag> & ""quoted"""`,
		"SUM(A1:A3)*-1",
		"-2^2%&TRUE<>#N/A",
		"INDEX(A:C,0,2)",
		`COUNTIFS(A:A,"<>",3:3,"a~*?")`,
		"ROUND(1E+308*10,-400)",
		"VLOOKUP(1,A1:C3,2)+HLOOKUP(1,A1:C3,2,0)",
		`SUBSTITUTE(SUBSTITUTE("aa","a","aaaaaaaa"),"a","aaaaaaaa")`,
		`TEXT(A1,"#,##0.00%")&MID(B1,2,3)&LEFT(C1)`,
	} {
		f.Add(seed)
	}
	bk := newBook(map[string]map[string]any{
		"Sheet1":  {"A1": 1.5, "A2": "2", "A3": "x", "B1": true, "B2": grid.ErrorValue("#N/A"), "C3": -4, "C1": "=A1*2"},
		"Q1 Data": {"B2": 21},
	})
	bk.name("List_Months", "Sheet1", "A1:A3")
	bk.name("Prior_Amounts", "Sheet1", "B1:B3")
	bk.name("Prior_Accounts", "Q1 Data", "A1:A3")
	f.Fuzz(func(t *testing.T, src string) {
		fm, err := Parse(src)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", src, err)
			}
			return
		}
		v := fm.Eval(bk, "Sheet1")
		if v.Kind == grid.Number {
			if _, err := v.Decimal(); err != nil {
				t.Fatalf("Eval(%q) = %q, not a decimal: %v", src, v.Text, err)
			}
		}
		fm.Refs(bk, "Sheet1")
	})
}

func BenchmarkParse(b *testing.B) {
	formulas := []string{
		"SUM(F6:Q6)",
		`SUMIFS(Prior_Amounts,Prior_Accounts,"6100")`,
		`IF(R6=0,"",SUMIFS(R:R,C:C,C6)/R6-1)`,
		"IFERROR(B3*B4/B5,0)",
		"IFERROR(B2*B3*(1+B4)*(13-MATCH(B5,List_Months,0))/12,0)",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(formulas[i%len(formulas)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalSumIfs(b *testing.B) {
	bk := testBook()
	f, err := Parse(`IF(R6=0,"",SUMIFS(R:R,C:C,C6)/R6-1)`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Eval(bk, "Plan")
	}
}
