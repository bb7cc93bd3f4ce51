package harvest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/lotest"
	"aop/engine"
	"aop/engine/grid"
	"aop/excel"
	"aop/excel/xlsxread"
	"aop/templates"
)

var testKey = templates.Key([]byte("harvest-test-key-0123456789abcdef"))

func loadCycle(t testing.TB) *engine.Cycle {
	t.Helper()
	cf, err := cyclefile.Load(filepath.Join("testdata", "cycle.yaml"))
	require.NoError(t, err)
	return cf.Cycle
}

func newHarvester(t testing.TB, c *engine.Cycle) *harvest.Harvester {
	t.Helper()
	h, err := harvest.New(c, testKey)
	require.NoError(t, err)
	return h
}

// generateFile writes a department's generated workbook into dir.
func generateFile(t testing.TB, c *engine.Cycle, dept, dir string) string {
	t.Helper()
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	wb, err := tpl.Generate(dept, "", testKey)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, dept+".xlsx")
	require.NoError(t, excel.WriteFile(path, wb))
	return path
}

func fixtures(t testing.TB, parts ...string) string {
	t.Helper()
	dir := filepath.Join(append([]string{"..", "..", "..", "..", "shared", "fixtures"}, parts...)...)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing in CI: %v", err)
		}
		t.Skipf("shared fixtures not found beside the checkout: %v", err)
	}
	return dir
}

func findRecord(rs []engine.Fact, sheet, cell string) *engine.Fact {
	for i := range rs {
		if rs[i].Sheet == sheet && rs[i].Cell == cell {
			return &rs[i]
		}
	}
	return nil
}

// TestLibreOfficeFillsTheTemplate has a real LibreOffice type into a
// generated workbook (numbers, text, a dimension member, a percentage, a
// wrong type) and save it as .xlsx; the harvest returns exactly those values
// at their cells and reports the wrong one at its cell. The same workbook
// re-saved by LibreOffice without edits still passes the identity check.
func TestLibreOfficeFillsTheTemplate(t *testing.T) {
	lotest.Require(t)
	c := loadCycle(t)
	dir := t.TempDir()
	src := generateFile(t, c, "sales", dir)
	filled := filepath.Join(dir, "filled.xlsx")
	resaved := filepath.Join(dir, "resaved.xlsx")
	edits := []lotest.Edit{
		{Sheet: "Plan", Cell: "A5", Text: "4000 Subscription revenue"},
		{Sheet: "Plan", Cell: "B5", Text: "Zeus"},
		{Sheet: "Plan", Cell: "C5", Text: "Direct"},
		{Sheet: "Plan", Cell: "D5", Text: "Enterprise renewals"},
		{Sheet: "Plan", Cell: "E5", Type: "104250.75"},
		{Sheet: "Plan", Cell: "F5", Type: "98000"},
		{Sheet: "Plan", Cell: "G5", Type: "twelve"},
		{Sheet: "Plan", Cell: "T5", Text: "=IMPORTXML(\"http://example.com\",\"//a\")"},
		{Sheet: "Drivers", Cell: "B5", Type: "28%"},
		{Sheet: "Headcount", Cell: "A4", Text: "Account executive"},
		{Sheet: "Headcount", Cell: "B4", Type: "2"},
		{Sheet: "Headcount", Cell: "C4", Text: "P3 Sep 2026"},
		{Sheet: "Headcount", Cell: "D4", Type: "120000"},
		{Sheet: "Headcount", Cell: "E4", Type: "25%"},
		{Sheet: "Headcount", Cell: "F4", Type: "3"},
		{Sheet: "Assumptions", Cell: "A4", Text: "Win rate"},
		{Sheet: "Assumptions", Cell: "D4", Text: "changed"},
	}
	lotest.Run(t, []lotest.Job{
		{Input: src, Output: filled, Edits: edits},
		{Input: src, Output: resaved},
	})
	h := newHarvester(t, c)
	ctx := context.Background()

	r, err := h.File(ctx, filled, "sales")
	require.NoError(t, err)
	require.NotEqual(t, harvest.Refused, r.Status, "%v", r.Findings)
	want := map[string]string{
		"Plan!A5": "4000 Subscription revenue", "Plan!B5": "Zeus", "Plan!C5": "Direct", "Plan!D5": "Enterprise renewals",
		"Plan!E5": "104250.75", "Plan!F5": "98000", "Plan!G5": "twelve", "Plan!T5": `=IMPORTXML("http://example.com","//a")`,
		"Drivers!B5": "0.28", "Headcount!A4": "Account executive", "Headcount!B4": "2", "Headcount!C4": "P3 Sep 2026",
		"Headcount!D4": "120000", "Headcount!E4": "0.25", "Headcount!F4": "3", "Assumptions!A4": "Win rate", "Assumptions!D4": "changed",
	}
	for key, v := range want {
		sheet, cell, _ := strings.Cut(key, "!")
		rec := findRecord(r.Records, sheet, cell)
		require.NotNil(t, rec, "no record for %s", key)
		assert.Equal(t, v, rec.Value, key)
	}
	amount := findRecord(r.Records, "Plan", "E5")
	assert.Equal(t, "4000", amount.Account)
	assert.Equal(t, engine.Period(1), amount.Period)
	assert.Equal(t, map[string]string{"project": "zeus", "channel": "Direct"}, amount.Dims)
	assert.True(t, amount.Amount.Equal(decimal.RequireFromString("104250.75")))

	require.Equal(t, harvest.Invalid, r.Status)
	var wrong *engine.Finding
	for i := range r.Findings {
		if r.Findings[i].Cell == "G5" {
			wrong = &r.Findings[i]
		}
	}
	require.NotNil(t, wrong, "the wrong type is reported at its cell: %v", r.Findings)
	assert.Equal(t, "Plan", wrong.Sheet)
	assert.Equal(t, engine.Error, wrong.Level)
	assert.Contains(t, wrong.Message, `must be a number, got "twelve"`)

	r, err = h.File(ctx, resaved, "sales")
	require.NoError(t, err)
	assert.Equal(t, harvest.Valid, r.Status, "re-saved by LibreOffice: %v", r.Findings)
}

