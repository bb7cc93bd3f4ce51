// Package accuracy scores a department's past forecasts (or plans) against
// the actuals that followed, detects persistent bias, and suggests a
// haircut or an uplift for its next submission (planning_math.md §5).
//
// # Sign convention
//
// The error of period t is e_t = A_t − F_t, actual minus forecast, as in
// Hyndman's FPP and the IBF glossary (planning_math.md §0). Every signed
// figure here follows it: a positive mean error, MPE or tracking signal
// means the forecast was too low (under-forecast), a negative one that it
// was too high (over-forecast).
//
// # Zero actuals
//
// A percentage error 100·e_t/A_t is undefined when A_t = 0. MAPE, MPE and
// the t-test on percentage errors leave such periods out and count them in
// Report.ZeroActuals; WAPE, the mean error and the tracking signal use every
// period. When every actual is zero no percentage measure is defined:
// Report.PercentDefined is false and MAPE, MPE and WAPE are reported as 0.
//
// Statistics are float64: they are ratios, shown rounded but never rounded
// here. The suggested factor is a decimal so that applying it to a money
// amount is exact up to the final rounding to cents.
package accuracy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Line says which side of the P&L a history belongs to. It decides which
// direction of error counts as sandbagging.
type Line int

const (
	// Revenue lines: beating a low forecast is the safe side.
	Revenue Line = iota + 1
	// Cost lines: spending less than a high forecast is the safe side.
	Cost
)

// String names the line.
func (l Line) String() string {
	switch l {
	case Revenue:
		return "revenue"
	case Cost:
		return "cost"
	}
	return fmt.Sprintf("Line(%d)", int(l))
}

// Bias labels a department's persistent, statistically significant error
// (planning_math.md §5.4, IBF labels).
type Bias int

const (
	// Unbiased: no significant bias, or none in the direction of the totals.
	Unbiased Bias = iota
	// Sandbagging: forecasts persistently on the safe side — revenue
	// under-forecast (MPE > 0, TS > +4) or cost over-forecast (padding).
	Sandbagging
	// OverProjection: forecasts persistently on the optimistic side —
	// revenue over-forecast (MPE < 0, TS < −4) or cost under-forecast.
	OverProjection
)

// String names the bias.
func (b Bias) String() string {
	switch b {
	case Unbiased:
		return "unbiased"
	case Sandbagging:
		return "sandbagging"
	case OverProjection:
		return "over-projection"
	}
	return fmt.Sprintf("Bias(%d)", int(b))
}

// History is one department's record for one line: what it forecast for
// each period and what then happened, oldest period first. Period numbers
// in reports count from 1 at the first entry.
type History struct {
	Department string
	Line       Line
	Forecast   []decimal.Decimal
	Actual     []decimal.Decimal
}

// Policy holds the thresholds of the bias test and of the adjustment
// (planning_math.md §5.2 and §5.4).
type Policy struct {
	// Limit is the tracking-signal control limit: |TS| > Limit is a breach.
	Limit float64
	// Alpha is the two-sided significance level of the t-test.
	Alpha float64
	// TrackFrom is the period from which the cumulative error of the
	// tracking signal accumulates (1 = from the start; a later period after
	// a forecast review reset it). MAD always runs over every period to date.
	TrackFrom int
	// CredibilityPeriods is k in the credibility weight w = n/(n+k): with few
	// periods of evidence the factor moves only part of the way to the
	// realization ratio. Zero gives full weight.
	CredibilityPeriods int
	// MinFactor and MaxFactor clip the suggested factor.
	MinFactor, MaxFactor decimal.Decimal
}

// DefaultPolicy returns the textbook limits: ±4 on the tracking signal, a
// 5% t-test, k = 6 periods of credibility and factors clipped to
// [0.8, 1.2] (planning_math.md §5.2, §5.4).
func DefaultPolicy() Policy {
	return Policy{
		Limit:              4,
		Alpha:              0.05,
		TrackFrom:          1,
		CredibilityPeriods: 6,
		MinFactor:          decimal.RequireFromString("0.8"),
		MaxFactor:          decimal.RequireFromString("1.2"),
	}
}

