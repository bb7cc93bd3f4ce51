package project

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

// Oracle W1 (§3.6, Woxsen lecture): revenue 318,402 at DSO 100 gives
// receivables of 87,233 (87,233.42). The lecture's inventory (94,562) and
// payables (31,527) rows do not follow from its COGS 197,409, DIO 175 and
// DPO 58; the corrected figures are 94,648 and 31,369.
func TestOracleW1DaysMethod(t *testing.T) {
	for _, c := range []struct{ flow, days, want, published string }{
		{"318402", "100", "87233.42", "87233"},
		{"197409", "175", "94648.15", "94648"},
		{"197409", "58", "31369.10", "31369"},
	} {
		got, err := BalanceFromDays(d(c.flow), d(c.days), d("365"))
		require.NoError(t, err)
		assertDec(t, c.want, got)
		assertDec(t, c.published, got.Round(0))
	}
	assertDec(t, "217", CashConversionCycle(d("100"), d("175"), d("58")))

	// The same receivables by month: flat revenue of 318,402 a year, with
	// a year of it before month 1.
	flat := make([]decimal.Decimal, 12)
	for i := range flat {
		flat[i] = d("26533.50")
	}
	cf, err := ProjectCash(CashInputs{
		Revenue: flat, COGS: flat, DSO: d("100"), DIO: d("175"), DPO: d("58"),
		PriorRevenue: flat, PriorCOGS: flat,
	}, 12)
	require.NoError(t, err)
	assertDec(t, "87233.42", cf.Opening.Receivables)
	for _, b := range cf.Balances {
		assertDec(t, "87233.42", b.Receivables)
	}
	for _, ch := range cf.ChangeInWorkingCapital {
		assertDec(t, "0", ch, "a steady business ties up no more cash")
	}

	_, err = BalanceFromDays(d("-1"), d("-1"), d("0"))
	requireFields(t, err, "flow", "days", "daysInPeriod")
}

// Property: with DSO = DIO = DPO = 0 the operating cash flow is the
// profit, plus what NonCash adds back.
func TestNoWorkingCapitalCashIsProfit(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	in := CashInputs{}
	for range 12 {
		in.Revenue = append(in.Revenue, decimal.New(rng.Int64N(10_000_000), -2))
		in.COGS = append(in.COGS, decimal.New(rng.Int64N(4_000_000), -2))
		in.Opex = append(in.Opex, decimal.New(rng.Int64N(4_000_000), -2))
	}
	cf, err := ProjectCash(in, 12)
	require.NoError(t, err)
	for i := range 12 {
		assertDec(t, in.Revenue[i].Sub(in.COGS[i]).Sub(in.Opex[i]).String(), cf.OperatingCashFlow[i])
		assert.True(t, cf.OperatingCashFlow[i].Equal(cf.Profit[i]))
	}

	in.NonCash = ds("100", "100")
	cf, err = ProjectCash(in, 12)
	require.NoError(t, err)
	assertDec(t, cf.Profit[0].Add(d("100")).String(), cf.OperatingCashFlow[0])
	assertDec(t, cf.Profit[2].String(), cf.OperatingCashFlow[2])
}

