package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// aop scenarios on the demo's workbooks: the downside fires its trigger,
// the hiring freeze holds headcount from the month after, the ranges give
// ordered percentiles and Customer Success is flagged for over-projection.
func TestScenariosOnTheDemo(t *testing.T) {
	dir, out := demoOutput(t)
	assert.Contains(t, out, "6. scenarios:")
	assert.Contains(t, out, "downside: revenue-slump")

	cycle := filepath.Join(dir, "cycle.yaml")
	files, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	code, text, errOut := aop(t, nil, append([]string{"scenarios", "--cycle", cycle, "--runs", "500"}, files...)...)
	require.Equal(t, 0, code, text+errOut)
	assert.Contains(t, text, "Monte Carlo, 500 runs (seed 2027)")
	assert.Contains(t, text, "Customer Success         revenue")
	assert.Contains(t, text, "over-projection: suggested factor")
	assert.Contains(t, text, "OVER Engineering")

	code, text, errOut = aop(t, nil, append([]string{"scenarios", "--cycle", cycle, "--json", "--runs", "500", "--seed", "7"}, files...)...)
	require.Equal(t, 0, code, errOut)
	var doc scenarioDoc
	require.NoError(t, json.Unmarshal([]byte(text), &doc), "stdout is one JSON document")
	require.Len(t, doc.Scenarios, 4)
	assert.Equal(t, "base", doc.Scenarios[0].Name)
	for _, s := range doc.Scenarios {
		if s.Name != "downside" {
			assert.Empty(t, s.Fired, s.Name)
			continue
		}
		require.Len(t, s.Fired, 1)
		f := s.Fired[0]
		assert.Equal(t, "revenue-slump", f.Trigger)
		// Sales revenue drops 18% from month 4: the trailing three months
		// fall below 92% of plan in month 5 and stay there in month 6.
		assert.Equal(t, 6, f.Month)
		require.Len(t, f.Actions, 3)
		assert.Equal(t, actionRow{Action: "freeze hiring", InEffect: true, From: 7, To: 12}, f.Actions[0])
	}
	down, base := doc.Scenarios[2], doc.Scenarios[0]
	assert.Equal(t, "downside", down.Name)
	assert.True(t, dec(t, down.Headcount).LessThan(dec(t, base.Headcount)), "the freeze leaves fewer people at year end")
	// The freeze takes effect in month 7: headcount follows the plan
	// through month 6 and falls behind it from month 7 on.
	assert.Equal(t, base.HeadcountByMonth[:6], down.HeadcountByMonth[:6])
	changed := 0
	for m := 6; m < 12; m++ {
		if down.HeadcountByMonth[m] != base.HeadcountByMonth[m] {
			changed++
			assert.True(t, dec(t, down.HeadcountByMonth[m]).LessThan(dec(t, base.HeadcountByMonth[m])), "month %d", m+1)
		}
	}
	assert.Positive(t, changed, "hires planned after month 6 never start")
	require.NotNil(t, doc.MonteCarlo)
	assert.Equal(t, uint64(7), doc.MonteCarlo.Seed)
	for metric, p := range doc.MonteCarlo.Metrics {
		assert.True(t, dec(t, p[0]).LessThanOrEqual(dec(t, p[1])) && dec(t, p[1]).LessThanOrEqual(dec(t, p[2])), "%s: %v", metric, p)
	}
	flagged := map[string]string{}
	for _, a := range doc.Accuracy {
		flagged[a.Department] = a.Bias
	}
	assert.Equal(t, "over-projection", flagged["customer-success"])
	assert.Equal(t, "unbiased", flagged["engineering"])
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	require.NoError(t, err)
	return d
}
