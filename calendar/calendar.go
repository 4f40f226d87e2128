// Package calendar is the shop's week: the weekly schedule that pickup
// slots are made from, closures, delivery days per zone, the cut-off rule
// and booking horizon, and the days of products made to order.
//
// Slots and delivery days are made by Generate, as far ahead as the
// horizon, idempotently: running it again changes nothing, and a change to
// the schedule changes only what nobody booked. Every edit here runs
// Generate in its own transaction, and a periodic job runs it so the
// horizon moves on day by day.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// Limits, used by validation and by the forms alike.
const (
	MaxHorizon     = 90 // days
	MinSlotMinutes = 10
	MaxSlotMinutes = 240
	MaxCapacity    = shop.MaxSlotCapacity
	MaxClosureDays = 366
	MaxNote        = 200
	MaxRules       = 50
	// MaxOrdersPerHour is the highest per-customer hourly limit that can
	// be set (0 turns the limit off).
	MaxOrdersPerHour = 10000
	// KeepOrdersPerHour saves the ordering rules without changing it.
	KeepOrdersPerHour = -1
)

// Rule is a window of the weekly schedule at one pickup point: on Days,
// from Starts to Ends, a slot every Every, each for Capacity orders.
type Rule struct {
	ID       int64
	PointID  int64
	Days     shop.Weekdays
	Starts   shop.Clock
	Ends     shop.Clock
	Every    time.Duration
	Capacity int
}

// String reads like "Tue–Sat 08:00–13:00".
func (r Rule) String() string {
	return fmt.Sprintf("%s %s–%s", r.Days, r.Starts, r.Ends)
}

// Times are the slots the rule makes on a date (whatever its weekday), in
// loc: 09:00 stays 09:00 across a clock change.
func (r Rule) Times(day time.Time, loc *time.Location) []shop.SlotTime {
	var out []shop.SlotTime
	for t := r.Starts.Duration(); t+r.Every <= r.Ends.Duration(); t += r.Every {
		start := time.Date(day.Year(), day.Month(), day.Day(), int(t/time.Hour), int(t%time.Hour/time.Minute), 0, 0, loc)
		out = append(out, shop.SlotTime{Start: start, End: start.Add(r.Every)})
	}
	return out
}

func (r Rule) overlaps(o Rule) bool {
	return r.PointID == o.PointID && r.Days&o.Days != 0 && r.Starts < o.Ends && o.Starts < r.Ends
}

// CheckRule checks a new window against the rules already there and the
// cut-off: a window ends after it starts and fits a slot, it overlaps no
// window of the same point on a shared day, and no slot of it would close
// for orders after it starts.
func CheckRule(in Rule, rules []Rule, cutoff shop.Cutoff) error {
	switch {
	case in.Days&shop.AllWeek == 0:
		return &shop.InputError{Field: "days", Message: "Choose at least one day of the week."}
	case in.Ends <= in.Starts:
		return &shop.InputError{Field: "ends", Message: fmt.Sprintf("The window ends (%s) before it starts (%s): the end must be later.", in.Ends, in.Starts)}
	case in.Every < MinSlotMinutes*time.Minute || in.Every > MaxSlotMinutes*time.Minute:
		return &shop.InputError{Field: "every", Message: fmt.Sprintf("Slots are %d to %d minutes long.", MinSlotMinutes, MaxSlotMinutes)}
	case in.Starts.Duration()+in.Every > in.Ends.Duration():
		return &shop.InputError{Field: "ends", Message: "The window is shorter than one slot: make it longer or the slots shorter."}
	case in.Capacity < 1 || in.Capacity > MaxCapacity:
		return &shop.InputError{Field: "capacity", Message: fmt.Sprintf("Each slot takes 1 to %d orders.", MaxCapacity)}
	case len(rules) >= MaxRules:
		return &shop.InputError{Field: "days", Message: fmt.Sprintf("The schedule has %d windows already, the most it takes.", MaxRules)}
	}
	for _, r := range rules {
		if r.ID != in.ID && in.overlaps(r) {
			return &shop.InputError{Field: "starts", Message: fmt.Sprintf("%s overlaps the window %s at the same pickup point.", in, r)}
		}
	}
	if cutoff.Kind == shop.DayBefore && cutoff.DaysBefore == 0 && cutoff.At > in.Starts {
		return &shop.InputError{Field: "starts", Message: fmt.Sprintf("Orders close at %s on the day, after this window's first slot at %s: start it later or move the cut-off.", cutoff.At, in.Starts)}
	}
	return nil
}

