package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/apptest"
	"shopfront/db"
)

// TestRestoreDrill is the runbook's restore drill: a shop with real orders
// placed through its pages is dumped and restored into an empty database
// with the commands docs/operations.md gives, and the restored copy, served
// the way the runbook says, shows the same orders.
func TestRestoreDrill(t *testing.T) {
	t.Parallel()
	tools := postgresTools(t)
	// No job workers: the emails the orders cause stay queued, so nothing
	// changes between the snapshot and the dump.
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Nodes: 2, NoJobs: true})
	apptest.CreateStaff(t, c.Pool, "owner@hilltop.example", "owner")
	slot := apptest.AddSlot(t, c.Pool, time.Now().Add(26*time.Hour).Truncate(time.Hour), 10)

	type order struct {
		url, number, customer, product string
		productID                      int64
	}
	var placed []order
	for i, buy := range []struct{ slug, product, qty string }{
		{"white-sourdough-loaf", "White Sourdough Loaf", "2"},
		{"all-butter-croissant", "All-Butter Croissant", "6"},
		{"bakewell-tart", "Bakewell Tart", "1"},
	} {
		customer := fmt.Sprintf("Customer %c. Drill", 'A'+i)
		v := &visitor{t: t, hc: c.Client().HTTP, base: c.URL}
		id := productID(t, c.Pool, buy.slug)
		url, page := v.placeOrder(id, buy.qty, slot, customer)
		m := regexp.MustCompile(`Order (#\d+)`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, buy.product) {
			t.Fatalf("the order page for %s lacks its number or product", customer)
		}
		placed = append(placed, order{url, m[1], customer, buy.product, id})
	}
	before := snapshot(t, c.DatabaseURL)
	front := (&visitor{t: t, hc: c.Client().HTTP, base: c.URL}).get("/")
	imagePath := regexp.MustCompile(`/images/[0-9a-f]{64}`).FindString(front.body)
	if imagePath == "" {
		t.Fatal("the demo shop's front page shows no product image")
	}
	image := (&visitor{t: t, hc: c.Client().HTTP, base: c.URL}).get(imagePath)

	// The runbook's commands, as written there.
	target := apptest.NewEmptyDatabase(t)
	work := t.TempDir()
	cmd := exec.Command("sh", "-e", "-c", drillScript(t))
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+tools+string(os.PathListSeparator)+os.Getenv("PATH"),
		"DATABASE_URL="+c.DatabaseURL, "RESTORE_URL="+target)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the runbook's restore commands failed: %v\n%s", err, out)
	}
	contents, err := os.ReadFile(filepath.Join(work, "shop.contents"))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"orders", "order_lines", "images", "staff"} {
		if !regexp.MustCompile(`TABLE DATA public ` + table + ` `).Match(contents) {
			t.Errorf("the dump's table of contents lists no data for %s", table)
		}
	}

	// Every table, row for row, and every sequence.
	after := snapshot(t, target)
	if len(before) == 0 {
		t.Fatal("the source database has no tables")
	}
	for name, want := range before {
		if got, ok := after[name]; !ok {
			t.Errorf("%s is missing from the restored database", name)
		} else if got != want {
			t.Errorf("%s differs after the restore: %s, was %s", name, got, want)
		}
	}
	if err := db.CheckSchema(context.Background(), target); err != nil {
		t.Fatalf("the restored schema is not current without migrating: %v", err)
	}

	// Served as the runbook says: development mode on the restored copy.
	v := serveRestored(t, target)
	for _, o := range placed {
		r := v.get(o.url)
		if r.status != http.StatusOK {
			t.Fatalf("order %s's page answers %d on the restored copy", o.number, r.status)
		}
		for _, want := range []string{"Order " + o.number, o.customer, o.product} {
			if !strings.Contains(r.body, want) {
				t.Errorf("order %s's page on the restored copy lacks %q", o.number, want)
			}
		}
	}
	v.signIn("owner@hilltop.example", apptest.StaffPassword)
	board := v.get("/admin/orders")
	for _, o := range placed {
		if !strings.Contains(board.body, o.number) || !strings.Contains(board.body, o.customer) {
			t.Errorf("the restored orders board lacks order %s for %s", o.number, o.customer)
		}
	}
	if r := v.get(imagePath); r.status != http.StatusOK || r.body != image.body {
		t.Errorf("the product image %s is not served the same from the restored copy (status %d)", imagePath, r.status)
	}

	// Trading goes on: a new order continues the numbers.
	highest := 0
	for _, o := range placed {
		n, _ := strconv.Atoi(strings.TrimPrefix(o.number, "#"))
		highest = max(highest, n)
	}
	_, page := v.placeOrder(placed[0].productID, "1", slot, "After Restore")
	m := regexp.MustCompile(`Order #(\d+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("a new order on the restored copy shows no number")
	}
	if n, _ := strconv.Atoi(m[1]); n <= highest {
		t.Fatalf("a new order on the restored copy got #%d, not after #%d: the order numbers did not survive the restore", n, highest)
	}
}

// drillScript is the block after the restore drill marker in the runbook.
func drillScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- restore drill[^>]*-->\n```sh\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("docs/operations.md has no restore drill block (<!-- restore drill … --> then a sh block)")
	}
	return string(m[1])
}

