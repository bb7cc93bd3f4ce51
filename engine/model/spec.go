package model

import (
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/curves"
	"aop/engine/project"
	"aop/engine/scenario"
)

// HiresDriver is the driver of the hiring plan's series: Key{Department,
// HiresDriver, line number}.
const HiresDriver = "hires"

// InitiativeSwitch names the switch of an initiative, which playbooks pause.
func InitiativeSwitch(name string) string { return "initiative:" + name }

// AccountSelector picks a department's plan on an account ("" or "*" for
// every department; the code may hold wildcards).
func AccountSelector(department, code string) scenario.Selector {
	return scenario.Selector{Department: department, Driver: code}
}

// GroupSelector picks a department's plan on every account of a group.
func GroupSelector(department, group string) scenario.Selector {
	return scenario.Selector{Department: department, Driver: "*", Dimension: group}
}

// Spec is what a cycle says about projecting its plan beyond the plan
// itself: the scenarios finance prepares, the triggers it watches, the
// uncertain drivers, the initiatives, each department's record, and the
// working-capital terms.
type Spec struct {
	// Scenarios are evaluated in order; their Triggers are filled from
	// Triggers by Scenarios.
	Scenarios []scenario.Scenario
	Triggers  []Trigger
	// Ranges, Runs and Seed describe a Monte Carlo simulation of the base.
	Ranges []scenario.Range
	Runs   int
	Seed   uint64
	// Initiatives are the strategic initiatives in the plan.
	Initiatives []Initiative
	// Accuracy is each department's prior forecasts against actuals.
	Accuracy []accuracy.History
	// Hiring is each department's hiring record.
	Hiring []HiringRecord
	// Capacities are the operational limits an upside must respect.
	Capacities []Capacity
	Cash       CashTerms
}

// Trigger is a trigger point and the scenarios that watch it.
type Trigger struct {
	scenario.Trigger
	// Scenarios names the scenarios that watch the trigger; empty means
	// every scenario.
	Scenarios []string
}

// WithTriggers returns the spec's scenarios, each with the triggers it
// watches, in the order the triggers are listed.
func (s Spec) WithTriggers() []scenario.Scenario {
	out := make([]scenario.Scenario, len(s.Scenarios))
	for i, sc := range s.Scenarios {
		sc.Triggers = nil
		for _, t := range s.Triggers {
			if len(t.Scenarios) == 0 || contains(t.Scenarios, sc.Name) {
				sc.Triggers = append(sc.Triggers, t.Trigger)
			}
		}
		out[i] = sc
	}
	return out
}

// Simulation returns the Monte Carlo simulation of the base the spec
// describes, and false when it gives no ranges.
func (s Spec) Simulation() (scenario.MonteCarlo, bool) {
	if len(s.Ranges) == 0 {
		return scenario.MonteCarlo{}, false
	}
	return scenario.MonteCarlo{Runs: s.Runs, Seed: s.Seed, Ranges: s.Ranges}, true
}

// Capacity is an operational limit people set: Department's headcount
// times PerHead must cover the monthly revenue of Serves (a department,
// or the company when empty), such as customer success carrying the
// customers sales brings in. The model projects both sides as metrics
// "capacity:Name" and "demand:Name" of Department, and Constraints makes
// them a scenario.Constraint.
type Capacity struct {
	Name       string
	Department string
	PerHead    decimal.Decimal
	Serves     string
}

// CapacityMetric and DemandMetric name a capacity's two sides.
func CapacityMetric(name string) string { return "capacity:" + name }

// DemandMetric is the metric of what a capacity must carry.
func DemandMetric(name string) string { return "demand:" + name }

// HiringRecord is a department's hiring history.
type HiringRecord struct {
	Department string
	project.HiringHistory
}

// CashTerms are the working-capital terms of the cash projection.
type CashTerms struct {
	// DSO is days sales outstanding, DPO days payables outstanding; both
	// default to DefaultDSO and DefaultDPO when nil.
	DSO, DPO *decimal.Decimal
	// Opening is the company's cash at the start of month 1.
	Opening decimal.Decimal
}

// Default working-capital terms: invoices paid in 45 days, suppliers in 30.
var (
	DefaultDSO = decimal.NewFromInt(45)
	DefaultDPO = decimal.NewFromInt(30)
)

func (t CashTerms) dso() decimal.Decimal {
	if t.DSO != nil {
		return *t.DSO
	}
	return DefaultDSO
}

func (t CashTerms) dpo() decimal.Decimal {
	if t.DPO != nil {
		return *t.DPO
	}
	return DefaultDPO
}

// InitiativeKind says which model of engine/curves an initiative follows.
type InitiativeKind string

// The kinds of initiative.
const (
	Launch      InitiativeKind = "launch"
	Acquisition InitiativeKind = "acquisition"
	Expansion   InitiativeKind = "expansion"
)

// Initiative is a strategic initiative in a department's plan. Exactly one
// of Launch, Acquisition, Expansion and Proposal is set: the first three as
// Kind says, their Months set to the horizon when the plan is built; a
// Proposal, the simple form a department types on its workbook, whatever
// its Kind (which then only says what the department called it).
type Initiative struct {
	Name       string
	Department string
	Kind       InitiativeKind
	// Launch revenue is its net revenue; its costs, development and
	// go-to-market spend.
	Launch *curves.Launch
	// Acquisition revenue is the target's revenue and revenue synergies;
	// its costs, the target's cost, dis-synergies and integration, less
	// cost synergies.
	Acquisition *curves.Acquisition
	// Expansion revenue is the new country's revenue, its costs the
	// variable cost, local payroll and entry cost, all translated at the
	// plan's monthly rates (the last rate given holds for later months).
	Expansion *curves.Expansion
	// Proposal is an initiative a department proposed on its workbook.
	Proposal *Proposal
}

