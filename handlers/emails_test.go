package handlers_test

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shopfront/apptest"
	"shopfront/config"
	"shopfront/shop"
	"shopfront/staffauth"
)

// csrfValue is a form's CSRF token, different on every page.
var csrfValue = regexp.MustCompile(`(name="csrf_token" value="[^"]*"|X-CSRF-Token&#34;:&#34;[^&]*)`)

// mailWait is how long a test waits for an email: River's scheduler moves a
// retried job back to the queue only every few seconds.
const mailWait = 60 * time.Second

type placedOrder struct {
	ID, Number int64
	Token      string
	Email      string
}

// orderOf reads back the order that the customer with this email placed.
func orderOf(t *testing.T, c *apptest.Cluster, email string) placedOrder {
	t.Helper()
	o := placedOrder{Email: email}
	err := c.Pool.QueryRow(t.Context(), "SELECT id, number, token FROM orders WHERE customer_email = $1", email).Scan(&o.ID, &o.Number, &o.Token)
	if err != nil {
		t.Fatalf("the order of %s: %v", email, err)
	}
	return o
}

// orderAs places an order for a loaf and a croissant as a customer would.
func orderAs(t *testing.T, c *apptest.Cluster, name, email string, slot int64) placedOrder {
	t.Helper()
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "2")
	s.add(productID(t, c.Pool, "all-butter-croissant"), "1")
	form := s.checkoutForm(slot)
	form.Set("name", name)
	form.Set("email", email)
	if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing an order: %d\n%s", r.StatusCode, r.Body)
	}
	return orderOf(t, c, email)
}

func TestAnOrderSendsOneConfirmationAndOneAlertHoweverOftenItIsSubmitted(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "white-sourdough-loaf"), "2")
	form := s.checkoutForm(slot)
	form.Set("email", "ada@example.com")

	// The same form, twenty times at once, over every node.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if r := s.placeOrder(form); r.StatusCode != http.StatusSeeOther {
				t.Errorf("submission: %d", r.StatusCode)
			}
		})
	}
	wg.Wait()
	o := orderOf(t, c, "ada@example.com")

	confirmation := c.Mail.WaitFor(t, 1, mailWait, "the confirmation", apptest.To("ada@example.com"))[0]
	alert := c.Mail.WaitFor(t, 1, mailWait, "the shop's alert", apptest.To(apptest.ShopInbox))[0]
	// Both are in; wait until nothing else is pending, then count.
	waitForNoPendingEmails(t, c)
	if n := len(c.Mail.Matching(apptest.To("ada@example.com"))); n != 1 {
		t.Fatalf("the customer got %d emails, want one confirmation", n)
	}
	if n := len(c.Mail.Matching(apptest.To(apptest.ShopInbox))); n != 1 {
		t.Fatalf("the shop got %d alerts, want one", n)
	}

	number := shop.OrderNumber(o.Number)
	if !strings.Contains(confirmation.Subject, number) || !strings.Contains(confirmation.Header.Get("From"), "Test Bakery") ||
		confirmation.MessageID != fmt.Sprintf("order-%d.order_confirmation@bakery.test", o.Number) {
		t.Fatalf("confirmation %q from %q, Message-ID %q", confirmation.Subject, confirmation.Header.Get("From"), confirmation.MessageID)
	}
	for _, want := range []string{"Ada Lovelace", "White Sourdough Loaf", "Total", "Collection:", "GMT", "when you collect", "Reply to this email"} {
		if !strings.Contains(confirmation.Text, want) {
			t.Errorf("the confirmation's text lacks %q:\n%s", want, confirmation.Text)
		}
		if !strings.Contains(html.UnescapeString(confirmation.HTML), want) {
			t.Errorf("the confirmation's HTML lacks %q", want)
		}
	}
	if !strings.Contains(confirmation.Text, "2 × White Sourdough Loaf") {
		t.Errorf("the confirmation's text does not say how many loaves:\n%s", confirmation.Text)
	}
	if strings.Contains(confirmation.HTML, "<img") || strings.Contains(confirmation.HTML, "stylesheet") {
		t.Error("the confirmation depends on images or a stylesheet")
	}
	// Its link leads to the order page, from BASE_URL.
	link := apptest.LinkIn(t, confirmation, "/orders/")
	if link != c.URL+"/orders/"+o.Token {
		t.Fatalf("the confirmation links to %s", link)
	}
	if page := c.Client().Get(t, link); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Order "+number) {
		t.Fatalf("following the confirmation's link: %d", page.StatusCode)
	}
	for _, want := range []string{"New order " + number, "0117 496 0000"} {
		if !strings.Contains(alert.Subject+alert.Text, want) {
			t.Errorf("the alert lacks %q:\n%s\n%s", want, alert.Subject, alert.Text)
		}
	}
	if l := apptest.LinkIn(t, alert, "/admin/orders/"); l != fmt.Sprintf("%s/admin/orders/%d", c.URL, o.ID) {
		t.Errorf("the alert links to %s", l)
	}
}

