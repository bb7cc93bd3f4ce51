package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

func openPostgres(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return &Store{dialect: Postgres, db: stdlib.OpenDBFromPool(pool), pool: pool, log: log}, nil
}

func beginPostgres(ctx context.Context, pool *pgxpool.Pool) (conn, error) {
	t, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, err
	}
	return postgresConn{t}, nil
}

// postgresConn is a PostgreSQL transaction.
type postgresConn struct{ tx pgx.Tx }

func (c postgresConn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.tx.Exec(ctx, numbered(query), postgresArgs(args)...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c postgresConn) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := c.tx.Query(ctx, numbered(query), postgresArgs(args)...)
	if err != nil {
		return nil, err
	}
	return postgresRows{r}, nil
}

func (c postgresConn) commit(ctx context.Context) error   { return c.tx.Commit(ctx) }
func (c postgresConn) rollback(ctx context.Context) error { return c.tx.Rollback(ctx) }

// postgresRows gives pgx.Rows the Close of *sql.Rows.
type postgresRows struct{ pgx.Rows }

func (r postgresRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// numbered rewrites the ? placeholders of query as $1, $2, …. The store's
// SQL has no ? anywhere else.
func numbered(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// postgresArgs rounds times to the microsecond PostgreSQL keeps (pgx
// would truncate them).
func postgresArgs(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = roundTime(t)
		}
	}
	return args
}

// postgresConflict reports whether err is a serialization failure or a
// deadlock, after which PostgreSQL asks the client to try again.
func postgresConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}
