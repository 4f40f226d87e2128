package config

import (
	"os"
	"shopfront/cookiestate"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestDevelopmentDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != Development || c.Port != 8080 || c.BaseURL != "http://localhost:8080" || c.SecureCookies() ||
		c.Currency != "GBP" || c.Location.String() != "Europe/London" || c.ShutdownDrain != 0 || c.MetricsPort != 0 {
		t.Fatalf("unexpected development defaults: %+v", c)
	}
}

var keys = cookiestate.GenerateKeySet().String()

func TestProductionRefusesDevelopmentDefaults(t *testing.T) {
	_, err := Load(env(map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y"}))
	if err == nil || !strings.Contains(err.Error(), "COOKIE_KEYS is required") || !strings.Contains(err.Error(), "BASE_URL is required") {
		t.Fatalf("production without keys or base URL: %v", err)
	}
	if !strings.Contains(err.Error(), "SMTP_URL is required") || !strings.Contains(err.Error(), "MAIL_FROM is required") {
		t.Fatalf("production without a mail server: %v", err)
	}
	_, err = Load(env(map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y", "COOKIE_KEYS": keys, "BASE_URL": "http://plain.example"}))
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("production over plain http: %v", err)
	}
	c, err := Load(env(map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y", "COOKIE_KEYS": keys, "BASE_URL": "https://shop.example/",
		"SMTP_URL": "smtps://orders%40shop.example:p%40ss@mail.example", "MAIL_FROM": "Hilltop Bakery <orders@shop.example>"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SecureCookies() || c.BaseURL != "https://shop.example" || c.TrustProxyIP || c.LogFormat != "json" || c.MetricsPort != 9091 || c.MetricsHost != "127.0.0.1" {
		t.Fatalf("unexpected production settings: %+v", c)
	}
	if c.SMTP.Host != "mail.example" || c.SMTP.Port != 465 || !c.SMTP.Implicit || c.SMTP.Username != "orders@shop.example" || c.SMTP.Password != "p@ss" {
		t.Fatalf("SMTP_URL read as %+v", c.SMTP)
	}
	if c.MailFrom.String() != `"Hilltop Bakery" <orders@shop.example>` || c.JobWorkers != 4 {
		t.Fatalf("MAIL_FROM read as %s, JOB_WORKERS as %d", c.MailFrom.String(), c.JobWorkers)
	}
}

// Fly-Client-IP is trusted, and metrics bound to the private network,
// only on a Fly machine: a node reached directly elsewhere would take a
// forged header for the visitor's address.
func TestOnlyAFlyMachineTrustsFlysHeaderByDefault(t *testing.T) {
	base := map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y", "COOKIE_KEYS": keys, "BASE_URL": "https://shop.example",
		"SMTP_URL": "smtp://mail.example", "MAIL_FROM": "orders@shop.example"}
	onFly := map[string]string{"FLY_APP_NAME": "hilltop", "FLY_MACHINE_ID": "e2865641fd4068"}
	for k, v := range base {
		onFly[k] = v
	}
	c, err := Load(env(onFly))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TrustProxyIP || c.MetricsHost != "fly-local-6pn" || c.NodeID != "e2865641fd4068" {
		t.Fatalf("on Fly: trust %v, metrics on %q, node %q", c.TrustProxyIP, c.MetricsHost, c.NodeID)
	}
	base["FLY_APP_NAME"] = "hilltop" // a copied variable alone is not a Fly machine
	if c, err = Load(env(base)); err != nil || c.TrustProxyIP {
		t.Fatalf("off Fly: trust %v (%v)", c.TrustProxyIP, err)
	}
	base["TRUST_PROXY"] = "true" // the operator may still say so
	if c, err = Load(env(base)); err != nil || !c.TrustProxyIP {
		t.Fatalf("TRUST_PROXY=true: trust %v (%v)", c.TrustProxyIP, err)
	}
}

// Every wait has a bound by default, and a lock may not outwait a statement.
func TestBoundedWaits(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Limits()
	if l.StatementTimeout != 5*time.Second || l.LockTimeout != 2*time.Second || l.IdleInTxTimeout != 10*time.Second ||
		l.AcquireTimeout != 2*time.Second || c.RequestTimeout != 10*time.Second || c.MigrationLockTimeout != 5*time.Second {
		t.Fatalf("defaults: %+v, request %s, migration %s", l, c.RequestTimeout, c.MigrationLockTimeout)
	}
	_, err = Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "DB_LOCK_TIMEOUT": "10s", "DB_STATEMENT_TIMEOUT": "3s", "REQUEST_TIMEOUT": "never"}))
	if err == nil || !strings.Contains(err.Error(), "DB_LOCK_TIMEOUT (10s) must not be longer") || !strings.Contains(err.Error(), "REQUEST_TIMEOUT") {
		t.Fatalf("bad waits: %v", err)
	}
}

func TestMailSettingsAreChecked(t *testing.T) {
	_, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y",
		"SMTP_URL": "http://mail.example", "MAIL_FROM": "not an address", "MAIL_REPLY_TO": "@", "JOB_WORKERS": "-1"}))
	if err == nil {
		t.Fatal("bad mail settings accepted")
	}
	for _, want := range []string{"SMTP_URL must look like", "MAIL_FROM \"not an address\"", "MAIL_REPLY_TO", "JOB_WORKERS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no line with %q in:\n%v", want, err)
		}
	}
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "SMTP_URL": "smtp://localhost:2525"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Port != 2525 || c.SMTP.Implicit || !c.SMTPURLSet {
		t.Fatalf("mail settings read as %+v", c.SMTP)
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	_, err := Load(env(map[string]string{
		"APP_ENV": "staging", "PORT": "0", "DB_MAX_CONNS": "many", "SHOP_TIMEZONE": "Mars/Olympus",
		"SHUTDOWN_TIMEOUT": "forever", "TRUST_PROXY": "maybe", "LOG_FORMAT": "xml",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, v := range []string{"APP_ENV", "PORT", "DB_MAX_CONNS", "SHOP_TIMEZONE", "SHUTDOWN_TIMEOUT", "TRUST_PROXY", "LOG_FORMAT", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("no line about %s in:\n%v", v, err)
		}
	}
}

// The README's configuration table must list exactly the variables Load reads.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables {
		row := "| `" + v.Name + "` | " + v.Default + " | " + v.Meaning + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the row:\n%s", row)
		}
	}
}

func TestCookieKeysAndPortsAreCheckedWithEverythingElse(t *testing.T) {
	_, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "COOKIE_KEYS": "not:keys", "PORT": "9000", "METRICS_PORT": "9000"}))
	if err == nil || !strings.Contains(err.Error(), "COOKIE_KEYS key set 1") || !strings.Contains(err.Error(), "METRICS_PORT must differ") {
		t.Fatalf("bad keys and clashing ports: %v", err)
	}
}
