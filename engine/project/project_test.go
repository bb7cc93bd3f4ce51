package project

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ds(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

// assertDec compares a decimal with its expected value numerically.
func assertDec(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	assert.True(t, d(want).Equal(got), append([]any{"want %s, got %s", want, got.String()}, msgAndArgs...)...)
}

// assertDecs compares a series with its expected values.
func assertDecs(t *testing.T, want []string, got []decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	require.Len(t, got, len(want), msgAndArgs...)
	for i := range want {
		assertDec(t, want[i], got[i], append([]any{"month index %d"}, append([]any{i}, msgAndArgs...)...)...)
	}
}

// inputErrors returns every *InputError inside err.
func inputErrors(err error) []*InputError {
	var out []*InputError
	var walk func(error)
	walk = func(e error) {
		if ie, ok := e.(*InputError); ok {
			out = append(out, ie)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// requireFields checks that err refuses exactly the named fields.
func requireFields(t *testing.T, err error, fields ...string) []*InputError {
	t.Helper()
	require.Error(t, err)
	ies := inputErrors(err)
	var got []string
	for _, ie := range ies {
		got = append(got, ie.Field)
	}
	require.ElementsMatch(t, fields, got, "error: %v", err)
	for _, f := range fields {
		assert.Contains(t, err.Error(), f)
	}
	return ies
}

func sum(ds []decimal.Decimal) decimal.Decimal { return engine.Sum(ds...) }

func TestInputErrorNamesFieldItemAndValue(t *testing.T) {
	e := &InputError{Field: "Roles[2].AnnualSalary", Item: "Account executive", Rule: "must be ≥ 0", Value: "-5"}
	assert.Equal(t, "Roles[2].AnnualSalary (Account executive) must be ≥ 0, got -5", e.Error())
	e.Item = ""
	assert.Equal(t, "Roles[2].AnnualSalary must be ≥ 0, got -5", e.Error())
}

func TestHorizonMustHaveAMonth(t *testing.T) {
	_, err := ProjectBookings(Pipeline{}, 0)
	requireFields(t, err, "months")
	_, err = RecognizeBookings(nil, Contracts{TermMonths: 12}, -1)
	requireFields(t, err, "months")
	_, err = ProjectHeadcount(Department{LoadFactor: one}, 0)
	requireFields(t, err, "months")
	_, err = ProjectCash(CashInputs{}, 0)
	requireFields(t, err, "months")
}
