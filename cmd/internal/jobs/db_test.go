package jobs

import (
	"aop/cmd/internal/pgtest"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

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

func createPostgresDB(t *testing.T) string { return pgtest.Database(t, "aop_jobs_test") }
