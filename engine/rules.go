package engine

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// CheckRules applies the cycle's validation rules to a submission and
// returns a finding for every breach, placed at the cell the department
// should change. Growth rules compare an account's full year, summed over
// all its lines, with the prior year's actuals; an account without prior
// actuals has no growth to check.
func CheckRules(c *Cycle, s *Submission) []Finding {
	if len(c.Rules) == 0 {
		return nil
	}
	var fs []Finding
	byAccount := map[string][]int{}
	var order []string
	for i := range s.Lines {
		code := s.Lines[i].Account // by index: lines are large to copy
		if _, seen := byAccount[code]; !seen {
			order = append(order, code)
		}
		byAccount[code] = append(byAccount[code], i)
	}
	for _, r := range c.Rules {
		for _, code := range order {
			a, ok := c.Account(code)
			if !ok || !ruleApplies(r, a) {
				continue
			}
			lines := byAccount[code]
			first := s.Lines[lines[0]]
			switch r.Kind {
			case RuleExplainGrowth, RuleMaxGrowth:
				prior, ok := c.PriorActual(s.Department, code)
				if !ok || !prior.IsPositive() {
					continue
				}
				total := decimal.Zero
				for _, i := range lines {
					total = total.Add(s.Lines[i].Total())
				}
				growth := total.Div(prior).Sub(decimal.NewFromInt(1))
				if growth.LessThanOrEqual(r.Threshold) {
					continue
				}
				what := fmt.Sprintf("%s grows %s over last year's actuals (%s against %s)",
					a.Label(), Percent(growth), FormatMoney(total), FormatMoney(prior))
				if r.Kind == RuleMaxGrowth {
					fs = append(fs, Finding{Sheet: first.Cells.Sheet, Cell: first.Cells.Account, Level: r.Level, Rule: r.ID,
						Message: fmt.Sprintf("%s; the cycle allows at most %s: lower the amounts or talk to finance", what, Percent(r.Threshold))})
					continue
				}
				explained := slices.ContainsFunc(lines, func(i int) bool { return s.Lines[i].Comment != "" })
				if !explained {
					fs = append(fs, Finding{Sheet: first.Cells.Sheet, Cell: first.Cells.Comment, Level: r.Level, Rule: r.ID,
						Message: fmt.Sprintf("%s; growth above %s needs an explanation: say why in the Explanation column", what, Percent(r.Threshold))})
				}
			case RuleNoNegative:
				for _, i := range lines {
					l := s.Lines[i]
					for p, m := range l.Months {
						if m.IsNegative() {
							fs = append(fs, Finding{Sheet: l.Cells.Sheet, Cell: l.Cells.Months[p], Level: r.Level, Rule: r.ID,
								Message: fmt.Sprintf("%s: %s is negative in %s; amounts must be zero or more", a.Label(), FormatMoney(m), c.Year.Label(Period(p+1)))})
						}
					}
				}
			}
		}
	}
	return fs
}

func ruleApplies(r Rule, a Account) bool {
	if len(r.Accounts) == 0 {
		return a.Type.IsMoney()
	}
	return slices.Contains(r.Accounts, a.Code) || (a.Group != "" && slices.Contains(r.Accounts, a.Group))
}

// Percent formats a fraction as a percentage with one decimal: 0.4213 → "42.1%".
func Percent(f decimal.Decimal) string { return f.Shift(2).StringFixed(1) + "%" }

// FormatMoney formats an amount with thousands separators and cents:
// 1234567.5 → "1,234,567.50".
func FormatMoney(d decimal.Decimal) string {
	s := RoundMoney(d).StringFixed(MinorUnits)
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var b []byte
	for i := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, intPart[i])
	}
	if neg {
		return "-" + string(b) + frac
	}
	return string(b) + frac
}
