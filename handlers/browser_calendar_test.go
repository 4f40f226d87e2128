package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/apptest"
)

// allowCheckout409 allows only the console error Chromium logs for the 409
// the checkout answers when the order cannot be placed as it stands (a day
// sold out), and counts it.
func allowCheckout409(base string, seen *atomic.Int32) func(chromedp.ConsoleMessage) bool {
	return func(m chromedp.ConsoleMessage) bool {
		ok := m.Type == chromedp.ConsoleError && m.Source == "network" &&
			m.URL == base+"/checkout" && strings.Contains(m.Text, "status of 409")
		if ok {
			seen.Add(1)
		}
		return ok
	}
}

// nextFridayFrom is the first Friday at least two days after now's date,
// in the shop's time zone, as a local midnight.
func nextFridayFrom(now time.Time) time.Time {
	n := now.In(apptest.London)
	day := time.Date(n.Year(), n.Month(), n.Day()+2, 0, 0, 0, 0, apptest.London)
	for day.Weekday() != time.Friday {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// tenOClock is 10:00 on a day, in the shop's time zone.
func tenOClock(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, apptest.London)
}

// customerDayName is how a customer choosing among the days ahead reads a
// day: its weekday within the coming week, and with its date beyond it.
func customerDayName(day, now time.Time) string {
	n := now.In(apptest.London)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, apptest.London)
	if day.AddDate(0, 0, -7).Before(today) {
		return day.Weekday().String()
	}
	return day.Format("Monday 2 January")
}

// dayCount is how many of a product made to order are ordered for a date
// (0 when nothing has been).
func dayCount(t *testing.T, pool *pgxpool.Pool, product int64, day time.Time) int {
	t.Helper()
	return count(t, pool, "SELECT coalesce(sum(ordered), 0) FROM product_days WHERE product_id = $1 AND day = $2::date",
		product, day.Format(time.DateOnly))
}

