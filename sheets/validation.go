package sheets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	sheetsv4 "google.golang.org/api/sheets/v4"

	"aop/engine/grid"
)

// Sheets' data validation keeps a rule, an input message and whether a
// refused value is blocked (strict) or only flagged; it has no titles, no
// error message and always lets a cell be blank. Rules Sheets lacks are
// said as custom formulas on the range's top-left cell, in shapes this
// file reads back: whole numbers as AND(ISNUMBER(F2),F2=INT(F2),cond) and
// text lengths as LEN(I2) compared, or AND of two such.

var numberConditions = map[grid.Operator]string{
	grid.Between: "NUMBER_BETWEEN", grid.NotBetween: "NUMBER_NOT_BETWEEN", grid.Equal: "NUMBER_EQ",
	grid.NotEqual: "NUMBER_NOT_EQ", grid.GreaterThan: "NUMBER_GREATER", grid.LessThan: "NUMBER_LESS",
	grid.GreaterOrEqual: "NUMBER_GREATER_THAN_EQ", grid.LessOrEqual: "NUMBER_LESS_THAN_EQ",
}

var dateConditions = map[grid.Operator]string{
	grid.Between: "DATE_BETWEEN", grid.NotBetween: "DATE_NOT_BETWEEN", grid.Equal: "DATE_EQ",
	grid.GreaterThan: "DATE_AFTER", grid.LessThan: "DATE_BEFORE",
	grid.GreaterOrEqual: "DATE_ON_OR_AFTER", grid.LessOrEqual: "DATE_ON_OR_BEFORE",
}

var comparators = map[grid.Operator]string{
	grid.Equal: "=", grid.NotEqual: "<>", grid.GreaterThan: ">", grid.LessThan: "<",
	grid.GreaterOrEqual: ">=", grid.LessOrEqual: "<=",
}

func (r *renderer) validation(sheet string, id int64, v grid.Validation) error {
	for _, rg := range v.Ranges {
		rule, err := validationRule(v, rg.From, r.ranges)
		if err != nil {
			return fmt.Errorf("sheets: %s!%s validation: %w", sheet, rg, err)
		}
		r.add(&sheetsv4.Request{SetDataValidation: &sheetsv4.SetDataValidationRequest{Range: gridRange(id, rg), Rule: rule}})
	}
	return nil
}

func validationRule(v grid.Validation, at grid.Ref, names map[string]string) (*sheetsv4.DataValidationRule, error) {
	rule := &sheetsv4.DataValidationRule{InputMessage: v.InputMessage, Strict: v.ErrorStyle == grid.ErrorStop}
	if rule.InputMessage == "" && v.InputTitle != "" {
		rule.InputMessage = v.InputTitle
	}
	cond := &sheetsv4.BooleanCondition{}
	rule.Condition = cond
	values := func(vs ...string) {
		for _, s := range vs {
			cond.Values = append(cond.Values, &sheetsv4.ConditionValue{UserEnteredValue: s})
		}
	}
	bounds := func() []string {
		if v.Operator == grid.Between || v.Operator == grid.NotBetween {
			return []string{v.Formula1, v.Formula2}
		}
		return []string{v.Formula1}
	}
	cell := at.String()
	switch v.Type {
	case grid.ValidateAny:
		cond.Type = "CUSTOM_FORMULA"
		values("=TRUE")
		rule.Strict = false
	case grid.ValidateList:
		rule.ShowCustomUi = true
		if len(v.List) > 0 {
			cond.Type = "ONE_OF_LIST"
			values(v.List...)
		} else {
			// Sheets wants the list's range itself: a defined name is
			// resolved, and references are relative (no $).
			src := strings.TrimPrefix(v.Formula1, "=")
			if rg, ok := names[strings.ToLower(src)]; ok {
				src = rg
			}
			sheet, rg, err := grid.SplitSheetRef(src)
			if err != nil {
				return nil, fmt.Errorf("the list %q is not a range on a sheet", v.Formula1)
			}
			cond.Type = "ONE_OF_RANGE"
			values("=" + grid.QuoteSheet(sheet) + "!" + rg.String())
		}
	case grid.ValidateDecimal:
		cond.Type = numberConditions[v.Operator]
		values(operands(bounds())...)
	case grid.ValidateDate:
		t, ok := dateConditions[v.Operator]
		if !ok {
			return nil, fmt.Errorf("no date rule %s in Google Sheets", v.Operator)
		}
		cond.Type = t
		for _, b := range bounds() {
			values(dateOperand(b))
		}
	case grid.ValidateWhole:
		cond.Type = "CUSTOM_FORMULA"
		values(fmt.Sprintf("=AND(ISNUMBER(%s),%s=INT(%s),%s)", cell, cell, cell, comparison(cell, v)))
	case grid.ValidateTextLength:
		cond.Type = "CUSTOM_FORMULA"
		values("=" + comparison("LEN("+cell+")", v))
	default:
		return nil, fmt.Errorf("unknown rule type %d", v.Type)
	}
	if cond.Type == "" {
		return nil, fmt.Errorf("unknown operator %s", v.Operator)
	}
	return rule, nil
}

