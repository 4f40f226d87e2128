package db_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"shopfront/apptest"
	"shopfront/db"
)

// Two transactions locking two rows in opposite orders deadlock; Postgres
// aborts one, InTx runs it again, both succeed, and the retry is counted
// (so a test that expects none can tell that a deadlock happened).
func TestInTxRetriesADeadlockAndCountsIt(t *testing.T) {
	t.Parallel()
	pool := apptest.NewPool(t, apptest.NewDatabase(t, true), 4)
	var retries atomic.Int64
	ctx := db.CountRetries(context.Background(), &retries)
	var a, b int64
	if err := pool.QueryRow(ctx, "SELECT min(id), max(id) FROM products").Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	var first sync.WaitGroup // both hold their first row before either takes its second
	first.Add(2)
	lock := func(x, y int64) error {
		attempt := 0
		return db.InTx(ctx, pool, func(_ *db.Queries, tx pgx.Tx) error {
			attempt++
			if _, err := tx.Exec(ctx, "SELECT 1 FROM products WHERE id = $1 FOR UPDATE", x); err != nil {
				return err
			}
			if attempt == 1 {
				first.Done()
				first.Wait()
			}
			_, err := tx.Exec(ctx, "SELECT 1 FROM products WHERE id = $1 FOR UPDATE", y)
			return err
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = lock(a, b) })
	wg.Go(func() { errs[1] = lock(b, a) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a transaction failed: %v", err)
		}
	}
	// At least the victim's one. Its retry can find its first row free
	// before the survivor, woken by the victim's end, re-checks that row,
	// and deadlock again: a second retry is Postgres's doing, not a fault.
	if n := retries.Load(); n < 1 {
		t.Fatalf("%d retries counted, want at least the deadlock victim's one", n)
	}
}
