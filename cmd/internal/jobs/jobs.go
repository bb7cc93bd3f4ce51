// Package jobs runs the service's background work (harvests, write-backs,
// consolidations, reminders) durably on River, in the service's own
// database: SQLite for the embedded default, PostgreSQL at scale. It
// implements plan.Queue. An enqueued job survives a crash and runs at least
// once, so the handler the service gives applies each job's effect
// idempotently (through plan.Tx.Once).
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"aop/cmd/internal/plan"
)

// Defaults of Config.
const (
	DefaultWorkers     = 4
	DefaultRescueAfter = time.Minute
	DefaultMaxAttempts = 10
	DefaultRetryBase   = time.Second
	DefaultRetryMax    = 5 * time.Minute
)

// Config says where the queue keeps its jobs and how it runs them.
type Config struct {
	// SQLite is a modernc.org/sqlite database in WAL mode, opened by the
	// caller with SetMaxOpenConns(1) (River on SQLite fails with
	// SQLITE_BUSY otherwise) and shared with the service's store. Set
	// exactly one of SQLite and Postgres.
	SQLite *sql.DB
	// Postgres is a pgx pool on the service's database.
	Postgres *pgxpool.Pool

	// Handler applies a job's effect. A job may run more than once (after
	// a crash, a timeout or an error), so Handler must be idempotent. A
	// queue without a Handler can enqueue and look up jobs, not run them.
	Handler func(ctx context.Context, j plan.Job) error

	// Workers is how many jobs run at once in this process (DefaultWorkers
	// when zero).
	Workers int
	// RescueAfter is how long a job may stay running before River takes
	// it for the victim of a crash and runs it again (DefaultRescueAfter
	// when zero).
	RescueAfter time.Duration
	// JobTimeout cancels the context of a job that runs longer (half of
	// RescueAfter when zero; it may not exceed RescueAfter, or a job still
	// running would be rescued).
	JobTimeout time.Duration
	// MaxAttempts is how often a failing job runs before it is discarded
	// (DefaultMaxAttempts when zero).
	MaxAttempts int
	// RetryBase is the wait before the first retry; each further failure
	// doubles it, up to RetryMax, give or take a fifth at random so that
	// jobs that failed together do not retry together (DefaultRetryBase
	// and DefaultRetryMax when zero).
	RetryBase, RetryMax time.Duration

	// Logger receives one record when a job starts and one when it
	// finishes or fails, with job_id and kind, and River's own records
	// (component=river). Nothing is logged when nil.
	Logger *slog.Logger
	// Periodic jobs are enqueued by the process River elected leader.
	Periodic []Periodic
	// OnDone, when set, is called after each attempt with the plan.Job's
	// kind, the state the job moved to (completed, retryable or
	// discarded) and how long the attempt took: the hook for metrics.
	OnDone func(kind, state string, d time.Duration)
}

// Periodic is a job enqueued every Every. Runs fall on the multiples of
// Every counted from the zero time (a daily job runs at midnight UTC), and
// each run's Key is Job.Key followed by "@" and the run's time (RFC 3339,
// UTC), so the run is a job of its own that a second leader cannot enqueue
// twice, and its effect can be keyed by it.
type Periodic struct {
	// Every is at least a second.
	Every time.Duration
	Job   plan.Job
	// RunOnStart enqueues a run as soon as a process becomes the leader,
	// besides those on the multiples of Every: a job that catches up
	// on what a stopped service missed.
	RunOnStart bool
}

// Queue runs plan.Jobs on River; it implements plan.Queue.
type Queue struct {
	client  riverClient
	handler func(context.Context, plan.Job) error
	log     *slog.Logger
	onDone  func(kind, state string, d time.Duration)
}

var _ plan.Queue = (*Queue)(nil)

