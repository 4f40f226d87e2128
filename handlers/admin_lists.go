package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/catalogue"
	"shopfront/db"
	"shopfront/shop"
	"shopfront/views"
)

// listDay is the day a list asks for (?day=YYYY-MM-DD), or def: its date,
// and its start and end in the shop's time zone.
func (s *Server) listDay(c echo.Context, def time.Time) (day, start, end time.Time, err error) {
	param := c.QueryParam("day")
	if param == "" {
		param = def.Format("2006-01-02")
	}
	start, end, ok := s.dayRange(param)
	if !ok {
		return day, start, end, &shop.InputError{Field: "day", Message: "The day must be a date like 2026-12-01."}
	}
	return shop.DayOf(start, s.cfg.Location), start, end, nil
}

// adminPickList lists what to pack for a slot (?slot=ID) or a day
// (?day=YYYY-MM-DD, default today): pickups in its slots and deliveries
// on it, whenever they were placed.
func (s *Server) adminPickList(c echo.Context) error {
	var params db.PickListParams
	title := ""
	var nav views.DayNav
	if slot := c.QueryParam("slot"); slot != "" {
		id, name, err := s.slotFilter(c, slot)
		if err != nil {
			return err
		}
		params.SlotID, title = id, name
	} else {
		day, start, end, err := s.listDay(c, shop.DayOf(s.now(), s.cfg.Location))
		if err != nil {
			return err
		}
		params.ByDay, params.DayStart, params.DayEnd, params.Day = true, start, end, day
		title, nav = day.Format("Monday 2 January"), views.NavFor(day)
	}
	rows, err := s.queries.PickList(c.Request().Context(), params)
	if err != nil {
		return fmt.Errorf("reading the pick list: %w", err)
	}
	p := views.PickListOf(rows)
	p.Title, p.Day = title, nav
	return s.render(c, http.StatusOK, views.PickListPage(p), nil)
}

// adminBakeList is what to make for a day (default tomorrow: the baker
// reads it the evening before).
func (s *Server) adminBakeList(c echo.Context) error {
	day, start, end, err := s.listDay(c, shop.DayOf(s.now(), s.cfg.Location).AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	rows, err := s.queries.BakeList(c.Request().Context(), db.BakeListParams{DayStart: start, DayEnd: end, Day: day})
	if err != nil {
		return fmt.Errorf("reading the bake list: %w", err)
	}
	return s.render(c, http.StatusOK, views.BakeListPage(views.BakeList{Day: views.NavFor(day), Lines: rows}), nil)
}

func (s *Server) adminRestock(c echo.Context) error {
	return s.renderRestock(c, http.StatusOK, views.Restock{Reason: "Morning restock"}, nil)
}

func (s *Server) renderRestock(c echo.Context, status int, p views.Restock, typed map[int64]string) error {
	today := shop.DayOf(s.now(), s.cfg.Location)
	rows, err := s.queries.RestockProducts(c.Request().Context(), today)
	if err != nil {
		return fmt.Errorf("reading the products: %w", err)
	}
	p.Day = today
	for _, r := range rows {
		row := views.RestockRow{ID: r.ID, Name: r.Name, Active: r.Active, Stock: r.Stock, Typed: typed[r.ID]}
		if r.DailyLimit.Valid {
			row.MadeToOrder, row.Ordered, row.Stock = true, r.OrderedToday, r.DailyLimit.Int32
			row.MadeToday = shop.Weekdays(r.MadeOn).Has(today.Weekday())
			if r.LimitOverride.Valid {
				row.Stock = r.LimitOverride.Int32
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return s.render(c, status, views.RestockPage(p), nil)
}

// adminSaveRestock saves what was changed on the restock page, in one
// transaction: a row whose value is still what the page showed is left
// alone, so a sale meanwhile is not undone.
func (s *Server) adminSaveRestock(c echo.Context) error {
	params, err := c.FormParams()
	if err != nil {
		return &shop.InputError{Message: "The form could not be read. Please try again."}
	}
	today := shop.DayOf(s.now(), s.cfg.Location)
	products, err := s.queries.RestockProducts(c.Request().Context(), today)
	if err != nil {
		return err
	}
	reason := shop.CleanText(params.Get("reason"))
	if reason == "" {
		reason = "Morning restock"
	}
	if len([]rune(reason)) > 200 {
		return &shop.InputError{Field: "reason", Message: "The reason is at most 200 characters."}
	}
	var lines []catalogue.Restock
	typed := map[int64]string{}
	problems := map[int64]string{}
	for _, p := range products {
		id := strconv.FormatInt(p.ID, 10)
		value, shown := strings.TrimSpace(params.Get("value-"+id)), strings.TrimSpace(params.Get("shown-"+id))
		if value == shown || value == "" {
			continue
		}
		typed[p.ID] = value
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 {
			problems[p.ID] = "Give a whole number, 0 or more."
			continue
		}
		level := int32(n)
		line := catalogue.Restock{ProductID: p.ID, Name: p.Name}
		if p.DailyLimit.Valid {
			line.DayLimit = &level
		} else {
			line.Stock = &level
		}
		lines = append(lines, line)
	}
	if len(problems) > 0 {
		return s.renderRestock(c, http.StatusUnprocessableEntity, views.Restock{Reason: reason, Problems: problems}, typed)
	}
	changed, err := catalogue.ApplyRestock(c.Request().Context(), s.pool, currentStaff(c).ID, lines, today, reason, s.now())
	var restock *catalogue.RestockError
	if errors.As(err, &restock) {
		return s.renderRestock(c, http.StatusUnprocessableEntity, views.Restock{Reason: reason, Problems: restock.Problems}, typed)
	} else if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Restock saved: %d products changed.", changed))
	return redirect(c, s.paths.URL(views.RouteAdminRestock))
}
