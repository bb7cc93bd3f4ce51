package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// postgresURLVar names a PostgreSQL server the tests may create databases
// on; without it the PostgreSQL tests skip, except in CI (CI=true).
const postgresURLVar = "AOP_TEST_POSTGRES_URL"

// testDB is a database for one test: the queue's Config points at it, and
// SQL reaches the test's own tables in it.
type testDB struct {
	kind string // "sqlite" or "postgres"
	dsn  string // the file or URL, for a child process to open
	sql  *sql.DB
	cfg  Config
}

// q adapts a query written with ? placeholders to the database.
func (db *testDB) q(query string) string {
	if db.kind != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// eachDB runs test on a fresh database of each kind, in parallel.
func eachDB(t *testing.T, test func(t *testing.T, db *testDB)) {
	t.Helper()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, newDB(t, kind, true))
		})
	}
}

// newDB creates a fresh database, with River's tables when migrated.
func newDB(t *testing.T, kind string, migrated bool) *testDB {
	t.Helper()
	var dsn string
	switch kind {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "aop.db")
	case "postgres":
		dsn = createPostgresDB(t)
	}
	db, err := openDB(context.Background(), kind, dsn)
	require.NoError(t, err)
	t.Cleanup(db.close)
	if migrated {
		require.NoError(t, Migrate(t.Context(), db.cfg))
	}
	return db
}

// openDB opens a database the way the service does.
func openDB(ctx context.Context, kind, dsn string) (*testDB, error) {
	db := &testDB{kind: kind, dsn: dsn}
	switch kind {
	case "sqlite":
		s, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)")
		if err != nil {
			return nil, err
		}
		s.SetMaxOpenConns(1)
		db.sql, db.cfg.SQLite = s, s
	case "postgres":
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, err
		}
		db.sql, db.cfg.Postgres = stdlib.OpenDBFromPool(pool), pool
	default:
		return nil, fmt.Errorf("unknown database kind %q", kind)
	}
	return db, nil
}

// jsonKey is the SQL expression of the key in a River job's args.
func (db *testDB) jsonKey(column string) string {
	if db.kind == "postgres" {
		return column + "->>'key'"
	}
	return "json_extract(" + column + ", '$.key')"
}

func (db *testDB) close() {
	db.sql.Close()
	if db.cfg.Postgres != nil {
		db.cfg.Postgres.Close()
	}
}

// createPostgresDB creates a database aop_jobs_test_<random> on the server
// of AOP_TEST_POSTGRES_URL, dropped when the test ends, and returns its URL.
func createPostgresDB(t *testing.T) string {
	t.Helper()
	base := os.Getenv(postgresURLVar)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI", postgresURLVar)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://aop:aop@127.0.0.1:5432/postgres?sslmode=disable)", postgresURLVar)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "aop_jobs_test_" + hex.EncodeToString(suffix)

	ctx := t.Context()
	admin, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})

	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}
