package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without the system's zoneinfo

	"shopfront/calendar"
	"shopfront/settings"
	"shopfront/shop"
)

// london is the shop's time zone; in 2026 its clocks go forward on Sunday
// 29 March and back on Sunday 25 October.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a wall-clock time in London.
func at(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, london)
}

// date is a date as the calendar passes them around: midnight UTC.
func date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

func clock(h, m int) shop.Clock { return shop.Clock(h*60 + m) }

func weekdays(ds ...time.Weekday) shop.Weekdays {
	var w shop.Weekdays
	for _, d := range ds {
		w = w.With(d)
	}
	return w
}

var (
	tueSat      = weekdays(time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	dayBefore18 = shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 1, At: clock(18, 0)}
	lead2h      = shop.Cutoff{Kind: shop.LeadTime, Lead: 2 * time.Hour}
)

// wantInputError checks that err refuses field, saying something that
// contains message.
func wantInputError(t *testing.T, err error, field, message string) {
	t.Helper()
	var in *shop.InputError
	if !errors.As(err, &in) {
		t.Fatalf("got %v, want an input error on %s", err, field)
	}
	if in.Field != field || !strings.Contains(in.Message, message) {
		t.Errorf("got %s: %q, want %s: …%q…", in.Field, in.Message, field, message)
	}
}

// morning is a valid window: Tue–Sat 08:00–13:00, every 30 minutes.
func morning() calendar.Rule {
	return calendar.Rule{ID: 1, PointID: 1, Days: tueSat, Starts: clock(8, 0), Ends: clock(13, 0), Every: 30 * time.Minute, Capacity: 6}
}

func TestCheckRule(t *testing.T) {
	existing := []calendar.Rule{morning()}
	newRule := func(change func(*calendar.Rule)) calendar.Rule {
		r := morning()
		r.ID = 0
		r.Days = weekdays(time.Monday)
		change(&r)
		return r
	}
	refused := []struct {
		name           string
		rule           calendar.Rule
		cutoff         shop.Cutoff
		field, message string
	}{
		{"no days", newRule(func(r *calendar.Rule) { r.Days = 0 }), dayBefore18, "days", "at least one day"},
		{"ends before it starts", newRule(func(r *calendar.Rule) { r.Starts, r.Ends = clock(13, 0), clock(8, 0) }), dayBefore18,
			"ends", "The window ends (08:00) before it starts (13:00)"},
		{"ends as it starts", newRule(func(r *calendar.Rule) { r.Ends = r.Starts }), dayBefore18, "ends", "the end must be later"},
		{"shorter than one slot", newRule(func(r *calendar.Rule) { r.Ends = clock(8, 20) }), dayBefore18, "ends", "shorter than one slot"},
		{"slots too short", newRule(func(r *calendar.Rule) { r.Every = 5 * time.Minute }), dayBefore18, "every", "10 to 240 minutes"},
		{"slots too long", newRule(func(r *calendar.Rule) { r.Every = 241 * time.Minute }), dayBefore18, "every", "10 to 240 minutes"},
		{"capacity 0", newRule(func(r *calendar.Rule) { r.Capacity = 0 }), dayBefore18, "capacity", "1 to 1000 orders"},
		{"capacity 1001", newRule(func(r *calendar.Rule) { r.Capacity = 1001 }), dayBefore18, "capacity", "1 to 1000 orders"},
		{"overlapping on a shared Saturday", newRule(func(r *calendar.Rule) {
			r.Days, r.Starts, r.Ends = weekdays(time.Saturday, time.Sunday), clock(12, 0), clock(14, 0)
		}), dayBefore18, "starts", "Sat, Sun 12:00–14:00 overlaps the window Tue–Sat 08:00–13:00 at the same pickup point."},
		{"inside another window", newRule(func(r *calendar.Rule) {
			r.Days, r.Starts, r.Ends = weekdays(time.Wednesday), clock(9, 0), clock(10, 0)
		}), dayBefore18, "starts", "overlaps the window Tue–Sat 08:00–13:00"},
		{"a cut-off after the first slot", newRule(func(r *calendar.Rule) { r.Starts = clock(9, 0) }),
			shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 0, At: clock(10, 0)},
			"starts", "Orders close at 10:00 on the day, after this window's first slot at 09:00"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			wantInputError(t, calendar.CheckRule(c.rule, existing, c.cutoff), c.field, c.message)
		})
	}

	accepted := []struct {
		name   string
		rule   calendar.Rule
		cutoff shop.Cutoff
	}{
		{"Mondays", newRule(func(*calendar.Rule) {}), dayBefore18},
		{"the same hours at another point", newRule(func(r *calendar.Rule) { r.PointID, r.Days = 2, tueSat }), dayBefore18},
		{"the same hours on other days", newRule(func(r *calendar.Rule) { r.Days = weekdays(time.Sunday, time.Monday) }), dayBefore18},
		{"right after the other window", newRule(func(r *calendar.Rule) { r.Days, r.Starts, r.Ends = tueSat, clock(13, 0), clock(15, 0) }), dayBefore18},
		{"the window itself, changed", func() calendar.Rule { r := morning(); r.Ends = clock(14, 0); return r }(), dayBefore18},
		{"exactly one slot", newRule(func(r *calendar.Rule) { r.Ends = clock(8, 30) }), dayBefore18},
		{"capacity 1", newRule(func(r *calendar.Rule) { r.Capacity = 1 }), dayBefore18},
		{"capacity 1000", newRule(func(r *calendar.Rule) { r.Capacity = 1000 }), dayBefore18},
		{"a cut-off on the day at the first slot", newRule(func(r *calendar.Rule) { r.Starts = clock(10, 0) }),
			shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 0, At: clock(10, 0)}},
		{"a lead time", newRule(func(r *calendar.Rule) { r.Starts = clock(6, 0) }), lead2h},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			if err := calendar.CheckRule(c.rule, existing, c.cutoff); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}

	full := make([]calendar.Rule, calendar.MaxRules)
	for i := range full {
		full[i] = calendar.Rule{ID: int64(i + 10), PointID: 9, Days: weekdays(time.Sunday), Starts: clock(i/4, (i%4)*15), Ends: clock(i/4, (i%4)*15+10)}
	}
	wantInputError(t, calendar.CheckRule(newRule(func(*calendar.Rule) {}), full, dayBefore18), "days", "50 windows already")
}

