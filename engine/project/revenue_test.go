package project

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

// Oracle F1 (§3.1, thecalcu): 1,000 leads → 300 MQL (30%) → 120 SQL (40%)
// → 50 opportunities (41.67%) → 15 won (30%); lead to close 1.5%. The
// published 41.67% is 5/12 rounded, so the stages match to the published
// whole numbers.
func TestOracleF1Funnel(t *testing.T) {
	rates := ds("0.30", "0.40", "0.4167", "0.30")
	stages, err := Funnel(d("1000"), rates...)
	require.NoError(t, err)
	want := []string{"1000", "300", "120", "50", "15"}
	require.Len(t, stages, len(want))
	for i, w := range want {
		assertDec(t, w, stages[i].Round(0), "stage %d", i)
	}
	leadToClose := stages[4].Div(stages[0])
	assertDec(t, "0.015", leadToClose.Round(4))

	// The reverse funnel gives back the leads for 15 wins at $1 a deal.
	top, err := RequiredTop(stages[4], one, rates...)
	require.NoError(t, err)
	assertDec(t, "1000", top.Round(10))

	_, err = Funnel(d("-1"), d("1.2"))
	requireFields(t, err, "top", "rates[0]")
	_, err = RequiredTop(d("100"), d("10"), d("0"))
	requireFields(t, err, "rates")
}

// Oracles V1 and V2 (§3.2): 50 × $10,000 × 0.20 / 30 days = $3,333.33 a
// day; 40 × £25,000 × 0.25 / 90 = £2,777.78 a day.
func TestOracleV1V2SalesVelocity(t *testing.T) {
	for _, c := range []struct{ opps, deal, win, days, want string }{
		{"50", "10000", "0.20", "30", "3333.33"},
		{"40", "25000", "0.25", "90", "2777.78"},
	} {
		v, err := SalesVelocity(d(c.opps), d(c.deal), d(c.win), d(c.days))
		require.NoError(t, err)
		assertDec(t, c.want, engine.RoundMoney(v))
	}
	_, err := SalesVelocity(d("1"), d("1"), d("0.5"), d("0"))
	requireFields(t, err, "cycleDays")
}

// §3.2: coverage = pipeline / quota; break-even coverage = 1 / win rate.
func TestPipelineCoverage(t *testing.T) {
	c, err := PipelineCoverage(d("3000000"), d("1000000"))
	require.NoError(t, err)
	assertDec(t, "3", c)
	be, err := BreakEvenCoverage(d("0.25"))
	require.NoError(t, err)
	assertDec(t, "4", be)
	_, err = BreakEvenCoverage(d("0"))
	requireFields(t, err, "winRate")
	_, err = PipelineCoverage(d("1"), d("0"))
	requireFields(t, err, "quota")
}

// Oracle S1 (§3.3, revenuecalculators): start 30,000; new 4,000;
// expansion 1,000; contraction 500; churn 1,500 → end 33,000, net new
// 3,000, GRR 93.3%, NRR 96.67%; CAC 480 over 80 of gross profit a
// customer-month pays back in 6 months.
func TestOracleS1MRRBridge(t *testing.T) {
	months, err := BridgeMRR(d("30000"), []MRRMovements{{
		New: d("4000"), Expansion: d("1000"), Contraction: d("500"), Churn: d("1500"),
	}})
	require.NoError(t, err)
	require.Len(t, months, 1)
	b := months[0]
	assertDec(t, "30000", b.Begin)
	assertDec(t, "33000", b.End)
	assertDec(t, "3000", b.NetNew)
	assertDec(t, "396000", b.ARR)
	require.NotNil(t, b.GRR)
	require.NotNil(t, b.NRR)
	assertDec(t, "93.3", b.GRR.Shift(2).Round(1))
	assertDec(t, "96.67", b.NRR.Shift(2).Round(2))

	payback, err := CACPaybackMonths(d("480"), d("80"), one)
	require.NoError(t, err)
	assertDec(t, "6", payback)
}

