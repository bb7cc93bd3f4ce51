package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The commands wait out the service's rate limit instead of failing.
func TestClientWaitsOutTheRateLimit(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"code":"rate_limited","message":"too many requests; try again in 1s"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"state":"closed"}`))
	}))
	defer srv.Close()
	c := &client{server: srv.URL, token: "aop_x", http: srv.Client()}
	var out struct{ State string }
	require.NoError(t, c.json(context.Background(), http.MethodPost, "/api/v1/rounds/1/close", nil, &out))
	assert.Equal(t, "closed", out.State)
	assert.Equal(t, int32(2), calls.Load())
}
