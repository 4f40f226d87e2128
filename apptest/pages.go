package apptest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored from the npm package axe-core@4.14.1
// (its axe.min.js, under the Mozilla Public License 2.0).
//
//go:embed axe.min.js
var axeSource string

// UseCookiesOf gives the browser the cookies the client holds for the
// cluster, so the browser is that visitor: the same cart, orders and
// staff session.
func UseCookiesOf(t testing.TB, ctx context.Context, c *Client) {
	t.Helper()
	u, _ := url.Parse(c.base)
	yes := true
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		Do(t, ctx, "setting the cookie "+ck.Name, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, network.SetCookie, network.SetCookieParams{
				Name: ck.Name, Value: ck.Value, URL: c.base + "/", Path: "/", Secure: &yes, HTTPOnly: &yes,
				SameSite: network.CookieSameSiteLax,
			})
			return err
		}))
	}
}

// ColourScheme makes the tab prefer "light" or "dark", as the visitor's
// system setting would.
func ColourScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	Do(t, ctx, "preferring the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// Viewport makes the tab a screen of width × height CSS pixels; mobile
// makes it a phone's (touch, the viewport meta tag applies).
func Viewport(t testing.TB, ctx context.Context, width, height int64, mobile bool) {
	t.Helper()
	scale := 1.0
	if mobile {
		scale = 3
	}
	Do(t, ctx, fmt.Sprintf("a %d px wide screen", width), chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: scale, Mobile: mobile,
		})
		return err
	}))
}

// AxeViolation is one rule axe-core found broken on a page.
type AxeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"` // a target selector and a summary per element
}

func (v AxeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s — %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
}

// Axe runs axe-core on the page in the tab, for WCAG 2.0, 2.1 and 2.2 A
// and AA, and axe's best practices, and returns what it found broken.
func Axe(t testing.TB, ctx context.Context) []AxeViolation {
	t.Helper()
	if !Eval[bool](t, ctx, `typeof window.axe == "object"`) {
		Do(t, ctx, "loading axe-core", chromedp.Evaluate[chromedp.Void](axeSource+"\n;void 0"))
	}
	runCtx, cancel := context.WithTimeout(ctx, 2*BrowserTimeout)
	defer cancel()
	raw, err := chromedp.Run(runCtx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 300))
	}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	var out []AxeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("reading axe-core's results: %v\n%s", err, raw)
	}
	return out
}
