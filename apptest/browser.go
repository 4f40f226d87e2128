package apptest

import (
	"context"
	"errors"
	"iter"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const missingChromium = "Chromium is missing: run 'sudo apt-get install chromium' (make test installs it)"

// BrowserOptions shape NewBrowserWith. The zero value is a headless Chromium
// with JavaScript on that fails the test on any console error.
type BrowserOptions struct {
	// NoJS turns JavaScript off in the tab, as for a visitor without scripts.
	NoJS bool
	// Allow returns true for console errors that the test expects, such as
	// a deliberate 4xx answer to an htmx request; they are not reported.
	Allow func(chromedp.ConsoleMessage) bool
}

// NewBrowser starts a headless Chromium for the test and returns the context
// of its tab. At cleanup it fails the test if the page logged a console error
// (Chromium logs Content Security Policy violations and failed requests as
// errors) or threw an uncaught exception, and shuts the browser down.
// Without Chromium the test is skipped, or fails when the environment
// variable CI is set.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	return NewBrowserWith(t, BrowserOptions{})
}

// NewBrowserNoJS is NewBrowser with JavaScript disabled in the tab.
func NewBrowserNoJS(t testing.TB) context.Context {
	t.Helper()
	return NewBrowserWith(t, BrowserOptions{NoJS: true})
}

// NewBrowserWith is NewBrowser with options.
func NewBrowserWith(t testing.TB, opts BrowserOptions) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal(missingChromium)
		}
		t.Skip(missingChromium)
	}
	dir := t.TempDir() // registered first, so removed after the browser exits

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
		chromedp.Headless,
		chromedp.NoSandbox, // we run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.IgnoreCertErrors, // the cluster's proxy has a self-signed certificate
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", "Translate"),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)

	// The first Do starts the browser and opens the tab.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("starting Chromium %s: %v", path, err)
	}

	c := &console{allow: opts.Allow, flushed: make(chan struct{})}
	go c.collect(chromedp.Console(ctx))

	if opts.NoJS {
		err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		if err != nil {
			cancelTab()
			cancelAlloc()
			t.Fatalf("disabling JavaScript: %v", err)
		}
	}

	t.Cleanup(func() {
		// The console keeps its order: once the marker arrives, every earlier
		// message has been collected. DevTools can log even with JS disabled.
		flushCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := chromedp.Do(flushCtx, chromedp.Evaluate[chromedp.Void](`console.debug("`+flushMarker+`")`)); err == nil {
			select {
			case <-c.flushed:
			case <-flushCtx.Done():
				t.Log("browser: the console did not flush; messages may be missing")
			}
		}
		for _, m := range c.collected() {
			where := ""
			if m.URL != "" {
				where = " (" + m.URL + ")"
			}
			t.Errorf("browser console %s%s", m, where)
		}

		// Close the browser cleanly, then wait for its process to exit.
		closeCtx, cancelClose := context.WithTimeout(ctx, 10*time.Second)
		defer cancelClose()
		if err := chromedp.Cancel(closeCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing Chromium: %v", err)
		}
		cancelTab()
		cancelAlloc()
	})
	return ctx
}

// WaitFor polls the JavaScript expression in the page until it is truthy and
// fails the test with what if it is not within timeout. It polls from Go, not
// with chromedp.Poll, which never returns in a tab with JavaScript disabled
// (the page's timers don't run); and it outlasts a navigation.
func WaitFor(t testing.TB, ctx context.Context, timeout time.Duration, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		callCtx, cancel := context.WithDeadline(ctx, deadline)
		ok, err := chromedp.Run(callCtx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		switch {
		case err == nil && ok:
			return
		case ctx.Err() != nil:
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case time.Now().After(deadline):
			t.Fatalf("timed out after %v waiting for %s (%s); last error: %v", timeout, what, expr, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// BrowserTimeout bounds each Do and Eval, and is how long a test waits for
// any one thing to happen in a page: a chromedp query waits for ever for an
// element that never appears. It is generous because a 2-core machine
// running every package's tests at once, under the race detector, can take
// many seconds over what takes milliseconds alone; it only bounds how long
// a failing test takes to say so.
const BrowserTimeout = 60 * time.Second

// Do runs the steps in the tab, and fails the test, saying what it was
// doing, if they fail or take longer than BrowserTimeout.
func Do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, BrowserTimeout)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Eval returns the value of the JavaScript expression in the page, or fails
// the test.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	evalCtx, cancel := context.WithTimeout(ctx, BrowserTimeout)
	defer cancel()
	v, err := chromedp.Run(evalCtx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func findChromium() string {
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium" // the binary; /usr/bin/chromium is a wrapper script
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

const flushMarker = "apptest: console flushed"

// console collects the errors and exceptions that a tab reports.
type console struct {
	allow   func(chromedp.ConsoleMessage) bool
	flushed chan struct{}
	once    sync.Once
	mu      sync.Mutex
	errs    []chromedp.ConsoleMessage
}

func (c *console) collect(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return // the tab is gone
		}
		switch {
		case m.Type == chromedp.ConsoleDebug && m.Text == flushMarker:
			c.once.Do(func() { close(c.flushed) })
		case m.Type != chromedp.ConsoleError && !m.IsException():
		case c.allow != nil && c.allow(m):
		default:
			c.mu.Lock()
			c.errs = append(c.errs, m)
			c.mu.Unlock()
		}
	}
}

func (c *console) collected() []chromedp.ConsoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), c.errs...)
}
