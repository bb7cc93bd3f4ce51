package plan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"aop/engine"
)

// Upload is a workbook a department sends.
type Upload struct {
	Round      int64
	Department string
	Filename   string
	Data       []byte
	// Source is upload, webhook or harvest.
	Source string
	// Key makes a retried request store the workbook once (the
	// Idempotency-Key header); empty means every call is new.
	Key string
}

// Submit stores a workbook before anything else and then harvests it: the
// result says whether it was accepted and lists the findings by cell. A
// rejected workbook is kept too, and never replaces an accepted one.
func (s *Service) Submit(ctx context.Context, a Actor, u Upload) (Submission, error) {
	sub, err := s.Receive(ctx, a, u)
	if err != nil {
		return Submission{}, err
	}
	return s.process(ctx, sub.ID)
}

// Receive stores a workbook as a Received submission without parsing it
// (the webhook's submit, which a job then processes).
func (s *Service) Receive(ctx context.Context, a Actor, u Upload) (Submission, error) {
	if err := can(a, u.Department, true); err != nil {
		return Submission{}, err
	}
	if len(u.Data) == 0 {
		return Submission{}, &Error{Kind: KindInvalid, Message: "the request holds no workbook; send the .xlsx file as the body", Fields: map[string]string{"body": "empty"}}
	}
	key := u.Key
	if key == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Submission{}, err
		}
		key = hex.EncodeToString(b[:])
	} else {
		key = fmt.Sprintf("%s/%d/%s/%s", a.Kind+":"+a.Name, u.Round, u.Department, key)
	}
	sub := Submission{Round: u.Round, Department: u.Department, Key: key, Filename: u.Filename, Size: int64(len(u.Data)),
		Source: u.Source, State: Received, By: a.Kind + ":" + a.Name, At: s.now()}
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		if _, _, err := openRound(ctx, tx, u.Round, u.Department); err != nil {
			return err
		}
		sum, err := tx.PutBlob(ctx, u.Data)
		if err != nil {
			return err
		}
		sub.ID, sub.Blob = 0, sum
		fresh, err := tx.AddSubmission(ctx, &sub)
		if err != nil || !fresh {
			return err
		}
		return s.audit(ctx, tx, a, "submission.receive", u.Round, u.Department, fmt.Sprintf("submission %d", sub.ID), nil,
			map[string]any{"blob": sum, "filename": u.Filename, "size": len(u.Data), "source": u.Source})
	})
	return sub, err
}

// process harvests a Received submission and records the outcome; a
// submission already processed is returned as it is.
func (s *Service) process(ctx context.Context, id int64) (Submission, error) {
	return s.processWith(ctx, id, nil)
}

