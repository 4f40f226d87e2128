package apptest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, Deque's accessibility engine (MPL-2.0), vendored
// from its npm package (axe/axe.min.js, version in its header).
//
//go:embed axe/axe.min.js
var axeSource string

// axeViolation is one rule a page breaks, as axe reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// AssertNoAxeViolations runs axe-core on the page in the tab as it is now
// and fails the test for each violation of WCAG 2.x A and AA (and axe's best
// practices).
func AssertNoAxeViolations(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	Do(t, ctx, "loading axe-core into "+page, chromedp.Evaluate[chromedp.Void](axeSource+"\n;void 0"))
	runCtx, cancel := context.WithTimeout(ctx, BrowserTimeout)
	defer cancel()
	found, err := chromedp.Run(runCtx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify({version: axe.version, passes: r.passes.length, violations: r.violations}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe on %s: %v", page, err)
	}
	var result struct {
		Version    string         `json:"version"`
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(found), &result); err != nil {
		t.Fatalf("reading axe's answer: %v\n%s", err, found)
	}
	if result.Passes == 0 {
		t.Fatalf("axe %s checked nothing on %s", result.Version, page)
	}
	t.Logf("axe %s on %s: %d rules passed, %d violated", result.Version, page, result.Passes, len(result.Violations))
	for _, v := range result.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...)+" "+n.HTML)
		}
		t.Errorf("axe: %s %s (%s): %s", page, v.ID, v.Impact, v.Help+"\n\t"+strings.Join(where, "\n\t"))
	}
}
