package engine

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFloatJSON(t *testing.T) {
	for _, x := range []float64{0, -0.125, 1e300, math.NaN(), math.Inf(1), math.Inf(-1)} {
		b, err := json.Marshal(Float(x))
		require.NoError(t, err, "%v", x)
		var back Float
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		if math.IsNaN(x) {
			assert.Equal(t, "null", string(b))
			assert.True(t, math.IsNaN(float64(back)))
			continue
		}
		assert.Equal(t, x, float64(back), "%s", b)
	}
	var f Float
	assert.Error(t, json.Unmarshal([]byte(`"Inf"`), &f))
}
