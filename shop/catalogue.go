package shop

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sort is an allow-listed catalogue ordering.
type Sort string

// Catalogue orderings. Relevance only applies while searching.
const (
	SortName      Sort = "name"
	SortPriceAsc  Sort = "price_asc"
	SortPriceDesc Sort = "price_desc"
	SortNewest    Sort = "newest"
	SortRelevance Sort = "relevance"
)

// Sorts lists the orderings a customer can pick, in menu order.
var Sorts = []Sort{SortName, SortPriceAsc, SortPriceDesc, SortNewest}

// Label is how the ordering is named in the sort menu.
func (s Sort) Label() string {
	switch s {
	case SortPriceAsc:
		return "Price, low to high"
	case SortPriceDesc:
		return "Price, high to low"
	case SortNewest:
		return "Newest first"
	case SortRelevance:
		return "Best match"
	default:
		return "Name"
	}
}

// ParseSort returns the ordering named by s, or fallback when s is not on the allow-list.
func ParseSort(s string, fallback Sort) Sort {
	switch Sort(s) {
	case SortName, SortPriceAsc, SortPriceDesc, SortNewest, SortRelevance:
		return Sort(s)
	}
	return fallback
}

// Catalogue paging and search limits.
const (
	PageSize        = 12
	MaxPage         = 10000
	MaxSearchLength = 200 // characters a customer may type into the search box
	maxSearchTerms  = 8
	maxTermLength   = 40
	LowStock        = 5 // at or below this, the page says "only N left"
)

// InputError is a problem with what a person sent; it is shown to them.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

// CatalogueQuery is a validated catalogue request.
type CatalogueQuery struct {
	Search     string // as typed (valid UTF-8, trimmed)
	Category   string // category slug, "" for all
	SortChoice Sort   // what the customer picked; "" means best match
	Sort       Sort   // the ordering applied
	Usual      Sort   // the visitor's usual order, when nothing is searched or chosen
	Page       int    // 1-based; with After or Before only the page's number as shown
	// After and Before page by keyset: the page starts after (or ends
	// before) the product with this id in the order applied; 0 for none.
	// Without either, Page is read by offset (links from before keyset
	// paging, and searches).
	After, Before int64
}

// SearchCountCap is how far a search's matches are counted; past it the
// page says "more than".
const SearchCountCap = 1000

// FirstSortLabel names the sort menu's first choice (no order chosen):
// the best match for a search, otherwise the visitor's usual order.
func (q CatalogueQuery) FirstSortLabel() string {
	if TSQuery(q.Search) != "" {
		return SortRelevance.Label()
	}
	return q.Usual.Label() + " (usual order)"
}

// ParseCatalogueQuery validates the catalogue's query parameters. An unknown
// sort means "best match": by relevance while searching, otherwise
// defaultSort. A malformed page or an over-long search is an *InputError.
func ParseCatalogueQuery(v url.Values, defaultSort Sort) (CatalogueQuery, error) {
	q := CatalogueQuery{Page: 1, Usual: ParseSort(string(defaultSort), SortName)}
	q.Search = CleanText(v.Get("q"))
	if utf8.RuneCountInString(q.Search) > MaxSearchLength {
		return q, &InputError{Field: "q", Message: fmt.Sprintf("Search text is too long: use at most %d characters.", MaxSearchLength)}
	}
	if c := v.Get("category"); IsSlug(c) {
		q.Category = c
	}
	q.SortChoice = ParseSort(v.Get("sort"), "")
	if q.SortChoice == SortRelevance {
		q.SortChoice = ""
	}
	q.Sort = q.SortChoice
	if q.Sort == "" {
		q.Sort = defaultSort
		if TSQuery(q.Search) != "" {
			q.Sort = SortRelevance
		}
	}
	if v.Get("page") != "" {
		p, err := ParsePage("page", v.Get("page"), PageSize)
		if err != nil {
			return q, err
		}
		q.Page = p.Page
	}
	for _, c := range []struct {
		name string
		to   *int64
	}{{"after", &q.After}, {"before", &q.Before}} {
		if p := v.Get(c.name); p != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil || n < 1 {
				return q, &InputError{Field: c.name, Message: "That page link is broken: “after” and “before” must be product numbers. Go back to the first page."}
			}
			*c.to = n
		}
	}
	if q.After != 0 && q.Before != 0 {
		return q, &InputError{Field: "after", Message: "That page link is broken: “after” and “before” must be used one at a time. Go back to the first page."}
	}
	if q.Searching() {
		// A search's results are paged by offset.
		q.After, q.Before = 0, 0
	}
	return q, nil
}

