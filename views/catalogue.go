package views

import (
	"context"

	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shopfront/db"
	"shopfront/shop"
)

// Catalogue is the data of the catalogue page and its results fragment.
type Catalogue struct {
	Query      shop.CatalogueQuery
	Categories []db.ListCategoriesRow
	Products   []db.CatalogueCard
	// Total is how many products match; More says a search matches more
	// than that (it is counted only so far).
	Total            int64
	More             bool
	HasPrev, HasNext bool
	Focus            string // after an htmx swap, move focus to "results" (paging) or "view" (view switch)
	View             string // "grid" or "list", from the visitor's preferences
}

// firstRow is how many product cards the widest layout shows in its
// first row: their images are the page's largest content, so they load
// at once, the first with high priority; the rest load as they come near.
const firstRow = 4

// Pages is how many pages the results fill.
func (c Catalogue) Pages() int { return shop.Pages(c.Total) }

// CategoryName is the name of the filtered category, or "".
func (c Catalogue) CategoryName() string {
	for _, cat := range c.Categories {
		if cat.Slug == c.Query.Category {
			return cat.Name
		}
	}
	return ""
}

// Title is the page title for the current query.
func (c Catalogue) Title() string {
	switch {
	case c.Query.Search != "":
		return fmt.Sprintf("Search: %s", c.Query.Search)
	case c.CategoryName() != "":
		return c.CategoryName()
	default:
		return "All products"
	}
}

// Summary says what the results region shows; it is announced after htmx swaps.
func (c Catalogue) Summary() string {
	what := plural(c.Total, "product", "products")
	if c.More {
		what = "More than " + plural(c.Total, "product", "products")
	}
	if c.Query.Search != "" {
		what = fmt.Sprintf("%s matching “%s”", what, c.Query.Search)
	}
	if c.CategoryName() != "" {
		what += " in " + c.CategoryName()
	}
	if c.Paged() {
		what += ", " + c.PageLabel()
	}
	return what
}

// Paged reports whether the results need more than one page.
func (c Catalogue) Paged() bool { return c.HasPrev || c.HasNext || c.Pages() > 1 }

// PageLabel is "page 3 of 10", or "page 3" when the total is only known
// to be more than a count.
func (c Catalogue) PageLabel() string {
	if c.More {
		return fmt.Sprintf("page %d", c.Query.Page)
	}
	return fmt.Sprintf("page %d of %d", c.Query.Page, max(c.Pages(), c.Query.Page))
}

// PastTheEnd reports whether the page asked for has nothing on it though
// the shop may: a link to a page that is no more.
func (c Catalogue) PastTheEnd() bool {
	return len(c.Products) == 0 && (c.Query.Page > 1 || c.Query.After != 0 || c.Query.Before != 0)
}

// PrevURL is the previous page's address: by keyset before this page's
// first product, or by page number for a search.
func (c Catalogue) PrevURL(ctx context.Context) string {
	if !c.Query.Keyset() || len(c.Products) == 0 {
		return URLWithQuery(ctx, c.Query.Values(c.Query.Page-1), RouteCatalogue)
	}
	return URLWithQuery(ctx, c.Query.BeforeValues(c.Products[0].ID, c.Query.Page-1), RouteCatalogue)
}

// NextURL is the next page's address: by keyset after this page's last
// product, or by page number for a search.
func (c Catalogue) NextURL(ctx context.Context) string {
	if !c.Query.Keyset() {
		return URLWithQuery(ctx, c.Query.Values(c.Query.Page+1), RouteCatalogue)
	}
	return URLWithQuery(ctx, c.Query.AfterValues(c.Products[len(c.Products)-1].ID, c.Query.Page+1), RouteCatalogue)
}

func stock(n int32, made bool) shop.StockLevel { return shop.StockLevel{Stock: n, MadeToOrder: made} }

func categoryQuery(slug string) url.Values { return url.Values{"category": {slug}} }

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// paragraphs splits plain text on blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Product is a product's page: the product, and for one made to order the
// next days it can be ordered for.
type Product struct {
	Row  db.GetProductBySlugRow
	Days []time.Time // dates
	Now  time.Time
}

// dayList names dates for customers: "Friday, Saturday and Tuesday 15
// December".
func dayList(days []time.Time, now time.Time, ctx context.Context) string {
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = shop.DayName(d, now, PageFrom(ctx).Location)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// MadeText says when a made-to-order product is made.
func MadeText(w shop.Weekdays) string {
	if w&shop.AllWeek == shop.AllWeek {
		return "Made fresh for the day you choose at checkout."
	}
	return "Made fresh on " + w.Names() + ", for the day you choose at checkout."
}

// capitalise upper-cases the first letter of an ASCII sentence.
func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
