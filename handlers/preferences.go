package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"shopfront/cookiestate"
	"shopfront/shop"
	"shopfront/views"
)

// preferences reads the visitor's display choices; anything unknown in the
// cookie means the default.
func preferences(j *cookiestate.Jar) shop.Preferences {
	p, _ := cookiestate.PrefsCookie.Get(j)
	prefs := shop.NormalizePreferences(p.Theme, p.View, p.Sort)
	prefs.Alerts = p.Alerts
	return prefs
}

// savePrefs stores preferences in their cookie.
func savePrefs(j *cookiestate.Jar, p shop.Preferences) error {
	return cookiestate.PrefsCookie.Set(j, cookiestate.Prefs{Theme: p.Theme, View: p.View, Sort: string(p.Sort), Alerts: p.Alerts})
}

func (s *Server) preferences(c echo.Context) error {
	return s.render(c, http.StatusOK, views.PreferencesPage(preferences(jar(c))), nil)
}

// savePreferences stores allow-listed choices in the prefs cookie.
func (s *Server) savePreferences(c echo.Context) error {
	p := shop.NormalizePreferences(c.FormValue("theme"), c.FormValue("view"), c.FormValue("sort"))
	p.Alerts = preferences(jar(c)).Alerts
	if err := savePrefs(jar(c), p); err != nil {
		return err
	}
	s.flash(c, "success", "Your preferences are saved.")
	return redirect(c, safeReturnPath(c.FormValue("return_to"), s.paths.URL(views.RoutePreferences)))
}

// setView switches the catalogue between grid and list. htmx swaps the
// results in place (HX-Location back to the same catalogue URL, results
// only); without JavaScript the browser goes back to that URL.
func (s *Server) setView(c echo.Context) error {
	j := jar(c)
	p := preferences(j)
	p.View = shop.NormalizePreferences(p.Theme, c.FormValue("view"), string(p.Sort)).View
	if err := savePrefs(j, p); err != nil {
		return err
	}
	back := safeReturnPath(c.FormValue("return_to"), s.paths.URL(views.RouteCatalogue))
	if isPartial(c.Request()) {
		loc, _ := json.Marshal(map[string]any{
			"path":    back,
			"target":  "#results",
			"replace": "true", // same URL: no second history entry
			"headers": map[string]string{"Shopfront-Focus": "view"},
		})
		c.Response().Header().Set("HX-Location", string(loc))
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// adminBoardAlerts turns the board's sound and tab count for new orders on
// or off (a preference of this browser). htmx swaps the toggle in place.
func (s *Server) adminBoardAlerts(c echo.Context) error {
	j := jar(c)
	p := preferences(j)
	p.Alerts = c.FormValue("alerts") == "true"
	if err := savePrefs(j, p); err != nil {
		return err
	}
	if isPartial(c.Request()) {
		return s.render(c, http.StatusOK, nil, views.BoardAlerts(p.Alerts))
	}
	return redirect(c, s.paths.URL(views.RouteAdminOrders))
}
