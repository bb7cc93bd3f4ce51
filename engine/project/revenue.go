package project

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Pipeline is the demand side of the revenue driver tree (§3.1, §3.2):
// opportunities created each month, the share of them won, the value of a
// won deal and how long a deal takes to close.
type Pipeline struct {
	// NewOpportunities is the number of opportunities created in each
	// month; expected values may be fractional.
	NewOpportunities []decimal.Decimal
	// WinRate is the share of opportunities won, 0 to 1.
	WinRate decimal.Decimal
	// AverageDealSize is the booking value of a won deal.
	AverageDealSize decimal.Decimal
	// CycleMonths is the sales cycle: opportunities created in month t
	// close in month t + CycleMonths. Ignored when CycleWeights is set.
	CycleMonths int
	// CycleWeights, when set, spreads the closes of a month's
	// opportunities over the following months: CycleWeights[L] is the
	// weight of a close L months after creation. Weights are relative;
	// they need not add up to 1.
	CycleWeights []decimal.Decimal
}

// Bookings is a bookings forecast by month.
type Bookings struct {
	// Wins is the expected number of deals won each month (not rounded).
	Wins []decimal.Decimal
	// Amount is the bookings of each month, in cents.
	Amount []decimal.Decimal
	// AfterHorizon is the bookings of these opportunities that close
	// after the last month, in cents.
	AfterHorizon decimal.Decimal
}

// ProjectBookings turns a pipeline into expected wins and bookings by
// month (§3.1, timing by sales cycle):
//
//	Won(t)      = Σ_L Opps(t−L) × WinRate × w(L)      w(L) = CycleWeights[L] / Σ CycleWeights
//	Bookings(t) = Won(t) × AverageDealSize
//
// Rounding: the bookings of each month's opportunities, Opps(s) × WinRate
// × AverageDealSize, are rounded once to cents and land whole in their
// closing month, or, with CycleWeights, are split over their closing
// months by largest remainder (engine.Spread). Σ Amount + AfterHorizon
// equals the sum of those rounded values exactly. Amounts are counted in
// int64 cents: they may add up to 92,233,720,368,547,758.07.
func ProjectBookings(p Pipeline, months int) (Bookings, error) {
	var c checker
	c.horizon(months)
	c.amounts("NewOpportunities", p.NewOpportunities, max(months, 1))
	c.share(named("WinRate"), p.WinRate)
	c.nonNegative(named("AverageDealSize"), p.AverageDealSize)
	if p.CycleMonths < 0 {
		c.fail(named("CycleMonths"), "must be ≥ 0", p.CycleMonths)
	}
	sumW := decimal.Zero
	for i, w := range p.CycleWeights {
		c.nonNegative(elem("CycleWeights", i), w)
		sumW = sumW.Add(w)
	}
	if len(p.CycleWeights) > 0 && !sumW.IsPositive() {
		c.fail(named("CycleWeights"), "must have a weight above 0", "all zero")
	}
	if err := c.err(); err != nil {
		return Bookings{}, fmt.Errorf("project bookings: %w", err)
	}

	b := Bookings{Wins: make([]decimal.Decimal, months)}
	cents := make([]int64, months+1) // the last counts what closes after the horizon
	var total int64
	for s, opps := range p.NewOpportunities {
		if opps.IsZero() {
			continue
		}
		won := opps.Mul(p.WinRate)
		value := engine.RoundMoney(won.Mul(p.AverageDealSize))
		v, ok := toCents(value)
		if !ok || !addCents(&total, v) {
			return Bookings{}, fmt.Errorf("project bookings: %w", tooLarge("NewOpportunities × WinRate × AverageDealSize"))
		}
		if len(p.CycleWeights) == 0 {
			t := s + min(p.CycleMonths, months)
			cents[min(t, months)] += v
			if t < months {
				b.Wins[t] = b.Wins[t].Add(won)
			}
			continue
		}
		for lag, part := range engine.Spread(value, p.CycleWeights) {
			t := min(s+lag, months)
			partCents, _ := toCents(part) // a part of value fits
			cents[t] += partCents
			if w := p.CycleWeights[lag]; t < months && !w.IsZero() {
				b.Wins[t] = b.Wins[t].Add(won.Mul(w).Div(sumW))
			}
		}
	}
	b.Amount = fromCents(cents[:months])
	b.AfterHorizon = fromCents(cents[months:])[0]
	return b, nil
}

