package handlers_test

import (
	"fmt"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/handlers"
	"shopfront/shop"
	"shopfront/staffauth"
)

// signedIn returns a client signed in with a new account of the role.
func signedIn(t *testing.T, c *apptest.Cluster, email, role string) *apptest.Client {
	t.Helper()
	apptest.CreateStaff(t, c.Pool, email, role)
	client := c.Client()
	client.SignIn(t, email, apptest.StaffPassword)
	return client
}

// concrete fills a route path's parameters with a value that exists.
func concrete(path string, ids map[string]string) string {
	return regexp.MustCompile(`:[a-z]+`).ReplaceAllStringFunc(path, func(string) string {
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix) {
				return id
			}
		}
		return "1"
	})
}

func TestEveryStaffRouteEnforcesItsRole(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	routes := handlers.StaffRoutes(c.Nodes[0].App)
	if len(routes) < 25 {
		t.Fatalf("only %d staff routes found in the route table", len(routes))
	}
	anonymous := c.Client()
	staff := signedIn(t, c, "staff@example.com", staffauth.RoleStaff)
	owner := signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
	ids := map[string]string{"/admin/products/": fmt.Sprint(productID(t, c.Pool, "duck-eggs"))}

	for _, r := range routes {
		if r.Path == "/admin/logout" || r.Path == "/admin/sign-out-everywhere" || r.Path == "/admin/account/password" {
			continue // they end the session; checked in their own tests
		}
		path := concrete(r.Path, ids)
		if r.Stream {
			// A live stream says in the stream itself that there is no session.
			if rest := anonymous.OpenStream(t, path, "").Ended(t, liveWait); len(rest) != 1 || rest[0].Event != "session-ended" {
				t.Errorf("%s %s without a session sent %+v, want one session-ended event", r.Method, r.Path, rest)
			}
			for _, cl := range []*apptest.Client{staff, owner} {
				st := cl.OpenStream(t, path, "")
				if e, ok := st.NextWithin(200 * time.Millisecond); st.Status != http.StatusOK || (ok && e.Event == "session-ended") {
					t.Errorf("%s %s with a session: %d %+v, want the stream", r.Method, r.Path, st.Status, e)
				}
				st.Close()
			}
			continue
		}
		send := func(client *apptest.Client) *apptest.Response {
			if r.Method == http.MethodGet {
				return client.Get(t, path)
			}
			return client.PostForm(t, path, url.Values{"csrf_token": {client.Token(t, "/")}})
		}
		if resp := send(anonymous); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
			t.Errorf("%s %s without a session: %d %q, want 303 to the sign-in page", r.Method, r.Path, resp.StatusCode, resp.Header.Get("Location"))
		}
		resp := send(staff)
		switch {
		case r.Role == staffauth.RoleOwner && resp.StatusCode != http.StatusForbidden:
			t.Errorf("%s %s as staff: %d, want 403 (owners only)", r.Method, r.Path, resp.StatusCode)
		case r.Role == staffauth.RoleStaff && (resp.StatusCode == http.StatusForbidden || strings.HasPrefix(resp.Header.Get("Location"), "/admin/login")):
			t.Errorf("%s %s as staff: %d, want access", r.Method, r.Path, resp.StatusCode)
		}
		if resp := send(owner); resp.StatusCode == http.StatusForbidden || resp.StatusCode >= 500 ||
			strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
			t.Errorf("%s %s as owner: %d, want access", r.Method, r.Path, resp.StatusCode)
		}
	}
}

