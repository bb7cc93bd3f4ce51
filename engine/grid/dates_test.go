package grid

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSerialToTime(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		serial   float64
		date1904 bool
		want     time.Time
	}{
		{"1900 serial 0 is 1900-01-00", 0, false, day(1899, 12, 31)},
		{"1900 serial 1", 1, false, day(1900, 1, 1)},
		{"1900 serial 59", 59, false, day(1900, 2, 28)},
		{"1900 fictitious 29 Feb", 60, false, day(1900, 3, 1)},
		{"1900 serial 61", 61, false, day(1900, 3, 1)},
		{"1900 serial 111", 111, false, day(1900, 4, 20)},
		{"1900 serial 25569 is the Unix epoch", 25569, false, day(1970, 1, 1)},
		{"1900 serial 45292", 45292, false, day(2024, 1, 1)},
		{"1900 noon", 45292.5, false, time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"1900 float noise rounds to the millisecond", 45292.333333333336, false, time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)},
		{"1900 just before midnight", 45292.9999999999, false, day(2024, 1, 2)},
		{"1900 negative", -1, false, day(1899, 12, 30)},
		{"1904 serial 0", 0, true, day(1904, 1, 1)},
		{"1904 serial 1", 1, true, day(1904, 1, 2)},
		{"1904 serial 111", 111, true, day(1904, 4, 21)},
		{"1904 serial 43830", 43830, true, day(2024, 1, 1)},
		{"1904 time", 0.75, true, time.Date(1904, 1, 1, 18, 0, 0, 0, time.UTC)},
		{"NaN", math.NaN(), false, time.Time{}},
		{"huge", 1e12, false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SerialToTime(tt.serial, tt.date1904))
		})
	}
}

func TestTimeToSerial(t *testing.T) {
	tests := []struct {
		name     string
		t        time.Time
		date1904 bool
		want     float64
	}{
		{"1900-01-01", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), false, 1},
		{"1900-02-28", time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), false, 59},
		{"1900-03-01", time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), false, 61},
		{"2024-01-01 18:00", time.Date(2024, 1, 1, 18, 0, 0, 0, time.UTC), false, 45292.75},
		{"wall clock of another zone", time.Date(2024, 1, 1, 6, 0, 0, 0, time.FixedZone("X", -5*3600)), false, 45292.25},
		{"1904-01-01", time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC), true, 0},
		{"1904 2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true, 43830},
		{"1904 before epoch", time.Date(1903, 12, 31, 12, 0, 0, 0, time.UTC), true, -0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, TimeToSerial(tt.t, tt.date1904), 1e-9)
		})
	}
}

func TestSerialRoundTrip(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		for serial := -100.0; serial < 80000; serial += 7.125 {
			if !date1904 && serial >= 60 && serial < 61 {
				continue // the fictitious 1900-02-29 has no time of its own
			}
			got := TimeToSerial(SerialToTime(serial, date1904), date1904)
			if math.Abs(got-serial) > 1e-9 {
				t.Fatalf("serial %v (1904=%v) came back as %v", serial, date1904, got)
			}
		}
	}
	// The two systems differ by 1462 days.
	d := time.Date(2010, 6, 15, 0, 0, 0, 0, time.UTC)
	assert.InDelta(t, 1462, TimeToSerial(d, false)-TimeToSerial(d, true), 1e-9)
}
