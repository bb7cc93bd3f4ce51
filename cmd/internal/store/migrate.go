package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder of goose migrations per dialect.
//
//go:embed migrations
var migrations embed.FS

// versionTable is where goose records the applied migrations.
const versionTable = "aop_schema_version"

// tables are aop's tables; a database with none of them is empty.
var tables = []string{versionTable, "blobs", "cycles", "rounds", "submissions", "department_states", "audit",
	"tokens", "nonces", "effects", "consolidations", "quota_slots"}

// SchemaError is Check's answer when the database schema is not the one
// this binary needs.
type SchemaError struct {
	// Have is the database's schema version (0 when empty), Want this
	// binary's.
	Have, Want int64
}

func (e *SchemaError) Error() string {
	if e.Have > e.Want {
		return fmt.Sprintf("database schema is at version %d, newer than this aop knows (it needs %d): "+
			"run the aop release that migrated it, or a newer one", e.Have, e.Want)
	}
	return fmt.Sprintf("database schema is at version %d, this aop needs %d: run `aop migrate --config <config file>`",
		e.Have, e.Want)
}

// Migrate applies the migrations the database lacks. On PostgreSQL it
// holds an advisory lock meanwhile, so instances starting together
// migrate one at a time.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			s.log.InfoContext(ctx, "migration applied", "version", r.Source.Version,
				"file", path.Base(r.Source.Path), "duration_ms", r.Duration.Milliseconds())
		}
	}
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Check returns a *SchemaError unless the database schema is the version
// this binary needs. It changes nothing.
func (s *Store) Check(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	var want int64
	for _, src := range p.ListSources() {
		want = max(want, src.Version)
	}
	have, err := s.version(ctx)
	if err != nil {
		return err
	}
	if have != want {
		return &SchemaError{Have: have, Want: want}
	}
	return nil
}

// Empty reports whether the database has none of aop's tables yet, as a
// new embedded database has, so that it can be migrated without asking.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	present, err := s.tables(ctx)
	if err != nil {
		return false, err
	}
	for _, t := range tables {
		if present[t] {
			return false, nil
		}
	}
	return true, nil
}

func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true)}
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// version is the highest migration recorded, 0 when none is. It reads the
// table itself, because goose would create the table to answer.
func (s *Store) version(ctx context.Context) (int64, error) {
	present, err := s.tables(ctx)
	if err != nil || !present[versionTable] {
		return 0, err
	}
	var v int64
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+versionTable).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// tables returns the names of the tables in the database (in the current
// schema, on PostgreSQL).
func (s *Store) tables(ctx context.Context) (map[string]bool, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	r, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	defer r.Close()
	names := map[string]bool{}
	for r.Next() {
		var n string
		if err := r.Scan(&n); err != nil {
			return nil, err
		}
		names[n] = true
	}
	return names, r.Err()
}
