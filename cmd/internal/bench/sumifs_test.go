package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"aop/cmd/internal/lotest"
	"aop/engine"
)

// sumifsVersion keys the cached SUMIFS workbook: change it whenever the
// workbook's layout changes. Its file name also carries fixtureVersion,
// which keys the cycle and the plans it is built from.
const sumifsVersion = "v1"

// The columns of the Data sheet: department, account and account group,
// the twelve months, then the department's division (its parent).
const (
	dataFirstMonth = 4  // D
	dataDivision   = 16 // P
)

// sumifsDivisions is how many of the 20 divisions the spreadsheet way
// consolidates: 2 divisions of 50 departments, 20,000 lines × 12 months and
// 714 register rows. LibreOffice's SUMIFS work grows with lines × register
// rows, so the whole cycle (10× both) would take about a hundred times as
// long, well over ten minutes; the slice is compared like for like, and aop
// also consolidates the whole cycle in the same run.
const sumifsDivisions = 2

// BenchmarkConsolidateVsLibreOffice consolidates the plans of the first
// sumifsDivisions divisions (200 lines × 12 months each) twice in the same
// run: the spreadsheet way, as finance
// does today (one workbook holding every plan line on a Data sheet and a
// gap register of SUMIFS per department, account group and month,
// recalculated by LibreOffice), and aop's way (engine.Consolidate and the
// gap register from the plans in memory). It checks that both registers
// agree to the cent and reports LibreOffice's load and recalculation
// seconds, aop's seconds and the ratio (the target is aop ≥ 100× faster
// than the recalculation), and aop's seconds for the whole cycle.
func BenchmarkConsolidateVsLibreOffice(b *testing.B) {
	requireHeavy(b)
	lotest.Require(b)
	f := loadFixture(b)
	// The plans the fixture typed into the workbooks, which the harvest
	// reads back; generated rather than harvested, to save the harvest.
	all := make([]*engine.Submission, numLeaves)
	for i := range all {
		all[i] = submission(f.cycle, i)
	}
	requireHarvestedLines(b, f, all[0])
	c, subs := sliceCycle(f.cycle, all, sumifsDivisions)
	book := sumifsWorkbook(b, c, subs)
	script, err := filepath.Abs("sumifs_recalc.py")
	if err != nil {
		b.Fatal(err)
	}
	top := topDepartments(c)
	home := b.TempDir()
	var lo libreOfficeReport
	var aop, aopAll time.Duration
	var gaps []engine.Gap
	for b.Loop() {
		lo = recalcInLibreOffice(b, script, book, top, home)
		aop, gaps = consolidateTimed(b, c, subs)
		aopAll, _ = consolidateTimed(b, f.cycle, all)
	}
	company, apart := compareRegisters(b, c, gaps, lo)
	ratio := lo.RecalcS / aop.Seconds()
	b.Logf("SUMIFS over %d lines × %d months, %d register rows: LibreOffice load %.2fs, recalc %.2fs, read %.2fs; "+
		"aop consolidate + gap register %.4fs (%.0f× faster than the recalc); company total %s in both, %d cells a cent apart; "+
		"aop on the whole cycle (%d lines, %d register rows) %.3fs",
		len(subs)*planLines, engine.MonthsPerYear, len(gaps), lo.LoadS, lo.RecalcS, lo.ReadS,
		aop.Seconds(), ratio, company.StringFixed(2), apart, numLeaves*planLines, len(f.cycle.Targets), aopAll.Seconds())
	b.ReportMetric(lo.LoadS, "lo-load-s")
	b.ReportMetric(lo.RecalcS, "lo-recalc-s")
	b.ReportMetric(aop.Seconds(), "aop-consolidate-s")
	b.ReportMetric(ratio, "lo-recalc/aop")
	b.ReportMetric(aopAll.Seconds(), "aop-whole-cycle-s")
}