// waitForNoPendingEmails waits until no email is waiting to be sent.
func waitForNoPendingEmails(t *testing.T, c *apptest.Cluster) {
	t.Helper()
	pollUntil(t, mailWait, func() bool {
		return count(t, c.Pool, "SELECT count(*) FROM emails WHERE status = 'pending'") == 0
	}, "every email to be sent")
}

func TestACheckoutThatFailsSendsNothing(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	s := newShopper(t, c)
	s.add(loaf, "2")
	form := s.checkoutForm(slot)
	exec(t, c.Pool, "UPDATE products SET stock = 1 WHERE id = $1", loaf) // sold out meanwhile
	if r := s.placeOrder(form); r.StatusCode != http.StatusConflict {
		t.Fatalf("checkout of a sold-out loaf: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM emails"); n != 0 {
		t.Fatalf("%d emails recorded for an order that was never placed", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM river_job WHERE kind = 'send_email'"); n != 0 {
		t.Fatalf("%d email jobs queued for an order that was never placed", n)
	}
}

func TestStatusEmailsAreSentOnceWhenTwoStaffClickAtOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	o := orderAs(t, c, "Grace Hopper", "grace@example.com", slot)
	pat := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	sam := signedIn(t, c, "sam@example.com", staffauth.RoleStaff)

	both := func(form url.Values) {
		var wg sync.WaitGroup
		for _, cl := range []*apptest.Client{pat, sam} {
			wg.Go(func() {
				r := cl.Submit(t, "/admin/orders", fmt.Sprintf("/admin/orders/%d/status", o.ID), form)
				if r.StatusCode != http.StatusSeeOther {
					t.Errorf("status change: %d", r.StatusCode)
				}
			})
		}
		wg.Wait()
	}
	both(url.Values{"from": {"placed"}, "to": {"ready"}, "return_to": {"/admin/orders"}})
	ready := c.Mail.WaitFor(t, 1, mailWait, "the ready email", apptest.SubjectHas(o.Email, "ready to collect"))[0]
	if !strings.Contains(ready.Text, "Collect it") || !strings.Contains(ready.Text, "GMT") {
		t.Errorf("the ready email does not say when to collect:\n%s", ready.Text)
	}

	both(url.Values{"from": {"ready"}, "to": {"cancelled"}, "reason": {"other"}, "reason_other": {"The oven broke down"}, "return_to": {"/admin/orders"}})
	cancelled := c.Mail.WaitFor(t, 1, mailWait, "the cancellation", apptest.SubjectHas(o.Email, "cancelled"))[0]
	for _, want := range []string{"The oven broke down", "nothing is due", "back on our shelves"} {
		if !strings.Contains(cancelled.Text, want) {
			t.Errorf("the cancellation lacks %q:\n%s", want, cancelled.Text)
		}
	}
	waitForNoPendingEmails(t, c)
	if n := len(c.Mail.Matching(apptest.To(o.Email))); n != 3 {
		t.Fatalf("the customer got %d emails, want 3 (confirmation, ready, cancelled)", n)
	}
	// The reason is in the order's history too.
	if page := pat.Get(t, fmt.Sprintf("/admin/orders/%d", o.ID)); !strings.Contains(page.Body, "The oven broke down") {
		t.Error("the order's history does not give the reason")
	}
}

func TestCancellingAsksForAReasonFirst(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	o := orderAs(t, c, "Grace Hopper", "grace@example.com", slot)
	pat := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)

	board := pat.Get(t, "/admin/orders")
	step := fmt.Sprintf(`href="/admin/orders/%d/cancel?`, o.ID)
	if !strings.Contains(board.Body, step) {
		t.Fatal("the board's cancel button does not lead to the confirmation step")
	}
	page := pat.Get(t, fmt.Sprintf("/admin/orders/%d/cancel?from=placed&return_to=/admin/orders", o.ID))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, shop.CancelReasons[0]) || !strings.Contains(page.Body, "Keep the order") {
		t.Fatalf("the confirmation step: %d", page.StatusCode)
	}
	// No reason, or "other" with nothing typed: nothing changes.
	for _, form := range []url.Values{
		{"from": {"placed"}, "to": {"cancelled"}},
		{"from": {"placed"}, "to": {"cancelled"}, "reason": {"other"}, "reason_other": {"   "}},
	} {
		r := pat.Submit(t, "/admin/orders", fmt.Sprintf("/admin/orders/%d/status", o.ID), form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "aria-invalid") {
			t.Fatalf("cancelling without a reason: %d", r.StatusCode)
		}
	}
	if st := count(t, c.Pool, "SELECT count(*) FROM orders WHERE id = $1 AND status = 'placed'", o.ID); st != 1 {
		t.Fatal("an order was cancelled without a reason")
	}
	r := pat.Submit(t, "/admin/orders", fmt.Sprintf("/admin/orders/%d/status", o.ID),
		url.Values{"from": {"placed"}, "to": {"cancelled"}, "reason": {shop.CancelReasons[1]}, "return_to": {"/admin/orders"}})
	if r.StatusCode != http.StatusSeeOther || count(t, c.Pool, "SELECT count(*) FROM order_events WHERE order_id = $1 AND reason = $2", o.ID, shop.CancelReasons[1]) != 1 {
		t.Fatalf("cancelling with a reason: %d", r.StatusCode)
	}
	// A cancelled order has no cancellation step any more.
	if r := pat.Get(t, fmt.Sprintf("/admin/orders/%d/cancel", o.ID)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the cancellation step of a cancelled order: %d", r.StatusCode)
	}
}

