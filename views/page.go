// Package views holds Shopfront's templ components: the layout, shared
// components, shop pages and their htmx fragments.
package views

import (
	"context"
	"fmt"
	"github.com/a-h/templ"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shopfront/settings"
	"shopfront/shop"
)

// Route names. handlers/routes.go binds each to a method, path and handler;
// views build every URL from these names, never from string literals.
const (
	RouteCatalogue = "catalogue"
	RouteProduct   = "product"
	RouteImage     = "image"

	RoutePreferences     = "preferences"
	RouteSavePreferences = "preferences.save"
	RouteSetView         = "preferences.view"

	RouteCart          = "cart"
	RouteCartAdd       = "cart.add"
	RouteCartUpdate    = "cart.update"
	RouteCartRemove    = "cart.remove"
	RouteCartClear     = "cart.clear"
	RouteCartPutBack   = "cart.putback"
	RouteCheckout      = "checkout"
	RouteCheckoutTotal = "checkout.total"
	RoutePlaceOrder    = "checkout.place"
	RouteOrders        = "orders"
	RouteOrder         = "order"
	RouteOrderEvents   = "order.events"
)

// Paths maps route names to path patterns such as "/products/:slug".
type Paths map[string]string

// URL fills the pattern of the named route with params, path-escaped, in order.
// An unknown name or a wrong number of params is a programming error.
func (p Paths) URL(name string, params ...any) string {
	pattern, ok := p[name]
	if !ok {
		panic("views: no route named " + name)
	}
	if !strings.Contains(pattern, "/:") {
		if len(params) != 0 {
			panic("views: too many params for route " + name)
		}
		return pattern // most routes: nothing to fill, nothing to allocate
	}
	var b strings.Builder
	b.Grow(len(pattern) + 32)
	n := 0
	for seg := range strings.SplitSeq(pattern, "/") {
		if n > 0 || b.Len() > 0 || seg != "" {
			b.WriteByte('/')
		}
		if !strings.HasPrefix(seg, ":") {
			b.WriteString(seg)
			continue
		}
		if n >= len(params) {
			panic("views: too few params for route " + name)
		}
		b.WriteString(url.PathEscape(paramString(params[n])))
		n++
	}
	if n != len(params) {
		panic("views: too many params for route " + name)
	}
	return b.String()
}

func paramString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	default:
		return fmt.Sprint(v)
	}
}

// Page is what every full page needs besides its own content: the shop,
// the visitor's state and helpers. The render helper puts it in the context.
type Page struct {
	Paths    Paths
	ShopName string
	// Shop is what the owner has set: name, address, hours, policies.
	Shop *settings.Settings
	// Now is the time of the request, for "open today".
	Now time.Time
	// BaseURL is the shop's public address, for links that leave the site.
	BaseURL string
	// MetaDescription and MetaImage describe this page to search engines
	// and link previews, instead of the shop's description and logo.
	MetaDescription string
	MetaImage       string // an image's hash
	Currency        string
	Partial         bool   // rendering an htmx fragment rather than a full page
	Path            string // the request path, to mark the current navigation link
	Theme           string // "light", "dark" or "system"
	Flash           *Flash // a one-time message to show
	Location        *time.Location
	// Notices are what every storefront page says about the calendar:
	// closures coming up, when orders close.
	Notices []string
	// CartCount is the number of items in the cart cookie, for the badge.
	CartCount int
	// RecentOrders is how many orders this browser has placed recently.
	RecentOrders int
	// Staff is who is signed in to the staff area, if anyone.
	Staff *StaffInfo
	// CSRF returns the token for forms and htmx requests; calling it may
	// create the visitor's cookie, so pages that post nothing never set one.
	CSRF func() string
}

// Flash is a one-time status message.
type Flash struct {
	Kind string // "success", "notice" or "error"
	Text string
	// Link, with LinkText, follows the message: "view it".
	Link, LinkText string
}

type pageKey struct{}

// WithPage returns ctx carrying p.
func WithPage(ctx context.Context, p *Page) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

// PageFrom returns the Page in ctx, or an empty one.
func PageFrom(ctx context.Context) *Page {
	if p, ok := ctx.Value(pageKey{}).(*Page); ok {
		return p
	}
	return &Page{Paths: Paths{}, CSRF: func() string { return "" }, Location: time.UTC, Shop: &settings.Settings{}}
}

// CSRFField is the name of the hidden field carrying the CSRF token.
const CSRFField = "csrf_token"

func csrfHeaders(ctx context.Context) string {
	return `{"X-CSRF-Token":"` + PageFrom(ctx).CSRF() + `"}`
}

// URL builds the URL of a named route.
func URL(ctx context.Context, name string, params ...any) string {
	return PageFrom(ctx).Paths.URL(name, params...)
}

// URLWithQuery builds the URL of a named route plus a query string.
func URLWithQuery(ctx context.Context, q url.Values, name string, params ...any) string {
	u := URL(ctx, name, params...)
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// afterQuery asks a live stream for the events after id.
func afterQuery(id int64) url.Values {
	return url.Values{"after": {fmt.Sprint(id)}}
}

func price(minor int64, currency string) string {
	return shop.Money{Minor: minor, Currency: currency}.String()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// themeAttrs sets data-theme only when the visitor chose light or dark;
// otherwise the stylesheet follows prefers-color-scheme.
func themeAttrs(theme string) templ.Attributes {
	if theme == "light" || theme == "dark" {
		return templ.Attributes{"data-theme": theme}
	}
	return templ.Attributes{}
}

// currentAttrs marks the navigation link of the page being shown.
func currentAttrs(current bool) templ.Attributes {
	if current {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// slotTime formats a pickup slot in the shop's time zone, e.g.
// "Saturday 28 November, 09:00–10:00".
func slotTime(ctx context.Context, start, end time.Time) string {
	loc := PageFrom(ctx).Location
	s, e := start.In(loc), end.In(loc)
	return s.Format("Monday 2 January, 15:04") + "–" + e.Format("15:04")
}

// dateTime formats a moment in the shop's time zone.
func dateTime(ctx context.Context, t time.Time) string {
	return t.In(PageFrom(ctx).Location).Format("2 January 2006 at 15:04")
}

// zonedDateTime is dateTime with its time zone, for customers, who may be
// elsewhere: "2 December 2026 at 10:15 (GMT, London time)".
func zonedDateTime(ctx context.Context, t time.Time) string {
	loc := PageFrom(ctx).Location
	return dateTime(ctx, t) + " (" + shop.ZoneName(t, loc) + ")"
}

// Description is the page's description for search engines and previews.
func (p *Page) Description() string {
	if p.MetaDescription != "" {
		return p.MetaDescription
	}
	return p.Shop.Description
}

// ImageURL is the page's picture for link previews, an absolute URL.
func (p *Page) ImageURL(ctx context.Context) string {
	hash := p.MetaImage
	if hash == "" {
		hash = p.Shop.LogoHash
	}
	if hash == "" {
		return ""
	}
	return p.BaseURL + URL(ctx, RouteImage, hash)
}

// themeQuery versions the theme stylesheet's URL by the settings' version,
// so it is cached until the owner changes the colour.
func themeQuery(s *settings.Settings) url.Values {
	return url.Values{"v": {fmt.Sprint(s.Version)}}
}
