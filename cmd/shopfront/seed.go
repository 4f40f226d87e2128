package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"shopfront/config"
	"shopfront/db"
	"shopfront/demo"
)

// seed loads the demo shop. It only inserts what is missing, so running it
// again adds nothing.
func seed(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if cfg.Production() {
		return errors.New("seed loads a demo shop and is refused in production")
	}
	if err := db.CheckSchema(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	added, err := demo.Load(ctx, pool, cfg.Currency, cfg.Location, time.Now())
	if err != nil {
		return fmt.Errorf("loading the demo shop: %w", err)
	}
	log.Info("demo shop loaded", "products_added", added)
	if _, err := demo.LoadOwner(ctx, pool); err != nil {
		return fmt.Errorf("creating the demo owner: %w", err)
	}
	fmt.Fprintf(stdout, "\n  Demo staff sign-in (development only): %s / %s\n", demo.OwnerEmail, demo.OwnerPassword)
	return nil
}
