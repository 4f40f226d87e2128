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
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
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
	database    string
	live        bool
	sizes       string
	sizeRun     time.Duration
	nodes       int
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", ".data/bin/shopfront", "the shopfront binary to start")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs")
	flag.IntVar(&o.concurrency, "c", 32, "concurrent visitors")
	flag.StringVar(&o.scenarios, "scenarios", strings.Join(scenarioNames(), ","), "scenarios to run, comma separated")
	flag.StringVar(&o.database, "db", "shopfront_bench", "the database to create or reuse on DATABASE_URL's server")
	flag.StringVar(&o.sizes, "sizes", "10000,100000", "catalogue sizes to measure the catalogue's pages at, comma separated (products generated into the bench database); empty for none")
	flag.DurationVar(&o.sizeRun, "size-duration", 5*time.Second, "how long each page is loaded at each catalogue size")
	flag.IntVar(&o.nodes, "nodes", 1, "nodes to start on the one database; visitors are spread over them")
	flag.BoolVar(&o.live, "live", true, "measure live streams after the scenarios (1,000 streams on one node; latency over three)")
	flag.Parse()

	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return errors.New("DATABASE_URL is not set (make bench provides one)")
	}
	dbURL, err := benchDatabase(adminURL, o.database)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The generated products of an earlier run go: the scenarios below
	// start from the demo shop's 30.
	if err := dropGenerated(ctx, dbURL); err != nil {
		return err
	}
	sink, err := startMailSink()
	if err != nil {
		return err
	}
	defer sink.close()
	node, err := startNode(ctx, o.bin, dbURL, sink.addr)
	if err != nil {
		return err
	}
	defer node.stop()
	bases := []string{node.base}
	for range o.nodes - 1 {
		more, err := startNodeWith(ctx, o.bin, dbURL, sink.addr, false)
		if err != nil {
			return err
		}
		defer more.stop()
		bases = append(bases, more.base)
	}

	fmt.Printf("\nLoad from a second process: %d concurrent visitors, %s per scenario, %d node(s) on one database (%s); their emails go to an SMTP server in this process\n\n",
		o.concurrency, o.duration, len(bases), strings.Join(bases, ", "))
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
		mailBefore := sink.received.Load()
		r := load(ctx, bases, o, sc)
		mailed := sink.received.Load() - mailBefore
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
		if mailed > 0 {
			fmt.Printf("  emails the node delivered during the run: %d (%.0f/s)\n", mailed, float64(mailed)/r.elapsed.Seconds())
		}
	}
	if err := sizeBench(ctx, o, bases, dbURL); err != nil {
		return err
	}
	if o.live {
		node.stop()
		return liveBench(ctx, o, dbURL, sink.addr)
	}
	return nil
}

