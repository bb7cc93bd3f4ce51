package store

import (
	"context"
	"time"
)

// Reserve books the next send time of a quota bucket by the generic cell
// rate algorithm, in one statement: the bucket's next free time moves to
// the later of itself and now, plus interval, and the time before that
// move is the caller's. Instances sharing the database share the buckets,
// so together they keep within a quota (it is sheets.Slots). Times are
// kept as Unix microseconds.
func (s *Store) Reserve(ctx context.Context, bucket string, now time.Time, interval time.Duration) (time.Time, error) {
	later := "MAX"
	if s.dialect == Postgres {
		later = "GREATEST"
	}
	at, step := now.UnixMicro(), interval.Microseconds()
	var next int64
	err := s.do(ctx, func(t *tx) error {
		_, err := t.row(ctx, `INSERT INTO quota_slots (bucket, next_at) VALUES (?, ?)
			ON CONFLICT (bucket) DO UPDATE SET next_at = `+later+`(quota_slots.next_at, ?) + ?
			RETURNING next_at`, []any{bucket, at + step, at, step}, func(r rows) error { return r.Scan(&next) })
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(next - step).UTC(), nil
}
