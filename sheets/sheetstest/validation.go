package sheetstest

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// validationConditions are the BooleanCondition types data validation
// accepts, with how many condition values each takes (min, max; -1 is any
// number), per the discovery document.
var validationConditions = map[string][2]int{
	"NUMBER_GREATER": {1, 1}, "NUMBER_GREATER_THAN_EQ": {1, 1}, "NUMBER_LESS": {1, 1}, "NUMBER_LESS_THAN_EQ": {1, 1},
	"NUMBER_EQ": {1, 1}, "NUMBER_NOT_EQ": {1, 1}, "NUMBER_BETWEEN": {2, 2}, "NUMBER_NOT_BETWEEN": {2, 2},
	"TEXT_CONTAINS": {1, 1}, "TEXT_NOT_CONTAINS": {1, 1}, "TEXT_EQ": {1, 1}, "TEXT_IS_EMAIL": {0, 0}, "TEXT_IS_URL": {0, 0},
	"DATE_EQ": {1, 1}, "DATE_BEFORE": {1, 1}, "DATE_AFTER": {1, 1}, "DATE_ON_OR_BEFORE": {1, 1}, "DATE_ON_OR_AFTER": {1, 1},
	"DATE_BETWEEN": {2, 2}, "DATE_NOT_BETWEEN": {2, 2}, "DATE_IS_VALID": {0, 0},
	"ONE_OF_RANGE": {1, 1}, "ONE_OF_LIST": {1, -1}, "CUSTOM_FORMULA": {1, 1}, "BOOLEAN": {0, 2},
}

func (b *batch) setDataValidation(r *sheets.SetDataValidationRequest) *reqError {
	sh, area, err := b.grid(r.Range)
	if err != nil {
		return err
	}
	if err := b.editable(sh, area); err != nil {
		return err
	}
	var rule *sheets.DataValidationRule
	if r.Rule != nil {
		if msg := checkRule(b.ss, r.Rule); msg != "" {
			return failf("%s", msg)
		}
		rule = cloneJSON(r.Rule)
	}
	for i := area.R0; i < area.R1; i++ {
		for j := area.C0; j < area.C1; j++ {
			k := cellKey{i, j}
			var nc sheets.CellData
			if old := sh.Cells[k]; old != nil {
				nc = *old
			}
			nc.DataValidation = rule
			putCell(sh, k, storedCell(&nc))
		}
	}
	return nil
}

// checkRule validates a data validation rule as Sheets does.
func checkRule(ss *spreadsheetState, rule *sheets.DataValidationRule) string {
	c := rule.Condition
	if c == nil {
		return "A data validation rule must have a condition."
	}
	counts, ok := validationConditions[c.Type]
	if !ok {
		return fmt.Sprintf("Invalid condition type %s for data validation.", c.Type)
	}
	n := len(c.Values)
	if n < counts[0] || (counts[1] >= 0 && n > counts[1]) {
		switch {
		case counts[0] == counts[1] && counts[0] == 0:
			return fmt.Sprintf("Condition type %s takes no condition values.", c.Type)
		case counts[0] == counts[1]:
			return fmt.Sprintf("Condition type %s requires exactly %d condition value(s), got %d.", c.Type, counts[0], n)
		case counts[1] < 0:
			return fmt.Sprintf("Condition type %s requires at least %d condition value(s).", c.Type, counts[0])
		}
		return fmt.Sprintf("Condition type %s takes at most %d condition values, got %d.", c.Type, counts[1], n)
	}
	for i, v := range c.Values {
		if v.RelativeDate != "" {
			return "Relative dates are not supported in data validation."
		}
		uv := v.UserEnteredValue
		switch {
		case strings.HasPrefix(c.Type, "NUMBER_"):
			if !strings.HasPrefix(uv, "=") {
				if _, _, ok := parseTypedNumber(strings.TrimSpace(uv)); !ok {
					return fmt.Sprintf("Invalid condition value %q at index %d: %s requires a number.", uv, i, c.Type)
				}
			}
		case strings.HasPrefix(c.Type, "DATE_"):
			if !strings.HasPrefix(uv, "=") {
				if _, _, ok := parseTypedDate(strings.TrimSpace(uv)); !ok {
					if _, _, ok := parseTypedNumber(strings.TrimSpace(uv)); !ok {
						return fmt.Sprintf("Invalid condition value %q at index %d: %s requires a date.", uv, i, c.Type)
					}
				}
			}
		case c.Type == "ONE_OF_RANGE":
			a1 := strings.TrimPrefix(uv, "=")
			if _, err := resolveA1(ss, a1, true); err != nil {
				return fmt.Sprintf("Invalid condition value %q: ONE_OF_RANGE requires a valid range in A1 notation.", uv)
			}
		case c.Type == "CUSTOM_FORMULA":
			if !strings.HasPrefix(uv, "=") && !strings.HasPrefix(uv, "+") {
				return fmt.Sprintf("Invalid condition value %q: CUSTOM_FORMULA requires a formula starting with =.", uv)
			}
		case c.Type == "ONE_OF_LIST":
			if strings.HasPrefix(uv, "=") {
				return "Formulas are not supported in ONE_OF_LIST values."
			}
		}
	}
	return ""
}

