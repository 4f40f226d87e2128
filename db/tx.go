package db

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// txAttempts bounds retries of a transaction Postgres aborted to break a
// deadlock or a serialization conflict, or that lost its connection
// before committing.
const txAttempts = 3

// Retry reasons, as logged and counted.
const (
	RetryDeadlock      = "deadlock"
	RetrySerialization = "serialization"
	RetryConnection    = "connection"
)

var txRetries = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "shopfront_db_tx_retries_total",
	Help: "Transactions run again after Postgres aborted them (deadlock, serialization) or their connection broke before commit.",
}, []string{"reason"})

var logger atomic.Pointer[slog.Logger]

// SetLogger sets where InTx logs its retries (by default slog's default).
func SetLogger(l *slog.Logger) { logger.Store(l) }

func log() *slog.Logger {
	if l := logger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

type retryCounterKey struct{}

// CountRetries returns a context under which InTx adds every retry to n, so
// a test can tell "no deadlock happened" from "a deadlock was retried".
func CountRetries(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, retryCounterKey{}, n)
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise (including on panic), so a write is never half done. A
// transaction Postgres aborts as a deadlock victim or serialization
// failure, or whose connection broke before it was committed (a database
// restart), is retried from the start, so fn must set its results afresh
// on every call. Every retry is logged and counted
// (shopfront_db_tx_retries_total): deadlocks are bugs to find, not noise.
// A commit that fails is never retried: whether it took effect is unknown.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(q *Queries, tx pgx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		var committing bool
		err = runTx(ctx, pool, fn, &committing)
		reason := retryReason(err, committing)
		if reason == "" || attempt == txAttempts || ctx.Err() != nil {
			return err
		}
		txRetries.WithLabelValues(reason).Inc()
		if n, ok := ctx.Value(retryCounterKey{}).(*atomic.Int64); ok {
			n.Add(1)
		}
		log().LogAttrs(ctx, slog.LevelWarn, "transaction retried",
			slog.String("reason", reason), slog.Int("attempt", attempt), slog.String("error", err.Error()))
	}
}

func runTx(ctx context.Context, pool *pgxpool.Pool, fn func(q *Queries, tx pgx.Tx) error, committing *bool) (err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if !*committing {
			_ = tx.Rollback(context.WithoutCancel(ctx)) // a no-op after a failed commit
		}
	}()
	if err := fn(New(tx), tx); err != nil {
		return err
	}
	*committing = true
	return tx.Commit(ctx)
}

func retryReason(err error, committing bool) string {
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &connectErr):
		return "" // no connection could be made: trying again at once will not help
	case errors.As(err, &pgErr) && pgErr.Code == "40P01":
		return RetryDeadlock
	case errors.As(err, &pgErr) && pgErr.Code == "40001":
		return RetrySerialization
	case !committing && IsConnectionLost(err) && !errors.As(err, &pgErr):
		return RetryConnection
	case !committing && errors.As(err, &pgErr) && (pgErr.Code == "57P01" || pgErr.Code == "57P02"):
		return RetryConnection
	}
	return ""
}
