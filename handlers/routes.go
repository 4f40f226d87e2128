package handlers

import (
	"github.com/labstack/echo/v4"

	"shopfront/views"
)

// routes is the one route table: every route has a name, and views build
// URLs from those names. Pages get cookie state and CSRF protection;
// assets and health checks get neither, so they stay cacheable and cheap.
func (s *Server) routes() {
	s.middleware()

	s.add(views.RouteImage, echo.GET, "/images/:hash", s.image)
	s.add("static", echo.GET, "/static/*", s.static)
	s.add("healthz", echo.GET, "/healthz", s.healthz)
	s.add("readyz", echo.GET, "/readyz", s.readyz)

	page := []echo.MiddlewareFunc{s.withCookies, s.csrf}
	s.add(views.RouteCatalogue, echo.GET, "/", s.catalogue, page...)
	s.add(views.RouteProduct, echo.GET, "/products/:slug", s.product, page...)
	s.add(views.RoutePreferences, echo.GET, "/preferences", s.preferences, page...)
	s.add(views.RouteSavePreferences, echo.POST, "/preferences", s.savePreferences, page...)
	s.add(views.RouteSetView, echo.POST, "/preferences/view", s.setView, page...)

	// Unknown URLs get the 404 page with the visitor's state (theme, cart).
	s.echo.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, page...)
}

// add registers a named route and records its path for views.
func (s *Server) add(name, method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.echo.Add(method, path, h, m...).Name = name
	s.paths[name] = path
}
