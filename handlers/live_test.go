package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// liveWait is how long a test waits for an event to arrive. The latency
// itself is measured by `make bench`, not asserted here.
const liveWait = 60 * time.Second

type boardMessage struct {
	OrderID int64  `json:"order_id"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`
}

func board(t *testing.T, e apptest.SSE) boardMessage {
	t.Helper()
	if e.Event != "order" {
		t.Fatalf("got a %q event (%q), want an order event", e.Event, e.Data)
	}
	var m boardMessage
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
		t.Fatalf("order event %q: %v", e.Data, err)
	}
	if _, err := strconv.ParseInt(e.ID, 10, 64); err != nil {
		t.Fatalf("order event without a numeric id: %+v", e)
	}
	return m
}

// onNode routes a request to one node of the cluster.
func onNode(n *apptest.Node) []string { return []string{apptest.NodeHeader, n.ID} }

func TestTheBoardOnOneNodeHearsOfOrdersPlacedOnAnother(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	stream := staff.OpenStream(t, "/admin/orders/events", "", onNode(c.Nodes[2])...)
	if stream.Status != http.StatusOK || !strings.HasPrefix(stream.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("the board's stream: %d %s", stream.Status, stream.Header.Get("Content-Type"))
	}

	// The order is placed through node A (the proxy's round robin starts
	// elsewhere, so pin it).
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1", onNode(c.Nodes[0])...)
	form := s.checkoutForm(slot)
	if r := s.placeOrder(form, onNode(c.Nodes[0])...); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing the order on node A: %d", r.StatusCode)
	}
	o := orderOf(t, c, "ada@example.com")
	placed := board(t, mustNext(t, stream))
	if placed.OrderID != o.ID || placed.Kind != "placed" {
		t.Fatalf("the board heard %+v, want order %d placed", placed, o.ID)
	}

	// Marked ready on node B: the board hears that too.
	changeStatus(t, staff, o.ID, "placed", "ready", onNode(c.Nodes[1])...)
	ready := board(t, mustNext(t, stream))
	if ready.OrderID != o.ID || ready.Status != "ready" {
		t.Fatalf("the board heard %+v, want order %d ready", ready, o.ID)
	}
}

func mustNext(t *testing.T, s *apptest.Stream) apptest.SSE {
	t.Helper()
	e, ok := s.Next(t, liveWait)
	if !ok {
		t.Fatal("the stream ended")
	}
	return e
}

func TestTheCustomersPageHearsTheStatusChangedOnAnotherNode(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	customer := c.Client()
	page := customer.Get(t, "/orders/"+o.Token)
	after := regexpFind(t, page.Body, `data-hx-sse-connect="/orders/`+o.Token+`/events\?after=(\d+)"`)
	stream := customer.OpenStream(t, "/orders/"+o.Token+"/events?after="+after, "", onNode(c.Nodes[0])...)

	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	changeStatus(t, staff, o.ID, "placed", "ready", onNode(c.Nodes[1])...)
	e := mustNext(t, stream)
	if e.Event != "" || !strings.Contains(e.Data, `data-hx-target="#order-status-line"`) || !strings.Contains(e.Data, "Ready to collect") {
		t.Fatalf("the order page's stream sent %+v, want its status line saying Ready to collect", e)
	}
	// Only this order's changes reach this customer.
	other := orderAs(t, c, "Grace Hopper", "grace@example.com", slot)
	changeStatus(t, staff, other.ID, "placed", "ready")
	changeStatus(t, staff, o.ID, "ready", "collected")
	if e := mustNext(t, stream); !strings.Contains(e.Data, "Collected") {
		t.Fatalf("after another customer's order changed, the stream sent %+v", e)
	}

	// An unknown or malformed token streams nothing.
	for _, bad := range []string{"/orders/" + strings.Repeat("x", 24) + "/events", "/orders/short/events"} {
		if r := c.Client().Get(t, bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, r.StatusCode)
		}
	}
}

// clock is a test clock the nodes read while the test moves it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustRegexp(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }

