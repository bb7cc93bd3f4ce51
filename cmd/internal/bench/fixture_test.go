// Package bench holds the scale benchmarks of the .xlsx loop: generate,
// harvest and consolidate a thousand department workbooks of 200 lines ×
// 12 months, the harvest's memory, the harvest against openpyxl in cold
// processes and the consolidation against LibreOffice's SUMIFS. The
// workbooks are setup: built once and cached under os.TempDir().
package bench

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"aop/cmd/internal/harvest"
	"aop/engine"
	"aop/engine/grid"
	"aop/excel"
	"aop/templates"
)

// fixtureVersion keys the cached workbooks: change it whenever the cycle or
// the submissions below change. A cache whose first workbook no longer
// harvests (the template changed) is rebuilt anyway.
const fixtureVersion = "v1"

const (
	numParents   = 20
	numLeaves    = 1000
	planLines    = 200
	cycleID      = "bench-fy2027"
	keyHex       = "6165722d62656e63682d7369676e696e672d6b65792d303132333435363738393a"
	maxFileBytes = 50 << 20 // harvest.MaxFileSize
)

var benchKey = func() templates.Key {
	k, err := hex.DecodeString(keyHex)
	if err != nil {
		panic(err)
	}
	return k
}()

// groups are the account groups; each holds the accounts of one type.
var groups = []struct {
	name  string
	typ   engine.AccountType
	count int
	base  int
}{
	{"Revenue", engine.Revenue, 8, 4000},
	{"COGS", engine.COGS, 6, 5000},
	{"Personnel", engine.OpEx, 8, 6000},
	{"Travel", engine.OpEx, 4, 6200},
	{"Facilities", engine.OpEx, 5, 6400},
	{"Marketing", engine.OpEx, 5, 6600},
	{"Software", engine.OpEx, 4, 6800},
}

// benchCycle is the cycle of the benchmarks: 1,000 leaf departments under
// 20 parents, 40 accounts in 7 groups, a project and a channel dimension,
// a yearly target per department and group, and 200 plan lines.
func benchCycle() *engine.Cycle {
	c := &engine.Cycle{ID: cycleID, Company: "Bench Holdings", Currency: "USD",
		Year: engine.FiscalYear{Year: 2027, StartMonth: time.January}, Lines: planLines}
	for p := range numParents {
		c.Departments = append(c.Departments, engine.Department{ID: fmt.Sprintf("div%02d", p+1), Name: fmt.Sprintf("Division %d", p+1)})
	}
	for i := range numLeaves {
		c.Departments = append(c.Departments, engine.Department{ID: leafID(i), Name: fmt.Sprintf("Department %d", i+1),
			Parent: fmt.Sprintf("div%02d", i/(numLeaves/numParents)+1)})
	}
	for _, g := range groups {
		for i := range g.count {
			c.Accounts = append(c.Accounts, engine.Account{Code: fmt.Sprint(g.base + 10*i), Name: fmt.Sprintf("%s %d", g.name, i+1),
				Type: g.typ, Group: g.name})
		}
	}
	c.Dimensions = []engine.Dimension{
		{ID: "project", Name: "Project", Members: benchMembers("Project", 8)},
		{ID: "channel", Name: "Channel", Members: benchMembers("Channel", 4)},
	}
	rng := rand.New(rand.NewPCG(7, 2027))
	for _, d := range c.Departments {
		scale := int64(1)
		if d.Parent == "" {
			scale = numLeaves / numParents
		}
		for _, g := range groups {
			c.Targets = append(c.Targets, engine.Target{Department: d.ID, Group: g.name,
				Amount: decimal.New(scale*(int64(g.count)*6_000_000_000+rng.Int64N(1_000_000_000)), -2)})
		}
	}
	return c
}

func leafID(i int) string { return fmt.Sprintf("d%04d", i+1) }

func benchMembers(prefix string, n int) []engine.Member {
	var ms []engine.Member
	for i := range n {
		ms = append(ms, engine.Member{ID: fmt.Sprintf("%s%d", strings.ToLower(prefix[:2]), i+1), Name: fmt.Sprintf("%s %d", prefix, i+1)})
	}
	return ms
}

// cycleYAML writes the cycle as a cycle file for the aop binary.
func cycleYAML(c *engine.Cycle) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cycle: %s\ncompany: %s\ncurrency: %s\nfiscal_year: %d\nstart_month: %d\nlines: %d\nsigning_key_file: signing.key\n",
		c.ID, c.Company, c.Currency, c.Year.Year, int(c.Year.StartMonth), c.Lines)
	b.WriteString("departments:\n")
	for _, d := range c.Departments {
		if d.Parent == "" {
			fmt.Fprintf(&b, "  - {id: %s, name: %q}\n", d.ID, d.Name)
		} else {
			fmt.Fprintf(&b, "  - {id: %s, name: %q, parent: %s}\n", d.ID, d.Name, d.Parent)
		}
	}
	b.WriteString("accounts:\n")
	for _, a := range c.Accounts {
		fmt.Fprintf(&b, "  - {code: %q, name: %q, type: %s, group: %q}\n", a.Code, a.Name, a.Type, a.Group)
	}
	b.WriteString("dimensions:\n")
	for _, d := range c.Dimensions {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    members:\n", d.ID, d.Name)
		for _, m := range d.Members {
			fmt.Fprintf(&b, "      - {id: %s, name: %q}\n", m.ID, m.Name)
		}
	}
	b.WriteString("targets:\n")
	for _, t := range c.Targets {
		fmt.Fprintf(&b, "  - {department: %s, group: %q, amount: %q}\n", t.Department, t.Group, t.Amount.StringFixed(2))
	}
	return b.String()
}

