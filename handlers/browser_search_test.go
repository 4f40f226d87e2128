package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
)

// openCatalogueInBrowser loads the catalogue in the browser, waits for htmx, and marks
// the window: the mark survives htmx swaps and disappears on a full page load.
func openCatalogueInBrowser(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	apptest.Do(t, ctx, "opening "+url, chromedp.Navigate(url))
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout, `typeof htmx == "object"`, "htmx to load")
	apptest.Eval[chromedp.Void](t, ctx, `window.__noReload = 1`)
}

func assertNoPageLoad(t *testing.T, ctx context.Context) {
	t.Helper()
	if !apptest.Eval[bool](t, ctx, `window.__noReload === 1`) {
		t.Fatal("the page was reloaded; htmx should have swapped only the results")
	}
}

func browserResultTitles(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return apptest.Eval[[]string](t, ctx, `[...document.querySelectorAll("#results .card__title")].map(e => e.textContent.trim())`)
}

func browserFocusedID(t *testing.T, ctx context.Context) string {
	t.Helper()
	return apptest.Eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ""`)
}

func TestBrowserSearchSwapsResultsWithoutReload(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	ctx := apptest.NewBrowser(t)
	openCatalogueInBrowser(t, ctx, c.URL+"/")
	if got := browserText(t, ctx, "h1"); got != "All products" {
		t.Fatalf("the catalogue's heading is %q", got)
	}
	if got := browserText(t, ctx, "#sort option:first-child"); got != "Name (usual order)" {
		t.Errorf("with nothing searched the sort menu's first choice is %q, want \"Name (usual order)\"", got)
	}
	if apptest.Eval[bool](t, ctx, `document.getElementById("q-hint").hidden || document.getElementById("q").getAttribute("aria-describedby") != "q-hint"`) {
		t.Error("with JavaScript the search field does not say that results update as you type")
	}

	// Real key events, as a visitor types: htmx searches after a pause.
	apptest.Do(t, ctx, "typing into #q", chromedp.SendKeys(chromedp.CSS("#q"), "sourd"))
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout,
		`[...document.querySelectorAll("#results .card__title")].some(e => e.textContent.trim() == "White Sourdough Loaf") &&
		 document.getElementById("results-heading").textContent.includes("“sourd”")`,
		"the results for “sourd”")
	assertNoPageLoad(t, ctx)
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout, `new URLSearchParams(location.search).get("q") == "sourd"`,
		"the search URL to be pushed into history")
	// The heading, the announced count and the sort menu follow the search.
	if got := browserText(t, ctx, "h1"); got != "Search: sourd" {
		t.Errorf("after searching, the heading is %q, want \"Search: sourd\"", got)
	}
	if got, heading := browserText(t, ctx, "#results-status"), browserText(t, ctx, "#results-heading"); got != heading || !strings.Contains(got, "matching “sourd”") {
		t.Errorf("the live region announces %q, want the result count %q", got, heading)
	}
	if got := browserText(t, ctx, "#sort option:first-child"); got != "Best match" {
		t.Errorf("while searching the sort menu's first choice is %q, want \"Best match\"", got)
	}

	found := browserResultTitles(t, ctx)
	if len(found) == 0 || len(found) >= 12 {
		t.Fatalf("the search shows %d products, want between 1 and 11: %q", len(found), found)
	}
	if id := browserFocusedID(t, ctx); id != "q" {
		t.Fatalf("focus moved to %q while typing; want it to stay in #q", id)
	}

	// The pushed URL is a real page: reloading it shows the same results.
	apptest.Do(t, ctx, "reloading", chromedp.Reload())
	if apptest.Eval[bool](t, ctx, `"__noReload" in window`) {
		t.Fatal("the window mark survived chromedp.Reload; the page did not really reload")
	}
	if got := browserResultTitles(t, ctx); !slices.Equal(got, found) {
		t.Fatalf("after reload the results are %q, want %q", got, found)
	}
	if q := apptest.Eval[string](t, ctx, `document.getElementById("q").value`); q != "sourd" {
		t.Fatalf("after reload #q holds %q, want \"sourd\"", q)
	}
}

func TestBrowserPaginationMovesFocusToResults(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	ctx := apptest.NewBrowser(t)
	openCatalogueInBrowser(t, ctx, c.URL+"/")
	first := browserResultTitles(t, ctx)

	apptest.Do(t, ctx, "clicking Next page", chromedp.Click(chromedp.CSS(`#results a[aria-label="Next page"]`)))
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout,
		`document.getElementById("results-heading").textContent.includes("page 2 of")`, "the heading to say page 2")
	assertNoPageLoad(t, ctx)
	apptest.WaitFor(t, ctx, apptest.BrowserTimeout, `new URLSearchParams(location.search).get("page") == "2"`,
		"the page-2 URL to be pushed into history")
	if second := browserResultTitles(t, ctx); len(second) == 0 || slices.Equal(second, first) {
		t.Fatalf("page 2 shows %q; page 1 showed %q", second, first)
	}
	// Keyboard and screen-reader users continue at the new results, not at
	// the link they left behind at the bottom of the page.
	if id := browserFocusedID(t, ctx); id != "results-heading" {
		t.Fatalf("after paging, focus is on %q, want #results-heading", id)
	}
}

func TestBrowserWithoutJavaScriptTheSearchSaysNothingOfTyping(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	ctx := apptest.NewBrowserNoJS(t)
	apptest.Do(t, ctx, "opening the catalogue", chromedp.Navigate(c.URL+"/"))
	if apptest.Eval[bool](t, ctx, `getComputedStyle(document.getElementById("q-hint")).display != "none" || document.getElementById("q").hasAttribute("aria-describedby")`) {
		t.Error("without JavaScript the page says that results update as you type")
	}
}