// TestRealFilesAreRefused harvests every real-world fixture: none is an aop
// workbook, so each is refused with a clear message, never a panic or a
// hang.
func TestRealFilesAreRefused(t *testing.T) {
	dir := fixtures(t, "xlsx-real")
	c := loadCycle(t)
	h := newHarvester(t, c)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".xlsx") {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r, err := h.File(ctx, filepath.Join(dir, e.Name()), "")
			require.NoError(t, err)
			assert.Equal(t, harvest.Refused, r.Status)
			require.Len(t, r.Findings, 1)
			assert.NotEmpty(t, r.Problem)
			assert.Greater(t, len(r.Findings[0].Message), 20, "a clear message")
			switch e.Name() {
			case "unknownapp-encrypted-password.xlsx":
				assert.Contains(t, r.Findings[0].Message, "password")
			case "gsheets-chart-bad-crc.xlsx":
				assert.Equal(t, string(xlsxread.Damaged), r.Problem)
			default:
				assert.Equal(t, string(templates.NotAOP), r.Problem, r.Findings[0].Message)
			}
		})
	}
	assert.GreaterOrEqual(t, n, 50)
}

func TestNotAWorkbook(t *testing.T) {
	c := loadCycle(t)
	h := newHarvester(t, c)
	ctx := context.Background()
	for name, data := range map[string][]byte{
		"empty":      nil,
		"text":       []byte("Department,Amount\nsales,100\n"),
		"legacy xls": append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...),
	} {
		r := h.Bytes(ctx, name, data, "")
		assert.Equal(t, harvest.Refused, r.Status, name)
		assert.NotEmpty(t, r.Findings[0].Message, name)
	}
}

