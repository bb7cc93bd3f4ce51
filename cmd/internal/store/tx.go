package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"aop/cmd/internal/plan"
)

// tx is plan.Tx on one transaction of either database.
type tx struct {
	c conn
	// forUpdate ends the queries for rows a use case may go on to change:
	// " FOR NO KEY UPDATE" in InTx on PostgreSQL, "" otherwise.
	forUpdate string
}

var _ plan.Tx = (*tx)(nil)

// PutBlob stores data under its SHA-256, unless it is stored already.
func (t *tx) PutBlob(ctx context.Context, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	// Look first, so that bytes already stored are not sent again.
	found, err := t.row(ctx, `SELECT 1 FROM blobs WHERE sum = ?`, []any{sum}, func(r rows) error {
		var one int
		return r.Scan(&one)
	})
	if err != nil || found {
		return sum, err
	}
	if data == nil {
		data = []byte{}
	}
	_, err = t.c.exec(ctx, `INSERT INTO blobs (sum, size, data) VALUES (?, ?, ?) ON CONFLICT (sum) DO NOTHING`,
		sum, int64(len(data)), data)
	return sum, err
}

// Blob returns the bytes stored under sum.
func (t *tx) Blob(ctx context.Context, sum string) ([]byte, error) {
	var data []byte
	found, err := t.row(ctx, `SELECT data FROM blobs WHERE sum = ?`, []any{sum}, func(r rows) error {
		return r.Scan(&data)
	})
	if err == nil && !found {
		err = plan.NotFound("blob", sum)
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// PutCycle stores c, replacing the cycle with its id.
func (t *tx) PutCycle(ctx context.Context, c plan.Cycle) error {
	src := c.Source
	if src == nil {
		src = []byte{}
	}
	_, err := t.c.exec(ctx, `INSERT INTO cycles (id, name, source, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source,
			loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by`,
		c.ID, c.Name, src, c.LoadedAt, c.LoadedBy)
	return err
}

// Cycle returns a cycle with its source.
func (t *tx) Cycle(ctx context.Context, id string) (plan.Cycle, error) {
	var c plan.Cycle
	found, err := t.row(ctx, `SELECT id, name, source, loaded_at, loaded_by FROM cycles WHERE id = ?`+t.forUpdate,
		[]any{id}, func(r rows) error {
			return r.Scan(&c.ID, &c.Name, &c.Source, timeIn{&c.LoadedAt}, &c.LoadedBy)
		})
	if err == nil && !found {
		err = plan.NotFound("cycle", id)
	}
	return c, err
}

// Cycles lists the cycles by id, without their sources.
func (t *tx) Cycles(ctx context.Context) ([]plan.Cycle, error) {
	return list(ctx, t, `SELECT id, name, loaded_at, loaded_by FROM cycles ORDER BY id`, nil, func(r rows, c *plan.Cycle) error {
		return r.Scan(&c.ID, &c.Name, timeIn{&c.LoadedAt}, &c.LoadedBy)
	})
}

const roundColumns = `id, cycle, name, departments, due, state, opened_at, closed_at, backend`

func scanRound(r rows, rd *plan.Round) error {
	var depts []byte
	if err := r.Scan(&rd.ID, &rd.Cycle, &rd.Name, &depts, timeIn{&rd.Due}, &rd.State, timeIn{&rd.OpenedAt},
		nullTimeIn{&rd.ClosedAt}, &rd.Backend); err != nil {
		return err
	}
	return unmarshal(depts, &rd.Departments, "departments of round", rd.ID)
}

// CreateRound stores r, sets its ID and gives each department a
// NotStarted state, in the order of r.Departments.
func (t *tx) CreateRound(ctx context.Context, r *plan.Round) error {
	depts, err := json.Marshal(r.Departments)
	if err != nil {
		return err
	}
	if r.Backend == "" {
		r.Backend = plan.BackendXLSX
	}
	_, err = t.row(ctx, `INSERT INTO rounds (cycle, name, departments, due, state, opened_at, closed_at, backend)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{r.Cycle, r.Name, string(depts), r.Due, string(r.State), r.OpenedAt, nullTime(r.ClosedAt), string(r.Backend)},
		func(row rows) error { return row.Scan(&r.ID) })
	if err != nil {
		return err
	}
	for i, d := range r.Departments {
		_, err := t.c.exec(ctx, `INSERT INTO department_states (round, department, position, status, locked, comment, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?)`, r.ID, d, i, string(plan.NotStarted), false, r.OpenedAt)
		if err != nil {
			return err
		}
	}
	return nil
}

// Round returns a round.
func (t *tx) Round(ctx context.Context, id int64) (plan.Round, error) {
	var rd plan.Round
	found, err := t.row(ctx, `SELECT `+roundColumns+` FROM rounds WHERE id = ?`+t.forUpdate, []any{id},
		func(r rows) error { return scanRound(r, &rd) })
	if err == nil && !found {
		err = plan.NotFound("round", id)
	}
	return rd, err
}

// Rounds lists the rounds of a cycle ("" for all), newest first.
func (t *tx) Rounds(ctx context.Context, cycle string) ([]plan.Round, error) {
	q, args := `SELECT `+roundColumns+` FROM rounds`, []any{}
	if cycle != "" {
		q, args = q+` WHERE cycle = ?`, append(args, cycle)
	}
	return list(ctx, t, q+` ORDER BY id DESC`, args, scanRound)
}

// UpdateRound changes a round's state and closing time.
func (t *tx) UpdateRound(ctx context.Context, r plan.Round) error {
	n, err := t.c.exec(ctx, `UPDATE rounds SET state = ?, closed_at = ? WHERE id = ?`,
		string(r.State), nullTime(r.ClosedAt), r.ID)
	if err == nil && n == 0 {
		err = plan.NotFound("round", r.ID)
	}
	return err
}

const departmentColumns = `round, department, status, locked, COALESCE(current_submission, 0), comment,
	updated_at, reminded_at, COALESCE(workbook, ''), spreadsheet_name, spreadsheet_id, spreadsheet_url,
	structure_checked, summary_tab, actuals_tab`

func scanDepartment(r rows, d *plan.DepartmentState) error {
	sp := &d.Spreadsheet
	return r.Scan(&d.Round, &d.Department, &d.Status, &d.Locked, &d.Current, &d.Comment,
		timeIn{&d.UpdatedAt}, nullTimeIn{&d.Reminded}, &d.Workbook, &sp.Name, &sp.ID, &sp.URL, &sp.Checked, &sp.Summary, &sp.Actuals)
}

// DepartmentState returns a department's state in a round.
func (t *tx) DepartmentState(ctx context.Context, round int64, dept string) (plan.DepartmentState, error) {
	var d plan.DepartmentState
	found, err := t.row(ctx, `SELECT `+departmentColumns+` FROM department_states WHERE round = ? AND department = ?`+t.forUpdate,
		[]any{round, dept}, func(r rows) error { return scanDepartment(r, &d) })
	if err == nil && !found {
		err = plan.NotFound("department", fmt.Sprintf("%s in round %d", dept, round))
	}
	return d, err
}

// DepartmentStates lists a round's departments in the round's order.
func (t *tx) DepartmentStates(ctx context.Context, round int64) ([]plan.DepartmentState, error) {
	return list(ctx, t, `SELECT `+departmentColumns+` FROM department_states WHERE round = ? ORDER BY position`+t.forUpdate,
		[]any{round}, scanDepartment)
}

// UpdateDepartmentState stores a department's state.
func (t *tx) UpdateDepartmentState(ctx context.Context, s plan.DepartmentState) error {
	n, err := t.c.exec(ctx, `UPDATE department_states SET status = ?, locked = ?, current_submission = ?, comment = ?,
		updated_at = ?, reminded_at = ?, workbook = ?, spreadsheet_name = ?, spreadsheet_id = ?, spreadsheet_url = ?,
		structure_checked = ?, summary_tab = ?, actuals_tab = ? WHERE round = ? AND department = ?`,
		string(s.Status), s.Locked, nullInt(s.Current), s.Comment, s.UpdatedAt, nullTime(s.Reminded), nullString(s.Workbook),
		s.Spreadsheet.Name, s.Spreadsheet.ID, s.Spreadsheet.URL, s.Spreadsheet.Checked, s.Spreadsheet.Summary,
		s.Spreadsheet.Actuals, s.Round, s.Department)
	if err == nil && n == 0 {
		err = plan.NotFound("department", fmt.Sprintf("%s in round %d", s.Department, s.Round))
	}
	return err
}

// submissionColumns are what lists show; a single submission adds
// records and plan.
const submissionColumns = `id, round, department, key, blob, filename, size, source, state, problem, errors, warnings,
	explained, findings, submitted_by, received_at`

func scanSubmission(r rows, s *plan.Submission, full bool) error {
	var findings, records []byte
	dest := []any{&s.ID, &s.Round, &s.Department, &s.Key, &s.Blob, &s.Filename, &s.Size, &s.Source, &s.State,
		&s.Problem, &s.Errors, &s.Warnings, &s.Explained, &findings, &s.By, timeIn{&s.At}}
	if full {
		dest = append(dest, &records, (*[]byte)(&s.Plan))
	}
	if err := r.Scan(dest...); err != nil {
		return err
	}
	if err := unmarshal(findings, &s.Findings, "findings of submission", s.ID); err != nil {
		return err
	}
	return unmarshal(records, &s.Records, "records of submission", s.ID)
}

// AddSubmission stores s and sets its ID, unless a submission with its Key
// is stored: then it fills s with that one and returns false. The insert
// does nothing on a duplicate key, so concurrent calls with one key store
// one submission.
func (t *tx) AddSubmission(ctx context.Context, s *plan.Submission) (bool, error) {
	findings, err := json.Marshal(s.Findings)
	if err != nil {
		return false, err
	}
	records, err := marshalOrNull(s.Records)
	if err != nil {
		return false, err
	}
	added, err := t.row(ctx, `INSERT INTO submissions (key, round, department, blob, filename, size, source, state, problem,
			errors, warnings, findings, records, plan, submitted_by, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
		[]any{s.Key, s.Round, s.Department, s.Blob, s.Filename, s.Size, s.Source, string(s.State), s.Problem,
			s.Errors, s.Warnings, string(findings), records, jsonText(s.Plan), s.By, s.At},
		func(r rows) error { return r.Scan(&s.ID) })
	if err != nil || added {
		return added, err
	}
	found, err := t.row(ctx, `SELECT `+submissionColumns+`, records, plan FROM submissions WHERE key = ?`+t.forUpdate,
		[]any{s.Key}, func(r rows) error {
			*s = plan.Submission{}
			return scanSubmission(r, s, true)
		})
	if err == nil && !found {
		err = fmt.Errorf("submission with key %q was neither stored nor found", s.Key)
	}
	return false, err
}

// UpdateSubmission stores the outcome of parsing a submission.
func (t *tx) UpdateSubmission(ctx context.Context, s plan.Submission) error {
	findings, err := json.Marshal(s.Findings)
	if err != nil {
		return err
	}
	records, err := marshalOrNull(s.Records)
	if err != nil {
		return err
	}
	n, err := t.c.exec(ctx, `UPDATE submissions SET state = ?, problem = ?, errors = ?, warnings = ?, explained = ?,
		findings = ?, records = ?, plan = ? WHERE id = ?`,
		string(s.State), s.Problem, s.Errors, s.Warnings, s.Explained, string(findings), records, jsonText(s.Plan), s.ID)
	if err == nil && n == 0 {
		err = plan.NotFound("submission", s.ID)
	}
	return err
}

// Submission returns a submission with its findings, records and plan.
func (t *tx) Submission(ctx context.Context, id int64) (plan.Submission, error) {
	var s plan.Submission
	found, err := t.row(ctx, `SELECT `+submissionColumns+`, records, plan FROM submissions WHERE id = ?`+t.forUpdate,
		[]any{id}, func(r rows) error { return scanSubmission(r, &s, true) })
	if err == nil && !found {
		err = plan.NotFound("submission", id)
	}
	return s, err
}

// Submissions lists a department's submissions in a round ("" for every
// department), newest first, without records or plan.
func (t *tx) Submissions(ctx context.Context, round int64, dept string) ([]plan.Submission, error) {
	q, args := `SELECT `+submissionColumns+` FROM submissions WHERE round = ?`, []any{round}
	if dept != "" {
		q, args = q+` AND department = ?`, append(args, dept)
	}
	return t.submissions(ctx, q+` ORDER BY id DESC`, args)
}

// SubmissionsIn lists the submissions in a state, oldest first, without
// records or plan.
func (t *tx) SubmissionsIn(ctx context.Context, state plan.SubmissionState) ([]plan.Submission, error) {
	return t.submissions(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE state = ? ORDER BY id`,
		[]any{string(state)})
}

func (t *tx) submissions(ctx context.Context, q string, args []any) ([]plan.Submission, error) {
	return list(ctx, t, q, args, func(r rows, s *plan.Submission) error { return scanSubmission(r, s, false) })
}

// AddAudit stores an audit entry and sets its ID.
func (t *tx) AddAudit(ctx context.Context, e *plan.AuditEntry) error {
	_, err := t.row(ctx, `INSERT INTO audit (at, actor, role, action, round, department, subject, before_value, after_value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{e.At, e.Actor, string(e.Role), e.Action, e.Round, e.Department, e.Subject, jsonText(e.Before), jsonText(e.After)},
		func(r rows) error { return r.Scan(&e.ID) })
	return err
}

// Audit lists the entries q selects, newest first.
func (t *tx) Audit(ctx context.Context, q plan.AuditQuery) ([]plan.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if q.Round != 0 {
		add("round = ?", q.Round)
	}
	if q.Department != "" {
		add("department = ?", q.Department)
	}
	if q.Action != "" {
		add("action = ?", q.Action)
	}
	if q.Before != 0 {
		add("id < ?", q.Before)
	}
	query := `SELECT id, at, actor, role, action, round, department, subject, before_value, after_value FROM audit`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY id DESC`
	if q.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, q.Limit)
	}
	return list(ctx, t, query, args, func(r rows, e *plan.AuditEntry) error {
		return r.Scan(&e.ID, timeIn{&e.At}, &e.Actor, &e.Role, &e.Action, &e.Round, &e.Department, &e.Subject,
			(*[]byte)(&e.Before), (*[]byte)(&e.After))
	})
}

const tokenColumns = `id, name, hash, role, department, created_at, revoked_at`

func scanToken(r rows, k *plan.Token) error {
	return r.Scan(&k.ID, &k.Name, &k.Hash, &k.Role, &k.Department, timeIn{&k.CreatedAt}, nullTimeIn{&k.RevokedAt})
}

// AddToken stores a token and sets its ID.
func (t *tx) AddToken(ctx context.Context, k *plan.Token) error {
	_, err := t.row(ctx, `INSERT INTO tokens (name, hash, role, department, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{k.Name, k.Hash, string(k.Role), k.Department, k.CreatedAt, nullTime(k.RevokedAt)},
		func(r rows) error { return r.Scan(&k.ID) })
	return err
}

// TokenByHash returns the token with the hash, revoked or not.
func (t *tx) TokenByHash(ctx context.Context, hash []byte) (plan.Token, error) {
	var k plan.Token
	found, err := t.row(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, []any{hash},
		func(r rows) error { return scanToken(r, &k) })
	if err == nil && !found {
		err = plan.NotFound("token", "with this hash")
	}
	return k, err
}

// Tokens lists the tokens, revoked or not, by id.
func (t *tx) Tokens(ctx context.Context) ([]plan.Token, error) {
	return list(ctx, t, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`, nil, scanToken)
}

// RevokeToken revokes a token at a time; a token revoked already keeps
// the time it was first revoked.
func (t *tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	n, err := t.c.exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, at, id)
	if err == nil && n == 0 {
		err = plan.NotFound("token", id)
	}
	return err
}

// UseNonce forgets the nonces seen before forgetBefore, then records
// nonce and reports whether it was new.
func (t *tx) UseNonce(ctx context.Context, nonce string, at, forgetBefore time.Time) (bool, error) {
	if _, err := t.c.exec(ctx, `DELETE FROM nonces WHERE seen_at < ?`, forgetBefore); err != nil {
		return false, err
	}
	n, err := t.c.exec(ctx, `INSERT INTO nonces (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`, nonce, at)
	return n == 1, err
}

// Once records the effect key and reports whether it was new.
func (t *tx) Once(ctx context.Context, key string, at time.Time) (bool, error) {
	n, err := t.c.exec(ctx, `INSERT INTO effects (key, applied_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, at)
	return n == 1, err
}

// AddConsolidation stores a consolidation run and sets its ID.
func (t *tx) AddConsolidation(ctx context.Context, c *plan.Consolidation) error {
	_, err := t.row(ctx, `INSERT INTO consolidations (round, state, result, summary, error_message, started_at, done_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{c.Round, c.State, jsonText(c.Result), nullString(c.Summary), c.Error, c.At, nullTime(c.Done)},
		func(r rows) error { return r.Scan(&c.ID) })
	return err
}

// UpdateConsolidation stores the outcome of a consolidation run.
func (t *tx) UpdateConsolidation(ctx context.Context, c plan.Consolidation) error {
	n, err := t.c.exec(ctx, `UPDATE consolidations SET state = ?, result = ?, summary = ?, error_message = ?, done_at = ?
		WHERE id = ?`, c.State, jsonText(c.Result), nullString(c.Summary), c.Error, nullTime(c.Done), c.ID)
	if err == nil && n == 0 {
		err = plan.NotFound("consolidation", c.ID)
	}
	return err
}

const consolidationColumns = `id, round, state, COALESCE(summary, ''), error_message, started_at, done_at`

func scanConsolidation(r rows, c *plan.Consolidation, full bool) error {
	dest := []any{&c.ID, &c.Round, &c.State, &c.Summary, &c.Error, timeIn{&c.At}, nullTimeIn{&c.Done}}
	if full {
		dest = append(dest, (*[]byte)(&c.Result))
	}
	return r.Scan(dest...)
}

// Consolidation returns a consolidation run with its result.
func (t *tx) Consolidation(ctx context.Context, id int64) (plan.Consolidation, error) {
	var c plan.Consolidation
	found, err := t.row(ctx, `SELECT `+consolidationColumns+`, result FROM consolidations WHERE id = ?`+t.forUpdate,
		[]any{id}, func(r rows) error { return scanConsolidation(r, &c, true) })
	if err == nil && !found {
		err = plan.NotFound("consolidation", id)
	}
	return c, err
}

// Consolidations lists a round's runs, newest first, without results.
func (t *tx) Consolidations(ctx context.Context, round int64) ([]plan.Consolidation, error) {
	return list(ctx, t, `SELECT `+consolidationColumns+` FROM consolidations WHERE round = ? ORDER BY id DESC`,
		[]any{round}, func(r rows, c *plan.Consolidation) error { return scanConsolidation(r, c, false) })
}

// each runs a query and hands every row to scan.
func (t *tx) each(ctx context.Context, query string, args []any, scan func(rows) error) error {
	r, err := t.c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		if err := scan(r); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	return r.Close()
}

// list runs a query and scans each row into a new T.
func list[T any](ctx context.Context, t *tx, query string, args []any, scan func(rows, *T) error) ([]T, error) {
	var out []T
	err := t.each(ctx, query, args, func(r rows) error {
		var v T
		err := scan(r, &v)
		out = append(out, v)
		return err
	})
	return out, err
}

// row runs a query for at most one row and hands it to scan; found is
// false when there is none.
func (t *tx) row(ctx context.Context, query string, args []any, scan func(rows) error) (found bool, err error) {
	err = t.each(ctx, query, args, func(r rows) error {
		found = true
		return scan(r)
	})
	return found, err
}
