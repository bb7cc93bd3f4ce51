package grid

import (
	"math"
	"time"
)

// Spreadsheet dates are serial numbers: whole days since an epoch plus the
// time of day as a fraction. In the 1900 date system serial 1 is 1900-01-01
// and, for compatibility with Lotus 1-2-3, Excel counts a fictitious
// 1900-02-29 as serial 60, so serials from 61 on are one day "late" against
// a plain day count. In the 1904 date system (old Mac Excel, and files that
// still carry date1904) serial 0 is 1904-01-01 and there is no gap.
const (
	secondsPerDay = 24 * 60 * 60
	msPerDay      = secondsPerDay * 1000
	// unix1900 is 1899-12-31 UTC, serial 0 of the 1900 system ("1900-01-00").
	unix1900 = -2209075200
	// unix1904 is 1904-01-01 UTC, serial 0 of the 1904 system.
	unix1904 = -2082844800
	// leap1900 is the serial of Excel's fictitious 1900-02-29.
	leap1900 = 60
	// maxSerial keeps conversions within time.Time's comfortable range
	// (serial 2,958,465 is 9999-12-31).
	maxSerial = 1e7
)

// SerialToTime converts a spreadsheet date serial number to a time in UTC,
// rounded to the nearest millisecond (the finest a spreadsheet shows). With
// date1904 false it follows Excel's 1900 system: 1 is 1900-01-01, 59 is
// 1900-02-28, 61 is 1900-03-01; 60, Excel's fictitious 1900-02-29, has no
// real date and comes out as 1900-03-01 (what time.Date makes of February
// 29th, 1900). With date1904 true, 0 is 1904-01-01. A NaN or a serial
// beyond ±10,000,000 gives the zero Time.
func SerialToTime(serial float64, date1904 bool) time.Time {
	if math.IsNaN(serial) || math.Abs(serial) > maxSerial {
		return time.Time{}
	}
	ms := int64(math.Round(serial * msPerDay))
	days := floorDiv(ms, msPerDay)
	clock := time.Duration(ms-days*msPerDay) * time.Millisecond
	epoch := int64(unix1904)
	if !date1904 {
		epoch = unix1900
		if days > leap1900 {
			days-- // skip the fictitious 1900-02-29
		}
	}
	return time.Unix(epoch+days*secondsPerDay, 0).UTC().Add(clock)
}

// TimeToSerial converts a time to a spreadsheet date serial number, reading
// the date and clock as they are in t's own location (a spreadsheet has no
// time zones). It is the inverse of SerialToTime: in the 1900 system dates
// from 1900-03-01 on count Excel's fictitious 1900-02-29, so 1900-03-01 is
// 61; in the 1904 system 1904-01-01 is 0.
func TimeToSerial(t time.Time, date1904 bool) float64 {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	h, mi, s := t.Clock()
	ns := (int64(h)*3600+int64(mi)*60+int64(s))*1e9 + int64(t.Nanosecond())
	clock := float64(ns) / (secondsPerDay * 1e9)
	if date1904 {
		return float64(floorDiv(day-unix1904, secondsPerDay)) + clock
	}
	days := floorDiv(day-unix1900, secondsPerDay)
	if days >= leap1900 {
		days++ // count the fictitious 1900-02-29
	}
	return float64(days) + clock
}

// floorDiv divides rounding towards negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
