package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"aop/engine"
)

// LoadCycle stores a cycle file after checking that it parses; loading a
// cycle with the id of a stored one replaces it.
func (s *Service) LoadCycle(ctx context.Context, a Actor, name string, data []byte) (Cycle, error) {
	if err := financeOnly(a, true); err != nil {
		return Cycle{}, err
	}
	c, err := s.o.ParseCycle(name, data)
	if err != nil {
		return Cycle{}, &Error{Kind: KindUnprocessable, Message: err.Error()}
	}
	rec := Cycle{ID: c.ID, Name: name, Source: data, LoadedAt: s.now(), LoadedBy: a.Name}
	err = s.o.Store.InTx(ctx, func(tx Tx) error {
		var before any
		if old, err := tx.Cycle(ctx, c.ID); err == nil {
			before = old
		}
		if err := tx.PutCycle(ctx, rec); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "cycle.load", 0, "", "cycle "+c.ID, before, rec)
	})
	if err != nil {
		return Cycle{}, err
	}
	s.remember(rec, c)
	return rec, nil
}

// Cycles lists the loaded cycles.
func (s *Service) Cycles(ctx context.Context, a Actor) ([]Cycle, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, err
	}
	return s.o.Store.Cycles(ctx)
}

// cacheKey names a cycle as loaded: loading it again gives a new key.
func cacheKey(rec Cycle) string { return rec.ID + "@" + rec.LoadedAt.Format(time.RFC3339Nano) }

func (s *Service) remember(rec Cycle, c *engine.Cycle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cycles[cacheKey(rec)] = c
}

// cycle returns a stored cycle, parsed once per load: only a cycle not
// parsed yet has its file read from the store.
func (s *Service) cycle(ctx context.Context, tx Tx, id string) (*engine.Cycle, error) {
	recs, err := tx.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(recs, func(r Cycle) bool { return r.ID == id })
	if i < 0 {
		return nil, NotFound("cycle", id)
	}
	s.mu.Lock()
	c, ok := s.cycles[cacheKey(recs[i])]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	rec, err := tx.Cycle(ctx, id)
	if err != nil {
		return nil, err
	}
	if c, err = s.o.ParseCycle(rec.Name, rec.Source); err != nil {
		return nil, fmt.Errorf("stored cycle %s no longer parses: %w", id, err)
	}
	s.remember(rec, c)
	return c, nil
}

// OpenRound is what finance gives to open a round.
type OpenRound struct {
	Cycle string `json:"cycle"`
	Name  string `json:"name"`
	// Departments asked to submit; empty means every department that fills
	// a workbook (the leaves of the hierarchy).
	Departments []string  `json:"departments"`
	Due         time.Time `json:"due"`
	// Backend is xlsx (the default) or sheets: each department gets a
	// Google spreadsheet, which needs the service connected to Google.
	Backend Backend `json:"backend,omitempty"`
}

// OpenRound opens a collection round and queues the generation of each
// department's workbook.
func (s *Service) OpenRound(ctx context.Context, a Actor, o OpenRound) (Round, error) {
	if err := financeOnly(a, true); err != nil {
		return Round{}, err
	}
	fields := map[string]string{}
	if strings.TrimSpace(o.Name) == "" {
		fields["name"] = "required"
	}
	if o.Due.IsZero() {
		fields["due"] = "required (RFC 3339, e.g. 2026-12-15T17:00:00Z)"
	} else if !o.Due.After(s.now()) {
		fields["due"] = "must be in the future"
	}
	if o.Cycle == "" {
		fields["cycle"] = "required"
	}
	switch o.Backend {
	case "":
		o.Backend = BackendXLSX
	case BackendXLSX, BackendSheets:
	default:
		fields["backend"] = "xlsx or sheets"
	}
	if len(fields) > 0 {
		return Round{}, &Error{Kind: KindInvalid, Message: "the round is incomplete", Fields: fields}
	}
	if o.Backend == BackendSheets && s.o.Spreadsheets == nil {
		return Round{}, &Error{Kind: KindUnprocessable, Fields: map[string]string{"backend": "Google is not configured"},
			Message: "this service is not connected to Google Sheets, so a round cannot run there: configure the google section " +
				"(credentials_file, shared_drive, template) and restart, or open the round with backend xlsx"}
	}
	var r Round
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		c, err := s.cycle(ctx, tx, o.Cycle)
		if err != nil {
			return err
		}
		depts := o.Departments
		if len(depts) == 0 {
			for _, d := range c.Leaves() {
				depts = append(depts, d.ID)
			}
		}
		seen := map[string]bool{}
		for _, d := range depts {
			if _, ok := c.Department(d); !ok || !c.IsLeaf(d) {
				return &Error{Kind: KindInvalid, Message: fmt.Sprintf("department %q is not a department of cycle %s that fills a workbook", d, c.ID),
					Fields: map[string]string{"departments": d}}
			}
			if seen[d] {
				return &Error{Kind: KindInvalid, Message: fmt.Sprintf("department %q is listed twice", d), Fields: map[string]string{"departments": d}}
			}
			seen[d] = true
		}
		r = Round{Cycle: c.ID, Name: o.Name, Departments: slices.Clone(depts), Due: o.Due.UTC().Truncate(time.Microsecond), State: RoundOpen, OpenedAt: s.now(),
			Backend: o.Backend}
		if err := tx.CreateRound(ctx, &r); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "round.open", r.ID, "", fmt.Sprintf("round %d", r.ID), nil, r)
	})
	if err != nil {
		return Round{}, err
	}
	for _, d := range r.Departments {
		if _, err := s.o.Queue.Enqueue(ctx, generateJob(r.ID, d)); err != nil {
			return r, err
		}
	}
	return r, nil
}

