package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/jobs"
	"aop/cmd/internal/pgtest"
	"aop/cmd/internal/plan"
	"aop/engine"
)

// Two instances of the service on one PostgreSQL database start after a
// stop that missed three scheduled closes. Each starts its queue with the
// close tick to run at start; River elects one leader to enqueue it, the
// run's key and the close's digest keep a second from doing anything: the
// missed runs are caught up by one run, which closes the actuals once and
// raises the fired trigger's alert once.
func TestCloseCatchesUpOnceOnTwoInstances(t *testing.T) {
	url := pgtest.Database(t, "aop_close")
	cs := newCloseService(t, url)
	ctx := t.Context()
	for m := engine.Period(1); m <= 7; m++ {
		cs.clock.set(cs.monthEnd(m).Add(9 * time.Hour))
		cs.importMonth(t, m)
	}
	// The last run was on the 5th of month 4's close; those of months 5,
	// 6 and 7 were missed while aop was down.
	lastRun := cs.monthEnd(4).AddDate(0, 0, 4).Add(6 * time.Hour)
	require.NoError(t, cs.st.SetLastRun(ctx, plan.CloseSchedule, lastRun))
	now := cs.monthEnd(7).AddDate(0, 0, 10)

	shared := &alerts{}
	start := func() *jobs.Queue {
		st := openStore(t, url)
		var svc *plan.Service
		q, err := jobs.New(jobsConfig(st, jobs.Config{
			Handler:     func(ctx context.Context, j plan.Job) error { return svc.RunJob(ctx, j) },
			RescueAfter: time.Minute,
			Periodic: []jobs.Periodic{{Every: time.Hour, RunOnStart: true,
				Job: plan.Job{Kind: plan.JobCloseTick, Key: "close-tick"}}},
		}))
		require.NoError(t, err)
		svc = plan.New(closeOptions(t, st, q, func() time.Time { return now }, shared))
		require.NoError(t, q.Start(ctx))
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})
		return q
	}
	start()
	start()

	require.Eventually(t, func() bool {
		runs, err := cs.st.CloseRuns(ctx, cs.c.ID)
		return err == nil && len(runs) == 1 && runs[0].State == "done"
	}, 60*time.Second, 100*time.Millisecond, "one close")
	time.Sleep(3 * time.Second) // time for a second run to show, if there were one

	runs, err := cs.st.CloseRuns(ctx, cs.c.ID)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, "FY2027-P07", runs[0].Period)
	entries, err := cs.st.Audit(ctx, plan.AuditQuery{Action: "schedule.run"})
	require.NoError(t, err)
	require.Len(t, entries, 1, "the schedule ran once")
	var after struct {
		Due    time.Time `json:"due"`
		Missed int       `json:"missed"`
	}
	require.NoError(t, json.Unmarshal(entries[0].After, &after))
	assert.Equal(t, 2, after.Missed, "months 5 and 6's runs folded into month 7's")
	assert.Equal(t, cs.monthEnd(7).AddDate(0, 0, 4).Add(6*time.Hour), after.Due.UTC())
	last, _, err := cs.st.LastRun(ctx, plan.CloseSchedule)
	require.NoError(t, err)
	assert.Equal(t, after.Due.UTC(), last.UTC())

	shared.mu.Lock()
	defer shared.mu.Unlock()
	require.Len(t, shared.list, 1, "one alert")
	assert.Equal(t, "revenue-slump", shared.list[0].Trigger)
}
