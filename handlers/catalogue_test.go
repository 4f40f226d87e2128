package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"shopfront/apptest"
	"shopfront/staffauth"
)

var cardTitle = regexp.MustCompile(`<h3 class="card__title">([^<]+)</h3>`)

func titles(body string) []string {
	var out []string
	for _, m := range cardTitle.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestCatalogueIsServedByEveryNode(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()

	seen := map[string]bool{}
	var first []string
	for range 6 {
		r := visitor.Get(t, "/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET / = %d", r.StatusCode)
		}
		seen[r.Header.Get("X-Test-Node")] = true
		got := titles(r.Body)
		if len(got) != 12 {
			t.Fatalf("page 1 shows %d products, want 12", len(got))
		}
		if first == nil {
			first = got
		} else if strings.Join(got, "|") != strings.Join(first, "|") {
			t.Fatalf("nodes disagree on page 1:\n%v\n%v", first, got)
		}
		for _, want := range []string{"<html", "30 products, page 1 of 3", `<option value="bread"`} {
			if !strings.Contains(r.Body, want) {
				t.Fatalf("catalogue lacks %q", want)
			}
		}
	}
	if len(seen) != 3 {
		t.Fatalf("requests reached nodes %v, want all 3", seen)
	}
}

func TestCataloguePagesCoverEveryProductOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	all := map[string]bool{}
	for _, page := range []string{"1", "2", "3"} {
		r := visitor.Get(t, "/?page="+page)
		for _, title := range titles(r.Body) {
			if all[title] {
				t.Fatalf("%q appears on two pages", title)
			}
			all[title] = true
		}
	}
	if len(all) != 30 {
		t.Fatalf("pages 1–3 show %d distinct products, want 30", len(all))
	}
	past := visitor.Get(t, "/?page=4")
	if past.StatusCode != http.StatusOK || !strings.Contains(past.Body, "There are no products on this page") ||
		!strings.Contains(past.Body, `href="/"`) {
		t.Fatalf("page past the end: %d, want a way back to page 1", past.StatusCode)
	}
}

func TestCatalogueFilterSortAndSearch(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()

	bread := titles(visitor.Get(t, "/?category=bread").Body)
	if len(bread) != 6 {
		t.Fatalf("bread category shows %d products, want 6: %v", len(bread), bread)
	}

	cheapest := visitor.Get(t, "/?sort=price_asc").Body
	dearest := visitor.Get(t, "/?sort=price_desc").Body
	if titles(cheapest)[0] == titles(dearest)[0] {
		t.Fatal("price ascending and descending start with the same product")
	}
	if !strings.Contains(cheapest, "£1.45") || strings.Contains(dearest, "£1.45") {
		t.Fatal("cheapest product (£1.45) should lead the ascending page only")
	}
	if got := titles(dearest)[0]; got != "Victoria Sponge (serves 8)" {
		t.Fatalf("most expensive product = %q, want Victoria Sponge", got)
	}

	// Prefix search over name and description, as typed so far.
	found := titles(visitor.Get(t, "/?q=sourd").Body)
	if len(found) == 0 || !contains(found, "White Sourdough Loaf") {
		t.Fatalf("searching 'sourd' found %v", found)
	}
	// A word only in a description is found too.
	if got := titles(visitor.Get(t, "/?q=crackling").Body); !contains(got, "White Sourdough Loaf") {
		t.Fatalf("searching a description word found %v", got)
	}
	none := visitor.Get(t, "/?q=zzzzqqq")
	if len(titles(none.Body)) != 0 || !strings.Contains(none.Body, "No products match") {
		t.Fatal("a search with no match should say so")
	}
}

