package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/cyclefile"
	"aop/engine"
	"aop/engine/actuals"
)

func actualsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "actuals",
		Usage: "import the ledger's actuals at each monthly close",
		Commands: []*cli.Command{
			actualsImportCommand(e),
		},
	}
}

func actualsImportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import actuals from GL/ERP exports (CSV or xlsx) with a mapping of the cycle file",
		ArgsUsage: "FILE...",
		Description: "Reads each export with an actuals mapping of the cycle file (the first, or --mapping NAME), prints\n" +
			"what each period holds, the rows that map to no department, account or dimension member, and how the\n" +
			"file reconciles to its control total, and keeps each period's actuals in DIR/<period>.json (re-importing\n" +
			"a period replaces it; the earlier file moves to DIR/history/). Files of one run that hold the same period\n" +
			"are added up (a GL export and a file of leading indicators, say).\n" +
			"Exit status: 0 when everything was mapped and reconciles; 1 when rows were left unmapped or a control\n" +
			"total differs (what was mapped is still imported, unless --strict), or a file cannot be read (nothing\n" +
			"is imported); 2 for usage errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cycle", Usage: "the cycle file", Required: true},
			&cli.StringFlag{Name: "mapping", Usage: "the actuals mapping of the cycle file (default: its first)"},
			&cli.StringFlag{Name: "out", Usage: "the folder the actuals are kept in (default: actuals/ beside the cycle file)"},
			&cli.BoolFlag{Name: "strict", Usage: "import nothing when a row is unmapped or a control total differs"},
			&cli.BoolFlag{Name: "dry-run", Usage: "read and report, but keep nothing"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			files := cmd.Args().Slice()
			if len(files) == 0 {
				return usagef("actuals import needs at least one file: aop actuals import --cycle CYCLE.yaml [--mapping NAME] FILE...")
			}
			if err := checkFiles(files); err != nil {
				return err
			}
			cyclePath := cmd.String("cycle")
			if _, err := os.Stat(cyclePath); err != nil {
				return usagef("cycle file %s does not exist", cyclePath)
			}
			cf, err := cyclefile.Load(cyclePath)
			if err != nil {
				return err
			}
			dir := cmd.String("out")
			if dir == "" {
				dir = cyclefile.DefaultActualsDir(cyclePath)
			}
			return importActuals(ctx, e, cf, files, actualsOptions{
				mapping: cmd.String("mapping"), dir: dir, strict: cmd.Bool("strict"), dryRun: cmd.Bool("dry-run"), now: time.Now(),
			})
		},
	}
}

type actualsOptions struct {
	mapping, dir   string
	strict, dryRun bool
	now            time.Time
}

// importActuals reads every file, reports, and keeps the periods.
func importActuals(ctx context.Context, e *env, cf *cyclefile.File, files []string, o actualsOptions) error {
	c := cf.Cycle
	var imports []*cyclefile.ActualsImport
	var failed bool
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readUpload(f, cyclefile.MaxLedgerSize)
		if err != nil {
			fmt.Fprintf(e.stdout, "%s: %v\n", f, err)
			failed = true
			continue
		}
		imp, err := cf.ImportActuals(f, data, cyclefile.ImportOptions{Mapping: o.mapping})
		if err != nil {
			fmt.Fprintln(e.stdout, err)
			failed = true
			continue
		}
		imports = append(imports, imp)
	}
	if failed {
		fmt.Fprintln(e.stdout, "nothing imported: fix the files above and import them again")
		return errProblems
	}
	clean := true
	for _, imp := range imports {
		if !reportImport(e.stdout, c, imp) {
			clean = false
		}
	}
	if !clean && o.strict {
		fmt.Fprintln(e.stdout, "nothing imported (--strict): map the values above or fix the control total, then import again")
		return errProblems
	}
	if o.dryRun {
		fmt.Fprintln(e.stdout, "dry run: nothing kept")
	} else if err := keepActuals(e.stdout, c, imports, o); err != nil {
		return err
	}
	if !clean {
		return errProblems
	}
	return nil
}