// Funnel returns the volume at each stage of a conversion funnel: top,
// top × r₁, top × r₁ × r₂, … (§3.1). Volumes are expected values, not
// rounded.
func Funnel(top decimal.Decimal, rates ...decimal.Decimal) ([]decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("top"), top)
	for i, r := range rates {
		c.share(elem("rates", i), r)
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	stages := []decimal.Decimal{top}
	for _, r := range rates {
		top = top.Mul(r)
		stages = append(stages, top)
	}
	return stages, nil
}

// RequiredTop returns the top-of-funnel volume that yields target
// bookings (§3.1, reverse funnel): target / (dealSize × Π rates). It
// refuses a funnel that converts nothing.
func RequiredTop(target, dealSize decimal.Decimal, rates ...decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("target"), target)
	c.nonNegative(named("dealSize"), dealSize)
	yield := dealSize
	for i, r := range rates {
		c.share(elem("rates", i), r)
		yield = yield.Mul(r)
	}
	if len(c.errs) == 0 && yield.IsZero() {
		c.fail(named("rates"), "must convert something (deal size × rates > 0)", "0")
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("required top of funnel: %w", err)
	}
	return target.Div(yield), nil
}

// SalesVelocity returns the revenue a pipeline produces per day (§3.2):
// opportunities × average deal size × win rate / sales cycle in days. It
// is a rate and is not rounded.
func SalesVelocity(opportunities, dealSize, winRate, cycleDays decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("opportunities"), opportunities)
	c.nonNegative(named("dealSize"), dealSize)
	c.share(named("winRate"), winRate)
	if !cycleDays.IsPositive() {
		c.fail(named("cycleDays"), "must be > 0", cycleDays)
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("sales velocity: %w", err)
	}
	return opportunities.Mul(dealSize).Mul(winRate).Div(cycleDays), nil
}

// PipelineCoverage returns open pipeline / quota (§3.2). Coverage at or
// above BreakEvenCoverage(win rate) is enough pipeline to make quota.
func PipelineCoverage(pipeline, quota decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("pipeline"), pipeline)
	if !quota.IsPositive() {
		c.fail(named("quota"), "must be > 0", quota)
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("pipeline coverage: %w", err)
	}
	return pipeline.Div(quota), nil
}

// BreakEvenCoverage returns the pipeline coverage that just makes quota
// at a win rate: 1 / win rate (§3.2).
func BreakEvenCoverage(winRate decimal.Decimal) (decimal.Decimal, error) {
	if !winRate.IsPositive() || winRate.GreaterThan(one) {
		return decimal.Zero, fmt.Errorf("break-even coverage: %w", &InputError{Field: "winRate", Rule: "must be > 0 and ≤ 1", Value: winRate.String()})
	}
	return one.Div(winRate), nil
}

// Billing says when a contract is invoiced, which drives deferred revenue.
type Billing int

const (
	// BilledUpfront invoices the whole contract in the month it is booked.
	BilledUpfront Billing = iota
	// BilledMonthly invoices each month's service in that month, so
	// nothing is deferred.
	BilledMonthly
)

// Contracts describes what a booking buys, for ratable recognition.
type Contracts struct {
	// TermMonths is the service term of a booking, ≥ 1.
	TermMonths int
	// StartLagMonths is the months from booking to service start (0: the
	// service starts in the month booked).
	StartLagMonths int
	// Billing is when bookings are invoiced.
	Billing Billing
}

