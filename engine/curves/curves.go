// Package curves holds the S-curves of adoption and ramp-up (logistic,
// Gompertz, Bass diffusion; planning_math.md §1) and the strategic
// initiative models built on them (product launch, acquisition, geographic
// expansion; §3.7), each producing monthly series.
//
// Curve math is float64: a curve is a model, not a ledger. Money leaves this
// package as decimal amounts rounded to cents half away from zero
// (engine.RoundMoney), once per monthly amount where the amount is made: a
// revenue month is RoundMoney(units × price), a synergy month
// RoundMoney(run-rate × phase × probability / 12). Lines derived from rounded
// lines (net revenue, net effect) are exact sums and differences of them, so
// every total ties to its months to the cent. One-time spends are split over
// their months with engine.SpreadEvenly and add back to their totals exactly.
//
// Time t counts periods of the curve's own unit. The initiative models use
// months: month 1 is the first month of the plan horizon.
package curves

import (
	"errors"
	"fmt"
	"math"
)

// Curve is a cumulative curve: its level t periods after it starts.
type Curve interface {
	At(t float64) float64
	// Validate reports parameters that make the curve meaningless.
	Validate() error
}

// Logistic is the generalized logistic curve (planning_math.md §1.1):
//
//	S(t) = Min + (Max − Min) · (1 / (1 + e^(−K·(t − Midpoint))))^Asymmetry
//
// Asymmetry 1 (or 0, the zero value) gives the symmetric logistic, whose
// inflection is at Midpoint, halfway between Min and Max.
type Logistic struct {
	Min, Max  float64
	K         float64 // steepness, > 0
	Midpoint  float64
	Asymmetry float64
}

// At returns S(t).
func (l Logistic) At(t float64) float64 {
	a := l.Asymmetry
	if a == 0 {
		a = 1
	}
	return l.Min + (l.Max-l.Min)*math.Pow(1/(1+math.Exp(-l.K*(t-l.Midpoint))), a)
}

// Validate checks that the curve rises from Min to Max.
func (l Logistic) Validate() error {
	switch {
	case !finite(l.Min, l.Max, l.K, l.Midpoint, l.Asymmetry):
		return errors.New("logistic parameters must be finite numbers")
	case !(l.K > 0):
		return fmt.Errorf("logistic steepness k must be > 0, got %v", l.K)
	case l.Max < l.Min:
		return fmt.Errorf("logistic max %v is below its min %v", l.Max, l.Min)
	case l.Asymmetry < 0:
		return fmt.Errorf("logistic asymmetry must be > 0, got %v", l.Asymmetry)
	}
	return nil
}

// LogisticThrough returns the symmetric logistic from 0 to peak that
// reaches the fraction v1 of peak at t1 and v2 at t2, the two-point
// calibration of planning_math.md §1.1:
//
//	k  = (ln(1/v1 − 1) − ln(1/v2 − 1)) / (t2 − t1)
//	x0 = ln(1/v1 − 1)/k + t1
//	S(t) = peak / (1 + e^(−k·(t − x0)))
//
// The fractions lie strictly between 0 and 1, and the later point must be
// the higher one, so that the curve rises (k > 0).
func LogisticThrough(peak, t1, v1, t2, v2 float64) (Logistic, error) {
	switch {
	case !finite(peak, t1, v1, t2, v2):
		return Logistic{}, errors.New("logistic points must be finite numbers")
	case !(peak > 0):
		return Logistic{}, fmt.Errorf("logistic peak must be > 0, got %v", peak)
	case !(v1 > 0 && v1 < 1) || !(v2 > 0 && v2 < 1):
		return Logistic{}, fmt.Errorf("fractions of peak must lie strictly between 0 and 1, got %v and %v", v1, v2)
	case t1 == t2:
		return Logistic{}, fmt.Errorf("the two points must be at different times, both are at %v", t1)
	case (v2-v1)*(t2-t1) <= 0:
		return Logistic{}, fmt.Errorf("a rising S-curve needs the later point higher: %v at t=%v and %v at t=%v", v1, t1, v2, t2)
	}
	k := (math.Log(1/v1-1) - math.Log(1/v2-1)) / (t2 - t1)
	x0 := math.Log(1/v1-1)/k + t1
	return Logistic{Max: peak, K: k, Midpoint: x0, Asymmetry: 1}, nil
}

// Gompertz is the Gompertz curve (planning_math.md §1.2):
//
//	y(t) = A · e^(−B · e^(−C·t))
//
// with A the upper asymptote and B, C > 0. It inflects at t* = ln(B)/C,
// where y = A/e ≈ 0.368·A, and approaches A more slowly than the logistic.
type Gompertz struct {
	A, B, C float64
}

// At returns y(t).
func (g Gompertz) At(t float64) float64 { return g.A * math.Exp(-g.B*math.Exp(-g.C*t)) }

// Inflection returns t* = ln(B)/C.
func (g Gompertz) Inflection() float64 { return math.Log(g.B) / g.C }

// Validate checks A, B, C > 0.
func (g Gompertz) Validate() error {
	if !finite(g.A, g.B, g.C) || !(g.A > 0 && g.B > 0 && g.C > 0) {
		return fmt.Errorf("the Gompertz a, b and c must be > 0, got %v, %v, %v", g.A, g.B, g.C)
	}
	return nil
}

// Bass is the Bass diffusion model (planning_math.md §1.3) with coefficient
// of innovation P, coefficient of imitation Q and market potential M:
//
//	F(t) = (1 − e^(−(p+q)t)) / (1 + (q/p)·e^(−(p+q)t))     cumulative share
//	f(t) = ((p+q)²/p) · e^(−(p+q)t) / (1 + (q/p)·e^(−(p+q)t))²
//
// P and Q are per period of t. Published values are per year (average
// p = 0.03, q = 0.38); PerMonth converts them.
type Bass struct {
	P, Q, M float64
}

