package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/apptest"
)

// The two products the purchase tests buy, from the demo shop.
const (
	loafSlug      = "white-sourdough-loaf"
	loafName      = "White Sourdough Loaf"
	croissantSlug = "all-butter-croissant"
	croissantName = "All-Butter Croissant"
)

// catalogueNewestFirst is the catalogue sorted so that both products are on
// page 1 (sorted by name, the loaf is on the last page).
const catalogueNewestFirst = "/?sort=newest"

// browserWait is how long a browser test waits for any one thing to happen.
const browserWait = apptest.BrowserTimeout

// jsQuote quotes s as a JavaScript string literal (JSON is valid JavaScript).
func jsQuote(s string) string { return fmt.Sprintf("%q", s) }

// browserSlotSoon adds a pickup slot that the checkout offers.
func browserSlotSoon(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	return apptest.AddSlot(t, pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 10)
}

func browserProductID(t *testing.T, pool *pgxpool.Pool, slug string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), "SELECT id FROM products WHERE slug = $1", slug).Scan(&id); err != nil {
		t.Fatalf("product %s: %v", slug, err)
	}
	return id
}

// browserOpen loads url and, with JavaScript on, waits for htmx and marks the
// window: the mark survives htmx swaps and disappears on a full page load.
func browserOpen(t *testing.T, ctx context.Context, url string, withJS bool) {
	t.Helper()
	apptest.Do(t, ctx, "opening "+url, chromedp.Navigate(url))
	if withJS {
		apptest.WaitFor(t, ctx, browserWait, `typeof htmx == "object"`, "htmx to load")
		browserMarkWindow(t, ctx)
	}
}

func browserMarkWindow(t *testing.T, ctx context.Context) {
	t.Helper()
	apptest.Eval[chromedp.Void](t, ctx, `window.__noReload = 1`)
}

func assertNoReloadSince(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	if !apptest.Eval[bool](t, ctx, `window.__noReload === 1`) {
		t.Fatalf("the page was reloaded after %s; htmx should have swapped only part of it", after)
	}
}

// browserFollow clicks a link that leads to a full page load and waits until
// the page at path has loaded.
func browserFollow(t *testing.T, ctx context.Context, link, path, what string) {
	t.Helper()
	apptest.Do(t, ctx, "following "+what, chromedp.Click(chromedp.CSS(link)))
	browserWaitForPage(t, ctx, `location.pathname == `+jsQuote(path), path)
}

// browserWaitForPage waits for a new document whose location matches cond
// to be fully loaded.
func browserWaitForPage(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	apptest.WaitFor(t, ctx, browserWait,
		`(`+cond+`) && !("__noReload" in window) && document.readyState == "complete"`, "the page "+what)
}

// addToCartButton is the add-to-cart button of a product, on its card or page.
func addToCartButton(id int64) string { return fmt.Sprintf(`#qty-%d ~ button[type="submit"]`, id) }

// addToCartStatus is the status line of a product's add-to-cart form.
func addToCartStatus(id int64) string {
	return fmt.Sprintf(`form.add-to-cart:has(#qty-%d) .add-to-cart__status`, id)
}

func browserWaitForCartCount(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	apptest.WaitFor(t, ctx, browserWait,
		fmt.Sprintf(`document.getElementById("cart-count") && parseInt(document.getElementById("cart-count").textContent, 10) === %d`, n),
		fmt.Sprintf("the cart count to show %d", n))
}

func browserText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return apptest.Eval[string](t, ctx, `(document.querySelector(`+jsQuote(css)+`)?.textContent ?? "").replace(/\s+/g, " ").trim()`)
}

func browserFocused(t *testing.T, ctx context.Context) string {
	t.Helper()
	return apptest.Eval[string](t, ctx, `(e => e ? e.outerHTML.slice(0, 120) : "nothing")(document.activeElement)`)
}

// typeIntoField replaces the value of a field by typing, as a visitor would.
// It clears the field with a script: chromedp.SetValue(sel, "") drops the
// empty argument and sets the text "undefined".
func typeIntoField(css, text string) chromedp.Action[chromedp.Void] {
	ready := chromedp.WaitReady(chromedp.CSS(css))
	clear := chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsQuote(css) + `).value = ""`)
	keys := chromedp.SendKeys(chromedp.CSS(css), text)
	return func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		for _, step := range []chromedp.Action[chromedp.Void]{ready, clear} {
			if _, err := step(ctx, tab); err != nil {
				return chromedp.Void{}, err
			}
		}
		return keys(ctx, tab)
	}
}

