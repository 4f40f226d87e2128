package shop

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without the system's zoneinfo
)

// tzLondon is the shop's time zone in these tests; 2026's clock changes
// there: forward on Sunday 29 March (01:00 GMT → 02:00 BST), back on
// Sunday 25 October (02:00 BST → 01:00 GMT).
var tzLondon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// londonAt is a wall-clock time in London.
func londonAt(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, tzLondon)
}

// ymd is a date as the calendar passes them around: midnight UTC.
func ymd(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// utcAt is an instant given in UTC, to pin what a London wall-clock time is.
func utcAt(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
}

var (
	dayBefore18 = Cutoff{Kind: DayBefore, DaysBefore: 1, At: 18 * 60}
	twoDays12   = Cutoff{Kind: DayBefore, DaysBefore: 2, At: 12 * 60}
	lead2h      = Cutoff{Kind: LeadTime, Lead: 2 * time.Hour}
)

func TestClock(t *testing.T) {
	for in, want := range map[string]Clock{"8:30": 510, "08:30": 510, " 18:00 ": 1080, "0:00": 0, "24:00": 1440} {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "8", "25:00", "24:01", "12:60", "-1:00", "noon"} {
		if got, ok := ParseClock(in); ok {
			t.Errorf("ParseClock(%q) = %d, accepted", in, got)
		}
	}
	if got := Clock(8*60 + 5).String(); got != "08:05" {
		t.Errorf("Clock(485).String() = %q, want 08:05", got)
	}
	if got := Clock(18 * 60).Duration(); got != 18*time.Hour {
		t.Errorf("Clock(18:00).Duration() = %v", got)
	}
}

// A slot's orders close at a moment a customer can read off the shop's
// clock, whatever the clocks did in between: 18:00 stays 18:00 local.
func TestSlotDeadline(t *testing.T) {
	cases := []struct {
		name     string
		cutoff   Cutoff
		start    time.Time
		deadline time.Time // the exact instant, in UTC
	}{
		{"day before, an ordinary winter day", dayBefore18, londonAt(2026, 12, 3, 9, 0), utcAt(2026, 12, 2, 18, 0)},
		{"day before, an ordinary summer day", dayBefore18, londonAt(2026, 7, 2, 9, 0), utcAt(2026, 7, 1, 17, 0)},
		// Autumn: the slot is on the day the clocks go back, in GMT; its
		// orders close the evening before, in BST.
		{"day before, slot Sunday 25 October", dayBefore18, londonAt(2026, 10, 25, 9, 0), utcAt(2026, 10, 24, 17, 0)},
		// The day after: the deadline is on the change day itself, in GMT.
		{"day before, slot Monday 26 October", dayBefore18, londonAt(2026, 10, 26, 9, 0), utcAt(2026, 10, 25, 18, 0)},
		// Spring: the slot is in BST, its deadline still in GMT.
		{"day before, slot Sunday 29 March", dayBefore18, londonAt(2026, 3, 29, 9, 0), utcAt(2026, 3, 28, 18, 0)},
		{"day before, slot Monday 30 March", dayBefore18, londonAt(2026, 3, 30, 9, 0), utcAt(2026, 3, 29, 17, 0)},
		// "by Thursday 12:00 for Saturday".
		{"two days before, Saturday", twoDays12, londonAt(2026, 12, 5, 10, 0), utcAt(2026, 12, 3, 12, 0)},
		{"two days before, Saturday 31 October", twoDays12, londonAt(2026, 10, 31, 10, 0), utcAt(2026, 10, 29, 12, 0)},
		{"two days before, Tuesday 27 October", twoDays12, londonAt(2026, 10, 27, 10, 0), utcAt(2026, 10, 25, 12, 0)},
		// On the day, after the slot's start: the slot closes when it starts.
		{"on the day, after the start", Cutoff{Kind: DayBefore, DaysBefore: 0, At: 18 * 60}, londonAt(2026, 12, 3, 9, 0), utcAt(2026, 12, 3, 9, 0)},
		{"on the day, before the start", Cutoff{Kind: DayBefore, DaysBefore: 0, At: 7 * 60}, londonAt(2026, 12, 3, 9, 0), utcAt(2026, 12, 3, 7, 0)},
		// A lead time is real time: two hours before 03:00 BST on the
		// morning the clocks go forward is 00:00 GMT.
		{"lead time 2h", lead2h, londonAt(2026, 12, 3, 10, 0), utcAt(2026, 12, 3, 8, 0)},
		{"lead time 2h over the spring change", lead2h, londonAt(2026, 3, 29, 3, 0), utcAt(2026, 3, 29, 0, 0)},
		{"no lead time", Cutoff{Kind: LeadTime}, londonAt(2026, 12, 3, 10, 0), utcAt(2026, 12, 3, 10, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.cutoff.Deadline(c.start, tzLondon)
			if !got.Equal(c.deadline) {
				t.Fatalf("Deadline(%s) = %s, want %s", c.start, got.In(tzLondon), c.deadline.In(tzLondon))
			}
			if got.After(c.start) {
				t.Errorf("the deadline %s is after the slot's start %s", got, c.start)
			}
			// A minute before it the slot can be booked; at it, no more.
			if !c.cutoff.Bookable(c.start, c.deadline.Add(-time.Minute), tzLondon) {
				t.Errorf("not bookable a minute before the deadline %s", c.deadline.In(tzLondon))
			}
			if c.cutoff.Bookable(c.start, c.deadline, tzLondon) {
				t.Errorf("still bookable at the deadline %s", c.deadline.In(tzLondon))
			}
		})
	}
}

// What a customer notices of "18:00 the day before": at 17:59 by the shop's
// clock tomorrow's slot can be booked, at 18:00 it cannot, on the days the
// clocks change too.
func TestBookableFlipsAt18Local(t *testing.T) {
	cases := []struct {
		name     string
		slot     time.Time
		eve      [3]int // year, month, day of the evening before
		timezone string // the abbreviation on the shop's clock at 18:00
	}{
		{"a December day", londonAt(2026, 12, 3, 9, 0), [3]int{2026, 12, 2}, "GMT"},
		{"Sunday 25 October", londonAt(2026, 10, 25, 9, 0), [3]int{2026, 10, 24}, "BST"},
		{"Monday 26 October", londonAt(2026, 10, 26, 9, 0), [3]int{2026, 10, 25}, "GMT"},
		{"Sunday 29 March", londonAt(2026, 3, 29, 9, 0), [3]int{2026, 3, 28}, "GMT"},
		{"Monday 30 March", londonAt(2026, 3, 30, 9, 0), [3]int{2026, 3, 29}, "BST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, m, d := c.eve[0], time.Month(c.eve[1]), c.eve[2]
			before, atSix := londonAt(y, m, d, 17, 59), londonAt(y, m, d, 18, 0)
			if zone, _ := atSix.Zone(); zone != c.timezone {
				t.Fatalf("18:00 on %d %s is in %s, want %s: the test's dates are wrong", d, m, zone, c.timezone)
			}
			if !dayBefore18.Bookable(c.slot, before, tzLondon) {
				t.Errorf("at 17:59 the slot %s cannot be booked", c.slot)
			}
			if dayBefore18.Bookable(c.slot, atSix, tzLondon) {
				t.Errorf("at 18:00 the slot %s can still be booked", c.slot)
			}
			if dayBefore18.Bookable(c.slot, londonAt(y, m, d, 18, 1), tzLondon) {
				t.Errorf("at 18:01 the slot %s can still be booked", c.slot)
			}
			// A day has no time of its own: a delivery on the slot's date
			// closes at the same moment.
			day := DayOf(c.slot, tzLondon)
			if got := dayBefore18.DayDeadline(day, tzLondon); !got.Equal(atSix) {
				t.Errorf("DayDeadline(%s) = %s, want %s", day.Format(time.DateOnly), got.In(tzLondon), atSix)
			}
			if !dayBefore18.DayBookable(day, before, tzLondon) {
				t.Errorf("at 17:59 the day %s cannot be ordered for", day.Format(time.DateOnly))
			}
			if dayBefore18.DayBookable(day, atSix, tzLondon) {
				t.Errorf("at 18:00 the day %s can still be ordered for", day.Format(time.DateOnly))
			}
		})
	}
}