// A customer orders a loaf made to order for a Friday whose loaves are all
// ordered: the checkout says so in place, names the next day that has
// some, orders nothing, and the customer takes Saturday instead.
func TestBrowserSoldOutDayOffersTheNextDay(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	loaf := browserProductID(t, c.Pool, loafSlug)
	apptest.SetDailyLimit(t, c.Pool, loaf, 2, 0)

	friday := nextFridayFrom(time.Now())
	saturday := friday.AddDate(0, 0, 1)
	fridaySlot := apptest.AddSlot(t, c.Pool, tenOClock(friday), 10)
	saturdaySlot := apptest.AddSlot(t, c.Pool, tenOClock(saturday), 10)

	// Friday's two loaves go the way customers take them: an order.
	if r := c.Client().PlaceOrder(t, apptest.Order{ProductID: loaf, Quantity: 2, SlotID: fridaySlot,
		Name: "Early Bird", Email: "early@example.com"}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ordering Friday's two loaves: %d\n%s", r.StatusCode, r.Body)
	}
	if n := dayCount(t, c.Pool, loaf, friday); n != 2 {
		t.Fatalf("after the first order Friday's count is %d, want 2", n)
	}

	var allowed409 atomic.Int32
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: allowCheckout409(c.URL, &allowed409)})
	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)
	apptest.Do(t, ctx, "adding a loaf", chromedp.Click(chromedp.CSS(addToCartButton(loaf))))
	apptest.WaitFor(t, ctx, browserWait,
		`document.querySelector(`+jsQuote(addToCartStatus(loaf))+`).textContent.includes("Added 1 × `+loafName+`")`,
		"the status line to say Added")
	browserWaitForCartCount(t, ctx, 1)
	browserFollow(t, ctx, "#cart-link", "/cart", "the cart link")
	browserFollow(t, ctx, `#cart a[href="/checkout"]`, "/checkout", "Check out")
	browserMarkWindow(t, ctx)

	const email = "grace@example.com"
	apptest.Do(t, ctx, "filling in the checkout for Friday",
		typeIntoField("#name", "Grace Hopper"),
		typeIntoField("#email", email),
		typeIntoField("#phone", "0117 496 0001"),
		chromedp.Click(chromedp.CSS("#fulfilment-pickup")),
		chromedp.SetValue(chromedp.CSS("#slot_id"), fmt.Sprint(fridaySlot)),
		chromedp.Click(chromedp.CSS(placeOrderButton)))
	apptest.WaitFor(t, ctx, browserWait, `document.querySelector("#checkout-form .error-summary")`, "the checkout's error summary")
	assertNoReloadSince(t, ctx, "the sold-out day")

	now := time.Now()
	message := fmt.Sprintf("%s is sold out for %s — available %s.", loafName, customerDayName(friday, now), customerDayName(saturday, now))
	if got := browserText(t, ctx, "#checkout-form .error-summary"); !strings.Contains(got, "Nothing was ordered yet. "+message) {
		t.Errorf("the error summary says %q, want it to say %q", got, message)
	}
	if got := browserText(t, ctx, "#summary td .field-error"); got != message {
		t.Errorf("the loaf's line says %q, want %q", got, message)
	}
	if got := apptest.Eval[string](t, ctx, `document.getElementById("slot_id").value`); got != fmt.Sprint(fridaySlot) {
		t.Errorf("after the refusal the pickup time is %q, want Friday's %d", got, fridaySlot)
	}
	if got := apptest.Eval[string](t, ctx, `document.getElementById("slot_id").getAttribute("aria-invalid") ?? ""`); got != "true" {
		t.Errorf("#slot_id has aria-invalid=%q, want \"true\"", got)
	}
	if got := apptest.Eval[string](t, ctx, `document.getElementById("email").value`); got != email {
		t.Errorf("after the refusal the email field holds %q", got)
	}
	pollUntil(t, browserWait, func() bool { return allowed409.Load() > 0 },
		"Chromium to log the expected 409 (else the Allow filter matches nothing)")
	if n := count(t, c.Pool, "SELECT count(*) FROM orders WHERE customer_email = $1", email); n != 0 {
		t.Fatalf("%d orders were written for the refused checkout, want none", n)
	}
	if n := dayCount(t, c.Pool, loaf, friday); n != 2 {
		t.Errorf("after the refusal Friday's count is %d, want 2", n)
	}
	if n := dayCount(t, c.Pool, loaf, saturday); n != 0 {
		t.Errorf("after the refusal Saturday's count is %d, want 0", n)
	}
	for _, v := range apptest.Axe(t, ctx) {
		t.Errorf("axe on the checkout saying Friday is sold out: %s", v)
	}

	// Saturday instead.
	apptest.Do(t, ctx, "choosing Saturday and placing the order",
		chromedp.SetValue(chromedp.CSS("#slot_id"), fmt.Sprint(saturdaySlot)),
		chromedp.Click(chromedp.CSS(placeOrderButton)))
	browserWaitForPage(t, ctx, `location.pathname.startsWith("/orders/") && document.getElementById("order-status")`, "of the new order")
	if got := browserText(t, ctx, "#order-status"); got != "Placed" {
		t.Errorf("#order-status = %q, want \"Placed\"", got)
	}
	if got := browserText(t, ctx, "#flash"); !strings.Contains(got, "Thank you! Your order is placed.") {
		t.Errorf("#flash = %q, want the thank-you message", got)
	}
	browserWaitForCartCount(t, ctx, 0)

	token := strings.TrimPrefix(apptest.Eval[string](t, ctx, `location.pathname`), "/orders/")
	var orders int
	var dbToken string
	var slot int64
	var madeFor time.Time
	err := c.Pool.QueryRow(context.Background(), `
		SELECT count(*) OVER (), o.token, o.slot_id, l.made_for
		FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.customer_email = $1 AND l.product_id = $2 AND l.quantity = 1`, email, loaf).Scan(&orders, &dbToken, &slot, &madeFor)
	if err != nil || orders != 1 {
		t.Fatalf("orders of one loaf for %s: %d (%v), want 1", email, orders, err)
	}
	if dbToken != token || slot != saturdaySlot {
		t.Errorf("the browser is at order %q; the database has %q for slot %d, want Saturday's %d", token, dbToken, slot, saturdaySlot)
	}
	if madeFor.Format(time.DateOnly) != saturday.Format(time.DateOnly) {
		t.Errorf("the loaf is made for %s, want Saturday %s", madeFor.Format(time.DateOnly), saturday.Format(time.DateOnly))
	}
	if n := dayCount(t, c.Pool, loaf, saturday); n != 1 {
		t.Errorf("Saturday's count is %d, want 1", n)
	}
	if n := dayCount(t, c.Pool, loaf, friday); n != 2 {
		t.Errorf("Friday's count is %d, want it to stay 2", n)
	}
}
