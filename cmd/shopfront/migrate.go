package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"shopfront/config"
	"shopfront/db"
)

// migrate applies pending migrations; concurrent runs wait on an advisory
// lock, so each migration is applied once however many start together.
func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	results, err := db.Migrate(ctx, cfg.DatabaseURL, cfg.MigrationLockTimeout, nil)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "schema", r.Source, "version", r.Version, "name", r.Name, "duration", r.Duration)
	}
	if len(results) == 0 {
		log.Info("schema is up to date")
	}
	return nil
}

func migrationStatus(ctx context.Context, cfg config.Config, w io.Writer) error {
	statuses, err := db.MigrationStatus(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("reading migration status: %w", err)
	}
	for _, s := range statuses {
		applied := "pending"
		if !s.AppliedAt.IsZero() {
			applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%5d  %-40s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	river, latest, err := db.RiverStatus(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("reading the job queue's migration status: %w", err)
	}
	current := 0
	if len(river) > 0 {
		current = river[len(river)-1]
	}
	state := "up to date"
	if current < latest {
		state = "pending"
	}
	fmt.Fprintf(w, "river  job queue schema version %d of %d: %s\n", current, latest, state)
	return nil
}
