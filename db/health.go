package db

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var databaseUp = promauto.NewGauge(prometheus.GaugeOpts{
	Name: "shopfront_database_up",
	Help: "1 while this node's own health connection reaches the database, 0 while it does not.",
})

// Health watches whether the database answers, on a connection of its own
// (never one a request could be waiting for), and keeps the node's pools
// clean: when the database goes away or comes back, the pools drop every
// connection they hold, so none of the dead ones made before a restart is
// handed to a request afterwards.
type Health struct {
	pool     *pgxpool.Pool
	every    time.Duration
	timeout  time.Duration
	reset    []*pgxpool.Pool
	log      *slog.Logger
	up       atomic.Bool
	changed  atomic.Int64 // unix nanoseconds of the last change
	kick     chan struct{}
	lastKick atomic.Int64
}

// HealthInterval is how often Health checks the database by default.
const HealthInterval = time.Second

// NewHealth connects the health check's own one-connection pool. reset are
// the pools to empty on every change of state.
func NewHealth(ctx context.Context, databaseURL string, log *slog.Logger, reset ...*pgxpool.Pool) (*Health, error) {
	cfg, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = 1, 0
	cfg.ConnConfig.ConnectTimeout = time.Second
	cfg.ConnConfig.RuntimeParams["application_name"] = "shopfront health"
	cfg.HealthCheckPeriod = time.Minute
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false } // Check pings anyway
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	h := &Health{pool: pool, every: HealthInterval, timeout: time.Second, reset: reset, log: log, kick: make(chan struct{}, 1)}
	h.up.Store(true)
	databaseUp.Set(1)
	h.changed.Store(time.Now().UnixNano())
	return h, nil
}

// Up reports whether the last check reached the database.
func (h *Health) Up() bool { return h.up.Load() }

// Since is when the database last came back or went away.
func (h *Health) Since() time.Time { return time.Unix(0, h.changed.Load()) }

// Suspect asks for a check now, because a request found its connection
// broken; at most one every 100 ms.
func (h *Health) Suspect() {
	now := time.Now().UnixNano()
	if last := h.lastKick.Load(); now-last < int64(100*time.Millisecond) || !h.lastKick.CompareAndSwap(last, now) {
		return
	}
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Run checks until ctx ends, then closes the health connection.
func (h *Health) Run(ctx context.Context) {
	defer h.pool.Close()
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
		}
		h.Check(ctx)
	}
}

// Check pings the database once and records the outcome.
func (h *Health) Check(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	err := h.pool.Ping(ctx)
	if ctx.Err() != nil && err != nil && context.Cause(ctx) == context.Canceled {
		return h.up.Load() // shutting down: no news
	}
	up := err == nil
	if h.up.Swap(up) != up {
		h.changed.Store(time.Now().UnixNano())
		for _, p := range h.reset {
			p.Reset()
		}
		if up {
			databaseUp.Set(1)
			h.log.Info("database reachable again", "pools_reset", len(h.reset))
		} else {
			databaseUp.Set(0)
			h.log.Warn("database unreachable", "error", err.Error())
		}
	}
	return up
}
