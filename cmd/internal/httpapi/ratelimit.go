package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per caller: a token, a sheet, or a client
// IP. Buckets idle for a while are forgotten, so a stream of callers does
// not grow it without bound.
type limiter struct {
	every rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// idleAfter is how long a bucket stays after its caller's last request;
// by then it is full again anyway.
const idleAfter = 10 * time.Minute

// newLimiter returns a limiter of perSecond requests with bursts of burst;
// nil (no limit) when perSecond is zero or less.
func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &limiter{every: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket; when the bucket is empty it
// returns how long until it holds one again.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := time.Now()
	b := l.bucket(key, now)
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// exhausted reports whether key's bucket is empty, without taking from it.
func (l *limiter) exhausted(key string) bool {
	if l == nil {
		return false
	}
	now := time.Now()
	return l.bucket(key, now).lim.TokensAt(now) < 1
}

func (l *limiter) bucket(key string, now time.Time) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idleAfter {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b
}

// rateLimited is the 429 a caller gets with an empty bucket.
func rateLimited(wait time.Duration) *apiError {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &apiError{status: http.StatusTooManyRequests, code: "rate_limited",
		message: "too many requests; try again in " + strconv.Itoa(secs) + "s",
		fields:  map[string]string{"retry_after": strconv.Itoa(secs)}}
}
