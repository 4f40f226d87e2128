package handlers_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	_ "image/jpeg" // decodes the display version
	"image/png"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// Helpers for the staff-area catalogue, stock, image, export, pick-list and
// slot tests. All are prefixed adm so they don't collide with other files.

// admSignIn creates a staff account and returns a visitor signed in as it,
// with the account's id.
func admSignIn(t *testing.T, c *apptest.Cluster, email, role string) (*apptest.Client, int64) {
	t.Helper()
	id := apptest.CreateStaff(t, c.Pool, email, role)
	cl := c.Client()
	cl.SignIn(t, email, apptest.StaffPassword)
	return cl, id
}

// admPost posts form to path with the CSRF token of the page at from.
func admPost(t *testing.T, cl *apptest.Client, from, path string, form url.Values) *apptest.Response {
	t.Helper()
	form.Set("csrf_token", cl.Token(t, from))
	return cl.PostForm(t, path, form)
}

// admText is a page with HTML entities decoded, for matching messages.
func admText(r *apptest.Response) string { return html.UnescapeString(r.Body) }

// admFieldError returns the inline error shown under a field, or "".
func admFieldError(page, field string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(field) + `-error">([^<]*)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// admDescribedBy checks that a field with an error is marked invalid and
// points at its message with a single aria-describedby: browsers keep only
// the first of repeated attributes, so a second one is never read out.
// It returns the problem, or "".
func admDescribedBy(page, field string) string {
	tag := regexp.MustCompile(`<(?:input|select|textarea) [^>]*id="` + regexp.QuoteMeta(field) + `"[^>]*>`).FindString(page)
	if tag == "" {
		return "no control for " + field
	}
	attrs := regexp.MustCompile(`aria-describedby="([^"]*)"`).FindAllStringSubmatch(tag, -1)
	switch {
	case len(attrs) != 1:
		return fmt.Sprintf("the %s control has %d aria-describedby attributes, so screen readers miss its error: %s", field, len(attrs), tag)
	case !slices.Contains(strings.Fields(attrs[0][1]), field+"-error"):
		return fmt.Sprintf("the %s control does not point at its error: %s", field, tag)
	case !strings.Contains(tag, `aria-invalid="true"`):
		return fmt.Sprintf("the %s control is not marked invalid: %s", field, tag)
	}
	return ""
}

