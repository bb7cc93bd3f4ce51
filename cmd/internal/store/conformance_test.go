package store_test

import (
	"aop/cmd/internal/pgtest"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
	"aop/cmd/internal/store"
	"aop/engine"
)

// The conformance suite: every store must pass it. It runs on SQLite
// always and on PostgreSQL when AOP_TEST_POSTGRES_URL names a server
// (.ci/postgres starts one); in CI a missing server fails the run.

// at is a time as callers pass them: not UTC, and finer than microseconds.
var at = time.Date(2025, 3, 14, 9, 26, 53, 589793500, time.FixedZone("CET", 3600))

// noSuchID is an id no test stores.
const noSuchID = int64(1) << 40

// stored is a time as the store returns it.
func stored(t time.Time) time.Time { return t.Round(time.Microsecond).UTC() }

func ptr[T any](v T) *T { return &v }

// txCases take a plan.Tx, and run twice: on the Store's own methods and
// inside one InTx.
var txCases = []struct {
	name string
	run  func(*testing.T, plan.Tx)
}{
	{"blobs", testBlobs},
	{"cycles", testCycles},
	{"rounds", testRounds},
	{"department_states", testDepartmentStates},
	{"submissions", testSubmissions},
	{"audit", testAudit},
	{"tokens", testTokens},
	{"nonces", testNonces},
	{"once", testOnce},
	{"consolidations", testConsolidations},
	{"actuals", testActuals},
	{"explanations", testExplanations},
	{"closes", testCloses},
	{"schedule_runs", testScheduleRuns},
}

// storeCases need the Store: transactions and concurrency.
var storeCases = []struct {
	name         string
	run          func(*testing.T, *store.Store)
	postgresOnly bool
}{
	{name: "large_blob", run: testLargeBlob},
	{name: "in_tx_commits_and_rolls_back", run: testRollback},
	{name: "concurrent_add_submission", run: testConcurrentAddSubmission},
	{name: "concurrent_once", run: testConcurrentOnce},
	{name: "no_lost_updates", run: testNoLostUpdates},
	{name: "quota_slots", run: testQuotaSlots},
	{name: "concurrent_quota_slots", run: testConcurrentQuotaSlots},
	// SQLite has one connection, so its transactions cannot deadlock.
	{name: "deadlock_retried", run: testDeadlockRetried, postgresOnly: true},
}

func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		conform(t, store.SQLite, func(t *testing.T) *store.Store {
			s := openStore(t, filepath.Join(t.TempDir(), "aop.db"))
			require.NoError(t, s.Migrate(t.Context()))
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		db := postgresDatabase(t)
		require.NoError(t, openStore(t, db).Migrate(t.Context()))
		conform(t, store.Postgres, func(t *testing.T) *store.Store {
			s := openStore(t, db)
			_, err := s.Pool().Exec(t.Context(), `TRUNCATE blobs, cycles, rounds, submissions, department_states, audit,
				tokens, nonces, effects, consolidations, quota_slots, actuals, closes, schedule_runs RESTART IDENTITY CASCADE`)
			require.NoError(t, err)
			return s
		})
	})
}

// conform runs the suite; fresh returns an empty, migrated store.
func conform(t *testing.T, dialect string, fresh func(*testing.T) *store.Store) {
	for _, c := range txCases {
		t.Run(c.name, func(t *testing.T) {
			t.Run("store", func(t *testing.T) { c.run(t, fresh(t)) })
			t.Run("in_tx", func(t *testing.T) {
				s := fresh(t)
				require.NoError(t, s.InTx(t.Context(), func(tx plan.Tx) error {
					c.run(t, tx)
					return nil
				}))
			})
		})
	}
	for _, c := range storeCases {
		if c.postgresOnly && dialect != store.Postgres {
			continue
		}
		t.Run(c.name, func(t *testing.T) { c.run(t, fresh(t)) })
	}
}

func testBlobs(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	data := []byte("a workbook's bytes")
	h := sha256.Sum256(data)

	sum, err := tx.PutBlob(ctx, data)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(h[:]), sum)
	again, err := tx.PutBlob(ctx, bytes.Clone(data))
	require.NoError(t, err, "storing the same bytes again")
	require.Equal(t, sum, again)

	got, err := tx.Blob(ctx, sum)
	require.NoError(t, err)
	require.Equal(t, data, got)

	empty, err := tx.PutBlob(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty)
	got, err = tx.Blob(ctx, empty)
	require.NoError(t, err)
	require.Equal(t, []byte{}, got)

	_, err = tx.Blob(ctx, "0000")
	require.ErrorIs(t, err, plan.ErrNotFound)
}

func testCycles(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	c := plan.Cycle{ID: "fy26", Name: "fy26.yaml", Source: []byte("cycle: fy26\n"), LoadedAt: at, LoadedBy: "alice"}
	require.NoError(t, tx.PutCycle(ctx, c))
	got, err := tx.Cycle(ctx, "fy26")
	require.NoError(t, err)
	c.LoadedAt = stored(at)
	require.Equal(t, c, got)

	c = plan.Cycle{ID: "fy26", Name: "fy26-v2.yaml", Source: []byte("cycle: fy26 # v2\n"), LoadedAt: at.Add(time.Hour), LoadedBy: "bob"}
	require.NoError(t, tx.PutCycle(ctx, c), "replacing a cycle")
	got, err = tx.Cycle(ctx, "fy26")
	require.NoError(t, err)
	c.LoadedAt = stored(c.LoadedAt)
	require.Equal(t, c, got)

	require.NoError(t, tx.PutCycle(ctx, plan.Cycle{ID: "a-first", Name: "a.yaml", Source: []byte("x"), LoadedAt: at, LoadedBy: "carol"}))
	list, err := tx.Cycles(ctx)
	require.NoError(t, err)
	require.Equal(t, []plan.Cycle{
		{ID: "a-first", Name: "a.yaml", LoadedAt: stored(at), LoadedBy: "carol"},
		{ID: "fy26", Name: "fy26-v2.yaml", LoadedAt: stored(at.Add(time.Hour)), LoadedBy: "bob"},
	}, list, "by id, without sources")

	_, err = tx.Cycle(ctx, "fy99")
	require.ErrorIs(t, err, plan.ErrNotFound)
}

