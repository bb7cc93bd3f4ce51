// Package plan is what the aop service does, free of HTTP, SQL and
// spreadsheets: cycles, collection rounds, department statuses,
// submissions (stored before they are parsed, never lost, never
// overwritten), approvals, consolidation runs, write-backs and the audit
// log. It defines the interfaces it consumes (Store, Queue) and the kinds
// of errors the API turns into status codes; cmd/aop wires the concrete
// store, queue and HTTP API to it.
package plan

import (
	"encoding/json"
	"time"

	"aop/engine"
)

// Role is what a token may do.
type Role string

const (
	// FinanceAdmin runs the cycle: loads cycles, opens and closes rounds,
	// approves, sends back, reverts and consolidates.
	FinanceAdmin Role = "finance-admin"
	// FinanceViewer reads everything and changes nothing.
	FinanceViewer Role = "finance-viewer"
	// DepartmentRole acts for one department: uploads, validates and
	// downloads its own workbook.
	DepartmentRole Role = "department"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == FinanceAdmin || r == FinanceViewer || r == DepartmentRole
}

// Actor is who does something: a token's holder, a spreadsheet (a signed
// webhook proves the sheet, not the person), a person Google vouched for
// (the Workspace add-on), the holder of a signed link, or aop itself.
type Actor struct {
	// Kind is "token", "sheet", "google", "link" or "system".
	Kind string `json:"kind"`
	// Name identifies the actor in the audit log: the token's name, the
	// spreadsheet's id, the person's e-mail address, or the job.
	Name string `json:"name"`
	Role Role   `json:"role,omitempty"`
	// Department is the one department a department token, a sheet or
	// its owner acts for.
	Department string `json:"department,omitempty"`
}

// System is aop acting on its own (jobs, reminders).
var System = Actor{Kind: "system", Name: "aop", Role: FinanceAdmin}

// Cycle is a loaded cycle file.
type Cycle struct {
	ID string `json:"id"`
	// Name is the file's name as uploaded.
	Name string `json:"name"`
	// Source is the cycle file's bytes; the service parses it again when it
	// starts.
	Source   []byte    `json:"-"`
	LoadedAt time.Time `json:"loaded_at"`
	LoadedBy string    `json:"loaded_by"`
}

// RoundState is whether a round takes submissions.
type RoundState string

const (
	RoundOpen   RoundState = "open"
	RoundClosed RoundState = "closed"
)

// Round is one collection round of a cycle: a set of departments asked to
// submit by a due date.
type Round struct {
	ID          int64      `json:"id"`
	Cycle       string     `json:"cycle"`
	Name        string     `json:"name"`
	Departments []string   `json:"departments"`
	Due         time.Time  `json:"due"`
	State       RoundState `json:"state"`
	OpenedAt    time.Time  `json:"opened_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	// Backend is where the departments fill their plans: .xlsx workbooks
	// (BackendXLSX) or Google spreadsheets (BackendSheets).
	Backend Backend `json:"backend"`
}

// Backend is where a round's departments fill their plans.
type Backend string

const (
	// BackendXLSX rounds send .xlsx workbooks through the upload API and
	// the Excel add-in.
	BackendXLSX Backend = "xlsx"
	// BackendSheets rounds run in Google spreadsheets aop creates, shares,
	// harvests and writes back.
	BackendSheets Backend = "sheets"
)

// Status is where a department stands in a round.
type Status string

const (
	NotStarted Status = "not_started"
	// InProgress: the department has started (validated, downloaded, or
	// sent a workbook that was rejected) but has no accepted submission
	// since it was last sent back or reopened.
	InProgress Status = "in_progress"
	// Submitted: an accepted submission awaits review.
	Submitted Status = "submitted"
	// SentBack: the reviewer asks for changes (see Comment).
	SentBack Status = "sent_back"
	// Approved: the reviewer accepted the plan; the department is locked.
	Approved Status = "approved"
)

// DepartmentState is a department's place in a round.
type DepartmentState struct {
	Round      int64  `json:"round"`
	Department string `json:"department"`
	Status     Status `json:"status"`
	// Locked refuses new submissions: set by approval and by closing the
	// round, cleared when finance reopens.
	Locked bool `json:"locked"`
	// Current is the accepted submission that counts (0 for none).
	Current int64 `json:"current_submission,omitempty"`
	// Comment is the reviewer's last word (when sent back or approved).
	Comment   string     `json:"comment,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
	Reminded  *time.Time `json:"reminded_at,omitempty"`
	// Workbook is the blob of the workbook as aop last wrote it for the
	// department ("" before the first).
	Workbook string `json:"-"`
	// Spreadsheet is the department's Google spreadsheet in a sheets round.
	Spreadsheet Spreadsheet `json:"spreadsheet,omitzero"`
}

// Spreadsheet is where a department of a sheets round stands in Google.
type Spreadsheet struct {
	// Name is the file's name in the shared drive, recorded before the
	// file is created: a job retried after a crash finds the copy it made
	// by it instead of copying again.
	Name string `json:"name,omitempty"`
	// ID and URL are set once the spreadsheet exists and is shared.
	ID  string `json:"id,omitempty"`
	URL string `json:"url,omitempty"`
	// Checked says the structure check (protections, metadata) passed
	// this round; it runs once, before the first harvest.
	Checked bool `json:"structure_checked,omitempty"`
	// Summary says the read-only Summary tab exists, so later write-backs
	// write values only; Actuals says the same of the Actuals vs Plan tab.
	Summary bool `json:"summary_tab,omitempty"`
	Actuals bool `json:"actuals_tab,omitempty"`
}