func TestSignOutEverywhereReachesEveryNode(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "sam@example.com", staffauth.RoleStaff)

	phone := c.Client()
	phone.SignIn(t, "sam@example.com", apptest.StaffPassword) // node A
	captured := phone.Cookie("__Host-staff")
	laptop := c.Client()
	laptop.SignIn(t, "sam@example.com", apptest.StaffPassword)

	// On another node, the laptop signs out everywhere.
	r := laptop.PostForm(t, "/admin/sign-out-everywhere", url.Values{"csrf_token": {laptop.Token(t, "/admin/account")}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", r.StatusCode)
	}
	// The phone's captured cookie, replayed on each node in turn.
	replay := c.Client()
	nodes := map[string]bool{}
	for range 3 {
		replay.SetCookie("__Host-staff", captured)
		r := replay.Get(t, "/admin/orders")
		nodes[r.Header.Get("X-Test-Node")] = true
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
			t.Fatalf("%s accepted a session signed out everywhere: %d", r.Header.Get("X-Test-Node"), r.StatusCode)
		}
	}
	if len(nodes) != 3 {
		t.Fatalf("replayed on %v, want all 3 nodes", nodes)
	}
	// Signing in again works.
	phone.SignIn(t, "sam@example.com", apptest.StaffPassword)
	if r := phone.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
		t.Fatalf("after signing in again: %d", r.StatusCode)
	}
}

func TestSignOutEndsOnlyThisSessionAndStaysEnded(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "kim@example.com", staffauth.RoleStaff)
	desk, till := c.Client(), c.Client()
	desk.SignIn(t, "kim@example.com", apptest.StaffPassword)
	till.SignIn(t, "kim@example.com", apptest.StaffPassword)
	before := desk.Cookie("__Host-staff")

	r := desk.PostForm(t, "/admin/logout", url.Values{"csrf_token": {desk.Token(t, "/admin/orders")}})
	if r.StatusCode != http.StatusSeeOther || desk.Cookie("__Host-staff") != "" {
		t.Fatalf("sign out: %d, cookie kept: %v", r.StatusCode, desk.Cookie("__Host-staff") != "")
	}
	// A slow request that started before signing out brings the old cookie
	// back to the browser: it must not bring the session back.
	desk.SetCookie("__Host-staff", before)
	if r := desk.Get(t, "/admin/orders"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the signed-out session was accepted again: %d", r.StatusCode)
	}
	if r := till.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
		t.Fatalf("signing out on one device ended another: %d", r.StatusCode)
	}
}

func TestSignInIsRateLimitedAcrossNodes(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "lee@example.com", staffauth.RoleStaff)
	attacker := c.Client()
	nodes := map[string]bool{}
	for i := range staffauth.MaxFailures {
		r := attacker.TrySignIn(t, "lee@example.com", fmt.Sprintf("wrong password %d", i))
		nodes[r.Header.Get("X-Test-Node")] = true
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "do not match an account") {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	if len(nodes) != 3 {
		t.Fatalf("failures reached %v, want all 3 nodes", nodes)
	}
	// Even the right password is refused now, from anywhere.
	r := attacker.TrySignIn(t, "lee@example.com", apptest.StaffPassword, "X-Test-Client-IP", "203.0.113.9")
	retry, _ := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.StatusCode != http.StatusTooManyRequests || retry < 60 || retry > int(staffauth.Window.Seconds()) ||
		!strings.Contains(r.Body, "Too many failed sign-ins") {
		t.Fatalf("11th attempt: %d Retry-After=%q", r.StatusCode, r.Header.Get("Retry-After"))
	}

	// Per address too: ten failures on ten unknown accounts from one place.
	apptest.CreateStaff(t, c.Pool, "ana@example.com", staffauth.RoleStaff)
	bot := c.Client()
	for i := range staffauth.MaxFailures {
		bot.TrySignIn(t, fmt.Sprintf("nobody%d@example.com", i), "guess", "X-Test-Client-IP", "198.51.100.7")
	}
	if r := bot.TrySignIn(t, "ana@example.com", apptest.StaffPassword, "X-Test-Client-IP", "198.51.100.7"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("address over the limit: %d, want 429", r.StatusCode)
	}
	if r := c.Client().TrySignIn(t, "ana@example.com", apptest.StaffPassword, "X-Test-Client-IP", "192.0.2.1"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the same account from another address: %d, want signed in", r.StatusCode)
	}
}

