package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/calendar"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/views"
)

func (s *Server) adminCalendar(c echo.Context) error {
	p := views.AdminCalendar{}
	if id, err := strconv.ParseInt(c.QueryParam("edit"), 10, 64); err == nil {
		rules, err := calendar.Rules(c.Request().Context(), s.queries)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.ID == id {
				p.Edit = r
			}
		}
		if p.Edit.ID == 0 {
			s.flash(c, "error", "That window is no longer in the schedule.")
		}
	}
	return s.renderCalendar(c, http.StatusOK, p)
}

// renderCalendar shows the calendar as saved, straight from Postgres.
func (s *Server) renderCalendar(c echo.Context, status int, p views.AdminCalendar) error {
	ctx := c.Request().Context()
	st, err := settings.Load(ctx, s.queries)
	if err != nil {
		return err
	}
	rules, err := calendar.Rules(ctx, s.queries)
	if err != nil {
		return err
	}
	now := s.now()
	p.S, p.Now, p.Owner = st, now, currentStaff(c).Owner()
	for _, pt := range st.ActivePoints() {
		pr := views.PointRules{Point: pt}
		for _, r := range rules {
			if r.PointID == pt.ID {
				pr.Rules = append(pr.Rules, r)
			}
		}
		p.Points = append(p.Points, pr)
	}
	today := shop.DayOf(now, s.cfg.Location)
	for _, cl := range st.ClosuresFrom(today) {
		orders, err := calendar.OrdersOn(ctx, s.queries, cl.First, cl.Last, s.cfg.Location)
		if err != nil {
			return err
		}
		p.Closures = append(p.Closures, views.ClosureOrders{Closure: cl, Orders: orders})
	}
	if p.Unwanted, err = s.queries.UnwantedSlots(ctx, now); err != nil {
		return err
	}
	if p.UnwantedDays, err = s.queries.UnwantedDeliveryDays(ctx, today); err != nil {
		return err
	}
	days, err := s.queries.DeliveryDays(ctx)
	if err != nil {
		return err
	}
	for _, z := range st.Zones {
		zd := views.ZoneDays{Zone: z}
		for _, d := range days {
			if d.ZoneID == z.ID {
				zd.Capacity[d.Weekday] = int(d.Capacity)
			}
		}
		p.Zones = append(p.Zones, zd)
	}
	return s.render(c, status, views.AdminCalendarPage(p), nil)
}

// calendarSaved answers a calendar form: back to its part of the page, or
// the page again with what was typed and what is wrong.
func (s *Server) calendarSaved(c echo.Context, section, anchor, done string, err error) error {
	var input *shop.InputError
	var capacity *calendar.CapacityError
	var stale *settings.StaleError
	switch {
	case err == nil:
		s.flash(c, "success", done)
		return redirect(c, s.paths.URL(views.RouteAdminCalendar)+"#"+anchor)
	case errors.As(err, &capacity):
		err = &shop.InputError{Field: "capacity", Message: fmt.Sprintf(
			"%s already has %d orders booked: its capacity cannot go below %d. Nothing was changed.",
			capacity.Start.Format("Monday 2 January 15:04"), capacity.Booked, capacity.Booked)}
		if section != "rule" {
			err = &shop.InputError{Field: "form", Message: fmt.Sprintf(
				"%s already has %d deliveries booked: its capacity cannot go below %d. Nothing was changed.",
				capacity.Start.Format("Monday 2 January"), capacity.Booked, capacity.Booked)}
		}
		return s.calendarSaved(c, section, anchor, done, err)
	case errors.As(err, &input):
		p := views.AdminCalendar{FormState: typedForm(c, section, input)}
		if id, err := strconv.ParseInt(c.FormValue("replace"), 10, 64); err == nil && section == "rule" {
			p.Edit.ID = id
		}
		return s.renderCalendar(c, http.StatusUnprocessableEntity, p)
	case errors.As(err, &stale):
		return s.renderCalendar(c, http.StatusConflict, views.AdminCalendar{FormState: views.FormState{Section: section,
			Errors: shop.FieldErrors{"form": "Another owner saved the settings after you opened this page, so nothing was saved. The form shows what is saved now: make your change again."}}})
	case errors.Is(err, calendar.ErrNotFound):
		s.flash(c, "error", "That is no longer in the calendar: someone removed it meanwhile.")
		return redirect(c, s.paths.URL(views.RouteAdminCalendar)+"#"+anchor)
	}
	return err
}

func (s *Server) calendarEdit(c echo.Context) calendar.Edit {
	return calendar.Edit{StaffID: currentStaff(c).ID, Now: s.now(), Loc: s.cfg.Location}
}

// adminSaveRule adds a window to the schedule, or with replace changes one.
func (s *Server) adminSaveRule(c echo.Context) error {
	rule, err := parseRule(c)
	if err != nil {
		return s.calendarSaved(c, "rule", "rule-form", "", err)
	}
	replace, _ := strconv.ParseInt(c.FormValue("replace"), 10, 64)
	res, err := calendar.AddRule(c.Request().Context(), s.pool, s.calendarEdit(c), rule, replace)
	return s.calendarSaved(c, "rule", "schedule", "Saved "+rule.String()+". "+resultText(res), err)
}

