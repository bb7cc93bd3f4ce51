package sheetstest

import (
	"maps"
	"strconv"
)

// Stats are the emulator's request counters, also served as JSON at
// GET /_emulator/stats.
type Stats struct {
	// Requests counts requests by method id ("sheets.spreadsheets.values.batchGet",
	// "drive.files.copy"), whatever their outcome: refused by a quota,
	// failed by an injected fault, or served.
	Requests map[string]int `json:"requests"`
	// BySpreadsheet counts requests per spreadsheet (or Drive file) id and
	// method id.
	BySpreadsheet map[string]map[string]int `json:"bySpreadsheet"`
	// Responses counts answers by HTTP status code ("200", "400", "429");
	// an injected timeout counts as 504 even when the client gave up first.
	Responses map[string]int `json:"responses"`
	// QuotaExceeded counts the real (not injected) 429s by quota limit:
	// ReadRequestsPerMinutePerUser, WriteRequestsPerMinutePerProject, ...
	QuotaExceeded map[string]int `json:"quotaExceeded"`
	// Faults counts injected faults by kind ("429", "500", "503",
	// "timeout").
	Faults map[string]int `json:"faults"`
	// FaultsAfterApply counts the injected faults that hit a write after it
	// was applied (the change stands, the answer was lost).
	FaultsAfterApply int `json:"faultsAfterApply"`
}

type statsState struct{ Stats }

func (st *statsState) reset() {
	st.Stats = Stats{
		Requests:      map[string]int{},
		BySpreadsheet: map[string]map[string]int{},
		Responses:     map[string]int{},
		QuotaExceeded: map[string]int{},
		Faults:        map[string]int{},
	}
}

func (st *statsState) noteQuota(limit string) { st.QuotaExceeded[limit]++ }

func (st *statsState) noteFault(k FaultKind, after bool) {
	st.Faults[string(k)]++
	if after {
		st.FaultsAfterApply++
	}
}

func (s *Server) count(c *call, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countLocked(c, code)
}

func (s *Server) countLocked(c *call, code int) {
	m := c.method
	if m == "" {
		m = "unknown"
	}
	s.stats.Requests[m]++
	s.stats.Responses[strconv.Itoa(code)]++
	if c.fileID != "" {
		per := s.stats.BySpreadsheet[c.fileID]
		if per == nil {
			per = map[string]int{}
			s.stats.BySpreadsheet[c.fileID] = per
		}
		per[m]++
	}
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{
		Requests:         maps.Clone(s.stats.Requests),
		BySpreadsheet:    map[string]map[string]int{},
		Responses:        maps.Clone(s.stats.Responses),
		QuotaExceeded:    maps.Clone(s.stats.QuotaExceeded),
		Faults:           maps.Clone(s.stats.Faults),
		FaultsAfterApply: s.stats.FaultsAfterApply,
	}
	for id, m := range s.stats.BySpreadsheet {
		out.BySpreadsheet[id] = maps.Clone(m)
	}
	return out
}

// ResetStats zeroes the request counters (the quota windows are kept).
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.reset()
}