// admFlash follows a redirect and returns the flash message on the page it lands on.
func admFlash(t *testing.T, cl *apptest.Client, r *apptest.Response) string {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("want a 303 to follow, got %d\n%s", r.StatusCode, r.Body)
	}
	page := cl.Get(t, r.Header.Get("Location"))
	m := regexp.MustCompile(`<p class="flash flash--[a-z]+">([^<]*)</p>`).FindStringSubmatch(page.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func admInt(t *testing.T, c *apptest.Cluster, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func admString(t *testing.T, c *apptest.Cluster, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := c.Pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

var (
	admInputRe    = regexp.MustCompile(`<input [^>]*name="([a-z_]+)"[^>]*>`)
	admValueRe    = regexp.MustCompile(`value="([^"]*)"`)
	admTextareaRe = regexp.MustCompile(`(?s)<textarea [^>]*name="description"[^>]*>(.*?)</textarea>`)
	admSelectedRe = regexp.MustCompile(`<option value="(\d+)" selected`)
)

// admProductForm reads the product form on a staff product page as a
// browser would submit it unchanged.
func admProductForm(t *testing.T, page string) url.Values {
	t.Helper()
	start := strings.Index(page, `<form class="stack" method="post" action="/admin/products`)
	if start < 0 {
		t.Fatalf("no product form on the page:\n%s", page)
	}
	page = page[start:]
	page = page[:strings.Index(page, "</form>")]
	form := url.Values{}
	for _, m := range admInputRe.FindAllStringSubmatch(page, -1) {
		tag, name := m[0], m[1]
		if strings.Contains(tag, `type="checkbox"`) {
			if strings.Contains(tag, " checked") {
				form.Set(name, "on")
			}
			continue
		}
		v := admValueRe.FindStringSubmatch(tag)
		if v == nil {
			t.Fatalf("input %s has no value: %s", name, tag)
		}
		form.Set(name, html.UnescapeString(v[1]))
	}
	if m := admTextareaRe.FindStringSubmatch(page); m != nil {
		form.Set("description", html.UnescapeString(m[1]))
	}
	if m := admSelectedRe.FindStringSubmatch(page); m != nil {
		form.Set("category_id", m[1])
	}
	if form.Get("version") == "" || form.Get("name") == "" || form.Get("category_id") == "" {
		t.Fatalf("product form incomplete: %v", form)
	}
	return form
}

func TestStaffEditsAProductWithoutOverwritingOthers(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	const slug = "white-sourdough-loaf"
	id := productID(t, c.Pool, slug)
	path := fmt.Sprintf("/admin/products/%d", id)
	originalName := admString(t, c, "SELECT name FROM products WHERE id = $1", id)
	originalPrice := admInt(t, c, "SELECT price_minor FROM products WHERE id = $1", id)
	version := admInt(t, c, "SELECT version FROM products WHERE id = $1", id)

	alice, _ := admSignIn(t, c, "alice@example.com", staffauth.RoleStaff)
	bob, _ := admSignIn(t, c, "bob@example.com", staffauth.RoleStaff)

	// Both open the same product: the form carries the version they loaded.
	pageA, pageB := alice.Get(t, path), bob.Get(t, path)
	if pageA.StatusCode != http.StatusOK || pageB.StatusCode != http.StatusOK {
		t.Fatalf("product page: %d, %d", pageA.StatusCode, pageB.StatusCode)
	}
	formA, formB := admProductForm(t, pageA.Body), admProductForm(t, pageB.Body)
	if formA.Get("version") != fmt.Sprint(version) || formB.Get("version") != fmt.Sprint(version) {
		t.Fatalf("version fields %q, %q; want %d", formA.Get("version"), formB.Get("version"), version)
	}
	if formA.Get("name") != originalName || formA.Get("slug") != slug {
		t.Fatalf("the form does not show the product: %v", formA)
	}

	// Alice saves a new price first.
	newPrice := originalPrice + 137
	formA.Set("price", fmt.Sprintf("%d.%02d", newPrice/100, newPrice%100))
	r := alice.PostForm(t, path, formA)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != path {
		t.Fatalf("alice's save: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if flash := admFlash(t, alice, r); flash != "Product saved." {
		t.Fatalf("after saving, flash %q", flash)
	}
	if page := c.Client().Get(t, "/products/"+slug); !strings.Contains(page.Body, `<p class="product__price">`+money(newPrice)+`</p>`) {
		t.Fatalf("the shop does not show the new price %s", money(newPrice))
	}
	if page := c.Client().Get(t, "/?q=white+sourdough"); !strings.Contains(page.Body, `<p class="card__price">`+money(newPrice)+`</p>`) {
		t.Fatalf("the catalogue does not show the new price %s", money(newPrice))
	}

	// Bob, still on the old version, renames it: refused, shown the current values.
	formB.Set("name", "Bob's Renamed Loaf")
	r = bob.PostForm(t, path, formB)
	body := admText(r)
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("bob's stale save: %d, want 409\n%s", r.StatusCode, r.Body)
	}
	if !strings.Contains(body, "Someone else changed this product while you were editing it.") ||
		!strings.Contains(body, "your changes were not saved") {
		t.Fatal("the 409 page does not say someone else changed the product")
	}
	current := admProductForm(t, r.Body)
	if current.Get("price") != formA.Get("price") || current.Get("name") != originalName ||
		current.Get("version") != fmt.Sprint(version+1) {
		t.Fatalf("the 409 page shows %v; want alice's price %s, the stored name and version %d", current, formA.Get("price"), version+1)
	}
	if got := admString(t, c, "SELECT name FROM products WHERE id = $1", id); got != originalName {
		t.Fatalf("bob's stale name was saved: %q", got)
	}
	if got := admInt(t, c, "SELECT price_minor FROM products WHERE id = $1", id); got != newPrice {
		t.Fatalf("price %d, want alice's %d", got, newPrice)
	}
	// Re-submitting from the refreshed form works.
	current.Set("name", "Bob's Renamed Loaf")
	if r := bob.PostForm(t, path, current); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob's save on the current version: %d", r.StatusCode)
	}
	if got := admString(t, c, "SELECT name FROM products WHERE id = $1", id); got != "Bob's Renamed Loaf" {
		t.Fatalf("name %q after bob's second save", got)
	}

	// Creating: the web address is made from the name.
	category := admInt(t, c, "SELECT min(id) FROM categories")
	products := admInt(t, c, "SELECT count(*) FROM products")
	create := func(name, slug, price string) *apptest.Response {
		t.Helper()
		return admPost(t, alice, "/admin/products/new", "/admin/products", url.Values{
			"name": {name}, "slug": {slug}, "description": {"Dark and dense."}, "price": {price},
			"category_id": {fmt.Sprint(category)}, "active": {"on"},
		})
	}
	r = create("Crème Fraîche Scones", "", "3.80")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	newID := productID(t, c.Pool, "creme-fraiche-scones")
	if r.Header.Get("Location") != fmt.Sprintf("/admin/products/%d", newID) {
		t.Fatalf("create went to %q", r.Header.Get("Location"))
	}
	if got := admInt(t, c, "SELECT price_minor FROM products WHERE id = $1", newID); got != 380 {
		t.Fatalf("created price %d", got)
	}
	if got := admInt(t, c, "SELECT stock FROM products WHERE id = $1", newID); got != 0 {
		t.Fatalf("a new product has stock %d, want 0 (stock goes through the ledger)", got)
	}
	if page := c.Client().Get(t, "/products/creme-fraiche-scones"); page.StatusCode != http.StatusOK || !strings.Contains(admText(page), "Crème Fraîche Scones") {
		t.Fatalf("the new product's page: %d", page.StatusCode)
	}
	products++

	for _, tc := range []struct {
		what, name, slug, price, field, want string
	}{
		{"empty name", "", "", "2.00", "name", "Enter a name of at most 120 characters."},
		{"blank name", "   ", "spaces", "2.00", "name", "Enter a name of at most 120 characters."},
		{"price abc", "Walnut Loaf", "", "abc", "price", "Enter a price like 4.50."},
		{"negative price", "Walnut Loaf", "", "-1.00", "price", "Enter a price like 4.50."},
		{"duplicate slug from the name", "Crème Fraîche Scones", "", "3.80", "slug", "Another product already uses this web address; choose another."},
		{"a demo product's name", "Seeded Rye Loaf", "", "3.80", "slug", "Another product already uses this web address; choose another."},
		{"duplicate slug typed", "Another Loaf", slug, "3.80", "slug", "Another product already uses this web address; choose another."},
		{"bad slug", "Walnut Loaf", "Walnut Loaf!", "3.80", "slug", "Use lower-case letters, digits and single hyphens, like white-sourdough."},
	} {
		r := create(tc.name, tc.slug, tc.price)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.what, r.StatusCode)
			continue
		}
		if got := admFieldError(r.Body, tc.field); got != tc.want {
			t.Errorf("%s: %s error %q, want %q", tc.what, tc.field, got, tc.want)
		}
		if problem := admDescribedBy(r.Body, tc.field); problem != "" {
			t.Errorf("%s: %s", tc.what, problem)
		}
		if !strings.Contains(r.Body, "Please fix the fields marked below.") {
			t.Errorf("%s: no error summary", tc.what)
		}
		if tc.name != "" && strings.TrimSpace(tc.name) != "" && !strings.Contains(admText(r), `value="`+tc.name+`"`) {
			t.Errorf("%s: the typed name was not kept", tc.what)
		}
		if n := admInt(t, c, "SELECT count(*) FROM products"); n != products {
			t.Fatalf("%s: %d products, want %d: something was written", tc.what, n, products)
		}
	}
}

