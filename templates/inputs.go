package templates

import (
	"fmt"
	"strconv"

	"aop/engine"
	"aop/engine/grid"
)

// Input is one value typed into one input cell.
type Input struct {
	Sheet string
	Cell  grid.Ref
	Value grid.Value
}

// Inputs returns the cell edits that type a submission into a department's
// workbook, as a person would: lines from the first plan row on, the rest of
// the plan rows cleared (including seeded ones), then drivers, hires,
// assumptions, initiatives and ranges. It is the inverse of Parse and serves
// tests and the demo.
func (t *Department) Inputs(sub *engine.Submission) ([]Input, error) {
	l := t.plan()
	if len(sub.Lines) > l.lines {
		return nil, fmt.Errorf("templates: %d lines do not fit the %d plan rows", len(sub.Lines), l.lines)
	}
	if len(sub.Hires) > t.spec.Hires || len(sub.Assumptions) > t.spec.Assumptions ||
		len(sub.Initiatives) > t.spec.Initiatives || len(sub.Ranges) > t.spec.Ranges {
		return nil, fmt.Errorf("templates: too many hires, assumptions, initiatives or ranges for the template")
	}
	var in []Input
	set := func(sheet string, row, col int, v grid.Value) {
		in = append(in, Input{Sheet: sheet, Cell: grid.R(row, col), Value: v})
	}
	plan := t.spec.Sheets.Plan
	for i := 0; i < l.lines; i++ {
		row := planFirstRow + i
		var line engine.Line
		if i < len(sub.Lines) {
			line = sub.Lines[i]
		}
		acct := grid.Value{}
		if a, ok := t.cycle.Account(line.Account); ok {
			acct = grid.Str(a.Label())
		}
		set(plan, row, l.account, acct)
		for j, dim := range t.cycle.Dimensions {
			v := grid.Value{}
			if id, ok := line.Dims[dim.ID]; ok {
				if m, found := member(dim, id); found {
					v = grid.Str(memberLabel(m))
				}
			}
			set(plan, row, l.dims[j], v)
		}
		set(plan, row, l.description, grid.Str(line.Description))
		for _, p := range engine.Periods() {
			v := grid.Value{}
			if i < len(sub.Lines) {
				v = grid.Num(line.Months[p-1])
			}
			set(plan, row, l.monthCol(p), v)
		}
		set(plan, row, l.explanation, grid.Str(line.Comment))
	}
	if t.hasDrivers(sub.Department) {
		for _, d := range sub.Drivers {
			for i, spec := range t.spec.Drivers {
				if spec.ID != d.Name {
					continue
				}
				for _, p := range engine.Periods() {
					if v := d.Months[p-1]; v != nil {
						set(t.spec.Sheets.Drivers, tableFirstRow+i, 1+int(p), grid.Num(*v))
					}
				}
			}
		}
	}
	hc := t.spec.Sheets.Headcount
	for i, h := range sub.Hires {
		row := tableFirstRow + i
		set(hc, row, hcRole, grid.Str(h.Role))
		set(hc, row, hcCount, grid.Int(int64(h.Count)))
		set(hc, row, hcStart, grid.Str(t.MonthLabel(h.Start)))
		set(hc, row, hcSalary, grid.Num(h.AnnualSalary))
		set(hc, row, hcLoaded, grid.Num(h.LoadedCost))
		set(hc, row, hcRamp, grid.Int(int64(h.RampMonths)))
	}
	as := t.spec.Sheets.Assumptions
	for i, a := range sub.Assumptions {
		row := tableFirstRow + i
		for c, s := range map[int]string{asDriver: a.Driver, asFrom: a.From, asTo: a.To, asStatus: string(a.Status),
			asCounterbalance: a.Counterbalance, asRisk: a.Risk, asIndicator: a.Indicator} {
			set(as, row, c, grid.Str(s))
		}
	}
	is := t.spec.Sheets.Initiatives
	for i, x := range sub.Initiatives {
		row := tableFirstRow + i
		set(is, row, inName, grid.Str(x.Name))
		set(is, row, inKind, grid.Str(initiativeKindLabel(x.Kind)))
		set(is, row, inStart, grid.Str(t.MonthLabel(x.Start)))
		set(is, row, inOneTime, grid.Num(x.OneTimeCost))
		set(is, row, inMonthlyCost, grid.Num(x.MonthlyCost))
		set(is, row, inRevenue, grid.Num(x.MonthlyRevenue))
		set(is, row, inRamp, grid.Int(int64(x.RampMonths)))
		set(is, row, inDescription, grid.Str(x.Description))
	}
	rs := t.spec.Sheets.Ranges
	for i, r := range sub.Ranges {
		row := tableFirstRow + i
		acct := grid.Str(r.Account)
		if a, ok := t.cycle.Account(r.Account); ok {
			acct = grid.Str(a.Label())
		}
		set(rs, row, rgAccount, acct)
		set(rs, row, rgLow, grid.Num(r.Low))
		set(rs, row, rgLikely, grid.Num(r.Likely))
		set(rs, row, rgHigh, grid.Num(r.High))
		set(rs, row, rgWhy, grid.Str(r.Comment))
	}
	return in, nil
}

