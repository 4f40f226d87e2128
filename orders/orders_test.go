package orders_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/db"
	"shopfront/orders"
	"shopfront/shop"
)

// A cancellation and a checkout touching the same products lock them in
// the same (product id) order, so they never deadlock, whatever order the
// customer put things in their cart. db.InTx would retry a deadlock
// victim and succeed, so the test counts InTx's retries: any is a
// deadlock that happened.
func TestCancellingNeverDeadlocksWithCheckout(t *testing.T) {
	t.Parallel()
	url := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, url, 10)
	var retries atomic.Int64
	ctx := db.CountRetries(context.Background(), &retries)
	var a, b int64
	_ = pool.QueryRow(ctx, "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&a)
	_ = pool.QueryRow(ctx, "SELECT id FROM products WHERE slug = 'all-butter-croissant'").Scan(&b)
	if _, err := pool.Exec(ctx, "UPDATE products SET stock = 100000 WHERE id IN ($1, $2)", a, b); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	slot := apptest.AddSlot(t, pool, now.Add(48*time.Hour).Truncate(time.Hour), 1000)
	out := apptest.NewOutbox(t, pool)
	place := func(key string, first, second int64) (orders.Placed, error) {
		return orders.Place(ctx, pool, out, orders.Request{
			Form: shop.CheckoutForm{
				Key: key, Name: "Ada", Email: "ada@example.com", Phone: "0117 496 0000",
				Fulfilment: shop.Pickup, SlotID: slot,
				Lines: []shop.OrderLine{{ProductID: first, Quantity: 1, ExpectedPrice: 1 << 40}, {ProductID: second, Quantity: 1, ExpectedPrice: 1 << 40}},
			},
			Currency: "GBP", Now: now, Loc: apptest.London,
		})
	}
	for round := range 25 {
		// Cart order b, a: the order's lines are in that order.
		placed, err := place(fmt.Sprintf("cancel-round-%02d-xxxxxx", round), max(a, b), min(a, b))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() {
			_, errs[0] = orders.ChangeStatus(ctx, pool, out, orders.Change{
				OrderID: placed.ID, From: shop.StatusPlaced, To: shop.StatusCancelled, Reason: "Test", Now: now,
			})
		})
		wg.Go(func() {
			_, errs[1] = place(fmt.Sprintf("other-round-%02d-xxxxxxx", round), min(a, b), max(a, b))
		})
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	if n := retries.Load(); n != 0 {
		t.Fatalf("%d transactions were retried: checkout and cancellation deadlocked", n)
	}
}
