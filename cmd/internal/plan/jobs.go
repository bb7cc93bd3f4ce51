package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"aop/engine"
)

// RunJob applies a job's effect: the queue's handler. A job may run more
// than once (the queue delivers at least once); each effect is applied in
// one transaction guarded by Tx.Once, so it lands once.
func (s *Service) RunJob(ctx context.Context, j Job) error {
	switch j.Kind {
	case JobProcessSubmission:
		_, err := s.process(ctx, j.Submission)
		return err
	case JobGenerate, JobWriteBack:
		return s.writeWorkbook(ctx, j)
	case JobHarvestSheet:
		return s.harvestSheet(ctx, j)
	case JobWriteSummary:
		return s.writeSummaryJob(ctx, j)
	case JobConsolidate:
		return s.runConsolidation(ctx, j)
	case JobRemind:
		return s.remind(ctx)
	case JobCloseTick:
		return s.closeTick(ctx)
	case JobClose:
		return s.runClose(ctx, j)
	case JobWriteActuals:
		return s.writeActualsJob(ctx, j)
	}
	return fmt.Errorf("unknown job kind %q", j.Kind)
}

// EnqueueProcessing queues a submission received by the webhook for
// processing.
func (s *Service) EnqueueProcessing(ctx context.Context, sub Submission) (int64, error) {
	return s.o.Queue.Enqueue(ctx, Job{Kind: JobProcessSubmission, Key: fmt.Sprintf("process/%d", sub.ID),
		Round: sub.Round, Department: sub.Department, Submission: sub.ID})
}

