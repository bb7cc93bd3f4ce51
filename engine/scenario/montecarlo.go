package scenario

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"aop/engine"

	"github.com/shopspring/decimal"
)

// Distribution is the spread of an uncertain driver value.
type Distribution interface {
	// Sample draws a value. A distribution of zero width returns its one
	// value exactly, without drawing.
	Sample(r *rand.Rand) decimal.Decimal
	// Validate checks the parameters.
	Validate() error
}

// PERT is the beta-PERT distribution of a three-point estimate, with the
// standard weight λ = 4 on the mode: mean = (Min + 4·Mode + Max)/6,
// α = 1 + 4(Mode−Min)/(Max−Min), β = 1 + 4(Max−Mode)/(Max−Min). Draws are
// computed in float64.
type PERT struct {
	Min, Mode, Max decimal.Decimal
}

// Validate checks that Min ≤ Mode ≤ Max.
func (d PERT) Validate() error {
	if d.Mode.LessThan(d.Min) || d.Max.LessThan(d.Mode) {
		return fmt.Errorf("PERT needs min ≤ mode ≤ max, got %s, %s, %s", d.Min, d.Mode, d.Max)
	}
	return nil
}

// Mean returns (Min + 4·Mode + Max)/6, exact to 16 decimal places.
func (d PERT) Mean() decimal.Decimal {
	return d.Min.Add(d.Mode.Mul(decimal.NewFromInt(4))).Add(d.Max).Div(decimal.NewFromInt(6))
}

// Shape returns the beta distribution's α and β; both are 1 when the
// distribution has zero width.
func (d PERT) Shape() (alpha, beta float64) {
	lo, mode, hi := d.Min.InexactFloat64(), d.Mode.InexactFloat64(), d.Max.InexactFloat64()
	if hi == lo {
		return 1, 1
	}
	return 1 + 4*(mode-lo)/(hi-lo), 1 + 4*(hi-mode)/(hi-lo)
}

// Sample draws Min + (Max−Min)·B with B ~ Beta(α, β).
func (d PERT) Sample(r *rand.Rand) decimal.Decimal {
	if d.Min.Equal(d.Max) {
		return d.Mode
	}
	a, b := d.Shape()
	lo, hi := d.Min.InexactFloat64(), d.Max.InexactFloat64()
	x := gamma(r, a)
	y := gamma(r, b)
	return decimal.NewFromFloat(lo + (hi-lo)*(x/(x+y)))
}

// z95 is the standard normal's 95th percentile.
const z95 = 1.6448536269514722

// LogNormal is the lognormal distribution whose 5th and 95th percentiles
// are P5 and P95 (a 90% interval, as in "90% sure it is between 8.1M and
// 8.4M"): μ = (ln P5 + ln P95)/2, σ = (ln P95 − ln P5)/(2·1.6449). Draws
// are computed in float64.
type LogNormal struct {
	P5, P95 decimal.Decimal
}

// Validate checks that 0 < P5 ≤ P95 and that both fit a float64.
func (d LogNormal) Validate() error {
	if !d.P5.IsPositive() || d.P95.LessThan(d.P5) {
		return fmt.Errorf("a lognormal needs 0 < P5 ≤ P95, got %s and %s", d.P5, d.P95)
	}
	if math.IsInf(d.P95.InexactFloat64(), 0) || d.P5.InexactFloat64() == 0 {
		return fmt.Errorf("a lognormal's P5 and P95 must fit a float64, got %s and %s", d.P5, d.P95)
	}
	return nil
}

// Params returns μ and σ, the mean and standard deviation of the
// logarithm; exp(μ) is the median.
func (d LogNormal) Params() (mu, sigma float64) {
	a, b := math.Log(d.P5.InexactFloat64()), math.Log(d.P95.InexactFloat64())
	return (a + b) / 2, (b - a) / (2 * z95)
}

// Sample draws exp(μ + σ·Z) with Z standard normal.
func (d LogNormal) Sample(r *rand.Rand) decimal.Decimal {
	if d.P5.Equal(d.P95) {
		return d.P5
	}
	mu, sigma := d.Params()
	return decimal.NewFromFloat(math.Exp(mu + sigma*r.NormFloat64()))
}

