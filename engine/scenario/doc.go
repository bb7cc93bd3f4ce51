// Package scenario runs what-if scenarios, trigger points with response
// playbooks, and Monte Carlo ranges over any projection model.
//
// The package does not know how a plan is projected. A Model turns Inputs
// (driver series by department, driver or account and dimension, and
// switches such as initiatives) into Outputs (metric series by department
// and for the company); everything here only changes inputs, projects, and
// reads outputs. A Plan holds a model and its base inputs, projected once.
//
// # Months
//
// A horizon is Months long, usually the twelve fiscal months of a year.
// Month p (an engine.Period) is index p-1 of every Series; a horizon longer
// than a year keeps counting (13 is the first month of the next year). A
// window [From, To] of an override or a range is inclusive; From 0 means the
// first month and To 0 the last.
//
// # Scenarios
//
// A Scenario is the base inputs plus an ordered list of overrides, each a
// Change (set, add, multiply or shift a set of driver series; pause, resume
// or shift a set of switches) over a window of months. Overrides apply in
// order, each to what the previous ones left, so "set to 100 then multiply
// by 1.1" gives 110. A selector field that is empty or "*" matches every
// value; elsewhere "*" matches any run of characters ("emea-*"). An override
// that matches nothing is an error, so a typo never passes silently. A
// scenario with no overrides is the base plan exactly.
//
// Every scenario's outputs are checked against the plan's constraints (a
// capacity metric that must stay at or above a demand metric); a Binding
// says which constraint binds, in which department and in which months.
//
// # Triggers and playbooks
//
// A Trigger watches one output series, optionally summed or averaged over
// trailing months and optionally as a ratio to the same figure of the base
// plan, and fires when a comparison with a threshold has held for a number
// of consecutive months. Only full trailing windows are tested, and a month
// in which the plan's figure is zero never counts towards a ratio trigger.
//
// Its response starts Lag months after the month it fires; each Action of
// its Playbook takes effect Lead months after the response starts and lasts
// Months months (0: to the end of the horizon). Evaluating a scenario walks
// time in month order: project, find the earliest month in which a trigger
// fires (ties go to the trigger listed first), apply its playbook from the
// right months, re-project, and continue from that month with the triggers
// that have not fired; each trigger fires at most once. Months already
// walked are never revisited: what happened then was observed.
//
// # Monte Carlo
//
// A Range draws one value per run from a Distribution and applies it to
// every series it selects, over its window, as a set, an add or a multiply;
// the series it selects move together. PERT uses the standard λ = 4
// (mean = (min + 4·mode + max)/6); LogNormal is fitted to a 90% interval
// (P5, P95). Draws come from math/rand/v2's PCG, seeded per run and per
// range from the simulation's seed and the range's name, so a seed always
// gives the same result, whatever the number of goroutines, and adding a
// range does not change the draws of the others.
//
// Sampling and statistics run in float64; the model still projects exact
// decimals. Percentiles follow Hyndman–Fan type 7 (linear interpolation
// between order statistics, as numpy's default and Excel's PERCENTILE.INC),
// and P10 is the 10th percentile, the low case (the finance convention, not
// the exceedance one in which P90 is the low case). Reported percentiles are
// rounded to cents, half away from zero, as engine.RoundMoney does.
//
// # What a model must promise
//
// Project must be deterministic, must not modify its Inputs (series are
// shared between scenarios and runs), and must be safe to call from several
// goroutines at once; a pure function is all three. It must return a series
// of Months values for every metric it emits, including the company's
// (department Company) for the metrics triggers and Monte Carlo read, and
// name its balances (cash, headcount) in Outputs.Balances so that their year
// figure is the last month's rather than the sum.
package scenario