func TestUnknownEmailsCostAPasswordCheckLikeWrongPasswords(t *testing.T) {
	// Not parallel: the count of password checks is the process's, and the
	// package's parallel tests wait until this one is done.
	c := apptest.NewCluster(t, apptest.Options{Nodes: 1})
	apptest.CreateStaff(t, c.Pool, "jo@example.com", staffauth.RoleStaff)
	// An unknown email is answered only after the same password hash as a
	// wrong password, so neither the answer nor its time gives away which
	// emails have accounts.
	var answers []string
	for i, email := range []string{"jo@example.com", "nobody@example.com"} {
		before := testutil.ToFloat64(staffauth.PasswordChecks)
		r := c.Client().TrySignIn(t, email, "not the password", "X-Test-Client-IP", fmt.Sprintf("192.0.2.%d", i+10))
		if n := testutil.ToFloat64(staffauth.PasswordChecks) - before; n != 1 {
			t.Errorf("signing in as %s compared %v password hashes, want 1", email, n)
		}
		said := strings.Contains(r.Body, "That email and password do not match an account.")
		answers = append(answers, fmt.Sprintf("%d, says they do not match: %v", r.StatusCode, said))
	}
	if answers[0] != answers[1] || !strings.HasPrefix(answers[0], "422, says they do not match: true") {
		t.Errorf("a wrong password is answered %q, an unknown email %q", answers[0], answers[1])
	}
}

