package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/staffauth"
)

var slotDayRe = regexp.MustCompile(`<details class="slot-day"( open)?>\s*<summary>\s*<h3 id="day-(\d{4}-\d\d-\d\d)">[^<]*</h3>\s*<span class="hint">([^<]*)</span>`)

// slotDays reads the days of the slots page: which are open, and what
// each summary says.
func slotDays(page string) (open map[string]bool, summary map[string]string, order []string) {
	open, summary = map[string]bool{}, map[string]string{}
	for _, m := range slotDayRe.FindAllStringSubmatch(page, -1) {
		open[m[2]] = m[1] != ""
		summary[m[2]] = m[3]
		order = append(order, m[2])
	}
	return open, summary, order
}

func TestTheSlotsPageStartsWithItsFormAndFoldsDaysAway(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	staff, _ := admSignIn(t, c, "baker@example.com", staffauth.RoleStaff)
	london := c.Nodes[0].Config.Location
	now := time.Now().In(london)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, london)
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }
	// Three slots late in the day of each of the next seven days.
	r := admPost(t, staff, "/admin/slots", "/admin/slots", url.Values{
		"first_day": {day(0)}, "last_day": {day(6)}, "start": {"22:00"}, "end": {"23:00"}, "every": {"20"}, "capacity": {"4"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("creating slots: %d\n%s", r.StatusCode, r.Body)
	}

	page := staff.Get(t, "/admin/slots").Body
	if form, first := strings.Index(page, `<h2 id="create-slots-title">Create one-off slots</h2>`), strings.Index(page, `<details class="slot-day"`); form < 0 || first < 0 || form > first {
		t.Fatal("the form to create slots is not above the days")
	}
	open, summary, order := slotDays(page)
	if len(order) < 7 {
		t.Fatalf("%d days listed, want at least the 7 with new slots", len(order))
	}
	for n := range 7 {
		d := day(n)
		if want := n < 3; open[d] != want {
			t.Errorf("%s (today + %d) open %v, want %v", d, n, open[d], want)
		}
		if !strings.Contains(summary[d], "of") || !strings.Contains(summary[d], "places booked") {
			t.Errorf("%s says %q", d, summary[d])
		}
	}
	if summary[day(5)] != "3 slots, 0 of 12 places booked" {
		t.Errorf("day 5 says %q, want 3 slots, 0 of 12 places booked", summary[day(5)])
	}

	// Every slot's buttons say which slot they change, to a screen reader
	// reading the buttons out of their table.
	for _, label := range []string{"Save", "Close"} {
		named := strings.Count(page, ">"+label+`<span class="visually-hidden">, `)
		unnamed := strings.Count(page, ">"+label+"<") - named
		if named < 21 || unnamed != 0 {
			t.Errorf("%d %s buttons name their slot, %d do not; want all of at least 21", named, label, unnamed)
		}
	}

	// A change to a slot of a folded day comes back to that day, open.
	var slot int64
	start := time.Date(today.Year(), today.Month(), today.Day()+5, 22, 0, 0, 0, london)
	slot = admInt(t, c, "SELECT id FROM pickup_slots WHERE starts_at = $1", start)
	r = admPost(t, staff, "/admin/slots", fmt.Sprintf("/admin/slots/%d/closed", slot), url.Values{"closed": {"true"}})
	if want := "/admin/slots?open=" + day(5) + "#day-" + day(5); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Fatalf("closing a slot: %d to %q, want %q", r.StatusCode, r.Header.Get("Location"), want)
	}
	open, summary, _ = slotDays(staff.Get(t, r.Header.Get("Location")).Body)
	if !open[day(5)] || open[day(4)] || summary[day(5)] != "3 slots, 0 of 12 places booked, 1 closed" {
		t.Errorf("after closing: day 5 open %v (%q), day 4 open %v", open[day(5)], summary[day(5)], open[day(4)])
	}

	// Without JavaScript, a folded day opens with a click on its summary.
	ctx := apptest.NewBrowserNoJS(t)
	apptest.UseCookiesOf(t, ctx, staff)
	browserOpen(t, ctx, c.URL+"/admin/slots", false)
	input := fmt.Sprintf("#cap-%d", admInt(t, c, "SELECT id FROM pickup_slots WHERE starts_at = $1", start.AddDate(0, 0, 1)))
	visible := `(() => { const e = document.querySelector(` + jsQuote(input) + `); return !!e && e.checkVisibility(); })()`
	if apptest.Eval[bool](t, ctx, visible) {
		t.Fatal("a slot six days ahead shows before its day is opened")
	}
	apptest.Do(t, ctx, "opening the day", chromedp.Click(chromedp.CSS(`details:has(`+input+`) > summary`)))
	apptest.WaitFor(t, ctx, browserWait, visible, "the day's slots to show")
}
