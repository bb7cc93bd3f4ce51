package plan

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
)

// Jobs of the monthly close: JobCloseTick is the schedule's periodic job,
// which queues a JobClose for every cycle whose actuals changed since its
// last close; JobWriteActuals writes one department's Actuals vs Plan tab
// into its Google spreadsheet.
const (
	JobCloseTick    = "close_tick"
	JobClose        = "close"
	JobWriteActuals = "write_actuals"
)

// CloseSchedule is the name the close schedule's last run is kept under.
const CloseSchedule = "close"

// Schedule says when a periodic task runs: a cron expression's schedule.
type Schedule interface {
	// Next returns the first run after t.
	Next(t time.Time) time.Time
}

// Closer is the close side of Books (wired by cmd/aop): it reads ledger
// exports with the cycle's mappings, reviews a close and renders its tabs.
type Closer interface {
	// ImportActuals reads a GL/ERP export (CSV or xlsx) with one of the
	// cycle's actuals mappings ("" for its first).
	ImportActuals(c *engine.Cycle, mapping, name string, data []byte) (ActualsReport, error)
	// Review reviews the plans against the book of actuals.
	Review(c *engine.Cycle, plans []*engine.Submission, book *actuals.Book, said []review.Explanation) (*review.Report, error)
	// WriteActuals writes a department's Actuals vs Plan tab into its
	// workbook, leaving everything else as it is.
	WriteActuals(c *engine.Cycle, r *review.Report, dept string, workbook []byte, asOf string) ([]byte, error)
	// ActualsSheet renders the tab WriteActuals writes, as a sheet (for
	// clients that write the tab themselves).
	ActualsSheet(c *engine.Cycle, r *review.Report, dept, asOf string) (*grid.Sheet, error)
	// CloseSummary renders finance's close workbook: BvA, early warnings
	// and fired triggers.
	CloseSummary(c *engine.Cycle, r *review.Report, asOf string) ([]byte, error)
	// Explanations reads what a department typed on its Actuals vs Plan
	// tab, from the tab's values read from its spreadsheet
	// (Spreadsheets.FetchActuals): one for each line, as a harvest does.
	Explanations(c *engine.Cycle, dept string, values []byte) ([]review.Explanation, []engine.Finding, error)
}

// ActualsReport is what an import read from a file: the sets by period,
// what it left unmapped and how it reconciles. Clean is false when rows
// were left unmapped or a control total differs.
type ActualsReport struct {
	Sets []*actuals.Set `json:"-"`
	// Merge says which parts of a period the file replaces: amounts,
	// indicators or both (a file of indicators alone keeps the period's
	// amounts).
	Amounts    bool `json:"reads_amounts"`
	Indicators bool `json:"reads_indicators"`
	Clean      bool `json:"clean"`
	// Lines describe the import as people read it, one a line.
	Lines []string `json:"report"`
}

// ImportedActuals is what ImportActuals answers.
type ImportedActuals struct {
	ActualsReport
	// Periods are the imports stored, one a period.
	Periods []ActualsImport `json:"periods"`
}

