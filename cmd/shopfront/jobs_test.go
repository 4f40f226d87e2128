package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/cookiestate"
)

// node is a shopfront process.
type node struct {
	cmd  *exec.Cmd
	base string
	logs *safeBuffer
}

// startNode runs `shopfront serve` as its own process on dbURL.
func startNode(t *testing.T, bin, dbURL string, extra ...string) *node {
	t.Helper()
	port := freePort(t)
	n := &node{base: "http://127.0.0.1:" + port, logs: &safeBuffer{}}
	n.cmd = exec.Command(bin, "serve")
	n.cmd.Env = append(os.Environ(), append([]string{
		"APP_ENV=development", "DATABASE_URL=" + dbURL, "PORT=" + port, "BASE_URL=" + n.base,
		"METRICS_PORT=0", "LOG_FORMAT=json", "DATA_DIR=" + t.TempDir(),
	}, extra...)...)
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.cmd.Process.Kill(); _ = n.cmd.Wait() })
	waitFor(t, func() bool { return status(n.base+"/readyz") == http.StatusOK }, "the node to become ready")
	return n
}

// A node that commits an order and dies at once, before any job ran: the
// emails are in Postgres with the order, and another node sends them.
func TestANodeKilledRightAfterCommitLosesNoEmail(t *testing.T) {
	dbURL := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, dbURL, 2)
	slot := apptest.AddSlot(t, pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 5)
	sink := apptest.NewMailSink(t)
	bin := binary(t)
	mailEnv := []string{"SMTP_URL=" + sink.URL(), "MAIL_FROM=Test Bakery <orders@bakery.test>",
		"COOKIE_KEYS=" + cookiestate.GenerateKeySet().String()}

	// Node A runs no jobs, so nothing can be sent before it dies.
	a := startNode(t, bin, dbURL, append(mailEnv, "JOB_WORKERS=0")...)
	shopper := apptest.NewClient(a.base)
	var loaf int64
	if err := pool.QueryRow(t.Context(), "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&loaf); err != nil {
		t.Fatal(err)
	}
	if r := shopper.PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", r.StatusCode)
	}
	// The order is committed: kill -9 the node at once.
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	var jobs int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state = 'available'").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 2 || len(sink.Messages()) != 0 {
		t.Fatalf("after the kill: %d email jobs waiting and %d emails sent, want 2 waiting and none sent", jobs, len(sink.Messages()))
	}

	// Another node picks them up.
	startNode(t, bin, dbURL, mailEnv...)
	sink.WaitFor(t, 1, time.Minute, "the confirmation", apptest.To("ada@example.com"))
	sink.WaitFor(t, 1, time.Minute, "the alert", apptest.To("shop@bakery.test"))
	waitFor(t, func() bool {
		var pending int
		_ = pool.QueryRow(context.Background(), "SELECT count(*) FROM emails WHERE status = 'pending'").Scan(&pending)
		return pending == 0
	}, "every email to be marked sent")
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("%d emails sent, want the confirmation and the alert once each", n)
	}
}

func TestStaffInviteAndResetPrintSingleUseLinks(t *testing.T) {
	dbURL := apptest.NewDatabase(t, false)
	vars := env(map[string]string{"DATABASE_URL": dbURL, "BASE_URL": "https://shop.example"})
	staff := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), append([]string{"staff"}, args...), vars, strings.NewReader(""), &out, &out)
		return out.String(), err
	}
	link := regexp.MustCompile(`https://shop\.example/admin/(invite|reset)/([A-Za-z0-9_-]{43})`)
	pool := apptest.NewPool(t, dbURL, 2)
	hashed := func(token string) int {
		var n int
		h := sha256.Sum256([]byte(token))
		_ = pool.QueryRow(t.Context(), "SELECT count(*) FROM staff_tokens WHERE token_hash = $1 AND used_at IS NULL", h[:]).Scan(&n)
		return n
	}

	out, err := staff("invite", "--email", "first@shop.example", "--role", "owner")
	m := link.FindStringSubmatch(out)
	if err != nil || m == nil || m[1] != "invite" || !strings.Contains(out, "48 hours") {
		t.Fatalf("staff invite: %v\n%s", err, out)
	}
	if hashed(m[2]) != 1 {
		t.Fatal("the printed invitation link is not the one stored")
	}
	if _, err := staff("invite", "--email", "FIRST@shop.example", "--role", "owner"); err == nil || !strings.Contains(err.Error(), "already waiting") {
		t.Fatalf("a second invitation: %v", err)
	}
	if _, err := staff("reset", "--email", "nobody@shop.example"); err == nil || !strings.Contains(err.Error(), "no active account") {
		t.Fatalf("resetting an unknown account: %v", err)
	}
	apptest.CreateStaff(t, pool, "owner@shop.example", "owner")
	out, err = staff("reset", "--email", "Owner@Shop.example")
	if m = link.FindStringSubmatch(out); err != nil || m == nil || m[1] != "reset" || hashed(m[2]) != 1 {
		t.Fatalf("staff reset: %v\n%s", err, out)
	}
}

// SIGTERM while an email is being sent: the node stops taking jobs, lets
// the one running finish, then exits; the job it had not started waits in
// Postgres for another node.
func TestSIGTERMLetsTheRunningJobFinish(t *testing.T) {
	dbURL := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, dbURL, 2)
	slot := apptest.AddSlot(t, pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 5)
	sink := apptest.NewMailSink(t)
	held, release := sink.Hold()
	defer release()
	bin := binary(t)
	mailEnv := []string{"SMTP_URL=" + sink.URL(), "MAIL_FROM=Test Bakery <orders@bakery.test>",
		"COOKIE_KEYS=" + cookiestate.GenerateKeySet().String(), "SHUTDOWN_TIMEOUT=60s"}

	a := startNode(t, bin, dbURL, append(mailEnv, "JOB_WORKERS=1")...)
	var loaf int64
	if err := pool.QueryRow(t.Context(), "SELECT id FROM products WHERE slug = 'white-sourdough-loaf'").Scan(&loaf); err != nil {
		t.Fatal(err)
	}
	if r := apptest.NewClient(a.base).PlaceOrder(t, apptest.Order{ProductID: loaf, SlotID: slot}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", r.StatusCode)
	}
	select { // one of the order's two emails is now being sent
	case <-held:
	case <-time.After(time.Minute):
		t.Fatal("no email was sent")
	}
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(a.logs.String(), `"job queue stopping`) }, "the job queue to start stopping")
	release() // the send in flight completes after the queue began to stop

	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the node exited with %v\n%s", err, a.logs.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the node did not exit")
	}
	states := map[string]int{}
	rows, err := pool.Query(t.Context(), "SELECT state, count(*) FROM river_job WHERE kind = 'send_email' GROUP BY state")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			t.Fatal(err)
		}
		states[state] = n
	}
	if states["completed"] != 1 || states["available"] != 1 || len(sink.Messages()) != 1 {
		t.Fatalf("after SIGTERM: email jobs %v and %d sent; want the running one completed and sent, the other waiting", states, len(sink.Messages()))
	}

	// Another node sends the one left.
	startNode(t, bin, dbURL, mailEnv...)
	waitFor(t, func() bool { return len(sink.Messages()) == 2 }, "the second email")
	if !strings.Contains(sink.Messages()[0].Rcpts()+sink.Messages()[1].Rcpts(), "ada@example.com") {
		t.Fatal("the customer's confirmation was not among the two")
	}
}
