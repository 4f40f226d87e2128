package apptest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	netmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/catalogue"
	"shopfront/config"
	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/handlers"
	"shopfront/jobs"
	"shopfront/live"
	"shopfront/mail"
	"shopfront/outbox"
	"shopfront/settings"
)

// Options shape a Cluster. The zero value is three nodes on an empty schema.
type Options struct {
	Nodes     int                             // default 3
	Demo      bool                            // load the demo shop
	Configure func(*config.Config)            // adjust each node's configuration
	Now       func() time.Time                // the nodes' clock; nil is time.Now
	Keys      []string                        // COOKIE_KEYS per node (index i % len); default one shared set
	Wrap      func(http.Handler) http.Handler // wraps each node's handler
	// NoJobs starts the nodes without job workers: jobs are inserted but
	// none runs until StartJobs.
	NoJobs bool
	// KeepAlive is how often idle live streams send a comment (0: 20 s).
	KeepAlive time.Duration
	// Postgres, when set, is the server the cluster's database is on.
	Postgres *PrivatePostgres
	// SettingsTTL is how long a node keeps the settings (0: as in production).
	SettingsTTL time.Duration
	// CategoriesTTL is how long a node keeps the category list (0: as in
	// production).
	CategoriesTTL time.Duration
	// Unconfigured starts the shop as a new owner finds it: no name, no
	// pickup point, no delivery zones.
	Unconfigured bool
}

// Node is one app instance, as a separate machine would run it.
type Node struct {
	ID       string
	URL      string // the node itself, bypassing the proxy
	App      *handlers.Server
	Pool     *pgxpool.Pool
	Config   config.Config
	Jobs     *jobs.Queue
	Hub      *live.Hub
	Listener *live.Listener
	Settings *settings.Cache
	// Categories is the node's category list cache.
	Categories *catalogue.Categories
	Health     *db.Health
	server     *httptest.Server
	dead       atomic.Bool
	stops      []func()
	stopOnce   sync.Once
}

// TestRetry retries failed jobs quickly (River's scheduler still moves a
// retried job back to the queue only every few seconds).
var TestRetry = jobs.RetryPolicy{Base: 50 * time.Millisecond, Max: 500 * time.Millisecond}

// Cluster is N nodes on one database behind a TLS round-robin proxy:
// consecutive requests through URL go to different nodes.
type Cluster struct {
	URL         string // the proxy, https
	DatabaseURL string
	Pool        *pgxpool.Pool // for setting up and checking data
	Nodes       []*Node
	Mail        *MailSink // the SMTP server every node sends to
	front       *httptest.Server
	logs        *syncBuffer
	opts        Options
	t           testing.TB
	mu          sync.Mutex // guards Nodes as StartJobs adds one
}

// NewCluster starts a cluster for the test and stops it when the test ends.
func NewCluster(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if len(opts.Keys) == 0 {
		opts.Keys = []string{cookiestate.GenerateKeySet().String()}
	}
	c := &Cluster{logs: &syncBuffer{}, Mail: NewMailSink(t), opts: opts, t: t}
	if opts.Postgres != nil {
		c.DatabaseURL = NewDatabaseOn(t, opts.Postgres.AdminURL, opts.Demo)
	} else {
		c.DatabaseURL = NewDatabase(t, opts.Demo)
	}
	c.Pool = NewPool(t, c.DatabaseURL, 8)
	if opts.Unconfigured {
		_, err := c.Pool.Exec(context.Background(), `
			UPDATE shop_settings SET name = '', description = '', phone = '', email = '', delivery_enabled = false,
			       notify_emails = '{}', configured_at = NULL;
			DELETE FROM opening_hours; DELETE FROM delivery_zones; DELETE FROM pickup_points; DELETE FROM settings_changes`)
		if err != nil {
			t.Fatalf("unconfiguring the shop: %v", err)
		}
	}

	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			n := c.pick(r.In.Header.Get(NodeHeader), &next)
			target, _ := url.Parse(n.URL)
			r.SetURL(target)
			r.Out.Host = r.In.Host // nodes see the public host, as behind Fly's proxy
			r.SetXForwarded()
			// Fly's proxy overwrites Fly-Client-IP with the real peer address.
			r.Out.Header.Set("Fly-Client-IP", strings.Split(r.In.RemoteAddr, ":")[0])
			if ip := r.In.Header.Get("X-Test-Client-IP"); ip != "" {
				r.Out.Header.Set("Fly-Client-IP", ip)
			}
			r.Out.Header.Set("X-Test-Node", n.ID)
		},
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("X-Test-Node", resp.Request.Header.Get("X-Test-Node"))
			return nil
		},
		ErrorLog: slog.NewLogLogger(slog.NewTextHandler(io.Discard, nil), slog.LevelError),
	}
	c.front = httptest.NewUnstartedServer(proxy)
	c.front.StartTLS()
	t.Cleanup(c.front.Close)
	c.URL = c.front.URL

	for i := range opts.Nodes {
		c.Nodes = append(c.Nodes, c.startNode(t, i, opts))
	}
	return c
}

