package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"aop/cmd/internal/cyclefile"
	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/excel"
	"aop/excel/xlsxread"
	"aop/templates"
)

// The demo's year of actuals: what Kestrel's ledger and CRM export at each
// monthly close. The story, month by month, of the demo plan:
//
//   - Revenue comes in 1% above plan for four months, then 15% below it
//     from month 5: the trailing three months fall under 92% of plan in
//     months 6 and 7, and the revenue-slump trigger fires in month 7.
//   - Sales' stage-2-to-close conversion, assumed to reach 28%, runs at
//     27%, 25%, 21%, 20% … : the register's assumption is breaking from
//     month 3, while revenue is still on plan (the early warning).
//     Pipeline comes in at 80% of the planned pipeline from month 2, the
//     win rate as planned.
//   - Costs run 2% under plan, except marketing, which spends 15% more in
//     month 3 and 15% less in month 4 (a timing difference).
var (
	demoRevenueAhead  = decimal.RequireFromString("1.01")
	demoRevenueBehind = decimal.RequireFromString("0.85")
	demoCostFactor    = decimal.RequireFromString("0.98")
	demoTimingUp      = decimal.RequireFromString("1.15")
	demoTimingDown    = decimal.RequireFromString("0.85")
	demoPipeline      = decimal.RequireFromString("0.8")
	demoConversion    = []string{"0.27", "0.25", "0.21", "0.2", "0.19", "0.19", "0.18", "0.18", "0.18", "0.17", "0.17", "0.17"}
)

// demoFactor is what the demo's actuals are of plan, by department,
// account type and fiscal month.
func demoFactor(dept string, t engine.AccountType, m engine.Period) decimal.Decimal {
	switch {
	case t == engine.Revenue && m <= 4:
		return demoRevenueAhead
	case t == engine.Revenue:
		return demoRevenueBehind
	case dept == "marketing" && m == 3:
		return demoTimingUp
	case dept == "marketing" && m == 4:
		return demoTimingDown
	}
	return demoCostFactor
}

// demoLedger returns the general-ledger export (mapping gl) and the KPI
// export (mapping kpis) of fiscal month m of the demo year.
func demoLedger(c *engine.Cycle, m engine.Period) (gl, kpis []byte, err error) {
	var glBuf, kpiBuf bytes.Buffer
	g, k := csv.NewWriter(&glBuf), csv.NewWriter(&kpiBuf)
	_ = g.Write([]string{"Cost centre", "Account", "Period", "Amount"})
	_ = k.Write([]string{"Cost centre", "Period", "Pipeline", "Win rate", "Stage-2 to close conversion"})
	total := decimal.Zero
	for _, d := range c.Leaves() {
		sub := demoSubmission(c, d.ID)
		byAccount := map[string]decimal.Decimal{}
		var order []string
		for _, l := range sub.Lines {
			if _, seen := byAccount[l.Account]; !seen {
				order = append(order, l.Account)
			}
			byAccount[l.Account] = byAccount[l.Account].Add(l.Months[m-1])
		}
		for _, code := range order {
			a, _ := c.Account(code)
			amount := engine.RoundMoney(byAccount[code].Mul(demoFactor(d.ID, a.Type, m)))
			if !a.Type.IsMoney() {
				amount = byAccount[code]
			}
			total = total.Add(amount)
			_ = g.Write([]string{d.ID, code, fmt.Sprint(int(m)), amount.StringFixed(2)})
		}
		var pipeline, win *decimal.Decimal
		for _, dr := range sub.Drivers {
			switch dr.Name {
			case "pipeline":
				pipeline = dr.Months[m-1]
			case "win_rate":
				win = dr.Months[m-1]
			}
		}
		if pipeline == nil {
			continue
		}
		p := *pipeline
		if m >= 2 {
			p = engine.RoundMoney(p.Mul(demoPipeline))
		}
		row := []string{d.ID, fmt.Sprint(int(m)), p.StringFixed(2), "", demoConversion[m-1]}
		if win != nil {
			row[3] = win.String()
		}
		_ = k.Write(row)
	}
	_ = g.Write([]string{"Total", "", "", total.StringFixed(2)})
	g.Flush()
	k.Flush()
	if err := g.Error(); err != nil {
		return nil, nil, err
	}
	return glBuf.Bytes(), kpiBuf.Bytes(), k.Error()
}

