package jobs

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

func TestMain(m *testing.M) {
	if os.Getenv(childKindVar) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// startQueue starts a queue on db with cfg's settings, stopped when the
// test ends.
func startQueue(t *testing.T, db *testDB, cfg Config) *Queue {
	t.Helper()
	cfg.SQLite, cfg.Postgres = db.cfg.SQLite, db.cfg.Postgres
	cfg.RetryBase = cmp.Or(cfg.RetryBase, 10*time.Millisecond)
	q, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, q.Start(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, q.Stop(ctx))
	})
	return q
}

// waitState waits until job id reaches state and returns its info.
func waitState(t *testing.T, q *Queue, id int64, state string, within time.Duration) plan.JobInfo {
	t.Helper()
	var info plan.JobInfo
	deadline := time.Now().Add(within)
	for {
		var err error
		info, err = q.Job(t.Context(), id)
		require.NoError(t, err)
		if info.State == state {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s after %s, want %s: %+v", id, info.State, within, state, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorder is a handler that records the jobs it ran.
type recorder struct {
	mu   sync.Mutex
	jobs []plan.Job
	fail func(j plan.Job, n int) error // the n-th run (from 1) of j fails with this
}

func (r *recorder) handle(_ context.Context, j plan.Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, j)
	if r.fail == nil {
		return nil
	}
	n := 0
	for _, k := range r.jobs {
		if k.Key == j.Key {
			n++
		}
	}
	return r.fail(j, n)
}

func (r *recorder) runs() []plan.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]plan.Job(nil), r.jobs...)
}

// done records OnDone's calls.
type done struct {
	mu    sync.Mutex
	calls []string
}

func (d *done) record(kind, state string, _ time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, kind+" "+state)
}

func (d *done) all() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

// logBuffer is a goroutine-safe buffer for a JSON logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the records with message msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func TestJobRuns(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var (
			rec  recorder
			dn   done
			logs logBuffer
		)
		q := startQueue(t, db, Config{Handler: rec.handle, OnDone: dn.record,
			Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		j := plan.Job{Kind: plan.JobProcessSubmission, Key: "process/7", Round: 3, Department: "sales", Submission: 7}
		before := time.Now().Add(-time.Second)
		id, err := q.Enqueue(t.Context(), j)
		require.NoError(t, err)

		info := waitState(t, q, id, "completed", 10*time.Second)
		assert.Equal(t, id, info.ID)
		assert.Equal(t, plan.JobProcessSubmission, info.Kind)
		assert.Equal(t, j, info.Job)
		assert.Equal(t, 1, info.Attempt)
		assert.Empty(t, info.Errors)
		assert.True(t, info.Created.After(before), "created %s", info.Created)
		require.NotNil(t, info.Done)
		assert.False(t, info.Done.Before(info.Created))
		assert.Equal(t, []plan.Job{j}, rec.runs())
		assert.Equal(t, []string{"process_submission completed"}, dn.all())

		for _, msg := range []string{"job started", "job completed"} {
			recs := logs.records(t, msg)
			require.Len(t, recs, 1, msg)
			assert.EqualValues(t, id, recs[0]["job_id"], msg)
			assert.Equal(t, plan.JobProcessSubmission, recs[0]["kind"], msg)
		}
	})
}

func TestFailingJobIsRetried(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var dn done
		rec := recorder{fail: func(_ plan.Job, n int) error {
			if n <= 2 {
				return fmt.Errorf("sheet unavailable (%d)", n)
			}
			return nil
		}}
		q := startQueue(t, db, Config{Handler: rec.handle, OnDone: dn.record})
		id, err := q.Enqueue(t.Context(), plan.Job{Kind: plan.JobWriteBack, Key: "write/1/sales"})
		require.NoError(t, err)

		info := waitState(t, q, id, "completed", 10*time.Second)
		assert.Equal(t, 3, info.Attempt)
		assert.Equal(t, []string{"sheet unavailable (1)", "sheet unavailable (2)"}, info.Errors)
		assert.Len(t, rec.runs(), 3)
		assert.Equal(t, []string{"write_back retryable", "write_back retryable", "write_back completed"}, dn.all())
	})
}

func TestPanicIsAFailure(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var logs logBuffer
		rec := recorder{fail: func(_ plan.Job, n int) error {
			if n == 1 {
				panic("nil map")
			}
			return nil
		}}
		q := startQueue(t, db, Config{Handler: rec.handle, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		id, err := q.Enqueue(t.Context(), plan.Job{Kind: plan.JobGenerate, Key: "generate/1/sales"})
		require.NoError(t, err)

		info := waitState(t, q, id, "completed", 10*time.Second)
		assert.Equal(t, []string{"panic: nil map"}, info.Errors)
		failed := logs.records(t, "job failed, will retry")
		require.Len(t, failed, 1)
		assert.Contains(t, failed[0]["stack"], "runtime/debug.Stack")
	})
}