func (c *Cluster) startNode(t testing.TB, i int, opts Options) *Node {
	t.Helper()
	cfg := TestConfig(c.URL, c.DatabaseURL)
	cfg.NodeID = fmt.Sprintf("node-%d", i+1)
	cfg.CookieKeys = opts.Keys[i%len(opts.Keys)]
	cfg.SMTP, _ = mail.ParseURL(c.Mail.URL())
	if opts.NoJobs {
		cfg.JobWorkers = 0
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	n := &Node{ID: cfg.NodeID, Config: cfg}
	t.Cleanup(n.stop)
	n.Pool = newLimitedPool(t, c.DatabaseURL, cfg.DBMaxConns, cfg.Limits())
	n.onStop(n.Pool.Close)
	log := slog.New(slog.NewJSONHandler(c.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	jobPool := newLimitedPool(t, c.DatabaseURL, int32(cfg.JobWorkers+3), cfg.Limits())
	n.onStop(jobPool.Close)
	health, err := db.NewHealth(context.Background(), c.DatabaseURL, log, n.Pool, jobPool)
	if err != nil {
		t.Fatal(err)
	}
	healthCtx, stopHealth := context.WithCancel(context.Background())
	checking := make(chan struct{})
	go func() { defer close(checking); health.Run(healthCtx) }()
	n.onStop(func() { stopHealth(); <-checking })
	n.Health = health
	inserter, err := jobs.NewInserter(jobPool)
	if err != nil {
		t.Fatal(err)
	}
	hub, listener, err := live.Start(context.Background(), c.DatabaseURL, n.Pool, log)
	if err != nil {
		t.Fatal(err)
	}
	n.Hub, n.Listener = hub, listener
	ttl := opts.SettingsTTL
	if ttl == 0 {
		ttl = handlers.SettingsTTL
	}
	n.Settings = settings.NewCache(n.Pool, ttl)
	listener.Also(settings.Channel, n.Settings.Invalidate)
	cttl := opts.CategoriesTTL
	if cttl == 0 {
		cttl = catalogue.CategoriesTTL
	}
	n.Categories = catalogue.NewCategories(n.Pool, cttl)
	listener.Also(catalogue.Channel, n.Categories.Invalidate)
	listenCtx, stopListening := context.WithCancel(context.Background())
	listening := make(chan struct{})
	go func() { defer close(listening); listener.Run(listenCtx) }()
	n.onStop(func() { stopListening(); <-listening })
	n.Hub, n.Listener = hub, listener
	app, err := handlers.New(handlers.Deps{Config: cfg, Pool: n.Pool, Log: log, Now: opts.Now, Outbox: outbox.New(inserter),
		Hub: hub, KeepAlive: opts.KeepAlive, Settings: n.Settings, Categories: n.Categories, Health: health})
	if err != nil {
		t.Fatalf("starting %s: %v", cfg.NodeID, err)
	}
	n.App = app
	var sender mail.Sender = mail.NewSMTP(cfg.SMTP, 10*time.Second)
	if !cfg.SMTPURLSet {
		sender = mail.NewMailbox(n.Pool)
	}
	jc := jobs.FromConfig(cfg, jobPool, sender, app.Paths(), log)
	jc.Retry, jc.Now = TestRetry, opts.Now
	if n.Jobs, err = jobs.New(jc); err != nil {
		t.Fatal(err)
	}
	if err := n.Jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	n.onStop(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.Jobs.Stop(ctx)
	})
	var h http.Handler = app
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	srv := httptest.NewServer(h)
	n.onStop(func() {
		n.App.StartDraining() // live streams end, so Close need not wait for them
		srv.Close()
	})
	n.URL, n.server = srv.URL, srv
	return n
}

// onStop adds f to what stopping the node does (last added, first run).
func (n *Node) onStop(f func()) { n.stops = append(n.stops, f) }

// stop stops the node's server, workers and pools, once.
func (n *Node) stop() {
	n.stopOnce.Do(func() {
		for i := len(n.stops) - 1; i >= 0; i-- {
			n.stops[i]()
		}
	})
}

// NodeHeader, on a request to the cluster, sends it to the node with that
// ID instead of the next one in turn.
const NodeHeader = "X-Test-Route-To"

// pick is the node a request goes to: the one named, or the next live one.
func (c *Cluster) pick(named string, next *atomic.Uint64) *Node {
	c.mu.Lock()
	nodes := slices.Clone(c.Nodes)
	c.mu.Unlock()
	for _, n := range nodes {
		if named != "" && n.ID == named {
			return n
		}
	}
	for range nodes {
		if n := nodes[next.Add(1)%uint64(len(nodes))]; !n.dead.Load() {
			return n
		}
	}
	return nodes[0]
}

// Kill stops a node the way a crash would: its connections are cut, open
// streams included, and the proxy sends nothing more to it.
func (c *Cluster) Kill(n *Node) {
	n.dead.Store(true)
	n.server.CloseClientConnections()
	n.server.Listener.Close()
}

// Replace deploys a new node in n's place with other cookie keys, as one
// step of a rolling deploy: the new node starts, the proxy sends it
// traffic instead of n, and n stops.
func (c *Cluster) Replace(t testing.TB, n *Node, cookieKeys string) *Node {
	t.Helper()
	c.mu.Lock()
	i := slices.Index(c.Nodes, n)
	c.mu.Unlock()
	if i < 0 {
		t.Fatalf("%s is not in the cluster", n.ID)
	}
	opts := c.opts
	opts.Keys = []string{cookieKeys}
	fresh := c.startNode(t, i, opts)
	c.mu.Lock()
	c.Nodes[i] = fresh
	c.mu.Unlock()
	n.dead.Store(true)
	n.stop()
	return fresh
}

// ShopInbox gets the shop's new-order alerts in tests.
const ShopInbox = "shop@bakery.test"

// StartJobs gives a cluster started with NoJobs a node that works jobs,
// as a node started after the others died would.
func (c *Cluster) StartJobs() *Node {
	c.t.Helper()
	opts := c.opts
	opts.NoJobs = false
	n := c.startNode(c.t, len(c.Nodes), opts)
	c.mu.Lock()
	c.Nodes = append(c.Nodes, n)
	c.mu.Unlock()
	return n
}

// London is the test shop's time zone.
var London = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// TestConfig is a production-like node configuration for tests.
func TestConfig(baseURL, databaseURL string) config.Config {
	london := London
	return config.Config{
		Env:             config.Production,
		Port:            8080,
		BaseURL:         baseURL,
		NodeID:          "node-1",
		DatabaseURL:     databaseURL,
		DBMaxConns:      8,
		CookieKeys:      cookiestate.GenerateKeySet().String(),
		TrustProxyIP:    true,
		Currency:        "GBP",
		Location:        london,
		LogLevel:        "debug",
		LogFormat:       "json",
		ShutdownTimeout: 5 * time.Second,
		SMTPURLSet:      true, // the cluster's MailSink
		MailFrom:        netmail.Address{Name: "Test Bakery", Address: "orders@bakery.test"},
		JobWorkers:      2,

		StaffSessionMaxAge: 12 * time.Hour,
		StaffSessionIdle:   time.Hour,

		// Bounded, but generous enough for a loaded test machine; fault
		// tests set production's values (ProductionWaits).
		StatementTimeout: 30 * time.Second,
		LockTimeout:      15 * time.Second,
		IdleInTxTimeout:  30 * time.Second,
		AcquireTimeout:   15 * time.Second,
		RequestTimeout:   90 * time.Second,
	}
}

// ProductionWaits sets config.Load's default bounded waits, for tests of
// what they do.
func ProductionWaits(cfg *config.Config) {
	cfg.StatementTimeout = 5 * time.Second
	cfg.LockTimeout = 2 * time.Second
	cfg.IdleInTxTimeout = 10 * time.Second
	cfg.AcquireTimeout = 2 * time.Second
	cfg.RequestTimeout = 10 * time.Second
}

// Logs is everything the nodes have logged so far (JSON lines).
func (c *Cluster) Logs() string { return c.logs.String() }

// Client returns a new visitor: its own cookie jar, trusting the proxy's
// certificate, and not following redirects so tests see them.
func (c *Cluster) Client() *Client {
	jar, _ := cookiejar.New(nil)
	shared := c.front.Client() // the same *http.Client on every call: copy it
	hc := &http.Client{Transport: shared.Transport, Jar: jar}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Timeout = clientTimeout
	return &Client{HTTP: hc, base: c.URL}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
