package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/IBM/pgxpoolprometheus"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"shopfront/config"
)

// The deploy guide and the runbook name commands, settings and metrics;
// each must exist, or a reader pastes something that fails (or an alert
// that never fires).
var operatorDocs = []string{"../../docs/deploy.md", "../../docs/operations.md"}

// notShopfrontSettings are capitalised words in the documents' code that
// are not Shopfront's environment variables, so they need not be in
// config.Variables.
var notShopfrontSettings = map[string]string{
	// Placeholders the reader replaces, and shell variables they set.
	"APP": "placeholder", "NAME": "placeholder", "CLUSTER_ID": "placeholder", "NEW_CLUSTER_ID": "placeholder",
	"USER": "placeholder", "USERNAME": "placeholder", "PASSWORD": "placeholder", "HOST": "placeholder",
	"DATABASE": "placeholder", "XXXXXXXX": "placeholder",
	"RESTORE_URL": "shell variable",
	// Other programs' variables.
	"FLY_API_TOKEN": "flyctl", "FLY_MACHINE_ID": "Fly", "GOMEMLIMIT": "Go runtime", "CGO_ENABLED": "Go toolchain",
	// Words.
	"INFO": "log level", "ERROR": "log level", "POST": "HTTP", "GET": "HTTP",
	"CNAME": "DNS", "AAAA": "DNS", "SIGTERM": "signal", "VmHWM": "Linux", "IP": "the Fly-Client-IP header",
}

// docCode is a document's code: fenced blocks as logical lines
// (backslash continuations joined) and inline code spans; prose is the
// rest.
type docCode struct {
	lines []string // fenced lines and inline spans
	prose string
}