// ImportActuals stores a ledger export, reads it with one of the cycle's
// mappings and keeps each period it holds as the period's current actuals
// (a re-import replaces the period and keeps the earlier import). The
// file is stored before it is read, so nothing sent is lost; with strict,
// a file with unmapped rows or a control total that differs keeps
// nothing. The close schedule's next run closes what was imported.
func (s *Service) ImportActuals(ctx context.Context, a Actor, cycle, mapping, name string, data []byte, strict bool) (ImportedActuals, error) {
	if err := financeOnly(a, true); err != nil {
		return ImportedActuals{}, err
	}
	c, err := s.cycle(ctx, s.o.Store, cycle)
	if err != nil {
		return ImportedActuals{}, err
	}
	source, err := s.o.Store.PutBlob(ctx, data)
	if err != nil {
		return ImportedActuals{}, err
	}
	rep, err := s.closer().ImportActuals(c, mapping, name, data)
	if err != nil {
		return ImportedActuals{}, Errorf(KindUnprocessable, "%s: %v", name, err)
	}
	out := ImportedActuals{ActualsReport: rep}
	if strict && !rep.Clean {
		return out, nil
	}
	now := s.now()
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		out.Periods = out.Periods[:0]
		current, err := tx.Actuals(ctx, cycle, false)
		if err != nil {
			return err
		}
		for _, set := range rep.Sets {
			merged := set
			if i := slices.IndexFunc(current, func(x ActualsImport) bool { return x.Period == set.Period.String() }); i >= 0 {
				if merged, err = mergeSet(current[i], set, rep.Amounts, rep.Indicators); err != nil {
					return err
				}
			}
			merged.Sort()
			body, err := json.Marshal(merged)
			if err != nil {
				return err
			}
			imp := ActualsImport{Cycle: cycle, Period: set.Period.String(), Set: body, Source: source, Filename: name,
				By: a.Kind + ":" + a.Name, At: now}
			if err := tx.AddActuals(ctx, &imp); err != nil {
				return err
			}
			out.Periods = append(out.Periods, imp)
		}
		return s.audit(ctx, tx, a, "actuals.import", 0, "", "cycle "+cycle, nil,
			map[string]any{"file": name, "source": source, "periods": len(out.Periods), "clean": rep.Clean})
	})
	return out, err
}

// mergeSet keeps of a period's current import what the new file does not
// read (actuals.Set.Keep).
func mergeSet(cur ActualsImport, set *actuals.Set, amounts, indicators bool) (*actuals.Set, error) {
	if amounts && indicators {
		return set, nil
	}
	var old actuals.Set
	if err := json.Unmarshal(cur.Set, &old); err != nil {
		return nil, fmt.Errorf("stored actuals %d of %s: %w", cur.ID, cur.Period, err)
	}
	merged := actuals.NewSet(set.Period, set.Currency) // set itself stays as read: the transaction may run again
	for _, a := range set.Amounts {
		merged.Add(a)
	}
	for _, in := range set.Indicators {
		merged.AddIndicator(in)
	}
	merged.Keep(&old, amounts, indicators)
	return merged, nil
}

// closeState is what a close reviews beside the plans: a cycle's current
// imports of actuals and what departments said about them, and their
// digest, which tells one state from another (a new explanation is a new
// state, so that finance's close workbook shows it).
type closeState struct {
	imports []ActualsImport
	said    []review.Explanation
	digest  string
}

func (s *Service) currentState(ctx context.Context, cycle string) (closeState, error) {
	imps, err := s.o.Store.Actuals(ctx, cycle, false)
	if err != nil {
		return closeState{}, err
	}
	rows, err := s.o.Store.Explanations(ctx, cycle)
	if err != nil {
		return closeState{}, err
	}
	h := sha256.New()
	for _, imp := range imps {
		fmt.Fprintf(h, "%s\x00%d\x00", imp.Period, imp.ID)
	}
	for _, e := range rows {
		fmt.Fprintf(h, "e%d\x00", e.ID)
	}
	return closeState{imports: imps, said: spoken(rows), digest: hex.EncodeToString(h.Sum(nil))}, nil
}

// bookOf reads the imports' sets into a book.
func bookOf(imps []ActualsImport) (*actuals.Book, error) {
	sets := make([]*actuals.Set, 0, len(imps))
	for _, imp := range imps {
		var set actuals.Set
		if err := json.Unmarshal(imp.Set, &set); err != nil {
			return nil, fmt.Errorf("stored actuals %d of %s: %w", imp.ID, imp.Period, err)
		}
		sets = append(sets, &set)
	}
	return actuals.NewBook(sets...), nil
}

// queueClose queues the close of a cycle's current actuals; the same
// actuals queue the same job, which runs once. A cycle without actuals
// queues nothing (0).
func (s *Service) queueClose(ctx context.Context, cycle string) (int64, error) {
	st, err := s.currentState(ctx, cycle)
	if err != nil || len(st.imports) == 0 {
		return 0, err
	}
	return s.o.Queue.Enqueue(ctx, Job{Kind: JobClose, Key: "close/" + cycle + "/" + st.digest, Cycle: cycle})
}

