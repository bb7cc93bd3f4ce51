package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/pgtest"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
)

// TestServeConcurrentUploads sends 200 uploads at once across 50
// departments: every upload is recorded, and each department's current
// submission is its newest accepted one.
func TestServeConcurrentUploads(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { concurrentUploads(t, "") })
	t.Run("postgres", func(t *testing.T) { concurrentUploads(t, pgtest.Database(t, "aop_serve_test")) })
}

func concurrentUploads(t *testing.T, database string) {
	s := servetest.StartOn(t, database, "rate_limit: {per_second: 1000, burst: 1000}\n")
	yaml := servetest.WideCycleYAML(50)
	f, err := cyclefile.Parse("wide.yaml", []byte(yaml), nil)
	require.NoError(t, err)
	c := f.Cycle
	require.Equal(t, 200, s.Call("POST", "/api/v1/cycles?name=wide.yaml", s.Admin, yaml, nil))
	var round plan.Round
	require.Equal(t, 201, s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "Load", Due: time.Now().Add(48 * time.Hour)}, &round))
	require.Len(t, round.Departments, 50)

	type upload struct {
		dept string
		body []byte
	}
	var uploads []upload
	for i, d := range round.Departments {
		wb := s.Workbook(round.ID, d, s.Admin)
		for k := range 4 {
			uploads = append(uploads, upload{d, servetest.FillTravel(t, c, d, wb, 100*(i+1)+k)})
		}
	}
	rand.Shuffle(len(uploads), func(i, j int) { uploads[i], uploads[j] = uploads[j], uploads[i] })
	var wg sync.WaitGroup
	codes := make([]int, len(uploads))
	for i, u := range uploads {
		wg.Go(func() {
			codes[i] = s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, u.dept), s.Admin, u.body, nil)
		})
	}
	wg.Wait()
	for i, code := range codes {
		require.Equal(t, 201, code, "upload %d", i)
	}

	var status plan.RoundStatus
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), s.Admin, nil, &status))
	total := 0
	for _, d := range status.Departments {
		var subs []plan.Submission
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round.ID, d.Department), s.Admin, nil, &subs))
		require.Len(t, subs, 4, d.Department)
		total += len(subs)
		newest := subs[0] // newest first
		assert.Equal(t, plan.Accepted, newest.State)
		assert.Equal(t, newest.ID, d.Current, "%s: the newest accepted submission is current", d.Department)
		assert.Equal(t, plan.Submitted, d.Status)
	}
	assert.Equal(t, 200, total)
}
