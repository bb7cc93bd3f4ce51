package main

import (
	"errors"
	"io/fs"
	"os"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/keys"
	"aop/templates"
)

// loadCycle loads a cycle file and its signing key. A cycle file that
// cannot be opened is a usage error (exit 2); one with mistakes is exit 1.
func loadCycle(e *env, path string) (*cyclefile.File, templates.Key, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, usagef("cycle file %s does not exist", path)
		}
		return nil, nil, usageError{err}
	}
	cf, err := cyclefile.Load(path)
	if err != nil {
		return nil, nil, err
	}
	key, err := keys.Load(e.getenv, cf.SigningKeyFile)
	if err != nil {
		return nil, nil, err
	}
	return cf, key, nil
}
