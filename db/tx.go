package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// txAttempts bounds retries of a transaction Postgres aborted to break a
// deadlock or a serialization conflict.
const txAttempts = 3

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise (including on panic), so a write is never half done. A
// transaction Postgres aborts as a deadlock victim or serialization
// failure is retried from the start, so fn must set its results afresh on
// every call.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(q *Queries, tx pgx.Tx) error) error {
	var err error
	for range txAttempts {
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			return fn(New(tx), tx)
		})
		if !retryable(err) {
			return err
		}
	}
	return err
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}
