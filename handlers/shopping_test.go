package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/apptest"
	"shopfront/shop"
)

// shopper is one customer with a browser-like client.
type shopper struct {
	t *testing.T
	c *apptest.Client
}

func newShopper(t *testing.T, c *apptest.Cluster) *shopper {
	return &shopper{t: t, c: c.Client()}
}

func productID(t *testing.T, pool *pgxpool.Pool, slug string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), "SELECT id FROM products WHERE slug = $1", slug).Scan(&id); err != nil {
		t.Fatalf("product %s: %v", slug, err)
	}
	return id
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// add posts the add-to-cart form as a browser without JavaScript would.
func (s *shopper) add(id int64, qty string, headers ...string) *apptest.Response {
	s.t.Helper()
	token := csrfToken(s.t, s.c, "/")
	return s.c.PostForm(s.t, "/cart/add", url.Values{
		"csrf_token": {token}, "product_id": {fmt.Sprint(id)}, "quantity": {qty}, "return_to": {"/"},
	}, headers...)
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// checkoutForm loads the checkout page and returns its hidden fields plus
// the customer's details, ready to post.
func (s *shopper) checkoutForm(slot int64) url.Values {
	s.t.Helper()
	r := s.c.Get(s.t, "/checkout")
	if r.StatusCode != http.StatusOK {
		s.t.Fatalf("GET /checkout = %d", r.StatusCode)
	}
	return formFrom(r.Body, slot)
}

func formFrom(page string, slot int64) url.Values {
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	form.Set("name", "Ada Lovelace")
	form.Set("email", "ada@example.com")
	form.Set("phone", "0117 496 0000")
	form.Set("fulfilment", "pickup")
	form.Set("slot_id", fmt.Sprint(slot))
	return form
}

func (s *shopper) placeOrder(form url.Values, headers ...string) *apptest.Response {
	s.t.Helper()
	return s.c.PostForm(s.t, "/checkout", form, headers...)
}

func slotSoon(t *testing.T, c *apptest.Cluster, capacity int) int64 {
	t.Helper()
	return apptest.AddSlot(t, c.Pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), capacity)
}

// deliveryDaySoon is a delivery day the day after tomorrow, in the shop's
// time zone, for the test shop's zone.
func deliveryDaySoon(t *testing.T, c *apptest.Cluster, capacity int) int64 {
	t.Helper()
	return apptest.AddDeliveryDay(t, c.Pool, shop.DayOf(time.Now(), apptest.London).AddDate(0, 0, 2), capacity)
}

func TestCartAcrossNodes(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	s := newShopper(t, c)
	loaf, croissant := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "all-butter-croissant")

	// Without JavaScript: 303 back with a flash message.
	r := s.add(loaf, "2")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("add without JS: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if page := s.c.Get(t, "/"); !strings.Contains(page.Body, "Added 2 × White Sourdough Loaf to your cart.") {
		t.Fatal("no confirmation after adding without JS")
	}

	// With htmx: the form's status line and the header count in one response.
	r = s.add(croissant, "1", "HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Added 1 × All-Butter Croissant") ||
		!strings.Contains(r.Body, `data-hx-target="#cart-link"`) || !strings.Contains(r.Body, `<span id="cart-count" class="badge">3<`) {
		t.Fatalf("htmx add: %d %s", r.StatusCode, r.Body)
	}

	cart := s.c.Get(t, "/cart")
	for _, want := range []string{"White Sourdough Loaf", "All-Butter Croissant", `value="2"`} {
		if !strings.Contains(cart.Body, want) {
			t.Fatalf("cart page lacks %q", want)
		}
	}
	var loafPrice, croissantPrice int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT price_minor FROM products WHERE id = $1", loaf).Scan(&loafPrice)
	_ = c.Pool.QueryRow(t.Context(), "SELECT price_minor FROM products WHERE id = $1", croissant).Scan(&croissantPrice)
	subtotal := money(2*loafPrice + croissantPrice)
	if !strings.Contains(cart.Body, `id="cart-subtotal">`+subtotal) {
		t.Fatalf("cart subtotal is not %s", subtotal)
	}

	token := csrfToken(t, s.c, "/cart")
	r = s.c.PostForm(t, "/cart/update", url.Values{"csrf_token": {token}, "product_id": {fmt.Sprint(loaf)}, "quantity": {"5"}},
		"HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, money(5*loafPrice+croissantPrice)) || strings.Contains(r.Body, "<html") {
		t.Fatalf("htmx update: %d", r.StatusCode)
	}
	r = s.c.PostForm(t, "/cart/remove", url.Values{"csrf_token": {token}, "product_id": {fmt.Sprint(croissant)}})
	if r.StatusCode != http.StatusSeeOther || strings.Contains(s.c.Get(t, "/cart").Body, "All-Butter Croissant") {
		t.Fatal("remove did not remove the line")
	}
	s.c.PostForm(t, "/cart/clear", url.Values{"csrf_token": {token}})
	if page := s.c.Get(t, "/cart"); !strings.Contains(page.Body, "Your cart is empty.") {
		t.Fatal("clear did not empty the cart")
	}
}

