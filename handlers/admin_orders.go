package handlers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/labstack/echo/v4"

	"shopfront/db"
	"shopfront/orders"
	"shopfront/outbox"
	"shopfront/shop"
	"shopfront/views"
)

func (s *Server) adminHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, s.paths.URL(views.RouteAdminOrders))
}

// dayRange reads a YYYY-MM-DD day in the shop's time zone.
func (s *Server) dayRange(day string) (start, end time.Time, ok bool) {
	d, err := time.ParseInLocation("2006-01-02", day, s.cfg.Location)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return d, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, s.cfg.Location), true
}

func adminOrder(id, number int64, status, fulfilment, name, email string, total int64, currency string,
	paid pgtype.Timestamptz, placed time.Time, slotStart, slotEnd pgtype.Timestamptz, postcode pgtype.Text) views.AdminOrder {
	return views.AdminOrder{
		ID: id, Number: number, Status: status, Fulfilment: fulfilment, Customer: name, Email: email,
		Total: total, Currency: currency, Paid: paid.Valid, PlacedAt: placed,
		SlotStart: slotStart.Time, SlotEnd: slotEnd.Time, Postcode: postcode.String,
	}
}

// adminOrders is the orders board: filter by status, day and slot, search
// by number, name or email, newest first. htmx swaps only the table.
func (s *Server) adminOrders(c echo.Context) error {
	b := views.AdminOrders{
		Status: c.QueryParam("status"),
		Day:    c.QueryParam("day"),
		Query:  shop.CleanText(c.QueryParam("q")),
	}
	if !slicesContains(shop.Statuses, b.Status) {
		b.Status = ""
	}
	if len([]rune(b.Query)) > 100 {
		return &shop.InputError{Field: "q", Message: "Search text is too long: use at most 100 characters."}
	}
	var err error
	if b.Paging, err = shop.ParsePage("page", c.QueryParam("page"), shop.AdminOrdersPerPage); err != nil {
		return err
	}
	params := db.AdminListOrdersParams{Status: b.Status, Search: b.Query,
		PageOffset: int32(b.Paging.Offset()), PageLimit: int32(b.Paging.PerPage)}
	if b.Day != "" {
		start, end, ok := s.dayRange(b.Day)
		if !ok {
			return &shop.InputError{Field: "day", Message: "The day must be a date like 2026-12-01."}
		}
		params.ByDay, params.DayStart, params.DayEnd, params.Day = true, start, end, shop.DayOf(start, s.cfg.Location)
	}
	if slot := c.QueryParam("slot"); slot != "" {
		id, name, err := s.slotFilter(c, slot)
		if err != nil {
			return err
		}
		params.SlotID, b.SlotID, b.SlotName = id, id, name
	}
	ctx := c.Request().Context()
	// The newest event first, then the orders: a change committed in
	// between is after it, so the board's live stream replays it.
	if b.LastEvent, err = s.queries.LatestOrderEvent(ctx, 0); err != nil {
		return err
	}
	rows, err := s.queries.AdminListOrders(ctx, params)
	if err != nil {
		return err
	}
	if b.Counts, err = s.queries.AdminOrderCounts(ctx, db.AdminOrderCountsParams{
		SlotID: params.SlotID, ByDay: params.ByDay, DayStart: params.DayStart, DayEnd: params.DayEnd, Day: params.Day, Search: params.Search,
	}); err != nil {
		return err
	}
	b.Paging.Total = 0
	for _, sc := range b.Counts {
		if b.Status == "" || sc.Status == b.Status {
			b.Paging.Total += sc.Count
		}
	}
	b.Alerts = preferences(jar(c)).Alerts
	if !isPartial(c.Request()) {
		failed, err := s.queries.RecentFailedEmails(ctx, s.now().Add(-failedEmailNotice))
		if err != nil {
			return err
		}
		for _, f := range failed {
			b.FailedEmails = append(b.FailedEmails, views.AdminFailedEmail{OrderID: f.OrderID, OrderNumber: f.OrderNumber,
				Kind: outbox.Kind(f.Kind).Label(), Recipient: f.Recipient})
		}
	}
	for _, r := range rows {
		b.Orders = append(b.Orders, adminOrder(r.ID, r.Number, r.Status, r.Fulfilment, r.CustomerName, r.CustomerEmail,
			r.TotalMinor, r.Currency, r.PaidAt, r.PlacedAt, r.SlotStartsAt, r.SlotEndsAt, r.DeliveryPostcode))
	}
	return s.render(c, http.StatusOK, views.AdminOrdersPage(b), views.AdminOrdersTable(b))
}

