package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteTime is how SQLite columns hold a time: UTC, fixed width, so text
// order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// sqliteParams are set on every connection: write-ahead log, wait up to
// 5 s for another process's lock, enforce foreign keys, and begin every
// transaction as a writer so that transactions never need to upgrade a
// read lock (which fails at once instead of waiting).
const sqliteParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

func openSQLite(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	// A new embedded database may be the first thing in its directory.
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	dsn := path + "?" + sqliteParams
	if strings.Contains(path, "?") {
		dsn = path + "&" + sqliteParams
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and the job queue,
	// which shares db, asks for it.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Store{dialect: SQLite, db: db, log: log}, nil
}

func beginSQLite(ctx context.Context, db *sql.DB) (conn, error) {
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return sqliteConn{t}, nil
}

// sqliteConn is a SQLite transaction.
type sqliteConn struct{ tx *sql.Tx }

func (c sqliteConn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.tx.ExecContext(ctx, query, sqliteArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c sqliteConn) query(ctx context.Context, query string, args ...any) (rows, error) {
	return c.tx.QueryContext(ctx, query, sqliteArgs(args)...)
}

func (c sqliteConn) commit(context.Context) error   { return c.tx.Commit() }
func (c sqliteConn) rollback(context.Context) error { return c.tx.Rollback() }

// sqliteArgs writes times as sqliteTime text.
func sqliteArgs(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = roundTime(t).Format(sqliteTime)
		}
	}
	return args
}

// sqliteBusy reports whether err is SQLite's "database is locked" after
// the busy timeout, which another try may not meet.
func sqliteBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}
