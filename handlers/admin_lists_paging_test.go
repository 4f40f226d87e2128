package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/shop"
	"shopfront/staffauth"
)

var (
	boardNumberRe = regexp.MustCompile(`<tr id="order-\d+">\s*<th scope="row"><a href="[^"]*">#(\d+)</a>`)
	pagerLinkRe   = regexp.MustCompile(`<a href="([^"]*)" rel="(prev|next)">`)
)

// pagerLinks are the previous and next links of a page ("" when absent).
func pagerLinks(page string) (prev, next string) {
	for _, m := range pagerLinkRe.FindAllStringSubmatch(page, -1) {
		if m[2] == "prev" {
			prev = html.UnescapeString(m[1])
		} else {
			next = html.UnescapeString(m[1])
		}
	}
	return prev, next
}

func TestTheOrdersBoardPagesThroughEveryOrderAndOnlyItsFirstPageIsLive(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	const n = 2*shop.AdminOrdersPerPage + 20
	numbers := apptest.AddDeliveryOrders(t, c.Pool, n)
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)

	// Following "Next" from the first page shows every order once, newest first.
	var seen []int64
	path, pages := "/admin/orders", 0
	for path != "" {
		r := staff.Get(t, path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		pages++
		rows := boardNumberRe.FindAllStringSubmatch(r.Body, -1)
		for _, m := range rows {
			num, _ := strconv.ParseInt(m[1], 10, 64)
			seen = append(seen, num)
		}
		first := len(seen) - len(rows) + 1
		summary := fmt.Sprintf("%d orders, newest first: %d–%d of %d", n, first, len(seen), n)
		if !strings.Contains(admText(r), summary) {
			t.Errorf("%s does not say %q", path, summary)
		}
		live := strings.Contains(r.Body, `data-hx-trigger="order from:#board-live"`)
		if pages == 1 && !live {
			t.Error("the first page does not update itself")
		}
		if pages > 1 && (live || !strings.Contains(admText(r), "Older orders: this page does not update by itself.")) {
			t.Errorf("page %d: updates itself (%v) or does not say it does not", pages, live)
		}
		prev, next := pagerLinks(r.Body)
		if (prev == "") != (pages == 1) {
			t.Errorf("page %d: previous link %q", pages, prev)
		}
		path = next
	}
	if pages != 3 || fmt.Sprint(seen) != fmt.Sprint(numbers) {
		t.Fatalf("%d pages showed %d orders %v,\nwant 3 pages of the %d orders newest first %v", pages, len(seen), seen, n, numbers)
	}

	// Paging keeps the filters; a status change on page 2 comes back to it.
	r := staff.Get(t, "/admin/orders?status=placed&q=bulk&page=2")
	if _, next := pagerLinks(r.Body); next != "/admin/orders?page=3&q=bulk&status=placed" {
		t.Errorf("the next link of a filtered page is %q", next)
	}
	if !strings.Contains(r.Body, `name="return_to" value="/admin/orders?page=2&amp;q=bulk&amp;status=placed"`) {
		t.Error("a status change on page 2 does not come back to page 2")
	}
	// A page past the end says so; a page that is no page is refused.
	if r := staff.Get(t, "/admin/orders?page=9"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "There are no orders on this page.") {
		t.Errorf("a page past the end: %d", r.StatusCode)
	}
	for _, bad := range []string{"0", "-1", "two", "100001"} {
		r := staff.Get(t, "/admin/orders?page="+url.QueryEscape(bad))
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(admText(r), "The page must be a whole number from 1 to 10000.") {
			t.Errorf("?page=%s: %d, want 400 with a message", bad, r.StatusCode)
		}
	}
}

