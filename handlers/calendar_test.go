package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/jobs"
	"shopfront/shop"
	"shopfront/staffauth"
)

// Helpers for the calendar's tests: a clock the test moves, a shop's week
// set up through the staff area, and counts of what it made.

func at(day string, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, apptest.London)
	if err != nil {
		panic(err)
	}
	return t
}

// monday is the clock the calendar tests start from: Monday 7 December
// 2026, 10:00 in the shop's time zone; the horizon (14 days) runs to
// Sunday 20 December.
var monday = at("2026-12-07", "10:00")

// calendarShop is a cluster on the test clock with an owner signed in.
func calendarShop(t *testing.T, clock *clock) (*apptest.Cluster, *apptest.Client) {
	t.Helper()
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Now: clock.Now})
	return c, signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
}

// testPoint is the id of the test shop's pickup point.
func testPoint(t *testing.T, c *apptest.Cluster) string {
	t.Helper()
	return strconv.Itoa(count(t, c.Pool, "SELECT min(id) FROM pickup_points WHERE active"))
}

// window is the form of a schedule window: days as Go weekdays.
func window(point string, from, to string, every, capacity int, days ...time.Weekday) url.Values {
	v := url.Values{"pickup_point_id": {point}, "starts": {from}, "ends": {to}, "every": {strconv.Itoa(every)}, "capacity": {strconv.Itoa(capacity)}}
	for _, d := range days {
		v.Set("day-"+strconv.Itoa(int(d)), "true")
	}
	return v
}

var tueToSat = []time.Weekday{time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// addWindow adds a window through the calendar page and wants it saved.
func addWindow(t *testing.T, staff *apptest.Client, form url.Values) {
	t.Helper()
	if r := staff.Submit(t, "/admin/calendar", "/admin/calendar/rules", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the window: %d\n%s", r.StatusCode, r.Body)
	}
}

// slotsOn counts the pickup slots starting on a date, in the shop's zone.
func slotsOn(t *testing.T, c *apptest.Cluster, day string) int {
	t.Helper()
	return count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE (starts_at AT TIME ZONE 'Europe/London')::date = $1::date", day)
}

func slotAt(t *testing.T, c *apptest.Cluster, when time.Time) int64 {
	t.Helper()
	return int64(count(t, c.Pool, "SELECT id FROM pickup_slots WHERE starts_at = $1", when))
}

func TestAWeeklyScheduleMakesSlotsOnItsDaysAsFarAsTheHorizon(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, owner := calendarShop(t, clock)
	addWindow(t, owner, window(testPoint(t, c), "08:00", "13:00", 30, 6, tueToSat...))

	// Tue–Sat from 8 to 19 December: ten days of ten slots, 6 places each.
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots"); n != 100 {
		t.Fatalf("%d slots made, want 100 (10 days × 10)", n)
	}
	if n := count(t, c.Pool, `SELECT count(*) FROM pickup_slots
		WHERE extract(isodow FROM starts_at AT TIME ZONE 'Europe/London') IN (1, 7)`); n != 0 {
		t.Fatalf("%d slots on a Sunday or Monday", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE capacity <> 6 OR ends_at - starts_at <> interval '30 minutes'"); n != 0 {
		t.Fatalf("%d slots not of the window's length and capacity", n)
	}
	if n := slotsOn(t, c, "2026-12-19"); n != 10 {
		t.Fatalf("Saturday 19 December, the last day of the horizon: %d slots", n)
	}
	checkout := checkoutPage(t, c)
	if !strings.Contains(checkout, "Tuesday 8 December, 08:00–08:30") || strings.Contains(checkout, "Monday 14 December") {
		t.Fatal("the checkout does not offer the schedule's slots")
	}

	// Running it again changes nothing.
	before := count(t, c.Pool, "SELECT sum(id) FROM pickup_slots")
	res, err := jobs.MakeSlots(context.Background(), c.Pool, clock.Now(), apptest.London)
	if err != nil {
		t.Fatal(err)
	}
	if res.Made+res.Removed+res.Kept+res.Changed != 0 || count(t, c.Pool, "SELECT sum(id) FROM pickup_slots") != before {
		t.Fatalf("a second run changed something: %s", res)
	}

	// Two days later the horizon has moved on: Tuesday 22 December is made.
	clock.Set(monday.AddDate(0, 0, 2))
	if res, err = jobs.MakeSlots(context.Background(), c.Pool, clock.Now(), apptest.London); err != nil {
		t.Fatal(err)
	}
	if n := slotsOn(t, c, "2026-12-22"); n != 10 || res.Made != 10 {
		t.Fatalf("after two days: %d slots on 22 December, %d made; want 10", n, res.Made)
	}
	if n := slotsOn(t, c, "2026-12-08"); n != 10 {
		t.Fatalf("past slots were touched: %d left on 8 December", n)
	}
}

// checkoutPage is a customer's checkout with a loaf in the cart.
func checkoutPage(t *testing.T, c *apptest.Cluster) string {
	t.Helper()
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "all-butter-croissant"), "1")
	return html.UnescapeString(s.c.Get(t, "/checkout").Body)
}

