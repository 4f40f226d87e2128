package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/staffauth"
)

// browserSave submits one settings form by its button and waits for the
// settings page to come back.
func browserSave(t *testing.T, ctx context.Context, what, button string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browserMarkWindow(t, ctx)
	steps = append(steps, chromedp.Click(chromedp.CSS(button)))
	apptest.Do(t, ctx, what, steps...)
	browserWaitForPage(t, ctx, `location.pathname == "/admin/settings"`, "the settings after "+what)
	if got := browserText(t, ctx, "#flash"); !strings.Contains(got, "saved") && !strings.Contains(got, "is on") {
		t.Fatalf("after %s the page says %q", what, got)
	}
}

// An owner sets up a shop from nothing; a customer then finds its name,
// logo, address, hours and delivery in the footer, the checkout and the
// order page.
func TestBrowserOwnerSetsUpTheShopAndCustomersSeeIt(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Unconfigured: true})
	apptest.CreateStaff(t, c.Pool, "owner@example.com", staffauth.RoleOwner)
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, admPNG(t, 400, 200), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := apptest.NewBrowser(t)
	browserSignIn(t, ctx, c, "owner@example.com")
	apptest.Do(t, ctx, "opening the settings", chromedp.Navigate(c.URL+"/admin/settings"))
	browserWaitForPage(t, ctx, `document.getElementById("identity")`, "/admin/settings")

	browserSave(t, ctx, "naming the shop", `#identity form[action$="/identity"] button[type="submit"]`,
		typeIntoField("#name", "Hilltop Farm Shop"), typeIntoField("#description", "Eggs, cheese and bread from the farm."))
	browserSave(t, ctx, "uploading the logo", `#identity form[action$="/logo"] button[type="submit"]:not([name])`,
		chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}))
	browserSave(t, ctx, "adding the pickup point", `form[aria-label="Add a pickup point"] button[type="submit"]`,
		typeIntoField("#point-new-name", "The farm shop"),
		typeIntoField("#point-new-address", "Hilltop Lane\nSomerset BA1 1AA"),
		typeIntoField("#point-new-instructions", "Park by the barn."))
	day := int(time.Now().In(c.Nodes[0].Config.Location).Weekday())
	open, closes := "#"+hourID(day, "open"), "#"+hourID(day, "close")
	browserSave(t, ctx, "setting today's hours", `#where form[action$="/hours"] button[type="submit"]`,
		chromedp.SetValue(chromedp.CSS(open), "08:00"), chromedp.SetValue(chromedp.CSS(closes), "18:00"))
	browserSave(t, ctx, "adding a delivery zone", `form[aria-label="Add a delivery zone"] button[type="submit"]`,
		typeIntoField("#zone-new-name", "Village"), typeIntoField("#zone-new-prefixes", "BA1"),
		typeIntoField("#zone-new-fee", "2.50"), typeIntoField("#zone-new-free", "40.00"))
	browserSave(t, ctx, "turning delivery on", `#delivery form[action$="/delivery"] button[type="submit"]`)

	// A customer.
	slot := slotSoon(t, c, 5)
	shopper := apptest.NewBrowser(t)
	pollUntil(t, liveWait, func() bool { return c.Client().Get(t, "/").StatusCode == 200 }, "the shop to open")
	browserOpen(t, shopper, c.URL+catalogueNewestFirst, true)
	footer := browserText(t, shopper, "footer")
	for _, want := range []string{"Hilltop Farm Shop", "Hilltop Lane", "Open today 08:00–18:00", "Visit us", "Delivery", "Privacy"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the footer lacks %q: %s", want, footer)
		}
	}
	if alt := apptest.Eval[string](t, shopper, `document.querySelector(".brand img")?.alt ?? ""`); alt != "Hilltop Farm Shop" {
		t.Errorf("the header's logo has alt %q", alt)
	}
	loaf := browserProductID(t, c.Pool, loafSlug)
	apptest.Do(t, shopper, "adding a loaf", chromedp.Click(chromedp.CSS(addToCartButton(loaf))))
	browserWaitForCartCount(t, shopper, 1)
	browserOpen(t, shopper, c.URL+"/checkout", true)
	checkout := browserText(t, shopper, "#fulfilment")
	for _, want := range []string{"The farm shop", "Hilltop Lane", "Park by the barn.", "BA1: £2.50, free over £40.00"} {
		if !strings.Contains(checkout, want) {
			t.Errorf("the checkout lacks %q: %s", want, checkout)
		}
	}
	// The grand total follows the option chosen.
	apptest.Do(t, shopper, "choosing delivery", chromedp.Click(chromedp.CSS("#fulfilment-delivery")), typeIntoField("#postcode", "BA1 1AA"))
	apptest.WaitFor(t, shopper, browserWait, `document.getElementById("checkout-totals").textContent.includes("Village")`, "the delivery fee to show")
	apptest.Do(t, shopper, "choosing pickup", chromedp.Click(chromedp.CSS("#fulfilment-pickup")))
	apptest.WaitFor(t, shopper, browserWait, `document.getElementById("checkout-totals").textContent.includes("Pickup")`, "the pickup total to show")
	browserFillCheckout(t, shopper, "Ada Lovelace", slot)
	apptest.Do(t, shopper, "placing the order", chromedp.Click(chromedp.CSS(placeOrderButton)))
	browserWaitForPage(t, shopper, `location.pathname.startsWith("/orders/") && document.getElementById("order-status")`, "of the new order")
	if got := browserText(t, shopper, "#order-point"); !strings.Contains(got, "The farm shop") || !strings.Contains(got, "Park by the barn.") {
		t.Errorf("the order page's pickup point reads %q", got)
	}
}

func hourID(weekday int, end string) string {
	return "h-" + string(rune('0'+weekday)) + "-0-" + end
}