// slotFilter reads a ?slot= filter: the slot's id and its name for people.
func (s *Server) slotFilter(c echo.Context, param string) (int64, string, error) {
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil || id < 1 {
		return 0, "", &shop.InputError{Field: "slot", Message: "That pickup slot does not exist."}
	}
	sl, err := s.queries.AdminGetSlot(c.Request().Context(), id)
	if err != nil {
		return 0, "", err
	}
	return id, sl.StartsAt.In(s.cfg.Location).Format("Monday 2 January, 15:04"), nil
}

func (s *Server) loadAdminOrder(c echo.Context) (views.AdminOrderDetail, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return views.AdminOrderDetail{}, echo.ErrNotFound
	}
	ctx := c.Request().Context()
	o, err := s.queries.AdminGetOrder(ctx, id)
	if err != nil {
		return views.AdminOrderDetail{}, err
	}
	d := views.AdminOrderDetail{
		Full: o,
		Order: adminOrder(o.ID, o.Number, o.Status, o.Fulfilment, o.CustomerName, o.CustomerEmail, o.TotalMinor,
			o.Currency, o.PaidAt, o.PlacedAt, o.SlotStartsAt, o.SlotEndsAt, o.DeliveryPostcode),
	}
	return d, nil
}

// failedEmailNotice is how long the board mentions an email that failed.
const failedEmailNotice = 7 * 24 * time.Hour

func (s *Server) adminOrder(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if d.Lines, err = s.queries.OrderLines(ctx, d.Full.ID); err != nil {
		return err
	}
	if d.Events, err = s.queries.OrderEvents(ctx, d.Full.ID); err != nil {
		return err
	}
	emails, err := s.queries.OrderEmails(ctx, d.Full.ID)
	if err != nil {
		return err
	}
	d.Emails = s.adminEmails(c, emails)
	same, err := s.queries.CountOpenOrdersFrom(ctx, db.CountOpenOrdersFromParams{Email: d.Full.CustomerEmail, Network: d.Full.ClientNetwork})
	if err != nil {
		return err
	}
	d.SameEmail, d.SameNetwork = same.ByEmail, same.ByNetwork
	return s.render(c, http.StatusOK, views.AdminOrderPage(d), nil)
}

// adminEmails says, for each email of an order, what happened to it.
func (s *Server) adminEmails(c echo.Context, rows []db.OrderEmailsRow) []views.AdminEmail {
	out := make([]views.AdminEmail, len(rows))
	for i, r := range rows {
		e := views.AdminEmail{ID: r.ID, Kind: outbox.Kind(r.Kind).Label(), Recipient: r.Recipient, Status: r.Status, CanResend: r.Status != "pending"}
		switch {
		case r.Status == "sent":
			e.Detail = "Sent " + r.SentAt.Time.In(s.cfg.Location).Format("2 January 2006 at 15:04")
		case r.Status == "failed":
			e.Detail = "Failed: " + r.LastError.String
		case r.LastError.Valid:
			e.Detail = fmt.Sprintf("Not sent yet, trying again (%d attempts so far: %s)", r.Attempts, r.LastError.String)
		default:
			e.Detail = "Waiting to be sent"
		}
		if r.Resends > 0 {
			e.Detail += fmt.Sprintf(" · sent again %d×", r.Resends)
		}
		out[i] = e
	}
	return out
}