func TestTemporaryMailFailuresAreRetriedAndRefusalsShownToStaff(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)

	// 421 twice for this customer, then accepted.
	var mu sync.Mutex
	busy := 0
	c.Mail.Refuse(func(rcpt string) *smtp.SMTPError {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case rcpt == "busy@example.com" && busy < 2:
			busy++
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		case rcpt == "gone@example.com":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
		}
		return nil
	})
	retried := orderAs(t, c, "Busy Bee", "busy@example.com", slot)
	refused := orderAs(t, c, "Gone Away", "gone@example.com", slot)

	c.Mail.WaitFor(t, 1, mailWait, "the retried confirmation", apptest.To(retried.Email))
	// The shop's alerts go out whatever happens to the customers' emails.
	c.Mail.WaitFor(t, 2, mailWait, "both alerts", apptest.To(apptest.ShopInbox))
	waitForNoPendingEmails(t, c)
	if n := len(c.Mail.Matching(apptest.To(retried.Email))); n != 1 {
		t.Fatalf("%d confirmations delivered after two refusals, want 1", n)
	}
	if n := count(t, c.Pool, "SELECT attempts FROM emails WHERE order_id = $1 AND kind = 'order_confirmation'", retried.ID); n != 3 {
		t.Errorf("the retried email took %d attempts, want 3", n)
	}

	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	page := html.UnescapeString(staff.Get(t, fmt.Sprintf("/admin/orders/%d", refused.ID)).Body)
	if !strings.Contains(page, "Failed:") || !strings.Contains(page, "no such mailbox") {
		t.Fatal("the refused email is not shown as failed on the order")
	}
	if board := html.UnescapeString(staff.Get(t, "/admin/orders").Body); !strings.Contains(board, "Emails that could not be sent") ||
		!strings.Contains(board, "gone@example.com") {
		t.Fatal("the board does not mention the email that failed")
	}

	// The mailbox is fixed; staff send it again.
	c.Mail.Refuse(nil)
	var emailID int64
	_ = c.Pool.QueryRow(t.Context(), "SELECT id FROM emails WHERE order_id = $1 AND kind = 'order_confirmation'", refused.ID).Scan(&emailID)
	r := staff.Submit(t, fmt.Sprintf("/admin/orders/%d", refused.ID), fmt.Sprintf("/admin/orders/%d/emails/%d/resend", refused.ID, emailID), nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending again: %d", r.StatusCode)
	}
	again := c.Mail.WaitFor(t, 1, mailWait, "the resent confirmation", apptest.To(refused.Email))[0]
	if again.MessageID != fmt.Sprintf("order-%d.order_confirmation.1@bakery.test", refused.Number) {
		t.Errorf("the resent email's Message-ID is %q", again.MessageID)
	}
	waitForNoPendingEmails(t, c)
	if st := count(t, c.Pool, "SELECT count(*) FROM emails WHERE id = $1 AND status = 'sent'", emailID); st != 1 {
		t.Fatal("the resent email is not marked sent")
	}
}