// demoCloses runs the demo year's twelve monthly closes on the local
// files: each month's GL and KPI exports land in DIR/ledger, are imported
// into DIR/actuals (aop actuals import), reviewed against the plans, and
// every department workbook gets its Actuals vs Plan tab; finance's close
// workbook is DIR/close.xlsx. It prints a line a month.
func demoCloses(ctx context.Context, e *env, cf *cyclefile.File, key templates.Key, cyclePath, dir string, paths []string) error {
	c := cf.Cycle
	ledgerDir, actualsDir := filepath.Join(dir, "ledger"), filepath.Join(dir, "actuals")
	if err := os.MkdirAll(ledgerDir, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(actualsDir); err != nil { // a demo run again starts the year afresh
		return err
	}
	t, err := templates.NewDepartment(c)
	if err != nil {
		return err
	}
	plans := make([]*engine.Submission, 0, len(c.Leaves()))
	for _, d := range c.Leaves() {
		plans = append(plans, demoSubmission(c, d.ID))
	}
	bc := &bookCycle{planning: cf.Planning, file: cf}
	quiet := &env{getenv: e.getenv, stdin: e.stdin, stdout: io.Discard, stderr: e.stderr}
	w := excel.NewWriter()
	var rep *review.Report
	var book *actuals.Book
	// closeMonth reviews the plans against the book and writes every
	// department's Actuals vs Plan tab.
	closeMonth := func(book *actuals.Book, said []review.Explanation) (*review.Report, error) {
		rep, err := review.Close(closeInput(c, bc, plans, book, said))
		if err != nil {
			return nil, err
		}
		asOf := "at the close of " + rep.Close.Label(c.Year.StartMonth)
		for i, d := range c.Leaves() {
			sheet, err := t.ActualsTab(rep, d.ID, key, asOf)
			if err != nil {
				return nil, err
			}
			if err := w.WriteBack(paths[i], []*grid.Sheet{sheet}, excel.WriteBackOptions{HistoryDir: filepath.Join(dir, "history"),
				After: t.Spec().Sheets.Instructions, OrAfter: templates.SummarySheetName, Replace: []string{templates.ActualsSheetName}}); err != nil {
				return nil, err
			}
		}
		return rep, nil
	}
	fmt.Fprintln(e.stdout, "\n7. the year's monthly closes (ledger and KPI exports imported, reviewed, Actuals vs Plan written back):")
	for m := engine.Period(1); m <= engine.MonthsPerYear; m++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		gl, kpis, err := demoLedger(c, m)
		if err != nil {
			return err
		}
		p := actuals.Period{Year: c.Year.Year, Month: m}
		files := []string{filepath.Join(ledgerDir, "gl-"+p.String()+".csv"), filepath.Join(ledgerDir, "kpis-"+p.String()+".csv")}
		for i, data := range [][]byte{gl, kpis} {
			if err := os.WriteFile(files[i], data, 0o644); err != nil {
				return err
			}
			mapping := []string{"gl", "kpis"}[i]
			if err := importActuals(ctx, quiet, cf, files[i:i+1], actualsOptions{mapping: mapping, dir: actualsDir, strict: true, now: time.Now()}); err != nil {
				return fmt.Errorf("importing %s: %w", files[i], err)
			}
		}
		if book, _, err = cyclefile.LoadActuals(actualsDir, c.ID); err != nil {
			return err
		}
		if rep, err = closeMonth(book, nil); err != nil {
			return err
		}
		printClose(e.stdout, c, rep)
	}

	// A head explains a line of the last close in its workbook; the close
	// read again takes it from every workbook, as a harvest does.
	if rep, err = demoExplain(ctx, e.stdout, c, t, rep, paths, closeMonth, book); err != nil {
		return err
	}
	wb := grid.New()
	if err := t.CloseTabs(wb, rep, "at the close of "+rep.Close.Label(c.Year.StartMonth)); err != nil {
		return err
	}
	closePath := filepath.Join(dir, "close.xlsx")
	if err := w.WriteFile(closePath, wb); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Open %s for finance's budget vs actuals, warnings and triggers, and the Actuals vs Plan tab of any workbook in %s.\n",
		closePath, filepath.Dir(paths[0]))
	fmt.Fprintf(e.stdout, "Import a month yourself:\n  aop actuals import --cycle %s --mapping gl %s\n", cyclePath, filepath.Join(ledgerDir, "gl-FY2027-P01.csv"))
	return nil
}

