package project

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

// Oracle H1 (§2.2): 20% a year is 1.8423% a month compounded and 1.6667%
// simple; 15% is 1.3452% and 1.25%.
func TestOracleH1MonthlyAttrition(t *testing.T) {
	for _, c := range []struct {
		annual           float64
		compound, simple float64
	}{
		{0.20, 1.8423, 1.6667},
		{0.15, 1.3452, 1.2500},
	} {
		m, err := MonthlyAttrition(c.annual, CompoundAttrition)
		require.NoError(t, err)
		assert.Equal(t, c.compound, math.Round(m*1e6)/1e4)
		m, err = MonthlyAttrition(c.annual, SimpleAttrition)
		require.NoError(t, err)
		assert.Equal(t, c.simple, math.Round(m*1e6)/1e4)
	}
	_, err := MonthlyAttrition(-0.1, AttritionConversion(5))
	requireFields(t, err, "annual", "conv")
}

// Oracle H2 (§2.3): fills of 28, 41 and 14 days average 27.7 days, median
// 28.
func TestOracleH2TimeToFill(t *testing.T) {
	h := HiringHistory{Requested: 4, Filled: 3, DaysToFill: []float64{28, 41, 14}}
	assert.Equal(t, 27.7, math.Round(h.MeanDaysToFill()*10)/10)
	assert.Equal(t, 28.0, h.MedianDaysToFill())
	assert.Equal(t, 0.75, h.FillRate())
	assert.Equal(t, 1, h.TimeToFillMonths(), "27.7 days is within a month")
	assert.Equal(t, []float64{28, 41, 14}, h.DaysToFill, "the median leaves the history in order")

	h.DaysToFill = append(h.DaysToFill, 60)
	assert.Equal(t, 34.5, h.MedianDaysToFill())
	assert.Equal(t, 2, h.TimeToFillMonths(), "35.75 days")
	assert.Equal(t, 0.0, HiringHistory{}.MeanDaysToFill())
	assert.Equal(t, 0.0, HiringHistory{}.MedianDaysToFill())
	assert.Equal(t, 0.0, HiringHistory{}.FillRate())
}

// §2.4: a 35% burden on a $75,000 salary is a fully loaded $101,250 a
// year.
func TestFullyLoadedCost(t *testing.T) {
	hc, err := ProjectHeadcount(Department{
		Name:       "Finance",
		Roles:      []Role{{Title: "Analyst", Heads: 1, AnnualSalary: d("75000")}},
		FillRate:   1,
		LoadFactor: d("1.35"),
	}, 12)
	require.NoError(t, err)
	assertDec(t, "101250", hc.TotalCost)
	for _, c := range hc.Cost {
		assertDec(t, "8437.50", c)
	}
	assert.Equal(t, 1.0, hc.Opening)
	assert.Equal(t, 1.0, hc.FTE[11])
}

// Property: with no attrition and a 100% fill rate the roster ends the
// year with exactly the people on it plus the planned hires, and each
// hire costs from its start month.
func TestNoAttritionFullFillHasExactlyThePlannedHires(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		dept := Department{FillRate: 1, LoadFactor: d("1.25"), Ramp: Ramp{.5}}
		planned, onRoster := 0.0, 0.0
		byMonth := make([]float64, 12)
		annualMonths := decimal.Zero // Σ annual loaded cost × months paid
		for range rng.IntN(40) {
			r := Role{Heads: float64(1 + rng.IntN(3)), Start: rng.IntN(13), AnnualSalary: decimal.New(int64(40_000+rng.IntN(200_000)), 0)}
			dept.Roles = append(dept.Roles, r)
			paidMonths := int64(12)
			if r.Start == 0 {
				onRoster += r.Heads
			} else {
				planned += r.Heads
				byMonth[r.Start-1] += r.Heads
				paidMonths = int64(13 - r.Start)
			}
			annualMonths = annualMonths.Add(r.AnnualSalary.Mul(d("1.25")).Mul(decimal.NewFromFloat(r.Heads)).Mul(decimal.NewFromInt(paidMonths)))
		}
		hc, err := ProjectHeadcount(dept, 12)
		require.NoError(t, err)
		assert.Equal(t, onRoster, hc.Opening)
		assert.Equal(t, onRoster+planned, hc.FTE[11])
		assert.Equal(t, byMonth, hc.Hires)
		for t2 := range 12 {
			assert.Zero(t, hc.Departures[t2])
			assert.Zero(t, hc.Backfills[t2])
		}
		assertDec(t, engine.RoundMoney(annualMonths.DivRound(twelve, 16)).String(), hc.TotalCost)
		assertDec(t, hc.TotalCost.String(), sum(hc.Cost), "months add up to the total")
	}
}