func TestTwoDaysBeforeForSaturday(t *testing.T) {
	sat := londonAt(2026, 12, 5, 10, 0)
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{londonAt(2026, 12, 2, 20, 0), true},  // Wednesday evening
		{londonAt(2026, 12, 3, 11, 59), true}, // Thursday 11:59
		{londonAt(2026, 12, 3, 12, 0), false}, // Thursday 12:00
		{londonAt(2026, 12, 4, 9, 0), false},  // Friday
	} {
		if got := twoDays12.Bookable(sat, c.now, tzLondon); got != c.want {
			t.Errorf("at %s the Saturday slot is bookable: %v, want %v", c.now.Format("Mon 15:04"), got, c.want)
		}
		if got := twoDays12.DayBookable(ymd(2026, 12, 5), c.now, tzLondon); got != c.want {
			t.Errorf("at %s Saturday can be ordered for: %v, want %v", c.now.Format("Mon 15:04"), got, c.want)
		}
	}
	if got := twoDays12.DayDeadline(ymd(2026, 12, 5), tzLondon); !got.Equal(londonAt(2026, 12, 3, 12, 0)) {
		t.Errorf("DayDeadline(Saturday) = %s, want Thursday 12:00", got.In(tzLondon))
	}
}

func TestLeadTime(t *testing.T) {
	start := londonAt(2026, 12, 3, 10, 0)
	if !lead2h.Bookable(start, start.Add(-2*time.Hour-time.Minute), tzLondon) {
		t.Error("2h01m before the start the slot cannot be booked")
	}
	if lead2h.Bookable(start, start.Add(-2*time.Hour), tzLondon) {
		t.Error("2h before the start the slot can still be booked")
	}
	if got, want := lead2h.EarliestStart(londonAt(2026, 12, 3, 7, 30), tzLondon), londonAt(2026, 12, 3, 9, 30); !got.Equal(want) {
		t.Errorf("EarliestStart = %s, want %s", got, want)
	}
	// A day under a lead time closes that long before its first moment.
	if got, want := lead2h.DayDeadline(ymd(2026, 10, 26), tzLondon), londonAt(2026, 10, 25, 22, 0); !got.Equal(want) {
		t.Errorf("DayDeadline = %s, want %s", got.In(tzLondon), want)
	}
}

