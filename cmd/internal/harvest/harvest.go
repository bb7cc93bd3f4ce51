// Package harvest turns filled department workbooks into validated
// submissions: it reads a file safely, checks that it is a genuine workbook
// of the cycle for the right department, and parses every input with
// findings a department head can act on. The command line and the service
// share it.
package harvest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/excel/xlsxread"
	"aop/templates"
)

// MaxFileSize is the largest workbook a harvest reads.
const MaxFileSize = 50 << 20

// Harvester harvests department workbooks of one cycle. It is safe for
// concurrent use.
type Harvester struct {
	Template *templates.Department
	Key      templates.Key
	// Limits bound what reading one file may cost.
	Limits xlsxread.Limits
	// Records keeps every non-empty input cell in Result.Records (New
	// turns it on); off, a harvest that only reports or consolidates
	// saves the work.
	Records bool
}

// New returns a harvester for a cycle's department template.
func New(c *engine.Cycle, key templates.Key) (*Harvester, error) {
	t, err := templates.NewDepartment(c)
	if err != nil {
		return nil, err
	}
	return &Harvester{Template: t, Key: key, Limits: DefaultLimits(), Records: true}, nil
}

// Status sums up a harvested file.
type Status string

const (
	// Valid files are usable submissions (warnings allowed).
	Valid Status = "valid"
	// Invalid files are aop workbooks with errors to fix.
	Invalid Status = "invalid"
	// Refused files are not usable aop workbooks at all: corrupt, encrypted,
	// not .xlsx, of another department or cycle, tampered.
	Refused Status = "refused"
)

// Result is the harvest of one file.
type Result struct {
	File   string `json:"file"`
	Status Status `json:"status"`
	// Problem classifies a refused file (e.g. "encrypted", "wrong_department").
	Problem  string             `json:"problem,omitempty"`
	Identity templates.Identity `json:"identity"`
	// Records hold every non-empty input cell.
	Records  []engine.Fact    `json:"records"`
	Findings []engine.Finding `json:"findings"`
	// Submission is the typed plan; nil for refused files.
	Submission *engine.Submission `json:"-"`
	// Explanations are what the department said about its variances on
	// the Actuals vs Plan tab, one for each line (Text empty where it
	// said nothing): an input of its own, taken even when the plan is
	// not (the plan is locked once approved).
	Explanations []review.Explanation `json:"explanations,omitempty"`
}

// Errors counts the error findings.
func (r *Result) Errors() int { return engine.CountLevel(r.Findings, engine.Error) }

// Warnings counts the warning findings.
func (r *Result) Warnings() int { return engine.CountLevel(r.Findings, engine.Warning) }

// File harvests a workbook on disk. A file that cannot be opened at all is
// an error (the caller's problem); every problem with its content is a
// Result.
func (h *Harvester) File(ctx context.Context, path, wantDept string) (*Result, error) {
	wb, r, err := Open(ctx, path, h.Limits)
	if err != nil || r != nil {
		return r, err
	}
	return h.Workbook(path, wb, wantDept), nil
}

// Open reads a workbook on disk as a harvest does, within limits and only
// the template's sheets, and needs no cycle: a command may open files
// while it loads the cycle file. A file that cannot be opened at all is an
// error; one that is not a readable workbook is a refused Result.
func Open(ctx context.Context, path string, limits xlsxread.Limits) (*grid.Workbook, *Result, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return nil, nil, fmt.Errorf("%s is a folder, not a workbook", path)
	}
	if st.Size() > limits.MaxFileSize {
		return nil, refused(path, string(xlsxread.TooLarge), fmt.Sprintf("the file is %d MB; the largest workbook accepted is %d MB", st.Size()>>20, limits.MaxFileSize>>20)), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	wb, r := read(ctx, path, data, limits)
	return wb, r, nil
}

// DefaultLimits are the limits New gives a Harvester.
func DefaultLimits() xlsxread.Limits {
	l := xlsxread.DefaultLimits()
	l.MaxFileSize = MaxFileSize
	return l
}

// DepartmentFromName returns the department a file name stands for
// ("sales.xlsx" → "sales") when the cycle has such a department, else "".
func (h *Harvester) DepartmentFromName(c *engine.Cycle, path string) string {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if _, ok := c.Department(stem); ok {
		return stem
	}
	return ""
}

// Bytes harvests a workbook held in memory under a display name. wantDept,
// when not empty, is the department the workbook must belong to.
func (h *Harvester) Bytes(ctx context.Context, name string, data []byte, wantDept string) *Result {
	wb, r := read(ctx, name, data, h.Limits)
	if r != nil {
		return r
	}
	return h.Workbook(name, wb, wantDept)
}

// read reads a workbook's harvested sheets, or returns why it is refused.
func read(ctx context.Context, name string, data []byte, limits xlsxread.Limits) (*grid.Workbook, *Result) {
	wb, err := xlsxread.Read(ctx, data, xlsxread.Options{Limits: limits, Sheets: templates.HarvestsSheet})
	if err != nil {
		var fe *xlsxread.FileError
		if errors.As(err, &fe) {
			return nil, refused(name, string(fe.Problem), fe.Error())
		}
		return nil, refused(name, "unreadable", err.Error())
	}
	return wb, nil
}

// Workbook harvests a workbook already read into a grid (the Sheets driver
// uses this).
func (h *Harvester) Workbook(name string, wb *grid.Workbook, wantDept string) *Result {
	id, err := h.Template.Verify(wb, wantDept, h.Key)
	if err != nil {
		var ie *templates.IdentityError
		if errors.As(err, &ie) {
			r := refused(name, string(ie.Problem), ie.Message)
			r.Identity = id
			r.Findings[0].Sheet, r.Findings[0].Cell = ie.Sheet, ie.Cell
			return r
		}
		return refused(name, "internal", err.Error())
	}
	var sub *engine.Submission
	var facts []engine.Fact
	var findings []engine.Finding
	if h.Records {
		sub, facts, findings = h.Template.Parse(wb, id)
	} else {
		sub, findings = h.Template.ParseSubmission(wb, id)
	}
	explanations, more := h.Template.ParseExplanations(wb, id.Department)
	findings = append(findings, more...)
	r := &Result{File: name, Identity: id, Records: facts, Findings: findings, Submission: sub, Status: Valid,
		Explanations: explanations}
	if facts == nil {
		r.Records = []engine.Fact{}
	}
	if findings == nil {
		r.Findings = []engine.Finding{}
	}
	if engine.HasErrors(findings) {
		r.Status = Invalid
	}
	return r
}

func refused(name, problem, msg string) *Result {
	return &Result{File: name, Status: Refused, Problem: problem, Records: []engine.Fact{},
		Findings: []engine.Finding{{Level: engine.Error, Message: msg}}}
}
