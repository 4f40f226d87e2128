package shop

import (
	"fmt"
	"strconv"
	"strings"
)

// Page sizes of the staff area's lists: long enough for a morning's orders
// or a whole small catalogue on one screen, short enough to load at once
// on the counter's tablet.
const (
	AdminOrdersPerPage   = 50
	AdminProductsPerPage = 50
	StockLedgerPerPage   = 25
	SettingsLogPerPage   = 25
)

// Paging is one page of a list that is read page by page.
type Paging struct {
	Page    int   // 1-based
	PerPage int   // items on a full page
	Total   int64 // items in the whole list; -1 when not counted
	More    bool  // when Total is not counted: whether a next page exists
}

// ParsePage reads a ?page= value: empty is the first page; anything but a
// whole number from 1 to MaxPage is an *InputError. The storefront's
// catalogue and the staff lists read it alike.
func ParsePage(field, v string, perPage int) (Paging, error) {
	p := Paging{Page: 1, PerPage: perPage, Total: -1}
	if v = strings.TrimSpace(v); v == "" {
		return p, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPage {
		return p, &InputError{Field: field, Message: fmt.Sprintf("The page must be a whole number from 1 to %d.", MaxPage)}
	}
	p.Page = n
	return p, nil
}

// Offset is how many items come before this page.
func (p Paging) Offset() int { return (p.Page - 1) * p.PerPage }

// Limit is how many items to read for this page: one more than a page when
// the total is not counted, to know whether another page follows.
func (p Paging) Limit() int {
	if p.Total < 0 {
		return p.PerPage + 1
	}
	return p.PerPage
}

// Pages is the number of pages, at least 1 (an empty list has one, empty
// page); 0 when the total is not counted.
func (p Paging) Pages() int {
	if p.Total < 0 {
		return 0
	}
	if p.Total == 0 {
		return 1
	}
	return int((p.Total + int64(p.PerPage) - 1) / int64(p.PerPage))
}

// HasPrevious and HasNext say which way the list goes on.
func (p Paging) HasPrevious() bool { return p.Page > 1 }
func (p Paging) HasNext() bool {
	if p.Total < 0 {
		return p.More
	}
	return p.Page < p.Pages()
}

// PastEnd is a page after the last one: nothing to show there.
func (p Paging) PastEnd() bool { return p.Total >= 0 && p.Page > p.Pages() }

// Several says whether there is more than one page, so paging links are
// worth showing.
func (p Paging) Several() bool { return p.HasPrevious() || p.HasNext() }

// Range says which items this page shows: "51–100 of 230". shown is the
// number of items on the page.
func (p Paging) Range(shown int) string {
	if shown == 0 {
		return ""
	}
	first, last := p.Offset()+1, p.Offset()+shown
	if p.Total < 0 {
		return fmt.Sprintf("%d–%d", first, last)
	}
	return fmt.Sprintf("%d–%d of %d", first, last, p.Total)
}