// Closure is days the shop is closed.
type Closure = settings.Closure

// CheckClosure cleans and checks a closure: its days in order, at most a
// year, not over already, with a note for customers.
func CheckClosure(in Closure, today time.Time) (Closure, error) {
	in.Note = shop.CleanText(in.Note)
	switch days := shop.DaysBetween(in.First, in.Last); {
	case days < 0:
		return in, &shop.InputError{Field: "last_day", Message: "The last day is before the first: give the days in order."}
	case days >= MaxClosureDays:
		return in, &shop.InputError{Field: "last_day", Message: fmt.Sprintf("A closure is at most %d days; add another for longer.", MaxClosureDays)}
	case in.Last.Before(today):
		return in, &shop.InputError{Field: "last_day", Message: "Those days are over already."}
	case in.Note == "":
		return in, &shop.InputError{Field: "note", Message: "Write the note customers see, like “Closed for Christmas”."}
	case utf8.RuneCountInString(in.Note) > MaxNote:
		return in, &shop.InputError{Field: "note", Message: fmt.Sprintf("The note is at most %d characters.", MaxNote)}
	}
	return in, nil
}

// CheckOrdering checks the booking horizon and the cut-off rule against
// the schedule.
func CheckOrdering(horizon int, c shop.Cutoff, rules []Rule) error {
	if horizon < 1 || horizon > MaxHorizon {
		return &shop.InputError{Field: "horizon_days", Message: fmt.Sprintf("Customers can book 1 to %d days ahead.", MaxHorizon)}
	}
	switch c.Kind {
	case shop.LeadTime:
		if c.Lead < 0 || c.Lead > shop.MaxLeadMinutes*time.Minute {
			return &shop.InputError{Field: "lead_minutes", Message: fmt.Sprintf("The lead time is 0 to %d minutes (a week).", shop.MaxLeadMinutes)}
		}
	case shop.DayBefore:
		if c.DaysBefore < 0 || c.DaysBefore > shop.MaxDaysBefore {
			return &shop.InputError{Field: "cutoff_days_before", Message: fmt.Sprintf("Orders close 0 to %d days before.", shop.MaxDaysBefore)}
		}
		if c.At < 0 || c.At >= 24*60 {
			return &shop.InputError{Field: "cutoff_time", Message: "Give the time orders close, like 18:00."}
		}
		if c.DaysBefore == 0 {
			for _, r := range rules {
				if c.At > r.Starts {
					return &shop.InputError{Field: "cutoff_time", Message: fmt.Sprintf("Orders closing at %s on the day would close after the slots of %s start: choose %s or earlier, or the day before.", c.At, r, r.Starts)}
				}
			}
		}
		// After the cut-off time the first day open is DaysBefore+1 ahead:
		// it must still be within the horizon.
		if c.DaysBefore > 0 && c.DaysBefore+2 > horizon {
			return &shop.InputError{Field: "cutoff_days_before", Message: fmt.Sprintf("Orders closing %d days before leave nothing to book within %d days ahead in the evenings: book further ahead or close later.", c.DaysBefore, horizon)}
		}
	default:
		return &shop.InputError{Field: "cutoff_kind", Message: "Choose how orders close."}
	}
	return nil
}