// orderIn places an order for one croissant in a slot, as a customer.
func orderIn(t *testing.T, c *apptest.Cluster, slot int64, name string) {
	t.Helper()
	r := c.Client().PlaceOrder(t, apptest.Order{ProductID: productID(t, c.Pool, "all-butter-croissant"), SlotID: slot, Name: name})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ordering for slot %d: %d\n%s", slot, r.StatusCode, r.Body)
	}
}

func TestAClosureRemovesItsDaysAndListsTheOrdersOnThem(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, owner := calendarShop(t, clock)
	addWindow(t, owner, window(testPoint(t, c), "08:00", "13:00", 30, 6, tueToSat...))
	booked := slotAt(t, c, at("2026-12-10", "09:00"))
	orderIn(t, c, booked, "Booked Before")

	r := owner.Submit(t, "/admin/calendar", "/admin/calendar/closures",
		url.Values{"first_day": {"2026-12-10"}, "last_day": {"2026-12-11"}, "note": {"Closed for stocktaking"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the closure: %d\n%s", r.StatusCode, r.Body)
	}
	if a, b := slotsOn(t, c, "2026-12-10"), slotsOn(t, c, "2026-12-11"); a != 1 || b != 0 {
		t.Fatalf("after the closure: %d slots on the 10th (the booked one should stay), %d on the 11th", a, b)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE id = $1 AND closed AND booked = 1", booked); n != 1 {
		t.Fatal("the booked slot on a closed day is not kept, closed to new orders, with its booking")
	}
	page := html.UnescapeString(owner.Get(t, "/admin/calendar").Body)
	for _, want := range []string{"10–11 December: Closed for stocktaking", "1 order is booked for these days", "Booked Before", "Booked slots the schedule no longer has"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the calendar page lacks %q", want)
		}
	}
	checkout := checkoutPage(t, c)
	if strings.Contains(checkout, "Thursday 10 December") || strings.Contains(checkout, "Friday 11 December") || !strings.Contains(checkout, "Wednesday 9 December") {
		t.Fatal("the checkout offers closed days, or no open ones")
	}
	if home := html.UnescapeString(c.Client().Get(t, "/").Body); !strings.Contains(home, "Closed for stocktaking: 10–11 December.") {
		t.Fatal("the storefront does not show the closure's note")
	}

	// Opening the days again brings their slots back, the booked one open.
	id := count(t, c.Pool, "SELECT id FROM closures")
	if r := owner.Submit(t, "/admin/calendar", fmt.Sprintf("/admin/calendar/closures/%d/delete", id), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing the closure: %d", r.StatusCode)
	}
	if a, b := slotsOn(t, c, "2026-12-10"), slotsOn(t, c, "2026-12-11"); a != 10 || b != 10 {
		t.Fatalf("after the closure is lifted: %d and %d slots, want 10 each", a, b)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE id = $1 AND NOT closed AND booked = 1", booked); n != 1 {
		t.Fatal("the booked slot did not open again")
	}
}

func TestChangingTheScheduleKeepsBookedSlots(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, owner := calendarShop(t, clock)
	point := testPoint(t, c)
	addWindow(t, owner, window(point, "08:00", "13:00", 30, 6, tueToSat...))
	early := slotAt(t, c, at("2026-12-08", "08:00"))
	orderIn(t, c, early, "Early Bird")
	nine := slotAt(t, c, at("2026-12-09", "09:00"))
	for i := range 3 {
		orderIn(t, c, nine, fmt.Sprintf("Nine %d", i))
	}
	rule := strconv.Itoa(count(t, c.Pool, "SELECT id FROM schedule_rules"))

	// Less room than is booked: refused, nothing changed.
	form := window(point, "08:00", "13:00", 30, 2, tueToSat...)
	form.Set("replace", rule)
	r := owner.Submit(t, "/admin/calendar", "/admin/calendar/rules", form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), "already has 3 orders booked: its capacity cannot go below 3") {
		t.Fatalf("capacity below what is booked: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE capacity = 6"); n != 100 {
		t.Fatalf("a refused change changed slots: %d of 100 still at capacity 6", n)
	}
	if strconv.Itoa(count(t, c.Pool, "SELECT id FROM schedule_rules")) != rule {
		t.Fatal("a refused change replaced the window")
	}

	// The window now opens at 09:00: the 08:00 and 08:30 slots go, except
	// the booked one, which stays for staff.
	form = window(point, "09:00", "13:00", 30, 6, tueToSat...)
	form.Set("replace", rule)
	addWindow(t, owner, form)
	if n := slotsOn(t, c, "2026-12-10"); n != 8 {
		t.Fatalf("%d slots on an unbooked day, want 8 (09:00–13:00)", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots WHERE id = $1 AND booked = 1 AND closed", early); n != 1 {
		t.Fatal("the booked 08:00 slot was not kept (closed to new orders)")
	}
	if n := count(t, c.Pool, "SELECT booked FROM pickup_slots WHERE id = $1", nine); n != 3 {
		t.Fatalf("the 09:00 slot lost its bookings: %d", n)
	}
	page := html.UnescapeString(owner.Get(t, "/admin/calendar").Body)
	if !strings.Contains(page, "Tuesday 8 December, 08:00–08:30, The test bakery: 1 booked") {
		t.Fatal("the calendar does not list the booked slot that no longer fits")
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders WHERE status = 'placed'"); n != 4 {
		t.Fatalf("%d orders after the change, want all 4", n)
	}
}

func TestTheCalendarRefusesBadInputWithAClearMessage(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, owner := calendarShop(t, clock)
	point := testPoint(t, c)
	addWindow(t, owner, window(point, "08:00", "13:00", 30, 6, tueToSat...))
	slots := count(t, c.Pool, "SELECT count(*) FROM pickup_slots")
	version := func() string {
		return regexpFind(t, owner.Get(t, "/admin/calendar").Body, `name="version" value="(\d+)"`)
	}

	for _, tc := range []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"overlapping windows", "/admin/calendar/rules", window(point, "12:00", "14:00", 30, 6, time.Saturday), "overlaps the window Tue–Sat 08:00–13:00"},
		{"a window ending before it starts", "/admin/calendar/rules", window(point, "14:00", "12:00", 30, 6, time.Sunday), "before it starts"},
		{"no days", "/admin/calendar/rules", window(point, "14:00", "16:00", 30, 6), "Choose at least one day"},
		{"a horizon over the maximum", "/admin/calendar/ordering", url.Values{"horizon_days": {"91"}, "cutoff_kind": {"lead"}, "lead_minutes": {"30"}}, "1 to 90 days ahead"},
		{"a cut-off after the slot", "/admin/calendar/ordering", url.Values{"horizon_days": {"14"}, "cutoff_kind": {"before"}, "cutoff_days_before": {"0"}, "cutoff_time": {"10:00"}}, "would close after the slots"},
		{"a closure ending before it starts", "/admin/calendar/closures", url.Values{"first_day": {"2026-12-12"}, "last_day": {"2026-12-10"}, "note": {"Away"}}, "The last day is before the first"},
		{"a closure without a note", "/admin/calendar/closures", url.Values{"first_day": {"2026-12-12"}, "last_day": {"2026-12-12"}, "note": {" "}}, "Write the note customers see"},
	} {
		if tc.path == "/admin/calendar/ordering" {
			tc.form.Set("version", version())
		}
		r := owner.Submit(t, "/admin/calendar", tc.path, tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.Body), tc.want) {
			t.Errorf("%s: %d, want 422 with %q", tc.name, r.StatusCode, tc.want)
		}
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM pickup_slots"); n != slots {
		t.Fatalf("refused changes changed the slots: %d, was %d", n, slots)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM schedule_rules") + count(t, c.Pool, "SELECT count(*) FROM closures"); n != 1 {
		t.Fatalf("refused changes saved something: %d windows and closures", n)
	}
	if n := count(t, c.Pool, "SELECT horizon_days FROM shop_settings"); n != 14 {
		t.Fatalf("a refused horizon was saved: %d", n)
	}
	// Staff who are not owners may run the week but not the ordering rules.
	pat := signedIn(t, c, "pat@example.com", staffauth.RoleStaff)
	r := pat.Submit(t, "/admin/calendar", "/admin/calendar/ordering", url.Values{"horizon_days": {"30"}, "cutoff_kind": {"lead"}, "lead_minutes": {"30"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("staff changing the ordering rules: %d, want 403", r.StatusCode)
	}
}

func TestOrdersCloseAtSixTheDayBefore(t *testing.T) {
	t.Parallel()
	clock := newClock(at("2026-12-07", "17:59"))
	c, owner := calendarShop(t, clock)
	addWindow(t, owner, window(testPoint(t, c), "09:00", "11:00", 60, 6, tueToSat...))
	v := regexpFind(t, owner.Get(t, "/admin/calendar").Body, `name="version" value="(\d+)"`)
	r := owner.Submit(t, "/admin/calendar", "/admin/calendar/ordering",
		url.Values{"version": {v}, "horizon_days": {"14"}, "cutoff_kind": {"before"}, "cutoff_days_before": {"1"}, "cutoff_time": {"18:00"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the cut-off: %d\n%s", r.StatusCode, r.Body)
	}
	tuesday := slotAt(t, c, at("2026-12-08", "09:00"))

	// At 17:59 on Monday, Tuesday can still be ordered for, and the shop
	// says until when.
	s := newShopper(t, c)
	s.add(productID(t, c.Pool, "all-butter-croissant"), "1")
	page := html.UnescapeString(s.c.Get(t, "/checkout").Body)
	if !strings.Contains(page, "Tuesday 8 December, 09:00–10:00") || !strings.Contains(page, "Order by 18:00 today for pickup tomorrow.") {
		t.Fatal("at 17:59 the checkout does not offer tomorrow, or does not say until when")
	}
	if home := html.UnescapeString(c.Client().Get(t, "/").Body); !strings.Contains(home, "Order by 18:00 today for pickup tomorrow.") {
		t.Fatal("the storefront does not say when orders close")
	}
	form := s.checkoutForm(tuesday)

	// At 18:00 it cannot: not offered, and a form from before is refused.
	clock.Set(at("2026-12-07", "18:00"))
	page = html.UnescapeString(s.c.Get(t, "/checkout").Body)
	if strings.Contains(page, "Tuesday 8 December") || !strings.Contains(page, "Wednesday 9 December, 09:00–10:00") ||
		!strings.Contains(page, "Order by 18:00 tomorrow for pickup on Wednesday.") {
		t.Fatal("at 18:00 the checkout still offers tomorrow, or not the day after")
	}
	r = s.placeOrder(form)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "That pickup time is no longer available") {
		t.Fatalf("ordering for tomorrow at 18:00: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders"); n != 0 {
		t.Fatal("an order was placed after the cut-off")
	}
}

func TestADailyLimitOfFortySellsExactlyFortyAcrossNodes(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, _ := calendarShop(t, clock)
	friday := apptest.AddSlot(t, c.Pool, at("2026-12-11", "10:00"), 1000)
	saturday := apptest.AddSlot(t, c.Pool, at("2026-12-12", "10:00"), 1000)
	loaf := productID(t, c.Pool, "white-sourdough-loaf")
	stock := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf)
	apptest.SetDailyLimit(t, c.Pool, loaf, 40, 0)

	placed, refused, bodies := race(t, c, 100, loaf, friday)
	if placed != 40 || refused != 60 {
		t.Fatalf("100 buyers for a limit of 40: %d placed, %d refused", placed, refused)
	}
	for _, b := range bodies {
		if !strings.Contains(b, "White Sourdough Loaf is sold out for Friday — available Saturday.") {
			t.Fatalf("a refused buyer was not told the next day:\n%s", b)
		}
	}
	if n := count(t, c.Pool, "SELECT ordered FROM product_days WHERE product_id = $1 AND day = '2026-12-11'", loaf); n != 40 {
		t.Fatalf("Friday's count: %d", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM product_days WHERE product_id = $1 AND day <> '2026-12-11' AND ordered > 0", loaf); n != 0 {
		t.Fatal("another day's count was taken")
	}
	if n := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", loaf); n != stock {
		t.Fatalf("stock on hand moved for a product made to order: %d, was %d", n, stock)
	}
	// The product page names the next day it can be had.
	if page := html.UnescapeString(c.Client().Get(t, "/products/white-sourdough-loaf").Body); !strings.Contains(page, "Made to order") || !strings.Contains(page, "Next available: Saturday.") {
		t.Fatal("the product page does not say it is made to order and next available on Saturday")
	}
	// Saturday is unaffected.
	if r := c.Client().PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: saturday}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("Saturday order: %d", r.StatusCode)
	}

	// Cancelling a Friday order gives back one, once, to Friday only.
	staff := signedIn(t, c, "counter@example.com", staffauth.RoleStaff)
	id := count(t, c.Pool, "SELECT min(o.id) FROM orders o WHERE o.slot_id = $1", friday)
	cancel := url.Values{"from": {"placed"}, "to": {"cancelled"}, "reason": {shop.CancelReasons[0]}, "return_to": {"/admin/orders"}}
	var wg sync.WaitGroup
	for range 3 { // three clicks, or three people at once
		wg.Go(func() {
			staff.Submit(t, "/admin/orders", fmt.Sprintf("/admin/orders/%d/status", id), url.Values{"from": cancel["from"], "to": cancel["to"], "reason": cancel["reason"], "return_to": cancel["return_to"]})
		})
	}
	wg.Wait()
	if n := count(t, c.Pool, "SELECT ordered FROM product_days WHERE product_id = $1 AND day = '2026-12-11'", loaf); n != 39 {
		t.Fatalf("Friday after one cancellation: %d, want 39", n)
	}
	if n := count(t, c.Pool, "SELECT ordered FROM product_days WHERE product_id = $1 AND day = '2026-12-12'", loaf); n != 1 {
		t.Fatalf("Saturday after a Friday cancellation: %d, want 1", n)
	}
	// The place it frees can be bought again.
	if r := c.Client().PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: friday}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("buying the returned loaf: %d", r.StatusCode)
	}
}

