// Package apptest is Shopfront's test harness: a fresh migrated database
// per test, and a cluster of app nodes on one database behind a round-robin
// proxy, so that "works on one node only" cannot pass.
package apptest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"shopfront/catalogue"
	"shopfront/db"
	"shopfront/demo"
	"shopfront/jobs"
	"shopfront/outbox"
	"shopfront/shop"
)

// DefaultAdminURL is used when TEST_DATABASE_URL is unset; `make test`
// always sets it.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DemoEpoch is the "now" the demo shop is loaded at in tests, so product
// ages (and "newest" ordering) are fixed.
var DemoEpoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// adminConfig reads TEST_DATABASE_URL into pgtestdb's terms.
func adminConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		url = DefaultAdminURL
	}
	return adminConfigFor(t, url)
}

func adminConfigFor(t testing.TB, url string) pgtestdb.Config {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL is not a PostgreSQL URL: %v", err)
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       cfg.Host,
		Port:       strconv.Itoa(int(cfg.Port)),
		User:       cfg.User,
		Password:   cfg.Password,
		Database:   cfg.Database,
		Options:    "sslmode=disable",
	}
}

// migrator builds pgtestdb templates with the real migrations, optionally
// followed by the demo shop. pgtestdb keys templates by Hash, so each
// variant is migrated once per change of the migrations, not once per test.
type migrator struct {
	withDemo bool
	// server names a server other than TEST_DATABASE_URL's: pgtestdb
	// remembers templates by hash, and each server needs its own.
	server string
}

func (m migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	fmt.Fprint(h, "river", db.RiverVersions(), m.server)
	h.Write([]byte("test-shop-v2"))
	if m.withDemo {
		h.Write([]byte("demo-v1"))
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

func (m migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := db.MigratePool(ctx, pool, nil); err != nil {
		return err
	}
	if err := ConfigureShop(ctx, pool); err != nil {
		return err
	}
	if !m.withDemo {
		return nil
	}
	_, err = demo.LoadCatalogue(ctx, pool, "GBP", DemoEpoch)
	return err
}

// NewDatabase returns the URL of a fresh database for this test, migrated,
// and with the demo shop loaded when withDemo is set. It is dropped when
// the test passes and kept for inspection when it fails.
func NewDatabase(t testing.TB, withDemo bool) string {
	t.Helper()
	return newDatabase(t, adminConfig(t), migrator{withDemo: withDemo})
}

// NewDatabaseOn is NewDatabase on another server, such as a PrivatePostgres.
func NewDatabaseOn(t testing.TB, adminURL string, withDemo bool) string {
	t.Helper()
	admin := adminConfigFor(t, adminURL)
	// pgtestdb creates its role once per process and name: a role of its
	// own for this server.
	sum := sha256.Sum256([]byte(adminURL))
	admin.TestRole = &pgtestdb.Role{Username: "pgtdbuser_" + hex.EncodeToString(sum[:4]), Password: pgtestdb.DefaultRolePassword,
		Capabilities: pgtestdb.DefaultRoleCapabilities}
	return newDatabase(t, admin, migrator{withDemo: withDemo, server: adminURL})
}

func newDatabase(t testing.TB, admin pgtestdb.Config, m migrator) string {
	t.Helper()
	admin.ForceTerminateConnections = true // a test that fails mid-request may leave connections open
	return pgtestdb.Custom(t, admin, m).URL()
}

// NewPool connects a pool to url and closes it when the test ends.
func NewPool(t testing.TB, url string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	pool, err := db.Open(context.Background(), url, maxConns)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newLimitedPool connects a node's pool; the node closes it.
func newLimitedPool(t testing.TB, url string, maxConns int32, limits db.Limits) *pgxpool.Pool {
	t.Helper()
	pool, err := db.OpenLimited(context.Background(), url, maxConns, limits)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	return pool
}

// NewEmptyDatabase returns the URL of a fresh database with no schema at all.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	admin := adminConfig(t)
	admin.ForceTerminateConnections = true
	return pgtestdb.Custom(t, admin, pgtestdb.NoopMigrator{}).URL()
}

// AddSlot creates a one-hour pickup slot starting at start and returns its id.
func AddSlot(t testing.TB, pool *pgxpool.Pool, start time.Time, capacity int) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(context.Background(),
		`INSERT INTO pickup_slots (pickup_point_id, starts_at, ends_at, capacity)
		 VALUES ((SELECT min(id) FROM pickup_points WHERE active), $1, $2, $3) RETURNING id`,
		start, start.Add(time.Hour), capacity).Scan(&id)
	if err != nil {
		t.Fatalf("adding a slot: %v", err)
	}
	return id
}

// AddDeliveryDay makes a date a one-off delivery day of the test shop's
// first delivery zone, for capacity orders, and returns its id.
func AddDeliveryDay(t testing.TB, pool *pgxpool.Pool, day time.Time, capacity int) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(context.Background(),
		`INSERT INTO delivery_slots (zone_id, day, capacity)
		 VALUES ((SELECT min(id) FROM delivery_zones), $1, $2)
		 ON CONFLICT (zone_id, day) WHERE zone_id IS NOT NULL DO UPDATE SET capacity = EXCLUDED.capacity
		 RETURNING id`, day, capacity).Scan(&id)
	if err != nil {
		t.Fatalf("adding a delivery day: %v", err)
	}
	return id
}