// closeTick is the close schedule's periodic job. It runs the schedule's
// latest run due by now unless that run is done: runs missed while no
// process ran are caught up once, not once each. A run queues the close
// of every cycle with actuals; a cycle whose actuals did not change since
// its last close queues nothing new.
func (s *Service) closeTick(ctx context.Context) error {
	if s.o.CloseSchedule == nil {
		return nil
	}
	now := s.now()
	due, missed, ok, err := s.dueRun(ctx, now)
	if err != nil || !ok {
		return err
	}
	cycles, err := s.o.Store.Cycles(ctx)
	if err != nil {
		return err
	}
	var queued []string
	for _, c := range cycles {
		id, err := s.queueClose(ctx, c.ID)
		if err != nil {
			return err
		}
		if id != 0 {
			queued = append(queued, c.ID)
		}
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		first, err := tx.Once(ctx, "schedule/"+CloseSchedule+"@"+due.Format(time.RFC3339), now)
		if err != nil || !first {
			return err
		}
		if err := tx.SetLastRun(ctx, CloseSchedule, due); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "schedule.run", 0, "", "schedule "+CloseSchedule, nil,
			map[string]any{"due": due, "missed": missed, "cycles": queued})
	})
}

// maxCatchUp bounds the walk over missed runs (a minutely schedule
// stopped for a year is half a million).
const maxCatchUp = 1 << 20

// dueRun returns the schedule's latest run at or before now that has not
// run, and how many earlier ones were missed; false when none is due. A
// schedule that never ran is due now.
func (s *Service) dueRun(ctx context.Context, now time.Time) (due time.Time, missed int, ok bool, err error) {
	last, ran, err := s.o.Store.LastRun(ctx, CloseSchedule)
	if err != nil || !ran {
		return now, 0, err == nil, err
	}
	due = s.o.CloseSchedule.Next(last)
	if due.After(now) {
		return time.Time{}, 0, false, nil
	}
	for range maxCatchUp {
		next := s.o.CloseSchedule.Next(due)
		if next.After(now) || !next.After(due) {
			break
		}
		due, missed = next, missed+1
	}
	return due, missed, true, nil
}

// closePlan finds the plans a close compares with: the current
// submissions of the cycle's latest round that has been consolidated.
func (s *Service) closePlan(ctx context.Context, cycle string) (Round, []*engine.Submission, error) {
	rounds, err := s.o.Store.Rounds(ctx, cycle)
	if err != nil {
		return Round{}, nil, err
	}
	for _, r := range rounds {
		runs, err := s.o.Store.Consolidations(ctx, r.ID)
		if err != nil {
			return Round{}, nil, err
		}
		if !slices.ContainsFunc(runs, func(k Consolidation) bool { return k.State == "done" }) {
			continue
		}
		subs, _, err := s.currentPlans(ctx, r.ID)
		return r, subs, err
	}
	return Round{}, nil, Errorf(KindConflict, "cycle %s has no consolidated round: a close compares the actuals with the plans of its latest consolidated round", cycle)
}

