// Package config reads Shopfront's configuration from environment variables
// and validates all of it at start, reporting one clear line per problem.
package config

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/mail"
	"shopfront/shop"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Config is everything the process needs to know from its environment.
type Config struct {
	Env     string // APP_ENV
	Port    int    // PORT
	BaseURL string // BASE_URL, without trailing slash
	NodeID  string // NODE_ID, FLY_MACHINE_ID or the host name

	DatabaseURL  string // DATABASE_URL
	DBMaxConns   int32  // DB_MAX_CONNS
	CookieKeys   string // COOKIE_KEYS (parsed by cookiestate)
	DataDir      string // DATA_DIR: development-only files (generated cookie keys)
	MetricsPort  int    // METRICS_PORT; 0 disables the metrics listener
	MetricsHost  string // METRICS_HOST: the address the metrics listener binds
	TrustProxyIP bool   // TRUST_PROXY: take the client IP from Fly-Client-IP
	OnFly        bool   // FLY_APP_NAME and FLY_MACHINE_ID are set: running on a Fly machine

	// Bounded waits.
	StatementTimeout     time.Duration // DB_STATEMENT_TIMEOUT
	LockTimeout          time.Duration // DB_LOCK_TIMEOUT
	IdleInTxTimeout      time.Duration // DB_IDLE_IN_TRANSACTION_TIMEOUT
	AcquireTimeout       time.Duration // DB_ACQUIRE_TIMEOUT
	RequestTimeout       time.Duration // REQUEST_TIMEOUT
	MigrationLockTimeout time.Duration // MIGRATION_LOCK_TIMEOUT

	Currency string         // SHOP_CURRENCY (ISO 4217)
	Location *time.Location // SHOP_TIMEZONE

	LogLevel  string // LOG_LEVEL: debug, info, warn, error
	LogFormat string // LOG_FORMAT: text or json

	SMTP       mail.Server     // SMTP_URL; zero in development without one (the mailbox)
	SMTPURLSet bool            // SMTP_URL was given
	MailFrom   netmail.Address // MAIL_FROM
	ReplyTo    *netmail.Address
	JobWorkers int // JOB_WORKERS

	StaffSessionMaxAge time.Duration // STAFF_SESSION_MAX_AGE
	StaffSessionIdle   time.Duration // STAFF_SESSION_IDLE

	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT: drain budget after SIGTERM
	ShutdownDrain   time.Duration // SHUTDOWN_DRAIN: time /readyz reports 503 before the listener closes
}

// Variable documents one environment variable; the README table is kept in
// step with this list by a test.
type Variable struct {
	Name, Default, Meaning string
}

// Variables lists every environment variable Shopfront reads.
var Variables = []Variable{
	{"APP_ENV", "development", "`development` or `production`. Production refuses development defaults (missing `COOKIE_KEYS`, demo data, plain-http cookies)."},
	{"PORT", "8080", "HTTP port to listen on."},
	{"BASE_URL", "http://localhost:$PORT", "Public URL of the shop, used in links that leave the site. Required in production; `https://` turns on `Secure` and `__Host-` cookies."},
	{"DATABASE_URL", "(set by `make run`)", "PostgreSQL connection URL. Required."},
	{"DB_MAX_CONNS", "10", "Maximum connections in this node's pool (1–200)."},
	{"COOKIE_KEYS", "(development: generated into `DATA_DIR`)", "Cookie key sets, comma separated, newest first; each `hashkey:blockkey` in unpadded base64url. `shopfront keys` prints one. Required in production."},
	{"DATA_DIR", ".data", "Development only: where generated cookie keys are kept so restarts keep carts."},
	{"NODE_ID", "`FLY_MACHINE_ID`, else the host name", "Name of this node in logs."},
	{"DB_STATEMENT_TIMEOUT", "5s", "A database statement running longer is cancelled and the visitor asked to try again (503)."},
	{"DB_LOCK_TIMEOUT", "2s", "A statement waiting longer for a row or table lock gives up (503), so one held lock never queues the whole shop."},
	{"DB_IDLE_IN_TRANSACTION_TIMEOUT", "10s", "Postgres ends a transaction left idle this long (a frozen node), releasing its locks; nothing of it is written."},
	{"DB_ACQUIRE_TIMEOUT", "2s", "How long a request waits for a free connection of this node's pool before answering 503."},
	{"REQUEST_TIMEOUT", "10s", "Deadline of every request except live streams; what is still waiting on the database then answers 503 with `Retry-After`."},
	{"MIGRATION_LOCK_TIMEOUT", "5s", "How long a migration waits for a table lock before failing (nothing applied), rather than stalling the shop behind it."},
	{"METRICS_PORT", "9091 (production), 0 (development)", "Port for Prometheus `/metrics`, kept off the public port; 0 disables it."},
	{"METRICS_HOST", "`fly-local-6pn` on Fly, else 127.0.0.1", "Address the metrics listener binds: the machine's private address, never the public interface unless set (e.g. `0.0.0.0`)."},
	{"TRUST_PROXY", "true on Fly, else false", "Take the client IP from `Fly-Client-IP`. By default only on a Fly machine (`FLY_APP_NAME` and `FLY_MACHINE_ID` set), where Fly's proxy sets that header."},
	{"SHOP_CURRENCY", "GBP", "ISO 4217 currency of prices: " + strings.Join(shop.SupportedCurrencies(), ", ") + ". Set once, before the first product: prices are stored in it."},
	{"SHOP_TIMEZONE", "Europe/London", "IANA time zone in which times are shown and days begin; pickup slots are made in it."},
	{"SMTP_URL", "(development: the mailbox at `/dev/mail`)", "Mail server: `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://user:password@host:465` (implicit TLS). Required in production."},
	{"MAIL_FROM", "`shop@localhost` (development)", "Sender of every email, e.g. `Hilltop Bakery <orders@hilltop.example>`; without a name the shop's name from its settings is used. Required in production."},
	{"MAIL_REPLY_TO", "(none)", "Where replies to the shop's emails go, if not to `MAIL_FROM`."},
	{"JOB_WORKERS", "4", "Background jobs (emails, housekeeping) this node runs at once (0–100); 0 runs none here."},
	{"LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`."},
	{"LOG_FORMAT", "text (json in production)", "`text` or `json`."},
	{"STAFF_SESSION_MAX_AGE", "12h", "A staff sign-in ends this long after it began, however active."},
	{"STAFF_SESSION_IDLE", "1h", "A staff sign-in ends after this long without a request."},
	{"SHUTDOWN_TIMEOUT", "25s", "How long in-flight requests may take to finish after SIGTERM/SIGINT."},
	{"SHUTDOWN_DRAIN", "10s (0s in development)", "After SIGTERM, how long `/readyz` answers 503 while still serving, so the proxy stops sending traffic before the listener closes."},
}