// submission is department i's plan: 200 lines of 12 months of random
// cents on random accounts and members, each line with its own description.
func submission(c *engine.Cycle, i int) *engine.Submission {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	dept := leafID(i)
	s := &engine.Submission{Cycle: c.ID, Department: dept}
	for n := range planLines {
		a := c.Accounts[rng.IntN(len(c.Accounts))]
		l := engine.Line{Account: a.Code, Dims: map[string]string{}, Description: fmt.Sprintf("Line %d", n+1)}
		for _, d := range c.Dimensions {
			if rng.IntN(5) > 0 {
				l.Dims[d.ID] = d.Members[rng.IntN(len(d.Members))].ID
			}
		}
		for p := range l.Months {
			l.Months[p] = decimal.New(rng.Int64N(100_000_000), -2)
		}
		if rng.IntN(4) == 0 {
			l.Comment = "Renewal uplift"
		}
		s.Lines = append(s.Lines, l)
	}
	return s
}

// fixture is the cached folder: cycle.yaml, signing.key and
// departments/d0001.xlsx … d1000.xlsx, filled.
type fixture struct {
	dir   string
	cycle *engine.Cycle
	// harvester is the harvest of `aop harvest`, keyed for the cycle.
	harvester *harvest.Harvester
}

func (f *fixture) cycleFile() string { return filepath.Join(f.dir, "cycle.yaml") }

// files returns the paths of the first n workbooks.
func (f *fixture) files(n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(f.dir, "departments", leafID(i)+".xlsx")
	}
	return paths
}

var (
	fixtureOnce sync.Once
	theFixture  *fixture
	fixtureErr  error
)

// loadFixture returns the cached workbooks, building them on first use.
func loadFixture(tb testing.TB) *fixture {
	tb.Helper()
	fixtureOnce.Do(func() { theFixture, fixtureErr = buildFixture(tb) })
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return theFixture
}

func buildFixture(tb testing.TB) (*fixture, error) {
	c := benchCycle()
	h, err := harvest.New(c, benchKey)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("aop-bench-%s-%dx%d", fixtureVersion, numLeaves, planLines))
	f := &fixture{dir: dir, cycle: c, harvester: h}
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		if err := f.check(); err == nil {
			tb.Logf("using the cached workbooks in %s", dir)
			return f, nil
		} else {
			tb.Logf("rebuilding the cached workbooks in %s: %v", dir, err)
		}
	}
	start := time.Now()
	tmp, err := os.MkdirTemp(os.TempDir(), "aop-bench-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp, c, h.Template); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	tb.Logf("built %d workbooks in %s in %v", numLeaves, dir, time.Since(start).Round(time.Millisecond))
	return f, f.check()
}

// check harvests the first and last workbook: a cache from an older
// template is refused and rebuilt.
func (f *fixture) check() error {
	files := f.files(numLeaves)
	for _, i := range []int{0, numLeaves - 1} {
		data, err := os.ReadFile(files[i])
		if err != nil {
			return err
		}
		if _, _, err := harvestCount(f.harvester, data, leafID(i)); err != nil {
			return err
		}
	}
	return nil
}

// fill writes the cycle file, the key and the 1,000 filled workbooks.
func fill(dir string, c *engine.Cycle, tpl *templates.Department) error {
	if err := os.WriteFile(filepath.Join(dir, "cycle.yaml"), []byte(cycleYAML(c)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "signing.key"), []byte(keyHex+"\n"), 0o600); err != nil {
		return err
	}
	depts := filepath.Join(dir, "departments")
	if err := os.MkdirAll(depts, 0o755); err != nil {
		return err
	}
	w := excel.NewWriter()
	errs := make([]error, numLeaves)
	parallel(numLeaves, func(i int) {
		errs[i] = func() error {
			path := filepath.Join(depts, leafID(i)+".xlsx")
			wb, err := tpl.Generate(leafID(i), "", benchKey)
			if err != nil {
				return err
			}
			if err := w.WriteFile(path, wb); err != nil {
				return err
			}
			in, err := tpl.Inputs(submission(c, i))
			if err != nil {
				return err
			}
			edits := make([]excel.Edit, len(in))
			for j, x := range in {
				edits[j] = excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value}
			}
			return excel.EditFile(path, edits)
		}()
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "complete"), []byte(fixtureVersion+"\n"), 0o644)
}

// parallel runs fn(0..n-1) on GOMAXPROCS workers, as the command line does.
func parallel(n int, fn func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				fn(i)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

// harvestCount harvests one workbook as `aop harvest` does (read with the
// harvest's limits, verify the identity, parse) and returns the submission
// and the number of facts read, or an error unless the file is a valid
// submission of all its lines.
func harvestCount(h *harvest.Harvester, data []byte, want string) (*engine.Submission, int, error) {
	r := h.Bytes(context.Background(), want+".xlsx", data, want)
	if r.Status != harvest.Valid {
		return nil, 0, fmt.Errorf("%s: %s: %v", want, r.Status, r.Findings)
	}
	if len(r.Submission.Lines) != planLines {
		return nil, 0, fmt.Errorf("%s: %d lines harvested, want %d", want, len(r.Submission.Lines), planLines)
	}
	return r.Submission, len(r.Records), nil
}

// cells counts the cells of a workbook.
func cells(wb *grid.Workbook) int {
	n := 0
	for _, s := range wb.Sheets {
		n += s.Len()
	}
	return n
}
