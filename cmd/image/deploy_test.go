package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"shopfront/config"
	"shopfront/cookiestate"
)

// flyConfig is the part of fly.toml these tests check.
type flyConfig struct {
	App         string `toml:"app"`
	KillSignal  string `toml:"kill_signal"`
	KillTimeout string `toml:"kill_timeout"`
	Build       struct {
		Dockerfile string `toml:"dockerfile"`
	} `toml:"build"`
	Deploy struct {
		ReleaseCommand string `toml:"release_command"`
		Strategy       string `toml:"strategy"`
	} `toml:"deploy"`
	Env         map[string]string `toml:"env"`
	HTTPService struct {
		InternalPort       int  `toml:"internal_port"`
		ForceHTTPS         bool `toml:"force_https"`
		MinMachinesRunning int  `toml:"min_machines_running"`
		Checks             []struct {
			GracePeriod string `toml:"grace_period"`
			Interval    string `toml:"interval"`
			Timeout     string `toml:"timeout"`
			Method      string `toml:"method"`
			Path        string `toml:"path"`
		} `toml:"checks"`
	} `toml:"http_service"`
	Metrics struct {
		Port int    `toml:"port"`
		Path string `toml:"path"`
	} `toml:"metrics"`
	VM []struct {
		Size   string `toml:"size"`
		Memory string `toml:"memory"`
	} `toml:"vm"`
}

func loadFlyToml(t *testing.T) flyConfig {
	t.Helper()
	var c flyConfig
	if _, err := toml.DecodeFile("../../fly.toml", &c); err != nil {
		t.Fatalf("fly.toml: %v", err)
	}
	return c
}

func duration(t *testing.T, what, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("fly.toml %s = %q is not a duration", what, s)
	}
	return d
}

// productionConfig is what a machine gets: fly.toml's [env] plus the
// secrets the deploy guide sets.
func productionConfig(t *testing.T, fly flyConfig) config.Config {
	t.Helper()
	vars := map[string]string{
		"DATABASE_URL": "postgres://shop@db.example/shop?sslmode=require",
		"COOKIE_KEYS":  cookiestate.GenerateKeySet().String(),
		"BASE_URL":     "https://shop.example",
		"SMTP_URL":     "smtp://apikey:secret@smtp.example:587",
		"MAIL_FROM":    "Hilltop Bakery <orders@hilltop.example>",
	}
	for k, v := range fly.Env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("fly.toml's [env] with the secrets is refused:\n%v", err)
	}
	if !cfg.Production() {
		t.Fatal("fly.toml does not set APP_ENV=production")
	}
	return cfg
}

func TestFlyTomlNamesNoApp(t *testing.T) {
	if app := loadFlyToml(t).App; app != "" {
		t.Fatalf("fly.toml names the app %q: Fly app names are global, so a reader would find out by failure; docs/deploy.md adds their own name", app)
	}
}

// The shutdown arithmetic fly.toml's comment explains: the proxy learns a
// node is leaving only when a health check fails, so the node must keep
// serving (SHUTDOWN_DRAIN) for a check interval, the check's own timeout and
// a margin for the proxy to act; then requests get SHUTDOWN_TIMEOUT to
// finish; and Fly must not kill the machine before all of that is over.
// The deploy guide's line that names the app, run on a copy of fly.toml,
// gives a valid fly.toml with that name and everything else unchanged.
func TestDeployGuideNamesTheApp(t *testing.T) {
	guide, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^printf 'app = .*$`).Find(guide)
	if line == nil {
		t.Fatal("docs/deploy.md has no line writing the app name into fly.toml")
	}
	original, err := os.ReadFile("../../fly.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/fly.toml", original, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-e", "-c", "APP=hilltop-bakery\n"+string(line))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the guide's line failed: %v\n%s", err, out)
	}
	var named, before flyConfig
	if _, err := toml.DecodeFile(dir+"/fly.toml", &named); err != nil {
		t.Fatalf("fly.toml after the guide's line: %v", err)
	}
	if named.App != "hilltop-bakery" {
		t.Fatalf("fly.toml names the app %q after the guide's line, want hilltop-bakery", named.App)
	}
	if _, err := toml.Decode(string(original), &before); err != nil {
		t.Fatal(err)
	}
	named.App = ""
	if !reflect.DeepEqual(named, before) {
		t.Fatal("the guide's line changed more of fly.toml than the app name")
	}
}

func TestFlyTomlShutdownArithmetic(t *testing.T) {
	fly := loadFlyToml(t)
	cfg := productionConfig(t, fly)
	if fly.KillSignal != "SIGTERM" && fly.KillSignal != "SIGINT" {
		t.Fatalf("kill_signal %q: the binary drains on SIGTERM or SIGINT only", fly.KillSignal)
	}
	var checks int
	for _, c := range fly.HTTPService.Checks {
		if c.Path != "/readyz" {
			continue
		}
		checks++
		interval, timeout := duration(t, "interval", c.Interval), duration(t, "timeout", c.Timeout)
		const proxyMargin = 3 * time.Second
		if need := interval + timeout + proxyMargin; cfg.ShutdownDrain < need {
			t.Errorf("SHUTDOWN_DRAIN %s is shorter than the check interval %s + its timeout %s + %s for the proxy: "+
				"the listener would close while the proxy still routes here", cfg.ShutdownDrain, interval, timeout, proxyMargin)
		}
		if timeout >= interval {
			t.Errorf("check timeout %s must be shorter than its interval %s", timeout, interval)
		}
		if grace := duration(t, "grace_period", c.GracePeriod); grace < time.Second {
			t.Errorf("grace_period %s leaves no time to start", grace)
		}
	}
	if checks != 1 {
		t.Fatalf("fly.toml has %d [[http_service.checks]] on /readyz, want 1", checks)
	}
	kill := duration(t, "kill_timeout", fly.KillTimeout)
	const exitMargin = 5 * time.Second // closing the pool and the metrics listener
	if need := cfg.ShutdownDrain + cfg.ShutdownTimeout + exitMargin; kill < need {
		t.Errorf("kill_timeout %s is shorter than SHUTDOWN_DRAIN %s + SHUTDOWN_TIMEOUT %s + %s: Fly would kill requests in flight",
			kill, cfg.ShutdownDrain, cfg.ShutdownTimeout, exitMargin)
	}
	if kill > 5*time.Minute {
		t.Errorf("kill_timeout %s is above Fly's maximum of 5 minutes", kill)
	}
}

