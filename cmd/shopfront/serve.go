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

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/catalogue"
	"shopfront/config"
	"shopfront/db"
	"shopfront/demo"
	"shopfront/handlers"
	"shopfront/jobs"
	"shopfront/live"
	"shopfront/mail"
	"shopfront/outbox"
	"shopfront/settings"
	"shopfront/static"
)

// mailSender is the configured mail server, or in development without
// one, the development mailbox.
func mailSender(cfg config.Config, pool *pgxpool.Pool) mail.Sender {
	if cfg.SMTPURLSet {
		return mail.NewSMTP(cfg.SMTP, 30*time.Second)
	}
	return mail.NewMailbox(pool)
}

func mailDescription(cfg config.Config) string {
	if cfg.SMTPURLSet {
		return cfg.SMTP.String()
	}
	return "development mailbox"
}

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

	db.SetLogger(log)
	pool, err := db.OpenLimited(ctx, cfg.DatabaseURL, cfg.DBMaxConns, cfg.Limits())
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

	// The job queue has connections of its own, so that a burst of jobs
	// never takes the request pool's.
	jobPool, err := db.OpenLimited(ctx, cfg.DatabaseURL, int32(cfg.JobWorkers+3), cfg.Limits())
	if err != nil {
		return err
	}
	defer jobPool.Close()
	// The health check has a connection of its own: /readyz and the
	// outage fallbacks never wait for the request pool. When the database
	// goes away or comes back it empties both pools of dead connections.
	health, err := db.NewHealth(ctx, cfg.DatabaseURL, log, pool, jobPool)
	if err != nil {
		return err
	}
	healthCtx, stopHealth := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHealth()
	go health.Run(healthCtx)
	inserter, err := jobs.NewInserter(jobPool)
	if err != nil {
		return err
	}
	// Live streams: one LISTEN connection of its own, outside the pools.
	hub, listener, err := live.Start(ctx, cfg.DatabaseURL, pool, log)
	if err != nil {
		return err
	}
	shopSettings := settings.NewCache(pool, handlers.SettingsTTL)
	listener.Also(settings.Channel, shopSettings.Invalidate)
	categories := catalogue.NewCategories(pool, catalogue.CategoriesTTL)
	listener.Also(catalogue.Channel, categories.Invalidate)
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListening()
	go listener.Run(listenCtx)
	go static.Precompress() // before browsers ask, without delaying readiness

	app, err := handlers.New(handlers.Deps{Config: cfg, Pool: pool, Log: log, Outbox: outbox.New(inserter), Hub: hub, Settings: shopSettings, Categories: categories, Health: health})
	if err != nil {
		return err
	}
	queue, err := jobs.New(jobs.FromConfig(cfg, jobPool, mailSender(cfg, pool), app.Paths(), log))
	if err != nil {
		return err
	}
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
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

	log.Info("ready", "url", cfg.BaseURL, "env", cfg.Env, "job_workers", cfg.JobWorkers, "mail", mailDescription(cfg),
		"startup", time.Since(processStart).Round(time.Millisecond).String())
	if !cfg.Production() {
		fmt.Fprintf(stdout, "\n  Shopfront is serving at %s  (staff area: %s/admin; Ctrl-C stops it)\n", cfg.BaseURL, cfg.BaseURL)
		if !cfg.SMTPURLSet {
			fmt.Fprintf(stdout, "  Emails are not sent: read them in the development mailbox at %s/dev/mail\n", cfg.BaseURL)
		}
		fmt.Fprintln(stdout)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down", "drain", cfg.ShutdownDrain, "timeout", cfg.ShutdownTimeout)
	// From now on /readyz answers 503 and every response says
	// "Connection: close", so the proxy stops reusing connections to this
	// node as it stops routing here. Idle kept-alive connections are not
	// closed yet: the proxy may be sending on one at this very moment.
	app.StartDraining()
	// The queue stops fetching now and lets running jobs finish, in
	// parallel with the drain; what is still running at the end of the
	// timeout is cancelled and retried by another node.
	jobsStopped := make(chan error, 1)
	go func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownDrain+cfg.ShutdownTimeout)
		defer cancel()
		jobsStopped <- queue.Stop(stopCtx)
	}()
	time.Sleep(cfg.ShutdownDrain)
	// The proxy has stopped routing here by now (SHUTDOWN_DRAIN covers its
	// check interval): stop keep-alive, close idle connections and the
	// listener, and let requests in flight finish.
	srv.SetKeepAlivesEnabled(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("requests still running after %s were cut off: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := <-jobsStopped; err != nil {
		log.Warn("stopping the job queue", "error", err)
	}
	log.Info("stopped")
	return nil
}