// Recognition is revenue recognised from bookings, with the billings and
// deferred revenue that go with it, by month.
type Recognition struct {
	// Revenue is the revenue recognised each month, in cents.
	Revenue []decimal.Decimal
	// Billings is what is invoiced each month, in cents.
	Billings []decimal.Decimal
	// Deferred is the deferred revenue balance at each month end, in
	// cents: billed and not yet recognised, from these bookings only.
	Deferred []decimal.Decimal
	// AfterHorizon is the revenue of these bookings recognised after the
	// last month, in cents.
	AfterHorizon decimal.Decimal
}

// RecognizeBookings recognises bookings ratably over the service term,
// from service start, not from signature (§3.5, ASC 606):
//
//	a booking B in month s is recognised as B/TermMonths in each month
//	s + StartLagMonths … s + StartLagMonths + TermMonths − 1
//	Deferred(t) = Deferred(t−1) + Billings(t) − Revenue(t)
//
// Months are whole: service starts on the first day of its month (the
// "month evenly" method of §3.5). Each booking is rounded to cents and
// split evenly by largest remainder, the extra cents in the earliest
// months (as engine.SpreadEvenly splits), so the revenue of a booking over
// its full term equals the booking to the cent. Amounts are counted in
// int64 cents: bookings may add up to 92,233,720,368,547,758.07.
func RecognizeBookings(bookings []decimal.Decimal, terms Contracts, months int) (Recognition, error) {
	var c checker
	c.horizon(months)
	c.amounts("bookings", bookings, max(months, 1))
	if terms.TermMonths < 1 {
		c.fail(named("TermMonths"), "must be ≥ 1", terms.TermMonths)
	}
	if terms.StartLagMonths < 0 {
		c.fail(named("StartLagMonths"), "must be ≥ 0", terms.StartLagMonths)
	}
	if terms.Billing != BilledUpfront && terms.Billing != BilledMonthly {
		c.fail(named("Billing"), "must be BilledUpfront or BilledMonthly", int(terms.Billing))
	}
	if err := c.err(); err != nil {
		return Recognition{}, fmt.Errorf("recognize bookings: %w", err)
	}

	revenue := make([]int64, months+1) // cents; the last is after the horizon
	billings := make([]int64, months)
	var total int64
	for s, b := range bookings {
		v, ok := toCents(b)
		if !ok || !addCents(&total, v) {
			return Recognition{}, fmt.Errorf("recognize bookings: %w", tooLarge("bookings"))
		}
		if v == 0 {
			continue
		}
		if terms.Billing == BilledUpfront {
			billings[s] += v
		}
		// The even split of v cents over the term: share cents a month,
		// one more in each of the first extra months.
		share, extra := v/int64(terms.TermMonths), v%int64(terms.TermMonths)
		first := s + min(terms.StartLagMonths, months)
		inHorizon := max(0, min(terms.TermMonths, months-first))
		placed := int64(0)
		for k := range inHorizon {
			part := share
			if int64(k) < extra {
				part++
			}
			revenue[first+k] += part
			if terms.Billing == BilledMonthly {
				billings[first+k] += part
			}
			placed += part
		}
		revenue[months] += v - placed
	}
	deferred := make([]int64, months) // the roll-forward of DeferredRevenue, in cents
	balance := int64(0)
	for t := range deferred {
		balance += billings[t] - revenue[t]
		deferred[t] = balance
	}
	return Recognition{
		Revenue:      fromCents(revenue[:months]),
		Billings:     fromCents(billings),
		Deferred:     fromCents(deferred),
		AfterHorizon: fromCents(revenue[months:])[0],
	}, nil
}

// DeferredRevenue rolls deferred revenue forward (§3.5):
// Deferred(t) = Deferred(t−1) + Billings(t) − Revenue(t), from opening.
// It returns the balance at each month end; the series run as long as the
// longer of billings and revenue. Nothing is rounded: cents in, cents out.
func DeferredRevenue(opening decimal.Decimal, billings, revenue []decimal.Decimal) []decimal.Decimal {
	n := max(len(billings), len(revenue))
	out := make([]decimal.Decimal, n)
	balance := opening
	for t := range out {
		balance = balance.Add(at(billings, t)).Sub(at(revenue, t))
		out[t] = balance
	}
	return out
}