// newRound stores a cycle and an open round of it with the departments.
func newRound(t *testing.T, tx plan.Tx, cycle string, depts ...string) plan.Round {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, tx.PutCycle(ctx, plan.Cycle{ID: cycle, Name: cycle + ".yaml", Source: []byte(cycle), LoadedAt: at}))
	r := plan.Round{Cycle: cycle, Name: "Round of " + cycle, Departments: depts, Due: at.Add(7 * 24 * time.Hour),
		State: plan.RoundOpen, OpenedAt: at}
	require.NoError(t, tx.CreateRound(ctx, &r))
	require.NotZero(t, r.ID)
	return r
}

// asStored is r as the store returns it.
func asStored(r plan.Round) plan.Round {
	r.Due, r.OpenedAt = stored(r.Due), stored(r.OpenedAt)
	if r.ClosedAt != nil {
		r.ClosedAt = ptr(stored(*r.ClosedAt))
	}
	return r
}

func testRounds(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	r1 := newRound(t, tx, "fy26", "sales", "it")
	r2 := newRound(t, tx, "fy27", "it")
	r3 := newRound(t, tx, "fy26", "hr")
	require.Equal(t, plan.BackendXLSX, r1.Backend, "a round without a backend runs on .xlsx")
	sheets := plan.Round{Cycle: "fy26", Name: "In Google Sheets", Departments: []string{"it"}, Due: at.Add(time.Hour),
		State: plan.RoundOpen, OpenedAt: at, Backend: plan.BackendSheets}
	require.NoError(t, tx.CreateRound(ctx, &sheets))

	got, err := tx.Round(ctx, r1.ID)
	require.NoError(t, err)
	require.Equal(t, asStored(r1), got)
	got, err = tx.Round(ctx, sheets.ID)
	require.NoError(t, err)
	require.Equal(t, asStored(sheets), got)

	closed := r1
	closed.State, closed.ClosedAt = plan.RoundClosed, ptr(at.Add(24*time.Hour))
	closed.Name = "not stored: UpdateRound changes state and closing time"
	require.NoError(t, tx.UpdateRound(ctx, closed))
	got, err = tx.Round(ctx, r1.ID)
	require.NoError(t, err)
	r1.State, r1.ClosedAt = closed.State, closed.ClosedAt
	require.Equal(t, asStored(r1), got)

	list, err := tx.Rounds(ctx, "fy26")
	require.NoError(t, err)
	require.Equal(t, []plan.Round{asStored(sheets), asStored(r3), asStored(r1)}, list, "newest first")
	list, err = tx.Rounds(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []plan.Round{asStored(sheets), asStored(r3), asStored(r2), asStored(r1)}, list)
	list, err = tx.Rounds(ctx, "fy99")
	require.NoError(t, err)
	require.Empty(t, list)

	_, err = tx.Round(ctx, noSuchID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.UpdateRound(ctx, plan.Round{ID: noSuchID, State: plan.RoundClosed}), plan.ErrNotFound)
}

func testDepartmentStates(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	r := newRound(t, tx, "fy26", "sales", "it", "finance")
	other := newRound(t, tx, "fy26", "it")

	states, err := tx.DepartmentStates(ctx, r.ID)
	require.NoError(t, err)
	var want []plan.DepartmentState
	for _, d := range []string{"sales", "it", "finance"} {
		want = append(want, plan.DepartmentState{Round: r.ID, Department: d, Status: plan.NotStarted, UpdatedAt: stored(at)})
	}
	require.Equal(t, want, states, "NotStarted, in the round's order")

	d, err := tx.DepartmentState(ctx, r.ID, "it")
	require.NoError(t, err)
	require.Equal(t, want[1], d)

	wb, err := tx.PutBlob(ctx, []byte("workbook for it"))
	require.NoError(t, err)
	sub := plan.Submission{Round: r.ID, Department: "it", Key: "k", Blob: wb, State: plan.Accepted, At: at}
	_, err = tx.AddSubmission(ctx, &sub)
	require.NoError(t, err)
	d = plan.DepartmentState{Round: r.ID, Department: "it", Status: plan.Approved, Locked: true, Current: sub.ID,
		Comment: "fine", UpdatedAt: at.Add(time.Hour), Reminded: ptr(at.Add(2 * time.Hour)), Workbook: wb}
	require.NoError(t, tx.UpdateDepartmentState(ctx, d))
	got, err := tx.DepartmentState(ctx, r.ID, "it")
	require.NoError(t, err)
	d.UpdatedAt, d.Reminded = stored(d.UpdatedAt), ptr(stored(*d.Reminded))
	require.Equal(t, d, got)

	d.Spreadsheet = plan.Spreadsheet{Name: "fy26 round 1 it"}
	require.NoError(t, tx.UpdateDepartmentState(ctx, d), "a spreadsheet being created")
	got, err = tx.DepartmentState(ctx, r.ID, "it")
	require.NoError(t, err)
	require.Equal(t, d, got)
	d.Spreadsheet = plan.Spreadsheet{Name: "fy26 round 1 it", ID: "1AbC", URL: "https://docs.google.com/spreadsheets/d/1AbC/edit",
		Checked: true, Summary: true}
	require.NoError(t, tx.UpdateDepartmentState(ctx, d), "a spreadsheet made, checked, with its Summary tab")
	got, err = tx.DepartmentState(ctx, r.ID, "it")
	require.NoError(t, err)
	require.Equal(t, d, got)

	d = plan.DepartmentState{Round: r.ID, Department: "it", Status: plan.InProgress, UpdatedAt: at.Add(3 * time.Hour)}
	require.NoError(t, tx.UpdateDepartmentState(ctx, d), "clearing current, comment, reminder, workbook and spreadsheet")
	got, err = tx.DepartmentState(ctx, r.ID, "it")
	require.NoError(t, err)
	d.UpdatedAt = stored(d.UpdatedAt)
	require.Equal(t, d, got)

	untouched, err := tx.DepartmentState(ctx, other.ID, "it")
	require.NoError(t, err)
	require.Equal(t, plan.NotStarted, untouched.Status, "the same department in another round")

	_, err = tx.DepartmentState(ctx, r.ID, "hr")
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.UpdateDepartmentState(ctx, plan.DepartmentState{Round: r.ID, Department: "hr"}), plan.ErrNotFound)
	states, err = tx.DepartmentStates(ctx, noSuchID)
	require.NoError(t, err)
	require.Empty(t, states)
}