func money(minor int64) string { return fmt.Sprintf("£%d.%02d", minor/100, minor%100) }

func TestCartRefusesBadInputAndKeepsTheCart(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	s := newShopper(t, c)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	s.add(loaf, "1")
	before := s.c.Cookie("__Host-cart")

	for _, tc := range []struct{ id, qty, want string }{
		{fmt.Sprint(loaf), "0", "Quantity must be a whole number from 1 to 99."},
		{fmt.Sprint(loaf), "-3", "Quantity must be"},
		{fmt.Sprint(loaf), "100", "Quantity must be"},
		{fmt.Sprint(loaf), "99999999999999999999", "Quantity must be"},
		{fmt.Sprint(loaf), "two", "Quantity must be"},
		{"999999", "1", "no longer sold"},
		{"abc", "1", "That product does not exist."},
		{fmt.Sprint(productID(t, c.Pool, "british-strawberries")), "1", "is sold out"},
		{fmt.Sprint(productID(t, c.Pool, "duck-eggs")), "2", "Only 1 of Duck Eggs (4) left"},
	} {
		token := csrfToken(t, s.c, "/")
		r := s.c.PostForm(t, "/cart/add", url.Values{"csrf_token": {token}, "product_id": {tc.id}, "quantity": {tc.qty}},
			"HX-Request", "true", "HX-Request-Type", "partial")
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), tc.want) {
			t.Errorf("add %s × %s: %d %q, want 422 %q", tc.qty, tc.id, r.StatusCode, r.Body, tc.want)
		}
		if got := s.c.Cookie("__Host-cart"); got != before {
			t.Errorf("add %s × %s changed the cart", tc.qty, tc.id)
		}
	}
	// Without JavaScript the message comes back as a flash.
	r := s.add(loaf, "500")
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(s.c.Get(t, "/").Body, "Quantity must be") {
		t.Fatal("no-JS bad quantity: no message")
	}
}

func TestCartHoldsAtMostFiftyLines(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	// 51 distinct products with stock.
	exec(t, c.Pool, `INSERT INTO products (category_id, slug, name, price_minor, currency, stock)
		SELECT (SELECT min(id) FROM categories), 'extra-' || g, 'Extra ' || g, 100 + g, 'GBP', 100 FROM generate_series(1, 51) g`)
	s := newShopper(t, c)
	token := csrfToken(t, s.c, "/")
	rows, err := c.Pool.Query(t.Context(), "SELECT id FROM products WHERE slug LIKE 'extra-%' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	for i, id := range ids {
		r := s.c.PostForm(t, "/cart/add", url.Values{"csrf_token": {token}, "product_id": {fmt.Sprint(id)}, "quantity": {"99"}},
			"HX-Request", "true", "HX-Request-Type", "partial")
		if i < 50 && r.StatusCode != http.StatusOK {
			t.Fatalf("line %d refused: %s", i+1, r.Body)
		}
		if i == 50 && (r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Your cart is full")) {
			t.Fatalf("line 51: %d %s", r.StatusCode, r.Body)
		}
	}
	if n := len(s.c.Cookie("__Host-cart")) + len("__Host-cart="); n > 3800 {
		t.Fatalf("a full cart's cookie is %d bytes", n)
	}
	if page := s.c.Get(t, "/cart"); strings.Count(page.Body, `name="quantity" value="99"`) != 50 {
		t.Fatal("the cart does not show 50 lines of 99")
	}
}

