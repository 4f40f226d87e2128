package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"shopfront/cookiestate"
)

// liveBench measures the live order streams: what 1,000 open streams cost
// one node (memory and goroutines), and how long an order event takes from
// its commit to reaching browsers connected to three nodes.
func liveBench(ctx context.Context, o options, dbURL, smtpAddr string) error {
	const staffEmail, staffPassword = "bench@bench.example", "a long bench password"
	create := exec.CommandContext(ctx, o.bin, "staff", "create", "--email", staffEmail, "--role", "staff")
	create.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "APP_ENV=development", "LOG_LEVEL=warn")
	create.Stdin = strings.NewReader(staffPassword + "\n")
	if out, err := create.CombinedOutput(); err != nil && !strings.Contains(string(out), "already exists") {
		return fmt.Errorf("creating the bench staff account: %v\n%s", err, out)
	}

	var nodes []*node
	for range 3 {
		n, err := startNodeWith(ctx, o.bin, dbURL, smtpAddr, true)
		if err != nil {
			return err
		}
		defer n.stop()
		nodes = append(nodes, n)
	}
	jar, _ := cookiejar.New(nil) // one signed-in browser's cookies, valid on every node
	if err := signIn(nodes[0].base, jar, staffEmail, staffPassword); err != nil {
		return err
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var orderID, lastEvent int64
	if err := conn.QueryRow(ctx, "SELECT id FROM orders ORDER BY id LIMIT 1").Scan(&orderID); err != nil {
		return fmt.Errorf("the live benchmark needs an order (run the checkout scenario first): %w", err)
	}
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM order_events").Scan(&lastEvent); err != nil {
		return err
	}

	// Memory and goroutines per stream on one node.
	const streams = 1000
	before, err := nodes[0].metrics()
	if err != nil {
		return err
	}
	var open []*eventStream
	for range streams {
		s, err := openEventStream(nodes[0].base, jar, lastEvent, nil)
		if err != nil {
			return fmt.Errorf("opening stream %d: %w", len(open)+1, err)
		}
		open = append(open, s)
	}
	var after nodeMetrics
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if after, err = nodes[0].metrics(); err != nil {
			return err
		}
		if after.streams >= streams || time.Now().After(deadline) {
			break
		}
	}
	fmt.Printf("\nLive streams: %d open on one node (counted by the node: %.0f)\n", streams, after.streams)
	fmt.Printf("  resident memory %.1f MB → %.1f MB: %.1f KB per stream\n", before.rss/1e6, after.rss/1e6, (after.rss-before.rss)/streams/1e3)
	fmt.Printf("  heap in use %.1f MB → %.1f MB: %.1f KB per stream\n", before.heap/1e6, after.heap/1e6, (after.heap-before.heap)/streams/1e3)
	fmt.Printf("  goroutines %.0f → %.0f: %.1f per stream\n", before.goroutines, after.goroutines, (after.goroutines-before.goroutines)/streams)
	for _, s := range open {
		s.close()
	}

	// Latency from commit to browser, 50 browsers on each of three nodes.
	received := &arrivals{at: map[string][]time.Time{}}
	open = nil
	for i := range 150 {
		s, err := openEventStream(nodes[i%3].base, jar, lastEvent, received)
		if err != nil {
			return err
		}
		open = append(open, s)
	}
	defer func() {
		for _, s := range open {
			s.close()
		}
	}()
	time.Sleep(500 * time.Millisecond) // every stream subscribed
	committed := map[string]time.Time{}
	const events = 200
	for range events {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO order_events (order_id, kind, from_status, to_status) VALUES ($1, 'paid', NULL, NULL) RETURNING id`, orderID).Scan(&id); err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]any{"id": id, "order_id": orderID, "kind": "paid"})
		if _, err := tx.Exec(ctx, "SELECT pg_notify('order_events', $1)", string(payload)); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		committed[strconv.FormatInt(id, 10)] = time.Now()
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	var lat []time.Duration
	missing := 0
	received.mu.Lock()
	for id, t0 := range committed {
		got := received.at[id]
		missing += len(open) - len(got)
		for _, t1 := range got {
			lat = append(lat, t1.Sub(t0))
		}
	}
	received.mu.Unlock()
	slices.Sort(lat)
	fmt.Printf("Event latency, commit to browser: %d events × %d browsers over 3 nodes: p50 %s, p90 %s, p99 %s, max %s; %d deliveries missing\n",
		events, len(open), pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100), missing)
	return nil
}

type nodeMetrics struct{ rss, heap, goroutines, streams float64 }

var metricLine = regexp.MustCompile(`(?m)^(process_resident_memory_bytes|go_memstats_heap_inuse_bytes|go_goroutines|shopfront_live_streams\{stream="board"\}) (\S+)$`)

func (n *node) metrics() (nodeMetrics, error) {
	resp, err := http.Get(n.metricsURL)
	if err != nil {
		return nodeMetrics{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m nodeMetrics
	for _, match := range metricLine.FindAllStringSubmatch(string(body), -1) {
		v, _ := strconv.ParseFloat(match[2], 64)
		switch {
		case match[1] == "process_resident_memory_bytes":
			m.rss = v
		case match[1] == "go_memstats_heap_inuse_bytes":
			m.heap = v
		case match[1] == "go_goroutines":
			m.goroutines = v
		default:
			m.streams = v
		}
	}
	return m, nil
}

func signIn(base string, jar http.CookieJar, email, password string) error {
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/admin/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := hiddenFields(string(body))
	form.Set("email", email)
	form.Set("password", password)
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("signing the bench staff in: %d", resp.StatusCode)
	}
	return nil
}

// arrivals records when each event id reached each stream.
type arrivals struct {
	mu sync.Mutex
	at map[string][]time.Time
}

type eventStream struct {
	resp   *http.Response
	cancel context.CancelFunc
	done   chan struct{}
}

// openEventStream opens a board stream and reads it until closed,
// recording arrivals when asked to.
func openEventStream(base string, jar http.CookieJar, after int64, rec *arrivals) (*eventStream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/admin/orders/events?after=%d", base, after), nil)
	req.Header.Set("Accept", "text/event-stream")
	client := &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		return nil, fmt.Errorf("stream: %d", resp.StatusCode)
	}
	s := &eventStream{resp: resp, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if rec == nil {
				continue
			}
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				now := time.Now()
				rec.mu.Lock()
				rec.at[id] = append(rec.at[id], now)
				rec.mu.Unlock()
			}
		}
	}()
	return s, nil
}

func (s *eventStream) close() {
	s.cancel()
	s.resp.Body.Close()
	<-s.done
}

// startNodeWith starts a node on an already migrated database, with its
// metrics on a port of their own.
func startNodeWith(ctx context.Context, bin, dbURL, smtpAddr string, withMetrics bool) (*node, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "PORT="+port, "APP_ENV=development", "LOG_LEVEL=warn", "DB_MAX_CONNS=20",
		"SMTP_URL=smtp://"+smtpAddr, "MAIL_FROM=Bench Bakery <orders@bench.example>", "COOKIE_KEYS="+benchKeys)
	n := &node{base: "http://127.0.0.1:" + port, done: make(chan error, 1)}
	if withMetrics {
		mp, err := freePort()
		if err != nil {
			return nil, err
		}
		env = append(env, "METRICS_PORT="+mp)
		n.metricsURL = "http://127.0.0.1:" + mp + "/metrics"
	}
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n.cmd = cmd
	go func() { n.done <- cmd.Wait() }()
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(n.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n, nil
			}
		}
		select {
		case err := <-n.done:
			return nil, fmt.Errorf("shopfront serve exited: %v", err)
		default:
		}
		if time.Since(start) > 15*time.Second {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			return nil, errors.New("the node did not become ready in 15s")
		}
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port), nil
}

// benchKeys are the cookie keys every live bench node shares, so a
// browser signed in on one is signed in on all.
var benchKeys = cookiestate.GenerateKeySet().String()