func testSubmissions(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	r1 := newRound(t, tx, "fy26", "sales", "it")
	r2 := newRound(t, tx, "fy26", "sales")
	blob, err := tx.PutBlob(ctx, []byte("workbook"))
	require.NoError(t, err)
	add := func(s *plan.Submission) {
		t.Helper()
		added, err := tx.AddSubmission(ctx, s)
		require.NoError(t, err)
		require.True(t, added)
		require.NotZero(t, s.ID)
	}

	amount := decimal.RequireFromString("1234.5")
	s1 := plan.Submission{Round: r1.ID, Department: "sales", Key: "upload/1", Blob: blob, Filename: "sales.xlsx", Size: 8,
		Source: "upload", State: plan.Accepted, Warnings: 1,
		Findings: []engine.Finding{{Sheet: "Plan", Cell: "F12", Level: engine.Warning, Message: "twice last year", Rule: "growth"}},
		Records: []engine.Fact{{Sheet: "Plan", Cell: "F12", Kind: "amount", Field: "q1", Value: "1 234,5", Account: "6000",
			Period: 3, Dims: map[string]string{"region": "EU"}, Amount: &amount}},
		Plan: json.RawMessage(`{"department": "sales",  "lines": [1, 2]}`),
		By:   "alice", At: at}
	add(&s1)
	got, err := tx.Submission(ctx, s1.ID)
	require.NoError(t, err)
	want1 := s1
	want1.At = stored(at)
	require.Equal(t, want1, got, "every field, the plan byte for byte")

	dup := plan.Submission{Round: r1.ID, Department: "it", Key: "upload/1", Blob: blob, Filename: "other.xlsx",
		State: plan.Received, By: "bob", At: at.Add(time.Hour)}
	added, err := tx.AddSubmission(ctx, &dup)
	require.NoError(t, err)
	require.False(t, added, "a stored key")
	require.Equal(t, want1, dup, "filled with the stored submission")

	s2 := plan.Submission{Round: r1.ID, Department: "it", Key: "webhook/2", Blob: blob, Filename: "it.xlsx", Size: 8,
		Source: "webhook", State: plan.Received, By: "sheet", At: at.Add(time.Minute)}
	add(&s2)
	s3 := plan.Submission{Round: r2.ID, Department: "sales", Key: "upload/3", Blob: blob, Source: "upload",
		State: plan.Received, At: at.Add(2 * time.Minute)}
	add(&s3)
	s4 := plan.Submission{Round: r1.ID, Department: "sales", Key: "upload/4", Blob: blob, Source: "upload",
		State: plan.Received, At: at.Add(3 * time.Minute)}
	add(&s4)
	got, err = tx.Submission(ctx, s2.ID)
	require.NoError(t, err)
	want2 := s2
	want2.At = stored(want2.At)
	require.Equal(t, want2, got, "no findings, records or plan")

	parsed := s2
	parsed.State, parsed.Problem, parsed.Errors, parsed.Explained = plan.Rejected, "tampered", 1, 2
	parsed.Findings = []engine.Finding{{Level: engine.Error, Message: "the workbook was changed outside its cells"}}
	parsed.Records = []engine.Fact{}
	parsed.Filename, parsed.By = "not stored.xlsx", "not stored"
	require.NoError(t, tx.UpdateSubmission(ctx, parsed))
	got, err = tx.Submission(ctx, s2.ID)
	require.NoError(t, err)
	want2.State, want2.Problem, want2.Errors, want2.Explained = parsed.State, parsed.Problem, parsed.Errors, parsed.Explained
	want2.Findings, want2.Records = parsed.Findings, parsed.Records
	require.Equal(t, want2, got, "the outcome of parsing, and nothing else")

	parsed.Plan, parsed.Records = json.RawMessage(`{"a":1}`), nil
	require.NoError(t, tx.UpdateSubmission(ctx, parsed))
	got, err = tx.Submission(ctx, s2.ID)
	require.NoError(t, err)
	require.Equal(t, json.RawMessage(`{"a":1}`), got.Plan)
	require.Nil(t, got.Records)

	listed := func(s plan.Submission) plan.Submission {
		s.At, s.Records, s.Plan = stored(s.At), nil, nil
		return s
	}
	list, err := tx.Submissions(ctx, r1.ID, "")
	require.NoError(t, err)
	require.Equal(t, []plan.Submission{listed(s4), listed(got), listed(s1)}, list,
		"newest first, with findings, without records or plan")
	list, err = tx.Submissions(ctx, r1.ID, "sales")
	require.NoError(t, err)
	require.Equal(t, []plan.Submission{listed(s4), listed(s1)}, list)
	list, err = tx.Submissions(ctx, r2.ID, "it")
	require.NoError(t, err)
	require.Empty(t, list)

	list, err = tx.SubmissionsIn(ctx, plan.Received)
	require.NoError(t, err)
	require.Equal(t, []plan.Submission{listed(s3), listed(s4)}, list, "oldest first, across rounds")

	_, err = tx.Submission(ctx, noSuchID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.UpdateSubmission(ctx, plan.Submission{ID: noSuchID}), plan.ErrNotFound)
}