// A mail server that takes the connection and never answers: checkout must
// not wait for it.
func TestCheckoutNeverWaitsForTheMailServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var held sync.WaitGroup
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			held.Go(func() { <-release; conn.Close() })
		}
	}()
	t.Cleanup(func() { ln.Close(); held.Wait() })
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Configure: func(cfg *config.Config) {
		cfg.SMTP.Host, cfg.SMTP.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	}})
	defer close(release)
	slot := slotSoon(t, c, 5)
	// If checkout waited for the mail server, this would never return:
	// the server answers nothing until the test ends.
	o := orderAs(t, c, "Ada Lovelace", "ada@example.com", slot)
	if page := c.Client().Get(t, "/orders/"+o.Token); page.StatusCode != http.StatusOK {
		t.Fatalf("the order page: %d", page.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM emails WHERE order_id = $1 AND status = 'pending'", o.ID); n != 2 {
		t.Fatalf("%d emails waiting, want the confirmation and the alert", n)
	}
}

func TestNoHeaderOrRecipientCanBeInjected(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 5)
	// A name with a line break and a header, and an address whose local
	// part would add a recipient to a mailto: link.
	tricky := "shop?bcc=spy@evil.example"
	o := orderAs(t, c, "Eve\r\nBcc: spy@evil.example", tricky, slot)
	m := c.Mail.WaitFor(t, 1, mailWait, "the confirmation", apptest.To(tricky))[0]
	headers, _, _ := strings.Cut(string(m.Raw), "\r\n\r\n")
	if len(m.To) != 1 || m.Header.Get("Bcc") != "" || strings.Contains(headers, "\nBcc:") {
		t.Fatalf("the message went to %v with headers %v", m.To, m.Header)
	}
	waitForNoPendingEmails(t, c)
	for _, msg := range c.Mail.Messages() {
		for _, r := range msg.To {
			if strings.Contains(r, "evil.example") && r != tricky {
				t.Fatalf("mail went to %s", r)
			}
		}
	}
	staff := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	page := staff.Get(t, fmt.Sprintf("/admin/orders/%d", o.ID))
	if !strings.Contains(page.Body, `href="mailto:shop%3Fbcc=spy@evil.example"`) {
		t.Fatalf("the staff page's mailto link lets the address add recipients:\n%s", page.Body[strings.Index(page.Body, "mailto:")-10:][:120])
	}
}

