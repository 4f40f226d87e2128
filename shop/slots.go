package shop

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Slot pattern limits.
const (
	MaxSlotDays     = 62
	MaxSlotCapacity = 1000
	maxPatternSlots = 2000
)

// SlotPattern describes pickup slots for a range of days: every Every from
// Start to End each day, each taking Capacity orders.
type SlotPattern struct {
	FirstDay, LastDay time.Time // midnight, in the shop's time zone
	Start, End        time.Duration
	Every             time.Duration
	Capacity          int
}

// SlotTime is one generated slot.
type SlotTime struct{ Start, End time.Time }

// ParseSlotPattern validates the slot generator form. Days are
// YYYY-MM-DD and times HH:MM, in loc.
func ParseSlotPattern(v url.Values, loc *time.Location) (SlotPattern, FieldErrors) {
	errs := FieldErrors{}
	var p SlotPattern
	day := func(field string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v.Get(field)), loc)
		if err != nil {
			errs[field] = "Enter a date like 2026-12-01."
		}
		return d
	}
	clock := func(field string) time.Duration {
		t, err := time.Parse("15:04", strings.TrimSpace(v.Get(field)))
		if err != nil {
			errs[field] = "Enter a time like 09:00."
			return 0
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	p.FirstDay, p.LastDay = day("first_day"), day("last_day")
	p.Start, p.End = clock("start"), clock("end")
	every, err := strconv.Atoi(strings.TrimSpace(v.Get("every")))
	if err != nil || every < 10 || every > 240 {
		errs["every"] = "Enter a slot length of 10 to 240 minutes."
	}
	p.Every = time.Duration(every) * time.Minute
	p.Capacity, err = strconv.Atoi(strings.TrimSpace(v.Get("capacity")))
	if err != nil || p.Capacity < 1 || p.Capacity > MaxSlotCapacity {
		errs["capacity"] = fmt.Sprintf("Enter a capacity of 1 to %d orders.", MaxSlotCapacity)
	}
	if len(errs) > 0 {
		return p, errs
	}
	switch days := calendarDays(p.FirstDay, p.LastDay); {
	case days < 1:
		errs["last_day"] = "The last day must not be before the first."
	case days > MaxSlotDays:
		errs["last_day"] = fmt.Sprintf("Create at most %d days of slots at a time.", MaxSlotDays)
	}
	if p.End < p.Start+p.Every {
		errs["end"] = "The day must end at least one slot after it starts."
	}
	if len(errs) == 0 && len(p.Slots(loc)) > maxPatternSlots {
		errs["every"] = fmt.Sprintf("That would make more than %d slots; use longer slots or fewer days.", maxPatternSlots)
	}
	return p, errs
}

// Slots lists the slots the pattern makes. Days are walked by calendar
// date, so a slot at 09:00 stays at 09:00 across a clock change.
func (p SlotPattern) Slots(loc *time.Location) []SlotTime {
	var out []SlotTime
	for d := p.FirstDay; !d.After(p.LastDay); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		for t := p.Start; t+p.Every <= p.End; t += p.Every {
			start := time.Date(d.Year(), d.Month(), d.Day(), int(t/time.Hour), int(t%time.Hour/time.Minute), 0, 0, loc)
			out = append(out, SlotTime{Start: start, End: start.Add(p.Every)})
			if len(out) > maxPatternSlots {
				return out
			}
		}
	}
	return out
}

// calendarDays counts the days from first to last inclusive by date, not
// by hours, so a 23- or 25-hour day at a clock change counts as one.
func calendarDays(first, last time.Time) int {
	a := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours()/24) + 1
}
