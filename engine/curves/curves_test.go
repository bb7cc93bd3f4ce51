package curves

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Oracle L1 (planning_math.md §1.1, MrExcel table): 25% at t = 6, 70% at
// t = 10.
func TestLogisticThroughTwoPointsOracleL1(t *testing.T) {
	l, err := LogisticThrough(1, 6, 0.25, 10, 0.70)
	require.NoError(t, err)
	assert.InDelta(t, 0.486478, l.K, 5e-7)
	assert.InDelta(t, 8.258300, l.Midpoint, 5e-7)
	want := []float64{2.8, 4.5, 7.2, 11.2, 17.0, 25.0, 35.2, 46.9, 58.9, 70.0, 79.1, 86.1, 90.9, 94.2, 96.4, 97.7, 98.6, 99.1, 99.5, 99.7}
	for i, w := range want {
		pct := 100 * l.At(float64(i+1))
		assert.Equal(t, w, math.Round(pct*10)/10, "t = %d: %.4f%%", i+1, pct)
	}
	assert.InDelta(t, 0.5, l.At(l.Midpoint), 1e-15, "symmetric: half way at the midpoint")
}

func TestGeneralizedLogistic(t *testing.T) {
	l := Logistic{Min: 10, Max: 110, K: 1, Midpoint: 0, Asymmetry: 2}
	assert.InDelta(t, 10+100*0.25, l.At(0), 1e-12, "(1/2)² of the way at the midpoint")
	assert.InDelta(t, 110, l.At(100), 1e-9)
	assert.InDelta(t, 10, l.At(-100), 1e-9)
	zero := Logistic{Max: 1, K: 1}
	assert.InDelta(t, 0.5, zero.At(0), 1e-15, "asymmetry 0 is the symmetric curve")
}

// Oracle G1 (planning_math.md §1.2): a = 100, b = 5, c = 0.4, t = 6 gives
// 63.534 (the calculator site prints 63.54).
func TestGompertzOracleG1(t *testing.T) {
	g := Gompertz{A: 100, B: 5, C: 0.4}
	require.NoError(t, g.Validate())
	assert.InDelta(t, 63.534, g.At(6), 0.0005)
	assert.InDelta(t, 4.0236, g.Inflection(), 0.00005)
	assert.InDelta(t, 100/math.E, g.At(g.Inflection()), 1e-12, "y(t*) = a/e")
}

// Oracle B1 (planning_math.md §1.3): p = 0.03, q = 0.38, m = 100, yearly.
func TestBassOracleB1(t *testing.T) {
	b := Bass{P: 0.03, Q: 0.38, M: 100}
	require.NoError(t, b.Validate())
	rows := []struct {
		t                int
		cumSM, newSM     float64 // 3 decimals
		newDiff, cumDiff float64 // 4 decimals
	}{
		{1, 3.576, 3.576, 3.0000, 3.0000},
		{2, 8.506, 4.930, 4.0158, 7.0158},
		{3, 15.050, 6.544, 5.2685, 12.2843},
		{4, 23.315, 8.265, 6.7261, 19.0104},
		{5, 33.120, 9.805, 8.2803, 27.2907},
		{6, 43.924, 10.804, 9.7216, 37.0123},
		{7, 54.901, 10.977, 10.7486, 47.7609},
		{8, 65.174, 10.273, 11.0481, 58.8090},
		{10, 81.280, 7.208, 9.0144, 78.2643},
		{12, 90.869, 4.062, 5.1818, 90.5624},
	}
	newSM, cumSM := b.Adopters(12)
	newDiff, cumDiff := b.AdoptersByDifference(12)
	for _, r := range rows {
		i := r.t - 1
		assert.InDelta(t, r.cumSM, cumSM[i], 0.0005, "SM cumulative at %d", r.t)
		assert.InDelta(t, r.newSM, newSM[i], 0.0005, "SM new at %d", r.t)
		assert.InDelta(t, r.newDiff, newDiff[i], 0.00005, "difference new at %d", r.t)
		assert.InDelta(t, r.cumDiff, cumDiff[i], 0.00005, "difference cumulative at %d", r.t)
	}
	peak, share := b.Peak()
	assert.InDelta(t, 6.1926, peak, 0.00005)
	assert.InDelta(t, 0.46053, share, 0.000005)
	assert.InDelta(t, share, b.Share(peak), 1e-12)
	assert.InDelta(t, b.Rate(peak), (b.P+b.Q*share)*(1-share)*b.M, 1e-12, "f = (p + qF)(1 − F)")

	// Yearly to monthly: F_monthly(12) = F_yearly(1) = 0.035758.
	m := b.PerMonth()
	assert.InDelta(t, 0.035758, m.Share(12), 5e-7)
	assert.InDelta(t, b.Share(1), m.Share(12), 1e-15)
	assert.InDelta(t, b.Share(7), m.Share(84), 1e-12)

	slow := Bass{P: 0.4, Q: 0.1, M: 1}
	peak, share = slow.Peak()
	assert.Zero(t, peak, "q ≤ p: fastest at launch")
	assert.Zero(t, share)
}

func TestBassRateIsTheDerivative(t *testing.T) {
	b := Bass{P: 0.03, Q: 0.38, M: 100}
	for _, x := range []float64{0.5, 3, 6.19, 11} {
		h := 1e-5
		assert.InDelta(t, (b.At(x+h)-b.At(x-h))/(2*h), b.Rate(x), 1e-6)
	}
	assert.Zero(t, b.Share(-1))
	assert.Zero(t, b.Rate(-1))
}

