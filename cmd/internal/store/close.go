package store

import (
	"context"
	"fmt"
	"time"

	"aop/cmd/internal/plan"
)

// AddActuals stores a period's import as the current one; the import it
// replaces stays, marked replaced.
func (t *tx) AddActuals(ctx context.Context, a *plan.ActualsImport) error {
	if _, err := t.c.exec(ctx, `UPDATE actuals SET replaced_at = ? WHERE cycle = ? AND period = ? AND replaced_at IS NULL`,
		a.At, a.Cycle, a.Period); err != nil {
		return err
	}
	_, err := t.row(ctx, `INSERT INTO actuals (cycle, period, data, source, filename, imported_by, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{a.Cycle, a.Period, jsonText(a.Set), a.Source, a.Filename, a.By, a.At},
		func(r rows) error { return r.Scan(&a.ID) })
	return err
}

// Actuals lists a cycle's current imports by period; with history, the
// replaced ones too, newest first within a period.
func (t *tx) Actuals(ctx context.Context, cycle string, history bool) ([]plan.ActualsImport, error) {
	where := ` AND replaced_at IS NULL`
	if history {
		where = ""
	}
	return list(ctx, t, `SELECT id, cycle, period, data, source, filename, imported_by, imported_at, replaced_at
		FROM actuals WHERE cycle = ?`+where+` ORDER BY period, id DESC`, []any{cycle},
		func(r rows, a *plan.ActualsImport) error {
			return r.Scan(&a.ID, &a.Cycle, &a.Period, (*[]byte)(&a.Set), &a.Source, &a.Filename, &a.By,
				timeIn{&a.At}, nullTimeIn{&a.Replaced})
		})
}

const closeColumns = `id, cycle, period, digest, round, state, COALESCE(summary, ''), error_message, started_at, done_at`

func scanClose(r rows, c *plan.CloseRun, full bool) error {
	dest := []any{&c.ID, &c.Cycle, &c.Period, &c.Digest, &c.Round, &c.State, &c.Summary, &c.Error, timeIn{&c.At}, nullTimeIn{&c.Done}}
	if full {
		dest = append(dest, (*[]byte)(&c.Report))
	}
	return r.Scan(dest...)
}

// AddCloseRun stores a close unless the cycle has one of the same digest,
// which it then returns.
func (t *tx) AddCloseRun(ctx context.Context, c *plan.CloseRun) (bool, error) {
	added, err := t.row(ctx, `INSERT INTO closes (cycle, period, digest, round, state, report, summary, error_message, started_at, done_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cycle, digest) DO NOTHING RETURNING id`,
		[]any{c.Cycle, c.Period, c.Digest, c.Round, c.State, jsonText(c.Report), nullString(c.Summary), c.Error, c.At, nullTime(c.Done)},
		func(r rows) error { return r.Scan(&c.ID) })
	if err != nil || added {
		return added, err
	}
	found, err := t.row(ctx, `SELECT `+closeColumns+`, report FROM closes WHERE cycle = ? AND digest = ?`+t.forUpdate,
		[]any{c.Cycle, c.Digest}, func(r rows) error {
			*c = plan.CloseRun{}
			return scanClose(r, c, true)
		})
	if err == nil && !found {
		err = fmt.Errorf("close of %s with digest %s was neither stored nor found", c.Cycle, c.Digest)
	}
	return false, err
}

// UpdateCloseRun stores the outcome of a close.
func (t *tx) UpdateCloseRun(ctx context.Context, c plan.CloseRun) error {
	n, err := t.c.exec(ctx, `UPDATE closes SET period = ?, state = ?, round = ?, report = ?, summary = ?, error_message = ?, done_at = ?
		WHERE id = ?`, c.Period, c.State, c.Round, jsonText(c.Report), nullString(c.Summary), c.Error, nullTime(c.Done), c.ID)
	if err == nil && n == 0 {
		err = plan.NotFound("close", c.ID)
	}
	return err
}

// CloseRun returns a close with its report.
func (t *tx) CloseRun(ctx context.Context, id int64) (plan.CloseRun, error) {
	var c plan.CloseRun
	found, err := t.row(ctx, `SELECT `+closeColumns+`, report FROM closes WHERE id = ?`+t.forUpdate,
		[]any{id}, func(r rows) error { return scanClose(r, &c, true) })
	if err == nil && !found {
		err = plan.NotFound("close", id)
	}
	return c, err
}

// CloseRuns lists a cycle's closes, newest first, without reports.
func (t *tx) CloseRuns(ctx context.Context, cycle string) ([]plan.CloseRun, error) {
	return list(ctx, t, `SELECT `+closeColumns+` FROM closes WHERE cycle = ? ORDER BY id DESC`,
		[]any{cycle}, func(r rows, c *plan.CloseRun) error { return scanClose(r, c, false) })
}

// LastRun returns when a schedule last ran.
func (t *tx) LastRun(ctx context.Context, schedule string) (time.Time, bool, error) {
	var at time.Time
	found, err := t.row(ctx, `SELECT last_run FROM schedule_runs WHERE schedule = ?`+t.forUpdate,
		[]any{schedule}, func(r rows) error { return r.Scan(timeIn{&at}) })
	return at, found, err
}

// SetLastRun records when a schedule last ran.
func (t *tx) SetLastRun(ctx context.Context, schedule string, at time.Time) error {
	_, err := t.c.exec(ctx, `INSERT INTO schedule_runs (schedule, last_run) VALUES (?, ?)
		ON CONFLICT (schedule) DO UPDATE SET last_run = excluded.last_run`, schedule, at)
	return err
}

// AddExplanation stores what a department said about a line.
func (t *tx) AddExplanation(ctx context.Context, e *plan.Explanation) error {
	_, err := t.row(ctx, `INSERT INTO explanations (cycle, department, account, month, text, sheet, cell, source, said_by, said_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{e.Cycle, e.Department, e.Account, e.Month, e.Text, e.Sheet, e.Cell, e.Source, e.By, e.At},
		func(r rows) error { return r.Scan(&e.ID) })
	return err
}

// Explanations lists the current explanation of each line of a cycle: the
// latest said of it.
func (t *tx) Explanations(ctx context.Context, cycle string) ([]plan.Explanation, error) {
	return list(ctx, t, `SELECT id, cycle, department, account, month, text, sheet, cell, source, said_by, said_at
		FROM explanations e WHERE cycle = ? AND id = (SELECT MAX(id) FROM explanations l
			WHERE l.cycle = e.cycle AND l.department = e.department AND l.account = e.account AND l.month = e.month)
		ORDER BY department, account, month`, []any{cycle},
		func(r rows, e *plan.Explanation) error {
			return r.Scan(&e.ID, &e.Cycle, &e.Department, &e.Account, &e.Month, &e.Text, &e.Sheet, &e.Cell, &e.Source,
				&e.By, timeIn{&e.At})
		})
}
