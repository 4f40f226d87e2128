// Command loadgen measures Shopfront under concurrent load from a second
// process: it starts one node (the built binary) on its own database, drives
// it over HTTP with many concurrent visitors, and prints requests/s and
// latency percentiles per scenario. `make bench` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	bin         string
	duration    time.Duration
	concurrency int
	scenarios   string
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", ".data/bin/shopfront", "the shopfront binary to start")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs")
	flag.IntVar(&o.concurrency, "c", 32, "concurrent visitors")
	flag.StringVar(&o.scenarios, "scenarios", strings.Join(scenarioNames(), ","), "scenarios to run, comma separated")
	flag.Parse()

	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return errors.New("DATABASE_URL is not set (make bench provides one)")
	}
	dbURL, err := benchDatabase(adminURL)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	node, err := startNode(ctx, o.bin, dbURL)
	if err != nil {
		return err
	}
	defer node.stop()

	fmt.Printf("\nLoad from a second process: %d concurrent visitors, %s per scenario, one node (%s)\n\n", o.concurrency, o.duration, node.base)
	fmt.Printf("%-22s %10s %10s %10s %10s %10s %8s\n", "scenario", "requests", "req/s", "p50", "p90", "p99", "errors")
	for _, name := range strings.Split(o.scenarios, ",") {
		sc, ok := scenarios[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(scenarioNames(), ", "))
		}
		if sc.setup != nil {
			if err := sc.setup(ctx, dbURL); err != nil {
				return fmt.Errorf("%s setup: %w", name, err)
			}
		}
		r := load(ctx, node.base, o, sc)
		fmt.Printf("%-22s %10d %10.0f %10s %10s %10s %8d\n", name, r.n, float64(r.n)/r.elapsed.Seconds(),
			pct(r.latencies, 50), pct(r.latencies, 90), pct(r.latencies, 99), r.errors)
		if r.firstErr != nil {
			fmt.Printf("  first error: %v\n", r.firstErr)
		}
		if sc.report != nil {
			if line, err := sc.report(ctx, dbURL); err == nil {
				fmt.Println("  " + line)
			}
		}
	}
	return nil
}

// benchDatabase points at a database of its own on the same server, so a
// benchmark never touches the development shop's data.
func benchDatabase(adminURL string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", errors.New("DATABASE_URL is not a URL")
	}
	u.Path = "/shopfront_bench"
	return u.String(), nil
}

type node struct {
	base string
	cmd  *exec.Cmd
	done chan error
}

// startNode migrates and seeds the bench database and serves it on a free
// port. It runs in development mode, as `make run` does, but logs only
// warnings so the terminal stays readable.
func startNode(ctx context.Context, bin, dbURL string) (*node, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "PORT="+port, "APP_ENV=development", "LOG_LEVEL=warn", "DB_MAX_CONNS=20")
	for _, step := range []string{"migrate", "seed"} {
		cmd := exec.CommandContext(ctx, bin, step)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("shopfront %s: %v\n%s", step, err, out)
		}
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &node{base: "http://127.0.0.1:" + port, cmd: cmd, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	for {
		if resp, err := http.Get(n.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Printf("node ready %s after start\n", time.Since(started).Round(time.Millisecond))
				return n, nil
			}
		}
		select {
		case err := <-n.done:
			return nil, fmt.Errorf("shopfront serve exited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(started) > 15*time.Second {
			n.stop()
			return nil, errors.New("the node did not become ready in 15s")
		}
	}
}

func (n *node) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
	}
}

// scenario is one kind of traffic. step performs one request (or one user
// action) for a visitor and reports whether it succeeded.
type scenario struct {
	setup  func(ctx context.Context, dbURL string) error
	newVU  func(base string) (*visitor, error)
	step   func(v *visitor) error
	report func(ctx context.Context, dbURL string) (string, error)
}

type visitor struct {
	base   string
	client *http.Client
	n      int
	state  map[string]string
}

func newVisitor(base string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{
		base:  base,
		state: map[string]string{},
		client: &http.Client{
			Jar:           jar,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: false},
		},
	}
}

func (v *visitor) get(path string, headers ...string) (int, string, error) {
	req, _ := http.NewRequest(http.MethodGet, v.base+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

func (v *visitor) post(path string, form url.Values, headers ...string) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

func (v *visitor) do(req *http.Request) (int, string, error) {
	resp, err := v.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

type result struct {
	n, errors int
	elapsed   time.Duration
	latencies []time.Duration
	firstErr  error
}

func load(ctx context.Context, base string, o options, sc scenario) result {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range o.concurrency {
		wg.Go(func() {
			newVU := sc.newVU
			if newVU == nil {
				newVU = func(base string) (*visitor, error) { return newVisitor(base), nil }
			}
			v, err := newVU(base)
			var local result
			if err != nil {
				local.errors, local.firstErr = 1, err
			}
			for err == nil && ctx.Err() == nil {
				t := time.Now()
				serr := sc.step(v)
				if ctx.Err() != nil && serr != nil {
					break // cut off by the end of the run, not a failure
				}
				local.latencies = append(local.latencies, time.Since(t))
				local.n++
				v.n++
				if serr != nil {
					local.errors++
					if local.firstErr == nil {
						local.firstErr = serr
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			all.n += local.n
			all.errors += local.errors
			all.latencies = append(all.latencies, local.latencies...)
			if all.firstErr == nil {
				all.firstErr = local.firstErr
			}
		})
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	slices.Sort(all.latencies)
	return all
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := (len(sorted)*p + 99) / 100
	i = min(max(i-1, 0), len(sorted)-1)
	return sorted[i].Round(10 * time.Microsecond).String()
}

func expect(status int, body string, err error, want int) error {
	if err != nil {
		return err
	}
	if status != want {
		if len(body) > 200 {
			body = body[:200]
		}
		return fmt.Errorf("status %d, want %d: %s", status, want, body)
	}
	return nil
}

func connect(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	return pgx.Connect(ctx, dbURL)
}

var scenarios = map[string]scenario{
	"catalogue": {
		step: func(v *visitor) error {
			status, body, err := v.get("/", "Accept-Encoding", "gzip")
			return expect(status, body, err, http.StatusOK)
		},
	},
	"search-partial": {
		step: func(v *visitor) error {
			status, body, err := v.get("/?q=sourd", "HX-Request", "true", "HX-Request-Type", "partial")
			return expect(status, body, err, http.StatusOK)
		},
	},
}

var scenarioOrder = []string{"catalogue", "search-partial"}

func scenarioNames() []string { return scenarioOrder }

var _ = connect
