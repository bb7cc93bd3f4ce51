// Package keys loads and creates the signing key that authenticates
// generated workbooks. The key comes from the environment (AOP_SIGNING_KEY)
// or from a key file that the cycle file or the service config names; it is
// never in the code.
package keys

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"aop/templates"
)

// EnvVar is the environment variable that holds a signing key.
const EnvVar = "AOP_SIGNING_KEY"

// minBytes is the shortest key accepted (256 bits).
const minBytes = 32

// ErrNoKey says that no key was configured.
var ErrNoKey = errors.New("no signing key: set " + EnvVar + " or name a key file (signing_key_file in the cycle file)")

// Load returns the signing key: the environment variable wins over the key
// file. Keys are written as hex or base64 text of at least 32 bytes.
func Load(getenv func(string) string, file string) (templates.Key, error) {
	if v := strings.TrimSpace(getenv(EnvVar)); v != "" {
		k, err := Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVar, err)
		}
		return k, nil
	}
	if file == "" {
		return nil, ErrNoKey
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("signing key file %s does not exist: create one with `aop key --out %s` or set %s", file, file, EnvVar)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key file: %w", err)
	}
	k, err := Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("signing key file %s: %w", file, err)
	}
	return k, nil
}

// Parse decodes a key written as hex or standard base64.
func Parse(s string) (templates.Key, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil {
		if len(b) < minBytes {
			return nil, fmt.Errorf("the key has %d bytes; it needs at least %d (64 hex digits)", len(b), minBytes)
		}
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		if len(b) < minBytes {
			return nil, fmt.Errorf("the key has %d bytes; it needs at least %d", len(b), minBytes)
		}
		return b, nil
	}
	return nil, errors.New("the key is neither hex nor base64 text")
}

// Create writes a new random 32-byte key as hex to path, readable only by
// its owner, and returns it. It refuses to overwrite an existing file.
func Create(path string) (templates.Key, error) {
	k := make([]byte, minBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(k)); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}
