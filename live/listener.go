package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Channels the listener follows; the NOTIFYs are sent in the transactions
// that change orders and staff sessions.
const (
	OrderChannel   = "order_events"
	SessionChannel = "staff_sessions"
)

var listenerUp = promauto.NewGauge(prometheus.GaugeOpts{
	Name: "shopfront_listener_connected",
	Help: "1 while this node's LISTEN connection to Postgres is up.",
})

// Backoff bounds the wait between reconnection attempts.
const (
	backoffFirst = 100 * time.Millisecond
	backoffMax   = 2 * time.Second
)

// Listener keeps one dedicated connection LISTENing, reconnecting by itself
// with backoff when the database or the connection goes away, and catches
// up from order_events after every reconnect.
type Listener struct {
	hub      *Hub
	cfg      *pgx.ConnConfig
	log      *slog.Logger
	failures int
	up       atomic.Bool
	also     map[string]func()
}

// Also calls fn for every notification on channel, and after every
// reconnection (a notification may have been missed meanwhile): for
// caches that a change elsewhere makes stale. Call it before Run.
func (l *Listener) Also(channel string, fn func()) {
	if l.also == nil {
		l.also = map[string]func(){}
	}
	l.also[channel] = fn
}

// NewListener prepares a listener on databaseURL publishing to hub. The
// connection is its own, outside any pool.
func NewListener(databaseURL string, hub *Hub, log *slog.Logger) (*Listener, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL")
	}
	cfg.ConnectTimeout = 5 * time.Second
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "shopfront-listener"
	return &Listener{hub: hub, cfg: cfg, log: log.With("component", "listener")}, nil
}

// Connected reports whether the LISTEN connection is up now.
func (l *Listener) Connected() bool { return l.up.Load() }

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) {
	pl := &pgxlisten.Listener{
		Connect:        l.connect,
		ReconnectDelay: -1, // connect waits with backoff itself
		LogError: func(ctx context.Context, err error) {
			l.up.Store(false)
			listenerUp.Set(0)
			if ctx.Err() == nil {
				l.log.LogAttrs(ctx, slog.LevelWarn, "listen connection", slog.String("error", err.Error()))
			}
		},
	}
	pl.Handle(OrderChannel, orderHandler{l})
	pl.Handle(SessionChannel, pgxlisten.HandlerFunc(l.sessionChanged))
	for channel, fn := range l.also {
		pl.Handle(channel, invalidator(fn))
	}
	_ = pl.Listen(ctx)
	l.up.Store(false)
	listenerUp.Set(0)
}

func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	if l.failures > 0 {
		wait := min(backoffFirst<<(l.failures-1), backoffMax)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		l.failures = min(l.failures+1, 10)
		return nil, err
	}
	if l.failures > 0 {
		l.log.Info("listen connection back", "after_failures", l.failures)
	}
	l.failures = 0
	return conn, nil
}

type orderHandler struct{ l *Listener }

func (h orderHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	var e Event
	if err := json.Unmarshal([]byte(n.Payload), &e); err != nil {
		return fmt.Errorf("order event %q: %w", n.Payload, err)
	}
	h.l.hub.Publish(e)
	return nil
}

// HandleBacklog runs after every (re)connect, once LISTEN is in place:
// whatever was committed while the connection was down is read from
// order_events and published (the hub drops what it already has).
func (h orderHandler) HandleBacklog(ctx context.Context, _ string, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT id, order_id, kind, coalesce(to_status, '') FROM order_events
		WHERE id > $1 ORDER BY id LIMIT 10000`, h.l.hub.Watermark())
	if err != nil {
		return err
	}
	var e Event
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.OrderID, &e.Kind, &e.Status}, func() error {
		h.l.hub.Publish(e)
		return nil
	})
	if err == nil {
		h.l.up.Store(true)
		listenerUp.Set(1)
	}
	return err
}

func (l *Listener) sessionChanged(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	id, err := strconv.ParseInt(n.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("staff session event %q: %w", n.Payload, err)
	}
	l.hub.Publish(Event{Kind: KindSession, StaffID: id})
	return nil
}

// KindSession is an event saying a staff member's sessions changed (signed
// out, everywhere or here; password changed; deactivated).
const KindSession = "session"

// HoldBack is how long the hub waits for an order event whose transaction
// took its id before a later one but has not committed yet.
const HoldBack = 500 * time.Millisecond

// Start makes a node's hub, starting after the newest order event there is
// now, and the listener that feeds it; run the listener with Run.
func Start(ctx context.Context, databaseURL string, pool *pgxpool.Pool, log *slog.Logger) (*Hub, *Listener, error) {
	var last int64
	if err := pool.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM order_events").Scan(&last); err != nil {
		return nil, nil, fmt.Errorf("reading the newest order event: %w", err)
	}
	hub := NewHub(last, HoldBack)
	l, err := NewListener(databaseURL, hub, log)
	return hub, l, err
}

// invalidator calls its function on every notification and every backlog.
type invalidator func()

func (f invalidator) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	f()
	return nil
}

func (f invalidator) HandleBacklog(context.Context, string, *pgx.Conn) error {
	f()
	return nil
}
