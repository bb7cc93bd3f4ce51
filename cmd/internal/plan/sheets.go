package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"aop/engine"
	"aop/engine/review"
)

// Spreadsheets is the Google side of the service (the sheets driver over
// the templates, wired by cmd/aop): the department spreadsheets of sheets
// rounds. Options.Spreadsheets is nil when Google is not configured.
//
// Every method is one or a few requests, each retried by the driver while
// Google answers with a transient error; an error that remains fails the
// job, which the queue runs again later. No department fails for it.
type Spreadsheets interface {
	// Create makes a department's spreadsheet for a round, rendered from w
	// and shared with owner, in a file called name. resume says an
	// earlier attempt may have copied the file already: it is then found
	// by name and finished instead of copied again.
	Create(ctx context.Context, c *engine.Cycle, w Workbook, name, owner string, resume bool) (id, url string, err error)
	// SetLocked closes the spreadsheet's input cells (w.Locked) or opens
	// them again.
	SetLocked(ctx context.Context, c *engine.Cycle, w Workbook, id string) error
	// Check is the structure check: the spreadsheet's metadata and
	// protections are still what aop made for w. It returns the problems,
	// each naming its sheet.
	Check(ctx context.Context, c *engine.Cycle, w Workbook, id string) ([]string, error)
	// Fetch reads the values of the spreadsheet's harvested sheets in one
	// request and returns them as they came: the bytes a submission stores
	// and Books.Harvest parses.
	Fetch(ctx context.Context, c *engine.Cycle, w Workbook, id string) ([]byte, error)
	// WriteSummary writes the department's read-only Summary tab from a
	// consolidation: one request; create says the tab does not exist yet.
	WriteSummary(ctx context.Context, c *engine.Cycle, k *engine.Consolidation, dept, id, asOf string, create bool) error
	// FetchActuals reads the values of the department's Actuals vs Plan
	// tab in one request, as Fetch does: what was typed in it since it
	// was written (Closer.Explanations reads them).
	FetchActuals(ctx context.Context, id string) ([]byte, error)
	// WriteActuals writes the department's read-only Actuals vs Plan tab
	// from a close: one request, which makes the tab anew (the cells a
	// department may type in move from close to close); create says the
	// tab does not exist yet.
	WriteActuals(ctx context.Context, c *engine.Cycle, r *review.Report, dept, id, asOf string, create bool) error
}

// JobHarvestSheet harvests a department's spreadsheet (its Submit
// button), and JobWriteSummary writes a department's Summary tab after a
// consolidation of a sheets round.
const (
	JobHarvestSheet = "harvest_sheet"
	JobWriteSummary = "write_summary"
)

// SpreadsheetName is the deterministic name of a department's
// spreadsheet in a round: unique in the shared drive, so that a retried
// creation finds its own copy.
func SpreadsheetName(c *engine.Cycle, r Round, dept string) string {
	name := dept
	if d, ok := c.Department(dept); ok && d.Name != "" {
		name = d.Name
	}
	return fmt.Sprintf("%s · %s · round %d (%s) [aop %s]", c.ID, name, r.ID, r.Name, SheetID(r.ID, dept))
}

// sheetsRound refuses a round that does not run in Google Sheets.
func sheetsRound(r Round) error {
	if r.Backend != BackendSheets {
		return &Error{Kind: KindInvalid, Fields: map[string]string{"workbook": "required"},
			Message: fmt.Sprintf("round %d runs on .xlsx workbooks: send the workbook, base64-encoded, as \"workbook\"", r.ID)}
	}
	return nil
}

// SubmitSheet queues the harvest of a department's spreadsheet: the
// Submit button of a sheets round. It answers the job to poll; the
// submission appears when the job has read the spreadsheet. key makes a
// retried request queue one job.
func (s *Service) SubmitSheet(ctx context.Context, a Actor, round int64, dept, key string) (int64, error) {
	if err := can(a, dept, true); err != nil {
		return 0, err
	}
	r, err := s.o.Store.Round(ctx, round)
	if err != nil {
		return 0, err
	}
	if err := sheetsRound(r); err != nil {
		return 0, err
	}
	d, err := s.o.Store.DepartmentState(ctx, round, dept)
	if err != nil {
		return 0, err
	}
	if d.Spreadsheet.ID == "" {
		return 0, Errorf(KindConflict, "the spreadsheet of %s in round %d is not made yet; try again in a moment", dept, round)
	}
	if key == "" {
		key = strconv.FormatInt(s.now().UnixMicro(), 10)
	}
	return s.o.Queue.Enqueue(ctx, Job{Kind: JobHarvestSheet, Key: fmt.Sprintf("harvest/%d/%s/%s/%s", round, dept, a.Kind+":"+a.Name, key),
		Round: round, Department: dept, By: a.Kind + ":" + a.Name})
}

