package spread

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func capped(name, weight, limit string) Recipient {
	return Recipient{Name: name, Weight: d(weight), Capped: true, Cap: d(limit)}
}

func TestAllocateGap(t *testing.T) {
	for _, c := range []struct {
		name       string
		gap        string
		method     Method
		recipients []Recipient
		parts      []string
		residual   string
	}{
		{"by weight, oracle A1", "400", ByWeight, []Recipient{{Name: "Jan", Weight: d("10")}, {Name: "Feb", Weight: d("20")}, {Name: "Mar", Weight: d("70")}},
			[]string{"40", "80", "280"}, "0"},
		{"held recipient", "1000", ByWeight, []Recipient{{Name: "A", Weight: d("1")}, {Name: "B", Weight: d("1"), Exclude: true}, {Name: "C", Weight: d("3")}},
			[]string{"250", "0", "750"}, "0"},
		{"a cap binds, the others absorb", "1000", ByWeight, []Recipient{{Name: "A", Weight: d("1")}, {Name: "B", Weight: d("1")}, capped("C", "2", "300")},
			[]string{"350", "350", "300"}, "0"},
		{"caps cascade", "1000", Equally, []Recipient{capped("A", "0", "100"), capped("B", "0", "400"), {Name: "C"}},
			[]string{"100", "400", "500"}, "0"},
		{"every cap binds", "1000", Equally, []Recipient{capped("A", "0", "100"), capped("B", "0", "200"), capped("C", "0", "300")},
			[]string{"100", "200", "300"}, "400"},
		{"a surplus (negative gap) respects caps in size", "-900", Equally, []Recipient{capped("A", "0", "100"), {Name: "B"}},
			[]string{"-100", "-800"}, "0"},
		{"zero weight takes nothing when others have weight", "100", ByWeight, []Recipient{capped("A", "10", "5"), {Name: "B"}},
			[]string{"5", "0"}, "95"},
		{"all-zero weights share equally", "100", ByWeight, []Recipient{{Name: "A"}, {Name: "B"}, {Name: "C"}},
			[]string{"33.34", "33.33", "33.33"}, "0"},
		{"digits below a cent stay in the residual", "100.004", Equally, []Recipient{{Name: "A"}, {Name: "B"}},
			[]string{"50", "50"}, "0.004"},
		{"everyone held", "75", Equally, []Recipient{{Name: "A", Exclude: true}},
			[]string{"0"}, "75"},
		{"nobody to allocate to", "75", ByWeight, nil, []string{}, "75"},
		{"a zero cap takes nothing", "10", Equally, []Recipient{capped("A", "0", "0"), {Name: "B"}},
			[]string{"0", "10"}, "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := AllocateGap(d(c.gap), c.recipients, c.method)
			require.NoError(t, err)
			assertParts(t, c.parts, a.Parts)
			assert.True(t, a.Residual.Equal(d(c.residual)), "residual %s, want %s", a.Residual, c.residual)
			assert.True(t, a.Allocated.Add(a.Residual).Equal(d(c.gap)))
		})
	}
}

func TestAllocateGapErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		r      Recipient
		method Method
		msg    string
	}{
		{"negative weight", Recipient{Name: "Sales", Weight: d("-1")}, ByWeight, "Sales: weight must be ≥ 0, got -1"},
		{"negative cap", capped("Sales", "1", "-5"), ByWeight, "Sales: cap must be ≥ 0, got -5"},
		{"sub-cent cap", capped("Sales", "1", "5.001"), ByWeight, "Sales: cap must be in whole cents, got 5.001"},
		{"method unset", Recipient{Name: "Sales"}, 0, "unknown allocation method 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := AllocateGap(d("10"), []Recipient{c.r}, c.method)
			assert.EqualError(t, err, c.msg)
		})
	}
	assert.Equal(t, "by weight", ByWeight.String())
	assert.Equal(t, "equally", Equally.String())
}

// Over random gaps, weights, holds and caps: allocated + residual is the gap
// exactly; parts are whole cents with the gap's sign, within their caps,
// zero when held; and a residual beyond the gap's sub-cent digits is left
// only when every open recipient is at its cap. Uncapped, the allocation is
// the plain spread.
func TestAllocateGapProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		gap := decimal.New(rng.Int64N(2_000_000_000)-1_000_000_000, -int32(rng.IntN(4)))
		method := []Method{ByWeight, Equally}[rng.IntN(2)]
		n := rng.IntN(12)
		rs := make([]Recipient, n)
		for i := range rs {
			rs[i] = Recipient{Name: string(rune('A' + i)), Weight: decimal.New(rng.Int64N(5)*rng.Int64N(100_000), -2)}
			rs[i].Exclude = rng.IntN(6) == 0
			if rng.IntN(3) == 0 {
				rs[i].Capped, rs[i].Cap = true, decimal.New(rng.Int64N(1_000_000_000), -2)
			}
		}
		a, err := AllocateGap(gap, rs, method)
		require.NoError(t, err)
		require.Len(t, a.Parts, n)
		require.True(t, a.Allocated.Add(a.Residual).Equal(gap), "allocated %s + residual %s ≠ gap %s", a.Allocated, a.Residual, gap)
		require.True(t, engine.Sum(a.Parts...).Equal(a.Allocated))

		open := eligible(rs, method)
		allAtCap := true
		for i, p := range a.Parts {
			require.True(t, engine.IsWholeCents(p))
			require.True(t, p.IsZero() || p.Sign() == gap.Sign(), "part %s against gap %s", p, gap)
			if rs[i].Exclude {
				require.True(t, p.IsZero(), "held recipient got %s", p)
			}
			if rs[i].Capped {
				require.True(t, p.Abs().LessThanOrEqual(rs[i].Cap))
			}
		}
		for _, i := range open {
			if !rs[i].Capped || !a.Parts[i].Abs().Equal(rs[i].Cap) {
				allAtCap = false
			}
		}
		if !a.Residual.Sub(gap.Sub(engine.RoundMoney(gap))).IsZero() {
			require.True(t, allAtCap, "residual %s left while a recipient had room", a.Residual)
		}

		anyCap := false
		for _, r := range rs {
			anyCap = anyCap || r.Capped
		}
		if !anyCap && len(open) > 0 {
			weights := make([]decimal.Decimal, len(open))
			if method == ByWeight {
				for k, i := range open {
					weights[k] = rs[i].Weight
				}
			}
			plain := engine.Spread(gap, weights)
			for k, i := range open {
				require.True(t, a.Parts[i].Equal(plain[k]))
			}
		}
	}
}