func TestCheckOrdering(t *testing.T) {
	rules := []calendar.Rule{morning()} // Tue–Sat from 08:00
	onTheDay := func(h int) shop.Cutoff { return shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 0, At: clock(h, 0)} }
	refused := []struct {
		name           string
		horizon        int
		cutoff         shop.Cutoff
		field, message string
	}{
		{"horizon 0", 0, dayBefore18, "horizon_days", "1 to 90 days"},
		{"horizon 91", 91, dayBefore18, "horizon_days", "1 to 90 days"},
		{"a cut-off on the day after the first slot", 14, onTheDay(9), "cutoff_time",
			"Orders closing at 09:00 on the day would close after the slots of Tue–Sat 08:00–13:00 start: choose 08:00 or earlier"},
		{"closing as many days before as the horizon", 3, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 3, At: clock(18, 0)},
			"cutoff_days_before", "Orders closing 3 days before leave nothing to book within 3 days ahead"},
		{"closing more days before than the horizon", 2, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 5, At: clock(18, 0)},
			"cutoff_days_before", "leave nothing to book"},
		{"8 days before", 14, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 8, At: clock(18, 0)}, "cutoff_days_before", "0 to 7 days"},
		{"a day before", 14, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: -1, At: clock(18, 0)}, "cutoff_days_before", "0 to 7 days"},
		{"at 24:00", 14, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 1, At: clock(24, 0)}, "cutoff_time", "like 18:00"},
		{"a negative lead time", 14, shop.Cutoff{Kind: shop.LeadTime, Lead: -time.Minute}, "lead_minutes", "0 to 10080 minutes"},
		{"a lead time over a week", 14, shop.Cutoff{Kind: shop.LeadTime, Lead: 7*24*time.Hour + time.Minute}, "lead_minutes", "0 to 10080 minutes"},
		{"no kind", 14, shop.Cutoff{}, "cutoff_kind", "Choose how orders close."},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			wantInputError(t, calendar.CheckOrdering(c.horizon, c.cutoff, rules), c.field, c.message)
		})
	}

	accepted := []struct {
		name    string
		horizon int
		cutoff  shop.Cutoff
	}{
		{"horizon 90", 90, dayBefore18},
		{"horizon 1 with a lead time", 1, lead2h},
		{"a cut-off on the day at the first slot", 14, onTheDay(8)},
		{"a cut-off on the day before the first slot", 1, onTheDay(6)},
		{"a week before, two weeks ahead", 14, shop.Cutoff{Kind: shop.DayBefore, DaysBefore: 7, At: clock(12, 0)}},
		{"a lead time of a week", 14, shop.Cutoff{Kind: shop.LeadTime, Lead: 7 * 24 * time.Hour}},
		{"no lead time", 14, shop.Cutoff{Kind: shop.LeadTime}},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			if err := calendar.CheckOrdering(c.horizon, c.cutoff, rules); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
	// Without windows, a cut-off on the day has nothing to come after.
	if err := calendar.CheckOrdering(14, onTheDay(23), nil); err != nil {
		t.Errorf("a cut-off at 23:00 on the day without windows: %v", err)
	}
}