func TestPasswordResetEndsEverySessionAndWorksOnce(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	apptest.CreateStaff(t, c.Pool, "pat@example.com", staffauth.RoleStaff)
	laptop, tablet := c.Client(), c.Client()
	laptop.SignIn(t, "pat@example.com", apptest.StaffPassword)
	tablet.SignIn(t, "pat@example.com", apptest.StaffPassword)

	// The answer is the same for an account and for nobody.
	someone := c.Client()
	known := someone.Submit(t, "/admin/forgot-password", "/admin/forgot-password", url.Values{"email": {"Pat@Example.com"}})
	unknown := someone.Submit(t, "/admin/forgot-password", "/admin/forgot-password", url.Values{"email": {"nobody@example.com"}})
	same := func(body, email string) string {
		return csrfValue.ReplaceAllString(strings.ReplaceAll(body, email, "X"), "")
	}
	if known.StatusCode != http.StatusOK || unknown.StatusCode != http.StatusOK ||
		same(known.Body, "Pat@Example.com") != same(unknown.Body, "nobody@example.com") {
		a, b := same(known.Body, "Pat@Example.com"), same(unknown.Body, "nobody@example.com")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Logf("first difference: %q / %q", a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
				break
			}
		}
		t.Fatalf("the answers differ: %d / %d", known.StatusCode, unknown.StatusCode)
	}
	reset := c.Mail.WaitFor(t, 1, mailWait, "the reset email", apptest.To("pat@example.com"))[0]
	link := apptest.LinkIn(t, reset, "/admin/reset/")

	// A forged or truncated link changes nothing.
	other := "A"
	if strings.HasSuffix(link, "A") {
		other = "B"
	}
	for _, bad := range []string{link[:len(link)-1], link[:len(link)-1] + other, c.URL + "/admin/reset/" + strings.Repeat("x", 43)} {
		r := someone.Get(t, bad)
		if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "does not work") {
			t.Fatalf("a forged link %s: %d", bad, r.StatusCode)
		}
	}
	r := someone.Submit(t, link, link, url.Values{"password": {"a brand new password"}, "password_again": {"a brand new password"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resetting: %d %s", r.StatusCode, r.Body)
	}
	// Every session, on every node, is over; the new password works.
	for _, cl := range []*apptest.Client{laptop, tablet} {
		for range c.Nodes {
			if r := cl.Get(t, "/admin/orders"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("a session survived the reset: %d", r.StatusCode)
			}
		}
	}
	if r := c.Client().TrySignIn(t, "pat@example.com", apptest.StaffPassword); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the old password still works: %d", r.StatusCode)
	}
	c.Client().SignIn(t, "pat@example.com", "a brand new password")
	// The link worked once.
	r = someone.Submit(t, "/admin/forgot-password", link, url.Values{"password": {"yet another password"}, "password_again": {"yet another password"}})
	if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "already used") {
		t.Fatalf("using the link again: %d", r.StatusCode)
	}
	c.Client().SignIn(t, "pat@example.com", "a brand new password")
}

func TestResetLinksExpireAfterAnHour(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Now: clock})
	apptest.CreateStaff(t, c.Pool, "pat@example.com", staffauth.RoleStaff)
	someone := c.Client()
	someone.Submit(t, "/admin/forgot-password", "/admin/forgot-password", url.Values{"email": {"pat@example.com"}})
	link := apptest.LinkIn(t, c.Mail.WaitFor(t, 1, mailWait, "the reset email", apptest.To("pat@example.com"))[0], "/admin/reset/")

	mu.Lock()
	now = now.Add(staffauth.ResetValidFor + time.Second)
	mu.Unlock()
	if r := someone.Get(t, link); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "expired") {
		t.Fatalf("an expired link: %d", r.StatusCode)
	}
	r := someone.Submit(t, "/admin/forgot-password", link, url.Values{"password": {"a brand new password"}, "password_again": {"a brand new password"}})
	if r.StatusCode != http.StatusGone {
		t.Fatalf("resetting with an expired link: %d", r.StatusCode)
	}
	c.Client().SignIn(t, "pat@example.com", apptest.StaffPassword) // nothing changed
}
