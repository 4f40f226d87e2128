package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/cookiestate"
)

// shopWithAnOrder is a demo database with a pickup slot and the id of the
// loaf to buy.
func shopWithAnOrder(t *testing.T) (dbURL string, loaf, slot int64) {
	t.Helper()
	dbURL = apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, dbURL, 2)
	slot = apptest.AddSlot(t, pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 500)
	if err := pool.QueryRow(t.Context(), "UPDATE products SET stock = 1000 WHERE slug = 'white-sourdough-loaf' RETURNING id").Scan(&loaf); err != nil {
		t.Fatal(err)
	}
	return dbURL, loaf, slot
}

// SIGTERM with a hundred live streams open: they are told to go (they
// end), so the node drains and exits 0 instead of being held until its
// shutdown timeout cuts them off (which exits 1).
func TestSIGTERMWithAHundredOpenStreamsExitsCleanly(t *testing.T) {
	dbURL, loaf, slot := shopWithAnOrder(t)
	bin := binary(t)
	n := startNode(t, bin, dbURL, "SHUTDOWN_DRAIN=1s", "SHUTDOWN_TIMEOUT=20s", "JOB_WORKERS=0")
	shopper := apptest.NewClient(n.base)
	r := shopper.PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", r.StatusCode)
	}
	page := r.Header.Get("Location")
	streams := make([]*apptest.Stream, 100)
	for i := range streams {
		streams[i] = apptest.NewClient(n.base).OpenStream(t, page+"/events", "")
		if streams[i].Status != http.StatusOK {
			t.Fatalf("stream %d: %d", i, streams[i].Status)
		}
	}
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		s.Ended(t, 30*time.Second) // each is closed by the node, not by us
	}
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the node exited with %v after SIGTERM:\n%s", err, n.logs.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the node did not exit after SIGTERM:\n%s", n.logs.String())
	}
	if !strings.Contains(n.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in the logs:\n%s", n.logs.String())
	}
}

// kill -9 the node holding the board's stream: the browser reconnects to
// another node with the last event id it had, and gets what happened
// meanwhile, once.
func TestKillingTheNodeOfAStreamLosesNoEvent(t *testing.T) {
	dbURL, loaf, slot := shopWithAnOrder(t)
	pool := apptest.NewPool(t, dbURL, 2)
	apptest.CreateStaff(t, pool, "pat@example.com", "staff")
	bin := binary(t)
	keys := "COOKIE_KEYS=" + cookiestate.GenerateKeySet().String()
	a := startNode(t, bin, dbURL, keys, "JOB_WORKERS=0")
	b := startNode(t, bin, dbURL, keys, "JOB_WORKERS=0")

	staff := apptest.NewClient(a.base)
	if r := staff.Submit(t, "/admin/login", "/admin/login", url.Values{"email": {"pat@example.com"}, "password": {apptest.StaffPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in: %d", r.StatusCode)
	}
	stream := staff.OpenStream(t, "/admin/orders/events", "")
	if r := apptest.NewClient(a.base).PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot, Email: "first@example.com"}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the first order: %d", r.StatusCode)
	}
	first, ok := stream.Next(t, 30*time.Second)
	if !ok || first.Event != "order" || first.ID == "" {
		t.Fatalf("the first event: %+v", first)
	}

	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	stream.Ended(t, 30*time.Second)

	// Two orders while the browser is cut off, placed on the other node.
	for _, email := range []string{"second@example.com", "third@example.com"} {
		if r := apptest.NewClient(b.base).PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot, Email: email}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("an order on node B: %d", r.StatusCode)
		}
	}
	// The browser reconnects, to node B, as htmx does: the same cookies,
	// Last-Event-ID the id of the last event it had.
	again := (&staffOn{staff, b.base}).stream(t, first.ID)
	var orders []string
	lastID, _ := strconv.ParseInt(first.ID, 10, 64)
	for range 2 {
		e, ok := again.Next(t, 30*time.Second)
		id, _ := strconv.ParseInt(e.ID, 10, 64)
		if !ok || e.Event != "order" || id <= lastID {
			t.Fatalf("after reconnecting: %+v (the last event had id %d)", e, lastID)
		}
		lastID = id
		orders = append(orders, e.Data)
	}
	if e, ok := again.NextWithin(500 * time.Millisecond); ok {
		t.Fatalf("an event twice or one too many: %+v", e)
	}
	var want []string
	rows, err := pool.Query(context.Background(), `SELECT o.id FROM orders o WHERE customer_email IN ('second@example.com', 'third@example.com') ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		want = append(want, fmt.Sprintf(`"order_id":%d,`, id))
	}
	for i, w := range want {
		if i >= len(orders) || !strings.Contains(orders[i], w) {
			t.Fatalf("after reconnecting got %q, want the orders %q", orders, want)
		}
	}
}

// staffOn is the signed-in browser talking to another node, with the same
// cookies (cookies do not depend on the port).
type staffOn struct {
	c    *apptest.Client
	base string
}

func (s *staffOn) stream(t *testing.T, lastEventID string) *apptest.Stream {
	t.Helper()
	return s.c.At(s.base).OpenStream(t, "/admin/orders/events", lastEventID)
}