func TestPartialAndFullPageShareOneURL(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	path := "/?q=bread&category=bread"

	full := visitor.Get(t, path)
	partial := visitor.Get(t, path, "HX-Request", "true", "HX-Request-Type", "partial")
	for name, r := range map[string]*apptest.Response{"full": full, "partial": partial} {
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", name, r.StatusCode)
		}
		if vary := strings.Join(r.Header.Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Fatalf("%s: Vary = %q, want HX-Request", name, vary)
		}
	}
	if !strings.Contains(full.Body, "<html") || !strings.Contains(full.Body, `id="catalogue-filters"`) {
		t.Fatal("a direct load must render the full page")
	}
	if strings.Contains(partial.Body, "<html") || strings.Contains(partial.Body, `id="catalogue-filters"`) {
		t.Fatal("an htmx partial request must get only the results region")
	}
	if strings.Join(titles(full.Body), "|") != strings.Join(titles(partial.Body), "|") {
		t.Fatal("full page and fragment list different products")
	}
	if !strings.Contains(partial.Body, `data-hx-target="#results-status"`) {
		t.Fatal("the fragment must update the announced result count")
	}

	// Boosted navigation, history restore and body-targeted requests get the full page.
	for _, h := range [][]string{
		{"HX-Request", "true", "HX-Boosted", "true"},
		{"HX-Request", "true", "HX-History-Restore-Request", "true"},
		{"HX-Request", "true", "HX-Request-Type", "full"},
	} {
		if r := visitor.Get(t, path, h...); !strings.Contains(r.Body, "<html") {
			t.Fatalf("headers %v got a fragment, want the full page", h)
		}
	}
}

func TestProductPage(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()

	r := visitor.Get(t, "/products/white-sourdough-loaf")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("product page = %d", r.StatusCode)
	}
	for _, want := range []string{"<h1>White Sourdough Loaf</h1>", "£", "In stock", `alt="White Sourdough Loaf"`, "slow-fermented"} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("product page lacks %q", want)
		}
	}
	if r := visitor.Get(t, "/products/duck-eggs"); !strings.Contains(r.Body, "Only 1 left") {
		t.Fatal("a product with 1 in stock should say 'Only 1 left'")
	}
	if r := visitor.Get(t, "/products/british-strawberries"); !strings.Contains(r.Body, "Sold out") {
		t.Fatal("a product with no stock should say 'Sold out'")
	}
}

func TestUnknownPagesAre404Pages(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	for _, path := range []string{"/products/no-such-loaf", "/products/NOT_A_SLUG", "/no/such/page", "/images/abc", "/static/css/nope.css"} {
		r := visitor.Get(t, path)
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s = %d, want 404", path, r.StatusCode)
		}
		if !strings.HasPrefix(path, "/static/") && !strings.HasPrefix(path, "/images/") &&
			(!strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Page not found")) {
			t.Fatalf("GET %s: want a full 404 page, got %q", path, r.Body)
		}
	}
	// Hidden products are not for sale.
	if _, err := c.Pool.Exec(t.Context(), "UPDATE products SET active = false WHERE slug = 'duck-eggs'"); err != nil {
		t.Fatal(err)
	}
	if r := visitor.Get(t, "/products/duck-eggs"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("hidden product = %d, want 404", r.StatusCode)
	}
}

func TestBadQueryParametersNeverFail(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	cases := map[string]int{
		"/?page=-1":                         http.StatusBadRequest,
		"/?page=0":                          http.StatusBadRequest,
		"/?page=abc":                        http.StatusBadRequest,
		"/?page=99999999999999999999":       http.StatusBadRequest,
		"/?after=abc":                       http.StatusBadRequest,
		"/?before=-3":                       http.StatusBadRequest,
		"/?after=1&before=2":                http.StatusBadRequest,
		"/?after=99999999":                  http.StatusOK,
		"/?sort=evil":                       http.StatusOK,
		"/?sort=price_asc;DROP+TABLE":       http.StatusOK,
		"/?q=" + strings.Repeat("a", 10240): http.StatusBadRequest,
		"/?q=%ff%fe%fd":                     http.StatusOK,
		"/?q=%27%22%3C%3E%26%21%7C%3A*":     http.StatusOK,
		"/?q=a%00b":                         http.StatusOK,
		"/?category=../../etc":              http.StatusOK,
		"/?category=%ff":                    http.StatusOK,
		"/products/%ff":                     http.StatusNotFound,
	}
	for path, want := range cases {
		r := visitor.Get(t, path)
		if r.StatusCode != want {
			t.Errorf("GET %.60s = %d, want %d", path, r.StatusCode, want)
		}
		if r.StatusCode == http.StatusBadRequest && !strings.Contains(r.Body, "must be") && !strings.Contains(r.Body, "too long") {
			t.Errorf("GET %.60s: 400 without a clear message", path)
		}
	}
	if strings.Contains(c.Logs(), `"level":"ERROR"`) {
		t.Fatalf("bad input was logged as an internal error:\n%s", c.Logs())
	}
}