func TestMRRBridgeRollsForward(t *testing.T) {
	months, err := BridgeMRR(decimal.Zero, []MRRMovements{
		{New: d("100")},
		{New: d("50"), Churn: d("20"), Reactivation: d("5")},
		{Contraction: d("135")},
	})
	require.NoError(t, err)
	assert.Nil(t, months[0].GRR, "no GRR on a zero start")
	assertDec(t, "100", months[0].End)
	assertDec(t, "100", months[1].Begin)
	assertDec(t, "135", months[1].End)
	assertDec(t, "0.8", *months[1].GRR)
	assertDec(t, "0.8", *months[1].NRR, "reactivation is not retention")
	assertDec(t, "0", months[2].End)

	_, err = BridgeMRR(d("10"), []MRRMovements{{Churn: d("11")}})
	requireFields(t, err, "moves[0]")
	_, err = BridgeMRR(d("-1"), []MRRMovements{{New: d("-2")}})
	requireFields(t, err, "opening", "moves[0].New")
}

// Oracle S2 (§3.4, MetricKit): CAC $6,000, ARPA $500 a month, 80% gross
// margin → 15 months.
func TestOracleS2CACPayback(t *testing.T) {
	cac, err := CAC(d("600000"), d("100"))
	require.NoError(t, err)
	assertDec(t, "6000", cac)
	months, err := CACPaybackMonths(cac, d("500"), d("0.8"))
	require.NoError(t, err)
	assertDec(t, "15", months)

	_, err = CAC(d("1"), d("0"))
	requireFields(t, err, "newCustomers")
	_, err = CACPaybackMonths(d("-1"), d("0"), d("1.5"))
	requireFields(t, err, "cac", "grossMargin")
	_, err = CACPaybackMonths(d("1"), d("0"), d("0.5"))
	requireFields(t, err, "monthlyARPA × grossMargin")
}

// Oracle R1 (§3.5, Stripe docs): 120 USD for service from 2022-06-15
// 12:00 UTC to 2022-10-13 12:00 UTC (120 days), by Stripe's four
// amortization methods, with the deferred revenue row of each.
func TestOracleR1StripeAmortization(t *testing.T) {
	start := time.Date(2022, time.June, 15, 12, 0, 0, 0, time.UTC)
	end := time.Date(2022, time.October, 13, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		method   Amortization
		revenue  []string
		deferred []string // the change of the deferred revenue balance
	}{
		{ByMillisecond, []string{"15.50", "31.00", "31.00", "30.00", "12.50"}, []string{"104.50", "-31.00", "-31.00", "-30.00", "-12.50"}},
		{ByDay, []string{"16.00", "31.00", "31.00", "30.00", "12.00"}, []string{"104.00", "-31.00", "-31.00", "-30.00", "-12.00"}},
		{ByMonthEvenly, []string{"30.00", "30.00", "30.00", "30.00"}, []string{"90.00", "-30.00", "-30.00", "-30.00"}},
		{ByMonthProratedEnds, []string{"15.50", "30.66", "30.66", "30.68", "12.50"}, []string{"104.50", "-30.66", "-30.66", "-30.68", "-12.50"}},
	} {
		t.Run(fmt.Sprint(c.method), func(t *testing.T) {
			got, err := RecognizeService(d("120"), start, end, c.method)
			require.NoError(t, err)
			require.Len(t, got, len(c.revenue))
			revenue := make([]decimal.Decimal, len(got))
			for i, m := range got {
				assert.Equal(t, time.June+time.Month(i), m.Month)
				assert.Equal(t, 2022, m.Year)
				revenue[i] = m.Amount
			}
			assertDecs(t, c.revenue, revenue)

			billings := make([]decimal.Decimal, len(got))
			billings[0] = d("120")
			balance := DeferredRevenue(decimal.Zero, billings, revenue)
			prev := decimal.Zero
			for i, b := range balance {
				assertDec(t, c.deferred[i], b.Sub(prev), "deferred change, month %d", i)
				prev = b
			}
			assertDec(t, "0", prev, "nothing left deferred")
		})
	}
}

