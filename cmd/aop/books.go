package main

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/plan"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/model"
	"aop/excel"
	"aop/sheets"
	"aop/templates"
)

// xlsxBooks is the service's spreadsheet side on .xlsx files: plan.Books
// over the harvester, the templates and the excel driver.
type xlsxBooks struct {
	key templates.Key
	w   *excel.Writer
	mu  sync.Mutex
	// cycles holds, for each parsed cycle, its harvester and its file's
	// scenario sections (for the finance summary).
	cycles map[*engine.Cycle]*bookCycle
}

type bookCycle struct {
	h        *harvest.Harvester
	planning model.Spec
	// file is the parsed cycle file: its actuals mappings.
	file *cyclefile.File
}

func newXLSXBooks(key templates.Key) *xlsxBooks {
	return &xlsxBooks{key: key, w: excel.NewWriter(), cycles: map[*engine.Cycle]*bookCycle{}}
}

// parseCycle parses a cycle file for the service and keeps its scenario
// sections for the finance summary.
func (b *xlsxBooks) parseCycle(name string, data []byte) (*engine.Cycle, error) {
	f, err := cyclefile.Parse(name, data, nil)
	if err != nil {
		return nil, err
	}
	bc, err := b.cycle(f.Cycle)
	if err != nil {
		return nil, err
	}
	bc.planning, bc.file = f.Planning, f
	return f.Cycle, nil
}

// cycle returns what the books keep of a cycle, making its harvester the
// first time.
func (b *xlsxBooks) cycle(c *engine.Cycle) (*bookCycle, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bc, ok := b.cycles[c]; ok {
		return bc, nil
	}
	h, err := harvest.New(c, b.key)
	if err != nil {
		return nil, err
	}
	bc := &bookCycle{h: h}
	b.cycles[c] = bc
	return bc, nil
}

func (b *xlsxBooks) harvester(c *engine.Cycle) (*harvest.Harvester, error) {
	bc, err := b.cycle(c)
	if err != nil {
		return nil, err
	}
	return bc.h, nil
}

func (b *xlsxBooks) Harvest(ctx context.Context, c *engine.Cycle, name string, data []byte, dept, round string) plan.Harvest {
	h, err := b.harvester(c)
	if err != nil {
		return plan.Harvest{Refused: true, Problem: "template", Findings: []engine.Finding{{Level: engine.Error, Message: err.Error()}}}
	}
	var r *harvest.Result
	if sheetsValues(data) {
		wb, err := sheets.DecodeValues(data)
		if err != nil {
			return plan.Harvest{Refused: true, Problem: "corrupt", Findings: []engine.Finding{{Level: engine.Error,
				Message: "the values read from the spreadsheet could not be decoded: " + err.Error()}}}
		}
		r = h.Workbook(name, wb, dept)
	} else {
		r = h.Bytes(ctx, name, data, dept)
	}
	out := plan.Harvest{Refused: r.Status == harvest.Refused, Problem: r.Problem, Findings: r.Findings, Records: r.Records,
		Submission: r.Submission, Explanations: r.Explanations}
	if !out.Refused && r.Identity.Round != round {
		got := r.Identity.Round
		if got == "" {
			got = "none"
		}
		out = plan.Harvest{Refused: true, Problem: "wrong_round", Findings: []engine.Finding{{Level: engine.Error,
			Message: "this workbook is of round " + got + ", not round " + round + "; download this round's workbook and type your plan there"}}}
	}
	return out
}

// sheetsValues reports whether a submission's bytes are the values read
// from a Google spreadsheet (a values.batchGet answer, JSON) rather than
// an .xlsx file (a zip).
func sheetsValues(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

func (b *xlsxBooks) Generate(c *engine.Cycle, w plan.Workbook) ([]byte, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, err
	}
	wb, err := h.Template.Generate(w.Department, w.Round, b.key)
	if err != nil {
		return nil, err
	}
	if w.Sheet != "" {
		if err := h.Template.SetWebhook(wb, w.Sheet, w.Secret); err != nil {
			return nil, err
		}
	}
	for _, f := range w.Values {
		s := wb.Sheet(f.Sheet)
		at, err := grid.ParseRef(f.Cell)
		if s == nil || err != nil {
			continue
		}
		v := grid.Str(f.Value)
		if f.Amount != nil {
			v = grid.Num(*f.Amount)
		}
		s.SetValue(at, v)
	}
	if w.Locked {
		lock(wb)
	}
	var buf bytes.Buffer
	if err := b.w.Write(&buf, wb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lock makes every input cell of a workbook read-only: the department's
// plan is approved.
func lock(wb *grid.Workbook) {
	for _, s := range wb.Sheets {
		for at, c := range s.All() {
			if c.Style != nil && c.Style.Unlocked {
				st := *c.Style
				st.Unlocked, st.Fill = false, ""
				s.SetStyle(at, &st)
			}
		}
	}
}

func (b *xlsxBooks) WriteSummary(c *engine.Cycle, k *engine.Consolidation, dept string, workbook []byte, asOf string) ([]byte, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, err
	}
	sheet, err := h.Template.DepartmentSummary(k, dept, b.key, asOf)
	if err != nil {
		return nil, err
	}
	return b.w.WriteBackBytes(workbook, []*grid.Sheet{sheet}, excel.WriteBackOptions{
		After: h.Template.Spec().Sheets.Instructions, Replace: []string{templates.SummarySheetName}})
}

func (b *xlsxBooks) SummarySheet(c *engine.Cycle, k *engine.Consolidation, dept, asOf string) (*grid.Sheet, error) {
	h, err := b.harvester(c)
	if err != nil {
		return nil, err
	}
	return h.Template.DepartmentSummary(k, dept, b.key, asOf)
}

func (b *xlsxBooks) FinanceSummary(c *engine.Cycle, k *engine.Consolidation, subs []*engine.Submission, asOf string, leftOut []string) ([]byte, json.RawMessage, error) {
	bc, err := b.cycle(c)
	if err != nil {
		return nil, nil, err
	}
	h := bc.h
	opts := templates.FinanceOptions{AsOf: asOf, LeftOut: leftOut}
	if hasPlanningSections(bc.planning) {
		r, err := projectScenarios(c, k, subs, bc.planning)
		if err != nil {
			return nil, nil, err
		}
		opts.Outlook = r.outlook()
	}
	wb, err := h.Template.FinanceWorkbook(k, opts)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := b.w.Write(&buf, wb); err != nil {
		return nil, nil, err
	}
	rep, err := json.Marshal((&consolidation{cycle: c, k: k}).report())
	return buf.Bytes(), rep, err
}