// reportImport prints what one file held; false when rows were left
// unmapped or a control total differs.
func reportImport(w io.Writer, c *engine.Cycle, imp *cyclefile.ActualsImport) bool {
	clean := true
	where := imp.File
	if imp.Sheet != "" {
		where += fmt.Sprintf(" (sheet %q)", imp.Sheet)
	}
	fmt.Fprintf(w, "%s · mapping %s\n", where, imp.Mapping)
	for _, p := range imp.Periods {
		fmt.Fprintf(w, "  %-24s %6s  %20s %s", p.Period.Label(c.Year.StartMonth), plural(p.Rows, "row"), grouped(p.Amount), c.Currency)
		if p.Indicators > 0 {
			fmt.Fprintf(w, " · %s", plural(p.Indicators, "indicator value"))
		}
		if p.UnmappedRows > 0 {
			fmt.Fprintf(w, " · not imported: %s, %s", plural(p.UnmappedRows, "amount"), grouped(p.Unmapped))
		}
		fmt.Fprintln(w)
	}
	if len(imp.Unmapped) > 0 {
		clean = false
		fmt.Fprintf(w, "  unmapped (not imported):\n")
		for _, u := range imp.Unmapped {
			fmt.Fprintf(w, "    %s %q: %s from line %d, total %s%s\n", u.Role, u.Value, plural(u.Rows, "row"), u.FirstLine, grouped(u.Total), u.Hint)
		}
	}
	for _, ct := range imp.Controls {
		switch {
		case ct.Control == nil:
			fmt.Fprintf(w, "  %q adds up to %s (no control total row)\n", ct.Column, grouped(ct.FileTotal))
		case ct.Reconciles():
			fmt.Fprintf(w, "  %q reconciles to the cent with the control total %s (line %d)\n", ct.Column, grouped(*ct.Control), ct.Line)
		default:
			clean = false
			fmt.Fprintf(w, "  %q adds up to %s but the control total (line %d) is %s: it differs by %s\n",
				ct.Column, grouped(ct.FileTotal), ct.Line, grouped(*ct.Control), grouped(ct.Difference()))
		}
	}
	return clean
}

// keepActuals merges the files' periods and writes one file per period.
func keepActuals(w io.Writer, c *engine.Cycle, imports []*cyclefile.ActualsImport, o actualsOptions) error {
	recs := map[actuals.Period]*cyclefile.ActualsRecord{}
	var order []actuals.Period
	amounts, indicators := false, false
	for _, imp := range imports {
		amounts = amounts || imp.ReadsAmounts
		indicators = indicators || imp.ReadsIndicators
		for _, s := range imp.Sets {
			rec := recs[s.Period]
			if rec == nil {
				rec = &cyclefile.ActualsRecord{Cycle: c.ID, ImportedAt: o.now.UTC(), Set: actuals.NewSet(s.Period, s.Currency)}
				recs[s.Period] = rec
				order = append(order, s.Period)
			}
			for _, a := range s.Amounts {
				rec.Add(a)
			}
			for _, in := range s.Indicators {
				rec.AddIndicator(in)
			}
			rows := 0
			for _, p := range imp.Periods {
				if p.Period == s.Period {
					rows = p.Rows
				}
			}
			rec.Sources = append(rec.Sources, cyclefile.ActualsSource{File: filepath.Base(imp.File), Sheet: imp.Sheet, Mapping: imp.Mapping, Rows: rows})
		}
	}
	// A period imported again is replaced in what the mappings read: a file
	// of indicators alone keeps the period's amounts, and the other way
	// round.
	_, current, err := cyclefile.LoadActuals(o.dir, c.ID)
	if err != nil {
		return err
	}
	for _, old := range current {
		rec := recs[old.Period]
		if rec == nil || (amounts && indicators) {
			continue
		}
		rec.Keep(old.Set, amounts, indicators)
		for _, src := range old.Sources {
			src.Kept = true
			rec.Sources = append(rec.Sources, src)
		}
	}
	for _, p := range order {
		rec := recs[p]
		rec.Sort()
		replaced, err := cyclefile.SaveActuals(o.dir, *rec)
		if err != nil {
			return err
		}
		msg := "kept in " + filepath.Join(o.dir, p.String()+".json")
		if replaced != "" {
			msg += "; the earlier import is in " + replaced
		}
		fmt.Fprintf(w, "%s: %s\n", p, msg)
	}
	return nil
}

// readUpload reads a file given on the command line, refusing one larger
// than limit before reading it.
func readUpload(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, fmt.Errorf("the file is larger than %d MiB; split the export by period", limit>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the file is larger than %d MiB; split the export by period", limit>>20)
	}
	return data, nil
}

// grouped formats an amount to the cent with thousands separators:
// -1234.5 → "-1,234.50".
func grouped(d decimal.Decimal) string {
	s := engine.RoundMoney(d).StringFixed(engine.MinorUnits)
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	b.WriteString("." + frac)
	return b.String()
}