// §3.5, ryanconsulting: $120k annual prepaid from March 1 is $10k of
// revenue a month and $110k deferred at the end of March.
func TestAnnualPrepaidDefersElevenTwelfths(t *testing.T) {
	r, err := RecognizeBookings(ds("120000"), Contracts{TermMonths: 12}, 12)
	require.NoError(t, err)
	for i := range 12 {
		assertDec(t, "10000", r.Revenue[i])
	}
	assertDec(t, "110000", r.Deferred[0])
	assertDec(t, "0", r.Deferred[11])

	got, err := RecognizeService(d("120000"), time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC), ByMonthEvenly)
	require.NoError(t, err)
	require.Len(t, got, 12)
	for _, m := range got {
		assertDec(t, "10000", m.Amount)
	}
}

// §3.5, ikiplan: $1,200 a year by day. The page shows January as $101.99,
// which is the daily rate rounded first ($3.29 × 31); recognised by day
// without rounding the rate, January is 1,200 × 31/365 = $101.92.
func TestByDayDoesNotRoundTheDailyRate(t *testing.T) {
	got, err := RecognizeService(d("1200"), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), ByDay)
	require.NoError(t, err)
	require.Len(t, got, 13, "January 2024 is kept, with nothing in it")
	assertDec(t, "101.92", got[0].Amount)
	assertDec(t, "0", got[12].Amount)
	assertDec(t, "1200", sumMonths(got))
	assertDec(t, "101.99", d("1200").DivRound(d("365"), 2).Mul(d("31")), "the published figure")
}

func sumMonths(ms []MonthAmount) decimal.Decimal {
	s := decimal.Zero
	for _, m := range ms {
		s = s.Add(m.Amount)
	}
	return s
}

func TestRecognizeServiceEdges(t *testing.T) {
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	// Inside one month, every method puts it all in that month.
	for _, m := range []Amortization{ByMillisecond, ByDay, ByMonthEvenly, ByMonthProratedEnds} {
		got, err := RecognizeService(d("99.99"), utc(2022, 5, 3, 0), utc(2022, 5, 20, 0), m)
		require.NoError(t, err)
		require.Len(t, got, 1, "method %d", m)
		assertDec(t, "99.99", got[0].Amount)
	}
	// Within one day, by day: the start day.
	got, err := RecognizeService(d("10"), utc(2022, 5, 3, 1), utc(2022, 5, 3, 5), ByDay)
	require.NoError(t, err)
	assertDec(t, "10", got[0].Amount)
	// Two months, prorated ends: both by time.
	got, err = RecognizeService(d("100"), utc(2022, 4, 16, 0), utc(2022, 5, 16, 0), ByMonthProratedEnds)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assertDec(t, "50", got[0].Amount)
	assertDec(t, "50", got[1].Amount)
	// Uneven splits add back to the amount, whatever the method.
	for _, m := range []Amortization{ByMillisecond, ByDay, ByMonthEvenly, ByMonthProratedEnds} {
		got, err := RecognizeService(d("100"), utc(2022, 1, 7, 3), utc(2023, 2, 11, 17), m)
		require.NoError(t, err)
		assertDec(t, "100", sumMonths(got), "method %d", m)
	}

	_, err = RecognizeService(d("-1"), utc(2022, 5, 3, 0), utc(2022, 5, 3, 0), Amortization(7))
	requireFields(t, err, "amount", "end", "method")
}