// Property: cash reconciles to the cent: Σ CFO = Σ profit + Σ non-cash −
// (closing − opening working capital), and the balances are in cents.
func TestCashReconcilesProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		months := 1 + rng.IntN(24)
		in := CashInputs{
			DSO: decimal.New(int64(rng.IntN(1200)), -1),
			DIO: decimal.New(int64(rng.IntN(2000)), -1),
			DPO: decimal.New(int64(rng.IntN(900)), -1),
		}
		series := func(n int, scale int64) []decimal.Decimal {
			s := make([]decimal.Decimal, n)
			for i := range s {
				s[i] = decimal.New(rng.Int64N(scale), -2)
			}
			return s
		}
		in.Revenue = series(months, 10_000_000)
		in.COGS = series(months, 5_000_000)
		in.Opex = series(rng.IntN(months+1), 3_000_000)
		in.NonCash = series(rng.IntN(months+1), 100_000)
		in.PriorRevenue = series(rng.IntN(4), 10_000_000)
		in.PriorCOGS = series(rng.IntN(4), 5_000_000)
		if rng.IntN(2) == 0 {
			in.Calendar = &engine.FiscalYear{Year: 2027, StartMonth: time.Month(1 + rng.IntN(12))}
		}
		cf, err := ProjectCash(in, months)
		require.NoError(t, err)
		want := sum(cf.Profit).Add(sum(in.NonCash)).Sub(cf.Balances[months-1].Net().Sub(cf.Opening.Net()))
		assert.True(t, want.Equal(sum(cf.OperatingCashFlow)), "%s ≠ %s", want, sum(cf.OperatingCashFlow))
		for _, b := range cf.Balances {
			for _, x := range []decimal.Decimal{b.Receivables, b.Inventory, b.Payables} {
				assert.True(t, engine.IsWholeCents(x))
				assert.False(t, x.IsNegative())
			}
		}
	}
}

func TestDaysReachBackThroughMonths(t *testing.T) {
	// A 30-day June and a 31-day July (fiscal year starting in July):
	// 45 days at the end of July are July's revenue and half of June's.
	fy := engine.FiscalYear{Year: 2027, StartMonth: time.July}
	cf, err := ProjectCash(CashInputs{
		Revenue:      ds("3100", "6200"),
		PriorRevenue: ds("3000"),
		DSO:          d("45"),
		Calendar:     &fy,
	}, 2)
	require.NoError(t, err)
	// Opening (end of June): 30 days of June, all of it.
	assertDec(t, "3000", cf.Opening.Receivables)
	// July: 31 days of July + 14 of June's 30.
	assertDec(t, "4500", cf.Balances[0].Receivables)
	// August: 31 days of August + 14 of July's 31.
	assertDec(t, "7600", cf.Balances[1].Receivables)
	assertDecs(t, []string{"1500", "3100"}, cf.ChangeInWorkingCapital)
	assertDecs(t, []string{"1600", "3100"}, cf.OperatingCashFlow)

	// Without history month 1 carries the whole build-up, unless the
	// opening balances are given.
	cf, err = ProjectCash(CashInputs{Revenue: ds("3100"), DSO: d("45"), Calendar: &fy}, 1)
	require.NoError(t, err)
	assertDec(t, "3100", cf.ChangeInWorkingCapital[0])
	cf, err = ProjectCash(CashInputs{
		Revenue: ds("3100"), DSO: d("45"), Calendar: &fy,
		Opening: &WorkingCapital{Receivables: d("2000")},
	}, 1)
	require.NoError(t, err)
	assertDec(t, "1100", cf.ChangeInWorkingCapital[0])
	assertDec(t, "2000", cf.OperatingCashFlow[0])

	// Payables are cash kept: DPO lifts cash above profit.
	cf, err = ProjectCash(CashInputs{Revenue: ds("1000"), COGS: ds("600"), DPO: d("365")}, 1)
	require.NoError(t, err)
	assertDec(t, "400", cf.Profit[0])
	assertDec(t, "600", cf.Balances[0].Payables)
	assertDec(t, "1000", cf.OperatingCashFlow[0])
}

func TestProjectCashRefusesBadInputs(t *testing.T) {
	_, err := ProjectCash(CashInputs{
		Revenue:      ds("1", "-1"),
		COGS:         ds("1", "1", "1"),
		DSO:          d("-30"),
		DIO:          d("-1"),
		DPO:          d("-2"),
		PriorRevenue: ds("-3"),
		Opening:      &WorkingCapital{Payables: d("-1")},
		Calendar:     &engine.FiscalYear{Year: 2027, StartMonth: 13},
	}, 2)
	requireFields(t, err, "Revenue[1]", "COGS", "DSO", "DIO", "DPO", "PriorRevenue[0]", "Opening.Payables", "Calendar")
	assert.Contains(t, err.Error(), "DSO must be ≥ 0, got -30")
}