func TestConcurrentStockAdjustmentsAreNeverLost(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	id := productID(t, c.Pool, "all-butter-croissant")
	path := fmt.Sprintf("/admin/products/%d", id)
	stockPath := path + "/stock"
	staff, staffID := admSignIn(t, c, "stock@example.com", staffauth.RoleStaff)
	token := staff.Token(t, path)

	before := admInt(t, c, "SELECT stock FROM products WHERE id = $1", id)
	lastMovement := admInt(t, c, "SELECT coalesce(max(id), 0) FROM stock_movements")

	const n = 40
	statuses := make([]int, n)
	nodes := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			form := url.Values{"csrf_token": {token}, "mode": {"adjust"}, "amount": {"1"}, "reason": {"delivery"}}
			req, err := http.NewRequest(http.MethodPost, c.URL+stockPath, strings.NewReader(form.Encode()))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Origin", c.URL)
			<-start
			resp, err := staff.HTTP.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i], nodes[i] = resp.StatusCode, resp.Header.Get("X-Test-Node")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || statuses[i] != http.StatusSeeOther {
			t.Fatalf("adjustment %d: %d %v", i, statuses[i], errs[i])
		}
	}
	if slices.Sort(nodes); len(slices.Compact(nodes)) < 3 {
		t.Fatalf("the adjustments reached only nodes %v", slices.Compact(nodes))
	}
	if got := admInt(t, c, "SELECT stock FROM products WHERE id = $1", id); got != before+n {
		t.Fatalf("stock %d after %d concurrent +1s from %d; want %d", got, n, before, before+n)
	}
	rows, err := c.Pool.Query(t.Context(),
		"SELECT delta, resulting_stock, reason, coalesce(staff_id, 0), order_id IS NULL FROM stock_movements WHERE product_id = $1 AND id > $2 ORDER BY id",
		id, lastMovement)
	if err != nil {
		t.Fatal(err)
	}
	var levels []int64
	for rows.Next() {
		var delta, level, who int64
		var reason string
		var noOrder bool
		if err := rows.Scan(&delta, &level, &reason, &who, &noOrder); err != nil {
			t.Fatal(err)
		}
		if delta != 1 || reason != "delivery" || who != staffID || !noOrder {
			t.Fatalf("ledger row delta=%d reason=%q staff=%d (want 1, delivery, %d)", delta, reason, who, staffID)
		}
		levels = append(levels, level)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(levels) != n {
		t.Fatalf("%d ledger rows, want %d", len(levels), n)
	}
	slices.Sort(levels)
	for i, l := range levels {
		if l != before+1+int64(i) {
			t.Fatalf("resulting levels %v are not %d..%d each once", levels, before+1, before+n)
		}
	}

	// Sets, deliveries and removals at once: every row of the ledger follows
	// from the one before it, and the last one is the stock.
	kinds := []url.Values{
		{"mode": {"adjust"}, "amount": {"3"}, "reason": {"delivery"}},
		{"mode": {"adjust"}, "amount": {"-1"}, "reason": {"breakage"}},
		{"mode": {"set"}, "amount": {"50"}, "reason": {"stocktake"}},
	}
	round := make([]int, 30)
	for i := range round {
		wg.Go(func() {
			form := url.Values{"csrf_token": {token}}
			for k, v := range kinds[i%3] {
				form[k] = v
			}
			if i%3 == 2 {
				form.Set("amount", strconv.Itoa(50+i))
			}
			req, _ := http.NewRequest(http.MethodPost, c.URL+stockPath, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			if resp, err := staff.HTTP.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				round[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	for i, status := range round {
		if status != http.StatusSeeOther {
			t.Fatalf("mixed change %d: %d", i, status)
		}
	}
	admLedgerAddsUp(t, c, id)

	// Setting the level records the difference.
	before = admInt(t, c, "SELECT stock FROM products WHERE id = $1", id) - n
	lastMovement = admInt(t, c, "SELECT max(id) FROM stock_movements")
	r := staff.PostForm(t, stockPath, url.Values{"csrf_token": {token}, "mode": {"set"}, "amount": {"5"}, "reason": {"stocktake"}})
	if flash := admFlash(t, staff, r); flash != "Stock is now 5." {
		t.Fatalf("set: flash %q", flash)
	}
	var delta, level int64
	var who int64
	if err := c.Pool.QueryRow(t.Context(),
		"SELECT delta, resulting_stock, coalesce(staff_id, 0) FROM stock_movements WHERE product_id = $1 AND id > $2",
		id, lastMovement).Scan(&delta, &level, &who); err != nil {
		t.Fatalf("the set made no single ledger row: %v", err)
	}
	if delta != 5-(before+n) || level != 5 || who != staffID {
		t.Fatalf("set ledger row: delta %d level %d staff %d; want %d, 5, %d", delta, level, who, 5-(before+n), staffID)
	}
	if page := staff.Get(t, path).Body; !strings.Contains(page, `<span id="stock-level">5</span>`) || !strings.Contains(page, "stocktake") {
		t.Fatal("the product page does not show the new level and its reason")
	}

	lastMovement = admInt(t, c, "SELECT max(id) FROM stock_movements")
	for _, tc := range []struct {
		what  string
		form  url.Values
		field string
		want  string
	}{
		{"below zero", url.Values{"mode": {"adjust"}, "amount": {"-10"}, "reason": {"breakage"}}, "amount", "Stock cannot go below zero: removing 10 is more than there is."},
		{"no reason", url.Values{"mode": {"adjust"}, "amount": {"3"}, "reason": {""}}, "reason", "Give a reason of at most 200 characters, for example “Morning bake”."},
		{"blank reason", url.Values{"mode": {"set"}, "amount": {"9"}, "reason": {"   "}}, "reason", "Give a reason of at most 200 characters, for example “Morning bake”."},
		{"zero adjustment", url.Values{"mode": {"adjust"}, "amount": {"0"}, "reason": {"nothing"}}, "amount", "Enter how many to add (or, with a minus sign, remove), for example 12 or -3."},
		{"negative level", url.Values{"mode": {"set"}, "amount": {"-1"}, "reason": {"oops"}}, "amount", "Enter the new stock level, from 0 to 100000."},
	} {
		tc.form.Set("csrf_token", token)
		r := staff.PostForm(t, stockPath, tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.what, r.StatusCode)
			continue
		}
		if got := admFieldError(r.Body, tc.field); got != tc.want {
			t.Errorf("%s: %s error %q, want %q", tc.what, tc.field, got, tc.want)
		}
		if problem := admDescribedBy(r.Body, tc.field); problem != "" {
			t.Errorf("%s: %s", tc.what, problem)
		}
		if got := admInt(t, c, "SELECT stock FROM products WHERE id = $1", id); got != 5 {
			t.Fatalf("%s changed stock to %d", tc.what, got)
		}
		if got := admInt(t, c, "SELECT count(*) FROM stock_movements WHERE id > $1", lastMovement); got != 0 {
			t.Fatalf("%s wrote %d ledger rows", tc.what, got)
		}
	}
}

// admLedgerAddsUp checks the product's stock ledger: in order, each row's
// level is the previous level plus its change, and the last level is the
// product's stock.
func admLedgerAddsUp(t *testing.T, c *apptest.Cluster, product int64) {
	t.Helper()
	rows, err := c.Pool.Query(t.Context(), "SELECT id, delta, resulting_stock FROM stock_movements WHERE product_id = $1 ORDER BY id", product)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var last int64 = -1
	for rows.Next() {
		var id, delta, level int64
		if err := rows.Scan(&id, &delta, &level); err != nil {
			t.Fatal(err)
		}
		if last >= 0 && last+delta != level {
			t.Fatalf("ledger row %d: %d %+d recorded as %d", id, last, delta, level)
		}
		last = level
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if stock := admInt(t, c, "SELECT stock FROM products WHERE id = $1", product); stock != last {
		t.Fatalf("stock is %d but the ledger ends at %d", stock, last)
	}
}

// admPNG encodes an opaque w×h PNG with a gradient.
func admPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 120, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// admPNGClaiming is a well-formed PNG whose header claims w×h pixels (with
// correct CRCs) but whose pixel data is a little zlib stream of zeros: a
// decompression bomb if the decoder believed the header.
func admPNGClaiming(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit truecolour, no interlace
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	_, _ = zw.Write(make([]byte, 4<<20))
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// admUploadRequest builds the multipart form the product page's image form sends.
func admUploadRequest(t *testing.T, target, token, filename, contentType string, data []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("csrf_token", token); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="image"; filename=%q`, filename))
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, target, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func admUpload(t *testing.T, cl *apptest.Client, id int64, token, filename, contentType string, data []byte) *apptest.Response {
	t.Helper()
	req := admUploadRequest(t, fmt.Sprintf("/admin/products/%d/image", id), token, filename, contentType, data)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return cl.Do(t, req)
}

func TestImageUploadsAreCheckedByTheirBytes(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	const slug = "cox-apples"
	id := productID(t, c.Pool, slug)
	staff, _ := admSignIn(t, c, "photos@example.com", staffauth.RoleStaff)
	token := staff.Token(t, fmt.Sprintf("/admin/products/%d", id))

	// A good photo: stored as uploaded, shown at most 960 wide.
	photo := admPNG(t, 1200, 900)
	images := admInt(t, c, "SELECT count(*) FROM images")
	r := admUpload(t, staff, id, token, "apples.png", "image/png", photo)
	if flash := admFlash(t, staff, r); flash != "Image uploaded." {
		t.Fatalf("upload: flash %q", flash)
	}
	if got := admInt(t, c, "SELECT count(*) FROM images"); got != images+2 {
		t.Fatalf("%d images after an upload, want %d (original and display)", got, images+2)
	}
	var origHash, origType string
	var origW, origH, origSize int64
	if err := c.Pool.QueryRow(t.Context(), `SELECT encode(i.sha256, 'hex'), i.content_type, i.width, i.height, i.byte_size
		FROM products p JOIN images i ON i.id = p.original_image_id WHERE p.id = $1`, id).Scan(&origHash, &origType, &origW, &origH, &origSize); err != nil {
		t.Fatalf("no original image: %v", err)
	}
	sum := sha256.Sum256(photo)
	if origHash != hex.EncodeToString(sum[:]) || origType != "image/png" || origW != 1200 || origH != 900 || origSize != int64(len(photo)) {
		t.Fatalf("original stored as %s %s %dx%d %d bytes", origHash, origType, origW, origH, origSize)
	}
	page := c.Client().Get(t, "/products/"+slug).Body
	src := regexp.MustCompile(`<img class="product__image" src="/images/([0-9a-f]{64})"[^>]*>`).FindStringSubmatch(page)
	if src == nil {
		t.Fatal("the product page shows no image")
	}
	if want := admString(t, c, "SELECT encode(i.sha256, 'hex') FROM products p JOIN images i ON i.id = p.image_id WHERE p.id = $1", id); src[1] != want {
		t.Fatalf("the product page shows image %s, want the display version %s", src[1], want)
	}
	if !strings.Contains(src[0], `width="960"`) || !strings.Contains(src[0], `height="720"`) {
		t.Fatalf("the image tag does not carry the display size: %s", src[0])
	}
	img := c.Client().Get(t, "/images/"+src[1])
	if img.StatusCode != http.StatusOK || !strings.Contains(img.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("image: %d Cache-Control %q", img.StatusCode, img.Header.Get("Cache-Control"))
	}
	cfg, format, err := image.DecodeConfig(strings.NewReader(img.Body))
	if err != nil || cfg.Width != 960 || cfg.Height != 720 || "image/"+format != img.Header.Get("Content-Type") {
		t.Fatalf("display version: %s %dx%d, served as %s (%v)", format, cfg.Width, cfg.Height, img.Header.Get("Content-Type"), err)
	}
	if img.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("images are served without X-Content-Type-Options: nosniff")
	}
	if got := sha256.Sum256([]byte(img.Body)); hex.EncodeToString(got[:]) != src[1] {
		t.Fatal("the image's bytes do not match its URL")
	}

	// Bad uploads: refused with a message, nothing stored, the image kept.
	images = admInt(t, c, "SELECT count(*) FROM images")
	imageID := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id)
	garbage := make([]byte, 64<<10)
	_, _ = rand.Read(garbage)
	tooBig := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat(garbage, 88)...) // 5.5 MB: under the body limit, over the image limit
	for _, tc := range []struct {
		what, filename, contentType string
		data                        []byte
		want                        string
	}{
		{"an empty file", "empty.png", "image/png", nil, "The file is empty."},
		{"a PNG header on garbage", "photo.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), garbage...), "The image file is damaged or incomplete."},
		{"a truncated PNG", "photo.png", "image/png", photo[:len(photo)/2], "The image file is damaged or incomplete."},
		{"HTML named photo.jpg", "photo.jpg", "image/jpeg", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), "Only JPEG, PNG and WebP images can be uploaded."},
		{"an SVG with a script", "logo.svg", "image/svg+xml", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`), "Only JPEG, PNG and WebP images can be uploaded."},
		{"a bare SVG with a script", "logo.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`), "Only JPEG, PNG and WebP images can be uploaded."},
		{"a decompression bomb of 100000x100000", "bomb.png", "image/png", admPNGClaiming(t, 100_000, 100_000), "The image is too large: at most 8000 pixels on a side."},
		{"8000x8000 (64 megapixels)", "big.png", "image/png", admPNGClaiming(t, 8000, 8000), "The image is too large: at most 24 megapixels."},
		{"5.5 MB", "huge.png", "image/png", tooBig, "The image must be at most 5 MB."},
	} {
		r := admUpload(t, staff, id, token, tc.filename, tc.contentType, tc.data)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.what, r.StatusCode)
		} else if got := admFieldError(r.Body, "image"); got != tc.want {
			t.Errorf("%s: message %q, want %q", tc.what, got, tc.want)
		} else if problem := admDescribedBy(r.Body, "image"); problem != "" {
			t.Errorf("%s: %s", tc.what, problem)
		}
		if got := admInt(t, c, "SELECT count(*) FROM images"); got != images {
			t.Fatalf("%s: %d images stored, want %d", tc.what, got, images)
		}
		if got := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id); got != imageID {
			t.Fatalf("%s: the product's image changed", tc.what)
		}
	}

	// No file at all.
	if r := admPost(t, staff, fmt.Sprintf("/admin/products/%d", id), fmt.Sprintf("/admin/products/%d/image", id), url.Values{}); r.StatusCode != http.StatusUnprocessableEntity ||
		admFieldError(r.Body, "image") != "Choose an image file to upload." {
		t.Errorf("no file: %d %q", r.StatusCode, admFieldError(r.Body, "image"))
	}

	// 50 MB is stopped by the upload route's body limit before it is read.
	huge := bytes.Repeat(garbage, 800)
	r = admUpload(t, staff, id, token, "huge.jpg", "image/jpeg", huge)
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(admText(r), "What you sent is too large.") {
		t.Errorf("50 MB: %d, want 413 with a message", r.StatusCode)
	}
	if got := admInt(t, c, "SELECT count(*) FROM images"); got != images {
		t.Fatalf("50 MB: %d images stored, want %d", got, images)
	}
	if got := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id); got != imageID {
		t.Fatal("50 MB: the product's image changed")
	}
	// The shop still works for this person afterwards.
	if r := staff.Get(t, fmt.Sprintf("/admin/products/%d", id)); r.StatusCode != http.StatusOK {
		t.Fatalf("product page after the refused uploads: %d", r.StatusCode)
	}
}

