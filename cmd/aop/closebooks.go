package main

import (
	"bytes"
	"fmt"
	"strings"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/plan"
	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/excel"
	"aop/sheets"
	"aop/templates"
)

// The close side of the books (plan.Closer): ledger imports with the
// cycle's mappings, the review, the department tab and finance's close
// workbook.
var _ plan.Closer = (*xlsxBooks)(nil)

func (b *xlsxBooks) ImportActuals(c *engine.Cycle, mapping, name string, data []byte) (plan.ActualsReport, error) {
	bc, err := b.cycle(c)
	if err != nil {
		return plan.ActualsReport{}, err
	}
	if bc.file == nil {
		return plan.ActualsReport{}, fmt.Errorf("cycle %s was not loaded from a cycle file", c.ID)
	}
	imp, err := bc.file.ImportActuals(name, data, cyclefile.ImportOptions{Mapping: mapping})
	if err != nil {
		return plan.ActualsReport{}, err
	}
	var out bytes.Buffer
	clean := reportImport(&out, c, imp)
	return plan.ActualsReport{Sets: imp.Sets, Amounts: imp.ReadsAmounts, Indicators: imp.ReadsIndicators, Clean: clean,
		Lines: strings.Split(strings.TrimRight(out.String(), "\n"), "\n")}, nil
}

func (b *xlsxBooks) Review(c *engine.Cycle, plans []*engine.Submission, book *actuals.Book, said []review.Explanation) (*review.Report, error) {
	bc, err := b.cycle(c)
	if err != nil {
		return nil, err
	}
	return review.Close(closeInput(c, bc, plans, book, said))
}

// closeInput gathers what a close reviews from the cycle file's sections.
func closeInput(c *engine.Cycle, bc *bookCycle, plans []*engine.Submission, book *actuals.Book, said []review.Explanation) review.Input {
	in := review.Input{Cycle: c, Plans: plans, Book: book, Explanations: said, Policy: review.DefaultPolicy(),
		History: bc.planning.Accuracy}
	if bc.file != nil && bc.file.Review != nil {
		in.Policy = *bc.file.Review
	}
	for _, t := range bc.planning.Triggers {
		in.Triggers = append(in.Triggers, t.Trigger)
	}
	return in
}

func (b *xlsxBooks) actualsTab(c *engine.Cycle, r *review.Report, dept, asOf string) (*grid.Sheet, *templates.Department, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, nil, err
	}
	sheet, err := h.Template.ActualsTab(r, dept, b.key, asOf)
	return sheet, h.Template, err
}

func (b *xlsxBooks) ActualsSheet(c *engine.Cycle, r *review.Report, dept, asOf string) (*grid.Sheet, error) {
	sheet, _, err := b.actualsTab(c, r, dept, asOf)
	return sheet, err
}

func (b *xlsxBooks) WriteActuals(c *engine.Cycle, r *review.Report, dept string, workbook []byte, asOf string) ([]byte, error) {
	sheet, t, err := b.actualsTab(c, r, dept, asOf)
	if err != nil {
		return nil, err
	}
	return b.w.WriteBackBytes(workbook, []*grid.Sheet{sheet}, excel.WriteBackOptions{
		After: t.Spec().Sheets.Instructions, OrAfter: templates.SummarySheetName, Replace: []string{templates.ActualsSheetName}})
}

func (b *xlsxBooks) CloseSummary(c *engine.Cycle, r *review.Report, asOf string) ([]byte, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, err
	}
	wb := grid.New()
	if err := h.Template.CloseTabs(wb, r, asOf); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := b.w.Write(&buf, wb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (b *xlsxBooks) Explanations(c *engine.Cycle, dept string, values []byte) ([]review.Explanation, []engine.Finding, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, nil, err
	}
	wb, err := sheets.DecodeValues(values)
	if err != nil {
		return nil, nil, err
	}
	said, findings := h.Template.ParseExplanations(wb, dept)
	return said, findings, nil
}
