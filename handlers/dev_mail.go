package handlers

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"shopfront/views"
)

// The development mailbox: routed only in development with no SMTP_URL
// (see routes.go), so production never serves it.

func (s *Server) devMail(c echo.Context) error {
	list, err := s.queries.ListDevMail(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, views.DevMailPage(list), nil)
}

// mailLinks finds the links in a message's text, to follow them from the
// mailbox as from a mail program.
var mailLinks = regexp.MustCompile(`https?://[^\s<>"]+`)

func (s *Server) devMailMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	m, err := s.queries.GetDevMail(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, views.DevMailMessagePage(m, mailLinks.FindAllString(m.TextBody, -1)), nil)
}

// devMailHTML serves a message's HTML part for the mailbox's sandboxed
// frame: no scripts, nothing loaded from anywhere.
func (s *Server) devMailHTML(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	m, err := s.queries.GetDevMail(c.Request().Context(), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "no-store")
	return c.HTML(http.StatusOK, m.HtmlBody)
}
