package sheetstest

import (
	"strconv"

	"aop/engine/grid"
	"aop/sheets/sheetstest/calc"

	"google.golang.org/api/sheets/v4"
)

// calcCache holds the computed values of formula cells for one version of
// a spreadsheet: formulas are evaluated lazily, when a read needs them, and
// any write drops the cache (spreadsheetState.touch).
type calcCache struct {
	values  map[calcKey]*sheets.ExtendedValue
	busy    map[calcKey]bool
	parsed  map[string]*calc.Formula
	extents map[int64][2]int
}

type calcKey struct {
	sheet int64
	cell  cellKey
}

// Sheets' messages for formula errors, by code.
var formulaErrorMessages = map[string]string{
	"#DIV/0!": "Function DIVIDE parameter 2 cannot be zero.",
	"#REF!":   "Reference does not exist.",
	"#NAME?":  "Unknown function or range name.",
	"#VALUE!": "A value in the formula is of the wrong type.",
	"#N/A":    "No value is available.",
	"#NUM!":   "The result is not a valid number.",
	"#ERROR!": "Formula parse error.",
}

const msgCircular = "Circular dependency detected. To resolve with iterative calculation, see File > Settings."

// evalFormulaCell computes a formula cell's value with the calc package;
// a cell that depends on itself is #REF! with Sheets' circular-dependency
// message.
func (s *Server) evalFormulaCell(ss *spreadsheetState, sh *sheetState, k cellKey) *sheets.ExtendedValue {
	if ss.calc == nil {
		ss.calc = &calcCache{
			values:  map[calcKey]*sheets.ExtendedValue{},
			busy:    map[calcKey]bool{},
			parsed:  map[string]*calc.Formula{},
			extents: map[int64][2]int{},
		}
	}
	cc := ss.calc
	key := calcKey{sh.Props.SheetId, k}
	if v, ok := cc.values[key]; ok {
		return v
	}
	if cc.busy[key] {
		return errorExtended("#REF!", msgCircular)
	}
	src := *sh.Cells[k].UserEnteredValue.FormulaValue
	f := cc.parsed[src]
	if f == nil {
		var err error
		f, err = calc.Parse(src)
		if err != nil {
			v := errorExtended("#ERROR!", "Formula parse error.")
			cc.values[key] = v
			return v
		}
		cc.parsed[src] = f
	}
	cc.busy[key] = true
	gv := f.Eval(resolver{s: s, ss: ss}, sh.Props.Title)
	delete(cc.busy, key)
	v := gridToExtended(gv)
	cc.values[key] = v
	return v
}

func errorExtended(code, msg string) *sheets.ExtendedValue {
	t := errorTypes[code]
	if t == "" {
		t = "ERROR"
	}
	return &sheets.ExtendedValue{ErrorValue: &sheets.ErrorValue{Type: t, Message: msg}}
}

// gridToExtended converts a computed grid value to an effective value; an
// empty result has none.
func gridToExtended(v grid.Value) *sheets.ExtendedValue {
	switch v.Kind {
	case grid.Number:
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			return errorExtended("#VALUE!", formulaErrorMessages["#VALUE!"])
		}
		return numberValue(f)
	case grid.String:
		return stringValue(v.Text)
	case grid.Bool:
		return boolValue(v.Bool())
	case grid.Error:
		msg := formulaErrorMessages[v.Text]
		if msg == "" {
			msg = "Formula error."
		}
		return errorExtended(v.Text, msg)
	}
	return nil
}

// extendedToGrid converts an effective value for the evaluator.
func extendedToGrid(ev *sheets.ExtendedValue) grid.Value {
	switch {
	case ev == nil:
		return grid.Value{}
	case ev.NumberValue != nil:
		return grid.Float(*ev.NumberValue)
	case ev.StringValue != nil:
		return grid.Str(*ev.StringValue)
	case ev.BoolValue != nil:
		return grid.BoolValue(*ev.BoolValue)
	case ev.ErrorValue != nil:
		return grid.ErrorValue(errorCode(ev.ErrorValue))
	}
	return grid.Value{}
}

// resolver lets the evaluator read a spreadsheet: cells (recursively
// evaluated), named ranges and the used size of sheets.
type resolver struct {
	s  *Server
	ss *spreadsheetState
}

func (r resolver) sheet(name string) *sheetState {
	if name == "" {
		return nil
	}
	return r.ss.sheetByTitle(name)
}

func (r resolver) Value(sheet string, row, col int) grid.Value {
	sh := r.sheet(sheet)
	if sh == nil || row < 1 || col < 1 {
		return grid.ErrorValue("#REF!")
	}
	if row > sh.rowCount() || col > sh.colCount() {
		return grid.Value{}
	}
	return extendedToGrid(r.s.effectiveValue(r.ss, sh, cellKey{row - 1, col - 1}))
}

func (r resolver) Name(name string) (string, grid.Range, bool) {
	nr := r.ss.namedRange(name)
	if nr == nil {
		return "", grid.Range{}, false
	}
	sh, rc := r.ss.gridRect(nr.Range)
	if sh == nil || rc.R1 <= rc.R0 || rc.C1 <= rc.C0 {
		return "", grid.Range{}, false
	}
	return sh.Props.Title, grid.Rect(rc.R0+1, rc.C0+1, rc.R1, rc.C1), true
}

// Bounds is the used size of a sheet: the last row and column holding a
// cell, so whole-column ranges read only what is there.
func (r resolver) Bounds(sheet string) (int, int, bool) {
	sh := r.sheet(sheet)
	if sh == nil {
		return 0, 0, false
	}
	cc := r.ss.calc
	if e, ok := cc.extents[sh.Props.SheetId]; ok {
		return e[0], e[1], true
	}
	rows, cols := 0, 0
	for k := range sh.Cells {
		rows, cols = max(rows, k.Row+1), max(cols, k.Col+1)
	}
	cc.extents[sh.Props.SheetId] = [2]int{rows, cols}
	return rows, cols, true
}
