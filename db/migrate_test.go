package db_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"shopfront/apptest"
	"shopfront/db"
)

func TestConcurrentMigratorsApplyEachMigrationOnce(t *testing.T) {
	t.Parallel()
	url := apptest.NewEmptyDatabase(t)
	if err := db.CheckSchema(t.Context(), url); !errors.Is(err, db.ErrSchemaBehind) {
		t.Fatalf("an empty database: CheckSchema = %v, want ErrSchemaBehind", err)
	}

	// Eight nodes (or deploy steps) migrating at the same moment.
	const migrators = 8
	var wg sync.WaitGroup
	applied := make([]int, migrators)
	errs := make([]error, migrators)
	start := make(chan struct{})
	for i := range migrators {
		wg.Go(func() {
			<-start
			results, err := db.Migrate(context.Background(), url, db.DefaultMigrationLockTimeout, nil)
			applied[i], errs[i] = len(results), err
		})
	}
	close(start)
	wg.Wait()

	files, _ := fs.Glob(db.Migrations(), "*.sql")
	want := len(files) + len(db.RiverVersions())
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
		total += applied[i]
	}
	if total != want {
		t.Fatalf("migrators applied %d migrations in all, want each of the %d (ours and the job queue's) exactly once", total, want)
	}
	pool := apptest.NewPool(t, url, 2)
	var rows int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(files) {
		t.Fatalf("goose_db_version has %d applied rows, want %d", rows, len(files))
	}
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM river_migration").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(db.RiverVersions()) {
		t.Fatalf("river_migration has %d rows, want %d", rows, len(db.RiverVersions()))
	}
	if err := db.CheckSchema(t.Context(), url); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
}

func TestStockCannotGoNegative(t *testing.T) {
	t.Parallel()
	pool := apptest.NewPool(t, apptest.NewDatabase(t, true), 2)
	_, err := pool.Exec(t.Context(), "UPDATE products SET stock = -1 WHERE slug = 'duck-eggs'")
	if err == nil {
		t.Fatal("the database accepted negative stock")
	}
}
