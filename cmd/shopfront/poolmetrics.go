package main

import (
	"github.com/IBM/pgxpoolprometheus"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// registerPoolMetrics exposes the database pool's counters on /metrics
// (pgxpool_acquired_conns, pgxpool_max_conns, pgxpool_empty_acquire, …), so
// an operator can see a node waiting for connections before visitors do.
// The returned func removes them again.
func registerPoolMetrics(pool *pgxpool.Pool) func() {
	c := pgxpoolprometheus.NewCollector(pool, map[string]string{"pool": "app"})
	if err := prometheus.Register(c); err != nil {
		return func() {} // already registered by an earlier serve in this process (tests)
	}
	return func() { prometheus.Unregister(c) }
}
