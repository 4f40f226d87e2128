package views

import (
	"net/url"
	"strconv"
	"time"

	"shopfront/calendar"
	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// Routes of the calendar.
const (
	RouteAdminCalendar           = "admin.calendar"
	RouteAdminCalendarRules      = "admin.calendar.rules"
	RouteAdminCalendarRuleDelete = "admin.calendar.rule.delete"
	RouteAdminClosures           = "admin.calendar.closures"
	RouteAdminClosureDelete      = "admin.calendar.closure.delete"
	RouteAdminDeliveryDays       = "admin.calendar.delivery"
	RouteAdminOrdering           = "admin.calendar.ordering"
)

// AdminCalendar is the shop's week: the schedule by pickup point,
// closures with the orders on their days, delivery days by zone, and (for
// owners) how far ahead and how late customers can order.
type AdminCalendar struct {
	FormState
	Points   []PointRules
	Closures []ClosureOrders
	Unwanted []db.UnwantedSlotsRow
	// UnwantedDays are booked delivery days no longer wanted.
	UnwantedDays []db.UnwantedDeliveryDaysRow
	Zones        []ZoneDays
	Owner        bool
	S            *settings.Settings
	Edit         calendar.Rule // the window being changed; ID 0 for a new one
	Now          time.Time
}

// PointRules is one pickup point's windows.
type PointRules struct {
	Point settings.PickupPoint
	Rules []calendar.Rule
}

// ClosureOrders is a closure with the orders already placed for its days.
type ClosureOrders struct {
	Closure settings.Closure
	Orders  []db.OrdersOnDaysRow
}

// ZoneDays is a delivery zone with its capacity on each weekday (0: not
// delivered that day).
type ZoneDays struct {
	Zone     shop.DeliveryZone
	Capacity [7]int
}

// PointName names a pickup point of the calendar's.
func (p AdminCalendar) PointName(id int64) string {
	for _, pr := range p.Points {
		if pr.Point.ID == id {
			return pr.Point.Name
		}
	}
	return ""
}

// RuleVal is a field of the window form: as typed, or the window being
// changed, or a new window's defaults.
func (p AdminCalendar) RuleVal(field string) string {
	r := p.Edit
	if r.Every == 0 {
		r = calendar.Rule{Days: shop.Weekdays(0).With(time.Tuesday).With(time.Wednesday).With(time.Thursday).With(time.Friday).With(time.Saturday),
			Starts: 8 * 60, Ends: 13 * 60, Every: 30 * time.Minute, Capacity: 6}
	}
	saved := map[string]string{
		"starts": r.Starts.String(), "ends": r.Ends.String(),
		"every": strconv.Itoa(int(r.Every / time.Minute)), "capacity": strconv.Itoa(r.Capacity),
		"pickup_point_id": strconv.FormatInt(r.PointID, 10),
	}[field]
	return p.Val("rule", field, saved)
}

// RuleDay is whether a weekday is ticked in the window form.
func (p AdminCalendar) RuleDay(d time.Weekday) bool {
	if p.Section == "rule" && p.Form != nil {
		return p.Form["day-"+strconv.Itoa(int(d))] == "true"
	}
	if p.Edit.Every == 0 {
		return d >= time.Tuesday && d <= time.Saturday
	}
	return p.Edit.Days.Has(d)
}

func editQuery(id int64) url.Values { return url.Values{"edit": {strconv.FormatInt(id, 10)}} }

func capacityText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
