package handlers

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"shopfront/cookiestate"
)

const jarKey = "cookiejar"

// withCookies reads the visitor's cookie state for page routes and writes
// back, just before the response headers go out, only what changed.
// Static files and images never touch cookies, so they stay cacheable.
func (s *Server) withCookies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		jar := s.cookies.NewJar(r, s.now(), func(cookie, reason string) {
			cookieRejections.WithLabelValues(cookie, reason).Inc()
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "cookie rejected",
				slog.String("cookie", cookie),
				slog.String("reason", reason),
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			)
		})
		c.Set(jarKey, jar)
		c.Response().Before(func() { jar.Write(c.Response().Header()) })
		return next(c)
	}
}

func jar(c echo.Context) *cookiestate.Jar {
	return c.Get(jarKey).(*cookiestate.Jar)
}

// csrf guards every unsafe method twice: the browser's Fetch Metadata (or,
// without it, Origin) must say the request comes from our own pages, and a
// request without Sec-Fetch-Site must also carry a token made from the
// visitor's cookie secret (hidden field for forms, header for htmx).
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := cop.Check(r); err != nil {
			return s.refuseCSRF(c, "cross-origin")
		}
		if r.Header.Get("Sec-Fetch-Site") == "" {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = c.FormValue(csrfField)
			}
			if !cookiestate.ValidCSRFToken(jar(c), token) {
				return s.refuseCSRF(c, "token")
			}
		}
		return next(c)
	}
}

// csrfField is the hidden form field that carries the CSRF token.
const csrfField = "csrf_token"

func (s *Server) refuseCSRF(c echo.Context, why string) error {
	s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "csrf refused",
		slog.String("why", why),
		slog.String("origin", c.Request().Header.Get("Origin")),
		slog.String("sec_fetch_site", c.Request().Header.Get("Sec-Fetch-Site")),
		slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
	)
	return echo.NewHTTPError(http.StatusForbidden, "csrf")
}

// flash shows a message once: inside this very response for htmx requests,
// otherwise on the next full page, carried by the flash cookie.
func (s *Server) flash(c echo.Context, kind, text string) {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Set(flashNowKey, &cookiestate.Flash{Kind: kind, Text: text})
		return
	}
	_ = cookiestate.FlashCookie.Set(jar(c), cookiestate.Flash{Kind: kind, Text: text}) // a short message always fits
}

const flashNowKey = "flash-now"

// flashLink is flash with a link after the message.
func (s *Server) flashLink(c echo.Context, kind, text, link, linkText string) {
	f := cookiestate.Flash{Kind: kind, Text: text, Link: link, LinkText: linkText}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Set(flashNowKey, &f)
		return
	}
	_ = cookiestate.FlashCookie.Set(jar(c), f) // a short message always fits
}

// safeReturnPath accepts only a local path to send the visitor back to.
// Browsers drop tabs and newlines from a URL and read a backslash as a
// slash, so "/<TAB>/evil.example" or "/\\evil.example" would leave the site:
// any control character, space or backslash refuses the path.
func safeReturnPath(p, fallback string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return fallback
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return fallback
		}
	}
	return p
}
