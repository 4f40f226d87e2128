package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopfront/apptest"
)

// cartPost posts one of the cart page's forms, as a browser without
// JavaScript would, and returns the cart page it leads to.
func (s *shopper) cartPost(path string, form url.Values) string {
	s.t.Helper()
	form.Set("csrf_token", csrfToken(s.t, s.c, "/cart"))
	if r := s.c.PostForm(s.t, path, form); r.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("POST %s: %d, want 303\n%s", path, r.StatusCode, r.Body)
	}
	return html.UnescapeString(s.c.Get(s.t, "/cart").Body)
}

func TestATypedQuantityAboveTheStockBecomesTheStockWithANotice(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	eggs := productID(t, c.Pool, "duck-eggs")
	exec(t, c.Pool, "UPDATE products SET stock = 4 WHERE id = $1", eggs)
	s := newShopper(t, c)
	s.add(eggs, "1")

	page := s.cartPost("/cart/update", url.Values{"product_id": {fmt.Sprint(eggs)}, "quantity": {"9"}})
	if got := cartQuantity(page, eggs); got != 4 {
		t.Errorf("after asking for 9 of 4 left, the cart holds %d", got)
	}
	if !strings.Contains(page, "Only 4 of Duck Eggs (4) left, so your cart now has 4.") || strings.Contains(page, "Your cart is updated.") {
		t.Errorf("the cart page does not say that only 4 are left:\n%s", page)
	}
	if !strings.Contains(page, `href="/checkout"`) {
		t.Error("the clamped cart cannot be checked out")
	}
}

func TestEmptyingTheCartCanBeUndone(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	loaf, eggs := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "duck-eggs")
	s := newShopper(t, c)
	s.add(loaf, "2")
	s.add(eggs, "1")

	page := s.cartPost("/cart/clear", url.Values{})
	if !strings.Contains(page, "Your cart is empty.") || !strings.Contains(page, "Undo: put back 3 items") {
		t.Fatalf("the emptied cart offers no undo:\n%s", page)
	}
	page = s.cartPost("/cart/put-back", url.Values{})
	if cartQuantity(page, loaf) != 2 || cartQuantity(page, eggs) != 1 {
		t.Fatalf("after undo the cart does not hold 2 loaves and 1 box of eggs:\n%s", page)
	}
	// Once something is added, the emptied cart is gone for good.
	s.cartPost("/cart/clear", url.Values{})
	s.add(loaf, "1")
	page = s.cartPost("/cart/put-back", url.Values{})
	if cartQuantity(page, loaf) != 1 || strings.Contains(page, fmt.Sprintf("cart-qty-%d", eggs)) {
		t.Errorf("putting back after a new add changed the cart:\n%s", page)
	}
}

func TestCheckoutTakesOnlyWhatWasOrderedOutOfTheCart(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	loaf, eggs := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "duck-eggs")
	s := newShopper(t, c)
	s.add(loaf, "2")
	form := s.checkoutForm(slot) // checkout open in one tab…
	s.add(eggs, "1")             // …eggs added in another
	s.add(loaf, "1")
	r := s.placeOrder(form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing the order: %d\n%s", r.StatusCode, r.Body)
	}
	page := html.UnescapeString(s.c.Get(t, "/cart").Body)
	if cartQuantity(page, eggs) != 1 || cartQuantity(page, loaf) != 1 {
		t.Fatalf("after ordering 2 loaves the cart should keep the eggs and the third loaf added since:\n%s", page)
	}
	// The same form again (a retry the browser already has the answer
	// to) takes nothing more.
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("replaying the order: %d", r.StatusCode)
	}
	if page := html.UnescapeString(s.c.Get(t, "/cart").Body); cartQuantity(page, loaf) != 1 {
		t.Errorf("a replay took the loaf added since out of the cart")
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}

func TestBackToCheckoutAfterOrderingLeadsToTheOrder(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	r := s.placeOrder(s.checkoutForm(slot))
	orderPath := r.Header.Get("Location")
	s.c.Get(t, orderPath) // the order page, with its thank-you message

	r = s.c.Get(t, "/checkout") // the back button
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /checkout with an empty cart: %d", r.StatusCode)
	}
	page := html.UnescapeString(s.c.Get(t, r.Header.Get("Location")).Body)
	var number int64
	if err := c.Pool.QueryRow(t.Context(), "SELECT number FROM orders").Scan(&number); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`Your order #%d is placed — <a href="%s">view it</a>`, number, orderPath)
	if !strings.Contains(page, want) || strings.Contains(page, "flash--error") {
		t.Errorf("back at the checkout, the page does not say %q (and no error):\n%s", want, page)
	}
}

func TestOrderTimesSayTheirTimeZoneAndRecentOrdersTheirDates(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	r := s.placeOrder(s.checkoutForm(slot))
	order := html.UnescapeString(s.c.Get(t, r.Header.Get("Location")).Body)
	zone := regexp.MustCompile(`\((GMT|BST), London time\)`)
	if n := len(zone.FindAllString(order, -1)); n < 2 {
		t.Errorf("the order page names the time zone %d times, want it with the time placed and the pickup time:\n%s", n, order)
	}
	list := html.UnescapeString(s.c.Get(t, "/orders").Body)
	var placed, starts time.Time
	if err := c.Pool.QueryRow(t.Context(), "SELECT o.placed_at, s.starts_at FROM orders o JOIN pickup_slots s ON s.id = o.slot_id").Scan(&placed, &starts); err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	for _, want := range []string{"Placed " + placed.In(london).Format("2 January 2006"), "Pickup " + starts.In(london).Format("Monday 2 January, 15:04")} {
		if !strings.Contains(list, want) {
			t.Errorf("the recent orders list does not say %q:\n%s", want, list)
		}
	}
	if !zone.MatchString(list) {
		t.Error("the recent orders list's pickup time has no time zone")
	}
}
