package handlers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

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
	if err := component.Render(views.WithPage(c.Request().Context(), page), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}

// page gathers what every page needs besides its own data.
func (s *Server) page(c echo.Context, partial bool) *views.Page {
	return &views.Page{
		Paths:    s.paths,
		ShopName: s.cfg.ShopName,
		Currency: s.cfg.Currency,
		Partial:  partial,
	}
}

// redirect sends the browser to url after a successful action: 303 See
// Other for plain forms, HX-Location for htmx (which must not see a 3xx).
func redirect(c echo.Context, url string) error {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Location", url)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, url)
}