// SubmissionState is what became of a submission.
type SubmissionState string

const (
	// Received: stored, not parsed yet (a job will).
	Received SubmissionState = "received"
	// Accepted: valid (warnings allowed); the department's current one
	// unless a later one superseded it.
	Accepted SubmissionState = "accepted"
	// Rejected: errors to fix, or not a workbook of this department and
	// round. It never replaces an accepted submission.
	Rejected SubmissionState = "rejected"
)

// Submission is one workbook a department sent, stored before it was
// parsed.
type Submission struct {
	ID         int64  `json:"id"`
	Round      int64  `json:"round"`
	Department string `json:"department"`
	// Key makes storing idempotent: a retried request or job with the same
	// key finds the submission already stored.
	Key      string          `json:"-"`
	Blob     string          `json:"blob"` // SHA-256 of the raw bytes, hex
	Filename string          `json:"filename"`
	Size     int64           `json:"size"`
	Source   string          `json:"source"` // upload, webhook, harvest
	State    SubmissionState `json:"state"`
	// Problem classifies a rejected workbook that is not a usable one
	// (wrong_department, tampered, encrypted, ...).
	Problem  string `json:"problem,omitempty"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	// Explained counts the explanations its Actuals vs Plan tab held,
	// which are kept whatever becomes of the plan.
	Explained int              `json:"explained"`
	Findings  []engine.Finding `json:"findings"`
	// Records are the values read, cell by cell; Plan is the typed
	// submission (JSON of engine.Submission). Lists leave both out.
	Records []engine.Fact   `json:"records,omitempty"`
	Plan    json.RawMessage `json:"-"`
	By      string          `json:"by"`
	At      time.Time       `json:"at"`
}

// AuditEntry is one action: who did what, when, to what, with the values
// before and after for changes of data.
type AuditEntry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Role       Role            `json:"role,omitempty"`
	Action     string          `json:"action"`
	Round      int64           `json:"round,omitempty"`
	Department string          `json:"department,omitempty"`
	Subject    string          `json:"subject,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// AuditQuery selects audit entries; zero fields select all. Entries come
// newest first.
type AuditQuery struct {
	Round      int64
	Department string
	Action     string
	Before     int64 // entries with a smaller id (paging)
	Limit      int
}

// Token is an API token; only its hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Hash       []byte     `json:"-"` // SHA-256 of the secret
	Role       Role       `json:"role"`
	Department string     `json:"department,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Consolidation is one consolidation run of a round and its outcome.
type Consolidation struct {
	ID    int64  `json:"id"`
	Round int64  `json:"round"`
	State string `json:"state"` // queued, done, failed
	// Result is the JSON of the company totals and the gap register.
	Result json.RawMessage `json:"result,omitempty"`
	// Summary is the blob of the finance summary workbook.
	Summary string     `json:"summary,omitempty"`
	Error   string     `json:"error,omitempty"`
	At      time.Time  `json:"at"`
	Done    *time.Time `json:"done_at,omitempty"`
}

// Explanation is what a department said about a line's variance in a
// closed month, harvested from its Actuals vs Plan tab (an uploaded
// workbook, its spreadsheet, or the spreadsheet read back before aop
// writes the tab again). The latest of a line is its current one; an
// empty Text withdraws what was said before.
type Explanation struct {
	ID         int64  `json:"id"`
	Cycle      string `json:"cycle"`
	Department string `json:"department"`
	Account    string `json:"account"`
	// Month is the closed fiscal month it explains (1 to 12).
	Month int    `json:"month"`
	Text  string `json:"text"`
	// Sheet and Cell are where it was typed; Source is the blob of the
	// workbook or the values it was read from, stored before they were.
	Sheet  string    `json:"sheet"`
	Cell   string    `json:"cell"`
	Source string    `json:"source"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ActualsImport is one period's actuals as an import brought them, kept
// for good: a later import of the period replaces it as the current one
// and leaves it in the history.
type ActualsImport struct {
	ID     int64  `json:"id"`
	Cycle  string `json:"cycle"`
	Period string `json:"period"` // "FY2027-P03", or "FY2022" for a year
	// Set is the JSON of the period's engine/actuals.Set.
	Set json.RawMessage `json:"-"`
	// Source is the blob of the file it came from, stored before it was
	// read; Filename its name as sent.
	Source   string     `json:"source"`
	Filename string     `json:"filename"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
	Replaced *time.Time `json:"replaced_at,omitempty"`
}

// CloseRun is one monthly close of a cycle: the review of a state of its
// actuals (Digest) and what it wrote. A close runs once per state: the
// schedule finding the same actuals again writes nothing.
type CloseRun struct {
	ID     int64  `json:"id"`
	Cycle  string `json:"cycle"`
	Period string `json:"period"` // the last closed month
	// Digest is the SHA-256 of the current actuals it reviewed.
	Digest string `json:"digest"`
	// Round is the round whose plans it compared with.
	Round int64  `json:"round"`
	State string `json:"state"` // running, done, failed
	// Report is the JSON of the engine/review.Report.
	Report json.RawMessage `json:"report,omitempty"`
	// Summary is the blob of the finance close workbook.
	Summary string     `json:"summary,omitempty"`
	Error   string     `json:"error,omitempty"`
	At      time.Time  `json:"at"`
	Done    *time.Time `json:"done_at,omitempty"`
}