// Rules reads the weekly schedule.
func Rules(ctx context.Context, q *db.Queries) ([]Rule, error) {
	rows, err := q.ScheduleRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the schedule: %w", err)
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = Rule{ID: r.ID, PointID: r.PickupPointID, Days: shop.Weekdays(r.Weekdays), Starts: settings.ClockOf(r.Starts),
			Ends: settings.ClockOf(r.Ends), Every: time.Duration(r.SlotMinutes) * time.Minute, Capacity: int(r.Capacity)}
	}
	return out, nil
}

// Edit is one staff member's change to the calendar, at a moment, in the
// shop's time zone.
type Edit struct {
	StaffID int64
	Now     time.Time
	Loc     *time.Location
}

// AddRule adds a window to the schedule and makes its slots, in one
// transaction. With replace set, that window is removed in the same
// transaction (a change to a window).
func AddRule(ctx context.Context, pool *pgxpool.Pool, e Edit, in Rule, replace int64) (Result, error) {
	var res Result
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockCalendar(ctx); err != nil {
			return err
		}
		if _, err := q.ActivePickupPoint(ctx, in.PointID); errors.Is(err, pgx.ErrNoRows) {
			return &shop.InputError{Field: "pickup_point_id", Message: "Choose a pickup point in use (add one in Settings first)."}
		} else if err != nil {
			return err
		}
		rules, err := Rules(ctx, q)
		if err != nil {
			return err
		}
		st, err := q.OrderSettings(ctx)
		if err != nil {
			return err
		}
		if replace != 0 {
			rules = slices.DeleteFunc(rules, func(r Rule) bool { return r.ID == replace })
			if n, err := q.DeleteScheduleRule(ctx, replace); err != nil {
				return err
			} else if n == 0 {
				return ErrNotFound
			}
		}
		if err := CheckRule(in, rules, settings.CutoffOf(st.CutoffKind, st.LeadMinutes, st.CutoffDaysBefore, st.CutoffTime)); err != nil {
			return err
		}
		if _, err := q.InsertScheduleRule(ctx, db.InsertScheduleRuleParams{PickupPointID: in.PointID, Weekdays: int32(in.Days),
			Starts: settings.TimeOf(in.Starts), Ends: settings.TimeOf(in.Ends), SlotMinutes: int32(in.Every / time.Minute), Capacity: int32(in.Capacity)}); err != nil {
			return fmt.Errorf("saving the window: %w", err)
		}
		if res, err = Generate(ctx, q, e.Now, e.Loc); err != nil {
			return err
		}
		return q.NotifySettings(ctx) // the storefront's days change
	})
	return res, err
}

// ErrNotFound means the window, closure or zone is not there (any more).
var ErrNotFound = errors.New("not found")

// DeleteRule removes a window from the schedule: its slots nobody booked
// go, booked ones stay for staff to handle.
func DeleteRule(ctx context.Context, pool *pgxpool.Pool, e Edit, id int64) (Result, error) {
	return remove(ctx, pool, e, func(q *db.Queries) (int64, error) { return q.DeleteScheduleRule(ctx, id) })
}

// remove deletes a window or a closure (del says how many rows went) and
// remakes the slots, in one transaction.
func remove(ctx context.Context, pool *pgxpool.Pool, e Edit, del func(q *db.Queries) (int64, error)) (Result, error) {
	var res Result
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockCalendar(ctx); err != nil {
			return err
		}
		n, err := del(q)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if res, err = Generate(ctx, q, e.Now, e.Loc); err != nil {
			return err
		}
		return q.NotifySettings(ctx) // the storefront's days and notes change
	})
	return res, err
}