// admOrder places a pickup order through the shop: the given quantities of
// products, in slot, with the customer's name and note.
func admOrder(t *testing.T, c *apptest.Cluster, slot int64, name, note string, items map[int64]int) {
	t.Helper()
	s := newShopper(t, c)
	for _, id := range slices.Sorted(maps.Keys(items)) {
		if r := s.add(id, strconv.Itoa(items[id])); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding %d × %d: %d", items[id], id, r.StatusCode)
		}
	}
	form := s.checkoutForm(slot)
	form.Set("name", name)
	form.Set("note", note)
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing %s's order: %d\n%s", name, r.StatusCode, r.Body)
	}
}

func TestCSVExportIsStreamedQuotedAndSafe(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 10)
	loaf, butter := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "farmhouse-salted-butter")
	const (
		formula = `=HYPERLINK("http://evil")`
		note    = "Leave it by the gate, please.\nRing \"twice\" if nobody answers"
	)
	admOrder(t, c, slot, formula, note, map[int64]int{loaf: 2})
	admOrder(t, c, slot, "@SUM(1+1)", "", map[int64]int{butter: 1})
	admOrder(t, c, slot, "+44 Mallory", "-2 loaves, no 3", map[int64]int{loaf: 1, butter: 1})
	// Plus enough orders to go through the export's periodic flushes.
	const bulk = 450
	apptest.AddDeliveryOrders(t, c.Pool, bulk)

	// Customer data never leaves without a staff sign-in.
	if r := c.Client().Get(t, "/admin/orders.csv"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
		t.Fatalf("anonymous export: %d %q", r.StatusCode, r.Header.Get("Location"))
	}

	// The route is for every staff member, not only owners.
	staff, _ := admSignIn(t, c, "exporter@example.com", staffauth.RoleStaff)
	r := staff.Get(t, "/admin/orders.csv")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("export: %d\n%s", r.StatusCode, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `.csv"`) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Fatalf("Cache-Control %q: customer data may be cached", cc)
	}
	if !strings.HasSuffix(r.Body, "\r\n") || strings.Count(r.Body, "\r\n") < bulk+4 {
		t.Fatal("rows do not end in CRLF (RFC 4180)")
	}
	records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	if len(records) != 1+3+bulk {
		t.Fatalf("%d records, want a header and %d orders", len(records), 3+bulk)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"number", "name", "email", "note", "total", "items"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("header %v lacks %q", records[0], h)
		}
	}
	byName := map[string][]string{}
	numbers := map[string]bool{}
	for _, rec := range records[1:] {
		if len(rec) != len(records[0]) {
			t.Fatalf("row of %d cells, header has %d", len(rec), len(records[0]))
		}
		byName[rec[col["name"]]] = rec
		numbers[rec[col["number"]]] = true
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %s = %q of order %s could run as a formula", records[0][i], cell, rec[col["number"]])
			}
		}
	}
	if len(numbers) != 3+bulk {
		t.Fatalf("%d distinct order numbers, want %d", len(numbers), 3+bulk)
	}
	for _, name := range []string{formula, "@SUM(1+1)", "+44 Mallory"} {
		rec, ok := byName["'"+name]
		if !ok {
			t.Fatalf("no row whose name is %q with a leading apostrophe", name)
		}
		number := admString(t, c, "SELECT number::text FROM orders WHERE customer_name = $1", name)
		if rec[col["number"]] != number {
			t.Errorf("%s: number %s, want %s", name, rec[col["number"]], number)
		}
	}
	if got := byName["'"+formula][col["note"]]; got != note {
		t.Errorf("note came back as %q, want %q", got, note)
	}
	if got := byName["'+44 Mallory"][col["note"]]; got != "'-2 loaves, no 3" {
		t.Errorf("a note starting with - came back as %q", got)
	}
	if got := byName["'"+formula][col["items"]]; got != "2 x White Sourdough Loaf" {
		t.Errorf("items %q", got)
	}
	// RFC 4180 on the wire: the note quoted, its quotes doubled, its newline CRLF.
	if !strings.Contains(r.Body, `,"Leave it by the gate, please.`+"\r\n"+`Ring ""twice"" if nobody answers"`) {
		t.Error("the note is not quoted as RFC 4180 says")
	}
	if !strings.Contains(r.Body, `,"'=HYPERLINK(""http://evil"")",`) {
		t.Error("the formula name is not quoted and neutralised on the wire")
	}

	// A range that is not one.
	for _, q := range []string{"?from=2026-13-40", "?to=yesterday", "?from=2026-11-20&to=2026-11-01", "?from=2024-01-01&to=2026-01-01"} {
		r := staff.Get(t, "/admin/orders.csv"+q)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(admText(r), "Give from and to as dates like 2026-12-01, at most a year apart, from first.") {
			t.Errorf("export%s: %d, want 400 with a message", q, r.StatusCode)
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || r.Header.Get("Content-Disposition") != "" {
			t.Errorf("export%s: an error came back as a CSV download", q)
		}
	}
	// A range without today's orders is just the header.
	r = staff.Get(t, "/admin/orders.csv?from=2020-01-01&to=2020-01-31")
	if records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll(); r.StatusCode != http.StatusOK || err != nil || len(records) != 1 {
		t.Errorf("an empty range: %d, %d records, %v", r.StatusCode, len(records), err)
	}
}

