package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"shopfront/config"
	"shopfront/db"
	"shopfront/demo"
	"shopfront/handlers"
)

// serve runs the shop until ctx is cancelled (SIGTERM/SIGINT), then drains:
// /readyz turns 503 at once, requests in flight finish, the listener
// closes, and the database pool closes last.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if cfg.Production() {
		if err := db.CheckSchema(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
	} else if err := migrate(ctx, cfg, log); err != nil {
		return err
	}

	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer registerPoolMetrics(pool)()
	if cfg.Production() {
		if demoOwner, err := demo.OwnerStillDemo(ctx, pool); err != nil {
			return err
		} else if demoOwner {
			return fmt.Errorf("the demo owner %s still has its demo password: change it or deactivate the account before serving in production", demo.OwnerEmail)
		}
	}

	app, err := handlers.New(handlers.Deps{Config: cfg, Pool: pool, Log: log})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listening on port %d: %w", cfg.Port, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	stopMetrics := serveMetrics(cfg, log)
	defer stopMetrics()

	log.Info("ready", "url", cfg.BaseURL, "env", cfg.Env, "startup", time.Since(processStart).Round(time.Millisecond).String())
	if !cfg.Production() {
		fmt.Fprintf(stdout, "\n  Shopfront is serving at %s  (staff area: %s/admin; Ctrl-C stops it)\n\n", cfg.BaseURL, cfg.BaseURL)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down", "drain", cfg.ShutdownDrain, "timeout", cfg.ShutdownTimeout)
	app.StartDraining()
	time.Sleep(cfg.ShutdownDrain)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("requests still running after %s were cut off: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
