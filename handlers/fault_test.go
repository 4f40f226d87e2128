package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfront/apptest"
)

// outageNotice is what a page shown from a node's memory says.
const outageNotice = "this page shows what we last knew"

// tally counts a shopper load's answers, by what was asked.
type tally struct {
	mu       sync.Mutex
	byStatus map[string]map[int]int // "catalogue", "product", "cart" → status → count
	failures []string               // transport errors and answers a shopper must never get
}

func (l *tally) record(what string, r *apptest.Response, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byStatus == nil {
		l.byStatus = map[string]map[int]int{}
	}
	if l.byStatus[what] == nil {
		l.byStatus[what] = map[int]int{}
	}
	switch {
	case err != nil:
		l.failures = append(l.failures, fmt.Sprintf("%s: %v", what, err))
	case r.StatusCode != http.StatusOK:
		// Browsing the catalogue, a product and the cart must answer
		// throughout: from Postgres, or from what the node last showed.
		l.failures = append(l.failures, fmt.Sprintf("%s: %d %s", what, r.StatusCode, firstLine(r.Body)))
	}
	if r != nil {
		l.byStatus[what][r.StatusCode]++
	}
}

func (l *tally) report(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Logf("shopper load: %v", l.byStatus)
	if len(l.failures) > 0 {
		t.Errorf("%d shopper requests failed, first: %s", len(l.failures), strings.Join(l.failures[:min(5, len(l.failures))], "; "))
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s[:min(len(s), 120)]
}

// shopperLoad runs browsing shoppers (each with a loaf in the cart) until
// stop is called, and returns their tally.
func shopperLoad(t *testing.T, c *apptest.Cluster, n int, slugs []string, product int64) (stop func() *tally) {
	t.Helper()
	l := &tally{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		s := newShopper(t, c)
		if r := s.add(product, "1"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("shopper %d adding to the cart: %d", i, r.StatusCode)
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				r, err := s.c.TryGet("/")
				l.record("catalogue", r, err)
				r, err = s.c.TryGet("/products/" + slugs[i%len(slugs)])
				l.record("product", r, err)
				r, err = s.c.TryGet("/cart")
				l.record("cart", r, err)
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	return func() *tally { cancel(); wg.Wait(); return l }
}

// warm shows the pages the load browses on every node, so each has
// something to remember.
func warm(t *testing.T, c *apptest.Cluster, slugs []string, product int64) {
	t.Helper()
	s := newShopper(t, c)
	s.add(product, "1")
	for _, n := range c.Nodes {
		for _, path := range append([]string{"/", "/cart"}, prefixed("/products/", slugs)...) {
			if r := s.c.Get(t, path, onNode(n)...); r.StatusCode != http.StatusOK {
				t.Fatalf("%s on %s: %d", path, n.ID, r.StatusCode)
			}
		}
	}
}

func prefixed(prefix string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = prefix + s
	}
	return out
}

// assertTryAgain checks the answer to an action the database could not
// take: 503 with Retry-After and a message saying what it means.
func assertTryAgain(t *testing.T, what string, r *apptest.Response, message string) {
	t.Helper()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, message) {
		t.Fatalf("%s: %d, Retry-After %q, want 503 with Retry-After saying %q:\n%s", what, r.StatusCode, r.Header.Get("Retry-After"), message, firstLine(r.Body))
	}
}

// Postgres restarts, and then is away for 10 s, while shoppers browse: no
// shopper sees an error (the catalogue, product pages and carts come from
// what each node last showed, saying so), checkout says to try again with
// the cart kept (a message in the live region for htmx), every node stays
// ready, and the shop takes orders again by itself once Postgres is back.
func TestPostgresRestartAndOutageUnderShopperLoad(t *testing.T) {
	t.Parallel()
	pg := apptest.NewPrivatePostgres(t)
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Postgres: pg, Configure: apptest.ProductionWaits})
	slot := slotSoon(t, c, 500)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	slugs := []string{"white-sourdough-loaf", "all-butter-croissant"}
	warm(t, c, slugs, loaf)

	// A customer with the checkout form open when the database goes.
	customer := newShopper(t, c)
	customer.add(loaf, "2")
	form := customer.checkoutForm(slot)

	stop := shopperLoad(t, c, 4, slugs, loaf)

	// A restart (about 2.5 s): the nodes carry on, and recover alone.
	pg.Restart(t)
	recovered := waitForOrders(t, c, loaf, slot)
	t.Logf("orders taken again %s after the restart", recovered.Round(10*time.Millisecond))

	// An outage of 10 s.
	pg.Stop(t)
	down := time.Now()
	for _, n := range c.Nodes {
		// Whichever node answers first after the stop: every node shows
		// the catalogue from memory and stays ready.
		pollUntil(t, 30*time.Second, func() bool {
			r, err := customer.c.TryGet("/", onNode(n)...)
			return err == nil && r.StatusCode == http.StatusOK && strings.Contains(r.Body, outageNotice)
		}, n.ID+" to show the catalogue from memory")
		if r := customer.c.Get(t, "/readyz", onNode(n)...); r.StatusCode != http.StatusOK {
			t.Fatalf("%s is not ready while the database is away: %d %s", n.ID, r.StatusCode, r.Body)
		}
	}
	assertTryAgain(t, "checkout while the database is away", customer.placeOrder(form), "your cart is kept")
	hx := customer.placeOrder(form, "HX-Request", "true", "HX-Target", "checkout")
	assertTryAgain(t, "htmx checkout while the database is away", hx, "your cart is kept")
	if hx.Header.Get("HX-Retarget") != "#flash" {
		t.Fatalf("htmx checkout: the message goes to %q, want the live region #flash", hx.Header.Get("HX-Retarget"))
	}
	if r := customer.c.Get(t, "/cart"); r.StatusCode != http.StatusOK || cartQuantity(r.Body, loaf) != 2 {
		t.Fatalf("the cart while the database is away: %d, %d loaves", r.StatusCode, cartQuantity(r.Body, loaf))
	}
	time.Sleep(time.Until(down.Add(10 * time.Second)))
	pg.Start(t)
	recovered = waitForOrders(t, c, loaf, slot)
	t.Logf("orders taken again %s after Postgres started", recovered.Round(10*time.Millisecond))

	// The customer's kept cart and form place the order now.
	if r := customer.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the customer's checkout after the outage: %d %s", r.StatusCode, firstLine(r.Body))
	}
	stop().report(t)
	if strings.Contains(c.Logs(), `"msg":"internal error"`) {
		t.Errorf("a node logged an internal error (a 500)")
	}
}

