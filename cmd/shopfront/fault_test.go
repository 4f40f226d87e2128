package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/cookiestate"
)

// healthProxy stands in for Fly's proxy in front of process nodes: it keeps
// connections to the nodes alive and reuses them, checks each node's
// /readyz every interval (a check taking longer than timeout fails), sends
// requests round-robin to the nodes whose last check passed — a new node
// only after its first passing check — and never retries a request.
type healthProxy struct {
	interval, timeout time.Duration
	mu                sync.Mutex
	backends          []*backend
	next              atomic.Uint64
	failed            atomic.Int64 // requests the proxy could not complete
	front             *httptest.Server
	rp                *httputil.ReverseProxy
}

type backend struct {
	url     *url.URL
	healthy atomic.Bool
	stop    chan struct{}
}

type backendKey struct{}

func newHealthProxy(t *testing.T, interval, timeout time.Duration) *healthProxy {
	p := &healthProxy{interval: interval, timeout: timeout}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(r.In.Context().Value(backendKey{}).(*backend).url)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if p.failed.Add(1) <= 3 {
				t.Logf("proxy: %s %s failed: %v", r.Method, r.URL.Path, err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := p.pick()
		if b == nil {
			p.failed.Add(1)
			http.Error(w, "no server is available", http.StatusServiceUnavailable)
			return
		}
		p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), backendKey{}, b)))
	}))
	t.Cleanup(func() {
		p.front.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, b := range p.backends {
			close(b.stop)
		}
	})
	return p
}

func (p *healthProxy) pick() *backend {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range p.backends {
		if b := p.backends[p.next.Add(1)%uint64(len(p.backends))]; b.healthy.Load() {
			return b
		}
	}
	return nil
}

// add puts a node behind the proxy; it gets traffic once a check passes.
func (p *healthProxy) add(base string) *backend {
	u, _ := url.Parse(base)
	b := &backend{url: u, stop: make(chan struct{})}
	client := &http.Client{Timeout: p.timeout}
	go func() {
		t := time.NewTicker(p.interval)
		defer t.Stop()
		for {
			resp, err := client.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
			}
			b.healthy.Store(err == nil && resp.StatusCode == http.StatusOK)
			select {
			case <-b.stop:
				return
			case <-t.C:
			}
		}
	}()
	p.mu.Lock()
	p.backends = append(p.backends, b)
	p.mu.Unlock()
	return b
}

func (p *healthProxy) remove(b *backend) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backends = slices.DeleteFunc(p.backends, func(x *backend) bool { return x == b })
	close(b.stop)
}

// browse runs shoppers through base until stop: the catalogue, an add to
// the cart and the cart, counting every request that did not get its
// ordinary answer.
func browse(t *testing.T, base string, shoppers int, product int64) (stop func() (requests, failed int64)) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var requests, failed atomic.Int64
	for range shoppers {
		cl := apptest.NewClient(base)
		wg.Go(func() {
			for ctx.Err() == nil {
				for _, step := range []struct {
					method, path string
					want         int
				}{{"GET", "/", 200}, {"POST", "/cart/add", 303}, {"GET", "/cart", 200}} {
					var r *apptest.Response
					var err error
					if step.method == "GET" {
						r, err = cl.TryGet(step.path)
					} else {
						r, err = cl.TryPostForm(step.path, url.Values{"product_id": {fmt.Sprint(product)}, "quantity": {"1"}, "return_to": {"/"}})
					}
					requests.Add(1)
					if err != nil || r.StatusCode != step.want {
						failed.Add(1)
						if err == nil {
							err = fmt.Errorf("status %d: %s", r.StatusCode, strings.TrimSpace(r.Body)[:min(80, len(strings.TrimSpace(r.Body)))])
						}
						t.Logf("shopper: %s %s: %v", step.method, step.path, err)
					}
				}
			}
		})
	}
	return func() (int64, int64) { cancel(); wg.Wait(); return requests.Load(), failed.Load() }
}

