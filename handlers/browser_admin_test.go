package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// TestBrowserStaffMarksAnOrderReady follows a staff member from the sign-in
// page to the orders board, where "Mark ready" updates the order's row in
// place, and then the customer's order page, which shows the new status.
func TestBrowserStaffMarksAnOrderReady(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)

	// A customer places a pickup order over HTTP.
	s := newShopper(t, c)
	if r := s.add(productID(t, c.Pool, loafSlug), "1"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding to the cart: %d\n%s", r.StatusCode, r.Body)
	}
	r := s.placeOrder(s.checkoutForm(slot))
	location := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location, "/orders/") {
		t.Fatalf("placing the order: %d %q\n%s", r.StatusCode, location, r.Body)
	}
	token := strings.TrimPrefix(location, "/orders/")
	var orderID, number int64
	if err := c.Pool.QueryRow(t.Context(), "SELECT id, number FROM orders WHERE token = $1", token).Scan(&orderID, &number); err != nil {
		t.Fatalf("the order %s: %v", token, err)
	}
	orderNumber := fmt.Sprintf("#%d", number)
	row := fmt.Sprintf("#order-%d", orderID)
	rowStatus := row + " span.status"

	const email = "baker@example.com"
	staffID := apptest.CreateStaff(t, c.Pool, email, staffauth.RoleStaff)

	ctx := apptest.NewBrowser(t)

	// The board sends a visitor without a session to the sign-in page,
	// remembering where they were going.
	apptest.Do(t, ctx, "opening the orders board", chromedp.Navigate(c.URL+"/admin/orders"))
	browserWaitForPage(t, ctx, `location.pathname == "/admin/login" && document.getElementById("password")`, "/admin/login")
	if next := apptest.Eval[string](t, ctx, `new URLSearchParams(location.search).get("next") ?? ""`); next != "/admin/orders" {
		t.Errorf("the sign-in page's next parameter is %q, want /admin/orders", next)
	}
	signIn := `main form button[type="submit"]`
	if got := browserText(t, ctx, signIn); got != "Sign in" {
		t.Fatalf("the sign-in form's button says %q, want \"Sign in\"", got)
	}

	// Signing in is a plain form post: a full page load back to the board.
	browserMarkWindow(t, ctx)
	apptest.Do(t, ctx, "signing in",
		typeIntoField("#email", email),
		typeIntoField("#password", apptest.StaffPassword),
		chromedp.Click(chromedp.CSS(signIn)))
	browserWaitForPage(t, ctx,
		`location.pathname == "/admin/orders" && document.querySelector(`+jsQuote(rowStatus)+`)`, "/admin/orders with the order")
	if got := browserText(t, ctx, rowStatus); got != "Placed" {
		t.Fatalf("the order's status on the board is %q, want \"Placed\"", got)
	}
	apptest.WaitFor(t, ctx, browserWait, `typeof htmx == "object"`, "htmx to load")
	browserMarkWindow(t, ctx)

	// The row's "Mark ready" button names the order for screen readers.
	markReady := row + ` form:has(input[name="to"][value="ready"]) button[type="submit"]`
	if got := browserText(t, ctx, markReady); got != "Mark ready: order "+orderNumber {
		t.Fatalf("the Mark ready button's text is %q, want \"Mark ready: order %s\"", got, orderNumber)
	}
	apptest.Do(t, ctx, "pressing Mark ready", chromedp.Click(chromedp.CSS(markReady)))
	apptest.WaitFor(t, ctx, browserWait,
		`(document.querySelector(`+jsQuote(rowStatus)+`)?.textContent ?? "").trim() == "Ready to collect"`,
		"the row's status to read Ready to collect")
	assertNoReloadSince(t, ctx, "marking the order ready")
	wantFlash := "Order " + orderNumber + " is now ready to collect."
	apptest.WaitFor(t, ctx, browserWait,
		`document.getElementById("flash").textContent.includes(`+jsQuote(wantFlash)+`)`, "#flash to announce the change")
	if apptest.Eval[bool](t, ctx, `!!document.querySelector(`+jsQuote(markReady)+`)`) {
		t.Error("the row still offers Mark ready after the order became ready")
	}
	// Focus moves to the new status, not to the body the old button left.
	focused := `document.activeElement === document.querySelector(` + jsQuote(rowStatus) + `)`
	for deadline := time.Now().Add(2 * time.Second); !apptest.Eval[bool](t, ctx, focused); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("after the swap, focus is on %s; want it on the row's status %s", browserFocused(t, ctx), rowStatus)
			break
		}
	}

	// The customer's order page, a fresh navigation, shows the new status.
	apptest.Do(t, ctx, "opening the customer's order page", chromedp.Navigate(c.URL+"/orders/"+token))
	browserWaitForPage(t, ctx,
		`location.pathname == `+jsQuote("/orders/"+token)+` && document.getElementById("order-status")`, "of the order")
	if got := browserText(t, ctx, "#order-status"); got != "Ready to collect" {
		t.Errorf("the customer's #order-status is %q, want \"Ready to collect\"", got)
	}

	// The change is recorded against the staff member who made it.
	if n := count(t, c.Pool, `SELECT count(*) FROM order_events
		WHERE order_id = $1 AND kind = 'status_changed' AND from_status = 'placed' AND to_status = 'ready' AND staff_id = $2`,
		orderID, staffID); n != 1 {
		t.Errorf("%d status_changed events placed → ready by staff %d, want 1", n, staffID)
	}
}