// Searching reports whether q searches for something.
func (q CatalogueQuery) Searching() bool { return TSQuery(q.Search) != "" }

// Keyset reports whether q's pages are read by keyset rather than offset.
func (q CatalogueQuery) Keyset() bool { return !q.Searching() }

// Values is the query string for q at the given page. Defaults are left
// out so URLs stay short.
func (q CatalogueQuery) Values(page int) url.Values {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Category != "" {
		v.Set("category", q.Category)
	}
	if q.SortChoice != "" {
		v.Set("sort", string(q.SortChoice))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// SelfValues is the query string of q itself, cursor included: where a
// form on the page comes back to.
func (q CatalogueQuery) SelfValues() url.Values {
	v := q.Values(q.Page)
	if q.After != 0 {
		v.Set("after", strconv.FormatInt(q.After, 10))
	}
	if q.Before != 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	return v
}

// AfterValues is the query string of the page after the one ending with the
// product id (shown as page number page).
func (q CatalogueQuery) AfterValues(id int64, page int) url.Values {
	v := q.Values(page)
	v.Set("after", strconv.FormatInt(id, 10))
	return v
}

// BeforeValues is the query string of the page before the one starting
// with the product id (shown as page number page). The first page has no
// cursor, so that it has one URL.
func (q CatalogueQuery) BeforeValues(id int64, page int) url.Values {
	v := q.Values(page)
	if page > 1 {
		v.Set("before", strconv.FormatInt(id, 10))
	}
	return v
}

// TSQuery turns what a customer typed into a prefix-matching Postgres
// tsquery ("sourd bre" → "sourd:* & bre:*") so results appear while typing.
// Only letters and digits survive, so the result is always a valid tsquery;
// "" means "no search".
func TSQuery(search string) string {
	terms := strings.FieldsFunc(strings.ToLower(search), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var parts []string
	for _, t := range terms {
		if len(parts) == maxSearchTerms {
			break
		}
		if r := []rune(t); len(r) > maxTermLength {
			t = string(r[:maxTermLength])
		}
		parts = append(parts, t+":*")
	}
	return strings.Join(parts, " & ")
}

// IsSlug reports whether s is a URL slug: lower-case letters, digits and
// single hyphens, at most 80 characters.
func IsSlug(s string) bool {
	if s == "" || len(s) > 80 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	prevHyphen := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			prevHyphen = false
		case r == '-' && !prevHyphen:
			prevHyphen = true
		default:
			return false
		}
	}
	return true
}

// Pages is the number of pages needed for total items.
func Pages(total int64) int {
	if total <= 0 {
		return 1
	}
	return int((total + PageSize - 1) / PageSize)
}

// StockLevel describes how much of a product is left, as customers see it.
type StockLevel struct {
	Stock       int32 // for a product made to order, its daily limit
	MadeToOrder bool
}

// SoldOut reports whether nothing is left.
func (s StockLevel) SoldOut() bool { return s.Stock <= 0 }

// Low reports whether few enough are left to say how many.
func (s StockLevel) Low() bool { return !s.MadeToOrder && s.Stock > 0 && s.Stock <= LowStock }

// Label is the customer-facing stock state.
func (s StockLevel) Label() string {
	switch {
	case s.MadeToOrder && s.SoldOut():
		return "Not being made"
	case s.MadeToOrder:
		return "Made to order"
	case s.SoldOut():
		return "Sold out"
	case s.Low():
		return fmt.Sprintf("Only %d left", s.Stock)
	default:
		return "In stock"
	}
}