// stopGracefully sends SIGTERM and waits for the node to exit, which must
// be cleanly.
func stopGracefully(t *testing.T, n *node) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the node exited with %v:\n%s", err, n.logs.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("the node did not exit within a minute of SIGTERM")
	}
}

// A rolling restart of three nodes behind a proxy that checks /readyz the
// way fly.toml's [[http_service.checks]] does, under shopper load, fails no
// request: each node keeps serving for SHUTDOWN_DRAIN (the check interval
// + the check's timeout + a margin) with "Connection: close" on every
// response, so the proxy has stopped sending to it, and is not reusing a
// connection to it, by the time its listener closes. The times are
// fly.toml's scaled down, with the same arithmetic.
func TestRollingRestartBehindAHealthCheckingProxyFailsNoRequest(t *testing.T) {
	const interval, timeout, margin = time.Second, 500 * time.Millisecond, time.Second
	drain := interval + timeout + margin
	dbURL := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, dbURL, 2)
	var loaf int64
	if err := pool.QueryRow(t.Context(), "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&loaf); err != nil {
		t.Fatal(err)
	}
	bin := binary(t)
	env := []string{"COOKIE_KEYS=" + cookiestate.GenerateKeySet().String(), "SHUTDOWN_DRAIN=" + drain.String(), "SHUTDOWN_TIMEOUT=10s", "JOB_WORKERS=0"}
	proxy := newHealthProxy(t, interval, timeout)
	waitHealthy := func(b *backend) {
		t.Helper()
		waitFor(t, b.healthy.Load, "the proxy to route to the new node")
	}
	type member struct {
		n *node
		b *backend
	}
	var fleet []member
	for range 3 {
		n := startNode(t, bin, dbURL, env...)
		b := proxy.add(n.base)
		waitHealthy(b)
		fleet = append(fleet, member{n, b})
	}

	stop := browse(t, proxy.front.URL, 6, loaf)
	time.Sleep(interval) // the load is under way
	for i, m := range fleet {
		stopGracefully(t, m.n)
		proxy.remove(m.b)
		n := startNode(t, bin, dbURL, env...)
		b := proxy.add(n.base)
		waitHealthy(b)
		fleet[i] = member{n, b}
	}
	time.Sleep(interval)
	requests, failed := stop()
	t.Logf("rolling restart of 3 nodes: %d requests, %d failed, %d failed in the proxy", requests, failed, proxy.failed.Load())
	if failed != 0 || proxy.failed.Load() != 0 {
		t.Fatalf("%d of %d requests failed during the rolling restart", failed, requests)
	}
	if requests < 100 {
		t.Fatalf("only %d requests were made: the load did not run", requests)
	}
}