// gamma draws from Gamma(shape, 1) for shape ≥ 1 (Marsaglia and Tsang,
// 2000), which covers every PERT with λ = 4.
func gamma(r *rand.Rand, shape float64) float64 {
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < x*x/2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// Range is an uncertain driver: each run draws one value from Dist and
// applies it, as Op (set, add or multiply), to every series Select picks
// over months From to To (0: first and last). The series a range picks move
// together; give each department its own range for independent draws.
type Range struct {
	// Name identifies the range's random stream; names must be unique.
	Name   string
	Select Selector
	From   engine.Period
	To     engine.Period
	Op     Op
	Dist   Distribution
}

// MonteCarlo describes a simulation.
type MonteCarlo struct {
	Runs int
	// Seed makes the simulation reproducible: the same seed gives the same
	// result on every run and with any number of workers.
	Seed uint64
	// Workers is the number of goroutines; 0 uses GOMAXPROCS.
	Workers int
	Ranges  []Range
	// Overrides, when set, simulate around a scenario rather than the base.
	Overrides []Override
	// Metrics are the company metrics reported; empty reports Revenue,
	// Costs and Cash.
	Metrics []string
}

// Percentiles are the 10th, 50th and 90th percentiles of a figure over the
// runs. P10 is the low case: 10% of runs fall below it.
type Percentiles struct {
	P10, P50, P90 decimal.Decimal
}

// MetricRange is the spread of one company metric over the runs.
type MetricRange struct {
	Metric string
	// Year is the spread of the year figure (see Outputs.Year), taken over
	// the runs' year figures; it is not the sum of the monthly percentiles.
	Year   Percentiles
	Months []Percentiles
}

// Simulated is the result of a Monte Carlo simulation.
type Simulated struct {
	Runs    int
	Seed    uint64
	Metrics []MetricRange
}

// Metric returns the spread of a metric.
func (s *Simulated) Metric(name string) (MetricRange, bool) {
	for _, m := range s.Metrics {
		if m.Metric == name {
			return m, true
		}
	}
	return MetricRange{}, false
}

// Percentile returns the p-th quantile (0 ≤ p ≤ 1) of values sorted in
// ascending order, by Hyndman–Fan type 7: with h = (n−1)·p, the value at
// floor(h) plus the fraction of h times the step to the next value. This is
// numpy's default and Excel's PERCENTILE.INC; [1 2 3 4 5] gives P10 = 1.4
// and P90 = 4.6. It returns NaN for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// resolvedRange is a range with its series found and its stream named.
type resolvedRange struct {
	Range
	keys     []Key
	from, to engine.Period
	stream   uint64
}

// Simulate runs a Monte Carlo simulation and reports P10, P50 and P90 of
// the company's metrics, by month and for the year.
//
// Each run draws every range from its own PCG stream, seeded with the
// simulation's seed and a hash of the range's name and the run's number;
// runs are split among workers in contiguous blocks and their figures kept
// by run number, so the result does not depend on the number of workers.
// The model projects exact decimals; draws and percentiles are computed in
// float64 and the percentiles returned rounded to cents, half away from
// zero. Ranges of zero width draw nothing and leave the plan exactly as it
// is, so their percentiles are the projection's figures rounded to cents.
func (p *Plan) Simulate(mc MonteCarlo) (*Simulated, error) {
	if mc.Runs < 1 {
		return nil, fmt.Errorf("a simulation needs at least one run, got %d", mc.Runs)
	}
	metrics := mc.Metrics
	if len(metrics) == 0 {
		metrics = []string{Revenue, Costs, Cash}
	}
	for _, m := range metrics {
		if _, ok := p.out.Get(Company, m); !ok {
			return nil, fmt.Errorf("the model emits no company %s", m)
		}
	}
	in, err := Apply(p.base, mc.Overrides)
	if err != nil {
		return nil, err
	}
	ranges, touched, err := resolveRanges(in, mc.Ranges)
	if err != nil {
		return nil, err
	}

	months, runs := in.Months, mc.Runs
	slots := months + 1 // the months and the year
	values := make([][]float64, len(metrics))
	for i := range values {
		values[i] = make([]float64, slots*runs) // slot-major: slot·runs + run
	}
	workers := mc.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, runs)

	// A worker stops once a run before its current one has failed; the
	// error reported is the first failing run's, whatever the workers.
	var firstFail atomic.Int64
	firstFail.Store(int64(runs))
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*runs/workers, (w+1)*runs/workers
		wg.Go(func() {
			src := &rand.PCG{}
			r := rand.New(src)
			for run := lo; run < hi && int64(run) < firstFail.Load(); run++ {
				if err := p.simulateRun(in, ranges, touched, metrics, mc.Seed, run, src, r, values); err != nil {
					errs[run] = err
					lowerTo(&firstFail, int64(run))
					return
				}
			}
		})
	}
	wg.Wait()
	if f := firstFail.Load(); f < int64(runs) {
		return nil, fmt.Errorf("run %d: %w", f+1, errs[f])
	}

	res := &Simulated{Runs: runs, Seed: mc.Seed, Metrics: make([]MetricRange, len(metrics))}
	for i, m := range metrics {
		mr := MetricRange{Metric: m, Months: make([]Percentiles, months)}
		for slot := range slots {
			vs := values[i][slot*runs : (slot+1)*runs]
			slices.Sort(vs)
			ps := Percentiles{P10: cents(Percentile(vs, 0.1)), P50: cents(Percentile(vs, 0.5)), P90: cents(Percentile(vs, 0.9))}
			if slot == months {
				mr.Year = ps
			} else {
				mr.Months[slot] = ps
			}
		}
		res.Metrics[i] = mr
	}
	return res, nil
}

