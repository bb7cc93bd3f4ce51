package keys

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "signing.key")
	created, err := Create(file)
	require.NoError(t, err)
	_, err = Create(file)
	require.Error(t, err, "Create must not overwrite a key")

	noEnv := func(string) string { return "" }
	got, err := Load(noEnv, file)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	envKey := strings.Repeat("ab", 32)
	got, err = Load(func(k string) string {
		if k == EnvVar {
			return envKey
		}
		return ""
	}, file)
	require.NoError(t, err)
	assert.NotEqual(t, created, got, "the environment wins over the file")

	_, err = Load(noEnv, "")
	assert.ErrorIs(t, err, ErrNoKey)
	_, err = Load(noEnv, filepath.Join(dir, "missing.key"))
	assert.ErrorContains(t, err, "does not exist")
	_, err = Parse("abcd")
	assert.ErrorContains(t, err, "at least 32")
	_, err = Parse("not a key!")
	assert.ErrorContains(t, err, "neither hex nor base64")
}