// randomSubmission makes a valid submission for a department: random
// lines (accounts, members, amounts with cents, text with quotes, unicode,
// newlines and formula-like text), drivers, hires and assumptions.
func randomSubmission(rng *rand.Rand, c *engine.Cycle, tpl *templates.Department, dept string) *engine.Submission {
	texts := []string{"Renewals", "Q3 push — EMEA", `He said "ok"`, "=SUM(A1:A9)", "+1 (555) 0100", "naïve café ünïcode 计划", "two\nlines", "100%", "0012"}
	pick := func() string { return texts[rng.IntN(len(texts))] }
	money := func() decimal.Decimal {
		return decimal.New(rng.Int64N(2_000_000_000)-100_000_000, -2)
	}
	sub := &engine.Submission{Cycle: c.ID, Department: dept}
	accounts := c.AccountsFor(dept)
	for range rng.IntN(tpl.Lines() + 1) {
		a := accounts[rng.IntN(len(accounts))]
		l := engine.Line{Account: a.Code, Dims: map[string]string{}}
		for _, d := range c.Dimensions {
			if rng.IntN(3) > 0 {
				l.Dims[d.ID] = d.Members[rng.IntN(len(d.Members))].ID
			}
		}
		for p := range engine.MonthsPerYear {
			if rng.IntN(5) > 0 {
				l.Months[p] = money()
			}
		}
		if rng.IntN(2) == 0 {
			l.Description = pick()
		}
		l.Comment = pick() // growth rules ask for an explanation
		sub.Lines = append(sub.Lines, l)
	}
	if tpl.HasDrivers(dept) {
		for _, name := range []string{"pipeline", "win_rate", "deal_size", "sales_cycle"} {
			d := engine.Driver{Name: name}
			for p := range engine.MonthsPerYear {
				var v decimal.Decimal
				switch name {
				case "win_rate":
					v = decimal.New(rng.Int64N(10001), -4)
				case "sales_cycle":
					v = decimal.New(rng.Int64N(600), -1)
				default:
					v = decimal.New(rng.Int64N(1_000_000_000), -2)
				}
				d.Months[p] = &v
			}
			sub.Drivers = append(sub.Drivers, d)
		}
	}
	for range rng.IntN(6) {
		sub.Hires = append(sub.Hires, engine.Hire{Role: pick(), Count: 1 + rng.IntN(20), Start: engine.Period(1 + rng.IntN(12)),
			AnnualSalary: decimal.New(rng.Int64N(30_000_000), -2), LoadedCost: decimal.New(rng.Int64N(201), -2), RampMonths: rng.IntN(37)})
	}
	for range rng.IntN(6) {
		st := engine.Maintained
		if rng.IntN(2) == 0 {
			st = engine.Changed
		}
		sub.Assumptions = append(sub.Assumptions, engine.Assumption{Driver: pick(), From: pick(), To: pick(), Status: st,
			Counterbalance: pick(), Risk: pick(), Indicator: pick()})
	}
	return sub
}

// loEdits turns typed inputs into LibreOffice keystrokes: numbers typed as
// numbers, text entered as text.
func loEdits(in []templates.Input) []lotest.Edit {
	var es []lotest.Edit
	for _, x := range in {
		e := lotest.Edit{Sheet: x.Sheet, Cell: x.Cell.String()}
		switch x.Value.Kind {
		case grid.Number:
			e.Type = x.Value.Text
		case grid.Empty:
			e.Type = ""
		default:
			e.Text = x.Value.Text
		}
		es = append(es, e)
	}
	return es
}

// TestRoundTripProperty types random valid submissions into generated
// workbooks, through the excel driver and through LibreOffice, and harvests
// them back identically. A differential check compares the harvest reader
// with excelize's reader on every file.
func TestRoundTripProperty(t *testing.T) {
	c := loadCycle(t)
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	h := newHarvester(t, c)
	rng := rand.New(rand.NewPCG(42, 2027))
	dir := t.TempDir()
	const viaExcelize, viaLibreOffice = 24, 6
	type sample struct {
		path string
		want *engine.Submission
	}
	var samples []sample
	var jobs []lotest.Job
	for i := range viaExcelize + viaLibreOffice {
		dept := []string{"sales", "ops"}[i%2]
		want := randomSubmission(rng, c, tpl, dept)
		in, err := tpl.Inputs(want)
		require.NoError(t, err)
		src := generateFile(t, c, dept, filepath.Join(dir, fmt.Sprint(i)))
		if i < viaExcelize {
			var edits []excel.Edit
			for _, x := range in {
				edits = append(edits, excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value})
			}
			require.NoError(t, excel.EditFile(src, edits))
			samples = append(samples, sample{src, want})
			continue
		}
		out := filepath.Join(dir, fmt.Sprintf("lo-%d.xlsx", i))
		jobs = append(jobs, lotest.Job{Input: src, Output: out, Edits: loEdits(in)})
		samples = append(samples, sample{out, want})
	}
	if testing.Short() {
		samples = samples[:viaExcelize]
	} else {
		lotest.Run(t, jobs)
	}
	for i, s := range samples {
		t.Run(filepath.Base(s.path)+fmt.Sprint(i), func(t *testing.T) {
			r, err := h.File(context.Background(), s.path, s.want.Department)
			require.NoError(t, err)
			require.Equal(t, harvest.Valid, r.Status, "%v", r.Findings)
			assertSameSubmission(t, s.want, r.Submission)
			assertReadersAgree(t, s.path)
		})
	}
}

