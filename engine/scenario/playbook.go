package scenario

import (
	"errors"
	"fmt"

	"aop/engine"
)

// Playbook is a pre-approved response to a trigger: ordered actions, each
// taking effect some months after the response starts. For example, with
// the response starting in the month a trigger fires:
//
//	Playbook{Name: "downside", Actions: []Action{
//		{Name: "freeze hiring", Lead: 1, Changes: []Change{Set(Selector{Driver: "hires"}, decimal.Zero)}},
//		{Name: "pause initiative X", Lead: 1, Changes: []Change{Pause("initiative:x")}},
//		{Name: "pause initiative Y", Lead: 2, Changes: []Change{Pause("initiative:y")}},
//		{Name: "cut opex 10%", Lead: 1, Months: 2, Changes: []Change{Multiply(opex, d("0.9"))}},
//		{Name: "cut opex 20%", Lead: 3, Changes: []Change{Multiply(opex, d("0.8"))}},
//	}}
//
// freezes hiring and pauses X from the next month, pauses Y the month
// after, cuts discretionary opex by 10% within 30 days and by 20% within 90.
type Playbook struct {
	Name    string
	Actions []Action
}

// Action is one step of a playbook.
type Action struct {
	Name string
	// Lead is the number of months from the start of the response to the
	// month the action takes effect: 1 is "from next month", 3 is "within
	// 90 days".
	Lead int
	// Months is how long the action lasts; 0 lasts to the end of the
	// horizon.
	Months int
	// Changes are applied in order over the action's months.
	Changes []Change
}

// Taken is an action of a playbook that fired, with the months it covers.
type Taken struct {
	Action string
	// InEffect is false when the action would start after the horizon
	// ends; From is then the month it would have started and To is 0.
	InEffect bool
	From, To engine.Period
}

// validate checks that every action is well formed and that each of its
// changes acts on something in the base inputs, so that a playbook with a
// typo fails when the scenario is evaluated, not only when it fires.
func (pb Playbook) validate(base Inputs) error {
	if len(pb.Actions) == 0 {
		return errors.New("the playbook has no actions")
	}
	for i, a := range pb.Actions {
		if a.Lead < 0 || a.Months < 0 {
			return fmt.Errorf("playbook %s, action %d (%s): lead and months must not be negative", pb.Name, i+1, a.Name)
		}
		if len(a.Changes) == 0 {
			return fmt.Errorf("playbook %s, action %d (%s) changes nothing", pb.Name, i+1, a.Name)
		}
		for _, c := range a.Changes {
			if err := c.validate(); err != nil {
				return fmt.Errorf("playbook %s, action %d (%s): %s: %w", pb.Name, i+1, a.Name, c, err)
			}
			if !c.matchesAny(base) {
				return fmt.Errorf("playbook %s, action %d (%s): %s acts on nothing", pb.Name, i+1, a.Name, c)
			}
		}
	}
	return nil
}

// schedule turns the playbook into overrides for a response that starts in
// month response of a horizon, and reports each action's months.
func (pb Playbook) schedule(response engine.Period, months int) ([]Override, []Taken) {
	var os []Override
	taken := make([]Taken, len(pb.Actions))
	last := engine.Period(months)
	for i, a := range pb.Actions {
		from := response + engine.Period(a.Lead)
		taken[i] = Taken{Action: a.Name, From: from}
		if from > last {
			continue
		}
		to := last
		if a.Months > 0 {
			to = min(last, from+engine.Period(a.Months)-1)
		}
		taken[i].InEffect, taken[i].To = true, to
		for _, c := range a.Changes {
			os = append(os, c.Within(from, to))
		}
	}
	return os, taken
}
