package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/calendar"
	"shopfront/shop"
	"shopfront/views"
)

// product shows one active product; anything else is a 404 page.
func (s *Server) product(c echo.Context) error {
	slug := c.Param("slug")
	if !shop.IsSlug(slug) {
		return echo.ErrNotFound
	}
	p, err := s.productOrLastShown(c, slug)
	if err != nil {
		return err // pgx.ErrNoRows becomes the 404 page
	}
	describe(c, p.Description, p.ImageHash)
	v := views.Product{Row: p}
	if p.MadeToOrder {
		// The next days it can still be ordered for; while the database is
		// away the page goes without them.
		st := s.shop(c)
		days, err := calendar.OpenDays(c.Request().Context(), s.queries, s.ordering(st), s.now(), st.Collects(), st.Delivers(), 0)
		if err == nil {
			v.Days, err = calendar.NextDays(c.Request().Context(), s.queries,
				calendar.Made{ProductID: p.ID, Limit: int(p.Stock), MadeOn: shop.Weekdays(p.MadeOn)}, days, 1, 3, time.Time{})
		}
		if err != nil {
			s.log.Warn("product days unavailable", "error", err)
		}
		v.Now = s.now()
	}
	return s.render(c, http.StatusOK, views.ProductPage(v), nil)
}