// Share returns F(t), the cumulative share of the market that has adopted;
// 0 for t ≤ 0 (nobody adopts before launch).
func (b Bass) Share(t float64) float64 {
	if t <= 0 {
		return 0
	}
	e := math.Exp(-(b.P + b.Q) * t)
	return (1 - e) / (1 + b.Q/b.P*e)
}

// At returns the cumulative adopters m·F(t).
func (b Bass) At(t float64) float64 { return b.M * b.Share(t) }

// Rate returns the instantaneous adoption rate m·f(t) = m·(p + q·F)(1 − F);
// 0 for t < 0.
func (b Bass) Rate(t float64) float64 {
	if t < 0 {
		return 0
	}
	e := math.Exp(-(b.P + b.Q) * t)
	d := 1 + b.Q/b.P*e
	return b.M * (b.P + b.Q) * (b.P + b.Q) / b.P * e / (d * d)
}

// Peak returns when adoption is fastest, t* = ln(q/p)/(p+q), and the share
// adopted by then, F(t*) = (q − p)/(2q). When q ≤ p adoption is fastest at
// launch: t* = 0 and F = 0.
func (b Bass) Peak() (t, share float64) {
	if b.Q <= b.P {
		return 0, 0
	}
	return math.Log(b.Q/b.P) / (b.P + b.Q), (b.Q - b.P) / (2 * b.Q)
}

// PerMonth converts yearly coefficients to monthly ones, p/12 and q/12.
// F depends only on (p+q)·t and q/p, so the monthly curve at month 12·y
// equals the yearly curve at year y exactly (planning_math.md §1.3).
func (b Bass) PerMonth() Bass { return Bass{P: b.P / 12, Q: b.Q / 12, M: b.M} }

// Adopters returns new and cumulative adopters for periods 1..n in the
// Srinivasan–Mason discrete form (planning_math.md §1.3), the form for
// phasing: new_t = m·[F(t) − F(t−1)], cumulative_t = m·F(t).
func (b Bass) Adopters(n int) (newAdopters, cumulative []float64) {
	newAdopters, cumulative = make([]float64, n), make([]float64, n)
	for i := range n {
		t := float64(i + 1)
		cumulative[i] = b.At(t)
		newAdopters[i] = cumulative[i] - b.At(t-1)
	}
	return newAdopters, cumulative
}

// AdoptersByDifference returns new and cumulative adopters for periods 1..n
// from Bass's 1969 difference equation (planning_math.md §1.3):
//
//	n_t = p·(m − N_{t−1}) + q·(N_{t−1}/m)·(m − N_{t−1}),  N_t = N_{t−1} + n_t,  N_0 = 0.
//
// It is the regression form; unlike Adopters it changes with the length of
// the period, so monthly phasing should use Adopters on PerMonth.
func (b Bass) AdoptersByDifference(n int) (newAdopters, cumulative []float64) {
	newAdopters, cumulative = make([]float64, n), make([]float64, n)
	var total float64
	for i := range n {
		left := b.M - total
		newAdopters[i] = b.P*left + b.Q*(total/b.M)*left
		total += newAdopters[i]
		cumulative[i] = total
	}
	return newAdopters, cumulative
}

// Validate checks p > 0, q ≥ 0 and m > 0.
func (b Bass) Validate() error {
	switch {
	case !finite(b.P, b.Q, b.M):
		return errors.New("the Bass parameters must be finite numbers")
	case !(b.P > 0):
		return fmt.Errorf("the Bass coefficient of innovation p must be > 0, got %v", b.P)
	case b.Q < 0:
		return fmt.Errorf("the Bass coefficient of imitation q must be ≥ 0, got %v", b.Q)
	case !(b.M > 0):
		return fmt.Errorf("the Bass market potential m must be > 0, got %v", b.M)
	}
	return nil
}

// CannibalizationRate is the sales an existing product lost over the sales
// of the new one (planning_math.md §1.4): 65 lost for 250 new is 0.26.
func CannibalizationRate(lostOld, newUnits float64) (float64, error) {
	if !(newUnits > 0) {
		return 0, fmt.Errorf("cannibalization rate needs new-product sales > 0, got %v", newUnits)
	}
	return lostOld / newUnits, nil
}

// ExpectedOld is the counterfactual sales of the existing product had the
// new one not launched (planning_math.md §1.4):
// baseline × (1 + category growth) − natural decline.
func ExpectedOld(baseline, categoryGrowth, naturalDecline float64) float64 {
	return baseline*(1+categoryGrowth) - naturalDecline
}

// Cannibalized splits new-product units into those taken from the existing
// product and the incremental rest (planning_math.md §1.4), measuring lost
// old units against the counterfactual, not against a before/after
// comparison:
//
//	lost         = max(0, expectedOld − actualOld)
//	cannibalized = min(lost × overlap, newUnits)
//	incremental  = newUnits − cannibalized
//
// overlap is the share of the lost units the new product took (the rest
// went to competitors or nowhere), in [0, 1].
func Cannibalized(expectedOld, actualOld, overlap, newUnits float64) (cannibalized, incremental float64, err error) {
	if !(overlap >= 0 && overlap <= 1) {
		return 0, 0, fmt.Errorf("overlap must lie in [0, 1], got %v", overlap)
	}
	if newUnits < 0 {
		return 0, 0, fmt.Errorf("new-product units must be ≥ 0, got %v", newUnits)
	}
	lost := max(0, expectedOld-actualOld)
	cannibalized = min(lost*overlap, newUnits)
	return cannibalized, newUnits - cannibalized, nil
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