// ValidateSheet reads a department's spreadsheet and answers its findings
// without storing anything (the Validate button of a sheets round).
func (s *Service) ValidateSheet(ctx context.Context, a Actor, round int64, dept string) (Harvest, error) {
	r, c, d, err := s.readDepartment(ctx, a, round, dept)
	if err != nil {
		return Harvest{}, err
	}
	if err := sheetsRound(r); err != nil {
		return Harvest{}, err
	}
	if d.Spreadsheet.ID == "" {
		return Harvest{}, Errorf(KindConflict, "the spreadsheet of %s in round %d is not made yet; try again in a moment", dept, round)
	}
	data, err := s.sheets().Fetch(ctx, c, s.workbookOf(r, d, nil), d.Spreadsheet.ID)
	if err != nil {
		return Harvest{}, err
	}
	return s.Validate(ctx, a, round, dept, sheetFilename(r, dept), data)
}

func sheetFilename(r Round, dept string) string {
	return fmt.Sprintf("%s-round%d.sheets.json", dept, r.ID)
}

// sheets returns the Google side, which a sheets round needs.
func (s *Service) sheets() Spreadsheets {
	if s.o.Spreadsheets == nil {
		return noSpreadsheets{}
	}
	return s.o.Spreadsheets
}

// noSpreadsheets answers every call of a service without Google.
type noSpreadsheets struct{}

var errNoGoogle = Errorf(KindUnprocessable, "this service is not connected to Google Sheets (the google section of its configuration)")

func (noSpreadsheets) Create(context.Context, *engine.Cycle, Workbook, string, string, bool) (string, string, error) {
	return "", "", errNoGoogle
}
func (noSpreadsheets) SetLocked(context.Context, *engine.Cycle, Workbook, string) error {
	return errNoGoogle
}
func (noSpreadsheets) Check(context.Context, *engine.Cycle, Workbook, string) ([]string, error) {
	return nil, errNoGoogle
}
func (noSpreadsheets) Fetch(context.Context, *engine.Cycle, Workbook, string) ([]byte, error) {
	return nil, errNoGoogle
}
func (noSpreadsheets) FetchActuals(context.Context, string) ([]byte, error) {
	return nil, errNoGoogle
}
func (noSpreadsheets) WriteSummary(context.Context, *engine.Cycle, *engine.Consolidation, string, string, string, bool) error {
	return errNoGoogle
}
func (noSpreadsheets) WriteActuals(context.Context, *engine.Cycle, *review.Report, string, string, string, bool) error {
	return errNoGoogle
}

// writeSheet is the generate and write-back job of a sheets round: it
// creates the department's spreadsheet when it does not exist yet, and
// otherwise, for a write-back, applies the department's lock and writes
// the Summary tab of the round's latest consolidation.
func (s *Service) writeSheet(ctx context.Context, j Job, r Round, c *engine.Cycle) error {
	d, err := s.o.Store.DepartmentState(ctx, j.Round, j.Department)
	if err != nil {
		return err
	}
	if d.Spreadsheet.ID == "" {
		return s.createSheet(ctx, r, c, d)
	}
	if j.Kind != JobWriteBack {
		return nil
	}
	w := s.workbookOf(r, d, nil)
	if err := s.sheets().SetLocked(ctx, c, w, d.Spreadsheet.ID); err != nil {
		return err
	}
	if d.Current != 0 {
		if err := s.writeSummary(ctx, r, c, d); err != nil {
			return err
		}
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		first, err := tx.Once(ctx, "job/"+j.Key, s.now())
		if err != nil || !first {
			return err
		}
		return s.audit(ctx, tx, System, "spreadsheet.lock", r.ID, d.Department, "spreadsheet "+d.Spreadsheet.ID,
			nil, map[string]any{"locked": d.Locked, "spreadsheet": d.Spreadsheet.ID})
	})
}

// createSheet makes a department's spreadsheet. Its name is recorded
// first, so that a job that runs again after a crash (or after a lost
// answer) resumes the copy it made instead of making another.
func (s *Service) createSheet(ctx context.Context, r Round, c *engine.Cycle, d DepartmentState) error {
	name := SpreadsheetName(c, r, d.Department)
	resume := d.Spreadsheet.Name != ""
	if !resume {
		err := s.o.Store.InTx(ctx, func(tx Tx) error {
			cur, err := tx.DepartmentState(ctx, r.ID, d.Department)
			if err != nil {
				return err
			}
			resume = cur.Spreadsheet.Name != ""
			if cur.Spreadsheet.ID != "" || resume {
				return nil
			}
			cur.Spreadsheet.Name = name
			return tx.UpdateDepartmentState(ctx, cur)
		})
		if err != nil {
			return err
		}
	}
	dept, _ := c.Department(d.Department)
	id, url, err := s.sheets().Create(ctx, c, s.workbookOf(r, d, nil), name, dept.Owner, resume)
	if err != nil {
		return err
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DepartmentState(ctx, r.ID, d.Department)
		if err != nil || cur.Spreadsheet.ID != "" {
			return err
		}
		before := cur.Spreadsheet
		cur.Spreadsheet.Name, cur.Spreadsheet.ID, cur.Spreadsheet.URL = name, id, url
		if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "spreadsheet.create", r.ID, d.Department, "spreadsheet "+id, before,
			map[string]any{"id": id, "url": url, "name": name, "shared_with": dept.Owner, "resumed": resume})
	})
}

