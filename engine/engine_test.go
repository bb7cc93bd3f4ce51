package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestSpreadAddsBackToTheCent(t *testing.T) {
	cases := []struct {
		name    string
		total   string
		weights []string
		want    []string
	}{
		{"even", "100", []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		{"IBM relative proportional (oracle A1)", "400", []string{"10", "20", "70"}, []string{"40", "80", "280"}},
		{"4-4-5 (oracle A2)", "13", []string{"4", "4", "5"}, []string{"4", "4", "5"}},
		{"zero weights spread evenly", "0.05", []string{"0", "0"}, []string{"0.03", "0.02"}},
		{"negative", "-100", []string{"1", "1", "1"}, []string{"-33.34", "-33.33", "-33.33"}},
		{"sub-cent total is rounded first", "10.005", []string{"1", "1"}, []string{"5.01", "5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w []decimal.Decimal
			for _, s := range tc.weights {
				w = append(w, d(s))
			}
			got := Spread(d(tc.total), w)
			require.Len(t, got, len(tc.want))
			for i := range got {
				assert.True(t, got[i].Equal(d(tc.want[i])), "part %d: got %s want %s", i, got[i], tc.want[i])
			}
			assert.True(t, Sum(got...).Equal(RoundMoney(d(tc.total))))
		})
	}
}

func TestSpreadEvenlyTwelveMonthsProperty(t *testing.T) {
	for _, s := range []string{"1526629446.00", "782550370.67", "0.01", "0.11", "-247302.69", "118181749.15", "99999999999.99"} {
		parts := SpreadEvenly(d(s), MonthsPerYear)
		require.Len(t, parts, MonthsPerYear)
		assert.True(t, Sum(parts...).Equal(d(s)), s)
		for _, p := range parts {
			assert.True(t, IsWholeCents(p))
			assert.True(t, p.Sub(parts[0]).Abs().LessThanOrEqual(d("0.01")), "parts differ by at most a cent")
		}
	}
}

func TestRoundMoneyHalfAwayFromZero(t *testing.T) {
	assert.Equal(t, "1.01", RoundMoney(d("1.005")).String())
	assert.Equal(t, "-1.01", RoundMoney(d("-1.005")).String())
	assert.Equal(t, "0.3", RoundMoney(d("0.30000000000000004")).String())
}

func TestFiscalYear(t *testing.T) {
	fy := FiscalYear{Year: 2027, StartMonth: time.July}
	m, y := fy.Month(1)
	assert.Equal(t, time.July, m)
	assert.Equal(t, 2026, y)
	m, y = fy.Month(12)
	assert.Equal(t, time.June, m)
	assert.Equal(t, 2027, y)
	assert.Equal(t, "Jan 2027", fy.Label(7))
	p, ok := fy.PeriodOf(time.March, 2027)
	assert.True(t, ok)
	assert.Equal(t, Period(9), p)
	_, ok = fy.PeriodOf(time.July, 2027)
	assert.False(t, ok)

	cal := FiscalYear{Year: 2027, StartMonth: time.January}
	m, y = cal.Month(1)
	assert.Equal(t, time.January, m)
	assert.Equal(t, 2027, y)
	assert.Error(t, FiscalYear{Year: 2027, StartMonth: 13}.Validate())
}

func TestCycleValidateFindsEveryMistake(t *testing.T) {
	c := Cycle{
		ID: "bad id", Currency: "usd", Year: FiscalYear{Year: 2027, StartMonth: 1},
		Departments: []Department{{ID: "a", Name: "A", Parent: "b"}, {ID: "b", Name: "B", Parent: "a"}, {ID: "a", Name: "dup"}},
		Accounts:    []Account{{Code: "1", Name: "x", Type: "asset", Favourable: Higher}},
		Targets:     []Target{{Department: "zz", Account: "1"}},
		Rules:       []Rule{{ID: "r", Kind: RuleExplainGrowth, Level: Error}},
	}
	err := c.Validate()
	require.Error(t, err)
	for _, want := range []string{"cycle id", "company is missing", "currency", "listed twice", "its own ancestor",
		`type "asset"`, "unknown department \"zz\"", "positive threshold"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestHierarchy(t *testing.T) {
	c := Cycle{Departments: []Department{{ID: "co"}, {ID: "gtm", Parent: "co"}, {ID: "sales", Parent: "gtm"}, {ID: "mkt", Parent: "gtm"}},
		Accounts: []Account{{Code: "4000", Departments: []string{"gtm"}}, {Code: "6000"}, {Code: "9"}}}
	c.Accounts[2].Departments = []string{"mkt"}
	assert.Equal(t, []string{"gtm", "co"}, c.Ancestors("sales"))
	assert.Equal(t, []string{"sales", "mkt"}, c.Children("gtm"))
	assert.Len(t, c.Leaves(), 2)
	var codes []string
	for _, a := range c.AccountsFor("sales") {
		codes = append(codes, a.Code)
	}
	assert.Equal(t, []string{"4000", "6000"}, codes, "an account limited to a parent applies to its children")
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "4,636,924,670.23", FormatMoney(d("4636924670.23")))
	assert.Equal(t, "-1,000.50", FormatMoney(d("-1000.5")))
	assert.Equal(t, "0.00", FormatMoney(decimal.Zero))
	assert.Equal(t, "42.1%", Percent(d("0.4213")))
}

// TestSumIsAddOneByOne checks Sum's int64 path against decimal's Add: the
// same value with the same exponent, also where the int64 path must give
// way (too many digits, an overflowing total, mixed scales).
func TestSumIsAddOneByOne(t *testing.T) {
	slow := func(ds []decimal.Decimal) decimal.Decimal {
		s := decimal.Zero
		for _, x := range ds {
			s = s.Add(x)
		}
		return s
	}
	cases := [][]string{
		{},
		{"0"},
		{"756538.27", "99384.05", "361774.3", "100"},
		{"-0.005", "0.01", "12"},
		{"1e3", "2e2"},
		{"9223372036854775807", "1"},
		{"922337203685477580.7", "922337203685477580.7"},
		{"-9000000000000000000", "-9000000000000000000"},
		slices.Repeat([]string{"999999999999999999"}, 10),
		slices.Repeat([]string{"-99999999999999999.9"}, 10),
		{"123456789012345678901234567890", "0.01"},
		{"0.000000000000000000001", "1"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		var c []string
		for range rng.IntN(14) {
			c = append(c, decimal.New(rng.Int64N(1<<62)-1<<61, int32(rng.IntN(24))-20).String())
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		var ds []decimal.Decimal
		for _, s := range c {
			ds = append(ds, d(s))
		}
		want, got := slow(ds), Sum(ds...)
		require.True(t, want.Equal(got), "%v: %s, want %s", c, got, want)
		require.Equal(t, want.Exponent(), got.Exponent(), "%v", c)
		require.Equal(t, want.String(), got.String(), "%v", c)
	}
}
