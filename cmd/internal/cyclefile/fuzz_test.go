package cyclefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// FuzzParse feeds arbitrary cycle files to Parse, with three ledgers beside
// them (the valid test ledger, a small CSV and a small xlsx), and checks that it never
// panics, that a failure is an *Error listing at most MaxProblems
// non-empty problems, that a success passes engine.Cycle.Validate, and
// that reading tables from their lines changes nothing: the result is the
// one the YAML parser alone gives.
func FuzzParse(f *testing.F) {
	valid, err := os.ReadFile(filepath.Join("testdata", "valid", "cycle.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	gl, err := os.ReadFile(filepath.Join("testdata", "valid", "ledger", "fy26.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(planningBase + planningValid)) // scenarios, triggers, playbooks, ranges, initiatives, history
	for _, tc := range lineTableCases {
		f.Add([]byte(tc.src))
	}
	xlsx := xlsxLedger(f, [][]any{
		{"sales", 6200, 1000.1, 1},
		{"rnd", "Advertising", "(250.50)", "2026-01"},
		{"Parks", 6200, "#Missing", 1},
	})
	fsys := fstest.MapFS{
		"ledger/fy26.csv": {Data: gl},
		"gl.xlsx":         {Data: xlsx},
		"gl.csv":          {Data: []byte("Dept,Account,Amount\nsales,6100,1\nrnd,Advertising,(2.5)\nx,y,#Missing\n")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("cycle.yaml", data, fsys)
		sameAsYAML(t, data, fsys, file, err)
		if err != nil {
			checkProblems(t, err)
			if utf8.Valid(data) && !utf8.ValidString(err.Error()) {
				t.Fatalf("message is not UTF-8: %q", err.Error())
			}
			return
		}
		if file == nil || file.Cycle == nil {
			t.Fatal("no cycle and no error")
		}
		if err := file.Cycle.Validate(); err != nil {
			t.Fatalf("loaded cycle does not validate: %v", err)
		}
	})
}

// FuzzLedgerCSV feeds arbitrary bytes as the CSV ledger export the valid
// test cycle maps: a ledger comes from finance's systems, not from aop, so
// it must fail with an *Error naming the file and line, never panic.
func FuzzLedgerCSV(f *testing.F) {
	valid, err := os.ReadFile(filepath.Join("testdata", "valid", "cycle.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	gl, err := os.ReadFile(filepath.Join("testdata", "valid", "ledger", "fy26.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(gl)
	f.Add([]byte("Dept,Expense Category,FY26 Actual,Period\nsales,6100,\"(1,234.50)\",2026-01\n\"unterminated,6100,1,1\n"))
	f.Add([]byte("\xef\xbb\xbfDept;Expense Category;FY26 Actual;Period\r\nsales;6100;1e3;13\r\n"))
	f.Fuzz(func(t *testing.T, csv []byte) {
		fsys := fstest.MapFS{"ledger/fy26.csv": {Data: csv}}
		file, err := Parse("cycle.yaml", valid, fsys)
		if err != nil {
			checkProblems(t, err)
			return
		}
		if err := file.Cycle.Validate(); err != nil {
			t.Fatalf("parsed a cycle that does not validate: %v", err)
		}
	})
}

// checkProblems fails unless err is an *Error listing between one and
// MaxProblems problems, each with a message, a file and a line.
func checkProblems(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error of type %T: %v", err, err)
	}
	if len(e.Problems) == 0 || len(e.Problems) > MaxProblems {
		t.Fatalf("%d problems", len(e.Problems))
	}
	for _, p := range e.Problems {
		if strings.TrimSpace(p.Message) == "" || p.File == "" || p.Line < 0 {
			t.Fatalf("bad problem %+v", p)
		}
	}
}

// FuzzActualsCSV feeds arbitrary bytes as a GL export to ImportActuals with
// the mapping of a monthly export (period column, dimensions, indicators,
// sign by account type, control total row): it must never panic, a failure
// is an *Error naming the file and line, and a success accounts for every
// amount: what was imported and what was left unmapped add up to the
// file's total.
func FuzzActualsCSV(f *testing.F) {
	cycle := strings.Replace(actualsCycle, `      sheet: GL
      columns: {department: Dept, account: Account, amount: Amount, period: Month}`, `      columns: {department: Dept, account: Account, amount: Amount, period: Month, currency: Cur,
                dimensions: {project: Project}, indicators: {hires: Hires}}
      sign: {revenue: -1}
      control_total: {column: Dept, label: Total}`, 1)
	cycle = strings.Replace(cycle, "actuals:\n", "  - {code: \"4000\", name: Revenue, type: revenue}\ndimensions:\n  - {id: project, name: Project, members: [core, apollo]}\nactuals:\n", 1)
	file, err := Parse("cycle.yaml", []byte(cycle), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("Dept,Account,Amount,Month,Cur,Project,Hires\nsales,4000,-10.5,2026-02,USD,core,1\nsales,6200,(3),1,,apollo,\nparks,6200,2,FY2026,,,\nTotal,,-11.5,,,,\n"))
	f.Add([]byte("\xef\xbb\xbfDept,Account,Amount,Month\r\nsales,6200,1e3,13\r\n\"x,6200,1,1\n"))
	f.Add([]byte("Dept,Account,Amount,Month\nTotal,,1,\nTotal,,1,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := file.ImportActuals("gl.csv", data, ImportOptions{})
		if err != nil {
			checkProblems(t, err)
			return
		}
		for _, c := range imp.Controls {
			in := decimal.Zero
			for _, p := range imp.Periods {
				in = in.Add(p.Unmapped)
			}
			for _, s := range imp.Sets {
				for _, a := range s.Amounts {
					v := a.Amount
					if a.Account == "4000" {
						v = v.Neg()
					}
					in = in.Add(v)
				}
			}
			if !in.Equal(c.FileTotal) {
				t.Fatalf("imported and unmapped add up to %s, the file to %s", in, c.FileTotal)
			}
		}
	})
}