// Recover queues the work a stopped process may have left between storing
// something and queuing its job: submissions stored but not processed,
// consolidation runs still queued, workbooks of open rounds never written.
// The queue's unique keys make it harmless to call at every start.
func (s *Service) Recover(ctx context.Context) (int, error) {
	subs, err := s.o.Store.SubmissionsIn(ctx, Received)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sub := range subs {
		if _, err := s.EnqueueProcessing(ctx, sub); err != nil {
			return n, err
		}
		n++
	}
	rounds, err := s.o.Store.Rounds(ctx, "")
	if err != nil {
		return n, err
	}
	for _, r := range rounds {
		runs, err := s.o.Store.Consolidations(ctx, r.ID)
		if err != nil {
			return n, err
		}
		for _, k := range runs {
			if k.State != "queued" {
				continue
			}
			if _, err := s.o.Queue.Enqueue(ctx, consolidateJob(k)); err != nil {
				return n, err
			}
			n++
		}
		if r.State != RoundOpen {
			continue
		}
		states, err := s.o.Store.DepartmentStates(ctx, r.ID)
		if err != nil {
			return n, err
		}
		for _, d := range states {
			if d.Workbook != "" || d.Spreadsheet.ID != "" {
				continue
			}
			if _, err := s.o.Queue.Enqueue(ctx, generateJob(r.ID, d.Department)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func generateJob(round int64, dept string) Job {
	return Job{Kind: JobGenerate, Key: fmt.Sprintf("generate/%d/%s/open", round, dept), Round: round, Department: dept}
}

func consolidateJob(k Consolidation) Job {
	return Job{Kind: JobConsolidate, Key: fmt.Sprintf("consolidate/%d", k.ID), Round: k.Round, Consolidation: k.ID}
}

// Job returns a job's state to the actor that may see it.
func (s *Service) Job(ctx context.Context, a Actor, id int64) (JobInfo, error) {
	info, err := s.o.Queue.Job(ctx, id)
	if err != nil {
		return JobInfo{}, err
	}
	if err := can(a, info.Job.Department, false); err != nil {
		return JobInfo{}, NotFound("job", id) // a department does not learn of others' jobs
	}
	return info, nil
}

// roundCycle returns a round and its cycle.
func (s *Service) roundCycle(ctx context.Context, id int64) (Round, *engine.Cycle, error) {
	r, err := s.o.Store.Round(ctx, id)
	if err != nil {
		return Round{}, nil, err
	}
	c, err := s.cycle(ctx, s.o.Store, r.Cycle)
	return r, c, err
}

// writeWorkbook writes a department's workbook: its current values typed
// in, locked when the department is, with the Summary tab of the round's
// latest consolidation.
func (s *Service) writeWorkbook(ctx context.Context, j Job) error {
	r, c, err := s.roundCycle(ctx, j.Round)
	if err != nil {
		return err
	}
	if r.Backend == BackendSheets {
		return s.writeSheet(ctx, j, r, c)
	}
	d, err := s.o.Store.DepartmentState(ctx, j.Round, j.Department)
	if err != nil {
		return err
	}
	var values []engine.Fact
	if d.Current != 0 {
		sub, err := s.o.Store.Submission(ctx, d.Current)
		if err != nil {
			return err
		}
		values = sub.Records
	}
	data, err := s.o.Books.Generate(c, s.workbookOf(r, d, values))
	if err != nil {
		return err
	}
	if k, asOf, ok, err := s.latestConsolidation(ctx, c, r.ID); err != nil {
		return err
	} else if ok && d.Current != 0 {
		if data, err = s.o.Books.WriteSummary(c, k, d.Department, data, asOf); err != nil {
			return err
		}
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		first, err := tx.Once(ctx, "job/"+j.Key, s.now())
		if err != nil || !first {
			return err
		}
		sum, err := tx.PutBlob(ctx, data)
		if err != nil {
			return err
		}
		cur, err := tx.DepartmentState(ctx, j.Round, j.Department)
		if err != nil {
			return err
		}
		before := cur.Workbook
		cur.Workbook = sum
		if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "workbook.write", j.Round, j.Department, "workbook",
			map[string]any{"blob": before}, map[string]any{"blob": sum, "locked": cur.Locked, "job": j.Kind})
	})
}

func (s *Service) workbookOf(r Round, d DepartmentState, values []engine.Fact) Workbook {
	sheet := SheetID(r.ID, d.Department)
	return Workbook{Department: d.Department, Round: strconv.FormatInt(r.ID, 10), Values: values, Locked: d.Locked,
		Actuals: d.Spreadsheet.Actuals, Sheet: sheet, Secret: s.SheetSecret(sheet)}
}

// Consolidate starts a consolidation run of a round's current submissions.
func (s *Service) Consolidate(ctx context.Context, a Actor, round int64) (Consolidation, int64, error) {
	if err := financeOnly(a, true); err != nil {
		return Consolidation{}, 0, err
	}
	k := Consolidation{Round: round, State: "queued", At: s.now()}
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.Round(ctx, round); err != nil {
			return err
		}
		k.ID = 0
		if err := tx.AddConsolidation(ctx, &k); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "consolidation.start", round, "", fmt.Sprintf("consolidation %d", k.ID), nil, k)
	})
	if err != nil {
		return k, 0, err
	}
	id, err := s.o.Queue.Enqueue(ctx, consolidateJob(k))
	return k, id, err
}

// Refresh queues the rewriting of a department's workbook: its current
// values, its lock, and the Summary tab of the round's latest
// consolidation (the sheet's Refresh button).
func (s *Service) Refresh(ctx context.Context, a Actor, round int64, dept string) (int64, error) {
	if err := can(a, dept, false); err != nil {
		return 0, err
	}
	d, err := s.o.Store.DepartmentState(ctx, round, dept)
	if err != nil {
		return 0, err
	}
	return s.o.Queue.Enqueue(ctx, Job{Kind: JobWriteBack, Key: fmt.Sprintf("refresh/%d/%s/%d", round, dept, s.now().UnixMicro()),
		Round: round, Department: d.Department})
}

