package db_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"
	"time"

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
	// Migrating leaves the catalogue's tables analysed (autovacuum never
	// would a five-row categories table): reltuples is -1 until then.
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM pg_class WHERE relname IN ('categories', 'products') AND reltuples >= 0").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Fatalf("%d of categories and products have statistics after migrating, want both", rows)
	}
}

func TestTheAppsConnectionsRunWithoutJIT(t *testing.T) {
	t.Parallel()
	pool, err := db.OpenLimited(t.Context(), apptest.NewDatabase(t, true), 1, db.Limits{StatementTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var jit string
	if err := pool.QueryRow(t.Context(), "SHOW jit").Scan(&jit); err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Fatalf("jit = %q on the app's connections, want off", jit)
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
