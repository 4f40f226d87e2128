package handlers

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/views"
)

// The shop's own pages: where and when, delivery, its policies, and what
// search engines read. They come from the owner's settings.

func (s *Server) visit(c echo.Context) error {
	return s.render(c, http.StatusOK, views.VisitPage(), nil)
}

func (s *Server) delivery(c echo.Context) error {
	return s.render(c, http.StatusOK, views.DeliveryPage(), nil)
}

func (s *Server) privacy(c echo.Context) error {
	st := s.shop(c)
	return s.render(c, http.StatusOK, views.PolicyPage("Privacy", []views.PolicySection{{Text: st.PrivacyText()}}), nil)
}

func (s *Server) terms(c echo.Context) error {
	st := s.shop(c)
	terms := st.Terms
	if strings.TrimSpace(terms) == "" {
		terms = "Orders are paid when you collect them, or when we deliver them, by card or cash. " +
			"You can cancel an order until it is ready by contacting us; we may cancel an order we cannot fulfil, and then nothing is due."
	}
	allergens := st.Allergens
	if strings.TrimSpace(allergens) == "" {
		allergens = "Ask us about allergens before you order: we are happy to tell you what is in everything we sell."
	}
	return s.render(c, http.StatusOK, views.PolicyPage("Terms and allergens", []views.PolicySection{
		{Heading: "Terms of sale", Text: terms}, {Heading: "Allergens", Text: allergens},
	}), nil)
}

// openingSoon shows customers a friendly page until the owner has set the
// shop up (a name, and where to collect), in production. Development keeps
// its ready-made demo shop; the staff area is never held back.
func (s *Server) openingSoon(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.cfg.Production() || s.shop(c).Configured {
			return next(c)
		}
		c.Response().Header().Set("Retry-After", "3600")
		return s.render(c, http.StatusServiceUnavailable, views.OpeningSoonPage(), nil)
	}
}

// robots tells search engines what to index: the shop, not carts,
// checkouts, orders or the staff area.
func (s *Server) robots(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	body := "User-agent: *\n"
	if s.cfg.Production() && !s.shop(c).Configured {
		body += "Disallow: /\n"
	} else {
		for _, p := range []string{"/admin", "/cart", "/checkout", "/orders", "/preferences"} {
			body += "Disallow: " + p + "\n"
		}
	}
	body += "Sitemap: " + s.cfg.BaseURL + s.paths.URL(views.RouteSitemap) + "\n"
	return c.String(http.StatusOK, body)
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemap lists the shop's pages and every product for sale.
func (s *Server) sitemap(c echo.Context) error {
	set := sitemapSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, r := range []string{views.RouteCatalogue, views.RouteVisit, views.RouteDelivery, views.RoutePrivacy, views.RouteTerms} {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.cfg.BaseURL + s.paths.URL(r)})
	}
	products, err := s.queries.SitemapProducts(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range products {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.cfg.BaseURL + s.paths.URL(views.RouteProduct, p.Slug), LastMod: p.UpdatedAt.UTC().Format(time.DateOnly)})
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	body, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), body...))
}

// theme is the stylesheet of the owner's accent colour. Its URL carries the
// settings' version, so it is cached until the colour changes.
func (s *Server) theme(c echo.Context) error {
	st := s.shop(c)
	css := ""
	if st.Accent != "" {
		// The light scheme takes the owner's colour (checked for contrast
		// with white text); the dark scheme keeps its own light accent.
		css = fmt.Sprintf(":root { --accent: light-dark(%s, #f0a46e); }\n", st.Accent)
	}
	if c.QueryParam("v") == fmt.Sprint(st.Version) {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(css))
}

// metaKey carries a page's own description and image to the page head.
const metaKey = "page-meta"

type pageMeta struct{ description, image string }

// describe sets what search engines and link previews say of this page.
func describe(c echo.Context, description, imageHash string) {
	c.Set(metaKey, pageMeta{description: clipText(description, 200), image: imageHash})
}

func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
