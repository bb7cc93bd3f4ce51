package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"aop/cmd/internal/plan"
	"aop/engine"
	"aop/engine/grid"
	"aop/sheets"
	"aop/sheets/sheetstest"
)

// runSheetsDemo runs the demo loop in Google Sheets, against an emulator
// in this process: each department's spreadsheet is copied from the master
// template into a shared drive and shared with its head, who types the plan
// into it; aop harvests every spreadsheet with one request, consolidates,
// and writes each department's read-only Summary tab. It prints the API
// requests each department cost, by phase.
func runSheetsDemo(ctx context.Context, e *env, dir string) error {
	cf, key, _, err := writeDemoCycle(e, dir)
	if err != nil {
		return err
	}
	c := cf.Cycle
	emu, g, seeded, err := emulatedSheets(ctx, newXLSXBooks(key))
	if err != nil {
		return err
	}
	books := g.books
	h, err := books.harvester(c)
	if err != nil {
		return err
	}
	t := h.Template
	fmt.Fprintf(e.stdout, "Google Sheets, emulated: shared drive %s, master template %s, service account %s\n\n",
		seeded.DriveID, seeded.TemplateID, seeded.Email)

	depts := c.Leaves()
	counts := make([]phaseCounts, len(depts))
	ids := make([]string, len(depts))
	stamp := time.Now().UTC().Format("2006-01-02 15:04:05")
	workbook := func(d engine.Department) plan.Workbook {
		return plan.Workbook{Department: d.ID, Round: "1", Sheet: "demo." + d.ID, Secret: "demo"}
	}

	// 1. Create: copy, render, share.
	for i, d := range depts {
		before := emu.Stats()
		name := fmt.Sprintf("%s %s plan – %s (%s)", c.Company, c.Year.Name(), d.Name, stamp)
		if ids[i], _, err = g.Create(ctx, c, workbook(d), name, d.Owner, false); err != nil {
			return fmt.Errorf("create %s: %w", d.ID, err)
		}
		counts[i].create = requestsSince(before, emu.Stats())
	}
	fmt.Fprintf(e.stdout, "1. created %d department spreadsheets, each shared with its head\n", len(depts))

	// 2. Department heads type their plans, one cell at a time; one of
	// them types words into an amount.
	typed := 0
	var refused string
	for i, d := range depts {
		in, err := t.Inputs(demoSubmission(c, d.ID))
		if err != nil {
			return err
		}
		for _, x := range in {
			if err := emu.EditAs(d.Owner, ids[i], grid.QuoteSheet(x.Sheet)+"!"+x.Cell.String(), [][]any{{x.Value.Text}}); err != nil {
				return fmt.Errorf("%s types into %s!%s: %w", d.Owner, x.Sheet, x.Cell, err)
			}
			typed++
		}
		if d.ID == demoMistakeDept {
			sheet, cell, err := t.PlanCell(2, "month:4")
			if err != nil {
				return err
			}
			// In Google Sheets the amount cell's validation refuses it as
			// it is typed (an .xlsx workbook takes it and the harvest
			// names it).
			err = emu.EditAs(d.Owner, ids[i], grid.QuoteSheet(sheet)+"!"+cell.String(), [][]any{{"about 40k"}})
			if err == nil {
				return fmt.Errorf("demo: %s!%s took words for an amount", sheet, cell)
			}
			refused = fmt.Sprintf("%s typed 'about 40k' into '%s'!%s and the sheet refused it: %v", d.ID, sheet, cell, err)
		}
	}
	fmt.Fprintf(e.stdout, "2. department heads typed %d cells into their spreadsheets; %s\n", typed, refused)
	// A head may type only into input cells: the emulator refuses the rest.
	sheet, cell, err := t.PlanCell(1, "account")
	if err != nil {
		return err
	}
	if err := emu.EditAs(depts[0].Owner, ids[0], grid.QuoteSheet(sheet)+"!"+grid.R(cell.Row, 1).String(), [][]any{{"renamed"}}); err == nil {
		return fmt.Errorf("demo: a protected cell took an edit")
	}

	// 3. Harvest: one values.batchGet per spreadsheet.
	var subs []*engine.Submission
	fmt.Fprintln(e.stdout, "3. harvest:")
	for i, d := range depts {
		before := emu.Stats()
		data, err := g.Fetch(ctx, c, workbook(d), ids[i])
		if err != nil {
			return err
		}
		counts[i].harvest = requestsSince(before, emu.Stats())
		r := books.Harvest(ctx, c, d.ID+".json", data, d.ID, "1")
		errs := engine.CountLevel(r.Findings, engine.Error)
		status := "valid"
		switch {
		case r.Refused:
			status = "refused: " + r.Problem
		case errs > 0:
			status = fmt.Sprintf("%d errors", errs)
		}
		fmt.Fprintf(e.stdout, "   %-20s %s\n", d.ID, status)
		for _, f := range r.Findings {
			if f.Level == engine.Error {
				fmt.Fprintf(e.stdout, "      %s\n", f.Message)
			}
		}
		if r.Submission != nil && errs == 0 {
			subs = append(subs, r.Submission)
		}
	}

	// 4. Consolidate and write each Summary tab (read-only).
	k, err := engine.Consolidate(c, subs)
	if err != nil {
		return err
	}
	asOf := "on " + stamp + " UTC"
	for i, d := range depts {
		if !slices.ContainsFunc(subs, func(s *engine.Submission) bool { return s.Department == d.ID }) {
			continue
		}
		before := emu.Stats()
		if err := g.WriteSummary(ctx, c, k, d.ID, ids[i], asOf, true); err != nil {
			return err
		}
		counts[i].writeBack = requestsSince(before, emu.Stats())
	}
	costPlan, costTarget, _, _ := k.Totals("", engine.COGS, engine.OpEx)
	fmt.Fprintf(e.stdout, "4. consolidated %d plans: costs planned %s against a target of %s; Summary tabs written, read-only\n\n",
		len(subs), money(costPlan), money(costTarget))

	fmt.Fprintln(e.stdout, "API requests per department (create = Drive copy + render + share; harvest; write-back):")
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "department\tcreate\tharvest\twrite-back\t")
	for i, d := range depts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", d.ID, counts[i].create, counts[i].harvest, counts[i].writeBack)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nTry a round through the service: aop sheets-emulator, then aop serve with google.endpoint pointing at it (README, Google Sheets).")
	return nil
}

