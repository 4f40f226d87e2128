package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/cookiestate"
	"shopfront/demo"
	"shopfront/staffauth"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigurationProblemsAreReportedOnePerLine(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(map[string]string{
		"APP_ENV": "production", "PORT": "eighty", "SHOP_CURRENCY": "ABC", "LOG_LEVEL": "loud",
	}), nil, &out, &out)
	if err == nil {
		t.Fatal("a broken configuration started")
	}
	for _, want := range []string{"PORT must be", "DATABASE_URL is required", "COOKIE_KEYS is required in production", "BASE_URL is required in production", "SHOP_CURRENCY \"ABC\"", "LOG_LEVEL must be"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if lines := strings.Count(err.Error(), "\n"); lines < 6 {
		t.Errorf("want one line per problem, got:\n%v", err)
	}
}

func TestBadCookieKeysAreRefused(t *testing.T) {
	url := apptest.NewDatabase(t, false)
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": url, "BASE_URL": "https://shop.example", "COOKIE_KEYS": "short:keys", "PORT": freePort(t),
	}), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "COOKIE_KEYS key set 1") {
		t.Fatalf("bad keys: %v", err)
	}
}

func TestServeRefusesAStaleSchema(t *testing.T) {
	url := apptest.NewEmptyDatabase(t)
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": url, "BASE_URL": "https://shop.example",
		"COOKIE_KEYS": cookiestate.GenerateKeySet().String(), "PORT": freePort(t), "METRICS_PORT": "0",
		"SMTP_URL": "smtp://127.0.0.1:1", "MAIL_FROM": "orders@shop.example",
	}), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "run `shopfront migrate`") {
		t.Fatalf("serve on an unmigrated database: %v", err)
	}
}

func TestKeysPrintsAUsableKeySet(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"keys"}, env(nil), nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := cookiestate.ParseKeys(strings.TrimSpace(out.String())); err != nil {
		t.Fatalf("`shopfront keys` printed an unusable key set: %v", err)
	}
}

func TestSeedTwiceAddsNothing(t *testing.T) {
	url := apptest.NewDatabase(t, false)
	vars := env(map[string]string{"DATABASE_URL": url, "LOG_FORMAT": "json"})
	for i, want := range []string{`"products_added":30`, `"products_added":0`} {
		var out bytes.Buffer
		if err := run(t.Context(), []string{"seed"}, vars, nil, &out, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("seed run %d: %s, want %s", i+1, out.String(), want)
		}
	}
}

// binary builds shopfront once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shopfront")
	cmd := exec.Command("go", "build", "-o", path, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func TestGracefulShutdown(t *testing.T) {
	url := apptest.NewDatabase(t, true)
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	var logs safeBuffer
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = append(os.Environ(),
		"APP_ENV=production", "DATABASE_URL="+url, "BASE_URL=https://shop.example", "PORT="+port,
		"COOKIE_KEYS="+cookiestate.GenerateKeySet().String(), "METRICS_PORT=0",
		"SMTP_URL="+apptest.NewMailSink(t).URL(), "MAIL_FROM=orders@shop.example",
		"SHUTDOWN_DRAIN=1s", "SHUTDOWN_TIMEOUT=10s", "LOG_FORMAT=json")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitFor(t, func() bool { return status(base+"/readyz") == http.StatusOK }, "the node to become ready")
	if m := regexp.MustCompile(`"msg":"ready".*"startup":"([^"]+)"`).FindStringSubmatch(logs.String()); m != nil {
		t.Logf("startup to ready: %s", m[1])
	}

	// A slow request: the form body arrives in two parts.
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "theme=dark&view=list"
	fmt.Fprintf(conn, "POST /preferences HTTP/1.1\r\nHost: shop.example\r\nSec-Fetch-Site: same-origin\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:5])
	time.Sleep(200 * time.Millisecond) // let the handler start reading

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return status(base+"/readyz") == http.StatusServiceUnavailable }, "/readyz to turn 503")

	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request was cut off: %v", err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the in-flight request finished with %d, want 303", resp.StatusCode)
	}

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the process did not exit after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in the logs:\n%s", logs.String())
	}
}

func status(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestStaffCreateTakesThePasswordFromStdinNeverAFlag(t *testing.T) {
	url := apptest.NewDatabase(t, false)
	vars := env(map[string]string{"DATABASE_URL": url})
	create := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), append([]string{"staff", "create"}, args...), vars, strings.NewReader(stdin), &out, &out)
		return out.String(), err
	}
	if out, err := create("a long enough password\n", "--email", "first@shop.example", "--role", "owner"); err != nil || !strings.Contains(out, "Created owner account") {
		t.Fatalf("staff create: %v\n%s", err, out)
	}
	pool := apptest.NewPool(t, url, 2)
	var role, hash string
	if err := pool.QueryRow(t.Context(), "SELECT role, password_hash FROM staff WHERE email = 'first@shop.example'").Scan(&role, &hash); err != nil {
		t.Fatal(err)
	}
	if role != "owner" || !staffauth.CheckPassword("a long enough password", hash) {
		t.Fatalf("role %q, password stored wrongly", role)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"a long enough password\n", []string{"--email", "FIRST@shop.example", "--role", "staff"}, "already exists"},
		{"short\n", []string{"--email", "two@shop.example"}, "12 to 128 characters"},
		{"", []string{"--email", "three@shop.example"}, "no password"},
		{"a long enough password\n", []string{"--email", "four@shop.example", "--role", "admin"}, "owner or staff"},
		{"x\n", []string{"--email", "five@shop.example", "--password", "hunter2hunter2"}, "flag provided but not defined"},
	} {
		if _, err := create(tc.stdin, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("staff create %v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
}

func TestProductionRefusesTheDemoOwner(t *testing.T) {
	url := apptest.NewDatabase(t, true)
	pool := apptest.NewPool(t, url, 2)
	if _, err := demo.LoadOwner(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": url, "BASE_URL": "https://shop.example",
		"COOKIE_KEYS": cookiestate.GenerateKeySet().String(), "PORT": freePort(t), "METRICS_PORT": "0",
		"SMTP_URL": "smtp://127.0.0.1:1", "MAIL_FROM": "orders@shop.example",
	}), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "demo password") {
		t.Fatalf("production with the demo owner: %v", err)
	}
}
