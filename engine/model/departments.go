package model

import (
	"cmp"
	"fmt"
	"slices"

	"aop/engine"
	"aop/engine/scenario"
)

// DefaultRuns is the number of Monte Carlo runs when departments give
// ranges and the cycle sets none (the cycle file's own default).
const DefaultRuns = 1000

// DepartmentRangeName names the Monte Carlo range a department gave for its
// plan on an account.
func DepartmentRangeName(department, account string) string {
	return fmt.Sprintf("%s %s (department)", department, account)
}

// IsDepartmentRange reports whether a range is one a department gave on its
// workbook rather than one of the cycle's.
func IsDepartmentRange(r scenario.Range) bool {
	return r.Op == scenario.OpMultiply && r.Name == DepartmentRangeName(r.Select.Department, r.Select.Driver)
}

// WithSubmissions returns the spec with what the departments typed on their
// workbooks added after the cycle's own entries: each department's ranges
// as PERT multipliers of its plan on the account (min = low, mode = likely,
// max = high), and each department's initiatives as Proposals. The spec it
// is called on is left as it was. Adding the same submissions again adds
// nothing.
//
// The cycle wins: finance's word in the cycle file is the considered one.
// A department's range is left out when a range of the cycle already picks
// the department's plan on that account (by name, wildcard or group), so
// that the plan is not moved twice; a department's initiative is left out
// when the cycle has an initiative of the same name, which is finance's
// model of it. An initiative whose name another department already used
// is kept, as "name (department)", so that each has a switch of its own.
//
// A range on an account the department planned nothing on is left out: it
// would move nothing. Departments come in the cycle's order, whatever the
// order of subs, so that the same plans give the same spec.
func (s Spec) WithSubmissions(c *engine.Cycle, subs []*engine.Submission) Spec {
	order := make(map[string]int, len(c.Departments))
	for i, d := range c.Departments {
		order[d.ID] = i
	}
	subs = slices.Clone(subs)
	slices.SortStableFunc(subs, func(a, b *engine.Submission) int { return cmp.Compare(order[a.Department], order[b.Department]) })
	cycleRanges := len(s.Ranges)
	s.Ranges = slices.Clip(s.Ranges)
	s.Initiatives = slices.Clip(s.Initiatives)
	names := map[string]bool{}
	for _, r := range s.Ranges {
		names[r.Name] = true
	}
	cycleInitiatives := map[string]bool{}
	for _, in := range s.Initiatives {
		cycleInitiatives[in.Name] = true
	}
	departmentInitiatives := map[string]bool{}
	added := false
	for _, sub := range subs {
		for _, r := range sub.Ranges {
			a, ok := c.Account(r.Account)
			if !ok || !sub.Plans(a.Code) {
				continue
			}
			key := scenario.Key{Department: sub.Department, Driver: a.Code, Dimension: a.Group}
			covered := slices.ContainsFunc(s.Ranges[:cycleRanges], func(cr scenario.Range) bool { return cr.Select.Matches(key) })
			name := DepartmentRangeName(sub.Department, a.Code)
			if covered || names[name] {
				continue
			}
			names[name] = true
			s.Ranges = append(s.Ranges, scenario.Range{
				Name: name, Select: AccountSelector(sub.Department, a.Code), Op: scenario.OpMultiply,
				Dist: scenario.PERT{Min: r.Low, Mode: r.Likely, Max: r.High},
			})
			added = true
		}
		for _, in := range sub.Initiatives {
			name := in.Name
			if cycleInitiatives[name] {
				continue
			}
			if departmentInitiatives[name] {
				name = fmt.Sprintf("%s (%s)", in.Name, sub.Department)
				if cycleInitiatives[name] || departmentInitiatives[name] {
					continue
				}
			}
			departmentInitiatives[name] = true
			s.Initiatives = append(s.Initiatives, Initiative{
				Name: name, Department: sub.Department, Kind: InitiativeKind(in.Kind),
				Proposal: &Proposal{Start: int(in.Start), OneTimeCost: in.OneTimeCost, MonthlyCost: in.MonthlyCost,
					MonthlyRevenue: in.MonthlyRevenue, RampMonths: in.RampMonths},
			})
		}
	}
	if added && s.Runs < 1 {
		s.Runs = DefaultRuns
	}
	return s
}