// ConsolidationSummary returns the finance summary workbook of a finished
// consolidation run.
func (s *Service) ConsolidationSummary(ctx context.Context, a Actor, id int64) ([]byte, string, error) {
	k, err := s.Consolidation(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	if k.Summary == "" {
		return nil, "", Errorf(KindNotFound, "consolidation %d is %s; its summary is written when it is done", id, k.State)
	}
	data, err := s.o.Store.Blob(ctx, k.Summary)
	return data, fmt.Sprintf("summary-round%d-run%d.xlsx", k.Round, k.ID), err
}

// Consolidation returns a consolidation run with its result.
func (s *Service) Consolidation(ctx context.Context, a Actor, id int64) (Consolidation, error) {
	if err := financeOnly(a, false); err != nil {
		return Consolidation{}, err
	}
	return s.o.Store.Consolidation(ctx, id)
}

// Consolidations lists a round's runs.
func (s *Service) Consolidations(ctx context.Context, a Actor, round int64) ([]Consolidation, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, err
	}
	return s.o.Store.Consolidations(ctx, round)
}

// currentPlans returns the typed plans of a round's current submissions and
// the departments left out (none accepted).
func (s *Service) currentPlans(ctx context.Context, round int64) ([]*engine.Submission, []string, error) {
	states, err := s.o.Store.DepartmentStates(ctx, round)
	if err != nil {
		return nil, nil, err
	}
	var subs []*engine.Submission
	var leftOut []string
	for _, d := range states {
		if d.Current == 0 {
			leftOut = append(leftOut, d.Department)
			continue
		}
		sub, err := s.o.Store.Submission(ctx, d.Current)
		if err != nil {
			return nil, nil, err
		}
		var p engine.Submission
		if err := json.Unmarshal(sub.Plan, &p); err != nil {
			return nil, nil, fmt.Errorf("submission %d: stored plan: %w", sub.ID, err)
		}
		subs = append(subs, &p)
	}
	return subs, leftOut, nil
}

// latestConsolidation recomputes the round's last finished consolidation
// from the submissions current now (false when there is none).
func (s *Service) latestConsolidation(ctx context.Context, c *engine.Cycle, round int64) (*engine.Consolidation, string, bool, error) {
	runs, err := s.o.Store.Consolidations(ctx, round)
	if err != nil {
		return nil, "", false, err
	}
	for _, k := range runs {
		if k.State != "done" {
			continue
		}
		subs, _, err := s.currentPlans(ctx, round)
		if err != nil {
			return nil, "", false, err
		}
		kk, err := engine.Consolidate(c, subs)
		return kk, asOf(*k.Done), err == nil, err
	}
	return nil, "", false, nil
}

func asOf(t time.Time) string { return "on " + t.UTC().Format("2006-01-02 15:04 MST") }

func (s *Service) runConsolidation(ctx context.Context, j Job) error {
	r, c, err := s.roundCycle(ctx, j.Round)
	if err != nil {
		return err
	}
	subs, leftOut, err := s.currentPlans(ctx, r.ID)
	if err != nil {
		return err
	}
	k, err := engine.Consolidate(c, subs)
	if err != nil {
		return err
	}
	done := s.now()
	summary, report, err := s.o.Books.FinanceSummary(c, k, subs, asOf(done), leftOut)
	if err != nil {
		return err
	}
	// The departments' workbooks with fresh Summary tabs.
	books, sheets, err := s.departmentBooks(ctx, r, func(d DepartmentState) ([]byte, error) {
		sub, err := s.o.Store.Submission(ctx, d.Current)
		if err != nil {
			return nil, err
		}
		wb, err := s.o.Books.Generate(c, s.workbookOf(r, d, sub.Records))
		if err != nil {
			return nil, err
		}
		return s.o.Books.WriteSummary(c, k, d.Department, wb, asOf(done))
	})
	if err != nil {
		return err
	}
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		first, err := tx.Once(ctx, "job/"+j.Key, s.now())
		if err != nil || !first {
			return err
		}
		run, err := tx.Consolidation(ctx, j.Consolidation)
		if err != nil {
			return err
		}
		sum, err := tx.PutBlob(ctx, summary)
		if err != nil {
			return err
		}
		run.State, run.Result, run.Summary, run.Done = "done", report, sum, &done
		if err := tx.UpdateConsolidation(ctx, run); err != nil {
			return err
		}
		if err := storeWorkbooks(ctx, tx, r.ID, books); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "consolidation.done", r.ID, "", fmt.Sprintf("consolidation %d", run.ID), nil,
			map[string]any{"submissions": len(subs), "left_out": leftOut, "summary": sum, "written_back": len(books) + len(sheets)})
	})
	if err != nil {
		return err
	}
	// The spreadsheets' Summary tabs, a job each: one department's
	// trouble with Google delays only its own. A run that crashed after
	// its commit queues them again when it runs again.
	for _, dept := range sheets {
		if _, err := s.o.Queue.Enqueue(ctx, Job{Kind: JobWriteSummary, Key: fmt.Sprintf("summary/%d/%s", j.Consolidation, dept),
			Round: r.ID, Department: dept, Consolidation: j.Consolidation}); err != nil {
			return err
		}
	}
	return nil
}