// Property: every month rolls forward, FTE(t) = FTE(t−1) + hires +
// backfills − departures, and the cost reconciles to the cent.
func TestRosterRollForwardProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		months := 1 + rng.IntN(24)
		dept := randomDepartment(rng, 1+rng.IntN(30), months)
		hc, err := ProjectHeadcount(dept, months)
		require.NoError(t, err)
		prev := hc.Opening
		for i := range months {
			assert.InDelta(t, prev+hc.Hires[i]+hc.Backfills[i]-hc.Departures[i], hc.FTE[i], 1e-9)
			assert.LessOrEqual(t, hc.ProductiveFTE[i], hc.FTE[i]+1e-9)
			assert.True(t, engine.IsWholeCents(hc.Cost[i]))
			prev = hc.FTE[i]
		}
		assert.True(t, hc.TotalCost.Equal(sum(hc.Cost)))
	}
}

func randomDepartment(rng *rand.Rand, roles, months int) Department {
	dept := Department{
		Name:             "R&D",
		AnnualAttrition:  rng.Float64() * 0.4,
		Conversion:       AttritionConversion(rng.IntN(2)),
		FillRate:         0.5 + rng.Float64()/2,
		Backfill:         rng.IntN(2) == 0,
		TimeToFillMonths: rng.IntN(4),
		LoadFactor:       d("1.3"),
		Proration:        Proration(rng.IntN(2)),
		Ramp:             Ramp{.25, .5, .75},
	}
	if rng.IntN(3) == 0 {
		dept.StartDelay = []float64{.5, .3, .2}
	}
	for range roles {
		dept.Roles = append(dept.Roles, Role{
			Title:        "Engineer",
			Heads:        float64(1 + rng.IntN(4)),
			Start:        rng.IntN(months + 1),
			AnnualSalary: decimal.New(int64(50_000+rng.IntN(150_000)), 0),
		})
	}
	return dept
}

// Compounded, a year of the roll-forward loses exactly the annual rate of
// a roster that hires no one; simple conversion loses less.
func TestAttritionOverAYear(t *testing.T) {
	dept := Department{
		Roles:           []Role{{Title: "Support", Heads: 100, AnnualSalary: d("50000")}},
		AnnualAttrition: 0.2,
		FillRate:        1,
		LoadFactor:      one,
	}
	hc, err := ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	assert.InDelta(t, 80, hc.FTE[11], 1e-9)
	assert.InDelta(t, 20, sum64(hc.Departures), 1e-9)

	dept.Conversion = SimpleAttrition
	hc, err = ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	assert.InDelta(t, 100*math.Pow(1-0.2/12, 12), hc.FTE[11], 1e-9)
	assert.InDelta(t, 81.74, hc.FTE[11], 0.005)

	// Backfilled at once and always filled, the roster holds.
	dept.Conversion = CompoundAttrition
	dept.Backfill = true
	hc, err = ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	for i := range 12 {
		assert.InDelta(t, 100, hc.FTE[i], 1e-9)
	}
	// Backfilled two months later, it dips by the last two months'
	// departures, and leavers' backfills start ramping.
	dept.TimeToFillMonths = 2
	dept.Ramp = Ramp{0}
	hc, err = ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	assert.InDelta(t, 100-hc.Departures[10]-hc.Departures[11], hc.FTE[11], 1e-9)
	assert.Zero(t, hc.Backfills[0])
	assert.Zero(t, hc.Backfills[1])
	assert.InDelta(t, hc.Departures[0], hc.Backfills[2], 1e-12)
	assert.InDelta(t, hc.FTE[2]-hc.Backfills[2], hc.ProductiveFTE[2], 1e-9, "a backfill is not productive in its first month")
}