// runClose reviews a cycle's current actuals against its plan, keeps the
// finance close workbook, writes every department's Actuals vs Plan tab
// (into the stored workbook of an .xlsx round; a job each for Google
// spreadsheets) and raises an alert for each trigger that fired for the
// first time this year. It runs once per state of the actuals.
func (s *Service) runClose(ctx context.Context, j Job) error {
	c, err := s.cycle(ctx, s.o.Store, j.Cycle)
	if err != nil {
		return err
	}
	st, err := s.currentState(ctx, j.Cycle)
	if err != nil {
		return err
	}
	book, err := bookOf(st.imports)
	if err != nil {
		return err
	}
	run := CloseRun{Cycle: c.ID, Digest: st.digest, State: "running", At: s.now()}
	added, err := s.o.Store.AddCloseRun(ctx, &run)
	if err != nil || !added && run.State == "done" {
		return err // the same actuals were closed before: nothing to write twice
	}
	r, plans, err := s.closePlan(ctx, c.ID)
	if err != nil {
		return s.failClose(ctx, run, err)
	}
	rep, err := s.closer().Review(c, plans, book, st.said)
	if err != nil {
		return s.failClose(ctx, run, err)
	}
	done := s.now()
	when := asOf(done)
	summary, err := s.closer().CloseSummary(c, rep, when)
	if err != nil {
		return err
	}
	report, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	books, sheets, err := s.departmentBooks(ctx, r, func(d DepartmentState) ([]byte, error) {
		wb, err := s.storedWorkbook(ctx, r, c, d)
		if err != nil {
			return nil, err
		}
		return s.closer().WriteActuals(c, rep, d.Department, wb, when)
	})
	if err != nil {
		return err
	}
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		first, err := tx.Once(ctx, "job/"+j.Key, done)
		if err != nil || !first {
			return err
		}
		sum, err := tx.PutBlob(ctx, summary)
		if err != nil {
			return err
		}
		run.Period, run.Round, run.State, run.Report, run.Summary, run.Done = rep.Close.String(), r.ID, "done", report, sum, &done
		if err := tx.UpdateCloseRun(ctx, run); err != nil {
			return err
		}
		if err := storeWorkbooks(ctx, tx, r.ID, books); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "close.done", r.ID, "", fmt.Sprintf("close %d of %s", run.ID, c.ID), nil,
			map[string]any{"period": run.Period, "closed": rep.Closed, "summary": sum, "written_back": len(books) + len(sheets),
				"warnings": len(rep.Warnings), "fired": len(rep.Firings)})
	})
	if err != nil {
		return err
	}
	for _, dept := range sheets {
		if _, err := s.o.Queue.Enqueue(ctx, Job{Kind: JobWriteActuals, Key: fmt.Sprintf("actuals/%d/%s", run.ID, dept),
			Cycle: c.ID, Round: r.ID, Department: dept, Consolidation: run.ID}); err != nil {
			return err
		}
	}
	return s.alert(ctx, c, run, rep)
}

// failClose records why a close could not run; the error is the job's.
func (s *Service) failClose(ctx context.Context, run CloseRun, cause error) error {
	done := s.now()
	run.State, run.Error, run.Done = "failed", cause.Error(), &done
	if err := s.o.Store.UpdateCloseRun(ctx, run); err != nil {
		return err
	}
	return cause // the job runs again later, and so does the run
}

// storedWorkbook returns the workbook aop last wrote for a department,
// generating it when there is none yet.
func (s *Service) storedWorkbook(ctx context.Context, r Round, c *engine.Cycle, d DepartmentState) ([]byte, error) {
	if d.Workbook != "" {
		return s.o.Store.Blob(ctx, d.Workbook)
	}
	sub, err := s.o.Store.Submission(ctx, d.Current)
	if err != nil {
		return nil, err
	}
	return s.o.Books.Generate(c, s.workbookOf(r, d, sub.Records))
}