// adminOrderCancel is the confirmation step of a cancellation: it asks for
// the reason the customer will read.
func (s *Server) adminOrderCancel(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	returnTo := safeAdminPath(c.QueryParam("return_to"))
	if !shop.CanTransition(d.Full.Status, shop.StatusCancelled, d.Full.Fulfilment) {
		s.flash(c, "error", "Order "+shop.OrderNumber(d.Full.Number)+" is "+strings.ToLower(d.Order.StatusLabel())+", so it cannot be cancelled.")
		return redirect(c, returnTo)
	}
	return s.render(c, http.StatusOK, views.AdminCancelPage(views.AdminCancel{Order: d.Order, Reasons: shop.CancelReasons, ReturnTo: returnTo}), nil)
}

// cancelAllFrom is who "cancel them all" is about: the order's email
// address or its network, as ?by= says.
func (s *Server) cancelAllFrom(c echo.Context, d views.AdminOrderDetail, by string) (orders.From, string, int64, error) {
	same, err := s.queries.CountOpenOrdersFrom(c.Request().Context(), db.CountOpenOrdersFromParams{Email: d.Full.CustomerEmail, Network: d.Full.ClientNetwork})
	if err != nil {
		return orders.From{}, "", 0, err
	}
	switch {
	case by == "email":
		return orders.From{Email: d.Full.CustomerEmail}, d.Full.CustomerEmail, same.ByEmail, nil
	case by == "network" && d.Full.ClientNetwork != "":
		return orders.From{Network: d.Full.ClientNetwork}, "the network " + d.Full.ClientNetwork, same.ByNetwork, nil
	}
	return orders.From{}, "", 0, &shop.InputError{Field: "by", Message: "Choose whose orders to cancel: by email address or by network."}
}