func TestSearchTextIsEscaped(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	r := c.Client().Get(t, "/?q="+url.QueryEscape(`<script>alert(1)</script>`))
	if strings.Contains(r.Body, "<script>alert(1)") {
		t.Fatal("search text was echoed unescaped")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestTheFirstRowOfImagesLoadsAtOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	page := c.Client().Get(t, "/").Body
	imgs := regexp.MustCompile(`<img class="card__image"[^>]*>`).FindAllString(page, -1)
	if len(imgs) < 6 {
		t.Fatalf("the catalogue shows %d product images", len(imgs))
	}
	if !strings.Contains(imgs[0], `loading="eager"`) || !strings.Contains(imgs[0], `fetchpriority="high"`) {
		t.Errorf("the first product image is not loaded at once with high priority: %s", imgs[0])
	}
	if !strings.Contains(imgs[3], `loading="eager"`) || !strings.Contains(imgs[5], `loading="lazy"`) {
		t.Errorf("the first row should load at once and later rows lazily: %s … %s", imgs[3], imgs[5])
	}
}

func TestAShopWithoutProductsSaysSo(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	exec(t, c.Pool, "UPDATE products SET active = false")
	page := c.Client().Get(t, "/").Body
	if !strings.Contains(page, "There are no products in the shop yet.") || strings.Contains(page, "No products match") {
		t.Errorf("an empty shop does not say it has no products yet:\n%s", page)
	}
	if page := c.Client().Get(t, "/?q=bread").Body; !strings.Contains(page, "No products match") {
		t.Errorf("a search in an empty shop does not say nothing matches")
	}
}

var nextLink = regexp.MustCompile(`<a href="([^"]+)" data-hx-get="[^"]*" data-hx-target="#results" data-hx-push-url="true" data-hx-headers='[^']*' aria-label="Next page">`)
var prevLink = regexp.MustCompile(`<a href="([^"]+)" data-hx-get="[^"]*" data-hx-target="#results" data-hx-push-url="true" data-hx-headers='[^']*' aria-label="Previous page">`)

// link is the href of the paging link re matches on page, or "".
func link(re *regexp.Regexp, page string) string {
	if m := re.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// namesInOrder lists the names of the products for sale as a query orders them.
func namesInOrder(t *testing.T, c *apptest.Cluster, sql string, args ...any) []string {
	t.Helper()
	rows, err := c.Pool.Query(t.Context(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestDeepCataloguePagesFollowTheirNextAndPreviousLinks(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	// 150 more loaves, some sharing a price, so that ties are broken too.
	if _, err := c.Pool.Exec(t.Context(), `INSERT INTO products (category_id, slug, name, price_minor, currency, stock)
		SELECT (SELECT id FROM categories WHERE slug = 'bread'), 'extra-loaf-' || g, 'Extra Loaf ' || lpad(g::text, 3, '0'), 100 + g % 7, 'GBP', 5
		FROM generate_series(1, 150) g`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		start string
		order string // the same order in SQL
	}{
		{"/", "SELECT name FROM products WHERE active ORDER BY name, id"},
		{"/?category=bread&sort=price_desc", `SELECT p.name FROM products p JOIN categories c ON c.id = p.category_id
			WHERE p.active AND c.slug = 'bread' ORDER BY p.price_minor DESC, p.id DESC`},
		{"/?sort=newest", "SELECT name FROM products WHERE active ORDER BY created_at DESC, id DESC"},
	} {
		want := namesInOrder(t, c, tc.order)
		pages := (len(want) + 11) / 12
		visitor := c.Client()
		var got []string
		var urls []string
		for path, n := tc.start, 1; path != ""; n++ {
			r := visitor.Get(t, path)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: GET %s = %d", tc.start, path, r.StatusCode)
			}
			if label := fmt.Sprintf("page %d of %d", n, pages); !strings.Contains(r.Body, label) {
				t.Fatalf("%s: %s does not say %q", tc.start, path, label)
			}
			got = append(got, titles(html.UnescapeString(r.Body))...)
			urls = append(urls, path)
			path = link(nextLink, r.Body)
			if n > pages {
				t.Fatalf("%s: more than %d pages of next links", tc.start, pages)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: following next links shows %d products %q…, want %d %q…", tc.start, len(got), got[:min(len(got), 15)], len(want), want[:min(len(want), 15)])
		}
		// A deep page's address is shareable: another visitor, on whichever
		// node, sees the same products without following the links there.
		deep := urls[len(urls)-2]
		if !strings.Contains(deep, "after=") {
			t.Fatalf("%s: a deep page's address %q has no keyset", tc.start, deep)
		}
		if shown := titles(html.UnescapeString(c.Client().Get(t, deep).Body)); !slices.Equal(shown, want[12*(len(urls)-2):12*(len(urls)-1)]) {
			t.Fatalf("%s: %s opened afresh shows %q", tc.start, deep, shown)
		}
		// Back again by the previous links, to the first page's own address.
		var back []string
		path := urls[len(urls)-1]
		for n := len(urls); path != ""; n-- {
			r := visitor.Get(t, path)
			page := titles(html.UnescapeString(r.Body))
			back = append(page, back...)
			if n == 1 && path != tc.start {
				t.Fatalf("%s: the previous links lead back to %q, not the first page's address", tc.start, path)
			}
			path = link(prevLink, r.Body)
			if n < 1 {
				t.Fatalf("%s: previous links go on past the first page", tc.start)
			}
		}
		if !slices.Equal(back, want) {
			t.Fatalf("%s: following previous links shows %d products, want %d", tc.start, len(back), len(want))
		}
	}
	// A search pages by number.
	visitor := c.Client()
	r := visitor.Get(t, "/?q=extra+loaf")
	if !strings.Contains(r.Body, "150 products matching") || link(nextLink, r.Body) != "/?page=2&q=extra+loaf" {
		t.Fatalf("a search's first page: next link %q", link(nextLink, r.Body))
	}
}

func TestCategoryCountsFollowChangesMadeOnAnotherNode(t *testing.T) {
	t.Parallel()
	// Nodes keep the category list far longer than the test takes: only
	// the change's notification can update it.
	c := apptest.NewCluster(t, apptest.Options{Demo: true, CategoriesTTL: time.Hour})
	others := []*apptest.Client{c.Client().At(c.Nodes[1].URL), c.Client().At(c.Nodes[2].URL)}
	bread := func(cl *apptest.Client) string {
		m := regexp.MustCompile(`<option value="bread"[^>]*>Bread \((\d+)\)</option>`).FindStringSubmatch(cl.Get(t, "/").Body)
		if m == nil {
			t.Fatal("the catalogue has no Bread option")
		}
		return m[1]
	}
	waitFor := func(want string) {
		t.Helper()
		for _, cl := range others {
			deadline := time.Now().Add(apptest.BrowserTimeout)
			for got := bread(cl); got != want; got = bread(cl) {
				if time.Now().After(deadline) {
					t.Fatalf("another node still shows Bread (%s), want (%s)", got, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	waitFor("6")

	// Staff hide a loaf on the first node.
	staff, _ := admSignIn(t, c, "carol@example.com", staffauth.RoleStaff)
	staff = staff.At(c.Nodes[0].URL)
	path := fmt.Sprintf("/admin/products/%d", productID(t, c.Pool, "white-sourdough-loaf"))
	form := admProductForm(t, staff.Get(t, path).Body)
	form.Del("active")
	if r := staff.PostForm(t, path, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("hiding the loaf: %d\n%s", r.StatusCode, r.Body)
	}
	waitFor("5")

	// A product added by any means counts too.
	if _, err := c.Pool.Exec(t.Context(), `INSERT INTO products (category_id, slug, name, price_minor, currency, stock)
		VALUES ((SELECT id FROM categories WHERE slug = 'bread'), 'seeded-batch', 'Seeded Batch', 420, 'GBP', 3)`); err != nil {
		t.Fatal(err)
	}
	waitFor("6")
	for _, cl := range others {
		if !contains(titles(cl.Get(t, "/?category=bread").Body), "Seeded Batch") {
			t.Fatal("the new loaf is counted but not listed")
		}
	}
}
