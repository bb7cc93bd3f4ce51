package scenario

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"aop/engine"

	"github.com/shopspring/decimal"
)

// Comparison is how a trigger compares its figure with its threshold.
type Comparison string

// The comparisons of a trigger.
const (
	Below   Comparison = "<"
	AtMost  Comparison = "<="
	Above   Comparison = ">"
	AtLeast Comparison = ">="
)

// holds reports whether x compares with y as c says.
func (c Comparison) holds(x, y decimal.Decimal) bool {
	switch n := x.Cmp(y); c {
	case Below:
		return n < 0
	case AtMost:
		return n <= 0
	case Above:
		return n > 0
	case AtLeast:
		return n >= 0
	}
	return false
}

// flip returns the comparison with its sides swapped (x < y is y > x), for
// dividing both sides by a negative number.
func (c Comparison) flip() Comparison {
	switch c {
	case Below:
		return Above
	case AtMost:
		return AtLeast
	case Above:
		return Below
	case AtLeast:
		return AtMost
	}
	return c
}

// Trigger is a signal that a scenario is unfolding and calls for a
// response, such as "trailing-3-month revenue < 92% of plan for 2
// consecutive months":
//
//	Trigger{Metric: Revenue, Trailing: 3, OfPlan: true, Compare: Below,
//		Threshold: decimal.RequireFromString("0.92"), Persistence: 2}
type Trigger struct {
	Name string
	// Department and Metric name the series watched; Department Company
	// watches the company's.
	Department string
	Metric     string
	// Trailing sums the last Trailing months, the month itself included;
	// 0 or 1 watches the month alone.
	Trailing int
	// Average divides the trailing sum by its months.
	Average bool
	// OfPlan compares the figure's ratio to the same figure of the base
	// plan (0.92 is 92% of plan) instead of the figure itself.
	OfPlan    bool
	Compare   Comparison
	Threshold decimal.Decimal
	// Persistence is how many consecutive months the condition must hold
	// before the trigger fires; 0 means 1.
	Persistence int
	// Lag is the number of months between the month the trigger fires and
	// the month its response starts (a month for the books to close, a
	// month to decide).
	Lag      int
	Playbook Playbook
}

// String describes the trigger's condition, e.g. "trailing-3-month revenue
// < 92% of plan for 2 consecutive months".
func (t Trigger) String() string {
	var b strings.Builder
	if w := t.window(); w > 1 {
		fmt.Fprintf(&b, "trailing-%d-month ", w)
		if t.Average {
			b.WriteString("average ")
		}
	}
	b.WriteString(t.Metric)
	if t.Department != Company {
		fmt.Fprintf(&b, " of %s", t.Department)
	}
	fmt.Fprintf(&b, " %s ", t.Compare)
	if t.OfPlan {
		fmt.Fprintf(&b, "%s%% of plan", t.Threshold.Shift(2))
	} else {
		b.WriteString(t.Threshold.String())
	}
	if p := t.persistence(); p > 1 {
		fmt.Fprintf(&b, " for %d consecutive months", p)
	}
	return b.String()
}

func (t Trigger) window() int      { return max(1, t.Trailing) }
func (t Trigger) persistence() int { return max(1, t.Persistence) }

// validate checks the trigger against a plan: the series it watches exists
// and every change of its playbook acts on something.
func (t Trigger) validate(p *Plan) error {
	if t.Name == "" {
		return fmt.Errorf("a trigger needs a name")
	}
	if _, ok := p.out.Get(t.Department, t.Metric); !ok {
		who := "the company"
		if t.Department != Company {
			who = "department " + t.Department
		}
		return fmt.Errorf("the model emits no %s for %s", t.Metric, who)
	}
	switch t.Compare {
	case Below, AtMost, Above, AtLeast:
	default:
		return fmt.Errorf("unknown comparison %q (want <, <=, > or >=)", t.Compare)
	}
	if t.Trailing < 0 || t.Persistence < 0 || t.Lag < 0 {
		return fmt.Errorf("trailing months, persistence and lag must not be negative")
	}
	if t.Trailing > p.base.Months {
		return fmt.Errorf("a trailing window of %d months is longer than the %d-month horizon", t.Trailing, p.base.Months)
	}
	return t.Playbook.validate(p.base)
}

// figure returns the trigger's figure in month m of s (1-based): the sum of
// its trailing window. ok is false when the window reaches before month 1.
func (t Trigger) figure(s Series, m int) (sum decimal.Decimal, ok bool) {
	w := t.window()
	if m < w {
		return decimal.Zero, false
	}
	return engine.Sum(s[m-w : m]...), true
}

