package actuals

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestPeriodNames(t *testing.T) {
	for _, p := range []Period{{Year: 2022}, {Year: 2027, Month: 3}, {Year: 2027, Month: 12}} {
		got, err := ParsePeriod(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	assert.Equal(t, "FY2027-P03", Period{Year: 2027, Month: 3}.String())
	assert.Equal(t, "Apr 2026 (FY2027-P03)", Period{Year: 2027, Month: 3}.Label(time.February))
	for _, bad := range []string{"2027", "FY27", "FY2027-P13", "FY2027-P3", "FY2027-X03"} {
		_, err := ParsePeriod(bad)
		assert.Error(t, err, bad)
	}
}

func TestSetMergesAndBookReads(t *testing.T) {
	s := NewSet(Period{Year: 2027, Month: 1}, "USD")
	s.Add(Amount{Department: "sales", Account: "4000", Dimensions: map[string]string{"channel": "direct"}, Amount: d("100.005")})
	s.Add(Amount{Department: "sales", Account: "4000", Dimensions: map[string]string{"channel": "direct"}, Amount: d("-0.005")})
	s.Add(Amount{Department: "sales", Account: "4000", Dimensions: map[string]string{"channel": "online"}, Amount: d("50")})
	s.Add(Amount{Department: "sales", Account: "6000", Amount: d("7")})
	s.AddIndicator(Indicator{Name: "hires", Department: "sales", Value: d("1")})
	s.AddIndicator(Indicator{Name: "hires", Department: "sales", Value: d("2")})
	s.Sort()
	require.Len(t, s.Amounts, 3)
	assert.Equal(t, "157", s.Total().String())
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	var back Set
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, s.Period, back.Period)
	assert.Equal(t, "157", back.Total().String())

	s2 := NewSet(Period{Year: 2027, Month: 2}, "USD")
	s2.Add(Amount{Department: "sales", Account: "4000", Amount: d("10")})
	s4 := NewSet(Period{Year: 2027, Month: 4}, "USD")
	b := NewBook(&back, s2, s4, NewSet(Period{Year: 2022}, "USD"))
	assert.Equal(t, 2, b.Closed(2027), "month 3 is missing, so month 4 is not closed")
	ms := b.Months(2027, "sales", "4000")
	assert.Equal(t, "150", ms[0].String())
	assert.Equal(t, "10", ms[1].String())
	_, ok := b.Year(2027, "sales", "4000")
	assert.False(t, ok)
	y, ok := b.Year(2022, "sales", "4000")
	assert.True(t, ok)
	assert.True(t, y.IsZero())
	v, ok := b.Indicator(Period{Year: 2027, Month: 1}, "hires", "sales")
	assert.True(t, ok)
	assert.Equal(t, "3", v.String())
	assert.Equal(t, []Period{{Year: 2022}, {Year: 2027, Month: 1}, {Year: 2027, Month: 2}, {Year: 2027, Month: 4}}, b.Periods())
}