// browserFillCheckout fills in the customer's details and chooses the
// pickup slot; an empty name leaves the name field empty.
func browserFillCheckout(t *testing.T, ctx context.Context, name string, slot int64) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{}
	if name != "" {
		steps = append(steps, typeIntoField("#name", name))
	}
	steps = append(steps,
		typeIntoField("#email", "ada@example.com"),
		typeIntoField("#phone", "0117 496 0000"),
		chromedp.Click(chromedp.CSS("#fulfilment-pickup")),
		chromedp.SetValue(chromedp.CSS("#slot_id"), fmt.Sprint(slot)),
	)
	apptest.Do(t, ctx, "filling in the checkout form", steps...)
}

const placeOrderButton = `#checkout-form button[type="submit"]`

// assertBrowserOrderPage checks the order page the browser landed on, and
// that the database holds that one order with the lines want (product:
// quantity).
func assertBrowserOrderPage(t *testing.T, ctx context.Context, pool *pgxpool.Pool, want map[int64]int) {
	t.Helper()
	browserWaitForPage(t, ctx, `location.pathname.startsWith("/orders/") && document.getElementById("order-status")`, "of the new order")
	if got := browserText(t, ctx, "#order-status"); got != "Placed" {
		t.Errorf("#order-status = %q, want \"Placed\"", got)
	}
	lines := apptest.Eval[[]string](t, ctx, `[...document.querySelectorAll(".order tbody tr td:first-child")].map(e => e.textContent.trim())`)
	for _, name := range []string{loafName, croissantName} {
		if !slices.Contains(lines, name) {
			t.Errorf("the order page lists %q, want %q among them", lines, name)
		}
	}
	if got := browserText(t, ctx, "#flash"); !strings.Contains(got, "Thank you! Your order is placed.") {
		t.Errorf("#flash = %q, want the thank-you message", got)
	}
	if got := browserText(t, ctx, "#order-total"); got == "" {
		t.Error("the order page shows no #order-total")
	}
	browserWaitForCartCount(t, ctx, 0)

	token := strings.TrimPrefix(apptest.Eval[string](t, ctx, `location.pathname`), "/orders/")
	var orders int
	var dbToken string
	err := pool.QueryRow(context.Background(), "SELECT count(*) OVER (), token FROM orders LIMIT 1").Scan(&orders, &dbToken)
	if err != nil || orders != 1 {
		t.Fatalf("orders in the database: %d (%v), want 1", orders, err)
	}
	if dbToken != token {
		t.Errorf("the browser is at order %q, the database has %q", token, dbToken)
	}
	rows, err := pool.Query(context.Background(),
		"SELECT product_id, quantity FROM order_lines JOIN orders ON orders.id = order_id WHERE token = $1", token)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for rows.Next() {
		var id int64
		var qty int
		if err := rows.Scan(&id, &qty); err != nil {
			t.Fatal(err)
		}
		got[id] = qty
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if !maps.Equal(got, want) {
		t.Errorf("order lines (product: quantity) = %v, want %v", got, want)
	}
}

// allowCheckout422 allows only the console error Chromium logs for the 422 the
// checkout answers to an htmx post with a missing field, and counts it.
func allowCheckout422(base string, seen *atomic.Int32) func(chromedp.ConsoleMessage) bool {
	return func(m chromedp.ConsoleMessage) bool {
		ok := m.Type == chromedp.ConsoleError && m.Source == "network" &&
			m.URL == base+"/checkout" && strings.Contains(m.Text, "status of 422")
		if ok {
			seen.Add(1)
		}
		return ok
	}
}

// pollUntil polls cond from Go until it holds, or fails the test.
func pollUntil(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// slowAdds delays every add-to-cart request by addDelay, so that a second
// click surely comes while the first request is on its way, and records
// how many were being handled at once.
type slowAdds struct {
	inFlight, most atomic.Int32
}

const addDelay = 500 * time.Millisecond

func (s *slowAdds) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/cart/add" {
			n := s.inFlight.Add(1)
			defer s.inFlight.Add(-1)
			for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
			}
			time.Sleep(addDelay)
		}
		next.ServeHTTP(w, r)
	})
}