func TestDeliveryDaysFillUpAndLandOnTheirDaysLists(t *testing.T) {
	t.Parallel()
	clock := newClock(monday)
	c, owner := calendarShop(t, clock)
	zone := count(t, c.Pool, "SELECT min(id) FROM delivery_zones")
	// Central is delivered on Thursdays, 5 orders a day.
	r := owner.Submit(t, "/admin/calendar", fmt.Sprintf("/admin/calendar/zones/%d/days", zone), url.Values{"on-4": {"true"}, "capacity-4": {"5"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the delivery days: %d\n%s", r.StatusCode, r.Body)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM delivery_slots WHERE extract(isodow FROM day) <> 4"); n != 0 {
		t.Fatalf("%d delivery days on other weekdays", n)
	}
	thursday := int64(count(t, c.Pool, "SELECT id FROM delivery_slots WHERE day = '2026-12-10'"))
	butter := productID(t, c.Pool, "farmhouse-salted-butter")
	exec(t, c.Pool, "UPDATE products SET stock = 1000 WHERE id = $1", butter)

	const buyers = 12
	shoppers := make([]*shopper, buyers)
	forms := make([]url.Values, buyers)
	for i := range buyers {
		shoppers[i] = newShopper(t, c)
		shoppers[i].add(butter, "5")
		forms[i] = shoppers[i].checkoutForm(0)
		forms[i].Set("fulfilment", "delivery")
		forms[i].Set("address", fmt.Sprintf("%d Harbourside", i+1))
		forms[i].Set("postcode", "BS1 4DJ")
		forms[i].Set("delivery_slot_id", strconv.FormatInt(thursday, 10))
	}
	placed, refused, bodies := submitAll(t, shoppers, forms)
	if placed != 5 || refused != 7 {
		t.Fatalf("%d buyers for 5 deliveries: %d placed, %d refused", buyers, placed, refused)
	}
	if !strings.Contains(bodies[0], "That delivery day has just filled up") {
		t.Fatalf("a refused buyer was not told why:\n%s", bodies[0])
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM orders WHERE delivery_date = '2026-12-10'"); n != 5 {
		t.Fatalf("%d orders carry Thursday's date, want 5", n)
	}

	// They are on Thursday's pick list, not on Monday's when they were placed.
	thursdayList := html.UnescapeString(owner.Get(t, "/admin/pick-list?day=2026-12-10").Body)
	if n := strings.Count(thursdayList, "Harbourside, BS1 4DJ"); n != 5 {
		t.Fatalf("Thursday's pick list has %d delivery addresses, want the 5 orders'", n)
	}
	for _, want := range []string{"0117 496 0000", "Not paid: take", "Thursday 10 December"} {
		if !strings.Contains(thursdayList, want) {
			t.Fatalf("Thursday's pick list lacks %q", want)
		}
	}
	if monday := owner.Get(t, "/admin/pick-list?day=2026-12-07").Body; !strings.Contains(monday, "Nothing to pack") {
		t.Fatal("delivery orders are on the list of the day they were placed")
	}
	bake := html.UnescapeString(owner.Get(t, "/admin/bake-list?day=2026-12-10").Body)
	if !strings.Contains(bake, "<td>Farmhouse Salted Butter (250g)</td><td class=\"num\">25</td><td class=\"num\">5</td>") {
		t.Fatalf("Thursday's bake list does not say 25 butter in 5 orders:\n%s", bake)
	}
	// Less room than is booked: refused, the day keeps its place count.
	r = owner.Submit(t, "/admin/calendar", fmt.Sprintf("/admin/calendar/zones/%d/days", zone), url.Values{"on-4": {"true"}, "capacity-4": {"3"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "cannot go below 5") {
		t.Fatalf("delivery capacity below what is booked: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT capacity FROM delivery_slots WHERE id = $1", thursday); n != 5 {
		t.Fatalf("Thursday's capacity is %d after a refused change", n)
	}
}

func TestTheMorningRestockSetsEverythingInOneForm(t *testing.T) {
	t.Parallel()
	clock := newClock(at("2026-12-11", "07:00")) // a Friday morning
	c, staff := calendarShop(t, clock)
	loaf, butter := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "farmhouse-salted-butter")
	apptest.SetDailyLimit(t, c.Pool, loaf, 40, 0)
	slot := apptest.AddSlot(t, c.Pool, at("2026-12-11", "12:00"), 100)
	for i := range 3 {
		if r := c.Client().PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot, Quantity: 2, Name: fmt.Sprintf("Early %d", i)}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ordering loaves: %d", r.StatusCode)
		}
	}
	// A daily limit below what is ordered for a day is refused.
	r := staff.Submit(t, fmt.Sprintf("/admin/products/%d", loaf), fmt.Sprintf("/admin/products/%d/daily", loaf),
		url.Values{"sold": {"made"}, "daily_limit": {"5"}, "made-5": {"true"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "6 are already ordered for Friday 11 December: the daily limit cannot go below 6") {
		t.Fatalf("a daily limit below what is ordered: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT daily_limit FROM products WHERE id = $1", loaf); n != 40 {
		t.Fatalf("a refused daily limit was saved: %d", n)
	}
	page := staff.Get(t, "/admin/restock")
	form := apptest.HiddenFields(page.Body)
	for k, v := range form {
		if strings.HasPrefix(k, "shown-") {
			form.Set("value-"+strings.TrimPrefix(k, "shown-"), v[0])
		}
	}
	// Today's limit below what is ordered (6), with a stock change: nothing is saved.
	form.Set(fmt.Sprintf("value-%d", loaf), "5")
	form.Set(fmt.Sprintf("value-%d", butter), "30")
	form.Set("reason", "Friday bake")
	butterBefore := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", butter)
	r = staff.PostForm(t, "/admin/restock", form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "6 are already ordered for today: the limit cannot go below 6") {
		t.Fatalf("a limit below what is ordered: %d", r.StatusCode)
	}
	if n := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", butter); n != butterBefore {
		t.Fatal("half of a refused restock was saved")
	}
	form.Set(fmt.Sprintf("value-%d", loaf), "50")
	if r := staff.PostForm(t, "/admin/restock", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the restock: %d\n%s", r.StatusCode, r.Body)
	}
	if n := count(t, c.Pool, "SELECT stock FROM products WHERE id = $1", butter); n != 30 {
		t.Fatalf("butter stock %d, want 30", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM stock_movements WHERE product_id = $1 AND reason = 'Friday bake' AND resulting_stock = 30", butter); n != 1 {
		t.Fatal("the stock change is not in the ledger with its reason")
	}
	if n := count(t, c.Pool, "SELECT limit_override FROM product_days WHERE product_id = $1 AND day = '2026-12-11'", loaf); n != 50 {
		t.Fatalf("today's limit %d, want 50", n)
	}
	if n := count(t, c.Pool, "SELECT count(*) FROM stock_movements WHERE reason = 'Friday bake'"); n != 1 {
		t.Fatalf("%d ledger entries, want only the one product changed", n)
	}
}