func TestCheckClosure(t *testing.T) {
	today := date(2026, 12, 2)
	closure := func(first, last time.Time, note string) calendar.Closure {
		return calendar.Closure{First: first, Last: last, Note: note}
	}
	refused := []struct {
		name           string
		in             calendar.Closure
		field, message string
	}{
		{"last before first", closure(date(2026, 12, 27), date(2026, 12, 24), "Closed for Christmas"), "last_day", "The last day is before the first"},
		{"entirely in the past", closure(date(2026, 11, 20), date(2026, 12, 1), "Closed for a holiday"), "last_day", "Those days are over already."},
		{"longer than a year", closure(date(2026, 12, 24), date(2027, 12, 25), "Closed for a year"), "last_day", "at most 366 days"},
		{"no note", closure(date(2026, 12, 24), date(2026, 12, 27), ""), "note", "Write the note customers see"},
		{"a note of spaces", closure(date(2026, 12, 24), date(2026, 12, 27), " \t\n "), "note", "Write the note customers see"},
		{"a note of control characters", closure(date(2026, 12, 24), date(2026, 12, 27), "\x00\x07"), "note", "Write the note customers see"},
		{"a note over 200 characters", closure(date(2026, 12, 24), date(2026, 12, 27), strings.Repeat("é", calendar.MaxNote+1)), "note", "at most 200 characters"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := calendar.CheckClosure(c.in, today)
			wantInputError(t, err, c.field, c.message)
		})
	}

	accepted := []struct {
		name string
		in   calendar.Closure
		note string
	}{
		{"Christmas, the note trimmed", closure(date(2026, 12, 24), date(2026, 12, 27), "  Closed for Christmas\n"), "Closed for Christmas"},
		{"today only", closure(today, today, "Closed for a funeral"), "Closed for a funeral"},
		{"begun already, not over", closure(date(2026, 11, 30), date(2026, 12, 3), "Closed for repairs"), "Closed for repairs"},
		{"a year", closure(date(2026, 12, 24), date(2027, 12, 23), "Closed"), "Closed"},
		{"a note of 200 characters", closure(date(2026, 12, 24), date(2026, 12, 27), strings.Repeat("é", calendar.MaxNote)), strings.Repeat("é", calendar.MaxNote)},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			got, err := calendar.CheckClosure(c.in, today)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got.Note != c.note || !got.First.Equal(c.in.First) || !got.Last.Equal(c.in.Last) {
				t.Errorf("cleaned to %+v, want the note %q and the same days", got, c.note)
			}
		})
	}
}

// A window's slots keep their time of day on the days the clocks change.
func TestRuleTimesOnClockChangeDays(t *testing.T) {
	r := calendar.Rule{Days: shop.AllWeek, Starts: clock(9, 0), Ends: clock(11, 0), Every: time.Hour, Capacity: 5}
	for _, c := range []struct {
		day        time.Time
		firstInUTC time.Time
	}{
		{date(2026, 3, 28), time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC)},   // GMT
		{date(2026, 3, 29), time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC)},   // forward: BST
		{date(2026, 10, 24), time.Date(2026, 10, 24, 8, 0, 0, 0, time.UTC)}, // BST
		{date(2026, 10, 25), time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC)}, // back: GMT
	} {
		times := r.Times(c.day, london)
		if len(times) != 2 {
			t.Fatalf("%s: %d slots, want 2: %v", c.day.Format(time.DateOnly), len(times), times)
		}
		if !times[0].Start.Equal(c.firstInUTC) {
			t.Errorf("%s: the first slot starts at %s, want %s", c.day.Format(time.DateOnly), times[0].Start.UTC(), c.firstInUTC)
		}
		for i, s := range times {
			local := s.Start.In(london)
			if local.Hour() != 9+i || local.Minute() != 0 || local.Day() != c.day.Day() {
				t.Errorf("%s: slot %d starts at %s local, want %02d:00", c.day.Format(time.DateOnly), i, local, 9+i)
			}
			if s.End.Sub(s.Start) != time.Hour {
				t.Errorf("%s: slot %d lasts %v", c.day.Format(time.DateOnly), i, s.End.Sub(s.Start))
			}
		}
	}
	// A window that is no whole number of slots ends with the last that fits.
	r.Ends, r.Every = clock(10, 45), 30*time.Minute
	if got := r.Times(date(2026, 12, 3), london); len(got) != 3 || got[2].End.In(london).Format("15:04") != "10:30" {
		t.Errorf("09:00–10:45 every 30 minutes makes %v, want 09:00, 09:30 and 10:00", got)
	}
}

