package db

import (
	"context"
	"sync"
	"time"
)

// NodeCopy keeps a node's copy of something every page reads from Postgres
// (the settings, the category list). It changes nothing but speed: the
// change that makes it stale NOTIFYs, and every node drops its copy
// (Invalidate); a copy older than its TTL is read again in case a
// notification was missed; while Postgres cannot answer, the last copy is
// served. Concurrent callers share one load.
type NodeCopy[T any] struct {
	load func(context.Context) (T, error)
	ttl  time.Duration

	mu      sync.Mutex
	cur     T
	loaded  bool
	fetched time.Time
	loading chan struct{} // closed when the load in flight ends
}

// NewNodeCopy keeps what load returns, each copy at most ttl.
func NewNodeCopy[T any](ttl time.Duration, load func(context.Context) (T, error)) *NodeCopy[T] {
	return &NodeCopy[T]{load: load, ttl: ttl}
}

// Get returns the copy, reading it again first when it is dropped or older
// than the TTL. The value is shared: callers must not change it.
func (c *NodeCopy[T]) Get(ctx context.Context) (T, error) {
	for {
		c.mu.Lock()
		if c.loaded && time.Since(c.fetched) < c.ttl {
			v := c.cur
			c.mu.Unlock()
			return v, nil
		}
		if wait := c.loading; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		stale, had := c.cur, c.loaded
		c.mu.Unlock()

		v, err := c.load(ctx)
		c.mu.Lock()
		c.loading = nil
		if err == nil {
			c.cur, c.fetched, c.loaded = v, time.Now(), true
		}
		c.mu.Unlock()
		close(done)
		if err != nil {
			if had {
				return stale, nil // Postgres cannot answer: the last copy will do
			}
			return v, err
		}
		return v, nil
	}
}

// Invalidate drops the copy: the next Get reads it again.
func (c *NodeCopy[T]) Invalidate() {
	c.mu.Lock()
	c.fetched = time.Time{}
	c.mu.Unlock()
}