func testAudit(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	e1 := plan.AuditEntry{At: at, Actor: "alice", Role: plan.FinanceAdmin, Action: "round.open", Round: 7,
		Subject: "round 7", After: json.RawMessage(`{"state": "open"}`)}
	e2 := plan.AuditEntry{At: at.Add(time.Minute), Actor: "sheet-1", Action: "submission.receive", Round: 7,
		Department: "sales", Subject: "submission 3", Before: json.RawMessage(`{"a":1}`), After: json.RawMessage(`{"a": 2}`)}
	e3 := plan.AuditEntry{At: at.Add(2 * time.Minute), Actor: "aop", Role: plan.FinanceAdmin, Action: "token.create",
		Subject: "token ci"}
	for _, e := range []*plan.AuditEntry{&e1, &e2, &e3} {
		require.NoError(t, tx.AddAudit(ctx, e))
		require.NotZero(t, e.ID)
		e.At = stored(e.At)
	}

	for _, c := range []struct {
		q    plan.AuditQuery
		want []plan.AuditEntry
	}{
		{plan.AuditQuery{}, []plan.AuditEntry{e3, e2, e1}},
		{plan.AuditQuery{Round: 7}, []plan.AuditEntry{e2, e1}},
		{plan.AuditQuery{Round: 7, Department: "sales"}, []plan.AuditEntry{e2}},
		{plan.AuditQuery{Department: "sales"}, []plan.AuditEntry{e2}},
		{plan.AuditQuery{Action: "round.open"}, []plan.AuditEntry{e1}},
		{plan.AuditQuery{Before: e3.ID}, []plan.AuditEntry{e2, e1}},
		{plan.AuditQuery{Limit: 1}, []plan.AuditEntry{e3}},
		{plan.AuditQuery{Before: e3.ID, Limit: 1}, []plan.AuditEntry{e2}},
		{plan.AuditQuery{Round: 8}, nil},
	} {
		got, err := tx.Audit(ctx, c.q)
		require.NoError(t, err)
		require.Equal(t, c.want, got, "%+v", c.q)
	}
}

func testTokens(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	hash := func(secret string) []byte {
		h := sha256.Sum256([]byte(secret))
		return h[:]
	}
	k1 := plan.Token{Name: "ci", Hash: hash("s1"), Role: plan.FinanceAdmin, CreatedAt: at}
	k2 := plan.Token{Name: "sales", Hash: hash("s2"), Role: plan.DepartmentRole, Department: "sales", CreatedAt: at.Add(time.Minute)}
	for _, k := range []*plan.Token{&k1, &k2} {
		require.NoError(t, tx.AddToken(ctx, k))
		require.NotZero(t, k.ID)
		k.CreatedAt = stored(k.CreatedAt)
	}

	got, err := tx.TokenByHash(ctx, hash("s2"))
	require.NoError(t, err)
	require.Equal(t, k2, got)
	list, err := tx.Tokens(ctx)
	require.NoError(t, err)
	require.Equal(t, []plan.Token{k1, k2}, list)

	require.NoError(t, tx.RevokeToken(ctx, k1.ID, at.Add(time.Hour)))
	require.NoError(t, tx.RevokeToken(ctx, k1.ID, at.Add(2*time.Hour)), "revoking twice")
	got, err = tx.TokenByHash(ctx, hash("s1"))
	require.NoError(t, err, "a revoked token is found")
	k1.RevokedAt = ptr(stored(at.Add(time.Hour)))
	require.Equal(t, k1, got, "revoked when first revoked")

	_, err = tx.TokenByHash(ctx, hash("s3"))
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.RevokeToken(ctx, noSuchID, at), plan.ErrNotFound)
}

func testNonces(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	use := func(nonce string, seen, forgetBefore time.Duration, want bool) {
		t.Helper()
		fresh, err := tx.UseNonce(ctx, nonce, at.Add(seen), at.Add(forgetBefore))
		require.NoError(t, err)
		require.Equal(t, want, fresh, "nonce %s at +%v", nonce, seen)
	}
	use("n1", 0, -5*time.Minute, true)
	use("n1", time.Minute, -4*time.Minute, false)
	use("n2", 10*time.Minute, 5*time.Minute, true) // forgets n1
	use("n1", 11*time.Minute, 5*time.Minute, true)
	use("n2", 12*time.Minute, 10*time.Minute, false) // seen at forgetBefore: kept
	use("n2", 13*time.Minute, 10*time.Minute+time.Microsecond, true)
}