var admPickRowRe = regexp.MustCompile(`<tr><td>([^<]*)</td><td class="num">(\d+)</td></tr>`)

// admPickTotals reads the totals table of a pick list.
func admPickTotals(t *testing.T, page string) map[string]int {
	t.Helper()
	start := strings.Index(page, `<table class="cart-table picklist">`)
	if start < 0 {
		t.Fatalf("no picklist table on the page:\n%s", page)
	}
	table := page[start:]
	table = table[:strings.Index(table, "</table>")]
	totals := map[string]int{}
	for _, m := range admPickRowRe.FindAllStringSubmatch(table, -1) {
		name := html.UnescapeString(m[1])
		if _, dup := totals[name]; dup {
			t.Errorf("%s is listed twice in the totals", name)
		}
		totals[name], _ = strconv.Atoi(m[2])
	}
	return totals
}

func TestPickListForASlotAndADay(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 10)
	loaf, croissant, butter := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "all-butter-croissant"), productID(t, c.Pool, "farmhouse-salted-butter")
	exec(t, c.Pool, "UPDATE products SET stock = 100 WHERE id = ANY($1)", []int64{loaf, croissant, butter})
	admOrder(t, c, slot, "Picker One", "", map[int64]int{loaf: 2, croissant: 3})
	admOrder(t, c, slot, "Picker Two", "", map[int64]int{loaf: 1, butter: 2})
	admOrder(t, c, slot, "Cancelled Carol", "", map[int64]int{loaf: 5, croissant: 1})
	// An order in another slot the same week is in neither list.
	other := apptest.AddSlot(t, c.Pool, time.Now().Add(72*time.Hour).Truncate(time.Hour), 10)
	admOrder(t, c, other, "Other Day", "", map[int64]int{butter: 7})

	staff, _ := admSignIn(t, c, "packer@example.com", staffauth.RoleStaff)
	carol := admInt(t, c, "SELECT id FROM orders WHERE customer_name = 'Cancelled Carol'")
	r := admPost(t, staff, "/admin/orders", fmt.Sprintf("/admin/orders/%d/status", carol),
		url.Values{"from": {"placed"}, "to": {"cancelled"}, "reason": {"other"}, "reason_other": {"Oven broke"}, "return_to": {"/admin/orders"}})
	if r.StatusCode != http.StatusSeeOther || admString(t, c, "SELECT status FROM orders WHERE id = $1", carol) != "cancelled" {
		t.Fatalf("cancelling: %d", r.StatusCode)
	}

	names := map[int64]string{}
	for _, id := range []int64{loaf, croissant, butter} {
		names[id] = admString(t, c, "SELECT name FROM products WHERE id = $1", id)
	}
	want := map[string]int{names[loaf]: 3, names[croissant]: 3, names[butter]: 2}
	day := admString(t, c, "SELECT to_char(starts_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') FROM pickup_slots WHERE id = $1", slot)
	for _, q := range []string{fmt.Sprintf("?slot=%d", slot), "?day=" + day} {
		r := staff.Get(t, "/admin/pick-list"+q)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("pick list %s: %d", q, r.StatusCode)
		}
		if got := admPickTotals(t, r.Body); !maps.Equal(got, want) {
			t.Errorf("pick list %s totals %v, want %v", q, got, want)
		}
		page := admText(r)
		if !strings.Contains(page, "Picker One") || !strings.Contains(page, "Picker Two") {
			t.Errorf("pick list %s does not list both live orders", q)
		}
		if strings.Contains(page, "Cancelled Carol") || strings.Contains(page, "Other Day") {
			t.Errorf("pick list %s lists a cancelled order or another day's", q)
		}
	}
	// Bad parameters are a message, not an error page.
	for _, q := range []string{"?slot=abc", "?day=2026-02-30"} {
		if r := staff.Get(t, "/admin/pick-list"+q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("pick list %s: %d, want 400", q, r.StatusCode)
		}
	}
	if r := staff.Get(t, "/admin/pick-list?slot=987654"); r.StatusCode != http.StatusNotFound {
		t.Errorf("pick list of an unknown slot: %d, want 404", r.StatusCode)
	}
}

