package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"shopfront/config"
	"shopfront/db"
	"shopfront/demo"
)

// seed loads the demo shop. It only inserts what is missing, so running it
// again adds nothing.
func seed(ctx context.Context, cfg config.Config, log *slog.Logger) error {
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
	return nil
}
