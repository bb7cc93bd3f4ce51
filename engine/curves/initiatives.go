package curves

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Ramp places a curve on the plan's months (planning_math.md §1.1, §1.3).
// The curve's t is 1 in the month Start + Delay: Delay is the time to
// product-market fit, in months, during which the product is on sale but
// the curve has not begun. Before that the curve is 0:
//
//	τ_t = t − Start + 1 − Delay;  C(τ) = Curve.At(τ) for τ > 0, else 0.
//
// With Flow false the curve is the monthly level itself (a run-rate ramp:
// units_t = C(τ_t)); with Flow true it is cumulative and the month takes its
// increment (adopters: units_t = C(τ_t) − C(τ_t − 1), the Srinivasan–Mason
// form for a Bass curve).
type Ramp struct {
	Curve Curve
	Start int     // plan month of launch; may lie before month 1
	Delay float64 // months to product-market fit, ≥ 0
	Flow  bool
}

// Units returns the ramp's value for months 1..months.
func (r Ramp) Units(months int) ([]float64, error) {
	if r.Curve == nil {
		return nil, errors.New("ramp has no curve")
	}
	if err := r.Curve.Validate(); err != nil {
		return nil, err
	}
	if !finite(r.Delay) || r.Delay < 0 {
		return nil, fmt.Errorf("time to product-market fit must be ≥ 0 months, got %v", r.Delay)
	}
	level := func(tau float64) float64 {
		if tau <= 0 {
			return 0
		}
		return r.Curve.At(tau)
	}
	out := make([]float64, months)
	for i := range out {
		tau := float64(i+1-r.Start+1) - r.Delay
		out[i] = level(tau)
		if r.Flow {
			out[i] -= level(tau - 1)
		}
		if !finite(out[i]) {
			return nil, fmt.Errorf("curve gives %v at month %d", out[i], i+1)
		}
	}
	return out, nil
}

// Spend is a one-time amount paid in equal parts over Months consecutive
// months starting at month From (split with engine.SpreadEvenly, so the
// parts add back to the total to the cent). Parts that fall outside the
// plan horizon are reported apart, never dropped silently.
type Spend struct {
	Total  decimal.Decimal
	From   int
	Months int
}

// schedule places the spend on months 1..horizon, shifted by offset months,
// and returns the part that falls outside the horizon.
func (s Spend) schedule(horizon, offset int) (series []decimal.Decimal, outside decimal.Decimal, err error) {
	series = zeros(horizon)
	switch {
	case s.Months < 0:
		return nil, decimal.Zero, fmt.Errorf("spend months must be ≥ 0, got %d", s.Months)
	case s.Months == 0 && !s.Total.IsZero():
		return nil, decimal.Zero, fmt.Errorf("spend of %s needs at least one month", s.Total)
	}
	for i, part := range engine.SpreadEvenly(s.Total, s.Months) {
		month := s.From + offset + i
		if month >= 1 && month <= horizon {
			series[month-1] = series[month-1].Add(part)
		} else {
			outside = outside.Add(part)
		}
	}
	return series, outside, nil
}

// Launch is a product launch (planning_math.md §1.3, §1.4, §3.7):
// development before launch, go-to-market spend around it, unit sales on a
// ramp, and the sales it takes from an existing line.
type Launch struct {
	Months      int   // plan horizon
	Development Spend // one-time development cost
	GoToMarket  Spend // launch marketing and sales spend
	Ramp        Ramp  // units sold each month
	Price       decimal.Decimal
	// Cannibalization is the planned rate c: each new unit displaces c units
	// of the existing line, sold at OldPrice (§1.4, engine form).
	Cannibalization float64
	OldPrice        decimal.Decimal
}

// LaunchPlan is a launch's monthly series. Every money line is rounded to
// cents per month; Revenue − Cannibalized = NetRevenue and NetRevenue −
// Development − GoToMarket = Net hold exactly.
type LaunchPlan struct {
	Units        []float64
	Revenue      []decimal.Decimal // RoundMoney(units_t × Price)
	Cannibalized []decimal.Decimal // RoundMoney(c × units_t × OldPrice), revenue lost by the old line
	NetRevenue   []decimal.Decimal
	Development  []decimal.Decimal
	GoToMarket   []decimal.Decimal
	Net          []decimal.Decimal
	// OutsideHorizon is the part of the one-time spends that falls outside
	// the horizon.
	OutsideHorizon decimal.Decimal
}

