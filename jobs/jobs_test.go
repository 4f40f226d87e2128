package jobs_test

import (
	"strings"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/jobs"
	"shopfront/orders"
	"shopfront/shop"
	"shopfront/staffauth"
)

func TestHousekeepingDeletesOnlyWhatNobodyNeeds(t *testing.T) {
	t.Parallel()
	pool := apptest.NewPool(t, apptest.NewDatabase(t, true), 4)
	ctx := t.Context()
	now := time.Now()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	images := count("SELECT count(*) FROM images")
	// An image a replaced upload left behind two days ago, and one stored a
	// moment ago by an upload still in progress.
	for i, age := range []time.Duration{48 * time.Hour, time.Minute} {
		exec(`INSERT INTO images (sha256, content_type, byte_size, width, height, data, created_at)
		      VALUES (sha256($1::bytea), 'image/png', 1, 1, 1, '\x00', $2)`, []byte{byte(i)}, now.Add(-age))
	}
	staff := apptest.CreateStaff(t, pool, "pat@example.com", staffauth.RoleStaff)
	exec(`INSERT INTO staff_sessions (id, staff_id, created_at) VALUES
	      ('old-session-xxxxxxxxxxxxxx', $1, $2), ('signed-out-xxxxxxxxxxxxxxx', $1, $3), ('current-xxxxxxxxxxxxxxxxxx', $1, $3)`,
		staff, now.Add(-40*24*time.Hour), now.Add(-2*time.Hour))
	exec(`UPDATE staff_sessions SET revoked_at = $1 WHERE id = 'signed-out-xxxxxxxxxxxxxxx'`, now.Add(-25*time.Hour))
	exec(`INSERT INTO login_failures (email, ip, failed_at) VALUES ('a@example.com', '192.0.2.1', $1), ('a@example.com', '192.0.2.1', $2)`,
		now.Add(-25*time.Hour), now.Add(-time.Hour))

	swept, err := jobs.Housekeep(ctx, pool, now)
	if err != nil {
		t.Fatal(err)
	}
	if swept.Images != 1 || count("SELECT count(*) FROM images") != images+1 {
		t.Errorf("deleted %d images, want only the unused one from two days ago", swept.Images)
	}
	if count("SELECT count(*) FROM products p JOIN images i ON i.id = p.image_id") != count("SELECT count(*) FROM products WHERE image_id IS NOT NULL") {
		t.Error("an image a product shows was deleted")
	}
	if swept.StaffSessions != 2 || count("SELECT count(*) FROM staff_sessions WHERE id = 'current-xxxxxxxxxxxxxxxxxx'") != 1 {
		t.Errorf("deleted %d staff sessions, want the expired and the signed-out one", swept.StaffSessions)
	}
	if swept.LoginFailures != 1 || count("SELECT count(*) FROM login_failures") != 1 {
		t.Errorf("deleted %d sign-in failures, want the one older than a day", swept.LoginFailures)
	}
	// Running it again finds nothing more to do.
	if again, err := jobs.Housekeep(ctx, pool, now); err != nil || again != (jobs.Swept{}) {
		t.Fatalf("a second run: %+v, %v", again, err)
	}
}

// Every node runs a River client, but only the elected leader schedules
// periodic jobs: a cluster of three starts with one housekeeping run.
func TestHousekeepingIsScheduledOnceForTheWholeCluster(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{})
	deadline := time.Now().Add(time.Minute)
	for {
		var done int
		if err := c.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'housekeeping' AND state = 'completed'").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no housekeeping job ran")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var all int
	_ = c.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'housekeeping'").Scan(&all)
	if all != 1 {
		t.Fatalf("%d housekeeping jobs for one period, want 1", all)
	}
}

