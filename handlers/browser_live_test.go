package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// browserSignIn signs the browser in to the staff area at the orders board.
func browserSignIn(t *testing.T, ctx context.Context, c *apptest.Cluster, email string) {
	t.Helper()
	apptest.Do(t, ctx, "opening the sign-in page", chromedp.Navigate(c.URL+"/admin/login?next=/admin/orders"))
	browserWaitForPage(t, ctx, `document.getElementById("password")`, "/admin/login")
	browserMarkWindow(t, ctx)
	apptest.Do(t, ctx, "signing in",
		typeIntoField("#email", email),
		typeIntoField("#password", apptest.StaffPassword),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	browserWaitForPage(t, ctx, `location.pathname == "/admin/orders" && document.getElementById("orders")`, "/admin/orders")
	apptest.WaitFor(t, ctx, browserWait, `typeof htmx == "object"`, "htmx to load")
	browserMarkWindow(t, ctx)
}

// boardHasOrder is true once the board's table shows the order's row.
func boardHasOrder(id int64) string {
	return fmt.Sprintf(`!!document.querySelector("#orders #order-%d")`, id)
}

func TestBrowserBoardAndOrderPageUpdateThemselves(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	apptest.CreateStaff(t, c.Pool, "baker@example.com", staffauth.RoleStaff)
	ctx := apptest.NewBrowser(t)
	browserSignIn(t, ctx, c, "baker@example.com")
	apptest.WaitFor(t, ctx, browserWait, `!!document.getElementById("board-live")?._htmx?.sse`, "the board's stream to connect")

	// A customer orders (over HTTP, through any node): the board shows it
	// without a reload, and its counts follow.
	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	apptest.WaitFor(t, ctx, browserWait, boardHasOrder(o.ID), "the new order to appear on the board")
	assertNoReloadSince(t, ctx, "the new order")
	if got := browserText(t, ctx, ".status-counts"); !strings.Contains(got, "Placed 1") {
		t.Errorf("the board's counts read %q, want Placed 1", got)
	}

	// The customer looks at their order, in a browser of their own.
	customer := apptest.NewBrowser(t)
	browserOpen(t, customer, c.URL+"/orders/"+o.Token, true)
	apptest.WaitFor(t, customer, browserWait, `!!document.querySelector(".order__live")?._htmx?.sse`, "the order page's stream to connect")
	if live := apptest.Eval[string](t, customer, `document.getElementById("order-status-line").getAttribute("aria-live") ?? ""`); live != "polite" {
		t.Fatalf("the status line is not a polite live region (aria-live=%q)", live)
	}

	// Another staff member marks it ready: both pages follow.
	staff := signedIn(t, c, "sam@example.com", staffauth.RoleStaff)
	changeStatus(t, staff, o.ID, "placed", "ready")
	apptest.WaitFor(t, customer, browserWait,
		`document.getElementById("order-status-line").textContent.includes("Ready to collect")`, "the customer's page to say Ready to collect")
	assertNoReloadSince(t, customer, "the status change")
	row := fmt.Sprintf("#order-%d span.status", o.ID)
	apptest.WaitFor(t, ctx, browserWait,
		`(document.querySelector(`+jsQuote(row)+`)?.textContent ?? "").trim() == "Ready to collect"`, "the board's row to say Ready to collect")
	assertNoReloadSince(t, ctx, "the status change")
}

// The board on a phone: nothing sideways, the buttons within reach.
func TestBrowserBoardFitsAPhone(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	for i := range 3 {
		orderAs(t, c, fmt.Sprintf("Customer With A Rather Long Name %d", i), fmt.Sprintf("customer.with.a.long.address%d@example.com", i), slot)
	}
	apptest.CreateStaff(t, c.Pool, "baker@example.com", staffauth.RoleStaff)
	ctx := apptest.NewBrowser(t)
	apptest.Do(t, ctx, "a 390 px phone", chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 390, Height: 844, DeviceScaleFactor: 3, Mobile: true,
		})
		return err
	}))
	browserSignIn(t, ctx, c, "baker@example.com")
	if w := apptest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Fatalf("the board is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	// Every status button is at least 44 px tall and inside the screen.
	bad := apptest.Eval[[]string](t, ctx, `[...document.querySelectorAll("#orders .actions .button")].filter(b => {
		const r = b.getBoundingClientRect();
		return r.height < 44 || r.left < 0 || r.right > 390;
	}).map(b => b.textContent.trim())`)
	if len(bad) > 0 {
		t.Fatalf("buttons too small or off screen on a phone: %q", bad)
	}
}