// alert raises an alert for each trigger that fired, once a trigger and
// fiscal year, so that a trigger still holding at the next close does not
// alert again.
func (s *Service) alert(ctx context.Context, c *engine.Cycle, run CloseRun, rep *review.Report) error {
	label := func(p engine.Period) string {
		if p < 1 || p > engine.MonthsPerYear {
			return fmt.Sprintf("month %d of the plan (after the year)", p)
		}
		return actuals.Period{Year: rep.Year, Month: p}.Label(c.Year.StartMonth)
	}
	for _, f := range rep.Firings {
		a := Alert{Cycle: c.ID, Close: rep.Close.String(), CloseLabel: rep.Close.Label(c.Year.StartMonth), Trigger: f.Trigger,
			Condition: f.Condition, Month: label(f.Month), Value: f.Value.String(), Playbook: f.Playbook,
			Link: fmt.Sprintf("%s/api/v1/closes/%d/summary", s.o.PublicURL, run.ID)}
		for _, t := range f.Actions {
			when := label(t.From)
			if !t.InEffect {
				when += ", after the plan's horizon"
			}
			a.Actions = append(a.Actions, AlertAction{What: t.Action, When: when})
		}
		key := fmt.Sprintf("alert/%s/FY%d/%s", c.ID, rep.Year, f.Trigger)
		err := s.o.Store.InTx(ctx, func(tx Tx) error {
			first, err := tx.Once(ctx, key, s.now())
			if err != nil || !first {
				return err
			}
			if err := s.o.Notifier.Notify(ctx, a); err != nil {
				return fmt.Errorf("alert of trigger %s: %w", f.Trigger, err)
			}
			return s.audit(ctx, tx, System, "trigger.fired", run.Round, "", "trigger "+f.Trigger, nil, a)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// writeActualsJob writes a department's Actuals vs Plan tab into its
// Google spreadsheet from a close's stored report. The tab there is read
// back first: what the department typed since the last write is kept as
// its explanations, and the tab is written again with them.
func (s *Service) writeActualsJob(ctx context.Context, j Job) error {
	r, c, err := s.roundCycle(ctx, j.Round)
	if err != nil {
		return err
	}
	d, err := s.o.Store.DepartmentState(ctx, j.Round, j.Department)
	if err != nil || d.Spreadsheet.ID == "" {
		return err
	}
	run, err := s.o.Store.CloseRun(ctx, j.Consolidation)
	if err != nil {
		return err
	}
	create := !d.Spreadsheet.Actuals
	kept, findings := 0, 0
	if !create {
		if kept, findings, err = s.readBackExplanations(ctx, c, d); err != nil {
			return err
		}
	}
	rep, when, err := s.storedReport(ctx, run)
	if err != nil {
		return err
	}
	if err := s.sheets().WriteActuals(ctx, c, rep, d.Department, d.Spreadsheet.ID, when, create); err != nil {
		return err
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DepartmentState(ctx, r.ID, d.Department)
		if err != nil {
			return err
		}
		if !cur.Spreadsheet.Actuals {
			cur.Spreadsheet.Actuals = true
			if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, System, "spreadsheet.actuals", r.ID, d.Department, "spreadsheet "+d.Spreadsheet.ID, nil,
			map[string]any{"close": run.ID, "period": run.Period, "created": create, "explanations_kept": kept, "findings": findings})
	})
}

// storedReport reads a close's stored report with what departments have
// said since it was made, and when the close was done, as tabs word it.
func (s *Service) storedReport(ctx context.Context, run CloseRun) (*review.Report, string, error) {
	var rep review.Report
	if err := json.Unmarshal(run.Report, &rep); err != nil {
		return nil, "", fmt.Errorf("close %d: stored report: %w", run.ID, err)
	}
	rows, err := s.o.Store.Explanations(ctx, run.Cycle)
	if err != nil {
		return nil, "", err
	}
	rep.Explain(spoken(rows))
	return &rep, asOf(*cmp.Or(run.Done, &run.At)), nil
}

// readBackExplanations reads a department's Actuals vs Plan tab from its
// spreadsheet and keeps what it says: the values first, as read, then the
// explanations. It returns how many explanations it stored and how many
// findings (an explanation too long to keep) the tab had.
func (s *Service) readBackExplanations(ctx context.Context, c *engine.Cycle, d DepartmentState) (int, int, error) {
	values, err := s.sheets().FetchActuals(ctx, d.Spreadsheet.ID)
	if err != nil {
		return 0, 0, err
	}
	source, err := s.o.Store.PutBlob(ctx, values)
	if err != nil {
		return 0, 0, err
	}
	said, findings, err := s.closer().Explanations(c, d.Department, values)
	if err != nil {
		return 0, 0, fmt.Errorf("the Actuals vs Plan tab of %s (spreadsheet %s): %w", d.Department, d.Spreadsheet.ID, err)
	}
	var kept int
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		kept, err = keepExplanations(ctx, tx, c.ID, said, source, "spreadsheet:"+d.Spreadsheet.ID, s.now())
		return err
	})
	return kept, len(findings), err
}

// CloseNow queues the close of a cycle's current actuals without waiting
// for the schedule (finance's "close now"). It answers the job, or 0 when
// the cycle has no actuals yet; actuals closed before run no close again.
func (s *Service) CloseNow(ctx context.Context, a Actor, cycle string) (int64, error) {
	if err := financeOnly(a, true); err != nil {
		return 0, err
	}
	if _, err := s.o.Store.Cycle(ctx, cycle); err != nil {
		return 0, err
	}
	id, err := s.queueClose(ctx, cycle)
	if err == nil && id == 0 {
		err = Errorf(KindConflict, "cycle %s has no actuals to close: import the ledger first (POST /api/v1/cycles/%s/actuals)", cycle, cycle)
	}
	return id, err
}

// ActualsTab returns a department's Actuals vs Plan tab from the latest
// close of its round, with what departments said since: what the Excel
// add-in's Refresh writes, the same cells a downloaded workbook's tab
// holds. Before the first close of the round there is none (KindNotFound).
func (s *Service) ActualsTab(ctx context.Context, a Actor, round int64, dept string) (SummaryTab, error) {
	r, c, d, err := s.readDepartment(ctx, a, round, dept)
	if err != nil {
		return SummaryTab{}, err
	}
	runs, err := s.o.Store.CloseRuns(ctx, c.ID)
	if err != nil {
		return SummaryTab{}, err
	}
	i := slices.IndexFunc(runs, func(k CloseRun) bool { return k.State == "done" && k.Round == r.ID })
	if i < 0 {
		return SummaryTab{}, Errorf(KindNotFound,
			"round %d has no monthly close yet: the Actuals vs Plan tab is written when finance closes a month against the consolidated plans", round)
	}
	run, err := s.o.Store.CloseRun(ctx, runs[i].ID)
	if err != nil {
		return SummaryTab{}, err
	}
	rep, when, err := s.storedReport(ctx, run)
	if err != nil {
		return SummaryTab{}, err
	}
	sheet, err := s.closer().ActualsSheet(c, rep, d.Department, when)
	if err != nil {
		return SummaryTab{}, err
	}
	tab := summaryCells(sheet)
	tab.Round, tab.Department, tab.AsOf = round, d.Department, when
	return tab, nil
}

// CloseRuns lists a cycle's closes, newest first.
func (s *Service) CloseRuns(ctx context.Context, a Actor, cycle string) ([]CloseRun, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, err
	}
	return s.o.Store.CloseRuns(ctx, cycle)
}

