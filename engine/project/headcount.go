package project

import (
	"fmt"
	"math"
	"slices"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// AttritionConversion says how an annual attrition rate becomes a monthly
// one (§2.2).
type AttritionConversion int

const (
	// CompoundAttrition takes m = 1 − (1 − A)^(1/12), so that twelve
	// months of survival at m equal a year's survival at A. It is the
	// default because the roster applies m to the opening headcount each
	// month: with it, a year of the roll-forward loses exactly A of a
	// roster that hires no one.
	CompoundAttrition AttritionConversion = iota
	// SimpleAttrition takes m = A / 12 (annualised = monthly × 12). A
	// roster that hires no one then loses less than A in a year.
	SimpleAttrition
)

// MonthlyAttrition converts an annual attrition rate A (0 to 1) to a
// monthly one (§2.2, oracle H1): 20% a year is 1.8423% a month
// compounded, 1.6667% simple.
func MonthlyAttrition(annual float64, conv AttritionConversion) (float64, error) {
	var c checker
	c.shareFloat(named("annual"), annual)
	if conv != CompoundAttrition && conv != SimpleAttrition {
		c.fail(named("conv"), "must be CompoundAttrition or SimpleAttrition", int(conv))
	}
	if err := c.err(); err != nil {
		return 0, fmt.Errorf("monthly attrition: %w", err)
	}
	if conv == SimpleAttrition {
		return annual / engine.MonthsPerYear, nil
	}
	return 1 - math.Pow(1-annual, 1.0/engine.MonthsPerYear), nil
}

// Ramp is productivity by tenure month (§2.5): Ramp[0] is a new hire's
// share of a fully productive person's output in their first month,
// Ramp[1] in their second, and so on; after the last entry it is 1. A nil
// Ramp is fully productive from the first month. Step ramps are written
// out: Ramp{.3, .3, .3, .7, .7, .7} is 30% for three months, then 70%
// for three.
type Ramp []float64

// LinearRamp returns the linear ramp of §2.5 over months months after
// onboarding months at zero: r(k) = min(1, max(0, (k − onboarding) /
// months)) for tenure month k = 1, 2, …
func LinearRamp(months, onboarding int) (Ramp, error) {
	var c checker
	if months < 0 {
		c.fail(named("months"), "must be ≥ 0", months)
	}
	if onboarding < 0 {
		c.fail(named("onboarding"), "must be ≥ 0", onboarding)
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("linear ramp: %w", err)
	}
	r := make(Ramp, onboarding+months)
	for k := onboarding + 1; k <= onboarding+months; k++ {
		r[k-1] = float64(k-onboarding) / float64(months)
	}
	return r, nil
}

// Factor returns the productivity in tenure month k (1 is the first month
// on the job): 0 before the start, 1 after the ramp.
func (r Ramp) Factor(k int) float64 {
	switch {
	case k < 1:
		return 0
	case k > len(r):
		return 1
	}
	return r[k-1]
}

// AverageProductivity returns the output over the first months of the
// plan of one person starting in month start, as a share of a fully
// productive person's (§2.5): Σ_{t=start}^{months} r(t − start + 1) /
// months. Start 0 is someone already on the job and fully productive. A
// January start on the H3 ramp gives 0.75; on a linear six-month ramp,
// 0.7917 (oracle H4).
func (r Ramp) AverageProductivity(start, months int) float64 {
	if months < 1 {
		return 0
	}
	if start == 0 {
		return 1
	}
	sum := 0.0
	for t := max(start, 1); t <= months; t++ {
		sum += r.Factor(t - start + 1)
	}
	return sum / float64(months)
}

// check refuses a ramp factor outside 0 to 1.
func (r Ramp) check(c *checker, field string) {
	for i, f := range r {
		c.shareFloat(elem(field, i), f)
	}
}

// RepCohort is a group of sales reps who start together.
type RepCohort struct {
	// Start is the fiscal month of their first month on the job; 0 is
	// reps already on the team and fully productive at the start.
	Start int
	// Reps is how many, as FTE.
	Reps float64
}

// RampedReps returns ramped-rep equivalents by month (§2.6): RRE(t) =
// Σ cohorts Reps × r(t − Start + 1), with no attrition (for attrition,
// project the team as a Department and use Headcount.ProductiveFTE).
func RampedReps(cohorts []RepCohort, ramp Ramp, months int) ([]float64, error) {
	var c checker
	c.horizon(months)
	ramp.check(&c, "ramp")
	for i, k := range cohorts {
		c.nonNegativeFloat(elem("cohorts", i).dot("Reps"), k.Reps)
		if k.Start < 0 || k.Start > months {
			c.fail(elem("cohorts", i).dot("Start"), fmt.Sprintf("must be between 0 and %d", months), k.Start)
		}
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("ramped reps: %w", err)
	}
	rre := make([]float64, months)
	for _, k := range cohorts {
		for t := 1; t <= months; t++ {
			f := 1.0
			if k.Start > 0 {
				f = ramp.Factor(t - k.Start + 1)
			}
			rre[t-1] += k.Reps * f
		}
	}
	return rre, nil
}

// Proration says which part of the start month (and of the month someone
// leaves) is paid (§2.4).
type Proration int

const (
	// FullMonth pays the start month in full: people join on the first
	// day, and leavers go at the end of the month before. Cost follows
	// month-end headcount.
	FullMonth Proration = iota
	// MidMonth pays half of the start and leaving months: people join and
	// leave mid-month. Cost follows the month's average headcount, (open
	// + close) / 2, the common simplification of §2.4.
	MidMonth
)

// Role is one line of a department's hiring plan or roster.
type Role struct {
	// Title names the role in messages.
	Title string
	// Heads is the number of positions on the line, as FTE (0.5 for a
	// half-time position).
	Heads float64
	// Start is the fiscal month the role is planned to start, 1 to the
	// horizon; 0 is people on the roster at the start of the year, fully
	// productive and not subject to the fill rate.
	Start int
	// AnnualSalary is the base salary of one FTE for a year.
	AnnualSalary decimal.Decimal
	// LoadFactor overrides the department's fully loaded multiplier when
	// not zero.
	LoadFactor decimal.Decimal
}

// Department is one department's hiring plan and the assumptions its
// roster roll-forward uses (§2.1–§2.5).
type Department struct {
	// Name names the department in messages.
	Name string
	// Roles are the people on the roster (Start 0) and the planned hires.
	Roles []Role
	// AnnualAttrition is the share of people who leave in a year, 0 to 1,
	// turned monthly by Conversion (compound unless told otherwise).
	AnnualAttrition float64
	Conversion      AttritionConversion
	// FillRate is the share of open roles the department fills, from its
	// history (HiringHistory.FillRate), 0 to 1. It applies to planned
	// hires and to backfills; the unfilled share never starts.
	FillRate float64
	// Backfill replaces leavers: each departure opens a role that starts
	// TimeToFillMonths later (0: in the month of the departure), filled at
	// FillRate.
	Backfill         bool
	TimeToFillMonths int
	// StartDelay, when set, is how planned hires slip: StartDelay[k] is
	// the weight of a start k months after the planned month (§2.3).
	// Weights are relative; nil starts every hire as planned.
	StartDelay []float64
	// Ramp is productivity by tenure month for hires (§2.5).
	Ramp Ramp
	// LoadFactor is the fully loaded multiplier of base salary, ≥ 1: 1.35
	// for a 35% burden of taxes, benefits and overhead (§2.4).
	LoadFactor decimal.Decimal
	// Proration is how much of the start and leaving months is paid.
	Proration Proration
}

// Headcount is a department's roster and its cost by month.
type Headcount struct {
	// Department is the department's Name.
	Department string
	// Opening is the FTE on the roster at the start of month 1.
	Opening float64
	// FTE is the expected FTE at each month end: fractional, since fill
	// rate and attrition are expectations.
	FTE []float64
	// ProductiveFTE is FTE weighted by each person's ramp factor; for a
	// sales team, the ramped-rep equivalents net of attrition (§2.6).
	ProductiveFTE []float64
	// Hires, Backfills and Departures are the expected movements of each
	// month: FTE(t) = FTE(t−1) + Hires(t) + Backfills(t) − Departures(t).
	Hires, Backfills, Departures []float64
	// Cost is the fully loaded cost of each month, in cents.
	Cost []decimal.Decimal
	// TotalCost is the cost of the horizon, the sum of Cost.
	TotalCost decimal.Decimal
}

// ProjectHeadcount rolls a department's roster forward month by month
// from its hiring plan (§2.1–§2.4):
//
//	m             = MonthlyAttrition(AnnualAttrition, Conversion)
//	Departures(t) = FTE(t−1) × m    (on the opening roster: nobody leaves in their start month)
//	Hires(t)      = heads planned for t × FillRate    (spread by StartDelay)
//	Backfills(t)  = Departures(t − TimeToFillMonths) × FillRate    (when Backfill)
//	FTE(t)        = FTE(t−1) + Hires(t) + Backfills(t) − Departures(t)
//	Productive(t) = Σ_h (FTE hired in h still there in t) × Ramp.Factor(t − h + 1), the opening roster at 1
//	Cost(t)       = Σ roles AnnualSalary × LoadFactor / 12 × paid FTE(t)
//
// where paid FTE is month-end FTE (FullMonth) or (FTE(t−1) + FTE(t)) / 2
// (MidMonth); a role starting in month 12 costs one month (FullMonth) or
// half a month (MidMonth) of the year. Every head of a role follows the
// same expected path, so the path is computed once per start month.
// Rounding: Cost is rounded once, the horizon's total to cents and spread
// over months in proportion to their exact cost (see the package doc).
func ProjectHeadcount(d Department, months int) (Headcount, error) {
	a, err := d.assumptions(months)
	if err != nil {
		return Headcount{}, fmt.Errorf("project headcount of %q: %w", d.Name, err)
	}

	// Heads and annual loaded cost by start month (0: on the roster).
	heads := make([]float64, months+1)
	annual := make([]decimal.Decimal, months+1)
	for _, r := range d.Roles {
		if r.Heads == 0 {
			continue
		}
		load := d.LoadFactor
		if !r.LoadFactor.IsZero() {
			load = r.LoadFactor
		}
		heads[r.Start] += r.Heads
		annual[r.Start] = annual[r.Start].Add(decimal.NewFromFloat(r.Heads).Mul(r.AnnualSalary).Mul(load))
	}

	h := Headcount{
		Department:    d.Name,
		Opening:       heads[0],
		FTE:           make([]float64, months),
		ProductiveFTE: make([]float64, months),
		Hires:         make([]float64, months),
		Backfills:     make([]float64, months),
		Departures:    make([]float64, months),
	}
	exact := make([]decimal.Decimal, months) // cost at the annual rate
	p := newRosterPath(months)
	for s, n := range heads {
		if n == 0 {
			continue
		}
		a.follow(&p, s)
		for t := range months {
			h.FTE[t] += n * p.fte[t]
			h.ProductiveFTE[t] += n * p.productive[t]
			h.Hires[t] += n * p.hires[t]
			h.Backfills[t] += n * p.backfills[t]
			h.Departures[t] += n * p.departures[t]
			if p.paid[t] != 0 {
				exact[t] = exact[t].Add(annual[s].Mul(decimal.NewFromFloat(p.paid[t])))
			}
		}
	}
	total := engine.Sum(exact...).DivRound(twelve, 16)
	h.Cost = engine.Spread(total, exact)
	h.TotalCost = engine.Sum(h.Cost...)
	return h, nil
}

// assumptions are a department's rates, checked and made monthly.
type assumptions struct {
	attrition float64 // monthly
	fill      float64
	backfill  bool
	ttf       int
	delay     []float64 // normalised to add up to 1
	ramp      Ramp
	midMonth  bool
}

// assumptions checks the department and returns its monthly rates.
func (d Department) assumptions(months int) (assumptions, error) {
	var c checker
	c.horizon(months)
	c.shareFloat(named("AnnualAttrition"), d.AnnualAttrition)
	if d.Conversion != CompoundAttrition && d.Conversion != SimpleAttrition {
		c.fail(named("Conversion"), "must be CompoundAttrition or SimpleAttrition", int(d.Conversion))
	}
	c.shareFloat(named("FillRate"), d.FillRate)
	if d.TimeToFillMonths < 0 {
		c.fail(named("TimeToFillMonths"), "must be ≥ 0", d.TimeToFillMonths)
	}
	delaySum := 0.0
	for i, w := range d.StartDelay {
		c.nonNegativeFloat(elem("StartDelay", i), w)
		delaySum += w
	}
	if len(d.StartDelay) > 0 && !(delaySum > 0) {
		c.fail(named("StartDelay"), "must have a weight above 0", "all zero")
	}
	d.Ramp.check(&c, "Ramp")
	if d.Proration != FullMonth && d.Proration != MidMonth {
		c.fail(named("Proration"), "must be FullMonth or MidMonth", int(d.Proration))
	}
	usesDepartmentLoad := false
	for i, r := range d.Roles {
		role := elem("Roles", i).of(r.Title)
		c.nonNegativeFloat(role.dot("Heads"), r.Heads)
		if r.Start < 0 || r.Start > months {
			c.fail(role.dot("Start"), fmt.Sprintf("must be between 0 (on the roster) and %d", months), r.Start)
		}
		c.nonNegative(role.dot("AnnualSalary"), r.AnnualSalary)
		switch {
		case r.LoadFactor.IsZero():
			usesDepartmentLoad = true
		case r.LoadFactor.LessThan(one):
			c.fail(role.dot("LoadFactor"), "must be ≥ 1 (or 0 for the department's)", r.LoadFactor)
		}
	}
	if usesDepartmentLoad && d.LoadFactor.LessThan(one) {
		c.fail(named("LoadFactor"), "must be ≥ 1 (1 for base salary only)", d.LoadFactor)
	}
	if err := c.err(); err != nil {
		return assumptions{}, err
	}
	m, _ := MonthlyAttrition(d.AnnualAttrition, d.Conversion)
	a := assumptions{
		attrition: m,
		fill:      d.FillRate,
		backfill:  d.Backfill,
		ttf:       d.TimeToFillMonths,
		ramp:      d.Ramp,
		midMonth:  d.Proration == MidMonth,
	}
	for _, w := range d.StartDelay {
		a.delay = append(a.delay, w/delaySum)
	}
	return a, nil
}

// rosterPath is the expected path of one head of a role, by month (index
// t−1 for month t).
type rosterPath struct {
	fte, productive, hires, backfills, departures, paid []float64
	hired                                               []float64 // all starts of the month: the cohorts the ramp follows
}

func newRosterPath(months int) rosterPath {
	buf := make([]float64, 7*months)
	cut := func(i int) []float64 { return buf[i*months : (i+1)*months : (i+1)*months] }
	return rosterPath{cut(0), cut(1), cut(2), cut(3), cut(4), cut(5), cut(6)}
}

// follow fills p with the path of one head starting in month start (0: on
// the roster at the start).
func (a assumptions) follow(p *rosterPath, start int) {
	n := len(p.fte)
	for t := range n {
		p.hires[t] = 0
	}
	if start > 0 {
		if len(a.delay) == 0 {
			p.hires[start-1] = a.fill
		}
		for k, w := range a.delay {
			if start-1+k < n {
				p.hires[start-1+k] += a.fill * w
			}
		}
	}
	open, tenured := 0.0, 0.0
	if start == 0 {
		open, tenured = 1, 1
	}
	for t := range n {
		p.departures[t] = open * a.attrition
		p.backfills[t] = 0
		if a.backfill && t >= a.ttf {
			p.backfills[t] = a.fill * p.departures[t-a.ttf]
		}
		p.hired[t] = p.hires[t] + p.backfills[t]
		closing := open - p.departures[t] + p.hired[t]

		tenured *= 1 - a.attrition
		productive, survival := tenured, 1.0
		for h := t; h >= 0; h-- {
			productive += p.hired[h] * survival * a.ramp.Factor(t-h+1)
			survival *= 1 - a.attrition
		}

		p.fte[t] = closing
		p.productive[t] = productive
		p.paid[t] = closing
		if a.midMonth {
			p.paid[t] = (open + closing) / 2
		}
		open = closing
	}
}

// HiringHistory is what a department's recent hiring shows (§2.3).
type HiringHistory struct {
	// Requested and Filled count the roles opened, and of them filled, in
	// the window.
	Requested, Filled int
	// DaysToFill is the days from opening to accepted offer of each
	// filled role (SHRM's time to fill).
	DaysToFill []float64
	// WindowMonths is the length of the history; 0 means 12.
	WindowMonths int
}

// daysPerMonth is the average month, 365 / 12 days.
const daysPerMonth = 365.0 / engine.MonthsPerYear

// FillRate returns Filled / Requested, the share of open roles filled; 0
// when nothing was requested.
func (h HiringHistory) FillRate() float64 {
	if h.Requested == 0 {
		return 0
	}
	return float64(h.Filled) / float64(h.Requested)
}

// MeanDaysToFill returns the average time to fill in days (§2.3, oracle
// H2: 28, 41 and 14 days average 27.7); 0 without history.
func (h HiringHistory) MeanDaysToFill() float64 {
	if len(h.DaysToFill) == 0 {
		return 0
	}
	sum := 0.0
	for _, d := range h.DaysToFill {
		sum += d
	}
	return sum / float64(len(h.DaysToFill))
}

// MedianDaysToFill returns the median time to fill in days (the mean of
// the two middle values for an even count; oracle H2: 28); 0 without
// history.
func (h HiringHistory) MedianDaysToFill() float64 {
	n := len(h.DaysToFill)
	if n == 0 {
		return 0
	}
	s := slices.Clone(h.DaysToFill)
	slices.Sort(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TimeToFillMonths returns the mean time to fill in whole months, rounded
// up (days / (365/12)): a backfill starts in the month after its fill
// completes. Use it as Department.TimeToFillMonths.
func (h HiringHistory) TimeToFillMonths() int {
	return int(math.Ceil(h.MeanDaysToFill()/daysPerMonth - 1e-9))
}

func (h HiringHistory) window() int {
	if h.WindowMonths == 0 {
		return engine.MonthsPerYear
	}
	return h.WindowMonths
}

// HiringCheck compares what a department asks to hire with what its
// history says it can fill.
type HiringCheck struct {
	// Department is the department's Name.
	Department string
	// NewRoles is the planned heads starting within the horizon; Backfills
	// the backfills of projected departures due within it (when the
	// department backfills). Asked is their sum.
	NewRoles, Backfills, Asked float64
	// Fillable is what the history says can be filled in the horizon.
	Fillable float64
	// Over reports Asked > Fillable.
	Over bool
	// Message states the comparison with its numbers, for a person.
	Message string
}

// CheckHiringAsk flags a department that asks for more hires than its
// history says it can fill in the horizon (§2.3) [design]. The history
// gives a pace, Filled / WindowMonths roles a month, and a lead time, the
// mean time to fill; roles asked for now can start landing only after that
// lead time, so
//
//	Fillable = Filled / WindowMonths × max(0, months − MeanDaysToFill / (365/12))
//
// and the ask is the department's planned new roles plus the backfills
// its projected departures call for within the horizon, all in FTE.
func CheckHiringAsk(d Department, h HiringHistory, months int) (HiringCheck, error) {
	var c checker
	if h.Requested < 0 {
		c.fail(named("Requested"), "must be ≥ 0", h.Requested)
	}
	if h.Filled < 0 || h.Filled > h.Requested {
		c.fail(named("Filled"), fmt.Sprintf("must be between 0 and Requested (%d)", h.Requested), h.Filled)
	}
	for i, days := range h.DaysToFill {
		c.nonNegativeFloat(elem("DaysToFill", i), days)
	}
	if h.WindowMonths < 0 {
		c.fail(named("WindowMonths"), "must be ≥ 0 (0 for 12)", h.WindowMonths)
	}
	if err := c.err(); err != nil {
		return HiringCheck{}, fmt.Errorf("check hiring ask of %q: history: %w", d.Name, err)
	}
	hc, err := ProjectHeadcount(d, months)
	if err != nil {
		return HiringCheck{}, fmt.Errorf("check hiring ask: %w", err)
	}

	k := HiringCheck{Department: d.Name}
	for _, r := range d.Roles {
		if r.Start >= 1 {
			k.NewRoles += r.Heads
		}
	}
	if d.Backfill {
		for t := 0; t+d.TimeToFillMonths < months; t++ {
			k.Backfills += hc.Departures[t]
		}
	}
	k.Asked = k.NewRoles + k.Backfills
	pace := float64(h.Filled) / float64(h.window())
	lead := h.MeanDaysToFill() / daysPerMonth
	left := max(0, float64(months)-lead)
	k.Fillable = pace * left
	k.Over = k.Asked > k.Fillable+1e-9

	ask := fmt.Sprintf("%s asks for %.1f hires in %d months (%.1f new roles, %.1f backfills)",
		d.Name, k.Asked, months, k.NewRoles, k.Backfills)
	verdict := "; its history says it can fill about"
	if k.Over {
		verdict = " but its history says it can fill only about"
	}
	rate := "no roles requested"
	if h.Requested > 0 {
		rate = fmt.Sprintf("%.0f%% fill rate", 100*h.FillRate())
	}
	k.Message = fmt.Sprintf("%s%s %.1f: it filled %d of %d requested roles in the last %d months (%s, %.2f a month), "+
		"taking %.0f days on average to fill (%.1f months), which leaves %.1f months to hire in",
		ask, verdict, k.Fillable, h.Filled, h.Requested, h.window(), rate, pace, h.MeanDaysToFill(), lead, left)
	if k.Over {
		k.Message += fmt.Sprintf(": %.1f more than it can fill", k.Asked-k.Fillable)
	}
	return k, nil
}
