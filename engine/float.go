package engine

import (
	"encoding/json"
	"math"
)

// Float is a float64 that JSON carries whatever it holds: NaN (a figure
// that does not exist, such as the percent of a zero plan) as null, and
// the infinities (a t statistic of errors without spread) as "+Inf" and
// "-Inf". encoding/json refuses all three as numbers, which would make a
// report that holds one impossible to store.
type Float float64

// MarshalJSON writes f as a number, null or "±Inf".
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte("null"), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(x)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Float) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = Float(math.NaN())
		return nil
	case `"+Inf"`:
		*f = Float(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = Float(math.Inf(-1))
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = Float(x)
	return nil
}