func TestCartShowsWhatChangedSinceAdding(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	s := newShopper(t, c)
	ids := map[string]int64{}
	for _, slug := range []string{"white-sourdough-loaf", "all-butter-croissant", "farmhouse-salted-butter", "cox-apples"} {
		ids[slug] = productID(t, c.Pool, slug)
		s.add(ids[slug], "3")
	}
	exec(t, c.Pool, "UPDATE products SET price_minor = price_minor + 100 WHERE id = $1", ids["white-sourdough-loaf"])
	exec(t, c.Pool, "UPDATE products SET stock = 0 WHERE id = $1", ids["all-butter-croissant"])
	exec(t, c.Pool, "UPDATE products SET stock = 1 WHERE id = $1", ids["farmhouse-salted-butter"])
	exec(t, c.Pool, "UPDATE products SET active = false WHERE id = $1", ids["cox-apples"])

	page := html.UnescapeString(s.c.Get(t, "/cart").Body)
	for _, want := range []string{"Price changed: was", "Sold out. Remove it to check out.", "Only 1 left.", "Reduce to 1", "No longer available.", "Fix the items marked above to check out."} {
		if !strings.Contains(page, want) {
			t.Fatalf("cart page lacks %q", want)
		}
	}
	if strings.Contains(page, `href="/checkout"`) {
		t.Fatal("checkout offered with blocked lines")
	}
}

