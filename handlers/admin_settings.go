package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/db"
	"shopfront/productimage"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/views"
)

// The owner's settings: one page, a form per section. Each form carries the
// settings' version; a save from a stale page is refused and the page
// shows the current values.

func (s *Server) adminSettings(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, views.AdminSettings{})
}

func (s *Server) renderSettings(c echo.Context, status int, p views.AdminSettings) error {
	// Straight from Postgres, not the cache: the owner sees what is saved.
	st, err := settings.Load(c.Request().Context(), s.queries)
	if err != nil {
		return err
	}
	if p.Log, err = shop.ParsePage("changes", c.QueryParam("changes"), shop.SettingsLogPerPage); err != nil {
		return err
	}
	changes, err := s.queries.RecentSettingsChanges(c.Request().Context(), db.RecentSettingsChangesParams{
		PageOffset: int32(p.Log.Offset()), PageLimit: int32(p.Log.Limit()),
	})
	if err != nil {
		return fmt.Errorf("read the settings' changes: %w", err)
	}
	if p.Log.More = len(changes) > p.Log.PerPage; p.Log.More {
		changes = changes[:p.Log.PerPage]
	}
	p.S, p.Changes, p.Currency = st, changes, s.cfg.Currency
	return s.render(c, status, views.AdminSettingsPage(p), nil)
}

// settingsChange is the change a settings form asks for.
func (s *Server) settingsChange(c echo.Context) settings.Change {
	v, _ := strconv.ParseInt(c.FormValue("version"), 10, 32)
	return settings.Change{StaffID: currentStaff(c).ID, Version: int32(v), Now: s.now()}
}

// typedForm is, on a page of several forms, the one that came back: what
// was typed in it and what is wrong.
func typedForm(c echo.Context, section string, input *shop.InputError) views.FormState {
	params, _ := c.FormParams()
	form := map[string]string{}
	for k := range params {
		form[k] = params.Get(k)
	}
	field := input.Field
	if field == "" {
		field = "form"
	}
	return views.FormState{Section: section, Form: form, Errors: shop.FieldErrors{field: input.Message}}
}

// saved answers a settings save: back to its section, or the page again
// with what is wrong.
func (s *Server) saved(c echo.Context, section, anchor, done string, err error) error {
	var input *shop.InputError
	var stale *settings.StaleError
	switch {
	case err == nil:
		s.flash(c, "success", done)
		return redirect(c, s.paths.URL(views.RouteAdminSettings)+"#"+anchor)
	case errors.As(err, &input):
		return s.renderSettings(c, http.StatusUnprocessableEntity, views.AdminSettings{FormState: typedForm(c, section, input)})
	case errors.As(err, &stale):
		return s.renderSettings(c, http.StatusConflict, views.AdminSettings{
			Notice: "Another owner saved the settings after you opened this page, so nothing was saved. The page now shows the current settings: make your change again.",
		})
	case errors.Is(err, settings.ErrNotFound):
		return echo.ErrNotFound
	}
	return err
}

func (s *Server) adminSaveIdentity(c echo.Context) error {
	err := settings.SaveIdentity(c.Request().Context(), s.pool, s.settingsChange(c), settings.Identity{
		Name: c.FormValue("name"), Description: c.FormValue("description"), Accent: c.FormValue("accent"),
	})
	return s.saved(c, "identity", "identity", "The shop's identity is saved.", err)
}

// adminSaveLogo takes a logo upload (checked by its bytes and scaled like a
// product photo) and makes the square icon from it; "remove" removes it.
func (s *Server) adminSaveLogo(c echo.Context) error {
	allowSlowUpload(c)
	ch := s.settingsChange(c)
	if c.FormValue("remove") == "true" {
		return s.saved(c, "logo", "identity", "The logo is removed.", settings.SaveLogo(c.Request().Context(), s.pool, ch, productimage.Image{}, productimage.Image{}))
	}
	fail := func(message string) error {
		return s.saved(c, "logo", "identity", "", &shop.InputError{Field: "logo", Message: message})
	}
	_, display, message, err := s.receiveImage(c, "logo")
	if err != nil {
		return err
	} else if message != "" {
		return fail(message)
	}
	icon, err := productimage.Icon(display)
	var bad *productimage.Error
	if errors.As(err, &bad) {
		return fail(bad.Message)
	} else if err != nil {
		return err
	}
	return s.saved(c, "logo", "identity", "The logo is saved.", settings.SaveLogo(c.Request().Context(), s.pool, ch, display, icon))
}

func (s *Server) adminSaveContact(c echo.Context) error {
	err := settings.SaveContact(c.Request().Context(), s.pool, s.settingsChange(c), settings.Contact{
		Phone: c.FormValue("phone"), Email: c.FormValue("email"), PickupEnabled: c.FormValue("pickup_enabled") == "true",
	})
	return s.saved(c, "contact", "where", "Contact details and pickup are saved.", err)
}