func TestDiscardedJobMayBeEnqueuedAgain(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var dn done
		rec := recorder{fail: func(_ plan.Job, n int) error {
			if n <= 2 {
				return errors.New("workbook is corrupt")
			}
			return nil
		}}
		q := startQueue(t, db, Config{Handler: rec.handle, OnDone: dn.record, MaxAttempts: 2})
		j := plan.Job{Kind: plan.JobConsolidate, Key: "consolidate/4", Consolidation: 4}
		id, err := q.Enqueue(t.Context(), j)
		require.NoError(t, err)
		info := waitState(t, q, id, "discarded", 10*time.Second)
		assert.Equal(t, []string{"workbook is corrupt", "workbook is corrupt"}, info.Errors)
		assert.Equal(t, []string{"consolidate retryable", "consolidate discarded"}, dn.all())

		again, err := q.Enqueue(t.Context(), j)
		require.NoError(t, err)
		assert.NotEqual(t, id, again)
		waitState(t, q, again, "completed", 10*time.Second)
	})
}

func TestDuplicateKeysEnqueueOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var rec recorder
		cfg := db.cfg
		cfg.Handler = rec.handle
		cfg.RetryBase = 10 * time.Millisecond
		q, err := New(cfg)
		require.NoError(t, err)
		j := plan.Job{Kind: plan.JobGenerate, Key: "generate/1/sales/open", Round: 1, Department: "sales"}

		// Concurrent enqueues of one key, before the queue runs.
		ids := make([]int64, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				var err error
				ids[i], err = q.Enqueue(t.Context(), j)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id)
		}
		// The same key with other fields is the same job.
		other := j
		other.Department = "ops"
		id, err := q.Enqueue(t.Context(), other)
		require.NoError(t, err)
		assert.Equal(t, ids[0], id)
		// Another key is another job.
		second, err := q.Enqueue(t.Context(), plan.Job{Kind: plan.JobGenerate, Key: "generate/1/ops/open"})
		require.NoError(t, err)
		assert.NotEqual(t, ids[0], second)

		require.NoError(t, q.Start(t.Context()))
		t.Cleanup(func() { assert.NoError(t, q.Stop(context.Background())) })
		waitState(t, q, ids[0], "completed", 10*time.Second)
		waitState(t, q, second, "completed", 10*time.Second)

		// A completed job keeps its key.
		id, err = q.Enqueue(t.Context(), j)
		require.NoError(t, err)
		assert.Equal(t, ids[0], id)
		time.Sleep(200 * time.Millisecond)
		runs := 0
		for _, r := range rec.runs() {
			if r.Key == j.Key {
				runs++
				assert.Equal(t, j, r)
			}
		}
		assert.Equal(t, 1, runs)
	})
}

func TestUnknownJobIsNotFound(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		q, err := New(db.cfg)
		require.NoError(t, err)
		_, err = q.Job(t.Context(), 424242)
		require.ErrorIs(t, err, plan.ErrNotFound)
		assert.Equal(t, "job 424242 does not exist", err.Error())
	})
}

func TestPeriodicJobRuns(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		var rec recorder
		startQueue(t, db, Config{Handler: rec.handle,
			Periodic: []Periodic{{Every: time.Second, Job: plan.Job{Kind: plan.JobRemind, Key: "remind"}}}})
		deadline := time.Now().Add(15 * time.Second)
		for {
			keys := map[string]bool{}
			for _, j := range rec.runs() {
				assert.Equal(t, plan.JobRemind, j.Kind)
				assert.True(t, strings.HasPrefix(j.Key, "remind@"), j.Key)
				keys[j.Key] = true
			}
			if len(keys) >= 2 {
				return // two runs, each a job of its own
			}
			if time.Now().After(deadline) {
				t.Fatalf("periodic job ran as %v", keys)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

func TestStopLetsRunningJobsFinish(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		started := make(chan struct{}, 1)
		cfg := db.cfg
		cfg.Handler = func(ctx context.Context, _ plan.Job) error {
			started <- struct{}{}
			select {
			case <-time.After(300 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		q, err := New(cfg)
		require.NoError(t, err)
		require.NoError(t, q.Start(t.Context()))
		id, err := q.Enqueue(t.Context(), plan.Job{Kind: plan.JobWriteBack, Key: "write/slow"})
		require.NoError(t, err)
		<-started

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		require.NoError(t, q.Stop(ctx))
		info, err := q.Job(t.Context(), id)
		require.NoError(t, err)
		assert.Equal(t, "completed", info.State)
	})
}

func TestStopCancelsJobsAtTheDeadline(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *testDB) {
		started := make(chan struct{}, 1)
		cancelled := make(chan error, 1)
		cfg := db.cfg
		cfg.Handler = func(ctx context.Context, _ plan.Job) error {
			started <- struct{}{}
			<-ctx.Done()
			cancelled <- ctx.Err()
			return ctx.Err()
		}
		q, err := New(cfg)
		require.NoError(t, err)
		require.NoError(t, q.Start(t.Context()))
		_, err = q.Enqueue(t.Context(), plan.Job{Kind: plan.JobWriteBack, Key: "write/stuck"})
		require.NoError(t, err)
		<-started

		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		err = q.Stop(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		select {
		case err := <-cancelled:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(5 * time.Second):
			t.Fatal("the running job was not cancelled")
		}
	})
}

func TestMigrateAndCheck(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := newDB(t, kind, false)
			ctx := t.Context()

			err := Check(ctx, db.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "at version none")
			assert.Contains(t, err.Error(), "missing [1 2 3")

			// Part of the way, as an older build would have left it.
			if kind == "sqlite" {
				migrateTo(t, riversqlite.New(db.cfg.SQLite), 3)
			} else {
				migrateTo(t, riverpgxv5.New(db.cfg.Postgres), 3)
			}
			err = Check(ctx, db.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "at version 3,")
			assert.Contains(t, err.Error(), "missing [4 ")

			require.NoError(t, Migrate(ctx, db.cfg))
			require.NoError(t, Migrate(ctx, db.cfg), "migrating twice")
			require.NoError(t, Check(ctx, db.cfg))
		})
	}
}

