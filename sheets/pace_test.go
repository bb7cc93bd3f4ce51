package sheets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
)

// TestPacerKeepsEveryMinuteWithinQuota sends 250 reads and 130 writes from
// 8 workers on a virtual clock and checks that no 60-second window holds
// more than the per-user quota, and that the pacer wastes no time: the
// last request goes out when the quota first allows it.
func TestPacerKeepsEveryMinuteWithinQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer(NewMemorySlots(), Quotas{ReadsPerUser: 60, WritesPerUser: 60, ReadsPerProject: 300, WritesPerProject: 300})
		start := time.Now()
		var mu sync.Mutex
		sent := map[Kind][]time.Duration{}
		var wg sync.WaitGroup
		for k, n := range map[Kind]int{Read: 250, Write: 130} {
			work := make(chan struct{})
			for range 4 {
				wg.Go(func() {
					for range work {
						require.NoError(t, p.Wait(t.Context(), k))
						mu.Lock()
						sent[k] = append(sent[k], time.Since(start))
						mu.Unlock()
					}
				})
			}
			wg.Go(func() {
				for range n {
					work <- struct{}{}
				}
				close(work)
			})
		}
		wg.Wait()
		for k, times := range sent {
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			for i := range times {
				j := sort.Search(len(times), func(j int) bool { return times[j] >= times[i]+time.Minute })
				require.LessOrEqual(t, j-i, 60, "%s requests in the minute from %s", k, times[i])
			}
			want := time.Duration(len(times)-1) * time.Second
			assert.Equal(t, want, times[len(times)-1], "%d %s requests at one a second", len(times), k)
		}
		st := p.Stats()
		assert.Equal(t, 380, st.Reads+st.Writes)
	})
}

// TestPacerSharesSlots shows two pacers (two instances) booking in the
// same slots keep the quota together.
func TestPacerSharesSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slots := NewMemorySlots()
		q := Quotas{ReadsPerUser: 30, WritesPerUser: 30, ReadsPerProject: 300, WritesPerProject: 300}
		a, b := NewPacer(slots, q), NewPacer(slots, q)
		start := time.Now()
		var wg sync.WaitGroup
		for _, p := range []*Pacer{a, b} {
			wg.Go(func() {
				for range 30 {
					require.NoError(t, p.Wait(t.Context(), Read))
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 59*2*time.Second, time.Since(start), "60 reads at 30 a minute, whoever sends them")
	})
}

func TestPacerStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer(NewMemorySlots(), Quotas{ReadsPerUser: 1, WritesPerUser: 1, ReadsPerProject: 1, WritesPerProject: 1})
		require.NoError(t, p.Wait(t.Context(), Write))
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		assert.ErrorIs(t, p.Wait(ctx, Write), context.DeadlineExceeded, "the next write's slot is a minute away")
		assert.NoError(t, p.Wait(t.Context(), Drive), "Drive calls are not paced")
	})
}

func TestBackoffDelays(t *testing.T) {
	var b Backoff
	want := []time.Duration{1, 2, 4, 8, 16, 32, 32, 32}
	for n, w := range want {
		assert.Equal(t, w*time.Second, b.Delay(n), "retry %d", n)
	}
	synctest.Test(t, func(t *testing.T) {
		err := errors.New("boom")
		for n := range 9 {
			start := time.Now()
			require.NoError(t, b.sleep(t.Context(), n, err))
			assert.LessOrEqual(t, time.Since(start), b.Delay(n), "retry %d waits at most its delay", n)
		}
		assert.Equal(t, err, b.sleep(t.Context(), 9, err), "the tenth failure is the last")
	})
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&googleapi.Error{Code: 429}, true},
		{&googleapi.Error{Code: 408}, true},
		{&googleapi.Error{Code: 500}, true},
		{&googleapi.Error{Code: 503}, true},
		{fmt.Errorf("wrapped: %w", &googleapi.Error{Code: 502}), true},
		{&googleapi.Error{Code: 400}, false},
		{&googleapi.Error{Code: 403}, false},
		{&googleapi.Error{Code: 404}, false},
		{context.DeadlineExceeded, true},
		{&url.Error{Op: "Post", URL: "x", Err: io.ErrUnexpectedEOF}, true},
		{&url.Error{Op: "Post", URL: "x", Err: syscall.ECONNRESET}, true},
		{errors.New("sheets: no template"), false},
		{context.Canceled, false},
	} {
		assert.Equal(t, tc.want, Transient(tc.err), "%v", tc.err)
	}
}
