//go:build linux

package main

import (
	"cmp"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/cookiestate"
)

// TestImageServesWithNoShellAndNoHostFiles starts the image's command the
// way a container runtime would: inside the unpacked root (chroot), as the
// image's user, with only the image's and fly.toml's environment plus the
// secrets. Nothing from this machine is visible to it: no /etc, no CA
// bundle, no zoneinfo, no shell.
func TestImageServesWithNoShellAndNoHostFiles(t *testing.T) {
	if os.Geteuid() != 0 {
		const why = "starting the image in a chroot needs root; run the tests as root to check that the image serves"
		if os.Getenv("CI") != "" {
			t.Fatal(why + " (CI is set, so this is a failure, not a skip)")
		}
		t.Skip(why)
	}
	binary := binaryForTest(t)
	img, err := buildImage(rootFiles(binary), runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	u := writeAndUnpack(t, img)
	fly := loadFlyToml(t)
	dbURL := apptest.NewDatabase(t, false)

	port, metricsPort := freePort(t), freePort(t)
	env := slices.Clone(u.config.Env)
	for k, v := range fly.Env {
		env = append(env, k+"="+v)
	}
	env = append(env,
		// The secrets docs/deploy.md has the reader set.
		"DATABASE_URL="+dbURL,
		"COOKIE_KEYS="+cookiestate.GenerateKeySet().String(),
		"BASE_URL=https://shop.example",
		"SMTP_URL=smtp://127.0.0.1:1", "MAIL_FROM=Hilltop Bakery <orders@hilltop.example>",
		// Free ports on this machine instead of fly.toml's, and a short
		// drain so the test does not wait out the production one.
		"PORT="+port, "METRICS_PORT="+metricsPort, "SHUTDOWN_DRAIN=1s",
	)
	uid, gid := imageIDs(t, u.config.User)
	var logs syncBuffer
	cmd := &exec.Cmd{
		Path:   u.config.Cmd[0],
		Args:   u.config.Cmd,
		Env:    env,
		Dir:    cmp.Or(u.config.WorkingDir, "/"),
		Stdout: &logs,
		Stderr: &logs,
		SysProcAttr: &syscall.SysProcAttr{
			Chroot:     u.root,
			Credential: &syscall.Credential{Uid: uid, Gid: gid},
			Pdeathsig:  syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v in the image: %v", u.config.Cmd, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(60 * time.Second)
	for get(base+"/readyz").status != http.StatusOK {
		select {
		case err := <-exited:
			t.Fatalf("the binary exited in the image: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the image did not become ready within a minute:\n%s", logs.String())
		}
	}

	if r := get(base + "/healthz"); r.status != http.StatusOK || r.body != "ok\n" {
		t.Fatalf("/healthz answered %d %q", r.status, r.body)
	}
	page := get(base + "/")
	if page.status != http.StatusOK {
		t.Fatalf("the shop's front page answered %d", page.status)
	}
	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(page.body)
	if css == nil {
		t.Fatal("the front page links no stylesheet")
	}
	if r := get(base + css[1]); r.status != http.StatusOK || !strings.Contains(r.body, "{") {
		t.Fatalf("the stylesheet compiled into the binary answered %d", r.status)
	}
	metrics := get("http://127.0.0.1:" + metricsPort + fly.Metrics.Path)
	for _, want := range []string{"shopfront_http_request_duration_seconds", "pgxpool_max_conns"} {
		if metrics.status != http.StatusOK || !strings.Contains(metrics.body, want) {
			t.Fatalf("the metrics port (%s) answered %d without %s", fly.Metrics.Path, metrics.status, want)
		}
	}

	// It really is confined and unprivileged.
	pid := strconv.Itoa(cmd.Process.Pid)
	if root, err := os.Readlink("/proc/" + pid + "/root"); err != nil || root != u.root {
		t.Fatalf("the process's root is %q (%v), want the unpacked image %q", root, err, u.root)
	}
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^Uid:\s+(\d+)\s+(\d+)`).FindSubmatch(status); m == nil || string(m[1]) != fmt.Sprint(uid) || string(m[2]) != fmt.Sprint(uid) {
		t.Fatalf("the process does not run as uid %d:\n%s", uid, status)
	}
	// fly.toml asks for JSON logs: the first line an operator sees says ready.
	if !jsonLineWithMessage(logs.String(), "ready") {
		t.Fatalf("no JSON \"ready\" log line:\n%s", logs.String())
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("after SIGTERM the binary exited with %v\n%s", err, logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the binary did not stop after SIGTERM\n%s", logs.String())
	}
	if !jsonLineWithMessage(logs.String(), "stopped") {
		t.Fatalf("no clean stop in the logs:\n%s", logs.String())
	}
}
