package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// admNewProduct creates a product through the staff form and returns its id.
func admNewProduct(t *testing.T, cl *apptest.Client, name string, category int64, forSale bool) int64 {
	t.Helper()
	form := url.Values{"name": {name}, "price": {"3.20"}, "category_id": {fmt.Sprint(category)}}
	if forSale {
		form.Set("active", "on")
	}
	r := admPost(t, cl, "/admin/products/new", "/admin/products", form)
	m := regexp.MustCompile(`^/admin/products/(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("creating %s: %d %q\n%s", name, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// admNewCategory adds a category through the staff form and returns its id.
func admNewCategory(t *testing.T, c *apptest.Cluster, cl *apptest.Client, name string) int64 {
	t.Helper()
	if r := admPost(t, cl, "/admin/categories", "/admin/categories", url.Values{"name": {name}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding category %s: %d\n%s", name, r.StatusCode, r.Body)
	}
	return admInt(t, c, "SELECT id FROM categories WHERE name = $1", name)
}

// admListed says whether the staff product list at path links to the product.
func admListed(t *testing.T, cl *apptest.Client, path string, id int64) bool {
	t.Helper()
	r := cl.Get(t, path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	return strings.Contains(r.Body, fmt.Sprintf(`href="/admin/products/%d"`, id))
}

func TestArchivedProductsLeaveTheShopKeepTheirOrdersAndComeBack(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	owner, _ := admSignIn(t, c, "owner@example.com", staffauth.RoleOwner)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	slot := slotSoon(t, c, 5)
	admOrder(t, c, slot, "Grace Hopper", "", map[int64]int{loaf: 2})
	order := admInt(t, c, "SELECT id FROM orders WHERE customer_name = 'Grace Hopper'")

	// A shopper had it in the cart before it was archived.
	shopper := newShopper(t, c)
	shopper.add(loaf, "1")

	page := fmt.Sprintf("/admin/products/%d", loaf)
	r := admPost(t, owner, page, page+"/archive", url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/products" {
		t.Fatalf("archiving: %d to %q, want the product list", r.StatusCode, r.Header.Get("Location"))
	}
	flash := regexp.MustCompile(`(?s)<p class="flash flash--success">(.*?)</p>`).FindStringSubmatch(owner.Get(t, "/admin/products").Body)
	if flash == nil || !strings.Contains(admText(&apptest.Response{Body: flash[1]}), "“White Sourdough Loaf” is archived: it is out of the shop and the product list") ||
		!strings.Contains(flash[1], page) {
		t.Fatalf("archiving: flash %q, want the product named with a link back to it", flash)
	}

	// Gone from the shop: the catalogue, its page, a search, and checkout.
	if body := c.Client().Get(t, "/").Body; strings.Contains(body, "White Sourdough Loaf") {
		t.Error("the catalogue still lists the archived product")
	}
	if body := c.Client().Get(t, "/?q=sourdough").Body; strings.Contains(body, "White Sourdough Loaf") {
		t.Error("a search still finds the archived product")
	}
	if r := c.Client().Get(t, "/products/white-sourdough-loaf"); r.StatusCode != http.StatusNotFound {
		t.Errorf("the archived product's page: %d, want 404", r.StatusCode)
	}
	if body := admText(shopper.c.Get(t, "/cart")); !strings.Contains(body, "No longer available. Remove it to check out.") {
		t.Error("the cart does not say the archived product is no longer sold")
	}
	if r := shopper.placeOrder(shopper.checkoutForm(slot)); r.StatusCode == http.StatusSeeOther {
		t.Error("an archived product in a cart was ordered")
	}
	// Gone from the staff's list, and found under Archived.
	if admListed(t, owner, "/admin/products", loaf) {
		t.Error("the staff's product list still shows the archived product")
	}
	if !admListed(t, owner, "/admin/products?archived=1", loaf) {
		t.Error("Archived products does not list it")
	}
	if body := owner.Get(t, "/admin/products").Body; !strings.Contains(body, "Archived (1)") {
		t.Error("the product list does not say how many are archived")
	}
	// Also off the morning restock.
	if body := admText(owner.Get(t, "/admin/restock")); strings.Contains(body, "White Sourdough Loaf") {
		t.Error("the morning restock still lists the archived product")
	}
	// The order keeps it.
	if body := admText(owner.Get(t, fmt.Sprintf("/admin/orders/%d", order))); !strings.Contains(body, "White Sourdough Loaf") {
		t.Error("the past order lost its line")
	}

	// Ordered once, so it cannot be deleted, and the page says why.
	r = admPost(t, owner, page, page+"/delete", url.Values{"confirm": {"on"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(admText(r), "White Sourdough Loaf is on 1 order, so it cannot be deleted: archive it instead.") {
		t.Fatalf("deleting an ordered product: %d, want 409 saying why\n%s", r.StatusCode, r.Body)
	}
	if n := admInt(t, c, "SELECT count(*) FROM products WHERE id = $1", loaf); n != 1 {
		t.Fatal("the ordered product was deleted")
	}

	// An archived product cannot be put on sale by an edit: no checkbox,
	// and a form that sends one anyway is refused with the reason.
	edit := owner.Get(t, page)
	if strings.Contains(edit.Body, `id="active"`) {
		t.Error("an archived product's form offers “For sale”")
	}
	form := admProductForm(t, edit.Body)
	form.Set("active", "on")
	r = admPost(t, owner, page, page, form)
	if r.StatusCode != http.StatusUnprocessableEntity || admFieldError(r.Body, "active") != "An archived product cannot be for sale: restore it first." {
		t.Fatalf("putting an archived product on sale: %d %q", r.StatusCode, admFieldError(r.Body, "active"))
	}

	// Restored: back in the list, still hidden from the shop until put on sale.
	r = admPost(t, owner, page, page+"/restore", url.Values{})
	if msg := admFlash(t, owner, r); !strings.Contains(msg, "“White Sourdough Loaf” is restored. It is hidden from the shop") {
		t.Fatalf("restoring: flash %q", msg)
	}
	if !admListed(t, owner, "/admin/products", loaf) || admListed(t, owner, "/admin/products?archived=1", loaf) {
		t.Error("the restored product is not back in the product list")
	}
	if r := c.Client().Get(t, "/products/white-sourdough-loaf"); r.StatusCode != http.StatusNotFound {
		t.Errorf("restored, not yet on sale: %d, want 404", r.StatusCode)
	}
	form = admProductForm(t, owner.Get(t, page).Body)
	form.Set("active", "on")
	if r := admPost(t, owner, page, page, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("putting it on sale: %d\n%s", r.StatusCode, r.Body)
	}
	if r := c.Client().Get(t, "/products/white-sourdough-loaf"); r.StatusCode != http.StatusOK {
		t.Errorf("on sale again: %d, want 200", r.StatusCode)
	}

	// No such product: 404, not a 500.
	for _, action := range []string{"archive", "restore", "delete"} {
		if r := admPost(t, owner, page, "/admin/products/999999/"+action, url.Values{"confirm": {"on"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s of a product that does not exist: %d, want 404", action, r.StatusCode)
		}
	}
}

func TestNeverOrderedProductsCanBeDeletedOnceConfirmed(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	cat := admInt(t, c, "SELECT min(id) FROM categories")
	id := admNewProduct(t, staff, "Mistaken Muffin", cat, true)
	page := fmt.Sprintf("/admin/products/%d", id)
	if r := admPost(t, staff, page, page+"/stock", url.Values{"mode": {"set"}, "amount": {"12"}, "reason": {"Morning bake"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting stock: %d", r.StatusCode)
	}
	if body := admText(staff.Get(t, page)); !strings.Contains(body, "Mistaken Muffin has never been ordered, so it can be deleted for good") {
		t.Fatal("the product page does not offer to delete a product never ordered")
	}

	// Without the box ticked nothing happens, and the page says what to do.
	r := admPost(t, staff, page, page+"/delete", url.Values{})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admText(r), "Tick the box to confirm that Mistaken Muffin is to be deleted for good.") {
		t.Fatalf("deleting unconfirmed: %d\n%s", r.StatusCode, r.Body)
	}
	if n := admInt(t, c, "SELECT count(*) FROM products WHERE id = $1", id); n != 1 {
		t.Fatal("deleted without confirmation")
	}

	r = admPost(t, staff, page, page+"/delete", url.Values{"confirm": {"on"}})
	if msg := admFlash(t, staff, r); msg != "“Mistaken Muffin” is deleted." {
		t.Fatalf("deleting: flash %q", msg)
	}
	if r := staff.Get(t, page); r.StatusCode != http.StatusNotFound {
		t.Errorf("the deleted product's page: %d, want 404", r.StatusCode)
	}
	if n := admInt(t, c, "SELECT count(*) FROM stock_movements WHERE product_id = $1", id); n != 0 {
		t.Errorf("%d ledger rows of the deleted product are left", n)
	}
	if admListed(t, staff, "/admin/products", id) || admListed(t, staff, "/admin/products?archived=1", id) {
		t.Error("the deleted product is still listed")
	}
}

func TestCategoriesAreDeletedOnlyWhenEmptyAndThePageSaysWhatIsInTheWay(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	owner, _ := admSignIn(t, c, "owner@example.com", staffauth.RoleOwner)
	cat := admNewCategory(t, c, owner, "Christmas")
	pudding := admNewProduct(t, owner, "Christmas Pudding", cat, false)
	stollen := admNewProduct(t, owner, "Stollen", cat, true)
	page := fmt.Sprintf("/admin/products/%d", stollen)
	if r := admPost(t, owner, page, page+"/archive", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("archiving: %d", r.StatusCode)
	}
	if body := admText(owner.Get(t, "/admin/categories")); !strings.Contains(body, "1 hidden, 1 archived") {
		t.Error("the category list does not say what is in the category")
	}

	del := fmt.Sprintf("/admin/categories/%d/delete", cat)
	r := admPost(t, owner, "/admin/categories", del, url.Values{})
	want := "“Christmas” cannot be deleted yet. 2 products are in this category: Christmas Pudding and Stollen (archived). Move them to another category first"
	if r.StatusCode != http.StatusConflict || !strings.Contains(admText(r), want) || !strings.Contains(admText(r), "Archived products count too") {
		t.Fatalf("deleting a category with products: %d, want 409 saying %q\n%s", r.StatusCode, want, r.Body)
	}

	// Both never ordered: deleting them empties the category.
	for _, id := range []int64{pudding, stollen} {
		p := fmt.Sprintf("/admin/products/%d", id)
		if r := admPost(t, owner, p, p+"/delete", url.Values{"confirm": {"on"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("deleting product %d: %d\n%s", id, r.StatusCode, r.Body)
		}
	}
	r = admPost(t, owner, "/admin/categories", del, url.Values{})
	if msg := admFlash(t, owner, r); msg != "Category “Christmas” deleted." {
		t.Fatalf("deleting the empty category: flash %q", msg)
	}
	if n := admInt(t, c, "SELECT count(*) FROM categories WHERE id = $1", cat); n != 0 {
		t.Fatal("the category is still there")
	}
	if r := admPost(t, owner, "/admin/categories", del, url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404", r.StatusCode)
	}
}

// admCategoryOrder is the order the shop's category menu lists them in.
func admCategoryOrder(t *testing.T, c *apptest.Cluster) []string {
	t.Helper()
	body := c.Client().Get(t, "/").Body
	sel := body[strings.Index(body, `<select id="category"`):]
	sel = sel[:strings.Index(sel, "</select>")]
	var names []string
	for _, m := range regexp.MustCompile(`<option value="[a-z0-9-]+"[^>]*>([^<(]+) \(`).FindAllStringSubmatch(sel, -1) {
		names = append(names, m[1])
	}
	return names
}

func TestCategoriesAreReorderedAndTheShopFollows(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	before := admCategoryOrder(t, c)
	if len(before) < 3 {
		t.Fatalf("the demo shop's menu has %v", before)
	}
	last := admInt(t, c, "SELECT id FROM categories WHERE name = $1", before[len(before)-1])
	first := admInt(t, c, "SELECT id FROM categories WHERE name = $1", before[0])
	move := func(id int64, dir string) *apptest.Response {
		return admPost(t, staff, "/admin/categories", fmt.Sprintf("/admin/categories/%d/move", id), url.Values{"direction": {dir}})
	}
	for range len(before) - 1 {
		if r := move(last, "up"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("moving up: %d\n%s", r.StatusCode, r.Body)
		}
	}
	after := admCategoryOrder(t, c)
	want := append([]string{before[len(before)-1]}, before[:len(before)-1]...)
	if strings.Join(after, "|") != strings.Join(want, "|") {
		t.Fatalf("after moving the last category to the top the shop lists %v, want %v", after, want)
	}
	// At the top there is no Up button, and a stale one changes nothing.
	page := admText(staff.Get(t, "/admin/categories"))
	if strings.Contains(page, "move "+want[0]+" up") || !strings.Contains(page, "move "+want[0]+" down") {
		t.Error("the first category offers to move up, or not down")
	}
	if msg := admFlash(t, staff, move(last, "up")); msg != "“"+want[0]+"” is already first." {
		t.Errorf("moving the first up: flash %q", msg)
	}
	if msg := admFlash(t, staff, move(first, "down")); msg != "“"+before[0]+"” moved down." {
		t.Errorf("moving down: flash %q", msg)
	}
	want[1], want[2] = want[2], want[1]
	if got := admCategoryOrder(t, c); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after moving down the shop lists %v, want %v", got, want)
	}
	if r := move(first, "sideways"); r.StatusCode != http.StatusBadRequest || !strings.Contains(admText(r), "Choose whether to move the category up or down.") {
		t.Errorf("a direction that is none: %d", r.StatusCode)
	}
	if r := move(999999, "up"); r.StatusCode != http.StatusNotFound {
		t.Errorf("moving a category that does not exist: %d, want 404", r.StatusCode)
	}
}

// Deleting a product while customers are checking out with it: either the
// deletion wins and nobody gets it, or an order wins and the deletion is
// refused; never an error page, never an order line without its product.
func TestDeletingAProductWhileItIsBeingOrdered(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	cat := admInt(t, c, "SELECT min(id) FROM categories")
	id := admNewProduct(t, staff, "Last-Minute Bun", cat, true)
	page := fmt.Sprintf("/admin/products/%d", id)
	if r := admPost(t, staff, page, page+"/stock", url.Values{"mode": {"set"}, "amount": {"50"}, "reason": {"Baked"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting stock: %d", r.StatusCode)
	}
	slot := slotSoon(t, c, 20)
	const shoppers = 6
	forms := make([]url.Values, shoppers)
	ss := make([]*shopper, shoppers)
	for i := range shoppers {
		ss[i] = newShopper(t, c)
		ss[i].add(id, "1")
		forms[i] = ss[i].checkoutForm(slot)
		forms[i].Set("email", fmt.Sprintf("bun%d@example.com", i))
	}
	deleteForm := url.Values{"confirm": {"on"}, "csrf_token": {staff.Token(t, page)}}

	var wg sync.WaitGroup
	statuses := make([]int, shoppers)
	var deleted int
	start := make(chan struct{})
	for i := range shoppers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := ss[i].c.TryPostForm("/checkout", forms[i])
			if err != nil {
				t.Errorf("checkout %d: %v", i, err)
				return
			}
			statuses[i] = r.StatusCode
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		r, err := staff.TryPostForm(page+"/delete", deleteForm)
		if err != nil {
			t.Errorf("delete: %v", err)
			return
		}
		deleted = r.StatusCode
	}()
	close(start)
	wg.Wait()

	ordered := 0
	for i, st := range statuses {
		switch {
		case st == http.StatusSeeOther:
			ordered++
		case st >= 500:
			t.Errorf("checkout %d: %d", i, st)
		}
	}
	lines := admInt(t, c, "SELECT count(*) FROM order_lines WHERE product_id = $1", id)
	exists := admInt(t, c, "SELECT count(*) FROM products WHERE id = $1", id) == 1
	t.Logf("delete: %d; checkouts: %v", deleted, statuses)
	switch deleted {
	case http.StatusSeeOther:
		if exists || lines != 0 || ordered != 0 {
			t.Errorf("deleted, yet the product exists (%v) or %d orders (%d lines) have it", exists, ordered, lines)
		}
	case http.StatusConflict:
		if !exists || ordered == 0 || lines != int64(ordered) {
			t.Errorf("refused, yet exists=%v with %d orders and %d lines", exists, ordered, lines)
		}
	default:
		t.Errorf("delete: %d, want 303 or 409", deleted)
	}
}
