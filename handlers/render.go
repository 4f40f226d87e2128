package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"shopfront/calendar"
	"shopfront/cookiestate"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// isPartial reports whether r is an htmx request that wants only a region
// of the page. Boosted navigations, history restores and requests that
// target the whole body get the full page.
func isPartial(r *http.Request) bool {
	h := r.Header
	return h.Get("HX-Request") == "true" &&
		h.Get("HX-Request-Type") != "full" &&
		h.Get("HX-Boosted") != "true" &&
		h.Get("HX-History-Restore-Request") != "true"
}

// render is the one place that decides between a full page and an htmx
// fragment. fragment may be nil for pages without a swappable region. The
// page is rendered into a buffer first, so a template error becomes a clean
// error page and cookies can still be set before the first byte is sent.
func (s *Server) render(c echo.Context, status int, full, fragment templ.Component) error {
	partial := fragment != nil && isPartial(c.Request())
	if fragment != nil {
		c.Response().Header().Add("Vary", "HX-Request, HX-Request-Type, HX-Boosted, HX-History-Restore-Request")
	}
	component := full
	if partial {
		component = fragment
	}
	page := s.page(c, partial)

	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	ctx := views.WithPage(c.Request().Context(), page)
	if err := component.Render(ctx, buf); err != nil {
		return err
	}
	if partial && page.Flash != nil {
		if err := views.FlashUpdate(page.Flash).Render(ctx, buf); err != nil {
			return err
		}
	}
	h := c.Response().Header()
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}

// fragment renders a component to a string with the page's context, for a
// live stream to send.
func (s *Server) fragment(c echo.Context, component templ.Component) (string, error) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	ctx := views.WithPage(c.Request().Context(), s.page(c, true))
	if err := component.Render(ctx, buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

const settingsKey = "settings"

// shop is the shop's settings for this request, read once (from the
// node's cache). Without them (the database away and nothing cached yet)
// the shop is nameless and unconfigured.
func (s *Server) shop(c echo.Context) *settings.Settings {
	if st, ok := c.Get(settingsKey).(*settings.Settings); ok {
		return st
	}
	st, err := s.settings.Get(c.Request().Context())
	if err != nil {
		s.log.Warn("settings unavailable", "error", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		st = &settings.Settings{}
	}
	c.Set(settingsKey, st)
	return st
}

// page gathers what every page needs besides its own data. A full page
// consumes the flash cookie; an htmx fragment leaves it for the next page
// and shows only a message set while handling this very request.
func (s *Server) page(c echo.Context, partial bool) *views.Page {
	shopSettings := s.shop(c)
	name := shopSettings.Name
	if name == "" {
		name = "Shopfront" // a shop not named yet
	}
	p := &views.Page{
		Paths:    s.paths,
		ShopName: name,
		Shop:     shopSettings,
		Now:      s.now(),
		BaseURL:  s.cfg.BaseURL,
		Currency: s.cfg.Currency,
		Partial:  partial,
		Path:     pagePath(c.Request(), partial),
		Theme:    "system",
		Location: s.cfg.Location,
		CSRF:     func() string { return "" },
	}
	if j, ok := c.Get(jarKey).(*cookiestate.Jar); ok {
		var token string
		p.CSRF = func() string {
			if token == "" {
				token = cookiestate.CSRFToken(j)
			}
			return token
		}
		p.Theme = preferences(j).Theme
		// The checkout says it itself, for the days it offers.
		if !partial && shopSettings != nil && !strings.HasPrefix(c.Path(), "/admin") && !strings.HasPrefix(c.Path(), "/checkout") {
			p.Notices = calendar.StoreNotices(shopSettings, p.Now, s.cfg.Location)
		}
		p.CartCount = shop.CartCount(cartLines(c))
		p.RecentOrders = len(recentOrderTokens(c, s.now()))
		if !partial {
			if f, ok := cookiestate.FlashCookie.Take(j); ok {
				p.Flash = &views.Flash{Kind: f.Kind, Text: f.Text, Link: f.Link, LinkText: f.LinkText}
			}
		}
	}
	if m, ok := c.Get(metaKey).(pageMeta); ok {
		p.MetaDescription, p.MetaImage = m.description, m.image
	}
	if st, ok := c.Get(staffKey).(staffauth.Staff); ok {
		p.Staff = &views.StaffInfo{Name: st.Name, Owner: st.Owner()}
	}
	if f, ok := c.Get(flashNowKey).(*cookiestate.Flash); ok {
		p.Flash = &views.Flash{Kind: f.Kind, Text: f.Text, Link: f.Link, LinkText: f.LinkText}
	}
	return p
}

// redirect sends the browser to url after a successful action: 303 See
// Other for plain forms, HX-Redirect for htmx (which must not see a 3xx).
// A message flashed for this response moves to the flash cookie so the next
// page shows it.
func redirect(c echo.Context, url string) error {
	keepFlashForNextPage(c)
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

func keepFlashForNextPage(c echo.Context) {
	f, ok := c.Get(flashNowKey).(*cookiestate.Flash)
	j, hasJar := c.Get(jarKey).(*cookiestate.Jar)
	if ok && hasJar {
		_ = cookiestate.FlashCookie.Set(j, *f) // a short message always fits
		c.Set(flashNowKey, nil)
	}
}

// pagePath is the path of the page being shown: for an htmx fragment that
// is the page the browser is on (HX-Current-URL), not the request's path.
func pagePath(r *http.Request, partial bool) string {
	if partial {
		if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && u.Path != "" {
			return u.Path
		}
	}
	return r.URL.Path
}