// Rounds lists rounds, newest first; a department token sees the rounds
// its department is in.
func (s *Service) Rounds(ctx context.Context, a Actor) ([]Round, error) {
	if a.Role == "" {
		return nil, Errorf(KindUnauthorized, "no valid credentials")
	}
	rs, err := s.o.Store.Rounds(ctx, "")
	if err != nil || a.Role != DepartmentRole {
		return rs, err
	}
	return slices.DeleteFunc(rs, func(r Round) bool { return !slices.Contains(r.Departments, a.Department) }), nil
}

// RoundStatus is where every department of a round stands.
type RoundStatus struct {
	Round       Round             `json:"round"`
	Departments []DepartmentState `json:"departments"`
	// Late lists departments without an accepted submission after the due
	// date.
	Late   []string       `json:"late"`
	Counts map[Status]int `json:"counts"`
	// Spreadsheets counts the departments of a sheets round whose
	// spreadsheet exists: the progress of opening it.
	Spreadsheets int `json:"spreadsheets,omitempty"`
}

// RoundStatus returns a round's status per department.
func (s *Service) RoundStatus(ctx context.Context, a Actor, id int64) (RoundStatus, error) {
	r, err := s.o.Store.Round(ctx, id)
	if err != nil {
		return RoundStatus{}, err
	}
	if a.Role == DepartmentRole {
		if !slices.Contains(r.Departments, a.Department) {
			return RoundStatus{}, Errorf(KindForbidden, "department %s is not in round %d", a.Department, id)
		}
	} else if err := financeOnly(a, false); err != nil {
		return RoundStatus{}, err
	}
	states, err := s.o.Store.DepartmentStates(ctx, id)
	if err != nil {
		return RoundStatus{}, err
	}
	if a.Role == DepartmentRole {
		states = slices.DeleteFunc(states, func(d DepartmentState) bool { return d.Department != a.Department })
	}
	st := RoundStatus{Round: r, Departments: states, Counts: map[Status]int{}, Late: []string{}}
	now := s.now()
	for _, d := range states {
		st.Counts[d.Status]++
		if d.Spreadsheet.ID != "" {
			st.Spreadsheets++
		}
		if now.After(r.Due) && d.Current == 0 {
			st.Late = append(st.Late, d.Department)
		}
	}
	return st, nil
}

// CloseRound stops a round taking submissions and locks every department.
func (s *Service) CloseRound(ctx context.Context, a Actor, id int64) (Round, error) {
	return s.setRound(ctx, a, id, RoundClosed)
}

// ReopenRound opens a closed round again; departments not approved are
// unlocked.
func (s *Service) ReopenRound(ctx context.Context, a Actor, id int64) (Round, error) {
	return s.setRound(ctx, a, id, RoundOpen)
}

func (s *Service) setRound(ctx context.Context, a Actor, id int64, state RoundState) (Round, error) {
	if err := financeOnly(a, true); err != nil {
		return Round{}, err
	}
	var r Round
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		var err error
		if r, err = tx.Round(ctx, id); err != nil {
			return err
		}
		if r.State == state {
			return Errorf(KindConflict, "round %d is already %s", id, state)
		}
		before := r
		r.State = state
		r.ClosedAt = nil
		if state == RoundClosed {
			now := s.now()
			r.ClosedAt = &now
		}
		if err := tx.UpdateRound(ctx, r); err != nil {
			return err
		}
		states, err := tx.DepartmentStates(ctx, id)
		if err != nil {
			return err
		}
		for _, d := range states {
			locked := state == RoundClosed || d.Status == Approved
			if d.Locked == locked {
				continue
			}
			d.Locked, d.UpdatedAt = locked, s.now()
			if err := tx.UpdateDepartmentState(ctx, d); err != nil {
				return err
			}
		}
		action := "round.close"
		if state == RoundOpen {
			action = "round.reopen"
		}
		return s.audit(ctx, tx, a, action, id, "", fmt.Sprintf("round %d", id), before, r)
	})
	return r, err
}

// openRound returns a round that takes submissions from dept.
func openRound(ctx context.Context, tx Tx, id int64, dept string) (Round, DepartmentState, error) {
	r, err := tx.Round(ctx, id)
	if err != nil {
		return Round{}, DepartmentState{}, err
	}
	if !slices.Contains(r.Departments, dept) {
		return Round{}, DepartmentState{}, Errorf(KindNotFound, "department %s is not in round %d", dept, id)
	}
	d, err := tx.DepartmentState(ctx, id, dept)
	if err != nil {
		return Round{}, DepartmentState{}, err
	}
	return r, d, nil
}