// benchDatabase points at a database of its own on the same server, so a
// benchmark never touches the development shop's data.
func benchDatabase(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", errors.New("DATABASE_URL is not a URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

type node struct {
	base       string
	metricsURL string
	cmd        *exec.Cmd
	done       chan error
}

// startNode migrates and seeds the bench database and serves it on a free
// port. It runs in development mode, as `make run` does, but logs only
// warnings so the terminal stays readable.
func startNode(ctx context.Context, bin, dbURL, smtpAddr string) (*node, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "PORT="+port, "APP_ENV=development", "LOG_LEVEL=warn", "DB_MAX_CONNS=20",
		"SMTP_URL=smtp://"+smtpAddr, "MAIL_FROM=Bench Bakery <orders@bench.example>", "COOKIE_KEYS="+benchKeys)
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

// scenario is one kind of traffic. step performs one user action for a
// visitor; it returns how long the part being measured took (0: the whole
// step) and whether it succeeded.
type scenario struct {
	setup  func(ctx context.Context, dbURL string) error
	step   func(v *visitor) (time.Duration, error)
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

// reset makes the visitor a new customer: no cookies.
func (v *visitor) reset() {
	jar, _ := cookiejar.New(nil)
	v.client.Jar = jar
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

// load runs sc with o.concurrency visitors, spread over the nodes at bases.
func load(ctx context.Context, bases []string, o options, sc scenario) result {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	start := time.Now()
	for i := range o.concurrency {
		wg.Go(func() {
			v := newVisitor(bases[i%len(bases)])
			var local result
			for ctx.Err() == nil {
				t := time.Now()
				measured, serr := sc.step(v)
				if ctx.Err() != nil && serr != nil {
					break // cut off by the end of the run, not a failure
				}
				if measured == 0 {
					measured = time.Since(t)
				}
				local.latencies = append(local.latencies, measured)
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
		step: func(v *visitor) (time.Duration, error) {
			status, body, err := v.get("/", "Accept-Encoding", "gzip")
			return 0, expect(status, body, err, http.StatusOK)
		},
	},
	"search-partial": {
		step: func(v *visitor) (time.Duration, error) {
			status, body, err := v.get("/?q=sourd", "HX-Request", "true", "HX-Request-Type", "partial")
			return 0, expect(status, body, err, http.StatusOK)
		},
	},
	"add-to-cart": {
		setup: plentyOfStock,
		// An htmx add-to-cart click: the cart cookie grows with each one.
		step: func(v *visitor) (time.Duration, error) {
			id := productIDs[v.n%len(productIDs)]
			status, body, err := v.post("/cart/add", url.Values{"product_id": {fmt.Sprint(id)}, "quantity": {"1"}},
				"HX-Request", "true", "HX-Request-Type", "partial")
			return 0, expect(status, body, err, http.StatusOK)
		},
	},
	"checkout-hot-product": {
		setup: hotProduct,
		// A new buyer each time: one loaf into the cart, open checkout,
		// place the order. Only placing the order is timed.
		step: func(v *visitor) (time.Duration, error) {
			v.reset()
			status, body, err := v.post("/cart/add", url.Values{"product_id": {fmt.Sprint(hotProductID)}, "quantity": {"1"}})
			if err := expect(status, body, err, http.StatusSeeOther); err != nil {
				return 0, err
			}
			status, body, err = v.get("/checkout")
			if err := expect(status, body, err, http.StatusOK); err != nil {
				return 0, err
			}
			form := hiddenFields(body)
			form.Set("name", "Load Test")
			form.Set("email", "load@example.com")
			form.Set("phone", "0117 496 0000")
			form.Set("fulfilment", "pickup")
			form.Set("slot_id", fmt.Sprint(hotSlotIDs[v.n%len(hotSlotIDs)]))
			t := time.Now()
			status, body, err = v.post("/checkout", form)
			took := time.Since(t)
			return took, expect(status, body, err, http.StatusSeeOther)
		},
		report: func(ctx context.Context, dbURL string) (string, error) {
			conn, err := connect(ctx, dbURL)
			if err != nil {
				return "", err
			}
			defer conn.Close(ctx)
			var orders, sold int64
			err = conn.QueryRow(ctx, `SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0) FROM orders o
				JOIN order_lines l ON l.order_id = o.id WHERE l.product_id = $1`, hotProductID).Scan(&orders, &sold)
			return fmt.Sprintf("orders for the hot product in the database: %d (units %d)", orders, sold), err
		},
	},
}

var scenarioOrder = []string{"catalogue", "search-partial", "add-to-cart", "checkout-hot-product"}

func scenarioNames() []string { return scenarioOrder }

var (
	productIDs   []int64
	hotProductID int64
	hotSlotIDs   []int64
)

// plentyOfStock makes sure adding to carts never runs out.
func plentyOfStock(ctx context.Context, dbURL string) error {
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// Every simulated buyer comes from this machine: lift the per-customer
	// hourly order limit, and let products be bought from stock.
	if _, err := conn.Exec(ctx, "UPDATE products SET stock = 1000000, active = true, daily_limit = NULL, max_per_order = NULL"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "UPDATE shop_settings SET orders_per_hour = 0"); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, "SELECT id FROM products ORDER BY id")
	if err != nil {
		return err
	}
	productIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	return err
}

// hotProduct is one loaf every buyer wants, and one big pickup slot.
func hotProduct(ctx context.Context, dbURL string) error {
	if err := plentyOfStock(ctx, dbURL); err != nil {
		return err
	}
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&hotProductID); err != nil {
		return err
	}
	// Older schemas (a build from before emails, for comparison) lack the
	// email tables.
	if _, err := conn.Exec(ctx, `DO $$ BEGIN
		IF to_regclass('emails') IS NOT NULL THEN DELETE FROM emails WHERE order_id IS NOT NULL; END IF;
		IF to_regclass('river_job') IS NOT NULL THEN DELETE FROM river_job; END IF;
	END $$`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "DELETE FROM stock_movements WHERE order_id IS NOT NULL; DELETE FROM order_events; DELETE FROM order_lines; DELETE FROM orders"); err != nil {
		return err
	}
	// Slots cap at 1000 places, so spread buyers over many of them.
	rows, err := conn.Query(ctx, `INSERT INTO pickup_slots (pickup_point_id, starts_at, ends_at, capacity)
		SELECT (SELECT min(id) FROM pickup_points WHERE active), date_trunc('hour', now()) + make_interval(days => 3, hours => g), date_trunc('hour', now()) + make_interval(days => 3, hours => g + 1), 1000
		FROM generate_series(1, 40) g
		ON CONFLICT (pickup_point_id, starts_at) DO UPDATE SET capacity = 1000, booked = 0, closed = false RETURNING id`)
	if err != nil {
		return err
	}
	hotSlotIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	return err
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

func hiddenFields(page string) url.Values {
	form := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	return form
}