// Plan computes the launch's monthly series.
func (l Launch) Plan() (LaunchPlan, error) {
	if l.Months < 1 {
		return LaunchPlan{}, fmt.Errorf("launch horizon must be at least one month, got %d", l.Months)
	}
	if !(l.Cannibalization >= 0 && l.Cannibalization <= 1) {
		return LaunchPlan{}, fmt.Errorf("cannibalization rate must lie in [0, 1], got %v", l.Cannibalization)
	}
	units, err := l.Ramp.Units(l.Months)
	if err != nil {
		return LaunchPlan{}, fmt.Errorf("launch ramp: %w", err)
	}
	p := LaunchPlan{Units: units}
	var out1, out2 decimal.Decimal
	if p.Development, out1, err = l.Development.schedule(l.Months, 0); err != nil {
		return LaunchPlan{}, fmt.Errorf("development: %w", err)
	}
	if p.GoToMarket, out2, err = l.GoToMarket.schedule(l.Months, 0); err != nil {
		return LaunchPlan{}, fmt.Errorf("go-to-market: %w", err)
	}
	p.OutsideHorizon = out1.Add(out2)
	c := decimal.NewFromFloat(l.Cannibalization)
	for i, u := range units {
		ud := decimal.NewFromFloat(u)
		rev := engine.RoundMoney(ud.Mul(l.Price))
		lost := engine.RoundMoney(ud.Mul(c).Mul(l.OldPrice))
		net := rev.Sub(lost)
		p.Revenue = append(p.Revenue, rev)
		p.Cannibalized = append(p.Cannibalized, lost)
		p.NetRevenue = append(p.NetRevenue, net)
		p.Net = append(p.Net, net.Sub(p.Development[i]).Sub(p.GoToMarket[i]))
	}
	return p, nil
}

// Synergy is one synergy line of an acquisition (planning_math.md §3.7):
//
//	synergy_t = RunRate/12 × Phasing[year after close] × Probability
//
// RunRate is the annual run-rate at full realization. Phasing is the share
// of it reached in each year after close (30%, 70%, 100% in the usual
// example); the last share holds for later years. Probability is the
// confidence the line is realized at all (revenue synergies are less certain
// than cost synergies), in (0, 1].
type Synergy struct {
	RunRate     decimal.Decimal
	Phasing     []float64
	Probability float64
}

func (s Synergy) validate() error {
	if s.RunRate.IsZero() {
		return nil
	}
	if len(s.Phasing) == 0 {
		return errors.New("synergy needs a phasing: the share of run-rate reached in each year after close")
	}
	for i, ph := range s.Phasing {
		if !finite(ph) || ph < 0 {
			return fmt.Errorf("synergy phasing of year %d must be ≥ 0, got %v", i+1, ph)
		}
	}
	if !(s.Probability > 0 && s.Probability <= 1) {
		return fmt.Errorf("synergy probability must lie in (0, 1], got %v", s.Probability)
	}
	return nil
}

// month returns the synergy of the month k months after close (k ≥ 0).
func (s Synergy) month(k int) decimal.Decimal {
	if s.RunRate.IsZero() {
		return decimal.Zero
	}
	phase := s.Phasing[min(k/12, len(s.Phasing)-1)]
	v := s.RunRate.Mul(decimal.NewFromFloat(phase)).Mul(decimal.NewFromFloat(s.Probability))
	return engine.RoundMoney(v.Div(decimal.NewFromInt(12)))
}

// Acquisition is an acquired business on the plan (planning_math.md §3.7):
// its own run-rate revenue and cost from the close, synergies phased in over
// the years after close, recurring dis-synergies, and one-time integration
// costs kept apart from all run-rate lines.
type Acquisition struct {
	Months int // plan horizon
	// Close is the plan month of closing, the first month consolidated; it
	// may lie before month 1 for a deal closed before the plan.
	Close int
	// Slip is the contingency: months by which the close may slip. The plan
	// is at Close; SlipContingency shows what a slip would cost.
	Slip int
	// TargetRevenue and TargetCost are the acquired business's monthly
	// run-rate revenue and cost.
	TargetRevenue, TargetCost decimal.Decimal
	RevenueSynergy            Synergy
	CostSynergy               Synergy
	// DisSynergy is a recurring monthly cost from the close (retention,
	// duplicated systems).
	DisSynergy decimal.Decimal
	// Integration is the one-time cost to achieve; its From counts months
	// after the close (0 = the close month), so it moves with a slip.
	Integration Spend
}

