package db

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsUnavailable reports whether err means the database could not do the
// work this minute, through nobody's fault in the request: a timeout
// (statement, lock, idle transaction, pool wait, request deadline), a
// connection that could not be made or was lost, a server shutting down or
// out of connections, or a conflict that retries did not resolve. People
// are told to try again in a moment (503), never shown an error of ours.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnreachable) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && len(pgErr.Code) == 5 {
		switch pgErr.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources: too many connections, out of memory or disk
			"57": // operator intervention: query_canceled (statement_timeout), admin or crash shutdown, cannot connect now
			return true
		}
		switch pgErr.Code {
		case "55P03", // lock_not_available (lock_timeout)
			"25P03",          // idle_in_transaction_session_timeout
			"40001", "40P01": // serialization failure, deadlock: still failing after InTx's retries
			return true
		}
		return false
	}
	return IsConnectionLost(err)
}

// IsConnectionLost reports whether err means the connection to the server
// failed or broke (as after a database restart), rather than the server
// refusing a statement.
func IsConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && len(pgErr.Code) == 5 {
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || pgErr.Code[:2] == "08"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr), errors.As(err, &opErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	}
	// pgx reports a connection it closed after an earlier failure this way.
	msg := err.Error()
	return strings.Contains(msg, "conn closed")
}

// ErrUnreachable is returned without asking the database, while this node's
// health check cannot reach it.
var ErrUnreachable = errors.New("database unreachable")