// checkValidation applies a cell's strict data validation to a value a
// person types (EditAs); API writes are not checked, as in Sheets. It
// returns Sheets' refusal message, or "".
func (s *Server) checkValidation(ss *spreadsheetState, sh *sheetState, k cellKey, in inputValue) string {
	cd := sh.Cells[k]
	if cd == nil || cd.DataValidation == nil || !cd.DataValidation.Strict || in.value == nil {
		return ""
	}
	if in.value.FormulaValue != nil {
		return "" // formulas are checked on their result; not modelled
	}
	if s.valueSatisfies(ss, cd.DataValidation.Condition, in.value) {
		return ""
	}
	msg := fmt.Sprintf("The data you entered in cell %s violates the data validation rules set on this cell.", cellName(k.Row, k.Col))
	if cd.DataValidation.InputMessage != "" {
		msg += " " + cd.DataValidation.InputMessage
	}
	return msg
}

// conditionNumber evaluates a number or date condition value.
func conditionNumber(uv string) (float64, bool) {
	uv = strings.TrimSpace(uv)
	if f, _, ok := parseTypedNumber(uv); ok {
		return f, true
	}
	if f, _, ok := parseTypedDate(uv); ok {
		return f, true
	}
	return 0, false
}

func (s *Server) valueSatisfies(ss *spreadsheetState, c *sheets.BooleanCondition, v *sheets.ExtendedValue) bool {
	if c == nil {
		return true
	}
	vals := make([]string, len(c.Values))
	for i, cv := range c.Values {
		vals[i] = cv.UserEnteredValue
	}
	num := func() (float64, bool) {
		if v.NumberValue != nil {
			return *v.NumberValue, true
		}
		return 0, false
	}
	text := ""
	switch {
	case v.StringValue != nil:
		text = *v.StringValue
	case v.NumberValue != nil:
		text = automatic(*v.NumberValue)
	case v.BoolValue != nil:
		text = strings.ToUpper(strconv.FormatBool(*v.BoolValue))
	}
	bound := func(i int) (float64, bool) {
		if i >= len(vals) || strings.HasPrefix(vals[i], "=") {
			return 0, false
		}
		return conditionNumber(vals[i])
	}
	cmp := func(test func(x, a, b float64) bool) bool {
		x, ok := num()
		if !ok {
			return false
		}
		a, okA := bound(0)
		b, okB := bound(1)
		if !okA || (len(vals) > 1 && !okB) {
			return true // formula bounds are not evaluated
		}
		return test(x, a, b)
	}
	switch c.Type {
	case "NUMBER_GREATER", "DATE_AFTER":
		return cmp(func(x, a, _ float64) bool { return x > a })
	case "NUMBER_GREATER_THAN_EQ", "DATE_ON_OR_AFTER":
		return cmp(func(x, a, _ float64) bool { return x >= a })
	case "NUMBER_LESS", "DATE_BEFORE":
		return cmp(func(x, a, _ float64) bool { return x < a })
	case "NUMBER_LESS_THAN_EQ", "DATE_ON_OR_BEFORE":
		return cmp(func(x, a, _ float64) bool { return x <= a })
	case "NUMBER_EQ":
		return cmp(func(x, a, _ float64) bool { return x == a })
	case "DATE_EQ":
		return cmp(func(x, a, _ float64) bool { return math.Floor(x) == math.Floor(a) })
	case "NUMBER_NOT_EQ":
		return cmp(func(x, a, _ float64) bool { return x != a })
	case "NUMBER_BETWEEN", "DATE_BETWEEN":
		return cmp(func(x, a, b float64) bool { return x >= min(a, b) && x <= max(a, b) })
	case "NUMBER_NOT_BETWEEN", "DATE_NOT_BETWEEN":
		return cmp(func(x, a, b float64) bool { return x < min(a, b) || x > max(a, b) })
	case "DATE_IS_VALID":
		_, ok := num()
		return ok
	case "TEXT_CONTAINS":
		return strings.Contains(strings.ToLower(text), strings.ToLower(vals[0]))
	case "TEXT_NOT_CONTAINS":
		return !strings.Contains(strings.ToLower(text), strings.ToLower(vals[0]))
	case "TEXT_EQ":
		return strings.EqualFold(text, vals[0])
	case "TEXT_IS_EMAIL":
		a, err := mail.ParseAddress(text)
		return err == nil && a.Address == text
	case "TEXT_IS_URL":
		u, err := url.Parse(text)
		return err == nil && u.Scheme != "" && u.Host != ""
	case "ONE_OF_LIST":
		for _, o := range vals {
			if strings.EqualFold(strings.TrimSpace(o), strings.TrimSpace(text)) {
				return true
			}
		}
		return false
	case "ONE_OF_RANGE":
		r, err := resolveA1(ss, strings.TrimPrefix(vals[0], "="), true)
		if err != nil {
			return false
		}
		for key := range r.Sheet.Cells {
			if r.Rect.contains(key.Row, key.Col) {
				if ev := s.effectiveValue(ss, r.Sheet, key); ev != nil && strings.EqualFold(formatExtended(ev, nil, ""), text) {
					return true
				}
			}
		}
		return false
	case "BOOLEAN":
		if len(vals) == 0 {
			return v.BoolValue != nil
		}
		for _, o := range vals {
			if strings.EqualFold(o, text) {
				return true
			}
		}
		return false
	}
	return true // CUSTOM_FORMULA and others are not evaluated
}