func TestBrowserPurchaseWithHtmx(t *testing.T) {
	t.Parallel()
	adds := &slowAdds{}
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: adds.wrap})
	slot := browserSlotSoon(t, c.Pool)
	loaf := browserProductID(t, c.Pool, loafSlug)
	croissant := browserProductID(t, c.Pool, croissantSlug)
	var allowed422 atomic.Int32
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: allowCheckout422(c.URL, &allowed422)})

	// Two products added in quick succession: the second click comes before
	// the first response, and the forms queue so both lines reach the cart.
	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)
	apptest.Do(t, ctx, "clicking two add-to-cart buttons",
		chromedp.Click(chromedp.CSS(addToCartButton(loaf))),
		chromedp.Click(chromedp.CSS(addToCartButton(croissant))))
	if n := apptest.Eval[string](t, ctx, `document.querySelector(`+jsQuote(addToCartStatus(loaf))+`).textContent`); n != "Adding…" {
		t.Fatalf("the first add had already answered (%q) when the second button was clicked; the clicks were not in quick succession", n)
	}
	apptest.WaitFor(t, ctx, browserWait,
		`document.querySelector(`+jsQuote(addToCartStatus(loaf))+`).textContent.includes("Added 1 × `+loafName+`") &&
		 document.querySelector(`+jsQuote(addToCartStatus(croissant))+`).textContent.includes("Added 1 × `+croissantName+`")`,
		"both status lines to say Added")
	assertNoReloadSince(t, ctx, "adding to the cart")
	if most := adds.most.Load(); most != 1 {
		t.Errorf("the nodes handled %d add-to-cart requests at once; hx-sync should queue them one at a time", most)
	}
	// Both answers are in, so the count is final: 1 would mean a lost line.
	if n := apptest.Eval[int](t, ctx, `parseInt(document.getElementById("cart-count").textContent, 10)`); n != 2 {
		t.Fatalf("after two quick adds the cart count is %d, want 2: a line was lost", n)
	}
	if f := browserFocused(t, ctx); !strings.Contains(f, "Add to cart<span") || !strings.Contains(f, croissantName) {
		t.Errorf("after adding, focus is on %s; want it to stay on the croissant's Add button", f)
	}

	// The cart page: change the loaf's quantity to 3 in place.
	browserFollow(t, ctx, "#cart-link", "/cart", "the cart link")
	browserMarkWindow(t, ctx)
	for _, id := range []int64{loaf, croissant} {
		if got := apptest.Eval[string](t, ctx, fmt.Sprintf(`document.getElementById("cart-qty-%d")?.value ?? "missing"`, id)); got != "1" {
			t.Fatalf("the cart's quantity of product %d is %q, want 1", id, got)
		}
	}
	subtotal := browserText(t, ctx, "#cart-subtotal")
	qty := fmt.Sprintf("#cart-qty-%d", loaf)
	apptest.Do(t, ctx, "changing the loaf's quantity to 3",
		typeIntoField(qty, "3"),
		chromedp.Click(chromedp.CSS(qty+` ~ button[type="submit"]`)))
	browserWaitForCartCount(t, ctx, 4)
	apptest.WaitFor(t, ctx, browserWait,
		`document.getElementById("cart-subtotal").textContent.trim() != `+jsQuote(subtotal), "the subtotal to change")
	assertNoReloadSince(t, ctx, "updating a quantity")
	if got := browserText(t, ctx, "#flash"); !strings.Contains(got, "Your cart is updated.") {
		t.Errorf("#flash = %q after the update, want \"Your cart is updated.\"", got)
	}
	if got := apptest.Eval[string](t, ctx, `document.querySelector(`+jsQuote(qty)+`).value`); got != "3" {
		t.Errorf("after the update the quantity field holds %q, want 3", got)
	}
	if f := browserFocused(t, ctx); !strings.Contains(f, "Update<span") {
		t.Errorf("after the update, focus is on %s; want it to stay on the Update button", f)
	}

	// Checkout: a missing name comes back inline (422, swapped by htmx).
	browserFollow(t, ctx, `#cart a[href="/checkout"]`, "/checkout", "Check out")
	browserMarkWindow(t, ctx)
	browserFillCheckout(t, ctx, "", slot)
	apptest.Do(t, ctx, "placing the order without a name", chromedp.Click(chromedp.CSS(placeOrderButton)))
	apptest.WaitFor(t, ctx, browserWait,
		`document.querySelector("#checkout-form .error-summary") && document.getElementById("name-error")`,
		"the error summary and the name's error")
	assertNoReloadSince(t, ctx, "the invalid checkout")
	if got := apptest.Eval[string](t, ctx, `document.getElementById("email").value`); got != "ada@example.com" {
		t.Errorf("after the error the email field holds %q; the entered email was lost", got)
	}
	if got := apptest.Eval[string](t, ctx, `document.getElementById("slot_id").value`); got != fmt.Sprint(slot) {
		t.Errorf("after the error the slot is %q, want %d", got, slot)
	}
	if got := browserText(t, ctx, ".error-summary"); !strings.Contains(got, "There is a problem") {
		t.Errorf("the error summary says %q", got)
	}
	if got := apptest.Eval[string](t, ctx, `document.getElementById("name").getAttribute("aria-invalid") ?? ""`); got != "true" {
		t.Errorf("#name has aria-invalid=%q, want \"true\"", got)
	}
	if f := browserFocused(t, ctx); !strings.Contains(f, "error-summary") {
		t.Errorf("after the error, focus is on %s; want the error summary", f)
	}
	pollUntil(t, browserWait, func() bool { return allowed422.Load() > 0 },
		"Chromium to log the expected 422 (else the Allow filter matches nothing)")

	// Now with a name: the order is placed and htmx goes to its page.
	apptest.Do(t, ctx, "entering the name and placing the order",
		typeIntoField("#name", "Ada Lovelace"),
		chromedp.Click(chromedp.CSS(placeOrderButton)))
	assertBrowserOrderPage(t, ctx, c.Pool, map[int64]int{loaf: 3, croissant: 1})
}