// PlanCell returns the cell of a plan line's field, for tests and tools
// that type into a workbook: field is "account", "description",
// "explanation", a dimension id, or "month:N" for fiscal month N. line
// counts from 0.
func (t *Department) PlanCell(line int, field string) (string, grid.Ref, error) {
	l := t.plan()
	if line < 0 || line >= l.lines {
		return "", grid.Ref{}, fmt.Errorf("templates: line %d is outside the %d plan rows", line, l.lines)
	}
	row := planFirstRow + line
	col := 0
	switch field {
	case "account":
		col = l.account
	case "description":
		col = l.description
	case "explanation":
		col = l.explanation
	default:
		if len(field) > 6 && field[:6] == "month:" {
			n, err := strconv.Atoi(field[6:])
			if err == nil && n >= 1 && n <= engine.MonthsPerYear {
				col = l.monthCol(engine.Period(n))
			}
		}
		for i, d := range t.cycle.Dimensions {
			if d.ID == field {
				col = l.dims[i]
			}
		}
	}
	if col == 0 {
		return "", grid.Ref{}, fmt.Errorf("templates: unknown plan field %q", field)
	}
	return t.spec.Sheets.Plan, grid.R(row, col), nil
}

// HeadcountCell returns the cell of a headcount line's field (role, count,
// start_month, annual_salary, loaded_cost, ramp_months); line counts from 0.
func (t *Department) HeadcountCell(line int, field string) (string, grid.Ref, error) {
	cols := map[string]int{"role": hcRole, "count": hcCount, "start_month": hcStart, "annual_salary": hcSalary, "loaded_cost": hcLoaded, "ramp_months": hcRamp}
	c, ok := cols[field]
	if !ok || line < 0 || line >= t.spec.Hires {
		return "", grid.Ref{}, fmt.Errorf("templates: no headcount cell %q on line %d", field, line)
	}
	return t.spec.Sheets.Headcount, grid.R(tableFirstRow+line, c), nil
}

// AssumptionCell returns the cell of an assumption's field (driver, from,
// to, status, counterbalance, risk, indicator); line counts from 0.
func (t *Department) AssumptionCell(line int, field string) (string, grid.Ref, error) {
	cols := map[string]int{"driver": asDriver, "from": asFrom, "to": asTo, "status": asStatus, "counterbalance": asCounterbalance, "risk": asRisk, "indicator": asIndicator}
	c, ok := cols[field]
	if !ok || line < 0 || line >= t.spec.Assumptions {
		return "", grid.Ref{}, fmt.Errorf("templates: no assumption cell %q on line %d", field, line)
	}
	return t.spec.Sheets.Assumptions, grid.R(tableFirstRow+line, c), nil
}

// InitiativeCell returns the cell of an initiative's field (name, kind,
// start_month, one_time_cost, monthly_cost, monthly_revenue, ramp_months,
// description); line counts from 0.
func (t *Department) InitiativeCell(line int, field string) (string, grid.Ref, error) {
	cols := map[string]int{"name": inName, "kind": inKind, "start_month": inStart, "one_time_cost": inOneTime, "monthly_cost": inMonthlyCost,
		"monthly_revenue": inRevenue, "ramp_months": inRamp, "description": inDescription}
	c, ok := cols[field]
	if !ok || line < 0 || line >= t.spec.Initiatives {
		return "", grid.Ref{}, fmt.Errorf("templates: no initiative cell %q on line %d", field, line)
	}
	return t.spec.Sheets.Initiatives, grid.R(tableFirstRow+line, c), nil
}

// RangeCell returns the cell of a range's field (account, low, likely,
// high, comment); line counts from 0.
func (t *Department) RangeCell(line int, field string) (string, grid.Ref, error) {
	cols := map[string]int{"account": rgAccount, "low": rgLow, "likely": rgLikely, "high": rgHigh, "comment": rgWhy}
	c, ok := cols[field]
	if !ok || line < 0 || line >= t.spec.Ranges {
		return "", grid.Ref{}, fmt.Errorf("templates: no range cell %q on line %d", field, line)
	}
	return t.spec.Sheets.Ranges, grid.R(tableFirstRow+line, c), nil
}

// DriverCell returns the cell of a driver in fiscal month p.
func (t *Department) DriverCell(driver string, p engine.Period) (string, grid.Ref, error) {
	for i, d := range t.spec.Drivers {
		if d.ID == driver && p >= 1 && p <= engine.MonthsPerYear {
			return t.spec.Sheets.Drivers, grid.R(tableFirstRow+i, 1+int(p)), nil
		}
	}
	return "", grid.Ref{}, fmt.Errorf("templates: no driver cell %q in period %d", driver, p)
}

// Lines returns how many plan lines the workbooks offer.
func (t *Department) Lines() int { return t.plan().lines }

// HasDrivers reports whether a department's workbook has the Drivers sheet.
func (t *Department) HasDrivers(dept string) bool { return t.hasDrivers(dept) }
