package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ParseURL parses a DATABASE_URL into a pool configuration tuned for
// disposable nodes: connections are recycled (with jitter, so a fleet does
// not reconnect in lockstep) and idle ones closed, so a database failover or
// a scaled-down fleet never leaves stale connections behind.
func ParseURL(databaseURL string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL")
	}
	cfg.MaxConnLifetime = 30 * time.Minute
	cfg.MaxConnLifetimeJitter = 5 * time.Minute
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 30 * time.Second
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "shopfront"
	return cfg, nil
}

// Limits bound every wait a connection of the app can get into, so that a
// held lock, a slow query or a stalled node never holds a request (or a
// row) for longer. The zero value sets none (tools, tests' own pools);
// JIT is off on every connection either way.
type Limits struct {
	// StatementTimeout cancels a statement that runs longer (statement_timeout).
	StatementTimeout time.Duration
	// LockTimeout fails a statement that waits longer for a lock (lock_timeout).
	LockTimeout time.Duration
	// IdleInTxTimeout ends the session of a transaction left idle longer,
	// releasing its locks (idle_in_transaction_session_timeout): a node
	// frozen mid-checkout holds nothing for long.
	IdleInTxTimeout time.Duration
	// AcquireTimeout bounds the wait for a free pool connection; a request
	// that waits longer fails with an error IsUnavailable recognises.
	AcquireTimeout time.Duration
}

// Open connects a pool of at most maxConns connections without limits (for
// commands and tests' setup) and checks that the database answers.
func Open(ctx context.Context, databaseURL string, maxConns int32) (*pgxpool.Pool, error) {
	return OpenLimited(ctx, databaseURL, maxConns, Limits{})
}

// OpenLimited connects a pool whose every connection has limits, and checks
// that the database answers.
func OpenLimited(ctx context.Context, databaseURL string, maxConns int32, limits Limits) (*pgxpool.Pool, error) {
	cfg, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = maxConns
	limits.apply(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the database at %s: %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// apply turns JIT off and sets the session timeouts on every new connection (with SET, which
// connection poolers in session mode pass on, unlike startup parameters)
// and bounds the wait for a pooled connection.
func (l Limits) apply(cfg *pgxpool.Config) {
	// The app's queries are short: compiling one with LLVM (JIT) costs
	// more than running it (22 ms for the category list at 100 k products).
	sets := []string{"SET jit = off"}
	for _, p := range []struct {
		name string
		d    time.Duration
	}{
		{"statement_timeout", l.StatementTimeout},
		{"lock_timeout", l.LockTimeout},
		{"idle_in_transaction_session_timeout", l.IdleInTxTimeout},
	} {
		if p.d > 0 {
			sets = append(sets, fmt.Sprintf("SET %s = %d", p.name, p.d.Milliseconds()))
		}
	}
	if len(sets) > 0 {
		sql := strings.Join(sets, "; ")
		after := cfg.AfterConnect
		cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			if after != nil {
				if err := after(ctx, conn); err != nil {
					return err
				}
			}
			_, err := conn.Exec(ctx, sql)
			return err
		}
	}
	if l.AcquireTimeout > 0 {
		cfg.ConnConfig.Tracer = acquireTimeout(l.AcquireTimeout)
	}
}

// acquireTimeout gives each pool acquire a deadline of its own: pgxpool
// acquires with the context its tracer returns. The query itself runs with
// the caller's context.
type acquireTimeout time.Duration

type acquireCancelKey struct{}

func (a acquireTimeout) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(a))
	return context.WithValue(ctx, acquireCancelKey{}, cancel)
}

func (a acquireTimeout) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if cancel, ok := ctx.Value(acquireCancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

func (acquireTimeout) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (acquireTimeout) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// EnsureDatabase creates the database named in databaseURL when it does not
// exist yet, connecting to the server's "postgres" database to do so. It is
// a development convenience; production databases are provisioned outside.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return errors.New("DATABASE_URL is not a valid PostgreSQL URL")
	}
	name := cfg.Database
	if name == "" || name == "postgres" {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("connecting to the database: %w", err)
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("connecting to create database %q: %w", name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var dup *pgconn.PgError
	if errors.As(err, &dup) && dup.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// PlannedEachTime runs queries through d with a plan made for each call's
// parameters (pgx's unnamed statements with a cached description: still
// one round trip) instead of a prepared statement's generic plan. For
// queries whose optional conditions, "0 means any", must fold away at
// planning so that the right index is used.
func PlannedEachTime(d DBTX) DBTX { return plannedEachTime{d} }

type plannedEachTime struct{ d DBTX }

func withMode(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

func (p plannedEachTime) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.d.Exec(ctx, sql, withMode(args)...)
}

func (p plannedEachTime) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.d.Query(ctx, sql, withMode(args)...)
}

func (p plannedEachTime) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.d.QueryRow(ctx, sql, withMode(args)...)
}
