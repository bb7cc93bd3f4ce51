package spread

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ds(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

func assertParts(t *testing.T, want []string, got []decimal.Decimal) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		assert.True(t, got[i].Equal(d(want[i])), "part %d: got %s, want %s", i+1, got[i], want[i])
	}
}

func TestMethodsOracles(t *testing.T) {
	// A1: IBM relative proportional spread of 400 by a reference of 10/20/70.
	parts, err := Proportional(d("400"), ds("10", "20", "70"))
	require.NoError(t, err)
	assertParts(t, []string{"40", "80", "280"}, parts)

	// A2: Oracle Hyperion 4-4-5 pattern, Q1 = 13.
	parts, err = ByWeeks(d("13"), FourFourFive(1))
	require.NoError(t, err)
	assertParts(t, []string{"4", "4", "5"}, parts)

	// §7.2: 1,200 over four quarters, 300 each.
	parts, err = Equal(d("1200"), 4)
	require.NoError(t, err)
	assertParts(t, []string{"300", "300", "300", "300"}, parts)
}

func TestProportional(t *testing.T) {
	parts, err := Proportional(d("100"), ds("1", "1", "1"))
	require.NoError(t, err)
	assertParts(t, []string{"33.34", "33.33", "33.33"}, parts)

	parts, err = Proportional(d("0.05"), ds("0", "0"))
	require.NoError(t, err)
	assertParts(t, []string{"0.03", "0.02"}, parts) // all-zero weights spread equally

	parts, err = Proportional(d("400"), ds("-10", "-20", "-70"))
	require.NoError(t, err)
	assertParts(t, []string{"40", "80", "280"}, parts) // one sign, negative: the same shares

	_, err = Proportional(d("1"), ds("1", "-1"))
	assert.EqualError(t, err, "weights mix positive and negative values, so shares of the amount are undefined")
	_, err = Proportional(d("1"), nil)
	assert.EqualError(t, err, "nothing to spread over: no weights")
}

func TestEqualAndRepeat(t *testing.T) {
	parts, err := Equal(d("-100"), 3)
	require.NoError(t, err)
	assertParts(t, []string{"-33.34", "-33.33", "-33.33"}, parts)
	_, err = Equal(d("1"), 0)
	assert.EqualError(t, err, "cannot spread over 0 periods")

	parts, err = Repeat(d("250.005"), 3)
	require.NoError(t, err)
	assertParts(t, []string{"250.01", "250.01", "250.01"}, parts)
	_, err = Repeat(d("1"), -1)
	assert.EqualError(t, err, "cannot repeat over -1 periods")
}

func TestByWeeks(t *testing.T) {
	year := FourFourFive(4)
	assert.Len(t, year, 12)
	weeks := 0
	for _, w := range year {
		weeks += w
	}
	assert.Equal(t, 52, weeks)
	parts, err := ByWeeks(d("520000"), year)
	require.NoError(t, err)
	assertParts(t, []string{"40000", "40000", "50000", "40000", "40000", "50000", "40000", "40000", "50000", "40000", "40000", "50000"}, parts)
	_, err = ByWeeks(d("1"), []int{4, -1})
	assert.EqualError(t, err, "month 2 has -1 weeks; weeks must be ≥ 0")
	_, err = ByWeeks(d("1"), []int{0, 0})
	assert.EqualError(t, err, "every month has zero weeks")
	assert.Empty(t, FourFourFive(0))
}

func TestPercentChange(t *testing.T) {
	// Prior-year months + 5%, each on its own base (no compounding).
	parts, err := PercentChange(ds("100", "200", "300"), d("0.05"))
	require.NoError(t, err)
	assertParts(t, []string{"105", "210", "315"}, parts)

	// 3 × 33.333 × 1.1 = 109.9989 → 110.00 in all; each 36.6663, largest
	// remainders take the extra cents.
	parts, err = PercentChange(ds("33.333", "33.333", "33.333"), d("0.1"))
	require.NoError(t, err)
	assertParts(t, []string{"36.67", "36.67", "36.66"}, parts)

	// A reversal month in the reference: signs mix, parts still add up.
	parts, err = PercentChange(ds("100.004", "-50.003", "10.001"), d("0.1"))
	require.NoError(t, err)
	assertParts(t, []string{"110", "-55", "11"}, parts)
	assert.True(t, engine.Sum(parts...).Equal(d("66")), "Σ exact = 66.0022 → 66.00")

	_, err = PercentChange(ds("1"), d("-1.5"))
	assert.EqualError(t, err, "a change of -150% would flip signs; it must be ≥ −100%")
	_, err = PercentChange(nil, d("0.1"))
	assert.EqualError(t, err, "nothing to change: no base values")
}

