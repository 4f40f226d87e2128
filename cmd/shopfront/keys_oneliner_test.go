package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"shopfront/config"
	"shopfront/cookiestate"
)

// docLine returns the one line of the document that starts with prefix
// (after indentation), failing unless there is exactly one.
func docLine(t *testing.T, doc, prefix string) string {
	t.Helper()
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, line := range strings.Split(string(b), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, prefix) {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s has %d lines starting with %q, want 1", doc, len(found), prefix)
	}
	return found[0]
}

// shell runs script with sh, failing the test if it fails.
func shell(t *testing.T, script string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", script).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("sh -c %q: %s", script, msg)
	}
	return string(out)
}

// loadProduction reads a production configuration with the given cookie
// keys, the way a Fly machine would with the guide's secrets.
func loadProduction(keys string) (config.Config, error) {
	vars := map[string]string{
		"APP_ENV":      "production",
		"DATABASE_URL": "postgres://shop@db.example/shop?sslmode=require",
		"BASE_URL":     "https://shop.example",
		"COOKIE_KEYS":  keys,
		"SMTP_URL":     "smtp://apikey:secret@smtp.example:587",
		"MAIL_FROM":    "Hilltop Bakery <orders@hilltop.example>",
	}
	return config.Load(func(k string) string { return vars[k] })
}

// The cookie key one-liner in docs/deploy.md, run as the reader would run
// it, makes a value the shop accepts; its check prints what the guide says.
// Variants with a typical slip are refused with a line that names the
// problem.
func TestDeployGuideKeysOneLiner(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl is not installed, so the deploy guide's cookie key one-liner cannot be checked (CI is set: failing)")
		}
		t.Skip("openssl is not installed: the deploy guide's cookie key one-liner cannot be checked here")
	}
	oneLiner := docLine(t, "../../docs/deploy.md", "COOKIE_KEYS=$(")
	check := docLine(t, "../../docs/deploy.md", `printf '%s' "$COOKIE_KEYS" | awk`)
	generate := func(t *testing.T, line string) string {
		return shell(t, line+`; printf '%s' "$COOKIE_KEYS"`)
	}

	seen := map[string]bool{}
	for range 5 { // random bytes: several draws, so a lucky one cannot pass alone
		keys := generate(t, oneLiner)
		if seen[keys] {
			t.Fatal("the one-liner printed the same keys twice")
		}
		seen[keys] = true
		if _, err := cookiestate.ParseKeys(keys); err != nil {
			t.Fatalf("the one-liner's keys %q are refused: %v", keys, err)
		}
		if _, err := loadProduction(keys); err != nil {
			t.Fatalf("a production configuration with the one-liner's keys is refused:\n%v", err)
		}
		if got := shell(t, "COOKIE_KEYS='"+keys+"'; "+check); got != "86 43\n" {
			t.Fatalf("the guide's check prints %q for good keys; the guide says 86 43", got)
		}
		// Two sets, as during a rotation, are accepted too.
		if _, err := loadProduction(keys + "," + generate(t, oneLiner)); err != nil {
			t.Fatalf("two generated key sets are refused:\n%v", err)
		}
	}

	for _, slip := range []struct {
		name, from, to, complaint string
	}{
		{"padding kept", `tr -d '\n='`, `tr -d '\n'`, "must be 64 bytes of unpadded base64url"},
		{"short block key", `-base64 32`, `-base64 24`, "block key must be 32 bytes"},
		{"keys swapped", `-base64 64 | tr -d '\n=' | tr '+/' '-_')" "$(openssl rand -base64 32`, `-base64 32 | tr -d '\n=' | tr '+/' '-_')" "$(openssl rand -base64 64`, "hash key must be 64 bytes"},
		{"no colon", `'%s:%s'`, `'%s%s'`, "must be hashkey:blockkey"},
	} {
		t.Run(slip.name, func(t *testing.T) {
			if !strings.Contains(oneLiner, slip.from) {
				t.Fatalf("the one-liner no longer contains %q; update this test with the guide", slip.from)
			}
			keys := generate(t, strings.Replace(oneLiner, slip.from, slip.to, 1))
			_, err := loadProduction(keys)
			if err == nil {
				t.Fatalf("keys made with the slip %q were accepted: %q", slip.name, keys)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "COOKIE_KEYS") || !strings.Contains(msg, slip.complaint) {
				t.Fatalf("want one line naming COOKIE_KEYS and saying %q, got:\n%s", slip.complaint, msg)
			}
			if strings.Contains(msg, keys) || (len(keys) > 20 && strings.Contains(msg, keys[:20])) {
				t.Fatalf("the error repeats the secret: %s", msg)
			}
		})
	}
}