// remind sends reminders to departments of open rounds that have not
// submitted when the due date is within the lead time, once a day each.
func (s *Service) remind(ctx context.Context) error {
	rounds, err := s.o.Store.Rounds(ctx, "")
	if err != nil {
		return err
	}
	now := s.now()
	for _, r := range rounds {
		if r.State != RoundOpen || now.Before(r.Due.Add(-s.o.RemindLead)) {
			continue
		}
		c, err := s.cycle(ctx, s.o.Store, r.Cycle)
		if err != nil {
			return err
		}
		states, err := s.o.Store.DepartmentStates(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, d := range states {
			if d.Current != 0 && d.Status != SentBack || d.Reminded != nil && now.Sub(*d.Reminded) < 24*time.Hour {
				continue
			}
			dept, _ := c.Department(d.Department)
			err := s.o.Store.InTx(ctx, func(tx Tx) error {
				first, err := tx.Once(ctx, fmt.Sprintf("remind/%d/%s/%s", r.ID, d.Department, now.Format("2006-01-02")), now)
				if err != nil || !first {
					return err
				}
				cur, err := tx.DepartmentState(ctx, r.ID, d.Department)
				if err != nil {
					return err
				}
				cur.Reminded = &now
				if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
					return err
				}
				if err := s.o.Sender.Remind(ctx, Reminder{Round: r, Department: dept, Status: d.Status,
					Link: fmt.Sprintf("%s/api/v1/rounds/%d/departments/%s/workbook?%s", s.o.PublicURL, r.ID, d.Department,
						s.Link(r.ID, d.Department, now.Add(LinkTTL)))}); err != nil {
					return err
				}
				return s.audit(ctx, tx, System, "department.remind", r.ID, d.Department, "reminder", nil, map[string]any{"due": r.Due})
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// departmentBooks writes a round's departments that have an accepted plan:
// write makes the new workbook of each of an .xlsx round; a sheets round
// returns instead the departments whose spreadsheet exists, for a job each.
func (s *Service) departmentBooks(ctx context.Context, r Round, write func(DepartmentState) ([]byte, error)) (map[string][]byte, []string, error) {
	states, err := s.o.Store.DepartmentStates(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	books := map[string][]byte{}
	var sheets []string
	for _, d := range states {
		switch {
		case d.Current == 0:
		case r.Backend == BackendSheets:
			if d.Spreadsheet.ID != "" {
				sheets = append(sheets, d.Department)
			}
		default:
			if books[d.Department], err = write(d); err != nil {
				return nil, nil, err
			}
		}
	}
	return books, sheets, nil
}

// storeWorkbooks keeps the workbooks aop wrote for a round's departments
// as the ones their downloads serve.
func storeWorkbooks(ctx context.Context, tx Tx, round int64, books map[string][]byte) error {
	for dept, wb := range books {
		sum, err := tx.PutBlob(ctx, wb)
		if err != nil {
			return err
		}
		d, err := tx.DepartmentState(ctx, round, dept)
		if err != nil {
			return err
		}
		d.Workbook = sum
		if err := tx.UpdateDepartmentState(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