// AcquisitionPlan is an acquisition's monthly series, each rounded to cents
// per month, with
//
//	Net = TargetRevenue + RevenueSynergy − TargetCost + CostSynergy − DisSynergy − Integration
//
// exactly. Cost synergies are savings (positive amounts reduce cost).
type AcquisitionPlan struct {
	TargetRevenue  []decimal.Decimal
	TargetCost     []decimal.Decimal
	RevenueSynergy []decimal.Decimal
	CostSynergy    []decimal.Decimal
	DisSynergy     []decimal.Decimal
	Integration    []decimal.Decimal
	Net            []decimal.Decimal
	// OutsideHorizon is the integration cost that falls outside the horizon.
	OutsideHorizon decimal.Decimal
	// SlipContingency is, month by month, Net at the planned close minus Net
	// had the close slipped by Slip months: what to hold back for a slip
	// (positive where the slip hurts). All zero when Slip is 0.
	SlipContingency []decimal.Decimal
}

// Plan computes the acquisition's monthly series and its slip contingency.
func (a Acquisition) Plan() (AcquisitionPlan, error) {
	if a.Months < 1 {
		return AcquisitionPlan{}, fmt.Errorf("acquisition horizon must be at least one month, got %d", a.Months)
	}
	if a.Slip < 0 {
		return AcquisitionPlan{}, fmt.Errorf("close slip must be ≥ 0 months, got %d", a.Slip)
	}
	if err := a.RevenueSynergy.validate(); err != nil {
		return AcquisitionPlan{}, fmt.Errorf("revenue %w", err)
	}
	if err := a.CostSynergy.validate(); err != nil {
		return AcquisitionPlan{}, fmt.Errorf("cost %w", err)
	}
	plan, err := a.at(a.Close)
	if err != nil {
		return AcquisitionPlan{}, err
	}
	slipped, err := a.at(a.Close + a.Slip)
	if err != nil {
		return AcquisitionPlan{}, err
	}
	plan.SlipContingency = make([]decimal.Decimal, a.Months)
	for i := range plan.Net {
		plan.SlipContingency[i] = plan.Net[i].Sub(slipped.Net[i])
	}
	return plan, nil
}

// at computes the series for a close in month close.
func (a Acquisition) at(close int) (AcquisitionPlan, error) {
	integration, outside, err := a.Integration.schedule(a.Months, close)
	if err != nil {
		return AcquisitionPlan{}, fmt.Errorf("integration: %w", err)
	}
	p := AcquisitionPlan{
		TargetRevenue: zeros(a.Months), TargetCost: zeros(a.Months),
		RevenueSynergy: zeros(a.Months), CostSynergy: zeros(a.Months), DisSynergy: zeros(a.Months),
		Integration: integration, Net: make([]decimal.Decimal, a.Months), OutsideHorizon: outside,
	}
	for i := range a.Months {
		if k := i + 1 - close; k >= 0 {
			p.TargetRevenue[i] = engine.RoundMoney(a.TargetRevenue)
			p.TargetCost[i] = engine.RoundMoney(a.TargetCost)
			p.RevenueSynergy[i] = a.RevenueSynergy.month(k)
			p.CostSynergy[i] = a.CostSynergy.month(k)
			p.DisSynergy[i] = engine.RoundMoney(a.DisSynergy)
		}
		p.Net[i] = engine.Sum(p.TargetRevenue[i], p.RevenueSynergy[i], p.TargetCost[i].Neg(), p.CostSynergy[i],
			p.DisSynergy[i].Neg(), p.Integration[i].Neg())
	}
	return p, nil
}

// Hire is local hiring for an expansion: Count people from month Start on,
// each at a fully loaded MonthlyCost in local currency.
type Hire struct {
	Start       int
	Count       int
	MonthlyCost decimal.Decimal
}

// Expansion is entry into a new country (planning_math.md §3.7): an entry
// cost, local hiring and unit economics planned in local currency, then
// translated month by month at the plan (budget) rate FX.
type Expansion struct {
	Months   int   // plan horizon
	Entry    Spend // one-time entry cost (entity, office, licences), local currency
	Hires    []Hire
	Ramp     Ramp            // units sold each month
	Price    decimal.Decimal // local currency per unit
	UnitCost decimal.Decimal // variable cost, local currency per unit
	// FX holds one rate per month: reporting currency per one unit of local
	// currency (1.08 for USD reporting of a EUR entity).
	FX []decimal.Decimal
}

