package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"shopfront/config"
	"shopfront/db"
	"shopfront/staffauth"
)

// staffCommand manages staff accounts from the command line:
//
//	shopfront staff create --email owner@shop.example --role owner [--name "Sam"]
//
// The password is read from the terminal without echo, or as the first
// line of standard input; never from a flag, which would leave it in the
// shell history and the process list.
func staffCommand(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: shopfront staff create --email EMAIL --role owner|staff [--name NAME]")
	}
	fs := flag.NewFlagSet("staff create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	email := fs.String("email", "", "email address to sign in with")
	role := fs.String("role", staffauth.RoleStaff, "owner or staff")
	name := fs.String("name", "", "name shown in the staff area (default: the part of the email before @)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.CheckSchema(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	id, err := staffauth.Create(ctx, db.New(pool), *email, *name, *role, password)
	var input *staffauth.InputError
	switch {
	case errors.As(err, &input):
		return errors.New(input.Message)
	case errors.Is(err, staffauth.ErrEmailTaken):
		return fmt.Errorf("an account with the email %s already exists", *email)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Created %s account %d for %s.\n", *role, id, *email)
	return nil
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
