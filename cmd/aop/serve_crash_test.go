package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
)

// tryUpload sends an upload with an idempotency key and reports the
// submission's id, or false when no answer came (the server died).
func tryUpload(t *testing.T, s *servetest.Server, round int64, dept, key string, body []byte) (int64, bool) {
	code, data, err := s.Do(servetest.Request{Method: "POST", Path: fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round, dept),
		Token: s.Admin, Body: body, Headers: map[string]string{"Idempotency-Key": key}})
	if err != nil || code != 201 && code != 422 {
		return 0, false
	}
	var sub plan.Submission
	require.NoError(t, json.Unmarshal(data, &sub))
	return sub.ID, true
}

// TestServeSurvivesKills kills the server with SIGKILL at random moments
// while uploads and jobs are in flight, twenty times. After every restart,
// each upload acknowledged (or retried with its key) is stored exactly
// once, every job completes, and every job's effect lands once.
func TestServeSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the server twenty times")
	}
	s := servetest.Start(t, "jobs: {workers: 4, rescue_after: 2s}\nrate_limit: {per_second: 1000, burst: 1000}\n")
	yaml := servetest.WideCycleYAML(10)
	f, err := cyclefile.Parse("wide.yaml", []byte(yaml), nil)
	require.NoError(t, err)
	c := f.Cycle
	require.Equal(t, 200, s.Call("POST", "/api/v1/cycles?name=wide.yaml", s.Admin, yaml, nil))
	var round plan.Round
	require.Equal(t, 201, s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "Crash", Due: time.Now().Add(48 * time.Hour)}, &round))
	bodies := map[string][]byte{}
	for i, d := range round.Departments {
		bodies[d] = servetest.FillTravel(t, c, d, s.Workbook(round.ID, d, s.Admin), 10*(i+1))
	}

	rng := rand.New(rand.NewPCG(7, 11))
	stored := map[string]int64{} // upload key → submission id
	var consolidations, jobs []int64
	pending := map[string]string{} // key → department, not yet acknowledged
	cutOff := 0                    // uploads a kill left unanswered
	for iter := range 20 {
		var mu sync.Mutex
		var wg sync.WaitGroup
		// Every department uploads again and again, and finance starts a
		// consolidation, until the kill cuts them off.
		for j, d := range round.Departments {
			wg.Go(func() {
				for n := 0; ; n++ {
					key := fmt.Sprintf("k%d-%d-%d", iter, j, n)
					mu.Lock()
					pending[key] = d
					mu.Unlock()
					id, ok := tryUpload(t, s, round.ID, d, key, bodies[d])
					if !ok {
						return
					}
					mu.Lock()
					stored[key] = id
					delete(pending, key)
					mu.Unlock()
				}
			})
		}
		wg.Go(func() {
			var started struct {
				Consolidation plan.Consolidation `json:"consolidation"`
				Job           int64              `json:"job"`
			}
			code, data, err := s.Do(servetest.Request{Method: "POST", Path: fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), Token: s.Admin})
			if err == nil && code == 202 && json.Unmarshal(data, &started) == nil {
				mu.Lock()
				consolidations = append(consolidations, started.Consolidation.ID)
				jobs = append(jobs, started.Job)
				mu.Unlock()
			}
		})
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		s.Kill()
		wg.Wait()
		s.Restart()
		// Retries with the same keys store nothing twice.
		cutOff += len(pending)
		for key, d := range pending {
			id, ok := tryUpload(t, s, round.ID, d, key, bodies[d])
			require.True(t, ok, "retry of %s after restart %d", key, iter)
			if prev, seen := stored[key]; seen {
				require.Equal(t, prev, id)
			}
			stored[key] = id
			delete(pending, key)
		}
	}

	// Every upload is stored once: one submission per key, no more.
	ids := map[int64]string{}
	for key, id := range stored {
		require.NotContains(t, ids, id, "keys %s and %s share a submission", key, ids[id])
		ids[id] = key
	}
	total := 0
	for _, d := range round.Departments {
		var subs []plan.Submission
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round.ID, d), s.Admin, nil, &subs))
		for _, sub := range subs {
			assert.Contains(t, ids, sub.ID, "submission %d has no upload", sub.ID)
		}
		total += len(subs)
	}
	assert.Equal(t, len(stored), total)

	// Every job completes (rescued after its process died), and each
	// consolidation's effect landed once.
	deadline := time.Now().Add(90 * time.Second)
	for _, id := range consolidations {
		for {
			var k plan.Consolidation
			require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/consolidations/%d", id), s.Admin, nil, &k))
			if k.State == "done" {
				break
			}
			require.True(t, time.Now().Before(deadline), "consolidation %d is still %s\n%s", id, k.State, s.Log())
			time.Sleep(100 * time.Millisecond)
		}
	}
	for {
		var subs []plan.Submission
		received := 0
		for _, d := range round.Departments {
			require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round.ID, d), s.Admin, nil, &subs))
			for _, sub := range subs {
				if sub.State == plan.Received {
					received++
				}
			}
		}
		if received == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d submissions are still unprocessed", received)
		time.Sleep(100 * time.Millisecond)
	}
	for _, id := range jobs {
		s.WaitJob(id) // River marks every one completed, rescued or not
	}
	var audit []plan.AuditEntry
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/audit?round=%d&action=consolidation.done&limit=1000", round.ID), s.Admin, nil, &audit))
	done := map[string]int{}
	for _, e := range audit {
		done[e.Subject]++
	}
	for _, id := range consolidations {
		assert.Equal(t, 1, done[fmt.Sprintf("consolidation %d", id)], "consolidation %d applied once", id)
	}
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/audit?round=%d&action=submission.accept&limit=1000", round.ID), s.Admin, nil, &audit))
	accepted := map[string]int{}
	for _, e := range audit {
		accepted[e.Subject]++
	}
	for id := range ids {
		assert.LessOrEqual(t, accepted[fmt.Sprintf("submission %d", id)], 1, "submission %d accepted once", id)
	}
	require.Positive(t, cutOff, "no kill cut an upload off: the test proved nothing")
	t.Logf("%d uploads (%d cut off by a kill and retried), %d consolidations over 20 kills", len(stored), cutOff, len(consolidations))
}
