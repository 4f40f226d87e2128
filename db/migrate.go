package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the embedded migrations folder, as goose reads it.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}

// ErrSchemaBehind means the database lacks migrations this build needs.
var ErrSchemaBehind = errors.New("database schema is behind this build")

func openSQL(databaseURL string) (*sql.DB, error) {
	cfg, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg.ConnConfig), nil
}

// newProvider builds a goose provider whose runs hold a Postgres advisory
// lock, so N nodes or deploy steps migrating at once apply each migration
// exactly once: the others wait, then find nothing left to do.
func newProvider(sqlDB *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	return goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(), opts...)
}

// MigrateSQL applies every pending migration through an open database/sql handle.
func MigrateSQL(ctx context.Context, sqlDB *sql.DB, log *slog.Logger) ([]*goose.MigrationResult, error) {
	p, err := newProvider(sqlDB, log)
	if err != nil {
		return nil, err
	}
	return p.Up(ctx)
}

// Migrate applies every pending migration to the database at databaseURL.
func Migrate(ctx context.Context, databaseURL string, log *slog.Logger) ([]*goose.MigrationResult, error) {
	sqlDB, err := openSQL(databaseURL)
	if err != nil {
		return nil, err
	}
	defer sqlDB.Close()
	return MigrateSQL(ctx, sqlDB, log)
}

// MigrationStatus lists each migration and whether it has been applied.
func MigrationStatus(ctx context.Context, databaseURL string) ([]*goose.MigrationStatus, error) {
	sqlDB, err := openSQL(databaseURL)
	if err != nil {
		return nil, err
	}
	defer sqlDB.Close()
	p, err := newProvider(sqlDB, nil)
	if err != nil {
		return nil, err
	}
	return p.Status(ctx)
}

// CheckSchema returns an error wrapping ErrSchemaBehind when the database
// has not had every migration this build embeds. A database ahead of the
// build (a newer release rolled back) is accepted: migrations are additive.
func CheckSchema(ctx context.Context, databaseURL string) error {
	sqlDB, err := openSQL(databaseURL)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	p, err := newProvider(sqlDB, nil)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if pending {
		current, target, err := p.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		return fmt.Errorf("%w: it is at version %d and this build needs %d; run `shopfront migrate`", ErrSchemaBehind, current, target)
	}
	return nil
}
