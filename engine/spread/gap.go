package spread

import (
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Method is how AllocateGap shares a gap among its recipients.
type Method int

const (
	// ByWeight shares in proportion to each recipient's Weight: a driver
	// such as headcount, pipeline or prior-year share (§7.2,
	// driver-based allocation). Recipients of zero weight receive nothing,
	// unless every weight is zero, when the gap is shared equally.
	ByWeight Method = iota + 1
	// Equally shares the gap equally.
	Equally
)

// String names the method.
func (m Method) String() string {
	switch m {
	case ByWeight:
		return "by weight"
	case Equally:
		return "equally"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Recipient is a department (or a period) that may take a share of a gap.
type Recipient struct {
	Name   string
	Weight decimal.Decimal // driver for ByWeight, ≥ 0
	// Exclude holds the recipient out of the allocation (TM1 H): it
	// receives nothing and the others absorb its share.
	Exclude bool
	// Capped limits the share to at most Cap in absolute value (whole cents,
	// ≥ 0): what the department can credibly absorb.
	Capped bool
	Cap    decimal.Decimal
}

// Allocation is a gap shared among recipients. Parts are in the order of
// the recipients, in whole cents, with the sign of the gap; Allocated is
// their sum and Residual the unallocated gap, so that
//
//	Allocated + Residual == gap
//
// exactly (planning_math.md §7.3: the residual is shown, never plugged).
type Allocation struct {
	Parts     []decimal.Decimal
	Allocated decimal.Decimal
	Residual  decimal.Decimal
}

// AllocateGap shares a top-down gap, Gap = Target − BottomUp
// (planning_math.md §7.1), among recipients by a method. The gap is rounded
// to cents and shared among the recipients not excluded, to the cent by
// largest remainder (engine.Spread). A recipient whose share would pass its
// cap gets its cap, and the rest is shared again among the others (water
// filling), so caps bind only where they must. What no recipient can take —
// everyone excluded or at their cap, and any digits of the gap below a cent —
// is the residual.
func AllocateGap(gap decimal.Decimal, recipients []Recipient, method Method) (Allocation, error) {
	if method != ByWeight && method != Equally {
		return Allocation{}, fmt.Errorf("unknown allocation method %d", int(method))
	}
	for _, r := range recipients {
		switch {
		case r.Weight.IsNegative():
			return Allocation{}, fmt.Errorf("%s: weight must be ≥ 0, got %s", r.Name, r.Weight)
		case r.Capped && r.Cap.IsNegative():
			return Allocation{}, fmt.Errorf("%s: cap must be ≥ 0, got %s", r.Name, r.Cap)
		case r.Capped && !engine.IsWholeCents(r.Cap):
			return Allocation{}, fmt.Errorf("%s: cap must be in whole cents, got %s", r.Name, r.Cap)
		}
	}

	parts := make([]decimal.Decimal, len(recipients))
	for i := range parts {
		parts[i] = decimal.Zero
	}
	open := eligible(recipients, method)
	remaining := engine.RoundMoney(gap)
	for len(open) > 0 && !remaining.IsZero() {
		weights := make([]decimal.Decimal, len(open)) // all zero: equal shares
		if method == ByWeight {
			for k, i := range open {
				weights[k] = recipients[i].Weight
			}
		}
		shares := engine.Spread(remaining, weights)
		sign := decimal.NewFromInt(int64(remaining.Sign()))
		var uncapped []int
		for k, i := range open {
			if r := recipients[i]; r.Capped && shares[k].Abs().GreaterThan(r.Cap) {
				parts[i] = r.Cap.Mul(sign)
				remaining = remaining.Sub(parts[i])
			} else {
				uncapped = append(uncapped, i)
			}
		}
		if len(uncapped) == len(open) {
			for k, i := range open {
				parts[i] = shares[k]
			}
			remaining = decimal.Zero
		}
		open = uncapped
	}
	allocated := engine.Sum(parts...)
	return Allocation{Parts: parts, Allocated: allocated, Residual: gap.Sub(allocated)}, nil
}

// eligible returns the recipients that may take a share: not excluded, and
// for ByWeight of positive weight unless every eligible weight is zero.
func eligible(recipients []Recipient, method Method) []int {
	var open, weighted []int
	for i, r := range recipients {
		if r.Exclude {
			continue
		}
		open = append(open, i)
		if r.Weight.IsPositive() {
			weighted = append(weighted, i)
		}
	}
	if method == ByWeight && len(weighted) > 0 {
		return weighted
	}
	return open
}
