package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/harvest"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/model"
	"aop/excel"
	"aop/templates"
)

func consolidateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "consolidate",
		Usage:     "harvest, consolidate against the targets, and write the summaries",
		ArgsUsage: "FILE...",
		Description: "Harvests the workbooks, consolidates the valid ones, computes the gaps against the targets, writes the\n" +
			"finance summary to --out and a read-only Summary tab into each department workbook (the previous file\n" +
			"is kept in a history folder beside the workbooks' folder). A file with problems is left out and listed.\n" +
			"Exit status as for harvest: 0 when every file was consolidated, 1 when any was left out, 2 for usage errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cycle", Usage: "the cycle file", Required: true},
			&cli.StringFlag{Name: "out", Usage: "the finance summary workbook to write", Required: true},
			&cli.StringFlag{Name: "by", Usage: "also show the gaps and the plan by this dimension (e.g. project)"},
			&cli.StringFlag{Name: "history", Usage: "where previous department workbooks are kept (default: history/ beside the workbooks' folder)"},
			&cli.BoolFlag{Name: "json", Usage: "print the totals and the gap register as one JSON document"},
			&cli.BoolFlag{Name: "no-write-back", Usage: "do not write Summary tabs into the department workbooks"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			files := cmd.Args().Slice()
			if len(files) == 0 {
				return usagef("consolidate needs the department workbooks: aop consolidate --cycle CYCLE.yaml --out SUMMARY.xlsx FILE...")
			}
			if err := checkFiles(files); err != nil {
				return err
			}
			cf, key, err := loadCycle(e, cmd.String("cycle"))
			if err != nil {
				return err
			}
			if by := cmd.String("by"); by != "" {
				if _, ok := cf.Cycle.Dimension(by); !ok {
					return usagef("cycle %s has no dimension %q", cf.Cycle.ID, by)
				}
			}
			res, err := consolidate(ctx, e, cf.Cycle, key, files, consolidateOptions{
				out: cmd.String("out"), by: cmd.String("by"), history: cmd.String("history"),
				writeBack: !cmd.Bool("no-write-back"), now: time.Now().UTC(), planning: &cf.Planning,
			})
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res.report()); err != nil {
					return err
				}
			} else {
				res.print(e.stdout)
			}
			if len(res.leftOut) > 0 {
				return errProblems
			}
			return nil
		},
	}
}

type consolidateOptions struct {
	out, by, history string
	writeBack        bool
	now              time.Time
	// planning, when it has planning sections, adds the outlook tabs
	// (scenarios, ranges, accuracy, initiatives) to the finance summary.
	planning *model.Spec
}

// consolidation is the outcome of `aop consolidate`.
type consolidation struct {
	cycle   *engine.Cycle
	k       *engine.Consolidation
	results []*harvest.Result
	valid   []*harvest.Result
	leftOut []*harvest.Result
	// scenarios is the projection written into the summary, or nil when
	// the cycle has no planning sections.
	scenarios *scenarioReport
	out       string
	written   int
}

// submissions returns the submissions of the valid files.
func (r *consolidation) submissions() []*engine.Submission {
	subs := make([]*engine.Submission, 0, len(r.valid))
	for _, v := range r.valid {
		subs = append(subs, v.Submission)
	}
	return subs
}

// harvestAndConsolidate harvests the files and consolidates the valid ones;
// the others are left out.
func harvestAndConsolidate(ctx context.Context, e *env, h *harvest.Harvester, c *engine.Cycle, files []string) (*consolidation, error) {
	results, err := harvestFiles(ctx, e, h, c, files, "")
	if err != nil {
		return nil, err
	}
	res := &consolidation{cycle: c, results: results}
	for _, r := range results {
		if r.Status == harvest.Valid {
			res.valid = append(res.valid, r)
		} else {
			res.leftOut = append(res.leftOut, r)
		}
	}
	if res.k, err = engine.Consolidate(c, res.submissions()); err != nil {
		return nil, err
	}
	return res, nil
}

