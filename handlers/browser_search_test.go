package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
)

func TestBrowserExperimentNoJS(t *testing.T) {
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	ctx := apptest.NewBrowserNoJS(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(c.URL+"/")); err != nil {
		t.Fatal(err)
	}
	t.Log(apptest.Eval[string](t, ctx, `typeof window.htmx + "|" + document.getElementById("results-heading").textContent`))
	apptest.WaitFor(t, ctx, 3*time.Second, `document.querySelectorAll(".card").length == 12`, "cards")
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "sourd\n")); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, 10*time.Second, `location.search.includes("q=sourd") && document.readyState == "complete"`, "submitted")
	t.Log(time.Since(start), apptest.Eval[string](t, ctx, `location.href + "|" + document.getElementById("results-heading").textContent`))
}