// kill -9 a node while customers check out through a proxy: every
// customer whose request failed sends the same form again (as a browser's
// reload or a second click does) until it is answered. Every order a
// customer was shown exists exactly once, no order exists that nobody was
// shown, and stock went down by exactly what those orders hold.
func TestKillingANodeUnderLoadLosesAndDuplicatesNoOrder(t *testing.T) {
	dbURL := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, dbURL, 2)
	slot := apptest.AddSlot(t, pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 1000)
	var loaf int64
	var stockBefore int
	if err := pool.QueryRow(t.Context(), "UPDATE products SET stock = 10000 WHERE slug = 'white-sourdough-loaf' RETURNING id, stock").Scan(&loaf, &stockBefore); err != nil {
		t.Fatal(err)
	}
	bin := binary(t)
	env := []string{"COOKIE_KEYS=" + cookiestate.GenerateKeySet().String(), "JOB_WORKERS=0"}
	proxy := newHealthProxy(t, 250*time.Millisecond, 200*time.Millisecond)
	victim := startNode(t, bin, dbURL, env...)
	proxy.add(victim.base)
	survivor := startNode(t, bin, dbURL, env...)
	waitFor(t, proxy.add(survivor.base).healthy.Load, "both nodes to get traffic")

	const customers, ordersEach = 6, 4
	var mu sync.Mutex
	shown := map[string]bool{} // order page paths customers were sent to
	var retried, confirmed atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, customers)
	for c := range customers {
		cl := apptest.NewClient(proxy.front.URL)
		wg.Go(func() {
			for o := range ordersEach {
				location, err := checkOutUntilAnswered(cl, loaf, slot, c*100+o+1, &retried)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				shown[location] = true
				mu.Unlock()
				confirmed.Add(1)
			}
		})
	}
	waitFor(t, func() bool { return confirmed.Load() >= 4 }, "the first orders")
	if err := victim.cmd.Process.Kill(); err != nil { // kill -9
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	var orders, units, stockAfter int
	if err := pool.QueryRow(t.Context(), "SELECT count(*), coalesce(sum(l.quantity), 0)::int FROM orders o JOIN order_lines l ON l.order_id = o.id").Scan(&orders, &units); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(t.Context(), "SELECT stock FROM products WHERE id = $1", loaf).Scan(&stockAfter); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders confirmed, %d requests sent again after a failure", len(shown), retried.Load())
	if len(shown) != customers*ordersEach || orders != len(shown) {
		t.Fatalf("%d orders in the database, %d distinct orders shown to customers, want %d of each", orders, len(shown), customers*ordersEach)
	}
	for path := range shown {
		token := strings.TrimPrefix(path, "/orders/")
		var n int
		if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM orders WHERE token = $1", token).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the order a customer was shown at %s: %d in the database (%v)", path, n, err)
		}
	}
	if stockBefore-stockAfter != units {
		t.Fatalf("stock went down by %d, but the orders hold %d", stockBefore-stockAfter, units)
	}
}

// checkOutUntilAnswered adds the product and checks out, sending the same
// checkout form again after any failure, and returns the order page the
// shop sent the customer to.
func checkOutUntilAnswered(cl *apptest.Client, product, slot int64, n int, retried *atomic.Int64) (string, error) {
	deadline := time.Now().Add(time.Minute)
	retry := func(what string, try func() (*apptest.Response, error), ok func(*apptest.Response) bool) (*apptest.Response, error) {
		for {
			r, err := try()
			if err == nil && ok(r) {
				return r, nil
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("%s: still failing after a minute: %v %v", what, err, r)
			}
			if err == nil && r.StatusCode < 500 {
				return nil, fmt.Errorf("%s: %d %s", what, r.StatusCode, r.Body)
			}
			retried.Add(1)
			time.Sleep(50 * time.Millisecond)
		}
	}
	form := url.Values{"product_id": {strconv.FormatInt(product, 10)}, "quantity": {"1"}, "return_to": {"/"}}
	if _, err := retry("adding to the cart", func() (*apptest.Response, error) { return cl.TryPostForm("/cart/add", form) },
		func(r *apptest.Response) bool { return r.StatusCode == http.StatusSeeOther }); err != nil {
		return "", err
	}
	page, err := retry("the checkout page", func() (*apptest.Response, error) { return cl.TryGet("/checkout") },
		func(r *apptest.Response) bool { return r.StatusCode == http.StatusOK })
	if err != nil {
		return "", err
	}
	checkout := apptest.HiddenFields(page.Body)
	checkout.Set("name", "Customer "+strconv.Itoa(n))
	checkout.Set("email", fmt.Sprintf("customer%d@example.com", n))
	checkout.Set("phone", "0117 496 0000")
	checkout.Set("fulfilment", "pickup")
	checkout.Set("slot_id", strconv.FormatInt(slot, 10))
	r, err := retry("placing the order", func() (*apptest.Response, error) { return cl.TryPostForm("/checkout", checkout) },
		func(r *apptest.Response) bool { return r.StatusCode == http.StatusSeeOther })
	if err != nil {
		return "", err
	}
	location := r.Header.Get("Location")
	if !strings.HasPrefix(location, "/orders/") {
		return "", errors.New("checkout sent the customer to " + location)
	}
	return location, nil
}
