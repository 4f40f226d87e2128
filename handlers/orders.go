package handlers

import (
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/cookiestate"
	"shopfront/views"
)

// recentOrdersFor is how long an order stays in the browser's list.
const recentOrdersFor = 90 * 24 * time.Hour

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22,64}$`)

// order shows an order to whoever holds its link.
func (s *Server) order(c echo.Context) error {
	token := c.Param("token")
	if !tokenPattern.MatchString(token) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	// The newest event first, then the order: a change committed in
	// between is after it, so the page's live stream replays it.
	last, err := s.queries.LatestOrderEvent(ctx, 0)
	if err != nil {
		return err
	}
	o, err := s.queries.OrderByToken(ctx, token)
	if err != nil {
		return err
	}
	lines, err := s.queries.OrderLines(ctx, o.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return s.render(c, http.StatusOK, views.OrderPage(views.OrderView{Order: o, Lines: lines, LastEvent: last}), nil)
}

// recentOrders lists the orders this browser placed, with their status now.
func (s *Server) recentOrders(c echo.Context) error {
	recent := recentOrderTokens(c, s.now())
	var list []views.RecentOrder
	if len(recent) > 0 {
		rows, err := s.queries.OrdersByTokens(c.Request().Context(), recent)
		if err != nil {
			return err
		}
		for _, r := range rows {
			list = append(list, views.RecentOrderFrom(r, s.cfg.Location))
		}
	}
	return s.render(c, http.StatusOK, views.RecentOrdersPage(list), nil)
}

func recentOrderTokens(c echo.Context, now time.Time) []string {
	recent, _ := cookiestate.RecentOrdersCookie.Get(jar(c))
	var tokens []string
	for _, o := range recent.Orders {
		if now.Sub(time.Unix(o.PlacedAt, 0)) < recentOrdersFor && tokenPattern.MatchString(o.Token) {
			tokens = append(tokens, o.Token)
		}
	}
	return tokens
}
