package views

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// Routes of the owner's settings.
const (
	RouteAdminSettings           = "admin.settings"
	RouteAdminSettingsIdentity   = "admin.settings.identity"
	RouteAdminSettingsLogo       = "admin.settings.logo"
	RouteAdminSettingsContact    = "admin.settings.contact"
	RouteAdminSettingsHours      = "admin.settings.hours"
	RouteAdminSettingsPoints     = "admin.settings.points"
	RouteAdminSettingsPoint      = "admin.settings.point"
	RouteAdminSettingsDelivery   = "admin.settings.delivery"
	RouteAdminSettingsZones      = "admin.settings.zones"
	RouteAdminSettingsZone       = "admin.settings.zone"
	RouteAdminSettingsZoneDelete = "admin.settings.zone.delete"
	RouteAdminSettingsPolicies   = "admin.settings.policies"
	RouteAdminSettingsNotify     = "admin.settings.notify"
)

// AdminSettings is the settings page: the current settings, and for the
// section that could not be saved, what was typed and what is wrong.
type AdminSettings struct {
	S        *settings.Settings
	Currency string
	Changes  []db.RecentSettingsChangesRow
	Log      shop.Paging // the page of Changes shown
	FormState
	Notice string // the whole page: another owner saved meanwhile
}

// LogURL is the settings page showing another page of its changes.
func (p AdminSettings) LogURL(ctx context.Context, page int) string {
	v := url.Values{}
	if page > 1 {
		v.Set("changes", strconv.Itoa(page))
	}
	return URLWithQuery(ctx, v, RouteAdminSettings) + "#changes"
}

// FormState is, on a page of several forms, the one that was posted and
// came back: its section, what was typed and what is wrong.
type FormState struct {
	Section string
	Form    map[string]string
	Errors  shop.FieldErrors
}

// Val is a field's value: as typed, in the section that came back, or as
// saved.
func (p FormState) Val(section, field, saved string) string {
	if p.Section == section && p.Form != nil {
		if v, ok := p.Form[field]; ok {
			return v
		}
	}
	return saved
}

// Checked is a checkbox's state, as sent or as saved.
func (p FormState) Checked(section, field string, saved bool) bool {
	if p.Section == section && p.Form != nil {
		return p.Form[field] == "true"
	}
	return saved
}

// ErrorsFor are the errors of one section.
func (p FormState) ErrorsFor(section string) shop.FieldErrors {
	if p.Section == section {
		return p.Errors
	}
	return nil
}

func hourField(wd time.Weekday, i int, end string) string {
	return fmt.Sprintf("h-%d-%d-%s", int(wd), i, end)
}

func rangeAt(s *settings.Settings, wd time.Weekday, i int, opens bool) string {
	if i >= len(s.Hours[wd]) {
		return ""
	}
	if opens {
		return s.Hours[wd][i].Opens.String()
	}
	return s.Hours[wd][i].Closes.String()
}

// amount is minor units as typed in a form ("3.50"); "" when unset.
func amount(minor int64, currency string, set bool) string {
	if !set {
		return ""
	}
	return shop.Money{Minor: minor, Currency: currency}.Decimal()
}

func hintIDs(name, hint string) []string {
	if hint == "" {
		return nil
	}
	return []string{name + "-hint"}
}