func TestTheProductListAndTheStockLedgerArePaged(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	cat := admInt(t, c, "SELECT min(id) FROM categories")
	demo := admInt(t, c, "SELECT count(*) FROM products")
	extra := shop.AdminProductsPerPage + 5 - int(demo)
	for i := range extra {
		admNewProduct(t, staff, fmt.Sprintf("Zz Test Bun %02d", i), cat, true)
	}
	total := int(demo) + extra

	listed := map[string]bool{}
	path, pages := "/admin/products", 0
	rowRe := regexp.MustCompile(`<th scope="row"><a href="/admin/products/\d+">([^<]+)</a></th>`)
	for path != "" {
		r := staff.Get(t, path)
		pages++
		for _, m := range rowRe.FindAllStringSubmatch(r.Body, -1) {
			if listed[m[1]] {
				t.Errorf("%s is listed twice", m[1])
			}
			listed[m[1]] = true
		}
		_, path = pagerLinks(r.Body)
	}
	if pages != 2 || len(listed) != total || !listed["Zz Test Bun 00"] {
		t.Fatalf("%d pages listed %d products, want 2 pages of %d", pages, len(listed), total)
	}
	// Searching pages too, and the links keep the search.
	if r := staff.Get(t, "/admin/products?q=zz+test"); strings.Count(r.Body, `<th scope="row">`) != extra {
		t.Errorf("a search for the %d test buns shows %d", extra, strings.Count(r.Body, `<th scope="row">`))
	}

	// The ledger of a product with many stock changes.
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	page := fmt.Sprintf("/admin/products/%d", loaf)
	changes := shop.StockLedgerPerPage + 3
	for i := range changes {
		r := admPost(t, staff, page, page+"/stock", url.Values{"mode": {"adjust"}, "amount": {"1"}, "reason": {fmt.Sprintf("Batch %02d", i)}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("stock change %d: %d", i, r.StatusCode)
		}
	}
	r := staff.Get(t, page)
	_, next := pagerLinks(r.Body)
	if !strings.Contains(r.Body, fmt.Sprintf("Batch %02d", changes-1)) || strings.Contains(r.Body, "Batch 00") || next == "" {
		t.Fatalf("the ledger's first page: newest shown %v, oldest hidden %v, next %q",
			strings.Contains(r.Body, fmt.Sprintf("Batch %02d", changes-1)), !strings.Contains(r.Body, "Batch 00"), next)
	}
	r = staff.Get(t, next)
	if prev, next := pagerLinks(r.Body); !strings.Contains(r.Body, "Batch 00") || prev == "" || next != "" {
		t.Errorf("the ledger's second page: oldest shown %v, previous %q, next %q", strings.Contains(r.Body, "Batch 00"), prev, next)
	}
}

func TestTheSettingsChangeLogIsPaged(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	before := admInt(t, c, "SELECT count(*) FROM settings_changes")
	added := shop.SettingsLogPerPage + 2
	apptest.AddSettingsChanges(t, c.Pool, added)
	owner, _ := admSignIn(t, c, "owner@example.com", staffauth.RoleOwner)
	changeRe := regexp.MustCompile(`identity: (Change \d+)</li>`)

	seen := map[string]bool{}
	path, pages := "/admin/settings", 0
	for path != "" {
		r := owner.Get(t, path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		pages++
		for _, m := range changeRe.FindAllStringSubmatch(r.Body, -1) {
			seen[m[1]] = true
		}
		if pages == 1 && !strings.Contains(r.Body, fmt.Sprintf("Change %d</li>", added)) {
			t.Error("the newest change is not on the first page")
		}
		_, path = pagerLinks(r.Body)
	}
	if want := int(before) + added; pages != (want+shop.SettingsLogPerPage-1)/shop.SettingsLogPerPage || len(seen) != added {
		t.Fatalf("%d pages showed %d of the %d added changes", pages, len(seen), added)
	}
}

// With more orders than a page, the board's first page still shows a new
// order as it comes in, and stays one page long.
func TestBrowserTheBoardsFirstPageStaysLiveWhenThereAreMorePages(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.AddDeliveryOrders(t, c.Pool, shop.AdminOrdersPerPage+10)
	slot := slotSoon(t, c, 5)
	apptest.CreateStaff(t, c.Pool, "baker@example.com", staffauth.RoleStaff)
	ctx := apptest.NewBrowser(t)
	browserSignIn(t, ctx, c, "baker@example.com")
	apptest.WaitFor(t, ctx, browserWait, `!!document.getElementById("board-live")?._htmx?.sse`, "the board's stream to connect")
	if next := apptest.Eval[bool](t, ctx, `!!document.querySelector('#orders a[rel="next"]')`); !next {
		t.Fatal("the board's first page has no link to the next")
	}

	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	apptest.WaitFor(t, ctx, browserWait, boardHasOrder(o.ID), "the new order to appear on the first page")
	assertNoReloadSince(t, ctx, "the new order")
	if first := apptest.Eval[string](t, ctx, `document.querySelector("#orders tbody tr").id`); first != fmt.Sprintf("order-%d", o.ID) {
		t.Errorf("the first row is %s, want the new order at the top", first)
	}
	if rows := apptest.Eval[int](t, ctx, `document.querySelectorAll("#orders tbody tr").length`); rows != shop.AdminOrdersPerPage {
		t.Errorf("the first page has %d rows, want %d", rows, shop.AdminOrdersPerPage)
	}
	want := fmt.Sprintf("%d orders, newest first", shop.AdminOrdersPerPage+11)
	if got := browserText(t, ctx, "#orders .results__summary"); !strings.Contains(got, want) {
		t.Errorf("the summary reads %q, want %q", got, want)
	}
}
