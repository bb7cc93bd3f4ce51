package servetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/excel"
	"aop/templates"
)

// WideCycleYAML is a cycle of n small departments (d01, d02, …) under one
// division, with a travel and a sales account.
func WideCycleYAML(n int) string {
	var b strings.Builder
	b.WriteString("cycle: wide-fy2027\ncompany: Wide Co\ncurrency: USD\nfiscal_year: 2027\nlines: 5\ndepartments:\n  - {id: all, name: All}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {id: d%02d, name: \"Department %d\", parent: all}\n", i, i)
	}
	b.WriteString("accounts:\n  - {code: \"6100\", name: Travel, type: opex, group: Travel}\n  - {code: \"4000\", name: Sales, type: revenue, group: Revenue}\n")
	return b.String()
}

// FillTravel types one travel line of amount a month into a department's
// workbook, as a person would.
func FillTravel(tb testing.TB, c *engine.Cycle, dept string, wb []byte, amount int) []byte {
	tb.Helper()
	var l engine.Line
	l.Account, l.Description = "6100", "Trips"
	for i := range l.Months {
		l.Months[i] = decimal.NewFromInt(int64(amount))
	}
	return Fill(tb, c, &engine.Submission{Department: dept, Lines: []engine.Line{l}}, wb)
}

// Fill types a submission's inputs, and extra edits, into a workbook's
// bytes through the excel driver.
func Fill(tb testing.TB, c *engine.Cycle, sub *engine.Submission, wb []byte, extra ...excel.Edit) []byte {
	tb.Helper()
	tpl, err := templates.NewDepartment(c)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := tpl.Inputs(sub)
	if err != nil {
		tb.Fatal(err)
	}
	edits := make([]excel.Edit, 0, len(in)+len(extra))
	for _, x := range in {
		edits = append(edits, excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value})
	}
	path := filepath.Join(tb.TempDir(), sub.Department+".xlsx")
	if err := os.WriteFile(path, wb, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := excel.EditFile(path, append(edits, extra...)); err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
