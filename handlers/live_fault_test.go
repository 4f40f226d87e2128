package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// Postgres restarts under open streams: every node's LISTEN connection
// comes back by itself and events flow again, with no node restarted and
// the browsers' streams left open.
func TestListenersReconnectAfterAPostgresRestart(t *testing.T) {
	t.Parallel()
	pg := apptest.NewPrivatePostgres(t)
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Postgres: pg})
	slot := slotSoon(t, c, 10)
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	var streams []*apptest.Stream
	for _, n := range c.Nodes {
		s := staff.OpenStream(t, "/admin/orders/events", "", onNode(n)...)
		s.WaitLive(t, liveWait)
		streams = append(streams, s)
	}

	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	pg.Restart(t)

	// The shop takes orders again once Postgres is back.
	deadline := time.Now().Add(time.Minute)
	for !tryToOrder(t, c, loaf, slot) {
		if time.Now().After(deadline) {
			t.Fatal("no order could be placed a minute after Postgres restarted")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var o placedOrder
	pollUntil(t, time.Minute, func() bool {
		return c.Pool.QueryRow(t.Context(), "SELECT id FROM orders WHERE customer_email = 'ada@example.com'").Scan(&o.ID) == nil
	}, "the order to be readable")
	for i, s := range streams {
		for {
			e, ok := s.Next(t, liveWait)
			if !ok {
				for _, l := range strings.Split(c.Logs(), "\n") {
					if strings.Contains(l, "events") || strings.Contains(l, "listen") || strings.Contains(l, "WARN") || strings.Contains(l, "ERROR") {
						t.Log(l)
					}
				}
				t.Fatalf("%s's stream ended", c.Nodes[i].ID)
			}
			if board(t, e).OrderID == o.ID {
				break
			}
		}
		t.Logf("%s's stream heard the order placed after the restart", c.Nodes[i].ID)
	}
}

// tryToOrder places an order as a customer would, and says whether the
// shop took it: while the database is away, it does not.
func tryToOrder(t *testing.T, c *apptest.Cluster, product, slot int64) bool {
	t.Helper()
	cl := c.Client()
	home := cl.Get(t, "/")
	m := csrfInput.FindStringSubmatch(home.Body)
	if home.StatusCode != http.StatusOK || m == nil {
		return false
	}
	r := cl.PostForm(t, "/cart/add", url.Values{"csrf_token": {m[1]}, "product_id": {fmt.Sprint(product)}, "quantity": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		return false
	}
	page := cl.Get(t, "/checkout")
	if page.StatusCode != http.StatusOK {
		return false
	}
	return cl.PostForm(t, "/checkout", formFrom(page.Body, slot)).StatusCode == http.StatusSeeOther
}
