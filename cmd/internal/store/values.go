package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// roundTime is a time as the store keeps it: UTC, to the microsecond,
// which is what PostgreSQL keeps.
func roundTime(t time.Time) time.Time { return t.Round(time.Microsecond).UTC() }

// timeIn scans a time column of either database: a time.Time from
// PostgreSQL, sqliteTime text from SQLite.
type timeIn struct{ t *time.Time }

func (s timeIn) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	return fmt.Errorf("cannot read a time from %T", v)
}

func (s timeIn) parse(text string) error {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return fmt.Errorf("cannot read a time from %q: %w", text, err)
	}
	*s.t = t.UTC()
	return nil
}

// nullTimeIn scans a time column that may be NULL.
type nullTimeIn struct{ t **time.Time }

func (s nullTimeIn) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (timeIn{&t}).Scan(v); err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// nullTime is the argument for a time that may be missing.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// nullInt is the argument for an id where 0 means none.
func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// nullString is the argument for a reference where "" means none.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonText is the argument for a JSON column: the text as given, or NULL
// when there is none.
func jsonText(raw []byte) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

// marshalOrNull is the argument for a JSON column holding a slice: NULL
// for a nil slice, so that nil comes back as nil.
func marshalOrNull[T any](v []T) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// unmarshal decodes a JSON column into v; NULL leaves v as it is.
func unmarshal(data []byte, v any, what string, id int64) error {
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s %d: %w", what, id, err)
	}
	return nil
}