// Validate checks that the policy can be applied.
func (p Policy) Validate() error {
	switch {
	case !(p.Limit > 0):
		return fmt.Errorf("tracking-signal limit must be > 0, got %v", p.Limit)
	case !(p.Alpha > 0 && p.Alpha < 1):
		return fmt.Errorf("significance level must lie strictly between 0 and 1, got %v", p.Alpha)
	case p.TrackFrom < 1:
		return fmt.Errorf("tracking signal must start at period 1 or later, got %d", p.TrackFrom)
	case p.CredibilityPeriods < 0:
		return fmt.Errorf("credibility periods must be ≥ 0, got %d", p.CredibilityPeriods)
	case !p.MinFactor.IsPositive() || p.MinFactor.GreaterThan(decimal.NewFromInt(1)):
		return fmt.Errorf("minimum factor must lie in (0, 1], got %s", p.MinFactor)
	case p.MaxFactor.LessThan(decimal.NewFromInt(1)):
		return fmt.Errorf("maximum factor must be ≥ 1, got %s", p.MaxFactor)
	}
	return nil
}

// Signal is the tracking signal at one period (planning_math.md §5.2):
// TS_t = CFE_t / MAD_t with CFE_t = Σ_{Policy.TrackFrom ≤ i ≤ t} e_i and
// MAD_t = Σ_{i ≤ t} |e_i| / t. When MAD_t is 0 every error so far is 0 and
// TS_t is 0.
type Signal struct {
	Period int
	CFE    float64
	MAD    float64
	TS     float64
}

// TTest is a one-sample Student t-test of H0: mean = 0 on the percentage
// errors p_t, two-sided: t = mean/(s/√n) on n − 1 degrees of freedom.
// Done is false when fewer than two periods have a non-zero actual.
type TTest struct {
	Done bool
	T    float64
	DF   int
	P    float64
}

