package jobs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

// A crash child is the test binary run again with these variables set: it
// runs the queue on the named database until it is killed.
const (
	childKindVar = "AOP_JOBS_CRASH_CHILD_KIND"
	childDSNVar  = "AOP_JOBS_CRASH_CHILD_DSN"
)

// crashRescueAfter is RescueAfter in the crash test.
const crashRescueAfter = 2 * time.Second

// crashConfig is the queue of the crash test, in the children and after
// the last restart.
func crashConfig(db *testDB, out io.Writer) Config {
	cfg := db.cfg
	cfg.Handler = applyEffect(db, out)
	cfg.RescueAfter = crashRescueAfter
	cfg.RetryBase = 10 * time.Millisecond
	return cfg
}

// runChild is a crash child's main.
func runChild() int {
	ctx := context.Background()
	db, err := openDB(ctx, os.Getenv(childKindVar), os.Getenv(childDSNVar))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	q, err := New(crashConfig(db, &lockedWriter{w: os.Stdout}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := q.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	select {} // until killed
}

// lockedWriter keeps concurrent lines whole.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// applyEffect is the crash test's handler. It applies a job's effect (a
// row in effects) with its idempotency key (a row in applied) in one
// transaction, taking a little time before and inside it, and says on out
// when it starts.
func applyEffect(db *testDB, out io.Writer) func(ctx context.Context, j plan.Job) error {
	return func(ctx context.Context, j plan.Job) error {
		if out != nil {
			fmt.Fprintf(out, "start %s\n", j.Key)
		}
		time.Sleep(rand.N(30 * time.Millisecond))
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO applied (key) VALUES (?) ON CONFLICT DO NOTHING`), j.Key)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // applied before: nothing to do
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO effects (key) VALUES (?)`), j.Key); err != nil {
			return err
		}
		time.Sleep(rand.N(20 * time.Millisecond))
		return tx.Commit()
	}
}

// TestCrashAppliesEveryEffectOnce kills processes running the queue, in
// the middle of their jobs, five times in a row; a last process then
// completes every job, and every job's effect is applied exactly once.
func TestCrashAppliesEveryEffectOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in short mode")
	}
	eachDB(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		for _, stmt := range []string{
			`CREATE TABLE applied (key TEXT PRIMARY KEY)`,
			`CREATE TABLE effects (key TEXT NOT NULL)`,
		} {
			_, err := db.sql.ExecContext(ctx, stmt)
			require.NoError(t, err)
		}

		const n = 150
		enqueuer, err := New(db.cfg)
		require.NoError(t, err)
		ids := make(map[string]int64, n)
		for i := range n {
			key := fmt.Sprintf("effect/%03d", i)
			ids[key], err = enqueuer.Enqueue(ctx, plan.Job{Kind: plan.JobWriteBack, Key: key})
			require.NoError(t, err)
		}

		kills := time.Now()
		for round := 1; round <= 5; round++ {
			runAndKill(t, db, 5+rand.N(15))
		}
		killed := time.Since(kills)

		// Killed children left jobs running, and their keys still stand.
		var running int
		require.NoError(t, db.sql.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&running))
		assert.Positive(t, running, "no job was in flight when its process was killed")
		var appliedRunning int
		require.NoError(t, db.sql.QueryRowContext(ctx, `SELECT count(*) FROM river_job j JOIN applied a
			ON a.key = `+db.jsonKey("j.args")+` WHERE j.state = 'running'`).Scan(&appliedRunning))
		for key, id := range ids {
			again, err := enqueuer.Enqueue(ctx, plan.Job{Kind: plan.JobWriteBack, Key: key})
			require.NoError(t, err)
			assert.Equal(t, id, again, key)
		}

		// The last restart rescues the stuck jobs (once it is leader, when
		// the killed leader's term has run out) and completes them all.
		start := time.Now()
		q := startQueue(t, db, crashConfig(db, nil))
		rescued := 0
		for key, id := range ids {
			info := waitState(t, q, id, "completed", 45*time.Second)
			for _, e := range info.Errors {
				if strings.Contains(e, "Stuck job rescued") {
					rescued++
				}
			}
			assert.Equal(t, key, info.Job.Key)
		}
		t.Logf("%s: %d jobs stuck after 5 kills in %s (%d of them with their effect applied), all %d completed %s after the last restart",
			db.kind, running, killed.Round(100*time.Millisecond), appliedRunning, n, time.Since(start).Round(100*time.Millisecond))
		assert.Positive(t, rescued)
		assert.Positive(t, appliedRunning, "no kill fell between a job's commit and River's record of it")

		rows, err := db.sql.QueryContext(ctx, `SELECT key, count(*) FROM effects GROUP BY key`)
		require.NoError(t, err)
		defer rows.Close()
		applied := map[string]int{}
		for rows.Next() {
			var key string
			var count int
			require.NoError(t, rows.Scan(&key, &count))
			applied[key] = count
		}
		require.NoError(t, rows.Err())
		for key := range ids {
			assert.Equal(t, 1, applied[key], "effect of %s", key)
		}
		assert.Len(t, applied, n)
	})
}

// runAndKill runs a child process on db and kills it (SIGKILL) a moment
// after it has started its starts-th job.
func runAndKill(t *testing.T, db *testDB, starts int) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childKindVar+"="+db.kind, childDSNVar+"="+db.dsn)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	seen := make(chan struct{})
	go func() {
		lines, n := bufio.NewScanner(out), 0
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "start ") {
				if n++; n == starts {
					close(seen)
				}
			}
		}
	}()
	select {
	case <-seen:
		time.Sleep(rand.N(25 * time.Millisecond))
	case <-time.After(20 * time.Second):
		t.Errorf("child started fewer than %d jobs in 20 s; stderr:\n%s", starts, stderr.String())
	}
	require.NoError(t, cmd.Process.Kill())
	err = cmd.Wait()
	require.Error(t, err, "the child ended on its own; stderr:\n%s", stderr.String())
	require.Contains(t, err.Error(), "killed", "stderr:\n%s", stderr.String())
}