// resolveRanges checks the ranges, finds the series each picks and returns
// them with every key any range touches.
func resolveRanges(in Inputs, rs []Range) ([]resolvedRange, []Key, error) {
	names := map[string]bool{}
	touched := map[Key]bool{}
	out := make([]resolvedRange, len(rs))
	for i, r := range rs {
		fail := func(err error) error { return fmt.Errorf("range %d (%s): %w", i+1, r.Name, err) }
		if r.Name == "" || names[r.Name] {
			return nil, nil, fail(errors.New("every range needs a name of its own"))
		}
		names[r.Name] = true
		switch r.Op {
		case OpSet, OpAdd, OpMultiply:
		default:
			return nil, nil, fail(fmt.Errorf("a range sets, adds or multiplies; got %q", r.Op))
		}
		if r.Dist == nil {
			return nil, nil, fail(errors.New("no distribution"))
		}
		if err := r.Dist.Validate(); err != nil {
			return nil, nil, fail(err)
		}
		from, to, err := window(r.From, r.To, in.Months)
		if err != nil {
			return nil, nil, fail(err)
		}
		rr := resolvedRange{Range: r, from: from, to: to, stream: nameHash(r.Name)}
		for k := range in.Drivers {
			if r.Select.Matches(k) {
				rr.keys = append(rr.keys, k)
				touched[k] = true
			}
		}
		if len(rr.keys) == 0 {
			return nil, nil, fail(fmt.Errorf("no driver series matches %s", r.Select))
		}
		out[i] = rr
	}
	return out, slices.Collect(maps.Keys(touched)), nil
}

// simulateRun draws one run's values, projects and stores the company's
// figures of each metric at [slot·runs + run].
func (p *Plan) simulateRun(in Inputs, ranges []resolvedRange, touched []Key, metrics []string,
	seed uint64, run int, src *rand.PCG, r *rand.Rand, values [][]float64) error {
	if len(ranges) > 0 {
		drivers := maps.Clone(in.Drivers)
		for _, k := range touched {
			drivers[k] = slices.Clone(drivers[k])
		}
		for _, rr := range ranges {
			src.Seed(seed, streamSeed(rr.stream, run))
			c := Change{Op: rr.Op, Value: rr.Dist.Sample(r)}
			for _, k := range rr.keys {
				changeSeries(drivers[k], c, rr.from, rr.to)
			}
		}
		in.Drivers = drivers
	}
	out, err := p.project(in)
	if err != nil {
		return err
	}
	runs := len(values[0]) / (in.Months + 1)
	for i, m := range metrics {
		k := MetricKey{Company, m}
		s, ok := out.Metrics[k]
		if !ok {
			return fmt.Errorf("the model emitted no company %s", m)
		}
		year := out.Year(k)
		for j := range in.Months + 1 {
			v := year
			if j < in.Months {
				v = s[j]
			}
			f := v.InexactFloat64()
			if math.IsInf(f, 0) {
				return fmt.Errorf("the company's %s is too large for a float64", m)
			}
			values[i][j*runs+run] = f
		}
	}
	return nil
}

// lowerTo sets a to v if v is lower.
func lowerTo(a *atomic.Int64, v int64) {
	for f := a.Load(); v < f; f = a.Load() {
		if a.CompareAndSwap(f, v) {
			return
		}
	}
}

// cents turns a finite float64 figure into a decimal rounded to cents,
// half away from zero.
func cents(x float64) decimal.Decimal {
	return engine.RoundMoney(decimal.NewFromFloat(x))
}

// nameHash is the 64-bit FNV-1a hash of a range's name.
func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// streamSeed mixes a range's stream with a run's number (SplitMix64's
// finaliser), so that each (range, run) pair has a stream of its own.
func streamSeed(stream uint64, run int) uint64 {
	z := stream + 0x9e3779b97f4a7c15*uint64(run+1)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