// Load reads the configuration from getenv and validates it. The returned
// error lists every problem, one per line.
func Load(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	c := Config{Env: get("APP_ENV", Development)}
	if c.Env != Development && c.Env != Production {
		bad("APP_ENV must be %q or %q, not %q", Development, Production, c.Env)
		c.Env = Development
	}
	prod := c.Env == Production

	c.Port = intVar(get("PORT", "8080"), "PORT", 1, 65535, bad)
	c.DBMaxConns = int32(intVar(get("DB_MAX_CONNS", "10"), "DB_MAX_CONNS", 1, 200, bad))
	c.MetricsPort = intVar(get("METRICS_PORT", pick(prod, "9091", "0")), "METRICS_PORT", 0, 65535, bad)

	c.BaseURL = strings.TrimRight(get("BASE_URL", ""), "/")
	if c.BaseURL == "" {
		if prod {
			bad("BASE_URL is required in production (for example https://shop.example.com)")
		}
		c.BaseURL = fmt.Sprintf("http://localhost:%d", c.Port)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL must be an absolute http(s) URL, not %q", c.BaseURL)
	} else if prod && u.Scheme != "https" {
		bad("BASE_URL must use https in production, not %q", c.BaseURL)
	}

	c.NodeID = get("NODE_ID", get("FLY_MACHINE_ID", ""))
	if c.NodeID == "" {
		c.NodeID, _ = os.Hostname()
	}

	c.DatabaseURL = get("DATABASE_URL", "")
	if c.DatabaseURL == "" {
		bad("DATABASE_URL is required (make run sets one up for development)")
	}

	c.CookieKeys = get("COOKIE_KEYS", "")
	if prod && c.CookieKeys == "" {
		bad("COOKIE_KEYS is required in production: generate one with `shopfront keys` and set it as a secret")
	} else if c.CookieKeys != "" {
		if _, err := cookiestate.ParseKeys(c.CookieKeys); err != nil {
			bad("%v", err)
		}
	}
	if c.MetricsPort != 0 && c.MetricsPort == c.Port {
		bad("METRICS_PORT must differ from PORT (%d): metrics stay off the public port", c.Port)
	}
	c.DataDir = get("DATA_DIR", ".data")

	c.OnFly = get("FLY_APP_NAME", "") != "" && get("FLY_MACHINE_ID", "") != ""
	c.MetricsHost = get("METRICS_HOST", pick(c.OnFly, "fly-local-6pn", "127.0.0.1"))
	switch v := strings.ToLower(get("TRUST_PROXY", pick(c.OnFly, "true", "false"))); v {
	case "true", "1", "yes":
		c.TrustProxyIP = true
	case "false", "0", "no":
	default:
		bad("TRUST_PROXY must be true or false, not %q", v)
	}

	c.Currency = strings.ToUpper(get("SHOP_CURRENCY", "GBP"))
	if !shop.IsSupportedCurrency(c.Currency) {
		bad("SHOP_CURRENCY %q is not supported; use one of %s", c.Currency, strings.Join(shop.SupportedCurrencies(), ", "))
	}
	tz := get("SHOP_TIMEZONE", "Europe/London")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		bad("SHOP_TIMEZONE %q is not a known IANA time zone", tz)
		loc = time.UTC
	}
	c.Location = loc

	if raw := get("SMTP_URL", ""); raw != "" {
		if c.SMTP, err = mail.ParseURL(raw); err != nil {
			bad("%v", err)
		}
		c.SMTPURLSet = true
	} else if prod {
		bad("SMTP_URL is required in production: the shop's emails need a mail server (smtp://user:password@host:587)")
	}
	from := get("MAIL_FROM", "")
	if from == "" && prod {
		bad("MAIL_FROM is required in production, for example \"Hilltop Bakery <orders@hilltop.example>\"")
	} else if from == "" {
		from = "shop@localhost"
	}
	if a, err := netmail.ParseAddress(from); err != nil {
		if from != "" {
			bad("MAIL_FROM %q is not an email address like \"Hilltop Bakery <orders@hilltop.example>\"", from)
		}
	} else {
		c.MailFrom = *a
	}
	if rt := get("MAIL_REPLY_TO", ""); rt != "" {
		if a, err := netmail.ParseAddress(rt); err != nil {
			bad("MAIL_REPLY_TO %q is not an email address", rt)
		} else {
			c.ReplyTo = a
		}
	}
	c.JobWorkers = intVar(get("JOB_WORKERS", "4"), "JOB_WORKERS", 0, 100, bad)

	c.LogLevel = strings.ToLower(get("LOG_LEVEL", "info"))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel)
	}
	c.LogFormat = strings.ToLower(get("LOG_FORMAT", pick(prod, "json", "text")))
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}

	c.StaffSessionMaxAge = durationVar(get("STAFF_SESSION_MAX_AGE", "12h"), "STAFF_SESSION_MAX_AGE", 5*time.Minute, 30*24*time.Hour, bad)
	c.StaffSessionIdle = durationVar(get("STAFF_SESSION_IDLE", "1h"), "STAFF_SESSION_IDLE", time.Minute, 30*24*time.Hour, bad)
	if c.StaffSessionIdle > c.StaffSessionMaxAge {
		bad("STAFF_SESSION_IDLE (%s) must not be longer than STAFF_SESSION_MAX_AGE (%s)", c.StaffSessionIdle, c.StaffSessionMaxAge)
	}

	c.StatementTimeout = durationVar(get("DB_STATEMENT_TIMEOUT", "5s"), "DB_STATEMENT_TIMEOUT", 100*time.Millisecond, 10*time.Minute, bad)
	c.LockTimeout = durationVar(get("DB_LOCK_TIMEOUT", "2s"), "DB_LOCK_TIMEOUT", 10*time.Millisecond, 10*time.Minute, bad)
	c.IdleInTxTimeout = durationVar(get("DB_IDLE_IN_TRANSACTION_TIMEOUT", "10s"), "DB_IDLE_IN_TRANSACTION_TIMEOUT", 100*time.Millisecond, time.Hour, bad)
	c.AcquireTimeout = durationVar(get("DB_ACQUIRE_TIMEOUT", "2s"), "DB_ACQUIRE_TIMEOUT", 10*time.Millisecond, 10*time.Minute, bad)
	c.RequestTimeout = durationVar(get("REQUEST_TIMEOUT", "10s"), "REQUEST_TIMEOUT", 100*time.Millisecond, 10*time.Minute, bad)
	c.MigrationLockTimeout = durationVar(get("MIGRATION_LOCK_TIMEOUT", "5s"), "MIGRATION_LOCK_TIMEOUT", 100*time.Millisecond, time.Hour, bad)
	if c.LockTimeout > c.StatementTimeout {
		bad("DB_LOCK_TIMEOUT (%s) must not be longer than DB_STATEMENT_TIMEOUT (%s)", c.LockTimeout, c.StatementTimeout)
	}

	c.ShutdownTimeout = durationVar(get("SHUTDOWN_TIMEOUT", "25s"), "SHUTDOWN_TIMEOUT", time.Second, 10*time.Minute, bad)
	c.ShutdownDrain = durationVar(get("SHUTDOWN_DRAIN", pick(prod, "10s", "0s")), "SHUTDOWN_DRAIN", 0, time.Minute, bad)

	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}

// Limits are the bounded waits of the app's database connections.
func (c Config) Limits() db.Limits {
	return db.Limits{StatementTimeout: c.StatementTimeout, LockTimeout: c.LockTimeout, IdleInTxTimeout: c.IdleInTxTimeout, AcquireTimeout: c.AcquireTimeout}
}

// Production reports whether this is a production deployment.
func (c Config) Production() bool { return c.Env == Production }

// SecureCookies reports whether cookies get Secure and the __Host- prefix:
// always in production, and in development only when served over https.
func (c Config) SecureCookies() bool {
	return c.Production() || strings.HasPrefix(c.BaseURL, "https://")
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func intVar(s, name string, lo, hi int, bad func(string, ...any)) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		bad("%s must be a whole number from %d to %d, not %q", name, lo, hi, s)
		return lo
	}
	return n
}

func durationVar(s, name string, lo, hi time.Duration, bad func(string, ...any)) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		bad("%s must be a duration from %s to %s such as 25s, not %q", name, lo, hi, s)
		return lo
	}
	return d
}