func TestCheckoutForPickup(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	stockBefore := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf)
	s.add(loaf, "2")

	r := s.placeOrder(s.checkoutForm(slot))
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/orders/") {
		t.Fatalf("place order: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	orderURL := r.Header.Get("Location")
	page := html.UnescapeString(s.c.Get(t, orderURL).Body)
	for _, want := range []string{"Thank you! Your order is placed.", "Order #", "White Sourdough Loaf", "Placed", "Pay ", "when you collect", `id="order-slot"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("order page lacks %q", want)
		}
	}
	if s.c.Cookie("__Host-cart") != "" {
		t.Fatal("the cart cookie was not emptied")
	}
	if !strings.Contains(page, `href="/orders"`) {
		t.Fatal("no link to recent orders in the header")
	}
	if recent := s.c.Get(t, "/orders"); !strings.Contains(recent.Body, orderURL) {
		t.Fatal("the order is not in the recent orders list")
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != stockBefore-2 {
		t.Fatalf("stock %d, want %d", got, stockBefore-2)
	}
	if got := count(t, c.Pool, "SELECT booked FROM pickup_slots WHERE id = $1", slot); got != 1 {
		t.Fatalf("slot booked = %d, want 1", got)
	}
	if got := count(t, c.Pool, "SELECT count(*) FROM order_events WHERE kind = 'placed'"); got != 1 {
		t.Fatalf("%d placed events, want 1", got)
	}
	// The order page is a capability: an unknown token is a 404.
	if r := s.c.Get(t, "/orders/AAAAAAAAAAAAAAAAAAAAAAAA"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown order = %d", r.StatusCode)
	}
}

func TestCheckoutForDelivery(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	s := newShopper(t, c)
	butter := productID(t, c.Pool, "farmhouse-salted-butter")
	s.add(butter, "1")
	day := deliveryDaySoon(t, c, 10)
	form := s.checkoutForm(0)
	form.Set("fulfilment", "delivery")
	form.Set("address", "1 Harbourside")
	form.Set("postcode", "BS10 5AB") // outside BS1 and BS6
	form.Set("delivery_slot_id", strconv.FormatInt(day, 10))

	r := s.placeOrder(form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), "we don’t deliver to BS10 5AB") {
		t.Fatalf("outside the area: %d", r.StatusCode)
	}
	form.Set("postcode", "bs14dj")
	r = s.placeOrder(form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Delivery to BS1 4DJ needs an order of at least £15.00") {
		t.Fatalf("under the minimum: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatalf("%d orders written by refused checkouts", n)
	}

	s.add(butter, "4") // 5 × £3.95 = £19.75
	form = s.checkoutForm(0)
	form.Set("fulfilment", "delivery")
	form.Set("address", "1 Harbourside")
	form.Set("postcode", "bs14dj")
	form.Set("delivery_slot_id", strconv.FormatInt(day, 10))
	r = s.placeOrder(form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delivery order: %d\n%s", r.StatusCode, r.Body)
	}
	page := s.c.Get(t, r.Header.Get("Location")).Body
	for _, want := range []string{"BS1 4DJ", "Delivery", "£3.50", `id="order-total">£23.25`} {
		if !strings.Contains(page, want) {
			t.Fatalf("delivery order page lacks %q", want)
		}
	}
}

func TestCheckoutValidationKeepsWhatWasEntered(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	past := apptest.AddSlot(t, c.Pool, time.Now().Add(10*time.Minute), 5) // inside the 30-minute lead time
	s := newShopper(t, c)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	s.add(loaf, "1")
	stock := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf)
	good := s.checkoutForm(slot)

	cases := []struct {
		name   string
		change func(url.Values)
		status int
		want   string
	}{
		{"missing fields", func(f url.Values) { f.Del("name"); f.Set("email", ""); f.Del("phone") }, 422, "Enter your name."},
		{"bad email", func(f url.Values) { f.Set("email", "ada at example") }, 422, "Enter an email address"},
		{"no fulfilment", func(f url.Values) { f.Del("fulfilment") }, 422, "Choose pickup or delivery."},
		{"non-numeric slot", func(f url.Values) { f.Set("slot_id", "soon") }, 422, "Choose a pickup time."},
		{"unknown slot", func(f url.Values) { f.Set("slot_id", "987654") }, 409, "Choose a pickup time from the list."},
		{"past slot", func(f url.Values) { f.Set("slot_id", fmt.Sprint(past)) }, 409, "no longer available"},
		{"1 MB note", func(f url.Values) { f.Set("note", strings.Repeat("n", 1<<20)) }, 422, "The note must be at most 1000 characters."},
		{"negative quantity", func(f url.Values) { f.Set("line_quantity", "-1") }, 422, "Quantities must be from 1 to 99."},
		{"huge quantity", func(f url.Values) { f.Set("line_quantity", "100000") }, 422, "Quantities must be from 1 to 99."},
		{"non-numeric quantity", func(f url.Values) { f.Set("line_quantity", "lots") }, 422, "The order summary is incomplete."},
		{"unknown product", func(f url.Values) { f.Set("line_product", "987654") }, 409, "is no longer sold"},
		{"no idempotency key", func(f url.Values) { f.Del("idempotency_key") }, 422, "This form is incomplete."},
	}
	for _, tc := range cases {
		form := url.Values{}
		for k, v := range good {
			form[k] = append([]string(nil), v...)
		}
		form.Set("phone", "07700 900123")
		tc.change(form)
		for _, htmx := range []bool{false, true} {
			var headers []string
			if htmx {
				headers = []string{"HX-Request", "true", "HX-Request-Type", "partial"}
			}
			r := s.placeOrder(form, headers...)
			body := html.UnescapeString(r.Body)
			if r.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s (htmx %v): %d, want %d with %q", tc.name, htmx, r.StatusCode, tc.status, tc.want)
				continue
			}
			if htmx == strings.Contains(body, "<html") {
				t.Errorf("%s (htmx %v): wrong page shape", tc.name, htmx)
			}
			if tc.name != "missing fields" && !strings.Contains(body, `value="07700 900123"`) {
				t.Errorf("%s: the entered phone number was not kept", tc.name)
			}
		}
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatalf("%d orders written by invalid checkouts", n)
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != stock {
		t.Fatalf("stock changed by invalid checkouts: %d → %d", stock, got)
	}
	if got := count(t, c.Pool, "SELECT coalesce(sum(booked), 0) FROM pickup_slots"); got != 0 {
		t.Fatalf("slots booked by invalid checkouts: %d", got)
	}
}

func TestNamesAreEscapedEverywhere(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	form := s.checkoutForm(slot)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	form.Set("name", evil)
	form.Set("note", evil)
	bad := form.Get("email")
	form.Set("email", "")
	if r := s.placeOrder(form); strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "<img src=x") {
		t.Fatal("the re-rendered checkout form shows the name unescaped")
	}
	form.Set("email", bad)
	r := s.placeOrder(form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("order with odd name: %d", r.StatusCode)
	}
	page := s.c.Get(t, r.Header.Get("Location")).Body
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatal("the order page shows the name unescaped")
	}
}

func TestPriceRaisedAfterTheSummaryNeedsConfirmation(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	s.add(loaf, "2")
	form := s.checkoutForm(slot)
	exec(t, c.Pool, "UPDATE products SET price_minor = price_minor + 50 WHERE id = $1", loaf)
	newPrice := int64(count(t, c.Pool, "SELECT price_minor FROM products WHERE id = $1", loaf))

	r := s.placeOrder(form)
	body := html.UnescapeString(r.Body)
	if r.StatusCode != http.StatusConflict || !strings.Contains(body, "prices went up") || !strings.Contains(body, money(2*newPrice)) {
		t.Fatalf("raised price: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatal("an order was placed at a price the customer did not see")
	}
	// Submitting the re-rendered form accepts the new total.
	r = s.placeOrder(formFrom(r.Body, slot))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming: %d\n%s", r.StatusCode, r.Body)
	}
	if total := count(t, c.Pool, "SELECT total_minor FROM orders"); int64(total) != 2*newPrice {
		t.Fatalf("total %d, want %d", total, 2*newPrice)
	}
	// A price that went down is simply charged: the customer pays less.
	s.add(loaf, "1")
	form = s.checkoutForm(slot)
	exec(t, c.Pool, "UPDATE products SET price_minor = price_minor - 100 WHERE id = $1", loaf)
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("lower price: %d", r.StatusCode)
	}
}

func TestProductHiddenMidCheckout(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	loaf, butter := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "farmhouse-salted-butter")
	s.add(loaf, "1")
	s.add(butter, "1")
	form := s.checkoutForm(slot)
	stock := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf)
	exec(t, c.Pool, "UPDATE products SET active = false WHERE id = $1", butter)

	r := s.placeOrder(form)
	if r.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(r.Body), "Farmhouse Salted Butter (250g) is no longer sold") {
		t.Fatalf("hidden product: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatal("an order was written")
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != stock {
		t.Fatal("stock of the other line was taken and not given back")
	}
}

func TestOneCheckoutFormPlacesOneOrder(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	s.add(loaf, "1")
	form := s.checkoutForm(slot)

	// Double clicks, retries and the back button, on every node at once.
	const submits = 20
	var wg sync.WaitGroup
	locations := make([]string, submits)
	statuses := make([]int, submits)
	for i := range submits {
		wg.Go(func() {
			r := s.placeOrder(form)
			statuses[i], locations[i] = r.StatusCode, r.Header.Get("Location")
		})
	}
	wg.Wait()
	for i := range submits {
		if statuses[i] != http.StatusSeeOther || locations[i] != locations[0] || !strings.HasPrefix(locations[0], "/orders/") {
			t.Fatalf("submit %d: %d → %q; first → %q", i, statuses[i], locations[i], locations[0])
		}
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 1 {
		t.Fatalf("%d orders from one form, want 1", n)
	}
	if n := count(t, c.Pool, "SELECT booked FROM pickup_slots WHERE id = $1", slot); n != 1 {
		t.Fatalf("slot booked %d times, want 1", n)
	}
	// Later, with the cart already emptied: still the same order.
	if r := s.placeOrder(form); r.Header.Get("Location") != locations[0] {
		t.Fatalf("resubmitting later: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// The same key with different content is an error, not an order.
	form.Set("name", "Someone Else")
	r := s.placeOrder(form)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "already used for another order") {
		t.Fatalf("reused key: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 1 {
		t.Fatalf("%d orders after a reused key, want 1", n)
	}
}

// race prepares n shoppers with one unit of product in their carts and a
// checkout form each, then submits all forms at once.
func race(t *testing.T, c *apptest.Cluster, n int, product, slot int64) (placed, refused int, bodies []string) {
	t.Helper()
	shoppers := make([]*shopper, n)
	forms := make([]url.Values, n)
	var prep sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		prep.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			shoppers[i] = newShopper(t, c)
			shoppers[i].add(product, "1")
			forms[i] = shoppers[i].checkoutForm(slot)
		})
	}
	prep.Wait()
	return submitAll(t, shoppers, forms)
}

func TestConcurrentCheckoutsNeverOversell(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 1000)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	exec(t, c.Pool, "UPDATE products SET stock = 10 WHERE id = $1", loaf)
	placed, refused, bodies := race(t, c, 100, loaf, slot)
	if placed != 10 || refused != 90 {
		for _, l := range strings.Split(c.Logs(), "\n") {
			if strings.Contains(l, `"internal error"`) {
				t.Log(l[:min(len(l), 400)])
				break
			}
		}
		t.Fatalf("%d placed, %d refused; want 10 and 90", placed, refused)
	}
	for _, b := range bodies {
		if !strings.Contains(b, "White Sourdough Loaf has just sold out") {
			t.Fatalf("a refused customer was not told the loaf sold out")
		}
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != 0 {
		t.Fatalf("stock %d, want 0", got)
	}
	if got := count(t, c.Pool, "SELECT count(*) FROM orders"); got != 10 {
		t.Fatalf("%d orders, want 10", got)
	}
	if got := count(t, c.Pool, "SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE product_id = $1", loaf); got != 10 {
		t.Fatalf("%d loaves ordered, want 10", got)
	}
}

func submitAll(t *testing.T, shoppers []*shopper, forms []url.Values) (placed, refused int, bodies []string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	for i := range shoppers {
		wg.Go(func() {
			<-start
			r := shoppers[i].placeOrder(forms[i])
			mu.Lock()
			defer mu.Unlock()
			switch r.StatusCode {
			case http.StatusSeeOther:
				placed++
			case http.StatusConflict:
				refused++
				bodies = append(bodies, html.UnescapeString(r.Body))
			default:
				t.Errorf("checkout %d: status %d", i, r.StatusCode)
			}
		})
	}
	close(start)
	wg.Wait()
	return placed, refused, bodies
}

func TestConcurrentCheckoutsNeverOverfillASlot(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	exec(t, c.Pool, "UPDATE products SET stock = 1000 WHERE id = $1", loaf)
	placed, refused, bodies := race(t, c, 40, loaf, slot)
	if placed != 5 || refused != 35 {
		t.Fatalf("%d placed, %d refused; want 5 and 35", placed, refused)
	}
	for _, b := range bodies {
		if !strings.Contains(b, "That pickup time has just filled up") {
			t.Fatal("a refused customer was not told the slot filled up")
		}
	}
	if got := count(t, c.Pool, "SELECT count(*) FROM orders WHERE slot_id = $1", slot); got != 5 {
		t.Fatalf("%d orders in the slot, want 5", got)
	}
	if got := count(t, c.Pool, "SELECT booked FROM pickup_slots WHERE id = $1", slot); got != 5 {
		t.Fatalf("slot booked = %d, want 5", got)
	}
	if got := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); got != 995 {
		t.Fatalf("stock %d, want 995: refused checkouts must give stock back", got)
	}
}

func TestControlCharactersInTheCheckoutAreDropped(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	form := s.checkoutForm(slot)
	form.Set("name", "Ann\x00 Smith")
	form.Set("note", "ring\x07 the bell")
	r := s.placeOrder(form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout with control characters: %d", r.StatusCode)
	}
	var name, note string
	_ = c.Pool.QueryRow(t.Context(), "SELECT customer_name, note FROM orders").Scan(&name, &note)
	if name != "Ann Smith" || note != "ring the bell" {
		t.Fatalf("stored %q / %q", name, note)
	}
}

func TestOrderLinksStayOutOfTheLogs(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	orderURL := s.placeOrder(s.checkoutForm(slot)).Header.Get("Location")
	s.c.Get(t, orderURL)
	token := strings.TrimPrefix(orderURL, "/orders/")
	if strings.Contains(c.Logs(), token) {
		t.Fatal("an order's token, which opens the order, was written to the logs")
	}
	if !strings.Contains(c.Logs(), `"route":"/orders/:token"`) {
		t.Fatal("the order page request was not logged at all")
	}
}

func TestRecentOrdersNameDeliveryStatuses(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "farmhouse-salted-butter"), "5")
	form := s.checkoutForm(0)
	form.Set("fulfilment", "delivery")
	form.Set("address", "1 Harbourside")
	form.Set("postcode", "BS1 4DJ")
	form.Set("delivery_slot_id", strconv.FormatInt(deliveryDaySoon(t, c, 5), 10))
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delivery order: %d", r.StatusCode)
	}
	exec(t, c.Pool, "UPDATE orders SET status = 'ready'")
	if page := s.c.Get(t, "/orders"); !strings.Contains(page.Body, "Out for delivery") {
		t.Fatal("a delivery order that is on its way is not shown as out for delivery")
	}
}
