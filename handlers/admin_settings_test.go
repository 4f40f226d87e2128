package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// settingsVersion is the version the settings page's forms carry.
func settingsVersion(t *testing.T, owner *apptest.Client) string {
	t.Helper()
	return regexpFind(t, owner.Get(t, "/admin/settings").Body, `name="version" value="(\d+)"`)
}

// saveSettings posts one section of the settings page, as loaded now.
func saveSettings(t *testing.T, owner *apptest.Client, path string, form url.Values, headers ...string) *apptest.Response {
	t.Helper()
	form.Set("version", settingsVersion(t, owner))
	return owner.Submit(t, "/admin/settings", path, form, headers...)
}

func zoneID(t *testing.T, c *apptest.Cluster) int64 {
	t.Helper()
	return int64(count(t, c.Pool, "SELECT min(id) FROM delivery_zones"))
}

// A change saved on one node shows on the others at once, and a checkout
// on another node charges the new fee. The nodes' caches here would keep
// the old settings for an hour: only the notification can tell them.
func TestSettingsReachEveryNodeAtOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, SettingsTTL: time.Hour})
	owner := signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
	for _, n := range c.Nodes { // every node has the old settings cached
		if page := c.Client().Get(t, "/", onNode(n)...); !strings.Contains(page.Body, apptest.TestShopName) {
			t.Fatalf("%s does not show the shop's name", n.ID)
		}
	}
	r := saveSettings(t, owner, "/admin/settings/identity", url.Values{"name": {"Hilltop Farm Shop"}, "description": {"Eggs and more"}}, onNode(c.Nodes[0])...)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the name: %d\n%s", r.StatusCode, r.Body)
	}
	r = saveSettings(t, owner, fmt.Sprintf("/admin/settings/zones/%d", zoneID(t, c)), url.Values{
		"zone_name": {"Central"}, "zone_prefixes": {"BS1, BS6"}, "zone_fee": {"4.25"}, "zone_minimum": {"15.00"}}, onNode(c.Nodes[0])...)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the fee: %d\n%s", r.StatusCode, r.Body)
	}
	for _, n := range c.Nodes[1:] {
		pollUntil(t, liveWait, func() bool {
			return strings.Contains(c.Client().Get(t, "/delivery", onNode(n)...).Body, "£4.25")
		}, n.ID+" to show the new fee")
		if page := c.Client().Get(t, "/", onNode(n)...); !strings.Contains(page.Body, "Hilltop Farm Shop") {
			t.Fatalf("%s still shows the old name", n.ID)
		}
	}
	// A delivery order through node C pays the new fee.
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "farmhouse-salted-butter"), "5", onNode(c.Nodes[2])...)
	form := s.checkoutForm(0)
	form.Set("fulfilment", "delivery")
	form.Set("address", "1 Harbourside")
	form.Set("postcode", "BS1 4DJ")
	form.Set("delivery_slot_id", strconv.FormatInt(deliveryDaySoon(t, c, 5), 10))
	if r := s.placeOrder(form, onNode(c.Nodes[2])...); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the delivery order: %d", r.StatusCode)
	}
	if fee := count(t, c.Pool, "SELECT delivery_fee_minor FROM orders"); fee != 425 {
		t.Fatalf("the order paid a fee of %d, want 425", fee)
	}
	// Every change is on record: who, when, what.
	page := html.UnescapeString(owner.Get(t, "/admin/settings").Body)
	if !strings.Contains(page, "Name: “Test Bakery” → “Hilltop Farm Shop”") || !strings.Contains(page, "Central: fee: “350” → “425”") {
		t.Fatal("the settings page does not show what changed")
	}
}