// EarliestStart, with a "day before" rule, is the local midnight of the
// first day that can still be ordered for.
func TestEarliestStartDayBefore(t *testing.T) {
	cases := []struct {
		now, want time.Time
	}{
		{londonAt(2026, 12, 2, 9, 0), londonAt(2026, 12, 3, 0, 0)},
		{londonAt(2026, 12, 2, 17, 59), londonAt(2026, 12, 3, 0, 0)},
		{londonAt(2026, 12, 2, 18, 0), londonAt(2026, 12, 4, 0, 0)},
		{londonAt(2026, 12, 2, 23, 59), londonAt(2026, 12, 4, 0, 0)},
		// The Saturday before the clocks go back: Sunday's midnight is
		// still BST, Monday's is GMT.
		{londonAt(2026, 10, 24, 17, 59), utcAt(2026, 10, 24, 23, 0)},
		{londonAt(2026, 10, 24, 18, 0), utcAt(2026, 10, 26, 0, 0)},
		// The Saturday before they go forward: Sunday's midnight is GMT,
		// Monday's BST.
		{londonAt(2026, 3, 28, 17, 59), utcAt(2026, 3, 29, 0, 0)},
		{londonAt(2026, 3, 28, 18, 0), utcAt(2026, 3, 29, 23, 0)},
	}
	for _, c := range cases {
		if got := dayBefore18.EarliestStart(c.now, tzLondon); !got.Equal(c.want) {
			t.Errorf("EarliestStart at %s = %s, want %s", c.now, got.In(tzLondon), c.want.In(tzLondon))
		}
	}
	if got, want := twoDays12.EarliestStart(londonAt(2026, 12, 3, 12, 0), tzLondon), londonAt(2026, 12, 6, 0, 0); !got.Equal(want) {
		t.Errorf("two days before, EarliestStart at Thursday 12:00 = %s, want Sunday's midnight", got.In(tzLondon))
	}
}