// Amortization is how a service period's amount is spread over calendar
// months; the four methods are Stripe's (§3.5, oracle R1).
type Amortization int

const (
	// ByMillisecond recognises in proportion to the time of the service
	// period that falls in each month.
	ByMillisecond Amortization = iota
	// ByDay recognises by whole days: the start day counts in full, the
	// end day not at all.
	ByDay
	// ByMonthEvenly recognises an equal amount in each month from the
	// start month up to, not including, the end month.
	ByMonthEvenly
	// ByMonthProratedEnds prorates the first and last months by time, as
	// ByMillisecond does, and shares the rest equally among the months
	// between them.
	ByMonthProratedEnds
)

// MonthAmount is an amount recognised in a calendar month.
type MonthAmount struct {
	Year   int
	Month  time.Month
	Amount decimal.Decimal
}

// RecognizeService spreads amount over the calendar months of the service
// period [start, end) by one of Stripe's amortization methods (§3.5).
// Months are those of start's location (Stripe uses UTC); map them to
// fiscal periods with engine.FiscalYear.PeriodOf. Months with nothing to
// recognise inside the period are kept, so the result runs from start's
// month through end's month (ByMonthEvenly stops before end's month).
//
// Rounding: amount is rounded to cents and, for ByMillisecond, ByDay and
// ByMonthEvenly, split by largest remainder (engine.Spread), so the months
// add up to it. ByMonthProratedEnds rounds the first and last months half
// away from zero and gives each month between them the equal share
// truncated to the cent, the last of them taking what is left — Stripe's
// rule, which the R1 oracle shows (30.66, 30.66, 30.68).
//
// A period inside one day (ByDay) or one month (ByMonthEvenly) is
// recognised whole in its start month.
func RecognizeService(amount decimal.Decimal, start, end time.Time, method Amortization) ([]MonthAmount, error) {
	var c checker
	c.nonNegative(named("amount"), amount)
	if !end.After(start) {
		c.fail(named("end"), "must be after start "+start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if method < ByMillisecond || method > ByMonthProratedEnds {
		c.fail(named("method"), "must be one of the four Amortization methods", int(method))
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("recognize service: %w", err)
	}

	loc := start.Location()
	end = end.In(loc)
	first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc)
	var bounds []time.Time // the first instant of each month, through end's month
	for m := first; !m.After(end); m = m.AddDate(0, 1, 0) {
		bounds = append(bounds, m)
	}
	out := make([]MonthAmount, len(bounds))
	for i, m := range bounds {
		out[i] = MonthAmount{Year: m.Year(), Month: m.Month()}
	}
	amount = engine.RoundMoney(amount)

	// within returns the part of [from, to) inside month i.
	within := func(i int, from, to time.Time) (time.Time, time.Time) {
		lo, hi := bounds[i], bounds[i].AddDate(0, 1, 0)
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		return lo, hi
	}
	weights := make([]decimal.Decimal, len(out))
	switch method {
	case ByMillisecond, ByMonthProratedEnds:
		for i := range bounds {
			lo, hi := within(i, start, end)
			weights[i] = decimal.NewFromInt(max(0, hi.Sub(lo).Milliseconds()))
		}
	case ByDay:
		// Whole calendar days, counted on the calendar so that a
		// daylight-saving change makes no day short or long.
		midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc) }
		from, to := midnight(start), midnight(end)
		for i := range bounds {
			lo, hi := within(i, from, to)
			days := int64(0)
			for d := lo; d.Before(hi); d = d.AddDate(0, 0, 1) {
				days++
			}
			weights[i] = decimal.NewFromInt(days)
		}
	case ByMonthEvenly:
		out = out[:max(len(out)-1, 1)] // end's month is cut off
		weights = weights[:len(out)]
		for i := range weights {
			weights[i] = one
		}
	}
	if engine.Sum(weights...).IsZero() {
		weights = make([]decimal.Decimal, len(out))
		weights[0] = one
	}

	var parts []decimal.Decimal
	if method == ByMonthProratedEnds && len(out) > 2 {
		parts = proratedEnds(amount, weights)
	} else {
		parts = engine.Spread(amount, weights)
	}
	for i := range out {
		out[i].Amount = parts[i]
	}
	return out, nil
}