// placeOrders places n pickup orders of one loaf each and returns their ids.
func placeOrders(t *testing.T, c *apptest.Cluster, n int, slot int64) []int64 {
	t.Helper()
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	for range n {
		s := newShopper(t, c)
		s.add(loaf, "1")
		if r := s.placeOrder(s.checkoutForm(slot)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("placing an order: %d", r.StatusCode)
		}
	}
	rows, err := c.Pool.Query(t.Context(), "SELECT id FROM orders ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

func changeStatus(t *testing.T, client *apptest.Client, id int64, from, to string, headers ...string) *apptest.Response {
	t.Helper()
	return client.PostForm(t, fmt.Sprintf("/admin/orders/%d/status", id), url.Values{
		"csrf_token": {client.Token(t, "/admin/orders")}, "from": {from}, "to": {to}, "return_to": {"/admin/orders"},
	}, headers...)
}

func TestOrderStatusFlow(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	id := placeOrders(t, c, 1, slot)[0]
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)

	board := staff.Get(t, "/admin/orders")
	if !strings.Contains(board.Body, "Ada Lovelace") || !strings.Contains(board.Body, "Mark ready") {
		t.Fatal("the board does not show the new order with its actions")
	}
	// Invalid transitions are refused.
	if r := changeStatus(t, staff, id, "placed", "collected"); r.StatusCode != http.StatusSeeOther ||
		!strings.Contains(html.UnescapeString(staff.Get(t, "/admin/orders").Body), "cannot go from placed to collected") {
		t.Fatalf("placed → collected: %d", r.StatusCode)
	}
	// With htmx the row comes back updated, and the change is announced.
	r := changeStatus(t, staff, id, "placed", "ready", "HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(r.Body), `<tr id="order-`) ||
		!strings.Contains(r.Body, "Ready to collect") || !strings.Contains(r.Body, "Mark collected") ||
		!strings.Contains(r.Body, `data-hx-target="#flash"`) {
		t.Fatalf("htmx mark ready: %d\n%s", r.StatusCode, r.Body)
	}
	// The customer sees it.
	var token string
	_ = c.Pool.QueryRow(t.Context(), "SELECT token FROM orders WHERE id = $1", id).Scan(&token)
	if page := c.Client().Get(t, "/orders/"+token); !strings.Contains(page.Body, "Ready to collect") {
		t.Fatal("the customer's order page does not show the new status")
	}
	// Clicking the same button again changes nothing.
	changeStatus(t, staff, id, "placed", "ready")
	if n := count(t, c.Pool, "SELECT count(*) FROM order_events WHERE order_id = $1 AND to_status = 'ready'", id); n != 1 {
		t.Fatalf("%d ready events, want 1", n)
	}
	// Paid, then collected; the history says who did what.
	staff.PostForm(t, fmt.Sprintf("/admin/orders/%d/paid", id), url.Values{"csrf_token": {staff.Token(t, "/admin/orders")}})
	changeStatus(t, staff, id, "ready", "collected")
	detail := html.UnescapeString(staff.Get(t, fmt.Sprintf("/admin/orders/%d", id)).Body)
	for _, want := range []string{"placed by the customer", "Placed → Ready to collect", "Ready to collect → Collected", "marked paid", "by pat"} {
		if !strings.Contains(detail, want) {
			t.Fatalf("order history lacks %q", want)
		}
	}
}

func TestCancellingTwiceAtOnceGivesStockAndSlotBackOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	before := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf)
	id := placeOrders(t, c, 1, slot)[0]
	alice := signedIn(t, c, "alice@example.com", staffauth.RoleStaff)
	bob := signedIn(t, c, "bob@example.com", staffauth.RoleStaff)

	var wg sync.WaitGroup
	statuses := make([]int, 0, 4)
	var mu sync.Mutex
	for _, client := range []*apptest.Client{alice, bob, alice, bob} {
		token := client.Token(t, "/admin/orders")
		wg.Go(func() {
			r := client.PostForm(t, fmt.Sprintf("/admin/orders/%d/status", id), url.Values{
				"csrf_token": {token}, "from": {"placed"}, "to": {"cancelled"}, "reason": {shop.CancelReasons[0]},
			})
			mu.Lock()
			statuses = append(statuses, r.StatusCode)
			mu.Unlock()
		})
	}
	wg.Wait()
	if slices.ContainsFunc(statuses, func(s int) bool { return s >= 500 }) {
		t.Fatalf("statuses %v", statuses)
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != before {
		t.Fatalf("stock %d after cancelling, want %d (given back exactly once)", got, before)
	}
	if got := count(t, c.Pool, "SELECT booked FROM pickup_slots WHERE id = $1", slot); got != 0 {
		t.Fatalf("slot booked = %d, want 0", got)
	}
	if got := count(t, c.Pool, "SELECT count(*) FROM order_events WHERE order_id = $1 AND to_status = 'cancelled'", id); got != 1 {
		t.Fatalf("%d cancel events, want 1", got)
	}
	if got := count(t, c.Pool, "SELECT count(*) FROM stock_movements WHERE order_id = $1 AND delta > 0", id); got != 1 {
		t.Fatalf("%d stock returns in the ledger, want 1", got)
	}
	// A cancelled order cannot be paid or revived.
	r := alice.PostForm(t, fmt.Sprintf("/admin/orders/%d/paid", id), url.Values{"csrf_token": {alice.Token(t, "/admin/orders")}},
		"HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("paying a cancelled order: %d", r.StatusCode)
	}
}

func TestOrdersBoardFiltersAndSearch(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	ids := placeOrders(t, c, 3, slot)
	exec(t, c.Pool, "UPDATE orders SET customer_name = 'Grace Hopper', customer_email = 'grace@navy.example' WHERE id = $1", ids[1])
	staff := signedIn(t, c, "val@example.com", staffauth.RoleStaff)
	changeStatus(t, staff, ids[2], "placed", "ready")

	rows := func(path string) int { return strings.Count(staff.Get(t, path).Body, `<tr id="order-`) }
	var number int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT number FROM orders WHERE id = $1", ids[0]).Scan(&number)
	day := time.Now().Add(26 * time.Hour).Truncate(time.Hour).In(c.Nodes[0].Config.Location).Format("2006-01-02")
	for path, want := range map[string]int{
		"/admin/orders":                               3,
		"/admin/orders?status=ready":                  1,
		"/admin/orders?status=placed":                 2,
		"/admin/orders?q=grace":                       1,
		"/admin/orders?q=NAVY.example":                1,
		fmt.Sprintf("/admin/orders?q=%%23%d", number): 1,
		fmt.Sprintf("/admin/orders?slot=%d", slot):    3,
		"/admin/orders?day=" + day:                    3,
		"/admin/orders?day=2020-01-01":                0,
	} {
		if got := rows(path); got != want {
			t.Errorf("%s shows %d orders, want %d", path, got, want)
		}
	}
	for _, bad := range []string{"/admin/orders?day=tomorrow", "/admin/orders?slot=abc", "/admin/orders?q=" + strings.Repeat("x", 200)} {
		if r := staff.Get(t, bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, r.StatusCode)
		}
	}
	// htmx filtering swaps only the table.
	r := staff.Get(t, "/admin/orders?status=ready", "HX-Request", "true", "HX-Request-Type", "partial")
	if strings.Contains(r.Body, "<html") || strings.Count(r.Body, `<tr id="order-`) != 1 {
		t.Fatal("htmx board filter did not return just the table")
	}
}

func TestOwnersInviteAndManageStaff(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	owner := signedIn(t, c, "boss@example.com", staffauth.RoleOwner)
	r := owner.Submit(t, "/admin/staff", "/admin/staff", url.Values{"email": {"New.Hire@Example.com"}, "name": {"New Hire"}, "role": {"staff"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("inviting: %d", r.StatusCode)
	}
	invite := c.Mail.WaitFor(t, 1, 30*time.Second, "the invitation", apptest.To("New.Hire@Example.com"))[0]
	link := apptest.LinkIn(t, invite, "/admin/invite/")
	if !strings.HasPrefix(link, c.URL+"/admin/invite/") || !strings.Contains(invite.Subject, "invited") {
		t.Fatalf("invitation %q links to %s", invite.Subject, link)
	}
	// Only a hash of the link is stored, in place of the token itself.
	token := link[strings.LastIndex(link, "/")+1:]
	if n := count(t, c.Pool, "SELECT count(*) FROM staff_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))", token); n != 1 {
		t.Fatalf("%d invitations have the link's hash, want 1", n)
	}
	// A second invitation to the same address waits for the first.
	r = owner.Submit(t, "/admin/staff", "/admin/staff", url.Values{"email": {"new.hire@example.com"}, "role": {"staff"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), "already waiting") {
		t.Fatalf("a second invitation: %d", r.StatusCode)
	}

	// The invitee chooses a password; the two must match.
	hire := c.Client()
	if page := hire.Get(t, link); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "New.Hire@Example.com") {
		t.Fatalf("opening the invitation: %d", page.StatusCode)
	}
	r = hire.Submit(t, link, link, url.Values{"name": {"Hire"}, "password": {"a very long password"}, "password_again": {"a very long passwort"}})
	if r.StatusCode != http.StatusUnprocessableEntity || count(t, c.Pool, "SELECT count(*) FROM staff WHERE lower(email) = 'new.hire@example.com'") != 0 {
		t.Fatalf("mismatched passwords: %d", r.StatusCode)
	}
	r = hire.Submit(t, link, link, url.Values{"name": {"Hire"}, "password": {"a very long password"}, "password_again": {"a very long password"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
		t.Fatalf("accepting the invitation: %d %s", r.StatusCode, r.Body)
	}
	hire.SignIn(t, "new.hire@EXAMPLE.com", "a very long password")
	// The link worked once.
	if again := c.Client().Get(t, link); again.StatusCode != http.StatusGone || !strings.Contains(again.Body, "already used") {
		t.Fatalf("the invitation link a second time: %d", again.StatusCode)
	}
	// Emails are unique whatever their case.
	r = owner.Submit(t, "/admin/staff", "/admin/staff", url.Values{"email": {"new.hire@example.com"}, "role": {"staff"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already uses this email") {
		t.Fatalf("inviting an existing account: %d", r.StatusCode)
	}

	var hireID int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM staff WHERE lower(email) = 'new.hire@example.com'").Scan(&hireID)
	owner.Submit(t, "/admin/staff", fmt.Sprintf("/admin/staff/%d", hireID), url.Values{"role": {"staff"}, "active": {"false"}})
	if r := hire.Get(t, "/admin/orders"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a deactivated account is still signed in: %d", r.StatusCode)
	}
	if r := c.Client().TrySignIn(t, "new.hire@example.com", "a very long password"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a deactivated account signed in: %d", r.StatusCode)
	}
	// The last owner cannot be demoted.
	var bossID int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM staff WHERE email = 'boss@example.com'").Scan(&bossID)
	r = owner.Submit(t, "/admin/staff", fmt.Sprintf("/admin/staff/%d", bossID), url.Values{"role": {"staff"}, "active": {"true"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "at least one active owner") {
		t.Fatalf("demoting the last owner: %d", r.StatusCode)
	}
}

func TestChangingPasswordSignsOutEverywhere(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "mo@example.com", staffauth.RoleStaff)
	a, b := c.Client(), c.Client()
	a.SignIn(t, "mo@example.com", apptest.StaffPassword)
	b.SignIn(t, "mo@example.com", apptest.StaffPassword)
	token := a.Token(t, "/admin/account")
	if r := a.PostForm(t, "/admin/account/password", url.Values{"csrf_token": {token}, "current": {"wrong"}, "password": {"a brand new password"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", r.StatusCode)
	}
	if r := a.PostForm(t, "/admin/account/password", url.Values{"csrf_token": {token}, "current": {apptest.StaffPassword}, "password": {"short"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short new password: %d", r.StatusCode)
	}
	if r := a.PostForm(t, "/admin/account/password", url.Values{"csrf_token": {token}, "current": {apptest.StaffPassword}, "password": {"a brand new password"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing password: %d", r.StatusCode)
	}
	if r := b.Get(t, "/admin/orders"); r.StatusCode != http.StatusSeeOther {
		t.Fatal("another device stayed signed in after the password changed")
	}
	a.SignIn(t, "mo@example.com", "a brand new password")
}

func TestSignInRotatesTheCSRFSecret(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "ray@example.com", staffauth.RoleStaff)
	client := c.Client()
	client.Get(t, "/admin/login")
	before := client.Cookie("__Host-visitor")
	client.SignIn(t, "ray@example.com", apptest.StaffPassword)
	if after := client.Cookie("__Host-visitor"); after == "" || after == before {
		t.Fatal("signing in did not rotate the CSRF secret")
	}
}

func TestTwoOwnersDemotingEachOtherKeepOneOwner(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	a := signedIn(t, c, "a-owner@example.com", staffauth.RoleOwner)
	b := signedIn(t, c, "b-owner@example.com", staffauth.RoleOwner)
	var aID, bID int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM staff WHERE email = 'a-owner@example.com'").Scan(&aID)
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM staff WHERE email = 'b-owner@example.com'").Scan(&bID)
	ta, tb := a.Token(t, "/admin/staff"), b.Token(t, "/admin/staff")
	var wg sync.WaitGroup
	wg.Go(func() {
		a.PostForm(t, fmt.Sprintf("/admin/staff/%d", bID), url.Values{"csrf_token": {ta}, "role": {"staff"}, "active": {"true"}})
	})
	wg.Go(func() {
		b.PostForm(t, fmt.Sprintf("/admin/staff/%d", aID), url.Values{"csrf_token": {tb}, "role": {"staff"}, "active": {"true"}})
	})
	wg.Wait()
	if n := count(t, c.Pool, "SELECT count(*) FROM staff WHERE role = 'owner' AND active"); n != 1 {
		t.Fatalf("%d active owners after two owners demoted each other at once, want 1", n)
	}
}

func TestControlCharactersInStaffInputAreNeverA500(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	if r := c.Client().TrySignIn(t, "a\x00b@example.com", "whatever"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("sign-in with a NUL in the email: %d, want 422", r.StatusCode)
	}
	staff := signedIn(t, c, "nul@example.com", staffauth.RoleStaff)
	for _, path := range []string{"/admin/orders?q=a%00b", "/admin/products?q=a%00b"} {
		if r := staff.Get(t, path); r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", path, r.StatusCode)
		}
	}
	id := productID(t, c.Pool, "duck-eggs")
	r := staff.PostForm(t, fmt.Sprintf("/admin/products/%d/stock", id), url.Values{
		"csrf_token": {staff.Token(t, "/admin/orders")}, "mode": {"adjust"}, "amount": {"1"}, "reason": {"found\x00 one"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("stock reason with a NUL: %d", r.StatusCode)
	}
	if strings.Contains(c.Logs(), `"level":"ERROR"`) {
		t.Fatal("control characters in input were logged as internal errors")
	}
}
