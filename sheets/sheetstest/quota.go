package sheetstest

import (
	"fmt"
	"slices"
	"time"
)

// quotaClass says which Sheets quota a method spends.
type quotaClass uint8

const (
	noQuota quotaClass = iota
	readQuota
	writeQuota
)

// quotaWindow is the length of the per-minute quotas.
const quotaWindow = time.Minute

// quotaState holds, per bucket, the times of the requests accepted in the
// last minute. The window slides: a request is accepted when fewer than
// quota requests were accepted in the minute before it, so a client that
// spaces requests at least 60s/quota apart (a GCRA or token-bucket limiter
// at quota/60 per second with a burst of one) is never refused, and any
// minute-long interval holds at most quota accepted requests. Refused
// requests do not count.
type quotaState struct {
	buckets map[string][]time.Time
}

func bucketKey(write, perUser bool, who string) string {
	return fmt.Sprintf("%t|%t|%s", write, perUser, who)
}

// takeQuota spends one request of the caller's user and project buckets,
// or returns the 429 for the first bucket that is spent.
func (s *Server) takeQuota(c *call) *apiError {
	if c.class == noQuota {
		return nil
	}
	write := c.class == writeQuota
	userLimit, projLimit := s.quotas.ReadPerUser, s.quotas.ReadPerProject
	if write {
		userLimit, projLimit = s.quotas.WritePerUser, s.quotas.WritePerProject
	}
	if s.quota.buckets == nil {
		s.quota.buckets = map[string][]time.Time{}
	}
	now := s.now()
	uk, pk := bucketKey(write, true, c.user.Email), bucketKey(write, false, c.user.Project)
	live := func(k string) []time.Time {
		b := s.quota.buckets[k]
		i := 0
		for i < len(b) && !b[i].After(now.Add(-quotaWindow)) {
			i++
		}
		b = slices.Delete(b, 0, i)
		s.quota.buckets[k] = b
		return b
	}
	ub, pb := live(uk), live(pk)
	if userLimit > 0 && len(ub) >= userLimit {
		s.stats.noteQuota(quotaLimitName(write, true))
		return quotaError(write, true, c.user.Project, userLimit)
	}
	if projLimit > 0 && len(pb) >= projLimit {
		s.stats.noteQuota(quotaLimitName(write, false))
		return quotaError(write, false, c.user.Project, projLimit)
	}
	if userLimit > 0 {
		s.quota.buckets[uk] = append(ub, now)
	}
	if projLimit > 0 {
		s.quota.buckets[pk] = append(pb, now)
	}
	return nil
}

func quotaLimitName(write, perUser bool) string {
	n := "ReadRequestsPerMinute"
	if write {
		n = "WriteRequestsPerMinute"
	}
	if perUser {
		return n + "PerUser"
	}
	return n + "PerProject"
}
