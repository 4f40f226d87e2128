package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/views"
)

// slotListDays is how far ahead the slots page looks; the first
// slotOpenDays of them (today included) show their slots at first.
const (
	slotListDays = 14
	slotOpenDays = 3
)

func (s *Server) adminSlots(c echo.Context) error {
	today := s.now().In(s.cfg.Location).Format("2006-01-02")
	form := map[string]string{"first_day": today, "last_day": today, "start": "09:00", "end": "12:00", "every": "30", "capacity": "5"}
	return s.renderSlots(c, http.StatusOK, form, nil)
}

func (s *Server) renderSlots(c echo.Context, status int, form map[string]string, errs shop.FieldErrors) error {
	now := s.now().In(s.cfg.Location)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	rows, err := s.queries.AdminListSlots(c.Request().Context(), db.AdminListSlotsParams{FromTime: from, ToTime: from.AddDate(0, 0, slotListDays)})
	if err != nil {
		return err
	}
	p := views.AdminSlots{Form: form, Errors: errs, Points: s.shop(c).ActivePoints()}
	// The day just changed (?open=) stays open too.
	keepOpen, _ := time.ParseInLocation("2006-01-02", c.QueryParam("open"), s.cfg.Location)
	openUntil := from.AddDate(0, 0, slotOpenDays)
	for _, r := range rows {
		day := r.StartsAt.In(s.cfg.Location)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.cfg.Location)
		if n := len(p.Days); n == 0 || !p.Days[n-1].Day.Equal(day) {
			p.Days = append(p.Days, views.SlotDay{Day: day, Open: day.Before(openUntil) || day.Equal(keepOpen)})
		}
		p.Days[len(p.Days)-1].Slots = append(p.Days[len(p.Days)-1].Slots, r)
	}
	return s.render(c, status, views.AdminSlotsPage(p), nil)
}

// adminGenerateSlots creates slots from a pattern, skipping times that
// already have one, in one transaction.
func (s *Server) adminGenerateSlots(c echo.Context) error {
	params, _ := c.FormParams()
	pattern, errs := shop.ParseSlotPattern(params, s.cfg.Location)
	form := map[string]string{}
	for _, k := range []string{"first_day", "last_day", "start", "end", "every", "capacity", "pickup_point_id"} {
		form[k] = c.FormValue(k)
	}
	point, ok := s.pickupPoint(c, c.FormValue("pickup_point_id"))
	if errs == nil {
		errs = shop.FieldErrors{}
	}
	if !ok {
		errs["pickup_point_id"] = "Choose where these slots are collected from (add a pickup point in Settings first)."
	}
	if len(errs) > 0 {
		return s.renderSlots(c, http.StatusUnprocessableEntity, form, errs)
	}
	created := 0
	err := db.InTx(c.Request().Context(), s.pool, func(q *db.Queries, _ pgx.Tx) error {
		created = 0 // the transaction may be retried
		for _, t := range pattern.Slots(s.cfg.Location) {
			n, err := q.InsertSlotIfMissing(c.Request().Context(), db.InsertSlotIfMissingParams{PickupPointID: point.ID, StartsAt: t.Start, EndsAt: t.End, Capacity: int32(pattern.Capacity)})
			if err != nil {
				return err
			}
			created += int(n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Created %d slots; %d already existed.", created, len(pattern.Slots(s.cfg.Location))-created))
	return redirect(c, s.paths.URL(views.RouteAdminSlots))
}

// pickupPoint is the active pickup point a form names; with one point in
// use, an empty choice means it.
func (s *Server) pickupPoint(c echo.Context, param string) (settings.PickupPoint, bool) {
	points := s.shop(c).ActivePoints()
	if param == "" && len(points) == 1 {
		return points[0], true
	}
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		return settings.PickupPoint{}, false
	}
	for _, p := range points {
		if p.ID == id {
			return p, true
		}
	}
	return settings.PickupPoint{}, false
}

func (s *Server) slotByParam(ctx context.Context, c echo.Context) (db.AdminGetSlotRow, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return db.AdminGetSlotRow{}, echo.ErrNotFound
	}
	return s.queries.AdminGetSlot(ctx, id)
}

// adminSlotCapacity changes capacity, never below what is already booked.
func (s *Server) adminSlotCapacity(c echo.Context) error {
	ctx := c.Request().Context()
	slot, err := s.slotByParam(ctx, c)
	if err != nil {
		return err
	}
	capacity, err := strconv.Atoi(c.FormValue("capacity"))
	if err != nil || capacity < 0 || capacity > shop.MaxSlotCapacity {
		s.flash(c, "error", fmt.Sprintf("Capacity must be a whole number from 0 to %d.", shop.MaxSlotCapacity))
		return redirect(c, s.slotDayURL(slot.StartsAt))
	}
	n, err := s.queries.SetSlotCapacity(ctx, db.SetSlotCapacityParams{ID: slot.ID, Capacity: int32(capacity)})
	if err != nil {
		return err
	}
	if n == 0 {
		current, err := s.queries.AdminGetSlot(ctx, slot.ID)
		if err != nil {
			return err
		}
		s.flash(c, "error", fmt.Sprintf("%d orders are already booked in that slot: capacity cannot go below %d.", current.Booked, current.Booked))
	} else {
		s.flash(c, "success", "Capacity saved.")
	}
	return redirect(c, s.slotDayURL(slot.StartsAt))
}

// adminSlotClosed closes a slot to new bookings, or reopens it.
func (s *Server) adminSlotClosed(c echo.Context) error {
	ctx := c.Request().Context()
	slot, err := s.slotByParam(ctx, c)
	if err != nil {
		return err
	}
	closed := c.FormValue("closed") == "true"
	if _, err := s.queries.SetSlotClosed(ctx, db.SetSlotClosedParams{ID: slot.ID, Closed: closed}); err != nil {
		return err
	}
	if closed {
		s.flash(c, "success", "Slot closed to new orders; existing bookings stay.")
	} else {
		s.flash(c, "success", "Slot reopened.")
	}
	return redirect(c, s.slotDayURL(slot.StartsAt))
}

// slotDayURL is the slots page with the day of a slot open, at that day.
func (s *Server) slotDayURL(start time.Time) string {
	day := start.In(s.cfg.Location).Format("2006-01-02")
	return s.paths.URL(views.RouteAdminSlots) + "?open=" + day + "#day-" + day
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
