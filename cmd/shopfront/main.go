// Command shopfront is the Shopfront binary: it serves the shop, migrates
// the database, loads the demo shop and prints cookie keys.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the image has no zoneinfo; SHOP_TIMEZONE must still resolve

	"shopfront/config"
	"shopfront/cookiestate"
	"shopfront/db"
)

// processStart is when the process began, for the startup-to-ready time.
var processStart = time.Now()

const usage = `usage: shopfront [command]

commands:
  serve            serve the shop (default)
  migrate          apply pending database migrations
  migrate status   list migrations and whether each is applied
  seed             load the demo shop (development only; running it again adds nothing)
  staff create     create a staff account: --email EMAIL --role owner|staff [--name NAME];
                   the password is read from the terminal or the first line of stdin
  staff invite     print a single-use link (valid 48 h) with which someone sets their own
                   password: --email EMAIL --role owner|staff [--name NAME]
  staff reset      print a single-use password reset link (valid 1 h): --email EMAIL
  keys             print a new cookie key set for COOKIE_KEYS
  help             show this help

Configuration is read from environment variables; see README.md.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "shopfront:", strings.ReplaceAll(err.Error(), "\n", "\nshopfront: "))
		os.Exit(1)
	}
}

// errUsage is returned for an unknown command.
var errUsage = errors.New("unknown command; run `shopfront help`")

// run is the whole program: ctx is cancelled on SIGTERM or SIGINT.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "keys":
		fmt.Fprintln(stdout, cookiestate.GenerateKeySet().String())
		return nil
	case "serve", "migrate", "seed", "staff":
	default:
		return fmt.Errorf("%q: %w", cmd, errUsage)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	if !cfg.Production() {
		if err := db.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
	}

	switch cmd {
	case "migrate":
		if len(args) > 0 && args[0] == "status" {
			return migrationStatus(ctx, cfg, stdout)
		}
		return migrate(ctx, cfg, log)
	case "seed":
		return seed(ctx, cfg, log, stdout)
	case "staff":
		return staffCommand(ctx, cfg, args, stdin, stdout)
	default:
		if cfg.CookieKeys == "" {
			if cfg.CookieKeys, err = developmentKeys(cfg.DataDir); err != nil {
				return err
			}
		}
		if limit := setMemoryLimit(getenv); limit > 0 {
			log.Debug("memory limit", "bytes", limit)
		}
		return serve(ctx, cfg, log, stdout)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// developmentKeys returns the development cookie keys, generating them into
// dataDir the first time so that restarts keep carts and sessions.
func developmentKeys(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "cookie-keys")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading development cookie keys: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dataDir, err)
	}
	keys := cookiestate.GenerateKeySet().String()
	if err := os.WriteFile(path, []byte(keys+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing development cookie keys: %w", err)
	}
	return keys, nil
}
