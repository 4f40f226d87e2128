package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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

	s.add(views.RouteCart, echo.GET, "/cart", s.cart, page...)
	s.add(views.RouteCartAdd, echo.POST, "/cart/add", s.cartAdd, page...)
	s.add(views.RouteCartUpdate, echo.POST, "/cart/update", s.cartUpdate, page...)
	s.add(views.RouteCartRemove, echo.POST, "/cart/remove", s.cartRemove, page...)
	s.add(views.RouteCartClear, echo.POST, "/cart/clear", s.cartClear, page...)
	s.add(views.RouteCheckout, echo.GET, "/checkout", s.checkout, page...)
	s.add(views.RoutePlaceOrder, echo.POST, "/checkout", s.placeOrder, append([]echo.MiddlewareFunc{middleware.BodyLimit(maxCheckoutBody)}, page...)...)
	s.add(views.RouteOrders, echo.GET, "/orders", s.recentOrders, page...)
	s.add(views.RouteOrder, echo.GET, "/orders/:token", s.order, page...)

	// Unknown URLs get the 404 page with the visitor's state (theme, cart).
	s.echo.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, page...)
}

// add registers a named route and records its path for views.
func (s *Server) add(name, method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.echo.Add(method, path, h, m...).Name = name
	s.paths[name] = path
}
