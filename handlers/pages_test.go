package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/catalogue"
	"shopfront/config"
	"shopfront/handlers"
	"shopfront/staffauth"
)

// sitePage is one page of the shop, as someone opens it.
type sitePage struct {
	Path   string
	Status int  // the status it answers with
	Staff  bool // opened by the signed-in owner, who also has a cart and an order
}

// site is a demo shop with everything every page needs to show something:
// an order, a cart, an invitation, a reset link, mail in the development
// mailbox, and two visitors: one with nothing, one who is the owner with
// a cart and an order.
type site struct {
	Cluster   *apptest.Cluster
	Anonymous *apptest.Client
	Owner     *apptest.Client
	Pages     []sitePage
}

// newSite sets the shop up and lists every page, customer and staff, each
// GET route of the route table at least once (the test fails when a new
// route is missing from the list).
func newSite(t *testing.T) *site {
	t.Helper()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Configure: func(cfg *config.Config) {
		cfg.Env, cfg.SMTPURLSet = config.Development, false // the development mailbox is a page too
	}})
	slot := slotSoon(t, c, 5)
	placed := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)

	apptest.CreateStaff(t, c.Pool, "owner@example.com", staffauth.RoleOwner)
	owner := c.Client()
	owner.SignIn(t, "owner@example.com", apptest.StaffPassword)
	// The owner shops too: an order of their own (for "Your orders"), and
	// something in the cart for the cart and checkout pages.
	s := &shopper{t: t, c: owner}
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "1")
	form := s.checkoutForm(slot)
	form.Set("email", "owner.shopping@example.com")
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner's order: %d\n%s", r.StatusCode, r.Body)
	}
	s.add(productID(t, c.Pool, "all-butter-croissant"), "2")
	s.add(productID(t, c.Pool, "duck-eggs"), "1")

	now := time.Now()
	invite, err := staffauth.InviteLink(t.Context(), c.Pool, staffauth.Invitation{Email: "new.baker@example.com", Role: staffauth.RoleStaff, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	apptest.CreateStaff(t, c.Pool, "forgetful@example.com", staffauth.RoleStaff)
	reset, err := staffauth.ResetLink(t.Context(), c.Pool, "forgetful@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	var mailID int64
	pollUntil(t, mailWait, func() bool {
		return c.Pool.QueryRow(t.Context(), "SELECT id FROM dev_mail ORDER BY id LIMIT 1").Scan(&mailID) == nil
	}, "a message in the development mailbox")
	// An archived product, for its page and the archived list.
	archived := productID(t, c.Pool, "cold-pressed-rapeseed-oil")
	if _, err := catalogue.Archive(t.Context(), c.Pool, archived, now); err != nil {
		t.Fatal(err)
	}
	var category string
	if err := c.Pool.QueryRow(t.Context(), "SELECT slug FROM categories ORDER BY position, id LIMIT 1").Scan(&category); err != nil {
		t.Fatal(err)
	}

	// The third page by its "Next page" link from the second: keyset
	// links, with First and Previous as well.
	var endOfSecondPage int64
	if err := c.Pool.QueryRow(t.Context(), "SELECT id FROM products WHERE active ORDER BY name, id OFFSET 23 LIMIT 1").Scan(&endOfSecondPage); err != nil {
		t.Fatal(err)
	}

	ok, staff := http.StatusOK, true
	pages := []sitePage{
		{Path: "/", Status: ok},
		{Path: "/?q=sourdough", Status: ok},
		{Path: "/?q=nothing+like+this", Status: ok},
		{Path: "/?category=" + category + "&sort=price", Status: ok},
		{Path: "/?page=2", Status: ok},
		{Path: fmt.Sprintf("/?after=%d&page=3", endOfSecondPage), Status: ok},
		{Path: "/products/white-sourdough-loaf", Status: ok},
		{Path: "/preferences", Status: ok},
		{Path: "/cart", Status: ok},
		{Path: "/visit", Status: ok},
		{Path: "/delivery", Status: ok},
		{Path: "/privacy", Status: ok},
		{Path: "/terms", Status: ok},
		{Path: "/orders/" + placed.Token, Status: ok},
		{Path: "/no-such-page", Status: http.StatusNotFound},
		{Path: "/admin/login", Status: ok},
		{Path: "/admin/forgot-password", Status: ok},
		{Path: "/admin/reset/" + reset, Status: ok},
		{Path: "/admin/invite/" + invite, Status: ok},

		{Path: "/cart", Status: ok, Staff: staff},
		{Path: "/checkout", Status: ok, Staff: staff},
		{Path: "/orders", Status: ok, Staff: staff},
		{Path: "/admin/account", Status: ok, Staff: staff},
		{Path: "/admin/orders", Status: ok, Staff: staff},
		{Path: "/admin/orders?page=2", Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/orders/%d", placed.ID), Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/orders/%d/cancel", placed.ID), Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/orders/%d/cancel-all?by=email", placed.ID), Status: ok, Staff: staff},
		{Path: "/admin/pick-list", Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/pick-list?slot=%d", slot), Status: ok, Staff: staff},
		{Path: "/admin/bake-list", Status: ok, Staff: staff},
		{Path: "/admin/restock", Status: ok, Staff: staff},
		{Path: "/admin/products", Status: ok, Staff: staff},
		{Path: "/admin/products?archived=1", Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/products/%d", archived), Status: ok, Staff: staff},
		{Path: "/admin/products?page=2", Status: ok, Staff: staff},
		{Path: "/admin/products/new", Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/admin/products/%d", productID(t, c.Pool, "white-sourdough-loaf")), Status: ok, Staff: staff},
		{Path: "/admin/categories", Status: ok, Staff: staff},
		{Path: "/admin/calendar", Status: ok, Staff: staff},
		{Path: "/admin/slots", Status: ok, Staff: staff},
		{Path: "/admin/staff", Status: ok, Staff: staff},
		{Path: "/admin/settings", Status: ok, Staff: staff},
		{Path: "/admin/settings?changes=2", Status: ok, Staff: staff},
		{Path: "/dev/mail", Status: ok, Staff: staff},
		{Path: fmt.Sprintf("/dev/mail/%d", mailID), Status: ok, Staff: staff},
	}

	// Every GET route that answers with a page is on the list.
	notPages := map[string]bool{
		"image": true, "static": true, "healthz": true, "readyz": true, "robots": true, "sitemap": true,
		"theme": true, "order.events": true, "admin.orders.events": true, "admin.orders.csv": true,
		"checkout.total": true, "dev.mail.html": true,
		"admin": true, // redirects to the orders board
	}
	for _, r := range handlers.GetRoutes(c.Nodes[0].App) {
		if notPages[r.Name] {
			continue
		}
		pattern := regexp.MustCompile("^" + regexp.MustCompile(`:[a-z]+`).ReplaceAllString(regexp.QuoteMeta(r.Path), `[^/?]+`) + `(\?.*)?$`)
		found := false
		for _, p := range pages {
			found = found || pattern.MatchString(p.Path)
		}
		if !found {
			t.Errorf("the route %s (%s) is on no list of pages to check; add it to newSite or to notPages", r.Name, r.Path)
		}
	}
	return &site{Cluster: c, Anonymous: c.Client(), Owner: owner, Pages: pages}
}

// client is who opens the page.
func (s *site) client(p sitePage) *apptest.Client {
	if p.Staff {
		return s.Owner
	}
	return s.Anonymous
}

func (p sitePage) String() string {
	if p.Staff {
		return p.Path + " (owner)"
	}
	return p.Path
}

// An invalid page, as the shop's pages were before: the checker must find
// its errors, or the test below would pass whatever the pages hold.
const invalidPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>` +
	`<body><form hx-post="/cart/add"><button>Add</button></form></body></html>`

func TestEveryPageIsValidHTML(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	docs := map[string]string{"invalid example": invalidPage}
	for _, p := range s.Pages {
		r := s.client(p).Get(t, p.Path)
		if r.StatusCode != p.Status {
			t.Fatalf("%s: %d, want %d\n%s", p, r.StatusCode, p.Status, r.Body)
		}
		docs[p.String()] = r.Body
	}
	problems := apptest.CheckHTML(t, docs)
	if len(problems["invalid example"]) == 0 {
		t.Fatal("the HTML checker found nothing wrong with an invalid page: it is not checking")
	}
	delete(problems, "invalid example")
	for _, p := range s.Pages {
		if errs := problems[p.String()]; len(errs) > 0 {
			t.Errorf("%s has %d HTML errors:\n  %s", p, len(errs), strings.Join(errs, "\n  "))
		}
	}
}