func TestProjectBookingsWithASalesCycle(t *testing.T) {
	p := Pipeline{
		NewOpportunities: ds("10", "20", "30"),
		WinRate:          d("0.25"),
		AverageDealSize:  d("12000"),
		CycleMonths:      3,
	}
	b, err := ProjectBookings(p, 12)
	require.NoError(t, err)
	assertDecs(t, []string{"0", "0", "0", "30000", "60000", "90000", "0", "0", "0", "0", "0", "0"}, b.Amount)
	assertDec(t, "2.5", b.Wins[3])
	assertDec(t, "7.5", b.Wins[5])
	assertDec(t, "0", b.AfterHorizon)

	// A lag past the horizon books nothing in it, all after it.
	p.CycleMonths = 12
	b, err = ProjectBookings(p, 12)
	require.NoError(t, err)
	assertDec(t, "0", sum(b.Amount))
	assertDec(t, "180000", b.AfterHorizon)

	// A lag distribution splits each month's bookings to the cent.
	p = Pipeline{
		NewOpportunities: ds("1", "0", "2"),
		WinRate:          d("0.333"),
		AverageDealSize:  d("100.01"),
		CycleWeights:     ds("0", "1", "1", "1"),
	}
	b, err = ProjectBookings(p, 4)
	require.NoError(t, err)
	// 1 × 0.333 × 100.01 = 33.30333 → 33.30 = 11.10 × 3; 2 × … = 66.60666 → 66.61 = 22.21 + 22.20 + 22.20.
	assertDecs(t, []string{"0", "11.10", "11.10", "33.31"}, b.Amount)
	assertDec(t, "44.40", b.AfterHorizon)
	assertDec(t, "99.91", sum(b.Amount).Add(b.AfterHorizon))
	assertDec(t, "0.333", b.Wins[3].Round(10), "0.111 + 0.222")
}

func TestProjectBookingsRefusesNegativeInputs(t *testing.T) {
	_, err := ProjectBookings(Pipeline{
		NewOpportunities: ds("1", "-2"),
		WinRate:          d("1.5"),
		AverageDealSize:  d("-1"),
		CycleMonths:      -1,
	}, 12)
	requireFields(t, err, "NewOpportunities[1]", "WinRate", "AverageDealSize", "CycleMonths")
	_, err = ProjectBookings(Pipeline{CycleWeights: ds("0", "0")}, 12)
	requireFields(t, err, "CycleWeights")
	_, err = ProjectBookings(Pipeline{NewOpportunities: make([]decimal.Decimal, 13)}, 12)
	requireFields(t, err, "NewOpportunities")
}

// Property: bookings reconcile to the cent: what lands in the horizon plus
// what lands after it is the sum of each month's rounded bookings.
func TestBookingsReconcileProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		months := 1 + rng.IntN(24)
		p := Pipeline{WinRate: decimal.New(int64(rng.IntN(1001)), -3), AverageDealSize: decimal.New(rng.Int64N(10_000_000), -2)}
		for range 1 + rng.IntN(months) {
			p.NewOpportunities = append(p.NewOpportunities, decimal.New(int64(rng.IntN(1000)), -1))
		}
		if rng.IntN(2) == 0 {
			p.CycleMonths = rng.IntN(30)
		} else {
			for range 1 + rng.IntN(6) {
				p.CycleWeights = append(p.CycleWeights, decimal.New(int64(1+rng.IntN(9)), -1))
			}
		}
		b, err := ProjectBookings(p, months)
		require.NoError(t, err)
		want := decimal.Zero
		for _, o := range p.NewOpportunities {
			want = want.Add(engine.RoundMoney(o.Mul(p.WinRate).Mul(p.AverageDealSize)))
		}
		assert.True(t, want.Equal(sum(b.Amount).Add(b.AfterHorizon)), "%+v", p)
		for _, a := range b.Amount {
			assert.True(t, engine.IsWholeCents(a))
		}
	}
}