func TestGrowth(t *testing.T) {
	parts, err := Growth(d("100"), d("0.1"), 3)
	require.NoError(t, err)
	assertParts(t, []string{"100", "110", "121"}, parts)

	// 1,000 at 1.5% a month for a year: exact total 13,041.211… → 13,041.21.
	parts, err = Growth(d("1000"), d("0.015"), 12)
	require.NoError(t, err)
	assert.True(t, engine.Sum(parts...).Equal(d("13041.21")), "got %s", engine.Sum(parts...))
	assert.True(t, parts[11].Equal(d("1177.95")), "1000 × 1.015^11 = 1177.9489…, got %s", parts[11])

	_, err = Growth(d("1"), d("0.1"), 0)
	assert.EqualError(t, err, "cannot grow over 0 periods")
	_, err = Growth(d("1"), d("-2"), 3)
	assert.EqualError(t, err, "a growth rate of -200% would flip signs; it must be ≥ −100%")
}

func TestStraightLine(t *testing.T) {
	parts, err := StraightLine(d("100"), d("160"), 4)
	require.NoError(t, err)
	assertParts(t, []string{"100", "120", "140", "160"}, parts)

	// 0 to 0.0025 over four: the exact total is 0.005, a half cent, which
	// rounds up; the divided step alone would fall just short of it.
	parts, err = StraightLine(d("0"), d("0.0025"), 4)
	require.NoError(t, err)
	assert.True(t, engine.Sum(parts...).Equal(d("0.01")))

	parts, err = StraightLine(d("-100"), d("100"), 5)
	require.NoError(t, err)
	assertParts(t, []string{"-100", "-50", "0", "50", "100"}, parts)

	_, err = StraightLine(d("1"), d("2"), 1)
	assert.EqualError(t, err, "a straight line needs at least two periods, got 1")
}

// Every method adds back to its amount to the cent, and every part stays
// within a cent and a half of its exact value, over random inputs.
func TestSpreadingAddsBackExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	money := func() decimal.Decimal {
		return decimal.New(rng.Int64N(2_000_000_000)-1_000_000_000, -int32(rng.IntN(5)))
	}
	within := func(part, exact decimal.Decimal) bool { return part.Sub(exact).Abs().LessThan(d("0.015")) }
	for range 1000 {
		n := 1 + rng.IntN(24)
		amount := money()

		weights := make([]decimal.Decimal, n)
		for i := range weights {
			weights[i] = decimal.New(rng.Int64N(1_000_000), -int32(rng.IntN(4)))
		}
		parts, err := Proportional(amount, weights)
		require.NoError(t, err)
		require.True(t, engine.Sum(parts...).Equal(engine.RoundMoney(amount)))

		parts, err = Equal(amount, n)
		require.NoError(t, err)
		require.True(t, engine.Sum(parts...).Equal(engine.RoundMoney(amount)))

		base := make([]decimal.Decimal, n)
		for i := range base {
			base[i] = money()
		}
		rate := decimal.New(rng.Int64N(20_000)-10_000, -4)
		parts, err = PercentChange(base, rate)
		require.NoError(t, err)
		exactSum := decimal.Zero
		for i, b := range base {
			exact := b.Mul(rate.Add(decimal.NewFromInt(1)))
			exactSum = exactSum.Add(exact)
			require.True(t, engine.IsWholeCents(parts[i]))
			require.True(t, within(parts[i], exact), "part %s, exact %s", parts[i], exact)
		}
		require.True(t, engine.Sum(parts...).Equal(engine.RoundMoney(exactSum)))

		start, end := money(), money()
		parts, err = StraightLine(start, end, n+1)
		require.NoError(t, err)
		want := engine.RoundMoney(start.Add(end).Mul(decimal.NewFromInt(int64(n + 1))).Div(decimal.NewFromInt(2)))
		require.True(t, engine.Sum(parts...).Equal(want))

		parts, err = Growth(amount, rate, n)
		require.NoError(t, err)
		exactSum, v := decimal.Zero, amount
		for i := range n {
			require.True(t, within(parts[i], v))
			exactSum = exactSum.Add(v)
			v = v.Mul(rate.Add(decimal.NewFromInt(1)))
		}
		require.True(t, engine.Sum(parts...).Equal(engine.RoundMoney(exactSum)))
	}
}
