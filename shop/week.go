package shop

import (
	"fmt"
	"strings"
	"time"
)

// Clock is a time of day in minutes after midnight.
type Clock int

// String is "08:30".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// ParseClock reads "8:30" or "08:30".
func ParseClock(s string) (Clock, bool) {
	var h, m int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m > 0) {
		return 0, false
	}
	return Clock(h*60 + m), true
}

// Duration is the clock's time after midnight.
func (c Clock) Duration() time.Duration { return time.Duration(c) * time.Minute }

// MaxHorizon is the furthest ahead customers may book, in days.
const MaxHorizon = 90

// Weekdays is a set of days of the week, a bit each, Sunday the lowest.
type Weekdays int

// AllWeek is every day.
const AllWeek Weekdays = 127

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// With adds d to the set.
func (w Weekdays) With(d time.Weekday) Weekdays { return w | 1<<d }

// Names reads like "Fridays" or "Tuesdays, Fridays and Saturdays", Monday
// first.
func (w Weekdays) Names() string {
	var names []string
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if w.Has(d) {
			names = append(names, d.String()+"s")
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

var shortDays = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// String reads like "Tue–Sat", "Mon, Wed, Fri" or "every day", Monday first.
func (w Weekdays) String() string {
	if w&AllWeek == AllWeek {
		return "every day"
	}
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	var parts []string
	for i := 0; i < len(order); {
		if !w.Has(order[i]) {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && w.Has(order[j+1]) {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, shortDays[order[i]]+"–"+shortDays[order[j]])
		case j > i:
			parts = append(parts, shortDays[order[i]], shortDays[order[j]])
		default:
			parts = append(parts, shortDays[order[i]])
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// Cut-off limits, used by validation and the forms alike.
const (
	MaxLeadMinutes = 7 * 24 * 60
	MaxDaysBefore  = 7
)

// CutoffKind is how the cut-off is given.
type CutoffKind string

// Kinds of cut-off.
const (
	// LeadTime: a slot can be booked until Lead before it starts.
	LeadTime CutoffKind = "lead"
	// DayBefore: until At on the day DaysBefore days before the slot's day
	// (0: on the day itself).
	DayBefore CutoffKind = "before"
)

// Cutoff is the rule for how late an order can be placed for a day.
type Cutoff struct {
	Kind       CutoffKind
	Lead       time.Duration
	DaysBefore int
	At         Clock
}

// Deadline is the last moment an order can be placed for a slot starting
// at start, in the shop's time zone: clock changes move neither the day
// nor the time of day of a "day before" rule. It is never after the start.
func (c Cutoff) Deadline(start time.Time, loc *time.Location) time.Time {
	if c.Kind != DayBefore {
		return start.Add(-c.Lead)
	}
	s := start.In(loc)
	d := time.Date(s.Year(), s.Month(), s.Day()-c.DaysBefore, int(c.At)/60, int(c.At)%60, 0, 0, loc)
	if d.After(start) {
		return start
	}
	return d
}

// DayDeadline is the last moment to order for a day, a date: what a
// delivery day or a made-to-order product's day closes at.
func (c Cutoff) DayDeadline(day time.Time, loc *time.Location) time.Time {
	if c.Kind != DayBefore {
		return LocalDay(day, loc).Add(-c.Lead)
	}
	return time.Date(day.Year(), day.Month(), day.Day()-c.DaysBefore, int(c.At)/60, int(c.At)%60, 0, 0, loc)
}

// Bookable reports whether a slot starting at start can still be booked.
func (c Cutoff) Bookable(start, now time.Time, loc *time.Location) bool {
	return now.Before(c.Deadline(start, loc))
}

// DayBookable reports whether a day (a date) can still be ordered for.
func (c Cutoff) DayBookable(day, now time.Time, loc *time.Location) bool {
	return now.Before(c.DayDeadline(day, loc))
}

// EarliestStart is the earliest slot start that can still be booked at
// now, to select slots by: a lead time's exact moment, or the first day a
// "day before" rule still allows. Bookable has the last word.
func (c Cutoff) EarliestStart(now time.Time, loc *time.Location) time.Time {
	if c.Kind != DayBefore {
		return now.Add(c.Lead)
	}
	today := DayOf(now, loc)
	for d := 0; ; d++ {
		day := today.AddDate(0, 0, d)
		if c.DayBookable(day, now, loc) {
			return LocalDay(day, loc)
		}
	}
}

// String says the rule to staff: "by 18:00 the day before".
func (c Cutoff) String() string {
	if c.Kind != DayBefore {
		return "at least " + duration(c.Lead) + " before"
	}
	switch c.DaysBefore {
	case 0:
		return "by " + c.At.String() + " on the day"
	case 1:
		return "by " + c.At.String() + " the day before"
	}
	return fmt.Sprintf("by %s, %d days before", c.At, c.DaysBefore)
}

// Explain says the rule to customers, as of now, for the first day that
// can still be ordered for (a date): "Order by 18:00 today for pickup
// tomorrow." what is "pickup", "delivery" or "pickup or delivery".
func (c Cutoff) Explain(first, now time.Time, loc *time.Location, what string) string {
	if c.Kind != DayBefore {
		if c.Lead == 0 {
			return "Order any time before your " + what + " time."
		}
		return "Order at least " + duration(c.Lead) + " before your " + what + " time."
	}
	deadline := c.DayDeadline(first, loc)
	return fmt.Sprintf("Order by %s %s for %s %s.", c.At, dayWords(DayOf(deadline, loc), now, loc), what, dayWords(first, now, loc))
}

// dayWords names a date relative to now: "today", "tomorrow", "on
// Thursday" within the week, or "on Thursday 3 December".
func dayWords(day, now time.Time, loc *time.Location) string {
	days := DaysBetween(DayOf(now, loc), day)
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days > 1 && days < 7:
		return "on " + day.Weekday().String()
	}
	return "on " + day.Format("Monday 2 January")
}

// DaysBetween counts calendar days from one date to another.
func DaysBetween(from, to time.Time) int {
	a := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, time.UTC)
	b := time.Date(to.Year(), to.Month(), to.Day(), 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Round(time.Hour).Hours() / 24)
}

func duration(d time.Duration) string {
	switch {
	case d == 0:
		return "a moment"
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// DayOf is the calendar day, in the shop's time zone, of a moment, as a
// date (midnight UTC, as Postgres dates are read).
func DayOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// LocalDay is a date's midnight in the shop's time zone.
func LocalDay(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}

// HorizonEnd is the first date past the booking horizon: customers can
// order for today and the horizon-1 days after it.
func HorizonEnd(now time.Time, loc *time.Location, horizonDays int) time.Time {
	return DayOf(now, loc).AddDate(0, 0, horizonDays)
}

// DayName names a date for a customer choosing among the days ahead: its
// weekday within the coming week ("Friday"), otherwise with its date
// ("Friday 11 December").
func DayName(day, now time.Time, loc *time.Location) string {
	if d := DaysBetween(DayOf(now, loc), day); d >= 0 && d < 7 {
		return day.Weekday().String()
	}
	return day.Format("Monday 2 January")
}
