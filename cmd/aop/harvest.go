package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/harvest"
	"aop/engine"
)

func harvestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "harvest",
		Usage:     "validate filled department workbooks and print the findings",
		ArgsUsage: "FILE...",
		Description: "Reads each workbook, checks it is a genuine, unaltered workbook of the cycle, and reads every input.\n" +
			"A file named <department-id>.xlsx must hold that department's workbook.\n" +
			"Exit status: 0 when every file is a valid submission (warnings allowed), 1 when any file has an error\n" +
			"or is not a usable aop workbook, 2 for usage errors or a path that cannot be opened.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cycle", Usage: "the cycle file", Required: true},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document with every input cell and finding on stdout"},
			&cli.StringFlag{Name: "department", Usage: "the department every file must belong to"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			files := cmd.Args().Slice()
			if len(files) == 0 {
				return usagef("harvest needs at least one workbook: aop harvest --cycle CYCLE.yaml FILE...")
			}
			if err := checkFiles(files); err != nil {
				return err
			}
			dept, json := cmd.String("department"), cmd.Bool("json")
			setup := sync.OnceValues(func() (*harvestSetup, error) {
				cf, key, err := loadCycle(e, cmd.String("cycle"))
				if err != nil {
					return nil, err
				}
				if dept != "" {
					if _, ok := cf.Cycle.Department(dept); !ok {
						return nil, usagef("cycle %s has no department %q", cf.Cycle.ID, dept)
					}
				}
				h, err := harvest.New(cf.Cycle, key)
				if err != nil {
					return nil, err
				}
				h.Records = json
				return &harvestSetup{h: h, c: cf.Cycle}, nil
			})
			go setup() // load the cycle while the first files are read
			var report harvestReporter
			emit := func(r *harvest.Result) error {
				if report == nil {
					st, _ := setup()
					report = &harvestPrinter{w: e.stdout, c: st.c}
					if json {
						report = &jsonReport{w: e.stdout, cycle: st.c.ID}
					}
				}
				return report.add(r)
			}
			if err := harvestEach(ctx, e, files, dept, setup, emit); err != nil {
				return err
			}
			if err := report.close(); err != nil {
				return err
			}
			if s := report.summary(); s.Valid != s.Files {
				return errProblems
			}
			return nil
		},
	}
}

// harvestFiles harvests files and returns their results in the order
// given, for commands that go on with the submissions: only the findings
// and the submissions are kept, not the records of every cell.
func harvestFiles(ctx context.Context, e *env, h *harvest.Harvester, c *engine.Cycle, files []string, dept string) ([]*harvest.Result, error) {
	h.Records = false
	results := make([]*harvest.Result, 0, len(files))
	setup := func() (*harvestSetup, error) { return &harvestSetup{h: h, c: c}, nil }
	err := harvestEach(ctx, e, files, dept, setup, func(r *harvest.Result) error {
		results = append(results, r)
		return nil
	})
	return results, err
}

// harvestSetup is what verifying and parsing need: the cycle and its
// harvester.
type harvestSetup struct {
	h *harvest.Harvester
	c *engine.Cycle
}