func sum64(fs []float64) float64 {
	s := 0.0
	for _, f := range fs {
		s += f
	}
	return s
}

// Expected hires from a fill rate are fractional FTE, and a hire planned
// for month 12 costs one month of the year (half, mid-month).
func TestFillRateAndStartMonthTwelve(t *testing.T) {
	dept := Department{
		Name: "Sales",
		Roles: []Role{
			{Title: "AE", Heads: 10, Start: 3, AnnualSalary: d("120000")},
			{Title: "SE", Heads: 1, Start: 12, AnnualSalary: d("120000"), LoadFactor: d("1.5")},
		},
		FillRate:   0.6,
		LoadFactor: one,
	}
	hc, err := ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	assert.InDelta(t, 6, hc.Hires[2], 1e-12)
	assert.InDelta(t, 0.6, hc.Hires[11], 1e-12)
	assert.InDelta(t, 6.6, hc.FTE[11], 1e-12)
	// AE: 6 FTE × 10,000 × 10 months; SE: 0.6 × 15,000 × 1 month.
	assertDec(t, "609000", hc.TotalCost)
	assertDec(t, "0", hc.Cost[1])
	assertDec(t, "60000", hc.Cost[2])
	assertDec(t, "69000", hc.Cost[11])

	dept.Proration = MidMonth
	hc, err = ProjectHeadcount(dept, 12)
	require.NoError(t, err)
	assertDec(t, "30000", hc.Cost[2])
	assertDec(t, "64500", hc.Cost[11])
	assertDec(t, "574500", hc.TotalCost)

	// A longer horizon carries month 12's hire into the next year.
	hc, err = ProjectHeadcount(dept, 18)
	require.NoError(t, err)
	assert.Len(t, hc.FTE, 18)
	assertDec(t, "69000", hc.Cost[17])
}

// Planned hires slip by StartDelay; what slips past the horizon does not
// start in it.
func TestStartDelay(t *testing.T) {
	hc, err := ProjectHeadcount(Department{
		Roles:      []Role{{Title: "PM", Heads: 10, Start: 11, AnnualSalary: d("100000")}},
		FillRate:   1,
		StartDelay: []float64{2, 1, 1},
		LoadFactor: one,
	}, 12)
	require.NoError(t, err)
	assert.InDelta(t, 5, hc.Hires[10], 1e-12)
	assert.InDelta(t, 2.5, hc.Hires[11], 1e-12)
	assert.InDelta(t, 7.5, hc.FTE[11], 1e-12)
}