// processWith is process with, when refusal is set, the verdict already
// known (a spreadsheet whose structure check failed) instead of a harvest.
func (s *Service) processWith(ctx context.Context, id int64, refusal *Harvest) (Submission, error) {
	sub, err := s.o.Store.Submission(ctx, id)
	if err != nil || sub.State != Received {
		return sub, err
	}
	_, c, err := s.roundCycle(ctx, sub.Round)
	if err != nil {
		return sub, err
	}
	data, err := s.o.Store.Blob(ctx, sub.Blob)
	if err != nil {
		return sub, err
	}
	var h Harvest
	if refusal != nil {
		h = *refusal
	} else {
		h = s.o.Books.Harvest(ctx, c, sub.Filename, data, sub.Department, strconv.FormatInt(sub.Round, 10))
	}
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.Submission(ctx, id)
		if err != nil || cur.State != Received {
			sub = cur
			return err
		}
		sub = cur
		round, d, err := openRound(ctx, tx, sub.Round, sub.Department)
		if err != nil {
			return err
		}
		sub.Findings, sub.Records = h.Findings, h.Records
		sub.Errors, sub.Warnings = engine.CountLevel(h.Findings, engine.Error), engine.CountLevel(h.Findings, engine.Warning)
		kept := 0
		if !h.Refused {
			sub.Explained = said(h.Explanations)
			if kept, err = keepExplanations(ctx, tx, c.ID, h.Explanations, sub.Blob, sub.By, s.now()); err != nil {
				return err
			}
		}
		// A locked plan sent back unchanged with explanations (the
		// workbook of the monthly close) is taken for what it says.
		explainedOnly := false
		if d.Locked && round.State != RoundClosed && sub.Explained > 0 && sub.Errors == 0 {
			if explainedOnly, err = unchanged(ctx, tx, d, h.Records); err != nil {
				return err
			}
		}
		switch {
		case round.State == RoundClosed:
			sub.State, sub.Problem = Rejected, "round_closed"
			sub.Findings = append([]engine.Finding{{Level: engine.Error, Message: fmt.Sprintf(
				"round %d (%s) is closed and takes no submissions; ask finance to reopen it%s", round.ID, round.Name, keptNote(sub.Explained))}}, sub.Findings...)
		case explainedOnly:
			sub.State = Accepted
			if sub.Plan, err = json.Marshal(h.Submission); err != nil {
				return err
			}
		case d.Locked:
			sub.State, sub.Problem = Rejected, "locked"
			sub.Findings = append([]engine.Finding{{Level: engine.Error, Message: fmt.Sprintf(
				"department %s is %s and locked in round %d; ask finance to reopen it before sending changes%s", d.Department, d.Status, round.ID, keptNote(sub.Explained))}}, sub.Findings...)
		case h.Refused:
			sub.State, sub.Problem = Rejected, h.Problem
		case sub.Errors > 0:
			sub.State = Rejected
		default:
			sub.State = Accepted
			if sub.Plan, err = json.Marshal(h.Submission); err != nil {
				return err
			}
		}
		sub.Errors = engine.CountLevel(sub.Findings, engine.Error)
		if err := tx.UpdateSubmission(ctx, sub); err != nil {
			return err
		}
		before := d
		var changes []Change
		switch {
		case explainedOnly:
			// The approved plan stays current and approved: this one
			// said the same of it.
		case sub.State == Accepted && d.Current > sub.ID:
			// A newer submission was accepted first (they were processed
			// out of order): it stays current, this one is kept.
		case sub.State == Accepted:
			if d.Current != 0 {
				prev, err := tx.Submission(ctx, d.Current)
				if err != nil {
					return err
				}
				changes = diffRecords(prev.Records, sub.Records)
			} else {
				changes = diffRecords(nil, sub.Records)
			}
			d.Current, d.Status, d.Comment = sub.ID, Submitted, ""
		case d.Status == NotStarted:
			d.Status = InProgress
		}
		if d != before {
			d.UpdatedAt = s.now()
			if err := tx.UpdateDepartmentState(ctx, d); err != nil {
				return err
			}
		}
		action := "submission.reject"
		after := map[string]any{"submission": sub.ID, "state": sub.State, "errors": sub.Errors, "warnings": sub.Warnings, "status": d.Status,
			"explained": sub.Explained, "explanations_kept": kept}
		if sub.State == Accepted {
			action = "submission.accept"
			after["changes"] = capChanges(changes)
			after["changed"] = len(changes)
		}
		return s.audit(ctx, tx, System, action, sub.Round, sub.Department, fmt.Sprintf("submission %d", sub.ID),
			map[string]any{"current": before.Current, "status": before.Status}, after)
	})
	if err == nil && s.o.Processed != nil && sub.State != Received {
		s.o.Processed(sub.State)
	}
	return sub, err
}

// unchanged reports whether a workbook's records are those of the
// department's current plan.
func unchanged(ctx context.Context, tx Tx, d DepartmentState, records []engine.Fact) (bool, error) {
	if d.Current == 0 {
		return false, nil
	}
	cur, err := tx.Submission(ctx, d.Current)
	if err != nil {
		return false, err
	}
	return len(diffRecords(cur.Records, records)) == 0, nil
}

// keptNote tells a department whose plan was not taken that its
// explanations were.
func keptNote(explained int) string {
	switch explained {
	case 0:
		return ""
	case 1:
		return " (the explanation on the Actuals vs Plan tab is kept)"
	}
	return fmt.Sprintf(" (the %d explanations on the Actuals vs Plan tab are kept)", explained)
}

// Validate harvests a workbook without storing it as a submission: the
// findings a department head sees before submitting.
func (s *Service) Validate(ctx context.Context, a Actor, round int64, dept, name string, data []byte) (Harvest, error) {
	if err := can(a, dept, false); err != nil {
		return Harvest{}, err
	}
	var c *engine.Cycle
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		r, d, err := openRound(ctx, tx, round, dept)
		if err != nil {
			return err
		}
		if c, err = s.cycle(ctx, tx, r.Cycle); err != nil {
			return err
		}
		if d.Status == NotStarted && a.Role == DepartmentRole {
			d.Status, d.UpdatedAt = InProgress, s.now()
			return tx.UpdateDepartmentState(ctx, d)
		}
		return nil
	})
	if err != nil {
		return Harvest{}, err
	}
	h := s.o.Books.Harvest(ctx, c, name, data, dept, strconv.FormatInt(round, 10))
	h.Submission = nil
	return h, nil
}