// SetDailyLimit makes a product made to order, at most limit a day, on
// the weekdays madeOn (0: every day).
func SetDailyLimit(t testing.TB, pool *pgxpool.Pool, productID int64, limit int, madeOn shop.Weekdays) {
	t.Helper()
	if madeOn == 0 {
		madeOn = shop.AllWeek
	}
	if err := catalogue.SetDaily(context.Background(), pool, productID, catalogue.Daily{Limit: &limit, MadeOn: madeOn}, time.Now()); err != nil {
		t.Fatalf("setting a daily limit: %v", err)
	}
}

// NewOutbox is an outbox whose jobs are inserted but never run: for tests
// of the domain packages, which check what is enqueued.
func NewOutbox(t testing.TB, pool *pgxpool.Pool) *outbox.Outbox {
	t.Helper()
	inserter, err := jobs.NewInserter(pool)
	if err != nil {
		t.Fatal(err)
	}
	return outbox.New(inserter)
}

// AddDeliveryOrders inserts n delivery orders of £23.50 without lines,
// placed a minute apart (the newest a minute ago), for lists that need
// many orders to fill pages. It returns their numbers, newest first.
func AddDeliveryOrders(t testing.TB, pool *pgxpool.Pool, n int) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		WITH ins AS (
		INSERT INTO orders (token, idempotency_key, content_hash, fulfilment, delivery_address, delivery_postcode,
		                    customer_name, customer_email, customer_phone, currency, subtotal_minor, delivery_fee_minor, total_minor, placed_at)
		SELECT 'bulk-token-' || k, 'bulk-key-' || k, sha256(convert_to(k, 'UTF8')),
		       'delivery', g || ' Harbourside', 'BS1 4DJ', 'Bulk Customer ' || g, 'bulk' || g || '@example.com', '0117 496 0000',
		       'GBP', 2000, 350, 2350, now() - make_interval(mins => $1::int - g + 1)
		FROM generate_series(1, $1::int) g, LATERAL (SELECT md5(random()::text || g) AS k) r
		RETURNING number, placed_at)
		SELECT number FROM ins ORDER BY placed_at DESC, number DESC`, n)
	if err != nil {
		t.Fatalf("adding %d orders: %v", n, err)
	}
	numbers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("adding %d orders: %v", n, err)
	}
	return numbers
}

// AddSettingsChanges records n changes in the settings' log, the newest
// summarised "Change n", as if made from the command line.
func AddSettingsChanges(t testing.TB, pool *pgxpool.Pool, n int) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `
		INSERT INTO settings_changes (staff_id, section, summary, created_at)
		SELECT NULL, 'identity', 'Change ' || g, now() - make_interval(mins => $1::int - g)
		FROM generate_series(1, $1::int) g ORDER BY g`, n); err != nil {
		t.Fatalf("adding %d settings changes: %v", n, err)
	}
}
