package handlers

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/maypok86/otter/v2"

	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/shop"
	"shopfront/views"
)

// lastShownFor is how long this node remembers what a catalogue or product
// page showed, to show it again while the database cannot be reached.
const lastShownFor = 10 * time.Minute

// lastShown is this node's memory of the catalogue and product pages it
// last rendered from Postgres, and of the prices and stock on them. It is
// used only while the database cannot answer (DESIGN.md rule 1: losing it
// changes nothing but what a visitor sees during an outage); every other
// request reads Postgres.
type lastShown struct {
	catalogues *otter.Cache[shop.CatalogueQuery, views.Catalogue]
	products   *otter.Cache[string, db.GetProductBySlugRow]
	prices     *otter.Cache[int64, shop.Product]
}

func newLastShown() *lastShown {
	return &lastShown{
		catalogues: otter.Must(&otter.Options[shop.CatalogueQuery, views.Catalogue]{
			MaximumSize: 500, ExpiryCalculator: otter.ExpiryWriting[shop.CatalogueQuery, views.Catalogue](lastShownFor)}),
		products: otter.Must(&otter.Options[string, db.GetProductBySlugRow]{
			MaximumSize: 2000, ExpiryCalculator: otter.ExpiryWriting[string, db.GetProductBySlugRow](lastShownFor)}),
		prices: otter.Must(&otter.Options[int64, shop.Product]{
			MaximumSize: 5000, ExpiryCalculator: otter.ExpiryWriting[int64, shop.Product](lastShownFor)}),
	}
}

// outageNotice is the message on a page shown from memory.
const outageNotice = "We can’t reach the shop’s records this minute, so this page shows what we last knew and checkout is paused. Your cart is kept."

// fallBack reports whether a page may be shown from memory after err: the
// database was unavailable (not, say, a missing product).
func fallBack(err error) bool { return db.IsUnavailable(err) }

// servedFromMemory tells the visitor the page may be out of date, and
// keeps it out of every cache.
func (s *Server) servedFromMemory(c echo.Context) {
	c.Set(flashNowKey, &cookiestate.Flash{Kind: "error", Text: outageNotice})
	c.Response().Header().Set("Cache-Control", "no-store")
	pagesFromMemory.Inc()
}

// catalogueOrLastShown loads a catalogue page, or while the database is
// away, what this node last showed for the same query.
func (s *Server) catalogueOrLastShown(c echo.Context, q shop.CatalogueQuery) (views.Catalogue, error) {
	err := db.ErrUnreachable
	if s.dbUp() {
		var data views.Catalogue
		if data, err = s.loadCatalogue(c.Request().Context(), q); err == nil {
			s.shown.catalogues.Set(q, data)
			for _, p := range data.Products {
				s.shown.prices.Set(p.ID, shop.Product{ID: p.ID, Slug: p.Slug, Name: p.Name, Price: p.PriceMinor, Currency: p.Currency,
					Stock: p.Stock, Active: true, ImageHash: p.ImageHash})
			}
			return data, nil
		}
		if !fallBack(err) {
			return data, err
		}
	}
	if data, ok := s.shown.catalogues.GetIfPresent(q); ok {
		s.servedFromMemory(c)
		return data, nil
	}
	return views.Catalogue{}, err
}

// productOrLastShown loads an active product by its slug, or while the
// database is away, what this node last showed for it.
func (s *Server) productOrLastShown(c echo.Context, slug string) (db.GetProductBySlugRow, error) {
	err := db.ErrUnreachable
	if s.dbUp() {
		var p db.GetProductBySlugRow
		if p, err = s.queries.GetProductBySlug(c.Request().Context(), slug); err == nil {
			s.shown.products.Set(slug, p)
			s.shown.prices.Set(p.ID, shop.Product{ID: p.ID, Slug: p.Slug, Name: p.Name, Price: p.PriceMinor, Currency: p.Currency,
				Stock: p.Stock, Active: true, ImageHash: p.ImageHash})
			return p, nil
		}
		if !fallBack(err) {
			return p, err
		}
	}
	if p, ok := s.shown.products.GetIfPresent(slug); ok {
		s.servedFromMemory(c)
		return p, nil
	}
	return db.GetProductBySlugRow{}, err
}

// pricesFromMemory is the last known price and stock of each product, or
// false when one of them is not remembered.
func (s *Server) pricesFromMemory(ids []int64) (map[int64]shop.Product, bool) {
	products := make(map[int64]shop.Product, len(ids))
	for _, id := range ids {
		p, ok := s.shown.prices.GetIfPresent(id)
		if !ok {
			return nil, false
		}
		products[id] = p
	}
	return products, true
}