func TestProjectHeadcountRefusesBadInputs(t *testing.T) {
	_, err := ProjectHeadcount(Department{
		Name: "Ops",
		Roles: []Role{
			{Title: "Buyer", Heads: 1, Start: 1, AnnualSalary: d("60000")},
			{Title: "Planner", Heads: -1, Start: 13, AnnualSalary: d("-5"), LoadFactor: d("0.9")},
		},
		AnnualAttrition:  1.2,
		Conversion:       7,
		FillRate:         -0.1,
		TimeToFillMonths: -1,
		StartDelay:       []float64{-1},
		Ramp:             Ramp{2},
		LoadFactor:       d("0.5"),
		Proration:        3,
	}, 12)
	ies := requireFields(t, err,
		"Roles[1].Heads", "Roles[1].Start", "Roles[1].AnnualSalary", "Roles[1].LoadFactor",
		"AnnualAttrition", "Conversion", "FillRate", "TimeToFillMonths", "StartDelay[0]", "StartDelay",
		"Ramp[0]", "LoadFactor", "Proration")
	assert.Contains(t, err.Error(), `project headcount of "Ops"`)
	assert.Contains(t, err.Error(), "Roles[1].AnnualSalary (Planner) must be ≥ 0, got -5")
	for _, ie := range ies {
		if ie.Field == "Roles[1].AnnualSalary" {
			assert.Equal(t, "Planner", ie.Item)
		}
	}

	// A department whose roles all carry their own load factor needs none.
	_, err = ProjectHeadcount(Department{
		Roles:    []Role{{Title: "CFO", Heads: 1, AnnualSalary: d("300000"), LoadFactor: d("1.2")}},
		FillRate: 1,
	}, 12)
	require.NoError(t, err)
}

func TestCheckHiringAsk(t *testing.T) {
	dept := Department{
		Name: "Sales",
		Roles: []Role{
			{Title: "AE", Heads: 20, AnnualSalary: d("120000")},
			{Title: "AE", Heads: 16, Start: 2, AnnualSalary: d("120000")},
			{Title: "SDR", Heads: 10, Start: 6, AnnualSalary: d("70000")},
		},
		AnnualAttrition:  0.2,
		FillRate:         0.75,
		Backfill:         true,
		TimeToFillMonths: 2,
		LoadFactor:       d("1.3"),
	}
	// Filled 18 of 24 in the last year, taking 45.625 days (1.5 months).
	history := HiringHistory{Requested: 24, Filled: 18, DaysToFill: []float64{30, 61.25, 45.625, 45.625}}
	k, err := CheckHiringAsk(dept, history, 12)
	require.NoError(t, err)
	assert.Equal(t, 26.0, k.NewRoles)
	assert.InDelta(t, 5.8, k.Backfills, 0.05)
	assert.InDelta(t, k.NewRoles+k.Backfills, k.Asked, 1e-12)
	assert.InDelta(t, 1.5*10.5, k.Fillable, 1e-9)
	assert.True(t, k.Over)
	assert.Contains(t, k.Message, "Sales asks for 31.8 hires in 12 months (26.0 new roles, 5.8 backfills) but its history")
	assert.Contains(t, k.Message, "can fill only about 15.8")
	assert.Contains(t, k.Message, "filled 18 of 24 requested roles in the last 12 months (75% fill rate, 1.50 a month)")
	assert.Contains(t, k.Message, "taking 46 days on average to fill (1.5 months), which leaves 10.5 months to hire in")
	assert.Contains(t, k.Message, "more than it can fill")

	// A smaller ask fits.
	dept.Roles = dept.Roles[:2]
	dept.Roles[1].Heads = 8
	dept.Backfill = false
	k, err = CheckHiringAsk(dept, history, 12)
	require.NoError(t, err)
	assert.False(t, k.Over)
	assert.Equal(t, 8.0, k.Asked)
	assert.Contains(t, k.Message, "Sales asks for 8.0 hires in 12 months (8.0 new roles, 0.0 backfills); its history says it can fill about 15.8")

	// No history: nothing is fillable, and the message says why.
	k, err = CheckHiringAsk(dept, HiringHistory{}, 12)
	require.NoError(t, err)
	assert.True(t, k.Over)
	assert.Contains(t, k.Message, "filled 0 of 0 requested roles in the last 12 months (no roles requested")

	_, err = CheckHiringAsk(dept, HiringHistory{Requested: 2, Filled: 3, DaysToFill: []float64{-1}, WindowMonths: -1}, 12)
	requireFields(t, err, "Filled", "DaysToFill[0]", "WindowMonths")
}
