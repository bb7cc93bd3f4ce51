package sheetstest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// FaultKind is a kind of injected failure.
type FaultKind string

const (
	// Fault429 answers 429 RESOURCE_EXHAUSTED with the RATE_LIMIT_EXCEEDED
	// body of a spent quota (Drive: its rateLimitExceeded body).
	Fault429 FaultKind = "429"
	// Fault500 answers 500 INTERNAL.
	Fault500 FaultKind = "500"
	// Fault503 answers 503 UNAVAILABLE.
	Fault503 FaultKind = "503"
	// FaultTimeout holds the request until its context ends (a client with
	// a per-request timeout sees a transport timeout) or, after
	// Faults.TimeoutAfter, answers 504 DEADLINE_EXCEEDED.
	FaultTimeout FaultKind = "timeout"
)

// Faults configure injected failures. Each Sheets or Drive request fails
// with probability Rate, with a kind drawn evenly from Kinds (all kinds
// when empty). For requests that change something the failure comes,
// at random, either before the change is applied or after it, when only the
// answer is lost: the case that tests a client's idempotent retries.
type Faults struct {
	Rate float64
	// Seed makes the sequence of faults reproducible.
	Seed  int64
	Kinds []FaultKind
	// TimeoutAfter is how long a timeout fault holds a request whose
	// context has no deadline; 0 is Google's 180 s processing limit.
	TimeoutAfter time.Duration
}

// status is the HTTP status a fault answers with (a timeout's, when the
// client waits long enough).
func (k FaultKind) status() int {
	switch k {
	case Fault429:
		return 429
	case Fault500:
		return 500
	case Fault503:
		return 503
	}
	return 504
}

// AllFaultKinds lists every kind of fault.
var AllFaultKinds = []FaultKind{Fault429, Fault500, Fault503, FaultTimeout}

func (f Faults) validate() error {
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("sheetstest: fault rate %v is not between 0 and 1", f.Rate)
	}
	for _, k := range f.Kinds {
		switch k {
		case Fault429, Fault500, Fault503, FaultTimeout:
		default:
			return fmt.Errorf("sheetstest: unknown fault kind %q", k)
		}
	}
	return nil
}

// SetFaults changes the fault injection of a running server (tests turn
// faults on for one phase).
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Faults = f
	s.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x5eed))
	return nil
}

// pickFault decides whether this request fails, how, and whether after
// applying a change.
func (s *Server) pickFault(c *call) (FaultKind, bool) {
	f := s.opts.Faults
	if f.Rate <= 0 || s.rng.Float64() >= f.Rate {
		return "", false
	}
	kinds := f.Kinds
	if len(kinds) == 0 {
		kinds = AllFaultKinds
	}
	k := kinds[s.rng.IntN(len(kinds))]
	after := c.mutates() && s.rng.IntN(2) == 1
	s.stats.noteFault(k, after)
	return k, after
}

// faultQuotaError is the 429 of an injected fault: the body of a spent
// per-user quota (Sheets) or Drive's rate limit.
func faultQuotaError(c *call) *apiError {
	if c.api == "drive" {
		return driveError(429, "rateLimitExceeded", "Rate Limit Exceeded", "")
	}
	limit := c.s.quotas.ReadPerUser
	if c.class == writeQuota {
		limit = c.s.quotas.WritePerUser
	}
	return quotaError(c.class == writeQuota, true, c.user.Project, limit)
}