func consolidate(ctx context.Context, e *env, c *engine.Cycle, key templates.Key, files []string, o consolidateOptions) (*consolidation, error) {
	h, err := harvest.New(c, key)
	if err != nil {
		return nil, err
	}
	res, err := harvestAndConsolidate(ctx, e, h, c, files)
	if err != nil {
		return nil, err
	}
	res.out = o.out
	asOf := "on " + o.now.Format("2006-01-02 15:04 MST")
	summary := templates.FinanceOptions{By: o.by, AsOf: asOf}
	for _, r := range res.leftOut {
		summary.LeftOut = append(summary.LeftOut, r.File)
	}
	if o.planning != nil && hasPlanningSections(*o.planning) {
		if res.scenarios, err = projectScenarios(c, res.k, res.submissions(), *o.planning); err != nil {
			return nil, err
		}
		summary.Outlook = res.scenarios.outlook()
	}
	tpl := h.Template
	wb, err := tpl.FinanceWorkbook(res.k, summary)
	if err != nil {
		return nil, err
	}
	w := excel.NewWriter()
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return nil, err
	}
	if err := w.WriteFile(o.out, wb); err != nil {
		return nil, err
	}
	if !o.writeBack {
		return res, nil
	}
	bar := newProgress(e, len(res.valid), "writing summaries")
	defer bar.Finish()
	for _, r := range res.valid {
		sheet, err := tpl.DepartmentSummary(res.k, r.Identity.Department, key, asOf)
		if err != nil {
			return nil, err
		}
		err = w.WriteBack(r.File, []*grid.Sheet{sheet}, excel.WriteBackOptions{
			HistoryDir: historyDir(o.history, r.File), Now: o.now, After: tpl.Spec().Sheets.Instructions,
			Replace: []string{templates.SummarySheetName},
		})
		if err != nil {
			return nil, fmt.Errorf("write the summary into %s: %w", r.File, err)
		}
		res.written++
		bar.Add(1)
	}
	return res, nil
}

// historyDir is where the previous version of a workbook goes: the given
// folder, or history/ beside the workbooks' folder (demo/history for
// demo/departments/sales.xlsx), never among the workbooks themselves.
func historyDir(given, file string) string {
	if given != "" {
		return given
	}
	dir, _ := filepath.Abs(filepath.Dir(file))
	return filepath.Join(filepath.Dir(dir), "history")
}

func checkFiles(files []string) error {
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			if os.IsNotExist(err) {
				return usagef("%s does not exist", f)
			}
			return usageError{err}
		}
		if st.IsDir() {
			return usagef("%s is a folder; name the workbooks (e.g. %s/*.xlsx)", f, f)
		}
	}
	return nil
}

// Totals of a node for the JSON report, as exact decimal text.
type measureTotals struct {
	Revenue string `json:"revenue"`
	Costs   string `json:"costs"`
}

type nodeTotals struct {
	ID     string        `json:"id,omitempty"`
	Name   string        `json:"name"`
	Parent string        `json:"parent,omitempty"`
	Plan   measureTotals `json:"plan"`
	Target measureTotals `json:"target"`
	Gap    measureTotals `json:"gap"`
}

type gapRow struct {
	Department string  `json:"department"`
	Account    string  `json:"account,omitempty"`
	Group      string  `json:"group,omitempty"`
	Period     int     `json:"period"`
	Target     string  `json:"target"`
	Plan       string  `json:"plan"`
	Gap        string  `json:"gap"`
	GapPct     *string `json:"gap_pct"`
	Favourable bool    `json:"favourable"`
}

type fileStatus struct {
	File       string           `json:"file"`
	Department string           `json:"department,omitempty"`
	Status     harvest.Status   `json:"status"`
	Findings   []engine.Finding `json:"findings"`
}

type consolidateReport struct {
	Cycle       string       `json:"cycle"`
	Summary     string       `json:"summary"`
	Files       []fileStatus `json:"files"`
	Company     nodeTotals   `json:"company"`
	Departments []nodeTotals `json:"departments"`
	Gaps        []gapRow     `json:"gaps"`
}