// demoExplanation is what the demo's head of sales types into the first
// line of its tab that asks why.
const demoExplanation = "Two enterprise renewals slipped into the new year; both are signed for February."

// demoExplain types the demo's explanation into the sales workbook's
// Actuals vs Plan tab, as its head would, reads the explanations of
// every workbook back and closes the month again with them.
func demoExplain(ctx context.Context, w io.Writer, c *engine.Cycle, t *templates.Department, rep *review.Report, paths []string,
	closeMonth func(*actuals.Book, []review.Explanation) (*review.Report, error), book *actuals.Book) (*review.Report, error) {
	leaves := c.Leaves()
	i := slices.IndexFunc(leaves, func(d engine.Department) bool { return d.ID == "sales" })
	if i < 0 {
		return rep, nil
	}
	dep := rep.Departments[slices.IndexFunc(rep.Departments, func(d review.Department) bool { return d.ID == "sales" })]
	line := slices.IndexFunc(dep.Lines, func(l review.Line) bool { return l.Explain })
	if line < 0 {
		return rep, nil
	}
	at := templates.ActualsExplanationCell(line)
	if err := excel.EditFile(paths[i], []excel.Edit{{Sheet: templates.ActualsSheetName, Cell: at, Value: grid.Str(demoExplanation)}}); err != nil {
		return nil, err
	}
	var said []review.Explanation
	for j, d := range leaves {
		wb, err := xlsxread.ReadFile(ctx, paths[j], xlsxread.Options{Limits: xlsxread.DefaultLimits(),
			Sheets: func(name string) bool { return name == templates.ActualsSheetName }})
		if err != nil {
			return nil, err
		}
		es, _ := t.ParseExplanations(wb, d.ID)
		said = append(said, es...)
	}
	again, err := closeMonth(book, said)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "   Sales explains account %s in its tab (%s): %q; the close, read again, shows it to finance.\n",
		dep.Lines[line].Account, at, demoExplanation)
	return again, nil
}

// printClose prints one close on a line: revenue and costs to date against
// plan, the lines asking for an explanation, the breaking assumptions and
// the triggers fired this month.
func printClose(w io.Writer, c *engine.Cycle, r *review.Report) {
	var parts []string
	for _, l := range r.Company {
		if l.Type == engine.Revenue || l.Type == engine.OpEx {
			parts = append(parts, fmt.Sprintf("%s %s%% of plan", strings.ToLower(l.Name), engine.RoundMoney(l.YTDActual.Mul(decimal.NewFromInt(100)).Div(l.YTDPlan)).StringFixed(1)))
		}
	}
	explain := 0
	for _, d := range r.Departments {
		for _, l := range d.Lines {
			if l.Explain {
				explain++
			}
		}
	}
	parts = append(parts, plural(explain, "line")+" to explain")
	var breaking []string
	for _, wa := range r.Warnings {
		if wa.Status == review.Breaking {
			s := fmt.Sprintf("%s (%s) %s%% short", wa.Indicator, wa.Department, decimal.NewFromFloat(wa.Shortfall*100).StringFixed(0))
			if wa.ResultsOnPlan {
				s += " while results are on plan"
			}
			breaking = append(breaking, s)
		}
	}
	if len(breaking) > 0 {
		parts = append(parts, "early warning: "+strings.Join(breaking, "; "))
	}
	for _, f := range r.Firings {
		if int(f.Month) == r.Closed {
			var actions []string
			for _, a := range f.Actions {
				actions = append(actions, a.Action)
			}
			parts = append(parts, fmt.Sprintf("TRIGGER %s fired → playbook %s: %s", f.Trigger, f.Playbook, strings.Join(actions, ", ")))
		}
	}
	fmt.Fprintf(w, "   %-24s YTD %s\n", r.Close.Label(c.Year.StartMonth), strings.Join(parts, " · "))
}
