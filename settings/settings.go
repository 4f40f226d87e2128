// Package settings holds what the owner decides about their shop, kept in
// Postgres and edited in the staff area: identity, where and when to
// collect, delivery zones, policies and who hears of new orders. Every node
// reads them on every page through a Cache that a NOTIFY invalidates.
package settings

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"shopfront/db"
	"shopfront/shop"
)

// Limits, used by validation and by the forms' maxlength alike.
const (
	MaxName         = 80
	MaxDescription  = 300
	MaxPhone        = 30
	MaxAddress      = 300
	MaxInstructions = 300
	MaxPolicy       = 20000
	MaxAllergens    = 5000
	MaxZonePrefixes = 50
	MaxNotify       = 10
	MaxRanges       = 3   // opening ranges a day
	MaxRetention    = 120 // months
)

// Clock is a time of day in minutes after midnight.
type Clock = shop.Clock

// Range is one opening range of a day.
type Range struct{ Opens, Closes Clock }

// String is "08:00–13:00".
func (r Range) String() string { return r.Opens.String() + "–" + r.Closes.String() }

// PickupPoint is a place to collect orders.
type PickupPoint struct {
	ID           int64
	Name         string
	Address      string // lines separated by newlines
	Instructions string // "side door, ring the bell"
	Active       bool
}

// Settings is the whole of what the owner has set.
type Settings struct {
	Name, Description string
	LogoHash          string // sha256 of the logo's image, "" for none
	IconHash          string // the square icon made from the logo
	Accent            string // "#7a3e00", "" for the default
	Phone, Email      string
	PickupEnabled     bool
	Cutoff            shop.Cutoff // how late an order can be placed for a day
	HorizonDays       int         // how many days ahead customers can order
	OrdersPerHour     int         // from one client network or email; 0: no limit
	DeliveryEnabled   bool
	Privacy, Terms    string
	Allergens         string
	RetentionMonths   int
	Notify            []string
	Configured        bool
	Version           int32
	UpdatedAt         time.Time
	Points            []PickupPoint // every point, active first
	Hours             [7][]Range    // by weekday, Sunday first
	Zones             []shop.DeliveryZone
	Closures          []Closure // not yet over, earliest first
	// PickupWeekdays are the weekdays the schedule makes slots on, and
	// DeliveryWeekdays those a zone is delivered on (none: only one-off
	// slots or days).
	PickupWeekdays, DeliveryWeekdays shop.Weekdays
}

// Closure is days the shop is closed, with the note customers see.
type Closure struct {
	ID          int64
	First, Last time.Time // dates
	Note        string
}

// CutoffOf reads the cut-off rule as stored.
func CutoffOf(kind string, lead, daysBefore int32, at pgtype.Time) shop.Cutoff {
	return shop.Cutoff{Kind: shop.CutoffKind(kind), Lead: time.Duration(lead) * time.Minute, DaysBefore: int(daysBefore), At: ClockOf(at)}
}

// Load reads the settings from Postgres.
func Load(ctx context.Context, q *db.Queries) (*Settings, error) {
	row, err := q.GetSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the settings: %w", err)
	}
	s := &Settings{
		Name: row.Name, Description: row.Description, LogoHash: row.LogoHash, IconHash: row.IconHash, Accent: row.Accent,
		Phone: row.Phone, Email: row.Email, PickupEnabled: row.PickupEnabled,
		Cutoff: CutoffOf(row.CutoffKind, row.LeadMinutes, row.CutoffDaysBefore, row.CutoffTime), HorizonDays: int(row.HorizonDays), OrdersPerHour: int(row.OrdersPerHour),
		DeliveryEnabled: row.DeliveryEnabled, Privacy: row.Privacy, Terms: row.Terms, Allergens: row.Allergens,
		RetentionMonths: int(row.RetentionMonths), Notify: row.NotifyEmails, Configured: row.ConfiguredAt.Valid,
		Version: row.Version, UpdatedAt: row.UpdatedAt,
	}
	points, err := q.PickupPoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the pickup points: %w", err)
	}
	for _, p := range points {
		s.Points = append(s.Points, PickupPoint{ID: p.ID, Name: p.Name, Address: p.Address, Instructions: p.Instructions, Active: p.Active})
	}
	hours, err := q.OpeningHours(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the opening hours: %w", err)
	}
	for _, h := range hours {
		s.Hours[h.Weekday] = append(s.Hours[h.Weekday], Range{ClockOf(h.Opens), ClockOf(h.Closes)})
	}
	zones, err := q.DeliveryZones(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the delivery zones: %w", err)
	}
	s.Zones = ZonesOf(zones)
	open, err := q.OpenWeekdays(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the schedule's days: %w", err)
	}
	s.PickupWeekdays, s.DeliveryWeekdays = shop.Weekdays(open.Pickup), shop.Weekdays(open.Delivery)
	closures, err := q.Closures(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the closures: %w", err)
	}
	for _, c := range closures {
		s.Closures = append(s.Closures, Closure{ID: c.ID, First: c.FirstDay, Last: c.LastDay, Note: c.Note})
	}
	return s, nil
}

