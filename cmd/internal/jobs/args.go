package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"aop/cmd/internal/plan"
)

// kind is River's kind for every plan.Job: the plan's own kind is a field,
// so one worker serves them all.
const kind = "aop"

// args is a plan.Job as River stores it. Its JSON is a plan.Job's; only the
// key counts for uniqueness.
type args struct {
	JobKind       string `json:"kind"`
	Key           string `json:"key" river:"unique"`
	Round         int64  `json:"round,omitempty"`
	Department    string `json:"department,omitempty"`
	Submission    int64  `json:"submission,omitempty"`
	Consolidation int64  `json:"consolidation,omitempty"`
	Cycle         string `json:"cycle,omitempty"`
	By            string `json:"by,omitempty"`
}

func newArgs(j plan.Job) args {
	return args{JobKind: j.Kind, Key: j.Key, Round: j.Round, Department: j.Department,
		Submission: j.Submission, Consolidation: j.Consolidation, Cycle: j.Cycle, By: j.By}
}

func (a args) job() plan.Job {
	return plan.Job{Kind: a.JobKind, Key: a.Key, Round: a.Round, Department: a.Department,
		Submission: a.Submission, Consolidation: a.Consolidation, Cycle: a.Cycle, By: a.By}
}

// Kind is River's kind of the job.
func (args) Kind() string { return kind }

// uniqueStates are the states in which a job keeps its Key from being
// enqueued again: every state but discarded and cancelled.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStateCompleted,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// InsertOpts makes a job unique by its key.
func (args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// aligned is a River schedule firing at the multiples of a duration,
// counted from the zero time, so that every process agrees on the runs.
type aligned time.Duration

// Next returns the first multiple after t.
func (a aligned) Next(t time.Time) time.Time {
	d := time.Duration(a)
	return t.Truncate(d).Add(d)
}

// next is the constructor of River's periodic job: the job of the run due
// now.
func (p Periodic) next() (river.JobArgs, *river.InsertOpts) {
	j := p.Job
	j.Key = runKey(p.Job.Key, time.Now(), p.Every)
	return newArgs(j), nil
}

// runKey is the key of a periodic job's run at now. River's leader calls
// the constructor up to 100 ms before a run is due, or a little after, so
// the run is the multiple of every nearest to now.
func runKey(key string, now time.Time, every time.Duration) string {
	return key + "@" + now.Round(every).UTC().Format(time.RFC3339)
}