// streamNodes counts, per node, the board streams it is serving.
type streamNodes struct {
	mu   sync.Mutex
	open map[int]int
	next int
}

func (s *streamNodes) wrap(next http.Handler) http.Handler {
	s.mu.Lock()
	node := s.next
	s.next++
	s.mu.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/orders/events" {
			s.mu.Lock()
			s.open[node]++
			s.mu.Unlock()
			defer func() { s.mu.Lock(); s.open[node]--; s.mu.Unlock() }()
		}
		next.ServeHTTP(w, r)
	})
}

// serving is a node other than except that holds a stream (-1: none).
func (s *streamNodes) serving(except int) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, open := range s.open {
		if open > 0 && n != except {
			return n, true
		}
	}
	return 0, false
}

// The node holding the board's stream dies: the browser reconnects to
// another and shows what happened meanwhile.
func TestBrowserBoardCatchesUpWhenItsNodeDies(t *testing.T) {
	t.Parallel()
	streams := &streamNodes{open: map[int]int{}}
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: streams.wrap})
	slot := slotSoon(t, c, 5)
	apptest.CreateStaff(t, c.Pool, "baker@example.com", staffauth.RoleStaff)
	// A cut stream may be reported as a failed load.
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: func(m chromedp.ConsoleMessage) bool {
		return (m.Source == "network" && strings.Contains(m.URL, "/admin/orders/events")) ||
			strings.Contains(m.Text, "htmx:sse:error: network error")
	}})
	browserSignIn(t, ctx, c, "baker@example.com")
	apptest.WaitFor(t, ctx, browserWait, `!!document.getElementById("board-live")?._htmx?.sse`, "the board's stream to connect")
	var holder int
	pollUntil(t, browserWait, func() bool { var ok bool; holder, ok = streams.serving(-1); return ok }, "a node to hold the board's stream")

	c.Kill(c.Nodes[holder])
	first := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	second := orderAs(t, c, "Grace Hopper", "grace@example.com", slot)
	apptest.WaitFor(t, ctx, browserWait, boardHasOrder(first.ID)+" && "+boardHasOrder(second.ID), "both orders to appear on the board")
	assertNoReloadSince(t, ctx, "the node's death")
	if _, ok := streams.serving(holder); !ok {
		t.Fatalf("no node but the dead node %d holds the board's stream", holder)
	}
}

// refuseFirstStream answers the first board stream request as a draining
// node does (503, the message to the live region), as if the node went away
// just as the page connected.
type refuseFirstStream struct{ refused atomic.Bool }

func (r *refuseFirstStream) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/admin/orders/events" && r.refused.CompareAndSwap(false, true) {
			w.Header().Set("HX-Retarget", "#flash")
			w.Header().Set("HX-Reswap", "innerHTML")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<p class="flash flash--error">The shop is busy or restarting. Please try again in a moment.</p>`))
			return
		}
		next.ServeHTTP(w, req)
	})
}

func TestBrowserBoardConnectsWhenItsFirstTryFails(t *testing.T) {
	t.Parallel()
	refuse := &refuseFirstStream{}
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: refuse.wrap})
	slot := slotSoon(t, c, 5)
	apptest.CreateStaff(t, c.Pool, "baker@example.com", staffauth.RoleStaff)
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: func(m chromedp.ConsoleMessage) bool {
		return strings.Contains(m.URL, "/admin/orders/events") || strings.Contains(m.Text, "503")
	}})
	browserSignIn(t, ctx, c, "baker@example.com")
	apptest.WaitFor(t, ctx, browserWait, `!!document.getElementById("board-live")?._htmx?.sse`, "the board's stream to connect on a second try")
	if !refuse.refused.Load() {
		t.Fatal("the first stream request was not refused")
	}
	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	apptest.WaitFor(t, ctx, browserWait, boardHasOrder(o.ID), "the new order to appear on the board")
	assertNoReloadSince(t, ctx, "the retried stream")
}