// Property: revenue over the full term of a booking equals the booking to
// the cent; upfront billing leaves exactly the revenue still to come
// deferred; monthly billing defers nothing.
func TestRecognitionProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		months := 1 + rng.IntN(36)
		c := Contracts{TermMonths: 1 + rng.IntN(36), StartLagMonths: rng.IntN(4), Billing: Billing(rng.IntN(2))}
		bookings := make([]decimal.Decimal, 1+rng.IntN(months))
		for i := range bookings {
			bookings[i] = decimal.New(rng.Int64N(100_000_000), -2)
		}
		r, err := RecognizeBookings(bookings, c, months)
		require.NoError(t, err)
		assert.True(t, sum(bookings).Equal(sum(r.Revenue).Add(r.AfterHorizon)), "%+v", c)

		// Each booking alone, over a horizon long enough for its term.
		k := rng.IntN(len(bookings))
		alone, err := RecognizeBookings(bookings[k:k+1], c, 1+c.StartLagMonths+c.TermMonths)
		require.NoError(t, err)
		assert.True(t, bookings[k].Equal(sum(alone.Revenue)), "booking %s over %d months", bookings[k], c.TermMonths)
		assert.True(t, alone.AfterHorizon.IsZero())
		for i, part := range engine.SpreadEvenly(bookings[k], c.TermMonths) {
			assert.True(t, part.Equal(alone.Revenue[c.StartLagMonths+i]), "the split is engine.SpreadEvenly's")
		}

		last := r.Deferred[months-1]
		switch c.Billing {
		case BilledUpfront:
			assert.True(t, last.Equal(r.AfterHorizon), "deferred %s, still to recognise %s", last, r.AfterHorizon)
		case BilledMonthly:
			for _, x := range r.Deferred {
				assert.True(t, x.IsZero())
			}
		}
	}
}

func TestRecognizeBookingsEdges(t *testing.T) {
	// A booking in the last month with a start lag recognises nothing in
	// the year.
	r, err := RecognizeBookings(ds("0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1000"), Contracts{TermMonths: 12, StartLagMonths: 1}, 12)
	require.NoError(t, err)
	assertDec(t, "0", sum(r.Revenue))
	assertDec(t, "1000", r.AfterHorizon)
	assertDec(t, "1000", r.Deferred[11])

	// 100 over 3 months: the extra cent goes first.
	r, err = RecognizeBookings(ds("100"), Contracts{TermMonths: 3, Billing: BilledMonthly}, 3)
	require.NoError(t, err)
	assertDecs(t, []string{"33.34", "33.33", "33.33"}, r.Revenue)
	assertDecs(t, []string{"33.34", "33.33", "33.33"}, r.Billings)

	// A term of a million years costs no more than the horizon.
	r, err = RecognizeBookings(ds("1000"), Contracts{TermMonths: 12_000_000}, 12)
	require.NoError(t, err)
	assertDec(t, "0.12", sum(r.Revenue))
	assertDec(t, "999.88", r.AfterHorizon)

	_, err = RecognizeBookings(ds("-5"), Contracts{TermMonths: 0, StartLagMonths: -1, Billing: 9}, 12)
	requireFields(t, err, "bookings[0]", "TermMonths", "StartLagMonths", "Billing")
	_, err = RecognizeBookings(ds("92233720368547758.07", "0.01"), Contracts{TermMonths: 1}, 12)
	requireFields(t, err, "bookings")
	_, err = ProjectBookings(Pipeline{NewOpportunities: ds("1e30"), WinRate: one, AverageDealSize: one}, 12)
	requireFields(t, err, "NewOpportunities × WinRate × AverageDealSize")
}

