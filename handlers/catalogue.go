package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"shopfront/db"
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
	data := views.Catalogue{Query: q}
	var err error
	if data.Categories, err = s.queries.ListCategories(ctx); err != nil {
		return data, err
	}
	filter := db.SearchProductsParams{
		Category:   q.Category,
		Tsquery:    shop.TSQuery(q.Search),
		Sort:       string(q.Sort),
		PageLimit:  shop.PageSize,
		PageOffset: int32((q.Page - 1) * shop.PageSize),
	}
	if data.Products, err = s.queries.SearchProducts(ctx, filter); err != nil {
		return data, err
	}
	if len(data.Products) > 0 {
		data.Total = data.Products[0].Total
	} else if q.Page > 1 {
		// Past the last page the window count is missing; count separately
		// so the page can offer a way back.
		data.Total, err = s.queries.CountProducts(ctx, db.CountProductsParams{Category: filter.Category, Tsquery: filter.Tsquery})
	}
	return data, err
}
