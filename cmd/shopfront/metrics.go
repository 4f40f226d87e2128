package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"shopfront/config"
)

// serveMetrics exposes Prometheus metrics on their own port, away from the
// public one, bound to the machine's private address (METRICS_HOST: Fly's
// 6PN address on Fly, localhost elsewhere), so they are never on the
// public interface; Fly scrapes it privately. It returns a func that stops it.
func serveMetrics(cfg config.Config, log *slog.Logger) func() {
	if cfg.MetricsPort == 0 {
		return func() {}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	srv := &http.Server{
		Addr:              net.JoinHostPort(cfg.MetricsHost, strconv.Itoa(cfg.MetricsPort)),
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Warn("metrics listener stopped", "address", srv.Addr, "error", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}