var (
	revenueTypes = []engine.AccountType{engine.Revenue}
	costTypes    = []engine.AccountType{engine.COGS, engine.OpEx}
)

func (r *consolidation) totals(id, name, parent string) nodeTotals {
	n := nodeTotals{ID: id, Name: name, Parent: parent}
	rp, rt, rg, _ := r.k.Totals(id, revenueTypes...)
	cp, ct, cg, _ := r.k.Totals(id, costTypes...)
	n.Plan = measureTotals{money(rp), money(cp)}
	n.Target = measureTotals{money(rt), money(ct)}
	n.Gap = measureTotals{money(rg), money(cg)}
	return n
}

func money(d decimal.Decimal) string { return engine.RoundMoney(d).StringFixed(engine.MinorUnits) }

func (r *consolidation) report() consolidateReport {
	rep := consolidateReport{Cycle: r.cycle.ID, Summary: r.out, Company: r.totals("", r.cycle.Company, "")}
	for _, f := range r.results {
		rep.Files = append(rep.Files, fileStatus{File: f.File, Department: f.Identity.Department, Status: f.Status, Findings: f.Findings})
	}
	for _, d := range r.cycle.Departments {
		rep.Departments = append(rep.Departments, r.totals(d.ID, d.Name, d.Parent))
	}
	for _, g := range r.k.Gaps() {
		row := gapRow{Department: g.Department, Account: g.Account, Group: g.Group, Period: int(g.Period),
			Target: money(g.Target), Plan: money(g.Plan), Gap: money(g.Gap), Favourable: g.Favourable}
		if g.GapPct != nil {
			s := g.GapPct.Round(6).String()
			row.GapPct = &s
		}
		rep.Gaps = append(rep.Gaps, row)
	}
	return rep
}

// print writes the short table: company plan against target, the biggest
// gaps, and the files left out.
func (r *consolidation) print(w io.Writer) {
	c := r.cycle
	fmt.Fprintf(w, "%s · %s · %d of %d departments consolidated (%s)\n\n", c.Company, c.Year.Name(), len(r.k.Submitted()), len(c.Leaves()), c.Currency)
	fmt.Fprintf(w, "%-10s %20s %20s %20s %8s\n", "", "plan", "target", "gap", "gap %")
	for _, m := range []struct {
		label string
		types []engine.AccountType
	}{{"revenue", revenueTypes}, {"costs", costTypes}} {
		plan, target, gap, has := r.k.Totals("", m.types...)
		if !has && plan.IsZero() {
			continue
		}
		pctText := ""
		if !target.IsZero() {
			pctText = engine.Percent(gap.Div(target))
		}
		fmt.Fprintf(w, "%-10s %20s %20s %20s %8s\n", m.label, engine.FormatMoney(plan), engine.FormatMoney(target), engine.FormatMoney(gap), pctText)
	}
	if gaps := templates.BiggestGaps(r.k, 5); len(gaps) > 0 {
		fmt.Fprintln(w, "\nbiggest gaps (target − plan):")
		for _, g := range gaps {
			d, _ := c.Department(g.Department)
			what := g.Group
			if a, ok := c.Account(g.Account); ok {
				what = a.Label()
			}
			fav := "unfavourable"
			if g.Favourable || g.Gap.IsZero() {
				fav = "favourable"
			}
			fmt.Fprintf(w, "  %-24s %-32s %18s  %s\n", d.Name, what, engine.FormatMoney(g.Gap), fav)
		}
	}
	if len(r.leftOut) > 0 {
		fmt.Fprintln(w, "\nleft out of the consolidation:")
		for _, f := range r.leftOut {
			fmt.Fprintf(w, "  %s (%s)\n", f.File, f.Status)
			for _, fd := range f.Findings {
				fmt.Fprintf(w, "    %s\n", fd)
			}
		}
	}
	fmt.Fprintf(w, "\nwrote %s and the Summary tab of %d department workbooks\n", r.out, r.written)
}