// parseRule reads the window form.
func parseRule(c echo.Context) (calendar.Rule, error) {
	var r calendar.Rule
	for d := range 7 {
		if c.FormValue("day-"+strconv.Itoa(d)) == "true" {
			r.Days = r.Days.With(time.Weekday(d))
		}
	}
	var ok bool
	if r.Starts, ok = shop.ParseClock(c.FormValue("starts")); !ok || r.Starts >= 24*60 {
		return r, &shop.InputError{Field: "starts", Message: "Give the time the window opens, like 08:00."}
	}
	if r.Ends, ok = shop.ParseClock(c.FormValue("ends")); !ok {
		return r, &shop.InputError{Field: "ends", Message: "Give the time the window closes, like 13:00."}
	}
	every, err := strconv.Atoi(strings.TrimSpace(c.FormValue("every")))
	if err != nil {
		return r, &shop.InputError{Field: "every", Message: "Give the slot length in whole minutes, like 30."}
	}
	r.Every = time.Duration(every) * time.Minute
	if r.Capacity, err = strconv.Atoi(strings.TrimSpace(c.FormValue("capacity"))); err != nil {
		return r, &shop.InputError{Field: "capacity", Message: "Give how many orders each slot takes, like 6."}
	}
	if r.PointID, err = strconv.ParseInt(c.FormValue("pickup_point_id"), 10, 64); err != nil {
		return r, &shop.InputError{Field: "pickup_point_id", Message: "Choose a pickup point."}
	}
	return r, nil
}

func resultText(r calendar.Result) string {
	text := fmt.Sprintf("%d slots or delivery days added, %d removed.", r.Made, r.Removed)
	if r.Kept > 0 {
		text += fmt.Sprintf(" %d booked ones no longer fit and are kept for you to handle: see the list at the top.", r.Kept)
	}
	return text
}

func (s *Server) adminDeleteRule(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	res, err := calendar.DeleteRule(c.Request().Context(), s.pool, s.calendarEdit(c), id)
	return s.calendarSaved(c, "rule", "schedule", "Window removed. "+resultText(res), err)
}

func (s *Server) adminAddClosure(c echo.Context) error {
	first, err1 := time.Parse("2006-01-02", strings.TrimSpace(c.FormValue("first_day")))
	last, err2 := time.Parse("2006-01-02", strings.TrimSpace(c.FormValue("last_day")))
	switch {
	case err1 != nil:
		return s.calendarSaved(c, "closure", "closures", "", &shop.InputError{Field: "first_day", Message: "Give the first day closed, like 2026-12-24."})
	case err2 != nil:
		return s.calendarSaved(c, "closure", "closures", "", &shop.InputError{Field: "last_day", Message: "Give the last day closed, like 2026-12-27 (the same day for one day)."})
	}
	res, affected, err := calendar.AddClosure(c.Request().Context(), s.pool, s.calendarEdit(c), calendar.Closure{First: first, Last: last, Note: c.FormValue("note")})
	done := "Closed " + first.Format("2 January") + " to " + last.Format("2 January") + ". " + resultText(res)
	if len(affected) > 0 {
		done += fmt.Sprintf(" %d orders are booked for those days: they are listed under Closures.", len(affected))
	}
	return s.calendarSaved(c, "closure", "closures", done, err)
}

func (s *Server) adminDeleteClosure(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	res, err := calendar.DeleteClosure(c.Request().Context(), s.pool, s.calendarEdit(c), id)
	return s.calendarSaved(c, "closure", "closures", "Those days are open again. "+resultText(res), err)
}

func (s *Server) adminSaveDeliveryDays(c echo.Context) error {
	zone, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	section := "zone-" + c.Param("id")
	days := map[time.Weekday]int{}
	for d := range 7 {
		if c.FormValue("on-"+strconv.Itoa(d)) != "true" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("capacity-" + strconv.Itoa(d))))
		if err != nil {
			return s.calendarSaved(c, section, "delivery-days", "", &shop.InputError{Field: "capacity-" + strconv.Itoa(d),
				Message: fmt.Sprintf("Give how many orders %s takes, like 20.", time.Weekday(d))})
		}
		days[time.Weekday(d)] = n
	}
	res, err := calendar.SetDeliveryDays(c.Request().Context(), s.pool, s.calendarEdit(c), zone, days)
	return s.calendarSaved(c, section, "delivery-days", "Delivery days saved. "+resultText(res), err)
}

// adminSaveOrdering saves the horizon and cut-off (owners only).
func (s *Server) adminSaveOrdering(c echo.Context) error {
	num := func(field string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(field)))
		if err != nil {
			return 0, &shop.InputError{Field: field, Message: "Give a whole number."}
		}
		return n, nil
	}
	horizon, err := num("horizon_days")
	if err != nil {
		return s.calendarSaved(c, "ordering", "ordering", "", err)
	}
	cut := shop.Cutoff{Kind: shop.CutoffKind(c.FormValue("cutoff_kind"))}
	switch cut.Kind {
	case shop.LeadTime:
		lead, err := num("lead_minutes")
		if err != nil {
			return s.calendarSaved(c, "ordering", "ordering", "", err)
		}
		cut.Lead = time.Duration(lead) * time.Minute
	case shop.DayBefore:
		if cut.DaysBefore, err = num("cutoff_days_before"); err != nil {
			return s.calendarSaved(c, "ordering", "ordering", "", err)
		}
		var ok bool
		if cut.At, ok = shop.ParseClock(c.FormValue("cutoff_time")); !ok {
			return s.calendarSaved(c, "ordering", "ordering", "", &shop.InputError{Field: "cutoff_time", Message: "Give the time orders close, like 18:00."})
		}
	}
	perHour := calendar.KeepOrdersPerHour
	if strings.TrimSpace(c.FormValue("orders_per_hour")) != "" {
		if perHour, err = num("orders_per_hour"); err != nil {
			return s.calendarSaved(c, "ordering", "ordering", "", err)
		}
	}
	err = calendar.SaveOrdering(c.Request().Context(), s.pool, s.settingsChange(c), s.cfg.Location, horizon, cut, perHour)
	return s.calendarSaved(c, "ordering", "ordering", "Ordering saved.", err)
}