// Review is finance's word on a department's current submission.
type Review struct {
	Round      int64
	Department string
	Comment    string
}

// Approve accepts a department's current submission and locks the
// department: its next workbook is locked and later submissions are
// refused until finance reopens it.
func (s *Service) Approve(ctx context.Context, a Actor, rv Review) (DepartmentState, error) {
	return s.review(ctx, a, rv, "approve")
}

// SendBack asks a department for changes, with the reviewer's comment.
func (s *Service) SendBack(ctx context.Context, a Actor, rv Review) (DepartmentState, error) {
	if rv.Comment == "" {
		return DepartmentState{}, &Error{Kind: KindInvalid, Message: "say what to change: a comment is required when sending back",
			Fields: map[string]string{"comment": "required"}}
	}
	return s.review(ctx, a, rv, "send_back")
}

// Reopen unlocks an approved or locked department so it may submit again.
func (s *Service) Reopen(ctx context.Context, a Actor, rv Review) (DepartmentState, error) {
	return s.review(ctx, a, rv, "reopen")
}

func (s *Service) review(ctx context.Context, a Actor, rv Review, action string) (DepartmentState, error) {
	if err := financeOnly(a, true); err != nil {
		return DepartmentState{}, err
	}
	var d DepartmentState
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		r, cur, err := openRound(ctx, tx, rv.Round, rv.Department)
		if err != nil {
			return err
		}
		d = cur
		switch action {
		case "approve", "send_back":
			if r.State == RoundClosed {
				return Errorf(KindConflict, "round %d is closed; reopen it first", r.ID)
			}
			if d.Status != Submitted {
				return Errorf(KindConflict, "department %s has status %s; only a submitted plan can be reviewed", d.Department, d.Status)
			}
			if action == "approve" {
				d.Status, d.Locked = Approved, true
			} else {
				d.Status = SentBack
			}
		case "reopen":
			if !d.Locked && d.Status != Approved {
				return Errorf(KindConflict, "department %s is not approved or locked", d.Department)
			}
			if r.State == RoundClosed {
				return Errorf(KindConflict, "round %d is closed; reopen the round first", r.ID)
			}
			d.Status, d.Locked = InProgress, false
		}
		d.Comment, d.UpdatedAt = rv.Comment, s.now()
		if err := tx.UpdateDepartmentState(ctx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "department."+action, r.ID, d.Department, "department "+d.Department, cur, d)
	})
	if err != nil {
		return d, err
	}
	_, err = s.o.Queue.Enqueue(ctx, Job{Kind: JobWriteBack, Key: fmt.Sprintf("write/%d/%s/%s/%d", d.Round, d.Department, action, d.UpdatedAt.UnixMicro()),
		Round: d.Round, Department: d.Department})
	return d, err
}

// Submissions lists a department's submissions in a round, newest first.
func (s *Service) Submissions(ctx context.Context, a Actor, round int64, dept string) ([]Submission, error) {
	if err := can(a, dept, false); err != nil {
		return nil, err
	}
	return s.o.Store.Submissions(ctx, round, dept)
}

// Submission returns one submission with the values it holds.
func (s *Service) Submission(ctx context.Context, a Actor, id int64) (Submission, error) {
	sub, err := s.o.Store.Submission(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	if err := can(a, sub.Department, false); err != nil {
		return Submission{}, err
	}
	return sub, nil
}

// Change is one input cell that differs between two submissions.
type Change struct {
	Sheet   string        `json:"sheet"`
	Cell    string        `json:"cell"`
	Kind    string        `json:"kind"`
	Field   string        `json:"field,omitempty"`
	Account string        `json:"account,omitempty"`
	Period  engine.Period `json:"period,omitempty"`
	Before  *string       `json:"before"`
	After   *string       `json:"after"`
}

// Diff lists, value by value, what changed from submission from to
// submission to (of the same department).
func (s *Service) Diff(ctx context.Context, a Actor, from, to int64) ([]Change, error) {
	x, err := s.Submission(ctx, a, from)
	if err != nil {
		return nil, err
	}
	y, err := s.Submission(ctx, a, to)
	if err != nil {
		return nil, err
	}
	if x.Department != y.Department {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("submissions %d and %d are of different departments", from, to)}
	}
	return diffRecords(x.Records, y.Records), nil
}