func TestBrowserPurchaseWithoutJavaScript(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := browserSlotSoon(t, c.Pool)
	loaf := browserProductID(t, c.Pool, loafSlug)
	croissant := browserProductID(t, c.Pool, croissantSlug)
	ctx := apptest.NewBrowserNoJS(t)

	// Each add is a plain form post that comes back to the product page.
	for _, p := range []struct {
		id         int64
		slug, name string
		qty        int
		count      int
	}{
		{loaf, loafSlug, loafName, 2, 2},
		{croissant, croissantSlug, croissantName, 1, 3},
	} {
		path := "/products/" + p.slug
		browserOpen(t, ctx, c.URL+path, false)
		if apptest.Eval[bool](t, ctx, `typeof htmx != "undefined"`) {
			t.Fatal("htmx ran in a tab with JavaScript disabled")
		}
		apptest.Do(t, ctx, "adding "+p.name,
			typeIntoField(fmt.Sprintf("#qty-%d", p.id), fmt.Sprint(p.qty)),
			chromedp.Click(chromedp.CSS(addToCartButton(p.id))))
		flash := fmt.Sprintf("Added %d × %s to your cart.", p.qty, p.name)
		browserWaitForPage(t, ctx, `location.pathname == `+jsQuote(path)+` && document.getElementById("flash").textContent.includes(`+jsQuote(flash)+`)`,
			path+" with the flash “"+flash+"”")
		browserWaitForCartCount(t, ctx, p.count)
	}

	// The cart: the quantity form posts and redirects back.
	browserFollow(t, ctx, "#cart-link", "/cart", "the cart link")
	qty := fmt.Sprintf("#cart-qty-%d", croissant)
	apptest.Do(t, ctx, "changing the croissant's quantity to 2",
		typeIntoField(qty, "2"),
		chromedp.Click(chromedp.CSS(qty+` ~ button[type="submit"]`)))
	browserWaitForPage(t, ctx, `location.pathname == "/cart" && document.getElementById("flash").textContent.includes("Your cart is updated.")`,
		"/cart with the flash “Your cart is updated.”")
	browserWaitForCartCount(t, ctx, 4)

	browserFollow(t, ctx, `#cart a[href="/checkout"]`, "/checkout", "Check out")
	browserFillCheckout(t, ctx, "Ada Lovelace", slot)
	apptest.Do(t, ctx, "placing the order", chromedp.Click(chromedp.CSS(placeOrderButton)))
	assertBrowserOrderPage(t, ctx, c.Pool, map[int64]int{loaf: 2, croissant: 2})
}