func testOnce(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	for _, c := range []struct {
		key   string
		first bool
	}{{"job/a", true}, {"job/a", false}, {"job/b", true}, {"job/a", false}} {
		first, err := tx.Once(ctx, c.key, at)
		require.NoError(t, err)
		require.Equal(t, c.first, first, c.key)
	}
}

func testConsolidations(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	r := newRound(t, tx, "fy26", "sales")
	other := newRound(t, tx, "fy26", "sales")
	summary, err := tx.PutBlob(ctx, []byte("summary workbook"))
	require.NoError(t, err)

	c1 := plan.Consolidation{Round: r.ID, State: "queued", At: at}
	require.NoError(t, tx.AddConsolidation(ctx, &c1))
	require.NotZero(t, c1.ID)
	got, err := tx.Consolidation(ctx, c1.ID)
	require.NoError(t, err)
	c1.At = stored(c1.At)
	require.Equal(t, c1, got)

	c1.State, c1.Result, c1.Summary, c1.Done = "done", json.RawMessage(`{"gap": [1, 2], "total": "10.50"}`), summary, ptr(at.Add(time.Minute))
	require.NoError(t, tx.UpdateConsolidation(ctx, c1))
	got, err = tx.Consolidation(ctx, c1.ID)
	require.NoError(t, err)
	c1.Done = ptr(stored(*c1.Done))
	require.Equal(t, c1, got)

	c2 := plan.Consolidation{Round: r.ID, State: "failed", Error: "department it has no plan", At: at.Add(2 * time.Minute)}
	require.NoError(t, tx.AddConsolidation(ctx, &c2))
	c2.At = stored(c2.At)
	list, err := tx.Consolidations(ctx, r.ID)
	require.NoError(t, err)
	c1.Result = nil
	require.Equal(t, []plan.Consolidation{c2, c1}, list, "newest first, without results")
	list, err = tx.Consolidations(ctx, other.ID)
	require.NoError(t, err)
	require.Empty(t, list)

	_, err = tx.Consolidation(ctx, noSuchID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.UpdateConsolidation(ctx, plan.Consolidation{ID: noSuchID}), plan.ErrNotFound)
}

func testLargeBlob(t *testing.T, s *store.Store) {
	ctx := t.Context()
	data := make([]byte, 20<<20)
	_, _ = mathrand.NewChaCha8([32]byte{1}).Read(data)
	h := sha256.Sum256(data)
	sum, err := s.PutBlob(ctx, data)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(h[:]), sum)
	got, err := s.Blob(ctx, sum)
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got), "20 MiB back as stored (got %d bytes)", len(got))
}