func TestFlyTomlPortsMetricsAndRelease(t *testing.T) {
	fly := loadFlyToml(t)
	cfg := productionConfig(t, fly)
	if fly.HTTPService.InternalPort != cfg.Port {
		t.Errorf("http_service.internal_port %d, but the app listens on PORT %d", fly.HTTPService.InternalPort, cfg.Port)
	}
	if fly.Metrics.Port == 0 || fly.Metrics.Port != cfg.MetricsPort || fly.Metrics.Path != "/metrics" {
		t.Errorf("[metrics] is port %d path %q, but the app serves /metrics on METRICS_PORT %d", fly.Metrics.Port, fly.Metrics.Path, cfg.MetricsPort)
	}
	for _, p := range []int{cfg.Port, cfg.MetricsPort} {
		if !slices.Contains(imagePorts, strconv.Itoa(p)+"/tcp") {
			t.Errorf("the image does not expose port %d", p)
		}
	}
	if want := binaryPath + " migrate"; fly.Deploy.ReleaseCommand != want {
		t.Errorf("release_command %q, want %q", fly.Deploy.ReleaseCommand, want)
	}
	if fly.Build.Dockerfile != "Dockerfile" {
		t.Errorf("[build] dockerfile %q, want the repository's Dockerfile", fly.Build.Dockerfile)
	}
	if !fly.HTTPService.ForceHTTPS || fly.HTTPService.MinMachinesRunning < 2 {
		t.Errorf("want force_https and at least two machines running, have %v and %d", fly.HTTPService.ForceHTTPS, fly.HTTPService.MinMachinesRunning)
	}
}

// TestDockerfileMatchesTheImage keeps `fly deploy` (which builds the
// Dockerfile) and `go run ./cmd/image` making the same image.
func TestDockerfileMatchesTheImage(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type stage struct {
		from  string
		lines []string
	}
	var stages []stage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			t.Fatalf("Dockerfile line %q continues onto the next; keep instructions on one line so this test can read them", line)
		}
		if kw, rest, _ := strings.Cut(line, " "); strings.EqualFold(kw, "FROM") {
			stages = append(stages, stage{from: rest})
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile instruction before FROM: %q", line)
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and the final one", len(stages))
	}
	build, final := stages[0], stages[1]

	// The build stage runs the image command for the image's platform; Go
	// there is the one go.mod asks for.
	run := `RUN go run ./cmd/image -rootfs /rootfs -arch "${TARGETARCH:-amd64}"`
	if i := slices.Index(build.lines, run); i < 1 || build.lines[i-1] != "ARG TARGETARCH" {
		t.Errorf("the Dockerfile's build stage does not make its files with\n  ARG TARGETARCH\n  %s", run)
	}
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVersion == nil || !strings.HasPrefix(build.from, "golang:"+string(goVersion[1])+"-") {
		t.Errorf("the build stage is %q; go.mod asks for Go %s", build.from, goVersion[1])
	}

	if final.from != "scratch" {
		t.Errorf("the final stage is FROM %q, want scratch (the image command starts from an empty image)", final.from)
	}
	want := []string{
		"COPY --from=build /rootfs /",
		"USER " + imageUser,
		"EXPOSE " + strings.Join(trimTCP(imagePorts), " "),
		"CMD " + mustJSON(t, imageCmd),
	}
	if !slices.Equal(final.lines, want) {
		t.Errorf("the Dockerfile's final stage is\n  %s\nwant (as the image command makes it)\n  %s",
			strings.Join(final.lines, "\n  "), strings.Join(want, "\n  "))
	}
}

func trimTCP(ports []string) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		out[i] = strings.TrimSuffix(p, "/tcp")
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// The root file tree the Dockerfile copies is the one the image holds.
func TestRootfsTreeMatchesTheLayer(t *testing.T) {
	files := rootFiles([]byte("binary"))
	dir := t.TempDir()
	if err := writeTree(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		info, err := os.Stat(dir + "/" + f.name)
		if err != nil {
			t.Fatalf("the tree lacks %s: %v", f.name, err)
		}
		mode := int64(info.Mode().Perm())
		if info.Mode()&os.ModeSticky != 0 {
			mode |= 0o1000
		}
		if mode != f.mode {
			t.Errorf("%s has mode %o in the tree, %o in the image", f.name, mode, f.mode)
		}
		if !strings.HasSuffix(f.name, "/") {
			b, _ := os.ReadFile(dir + "/" + f.name)
			if string(b) != string(f.data) {
				t.Errorf("%s differs between the tree and the image", f.name)
			}
		}
	}
}