// holds reports whether the condition holds in month m of a series, given
// the plan's series of the same metric, and returns the figure compared:
// the trailing sum or average, or its ratio to plan (rounded to 6 places
// for the report; the comparison itself is exact).
func (t Trigger) holds(s, plan Series, m int) (bool, decimal.Decimal) {
	x, ok := t.figure(s, m)
	if !ok {
		return false, decimal.Zero
	}
	n := decimal.NewFromInt(int64(t.window()))
	if t.OfPlan {
		// The ratio of averages is the ratio of sums.
		y, _ := t.figure(plan, m)
		if y.IsZero() {
			return false, decimal.Zero
		}
		c := t.Compare
		if y.IsNegative() {
			c = c.flip()
		}
		return c.holds(x, t.Threshold.Mul(y)), x.DivRound(y, 6)
	}
	if t.Average {
		return t.Compare.holds(x, t.Threshold.Mul(n)), x.DivRound(n, 6)
	}
	return t.Compare.holds(x, t.Threshold), x
}

// firesIn reports whether the condition has held for the trigger's
// persistence in the months ending with m, and returns the figure of m.
func (t Trigger) firesIn(out, plan Outputs, m int) (bool, decimal.Decimal) {
	s, _ := out.Get(t.Department, t.Metric)
	ps, _ := plan.Get(t.Department, t.Metric)
	var value decimal.Decimal
	for j := m - t.persistence() + 1; j <= m; j++ {
		if j < 1 {
			return false, decimal.Zero
		}
		ok, v := t.holds(s, ps, j)
		if !ok {
			return false, decimal.Zero
		}
		value = v
	}
	return true, value
}

// Firing is a trigger that fired while a scenario was evaluated.
type Firing struct {
	Trigger  string
	Playbook string
	// Condition describes what fired (see Trigger.String).
	Condition string
	// Month is the month in which the condition had held for the trigger's
	// persistence; Value is the trigger's figure in that month.
	Month engine.Period
	Value decimal.Decimal
	// Response is the month the response starts: Month plus the lag. It
	// may lie beyond the horizon.
	Response engine.Period
	// Actions are the playbook's actions, in its order, with their months.
	Actions []Taken
}

// walk evaluates triggers over a scenario's months: it finds the earliest
// month in which a trigger that has not fired yet fires (ties go to the
// trigger listed first), applies its playbook, re-projects and goes on from
// that month, until no trigger fires.
func (p *Plan) walk(triggers []Trigger, in Inputs, out Outputs) (Outputs, []Firing, error) {
	fired := make([]bool, len(triggers))
	var firings []Firing
	for start := 1; ; {
		k, month, value := -1, 0, decimal.Zero
	search:
		for m := start; m <= in.Months; m++ {
			for i, t := range triggers {
				if fired[i] {
					continue
				}
				if ok, v := t.firesIn(out, p.out, m); ok {
					k, month, value = i, m, v
					break search
				}
			}
		}
		if k < 0 {
			return out, firings, nil
		}
		fired[k] = true
		t := triggers[k]
		response := engine.Period(month + t.Lag)
		overrides, taken := t.Playbook.schedule(response, in.Months)
		if len(overrides) > 0 {
			var err error
			if in, err = Apply(in, overrides); err != nil {
				return Outputs{}, nil, fmt.Errorf("trigger %s, playbook %s: %w", t.Name, t.Playbook.Name, err)
			}
			if out, err = p.project(in); err != nil {
				return Outputs{}, nil, fmt.Errorf("trigger %s, playbook %s: %w", t.Name, t.Playbook.Name, err)
			}
		}
		firings = append(firings, Firing{
			Trigger: t.Name, Playbook: t.Playbook.Name, Condition: t.String(),
			Month: engine.Period(month), Value: value, Response: response, Actions: taken,
		})
		start = month
	}
}

// Watch evaluates triggers on what happened rather than on a projection:
// actual holds the months closed so far (the first months of each series;
// later months are not read), plan the plan the triggers compare with.
// Each trigger fires at most once, in the first closed month its condition
// has held for its persistence; nothing is re-projected, and the firing's
// actions are the months its playbook would take effect in, over a horizon
// of horizon months. Firings come in month order, ties in the triggers'
// order. A trigger whose series is missing from actual or plan does not
// fire.
func Watch(triggers []Trigger, actual, plan Outputs, closed, horizon int) []Firing {
	var firings []Firing
	for _, t := range triggers {
		if _, ok := actual.Get(t.Department, t.Metric); !ok {
			continue
		}
		if _, ok := plan.Get(t.Department, t.Metric); !ok {
			continue
		}
		for m := 1; m <= closed; m++ {
			ok, v := t.firesIn(actual, plan, m)
			if !ok {
				continue
			}
			response := engine.Period(m + t.Lag)
			_, taken := t.Playbook.schedule(response, horizon)
			firings = append(firings, Firing{Trigger: t.Name, Playbook: t.Playbook.Name, Condition: t.String(),
				Month: engine.Period(m), Value: v, Response: response, Actions: taken})
			break
		}
	}
	slices.SortStableFunc(firings, func(a, b Firing) int { return cmp.Compare(a.Month, b.Month) })
	return firings
}
