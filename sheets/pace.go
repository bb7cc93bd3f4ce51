package sheets

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Kind is the quota class of a request.
type Kind uint8

const (
	// Read requests get values or spreadsheets.
	Read Kind = iota
	// Write requests change a spreadsheet.
	Write
	// Drive requests copy and share files; they count against Drive's
	// quota, which is far larger, and are not paced.
	Drive
)

func (k Kind) String() string {
	switch k {
	case Read:
		return "read"
	case Write:
		return "write"
	default:
		return "drive"
	}
}

// Quotas are Sheets' per-minute request quotas (Google's defaults: 60 a
// user and 300 a project, for reads and writes apart). aop calls as one
// user, its service account, so the per-user quota binds.
type Quotas struct {
	ReadsPerUser, WritesPerUser, ReadsPerProject, WritesPerProject int
}

// DefaultQuotas are Google's published defaults.
func DefaultQuotas() Quotas {
	return Quotas{ReadsPerUser: 60, WritesPerUser: 60, ReadsPerProject: 300, WritesPerProject: 300}
}

// Slots hands out send times in named buckets by the generic cell rate
// algorithm: each bucket keeps the earliest time its next request may go,
// and a reservation takes that time (or now, if later) and moves it on by
// the bucket's interval. Requests so booked are never closer than the
// interval, so no minute holds more than the quota. A database-backed
// Slots shares the buckets between instances.
type Slots interface {
	Reserve(ctx context.Context, bucket string, now time.Time, interval time.Duration) (time.Time, error)
}

// MemorySlots are the buckets of one process.
type MemorySlots struct {
	mu  sync.Mutex
	tat map[string]time.Time
}

// NewMemorySlots returns empty in-process buckets.
func NewMemorySlots() *MemorySlots { return &MemorySlots{tat: map[string]time.Time{}} }

// Reserve books the next send time of a bucket.
func (m *MemorySlots) Reserve(_ context.Context, bucket string, now time.Time, interval time.Duration) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	at := later(m.tat[bucket], now)
	m.tat[bucket] = at.Add(interval)
	return at, nil
}

// Pacer spaces requests so that every quota holds: a read waits for its
// slot in the per-user and then the per-project read bucket, a write in
// the write buckets. Waiting is on the clock of package time.
type Pacer struct {
	slots   Slots
	buckets [2][2]bucket // [kind][user, project]
	mu      sync.Mutex
	waited  [2]time.Duration
	counts  [2]int
}

type bucket struct {
	name     string
	interval time.Duration
}

// NewPacer paces by quotas q, booking in slots.
func NewPacer(slots Slots, q Quotas) *Pacer {
	every := func(perMinute int) time.Duration {
		if perMinute <= 0 {
			return 0
		}
		return time.Minute / time.Duration(perMinute)
	}
	return &Pacer{slots: slots, buckets: [2][2]bucket{
		Read:  {{"sheets.read.user", every(q.ReadsPerUser)}, {"sheets.read.project", every(q.ReadsPerProject)}},
		Write: {{"sheets.write.user", every(q.WritesPerUser)}, {"sheets.write.project", every(q.WritesPerProject)}},
	}}
}

// Wait blocks until a request of kind k may be sent.
func (p *Pacer) Wait(ctx context.Context, k Kind) error {
	if k == Drive {
		return nil
	}
	start := time.Now()
	at := start
	for _, b := range p.buckets[k] {
		if b.interval == 0 {
			continue
		}
		t, err := p.slots.Reserve(ctx, b.name, at, b.interval)
		if err != nil {
			return fmt.Errorf("sheets: quota %s: %w", b.name, err)
		}
		at = later(at, t)
	}
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	p.mu.Lock()
	p.waited[k] += time.Since(start)
	p.counts[k]++
	p.mu.Unlock()
	return nil
}

// PaceStats says how many requests of each kind went out and how long
// they waited for quota in all.
type PaceStats struct {
	Reads, Writes       int
	ReadWait, WriteWait time.Duration
}

// Stats returns the pacer's counts so far.
func (p *Pacer) Stats() PaceStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PaceStats{Reads: p.counts[Read], Writes: p.counts[Write], ReadWait: p.waited[Read], WriteWait: p.waited[Write]}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