func TestExplain(t *testing.T) {
	cases := []struct {
		name   string
		cutoff Cutoff
		now    time.Time
		what   string
		want   string
	}{
		{"before 18:00", dayBefore18, londonAt(2026, 12, 2, 17, 59), "pickup", "Order by 18:00 today for pickup tomorrow."},
		{"at 18:00", dayBefore18, londonAt(2026, 12, 2, 18, 0), "pickup", "Order by 18:00 tomorrow for pickup on Friday."},
		{"after 18:00, delivery", dayBefore18, londonAt(2026, 12, 2, 21, 0), "delivery", "Order by 18:00 tomorrow for delivery on Friday."},
		{"Saturday evening before the clocks go back", dayBefore18, londonAt(2026, 10, 24, 18, 30), "pickup or delivery",
			"Order by 18:00 tomorrow for pickup or delivery on Monday."},
		{"two days before, on Wednesday", twoDays12, londonAt(2026, 12, 2, 9, 0), "pickup", "Order by 12:00 today for pickup on Friday."},
		{"two days before, on Wednesday afternoon", twoDays12, londonAt(2026, 12, 2, 13, 0), "pickup", "Order by 12:00 tomorrow for pickup on Saturday."},
		{"lead time", lead2h, londonAt(2026, 12, 2, 9, 0), "pickup", "Order at least 2 hours before your pickup time."},
		{"lead time of 90 minutes", Cutoff{Kind: LeadTime, Lead: 90 * time.Minute}, londonAt(2026, 12, 2, 9, 0), "delivery",
			"Order at least 90 minutes before your delivery time."},
		{"lead time of a day", Cutoff{Kind: LeadTime, Lead: 24 * time.Hour}, londonAt(2026, 12, 2, 9, 0), "pickup",
			"Order at least 1 day before your pickup time."},
		{"no lead time", Cutoff{Kind: LeadTime}, londonAt(2026, 12, 2, 9, 0), "pickup", "Order any time before your pickup time."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The first day, as the storefront finds it.
			first := DayOf(c.cutoff.EarliestStart(c.now, tzLondon), tzLondon)
			if got := c.cutoff.Explain(first, c.now, tzLondon, c.what); got != c.want {
				t.Errorf("Explain(%s) at %s = %q, want %q", first.Format(time.DateOnly), c.now, got, c.want)
			}
		})
	}

	// The first day the shop opens may be further ahead: a Saturday-only
	// shop on Monday, and one whose first open day is over a week away.
	if got, want := twoDays12.Explain(ymd(2026, 12, 5), londonAt(2026, 11, 30, 9, 0), tzLondon, "pickup"),
		"Order by 12:00 on Thursday for pickup on Saturday."; got != want {
		t.Errorf("Explain for Saturday on Monday = %q, want %q", got, want)
	}
	if got, want := dayBefore18.Explain(ymd(2026, 12, 12), londonAt(2026, 12, 2, 9, 0), tzLondon, "pickup"),
		"Order by 18:00 on Friday 11 December for pickup on Saturday 12 December."; got != want {
		t.Errorf("Explain for a day over a week away = %q, want %q", got, want)
	}
}

func TestCutoffString(t *testing.T) {
	for c, want := range map[Cutoff]string{
		dayBefore18: "by 18:00 the day before",
		twoDays12:   "by 12:00, 2 days before",
		{Kind: DayBefore, DaysBefore: 0, At: 7 * 60}: "by 07:00 on the day",
		lead2h:                                   "at least 2 hours before",
		{Kind: LeadTime, Lead: 45 * time.Minute}: "at least 45 minutes before",
		{Kind: LeadTime, Lead: 48 * time.Hour}:   "at least 2 days before",
	} {
		if got := c.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", c, got, want)
		}
	}
}

func TestWeekdays(t *testing.T) {
	days := func(ds ...time.Weekday) Weekdays {
		var w Weekdays
		for _, d := range ds {
			w = w.With(d)
		}
		return w
	}
	cases := []struct {
		w            Weekdays
		short, names string
	}{
		{days(time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), "Tue–Sat",
			"Tuesdays, Wednesdays, Thursdays, Fridays and Saturdays"},
		{days(time.Monday, time.Wednesday, time.Friday), "Mon, Wed, Fri", "Mondays, Wednesdays and Fridays"},
		{AllWeek, "every day", "Mondays, Tuesdays, Wednesdays, Thursdays, Fridays, Saturdays and Sundays"},
		{days(time.Saturday, time.Sunday), "Sat, Sun", "Saturdays and Sundays"},
		{days(time.Friday), "Fri", "Fridays"},
		{days(time.Tuesday, time.Friday, time.Saturday), "Tue, Fri, Sat", "Tuesdays, Fridays and Saturdays"},
		{days(time.Monday, time.Tuesday, time.Wednesday, time.Friday, time.Saturday, time.Sunday), "Mon–Wed, Fri–Sun",
			"Mondays, Tuesdays, Wednesdays, Fridays, Saturdays and Sundays"},
		// Monday first: a week that wraps over Sunday reads from Monday.
		{days(time.Sunday, time.Monday), "Mon, Sun", "Mondays and Sundays"},
	}
	for _, c := range cases {
		if got := c.w.String(); got != c.short {
			t.Errorf("Weekdays(%07b).String() = %q, want %q", c.w, got, c.short)
		}
		if got := c.w.Names(); got != c.names {
			t.Errorf("Weekdays(%07b).Names() = %q, want %q", c.w, got, c.names)
		}
	}
	w := days(time.Sunday, time.Saturday)
	if !w.Has(time.Sunday) || !w.Has(time.Saturday) || w.Has(time.Monday) {
		t.Errorf("Has is wrong for %07b", w)
	}
	if w != 1|1<<6 {
		t.Errorf("Sunday is the lowest bit: %07b", w)
	}
}

