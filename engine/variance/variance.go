// Package variance compares actuals with the plan: per line and month,
// year to date and as a full-year outlook, and explains the difference
// (planning_math.md §4): a flexible budget separates volume from rate, a
// price / mix / quantity split and a Shapley attribution share a change
// among its drivers without depending on their order, an FX split takes
// out the exchange rate, and a timing test tells phasing from a
// permanent miss.
//
// # Sign convention
//
// A variance is actual minus plan (or minus forecast), whatever the
// account: +100 on a cost line is 100 more spent. Whether that is good is
// Favourable's business: more revenue is favourable, more cost is not.
//
// Amounts are exact decimals; percentages and shares are float64 ratios,
// for display.
package variance

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Months is a fiscal year of monthly amounts.
type Months = [engine.MonthsPerYear]decimal.Decimal

// Line is one line's year: its plan, the actuals of the closed months and,
// optionally, the latest forecast.
type Line struct {
	Type engine.AccountType
	Plan Months
	// Actual holds the closed months; months from Closed on are not read.
	Actual Months
	// Forecast, when set, is the latest forecast of every month.
	Forecast *Months
	// Closed is the number of closed months (0…12).
	Closed int
}

// Month is one month's comparison.
type Month struct {
	Period       engine.Period
	Actual, Plan decimal.Decimal
	// Variance is Actual − Plan.
	Variance decimal.Decimal
	// Percent is Variance / |Plan| (NaN when the plan is zero, which JSON
	// carries as null).
	Percent engine.Float
	// Favourable says whether the variance helps the result.
	Favourable bool
	// VsForecast is Actual − Forecast, when there is a forecast.
	VsForecast *decimal.Decimal
}

// Report is a line's comparison over the closed months, with its outlook.
type Report struct {
	Months []Month
	// YTD sums the closed months.
	YTDActual, YTDPlan, YTDVariance decimal.Decimal
	YTDPercent                      engine.Float
	YTDFavourable                   bool
	// Outlook is the full year as it now looks: the closed months' actuals
	// and the remaining months' forecast (or plan, without a forecast).
	Outlook, FullYearPlan, OutlookVariance decimal.Decimal
	OutlookFavourable                      bool
}

// ErrClosed is returned for a closed-month count outside 0…12.
var ErrClosed = errors.New("variance: closed months must be 0 to 12")

// Compare compares a line's actuals with its plan.
func Compare(l Line) (Report, error) {
	if l.Closed < 0 || l.Closed > engine.MonthsPerYear {
		return Report{}, fmt.Errorf("%w, got %d", ErrClosed, l.Closed)
	}
	var r Report
	for i := range l.Closed {
		m := Month{Period: engine.Period(i + 1), Actual: l.Actual[i], Plan: l.Plan[i]}
		m.Variance = m.Actual.Sub(m.Plan)
		m.Percent = engine.Float(Percent(m.Variance, m.Plan))
		m.Favourable = Favourable(l.Type, m.Variance)
		if l.Forecast != nil {
			v := m.Actual.Sub(l.Forecast[i])
			m.VsForecast = &v
		}
		r.Months = append(r.Months, m)
		r.YTDActual = r.YTDActual.Add(m.Actual)
		r.YTDPlan = r.YTDPlan.Add(m.Plan)
	}
	r.YTDVariance = r.YTDActual.Sub(r.YTDPlan)
	r.YTDPercent = engine.Float(Percent(r.YTDVariance, r.YTDPlan))
	r.YTDFavourable = Favourable(l.Type, r.YTDVariance)
	r.Outlook = r.YTDActual
	for i := range engine.MonthsPerYear {
		r.FullYearPlan = r.FullYearPlan.Add(l.Plan[i])
		if i < l.Closed {
			continue
		}
		if l.Forecast != nil {
			r.Outlook = r.Outlook.Add(l.Forecast[i])
		} else {
			r.Outlook = r.Outlook.Add(l.Plan[i])
		}
	}
	r.OutlookVariance = r.Outlook.Sub(r.FullYearPlan)
	r.OutlookFavourable = Favourable(l.Type, r.OutlookVariance)
	return r, nil
}

// Favourable reports whether a variance (actual − plan) helps the result:
// more revenue, or less cost. A zero variance is favourable. Accounts that
// are not money (headcount, KPIs) count more as favourable.
func Favourable(t engine.AccountType, v decimal.Decimal) bool {
	if t == engine.COGS || t == engine.OpEx {
		return v.Sign() <= 0
	}
	return v.Sign() >= 0
}

// Percent is v / |base| as a ratio (0.05 is 5%); NaN when base is zero.
func Percent(v, base decimal.Decimal) float64 {
	if base.IsZero() {
		if v.IsZero() {
			return 0
		}
		return math.NaN()
	}
	f, _ := v.Div(base.Abs()).Float64()
	return f
}

// Material reports whether a variance needs an explanation from the
// department: both above an absolute threshold and above a share of the
// plan (the practitioners' rule, e.g. over 25,000 and over 5%). A zero
// threshold is not applied.
func Material(v, plan, minAmount decimal.Decimal, minShare float64) bool {
	if !minAmount.IsZero() && v.Abs().LessThanOrEqual(minAmount) {
		return false
	}
	if minShare > 0 {
		p := Percent(v, plan)
		if !math.IsNaN(p) && math.Abs(p) <= minShare {
			return false
		}
	}
	return !v.IsZero()
}