// adminOrderCancelAll asks for the reason before cancelling every open
// order of one customer.
func (s *Server) adminOrderCancelAll(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	_, from, n, err := s.cancelAllFrom(c, d, c.QueryParam("by"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AdminCancelPage(views.AdminCancel{Order: d.Order, All: c.QueryParam("by"), Count: n, From: from,
		Reasons: shop.CancelReasons, ReturnTo: safeAdminPath(c.QueryParam("return_to"))}), nil)
}

// adminOrderCancelAllDo cancels them, in one transaction.
func (s *Server) adminOrderCancelAllDo(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	by := c.FormValue("by")
	who, from, n, err := s.cancelAllFrom(c, d, by)
	if err != nil {
		return err
	}
	reason, err := shop.CancelReason(c.FormValue("reason"), c.FormValue("reason_other"))
	var input *shop.InputError
	if errors.As(err, &input) {
		return s.render(c, http.StatusUnprocessableEntity, views.AdminCancelPage(views.AdminCancel{Order: d.Order, All: by, Count: n, From: from,
			Reasons: shop.CancelReasons, Reason: c.FormValue("reason"), Other: c.FormValue("reason_other"),
			ReturnTo: safeAdminPath(c.FormValue("return_to")), Errors: shop.FieldErrors{input.Field: input.Message}}), nil)
	} else if err != nil {
		return err
	}
	done, err := orders.CancelAllFrom(c.Request().Context(), s.pool, s.out, who, currentStaff(c).ID, reason, s.now())
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Cancelled %d orders from %s; their stock and places are back.", done, from))
	return redirect(c, s.paths.URL(views.RouteAdminOrders))
}

// adminResendEmail sends one of an order's emails again.
func (s *Server) adminResendEmail(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	emailID, err := strconv.ParseInt(c.Param("email"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	queued := false
	err = db.InTx(c.Request().Context(), s.pool, func(q *db.Queries, tx pgx.Tx) error {
		resends, err := q.ResendEmail(c.Request().Context(), db.ResendEmailParams{ID: emailID, OrderID: d.Full.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			queued = false
			return nil
		} else if err != nil {
			return err
		}
		queued = true
		return s.out.Send(c.Request().Context(), tx, emailID, resends)
	})
	if err != nil {
		return err
	}
	if queued {
		s.flash(c, "success", "The email will be sent again in a moment.")
	} else {
		s.flash(c, "error", "That email is already waiting to be sent.")
	}
	return redirect(c, s.paths.URL(views.RouteAdminOrder, d.Full.ID))
}

// adminOrderStatus moves an order along placed → ready → collected or
// delivered, or cancels it. htmx gets the updated row; a plain form goes
// back to the page it came from.
func (s *Server) adminOrderStatus(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	from, to := c.FormValue("from"), c.FormValue("to")
	var reason string
	if to == shop.StatusCancelled {
		if reason, err = shop.CancelReason(c.FormValue("reason"), c.FormValue("reason_other")); err != nil {
			return s.cancelProblem(c, d, err)
		}
	}
	applied, err := orders.ChangeStatus(c.Request().Context(), s.pool, s.out, orders.Change{
		OrderID: d.Full.ID, From: from, To: to, StaffID: currentStaff(c).ID, Reason: reason, Now: s.now(),
	})
	var stale *orders.StaleStatus
	status := http.StatusOK
	number := shop.OrderNumber(d.Full.Number)
	switch {
	case err == nil && applied:
		s.flash(c, "success", "Order "+number+" is now "+strings.ToLower(shop.StatusLabel(to, d.Full.Fulfilment))+".")
	case err == nil:
		s.flash(c, "success", "Order "+number+" was already "+strings.ToLower(shop.StatusLabel(to, d.Full.Fulfilment))+".")
	case errors.As(err, &stale):
		status = http.StatusConflict
		s.flash(c, "error", "Order "+number+" changed meanwhile: it is now "+strings.ToLower(shop.StatusLabel(stale.Current, d.Full.Fulfilment))+". Nothing else was changed.")
	case errors.Is(err, orders.ErrInvalidTransition):
		status = http.StatusConflict
		s.flash(c, "error", "Order "+number+" cannot go from "+strings.ToLower(shop.StatusLabel(from, d.Full.Fulfilment))+" to "+strings.ToLower(shop.StatusLabel(to, d.Full.Fulfilment))+".")
	default:
		return err
	}
	return s.afterOrderChange(c, status)
}

// adminOrderPaid records that the customer paid.
func (s *Server) adminOrderPaid(c echo.Context) error {
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	_, err = orders.MarkPaid(c.Request().Context(), s.pool, d.Full.ID, currentStaff(c).ID, s.now())
	status := http.StatusOK
	switch {
	case err == nil:
		s.flash(c, "success", "Order "+shop.OrderNumber(d.Full.Number)+" is paid.")
	case errors.Is(err, orders.ErrCannotPay):
		status = http.StatusConflict
		s.flash(c, "error", "Order "+shop.OrderNumber(d.Full.Number)+" is cancelled, so it cannot be paid.")
	default:
		return err
	}
	return s.afterOrderChange(c, status)
}

// cancelProblem shows the cancellation step again with what is missing.
func (s *Server) cancelProblem(c echo.Context, d views.AdminOrderDetail, err error) error {
	var input *shop.InputError
	if !errors.As(err, &input) {
		return err
	}
	if isPartial(c.Request()) {
		return err // the live region shows it
	}
	return s.render(c, http.StatusUnprocessableEntity, views.AdminCancelPage(views.AdminCancel{
		Order: d.Order, Reasons: shop.CancelReasons, Reason: c.FormValue("reason"), Other: c.FormValue("reason_other"),
		ReturnTo: safeAdminPath(c.FormValue("return_to")), Errors: shop.FieldErrors{input.Field: input.Message},
	}), nil)
}

func (s *Server) afterOrderChange(c echo.Context, status int) error {
	if !isPartial(c.Request()) {
		return redirect(c, safeAdminPath(c.FormValue("return_to")))
	}
	d, err := s.loadAdminOrder(c)
	if err != nil {
		return err
	}
	d.Order.Focus = true
	return s.render(c, status, nil, views.AdminOrderRow(d.Order, safeAdminPath(c.FormValue("return_to"))))
}

// adminOrdersCSV streams the orders placed in a date range as CSV
// (RFC 4180): one row per order, or with ?rows=lines one per order line
// (sales per product). ?from and ?to are days in the shop's time zone;
// the default is the last 30 days.
func (s *Server) adminOrdersCSV(c echo.Context) error {
	e, err := shop.ParseExport(c.QueryParam("rows"), c.QueryParam("from"), c.QueryParam("to"), s.now(), s.cfg.Location)
	if err != nil {
		return err
	}
	name := "orders-"
	if e.Rows == shop.ExportLines {
		name = "order-lines-"
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+e.FromDay+`-to-`+e.ToDay+`.csv"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)

	w := csv.NewWriter(c.Response())
	w.UseCRLF = true // RFC 4180
	n := 0
	write := func(row []string) error {
		if err := w.Write(shop.SafeCSVRow(row)); err != nil {
			return err
		}
		if n++; n%200 == 0 {
			w.Flush() // stream: send what we have
		}
		return w.Error()
	}
	at := func(t pgtype.Timestamptz) string {
		if !t.Valid {
			return ""
		}
		return t.Time.In(s.cfg.Location).Format("2006-01-02 15:04")
	}
	ctx := c.Request().Context()
	if e.Rows == shop.ExportLines {
		_ = w.Write([]string{"number", "placed_at", "status", "paid", "fulfilment", "pickup_at", "delivery_date", "name",
			"product_id", "product", "quantity", "unit_price", "line_total", "currency"})
		err = db.StreamOrderLines(ctx, s.pool, e.From, e.End, func(r db.ExportLineRow) error {
			delivery := ""
			if r.DeliveryDate.Valid {
				delivery = r.DeliveryDate.Time.Format("2006-01-02")
			}
			return write([]string{
				strconv.FormatInt(r.Number, 10), r.PlacedAt.In(s.cfg.Location).Format("2006-01-02 15:04"), r.Status,
				yesNo(r.PaidAt.Valid), r.Fulfilment, at(r.SlotStartsAt), delivery, r.Name,
				strconv.FormatInt(r.ProductID, 10), r.Product, strconv.Itoa(int(r.Quantity)),
				decimal(r.UnitPrice, r.Currency), decimal(r.LineTotal, r.Currency), r.Currency,
			})
		})
	} else {
		_ = w.Write([]string{"number", "placed_at", "status", "paid", "fulfilment", "pickup_at", "name", "email", "phone",
			"address", "postcode", "items", "subtotal", "delivery_fee", "total", "currency", "note"})
		err = db.StreamOrders(ctx, s.pool, e.From, e.End, func(r db.ExportRow) error {
			return write([]string{
				strconv.FormatInt(r.Number, 10), r.PlacedAt.In(s.cfg.Location).Format("2006-01-02 15:04"), r.Status,
				yesNo(r.PaidAt.Valid), r.Fulfilment, at(r.SlotStartsAt), r.Name, r.Email, r.Phone, r.Address.String, r.Postcode.String,
				r.Items, decimal(r.Subtotal, r.Currency), decimal(r.DeliveryFee, r.Currency), decimal(r.Total, r.Currency), r.Currency, r.Note,
			})
		})
	}
	w.Flush()
	if err != nil {
		// The status is sent already: abort the connection so the browser
		// reports a failed download rather than keeping a truncated file.
		s.log.Error("csv export failed", "error", err, "request_id", h.Get(echo.HeaderXRequestID))
		panic(http.ErrAbortHandler)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// decimal writes minor units as a plain decimal ("4.50") for spreadsheets.
func decimal(minor int64, currency string) string {
	s := shop.Money{Minor: minor, Currency: currency}.Decimal()
	return s
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
