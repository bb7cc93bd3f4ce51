// Package store is the durable storage of the aop service: plan.Store on
// one SQLite file (the embedded default) or on PostgreSQL (several aop
// instances sharing one database). Both run the same SQL, written with ?
// placeholders; the PostgreSQL side rewrites them to $1, $2, ….
//
// The schema is versioned with goose migrations embedded in the binary.
// Open never migrates: Migrate does, and Check refuses a schema that is
// not the one this binary was built for.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"aop/cmd/internal/plan"
)

// Dialects Store.Dialect reports.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// maxAttempts bounds how often InTx runs fn when transactions conflict.
const maxAttempts = 10

// Store is plan.Store on SQLite or PostgreSQL.
type Store struct {
	dialect string
	// db is the SQLite database, or on PostgreSQL a database/sql view of
	// pool for goose.
	db   *sql.DB
	pool *pgxpool.Pool
	log  *slog.Logger
}

var _ plan.Store = (*Store)(nil)

// Open connects to the database at url: a postgres:// or postgresql://
// URL, or else a SQLite file given as a path, sqlite:PATH or file:PATH.
// It does not migrate; call Check (or Migrate) before use.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url, log)
	}
	return openSQLite(ctx, url, log)
}

// Dialect is SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// SQLDB is the SQLite database, so the job queue can share its single
// connection; nil on PostgreSQL.
func (s *Store) SQLDB() *sql.DB {
	if s.dialect != SQLite {
		return nil
	}
	return s.db
}

// Pool is the PostgreSQL connection pool, so the job queue can share it;
// nil on SQLite.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// InTx runs fn in one transaction and commits it if fn returns nil. A
// transaction that fails because it conflicted with another (a
// serialization failure or deadlock on PostgreSQL, a busy database on
// SQLite) is rolled back and fn runs again, up to maxAttempts times.
//
// On PostgreSQL the transaction is READ COMMITTED, and the rows a use case
// reads in order to change them (a cycle, round, department state,
// submission or consolidation) are read FOR NO KEY UPDATE, so two use
// cases changing the same department take turns. SQLite transactions
// begin IMMEDIATE and so always take turns.
//
// On SQLite the store has a single connection: fn must use its Tx, never
// the Store, or it waits for itself.
func (s *Store) InTx(ctx context.Context, fn func(plan.Tx) error) error {
	return s.inTx(ctx, true, func(t *tx) error { return fn(t) })
}

// inTx runs fn in a transaction, retrying conflicts; lock says whether
// reads lock the rows they return (see InTx).
func (s *Store) inTx(ctx context.Context, lock bool, fn func(*tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, lock, fn)
		if err == nil || !s.retryable(err) || attempt == maxAttempts {
			return err
		}
		wait := time.Duration(attempt)*5*time.Millisecond + rand.N(5*time.Millisecond)
		s.log.DebugContext(ctx, "transaction conflict, retrying", "attempt", attempt, "wait_ms", wait.Milliseconds(), "error", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// attempt runs fn in one transaction.
func (s *Store) attempt(ctx context.Context, lock bool, fn func(*tx) error) error {
	c, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		// Also when fn panics. The error that counts is fn's; a failed
		// rollback only means the connection went with it.
		if !committed {
			_ = c.rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &tx{c: c}
	if lock && s.dialect == Postgres {
		t.forUpdate = " FOR NO KEY UPDATE"
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := c.commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	return nil
}

func (s *Store) begin(ctx context.Context) (conn, error) {
	if s.dialect == Postgres {
		return beginPostgres(ctx, s.pool)
	}
	return beginSQLite(ctx, s.db)
}

// retryable reports whether err means the transaction lost a race and may
// succeed if run again.
func (s *Store) retryable(err error) bool {
	if s.dialect == Postgres {
		return postgresConflict(err)
	}
	return sqliteBusy(err)
}

// conn is one transaction of either database, as the SQL in tx.go sees
// it: queries take ? placeholders, time.Time arguments are stored UTC to
// the microsecond.
type conn interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

// rows is the common part of *sql.Rows and pgx.Rows.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}