// phaseCounts are a department's API requests in each phase.
type phaseCounts struct{ create, harvest, writeBack requestCount }

// requestCount is requests by method.
type requestCount map[string]int

func (r requestCount) String() string {
	n := 0
	for _, v := range r {
		n += v
	}
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// requestsSince is what the emulator answered between two snapshots of
// its counts (the OAuth token refresh left out).
func requestsSince(before, after sheetstest.Stats) requestCount {
	out := requestCount{}
	for m, n := range after.Requests {
		if d := n - before.Requests[m]; d > 0 && !strings.HasPrefix(m, "oauth2.") {
			out[m] = d
		}
	}
	return out
}

// emulatedSheets starts a Sheets emulator in this process, seeds it with a
// shared drive, a master template and a service account, and returns the
// service's Google side on it. Quotas are lifted so that a demo takes
// seconds, not minutes; sheets' 500-department test shows the pacing under
// Google's quotas.
func emulatedSheets(ctx context.Context, books *xlsxBooks) (*sheetstest.Server, *sheetsBooks, emulatedSeed, error) {
	emu, err := sheetstest.New(sheetstest.Options{Quotas: &sheetstest.Quotas{}})
	if err != nil {
		return nil, nil, emulatedSeed{}, err
	}
	seeded, err := emu.Seed(sheetstest.SeedOptions{})
	if err != nil {
		return nil, nil, emulatedSeed{}, err
	}
	acct, err := sheets.ServiceAccount(ctx, seeded.Key, "", emu.Client())
	if err != nil {
		return nil, nil, emulatedSeed{}, err
	}
	unpaced := sheets.Quotas{ReadsPerUser: 1 << 20, WritesPerUser: 1 << 20, ReadsPerProject: 1 << 20, WritesPerProject: 1 << 20}
	client, err := sheets.New(ctx, sheets.Options{HTTPClient: acct.Client, Endpoint: emu.BaseURL(), Editor: acct.Email,
		Folder: seeded.DriveID, Template: seeded.TemplateID, Pacer: sheets.NewPacer(sheets.NewMemorySlots(), unpaced)})
	if err != nil {
		return nil, nil, emulatedSeed{}, err
	}
	return emu, &sheetsBooks{books: books, client: client}, emulatedSeed{DriveID: seeded.DriveID, TemplateID: seeded.TemplateID, Email: acct.Email}, nil
}

// emulatedSeed is what an emulator was seeded with.
type emulatedSeed struct{ DriveID, TemplateID, Email string }