// CloseSummary returns the finance close workbook of a close.
func (s *Service) CloseSummary(ctx context.Context, a Actor, id int64) ([]byte, string, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, "", err
	}
	run, err := s.o.Store.CloseRun(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if run.Summary == "" {
		return nil, "", Errorf(KindNotFound, "close %d is %s; its workbook is written when it is done", id, run.State)
	}
	data, err := s.o.Store.Blob(ctx, run.Summary)
	return data, fmt.Sprintf("close-%s-%s.xlsx", run.Cycle, run.Period), err
}

// closer returns the close side of the books.
func (s *Service) closer() Closer {
	if s.o.Closer == nil {
		return noCloser{}
	}
	return s.o.Closer
}

// noCloser answers every call of a service wired without the close.
type noCloser struct{}

var errNoCloser = Errorf(KindUnprocessable, "this service runs no monthly close")

func (noCloser) ImportActuals(*engine.Cycle, string, string, []byte) (ActualsReport, error) {
	return ActualsReport{}, errNoCloser
}
func (noCloser) Review(*engine.Cycle, []*engine.Submission, *actuals.Book, []review.Explanation) (*review.Report, error) {
	return nil, errNoCloser
}
func (noCloser) WriteActuals(*engine.Cycle, *review.Report, string, []byte, string) ([]byte, error) {
	return nil, errNoCloser
}
func (noCloser) ActualsSheet(*engine.Cycle, *review.Report, string, string) (*grid.Sheet, error) {
	return nil, errNoCloser
}
func (noCloser) CloseSummary(*engine.Cycle, *review.Report, string) ([]byte, error) {
	return nil, errNoCloser
}
func (noCloser) Explanations(*engine.Cycle, string, []byte) ([]review.Explanation, []engine.Finding, error) {
	return nil, nil, errNoCloser
}
