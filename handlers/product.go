package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

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
	return s.render(c, http.StatusOK, views.ProductPage(p), nil)
}