func TestTheShopOpensOnceItIsSetUp(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Unconfigured: true})
	shopper := c.Client()
	for _, path := range []string{"/", "/products/white-sourdough-loaf", "/cart", "/checkout"} {
		r := shopper.Get(t, path)
		if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "Opening soon") || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s before the shop is set up: %d", path, r.StatusCode)
		}
	}
	if r := shopper.Get(t, "/robots.txt"); !strings.Contains(r.Body, "Disallow: /\n") {
		t.Fatalf("robots.txt lets search engines index an unopened shop:\n%s", r.Body)
	}
	owner := signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
	board := owner.Get(t, "/admin/orders").Body
	if !strings.Contains(board, "not open to customers yet") || !strings.Contains(board, "Give the shop its name") || !strings.Contains(board, "Add a pickup point") {
		t.Fatal("the staff area does not list what is missing")
	}
	saveSettings(t, owner, "/admin/settings/identity", url.Values{"name": {"Hilltop Farm Shop"}})
	if r := shopper.Get(t, "/"); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("open with a name but nowhere to collect: %d", r.StatusCode)
	}
	r := saveSettings(t, owner, "/admin/settings/points", url.Values{"point_name": {"The farm shop"}, "point_address": {"Hilltop Lane\nSomerset BA1 1AA"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a pickup point: %d\n%s", r.StatusCode, r.Body)
	}
	pollUntil(t, liveWait, func() bool { return shopper.Get(t, "/").StatusCode == http.StatusOK }, "the shop to open")
	home := shopper.Get(t, "/").Body
	if !strings.Contains(home, "Hilltop Farm Shop") || !strings.Contains(home, "Hilltop Lane") {
		t.Fatal("the open shop does not show its name and address")
	}
	if strings.Contains(owner.Get(t, "/admin/orders").Body, "not open to customers yet") {
		t.Fatal("the checklist is still shown once the shop is set up")
	}
}

// Two owners editing at once: the second is told, nothing of theirs is
// saved, and they see the first one's change.
func TestTwoOwnersEditingSettingsAtOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	alice := signedIn(t, c, "alice@example.com", staffauth.RoleOwner)
	bob := signedIn(t, c, "bob@example.com", staffauth.RoleOwner)
	version := settingsVersion(t, alice)
	if settingsVersion(t, bob) != version {
		t.Fatal("the two owners loaded different versions")
	}
	r := alice.Submit(t, "/admin/settings", "/admin/settings/identity", url.Values{"version": {version}, "name": {"Alice's Bakery"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the first save: %d", r.StatusCode)
	}
	r = bob.Submit(t, "/admin/settings", "/admin/settings/contact", url.Values{"version": {version}, "phone": {"0117 000 0000"}, "lead_minutes": {"60"}, "pickup_enabled": {"true"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "Another owner saved the settings") || !strings.Contains(html.UnescapeString(r.Body), "Alice's Bakery") {
		t.Fatalf("the second, stale save: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM shop_settings WHERE phone = '0117 000 0000'"); n != 0 {
		t.Fatal("the stale save was saved")
	}
}

// Each kind of bad input is refused with a message next to its field, and
// nothing is saved.
func TestBadSettingsAreRefusedAndNothingIsSaved(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	owner := signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
	// A second zone, to collide with.
	saveSettings(t, owner, "/admin/settings/zones", url.Values{"zone_name": {"North"}, "zone_prefixes": {"BS7"}, "zone_fee": {"5.00"}})
	before := count(t, c.Pool, "SELECT version FROM shop_settings")
	hours := url.Values{}
	for _, tc := range []struct {
		what, path string
		form       url.Values
		field      string
		message    string
	}{
		{"a light accent colour", "/admin/settings/identity", url.Values{"name": {"Test Bakery"}, "accent": {"#f5d90a"}}, "accent", "contrast of only"},
		{"no name", "/admin/settings/identity", url.Values{"name": {"  "}}, "name", "Give the shop its name"},
		{"an inverted range", "/admin/settings/hours", withValues(hours, "h-2-0-open", "13:00", "h-2-0-close", "08:00"), "hours-2", "ends before it starts"},
		{"overlapping ranges", "/admin/settings/hours", withValues(url.Values{}, "h-3-0-open", "08:00", "h-3-0-close", "13:00", "h-3-1-open", "12:00", "h-3-1-close", "16:00"), "hours-3", "overlaps"},
		{"a negative fee", fmt.Sprintf("/admin/settings/zones/%d", zoneID(t, c)), url.Values{"zone_name": {"Central"}, "zone_prefixes": {"BS1"}, "zone_fee": {"-1.00"}}, "zone_fee", "Give an amount"},
		{"a prefix of another zone", fmt.Sprintf("/admin/settings/zones/%d", zoneID(t, c)), url.Values{"zone_name": {"Central"}, "zone_prefixes": {"BS1, BS7"}, "zone_fee": {"3.50"}}, "zone_prefixes", "already in the zone “North”"},
		{"an over-long privacy notice", "/admin/settings/policies", url.Values{"privacy": {strings.Repeat("x", 20001)}, "retention_months": {"24"}}, "privacy", "at most 20000 characters"},
		{"a bad alert address", "/admin/settings/notifications", url.Values{"notify": {"orders@shop.example, nobody"}}, "notify", "not an email address"},
	} {
		r := saveSettings(t, owner, tc.path, tc.form)
		body := html.UnescapeString(r.Body)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.message) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: %d, want 422 saying %q next to %s", tc.what, r.StatusCode, tc.message, tc.field)
		}
	}
	// Not an image at all, as a logo.
	r := owner.Upload(t, "/admin/settings", "/admin/settings/logo", "logo", "logo.png", "image/png", []byte("not a picture"),
		url.Values{"version": {settingsVersion(t, owner)}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Errorf("a logo that is not an image: %d", r.StatusCode)
	}
	if after := count(t, c.Pool, "SELECT version FROM shop_settings"); after != before {
		t.Fatalf("the settings' version went from %d to %d: something was saved", before, after)
	}
}

func withValues(v url.Values, pairs ...string) url.Values {
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

func TestSearchEnginesAndLinkPreviewsSeeTheShop(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	shopper := c.Client()
	robots := shopper.Get(t, "/robots.txt").Body
	if !strings.Contains(robots, "Disallow: /admin") || !strings.Contains(robots, "Sitemap: "+c.URL+"/sitemap.xml") {
		t.Fatalf("robots.txt:\n%s", robots)
	}
	sitemap := shopper.Get(t, "/sitemap.xml")
	if !strings.Contains(sitemap.Header.Get("Content-Type"), "xml") || !strings.Contains(sitemap.Body, c.URL+"/products/white-sourdough-loaf") ||
		!strings.Contains(sitemap.Body, c.URL+"/visit") {
		t.Fatalf("sitemap.xml:\n%s", sitemap.Body)
	}
	home := shopper.Get(t, "/").Body
	if !strings.Contains(home, `<meta name="description" content="Bread and cakes, baked for tests.">`) || !strings.Contains(home, `property="og:site_name" content="Test Bakery"`) {
		t.Fatal("the home page lacks the shop's description and Open Graph tags")
	}
	product := shopper.Get(t, "/products/white-sourdough-loaf").Body
	if !strings.Contains(product, `property="og:image" content="`+c.URL+`/images/`) {
		t.Fatal("a product page's preview image is not the product's")
	}
	footer := shopper.Get(t, "/visit").Body
	for _, want := range []string{apptest.TestPointName, "1 Test Street", "Ring the bell at the side door.", "0117 496 0123", "Tuesday", "08:00–16:00"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the Visit us page lacks %q", want)
		}
	}
}
