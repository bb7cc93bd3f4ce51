package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"aop/cmd/internal/pgtest"
)

// serviceConfig writes a config for a database into a fresh folder.
func serviceConfig(t *testing.T, database string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\ndatabase: "+database+"\n"), 0o600))
	return cfg
}

// TestServeRefusesAnOldSchema: a database whose schema is behind the
// binary is not served; the error says to migrate.
func TestServeRefusesAnOldSchema(t *testing.T) {
	cfg := serviceConfig(t, "data/aop.db")
	code, out, errOut := aop(t, nil, "migrate", "--config", cfg)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "is up to date")

	db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(cfg), "data", "aop.db"))
	require.NoError(t, err)
	_, err = db.ExecContext(context.Background(), "DELETE FROM aop_schema_version WHERE version_id = (SELECT MAX(version_id) FROM aop_schema_version)")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	code, _, errOut = aop(t, nil, "serve", "--config", cfg)
	assert.NotEqual(t, 0, code)
	assert.Regexp(t, "the database schema is at version \\d+ and this aop needs \\d+: run `aop migrate --config "+regexp.QuoteMeta(cfg)+"` first", errOut)
}

// TestServeNeedsPostgresMigrated: PostgreSQL is never migrated behind
// finance's back; aop migrate does it.
func TestServeNeedsPostgresMigrated(t *testing.T) {
	url := pgtest.Database(t, "aop_serve_test")
	cfg := serviceConfig(t, "ignored.db")
	env := map[string]string{"AOP_DATABASE_URL": url}
	code, _, errOut := aop(t, env, "serve", "--config", cfg)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "the database schema is at version 0 and this aop needs")

	code, out, errOut := aop(t, env, "migrate", "--config", cfg)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "aop:aop@", "the password is not printed")
	code, out, errOut = aop(t, env, "token", "create", "--config", cfg, "--role", "finance-admin")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^aop_[A-Za-z0-9_-]{43}\n$`, out)
}