func migrateTo[TTx any](t *testing.T, driver riverdriver.Driver[TTx], version int) {
	t.Helper()
	m, err := rivermigrate.New(driver, nil)
	require.NoError(t, err)
	_, err = m.Migrate(t.Context(), rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: version})
	require.NoError(t, err)
}

func TestConfigIsChecked(t *testing.T) {
	t.Parallel()
	db := newDB(t, "sqlite", true)
	handler := func(context.Context, plan.Job) error { return nil }
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no database", Config{Handler: handler}, "exactly one"},
		{"two databases", Config{SQLite: db.sql, Postgres: new(pgxpool.Pool), Handler: handler}, "exactly one"},
		{"timeout longer than rescue", Config{SQLite: db.sql, RescueAfter: time.Second, JobTimeout: 2 * time.Second}, "exceeds RescueAfter"},
		{"negative", Config{SQLite: db.sql, Workers: -1}, "negative"},
		{"short period", Config{SQLite: db.sql, Periodic: []Periodic{{Every: time.Millisecond, Job: plan.Job{Kind: plan.JobRemind, Key: "remind"}}}}, "at least a second"},
		{"periodic without key", Config{SQLite: db.sql, Periodic: []Periodic{{Every: time.Hour, Job: plan.Job{Kind: plan.JobRemind}}}}, "needs a kind and a key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	q, err := New(Config{SQLite: db.sql})
	require.NoError(t, err)
	require.ErrorContains(t, q.Start(t.Context()), "without a Handler")
	_, err = q.Enqueue(t.Context(), plan.Job{Kind: plan.JobGenerate})
	require.ErrorContains(t, err, "needs a kind and a key")
}

func TestArgsCarryEveryFieldOfAJob(t *testing.T) {
	t.Parallel()
	var j plan.Job
	v := reflect.ValueOf(&j).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("value %d", i))
		case reflect.Int64:
			f.SetInt(int64(i + 1))
		default:
			t.Fatalf("plan.Job.%s is a %s: teach args about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	a := newArgs(j)
	assert.Equal(t, j, a.job())
	stored, err := json.Marshal(a)
	require.NoError(t, err)
	plain, err := json.Marshal(j)
	require.NoError(t, err)
	assert.JSONEq(t, string(plain), string(stored), "River stores a plan.Job's JSON")
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	b := backoff{base: time.Second, max: 5 * time.Minute}
	for range 100 {
		assert.InDelta(t, float64(time.Second), float64(b.delay(1)), float64(200*time.Millisecond))
		assert.InDelta(t, float64(2*time.Second), float64(b.delay(2)), float64(400*time.Millisecond))
		assert.InDelta(t, float64(64*time.Second), float64(b.delay(7)), float64(13*time.Second))
		for _, n := range []int{10, 11, 25, 1000} {
			d := b.delay(n)
			assert.LessOrEqual(t, d, 5*time.Minute)
			assert.GreaterOrEqual(t, d, 4*time.Minute)
		}
	}
	row := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 2)}
	wait := time.Until(b.NextRetry(row))
	assert.InDelta(t, float64(4*time.Second), float64(wait), float64(time.Second), "third failure waits about 4 s")
}

func TestRunKey(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	key := runKey("remind", due, time.Hour)
	assert.Equal(t, "remind@2026-03-02T06:00:00Z", key)
	// River's leader runs a job up to 100 ms early, or late.
	assert.Equal(t, key, runKey("remind", due.Add(-100*time.Millisecond), time.Hour))
	assert.Equal(t, key, runKey("remind", due.Add(10*time.Minute), time.Hour))
	assert.Equal(t, "remind@2026-03-02T07:00:00Z", runKey("remind", aligned(time.Hour).Next(due), time.Hour))
	assert.Equal(t, "remind@2026-03-02T00:00:00Z", runKey("remind", aligned(24*time.Hour).Next(due.Add(-7*time.Hour)), 24*time.Hour))
}
