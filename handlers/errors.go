package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"shopfront/shop"
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
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "22021": // bad bytes that slipped past the form cleaners
		status, title, message = http.StatusBadRequest, "Please check your request", "Some of what you sent contains characters we cannot store. Please remove them and try again."
	case errors.As(err, &inputErr):
		status, title, message = http.StatusBadRequest, "Please check your request", inputErr.Message
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, echo.ErrNotFound):
		status, title, message = http.StatusNotFound, "Page not found",
			"We couldn’t find that page. It may have moved, or the product may no longer be sold."
	case errors.Is(err, errOwnerOnly):
		status, title, message = http.StatusForbidden, "Owners only", "Only the shop’s owners can manage staff accounts."
	case errors.As(err, &httpErr):
		status = httpErr.Code
		title, message = http.StatusText(status), publicMessage(status)
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		c.Response().Status = statusClientClosed // the visitor left; nothing to render
		return
	}
	if status >= 500 {
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