// harvestSheet is the job of a Submit button in a sheets round: the
// structure check when it has not passed yet this round, then one read of
// the values, stored as a submission before it is parsed, and the same
// processing as an upload. A structure that was tampered with refuses the
// submission, with findings naming the sheets.
func (s *Service) harvestSheet(ctx context.Context, j Job) error {
	r, c, err := s.roundCycle(ctx, j.Round)
	if err != nil {
		return err
	}
	if err := sheetsRound(r); err != nil {
		return err
	}
	d, err := s.o.Store.DepartmentState(ctx, j.Round, j.Department)
	if err != nil {
		return err
	}
	if d.Spreadsheet.ID == "" {
		return fmt.Errorf("the spreadsheet of %s in round %d is not made yet", j.Department, j.Round)
	}
	w := s.workbookOf(r, d, nil)
	var refusal *Harvest
	if !d.Spreadsheet.Checked && !d.Locked && r.State == RoundOpen {
		problems, err := s.sheets().Check(ctx, c, w, d.Spreadsheet.ID)
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			if err := s.markChecked(ctx, r.ID, d.Department); err != nil {
				return err
			}
		} else {
			h := Harvest{Refused: true, Problem: "changed_structure"}
			for _, p := range problems {
				h.Findings = append(h.Findings, engine.Finding{Level: engine.Error,
					Message: p + "; only aop may change the spreadsheet's protections: ask finance to look into it"})
			}
			refusal = &h
		}
	}
	data, err := s.sheets().Fetch(ctx, c, w, d.Spreadsheet.ID)
	if err != nil {
		return err
	}
	kind, name, _ := cutActor(j.By)
	a := Actor{Kind: kind, Name: name, Role: DepartmentRole, Department: j.Department}
	sub, err := s.Receive(ctx, a, Upload{Round: r.ID, Department: j.Department, Filename: sheetFilename(r, j.Department),
		Data: data, Source: "harvest", Key: "job/" + j.Key})
	if err != nil {
		return err
	}
	_, err = s.processWith(ctx, sub.ID, refusal)
	return err
}

// cutActor splits a job's By ("kind:name") into an actor's kind and name.
func cutActor(by string) (kind, name string, ok bool) {
	if kind, name, ok = strings.Cut(by, ":"); !ok {
		return System.Kind, System.Name, false
	}
	return kind, name, true
}

func (s *Service) markChecked(ctx context.Context, round int64, dept string) error {
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DepartmentState(ctx, round, dept)
		if err != nil || cur.Spreadsheet.Checked {
			return err
		}
		cur.Spreadsheet.Checked = true
		if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
			return err
		}
		return s.audit(ctx, tx, System, "spreadsheet.check", round, dept, "spreadsheet "+cur.Spreadsheet.ID, nil,
			map[string]any{"problems": 0})
	})
}

// writeSummaryJob writes a department's Summary tab after a consolidation
// of a sheets round.
func (s *Service) writeSummaryJob(ctx context.Context, j Job) error {
	r, c, err := s.roundCycle(ctx, j.Round)
	if err != nil {
		return err
	}
	d, err := s.o.Store.DepartmentState(ctx, j.Round, j.Department)
	if err != nil || d.Spreadsheet.ID == "" || d.Current == 0 {
		return err
	}
	return s.writeSummary(ctx, r, c, d)
}

// writeSummary writes the Summary tab of the round's latest finished
// consolidation into a department's spreadsheet (nothing before the
// first), creating it the first time.
func (s *Service) writeSummary(ctx context.Context, r Round, c *engine.Cycle, d DepartmentState) error {
	k, when, ok, err := s.latestConsolidation(ctx, c, r.ID)
	if err != nil || !ok {
		return err
	}
	create := !d.Spreadsheet.Summary
	if err := s.sheets().WriteSummary(ctx, c, k, d.Department, d.Spreadsheet.ID, when, create); err != nil {
		return err
	}
	return s.o.Store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DepartmentState(ctx, r.ID, d.Department)
		if err != nil {
			return err
		}
		if !cur.Spreadsheet.Summary {
			cur.Spreadsheet.Summary = true
			if err := tx.UpdateDepartmentState(ctx, cur); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, System, "spreadsheet.summary", r.ID, d.Department, "spreadsheet "+d.Spreadsheet.ID, nil,
			map[string]any{"as_of": when, "created": create})
	})
}