// proratedEnds splits amount Stripe's way for ByMonthProratedEnds: the
// first and last months by their share of the period's time (weights),
// rounded to cents; the months between them the equal share of the rest
// truncated to the cent, the last of them taking the remainder.
func proratedEnds(amount decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	n := len(weights)
	total := engine.Sum(weights...)
	parts := make([]decimal.Decimal, n)
	parts[0] = engine.RoundMoney(amount.Mul(weights[0]).Div(total))
	parts[n-1] = engine.RoundMoney(amount.Mul(weights[n-1]).Div(total))
	rest := amount.Sub(parts[0]).Sub(parts[n-1])
	middle := decimal.NewFromInt(int64(n - 2))
	share := rest.Div(middle).Truncate(engine.MinorUnits)
	for i := 1; i < n-1; i++ {
		parts[i] = share
	}
	parts[n-2] = rest.Sub(share.Mul(middle.Sub(one)))
	return parts
}

// MRRMovements are one period's movements of recurring revenue (§3.3), as
// non-negative amounts; the bridge gives them their signs.
type MRRMovements struct {
	New, Expansion, Reactivation, Contraction, Churn decimal.Decimal
}

// MRRBridge is one period of the recurring-revenue bridge (§3.3).
type MRRBridge struct {
	Begin decimal.Decimal
	MRRMovements
	// End = Begin + New + Expansion + Reactivation − Contraction − Churn.
	End decimal.Decimal
	// NetNew = End − Begin.
	NetNew decimal.Decimal
	// GRR = (Begin − Contraction − Churn) / Begin, nil when Begin is 0.
	GRR *decimal.Decimal
	// NRR = (Begin − Contraction − Churn + Expansion) / Begin, nil when
	// Begin is 0. Neither counts new or reactivated revenue.
	NRR *decimal.Decimal
	// ARR = End × 12.
	ARR decimal.Decimal
}

// BridgeMRR rolls recurring revenue forward from opening through one
// period per entry of moves, each period beginning where the last ended
// (§3.3). Given annual movements of ARR as one period it is an ARR bridge
// (ignore the ARR field then). Amounts are not rounded: cents in, cents
// out; GRR and NRR are ratios, not rounded. It refuses a period whose
// losses exceed what it began with.
func BridgeMRR(opening decimal.Decimal, moves []MRRMovements) ([]MRRBridge, error) {
	var c checker
	c.nonNegative(named("opening"), opening)
	for i, m := range moves {
		move := elem("moves", i)
		c.nonNegative(move.dot("New"), m.New)
		c.nonNegative(move.dot("Expansion"), m.Expansion)
		c.nonNegative(move.dot("Reactivation"), m.Reactivation)
		c.nonNegative(move.dot("Contraction"), m.Contraction)
		c.nonNegative(move.dot("Churn"), m.Churn)
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("MRR bridge: %w", err)
	}
	out := make([]MRRBridge, len(moves))
	begin := opening
	for i, m := range moves {
		kept := begin.Sub(m.Contraction).Sub(m.Churn)
		if kept.IsNegative() {
			return nil, fmt.Errorf("MRR bridge: %w", &InputError{
				Field: fmt.Sprintf("moves[%d]", i),
				Rule:  fmt.Sprintf("must not lose more than the %s it begins with (contraction + churn)", begin),
				Value: m.Contraction.Add(m.Churn).String(),
			})
		}
		b := MRRBridge{Begin: begin, MRRMovements: m}
		b.End = kept.Add(m.New).Add(m.Expansion).Add(m.Reactivation)
		b.NetNew = b.End.Sub(begin)
		b.ARR = b.End.Mul(twelve)
		if !begin.IsZero() {
			grr := kept.Div(begin)
			nrr := kept.Add(m.Expansion).Div(begin)
			b.GRR, b.NRR = &grr, &nrr
		}
		out[i] = b
		begin = b.End
	}
	return out, nil
}