// Oracle H3 (§2.5, Aptology): a January hire ramping 30% for three months
// and 70% for three, on a $1M annual quota, sells $750,000 in the first
// year, 25% below a ramped rep.
func TestOracleH3SalesRamp(t *testing.T) {
	ramp := Ramp{.3, .3, .3, .7, .7, .7}
	assert.InDelta(t, 0.75, ramp.AverageProductivity(1, 12), 1e-12)

	rre, err := RampedReps([]RepCohort{{Start: 1, Reps: 1}}, ramp, 12)
	require.NoError(t, err)
	capacity, err := SalesCapacity(rre, Quota{Annual: d("1000000"), Attainment: one})
	require.NoError(t, err)
	assertDec(t, "750000", sum(capacity))
	assertDecs(t, []string{"25000", "25000", "25000"}, capacity[:3])
	exact := d("1000000").Div(twelve)
	for i, c := range capacity {
		off := c.Sub(exact.Mul(decimal.NewFromFloat(rre[i]))).Abs()
		assert.True(t, off.LessThan(d("0.01")), "month %d: %s", i+1, c)
	}
	rampCost := one.Sub(sum(capacity).Div(d("1000000")))
	assertDec(t, "0.25", rampCost)

	// The same rep as a one-person department with no attrition.
	hc, err := ProjectHeadcount(Department{
		Roles:      []Role{{Title: "AE", Heads: 1, Start: 1, AnnualSalary: d("100000")}},
		FillRate:   1,
		Ramp:       ramp,
		LoadFactor: one,
	}, 12)
	require.NoError(t, err)
	assert.Equal(t, rre, hc.ProductiveFTE)
}

// Oracle H4 (§2.5): a linear six-month ramp from month 1 gives factors
// .167, .333, .5, .667, .833, 1, 1, … and a first-year productivity of
// 0.7917.
func TestOracleH4LinearRamp(t *testing.T) {
	r, err := LinearRamp(6, 0)
	require.NoError(t, err)
	want := []float64{.167, .333, .5, .667, .833, 1, 1, 1}
	for k, w := range want {
		assert.InDelta(t, w, r.Factor(k+1), 0.0005, "tenure month %d", k+1)
	}
	assert.InDelta(t, 0.7917, r.AverageProductivity(1, 12), 0.00005)

	// Two onboarding months at zero, then a four-month ramp.
	r, err = LinearRamp(4, 2)
	require.NoError(t, err)
	assert.Equal(t, Ramp{0, 0, .25, .5, .75, 1}, r)
	assert.Equal(t, 0.0, r.Factor(0))

	_, err = LinearRamp(-1, -2)
	requireFields(t, err, "months", "onboarding")
}

func TestSalesCapacityEdges(t *testing.T) {
	// No reps, no capacity.
	rre, err := RampedReps(nil, nil, 12)
	require.NoError(t, err)
	capacity, err := SalesCapacity(rre, Quota{Annual: d("1000000"), Attainment: d("0.8")})
	require.NoError(t, err)
	assertDecs(t, []string{"0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"}, capacity)

	// Ten ramped reps at 80% attainment, a start in month 12, and a
	// quarter-end peak that keeps the average month at quota / 12.
	rre, err = RampedReps([]RepCohort{{Start: 0, Reps: 10}, {Start: 12, Reps: 2}}, Ramp{.5}, 12)
	require.NoError(t, err)
	assert.Equal(t, 11.0, rre[11])
	season := ds("1", "1", "2", "1", "1", "2", "1", "1", "2", "1", "1", "2")
	capacity, err = SalesCapacity(rre, Quota{Annual: d("1200000"), Attainment: d("0.8"), Seasonality: season})
	require.NoError(t, err)
	// Average month: 1,200,000 / 12 × 0.8 = 80,000 a rep; weight 1 of an average 1.333….
	assertDec(t, "600000", capacity[0])
	assertDec(t, "1200000", capacity[2])
	assertDec(t, "1320000", capacity[11])
	assertDec(t, "9720000", sum(capacity))

	_, err = SalesCapacity([]float64{-1}, Quota{Annual: d("-1"), Attainment: d("-0.1"), Seasonality: ds("1", "1")})
	requireFields(t, err, "rampedReps[0]", "Annual", "Attainment", "Seasonality")
	_, err = RampedReps([]RepCohort{{Start: -1, Reps: -1}, {Start: 13}}, Ramp{1.5}, 12)
	requireFields(t, err, "ramp[0]", "cohorts[0].Reps", "cohorts[0].Start", "cohorts[1].Start")
}