// admOffered reports whether the checkout page offers the slot.
func admOffered(t *testing.T, s *shopper, slot int64) bool {
	t.Helper()
	r := s.c.Get(t, "/checkout")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("checkout: %d", r.StatusCode)
	}
	return strings.Contains(r.Body, fmt.Sprintf(`<option value="%d"`, slot))
}

func TestSlotsFromAPatternAndCapacityRules(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	london, _ := time.LoadLocation("Europe/London")
	staff, _ := admSignIn(t, c, "slots@example.com", staffauth.RoleStaff)
	now := time.Now().In(london)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, london)
	after := time.Date(now.Year(), now.Month(), now.Day()+4, 0, 0, 0, 0, london)
	pattern := url.Values{
		"first_day": {tomorrow.Format("2006-01-02")}, "last_day": {tomorrow.AddDate(0, 0, 2).Format("2006-01-02")},
		"start": {"09:00"}, "end": {"12:00"}, "every": {"30"}, "capacity": {"5"},
	}
	generate := func(form url.Values) *apptest.Response {
		t.Helper()
		return admPost(t, staff, "/admin/slots", "/admin/slots", form)
	}
	slotsBefore := admInt(t, c, "SELECT count(*) FROM pickup_slots")

	r := generate(pattern)
	if flash := admFlash(t, staff, r); flash != "Created 18 slots; 0 already existed." {
		t.Fatalf("generating: flash %q", flash)
	}
	if got := admInt(t, c, "SELECT count(*) FROM pickup_slots WHERE starts_at >= $1 AND starts_at < $2", tomorrow, after); got != 18 {
		t.Fatalf("%d slots in the three days, want 18", got)
	}
	rows, err := c.Pool.Query(t.Context(), "SELECT starts_at, ends_at, capacity, booked, closed FROM pickup_slots WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at", tomorrow, after)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var start, end time.Time
		var capacity, booked int
		var closed bool
		if err := rows.Scan(&start, &end, &capacity, &booked, &closed); err != nil {
			t.Fatal(err)
		}
		day, k := i/6, i%6
		want := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day()+day, 9, 30*k, 0, 0, london)
		if !start.Equal(want) || end.Sub(start) != 30*time.Minute || capacity != 5 || booked != 0 || closed {
			t.Fatalf("slot %d: %v–%v cap %d booked %d closed %v; want it to start %v", i, start.In(london), end.In(london), capacity, booked, closed, want)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	// The same pattern again adds nothing.
	if flash := admFlash(t, staff, generate(pattern)); flash != "Created 0 slots; 18 already existed." {
		t.Fatalf("generating again: flash %q", flash)
	}
	if got := admInt(t, c, "SELECT count(*) FROM pickup_slots"); got != slotsBefore+18 {
		t.Fatalf("%d slots after generating twice, want %d", got, slotsBefore+18)
	}

	// Bad patterns are refused inline.
	slots := slotsBefore + 18
	for _, tc := range []struct {
		what  string
		edit  map[string]string
		field string
		want  string
	}{
		{"every 5 minutes", map[string]string{"every": "5"}, "every", "Enter a slot length of 10 to 240 minutes."},
		{"end before start", map[string]string{"start": "12:00", "end": "09:00"}, "end", "The day must end at least one slot after it starts."},
		{"100 days", map[string]string{"last_day": tomorrow.AddDate(0, 0, 99).Format("2006-01-02")}, "last_day", "Create at most 62 days of slots at a time."},
		{"last day before first", map[string]string{"last_day": tomorrow.AddDate(0, 0, -1).Format("2006-01-02")}, "last_day", "The last day must not be before the first."},
		{"not a date", map[string]string{"first_day": "2026-02-30"}, "first_day", "Enter a date like 2026-12-01."},
		{"capacity 0", map[string]string{"capacity": "0"}, "capacity", "Enter a capacity of 1 to 1000 orders."},
		// Around the spring clock change (31 March 2030) a day is 23 hours long.
		{"last day before first across the clock change", map[string]string{"first_day": "2030-04-01", "last_day": "2030-03-31"}, "last_day", "The last day must not be before the first."},
		{"63 days across the clock change", map[string]string{"first_day": "2030-03-01", "last_day": "2030-05-02"}, "last_day", "Create at most 62 days of slots at a time."},
	} {
		form := url.Values{}
		for k, v := range pattern {
			form[k] = slices.Clone(v)
		}
		for k, v := range tc.edit {
			form.Set(k, v)
		}
		r := generate(form)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422 (Location %q)", tc.what, r.StatusCode, r.Header.Get("Location"))
		} else if got := admFieldError(r.Body, tc.field); got != tc.want {
			t.Errorf("%s: %s error %q, want %q", tc.what, tc.field, got, tc.want)
		} else if problem := admDescribedBy(r.Body, tc.field); problem != "" {
			t.Errorf("%s: %s", tc.what, problem)
		}
		if got := admInt(t, c, "SELECT count(*) FROM pickup_slots"); got != slots {
			t.Errorf("%s: %d slots, want %d: %d were written", tc.what, got, slots, got-slots)
			slots = got
		}
	}

	// Two orders in tomorrow's 09:00 slot.
	nine := admInt(t, c, "SELECT id FROM pickup_slots WHERE starts_at = $1", tomorrow.Add(9*time.Hour))
	half := admInt(t, c, "SELECT id FROM pickup_slots WHERE starts_at = $1", time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 30, 0, 0, london))
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	admOrder(t, c, nine, "Early Bird", "", map[int64]int{loaf: 1})
	admOrder(t, c, nine, "Second Bird", "", map[int64]int{loaf: 1})
	if got := admInt(t, c, "SELECT booked FROM pickup_slots WHERE id = $1", nine); got != 2 {
		t.Fatalf("booked %d, want 2", got)
	}
	capacity := func(slot int64, value string) string {
		t.Helper()
		return admFlash(t, staff, admPost(t, staff, "/admin/slots", fmt.Sprintf("/admin/slots/%d/capacity", slot), url.Values{"capacity": {value}}))
	}
	if flash := capacity(nine, "1"); !strings.Contains(flash, "already booked") || !strings.Contains(flash, "cannot go below 2") {
		t.Fatalf("capacity below the bookings: flash %q", flash)
	}
	if got := admInt(t, c, "SELECT capacity FROM pickup_slots WHERE id = $1", nine); got != 5 {
		t.Fatalf("capacity %d after a refused change, want 5", got)
	}
	if flash := capacity(nine, "2"); flash != "Capacity saved." {
		t.Fatalf("capacity 2: flash %q", flash)
	}
	if got := admInt(t, c, "SELECT capacity FROM pickup_slots WHERE id = $1", nine); got != 2 {
		t.Fatalf("capacity %d, want 2", got)
	}
	if flash := capacity(half, "lots"); !strings.Contains(flash, "Capacity must be a whole number from 0 to 1000.") {
		t.Fatalf("capacity lots: flash %q", flash)
	}

	// A full slot and a closed slot are not offered to customers.
	shopper := newShopper(t, c)
	shopper.add(loaf, "1")
	if admOffered(t, shopper, nine) {
		t.Error("the full slot is still offered at checkout")
	}
	if !admOffered(t, shopper, half) {
		t.Fatal("the 09:30 slot is not offered at checkout before closing it")
	}
	r = admPost(t, staff, "/admin/slots", fmt.Sprintf("/admin/slots/%d/closed", half), url.Values{"closed": {"true"}})
	if flash := admFlash(t, staff, r); flash != "Slot closed to new orders; existing bookings stay." {
		t.Fatalf("closing: flash %q", flash)
	}
	if admOffered(t, shopper, half) {
		t.Error("the closed slot is still offered at checkout")
	}
	form := shopper.checkoutForm(half)
	if r := shopper.placeOrder(form); r.StatusCode != http.StatusConflict {
		t.Errorf("ordering in the closed slot: %d, want 409", r.StatusCode)
	}
	r = admPost(t, staff, "/admin/slots", fmt.Sprintf("/admin/slots/%d/closed", half), url.Values{"closed": {"false"}})
	if flash := admFlash(t, staff, r); flash != "Slot reopened." || !admOffered(t, shopper, half) {
		t.Errorf("reopening: flash %q", flash)
	}
}

