package calendar

import (
	"context"
	"fmt"
	"slices"
	"time"

	"shopfront/db"
	"shopfront/shop"
)

// Ordering is what decides which days customers can order for: the
// cut-off rule and the booking horizon, in the shop's time zone.
type Ordering struct {
	Cutoff      shop.Cutoff
	HorizonDays int
	Loc         *time.Location
}

// FirstDay is the first date that can still be ordered for at now.
func (o Ordering) FirstDay(now time.Time) time.Time {
	day := shop.DayOf(now, o.Loc)
	for i := 0; i <= shop.MaxDaysBefore+1 && !o.Cutoff.DayBookable(day, now, o.Loc); i++ {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// End is the first date past the horizon.
func (o Ordering) End(now time.Time) time.Time { return shop.HorizonEnd(now, o.Loc, o.HorizonDays) }

// Choices are what a customer can book at now: pickup slots with room
// whose orders are still open, and delivery days with room, within the
// horizon; Explain says the cut-off for the first day offered.
type Choices struct {
	Slots   []db.OpenSlotsRow
	Days    []db.OpenDeliverySlotsRow
	Explain string
}

// OpenChoices reads the choices, pickup or delivery or both.
func OpenChoices(ctx context.Context, q *db.Queries, o Ordering, now time.Time, pickup, delivery bool) (Choices, error) {
	var ch Choices
	var first time.Time
	if pickup {
		slots, err := q.OpenSlots(ctx, db.OpenSlotsParams{After: o.Cutoff.EarliestStart(now, o.Loc), Before: shop.LocalDay(o.End(now), o.Loc)})
		if err != nil {
			return ch, fmt.Errorf("reading the open slots: %w", err)
		}
		for _, s := range slots {
			if o.Cutoff.Bookable(s.StartsAt, now, o.Loc) {
				ch.Slots = append(ch.Slots, s)
			}
		}
		if len(ch.Slots) > 0 {
			first = shop.DayOf(ch.Slots[0].StartsAt, o.Loc)
		}
	}
	if delivery {
		days, err := q.OpenDeliverySlots(ctx, db.OpenDeliverySlotsParams{FromDay: o.FirstDay(now), ToDay: o.End(now)})
		if err != nil {
			return ch, fmt.Errorf("reading the delivery days: %w", err)
		}
		ch.Days = days
		if len(days) > 0 && (first.IsZero() || days[0].Day.Before(first)) {
			first = days[0].Day
		}
	}
	what := "pickup or delivery"
	switch {
	case !delivery || len(ch.Days) == 0:
		what = "pickup"
	case !pickup || len(ch.Slots) == 0:
		what = "delivery"
	}
	if !first.IsZero() {
		ch.Explain = o.Cutoff.Explain(first, now, o.Loc, what)
	}
	return ch, nil
}

// OpenDays are the dates customers can still order for, earliest first:
// those with a pickup slot with room (pickup) or a delivery day with room
// for the zone (delivery; zone 0 is any zone).
func OpenDays(ctx context.Context, q *db.Queries, o Ordering, now time.Time, pickup, delivery bool, zone int64) ([]time.Time, error) {
	ch, err := OpenChoices(ctx, q, o, now, pickup, delivery)
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for _, s := range ch.Slots {
		days = append(days, shop.DayOf(s.StartsAt, o.Loc))
	}
	for _, d := range ch.Days {
		if zone == 0 || d.ZoneID.Int64 == zone {
			days = append(days, d.Day)
		}
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(days, func(a, b time.Time) bool { return a.Equal(b) }), nil
}

// Made is a product made to order: at most Limit a day, on the weekdays
// MadeOn.
type Made struct {
	ProductID int64
	Limit     int
	MadeOn    shop.Weekdays
}

// Room is how many more of a made-to-order product can be ordered for
// each of days (0 on days it is not made).
func Room(ctx context.Context, q *db.Queries, m Made, days []time.Time) (map[time.Time]int, error) {
	room := map[time.Time]int{}
	if len(days) == 0 {
		return room, nil
	}
	rows, err := q.ProductDays(ctx, db.ProductDaysParams{ProductID: m.ProductID, FromDay: days[0], ToDay: days[len(days)-1].AddDate(0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("reading the product's days: %w", err)
	}
	taken := map[time.Time]db.ProductDaysRow{}
	for _, r := range rows {
		taken[r.Day] = r
	}
	for _, d := range days {
		if !m.MadeOn.Has(d.Weekday()) {
			room[d] = 0
			continue
		}
		if r, ok := taken[d]; ok {
			room[d] = max(0, int(r.DayLimit-r.Ordered))
		} else {
			room[d] = m.Limit
		}
	}
	return room, nil
}

// NextDays are up to n of days on which qty more of a made-to-order
// product can still be ordered, skipping except.
func NextDays(ctx context.Context, q *db.Queries, m Made, days []time.Time, qty, n int, except time.Time) ([]time.Time, error) {
	room, err := Room(ctx, q, m, days)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, d := range days {
		if len(out) < n && !d.Equal(except) && room[d] >= qty {
			out = append(out, d)
		}
	}
	return out, nil
}

// DayProblem is a made-to-order line that cannot be made for the day
// chosen, with the next day that still has room (zero: none within the
// horizon).
type DayProblem struct {
	ProductID int64
	Name      string
	Day       time.Time
	Left      int  // how many are left for the day
	NotMade   bool // not made on that weekday at all
	Next      time.Time
}

// Message says it to the customer: "Sourdough is sold out for Friday —
// available Saturday."
func (p DayProblem) Message(now time.Time, loc *time.Location) string {
	day := shop.DayName(p.Day, now, loc)
	var s string
	switch {
	case p.NotMade:
		s = fmt.Sprintf("%s is not made on %ss", p.Name, p.Day.Weekday())
	case p.Left > 0:
		s = fmt.Sprintf("Only %d of %s left for %s", p.Left, p.Name, day)
	default:
		s = fmt.Sprintf("%s is sold out for %s", p.Name, day)
	}
	if p.Next.IsZero() {
		return s + " — and no other day we take orders for has enough left."
	}
	return s + " — available " + shop.DayName(p.Next, now, loc) + "."
}

// DayError lists the made-to-order lines that cannot be made for the day.
type DayError struct{ Lines []DayProblem }

func (e *DayError) Error() string {
	return fmt.Sprintf("%d lines cannot be made for that day", len(e.Lines))
}
