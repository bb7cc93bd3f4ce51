package main

import (
	"context"
	"encoding/json"
	"errors"
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
			cf, key, err := loadCycle(e, cmd.String("cycle"))
			if err != nil {
				return err
			}
			if d := cmd.String("department"); d != "" {
				if _, ok := cf.Cycle.Department(d); !ok {
					return usagef("cycle %s has no department %q", cf.Cycle.ID, d)
				}
			}
			h, err := harvest.New(cf.Cycle, key)
			if err != nil {
				return err
			}
			results, err := harvestFiles(ctx, e, h, cf.Cycle, files, cmd.String("department"))
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				if err := writeJSON(e.stdout, cf.Cycle, results); err != nil {
					return err
				}
			} else {
				printHarvest(e.stdout, cf.Cycle, results)
			}
			for _, r := range results {
				if r.Status != harvest.Valid {
					return errProblems
				}
			}
			return nil
		},
	}
}

// harvestFiles harvests files in parallel and returns their results in the
// order given. A department claimed by two files is an error on the later
// one.
func harvestFiles(ctx context.Context, e *env, h *harvest.Harvester, c *engine.Cycle, files []string, dept string) ([]*harvest.Result, error) {
	results := make([]*harvest.Result, len(files))
	errs := make([]error, len(files))
	bar := newProgress(e, len(files), "harvesting")
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				want := dept
				if want == "" {
					want = h.DepartmentFromName(c, files[i])
				}
				results[i], errs[i] = h.File(ctx, files[i], want)
				bar.Add(1)
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	bar.Finish()
	if err := errors.Join(errs...); err != nil {
		return nil, usageError{err}
	}
	seen := map[string]string{}
	for _, r := range results {
		if r.Status == harvest.Refused {
			continue
		}
		if first, dup := seen[r.Identity.Department]; dup {
			r.Status, r.Problem = harvest.Refused, "duplicate_department"
			r.Findings = append(r.Findings, engine.Finding{Level: engine.Error, Message: fmt.Sprintf(
				"department %s is already submitted by %s in this harvest; send one workbook per department", r.Identity.Department, first)})
			continue
		}
		seen[r.Identity.Department] = r.File
	}
	return results, ctx.Err()
}

// harvestReport is the JSON document of `aop harvest --json`.
type harvestReport struct {
	Cycle   string            `json:"cycle"`
	Files   []*harvest.Result `json:"files"`
	Summary harvestSummary    `json:"summary"`
}

type harvestSummary struct {
	Files    int `json:"files"`
	Valid    int `json:"valid"`
	Invalid  int `json:"invalid"`
	Refused  int `json:"refused"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

func summarize(results []*harvest.Result) harvestSummary {
	s := harvestSummary{Files: len(results)}
	for _, r := range results {
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
	return s
}

func writeJSON(w io.Writer, c *engine.Cycle, results []*harvest.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(harvestReport{Cycle: c.ID, Files: results, Summary: summarize(results)})
}

// printHarvest writes the readable report: a line per file, its findings
// below it, and a closing count.
func printHarvest(w io.Writer, c *engine.Cycle, results []*harvest.Result) {
	for _, r := range results {
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
			fmt.Fprintf(w, "%s %s: %s (%s): %d lines, %d hires, %d assumptions; costs %s, revenue %s",
				mark, r.File, d.Name, d.ID, len(sub.Lines), len(sub.Hires), len(sub.Assumptions),
				engine.FormatMoney(totalOf(c, sub, false)), engine.FormatMoney(totalOf(c, sub, true)))
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
	}
	s := summarize(results)
	fmt.Fprintf(w, "%d files: %d valid, %d with errors, %d refused (%d errors, %d warnings)\n",
		s.Files, s.Valid, s.Invalid, s.Refused, s.Errors, s.Warnings)
}

// totalOf sums a submission's full year over its revenue accounts, or over
// its cost accounts.
func totalOf(c *engine.Cycle, s *engine.Submission, revenue bool) decimal.Decimal {
	total := decimal.Zero
	for _, l := range s.Lines {
		a, _ := c.Account(l.Account)
		if !a.Type.IsMoney() || (a.Type == engine.Revenue) != revenue {
			continue
		}
		total = total.Add(l.Total())
	}
	return total
}

// plural writes "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