func testRollback(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var r plan.Round
	require.NoError(t, s.InTx(ctx, func(tx plan.Tx) error {
		r = newRound(t, tx, "fy26", "sales")
		return nil
	}))
	got, err := s.Round(ctx, r.ID)
	require.NoError(t, err, "committed")
	require.Equal(t, asStored(r), got)

	boom := errors.New("boom")
	var (
		blob          string
		other         plan.Round
		sub           plan.Submission
		consolidation plan.Consolidation
	)
	err = s.InTx(ctx, func(tx plan.Tx) error {
		var err error
		blob, err = tx.PutBlob(ctx, []byte("rolled back"))
		require.NoError(t, err)
		other = newRound(t, tx, "fy27", "it")
		sub = plan.Submission{Round: r.ID, Department: "sales", Key: "k", Blob: blob, State: plan.Accepted, At: at}
		_, err = tx.AddSubmission(ctx, &sub)
		require.NoError(t, err)
		d := plan.DepartmentState{Round: r.ID, Department: "sales", Status: plan.Submitted, Current: sub.ID, UpdatedAt: at}
		require.NoError(t, tx.UpdateDepartmentState(ctx, d))
		require.NoError(t, tx.UpdateRound(ctx, plan.Round{ID: r.ID, State: plan.RoundClosed, ClosedAt: &at}))
		require.NoError(t, tx.AddAudit(ctx, &plan.AuditEntry{At: at, Actor: "alice", Action: "x"}))
		require.NoError(t, tx.AddToken(ctx, &plan.Token{Name: "t", Hash: []byte("h"), Role: plan.FinanceViewer, CreatedAt: at}))
		_, err = tx.UseNonce(ctx, "n", at, at)
		require.NoError(t, err)
		_, err = tx.Once(ctx, "k", at)
		require.NoError(t, err)
		consolidation = plan.Consolidation{Round: r.ID, State: "queued", At: at}
		require.NoError(t, tx.AddConsolidation(ctx, &consolidation))
		return fmt.Errorf("the use case failed: %w", boom)
	})
	require.ErrorIs(t, err, boom, "fn's error, as it was")

	_, err = s.Blob(ctx, blob)
	require.ErrorIs(t, err, plan.ErrNotFound)
	_, err = s.Cycle(ctx, "fy27")
	require.ErrorIs(t, err, plan.ErrNotFound)
	_, err = s.Round(ctx, other.ID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	_, err = s.Submission(ctx, sub.ID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	_, err = s.Consolidation(ctx, consolidation.ID)
	require.ErrorIs(t, err, plan.ErrNotFound)
	got, err = s.Round(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, asStored(r), got, "the round still open")
	d, err := s.DepartmentState(ctx, r.ID, "sales")
	require.NoError(t, err)
	require.Equal(t, plan.DepartmentState{Round: r.ID, Department: "sales", Status: plan.NotStarted, UpdatedAt: stored(at)}, d)
	entries, err := s.Audit(ctx, plan.AuditQuery{})
	require.NoError(t, err)
	require.Empty(t, entries)
	tokens, err := s.Tokens(ctx)
	require.NoError(t, err)
	require.Empty(t, tokens)
	fresh, err := s.UseNonce(ctx, "n", at, at)
	require.NoError(t, err)
	require.True(t, fresh, "nonce forgotten with the transaction")
	first, err := s.Once(ctx, "k", at)
	require.NoError(t, err)
	require.True(t, first, "effect forgotten with the transaction")

	require.Panics(t, func() {
		_ = s.InTx(ctx, func(tx plan.Tx) error {
			_, err := tx.Once(ctx, "panicked", at)
			require.NoError(t, err)
			panic("use case bug")
		})
	})
	first, err = s.Once(ctx, "panicked", at)
	require.NoError(t, err, "the store still works after a panic in fn")
	require.True(t, first, "rolled back when fn panicked")
}

// parallel runs fn(i) for i in [0, n) at once and waits for them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func testConcurrentAddSubmission(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var r plan.Round
	require.NoError(t, s.InTx(ctx, func(tx plan.Tx) error {
		r = newRound(t, tx, "fy26", "sales")
		return nil
	}))
	blob, err := s.PutBlob(ctx, []byte("workbook"))
	require.NoError(t, err)

	const n = 20
	subs, added, errs := make([]plan.Submission, n), make([]bool, n), make([]error, n)
	parallel(n, func(i int) {
		subs[i] = plan.Submission{Round: r.ID, Department: "sales", Key: "the same key", Blob: blob,
			Filename: fmt.Sprintf("try-%d.xlsx", i), State: plan.Received, At: at}
		if i%2 == 0 {
			added[i], errs[i] = s.AddSubmission(ctx, &subs[i])
			return
		}
		errs[i] = s.InTx(ctx, func(tx plan.Tx) error {
			var err error
			added[i], err = tx.AddSubmission(ctx, &subs[i])
			return err
		})
	})
	list, err := s.Submissions(ctx, r.ID, "")
	require.NoError(t, err)
	require.Len(t, list, 1, "stored once")
	inserted := 0
	for i := range n {
		require.NoError(t, errs[i])
		if added[i] {
			inserted++
			require.Equal(t, list[0].ID, subs[i].ID)
			require.Equal(t, list[0].Filename, subs[i].Filename, "the one stored")
			continue
		}
		require.Equal(t, list[0], subs[i], "every other caller gets the stored submission")
	}
	require.Equal(t, 1, inserted, "one caller stored it")
}

func testConcurrentOnce(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var firsts atomic.Int32
	errs := make([]error, 20)
	parallel(len(errs), func(i int) {
		var first bool
		if i%2 == 0 {
			first, errs[i] = s.Once(ctx, "job/generate/7", at)
		} else {
			errs[i] = s.InTx(ctx, func(tx plan.Tx) error {
				var err error
				first, err = tx.Once(ctx, "job/generate/7", at)
				return err
			})
		}
		if first {
			firsts.Add(1)
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), firsts.Load())
}

// testNoLostUpdates has use cases read and change one department at once:
// none may overwrite another's change.
func testNoLostUpdates(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var r plan.Round
	require.NoError(t, s.InTx(ctx, func(tx plan.Tx) error {
		r = newRound(t, tx, "fy26", "sales")
		return nil
	}))
	const n = 20
	errs := make([]error, n)
	parallel(n, func(i int) {
		errs[i] = s.InTx(ctx, func(tx plan.Tx) error {
			d, err := tx.DepartmentState(ctx, r.ID, "sales")
			if err != nil {
				return err
			}
			count, _ := strconv.Atoi(d.Comment)
			time.Sleep(time.Millisecond)
			d.Comment = strconv.Itoa(count + 1)
			return tx.UpdateDepartmentState(ctx, d)
		})
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	d, err := s.DepartmentState(ctx, r.ID, "sales")
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(n), d.Comment)
}

// testDeadlockRetried makes two transactions lock two departments in
// opposite orders: PostgreSQL aborts one, and InTx runs it again.
func testDeadlockRetried(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var r plan.Round
	require.NoError(t, s.InTx(ctx, func(tx plan.Tx) error {
		r = newRound(t, tx, "fy26", "a", "b")
		return nil
	}))
	var calls atomic.Int32
	lockedA, lockedB := make(chan struct{}), make(chan struct{})
	run := func(first, second string, mine, theirs chan struct{}) error {
		var once sync.Once
		return s.InTx(ctx, func(tx plan.Tx) error {
			calls.Add(1)
			if _, err := tx.DepartmentState(ctx, r.ID, first); err != nil {
				return err
			}
			once.Do(func() {
				close(mine)
				<-theirs
			})
			d, err := tx.DepartmentState(ctx, r.ID, second)
			if err != nil {
				return err
			}
			d.Comment += first
			return tx.UpdateDepartmentState(ctx, d)
		})
	}
	errs := make([]error, 2)
	parallel(2, func(i int) {
		if i == 0 {
			errs[i] = run("a", "b", lockedA, lockedB)
		} else {
			errs[i] = run("b", "a", lockedB, lockedA)
		}
	})
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, int32(3), calls.Load(), "one transaction ran twice")
	a, err := s.DepartmentState(ctx, r.ID, "a")
	require.NoError(t, err)
	b, err := s.DepartmentState(ctx, r.ID, "b")
	require.NoError(t, err)
	require.Equal(t, "b", a.Comment)
	require.Equal(t, "a", b.Comment)
}

func TestMigrations(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testMigrations(t, openStore(t, filepath.Join(t.TempDir(), "aop.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		testMigrations(t, openStore(t, postgresDatabase(t)))
	})
}

func testMigrations(t *testing.T, s *store.Store) {
	ctx := t.Context()
	empty, err := s.Empty(ctx)
	require.NoError(t, err)
	require.True(t, empty)

	err = s.Check(ctx)
	var schema *store.SchemaError
	require.ErrorAs(t, err, &schema)
	want := schema.Want
	require.Positive(t, want)
	require.EqualError(t, err, fmt.Sprintf(
		"database schema is at version 0, this aop needs %d: run `aop migrate --config <config file>`", want))
	empty, err = s.Empty(ctx)
	require.NoError(t, err)
	require.True(t, empty, "Check changes nothing")

	require.NoError(t, s.Migrate(ctx))
	empty, err = s.Empty(ctx)
	require.NoError(t, err)
	require.False(t, empty)
	require.NoError(t, s.Check(ctx))
	require.NoError(t, s.Migrate(ctx), "nothing left to apply")

	// A database an older aop migrated: its latest migration is missing.
	execSQL(t, s, fmt.Sprintf(`DELETE FROM aop_schema_version WHERE version_id = %d`, want))
	err = s.Check(ctx)
	require.ErrorAs(t, err, &schema)
	require.Equal(t, store.SchemaError{Have: want - 1, Want: want}, *schema)
	require.ErrorContains(t, err, fmt.Sprintf("database schema is at version %d, this aop needs %d: run `aop migrate", want-1, want))
	execSQL(t, s, fmt.Sprintf(`INSERT INTO aop_schema_version (version_id, is_applied) VALUES (%d, true)`, want))
	require.NoError(t, s.Check(ctx))

	// A database a newer aop migrated.
	execSQL(t, s, fmt.Sprintf(`INSERT INTO aop_schema_version (version_id, is_applied) VALUES (%d, true)`, want+1))
	err = s.Check(ctx)
	require.ErrorAs(t, err, &schema)
	require.Equal(t, store.SchemaError{Have: want + 1, Want: want}, *schema)
	require.ErrorContains(t, err, fmt.Sprintf("database schema is at version %d, newer than this aop knows (it needs %d)", want+1, want))
}

func TestOpen(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "data", "aop.db")
		s := openStore(t, path)
		require.Equal(t, store.SQLite, s.Dialect())
		require.NotNil(t, s.SQLDB())
		require.Nil(t, s.Pool())
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1",
		} {
			var got string
			require.NoError(t, s.SQLDB().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
			require.Equal(t, want, got, pragma)
		}
		require.Equal(t, 1, s.SQLDB().Stats().MaxOpenConnections)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.PutCycle(ctx, plan.Cycle{ID: "fy26", LoadedAt: at}))

		for _, u := range []string{"sqlite:" + path, "file:" + path} {
			other := openStore(t, u)
			_, err := other.Cycle(ctx, "fy26")
			require.NoError(t, err, "%s is the same database", u)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		s := openStore(t, postgresDatabase(t))
		require.Equal(t, store.Postgres, s.Dialect())
		require.NotNil(t, s.Pool())
		require.Nil(t, s.SQLDB())
	})
}

