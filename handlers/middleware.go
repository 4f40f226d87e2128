package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"shopfront/static"
)

// contentSecurityPolicy allows only our own scripts and styles: no inline
// script, no eval (htmx runs without either), no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// Request body limits: forms are small; image uploads carry up to 5 MB.
const (
	maxBodyBytes  = "1M"
	maxUploadBody = "6M"
)

func (s *Server) middleware() {
	e := s.echo
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:   true, // let the error handler set the status before logging it
		LogMethod:     true,
		LogRoutePath:  true,
		LogURIPath:    true,
		LogStatus:     true,
		LogLatency:    true,
		LogRequestID:  true,
		LogRemoteIP:   true,
		LogValuesFunc: s.logRequest,
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			// Returned, not logged here: the error handler logs it once.
			return fmt.Errorf("panic: %w\n%s", err, debug.Stack())
		},
	}))
	e.Use(s.securityHeaders)
	e.Use(s.deadline)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: maxBodyBytes,
		// Checkout sets its own, larger limit so an over-long note gets a
		// field error instead of a bare "too large".
		// Exact routes only (Echo has matched the route by now), so no
		// other URL gets the larger limit.
		Skipper: func(c echo.Context) bool {
			return c.Request().Method == "POST" && (c.Path() == "/checkout" || c.Path() == "/admin/products/:id/image" || c.Path() == "/admin/settings/logo")
		},
	}))
	e.Use(s.compress())
}

// compress gzips pages and fragments for browsers that accept it, with
// klauspost/compress's gzhttp: its compressors are pooled, so memory stays
// bounded however many responses are in flight. Stateless compression
// keeps no window between writes (a page is written in one): the demo
// home page shrinks about as much as at level 1 (20.4 kB to 4.1 kB against
// 4.1 kB), as fast, and holds no history per compressor; level 5 saves
// 7 % more bytes for twice the time (BenchmarkGzipLevels).
func (s *Server) compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.StatelessCompression), gzhttp.EnableZstd(false))
	if err != nil {
		panic(err) // the options are constants
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// Images and static files are compressed already (static files
			// once, at their best level); health checks are tiny; live
			// streams must reach the browser event by event.
			p := c.Request().URL.Path
			if strings.HasPrefix(p, "/images/") || strings.HasPrefix(p, static.Prefix) || p == "/healthz" || p == "/readyz" || isStreamPath(c.Path()) {
				return next(c)
			}
			res := c.Response()
			plain := res.Writer
			defer func() { res.Writer = plain }()
			var err error
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(plain, c.Request())
			// An error page is written after this returns, by the error
			// handler: without compression, as nothing was written yet.
			return err
		}
	}
}

// deadline gives every request but a live stream REQUEST_TIMEOUT to
// finish: whatever is still waiting for the database then fails, and the
// visitor is asked to try again (503) instead of waiting on.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.RequestTimeout <= 0 || isStreamPath(c.Path()) {
			return next(c)
		}
		parent := c.Request().Context()
		ctx, cancel := context.WithTimeout(parent, s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		// The error page is rendered after this returns (or panics): with
		// the request's own context, not the expired one.
		defer func() { c.SetRequest(c.Request().WithContext(parent)) }()
		return next(c)
	}
}

func (s *Server) logRequest(c echo.Context, v middleware.RequestLoggerValues) error {
	level := slog.LevelInfo
	if v.Status >= 500 {
		level = slog.LevelError
	}
	if v.URIPath == "/healthz" || v.URIPath == "/readyz" {
		level = slog.LevelDebug
	}
	if !isStreamPath(v.RoutePath) { // a stream lasts as long as the page is open
		requestDuration.WithLabelValues(v.RoutePath, v.Method, statusClass(v.Status)).Observe(v.Latency.Seconds())
	}
	s.log.LogAttrs(c.Request().Context(), level, "request",
		slog.String("method", v.Method),
		slog.String("route", v.RoutePath),
		slog.String("path", loggablePath(v.RoutePath, v.URIPath)),
		slog.Int("status", v.Status),
		slog.Duration("duration", v.Latency),
		slog.String("request_id", v.RequestID),
		slog.String("ip", v.RemoteIP),
	)
	return nil
}

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.cfg.Production() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// cacheForever marks a response whose URL changes whenever its content does.
func cacheForever(c echo.Context, etag string) {
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
}

// notModified answers a conditional GET whose ETag still matches.
func notModified(c echo.Context, etag string) bool {
	for _, tag := range strings.Split(c.Request().Header.Get("If-None-Match"), ",") {
		if t := strings.TrimSpace(tag); t == etag || t == "*" {
			return true
		}
	}
	return false
}

func statusClass(status int) string {
	return string(rune('0'+status/100)) + "xx"
}

// loggablePath keeps order links out of the logs: the path of an order page
// is its token, which is all anyone needs to read the order.
func loggablePath(route, path string) string {
	if strings.Contains(route, ":token") {
		return route
	}
	return path
}

// isStreamPath reports whether a route is a live stream.
func isStreamPath(route string) bool { return strings.HasSuffix(route, "/events") }
