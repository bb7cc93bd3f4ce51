package engine

import (
	"fmt"
	"time"
)

// MonthsPerYear is the number of fiscal periods in a plan.
const MonthsPerYear = 12

// FiscalYear is a twelve-month planning year that starts in any month. It is
// named by the calendar year in which it ends, as most companies do: with a
// July start, FY2027 runs from July 2026 to June 2027.
type FiscalYear struct {
	Year       int
	StartMonth time.Month
}

// Validate checks the year and start month.
func (fy FiscalYear) Validate() error {
	if fy.Year < 1900 || fy.Year > 9999 {
		return fmt.Errorf("fiscal year %d is out of range", fy.Year)
	}
	if fy.StartMonth < time.January || fy.StartMonth > time.December {
		return fmt.Errorf("fiscal year start month %d is not a month (1-12)", fy.StartMonth)
	}
	return nil
}

// Period is a fiscal month, 1 to 12; 0 stands for the whole year where a
// value is yearly.
type Period int

// FullYear is the Period of a yearly value.
const FullYear Period = 0

// Month returns the calendar month and year of fiscal period p (1-12).
func (fy FiscalYear) Month(p Period) (time.Month, int) {
	first := fy.Year
	if fy.StartMonth != time.January {
		first = fy.Year - 1
	}
	m := int(fy.StartMonth) - 1 + int(p) - 1
	return time.Month(m%12 + 1), first + m/12
}

// Label returns a column label for fiscal period p, such as "Jul 2026".
func (fy FiscalYear) Label(p Period) string {
	if p == FullYear {
		return fy.Name()
	}
	m, y := fy.Month(p)
	return fmt.Sprintf("%s %d", m.String()[:3], y)
}

// Name returns the fiscal year's name, such as "FY2027".
func (fy FiscalYear) Name() string { return fmt.Sprintf("FY%d", fy.Year) }

// PeriodOf returns the fiscal period of a calendar month, and false when the
// month lies outside the fiscal year.
func (fy FiscalYear) PeriodOf(m time.Month, year int) (Period, bool) {
	for p := Period(1); p <= MonthsPerYear; p++ {
		if mm, yy := fy.Month(p); mm == m && yy == year {
			return p, true
		}
	}
	return 0, false
}

// Periods returns the fiscal periods 1 to 12.
func Periods() []Period {
	ps := make([]Period, MonthsPerYear)
	for i := range ps {
		ps[i] = Period(i + 1)
	}
	return ps
}
