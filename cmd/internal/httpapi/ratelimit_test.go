package httpapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/plan"
)

func TestRateLimit(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.RatePerSecond, o.RateBurst = 0.01, 3 })

	t.Run("per token", func(t *testing.T) {
		for range 3 {
			require.Equal(t, 200, h.call("GET", "/api/v1/rounds", h.admin, nil, nil).Code)
		}
		w := h.call("GET", "/api/v1/rounds", h.admin, nil, nil)
		require.Equal(t, 429, w.Code)
		e := errorOf(t, w)
		assert.Equal(t, "rate_limited", e.Code)
		assert.NotEmpty(t, w.Header().Get("Retry-After"))
		assert.Equal(t, w.Header().Get("Retry-After"), e.Fields["retry_after"])
		assert.Equal(t, 200, h.call("GET", "/api/v1/rounds", h.viewer, nil, nil).Code, "another token has its own budget")
	})

	t.Run("per IP on public routes", func(t *testing.T) {
		codes := []int{}
		for range 4 {
			codes = append(codes, h.call("GET", "/healthz", "", nil, nil).Code)
		}
		assert.Equal(t, []int{200, 200, 200, 429}, codes)
	})

	t.Run("failed authentications", func(t *testing.T) {
		wrong := "aop_" + strings.Repeat("y", 43)
		codes := []int{}
		for range 4 {
			codes = append(codes, h.call("GET", "/api/v1/rounds", wrong, nil, nil).Code)
		}
		assert.Equal(t, []int{401, 401, 401, 429}, codes)
		fresh := h.token(plan.FinanceViewer, "")
		assert.Equal(t, 429, h.call("GET", "/api/v1/rounds", fresh, nil, nil).Code,
			"an IP that spent its failures is refused before its token is looked at")
	})
}

func TestLimiterForgetsIdleCallers(t *testing.T) {
	l := newLimiter(1, 1)
	ok, _ := l.allow("a")
	require.True(t, ok)
	ok, wait := l.allow("a")
	require.False(t, ok)
	assert.Positive(t, wait)
	for _, b := range l.buckets {
		b.seen = b.seen.Add(-2 * idleAfter)
	}
	l.swept = l.swept.Add(-2 * idleAfter)
	_, _ = l.allow("b")
	assert.NotContains(t, l.buckets, "a")
	assert.Nil(t, newLimiter(0, 10), "no limit")
	ok, _ = (*limiter)(nil).allow("x")
	assert.True(t, ok)
}
