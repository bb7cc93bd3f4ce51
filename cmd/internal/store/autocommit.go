package store

import (
	"context"
	"time"

	"aop/cmd/internal/plan"
)

// Store's own plan.Tx methods: each is the Tx method in a transaction of
// its own, without the row locks of InTx.

func (s *Store) do(ctx context.Context, fn func(*tx) error) error { return s.inTx(ctx, false, fn) }

// get runs fn in a transaction of its own and returns its result.
func get[T any](ctx context.Context, s *Store, fn func(*tx) (T, error)) (T, error) {
	var v T
	err := s.do(ctx, func(t *tx) error {
		var err error
		v, err = fn(t)
		return err
	})
	return v, err
}

// PutBlob stores bytes under their SHA-256 (hex) and returns it.
func (s *Store) PutBlob(ctx context.Context, data []byte) (string, error) {
	return get(ctx, s, func(t *tx) (string, error) { return t.PutBlob(ctx, data) })
}

// Blob returns the bytes stored under sum.
func (s *Store) Blob(ctx context.Context, sum string) ([]byte, error) {
	return get(ctx, s, func(t *tx) ([]byte, error) { return t.Blob(ctx, sum) })
}

// PutCycle stores a cycle, replacing one with the same id.
func (s *Store) PutCycle(ctx context.Context, c plan.Cycle) error {
	return s.do(ctx, func(t *tx) error { return t.PutCycle(ctx, c) })
}

// Cycle returns a cycle with its source.
func (s *Store) Cycle(ctx context.Context, id string) (plan.Cycle, error) {
	return get(ctx, s, func(t *tx) (plan.Cycle, error) { return t.Cycle(ctx, id) })
}

// Cycles lists the cycles by id, without their sources.
func (s *Store) Cycles(ctx context.Context) ([]plan.Cycle, error) {
	return get(ctx, s, func(t *tx) ([]plan.Cycle, error) { return t.Cycles(ctx) })
}

// CreateRound stores a round, sets its ID and gives each department a
// NotStarted state.
func (s *Store) CreateRound(ctx context.Context, r *plan.Round) error {
	return s.do(ctx, func(t *tx) error { return t.CreateRound(ctx, r) })
}

// Round returns a round.
func (s *Store) Round(ctx context.Context, id int64) (plan.Round, error) {
	return get(ctx, s, func(t *tx) (plan.Round, error) { return t.Round(ctx, id) })
}

// Rounds lists the rounds of a cycle ("" for all), newest first.
func (s *Store) Rounds(ctx context.Context, cycle string) ([]plan.Round, error) {
	return get(ctx, s, func(t *tx) ([]plan.Round, error) { return t.Rounds(ctx, cycle) })
}

// UpdateRound changes a round's state and closing time.
func (s *Store) UpdateRound(ctx context.Context, r plan.Round) error {
	return s.do(ctx, func(t *tx) error { return t.UpdateRound(ctx, r) })
}

// DepartmentState returns a department's state in a round.
func (s *Store) DepartmentState(ctx context.Context, round int64, dept string) (plan.DepartmentState, error) {
	return get(ctx, s, func(t *tx) (plan.DepartmentState, error) { return t.DepartmentState(ctx, round, dept) })
}

// DepartmentStates lists a round's departments in the round's order.
func (s *Store) DepartmentStates(ctx context.Context, round int64) ([]plan.DepartmentState, error) {
	return get(ctx, s, func(t *tx) ([]plan.DepartmentState, error) { return t.DepartmentStates(ctx, round) })
}

// UpdateDepartmentState stores a department's state.
func (s *Store) UpdateDepartmentState(ctx context.Context, d plan.DepartmentState) error {
	return s.do(ctx, func(t *tx) error { return t.UpdateDepartmentState(ctx, d) })
}

// AddSubmission stores a submission and sets its ID, or fills sub with
// the one stored under its Key and returns false.
func (s *Store) AddSubmission(ctx context.Context, sub *plan.Submission) (bool, error) {
	return get(ctx, s, func(t *tx) (bool, error) { return t.AddSubmission(ctx, sub) })
}

// UpdateSubmission stores the outcome of parsing a submission.
func (s *Store) UpdateSubmission(ctx context.Context, sub plan.Submission) error {
	return s.do(ctx, func(t *tx) error { return t.UpdateSubmission(ctx, sub) })
}

// Submission returns a submission with its findings, records and plan.
func (s *Store) Submission(ctx context.Context, id int64) (plan.Submission, error) {
	return get(ctx, s, func(t *tx) (plan.Submission, error) { return t.Submission(ctx, id) })
}

// Submissions lists a department's submissions in a round ("" for every
// department), newest first, without records or plan.
func (s *Store) Submissions(ctx context.Context, round int64, dept string) ([]plan.Submission, error) {
	return get(ctx, s, func(t *tx) ([]plan.Submission, error) { return t.Submissions(ctx, round, dept) })
}

// SubmissionsIn lists the submissions in a state, oldest first.
func (s *Store) SubmissionsIn(ctx context.Context, state plan.SubmissionState) ([]plan.Submission, error) {
	return get(ctx, s, func(t *tx) ([]plan.Submission, error) { return t.SubmissionsIn(ctx, state) })
}

// AddAudit stores an audit entry and sets its ID.
func (s *Store) AddAudit(ctx context.Context, e *plan.AuditEntry) error {
	return s.do(ctx, func(t *tx) error { return t.AddAudit(ctx, e) })
}

