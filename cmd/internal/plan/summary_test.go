package plan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/grid"
)

func TestSummaryCellsAsExcelRangeValues(t *testing.T) {
	wb := grid.New()
	s := wb.AddSheet("Summary")
	bold := &grid.Style{Bold: true}
	money := &grid.Style{NumFmt: "#,##0"}
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("Sales: your plan against your target"), Style: bold})
	s.Set(grid.R(3, 2), grid.Cell{Value: grid.NumText("1234.56"), Style: money})
	s.Set(grid.R(3, 3), grid.Cell{Value: grid.BoolValue(true)})
	s.SetFormula(grid.R(4, 2), "B3*2", grid.NumText("2469.12"))
	s.Set(grid.R(4, 3), grid.Cell{Style: bold}) // an empty bold cell is not listed

	tab := summaryCells(s)
	assert.Equal(t, "Summary", tab.Sheet)
	assert.Equal(t, "A1:C4", tab.Range)
	require.Len(t, tab.Values, 4)
	for _, row := range tab.Values {
		assert.Len(t, row, 3)
	}
	assert.Equal(t, []string{"A1"}, tab.Bold)
	assert.Equal(t, []string{"General", "#,##0", "General"}, tab.NumberFormats[2])
	assert.Equal(t, "@", tab.NumberFormats[0][0], "text stays text")

	got, err := json.Marshal(tab.Values)
	require.NoError(t, err)
	assert.JSONEq(t, `[["Sales: your plan against your target","",""],["","",""],["",1234.56,true],["",2469.12,""]]`, string(got))
	assert.Contains(t, string(got), "1234.56", "numbers keep their exact decimal text")
}

// The cells a department may type in are listed, a merged range as one.
func TestSummaryCellsListInputs(t *testing.T) {
	s := grid.New().AddSheet("Actuals vs Plan")
	open := &grid.Style{Unlocked: true}
	s.Set(grid.R(11, 20), grid.Cell{Value: grid.Str("Deals slipped"), Style: open})
	s.Set(grid.R(12, 20), grid.Cell{Style: open})
	s.Set(grid.R(14, 20), grid.Cell{Style: open})
	s.Set(grid.R(14, 4), grid.Cell{Value: grid.NumText("5"), Style: &grid.Style{NumFmt: "0"}})
	s.Merges = []grid.Range{{From: grid.R(11, 20), To: grid.R(13, 20)}}

	assert.Equal(t, []string{"T11:T13", "T14"}, summaryCells(s).Inputs)
}

func TestSummaryCellsOfAnEmptySheet(t *testing.T) {
	tab := summaryCells(grid.New().AddSheet("Summary"))
	got, err := json.Marshal(tab)
	require.NoError(t, err)
	assert.JSONEq(t, `{"sheet":"Summary","round":0,"department":"","as_of":"","range":"","values":[],"number_formats":[],"bold":[],"inputs":[]}`, string(got))
}