// CAC returns the cost of acquiring a customer: sales and marketing
// expense / new customers (§3.4). It is a unit cost and is not rounded.
func CAC(salesAndMarketing, newCustomers decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("salesAndMarketing"), salesAndMarketing)
	if !newCustomers.IsPositive() {
		c.fail(named("newCustomers"), "must be > 0", newCustomers)
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("CAC: %w", err)
	}
	return salesAndMarketing.Div(newCustomers), nil
}

// CACPaybackMonths returns the months of gross profit that repay the cost
// of acquiring a customer (§3.4, Skok): CAC / (monthly ARPA × gross
// margin). Pass a gross margin of 1 for payback on revenue, the variant
// without margin. Not rounded.
func CACPaybackMonths(cac, monthlyARPA, grossMargin decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("cac"), cac)
	c.nonNegative(named("monthlyARPA"), monthlyARPA)
	c.share(named("grossMargin"), grossMargin)
	if len(c.errs) == 0 && monthlyARPA.Mul(grossMargin).IsZero() {
		c.fail(named("monthlyARPA × grossMargin"), "must be > 0 (no gross profit never pays back)", "0")
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("CAC payback: %w", err)
	}
	return cac.Div(monthlyARPA.Mul(grossMargin)), nil
}

// Quota is what a fully productive rep is expected to sell.
type Quota struct {
	// Annual is a fully productive rep's quota for a year.
	Annual decimal.Decimal
	// Attainment is the expected share of quota reps achieve (1 = 100%).
	// It may exceed 1.
	Attainment decimal.Decimal
	// Seasonality, when set, weights the months of the horizon (for
	// instance a quarter-end peak); weights are normalised to average 1,
	// so the quota of an average month stays Annual / 12.
	Seasonality []decimal.Decimal
}

// SalesCapacity returns the bookings capacity of a sales team by month
// (§2.6, MetricKit):
//
//	Capacity(t) = RampedReps(t) × Annual / 12 × Attainment × season(t)
//
// rampedReps is the ramped-rep equivalents by month (RampedReps, or
// Headcount.ProductiveFTE, which is net of attrition); its length is the
// horizon. Rounding: the horizon's total is rounded once and spread over
// months in proportion to their exact capacity (see the package doc), so a
// January hire on the oracle H3 ramp sells exactly 750,000.00 of a
// 1,000,000 quota.
func SalesCapacity(rampedReps []float64, q Quota) ([]decimal.Decimal, error) {
	var c checker
	for i, r := range rampedReps {
		c.nonNegativeFloat(elem("rampedReps", i), r)
	}
	c.nonNegative(named("Annual"), q.Annual)
	c.nonNegative(named("Attainment"), q.Attainment)
	months := len(rampedReps)
	if len(q.Seasonality) > 0 {
		if len(q.Seasonality) != months {
			c.fail(named("Seasonality"), fmt.Sprintf("must have one weight per month (%d)", months), fmt.Sprintf("%d weights", len(q.Seasonality)))
		}
		for i, w := range q.Seasonality {
			c.nonNegative(elem("Seasonality", i), w)
		}
		if engine.Sum(q.Seasonality...).IsZero() {
			c.fail(named("Seasonality"), "must have a weight above 0", "all zero")
		}
	}
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("sales capacity: %w", err)
	}

	// Weights are the ramped reps of each month, times its seasonality;
	// the division comes last, once, on the total.
	weights := make([]decimal.Decimal, months)
	for t, r := range rampedReps {
		weights[t] = decimal.NewFromFloat(r)
		if len(q.Seasonality) > 0 {
			weights[t] = weights[t].Mul(q.Seasonality[t])
		}
	}
	total := engine.Sum(weights...).Mul(q.Annual).Mul(q.Attainment)
	if len(q.Seasonality) > 0 {
		total = total.Mul(decimal.NewFromInt(int64(months))).DivRound(twelve.Mul(engine.Sum(q.Seasonality...)), 16)
	} else {
		total = total.DivRound(twelve, 16)
	}
	return engine.Spread(total, weights), nil
}
