package sheets

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"google.golang.org/api/googleapi"
)

// Backoff is truncated exponential backoff with full jitter, as Google
// recommends for its APIs: before retry n it waits a random time up to
// min(Base·2ⁿ, Max), and it gives up after Attempts tries.
type Backoff struct {
	Base     time.Duration // default 1s
	Max      time.Duration // default 32s
	Attempts int           // default 10
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = time.Second
	}
	if b.Max <= 0 {
		b.Max = 32 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 10
	}
	return b
}

// Delay is the longest wait before retry n (0-based).
func (b Backoff) Delay(n int) time.Duration {
	b = b.withDefaults()
	d := b.Base
	for range n {
		if d >= b.Max/2 {
			return b.Max
		}
		d *= 2
	}
	return min(d, b.Max)
}

// sleep waits before retrying after attempt n failed with err, or returns
// err when the attempts are spent or ctx ends first.
func (b Backoff) sleep(ctx context.Context, n int, err error) error {
	b = b.withDefaults()
	if n+1 >= b.Attempts {
		return err
	}
	d := time.Duration(rand.Int64N(int64(b.Delay(n)) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Transient reports whether a failed request may succeed when sent again:
// Google's 408, 429 and 5xx answers, a timed-out attempt, and connections
// that broke (the list of the client library's own retry predicate).
func Transient(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code == http.StatusRequestTimeout || ge.Code == http.StatusTooManyRequests || ge.Code >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