// Oracle C1 (planning_math.md §1.4): 65 lost for 250 new is 26%.
func TestCannibalizationOracleC1(t *testing.T) {
	r, err := CannibalizationRate(65, 250)
	require.NoError(t, err)
	assert.InDelta(t, 0.26, r, 1e-15)
	_, err = CannibalizationRate(65, 0)
	assert.EqualError(t, err, "cannibalization rate needs new-product sales > 0, got 0")

	expected := ExpectedOld(1000, 0.05, 20) // 1,030 without the launch
	assert.InDelta(t, 1030, expected, 1e-12)
	c, inc, err := Cannibalized(expected, 965, 0.8, 250)
	require.NoError(t, err)
	assert.InDelta(t, 52, c, 1e-12, "65 lost × 80% taken by the new product")
	assert.InDelta(t, 198, inc, 1e-12)
	c, inc, err = Cannibalized(expected, 1040, 1, 250)
	require.NoError(t, err)
	assert.Zero(t, c, "the old line beat its counterfactual")
	assert.Equal(t, 250.0, inc)
	c, _, err = Cannibalized(expected, 0, 1, 250)
	require.NoError(t, err)
	assert.Equal(t, 250.0, c, "never more than the new units")
	_, _, err = Cannibalized(expected, 0, 1.5, 250)
	assert.EqualError(t, err, "overlap must lie in [0, 1], got 1.5")
}

func TestCurveErrors(t *testing.T) {
	for _, c := range []struct {
		name                 string
		peak, t1, v1, t2, v2 float64
		msg                  string
	}{
		{"peak", 0, 6, 0.25, 10, 0.7, "logistic peak must be > 0, got 0"},
		{"fraction 1", 1, 6, 1, 10, 0.7, "fractions of peak must lie strictly between 0 and 1, got 1 and 0.7"},
		{"fraction 0", 1, 6, 0.25, 10, 0, "fractions of peak must lie strictly between 0 and 1, got 0.25 and 0"},
		{"same time", 1, 6, 0.25, 6, 0.7, "the two points must be at different times, both are at 6"},
		{"falling", 1, 6, 0.7, 10, 0.25, "a rising S-curve needs the later point higher: 0.7 at t=6 and 0.25 at t=10"},
		{"flat", 1, 6, 0.5, 10, 0.5, "a rising S-curve needs the later point higher: 0.5 at t=6 and 0.5 at t=10"},
		{"NaN", math.NaN(), 6, 0.25, 10, 0.7, "logistic points must be finite numbers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LogisticThrough(c.peak, c.t1, c.v1, c.t2, c.v2)
			assert.EqualError(t, err, c.msg)
		})
	}
	// The points may come in either order.
	l, err := LogisticThrough(1, 10, 0.7, 6, 0.25)
	require.NoError(t, err)
	assert.InDelta(t, 0.486478, l.K, 5e-7)

	assert.EqualError(t, Bass{P: 0, Q: 0.4, M: 1}.Validate(), "the Bass coefficient of innovation p must be > 0, got 0")
	assert.EqualError(t, Bass{P: 0.1, Q: -1, M: 1}.Validate(), "the Bass coefficient of imitation q must be ≥ 0, got -1")
	assert.EqualError(t, Bass{P: 0.1, Q: 0.4}.Validate(), "the Bass market potential m must be > 0, got 0")
	assert.EqualError(t, Gompertz{A: 1, B: 0, C: 1}.Validate(), "the Gompertz a, b and c must be > 0, got 1, 0, 1")
	assert.EqualError(t, Logistic{Max: 1}.Validate(), "logistic steepness k must be > 0, got 0")
	assert.EqualError(t, Logistic{Min: 2, Max: 1, K: 1}.Validate(), "logistic max 1 is below its min 2")
}

func TestLogisticThroughPassesThroughItsPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		peak := 0.01 + rng.Float64()*1e6
		t1 := rng.Float64()*100 - 50
		t2 := t1 + 0.01 + rng.Float64()*60
		v1 := 0.001 + rng.Float64()*0.998
		v2 := v1 + (0.999-v1)*(0.001+rng.Float64()*0.998)
		l, err := LogisticThrough(peak, t1, v1, t2, v2)
		require.NoError(t, err)
		assert.InEpsilon(t, v1*peak, l.At(t1), 1e-8, "through (t1, v1): %+v", l)
		assert.InEpsilon(t, v2*peak, l.At(t2), 1e-8, "through (t2, v2): %+v", l)
		assert.Less(t, l.At(t1-1), l.At(t1), "rising")
	}
}

// The closed form is bounded for any p, q; the difference equation only for
// p + q ≤ 1, which the draws keep to.
func TestBassAdoptionIsMonotoneAndBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		b := Bass{P: 1e-4 + rng.Float64()*0.0998, Q: rng.Float64() * 0.9, M: 1 + rng.Float64()*1e7}
		if rng.IntN(2) == 0 {
			b = b.PerMonth()
		}
		n := 1 + rng.IntN(240)
		for _, form := range []func(int) ([]float64, []float64){b.Adopters, b.AdoptersByDifference} {
			newA, cum := form(n)
			prev, sum := 0.0, 0.0
			for i := range n {
				assert.GreaterOrEqual(t, newA[i], 0.0)
				assert.GreaterOrEqual(t, cum[i], prev, "non-decreasing at %d: %+v", i+1, b)
				assert.LessOrEqual(t, cum[i], b.M*(1+1e-12), "bounded by the market: %+v", b)
				sum += newA[i]
				prev = cum[i]
			}
			assert.InEpsilon(t, cum[n-1], sum, 1e-9, "new adopters add up to the cumulative")
		}
	}
}
