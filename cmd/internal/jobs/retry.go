package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// backoff is the retry policy: exponential from base, doubling with each
// failure, never above max, and spread by up to a fifth either way so that
// jobs failing together do not retry together.
type backoff struct{ base, max time.Duration }

// NextRetry is when a job that just failed runs again.
func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	// job.Errors holds the earlier failures, not the one just reported.
	return time.Now().UTC().Add(b.delay(len(job.Errors) + 1))
}

// delay is the wait after the n-th failure (n ≥ 1).
func (b backoff) delay(n int) time.Duration {
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	spread := d / 5
	return min(d-spread+rand.N(2*spread+1), b.max)
}
