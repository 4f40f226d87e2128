package jobs_test

import (
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/jobs"
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