func TestDayProblemMessage(t *testing.T) {
	now := at(2026, 11, 30, 10, 0) // a Monday: Friday is 4 December
	friday, saturday, sunday := date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)
	for _, c := range []struct {
		name string
		p    calendar.DayProblem
		want string
	}{
		{"sold out", calendar.DayProblem{Name: "Sourdough", Day: friday, Next: saturday},
			"Sourdough is sold out for Friday — available Saturday."},
		{"a few left", calendar.DayProblem{Name: "Sourdough", Day: friday, Left: 3, Next: saturday},
			"Only 3 of Sourdough left for Friday — available Saturday."},
		{"not made that day", calendar.DayProblem{Name: "Sourdough", Day: sunday, NotMade: true, Next: saturday},
			"Sourdough is not made on Sundays — available Saturday."},
		{"beyond the coming week", calendar.DayProblem{Name: "Sourdough", Day: date(2026, 12, 11), Next: date(2026, 12, 12)},
			"Sourdough is sold out for Friday 11 December — available Saturday 12 December."},
		{"the next day over a week away", calendar.DayProblem{Name: "Sourdough", Day: friday, Next: date(2026, 12, 7)},
			"Sourdough is sold out for Friday — available Monday 7 December."},
		{"sold out on every day", calendar.DayProblem{Name: "Sourdough", Day: friday},
			"Sourdough is sold out for Friday — and no other day we take orders for has enough left."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.Message(now, london); got != c.want {
				t.Errorf("Message = %q, want %q", got, c.want)
			}
		})
	}
	// With no other day: said as such, never as if it were so every day.
	for _, c := range []struct {
		p    calendar.DayProblem
		want string
	}{
		{calendar.DayProblem{Name: "Sourdough", Day: friday, Left: 3}, "Only 3 of Sourdough left for Friday — and no other day we take orders for has enough left."},
		{calendar.DayProblem{Name: "Sourdough", Day: sunday, NotMade: true}, "Sourdough is not made on Sundays — and no other day we take orders for has enough left."},
	} {
		if got := c.p.Message(now, london); got != c.want {
			t.Errorf("Message = %q, want %q", got, c.want)
		}
	}
}

// shopSettings is a pickup-only shop, open Tuesday to Saturday, whose
// orders close at 18:00 the day before, booking two weeks ahead.
func shopSettings() *settings.Settings {
	return &settings.Settings{
		PickupEnabled:  true,
		Points:         []settings.PickupPoint{{ID: 1, Name: "The bakery", Active: true}},
		Cutoff:         dayBefore18,
		HorizonDays:    14,
		PickupWeekdays: tueSat,
	}
}

