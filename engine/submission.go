package engine

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Level is how serious a finding is.
type Level string

const (
	// Error findings make a submission unusable until they are fixed.
	Error Level = "error"
	// Warning findings are reported but do not block a submission.
	Warning Level = "warning"
)

// Finding is a problem found in a submission, at a place a department head
// can find: a sheet and a cell in A1 notation.
type Finding struct {
	Sheet   string `json:"sheet,omitempty"`
	Cell    string `json:"cell,omitempty"`
	Level   Level  `json:"level"`
	Message string `json:"message"`
	// Rule names the cycle rule that raised the finding, if any.
	Rule string `json:"rule,omitempty"`
}

// CountLevel counts the findings of a level.
func CountLevel(fs []Finding, l Level) int {
	n := 0
	for _, f := range fs {
		if f.Level == l {
			n++
		}
	}
	return n
}

// String formats the finding as "'Plan'!F12: error: message".
func (f Finding) String() string {
	at := ""
	switch {
	case f.Sheet != "" && f.Cell != "":
		at = fmt.Sprintf("'%s'!%s: ", f.Sheet, f.Cell)
	case f.Sheet != "":
		at = fmt.Sprintf("'%s': ", f.Sheet)
	}
	return at + string(f.Level) + ": " + f.Message
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Level == Error {
			return true
		}
	}
	return false
}

// Source is the cell a harvested value came from.
type Source struct {
	Sheet string
	Cell  string
}

// Submission is what one department planned, as harvested from its
// workbook.
type Submission struct {
	Cycle           string
	Department      string
	Template        string
	TemplateVersion int
	// Round is the collection round the workbook was generated for, if any.
	Round       string
	Lines       []Line
	Drivers     []Driver
	Hires       []Hire
	Assumptions []Assumption
	// Ranges are the department's low, likely and high cases of its own
	// plan, by account, for the Monte Carlo simulation.
	Ranges []RangeInput
	// Initiatives are the strategic initiatives the department proposes.
	Initiatives []InitiativeInput
}

// Line is one plan line: an account, optionally cut by dimension members,
// with an amount per fiscal month.
type Line struct {
	// Cells are where the line was typed, for findings.
	Cells   LineCells
	Account string
	// Dims maps a dimension id to a member id; a dimension left blank is
	// absent.
	Dims        map[string]string
	Description string
	// Months holds the amounts of fiscal periods 1-12, rounded to cents for
	// money accounts.
	Months [MonthsPerYear]decimal.Decimal
	// Comment is the department's explanation of the line.
	Comment string
}

// LineCells locates a line's cells in its workbook (A1 references).
type LineCells struct {
	Sheet   string
	Account string
	Months  [MonthsPerYear]string
	Comment string
}

// Total returns the line's full-year amount.
func (l Line) Total() decimal.Decimal { return Sum(l.Months[:]...) }

// Plans reports whether the submission's lines on an account, added up as
// the consolidation adds them, hold an amount in any month.
func (s *Submission) Plans(account string) bool {
	var months [MonthsPerYear]decimal.Decimal
	for i := range s.Lines {
		if s.Lines[i].Account != account {
			continue
		}
		for p, m := range s.Lines[i].Months {
			months[p] = months[p].Add(m)
		}
	}
	for _, m := range months {
		if !m.IsZero() {
			return true
		}
	}
	return false
}

// Driver is a revenue driver with a value per month, such as new pipeline or
// win rate.
type Driver struct {
	Source Source
	// Name is the driver's id: pipeline, win_rate, deal_size, sales_cycle.
	Name   string
	Months [MonthsPerYear]*decimal.Decimal // nil where left blank
}

// Hire is one line of the headcount plan.
type Hire struct {
	Source Source
	Role   string
	// Count is how many people the line hires (whole, at least 1).
	Count int
	// Start is the fiscal period in which they start.
	Start        Period
	AnnualSalary decimal.Decimal
	// LoadedCost is the on-top cost as a fraction of salary (0.25 is 25%).
	LoadedCost decimal.Decimal
	// RampMonths is the time to full productivity.
	RampMonths int
}

// Assumption is one entry of the assumptions register: a driver, its move,
// whether it is maintained or a changed bet, what balances it, what it
// depends on and what indicator will tell early whether it holds.
type Assumption struct {
	Source         Source
	Driver         string
	From           string
	To             string
	Status         AssumptionStatus
	Counterbalance string
	Risk           string
	Indicator      string
}

// AssumptionStatus says whether an assumption continues the past or is a
// bet to monitor.
type AssumptionStatus string

const (
	Maintained AssumptionStatus = "maintained"
	Changed    AssumptionStatus = "changed"
)

// RangeInput is how far a department thinks its plan on one account could
// move: the low, likely and high case as multipliers of the plan (0.85 is
// 15% below it). Low ≤ Likely ≤ High, all above zero.
type RangeInput struct {
	Source  Source
	Account string
	Low     decimal.Decimal
	Likely  decimal.Decimal
	High    decimal.Decimal
	// Comment is the department's word on why the plan could move so.
	Comment string
}

// The kinds of initiative a department can propose; they name the same
// kinds as the cycle file's initiatives.
const (
	InitiativeLaunch      = "launch"
	InitiativeExpansion   = "expansion"
	InitiativeAcquisition = "acquisition"
)

// InitiativeInput is a strategic initiative as a department head proposes
// it: a one-time cost in its start month, a monthly run-rate cost from that
// month on, and monthly revenue that ramps up to its full level over
// RampMonths. Its amounts are assumed to be in the department's plan lines
// already; the initiative says which part of the plan it is, so that a
// scenario can pause it.
type InitiativeInput struct {
	Source Source
	Name   string
	// Kind is InitiativeLaunch, InitiativeExpansion or
	// InitiativeAcquisition (M&A on the sheet).
	Kind string
	// Start is the fiscal month the initiative starts.
	Start Period
	// OneTimeCost is paid in the start month.
	OneTimeCost decimal.Decimal
	// MonthlyCost is the run-rate cost of every month from Start.
	MonthlyCost decimal.Decimal
	// MonthlyRevenue is the revenue of a month at full ramp.
	MonthlyRevenue decimal.Decimal
	// RampMonths is the months from Start to full revenue (0: full at once).
	RampMonths  int
	Description string
}

// Fact is one harvested input cell, as typed, with what it means: the
// record a harvest reports for every non-empty input.
type Fact struct {
	Sheet string `json:"sheet"`
	Cell  string `json:"cell"`
	// Kind is what the cell holds: amount, account, dimension, description,
	// comment, driver, headcount, assumption, range or initiative.
	Kind string `json:"kind"`
	// Field names the column, e.g. "win_rate", "start_month", "risk".
	Field string `json:"field,omitempty"`
	// Value is the cell's value as text, as read from the file.
	Value   string            `json:"value"`
	Account string            `json:"account,omitempty"`
	Period  Period            `json:"period,omitempty"`
	Dims    map[string]string `json:"dimensions,omitempty"`
	// Amount is set for numeric inputs: the value as the model holds it.
	Amount *decimal.Decimal `json:"amount,omitempty"`
}