// openStore opens the store at url, closed when the test ends.
func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), url, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// execSQL runs a statement on the store's database.
func execSQL(t *testing.T, s *store.Store, q string) {
	t.Helper()
	var err error
	if s.Pool() != nil {
		_, err = s.Pool().Exec(t.Context(), q)
	} else {
		_, err = s.SQLDB().ExecContext(t.Context(), q)
	}
	require.NoError(t, err, q)
}

func postgresDatabase(t *testing.T) string { return pgtest.Database(t, "aop_test") }

// testQuotaSlots checks the GCRA reservation: a bucket hands out now when
// idle, then times an interval apart, and buckets are apart.
func testQuotaSlots(t *testing.T, s *store.Store) {
	ctx := t.Context()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	second := time.Second
	reserve := func(bucket string, at time.Time) time.Time {
		t.Helper()
		got, err := s.Reserve(ctx, bucket, at, second)
		require.NoError(t, err)
		return got
	}
	require.Equal(t, now, reserve("sheets.read.user", now), "an idle bucket sends now")
	require.Equal(t, now.Add(second), reserve("sheets.read.user", now), "the next waits an interval")
	require.Equal(t, now.Add(2*second), reserve("sheets.read.user", now.Add(500*time.Millisecond)))
	require.Equal(t, now, reserve("sheets.write.user", now), "buckets are apart")
	later := now.Add(time.Hour)
	require.Equal(t, later, reserve("sheets.read.user", later), "a bucket idle since catches up with now")
	require.Equal(t, later.Add(second), reserve("sheets.read.user", later))
	sub := now.Add(123456789 * time.Nanosecond)
	require.Equal(t, sub.Truncate(time.Microsecond), reserve("fine", sub), "microseconds are kept")
}

// testConcurrentQuotaSlots books one bucket from many goroutines (many
// instances, on PostgreSQL): every reservation gets its own slot.
func testConcurrentQuotaSlots(t *testing.T, s *store.Store) {
	const n = 24
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	got := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = s.Reserve(t.Context(), "shared", now, time.Second) })
	}
	wg.Wait()
	seen := map[time.Time]bool{}
	for i := range n {
		require.NoError(t, errs[i])
		require.False(t, seen[got[i]], "slot %s handed out twice", got[i])
		seen[got[i]] = true
	}
	for i := range n {
		require.True(t, seen[now.Add(time.Duration(i)*time.Second)], "slot %d", i)
	}
}