// AddClosure closes the shop on a range of days: their slots and delivery
// days go (booked ones stay, closed to new orders), the storefront shows
// the note, and the orders already placed for those days are returned for
// staff to contact.
func AddClosure(ctx context.Context, pool *pgxpool.Pool, e Edit, in Closure) (Result, []db.OrdersOnDaysRow, error) {
	in, err := CheckClosure(in, shop.DayOf(e.Now, e.Loc))
	if err != nil {
		return Result{}, nil, err
	}
	var res Result
	var affected []db.OrdersOnDaysRow
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockCalendar(ctx); err != nil {
			return err
		}
		if _, err := q.InsertClosure(ctx, db.InsertClosureParams{FirstDay: in.First, LastDay: in.Last, Note: in.Note,
			CreatedBy: pgtype.Int8{Int64: e.StaffID, Valid: e.StaffID != 0}}); err != nil {
			return fmt.Errorf("saving the closure: %w", err)
		}
		if res, err = Generate(ctx, q, e.Now, e.Loc); err != nil {
			return err
		}
		if affected, err = OrdersOn(ctx, q, in.First, in.Last, e.Loc); err != nil {
			return err
		}
		return q.NotifySettings(ctx) // the storefront shows the note
	})
	return res, affected, err
}

// OrdersOn are the live orders for a range of dates: pickups in it and
// deliveries on it.
func OrdersOn(ctx context.Context, q *db.Queries, first, last time.Time, loc *time.Location) ([]db.OrdersOnDaysRow, error) {
	rows, err := q.OrdersOnDays(ctx, db.OrdersOnDaysParams{Zone: loc.String(), FromTime: shop.LocalDay(first, loc),
		ToTime: shop.LocalDay(last.AddDate(0, 0, 1), loc), FromDay: first, ToDay: last})
	if err != nil {
		return nil, fmt.Errorf("finding the orders on those days: %w", err)
	}
	return rows, nil
}

// DeleteClosure opens the days again: their slots come back.
func DeleteClosure(ctx context.Context, pool *pgxpool.Pool, e Edit, id int64) (Result, error) {
	return remove(ctx, pool, e, func(q *db.Queries) (int64, error) { return q.DeleteClosure(ctx, id) })
}

// SetDeliveryDays sets the weekdays a zone is delivered to, with a
// capacity each (weekday → orders; absent: not delivered that day).
func SetDeliveryDays(ctx context.Context, pool *pgxpool.Pool, e Edit, zoneID int64, days map[time.Weekday]int) (Result, error) {
	for d, n := range days {
		if n < 1 || n > MaxCapacity {
			return Result{}, &shop.InputError{Field: fmt.Sprintf("capacity-%d-%d", zoneID, d), Message: fmt.Sprintf("A delivery day takes 1 to %d orders (%s).", MaxCapacity, d)}
		}
	}
	var res Result
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockCalendar(ctx); err != nil {
			return err
		}
		zones, err := q.DeliveryZones(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(zones, func(z db.DeliveryZonesRow) bool { return z.ID == zoneID }) {
			return ErrNotFound
		}
		if err := q.DeleteDeliveryDays(ctx, zoneID); err != nil {
			return err
		}
		for d, n := range days {
			if err := q.InsertDeliveryDay(ctx, db.InsertDeliveryDayParams{ZoneID: zoneID, Weekday: int32(d), Capacity: int32(n)}); err != nil {
				return fmt.Errorf("saving the delivery days: %w", err)
			}
		}
		if res, err = Generate(ctx, q, e.Now, e.Loc); err != nil {
			return err
		}
		return q.NotifySettings(ctx)
	})
	return res, err
}