// csrfValueOf is the CSRF token of the first form on a page.
func csrfValueOf(t *testing.T, page string) string {
	t.Helper()
	return regexpFind(t, page, `name="csrf_token" value="([^"]+)"`)
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := mustRegexp(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s", pattern)
	}
	return m[1]
}

// A stream that was down gets what it missed when it comes back, in order
// and each event once, then goes on live.
func TestAReconnectedStreamCatchesUpWithLastEventID(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 10)
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	first := orderAs(t, c, "First Customer", "first@example.com", slot)

	stream := staff.OpenStream(t, "/admin/orders/events?after=0", "")
	e := mustNext(t, stream)
	if got := board(t, e); got.OrderID != first.ID {
		t.Fatalf("replayed %+v, want the first order", got)
	}
	last := e.ID
	stream.Close()

	// While the browser is away: a new order and two status changes.
	second := orderAs(t, c, "Second Customer", "second@example.com", slot)
	changeStatus(t, staff, first.ID, "placed", "ready")
	changeStatus(t, staff, second.ID, "placed", "ready")

	again := staff.OpenStream(t, "/admin/orders/events?after=0", last)
	want := []boardMessage{{second.ID, "placed", "placed"}, {first.ID, "status_changed", "ready"}, {second.ID, "status_changed", "ready"}}
	var ids []int64
	for _, w := range want {
		e := mustNext(t, again)
		m := board(t, e)
		if m != w {
			t.Fatalf("after reconnecting got %+v, want %+v", m, w)
		}
		id, _ := strconv.ParseInt(e.ID, 10, 64)
		ids = append(ids, id)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("event ids out of order: %v", ids)
		}
	}
	// Then live, and nothing twice.
	changeStatus(t, staff, first.ID, "ready", "collected")
	if m := board(t, mustNext(t, again)); m.OrderID != first.ID || m.Status != "collected" {
		t.Fatalf("the live event after catching up: %+v", m)
	}
	if e, ok := again.NextWithin(500 * time.Millisecond); ok {
		t.Fatalf("an extra event after the live one: %+v", e)
	}
}

func TestSigningOutEverywhereEndsTheBoardStreamOnEveryNode(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	tablet := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	laptop := c.Client()
	laptop.SignIn(t, "pat@example.com", apptest.StaffPassword)
	stream := tablet.OpenStream(t, "/admin/orders/events", "", onNode(c.Nodes[2])...)

	r := laptop.Submit(t, "/admin/account", "/admin/sign-out-everywhere", nil, onNode(c.Nodes[0])...)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing out everywhere: %d", r.StatusCode)
	}
	rest := stream.Ended(t, liveWait)
	if len(rest) != 1 || rest[0].Event != "session-ended" || !strings.Contains(rest[0].Data, "signed out") {
		t.Fatalf("the tablet's stream ended with %+v, want one session-ended event", rest)
	}
	// Coming back without a session: told at once, nothing else.
	again := tablet.OpenStream(t, "/admin/orders/events", "")
	if rest := again.Ended(t, liveWait); len(rest) != 1 || rest[0].Event != "session-ended" {
		t.Fatalf("a stream without a session sent %+v", rest)
	}
	if anon := c.Client().OpenStream(t, "/admin/orders/events", ""); len(anon.Ended(t, liveWait)) != 1 {
		t.Fatal("an anonymous stream was not ended at once")
	}
}

