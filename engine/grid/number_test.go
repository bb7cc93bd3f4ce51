package grid

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// FuzzParseDecimal checks the short path of ParseDecimal against decimal's
// own parser: whatever it accepts, decimal accepts with the same
// coefficient and exponent.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0", "756538.27", "361774.3", "100.00", ".5", "-.5", "1.", "-",
		".", "", "1e5", "1.2.3", "999999999999999999", "9999999999999999999", "-0.000000000000000001",
		"00012", "+1", " 1", "1,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := shortDecimal(s)
		want, err := decimal.NewFromString(s)
		if !ok {
			return
		}
		require.NoError(t, err, "%q is read as %s, decimal refuses it", s, got)
		require.Zero(t, want.Cmp(got), "%q: %s, want %s", s, got, want)
		require.Equal(t, want.Exponent(), got.Exponent(), "%q", s)
		require.Equal(t, want.Coefficient().String(), got.Coefficient().String(), "%q", s)
	})
}

func TestParseDecimalTakesEveryNumberDecimalTakes(t *testing.T) {
	for _, s := range []string{"756538.27", "1e5", "1.5E-3", "9999999999999999999.99", "-12"} {
		got, err := ParseDecimal(s)
		require.NoError(t, err, s)
		require.Equal(t, decimal.RequireFromString(s).String(), got.String(), s)
	}
	for _, s := range []string{"", "-", ".", "1.2.3", "abc", "1,5"} {
		_, err := ParseDecimal(s)
		require.Error(t, err, "%q", s)
	}
}