// SaveOrdering saves the booking horizon and the cut-off rule as a section
// of the settings (versioned, in the change log) and remakes the slots for
// the new horizon in the same transaction.
func SaveOrdering(ctx context.Context, pool *pgxpool.Pool, ch settings.Change, loc *time.Location, horizon int, c shop.Cutoff, perHour int) error {
	if perHour != KeepOrdersPerHour && (perHour < 0 || perHour > MaxOrdersPerHour) {
		return &shop.InputError{Field: "orders_per_hour", Message: fmt.Sprintf("Allow 0 (no limit) to %d orders an hour from one customer.", MaxOrdersPerHour)}
	}
	return settings.Save(ctx, pool, ch, "Ordering", func(q *db.Queries, before *settings.Settings) (string, error) {
		if err := q.LockCalendar(ctx); err != nil {
			return "", err
		}
		rules, err := Rules(ctx, q)
		if err != nil {
			return "", err
		}
		if err := CheckOrdering(horizon, c, rules); err != nil {
			return "", err
		}
		if perHour == KeepOrdersPerHour {
			perHour = before.OrdersPerHour
		}
		if c.Kind == shop.DayBefore {
			c.Lead = before.Cutoff.Lead // kept for when the owner goes back to a lead time
		} else {
			c.DaysBefore, c.At = before.Cutoff.DaysBefore, before.Cutoff.At
		}
		if err := q.UpdateOrdering(ctx, db.UpdateOrderingParams{HorizonDays: int32(horizon), CutoffKind: string(c.Kind),
			CutoffDaysBefore: int32(c.DaysBefore), CutoffTime: settings.TimeOf(c.At), LeadMinutes: int32(c.Lead / time.Minute),
			OrdersPerHour: int32(perHour)}); err != nil {
			return "", err
		}
		if _, err := Generate(ctx, q, ch.Now, loc); err != nil {
			return "", err
		}
		var parts []string
		if before.HorizonDays != horizon {
			parts = append(parts, fmt.Sprintf("Booking horizon: %d → %d days", before.HorizonDays, horizon))
		}
		if before.Cutoff.String() != c.String() {
			parts = append(parts, "Orders close: "+before.Cutoff.String()+" → "+c.String())
		}
		if before.OrdersPerHour != perHour {
			parts = append(parts, fmt.Sprintf("Orders an hour from one customer: %d → %d", before.OrdersPerHour, perHour))
		}
		return strings.Join(parts, "; "), nil
	})
}

// StoreNotices are what the storefront tells every customer about the
// calendar: closures coming up within the horizon, and when orders close
// for the first day that can still be ordered for ("Order by 18:00 today
// for pickup tomorrow.").
func StoreNotices(st *settings.Settings, now time.Time, loc *time.Location) []string {
	var out []string
	o := Ordering{Cutoff: st.Cutoff, HorizonDays: st.HorizonDays, Loc: loc}
	end := o.End(now)
	for _, c := range st.ClosuresFrom(shop.DayOf(now, loc)) {
		if c.First.Before(end) {
			out = append(out, c.Note+": "+ClosureDays(c.First, c.Last)+".")
		}
	}
	pickup, delivery := st.Collects(), st.Delivers()
	scheduled := st.PickupWeekdays|st.DeliveryWeekdays != 0
	for day := o.FirstDay(now); day.Before(end) && (pickup || delivery); day = day.AddDate(0, 0, 1) {
		if _, closed := st.ClosedOn(day); closed {
			continue
		}
		p := pickup && (!scheduled || st.PickupWeekdays.Has(day.Weekday()))
		d := delivery && (!scheduled || st.DeliveryWeekdays.Has(day.Weekday()))
		what := "pickup or delivery"
		switch {
		case !p && !d:
			continue
		case !d:
			what = "pickup"
		case !p:
			what = "delivery"
		}
		return append(out, st.Cutoff.Explain(day, now, loc, what))
	}
	return out
}

// ClosureDays reads like "24–27 December" or "Thursday 24 December".
func ClosureDays(first, last time.Time) string {
	switch {
	case first.Equal(last):
		return first.Format("Monday 2 January")
	case first.Month() == last.Month() && first.Year() == last.Year():
		return first.Format("2") + "–" + last.Format("2 January")
	}
	return first.Format("2 January") + " – " + last.Format("2 January")
}
