package engine

import (
	"math/rand/v2"
	"testing"
)

// benchCycle is 1,000 leaf departments (under 100 teams, 10 divisions and
// the company) × 200 lines × 12 months of random cents: 2.4M amounts, and a
// few targets on every department.
func benchCycle(b *testing.B) (*Cycle, []*Submission, int) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	c, subs := genCycle(r, genOptions{fanout: []int{10, 10, 10}, accounts: 200, lines: 200, maxCents: 1e9, targets: true})
	n := 0
	for _, s := range subs {
		n += len(s.Lines) * MonthsPerYear
	}
	return c, subs, n
}

func benchConsolidate(b *testing.B, fast bool) {
	c, subs, amounts := benchCycle(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		k, err := consolidate(c, subs, fast)
		if err != nil {
			b.Fatal(err)
		}
		_ = k.Gaps()
		_ = k.Bridge(Revenue)
		_ = k.Bridge(COGS, OpEx)
	}
	b.ReportMetric(float64(amounts)*float64(b.N)/b.Elapsed().Seconds(), "amounts/s")
}

// BenchmarkConsolidate times Consolidate, the gap register and two bridges
// on the fixed-point fast path.
func BenchmarkConsolidate(b *testing.B) { benchConsolidate(b, true) }

// BenchmarkConsolidateDecimal times the same on the decimal reference path.
func BenchmarkConsolidateDecimal(b *testing.B) { benchConsolidate(b, false) }

// BenchmarkPivotAndGapsByDimension times cutting the consolidated plan of
// the benchmark cycle by a dimension: the company's pivot and the gaps by
// member.
func BenchmarkPivotAndGapsByDimension(b *testing.B) {
	c, subs, amounts := benchCycle(b)
	k, err := Consolidate(c, subs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := k.Pivot("project", ""); err != nil {
			b.Fatal(err)
		}
		if _, err := k.GapsByDimension("project"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(amounts)*float64(b.N)/b.Elapsed().Seconds(), "amounts/s")
}