// consolidateTimed times engine.Consolidate and the gap register.
func consolidateTimed(b *testing.B, c *engine.Cycle, subs []*engine.Submission) (time.Duration, []engine.Gap) {
	b.Helper()
	start := time.Now()
	k, err := engine.Consolidate(c, subs)
	if err != nil {
		b.Fatal(err)
	}
	gaps := k.Gaps()
	return time.Since(start), gaps
}

// sliceCycle returns the cycle cut down to its first n divisions, their
// departments and targets, and the plans of those departments.
func sliceCycle(full *engine.Cycle, all []*engine.Submission, n int) (*engine.Cycle, []*engine.Submission) {
	c := *full
	keep := map[string]bool{}
	c.Departments = nil
	for _, d := range full.Departments {
		if d.Parent == "" && len(keep) < n {
			keep[d.ID] = true
		}
	}
	for _, d := range full.Departments {
		if keep[d.ID] || keep[d.Parent] {
			c.Departments = append(c.Departments, d)
		}
	}
	in := map[string]bool{}
	for _, d := range c.Departments {
		in[d.ID] = true
	}
	c.Targets = nil
	for _, t := range full.Targets {
		if in[t.Department] {
			c.Targets = append(c.Targets, t)
		}
	}
	var subs []*engine.Submission
	for _, s := range all {
		if in[s.Department] {
			subs = append(subs, s)
		}
	}
	return &c, subs
}

// requireHarvestedLines fails unless the first fixture workbook harvests
// to want's lines: the SUMIFS workbook is built from the generated plans,
// and aop consolidates the same, so they must be what the fixture typed.
func requireHarvestedLines(b *testing.B, f *fixture, want *engine.Submission) {
	b.Helper()
	data, err := os.ReadFile(f.files(1)[0])
	if err != nil {
		b.Fatal(err)
	}
	got, _, err := harvestCount(f.harvester, data, want.Department)
	if err != nil {
		b.Fatal(err)
	}
	for i, w := range want.Lines {
		g := got.Lines[i]
		same := g.Account == w.Account && maps.Equal(g.Dims, w.Dims) && g.Description == w.Description && g.Comment == w.Comment
		for m := range w.Months {
			same = same && g.Months[m].Equal(w.Months[m])
		}
		if !same {
			b.Fatalf("%s line %d harvested as %+v, generated as %+v", want.Department, i+1, g, w)
		}
	}
}

// sumifsWorkbook returns the path of the SUMIFS consolidation workbook of
// the plans, cached under os.TempDir() and written on first use.
func sumifsWorkbook(b *testing.B, c *engine.Cycle, subs []*engine.Submission) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("aop-bench-sumifs-%s-%s-%dx%d.xlsx", sumifsVersion, fixtureVersion, len(subs), planLines))
	if _, err := os.Stat(path); err == nil {
		b.Logf("using the cached SUMIFS workbook %s", path)
		return path
	}
	start := time.Now()
	tmp, err := os.CreateTemp(os.TempDir(), "aop-bench-sumifs-build-*.xlsx")
	if err != nil {
		b.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := writeSumifsWorkbook(tmp.Name(), c, subs); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote the SUMIFS workbook %s in %v", path, time.Since(start).Round(time.Millisecond))
	return path
}

// writeSumifsWorkbook writes the consolidation workbook as finance builds
// it: every plan line on the Data sheet, and the gap register of SUMIFS
// formulas over it, saved without cached values so that every formula has
// to be calculated.
func writeSumifsWorkbook(path string, c *engine.Cycle, subs []*engine.Submission) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", "Data"); err != nil {
		return err
	}
	if _, err := x.NewSheet("Gap register"); err != nil {
		return err
	}
	if err := writeDataSheet(x, c, subs); err != nil {
		return err
	}
	if err := writeGapRegisterSheet(x, c); err != nil {
		return err
	}
	return x.SaveAs(path)
}

