package grid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSheetGrow(t *testing.T) {
	s := New().AddSheet("S")
	s.Grow(0)
	s.Grow(10)
	s.SetValue(R(1, 1), Int(1))
	s.Grow(100)
	assert.Equal(t, 1, s.Len())
	assert.Equal(t, Int(1), s.Value(R(1, 1)))
}