func (s *Server) adminSaveHours(c echo.Context) error {
	var week [7][]settings.Range
	for wd := range 7 {
		for i := range settings.MaxRanges {
			open := strings.TrimSpace(c.FormValue(rangeName(wd, i, "open")))
			closes := strings.TrimSpace(c.FormValue(rangeName(wd, i, "close")))
			if open == "" && closes == "" {
				continue
			}
			o, ok1 := shop.ParseClock(open)
			cl, ok2 := shop.ParseClock(closes)
			if !ok1 || !ok2 {
				return s.saved(c, "hours", "where", "", &shop.InputError{Field: "hours-" + strconv.Itoa(wd),
					Message: time.Weekday(wd).String() + ": give both the opening and the closing time, like 08:00 and 13:00."})
			}
			week[wd] = append(week[wd], settings.Range{Opens: o, Closes: cl})
		}
	}
	return s.saved(c, "hours", "where", "Opening hours are saved.", settings.SaveHours(c.Request().Context(), s.pool, s.settingsChange(c), week))
}

func rangeName(wd, i int, end string) string {
	return "h-" + strconv.Itoa(wd) + "-" + strconv.Itoa(i) + "-" + end
}

func (s *Server) adminSavePoint(c echo.Context) error {
	var id int64
	section := "point-new"
	if p := c.Param("id"); p != "" {
		var err error
		if id, err = strconv.ParseInt(p, 10, 64); err != nil {
			return echo.ErrNotFound
		}
		section = "point-" + p
	}
	err := settings.SavePoint(c.Request().Context(), s.pool, s.settingsChange(c), settings.PickupPoint{
		ID: id, Name: c.FormValue("point_name"), Address: c.FormValue("point_address"), Instructions: c.FormValue("point_instructions"),
		Active: id == 0 || c.FormValue("active") == "true",
	})
	return s.saved(c, section, "where", "The pickup point is saved.", err)
}

func (s *Server) adminSaveDelivery(c echo.Context) error {
	on := c.FormValue("enabled") == "true"
	done := "Delivery is off."
	if on {
		done = "Delivery is on."
	}
	return s.saved(c, "delivery", "delivery", done, settings.SaveDeliveryEnabled(c.Request().Context(), s.pool, s.settingsChange(c), on))
}

func (s *Server) adminSaveZone(c echo.Context) error {
	var id int64
	section := "zone-new"
	if p := c.Param("id"); p != "" {
		var err error
		if id, err = strconv.ParseInt(p, 10, 64); err != nil {
			return echo.ErrNotFound
		}
		section = "zone-" + p
	}
	z := shop.DeliveryZone{ID: id, Name: c.FormValue("zone_name"), Prefixes: strings.Split(c.FormValue("zone_prefixes"), ",")}
	var err error
	for _, f := range []struct {
		name string
		to   *int64
		opt  bool
	}{{"zone_fee", &z.Fee, false}, {"zone_minimum", &z.Minimum, true}, {"zone_free_over", &z.FreeOver, true}} {
		v := strings.TrimSpace(c.FormValue(f.name))
		if v == "" && f.opt {
			continue
		}
		if *f.to, err = shop.ParseAmount(v, s.cfg.Currency); err != nil {
			return s.saved(c, section, "delivery", "", &shop.InputError{Field: f.name, Message: "Give an amount like 3.50 (" + err.Error() + ")."})
		}
	}
	z.HasFreeOver = strings.TrimSpace(c.FormValue("zone_free_over")) != ""
	return s.saved(c, section, "delivery", "The delivery zone is saved.", settings.SaveZone(c.Request().Context(), s.pool, s.settingsChange(c), z))
}

func (s *Server) adminDeleteZone(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	return s.saved(c, "zone-"+c.Param("id"), "delivery", "The delivery zone is removed.", settings.DeleteZone(c.Request().Context(), s.pool, s.settingsChange(c), id))
}

func (s *Server) adminSavePolicies(c echo.Context) error {
	months, err := strconv.Atoi(strings.TrimSpace(c.FormValue("retention_months")))
	if err != nil {
		return s.saved(c, "policies", "policies", "", &shop.InputError{Field: "retention_months", Message: "Give the number of months, like 24."})
	}
	privacy := c.FormValue("privacy")
	st, err := settings.Load(c.Request().Context(), s.queries)
	if err != nil {
		return err
	}
	if strings.TrimSpace(privacy) == strings.TrimSpace(st.PrivacyText()) && st.Privacy == "" {
		privacy = "" // the standard text, unchanged: keep following the shop's name and period
	}
	err = settings.SavePolicies(c.Request().Context(), s.pool, s.settingsChange(c), settings.Policies{
		Privacy: privacy, Terms: c.FormValue("terms"), Allergens: c.FormValue("allergens"), RetentionMonths: months,
	})
	return s.saved(c, "policies", "policies", "Policies are saved.", err)
}

func (s *Server) adminSaveNotify(c echo.Context) error {
	err := settings.SaveNotify(c.Request().Context(), s.pool, s.settingsChange(c), c.FormValue("notify"))
	return s.saved(c, "notifications", "notifications", "Notifications are saved.", err)
}
