package model_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/model"
)

// driver builds a driver series from month → value; months left out are
// blank.
func driver(name string, values map[int]string) engine.Driver {
	dr := engine.Driver{Name: name}
	for month, v := range values {
		x := d(v)
		dr.Months[month-1] = &x
	}
	return dr
}

// every returns the same value for all twelve months.
func every(v string) map[int]string {
	out := map[int]string{}
	for m := 1; m <= engine.MonthsPerYear; m++ {
		out[m] = v
	}
	return out
}

// The figures are worked by hand. Sales creates pipeline in months 1, 2,
// 5, 6 and 11 with a two-month cycle, except month 6's 2.5 months:
//
//	month 1:  100,000 × 25% = 25,000 closes in month 3
//	month 2:  200,000 × 25% = 50,000 closes in month 4
//	month 5:  no win rate typed, so nothing (incomplete)
//	month 6:   30,000 × 30% =  9,000 at a 7,000 deal size (30,000 ÷ 7,000
//	          opportunities, not a whole number), half in month 8 and
//	          half in month 9
//	month 11:  50,000 × 25% = 12,500 closes in month 13, after the year
//
// The pipeline first reaches month 3, so the comparison covers months 3
// to 12: implied 84,000.00 against typed 10 × 10,000.01 + 5,000 =
// 105,000.10, a gap of −21,000.10. Ops typed revenue and no drivers: it is
// skipped.
func TestDriverCheck(t *testing.T) {
	c := &engine.Cycle{ID: "c", Departments: []engine.Department{{ID: "ops", Name: "Ops"}, {ID: "sales", Name: "Sales"}},
		Accounts: []engine.Account{{Code: "4000", Type: engine.Revenue}, {Code: "4100", Type: engine.Revenue}, {Code: "6000", Type: engine.OpEx}}}
	var monthly, march, costs engine.Line
	monthly.Account, march.Account, costs.Account = "4000", "4100", "6000"
	for p := range engine.MonthsPerYear {
		monthly.Months[p] = d("10000.01")
		costs.Months[p] = d("999")
	}
	march.Months[2] = d("5000")

	win := every("0.25")
	delete(win, 5)
	win[6] = "0.3"
	size := every("10000")
	size[6] = "7000"
	cycle := every("2")
	cycle[6] = "2.5"
	sales := &engine.Submission{Department: "sales", Lines: []engine.Line{monthly, march, costs}, Drivers: []engine.Driver{
		driver(model.PipelineDriver, map[int]string{1: "100000", 2: "200000", 5: "40000", 6: "30000", 11: "50000"}),
		driver(model.WinRateDriver, win),
		driver(model.DealSizeDriver, size),
		driver(model.SalesCycleDriver, cycle),
	}}
	ops := &engine.Submission{Department: "ops", Lines: []engine.Line{monthly},
		Drivers: []engine.Driver{{Name: model.PipelineDriver}}}

	gaps, err := model.DriverCheck(c, []*engine.Submission{sales, ops})
	require.NoError(t, err)
	require.Len(t, gaps, 1, "ops has no driver values")
	g := gaps[0]
	assert.Equal(t, "sales", g.Department)
	want := []string{"0", "0", "25000", "50000", "0", "0", "0", "4500", "4500", "0", "0", "0"}
	for p, w := range want {
		assert.True(t, d(w).Equal(g.Implied[p]), "month %d: implied %s, want %s", p+1, g.Implied[p], w)
	}
	assert.True(t, d("15000.01").Equal(g.Typed[2]), "month 3 typed: %s", g.Typed[2])
	assert.Equal(t, "84000", g.ImpliedYear.String())
	assert.Equal(t, engine.Period(3), g.From)
	assert.Equal(t, "105000.1", g.TypedYear.String())
	assert.Equal(t, "12500", g.AfterYear.String())
	assert.Equal(t, "-21000.1", g.Gap.String())
	assert.True(t, g.Gap.Equal(g.ImpliedYear.Sub(g.TypedYear)), "the gap is implied − typed to the cent")
	require.NotNil(t, g.GapPercent)
	assert.True(t, d("-21000.1").Div(d("105000.1")).Equal(*g.GapPercent), "gap %%: %s", g.GapPercent)
	assert.Equal(t, []engine.Period{5}, g.Incomplete)
}

// A submission for a department the cycle does not know is an error, and
// nothing typed means nothing to report.
func TestDriverCheckEdges(t *testing.T) {
	c := &engine.Cycle{ID: "c", Departments: []engine.Department{{ID: "sales"}}}
	_, err := model.DriverCheck(c, []*engine.Submission{{Department: "nowhere", Drivers: []engine.Driver{driver(model.PipelineDriver, every("1"))}}})
	require.ErrorContains(t, err, `unknown department "nowhere"`)

	gaps, err := model.DriverCheck(c, []*engine.Submission{{Department: "sales"}})
	require.NoError(t, err)
	assert.Empty(t, gaps)

	long := map[int]string{1: "100"}
	gaps, err = model.DriverCheck(c, []*engine.Submission{{Department: "sales", Drivers: []engine.Driver{
		driver(model.PipelineDriver, long), driver(model.WinRateDriver, map[int]string{1: "1"}),
		driver(model.DealSizeDriver, map[int]string{1: "10"}), driver(model.SalesCycleDriver, map[int]string{1: "40.5"}),
	}}})
	require.NoError(t, err)
	require.Len(t, gaps, 1)
	assert.True(t, gaps[0].ImpliedYear.IsZero())
	assert.Zero(t, gaps[0].From, "the pipeline reaches no month of the year")
	assert.Equal(t, "100", gaps[0].AfterYear.String(), "a cycle past the year closes after it")
	assert.Nil(t, gaps[0].GapPercent, "no typed revenue, no percentage")
}