// DayName says a weekday for the coming week and adds the date beyond it.
func TestDayName(t *testing.T) {
	now := londonAt(2026, 12, 2, 21, 0) // a Wednesday evening
	for day, want := range map[time.Time]string{
		ymd(2026, 12, 2):  "Wednesday",
		ymd(2026, 12, 3):  "Thursday",
		ymd(2026, 12, 8):  "Tuesday",
		ymd(2026, 12, 9):  "Wednesday 9 December",
		ymd(2026, 12, 11): "Friday 11 December",
		ymd(2026, 12, 1):  "Tuesday 1 December", // yesterday
	} {
		if got := DayName(day, now, tzLondon); got != want {
			t.Errorf("DayName(%s) = %q, want %q", day.Format(time.DateOnly), got, want)
		}
	}
	// Just after midnight BST the shop's day is already the next one,
	// though it is still the day before in UTC.
	late := utcAt(2026, 7, 1, 23, 30) // 00:30 BST on Thursday 2 July
	if got := DayName(ymd(2026, 7, 8), late, tzLondon); got != "Wednesday" {
		t.Errorf("DayName(8 July) at 00:30 BST on 2 July = %q, want Wednesday", got)
	}
	if got := DayName(ymd(2026, 7, 9), late, tzLondon); got != "Thursday 9 July" {
		t.Errorf("DayName(9 July) at 00:30 BST on 2 July = %q, want Thursday 9 July", got)
	}
}

func TestDaysBetween(t *testing.T) {
	cases := []struct {
		from, to time.Time
		want     int
	}{
		{ymd(2026, 10, 24), ymd(2026, 10, 25), 1},
		{ymd(2026, 10, 25), ymd(2026, 10, 26), 1},
		{ymd(2026, 3, 28), ymd(2026, 3, 29), 1},
		{ymd(2026, 3, 29), ymd(2026, 3, 30), 1},
		// Local midnights either side of a change are 25 and 23 hours apart.
		{londonAt(2026, 10, 25, 0, 0), londonAt(2026, 10, 26, 0, 0), 1},
		{londonAt(2026, 3, 29, 0, 0), londonAt(2026, 3, 30, 0, 0), 1},
		{londonAt(2026, 10, 24, 23, 30), londonAt(2026, 10, 25, 0, 30), 1},
		{ymd(2026, 3, 1), ymd(2026, 4, 1), 31},
		{ymd(2026, 12, 31), ymd(2027, 1, 1), 1},
		{ymd(2026, 12, 3), ymd(2026, 12, 1), -2},
		{ymd(2026, 12, 3), ymd(2026, 12, 3), 0},
	}
	for _, c := range cases {
		if got := DaysBetween(c.from, c.to); got != c.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
}

func TestDayOfLocalDayHorizonEnd(t *testing.T) {
	// 00:30 BST is still the day before in UTC.
	if got := DayOf(utcAt(2026, 7, 1, 23, 30), tzLondon); !got.Equal(ymd(2026, 7, 2)) {
		t.Errorf("DayOf(23:30 UTC on 1 July) = %s, want 2 July", got)
	}
	if got := DayOf(utcAt(2026, 12, 1, 23, 30), tzLondon); !got.Equal(ymd(2026, 12, 1)) {
		t.Errorf("DayOf(23:30 UTC on 1 December) = %s, want 1 December", got)
	}
	if got := LocalDay(ymd(2026, 10, 25), tzLondon); !got.Equal(utcAt(2026, 10, 24, 23, 0)) {
		t.Errorf("LocalDay(25 October) = %s, want midnight BST", got)
	}
	if got := LocalDay(ymd(2026, 10, 26), tzLondon); !got.Equal(utcAt(2026, 10, 26, 0, 0)) {
		t.Errorf("LocalDay(26 October) = %s, want midnight GMT", got)
	}
	if got := LocalDay(ymd(2026, 10, 26), tzLondon).Sub(LocalDay(ymd(2026, 10, 25), tzLondon)); got != 25*time.Hour {
		t.Errorf("Sunday 25 October lasts %v, want 25h", got)
	}
	// Customers can order for today and the 13 days after it.
	if got := HorizonEnd(utcAt(2026, 7, 1, 23, 30), tzLondon, 14); !got.Equal(ymd(2026, 7, 16)) {
		t.Errorf("HorizonEnd(14 days from 2 July) = %s, want 16 July", got)
	}
	if got := HorizonEnd(londonAt(2026, 10, 20, 12, 0), tzLondon, 14); !got.Equal(ymd(2026, 11, 3)) {
		t.Errorf("HorizonEnd(14 days from 20 October) = %s, want 3 November", got)
	}
}