// ZonesOf turns zone rows into the rules a checkout applies.
func ZonesOf(rows []db.DeliveryZonesRow) []shop.DeliveryZone {
	zones := make([]shop.DeliveryZone, 0, len(rows))
	for _, z := range rows {
		zones = append(zones, shop.DeliveryZone{ID: z.ID, Name: z.Name, Prefixes: z.Prefixes, Fee: z.FeeMinor,
			Minimum: z.MinimumMinor, FreeOver: z.FreeOverMinor.Int64, HasFreeOver: z.FreeOverMinor.Valid})
	}
	return zones
}

// ClockOf reads a time of day as stored.
func ClockOf(t pgtype.Time) Clock { return shop.Clock(t.Microseconds / 60_000_000) }

// TimeOf is a time of day to store.
func TimeOf(c Clock) pgtype.Time {
	return pgtype.Time{Microseconds: int64(c) * 60_000_000, Valid: true}
}

// ActivePoints are the places customers can collect from now.
func (s *Settings) ActivePoints() []PickupPoint {
	var out []PickupPoint
	for _, p := range s.Points {
		if p.Active {
			out = append(out, p)
		}
	}
	return out
}

// Point is the pickup point with this id (active or archived).
func (s *Settings) Point(id int64) (PickupPoint, bool) {
	for _, p := range s.Points {
		if p.ID == id {
			return p, true
		}
	}
	return PickupPoint{}, false
}

// Delivers reports whether customers can choose delivery.
func (s *Settings) Delivers() bool { return s.DeliveryEnabled && len(s.Zones) > 0 }

// Collects reports whether customers can choose pickup.
func (s *Settings) Collects() bool { return s.PickupEnabled && len(s.ActivePoints()) > 0 }

// OpenOn is how a day reads: "08:00–13:00 and 15:00–18:00", or "Closed".
func (s *Settings) OpenOn(weekday time.Weekday) string {
	ranges := s.Hours[weekday]
	if len(ranges) == 0 {
		return "Closed"
	}
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		parts[i] = r.String()
	}
	return strings.Join(parts, " and ")
}

// Today is the footer's line: "Open today 08:00–13:00" or "Closed today".
func (s *Settings) Today(now time.Time, loc *time.Location) string {
	wd := now.In(loc).Weekday()
	if len(s.Hours[wd]) == 0 {
		return "Closed today"
	}
	return "Open today " + s.OpenOn(wd)
}

// HasHours reports whether any opening hours are set.
func (s *Settings) HasHours() bool {
	for _, d := range s.Hours {
		if len(d) > 0 {
			return true
		}
	}
	return false
}

// Missing lists what the owner still has to do before customers can order.
func (s *Settings) Missing() []string {
	var out []string
	if s.Name == "" {
		out = append(out, "Give the shop its name (Identity).")
	}
	if s.PickupEnabled && len(s.ActivePoints()) == 0 {
		out = append(out, "Add a pickup point with its address, or turn pickup off (Where and when).")
	}
	return out
}

// PrivacyText is the privacy notice: the owner's, or a sensible default
// naming what is collected, why, and for how long.
func (s *Settings) PrivacyText() string {
	if strings.TrimSpace(s.Privacy) != "" {
		return s.Privacy
	}
	return DefaultPrivacy(s.Name, s.RetentionMonths, s.Email)
}

// DefaultPrivacy is the privacy notice a shop starts with.
func DefaultPrivacy(name string, months int, email string) string {
	if name == "" {
		name = "This shop"
	}
	contact := "the shop"
	if email != "" {
		contact = email
	}
	return fmt.Sprintf(`%[1]s keeps only what it needs to take and fulfil your orders.

What we collect: your name, email address and phone number, and for delivery your address and postcode, with what you ordered and any note you add.

Why: to prepare your order, to tell you when it is ready or on its way, to contact you about it, and to keep the records a shop must keep. We never sell your details or use them for advertising.

How long: we keep your details for %[2]d months after your order, then remove your name, contact details, address and note from it. The order itself (what was sold, when, for how much) stays in our accounts.

Cookies: this site uses cookies only to keep your cart, your recent orders and your display preferences, and to protect forms. They are not used to track you.

Your rights: you can ask to see, correct or delete your details at any time. Write to %[3]s.`, name, months, contact)
}

// Paragraphs splits a text the owner typed into paragraphs.
func Paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ClosedOn is the closure covering a date, if any.
func (s *Settings) ClosedOn(day time.Time) (Closure, bool) {
	for _, c := range s.Closures {
		if !day.Before(c.First) && !day.After(c.Last) {
			return c, true
		}
	}
	return Closure{}, false
}

// ClosuresFrom are the closures not over by a date, for the storefront.
func (s *Settings) ClosuresFrom(day time.Time) []Closure {
	var out []Closure
	for _, c := range s.Closures {
		if !c.Last.Before(day) {
			out = append(out, c)
		}
	}
	return out
}
