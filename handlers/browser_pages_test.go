package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
)

// phoneWidth is the narrowest phone the shop is made for.
const phoneWidth = 390

// overflowing lists the elements that stick out past the right edge of a
// phone's screen, which make the page scroll sideways.
const overflowing = `[...document.querySelectorAll("body *")].filter(e => {
	const r = e.getBoundingClientRect();
	return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5 &&
		getComputedStyle(e).position != "fixed" && !e.closest(".visually-hidden, .skip-link");
}).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).trim().replace(/\s+/g, ".") : "") +
	" (" + Math.round(e.getBoundingClientRect().right) + " px)")`

// Every page, customer and staff, has no accessibility violations axe-core
// can find, in the light and the dark colour scheme, and fits a 390 px
// phone without scrolling sideways.
func TestBrowserEveryPageIsAccessibleAndFitsAPhone(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: func(m chromedp.ConsoleMessage) bool {
		return strings.Contains(m.URL, "/no-such-page") && strings.Contains(m.Text, "404")
	}})
	signedIn := false
	for _, p := range s.Pages {
		if p.Staff && !signedIn {
			apptest.UseCookiesOf(t, ctx, s.Owner)
			signedIn = true
		}
		if !p.Staff && signedIn {
			t.Fatalf("%s: list the anonymous pages before the owner's", p)
		}
		apptest.Viewport(t, ctx, 1280, 900, false)
		apptest.Do(t, ctx, "opening "+p.String(), chromedp.Navigate(s.Cluster.URL+p.Path))
		apptest.WaitFor(t, ctx, browserWait, `document.readyState == "complete" && typeof htmx == "object"`, p.String()+" to load")
		if got := apptest.Eval[string](t, ctx, `location.pathname + location.search`); got != p.Path {
			t.Fatalf("opening %s landed on %s", p, got)
		}
		for _, scheme := range []string{"light", "dark"} {
			apptest.ColourScheme(t, ctx, scheme)
			for _, v := range apptest.Axe(t, ctx) {
				t.Errorf("%s, %s colour scheme: %s", p, scheme, v)
			}
		}
		apptest.ColourScheme(t, ctx, "light")

		apptest.Viewport(t, ctx, phoneWidth, 844, true)
		if w := apptest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); w > phoneWidth {
			t.Errorf("%s is %d px wide on a %d px phone: it scrolls sideways; sticking out: %s", p, w, phoneWidth,
				strings.Join(apptest.Eval[[]string](t, ctx, overflowing), ", "))
		}
	}
	if !signedIn {
		t.Fatal("no staff page was opened")
	}

	// axe-core must find a button without a name, or it is not checking.
	apptest.Viewport(t, ctx, 1280, 900, false)
	apptest.Eval[chromedp.Void](t, ctx, `document.querySelector("main").insertAdjacentHTML("beforeend", '<button type="button"></button>')`)
	found := false
	for _, v := range apptest.Axe(t, ctx) {
		found = found || v.ID == "button-name"
	}
	if !found {
		t.Fatal("axe-core found nothing wrong with a button without a name: it is not checking")
	}
}