// Audit lists the audit entries q selects, newest first.
func (s *Store) Audit(ctx context.Context, q plan.AuditQuery) ([]plan.AuditEntry, error) {
	return get(ctx, s, func(t *tx) ([]plan.AuditEntry, error) { return t.Audit(ctx, q) })
}

// AddToken stores a token and sets its ID.
func (s *Store) AddToken(ctx context.Context, k *plan.Token) error {
	return s.do(ctx, func(t *tx) error { return t.AddToken(ctx, k) })
}

// TokenByHash returns the token with the hash, revoked or not.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (plan.Token, error) {
	return get(ctx, s, func(t *tx) (plan.Token, error) { return t.TokenByHash(ctx, hash) })
}

// Tokens lists the tokens by id.
func (s *Store) Tokens(ctx context.Context) ([]plan.Token, error) {
	return get(ctx, s, func(t *tx) ([]plan.Token, error) { return t.Tokens(ctx) })
}

// RevokeToken revokes a token at a time.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return s.do(ctx, func(t *tx) error { return t.RevokeToken(ctx, id, at) })
}

// UseNonce records a webhook nonce and reports whether it was new,
// forgetting the nonces seen before forgetBefore.
func (s *Store) UseNonce(ctx context.Context, nonce string, at, forgetBefore time.Time) (bool, error) {
	return get(ctx, s, func(t *tx) (bool, error) { return t.UseNonce(ctx, nonce, at, forgetBefore) })
}

// Once records that the effect named key has been applied and reports
// whether this is the first time.
func (s *Store) Once(ctx context.Context, key string, at time.Time) (bool, error) {
	return get(ctx, s, func(t *tx) (bool, error) { return t.Once(ctx, key, at) })
}

// AddConsolidation stores a consolidation run and sets its ID.
func (s *Store) AddConsolidation(ctx context.Context, c *plan.Consolidation) error {
	return s.do(ctx, func(t *tx) error { return t.AddConsolidation(ctx, c) })
}

// UpdateConsolidation stores the outcome of a consolidation run.
func (s *Store) UpdateConsolidation(ctx context.Context, c plan.Consolidation) error {
	return s.do(ctx, func(t *tx) error { return t.UpdateConsolidation(ctx, c) })
}

// Consolidation returns a consolidation run with its result.
func (s *Store) Consolidation(ctx context.Context, id int64) (plan.Consolidation, error) {
	return get(ctx, s, func(t *tx) (plan.Consolidation, error) { return t.Consolidation(ctx, id) })
}

// Consolidations lists a round's runs, newest first, without results.
func (s *Store) Consolidations(ctx context.Context, round int64) ([]plan.Consolidation, error) {
	return get(ctx, s, func(t *tx) ([]plan.Consolidation, error) { return t.Consolidations(ctx, round) })
}

// AddActuals stores a period's import as the current one.
func (s *Store) AddActuals(ctx context.Context, a *plan.ActualsImport) error {
	return s.do(ctx, func(t *tx) error { return t.AddActuals(ctx, a) })
}

// Actuals lists a cycle's current imports (with history, all of them).
func (s *Store) Actuals(ctx context.Context, cycle string, history bool) ([]plan.ActualsImport, error) {
	return get(ctx, s, func(t *tx) ([]plan.ActualsImport, error) { return t.Actuals(ctx, cycle, history) })
}

// AddExplanation stores what a department said about a line.
func (s *Store) AddExplanation(ctx context.Context, e *plan.Explanation) error {
	return s.do(ctx, func(t *tx) error { return t.AddExplanation(ctx, e) })
}

// Explanations lists the current explanation of each line of a cycle.
func (s *Store) Explanations(ctx context.Context, cycle string) ([]plan.Explanation, error) {
	return get(ctx, s, func(t *tx) ([]plan.Explanation, error) { return t.Explanations(ctx, cycle) })
}

// AddCloseRun stores a close unless one of the same digest exists.
func (s *Store) AddCloseRun(ctx context.Context, c *plan.CloseRun) (bool, error) {
	return get(ctx, s, func(t *tx) (bool, error) { return t.AddCloseRun(ctx, c) })
}

// UpdateCloseRun stores the outcome of a close.
func (s *Store) UpdateCloseRun(ctx context.Context, c plan.CloseRun) error {
	return s.do(ctx, func(t *tx) error { return t.UpdateCloseRun(ctx, c) })
}

// CloseRun returns a close with its report.
func (s *Store) CloseRun(ctx context.Context, id int64) (plan.CloseRun, error) {
	return get(ctx, s, func(t *tx) (plan.CloseRun, error) { return t.CloseRun(ctx, id) })
}

// CloseRuns lists a cycle's closes, newest first.
func (s *Store) CloseRuns(ctx context.Context, cycle string) ([]plan.CloseRun, error) {
	return get(ctx, s, func(t *tx) ([]plan.CloseRun, error) { return t.CloseRuns(ctx, cycle) })
}

// LastRun returns when a schedule last ran.
func (s *Store) LastRun(ctx context.Context, schedule string) (time.Time, bool, error) {
	var at time.Time
	var found bool
	err := s.do(ctx, func(t *tx) error {
		var err error
		at, found, err = t.LastRun(ctx, schedule)
		return err
	})
	return at, found, err
}

// SetLastRun records when a schedule last ran.
func (s *Store) SetLastRun(ctx context.Context, schedule string, at time.Time) error {
	return s.do(ctx, func(t *tx) error { return t.SetLastRun(ctx, schedule, at) })
}
