package handlers

import (
	"github.com/labstack/echo/v4"

	"shopfront/views"
)

// routes is the one route table: every route has a name, and views build
// URLs from those names.
func (s *Server) routes() {
	s.middleware()

	s.add(views.RouteCatalogue, echo.GET, "/", s.catalogue)
	s.add(views.RouteProduct, echo.GET, "/products/:slug", s.product)
	s.add(views.RouteImage, echo.GET, "/images/:hash", s.image)
	s.add("static", echo.GET, "/static/*", s.static)
	s.add("healthz", echo.GET, "/healthz", s.healthz)
	s.add("readyz", echo.GET, "/readyz", s.readyz)
}

// add registers a named route and records its path for views.
func (s *Server) add(name, method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.echo.Add(method, path, h, m...).Name = name
	s.paths[name] = path
}