// riverClient is what Queue uses of a river.Client, whichever the driver.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// New returns a queue on the configured database. River's tables must be
// there (Migrate); the queue runs nothing until Start.
func New(cfg Config) (*Queue, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{handler: cfg.Handler, log: cfg.Logger, onDone: cfg.OnDone}

	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(q.work))
	periodic := make([]*river.PeriodicJob, len(cfg.Periodic))
	for i, p := range cfg.Periodic {
		periodic[i] = river.NewPeriodicJob(aligned(p.Every), p.next, &river.PeriodicJobOpts{RunOnStart: p.RunOnStart})
	}
	rc := &river.Config{
		Logger:               cfg.Logger.With("component", "river"),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		RetryPolicy:          backoff{base: cfg.RetryBase, max: cfg.RetryMax},
	}
	if cfg.SQLite != nil {
		// SQLite has no LISTEN/NOTIFY to wake the fetcher when a job is
		// inserted: poll often (a cheap indexed query), so that a webhook
		// submit completes in tens of milliseconds rather than a second.
		rc.FetchPollInterval, rc.FetchCooldown = 50*time.Millisecond, 10*time.Millisecond
		q.client, err = river.NewClient(riversqlite.New(cfg.SQLite), rc)
	} else {
		q.client, err = river.NewClient(riverpgxv5.New(cfg.Postgres), rc)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return q, nil
}

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if (cfg.SQLite == nil) == (cfg.Postgres == nil) {
		return cfg, errors.New("jobs: set exactly one of Config.SQLite and Config.Postgres")
	}
	if cfg.Workers < 0 || cfg.RescueAfter < 0 || cfg.JobTimeout < 0 || cfg.MaxAttempts < 0 || cfg.RetryBase < 0 || cfg.RetryMax < 0 {
		return cfg, errors.New("jobs: Config has a negative setting")
	}
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.RescueAfter = cmp.Or(cfg.RescueAfter, DefaultRescueAfter)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, cfg.RescueAfter/2)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.RetryBase = cmp.Or(cfg.RetryBase, DefaultRetryBase)
	cfg.RetryMax = cmp.Or(cfg.RetryMax, DefaultRetryMax)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.JobTimeout > cfg.RescueAfter {
		return cfg, fmt.Errorf("jobs: JobTimeout %s exceeds RescueAfter %s: a job still running would be run again", cfg.JobTimeout, cfg.RescueAfter)
	}
	if cfg.RetryMax < cfg.RetryBase {
		return cfg, fmt.Errorf("jobs: RetryMax %s is shorter than RetryBase %s", cfg.RetryMax, cfg.RetryBase)
	}
	for _, p := range cfg.Periodic {
		if p.Every < time.Second {
			return cfg, fmt.Errorf("jobs: periodic job %q: Every must be at least a second, got %s", p.Job.Key, p.Every)
		}
		if err := checkJob(p.Job); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// checkJob refuses a job that could not be told apart from others.
func checkJob(j plan.Job) error {
	if j.Kind == "" || j.Key == "" {
		return fmt.Errorf("jobs: a job needs a kind and a key, got kind %q key %q", j.Kind, j.Key)
	}
	return nil
}

// Enqueue stores a job to run and returns its id. A job whose Key is
// already waiting, running or completed is not stored again: Enqueue
// returns that job's id. A Key whose job was discarded (it failed
// MaxAttempts times) or cancelled may be enqueued anew.
//
// On SQLite, call Enqueue outside any transaction of the shared database:
// its one connection is taken until the transaction ends.
func (q *Queue) Enqueue(ctx context.Context, j plan.Job) (int64, error) {
	if err := checkJob(j); err != nil {
		return 0, err
	}
	res, err := q.client.Insert(ctx, newArgs(j), nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", j.Key, err)
	}
	return res.Job.ID, nil
}

// Job returns what a caller may see of a job; an unknown id is
// plan.NotFound. Completed jobs are kept 24 hours, discarded ones 7 days
// (River's defaults); after that they are unknown.
func (q *Queue) Job(ctx context.Context, id int64) (plan.JobInfo, error) {
	row, err := q.client.JobGet(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return plan.JobInfo{}, plan.NotFound("job", id)
	}
	if err != nil {
		return plan.JobInfo{}, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	var a args
	if err := json.Unmarshal(row.EncodedArgs, &a); err != nil {
		return plan.JobInfo{}, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	info := plan.JobInfo{
		ID:      row.ID,
		Kind:    a.JobKind,
		State:   string(row.State),
		Attempt: row.Attempt,
		Created: row.CreatedAt,
		Done:    row.FinalizedAt,
		Job:     a.job(),
	}
	for _, e := range row.Errors {
		info.Errors = append(info.Errors, e.Error)
	}
	return info, nil
}

// Start runs jobs in the background until Stop. Jobs' contexts carry ctx's
// values but not its cancellation: stopping is Stop's business, so that
// running jobs may finish.
func (q *Queue) Start(ctx context.Context) error {
	if q.handler == nil {
		return errors.New("jobs: a queue without a Handler cannot run jobs")
	}
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// cancelGrace is how long Stop waits for jobs to return once it has
// cancelled them.
const cancelGrace = 5 * time.Second

// Stop stops taking jobs and waits for the running ones to finish. Jobs
// still running when ctx is done are cancelled (their contexts end; they
// will run again) and Stop returns ctx's error.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	if cerr := q.client.StopAndCancel(cctx); cerr != nil {
		return fmt.Errorf("jobs: stop: %w", errors.Join(err, cerr))
	}
	return fmt.Errorf("jobs: stop: running jobs were cancelled and will run again: %w", err)
}

// work runs one attempt of a job: River's worker.
func (q *Queue) work(ctx context.Context, rj *river.Job[args]) error {
	j := rj.Args.job()
	log := q.log.With("job_id", rj.ID, "kind", j.Kind, "key", j.Key, "attempt", rj.Attempt)
	log.InfoContext(ctx, "job started")
	start := time.Now()
	stack, err := q.handle(ctx, j)
	d := time.Since(start)
	if stack != nil {
		log = log.With("stack", string(stack))
	}
	state := string(rivertype.JobStateCompleted)
	switch {
	case err == nil:
		log.InfoContext(ctx, "job completed", "duration_ms", d.Milliseconds())
	case rj.Attempt >= rj.MaxAttempts:
		state = string(rivertype.JobStateDiscarded)
		log.ErrorContext(ctx, "job failed for the last time", "duration_ms", d.Milliseconds(), "error", err)
	default:
		state = string(rivertype.JobStateRetryable)
		log.WarnContext(ctx, "job failed, will retry", "duration_ms", d.Milliseconds(), "error", err)
	}
	if q.onDone != nil {
		q.onDone(j.Kind, state, d)
	}
	return err
}

// handle calls the handler, turning a panic into an error so that the job
// is retried like any failure; the stack is for the log, not for the job's
// errors, which callers of Job see.
func (q *Queue) handle(ctx context.Context, j plan.Job) (stack []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			stack, err = debug.Stack(), fmt.Errorf("panic: %v", r)
		}
	}()
	return nil, q.handler(ctx, j)
}