// MarshalJSON writes a t-test with T as an engine.Float: ±Inf when the
// errors have no spread.
func (t TTest) MarshalJSON() ([]byte, error) {
	type plain TTest
	return json.Marshal(struct {
		plain
		T engine.Float
	}{plain(t), engine.Float(t.T)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *TTest) UnmarshalJSON(b []byte) error {
	type plain TTest
	var x struct {
		plain
		T engine.Float
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*t = TTest(x.plain)
	t.T = float64(x.T)
	return nil
}

// Report is the accuracy and bias of one department's history.
type Report struct {
	Department string
	Line       Line
	Periods    int
	// ZeroActuals counts periods with A_t = 0, left out of MAPE, MPE and the
	// t-test.
	ZeroActuals int
	// PercentDefined is false when every actual is zero; MAPE, MPE and WAPE
	// are then 0 and meaningless.
	PercentDefined bool

	ME   float64 // mean error, mean(A − F)
	MAE  float64 // mean absolute error, mean|A − F|
	MAPE float64 // percent, mean|100·e_t/A_t| over non-zero actuals
	MPE  float64 // percent, mean(100·e_t/A_t) over non-zero actuals
	WAPE float64 // percent, 100·Σ|e_t| / Σ|A_t|
	// Realization is ΣA/ΣF, the ratio a submission is multiplied by to
	// correct it (§5.4 step 1); 0 when ΣF ≤ 0, where no ratio is meaningful.
	Realization float64

	Tracking []Signal // from Policy.TrackFrom to the last period
	// Breach is the first period whose |TS| exceeds Policy.Limit, 0 if none.
	Breach int
	TTest  TTest

	// Significant says that the bias is significant in the direction of the
	// totals (sign of ΣA − ΣF): the last tracking signal is beyond the
	// limit, or the t-test rejects H0 at Policy.Alpha, with the same sign.
	Significant bool
	Evidence    string
	Bias        Bias
	// Factor is the suggested multiplier for the next submission (< 1 a
	// haircut, > 1 an uplift): 1 + w·(Realization − 1), w = n/(n + k),
	// clipped to [MinFactor, MaxFactor]; exactly 1 unless Significant.
	Factor decimal.Decimal
}

// Adjust applies the report's factor to a submitted amount, rounded to cents
// half away from zero (§5.4 step 4).
func (r Report) Adjust(amount decimal.Decimal) decimal.Decimal {
	return engine.RoundMoney(amount.Mul(r.Factor))
}

// ErrNoNonZeroActual is returned by MAPE and WAPE when every actual is zero,
// where they are undefined.
var ErrNoNonZeroActual = errors.New("every actual is zero, so percentage errors are undefined")

// Assess scores one history under a policy: MAE, ME, MAPE, MPE, WAPE, the
// realization ratio, the tracking signal and its first breach, the t-test
// on percentage errors, the bias label and the suggested factor
// (planning_math.md §5.1, §5.2, §5.4).
func Assess(h History, p Policy) (Report, error) {
	if err := p.Validate(); err != nil {
		return Report{}, err
	}
	if h.Line != Revenue && h.Line != Cost {
		return Report{}, fmt.Errorf("%s: line must be revenue or cost", h.Department)
	}
	errs, err := errorsOf(h.Actual, h.Forecast)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", h.Department, err)
	}
	n := len(errs)
	r := Report{Department: h.Department, Line: h.Line, Periods: n, Factor: decimal.NewFromInt(1)}

	var sumE, sumAbsE float64
	for _, e := range errs {
		sumE += e
		sumAbsE += math.Abs(e)
	}
	r.ME, r.MAE = sumE/float64(n), sumAbsE/float64(n)

	pct := percentErrors(h.Actual, errs)
	r.ZeroActuals = n - len(pct)
	if len(pct) > 0 {
		r.PercentDefined = true
		r.MAPE, r.MPE = meanAbs(pct), mean(pct)
		r.WAPE = 100 * sumAbsE / sumAbs(h.Actual)
	}

	sumA, sumF := decimal.Sum(decimal.Zero, h.Actual...), decimal.Sum(decimal.Zero, h.Forecast...)
	ratio := decimal.Zero
	if sumF.IsPositive() {
		ratio = sumA.DivRound(sumF, 16)
		r.Realization = ratio.InexactFloat64()
	}

	if p.TrackFrom > n {
		return Report{}, fmt.Errorf("%s: tracking signal starts at period %d but the history has %d", h.Department, p.TrackFrom, n)
	}
	r.Tracking = trackingSignal(errs, p.TrackFrom)
	for _, s := range r.Tracking {
		if math.Abs(s.TS) > p.Limit {
			r.Breach = s.Period
			break
		}
	}
	r.TTest = tTest(pct)

	r.judge(sumA.Sub(sumF).Sign(), p)
	if r.Significant && sumF.IsPositive() {
		r.Factor = factor(ratio, n, p)
	}
	return r, nil
}

// AssessAll assesses each department's history under one policy, in order.
func AssessAll(hs []History, p Policy) ([]Report, error) {
	out := make([]Report, 0, len(hs))
	for _, h := range hs {
		r, err := Assess(h, p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// judge decides significance and the bias label. A test counts only when
// its sign agrees with the sign of the total error ΣA − ΣF, so that the
// label and the factor move the same way.
func (r *Report) judge(direction int, p Policy) {
	last := r.Tracking[len(r.Tracking)-1]
	tsHit := math.Abs(last.TS) > p.Limit && sign(last.TS) == direction
	tHit := r.TTest.Done && r.TTest.P < p.Alpha && sign(r.TTest.T) == direction
	switch {
	case tsHit && tHit:
		r.Evidence = fmt.Sprintf("tracking signal %.2f beyond ±%g at period %d; t = %.2f on %d df, p = %.3f", last.TS, p.Limit, last.Period, r.TTest.T, r.TTest.DF, r.TTest.P)
	case tsHit:
		r.Evidence = fmt.Sprintf("tracking signal %.2f beyond ±%g at period %d", last.TS, p.Limit, last.Period)
	case tHit:
		r.Evidence = fmt.Sprintf("t = %.2f on %d df, p = %.3f < %g", r.TTest.T, r.TTest.DF, r.TTest.P, p.Alpha)
	default:
		r.Evidence = "no significant bias"
		return
	}
	r.Significant = true
	underForecast := direction > 0
	if underForecast == (r.Line == Revenue) {
		r.Bias = Sandbagging
	} else {
		r.Bias = OverProjection
	}
}

// factor is 1 + w·(ratio − 1) with w = n/(n + k), clipped (§5.4 step 3).
func factor(ratio decimal.Decimal, n int, p Policy) decimal.Decimal {
	one := decimal.NewFromInt(1)
	w := decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(n+p.CredibilityPeriods)), 16)
	f := one.Add(w.Mul(ratio.Sub(one)))
	return decimal.Min(decimal.Max(f, p.MinFactor), p.MaxFactor)
}

// TrackingSignal returns TS_t for periods from..n (planning_math.md §5.2):
// the cumulative error from period `from`, over the mean absolute error of
// every period to date. With from = 1 it is the textbook signal.
func TrackingSignal(actual, forecast []decimal.Decimal, from int) ([]Signal, error) {
	errs, err := errorsOf(actual, forecast)
	if err != nil {
		return nil, err
	}
	if from < 1 || from > len(errs) {
		return nil, fmt.Errorf("tracking signal start %d lies outside periods 1..%d", from, len(errs))
	}
	return trackingSignal(errs, from), nil
}

func trackingSignal(errs []float64, from int) []Signal {
	var cfe, sumAbs float64
	out := make([]Signal, 0, len(errs)-from+1)
	for i, e := range errs {
		period := i + 1
		sumAbs += math.Abs(e)
		if period < from {
			continue
		}
		cfe += e
		s := Signal{Period: period, CFE: cfe, MAD: sumAbs / float64(period)}
		if s.MAD > 0 {
			s.TS = s.CFE / s.MAD
		}
		out = append(out, s)
	}
	return out
}

// MAPE is mean|100·(A_t − F_t)/A_t| in percent over the periods with a
// non-zero actual (planning_math.md §5.1); it also returns how many periods
// it left out. It fails with ErrNoNonZeroActual when every actual is zero.
func MAPE(actual, forecast []decimal.Decimal) (mape float64, skipped int, err error) {
	errs, err := errorsOf(actual, forecast)
	if err != nil {
		return 0, 0, err
	}
	pct := percentErrors(actual, errs)
	if len(pct) == 0 {
		return 0, len(errs), ErrNoNonZeroActual
	}
	return meanAbs(pct), len(errs) - len(pct), nil
}

// WAPE is 100·Σ|A_t − F_t| / Σ|A_t| in percent (planning_math.md §5.1), the
// measure §5.1 recommends for scoring departments. It fails with
// ErrNoNonZeroActual when every actual is zero.
func WAPE(actual, forecast []decimal.Decimal) (float64, error) {
	errs, err := errorsOf(actual, forecast)
	if err != nil {
		return 0, err
	}
	den := sumAbs(actual)
	if den == 0 {
		return 0, ErrNoNonZeroActual
	}
	var num float64
	for _, e := range errs {
		num += math.Abs(e)
	}
	return 100 * num / den, nil
}

// ValueAdded is the forecast value added by a step of the forecasting
// process (planning_math.md §5.3): FVA = error before − error after, in the
// units of the error metric (percentage points for MAPE or WAPE). Positive
// means the step made the forecast better.
func ValueAdded(before, after float64) float64 { return before - after }

// Naive returns the naive forecast with lag L (planning_math.md §5.3): the
// forecast for period t is the actual of period t − L, for t = L+1..n.
// L = 1 is the random walk, L = 12 the seasonal naive forecast of monthly
// data. Score it against actual[L:].
func Naive(actual []decimal.Decimal, lag int) ([]decimal.Decimal, error) {
	if lag < 1 || lag >= len(actual) {
		return nil, fmt.Errorf("naive lag %d needs 1 ≤ lag < %d periods", lag, len(actual))
	}
	return append([]decimal.Decimal(nil), actual[:len(actual)-lag]...), nil
}

// errorsOf returns e_t = A_t − F_t as float64s after checking the series.
func errorsOf(actual, forecast []decimal.Decimal) ([]float64, error) {
	switch {
	case len(actual) == 0:
		return nil, errors.New("no periods to score")
	case len(actual) != len(forecast):
		return nil, fmt.Errorf("%d actuals but %d forecasts; each period needs both", len(actual), len(forecast))
	}
	out := make([]float64, len(actual))
	for i := range actual {
		out[i] = actual[i].Sub(forecast[i]).InexactFloat64()
	}
	return out, nil
}

// percentErrors returns 100·e_t/A_t for the periods with A_t ≠ 0.
func percentErrors(actual []decimal.Decimal, errs []float64) []float64 {
	var out []float64
	for i, a := range actual {
		if !a.IsZero() {
			out = append(out, 100*errs[i]/a.InexactFloat64())
		}
	}
	return out
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func meanAbs(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Abs(x)
	}
	return s / float64(len(xs))
}

func sumAbs(ds []decimal.Decimal) float64 {
	s := decimal.Zero
	for _, d := range ds {
		s = s.Add(d.Abs())
	}
	return s.InexactFloat64()
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
