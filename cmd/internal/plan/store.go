package plan

import (
	"context"
	"time"
)

// Store keeps everything the service knows. Every method of Tx runs in the
// transaction it was given by InTx, so a use case's changes and its audit
// entries land together or not at all; Store's own methods are the same
// calls, each in a transaction of its own. Lookups that find nothing return
// an error that errors.Is(err, ErrNotFound).
type Store interface {
	Tx
	// InTx runs fn in one transaction, committed if fn returns nil. A
	// transaction that conflicts with a concurrent one is retried, so fn
	// may run more than once and must not have other effects.
	InTx(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is what a use case reads and changes in one transaction.
type Tx interface {
	// PutBlob stores bytes under their SHA-256 (hex) and returns it;
	// storing the same bytes again stores nothing.
	PutBlob(ctx context.Context, data []byte) (string, error)
	Blob(ctx context.Context, sum string) ([]byte, error)

	// PutCycle stores a cycle, replacing one with the same id.
	PutCycle(ctx context.Context, c Cycle) error
	Cycle(ctx context.Context, id string) (Cycle, error)
	// Cycles lists the cycles, sources left out, by id.
	Cycles(ctx context.Context) ([]Cycle, error)

	// CreateRound stores a round, sets its ID, and gives each of its
	// departments a NotStarted state.
	CreateRound(ctx context.Context, r *Round) error
	Round(ctx context.Context, id int64) (Round, error)
	// Rounds lists the rounds of a cycle ("" for all), newest first.
	Rounds(ctx context.Context, cycle string) ([]Round, error)
	// UpdateRound changes a round's state and closing time.
	UpdateRound(ctx context.Context, r Round) error

	DepartmentState(ctx context.Context, round int64, dept string) (DepartmentState, error)
	// DepartmentStates lists a round's departments in the round's order.
	DepartmentStates(ctx context.Context, round int64) ([]DepartmentState, error)
	UpdateDepartmentState(ctx context.Context, s DepartmentState) error

	// AddSubmission stores a submission and sets its ID. A submission whose
	// Key is already stored is not stored again: AddSubmission then fills s
	// with the stored one and returns false.
	AddSubmission(ctx context.Context, s *Submission) (bool, error)
	// UpdateSubmission stores the outcome of parsing: state, problem,
	// counts, findings, records and plan.
	UpdateSubmission(ctx context.Context, s Submission) error
	// Submission returns a submission with its findings, records and plan.
	Submission(ctx context.Context, id int64) (Submission, error)
	// Submissions lists a department's submissions in a round ("" for
	// every department), newest first, with findings but without records
	// or plan.
	Submissions(ctx context.Context, round int64, dept string) ([]Submission, error)
	// SubmissionsIn lists submissions in a state across rounds, oldest
	// first (the service re-queues Received ones when it starts).
	SubmissionsIn(ctx context.Context, state SubmissionState) ([]Submission, error)

	AddAudit(ctx context.Context, e *AuditEntry) error
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)

	AddToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with the hash, revoked or not.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error

	// UseNonce records a webhook nonce and reports whether it was new;
	// nonces seen before at are forgotten.
	UseNonce(ctx context.Context, nonce string, at, forgetBefore time.Time) (bool, error)

	// Once records that the effect named key has been applied and reports
	// whether this is the first time. Jobs call it in the transaction that
	// applies their effect, so an effect is applied once however often the
	// job runs.
	Once(ctx context.Context, key string, at time.Time) (bool, error)

	AddConsolidation(ctx context.Context, c *Consolidation) error
	UpdateConsolidation(ctx context.Context, c Consolidation) error
	Consolidation(ctx context.Context, id int64) (Consolidation, error)
	// Consolidations lists a round's runs, newest first, results left out.
	Consolidations(ctx context.Context, round int64) ([]Consolidation, error)

	// AddActuals stores a period's import as the current one, marking the
	// one it replaces (if any) replaced at a.At, and sets its ID.
	AddActuals(ctx context.Context, a *ActualsImport) error
	// Actuals lists a cycle's current imports by period, sets included;
	// with history, the replaced ones too (newest first within a period).
	Actuals(ctx context.Context, cycle string, history bool) ([]ActualsImport, error)

	// AddExplanation stores what a department said about a line and sets
	// its ID; it becomes the line's current explanation.
	AddExplanation(ctx context.Context, e *Explanation) error
	// Explanations lists the current explanation of each line of a cycle
	// that has one, withdrawn ones (empty) included, by department,
	// account and month.
	Explanations(ctx context.Context, cycle string) ([]Explanation, error)

	// AddCloseRun stores a close and sets its ID, unless the cycle has a
	// close of the same digest: AddCloseRun then fills c with that one and
	// returns false.
	AddCloseRun(ctx context.Context, c *CloseRun) (bool, error)
	UpdateCloseRun(ctx context.Context, c CloseRun) error
	CloseRun(ctx context.Context, id int64) (CloseRun, error)
	// CloseRuns lists a cycle's closes, newest first, reports left out.
	CloseRuns(ctx context.Context, cycle string) ([]CloseRun, error)

	// LastRun returns when a schedule last ran (false if never), and
	// SetLastRun records it.
	LastRun(ctx context.Context, schedule string) (time.Time, bool, error)
	SetLastRun(ctx context.Context, schedule string, at time.Time) error
}

// Queue runs jobs durably: an enqueued job survives a crash and runs at
// least once, so every job's effect goes through Tx.Once.
type Queue interface {
	Enqueue(ctx context.Context, j Job) (int64, error)
	// Job returns a job's state and, once it completed, its result.
	Job(ctx context.Context, id int64) (JobInfo, error)
}

// Job is a unit of background work.
type Job struct {
	// Kind is one of the Job* kinds.
	Kind string `json:"kind"`
	// Key identifies the work: two jobs with the same key are one job.
	Key           string `json:"key"`
	Round         int64  `json:"round,omitempty"`
	Department    string `json:"department,omitempty"`
	Submission    int64  `json:"submission,omitempty"`
	Consolidation int64  `json:"consolidation,omitempty"`
	Cycle         string `json:"cycle,omitempty"`
	// By is who asked for the work ("kind:name" of an Actor), when it is
	// not aop itself: a harvest's submission is theirs.
	By string `json:"by,omitempty"`
}

// Kinds of jobs.
const (
	JobProcessSubmission = "process_submission"
	JobGenerate          = "generate"
	JobConsolidate       = "consolidate"
	JobWriteBack         = "write_back"
	JobRemind            = "remind"
)

// JobInfo is what a caller may see of a job.
type JobInfo struct {
	ID      int64      `json:"id"`
	Kind    string     `json:"kind"`
	State   string     `json:"state"` // available, running, retryable, completed, discarded, cancelled, scheduled
	Attempt int        `json:"attempt"`
	Errors  []string   `json:"errors,omitempty"`
	Created time.Time  `json:"created_at"`
	Done    *time.Time `json:"finalized_at,omitempty"`
	// Job is the job's arguments; its result lives where its effect did
	// (a submission, a consolidation run).
	Job Job `json:"job"`
}
