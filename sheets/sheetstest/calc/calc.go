// Package calc evaluates spreadsheet formulas for the Google Sheets emulator
// in sheetstest, so that a spreadsheet written through the emulator reads
// back with the effective values Google would compute, and an edit of an
// input cell updates the totals that depend on it.
//
// It covers the formulas aop's templates write and the common functions a
// department head might type: arithmetic, comparison and text operators with
// Sheets' precedence, references (A1, $B$2, A1:B3, A:A, 3:3, A2:B,
// 'Q1 Data'!B2), named ranges, and the 62 functions of the functions table
// (aggregates with their IF/IFS forms, logic, rounding and other maths,
// MATCH/INDEX/VLOOKUP/HLOOKUP, IS* tests, and text functions; TEXT knows
// the formats 0, 0.00, #,##0, #,##0.00 and their percent forms). An unknown
// function is #NAME?. Arrays ({1,2}, ARRAYFORMULA, spilling), dates and
// volatile functions are left out.
//
// Arithmetic is in float64, as in Sheets. A number result is rounded to 15
// significant digits, the precision Sheets shows, and written in the
// shortest text that reads back as that double, without exponent from 1e-6
// to 1e15 (so 1.5+2.25+0.1 reads "3.85", 0.1+0.2 reads "0.3" and 3.85E6
// reads "3850000"). Intermediate values keep the full double; comparisons
// are made at 15 significant digits, so 0.1+0.2=0.3 is TRUE.
//
// A result that is the empty string is returned as the empty grid.Value
// (grid.Str("") is empty): Sheets reports no effectiveValue for it. Inside a
// formula "" stays text, so ISBLANK(IF(1,"")) is FALSE as in Sheets. A
// reference to an empty cell, =A1, is empty too (Sheets shows a blank, not
// 0).
package calc

import (
	"aop/engine/grid"
)

// Resolver gives the evaluator the spreadsheet it computes in.
type Resolver interface {
	// Value returns the effective value of a cell (1-based row and column)
	// on the named sheet; the emulator evaluates formula cells recursively
	// through it (and detects cycles itself, returning
	// grid.ErrorValue("#REF!") for a circular reference).
	Value(sheet string, row, col int) grid.Value
	// Name resolves a named range (case-insensitive) to a sheet and range.
	Name(name string) (sheet string, r grid.Range, ok bool)
	// Bounds returns the used size of a sheet, to clip whole-column and
	// whole-row ranges like A:A or 3:3; ok is false if the sheet does not
	// exist. Cells outside it are read as empty without calling Value.
	Bounds(sheet string) (rows, cols int, ok bool)
}

// Formula is a parsed formula, safe for concurrent use.
type Formula struct {
	src  string
	root node
}

// String returns the formula's source text as given to Parse.
func (f *Formula) String() string { return f.src }

// Ref is a range a formula reads.
type Ref struct {
	Sheet string
	Range grid.Range
}

// Eval computes f on sheet (the sheet the formula sits on, for unqualified
// references). Errors of the formula's own making are error values
// (#DIV/0!, #VALUE!, #NAME? for an unknown function or name, #REF! for a
// missing sheet); Eval itself never fails.
func (f *Formula) Eval(r Resolver, sheet string) grid.Value {
	c := &ctx{r: r, sheet: sheet}
	v := c.deref(f.root.eval(c))
	return toGrid(v)
}

// Refs lists the ranges f reads, sheet-qualified and with names resolved,
// for dependency tracking; a name that does not resolve is left out. Whole
// columns and rows, and open-ended ranges, reach grid.MaxRows or
// grid.MaxCols. The list holds each range once, in the order of the formula.
func (f *Formula) Refs(r Resolver, sheet string) []Ref {
	var refs []Ref
	add := func(ref Ref) {
		for _, o := range refs {
			if o == ref {
				return
			}
		}
		refs = append(refs, ref)
	}
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *refNode:
			s := n.sheet
			if s == "" {
				s = sheet
			}
			add(Ref{Sheet: s, Range: n.rng})
		case *nameNode:
			if s, rng, ok := r.Name(n.name); ok {
				if s == "" {
					s = sheet
				}
				add(Ref{Sheet: s, Range: rng})
			}
		case *unaryNode:
			walk(n.x)
		case *percentNode:
			walk(n.x)
		case *binaryNode:
			walk(n.l)
			walk(n.r)
		case *callNode:
			for _, a := range n.args {
				walk(a)
			}
		}
	}
	walk(f.root)
	return refs
}

// ctx is one evaluation.
type ctx struct {
	r     Resolver
	sheet string
}