func TestStoreNotices(t *testing.T) {
	closure := func(first, last time.Time, note string) settings.Closure {
		return settings.Closure{First: first, Last: last, Note: note}
	}
	cases := []struct {
		name   string
		change func(*settings.Settings)
		now    time.Time
		want   []string
	}{
		{"a Wednesday morning", nil, at(2026, 12, 2, 10, 0), []string{"Order by 18:00 today for pickup tomorrow."}},
		{"a Friday before 18:00", nil, at(2026, 12, 4, 17, 59), []string{"Order by 18:00 today for pickup tomorrow."}},
		// Sunday and Monday are not open: the first day is Tuesday.
		{"a Friday after 18:00", nil, at(2026, 12, 4, 18, 0), []string{"Order by 18:00 on Monday for pickup on Tuesday."}},
		{"a Saturday after 18:00", nil, at(2026, 12, 5, 19, 0), []string{"Order by 18:00 on Monday for pickup on Tuesday."}},
		{"a Sunday", nil, at(2026, 12, 6, 12, 0), []string{"Order by 18:00 tomorrow for pickup on Tuesday."}},
		{"closures within the horizon, and one beyond it", func(s *settings.Settings) {
			s.Closures = []settings.Closure{
				closure(date(2026, 11, 20), date(2026, 11, 21), "Closed for a holiday"), // over
				closure(date(2026, 12, 10), date(2026, 12, 11), "Closed for stocktaking"),
				closure(date(2026, 12, 24), date(2026, 12, 27), "Closed for Christmas"), // past the horizon
			}
		}, at(2026, 12, 2, 10, 0), []string{"Closed for stocktaking: 10–11 December.", "Order by 18:00 today for pickup tomorrow."}},
		{"closed tomorrow", func(s *settings.Settings) {
			s.Closures = []settings.Closure{closure(date(2026, 12, 3), date(2026, 12, 3), "Closed for a wedding")}
		}, at(2026, 12, 2, 10, 0), []string{"Closed for a wedding: Thursday 3 December.", "Order by 18:00 tomorrow for pickup on Friday."}},
		{"closed since yesterday", func(s *settings.Settings) {
			s.Closures = []settings.Closure{closure(date(2026, 12, 1), date(2026, 12, 3), "Closed for repairs")}
		}, at(2026, 12, 2, 10, 0), []string{"Closed for repairs: 1–3 December.", "Order by 18:00 tomorrow for pickup on Friday."}},
		{"delivery on Mondays as well", func(s *settings.Settings) {
			s.DeliveryEnabled, s.Zones, s.DeliveryWeekdays = true, []shop.DeliveryZone{{ID: 1, Name: "Central", Prefixes: []string{"BS1"}}}, weekdays(time.Monday, time.Tuesday)
		}, at(2026, 12, 5, 19, 0), []string{"Order by 18:00 tomorrow for delivery on Monday."}},
		{"delivery on Tuesdays as well", func(s *settings.Settings) {
			s.DeliveryEnabled, s.Zones, s.DeliveryWeekdays = true, []shop.DeliveryZone{{ID: 1, Name: "Central", Prefixes: []string{"BS1"}}}, weekdays(time.Tuesday)
		}, at(2026, 12, 5, 19, 0), []string{"Order by 18:00 on Monday for pickup or delivery on Tuesday."}},
		{"a lead time", func(s *settings.Settings) { s.Cutoff = lead2h }, at(2026, 12, 5, 19, 0),
			[]string{"Order at least 2 hours before your pickup time."}},
		{"no pickup point in use", func(s *settings.Settings) {
			s.Points[0].Active = false
			s.Closures = []settings.Closure{closure(date(2026, 12, 3), date(2026, 12, 3), "Closed for a wedding")}
		}, at(2026, 12, 2, 10, 0), []string{"Closed for a wedding: Thursday 3 December."}},
		{"pickup off", func(s *settings.Settings) { s.PickupEnabled = false }, at(2026, 12, 2, 10, 0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := shopSettings()
			if c.change != nil {
				c.change(st)
			}
			got := calendar.StoreNotices(st, c.now, london)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("StoreNotices at %s =\n%q\nwant\n%q", c.now.Format("Mon 2 Jan 15:04"), got, c.want)
			}
		})
	}
}

func TestClosureDays(t *testing.T) {
	for _, c := range []struct {
		first, last time.Time
		want        string
	}{
		{date(2026, 12, 24), date(2026, 12, 24), "Thursday 24 December"},
		{date(2026, 12, 24), date(2026, 12, 27), "24–27 December"},
		{date(2026, 12, 28), date(2027, 1, 3), "28 December – 3 January"},
		{date(2026, 10, 30), date(2026, 11, 2), "30 October – 2 November"},
	} {
		if got := calendar.ClosureDays(c.first, c.last); got != c.want {
			t.Errorf("ClosureDays(%s, %s) = %q, want %q", c.first.Format(time.DateOnly), c.last.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestOrderingFirstDay(t *testing.T) {
	o := calendar.Ordering{Cutoff: dayBefore18, HorizonDays: 14, Loc: london}
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{at(2026, 12, 2, 17, 59), date(2026, 12, 3)},
		{at(2026, 12, 2, 18, 0), date(2026, 12, 4)},
		{at(2026, 10, 24, 17, 59), date(2026, 10, 25)},
		{at(2026, 10, 24, 18, 0), date(2026, 10, 26)},
		{at(2026, 3, 28, 18, 0), date(2026, 3, 30)},
	} {
		if got := o.FirstDay(c.now); !got.Equal(c.want) {
			t.Errorf("FirstDay at %s = %s, want %s", c.now, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
	if got := o.End(at(2026, 12, 2, 23, 30)); !got.Equal(date(2026, 12, 16)) {
		t.Errorf("End = %s, want 16 December", got.Format(time.DateOnly))
	}
}