// writeDataSheet writes one row per plan line: department, account, account
// group, the twelve months and the department's division.
func writeDataSheet(x *excelize.File, c *engine.Cycle, subs []*engine.Submission) error {
	sw, err := x.NewStreamWriter("Data")
	if err != nil {
		return err
	}
	group := map[string]string{}
	for _, a := range c.Accounts {
		group[a.Code] = a.Group
	}
	parent := map[string]string{}
	for _, d := range c.Departments {
		parent[d.ID] = d.Parent
	}
	header := append(append([]any{"Department", "Account", "Group"}, monthHeaders(c)...), "Division")
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	row := make([]any, dataDivision)
	r := 2
	for _, s := range subs {
		for _, l := range s.Lines {
			row[0], row[1], row[2] = s.Department, l.Account, group[l.Account]
			for m, v := range l.Months {
				row[dataFirstMonth-1+m] = v.InexactFloat64()
			}
			row[dataDivision-1] = parent[s.Department]
			if err := sw.SetRow(fmt.Sprintf("A%d", r), row); err != nil {
				return err
			}
			r++
		}
	}
	return sw.Flush()
}

// writeGapRegisterSheet writes one row per target, in cycle order:
// department, group, a SUMIFS per month over the Data lines of the
// department (a leaf) or of its division's departments (a division) in the
// group, the total, the target and the gap (target − total).
func writeGapRegisterSheet(x *excelize.File, c *engine.Cycle) error {
	sw, err := x.NewStreamWriter("Gap register")
	if err != nil {
		return err
	}
	isDivision := map[string]bool{}
	for _, d := range c.Departments {
		isDivision[d.Parent] = true
	}
	for _, d := range c.Departments {
		if d.Parent != "" && isDivision[d.ID] {
			return fmt.Errorf("department %s is two levels deep: the Data sheet only names a department's division", d.ID)
		}
	}
	header := append(append([]any{"Department", "Group"}, monthHeaders(c)...), "Total", "Target", "Gap")
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	divisionCol, _ := excelize.ColumnNumberToName(dataDivision)
	for i, t := range c.Targets {
		if t.Group == "" || t.Period != engine.FullYear {
			return fmt.Errorf("target %d: the register holds yearly targets on account groups only", i+1)
		}
		r := i + 2
		match := "$A:$A"
		if isDivision[t.Department] {
			match = fmt.Sprintf("$%[1]s:$%[1]s", divisionCol)
		}
		row := []any{t.Department, t.Group}
		for m := range engine.MonthsPerYear {
			col, _ := excelize.ColumnNumberToName(dataFirstMonth + m)
			row = append(row, excelize.Cell{Formula: fmt.Sprintf("SUMIFS(Data!%[1]s:%[1]s,Data!%[2]s,$A%[3]d,Data!$C:$C,$B%[3]d)", col, match, r)})
		}
		row = append(row,
			excelize.Cell{Formula: fmt.Sprintf("SUM(C%[1]d:N%[1]d)", r)},
			t.Amount.InexactFloat64(),
			excelize.Cell{Formula: fmt.Sprintf("P%[1]d-O%[1]d", r)})
		if err := sw.SetRow(fmt.Sprintf("A%d", r), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// monthHeaders returns the short names of the cycle's fiscal months.
func monthHeaders(c *engine.Cycle) []any {
	var names []any
	for m := range engine.MonthsPerYear {
		names = append(names, (time.Month((int(c.Year.StartMonth)-1+m)%12 + 1)).String()[:3])
	}
	return names
}

// topDepartments returns the departments without a parent: their register
// rows add up to the company.
func topDepartments(c *engine.Cycle) []string {
	var ids []string
	for _, d := range c.Departments {
		if d.Parent == "" {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// libreOfficeReport is what sumifs_recalc.py prints.
type libreOfficeReport struct {
	LoadS         float64   `json:"load_s"`
	RecalcS       float64   `json:"recalc_s"`
	ReadS         float64   `json:"read_s"`
	Rows          int       `json:"rows"`
	CompanyTotal  string    `json:"company_total"`
	RegisterTotal string    `json:"register_total"`
	Totals        []float64 `json:"totals"`
	Gaps          []float64 `json:"gaps"`
}

// recalcInLibreOffice runs sumifs_recalc.py on the workbook in a fresh
// LibreOffice with home as its HOME, and returns its report.
func recalcInLibreOffice(b *testing.B, script, book string, top []string, home string) libreOfficeReport {
	b.Helper()
	cmd := exec.Command(lotest.Python, append([]string{script, book}, top...)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("sumifs_recalc.py: %v\n%s", err, tail(stderr.String()))
	}
	var r libreOfficeReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		b.Fatalf("sumifs_recalc.py printed %q: %v", tail(out.String()), err)
	}
	return r
}

// compareRegisters checks LibreOffice's gap register against aop's, every
// total and gap cell and the company total, rounded to cents. LibreOffice
// adds doubles, so a cell may land a cent away: those are counted and
// logged; a difference above a cent fails. It returns aop's company total
// and the number of cells a cent apart.
func compareRegisters(b *testing.B, c *engine.Cycle, gaps []engine.Gap, lo libreOfficeReport) (decimal.Decimal, int) {
	b.Helper()
	if len(gaps) != len(c.Targets) || lo.Rows != len(gaps) || len(lo.Totals) != len(gaps) || len(lo.Gaps) != len(gaps) {
		b.Fatalf("aop has %d register rows and LibreOffice %d (%d totals, %d gaps), want one per target (%d)",
			len(gaps), lo.Rows, len(lo.Totals), len(lo.Gaps), len(c.Targets))
	}
	cent := decimal.New(1, -2)
	apart := 0
	var far []string
	check := func(what string, aop decimal.Decimal, lo decimal.Decimal) {
		switch diff := aop.Sub(lo).Abs(); {
		case diff.IsZero():
		case diff.LessThanOrEqual(cent):
			apart++
			b.Logf("%s: aop %s, LibreOffice %s", what, aop.StringFixed(2), lo.StringFixed(2))
		default:
			far = append(far, fmt.Sprintf("%s: aop %s, LibreOffice %s", what, aop.StringFixed(2), lo.StringFixed(2)))
		}
	}
	top := map[string]bool{}
	for _, id := range topDepartments(c) {
		top[id] = true
	}
	var company, register decimal.Decimal
	for i, g := range gaps {
		if t := c.Targets[i]; g.Department != t.Department || g.Group != t.Group {
			b.Fatalf("aop's register row %d is %s/%s, want the target's %s/%s", i+1, g.Department, g.Group, t.Department, t.Group)
		}
		row := fmt.Sprintf("Gap register row %d (%s, %s)", i+2, g.Department, g.Group)
		check(row+" total", g.Plan, decimal.NewFromFloat(lo.Totals[i]).Round(2))
		check(row+" gap", g.Gap, decimal.NewFromFloat(lo.Gaps[i]).Round(2))
		register = register.Add(g.Plan)
		if top[g.Department] {
			company = company.Add(g.Plan)
		}
	}
	for _, total := range []struct {
		what string
		aop  decimal.Decimal
		lo   string
	}{{"company total", company, lo.CompanyTotal}, {"sum of the register's totals", register, lo.RegisterTotal}} {
		v, err := decimal.NewFromString(total.lo)
		if err != nil {
			b.Fatalf("LibreOffice's %s %q: %v", total.what, total.lo, err)
		}
		check(total.what, total.aop, v)
	}
	if len(far) > 0 {
		b.Fatalf("%d cells differ by more than a cent:\n%s", len(far), strings.Join(far[:min(len(far), 10)], "\n"))
	}
	return company, apart
}