// ExpansionLines are an expansion's monthly lines in one currency, with
// Net = Revenue − VariableCost − Payroll − Entry exactly.
type ExpansionLines struct {
	Revenue      []decimal.Decimal
	VariableCost []decimal.Decimal
	Payroll      []decimal.Decimal
	Entry        []decimal.Decimal
	Net          []decimal.Decimal
}

// ExpansionPlan is an expansion in local and in reporting currency. Local
// amounts are rounded to local cents where they are made (RoundMoney(units ×
// Price), and so on); each local line is then translated at its month's
// rate and rounded to reporting cents, and the reporting Net is the sum of
// the translated lines, so the reporting lines tie as the local ones do.
type ExpansionPlan struct {
	Units     []float64
	Local     ExpansionLines
	Reporting ExpansionLines
	// OutsideHorizon is the entry cost, in local currency, that falls outside
	// the horizon (no rate translates it).
	OutsideHorizon decimal.Decimal
}

// Plan computes the expansion's monthly series.
func (e Expansion) Plan() (ExpansionPlan, error) {
	if e.Months < 1 {
		return ExpansionPlan{}, fmt.Errorf("expansion horizon must be at least one month, got %d", e.Months)
	}
	if len(e.FX) != e.Months {
		return ExpansionPlan{}, fmt.Errorf("expansion needs one exchange rate per month: %d months, %d rates", e.Months, len(e.FX))
	}
	for i, r := range e.FX {
		if !r.IsPositive() {
			return ExpansionPlan{}, fmt.Errorf("exchange rate of month %d must be > 0, got %s", i+1, r)
		}
	}
	for i, h := range e.Hires {
		if h.Count < 0 {
			return ExpansionPlan{}, fmt.Errorf("hire %d: count must be ≥ 0, got %d", i+1, h.Count)
		}
	}
	units, err := e.Ramp.Units(e.Months)
	if err != nil {
		return ExpansionPlan{}, fmt.Errorf("expansion ramp: %w", err)
	}
	entry, outside, err := e.Entry.schedule(e.Months, 0)
	if err != nil {
		return ExpansionPlan{}, fmt.Errorf("entry: %w", err)
	}
	p := ExpansionPlan{Units: units, OutsideHorizon: outside}
	p.Local.Entry = entry
	for i, u := range units {
		ud := decimal.NewFromFloat(u)
		payroll := decimal.Zero
		for _, h := range e.Hires {
			if i+1 >= h.Start {
				payroll = payroll.Add(h.MonthlyCost.Mul(decimal.NewFromInt(int64(h.Count))))
			}
		}
		p.Local.Revenue = append(p.Local.Revenue, engine.RoundMoney(ud.Mul(e.Price)))
		p.Local.VariableCost = append(p.Local.VariableCost, engine.RoundMoney(ud.Mul(e.UnitCost)))
		p.Local.Payroll = append(p.Local.Payroll, engine.RoundMoney(payroll))
	}
	p.Local.Net = netOf(p.Local)
	translate := func(local []decimal.Decimal) []decimal.Decimal {
		out := make([]decimal.Decimal, len(local))
		for i, v := range local {
			out[i] = engine.RoundMoney(v.Mul(e.FX[i]))
		}
		return out
	}
	p.Reporting = ExpansionLines{
		Revenue:      translate(p.Local.Revenue),
		VariableCost: translate(p.Local.VariableCost),
		Payroll:      translate(p.Local.Payroll),
		Entry:        translate(p.Local.Entry),
	}
	p.Reporting.Net = netOf(p.Reporting)
	return p, nil
}

func netOf(l ExpansionLines) []decimal.Decimal {
	out := make([]decimal.Decimal, len(l.Revenue))
	for i := range out {
		out[i] = l.Revenue[i].Sub(l.VariableCost[i]).Sub(l.Payroll[i]).Sub(l.Entry[i])
	}
	return out
}

func zeros(n int) []decimal.Decimal {
	out := make([]decimal.Decimal, n)
	for i := range out {
		out[i] = decimal.Zero
	}
	return out
}