// postSeen is what a node saw of one POST.
type postSeen struct {
	path, csrfHeader, hxRequest, secFetchSite string
}

type postRecorder struct {
	mu    sync.Mutex
	posts []postSeen
}

// wrap records every POST and then, as a client without Fetch Metadata
// would look, removes Sec-Fetch-Site: the node must then find a valid
// token, and it reads the X-CSRF-Token header before the form field.
func (r *postRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost {
			r.mu.Lock()
			r.posts = append(r.posts, postSeen{
				path:         req.URL.Path,
				csrfHeader:   req.Header.Get("X-CSRF-Token"),
				hxRequest:    req.Header.Get("HX-Request"),
				secFetchSite: req.Header.Get("Sec-Fetch-Site"),
			})
			r.mu.Unlock()
			req.Header.Del("Sec-Fetch-Site")
		}
		next.ServeHTTP(w, req)
	})
}

func (r *postRecorder) seen() []postSeen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]postSeen(nil), r.posts...)
}

var csrfTokenFormat = regexp.MustCompile(`^[A-Za-z0-9_-]{86}$`)

func TestBrowserHtmxRequestsCarryTheCSRFToken(t *testing.T) {
	t.Parallel()
	rec := &postRecorder{}
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: rec.wrap})
	loaf := browserProductID(t, c.Pool, loafSlug)
	ctx := apptest.NewBrowser(t)

	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)
	field := apptest.Eval[string](t, ctx,
		fmt.Sprintf(`document.querySelector("form.add-to-cart:has(#qty-%d) input[name=csrf_token]").value`, loaf))
	if !csrfTokenFormat.MatchString(field) {
		t.Fatalf("the hidden csrf_token field holds %q, want 86 base64url characters", field)
	}

	apptest.Do(t, ctx, "clicking Add to cart", chromedp.Click(chromedp.CSS(addToCartButton(loaf))))
	browserWaitForCartCount(t, ctx, 1)
	apptest.WaitFor(t, ctx, browserWait,
		`document.querySelector(`+jsQuote(addToCartStatus(loaf))+`).textContent.includes("Added 1 × `+loafName+`")`,
		"the status line to say Added")
	assertNoReloadSince(t, ctx, "adding to the cart")

	posts := rec.seen()
	var htmxPosts []postSeen
	for _, p := range posts {
		if p.path == "/cart/add" && p.hxRequest == "true" {
			htmxPosts = append(htmxPosts, p)
		}
	}
	if len(htmxPosts) == 0 {
		t.Fatalf("no POST /cart/add with HX-Request: true reached a node; saw %+v", posts)
	}
	for _, p := range htmxPosts {
		if !csrfTokenFormat.MatchString(p.csrfHeader) {
			t.Errorf("htmx sent X-CSRF-Token %q, want 86 base64url characters like the form's token", p.csrfHeader)
		}
		if p.csrfHeader != field {
			t.Errorf("htmx sent X-CSRF-Token %q; the page's csrf_token field is %q", p.csrfHeader, field)
		}
		t.Logf("POST %s: HX-Request=%s Sec-Fetch-Site=%s X-CSRF-Token=%s…", p.path, p.hxRequest, p.secFetchSite, p.csrfHeader[:min(8, len(p.csrfHeader))])
	}
}

// Removing a line removes the button that had focus: focus goes to the
// cart's summary, so keyboard and screen-reader users stay in the cart, and
// the change is announced.
func TestBrowserRemovingALineKeepsFocusInTheCart(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	loaf, croissant := browserProductID(t, c.Pool, "white-sourdough-loaf"), browserProductID(t, c.Pool, "all-butter-croissant")
	ctx := apptest.NewBrowser(t)
	for _, id := range []int64{loaf, croissant} {
		browserOpen(t, ctx, c.URL+"/?sort=newest", true)
		apptest.Do(t, ctx, "adding to the cart", chromedp.Click(chromedp.CSS(addToCartButton(id))))
		apptest.WaitFor(t, ctx, apptest.BrowserTimeout, `document.querySelector(`+jsQuote(addToCartStatus(id))+`).textContent.includes("Added")`, "the add to finish")
	}
	browserOpen(t, ctx, c.URL+"/cart", true)
	browserMarkWindow(t, ctx)
	apptest.Do(t, ctx, "pressing Remove", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#line-%d form[action="/cart/remove"] button`, loaf))))
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout, fmt.Sprintf(`!document.getElementById("line-%d")`, loaf), "the line to go")
	assertNoReloadSince(t, ctx, "removing a line")
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout, `document.activeElement && document.activeElement.id == "cart-summary"`, "focus on the cart summary")
	if got := browserText(t, ctx, "#cart-summary"); got != "1 item in your cart" {
		t.Fatalf("cart summary %q", got)
	}
	if got := browserText(t, ctx, "#flash"); !strings.Contains(got, "Removed from your cart.") {
		t.Fatalf("the removal was not announced: %q", got)
	}
	if got := apptest.Eval[string](t, ctx, `document.querySelector("#cart-link").getAttribute("aria-current") || ""`); got != "page" {
		t.Fatalf("the cart link lost aria-current after the swap: %q", got)
	}
}

