package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"shopfront/calendar"
	"shopfront/catalogue"
	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/orders"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

// statusClientClosed is logged when the visitor went away mid-request.
const statusClientClosed = 499

// handleError maps every error a handler returns to a status code and a
// page, in this one place. People see a helpful message, never err.Error()
// of an internal error; internal errors are logged once with the request id.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, title, message := http.StatusInternalServerError, "Something went wrong",
		"Sorry, something went wrong on our side. Please try again in a moment."

	var httpErr *echo.HTTPError
	var inputErr *shop.InputError
	var pgErr *pgconn.PgError
	var busy *staffauth.Busy
	var blocked *catalogue.Blocked
	retryAfter := 0
	switch {
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		c.Response().Status = statusClientClosed // the visitor left; nothing to render
		return
	case errors.As(err, &pgErr) && pgErr.Code == "22021": // bad bytes that slipped past the form cleaners
		status, title, message = http.StatusBadRequest, "Please check your request", "Some of what you sent contains characters we cannot store. Please remove them and try again."
	case errors.As(err, &inputErr):
		status, title, message = http.StatusBadRequest, "Please check your request", inputErr.Message
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, echo.ErrNotFound),
		errors.Is(err, orders.ErrNotFound), errors.Is(err, catalogue.ErrNotFound),
		errors.Is(err, calendar.ErrNotFound), errors.Is(err, settings.ErrNotFound), errors.Is(err, catalogue.ErrNoCategory):
		status, title, message = http.StatusNotFound, "Page not found",
			"We couldn’t find that page. It may have moved, or the product may no longer be sold."
	case errors.As(err, &blocked):
		status, title, message = http.StatusConflict, "That can’t be done yet", blocked.Message
	case errors.Is(err, errOwnerOnly):
		status, title, message = http.StatusForbidden, "Owners only", "Only the shop’s owners can manage staff accounts."
	case errors.As(err, &busy):
		status, title, message = http.StatusTooManyRequests, "Too many sign-ins at once",
			"Many sign-ins are being checked right now. Please try again in a moment."
		retryAfter = 1
	case errors.Is(err, cookiestate.ErrUnreadable):
		// A cookie made with keys this node does not have yet (a deploy
		// is under way): left alone, and the action is not done here.
		status, title, message = http.StatusServiceUnavailable, "Back in a moment", "The shop is being updated. Please try again in a moment; nothing was lost."
		retryAfter = 2
	case db.IsUnavailable(err):
		// A timeout, a full pool or a database that cannot be reached: try
		// again in a moment. Nothing was written (one transaction per write).
		status, title, message = http.StatusServiceUnavailable, "Back in a moment", s.unavailableMessage(c)
		retryAfter = unavailableRetryAfter
		if db.IsConnectionLost(err) && s.health != nil {
			s.health.Suspect()
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "database unavailable",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("route", c.Path()),
			slog.String("error", err.Error()),
		)
	case errors.As(err, &httpErr):
		status = httpErr.Code
		title, message = http.StatusText(status), publicMessage(status)
		if status == http.StatusServiceUnavailable {
			retryAfter = unavailableRetryAfter
		}
	}
	if retryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter))
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "internal error",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("route", c.Path()),
			slog.String("error", err.Error()),
		)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	// htmx 4 swaps error responses into the request's target: a filled-in
	// form or a table row would be replaced by an error page. Send the
	// message to the page's live region instead, and leave the rest alone.
	if isPartial(c.Request()) {
		c.Response().Header().Set("HX-Retarget", "#flash")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		if rerr := s.render(c, status, nil, views.FlashMessage(&views.Flash{Kind: "error", Text: message})); rerr != nil {
			_ = c.String(status, message)
		}
		return
	}
	if rerr := s.render(c, status, views.ErrorPage(status, title, message), views.ErrorMessage(status, title, message)); rerr != nil {
		_ = c.String(status, message)
	}
}

// unavailableRetryAfter is the Retry-After, in seconds, of a 503 for a
// database that is busy or away: long enough not to hammer it, short
// enough that people come back as soon as it is.
const unavailableRetryAfter = 5

// unavailableMessage says what a busy or unreachable database means for
// what the visitor was doing.
func (s *Server) unavailableMessage(c echo.Context) string {
	switch p := c.Path(); {
	case p == "/checkout":
		return "We can’t take orders this minute; your cart is kept. Please try again in a moment."
	case strings.HasPrefix(p, "/admin") && c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead:
		return "We can’t save changes this minute, so nothing was changed. Please try again in a moment."
	case strings.HasPrefix(p, "/cart"):
		return "We can’t check prices and stock this minute; your cart is kept. Please try again in a moment."
	}
	return "The shop is very busy this minute. Please try again in a moment."
}

// publicMessage is what people are told for framework-level errors.
func publicMessage(status int) string {
	switch status {
	case http.StatusMethodNotAllowed:
		return "That action isn’t available here."
	case http.StatusRequestEntityTooLarge:
		return "What you sent is too large."
	case http.StatusForbidden:
		return "This request was refused. Reload the page and try again."
	case http.StatusTooManyRequests:
		return "Too many attempts. Please wait a little and try again."
	case http.StatusServiceUnavailable:
		return "The shop is busy or restarting. Please try again in a moment."
	}
	if status >= 500 {
		return "Sorry, something went wrong on our side. Please try again in a moment."
	}
	return "We couldn’t handle that request. Please check it and try again."
}