// Only the upload route may take bodies over the 1 MB every other route
// gets: the carve-out must not reach other paths that happen to end in
// /image, where anyone (no sign-in needed) could make a node buffer an
// unbounded multipart body while looking for a CSRF token.
func TestImageUploadsOnlyLiftTheBodyLimitOnTheUploadRoute(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{})
	body := bytes.Repeat([]byte("x"), 3<<20) // 3 MB: over the 1 MB limit, under the 6 MB upload limit
	for _, path := range []string{"/nothing-here", "/nothing-here/image", "/products/cox-apples/image", "/cart/image"} {
		req := admUploadRequest(t, c.URL+path, "", "photo.png", "image/png", body) // a script: no Sec-Fetch-Site, no Origin
		resp, err := c.Client().HTTP.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST of 3 MB to %s: %d, want 413 like any route but the upload", path, resp.StatusCode)
		}
	}
}

func TestPricesAreTypedAsTheyAreShownAndTypedValuesAreKept(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	cl, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	id := productID(t, c.Pool, "duck-eggs")
	path := fmt.Sprintf("/admin/products/%d", id)

	form := admProductForm(t, cl.Get(t, path).Body)
	form.Set("price", "£1,212.50")
	if r := admPost(t, cl, path, path, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the price £1,212.50: %d\n%s", r.StatusCode, admText(r))
	}
	if got := admInt(t, c, "SELECT price_minor FROM products WHERE id = $1", id); got != 121250 {
		t.Errorf("the price saved is %d minor units, want 121250", got)
	}

	r := admPost(t, cl, path, path+"/stock", url.Values{"mode": {"set"}, "amount": {"a dozen"}, "reason": {"Delivery from the farm"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a stock amount of %q: %d, want 422", "a dozen", r.StatusCode)
	}
	page := admText(r)
	for _, want := range []string{`value="a dozen"`, `value="Delivery from the farm"`, `id="mode-set" name="mode" value="set" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("after the error the stock form lost what was typed: no %s", want)
		}
	}
}

func TestTheProductListShowsEachProductsPicture(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	cl, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	hash := admString(t, c, "SELECT encode(i.sha256, 'hex') FROM products p JOIN images i ON i.id = p.image_id WHERE p.slug = 'duck-eggs'")
	page := cl.Get(t, "/admin/products").Body
	thumb := "/images/" + hash + "?w=240"
	if !strings.Contains(page, `<td class="admin-list-thumb"><img src="`+thumb+`"`) {
		t.Fatalf("the product list shows no thumbnail of the duck eggs (%s)", thumb)
	}
	// The 64 px picture comes from the narrowest version, not the whole display image.
	img := cl.Get(t, thumb)
	if cfg, _, err := image.DecodeConfig(strings.NewReader(img.Body)); err != nil || img.StatusCode != http.StatusOK || cfg.Width != 240 {
		t.Errorf("%s: %d, %d px wide (%v), want 240", thumb, img.StatusCode, cfg.Width, err)
	}
}

func TestHEICUploadsSayToExportAsJPEG(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	cl, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	id := productID(t, c.Pool, "duck-eggs")
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	r := admUpload(t, cl, id, cl.Token(t, fmt.Sprintf("/admin/products/%d", id)), "IMG_0001.HEIC", "image/heic", heic)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admText(r), "Export it as JPEG first") {
		t.Errorf("a HEIC upload: %d, want 422 saying to export it as JPEG", r.StatusCode)
	}
}
