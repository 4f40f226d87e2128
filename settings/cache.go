package settings

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
)

// Channel is what a save NOTIFYs at commit.
const Channel = "shop_settings"

// Cache keeps a node's copy of the settings, which every page reads: a
// save sends NOTIFY shop_settings and every node drops its copy
// (Invalidate); see db.NodeCopy.
type Cache struct {
	*db.NodeCopy[*Settings]
}

// NewCache reads settings from pool, keeping each copy at most ttl.
func NewCache(pool *pgxpool.Pool, ttl time.Duration) *Cache {
	return &Cache{db.NewNodeCopy(ttl, func(ctx context.Context) (*Settings, error) {
		return Load(ctx, db.New(pool))
	})}
}