// postgresTools finds a directory with pg_dump and pg_restore at least as
// new as the test server.
func postgresTools(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatal(why + " (CI is set: failing)")
		}
		t.Skip(why + ": the restore drill cannot run here")
	}
	conn, err := pgx.Connect(context.Background(), apptest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	var serverNum int
	err = conn.QueryRow(context.Background(), "SELECT current_setting('server_version_num')::int").Scan(&serverNum)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	server := serverNum / 10000

	// Debian and Ubuntu keep each major version's tools apart; elsewhere
	// they are on the PATH.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return pgMajor(b) - pgMajor(a) })
	if p, err := exec.LookPath("pg_dump"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, dir := range dirs {
		out, err := exec.Command(filepath.Join(dir, "pg_dump"), "--version").Output()
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "pg_restore")); err != nil {
			continue
		}
		m := regexp.MustCompile(`(\d+)(\.\d+)?`).FindStringSubmatch(string(out))
		if v, _ := strconv.Atoi(m[1]); v >= server {
			return dir
		}
	}
	missing(fmt.Sprintf("no pg_dump and pg_restore of PostgreSQL %d or newer found (install postgresql-client)", server))
	return ""
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// snapshot is every table's row count and a digest of its rows, and every
// sequence's position.
func snapshot(t *testing.T, databaseURL string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		var n int64
		var digest string
		q := fmt.Sprintf(`SELECT count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM public.%s t`,
			pgx.Identifier{table}.Sanitize())
		if err := conn.QueryRow(ctx, q).Scan(&n, &digest); err != nil {
			t.Fatal(err)
		}
		out["table "+table] = fmt.Sprintf("%d rows, md5 %s", n, digest)
	}
	rows, err = conn.Query(ctx, `SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var last int64
		if err := rows.Scan(&name, &last); err != nil {
			t.Fatal(err)
		}
		out["sequence "+name] = fmt.Sprintf("at %d", last)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// serveRestored runs `shopfront serve` in development mode on the restored
// database, as the runbook does, and returns a visitor for it.
func serveRestored(t *testing.T, databaseURL string) *visitor {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs safeBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{
			"DATABASE_URL": databaseURL, "APP_ENV": "development", "PORT": port,
			"DATA_DIR": t.TempDir(), "LOG_FORMAT": "json", "LOG_LEVEL": "warn",
		}), nil, io.Discard, &logs)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve on the restored copy: %v\n%s", err, logs.String())
		}
	})
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for status(base+"/readyz") != http.StatusOK {
		select {
		case err := <-done:
			t.Fatalf("serve on the restored copy stopped: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve on the restored copy did not become ready\n%s", logs.String())
		}
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &visitor{t: t, hc: hc, base: base}
}

// visitor is a browser without JavaScript: a cookie jar, forms posted from
// the shop's own pages.
type visitor struct {
	t    *testing.T
	hc   *http.Client
	base string
}

type page struct {
	status   int
	body     string
	location string
}

func (v *visitor) do(req *http.Request) page {
	v.t.Helper()
	resp, err := v.hc.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return page{resp.StatusCode, html.UnescapeString(string(b)), resp.Header.Get("Location")}
}

func (v *visitor) get(path string) page {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, v.base+path, nil)
	return v.do(req)
}

func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", v.base)
	return v.do(req)
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// form returns the hidden fields of the page at path (CSRF token,
// checkout lines, idempotency key).
func (v *visitor) form(path string) url.Values {
	v.t.Helper()
	p := v.get(path)
	if p.status != http.StatusOK {
		v.t.Fatalf("GET %s = %d", path, p.status)
	}
	form := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(p.body, -1) {
		form.Add(m[1], m[2])
	}
	return form
}

// placeOrder buys qty of the product for pickup in slot and returns the
// order's address and page.
func (v *visitor) placeOrder(product int64, qty string, slot int64, customer string) (string, string) {
	v.t.Helper()
	add := v.form("/")
	add.Set("product_id", strconv.FormatInt(product, 10))
	add.Set("quantity", qty)
	add.Set("return_to", "/")
	if r := v.post("/cart/add", add); r.status != http.StatusSeeOther {
		v.t.Fatalf("adding to the cart: %d\n%s", r.status, r.body)
	}
	checkout := v.form("/checkout")
	checkout.Set("name", customer)
	checkout.Set("email", "drill@example.com")
	checkout.Set("phone", "0117 496 0000")
	checkout.Set("fulfilment", "pickup")
	checkout.Set("slot_id", strconv.FormatInt(slot, 10))
	r := v.post("/checkout", checkout)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/orders/") {
		v.t.Fatalf("placing the order: %d %q\n%s", r.status, r.location, r.body)
	}
	return r.location, v.get(r.location).body
}

func (v *visitor) signIn(email, password string) {
	v.t.Helper()
	form := v.form("/admin/login")
	form.Set("email", email)
	form.Set("password", password)
	if r := v.post("/admin/login", form); r.status != http.StatusSeeOther {
		v.t.Fatalf("signing in on the restored copy as %s: %d", email, r.status)
	}
}

func productID(t *testing.T, pool *pgxpool.Pool, slug string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), "SELECT id FROM products WHERE slug = $1", slug).Scan(&id); err != nil {
		t.Fatalf("product %s: %v", slug, err)
	}
	return id
}
