package model

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/project"
)

// The revenue drivers a department types on its Drivers sheet
// (engine.Driver.Name).
const (
	// PipelineDriver is the new qualified pipeline created in a month, in
	// money.
	PipelineDriver = "pipeline"
	// WinRateDriver is the share of that pipeline won, 0 to 1.
	WinRateDriver = "win_rate"
	// DealSizeDriver is the average value of a won deal.
	DealSizeDriver = "deal_size"
	// SalesCycleDriver is the months from pipeline creation to close.
	SalesCycleDriver = "sales_cycle"
)

// DriverGap compares the revenue a department's sales drivers imply with
// the revenue it typed on its plan, so that a plan whose revenue its own
// pipeline cannot carry (or that leaves bookings unplanned) shows.
type DriverGap struct {
	Department string
	// Implied is the bookings the drivers put in each month: the pipeline
	// created in a month, won at that month's win rate, closes a sales
	// cycle later. Bookings count as revenue here, in cents.
	Implied [engine.MonthsPerYear]decimal.Decimal
	// Typed is the department's plan on its revenue accounts by month.
	Typed [engine.MonthsPerYear]decimal.Decimal
	// From is the first month the year's pipeline reaches (0 when it
	// reaches none). The sheet holds no pipeline from before the year, so
	// the months before From close from last year's pipeline and are left
	// out of the comparison.
	From engine.Period
	// ImpliedYear is the year's total of Implied; TypedYear is the typed
	// revenue of the months from From on, the months the drivers explain.
	ImpliedYear, TypedYear decimal.Decimal
	// AfterYear is the bookings of the year's pipeline that close after
	// the last month, left out of ImpliedYear.
	AfterYear decimal.Decimal
	// Gap is ImpliedYear − TypedYear: above zero, the drivers carry more
	// revenue than the plan asks for.
	Gap decimal.Decimal
	// GapPercent is Gap / TypedYear, nil when nothing was typed.
	GapPercent *decimal.Decimal
	// Incomplete lists the months with pipeline but no win rate, no deal
	// size above zero or no sales cycle: their pipeline implies nothing.
	Incomplete []engine.Period
}

// DriverCheck computes, for every submission that typed revenue drivers,
// the revenue they imply by month and compares it with the revenue the
// department planned (§3.1). Submissions without a driver value are
// skipped; the gaps come in the cycle's department order. The comparison
// covers the months from the first one the year's pipeline reaches.
//
// The pipeline driver is money, so a month's new opportunities are its
// pipeline ÷ deal size; engine/project.ProjectBookings turns them into
// bookings at that month's win rate and deal size, closing sales_cycle
// months later. A fractional cycle splits the closes between the two
// whole months around it (2.25: three quarters after 2 months, a quarter
// after 3). Each month's pipeline is booked once, rounded to cents. The
// sheet holds no pipeline from before the year, so the first cycle's
// months imply nothing.
func DriverCheck(c *engine.Cycle, subs []*engine.Submission) ([]DriverGap, error) {
	order := map[string]int{}
	for i, d := range c.Departments {
		order[d.ID] = i
	}
	var gaps []DriverGap
	for _, s := range subs {
		if _, ok := order[s.Department]; !ok {
			return nil, fmt.Errorf("driver check: submission for unknown department %q", s.Department)
		}
		drivers, typed := driverMonths(s.Drivers)
		if !typed {
			continue
		}
		g := DriverGap{Department: s.Department}
		for _, l := range s.Lines {
			if a, ok := c.Account(l.Account); ok && a.Type == engine.Revenue {
				for p := range g.Typed {
					g.Typed[p] = g.Typed[p].Add(l.Months[p])
				}
			}
		}
		for p := range engine.MonthsPerYear {
			pipeline := drivers[PipelineDriver][p]
			if pipeline == nil || pipeline.IsZero() {
				continue
			}
			win, size, cycle := drivers[WinRateDriver][p], drivers[DealSizeDriver][p], drivers[SalesCycleDriver][p]
			if win == nil || size == nil || !size.IsPositive() || cycle == nil {
				g.Incomplete = append(g.Incomplete, engine.Period(p+1))
				continue
			}
			opportunities := make([]decimal.Decimal, p+1)
			opportunities[p] = pipeline.Div(*size)
			pl := project.Pipeline{NewOpportunities: opportunities, WinRate: *win, AverageDealSize: *size}
			if err := setCycle(&pl, *cycle); err != nil {
				return nil, fmt.Errorf("driver check of %s, month %d: %w", s.Department, p+1, err)
			}
			b, err := project.ProjectBookings(pl, engine.MonthsPerYear)
			if err != nil {
				return nil, fmt.Errorf("driver check of %s, month %d: %w", s.Department, p+1, err)
			}
			for t, amount := range b.Amount {
				g.Implied[t] = g.Implied[t].Add(amount)
			}
			g.AfterYear = g.AfterYear.Add(b.AfterHorizon)
		}
		for p, v := range g.Implied {
			if !v.IsZero() {
				g.From = engine.Period(p + 1)
				break
			}
		}
		g.ImpliedYear = engine.Sum(g.Implied[:]...)
		if g.From > 0 {
			g.TypedYear = engine.Sum(g.Typed[g.From-1:]...)
		}
		g.Gap = g.ImpliedYear.Sub(g.TypedYear)
		if !g.TypedYear.IsZero() {
			pct := g.Gap.Div(g.TypedYear)
			g.GapPercent = &pct
		}
		gaps = append(gaps, g)
	}
	slices.SortStableFunc(gaps, func(a, b DriverGap) int { return cmp.Compare(order[a.Department], order[b.Department]) })
	return gaps, nil
}

// driverMonths indexes a submission's drivers by name and reports whether
// any value was typed at all.
func driverMonths(ds []engine.Driver) (map[string][engine.MonthsPerYear]*decimal.Decimal, bool) {
	byName := map[string][engine.MonthsPerYear]*decimal.Decimal{}
	typed := false
	for _, d := range ds {
		byName[d.Name] = d.Months
		for _, v := range d.Months {
			typed = typed || v != nil
		}
	}
	return byName, typed
}

// setCycle sets a pipeline's sales cycle from a number of months, which
// may be fractional: the closes are then weighted between the whole months
// below and above it. A cycle of a year or more closes after the year.
func setCycle(pl *project.Pipeline, months decimal.Decimal) error {
	if months.IsNegative() {
		return fmt.Errorf("sales cycle must be ≥ 0 months, got %s", months)
	}
	whole := months.Floor()
	if whole.GreaterThanOrEqual(decimal.NewFromInt(engine.MonthsPerYear)) {
		pl.CycleMonths = engine.MonthsPerYear // everything closes after the year
		return nil
	}
	n := int(whole.IntPart())
	fraction := months.Sub(whole)
	if fraction.IsZero() {
		pl.CycleMonths = n
		return nil
	}
	pl.CycleWeights = make([]decimal.Decimal, n+2)
	pl.CycleWeights[n] = decimal.NewFromInt(1).Sub(fraction)
	pl.CycleWeights[n+1] = fraction
	return nil
}
