package apptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// PrivatePostgres is a PostgreSQL server of the test's own, which the test
// may stop and restart without touching anybody else's databases.
type PrivatePostgres struct {
	AdminURL string // superuser URL of its "postgres" database
	Port     int
	dir      string
	bin      string
	asUser   []string // runuser prefix when running as root
}

// NewPrivatePostgres initialises and starts a throwaway cluster (about a
// second), stopped and removed when the test ends. Without PostgreSQL's
// server binaries the test is skipped, or fails when CI is set.
func NewPrivatePostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		const missing = "PostgreSQL's server binaries (initdb, pg_ctl) are missing: install Debian's postgresql package"
		if os.Getenv("CI") != "" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	sort.Strings(bins)
	pg := &PrivatePostgres{bin: filepath.Dir(bins[len(bins)-1])}

	// The cluster belongs to "postgres" when we are root (initdb refuses
	// root), in a directory that user can reach.
	dir, err := os.MkdirTemp("", "shopfront-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg.dir = filepath.Join(dir, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root needs the user postgres to own the test cluster")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pg.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	pg.run(t, "initdb", "-D", pg.dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale")
	pg.Start(t)
	t.Cleanup(func() { _ = pg.cmd("pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop").Run() })
	pg.AdminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.Port)
	return pg
}

func (pg *PrivatePostgres) cmd(tool string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, tool)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (pg *PrivatePostgres) run(t testing.TB, tool string, args ...string) {
	t.Helper()
	if out, err := pg.cmd(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
}

// logFile keeps the server's output: pg_ctl must not hand the server the
// test's pipes, or reading them would never end.
func (pg *PrivatePostgres) logFile() string { return filepath.Join(filepath.Dir(pg.dir), "server.log") }

func (pg *PrivatePostgres) options() string {
	return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200",
		pg.Port, filepath.Dir(pg.dir))
}

// Start starts the server and waits until it accepts connections.
func (pg *PrivatePostgres) Start(t testing.TB) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.dir, "-l", pg.logFile(), "-o", pg.options(), "-w", "-t", "30", "start")
}

// Stop stops the server at once (connections are cut, as in an outage).
func (pg *PrivatePostgres) Stop(t testing.TB) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.dir, "-m", "fast", "-w", "stop")
}

// Restart stops and starts the server, as a database restart does.
func (pg *PrivatePostgres) Restart(t testing.TB) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.dir, "-l", pg.logFile(), "-m", "fast", "-o", pg.options(), "-w", "-t", "30", "restart")
}