// waitForOrders waits until the shop takes an order, and says how long
// that took.
func waitForOrders(t *testing.T, c *apptest.Cluster, product, slot int64) time.Duration {
	t.Helper()
	start := time.Now()
	pollUntil(t, time.Minute, func() bool { return tryToOrder(t, c, product, slot) }, "the shop to take orders again")
	return time.Since(start)
}

var cartQty = regexp.MustCompile(`id="cart-qty-(\d+)" name="quantity" value="(\d+)"`)

// cartQuantity is how many of product the cart page lists.
func cartQuantity(page string, product int64) int {
	for _, m := range cartQty.FindAllStringSubmatch(page, -1) {
		if m[1] == fmt.Sprint(product) {
			var n int
			fmt.Sscan(m[2], &n)
			return n
		}
	}
	return 0
}

// A transaction holding a product's row lock, and then one holding the
// whole products table (as an ALTER TABLE would), stall nothing else:
// every node stays ready, the catalogue answers (from memory while the
// table is locked), and a checkout that needs the lock answers "try again"
// within the lock timeout instead of queueing; nothing of it is written.
func TestHeldLocksDoNotHoldTheShop(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Configure: apptest.ProductionWaits})
	slot := slotSoon(t, c, 100)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	slugs := []string{"white-sourdough-loaf", "all-butter-croissant"}
	warm(t, c, slugs, loaf)
	customer := newShopper(t, c)
	customer.add(loaf, "1")
	ctx := context.Background()
	lockTimeout := c.Nodes[0].Config.LockTimeout
	requestTimeout := c.Nodes[0].Config.RequestTimeout

	hold := func(sql string, args ...any) func() {
		t.Helper()
		tx, err := c.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
		return func() { _ = tx.Rollback(ctx) }
	}

	// A row lock on the loaf.
	release := hold("SELECT 1 FROM products WHERE id = $1 FOR UPDATE", loaf)
	stop := shopperLoad(t, c, 3, slugs, loaf)
	form := customer.checkoutForm(slot)
	start := time.Now()
	r := customer.placeOrder(form)
	took := time.Since(start)
	assertTryAgain(t, "checkout of a locked product", r, "your cart is kept")
	if took >= requestTimeout {
		t.Fatalf("the checkout answered after %s, not within the lock timeout (%s)", took, lockTimeout)
	}
	t.Logf("checkout of the locked product answered 503 in %s (lock timeout %s)", took.Round(time.Millisecond), lockTimeout)
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatalf("%d orders written by a checkout that failed", n)
	}
	release()
	if r := customer.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the same checkout once the lock is gone: %d", r.StatusCode)
	}

	// The whole table, as a migration's ALTER TABLE holds it.
	release = hold("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
	for _, n := range c.Nodes {
		if r := customer.c.Get(t, "/readyz", onNode(n)...); r.StatusCode != http.StatusOK {
			t.Fatalf("%s is not ready while a table is locked: %d", n.ID, r.StatusCode)
		}
	}
	other := newShopper(t, c)
	other.add(loaf, "1") // answered from memory
	start = time.Now()
	assertTryAgain(t, "checkout while the products table is locked", other.c.Get(t, "/checkout"), "your cart is kept")
	if took := time.Since(start); took >= requestTimeout {
		t.Fatalf("the checkout answered after %s", took)
	}
	time.Sleep(lockTimeout) // shoppers browse under the lock for a while
	release()
	stop().report(t)
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 1 {
		t.Fatalf("%d orders, want the one placed after the row lock", n)
	}
}
