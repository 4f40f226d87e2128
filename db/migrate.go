package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
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

// migrationLock is the advisory lock every migration run holds, for our
// migrations and River's alike: N nodes or deploy steps migrating at once
// apply each step exactly once; the others wait, then find nothing to do.
const migrationLock = 7_143_392_001

// migrationLockWait bounds how long a run waits for another to finish.
const migrationLockWait = 5 * time.Minute

func openSQL(databaseURL string) (*sql.DB, error) {
	cfg, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg.ConnConfig), nil
}

func newProvider(sqlDB *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	return goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(), opts...)
}

func newRiverMigrator(pool *pgxpool.Pool, log *slog.Logger) (*rivermigrate.Migrator[pgx.Tx], error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
}

// RiverVersions lists River's schema versions this build migrates to, for
// test templates that must be rebuilt when they change.
func RiverVersions() []int {
	m, err := rivermigrate.New(riverpgxv5.New(nil), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err) // River's migrations are embedded in its module
	}
	var versions []int
	for _, v := range m.AllVersions() {
		versions = append(versions, v.Version)
	}
	return versions
}

// Result is one migration applied by Migrate.
type Result struct {
	Source   string // "shopfront" or "river"
	Version  int64
	Name     string
	Duration time.Duration
}

// MigratePool applies every pending migration, ours then River's, under
// one advisory lock held on a dedicated connection of pool. The schema
// change statements run with a longer lock timeout of their own and fail
// cleanly rather than queueing behind (and in front of) the whole fleet.
func MigratePool(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) ([]Result, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET lock_timeout = '%dms'", migrationLockWait.Milliseconds())); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return nil, fmt.Errorf("waiting for another migration run to finish: %w", err)
	}
	defer func() {
		// A lost connection releases the lock by itself.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	}()

	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	p, err := newProvider(sqlDB, log)
	if err != nil {
		return nil, err
	}
	ours, err := p.Up(ctx)
	var results []Result
	for _, r := range ours {
		results = append(results, Result{Source: "shopfront", Version: r.Source.Version, Name: r.Source.Path, Duration: r.Duration})
	}
	if err != nil {
		return results, err
	}

	rm, err := newRiverMigrator(pool, log)
	if err != nil {
		return results, err
	}
	river, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return results, fmt.Errorf("migrating the job queue: %w", err)
	}
	for _, v := range river.Versions {
		results = append(results, Result{Source: "river", Version: int64(v.Version), Name: v.Name, Duration: v.Duration})
	}
	if len(results) > 0 {
		return results, Analyze(ctx, conn)
	}
	return results, nil
}

// DefaultMigrationLockTimeout is MIGRATION_LOCK_TIMEOUT's default.
const DefaultMigrationLockTimeout = 5 * time.Second

// Migrate applies every pending migration to the database at databaseURL.
// A schema change that cannot get its table lock within lockTimeout (a
// long transaction holds it) fails, and its migration with it, rather than
// queueing every request for that table behind it; the error says to run
// it again.
func Migrate(ctx context.Context, databaseURL string, lockTimeout time.Duration, log *slog.Logger) ([]Result, error) {
	pool, err := openForMigrations(ctx, databaseURL, lockTimeout)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	results, err := MigratePool(ctx, pool, log)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
		return results, fmt.Errorf("a migration waited %s for a table lock that a running transaction holds, and gave up without changing anything; run `shopfront migrate` again: %w", lockTimeout, err)
	}
	return results, err
}

func openForMigrations(ctx context.Context, databaseURL string, lockTimeout time.Duration) (*pgxpool.Pool, error) {
	cfg, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 4 // the lock, goose, River
	cfg.MinConns = 0
	if lockTimeout > 0 {
		set := fmt.Sprintf("SET lock_timeout = %d", lockTimeout.Milliseconds())
		cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, set)
			return err
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	return pool, nil
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

// RiverStatus reports the job queue's schema: the versions applied and the
// newest this build knows.
func RiverStatus(ctx context.Context, databaseURL string) (applied []int, latest int, err error) {
	pool, err := openForMigrations(ctx, databaseURL, 0)
	if err != nil {
		return nil, 0, err
	}
	defer pool.Close()
	rm, err := newRiverMigrator(pool, nil)
	if err != nil {
		return nil, 0, err
	}
	existing, err := rm.ExistingVersions(ctx)
	if err != nil {
		// Before the first migration River's table does not exist.
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			existing = nil
		} else {
			return nil, 0, err
		}
	}
	for _, m := range existing {
		applied = append(applied, m.Version)
	}
	all := rm.AllVersions()
	return applied, all[len(all)-1].Version, nil
}

// CheckSchema returns an error wrapping ErrSchemaBehind when the database
// has not had every migration this build embeds, ours or the job queue's.
// A database ahead of the build (a newer release rolled back) is accepted:
// migrations are additive.
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
	applied, latest, err := RiverStatus(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("reading the job queue's schema version: %w", err)
	}
	if len(applied) == 0 || applied[len(applied)-1] < latest {
		return fmt.Errorf("%w: the job queue's tables are not up to date; run `shopfront migrate`", ErrSchemaBehind)
	}
	return nil
}

// Analyze refreshes the planner's statistics of the catalogue's tables.
// Autovacuum would leave a five-row categories table unanalysed for ever,
// and Postgres then plans (and JIT-compiles) for a table of unknown size;
// migrating and seeding call it.
func Analyze(ctx context.Context, d DBTX) error {
	if _, err := d.Exec(ctx, "ANALYZE categories, products, images"); err != nil {
		return fmt.Errorf("analysing the catalogue's tables: %w", err)
	}
	return nil
}
