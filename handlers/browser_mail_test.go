package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/config"
)

// TestBrowserFollowsTheConfirmationFromTheDevelopmentMailbox places an
// order in a development shop without a mail server, opens the mailbox
// and follows the link in the confirmation back to the order's page.
func TestBrowserFollowsTheConfirmationFromTheDevelopmentMailbox(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Configure: func(cfg *config.Config) {
		cfg.Env, cfg.SMTPURLSet = config.Development, false
	}})
	slot := browserSlotSoon(t, c.Pool)
	loaf := browserProductID(t, c.Pool, loafSlug)
	ctx := apptest.NewBrowser(t)

	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)
	apptest.Do(t, ctx, "adding a loaf", chromedp.Click(chromedp.CSS(addToCartButton(loaf))))
	browserWaitForCartCount(t, ctx, 1)
	browserOpen(t, ctx, c.URL+"/checkout", true)
	browserFillCheckout(t, ctx, "Ada Lovelace", slot)
	apptest.Do(t, ctx, "placing the order", chromedp.Click(chromedp.CSS(placeOrderButton)))
	browserWaitForPage(t, ctx, `location.pathname.startsWith("/orders/") && document.getElementById("order-status")`, "of the new order")
	orderPath := apptest.Eval[string](t, ctx, `location.pathname`)
	number := browserText(t, ctx, "#order-title")

	// The confirmation arrives in the mailbox once a job has sent it.
	confirmation := `[...document.querySelectorAll('#dev-mail th a')].find(a => a.textContent.includes("Your order"))`
	for deadline := time.Now().Add(mailWait); ; time.Sleep(200 * time.Millisecond) {
		browserOpen(t, ctx, c.URL+"/dev/mail", false)
		if apptest.Eval[bool](t, ctx, `!!`+confirmation) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the confirmation never reached the development mailbox")
		}
	}
	apptest.Eval[chromedp.Void](t, ctx, confirmation+`.click()`)
	browserWaitForPage(t, ctx, `document.getElementById("mail-links")`, "of the message")
	if subject := browserText(t, ctx, "h1"); !strings.Contains(subject, strings.TrimPrefix(number, "Order ")) {
		t.Fatalf("the first message is %q, want the confirmation of %s", subject, number)
	}
	apptest.Do(t, ctx, "following the order link in the email",
		chromedp.Click(chromedp.CSS(`#mail-links a[href*="/orders/"]`)))
	browserWaitForPage(t, ctx, `location.pathname == `+jsQuote(orderPath)+` && document.getElementById("order-status")`, orderPath)
	if got := browserText(t, ctx, "#order-title"); got != number {
		t.Fatalf("the email's link leads to %q, want %q", got, number)
	}
}