func diffRecords(from, to []engine.Fact) []Change {
	type at struct{ sheet, cell string }
	old := make(map[at]engine.Fact, len(from))
	for _, f := range from {
		old[at{f.Sheet, f.Cell}] = f
	}
	var out []Change
	for _, f := range to {
		k := at{f.Sheet, f.Cell}
		o, had := old[k]
		delete(old, k)
		if had && o.Value == f.Value {
			continue
		}
		c := Change{Sheet: f.Sheet, Cell: f.Cell, Kind: f.Kind, Field: f.Field, Account: f.Account, Period: f.Period, After: &f.Value}
		if had {
			c.Before = &o.Value
		}
		out = append(out, c)
	}
	for _, f := range from { // cleared cells, in their order
		if o, gone := old[at{f.Sheet, f.Cell}]; gone {
			out = append(out, Change{Sheet: o.Sheet, Cell: o.Cell, Kind: o.Kind, Field: o.Field, Account: o.Account, Period: o.Period, Before: &o.Value})
		}
	}
	return out
}

// maxAuditChanges bounds the changes an audit entry lists (the count is
// always there; Diff gives them all).
const maxAuditChanges = 500

func capChanges(cs []Change) []Change {
	if len(cs) > maxAuditChanges {
		return cs[:maxAuditChanges]
	}
	return cs
}

// Revert makes an earlier accepted submission the department's current one.
func (s *Service) Revert(ctx context.Context, a Actor, id int64) (DepartmentState, error) {
	if err := financeOnly(a, true); err != nil {
		return DepartmentState{}, err
	}
	var d DepartmentState
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		sub, err := tx.Submission(ctx, id)
		if err != nil {
			return err
		}
		if sub.State != Accepted {
			return Errorf(KindConflict, "submission %d was %s; only an accepted submission can become current", id, sub.State)
		}
		_, cur, err := openRound(ctx, tx, sub.Round, sub.Department)
		if err != nil {
			return err
		}
		if cur.Current == id {
			return Errorf(KindConflict, "submission %d is already current", id)
		}
		if cur.Locked {
			return Errorf(KindConflict, "department %s is locked; reopen it first", cur.Department)
		}
		var changes []Change
		if cur.Current != 0 {
			prev, err := tx.Submission(ctx, cur.Current)
			if err != nil {
				return err
			}
			changes = diffRecords(prev.Records, sub.Records)
		}
		d = cur
		d.Current, d.Status, d.UpdatedAt = id, Submitted, s.now()
		if err := tx.UpdateDepartmentState(ctx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "submission.revert", d.Round, d.Department, fmt.Sprintf("submission %d", id),
			map[string]any{"current": cur.Current, "status": cur.Status},
			map[string]any{"current": id, "status": d.Status, "changed": len(changes), "changes": capChanges(changes)})
	})
	return d, err
}

// Download returns a department's workbook as aop last wrote it.
func (s *Service) Download(ctx context.Context, a Actor, round int64, dept string) ([]byte, string, error) {
	if err := can(a, dept, false); err != nil {
		return nil, "", err
	}
	d, err := s.o.Store.DepartmentState(ctx, round, dept)
	if err != nil {
		return nil, "", err
	}
	if d.Workbook == "" && d.Spreadsheet.URL != "" {
		return nil, "", Errorf(KindNotFound, "round %d runs in Google Sheets: the plan of %s is at %s", round, dept, d.Spreadsheet.URL)
	}
	if d.Workbook == "" {
		return nil, "", Errorf(KindNotFound, "the workbook of %s in round %d is not written yet; try again in a moment", dept, round)
	}
	data, err := s.o.Store.Blob(ctx, d.Workbook)
	if err != nil {
		return nil, "", err
	}
	if a.Role == DepartmentRole && d.Status == NotStarted {
		_ = s.o.Store.InTx(ctx, func(tx Tx) error {
			cur, err := tx.DepartmentState(ctx, round, dept)
			if err != nil || cur.Status != NotStarted {
				return err
			}
			cur.Status, cur.UpdatedAt = InProgress, s.now()
			return tx.UpdateDepartmentState(ctx, cur)
		})
	}
	return data, fmt.Sprintf("%s-round%d.xlsx", dept, round), nil
}
