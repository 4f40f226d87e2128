package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"shopfront/catalogue"
	"shopfront/shop"
	"shopfront/views"
)

// catalogue shows the product grid. Search, category, sort and page are
// query parameters, so every state of the page has a URL; htmx swaps only
// the results region and pushes that URL.
func (s *Server) catalogue(c echo.Context) error {
	prefs := preferences(jar(c))
	q, err := shop.ParseCatalogueQuery(c.QueryParams(), prefs.Sort)
	if err != nil {
		return err
	}
	data, err := s.catalogueOrLastShown(c, q)
	if err != nil {
		return err
	}
	data.Focus = c.Request().Header.Get("Shopfront-Focus")
	data.View = prefs.View
	return s.render(c, http.StatusOK, views.CataloguePage(data), views.CatalogueResults(data))
}

func (s *Server) loadCatalogue(ctx context.Context, q shop.CatalogueQuery) (views.Catalogue, error) {
	cats, err := s.categories.Get(ctx)
	if err != nil {
		return views.Catalogue{Query: q}, err
	}
	page, err := catalogue.LoadPage(ctx, s.pool, q, cats)
	return views.Catalogue{Query: page.Query, Categories: cats, Products: page.Products, Total: page.Total, More: page.More,
		HasPrev: page.HasPrev, HasNext: page.HasNext}, err
}
