package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"shopfront/db"
	"shopfront/shop"
)

// Result is what a Generate run changed.
type Result struct {
	Made    int // slots and delivery days added
	Removed int // unbooked ones the schedule no longer wants
	Kept    int // booked ones it no longer wants, newly left for staff
	Changed int // slots given a changed window's capacity
}

func (r Result) String() string {
	return fmt.Sprintf("%d made, %d removed, %d booked kept for staff, %d changed", r.Made, r.Removed, r.Kept, r.Changed)
}

// CapacityError means a changed window would give a slot less room than
// is booked in it already.
type CapacityError struct {
	Start  time.Time
	Booked int
}

func (e *CapacityError) Error() string {
	return fmt.Sprintf("a slot at %s already has %d orders", e.Start.Format("Mon 2 Jan 15:04"), e.Booked)
}

type slotKey struct {
	point int64
	start int64 // Unix seconds
}

type wanted struct {
	rule Rule
	end  time.Time
}

// Generate makes the pickup slots and delivery days of the schedule from
// now to the end of the booking horizon, in the caller's transaction. It
// is idempotent: a second run changes nothing. What the schedule no longer
// wants (a removed window, a closure) is deleted if nobody booked it, and
// otherwise kept, closed to new orders and marked for staff; one-off slots
// are never deleted, only closed on closed days. A slot keeps the capacity
// staff gave it until the window that made it changes.
func Generate(ctx context.Context, q *db.Queries, now time.Time, loc *time.Location) (Result, error) {
	var res Result
	if err := q.LockCalendar(ctx); err != nil {
		return res, fmt.Errorf("locking the calendar: %w", err)
	}
	horizon, err := q.HorizonDays(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the horizon: %w", err)
	}
	rules, err := Rules(ctx, q)
	if err != nil {
		return res, err
	}
	closureRows, err := q.Closures(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the closures: %w", err)
	}
	closed := func(day time.Time) bool {
		for _, c := range closureRows {
			if !day.Before(c.FirstDay) && !day.After(c.LastDay) {
				return true
			}
		}
		return false
	}
	today := shop.DayOf(now, loc)
	end := shop.HorizonEnd(now, loc, int(horizon))

	// Pickup slots.
	want := map[slotKey]wanted{}
	for day := today; day.Before(end); day = day.AddDate(0, 0, 1) {
		if closed(day) {
			continue
		}
		for _, r := range rules {
			if !r.Days.Has(day.Weekday()) {
				continue
			}
			for _, t := range r.Times(day, loc) {
				if !t.Start.Before(now) {
					want[slotKey{r.PointID, t.Start.Unix()}] = wanted{r, t.End}
				}
			}
		}
	}
	existing, err := q.SlotsBetween(ctx, db.SlotsBetweenParams{FromTime: now, ToTime: shop.LocalDay(end, loc)})
	if err != nil {
		return res, fmt.Errorf("reading the slots: %w", err)
	}
	for _, s := range existing {
		k := slotKey{s.PickupPointID, s.StartsAt.Unix()}
		w, ok := want[k]
		delete(want, k)
		switch {
		case s.Generated && ok && (!s.RuleID.Valid || s.RuleID.Int64 != w.rule.ID):
			// A changed window now makes this slot.
			if int(s.Booked) > w.rule.Capacity {
				return res, &CapacityError{Start: s.StartsAt.In(loc), Booked: int(s.Booked)}
			}
			if err := q.SetSlotRule(ctx, db.SetSlotRuleParams{ID: s.ID, RuleID: pgtype.Int8{Int64: w.rule.ID, Valid: true},
				Capacity: int32(w.rule.Capacity), EndsAt: w.end}); err != nil {
				return res, err
			}
			res.Changed++
		case ok || (!s.Generated && !closed(shop.DayOf(s.StartsAt, loc))):
			// Wanted, or a one-off slot on an open day.
			if s.Unwanted {
				if err := q.ReopenWantedSlot(ctx, s.ID); err != nil {
					return res, err
				}
				res.Changed++
			}
		case s.Generated && s.Booked == 0:
			n, err := q.DeleteUnbookedSlot(ctx, s.ID)
			if err != nil {
				return res, err
			}
			if n == 1 {
				res.Removed++
				continue
			}
			fallthrough // cancelled orders still point at it
		default:
			if !s.Unwanted {
				if err := q.MarkSlotUnwanted(ctx, s.ID); err != nil {
					return res, err
				}
				if s.Booked > 0 {
					res.Kept++
				}
			}
		}
	}
	for k, w := range want {
		if err := q.InsertMadeSlot(ctx, db.InsertMadeSlotParams{PickupPointID: k.point,
			StartsAt: time.Unix(k.start, 0), EndsAt: w.end, Capacity: int32(w.rule.Capacity),
			RuleID: pgtype.Int8{Int64: w.rule.ID, Valid: true}}); err != nil {
			return res, fmt.Errorf("making a slot: %w", err)
		}
		res.Made++
	}

	// Delivery days.
	days, err := q.DeliveryDays(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the delivery days: %w", err)
	}
	type dayKey struct {
		zone int64
		day  time.Time
	}
	wantDays := map[dayKey]int32{}
	for day := today; day.Before(end); day = day.AddDate(0, 0, 1) {
		if closed(day) {
			continue
		}
		for _, d := range days {
			if time.Weekday(d.Weekday) == day.Weekday() {
				wantDays[dayKey{d.ZoneID, day}] = d.Capacity
			}
		}
	}
	slots, err := q.DeliverySlotsFrom(ctx, today)
	if err != nil {
		return res, fmt.Errorf("reading the delivery days: %w", err)
	}
	for _, s := range slots {
		if !s.Day.Before(end) {
			continue
		}
		k := dayKey{s.ZoneID.Int64, s.Day}
		capacity, ok := wantDays[k]
		delete(wantDays, k)
		switch {
		case ok && s.Booked > capacity && s.Capacity != capacity:
			return res, &CapacityError{Start: shop.LocalDay(s.Day, loc), Booked: int(s.Booked)}
		case ok && (s.Unwanted || s.Capacity != capacity || !s.Generated):
			if err := q.SetDeliverySlot(ctx, db.SetDeliverySlotParams{ID: s.ID, Capacity: capacity}); err != nil {
				return res, err
			}
			res.Changed++
		case ok:
		case !s.Generated && !closed(s.Day):
			// A one-off delivery day on an open day.
			if s.Unwanted {
				if err := q.ReopenDeliverySlot(ctx, db.ReopenDeliverySlotParams{ID: s.ID, Capacity: s.Capacity}); err != nil {
					return res, err
				}
				res.Changed++
			}
		case s.Generated && s.Booked == 0:
			n, err := q.DeleteUnbookedDeliverySlot(ctx, s.ID)
			if err != nil {
				return res, err
			}
			if n == 1 {
				res.Removed++
				continue
			}
			fallthrough
		default:
			if !s.Unwanted {
				if err := q.MarkDeliverySlotUnwanted(ctx, s.ID); err != nil {
					return res, err
				}
				if s.Booked > 0 {
					res.Kept++
				}
			}
		}
	}
	for k, capacity := range wantDays {
		if _, err := q.InsertDeliverySlot(ctx, db.InsertDeliverySlotParams{ZoneID: pgtype.Int8{Int64: k.zone, Valid: true}, Day: k.day, Capacity: capacity}); err != nil {
			return res, fmt.Errorf("making a delivery day: %w", err)
		}
		res.Made++
	}
	return res, nil
}