// harvestEach harvests files in parallel over GOMAXPROCS and hands each
// result to emit in the order given, as soon as it and every file before it
// are done. Only a bounded window of results waits for its turn, so memory
// holds what emit keeps, not every file harvested. Files of the window are
// read before setup is ready (reading needs no cycle); verifying and
// parsing wait for it, and its error ends the harvest. A department
// claimed by two files is refused on the later one.
func harvestEach(ctx context.Context, e *env, files []string, dept string, setup func() (*harvestSetup, error), emit func(*harvest.Result) error) error {
	window := make(chan struct{}, 4*runtime.GOMAXPROCS(0)) // files started but not yet emitted
	// A worker for each file of the window: while the setup is not ready,
	// each reads a file and waits, so the cores that the setup leaves free
	// read ahead; afterwards only GOMAXPROCS of them run at a time.
	workers := cap(window)
	work := make(chan int)
	out := make(chan harvested)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(work)
		for i := range files {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			work <- i
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				d := harvestOne(ctx, files[i], dept, setup)
				d.i = i
				out <- d
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	bar := newProgress(e, len(files), "harvesting")
	defer bar.Finish()
	pending := map[int]harvested{}
	seen := map[string]string{}
	next := 0
	var failed error
	for d := range out {
		bar.Add(1)
		pending[d.i] = d
		for ; failed == nil; next++ {
			d, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			<-window
			if d.err != nil {
				failed = d.err
				break
			}
			refuseDuplicate(d.r, seen)
			if err := emit(d.r); err != nil {
				failed = err
			}
		}
		if failed != nil {
			cancel()
		}
	}
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

// harvested is the outcome of one file: its result, or an error that ends
// the harvest.
type harvested struct {
	i   int
	r   *harvest.Result
	err error
}

// harvestOne opens a file, waits for the setup and harvests it.
func harvestOne(ctx context.Context, path, dept string, setup func() (*harvestSetup, error)) harvested {
	wb, r, err := harvest.Open(ctx, path, harvest.DefaultLimits())
	if err != nil {
		return harvested{err: usageError{err}}
	}
	st, err := setup()
	if err != nil {
		return harvested{err: err}
	}
	if r != nil {
		return harvested{r: r}
	}
	if dept == "" {
		dept = st.h.DepartmentFromName(st.c, path)
	}
	return harvested{r: st.h.Workbook(path, wb, dept)}
}

// refuseDuplicate refuses a result whose department an earlier file of the
// harvest already submitted; seen maps departments to their first file.
func refuseDuplicate(r *harvest.Result, seen map[string]string) {
	if r.Status == harvest.Refused {
		return
	}
	if first, dup := seen[r.Identity.Department]; dup {
		r.Status, r.Problem = harvest.Refused, "duplicate_department"
		r.Findings = append(r.Findings, engine.Finding{Level: engine.Error, Message: fmt.Sprintf(
			"department %s is already submitted by %s in this harvest; send one workbook per department", r.Identity.Department, first)})
		return
	}
	seen[r.Identity.Department] = r.File
}

type harvestSummary struct {
	Files    int `json:"files"`
	Valid    int `json:"valid"`
	Invalid  int `json:"invalid"`
	Refused  int `json:"refused"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// count adds a result to the summary.
func (s *harvestSummary) count(r *harvest.Result) {
	s.Files++
	switch r.Status {
	case harvest.Valid:
		s.Valid++
	case harvest.Invalid:
		s.Invalid++
	default:
		s.Refused++
	}
	s.Errors += r.Errors()
	s.Warnings += r.Warnings()
}

// harvestReporter reports results one by one, in order, as they come.
type harvestReporter interface {
	add(r *harvest.Result) error
	close() error
	summary() harvestSummary
}

// jsonReport streams the document of `aop harvest --json`, {"cycle",
// "files": [...], "summary"}: each file is written as
// soon as it is harvested, the summary last.
type jsonReport struct {
	w     io.Writer
	cycle string
	sum   harvestSummary
	err   error
}

func (j *jsonReport) write(format string, args ...any) {
	if j.err == nil {
		_, j.err = fmt.Fprintf(j.w, format, args...)
	}
}

func (j *jsonReport) head() {
	cycle, _ := json.Marshal(j.cycle)
	j.write("{\n  \"cycle\": %s,\n  \"files\": [", cycle)
}

func (j *jsonReport) add(r *harvest.Result) error {
	if j.sum.Files == 0 {
		j.head()
		j.write("\n    ")
	} else {
		j.write(",\n    ")
	}
	j.sum.count(r)
	b, err := json.MarshalIndent(r, "    ", "  ")
	if err != nil {
		return err
	}
	j.write("%s", b)
	return j.err
}

func (j *jsonReport) close() error {
	if j.sum.Files == 0 {
		j.head()
	} else {
		j.write("\n  ")
	}
	b, err := json.MarshalIndent(j.sum, "  ", "  ")
	if err != nil {
		return err
	}
	j.write("],\n  \"summary\": %s\n}\n", b)
	return j.err
}

func (j *jsonReport) summary() harvestSummary { return j.sum }

// harvestPrinter writes the readable report: a line per file, its findings
// below it, and a closing count.
type harvestPrinter struct {
	w   io.Writer
	c   *engine.Cycle
	sum harvestSummary
}

// printHarvest prints the report of results harvested before.
func printHarvest(w io.Writer, c *engine.Cycle, results []*harvest.Result) {
	p := &harvestPrinter{w: w, c: c}
	for _, r := range results {
		p.add(r)
	}
	p.close()
}

func (p *harvestPrinter) add(r *harvest.Result) error {
	p.sum.count(r)
	w, c := p.w, p.c
	mark := "ok "
	if r.Status != harvest.Valid {
		mark = "ERR"
	}
	switch r.Status {
	case harvest.Refused:
		fmt.Fprintf(w, "%s %s: refused\n", mark, r.File)
	default:
		d, _ := c.Department(r.Identity.Department)
		sub := r.Submission
		costs, revenue := moneyTotals(c, sub)
		fmt.Fprintf(w, "%s %s: %s (%s): %d lines, %d hires, %d assumptions", mark, r.File, d.Name, d.ID, len(sub.Lines), len(sub.Hires), len(sub.Assumptions))
		if n := len(sub.Initiatives); n > 0 {
			fmt.Fprintf(w, ", %s", plural(n, "initiative"))
		}
		if n := len(sub.Ranges); n > 0 {
			fmt.Fprintf(w, ", %s", plural(n, "range"))
		}
		fmt.Fprintf(w, "; costs %s, revenue %s", engine.FormatMoney(costs), engine.FormatMoney(revenue))
		if n := r.Errors(); n > 0 {
			fmt.Fprintf(w, "; %s", plural(n, "error"))
		}
		if n := r.Warnings(); n > 0 {
			fmt.Fprintf(w, "; %s", plural(n, "warning"))
		}
		fmt.Fprintln(w)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "    %s\n", f)
	}
	return nil
}

func (p *harvestPrinter) close() error {
	s := p.sum
	_, err := fmt.Fprintf(p.w, "%d files: %d valid, %d with errors, %d refused (%d errors, %d warnings)\n",
		s.Files, s.Valid, s.Invalid, s.Refused, s.Errors, s.Warnings)
	return err
}

func (p *harvestPrinter) summary() harvestSummary { return p.sum }

// moneyTotals sums a submission's full year over its cost accounts and
// over its revenue accounts.
func moneyTotals(c *engine.Cycle, s *engine.Submission) (costs, revenue decimal.Decimal) {
	cs := make([]decimal.Decimal, 0, len(s.Lines))
	var rs []decimal.Decimal
	for i := range s.Lines {
		l := &s.Lines[i] // not copied: a line is large
		switch a, _ := c.Account(l.Account); {
		case a.Type == engine.Revenue:
			rs = append(rs, engine.Sum(l.Months[:]...))
		case a.Type.IsMoney():
			cs = append(cs, engine.Sum(l.Months[:]...))
		}
	}
	return engine.Sum(cs...), engine.Sum(rs...)
}

// plural writes "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