func assertSameSubmission(t *testing.T, want, got *engine.Submission) {
	t.Helper()
	require.Len(t, got.Lines, len(want.Lines))
	for i, w := range want.Lines {
		g := got.Lines[i]
		assert.Equal(t, w.Account, g.Account, "line %d", i)
		assert.Equal(t, w.Description, g.Description, "line %d", i)
		assert.Equal(t, w.Comment, g.Comment, "line %d", i)
		assert.Equal(t, len(w.Dims), len(g.Dims), "line %d dims %v %v", i, w.Dims, g.Dims)
		for k, v := range w.Dims {
			assert.Equal(t, v, g.Dims[k], "line %d dim %s", i, k)
		}
		for p := range engine.MonthsPerYear {
			assert.True(t, w.Months[p].Equal(g.Months[p]), "line %d month %d: want %s got %s", i, p+1, w.Months[p], g.Months[p])
		}
	}
	require.Len(t, got.Drivers, len(want.Drivers))
	for i, w := range want.Drivers {
		for p := range engine.MonthsPerYear {
			assert.True(t, w.Months[p].Equal(*got.Drivers[i].Months[p]), "driver %s month %d: %s vs %s", w.Name, p+1, w.Months[p], got.Drivers[i].Months[p])
		}
	}
	require.Len(t, got.Hires, len(want.Hires))
	for i, w := range want.Hires {
		g := got.Hires[i]
		assert.Equal(t, w.Role, g.Role)
		assert.Equal(t, w.Count, g.Count)
		assert.Equal(t, w.Start, g.Start)
		assert.True(t, w.AnnualSalary.Equal(g.AnnualSalary), "salary %s vs %s", w.AnnualSalary, g.AnnualSalary)
		assert.True(t, w.LoadedCost.Equal(g.LoadedCost), "loaded %s vs %s", w.LoadedCost, g.LoadedCost)
		assert.Equal(t, w.RampMonths, g.RampMonths)
	}
	require.Len(t, got.Assumptions, len(want.Assumptions))
	for i, w := range want.Assumptions {
		g := got.Assumptions[i]
		g.Source = engine.Source{}
		assert.Equal(t, w, g)
	}
}

// assertReadersAgree compares the harvest reader with excelize's reader,
// cell by cell, on the input sheets of a file.
func assertReadersAgree(t *testing.T, path string) {
	t.Helper()
	ours, err := xlsxread.ReadFile(context.Background(), path, xlsxread.Options{Limits: xlsxread.DefaultLimits()})
	require.NoError(t, err)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	for _, sheet := range []string{"Plan", "Drivers", "Headcount", "Assumptions", "Lists", "_aop"} {
		s := ours.Sheet(sheet)
		if s == nil {
			continue
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		seen := 0
		for r, row := range rows {
			for col, v := range row {
				if v == "" {
					continue
				}
				seen++
				got := s.Value(grid.R(r+1, col+1))
				if got.Kind == grid.Number {
					a, err1 := decimal.NewFromString(got.Text)
					b, err2 := decimal.NewFromString(v)
					if assert.NoError(t, err1) && assert.NoError(t, err2) {
						assert.True(t, a.Equal(b), "%s!%s: ours %s, excelize %s", sheet, grid.R(r+1, col+1), got.Text, v)
					}
					continue
				}
				if got.Kind == grid.Bool {
					assert.Equal(t, map[string]string{"1": "TRUE", "0": "FALSE"}[v], got.Text)
					continue
				}
				assert.Equal(t, v, got.Text, "%s!%s", sheet, grid.R(r+1, col+1))
			}
		}
		assert.Positive(t, seen, "sheet %s has cells", sheet)
	}
}

// FuzzHarvest feeds arbitrary bytes through the whole harvest path: reading,
// identity and parsing must never panic and always say something.
func FuzzHarvest(f *testing.F) {
	c := loadCycle(f)
	path := generateFile(f, c, "sales", f.TempDir())
	data, err := os.ReadFile(path)
	require.NoError(f, err)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("PK\x03\x04"))
	h := newHarvester(f, c)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := h.Bytes(context.Background(), "fuzz.xlsx", b, "")
		if r.Status != harvest.Valid && len(r.Findings) == 0 {
			t.Fatalf("status %s without a finding", r.Status)
		}
	})
}

// BenchmarkHarvest measures the whole harvest of one department workbook
// (read + identity + parse) and reports cells per second.
func BenchmarkHarvest(b *testing.B) {
	c := loadCycle(b)
	tpl, err := templates.NewDepartment(c)
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(1, 2))
	sub := randomSubmission(rng, c, tpl, "sales")
	in, err := tpl.Inputs(sub)
	require.NoError(b, err)
	path := generateFile(b, c, "sales", b.TempDir())
	var edits []excel.Edit
	for _, x := range in {
		edits = append(edits, excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value})
	}
	require.NoError(b, excel.EditFile(path, edits))
	data, err := os.ReadFile(path)
	require.NoError(b, err)
	h := newHarvester(b, c)
	b.ResetTimer()
	for b.Loop() {
		if r := h.Bytes(context.Background(), "b.xlsx", data, ""); r.Status != harvest.Valid {
			b.Fatal(r.Findings)
		}
	}
}
