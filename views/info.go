package views

import (
	"strings"

	"github.com/a-h/templ"
)

// Routes of the shop's own pages.
const (
	RouteVisit    = "visit"
	RouteDelivery = "delivery"
	RoutePrivacy  = "privacy"
	RouteTerms    = "terms"
	RouteRobots   = "robots"
	RouteSitemap  = "sitemap"
	RouteTheme    = "theme"
)

// PolicySection is a heading and the text under it.
type PolicySection struct{ Heading, Text string }

// telURL dials a phone number: only digits and a leading +.
func telURL(phone string) templ.SafeURL {
	var b strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return templ.SafeURL("tel:" + b.String())
}
