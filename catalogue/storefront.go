package catalogue

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/shop"
)

// Channel is what a change to the products for sale or to the categories
// NOTIFYs, whichever code makes it (a trigger, 00010_catalogue_indexes.sql).
const Channel = "catalogue"

// CategoriesTTL bounds how stale a node's category list can be when a
// change's notification was missed; normally it is dropped at once.
const CategoriesTTL = 30 * time.Second

// Categories keeps a node's copy of the category list with its product
// counts, which every catalogue page shows: a change NOTIFYs Channel and
// every node drops its copy (Invalidate); see db.NodeCopy.
type Categories struct {
	*db.NodeCopy[[]db.ListCategoriesRow]
}

// NewCategories reads the categories from pool, keeping each copy at most ttl.
func NewCategories(pool *pgxpool.Pool, ttl time.Duration) *Categories {
	return &Categories{db.NewNodeCopy(ttl, func(ctx context.Context) ([]db.ListCategoriesRow, error) {
		cats, err := db.New(pool).ListCategories(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the categories: %w", err)
		}
		return cats, nil
	})}
}

// Page is one page of the storefront's catalogue.
type Page struct {
	// Query is the request as served: a keyset page that turned out to
	// be the first is served as the first.
	Query    shop.CatalogueQuery
	Products []db.CatalogueCard
	// Total is how many products match; for a search counted up to
	// shop.SearchCountCap, and More says there are more than that.
	Total   int64
	More    bool
	HasNext bool
	HasPrev bool
}

// LoadPage reads one page of products for q. cats is the category list
// (for the totals, which come from its counts unless searching).
func LoadPage(ctx context.Context, d db.DBTX, q shop.CatalogueQuery, cats []db.ListCategoriesRow) (Page, error) {
	queries := db.New(db.PlannedEachTime(d))
	page := Page{Query: q}
	var categoryID int64
	if q.Category != "" {
		i := slices.IndexFunc(cats, func(c db.ListCategoriesRow) bool { return c.Slug == q.Category })
		if i < 0 {
			return page, nil // no such category: nothing matches
		}
		categoryID = cats[i].ID
		page.Total = cats[i].ProductCount
	} else {
		for _, c := range cats {
			page.Total += c.ProductCount
		}
	}
	var err error
	if q.Searching() {
		err = page.search(ctx, queries, categoryID)
	} else {
		err = page.keyset(ctx, queries, categoryID)
	}
	if err != nil {
		return page, fmt.Errorf("reading the catalogue: %w", err)
	}
	return page, nil
}

const limit = shop.PageSize + 1 // one more, to know whether a next page exists

func (p *Page) search(ctx context.Context, queries *db.Queries, categoryID int64) error {
	q := p.Query
	rows, err := queries.SearchCards(ctx, db.SearchCardsParams{
		Tsquery: shop.TSQuery(q.Search), CategoryID: categoryID, Sort: string(q.Sort),
		PageLimit: limit, PageOffset: int32((q.Page - 1) * shop.PageSize),
	})
	if err != nil {
		return err
	}
	p.HasNext, p.HasPrev = len(rows) > shop.PageSize, q.Page > 1
	rows = rows[:min(len(rows), shop.PageSize)]
	p.Products = make([]db.CatalogueCard, len(rows))
	for i, r := range rows {
		p.Products[i] = db.CatalogueCard(r)
	}
	if q.Page == 1 && !p.HasNext {
		p.Total = int64(len(rows)) // all of them are here
		return nil
	}
	n, err := queries.CountSearch(ctx, db.CountSearchParams{Tsquery: shop.TSQuery(q.Search), CategoryID: categoryID, CountCap: shop.SearchCountCap + 1})
	p.Total, p.More = min(n, shop.SearchCountCap), n > shop.SearchCountCap
	return err
}

func (p *Page) keyset(ctx context.Context, queries *db.Queries, categoryID int64) error {
	q := p.Query
	if q.Before != 0 {
		rows, err := before(ctx, queries, q.Sort, categoryID, q.Before)
		if err != nil {
			return err
		}
		if len(rows) > shop.PageSize {
			slices.Reverse(rows)
			p.Products, p.HasNext, p.HasPrev = rows[1:], true, true
			p.Query.Page = max(q.Page, 2)
			return nil
		}
		// Nothing before these: this is the first page.
		p.Query.Before, p.Query.Page = 0, 1
		q = p.Query
	}
	offset := 0
	if q.After == 0 {
		offset = (q.Page - 1) * shop.PageSize
	}
	rows, err := after(ctx, queries, q.Sort, categoryID, q.After, offset)
	if err != nil {
		return err
	}
	p.HasNext, p.HasPrev = len(rows) > shop.PageSize, q.Page > 1 || q.After != 0
	p.Products = rows[:min(len(rows), shop.PageSize)]
	if q.After != 0 && q.Page < 2 {
		p.Query.Page = 2 // a page after another is at least the second
	}
	return nil
}

// after reads the products that follow the one with id after in the
// order sort (from the start when after is 0, skipping offset).
func after(ctx context.Context, q *db.Queries, sort shop.Sort, categoryID, after int64, offset int) ([]db.CatalogueCard, error) {
	off := int32(offset)
	switch sort {
	case shop.SortPriceAsc:
		return q.CardsByPrice(ctx, db.CardsByPriceParams{CategoryID: categoryID, After: after, PageLimit: limit, PageOffset: off})
	case shop.SortPriceDesc:
		return q.CardsByPriceDesc(ctx, db.CardsByPriceDescParams{CategoryID: categoryID, After: after, PageLimit: limit, PageOffset: off})
	case shop.SortNewest:
		return q.CardsByNewest(ctx, db.CardsByNewestParams{CategoryID: categoryID, After: after, PageLimit: limit, PageOffset: off})
	default:
		return q.CardsByName(ctx, db.CardsByNameParams{CategoryID: categoryID, After: after, PageLimit: limit, PageOffset: off})
	}
}

// before reads the products that precede the one with id before in the
// order sort, nearest first.
func before(ctx context.Context, q *db.Queries, sort shop.Sort, categoryID, before int64) ([]db.CatalogueCard, error) {
	switch sort {
	case shop.SortPriceAsc:
		return q.CardsByPriceBefore(ctx, db.CardsByPriceBeforeParams{CategoryID: categoryID, Before: before, PageLimit: limit})
	case shop.SortPriceDesc:
		return q.CardsByPriceDescBefore(ctx, db.CardsByPriceDescBeforeParams{CategoryID: categoryID, Before: before, PageLimit: limit})
	case shop.SortNewest:
		return q.CardsByNewestBefore(ctx, db.CardsByNewestBeforeParams{CategoryID: categoryID, Before: before, PageLimit: limit})
	default:
		return q.CardsByNameBefore(ctx, db.CardsByNameBeforeParams{CategoryID: categoryID, Before: before, PageLimit: limit})
	}
}