// operands are rule bounds as Sheets reads them: numbers as they are,
// formulas with their "=".
func operands(bs []string) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		if _, err := strconv.ParseFloat(b, 64); err == nil {
			out[i] = b
		} else {
			out[i] = "=" + strings.TrimPrefix(b, "=")
		}
	}
	return out
}

// dateOperand says a date bound (a serial number) as an ISO date.
func dateOperand(b string) string {
	f, err := strconv.ParseFloat(b, 64)
	if err != nil {
		return "=" + strings.TrimPrefix(b, "=")
	}
	return grid.SerialToTime(f, false).Format(time.DateOnly)
}

func comparison(x string, v grid.Validation) string {
	switch v.Operator {
	case grid.Between:
		return fmt.Sprintf("AND(%s>=%s,%s<=%s)", x, v.Formula1, x, v.Formula2)
	case grid.NotBetween:
		return fmt.Sprintf("OR(%s<%s,%s>%s)", x, v.Formula1, x, v.Formula2)
	default:
		return x + comparators[v.Operator] + v.Formula1
	}
}

var (
	wholeRule  = regexp.MustCompile(`^=AND\(ISNUMBER\(([A-Z]+[0-9]+)\),([A-Z]+[0-9]+)=INT\(([A-Z]+[0-9]+)\),(.*)\)$`)
	between    = regexp.MustCompile(`^AND\((.+)>=(.+),(.+)<=(.+)\)$`)
	notBetween = regexp.MustCompile(`^OR\((.+)<(.+),(.+)>(.+)\)$`)
	compare    = regexp.MustCompile(`^(.+?)(<>|>=|<=|=|>|<)(.+)$`)
)

// readValidation is the grid rule a Sheets rule says.
func readValidation(rule *sheetsv4.DataValidationRule) grid.Validation {
	v := grid.Validation{InputMessage: rule.InputMessage, AllowBlank: true, ErrorStyle: grid.ErrorWarning}
	if rule.Strict {
		v.ErrorStyle = grid.ErrorStop
	}
	cond := rule.Condition
	if cond == nil {
		return v
	}
	vals := make([]string, len(cond.Values))
	for i, cv := range cond.Values {
		vals[i] = cv.UserEnteredValue
	}
	bound := func(i int) string {
		if i < len(vals) {
			return strings.TrimPrefix(vals[i], "=")
		}
		return ""
	}
	switch {
	case cond.Type == "ONE_OF_LIST":
		v.Type, v.List = grid.ValidateList, vals
	case cond.Type == "ONE_OF_RANGE":
		v.Type, v.Formula1 = grid.ValidateList, bound(0)
	case strings.HasPrefix(cond.Type, "NUMBER_"):
		v.Type = grid.ValidateDecimal
		v.Operator = reverse(numberConditions, cond.Type)
		v.Formula1, v.Formula2 = bound(0), bound(1)
	case strings.HasPrefix(cond.Type, "DATE_"):
		v.Type = grid.ValidateDate
		v.Operator = reverse(dateConditions, cond.Type)
		v.Formula1, v.Formula2 = serialOperand(bound(0)), serialOperand(bound(1))
	case cond.Type == "CUSTOM_FORMULA" && len(vals) == 1:
		f := vals[0]
		if f == "=TRUE" {
			v.Type = grid.ValidateAny
			break
		}
		if m := wholeRule.FindStringSubmatch(f); m != nil {
			v.Type = grid.ValidateWhole
			v.Operator, v.Formula1, v.Formula2 = readComparison(m[4])
			break
		}
		if strings.Contains(f, "LEN(") {
			v.Type = grid.ValidateTextLength
			v.Operator, v.Formula1, v.Formula2 = readComparison(strings.TrimPrefix(f, "="))
			break
		}
		v.Type, v.Formula1 = grid.ValidateAny, bound(0)
	}
	return v
}

func reverse(m map[grid.Operator]string, t string) grid.Operator {
	for op, name := range m {
		if name == t {
			return op
		}
	}
	return grid.Between
}

func readComparison(s string) (grid.Operator, string, string) {
	if m := between.FindStringSubmatch(s); m != nil {
		return grid.Between, m[2], m[4]
	}
	if m := notBetween.FindStringSubmatch(s); m != nil {
		return grid.NotBetween, m[2], m[4]
	}
	if m := compare.FindStringSubmatch(s); m != nil {
		for op, c := range comparators {
			if c == m[2] {
				return op, m[3], ""
			}
		}
	}
	return grid.Between, s, ""
}

// serialOperand turns an ISO date bound back into a serial number.
func serialOperand(b string) string {
	t, err := time.Parse(time.DateOnly, b)
	if err != nil {
		return b
	}
	return strconv.FormatFloat(grid.TimeToSerial(t, false), 'f', -1, 64)
}
