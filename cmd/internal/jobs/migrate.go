package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrate brings River's own tables (river_job, river_leader, …) in the
// configured database up to the version this build needs. The service's
// tables beside them are migrated separately.
func Migrate(ctx context.Context, cfg Config) error {
	if cfg.SQLite != nil && cfg.Postgres == nil {
		return migrate(ctx, riversqlite.New(cfg.SQLite), cfg.Logger)
	}
	if cfg.Postgres != nil && cfg.SQLite == nil {
		return migrate(ctx, riverpgxv5.New(cfg.Postgres), cfg.Logger)
	}
	return errors.New("jobs: set exactly one of Config.SQLite and Config.Postgres")
}

// Check returns an error naming the missing versions when River's tables
// in the configured database are older than this build needs.
func Check(ctx context.Context, cfg Config) error {
	if cfg.SQLite != nil && cfg.Postgres == nil {
		return check(ctx, riversqlite.New(cfg.SQLite), cfg.Logger)
	}
	if cfg.Postgres != nil && cfg.SQLite == nil {
		return check(ctx, riverpgxv5.New(cfg.Postgres), cfg.Logger)
	}
	return errors.New("jobs: set exactly one of Config.SQLite and Config.Postgres")
}

func migrator[TTx any](driver riverdriver.Driver[TTx], log *slog.Logger) (*rivermigrate.Migrator[TTx], error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return m, nil
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	m, err := migrator(driver, log)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate River's tables: %w", err)
	}
	return nil
}

func check[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	m, err := migrator(driver, log)
	if err != nil {
		return err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("jobs: read River's schema version: %w", err)
	}
	var have, missing []int
	for _, v := range existing {
		have = append(have, v.Version)
	}
	all := m.AllVersions()
	for _, v := range all {
		if !slices.Contains(have, v.Version) {
			missing = append(missing, v.Version)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	at := "none"
	if len(have) > 0 {
		at = fmt.Sprint(slices.Max(have))
	}
	return fmt.Errorf("jobs: River's schema is behind: at version %s, this build needs version %d (missing %v); run `aop migrate`",
		at, all[len(all)-1].Version, missing)
}