// heldAdds holds every add-to-cart request until released, so a test knows
// that the first is still on its way while it clicks again; it counts the
// requests that reached the shop.
type heldAdds struct {
	release chan struct{}
	arrived atomic.Int32
}

func (h *heldAdds) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/cart/add" {
			h.arrived.Add(1)
			<-h.release
		}
		next.ServeHTTP(w, r)
	})
}

func TestBrowserAddToCartSaysSoAndAddsOncePerClickInFlight(t *testing.T) {
	t.Parallel()
	held := &heldAdds{release: make(chan struct{})}
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: held.wrap})
	loaf := browserProductID(t, c.Pool, loafSlug)
	croissant := browserProductID(t, c.Pool, croissantSlug)
	ctx := apptest.NewBrowser(t)
	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)

	// The button reads "Add to cart" as rendered (the product's name, for
	// screen readers, comes after the visible words: WCAG 2.5.3).
	button := `document.querySelector(` + jsQuote(addToCartButton(loaf)) + `)`
	if got := apptest.Eval[string](t, ctx, button+`.innerText`); !strings.HasPrefix(got, "Add to cart") {
		t.Errorf("the add-to-cart button's rendered text is %q, want it to start with \"Add to cart\"", got)
	}

	// A double click while the first request is on its way.
	apptest.Do(t, ctx, "double-clicking the loaf's add-to-cart button",
		chromedp.Click(chromedp.CSS(addToCartButton(loaf))),
		chromedp.Click(chromedp.CSS(addToCartButton(loaf))))
	pollUntil(t, browserWait, func() bool { return held.arrived.Load() >= 1 }, "the first add to reach the shop")
	form := `document.querySelector(` + jsQuote(addToCartButton(loaf)) + `).form`
	if busy := apptest.Eval[string](t, ctx, form+`.getAttribute("aria-busy") ?? ""`); busy != "true" {
		t.Errorf("while adding, the form's aria-busy is %q, want \"true\"", busy)
	}
	if got := browserText(t, ctx, addToCartStatus(loaf)); got != "Adding…" {
		t.Errorf("while adding, the status line says %q, want \"Adding…\"", got)
	}
	if got := apptest.Eval[string](t, ctx, button+`.getAttribute("aria-disabled") ?? ""`); got != "true" {
		t.Errorf("while adding, the button's aria-disabled is %q, want \"true\"", got)
	}
	close(held.release)
	apptest.WaitFor(t, ctx, browserWait, `document.querySelector(`+jsQuote(addToCartStatus(loaf))+`).textContent.includes("Added 1 × `+loafName+`")`, "the loaf's status to say Added 1")
	if got := apptest.Eval[string](t, ctx, form+`.getAttribute("aria-busy") ?? ""`); got != "" {
		t.Errorf("after the answer, the form's aria-busy is %q, want none", got)
	}

	// Another add queues behind anything the double click might have queued:
	// once it is answered, every earlier request has been.
	apptest.Do(t, ctx, "adding a croissant", chromedp.Click(chromedp.CSS(addToCartButton(croissant))))
	apptest.WaitFor(t, ctx, browserWait, `document.querySelector(`+jsQuote(addToCartStatus(croissant))+`).textContent.includes("Added 1 × `+croissantName+`")`, "the croissant's status to say Added 1")
	if n := held.arrived.Load(); n != 2 {
		t.Errorf("%d add-to-cart requests reached the shop, want 2 (one for the double click, one for the croissant)", n)
	}
	browserWaitForCartCount(t, ctx, 2)
	assertNoReloadSince(t, ctx, "adding to the cart")
}
