package grid

import "fmt"

// The names below are for messages and dumps.

// String names the validation type, e.g. "list".
func (t ValidationType) String() string {
	switch t {
	case ValidateAny:
		return "any"
	case ValidateList:
		return "list"
	case ValidateDecimal:
		return "decimal"
	case ValidateWhole:
		return "whole"
	case ValidateDate:
		return "date"
	case ValidateTextLength:
		return "textLength"
	}
	return fmt.Sprintf("type(%d)", t)
}

// String names the operator, e.g. "notBetween".
func (op Operator) String() string {
	switch op {
	case Between:
		return "between"
	case NotBetween:
		return "notBetween"
	case Equal:
		return "equal"
	case NotEqual:
		return "notEqual"
	case GreaterThan:
		return "greaterThan"
	case LessThan:
		return "lessThan"
	case GreaterOrEqual:
		return "greaterOrEqual"
	case LessOrEqual:
		return "lessOrEqual"
	}
	return fmt.Sprintf("operator(%d)", op)
}

// String names the chart type, e.g. "stacked column".
func (t ChartType) String() string {
	switch t {
	case ChartColumn:
		return "column"
	case ChartColumnStacked:
		return "stacked column"
	case ChartBar:
		return "bar"
	case ChartLine:
		return "line"
	}
	return fmt.Sprintf("type(%d)", t)
}