func testActuals(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	newRound(t, tx, "fy27", "sales")
	newRound(t, tx, "fy28", "sales")
	src, err := tx.PutBlob(ctx, []byte("account,amount\n4000,100\n"))
	require.NoError(t, err)
	imp := func(cycle, period, set string, when time.Time) plan.ActualsImport {
		a := plan.ActualsImport{Cycle: cycle, Period: period, Set: json.RawMessage(set), Source: src, Filename: "gl.csv", By: "token:finance", At: when}
		require.NoError(t, tx.AddActuals(ctx, &a))
		require.NotZero(t, a.ID)
		a.At = stored(a.At)
		return a
	}
	p1 := imp("fy27", "FY2027-P01", `{"amounts": [1]}`, at)
	p2 := imp("fy27", "FY2027-P02", `{"amounts": [2]}`, at.Add(time.Minute))
	imp("fy28", "FY2028-P01", `{"amounts": [3]}`, at)
	again := imp("fy27", "FY2027-P01", `{"amounts": [4]}`, at.Add(time.Hour))

	current, err := tx.Actuals(ctx, "fy27", false)
	require.NoError(t, err)
	require.Equal(t, []plan.ActualsImport{again, p2}, current, "a re-import replaces the period's current import")

	all, err := tx.Actuals(ctx, "fy27", true)
	require.NoError(t, err)
	p1.Replaced = ptr(again.At)
	require.Equal(t, []plan.ActualsImport{again, p1, p2}, all, "the replaced import stays, marked, newest first within its period")
}

func testExplanations(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	newRound(t, tx, "fy27", "sales")
	newRound(t, tx, "fy28", "sales")
	src, err := tx.PutBlob(ctx, []byte("the sales workbook"))
	require.NoError(t, err)
	say := func(cycle, account string, month int, text string, when time.Time) plan.Explanation {
		e := plan.Explanation{Cycle: cycle, Department: "sales", Account: account, Month: month, Text: text,
			Sheet: "Actuals vs Plan", Cell: "T11", Source: src, By: "token:sales", At: when}
		require.NoError(t, tx.AddExplanation(ctx, &e))
		require.NotZero(t, e.ID)
		e.At = stored(e.At)
		return e
	}
	say("fy27", "6000", 3, "Offsite paid early", at)
	offsite := say("fy27", "6000", 3, "Offsite paid in the second month", at.Add(time.Minute))
	april := say("fy27", "6000", 4, "Back on plan", at.Add(time.Hour))
	say("fy27", "4000", 3, "A deal slipped", at)
	withdrawn := say("fy27", "4000", 3, "", at.Add(time.Hour))
	say("fy28", "6000", 3, "Another year", at)

	current, err := tx.Explanations(ctx, "fy27")
	require.NoError(t, err)
	require.Equal(t, []plan.Explanation{withdrawn, offsite, april}, current,
		"the latest said of each line, a withdrawal included, by department, account and month")
}

func testCloses(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	r := newRound(t, tx, "fy27", "sales")
	summary, err := tx.PutBlob(ctx, []byte("close workbook"))
	require.NoError(t, err)

	c1 := plan.CloseRun{Cycle: "fy27", Digest: "d1", Round: r.ID, State: "running", At: at}
	added, err := tx.AddCloseRun(ctx, &c1)
	require.NoError(t, err)
	require.True(t, added)
	require.NotZero(t, c1.ID)
	c1.At = stored(c1.At)

	same := plan.CloseRun{Cycle: "fy27", Digest: "d1", State: "running", At: at.Add(time.Hour)}
	added, err = tx.AddCloseRun(ctx, &same)
	require.NoError(t, err)
	require.False(t, added, "one close per state of the actuals")
	require.Equal(t, c1, same)

	c1.Period, c1.State, c1.Report, c1.Summary, c1.Done = "FY2027-P01", "done", json.RawMessage(`{"closed": 1}`), summary, ptr(stored(at.Add(time.Minute)))
	require.NoError(t, tx.UpdateCloseRun(ctx, c1))
	got, err := tx.CloseRun(ctx, c1.ID)
	require.NoError(t, err)
	require.Equal(t, c1, got)

	c2 := plan.CloseRun{Cycle: "fy27", Period: "FY2027-P02", Digest: "d2", Round: r.ID, State: "failed", Error: "no plan", At: at.Add(time.Hour)}
	_, err = tx.AddCloseRun(ctx, &c2)
	require.NoError(t, err)
	c2.At = stored(c2.At)
	list, err := tx.CloseRuns(ctx, "fy27")
	require.NoError(t, err)
	c1.Report = nil
	require.Equal(t, []plan.CloseRun{c2, c1}, list, "newest first, without reports")

	_, err = tx.CloseRun(ctx, 999)
	require.ErrorIs(t, err, plan.ErrNotFound)
	require.ErrorIs(t, tx.UpdateCloseRun(ctx, plan.CloseRun{ID: 999}), plan.ErrNotFound)
}

func testScheduleRuns(t *testing.T, tx plan.Tx) {
	ctx := t.Context()
	_, found, err := tx.LastRun(ctx, "close")
	require.NoError(t, err)
	require.False(t, found)
	require.NoError(t, tx.SetLastRun(ctx, "close", at))
	require.NoError(t, tx.SetLastRun(ctx, "remind", at.Add(time.Hour)))
	require.NoError(t, tx.SetLastRun(ctx, "close", at.Add(24*time.Hour)))
	last, found, err := tx.LastRun(ctx, "close")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, stored(at.Add(24*time.Hour)), last)
}
