package views

import (
	"context"

	"fmt"
	"github.com/a-h/templ"
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
	Products   []db.SearchProductsRow
	Total      int64
	Focus      string // after an htmx swap, move focus to "results" (paging) or "view" (view switch)
	View       string // "grid" or "list", from the visitor's preferences
}

// firstRow is how many product cards the widest layout shows in its
// first row: their images are the page's largest content, so they load
// at once, the first with high priority; the rest load as they come near.
const firstRow = 4

func imageLoading(i int) templ.Attributes {
	switch {
	case i == 0:
		return templ.Attributes{"loading": "eager", "fetchpriority": "high"}
	case i < firstRow:
		return templ.Attributes{"loading": "eager"}
	default:
		return templ.Attributes{"loading": "lazy"}
	}
}

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
	if c.Query.Search != "" {
		what = fmt.Sprintf("%s matching “%s”", what, c.Query.Search)
	}
	if c.CategoryName() != "" {
		what += " in " + c.CategoryName()
	}
	if c.Pages() > 1 {
		what += fmt.Sprintf(", page %d of %d", c.Query.Page, c.Pages())
	}
	return what
}

// PageLinks is the window of page numbers shown around the current page.
func (c Catalogue) PageLinks() []int {
	last := c.Pages()
	from, to := max(1, c.Query.Page-2), min(last, c.Query.Page+2)
	var pages []int
	for p := from; p <= to; p++ {
		pages = append(pages, p)
	}
	return pages
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