// A staff action after the session ended is refused, says so, and leads
// back to the page it came from.
func TestAnActionAfterTheSessionEndedIsRefusedAndSaysSo(t *testing.T) {
	t.Parallel()
	clock := newClock(time.Now())
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Now: clock.Now})
	slot := slotSoon(t, c, 5)
	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	token := staff.Token(t, "/admin/orders?status=placed")
	clock.Add(2 * time.Hour) // past the hour of idle time

	r := staff.PostForm(t, fmt.Sprintf("/admin/orders/%d/status", o.ID), url.Values{
		"csrf_token": {token}, "from": {"placed"}, "to": {"ready"}, "return_to": {"/admin/orders?status=placed"},
	}, "HX-Request", "true", "HX-Request-Type", "partial")
	target := r.Header.Get("HX-Redirect")
	if !strings.HasPrefix(target, "/admin/login?next=") || !strings.Contains(target, url.QueryEscape("/admin/orders?status=placed")) {
		t.Fatalf("an action after the session ended: %d, HX-Redirect %q", r.StatusCode, target)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders WHERE id = $1 AND status = 'placed'", o.ID); n != 1 {
		t.Fatal("the order changed although the session had ended")
	}
	login := staff.Get(t, target)
	if !strings.Contains(login.Body, "nothing was changed") {
		t.Fatal("the sign-in page does not say that nothing was changed")
	}
	// Signing in goes back to the board as it was.
	form := url.Values{"csrf_token": {csrfValueOf(t, login.Body)}, "email": {"pat@example.com"}, "password": {apptest.StaffPassword}, "next": {"/admin/orders?status=placed"}}
	if r := staff.PostForm(t, "/admin/login", form); r.Header.Get("Location") != "/admin/orders?status=placed" {
		t.Fatalf("after signing in: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// A counter tablet kept signed in outlasts the idle timeout, shows on the
// account page among the person's browsers, and can be signed out there.
func TestADeviceKeptSignedInCanBeEndedFromTheAccountPage(t *testing.T) {
	t.Parallel()
	clock := newClock(time.Now())
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Now: clock.Now})
	apptest.CreateStaff(t, c.Pool, "pat@example.com", staffauth.RoleStaff)
	const androidChrome = "Mozilla/5.0 (Linux; Android 14; SM-X210) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	tablet, laptop := c.Client(), c.Client()
	r := tablet.Submit(t, "/admin/login", "/admin/login", url.Values{"email": {"pat@example.com"}, "password": {apptest.StaffPassword}, "remember": {"on"}},
		"User-Agent", androidChrome)
	if r.StatusCode != http.StatusSeeOther || tablet.Cookie("__Host-staff-device") == "" || tablet.Cookie("__Host-staff") != "" {
		t.Fatalf("signing in to keep the device signed in: %d", r.StatusCode)
	}
	laptop.SignIn(t, "pat@example.com", apptest.StaffPassword)

	clock.Add(3 * time.Hour) // past the ordinary hour of idle time
	if r := tablet.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
		t.Fatalf("the kept device after 3 idle hours: %d", r.StatusCode)
	}
	if r := laptop.Get(t, "/admin/orders"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the ordinary session after 3 idle hours: %d", r.StatusCode)
	}
	laptop.SignIn(t, "pat@example.com", apptest.StaffPassword)
	account := laptop.Get(t, "/admin/account")
	if !strings.Contains(account.Body, "Chrome on Android") || !strings.Contains(account.Body, "Kept signed in") || !strings.Contains(account.Body, "(this browser)") {
		t.Fatal("the account page does not list the tablet and this browser")
	}
	var tabletSession string
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM staff_sessions WHERE remember AND revoked_at IS NULL").Scan(&tabletSession)
	r = laptop.Submit(t, "/admin/account", "/admin/account/sessions/"+tabletSession+"/end", nil, onNode(c.Nodes[0])...)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing the tablet out: %d", r.StatusCode)
	}
	for _, n := range c.Nodes {
		if r := tablet.Get(t, "/admin/orders", onNode(n)...); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the tablet is still signed in on %s: %d", n.ID, r.StatusCode)
		}
	}
	if r := laptop.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
		t.Fatalf("ending the tablet's session ended this one too: %d", r.StatusCode)
	}
	// Someone else's session id is not this person's to end.
	apptest.CreateStaff(t, c.Pool, "sam@example.com", staffauth.RoleStaff)
	sam := c.Client()
	sam.SignIn(t, "sam@example.com", apptest.StaffPassword)
	var samSession string
	_ = c.Pool.QueryRow(t.Context(), "SELECT s.id FROM staff_sessions s JOIN staff ON staff.id = s.staff_id WHERE staff.email = 'sam@example.com'").Scan(&samSession)
	laptop.Submit(t, "/admin/account", "/admin/account/sessions/"+samSession+"/end", nil)
	if r := sam.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
		t.Fatalf("one person ended another's session: %d", r.StatusCode)
	}
}