// The cluster's leader makes the slots of the schedule by itself, once a
// period: a window saved without making slots gets them from the job.
func TestTheLeaderMakesSlotsFromTheSchedule(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{NoJobs: true})
	// A Tuesday-to-Saturday window, written as an older node would have
	// left it: no slots yet.
	if _, err := c.Pool.Exec(t.Context(), `INSERT INTO schedule_rules (pickup_point_id, weekdays, starts, ends, slot_minutes, capacity)
		SELECT min(id), 124, '09:00', '11:00', 60, 4 FROM pickup_points`); err != nil {
		t.Fatal(err)
	}
	c.StartJobs()
	deadline := time.Now().Add(time.Minute)
	for {
		var done int
		if err := c.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'make_slots' AND state = 'completed'").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no make_slots job ran")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var slots, wrong, jobs int
	_ = c.Pool.QueryRow(t.Context(), "SELECT count(*) FROM pickup_slots WHERE generated").Scan(&slots)
	_ = c.Pool.QueryRow(t.Context(), `SELECT count(*) FROM pickup_slots
		WHERE extract(isodow FROM starts_at AT TIME ZONE 'Europe/London') IN (1, 7) OR capacity <> 4`).Scan(&wrong)
	_ = c.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'make_slots'").Scan(&jobs)
	// 14 days ahead hold 9 or 10 Tuesday-to-Saturday days, 2 slots each
	// (today's may have started already).
	if slots < 16 || slots > 20 || wrong != 0 || jobs != 1 {
		t.Fatalf("%d slots made (%d on the wrong days or capacity) by %d jobs; want 16–20, 0, 1", slots, wrong, jobs)
	}
}

// Finished orders older than the retention period lose their personal
// data; newer or unfinished ones keep it; the sales stay.
func TestOldOrdersAreAnonymised(t *testing.T) {
	t.Parallel()
	pool := apptest.NewPool(t, apptest.NewDatabase(t, true), 4)
	ctx := t.Context()
	now := time.Now()
	var loaf int64
	if err := pool.QueryRow(ctx, "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&loaf); err != nil {
		t.Fatal(err)
	}
	slot := apptest.AddSlot(t, pool, now.Add(48*time.Hour).Truncate(time.Hour), 100)
	out := apptest.NewOutbox(t, pool)
	place := func(key, email string, placedAt time.Time, status string) int64 {
		t.Helper()
		p, err := orders.Place(ctx, pool, out, orders.Request{
			Form: shop.CheckoutForm{Key: key, Name: "Ada Lovelace", Email: email, Phone: "0117 496 0000", Fulfilment: shop.Pickup, SlotID: slot,
				Note: "Happy birthday, Charles", Lines: []shop.OrderLine{{ProductID: loaf, Quantity: 1, ExpectedPrice: 1 << 40}}},
			Currency: "GBP", Now: now, Loc: apptest.London,
		})
		if err != nil {
			t.Fatal(err)
		}
		// As if placed then: the slot's booking rules hold at now.
		if _, err := pool.Exec(ctx, "UPDATE orders SET status = $2, placed_at = $3 WHERE id = $1", p.ID, status, placedAt); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	old := place("anonymise-old-collected", "old@example.com", now.AddDate(0, -25, 0), "collected")
	oldOpen := place("anonymise-old-still-open", "open@example.com", now.AddDate(0, -25, 0), "placed")
	recent := place("anonymise-recent-order", "recent@example.com", now.AddDate(0, -1, 0), "collected")

	n, err := jobs.Anonymise(ctx, pool, now)
	if err != nil || n != 1 {
		t.Fatalf("anonymised %d orders (%v), want 1", n, err)
	}
	var name, email, phone, note string
	var total int64
	_ = pool.QueryRow(ctx, "SELECT customer_name, customer_email, customer_phone, note, total_minor FROM orders WHERE id = $1", old).Scan(&name, &email, &phone, &note, &total)
	if name != "Anonymised" || strings.Contains(email, "old@") || phone != "000000" || note != "" || total == 0 {
		t.Fatalf("the old order keeps %q %q %q %q (total %d)", name, email, phone, note, total)
	}
	var emails int
	_ = pool.QueryRow(ctx, "SELECT count(*) FROM emails WHERE order_id = $1 AND recipient = 'old@example.com'", old).Scan(&emails)
	if emails != 0 {
		t.Fatal("the old order's emails still name the customer")
	}
	for _, id := range []int64{oldOpen, recent} {
		_ = pool.QueryRow(ctx, "SELECT customer_name FROM orders WHERE id = $1", id).Scan(&name)
		if name != "Ada Lovelace" {
			t.Fatalf("order %d was anonymised too early", id)
		}
	}
	// A shorter period, set by the owner, reaches the recent order too.
	if _, err := pool.Exec(ctx, "UPDATE shop_settings SET retention_months = 1"); err != nil {
		t.Fatal(err)
	}
	if n, err := jobs.Anonymise(ctx, pool, now.Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("with one month: anonymised %d (%v), want the recent order", n, err)
	}
}
