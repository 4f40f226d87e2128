package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/term"

	"shopfront/config"
	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/handlers"
	"shopfront/outbox"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

// staffUsage lists the staff subcommands.
const staffUsage = `usage:
  shopfront staff create --email EMAIL --role owner|staff [--name NAME]
  shopfront staff invite --email EMAIL --role owner|staff [--name NAME]
  shopfront staff reset --email EMAIL`

// staffCommand manages staff accounts from the command line:
//
//	shopfront staff create --email owner@shop.example --role owner [--name "Sam"]
//	shopfront staff invite --email owner@shop.example --role owner
//	shopfront staff reset --email owner@shop.example
//
// create reads the password from the terminal without echo, or as the
// first line of standard input; never from a flag, which would leave it in
// the shell history and the process list. invite and reset print a
// single-use link instead, for a machine with no terminal to type into
// (a container without a shell) or a shop whose mail does not work yet.
func staffCommand(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(staffUsage)
	}
	sub := args[0]
	if sub != "create" && sub != "invite" && sub != "reset" {
		return errors.New(staffUsage)
	}
	fs := flag.NewFlagSet("staff "+sub, flag.ContinueOnError)
	fs.SetOutput(stdout)
	email := fs.String("email", "", "email address to sign in with")
	role, name := new(string), new(string)
	if sub != "reset" {
		role = fs.String("role", staffauth.RoleStaff, "owner or staff")
		name = fs.String("name", "", "name shown in the staff area (default: the part of the email before @)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	var password string
	if sub == "create" {
		var err error
		if password, err = readPassword(stdin, stdout); err != nil {
			return err
		}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.CheckSchema(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	now := time.Now()
	var input *shop.InputError
	paths, err := routePaths(cfg, pool)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		id, err := staffauth.Create(ctx, db.New(pool), *email, *name, *role, password)
		switch {
		case errors.As(err, &input):
			return errors.New(input.Message)
		case errors.Is(err, staffauth.ErrEmailTaken):
			return fmt.Errorf("an account with the email %s already exists", *email)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "Created %s account %d for %s.\n", *role, id, *email)
	case "invite":
		token, err := staffauth.InviteLink(ctx, pool, staffauth.Invitation{Email: *email, Name: *name, Role: *role, Now: now})
		switch {
		case errors.As(err, &input):
			return errors.New(input.Message)
		case errors.Is(err, staffauth.ErrEmailTaken):
			return fmt.Errorf("an account with the email %s already exists: use `shopfront staff reset --email %s`", *email, *email)
		case errors.Is(err, staffauth.ErrAlreadyInvited):
			return fmt.Errorf("an invitation to %s is already waiting: withdraw it on the staff page, or wait until it expires", *email)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "Invitation for %s (%s). Open this link within %s to choose a password; it works once:\n%s\n",
			*email, *role, hours(staffauth.InviteValidFor), cfg.BaseURL+paths.URL(views.RouteAdminInvite, token))
	case "reset":
		token, err := staffauth.ResetLink(ctx, pool, *email, now)
		if errors.Is(err, staffauth.ErrNoAccount) {
			return fmt.Errorf("no active account has the email %s", *email)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Password reset for %s. Open this link within %s to choose a new password; it works once:\n%s\n",
			*email, hours(staffauth.ResetValidFor), cfg.BaseURL+paths.URL(views.RouteAdminReset, token))
	}
	return nil
}

// routePaths is the app's route table, for the links printed here.
func routePaths(cfg config.Config, pool *pgxpool.Pool) (views.Paths, error) {
	if cfg.CookieKeys == "" {
		cfg.CookieKeys = cookiestate.GenerateKeySet().String() // only routes are needed
	}
	app, err := handlers.New(handlers.Deps{Config: cfg, Pool: pool, Log: slog.New(slog.DiscardHandler), Outbox: outbox.New(nil)})
	if err != nil {
		return nil, err
	}
	return app.Paths(), nil
}

func hours(d time.Duration) string {
	if d == time.Hour {
		return "1 hour"
	}
	return fmt.Sprintf("%.0f hours", d.Hours())
}

func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Password again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the passwords do not match")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given on standard input")
	}
	return line, nil
}
