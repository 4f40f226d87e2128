package settings

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
)

// Channel is what a save NOTIFYs at commit.
const Channel = "shop_settings"

// Cache keeps a node's copy of the settings, which every page reads. It
// changes nothing but speed: a save sends NOTIFY shop_settings and every
// node drops its copy (Invalidate), and a copy older than the TTL is read
// again in case a notification was missed. While Postgres is unreachable
// the last copy is served.
type Cache struct {
	pool *pgxpool.Pool
	ttl  time.Duration

	mu      sync.Mutex
	cur     *Settings
	fetched time.Time
	loading chan struct{} // closed when the load in flight ends
}

// NewCache reads settings from pool, keeping each copy at most ttl.
func NewCache(pool *pgxpool.Pool, ttl time.Duration) *Cache {
	return &Cache{pool: pool, ttl: ttl}
}

// Get returns the current settings. Concurrent callers share one load.
func (c *Cache) Get(ctx context.Context) (*Settings, error) {
	for {
		c.mu.Lock()
		if c.cur != nil && time.Since(c.fetched) < c.ttl {
			s := c.cur
			c.mu.Unlock()
			return s, nil
		}
		if wait := c.loading; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		stale := c.cur
		c.mu.Unlock()

		s, err := Load(ctx, db.New(c.pool))
		c.mu.Lock()
		c.loading = nil
		if err == nil {
			c.cur, c.fetched = s, time.Now()
		}
		c.mu.Unlock()
		close(done)
		if err != nil {
			if stale != nil {
				return stale, nil // Postgres is away: the last copy will do
			}
			return nil, err
		}
		return s, nil
	}
}

// Invalidate drops the copy: the next Get reads the settings again.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.fetched = time.Time{}
	c.mu.Unlock()
}