func readDoc(t *testing.T, path string) docCode {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d docCode
	var prose strings.Builder
	inFence, pending := false, ""
	span := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			if strings.HasSuffix(line, `\`) {
				pending += strings.TrimSuffix(line, `\`) + " "
				continue
			}
			d.lines = append(d.lines, pending+line)
			pending = ""
			continue
		}
		for _, m := range span.FindAllStringSubmatch(line, -1) {
			d.lines = append(d.lines, m[1])
		}
		prose.WriteString(span.ReplaceAllString(line, " ") + "\n")
	}
	d.prose = prose.String()
	return d
}

// usageCommands maps each command in the binary's help to its entry (the
// command's line and its continuation lines).
func usageCommands() map[string]string {
	commands := map[string]string{}
	in, current := false, ""
	for _, line := range strings.Split(usage, "\n") {
		switch {
		case line == "commands:":
			in = true
		case !in:
		case strings.HasPrefix(line, "   ") && current != "":
			commands[current] += "\n" + line
		case strings.HasPrefix(line, "  "):
			current = regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), 2)[0]
			commands[current] = line
		default:
			current = ""
		}
	}
	return commands
}

var commandMention = regexp.MustCompile(`(?:^|[\s"'(])(?:[\w./-]*/)?shopfront((?: [a-z][a-z-]*){0,2})([^"']*)`)

func TestOperatorDocsNameRealCommands(t *testing.T) {
	commands := usageCommands()
	if len(commands) < 5 {
		t.Fatalf("could not read the commands from the help text: %v", commands)
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range operatorDocs {
		d := readDoc(t, doc)
		mentions := 0
		for _, line := range d.lines {
			for _, m := range commandMention.FindAllStringSubmatch(line, -1) {
				words := strings.Fields(m[1])
				if len(words) == 0 {
					continue // the binary's path, not a command
				}
				mentions++
				cmd := ""
				if len(words) == 2 && commands[words[0]+" "+words[1]] != "" {
					cmd = words[0] + " " + words[1]
				} else if commands[words[0]] != "" {
					cmd = words[0]
				}
				if cmd == "" {
					t.Errorf("%s: `shopfront %s` is not a command in `shopfront help`", doc, strings.Join(words, " "))
					continue
				}
				for _, flag := range regexp.MustCompile(`(?:^|\s)(--[a-z][a-z-]*)`).FindAllStringSubmatch(m[2], -1) {
					if !strings.Contains(commands[cmd], flag[1]) {
						t.Errorf("%s: `shopfront %s` has no flag %s in `shopfront help`", doc, cmd, flag[1])
					}
				}
			}
			for _, m := range regexp.MustCompile(`(?:^|\s)make ([a-z][a-z-]*)`).FindAllStringSubmatch(line, -1) {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m[1]) + `:`).Match(makefile) {
					t.Errorf("%s: `make %s` is not a target in the Makefile", doc, m[1])
				}
			}
		}
		if mentions == 0 {
			t.Errorf("%s names no shopfront command: is the check still reading it?", doc)
		}
	}
}

func TestOperatorDocsNameRealSettings(t *testing.T) {
	known := map[string]bool{}
	for _, v := range config.Variables {
		known[v.Name] = true
	}
	anyCaps := regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*(?:_[A-Z0-9]+)*\b`)
	underscored := regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`)
	assigned := regexp.MustCompile(`^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=`)
	for _, doc := range operatorDocs {
		d := readDoc(t, doc)
		// Shell variables the document itself sets and then uses.
		shellVars := map[string]bool{}
		code := strings.Join(d.lines, "\n")
		for _, line := range d.lines {
			if m := assigned.FindStringSubmatch(line); m != nil && strings.Contains(code, "$"+m[1]) {
				shellVars[m[1]] = true
			}
		}
		names := map[string]bool{}
		for _, line := range d.lines {
			for _, w := range anyCaps.FindAllString(line, -1) {
				if len(w) >= 2 && (strings.ToUpper(w) == w || w == "VmHWM") {
					names[w] = true
				}
			}
		}
		for _, w := range underscored.FindAllString(d.prose, -1) {
			names[w] = true
		}
		var unknown []string
		for name := range names {
			if !known[name] && !shellVars[name] && notShopfrontSettings[name] == "" {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		if len(unknown) > 0 {
			t.Errorf("%s names settings that are not in config.Variables: %s", doc, strings.Join(unknown, ", "))
		}
	}
}

// TestRunbookNamesRealMetrics: every metric the runbook's table and alert
// rules use is one the binary exports.
func TestRunbookNamesRealMetrics(t *testing.T) {
	exported := map[string]bool{}
	descs := make(chan *prometheus.Desc, 100)
	cfg, err := pgxpool.ParseConfig("postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg) // connects lazily: never, here
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, c := range []prometheus.Collector{
		pgxpoolprometheus.NewCollector(pool, nil),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		c.Describe(descs)
	}
	close(descs)
	for d := range descs {
		if m := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(d.String()); m != nil {
			exported[m[1]] = true
		}
	}
	source := goSource(t)

	d := readDoc(t, "../../docs/operations.md")
	used := map[string]bool{}
	for _, line := range d.lines {
		for _, name := range regexp.MustCompile(`\b(?:shopfront|pgxpool|process|go)_[a-z0-9_]+`).FindAllString(line, -1) {
			used[name] = true
		}
	}
	if len(used) < 5 {
		t.Fatalf("the runbook names only %d metrics: is the check still reading it?", len(used))
	}
	for name := range used {
		base := name
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if trimmed, ok := strings.CutSuffix(name, suffix); ok && strings.HasPrefix(name, "shopfront_") {
				base = trimmed
			}
		}
		if exported[name] || definedInSource(source, base) {
			continue
		}
		t.Errorf("docs/operations.md uses the metric %s, which the binary does not export", name)
	}
}

// goSource is every non-test Go file of the module, by path.
func goSource(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && slices.Contains([]string{".data", ".git", "node_modules"}, d.Name()) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[path] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// definedInSource: a metric is defined by its full name, or by a Namespace
// "shopfront" and the rest of its name (or a Subsystem and a Name) in the
// same file.
func definedInSource(files map[string]string, name string) bool {
	rest, ok := strings.CutPrefix(name, "shopfront_")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "_")
	for _, src := range files {
		if strings.Contains(src, `"`+name+`"`) {
			return true
		}
		if !strings.Contains(src, `"shopfront"`) {
			continue
		}
		if strings.Contains(src, `"`+rest+`"`) {
			return true
		}
		for i := 1; i < len(parts); i++ { // Subsystem and Name
			if strings.Contains(src, `"`+strings.Join(parts[:i], "_")+`"`) && strings.Contains(src, `"`+strings.Join(parts[i:], "_")+`"`) {
				return true
			}
		}
	}
	return false
}
