// Package handlers is Shopfront's HTTP layer: one route table, the
// middleware chain, one render helper and one small file per action.
// Handlers are thin: parse, call the shop rules or the database, render.
package handlers

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"shopfront/catalogue"
	"shopfront/config"
	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/live"
	"shopfront/outbox"
	"shopfront/settings"
	"shopfront/staffauth"
	"shopfront/views"
)

// Deps is what a Server needs from the outside world.
type Deps struct {
	Config config.Config
	Pool   *pgxpool.Pool
	Log    *slog.Logger
	Now    func() time.Time // nil means time.Now; tests inject a clock
	// Outbox enqueues the emails a change causes, in its transaction.
	Outbox *outbox.Outbox
	// Hub fans this node's share of order events out to its live streams.
	Hub *live.Hub
	// KeepAlive is how often an idle live stream sends a comment, so that
	// proxies keep it open; 0 is 20 s.
	KeepAlive time.Duration
	// Settings are the owner's settings, cached on this node.
	Settings *settings.Cache
	// Categories is the category list with its counts, cached on this
	// node; nil makes one that a missed change leaves stale for at most
	// catalogue.CategoriesTTL.
	Categories *catalogue.Categories
	// Health says whether the database answers, from a connection of its
	// own; nil means always assume it does.
	Health *db.Health
}

// Server is one Shopfront node's HTTP handler.
type Server struct {
	cfg        config.Config
	pool       *pgxpool.Pool
	queries    *db.Queries
	log        *slog.Logger
	now        func() time.Time
	cookies    *cookiestate.Codecs
	out        *outbox.Outbox
	echo       *echo.Echo
	paths      views.Paths
	roles      map[string]string // staff-area route name → role required
	uploads    chan struct{}     // bounds concurrent image processing (memory)
	variants   *variants         // narrower versions of display images, for srcset
	draining   atomic.Bool
	drain      chan struct{} // closed when draining starts: live streams end
	hub        *live.Hub     // nil: this node serves no live streams
	settings   *settings.Cache
	categories *catalogue.Categories
	streams    map[string]bool // route names of live streams
	keep       time.Duration
	health     *db.Health
	shown      *lastShown         // what catalogue and product pages last showed, for outages
	hashing    *staffauth.Hashing // bounds password hashing on this node
}

// New wires the middleware and the route table.
func New(d Deps) (*Server, error) {
	cookies, err := cookiestate.NewCodecs(d.Config.CookieKeys, d.Config.SecureCookies())
	if err != nil {
		return nil, err
	}
	cookies.WithStaffSession(d.Config.StaffSessionMaxAge, d.Config.StaffSessionIdle)
	s := &Server{
		cookies:    cookies,
		out:        d.Outbox,
		cfg:        d.Config,
		pool:       d.Pool,
		queries:    db.New(d.Pool),
		log:        d.Log.With("node", d.Config.NodeID),
		now:        d.Now,
		echo:       echo.New(),
		paths:      views.Paths{},
		roles:      map[string]string{},
		uploads:    make(chan struct{}, 1),
		variants:   newVariants(),
		drain:      make(chan struct{}),
		hub:        d.Hub,
		settings:   d.Settings,
		categories: d.Categories,
		streams:    map[string]bool{},
		keep:       d.KeepAlive,
		health:     d.Health,
		shown:      newLastShown(),
		hashing:    staffauth.NewHashing(0),
	}
	if s.keep == 0 {
		s.keep = 20 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.out == nil {
		return nil, errors.New("handlers: an outbox is required")
	}
	if s.categories == nil {
		s.categories = catalogue.NewCategories(d.Pool, catalogue.CategoriesTTL)
	}
	if s.settings == nil {
		s.settings = settings.NewCache(d.Pool, SettingsTTL)
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = s.clientIP
	s.routes()
	return s, nil
}

// SettingsTTL bounds how stale a node's copy of the settings can be when a
// change's notification was missed; normally it is dropped at once.
const SettingsTTL = 5 * time.Second

// Paths is the route table: route names and their path patterns, for
// links made outside a request (emails).
func (s *Server) Paths() views.Paths { return s.paths }

// devMailbox reports whether the development mailbox is served: in
// development, with no SMTP server configured.
func (s *Server) devMailbox() bool { return !s.cfg.Production() && !s.cfg.SMTPURLSet }

// ServeHTTP makes the Server an http.Handler. While draining, every
// response asks the client (the proxy) to close its connection: a proxy
// then never sends a request on a kept-alive connection this node is about
// to close, and opens new ones to the nodes it still routes to.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
	}
	if r.Method == http.MethodHead && !isStreamPath(r.URL.Path) {
		// HEAD answers as GET does, without the body: net/http drops the
		// body of a response to a HEAD request (it keeps the original
		// request), so the handlers only need to see a GET.
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		r = get
	}
	s.echo.ServeHTTP(w, r)
}

// StartDraining makes /readyz answer 503 so the proxy stops routing new
// traffic here; requests keep being served until the listener closes, each
// with "Connection: close". Open live streams end at once, so the browsers
// reconnect to another node (catching up by event id) and none holds this
// one past its shutdown.
func (s *Server) StartDraining() {
	if s.draining.CompareAndSwap(false, true) {
		close(s.drain)
	}
}

// clientIP is the address of the visitor: Fly's proxy puts it in
// Fly-Client-IP, which is only trusted when configured, since anyone can
// send that header to a node reached directly.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxyIP {
		if ip := net.ParseIP(r.Header.Get("Fly-Client-IP")); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ready reports whether this node should receive traffic: yes until it
// starts draining. The database is not part of the answer (README,
// "Readiness"): when it is away it is away for every node, and a node
// serving the catalogue from memory and saying "back in a moment" at
// checkout is better than the proxy having no node at all. It never needs
// a pooled connection, so a busy pool cannot make a node look dead.
func (s *Server) ready() (bool, string) {
	if s.draining.Load() {
		return false, "shutting down"
	}
	if !s.dbUp() {
		return true, "ready (database unreachable since " + s.health.Since().UTC().Format(time.RFC3339) + ": serving what it can)"
	}
	return true, "ready"
}

// dbUp reports whether the health check last reached the database.
func (s *Server) dbUp() bool { return s.health == nil || s.health.Up() }