// Proposal is an initiative in the form a department head proposes it
// (engine.InitiativeInput): a one-time cost paid in the start month, a
// run-rate cost in every month from the start, and monthly revenue that
// rises on a logistic S-curve to its full level. Its lines come from
// Lines, like those of the other kinds.
type Proposal struct {
	// Start is the plan month the initiative starts, 1 to the horizon.
	Start          int
	OneTimeCost    decimal.Decimal
	MonthlyCost    decimal.Decimal
	MonthlyRevenue decimal.Decimal
	// RampMonths is the months to full revenue: month RampMonths of the
	// initiative is the first at full revenue, the months before it climb
	// the S-curve. 0 and 1 give full revenue from the start.
	RampMonths int
}

// Ramp share of full revenue at the two ends of a proposal's S-curve: the
// symmetric logistic through 2% at the start and 98% at RampMonths, whose
// midpoint is halfway through the ramp. Month RampMonths and later take
// full revenue (the last 2% is not worth a tail).
const (
	proposalRampFrom = 0.02
	proposalRampTo   = 0.98
)

// Share returns the share of full revenue in month k of the initiative
// (k = 1 is its start month): 0 before the start, 1 from month
// RampMonths on, the S-curve in between.
func (p Proposal) Share(k int) (float64, error) {
	switch {
	case k < 1:
		return 0, nil
	case p.RampMonths <= 1 || k >= p.RampMonths:
		return 1, nil
	}
	curve, err := curves.LogisticThrough(1, 0, proposalRampFrom, float64(p.RampMonths), proposalRampTo)
	if err != nil {
		return 0, err
	}
	return curve.At(float64(k)), nil
}

// Lines returns the proposal's monthly revenue (full revenue × the ramp's
// share, rounded to cents) and costs (the one-time cost in the start month
// plus the run-rate cost from it) over months.
func (p Proposal) Lines(months int) (revenue, costs []decimal.Decimal, err error) {
	switch {
	case p.Start < 1 || p.Start > months:
		return nil, nil, fmt.Errorf("starts in month %d, outside months 1-%d", p.Start, months)
	case p.RampMonths < 0:
		return nil, nil, fmt.Errorf("months to full revenue must be ≥ 0, got %d", p.RampMonths)
	case p.OneTimeCost.IsNegative() || p.MonthlyCost.IsNegative() || p.MonthlyRevenue.IsNegative():
		return nil, nil, fmt.Errorf("costs and revenue must be ≥ 0, got %s, %s and %s", p.OneTimeCost, p.MonthlyCost, p.MonthlyRevenue)
	}
	revenue, costs = zeros(months), zeros(months)
	for t := p.Start - 1; t < months; t++ {
		share, err := p.Share(t - p.Start + 2)
		if err != nil {
			return nil, nil, err
		}
		revenue[t] = engine.RoundMoney(p.MonthlyRevenue.Mul(decimal.NewFromFloat(share)))
		costs[t] = engine.RoundMoney(p.MonthlyCost)
	}
	costs[p.Start-1] = costs[p.Start-1].Add(engine.RoundMoney(p.OneTimeCost))
	return revenue, costs, nil
}

// Lines returns the initiative's monthly revenue and costs over months,
// as the model projects them.
func (in Initiative) Lines(months int) (revenue, costs []decimal.Decimal, err error) {
	switch {
	case in.Proposal != nil:
		return in.Proposal.Lines(months)
	case in.Kind == Launch && in.Launch != nil:
		l := *in.Launch
		l.Months = months
		p, err := l.Plan()
		if err != nil {
			return nil, nil, err
		}
		costs = make([]decimal.Decimal, months)
		for t := range costs {
			costs[t] = p.Development[t].Add(p.GoToMarket[t])
		}
		return p.NetRevenue, costs, nil
	case in.Kind == Acquisition && in.Acquisition != nil:
		a := *in.Acquisition
		a.Months = months
		p, err := a.Plan()
		if err != nil {
			return nil, nil, err
		}
		revenue = make([]decimal.Decimal, months)
		costs = make([]decimal.Decimal, months)
		for t := range costs {
			revenue[t] = p.TargetRevenue[t].Add(p.RevenueSynergy[t])
			costs[t] = p.TargetCost[t].Add(p.DisSynergy[t]).Add(p.Integration[t]).Sub(p.CostSynergy[t])
		}
		return revenue, costs, nil
	case in.Kind == Expansion && in.Expansion != nil && len(in.Expansion.FX) > 0:
		e := *in.Expansion
		e.Months = months
		e.FX = make([]decimal.Decimal, months)
		for t := range e.FX {
			e.FX[t] = in.Expansion.FX[min(t, len(in.Expansion.FX)-1)]
		}
		p, err := e.Plan()
		if err != nil {
			return nil, nil, err
		}
		costs = make([]decimal.Decimal, months)
		for t := range costs {
			costs[t] = p.Reporting.VariableCost[t].Add(p.Reporting.Payroll[t]).Add(p.Reporting.Entry[t])
		}
		return p.Reporting.Revenue, costs, nil
	}
	return nil, nil, fmt.Errorf("initiative %s: kind %q needs its %s model", in.Name, in.Kind, in.Kind)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
