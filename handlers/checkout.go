package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/calendar"
	"shopfront/cookiestate"
	"shopfront/orders"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/views"
)

// maxCheckoutBody lets an over-long note reach validation and come back as
// a field error, rather than being cut off as a too-large request.
const maxCheckoutBody = "2M"

// checkout shows the one-page checkout for the cart in the cookie. Each
// rendering gets a fresh idempotency key.
func (s *Server) checkout(c echo.Context) error {
	lines := cartLines(c)
	if len(lines) == 0 && cookiestate.CartCookie.Unreadable(jar(c)) {
		return cookiestate.ErrUnreadable // a kept cart this node cannot read yet is not empty
	}
	if len(lines) == 0 {
		// Back from the order just placed: lead to it.
		if last, ok := lastOrder(c, s.now()); ok {
			s.flashLink(c, "success", "Your order #"+last.Number+" is placed —", s.paths.URL(views.RouteOrder, last.Token), "view it")
			return redirect(c, s.paths.URL(views.RouteCart))
		}
		s.flash(c, "error", "Your cart is empty: add something before checking out.")
		return redirect(c, s.paths.URL(views.RouteCart))
	}
	v, err := s.checkoutView(c, lines, shop.CheckoutForm{Fulfilment: shop.Pickup})
	if err != nil {
		return err
	}
	v.Key = shop.NewIdempotencyKey()
	return s.render(c, http.StatusOK, views.CheckoutPage(v), nil)
}

// checkoutView prices lines and lists the open slots by pickup point.
func (s *Server) checkoutView(c echo.Context, lines []shop.CartLine, form shop.CheckoutForm) (views.Checkout, error) {
	ctx := c.Request().Context()
	priced, err := s.priceCart(ctx, lines)
	if err != nil {
		return views.Checkout{}, err
	}
	st := s.shop(c)
	now := s.now()
	v := views.Checkout{Cart: priced, Form: form, Key: form.Key, Errors: shop.FieldErrors{}, Shop: st}
	choices, err := calendar.OpenChoices(ctx, s.queries, s.ordering(st), now, st.Collects(), st.Delivers())
	if err != nil {
		return views.Checkout{}, err
	}
	v.Points = views.SlotsByPoint(st.ActivePoints(), choices.Slots)
	v.Deliveries = views.DeliveriesByZone(st.Zones, choices.Days)
	v.Cutoff, v.Closures = choices.Explain, st.ClosuresFrom(shop.DayOf(now, s.cfg.Location))
	v.Total = shop.QuoteCheckout(priced.Subtotal(), v.Fulfilment(), st.Delivers(), st.Zones, form.Postcode)
	return v, nil
}

// checkoutTotal is the checkout's totals for the option being chosen: htmx
// asks for them as the customer picks pickup or delivery and types a
// postcode.
func (s *Server) checkoutTotal(c echo.Context) error {
	priced, err := s.priceCart(c.Request().Context(), cartLines(c))
	if err != nil {
		return err
	}
	st := s.shop(c)
	fulfilment := c.QueryParam("fulfilment")
	if fulfilment != shop.Delivery || !st.Delivers() {
		fulfilment = shop.Pickup
	}
	total := shop.QuoteCheckout(priced.Subtotal(), fulfilment, st.Delivers(), st.Zones, shop.NormalizePostcode(shop.CleanText(c.QueryParam("postcode"))))
	return s.render(c, http.StatusOK, nil, views.CheckoutTotals(total, priced.Currency))
}

// placeOrder places the order in one transaction. Problems re-render the
// form with what was entered (422, or 409 when stock, prices or the slot
// changed underneath); success empties the cart and lands on the order.
func (s *Server) placeOrder(c echo.Context) error {
	params, err := c.FormParams()
	if err != nil {
		return &shop.InputError{Message: "The form could not be read. Please try again."}
	}
	form, errs := shop.ParseCheckoutForm(params)

	// The summary shows the lines that were submitted, so what the customer
	// confirms is exactly what is placed.
	lines := make([]shop.CartLine, len(form.Lines))
	for i, l := range form.Lines {
		lines[i] = shop.CartLine{ProductID: l.ProductID, Quantity: l.Quantity, PriceSeen: l.ExpectedPrice}
	}
	if _, bad := errs["lines"]; bad || len(lines) == 0 {
		lines = cartLines(c)
	}
	if len(errs) > 0 {
		return s.renderCheckoutProblem(c, http.StatusUnprocessableEntity, lines, form, errs, "", false)
	}

	now := s.now()
	placed, err := orders.Place(c.Request().Context(), s.pool, s.out, orders.Request{
		Form: form, Currency: s.cfg.Currency, Now: now, Loc: s.cfg.Location, Client: clientNetwork(c),
	})
	var (
		stock *orders.StockError
		rise  *orders.PriceChangedError
		slot  *orders.SlotError
		field *orders.FieldError
		day   *calendar.DayError
		limit *orders.LimitError
	)
	switch {
	case err == nil:
	case errors.As(err, &stock):
		return s.renderCheckoutProblem(c, http.StatusConflict, lines, form, nil, stockNotice(stock), false)
	case errors.As(err, &rise):
		return s.renderCheckoutProblem(c, http.StatusConflict, lines, form, nil, s.priceNotice(rise), true)
	case errors.As(err, &slot):
		field := "slot_id"
		if slot.Delivery {
			field = "delivery_slot_id"
		}
		return s.renderCheckoutProblem(c, http.StatusConflict, lines, form, shop.FieldErrors{field: slotMessage(slot)}, "", false)
	case errors.As(err, &day):
		return s.renderDayProblem(c, lines, form, day)
	case errors.As(err, &limit):
		minutes := int(math.Ceil(limit.RetryAfter.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(limit.RetryAfter.Seconds()))))
		return s.renderCheckoutProblem(c, http.StatusTooManyRequests, lines, form, nil, fmt.Sprintf(
			"Nothing was ordered: this shop takes at most %d orders an hour from one customer, and that many have just been placed from here or with this email address. "+
				"Your cart is kept: please try again in %d minutes, or call the shop.", s.shop(c).OrdersPerHour, minutes), false)
	case errors.As(err, &field):
		return s.renderCheckoutProblem(c, http.StatusUnprocessableEntity, lines, form, shop.FieldErrors{field.Field: field.Message}, "", false)
	case errors.Is(err, orders.ErrKeyReused):
		form.Key = shop.NewIdempotencyKey()
		return s.renderCheckoutProblem(c, http.StatusConflict, lines, form, nil,
			"This checkout form was already used for another order. Check the details below and place the order again.", false)
	default:
		return err
	}

	// Only what was ordered leaves the cart (not what another tab added
	// meanwhile), and only once: a replay this browser already saw the
	// order of has been taken out already.
	if !remembered(c, placed.Token) {
		if err := saveCart(c, shop.RemoveOrdered(cartLines(c), form.Lines)); err != nil {
			return err
		}
	}
	rememberOrder(c, placed, now)
	if !placed.Replayed {
		s.log.Info("order placed", "order_id", placed.ID, "number", placed.Number, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		s.flash(c, "success", "Thank you! Your order is placed.")
	}
	return redirect(c, s.paths.URL(views.RouteOrder, placed.Token))
}

func (s *Server) renderCheckoutProblem(c echo.Context, status int, lines []shop.CartLine, form shop.CheckoutForm, errs shop.FieldErrors, notice string, confirm bool) error {
	v, err := s.checkoutView(c, lines, form)
	if err != nil {
		return err
	}
	if errs != nil {
		v.Errors = errs
	}
	v.Notice, v.Confirm = notice, confirm
	if v.Key == "" {
		v.Key = shop.NewIdempotencyKey()
	}
	return s.render(c, status, views.CheckoutPage(v), views.CheckoutForm(v))
}

func stockNotice(e *orders.StockError) string {
	var parts []string
	for _, l := range e.Lines {
		name := l.Name
		if name == "" {
			name = "A product"
		}
		switch {
		case l.MaxPerOrder > 0:
			parts = append(parts, fmt.Sprintf("at most %d of %s can be bought in one order", l.MaxPerOrder, name))
		case !l.Available:
			parts = append(parts, name+" is no longer sold")
		case l.Left <= 0:
			parts = append(parts, name+" has just sold out")
		default:
			parts = append(parts, fmt.Sprintf("only %d of %s left", l.Left, name))
		}
	}
	return "Nothing was ordered: " + strings.Join(parts, "; ") + ". Change your cart, then check out again."
}

func (s *Server) priceNotice(e *orders.PriceChangedError) string {
	var parts []string
	for _, l := range e.Lines {
		parts = append(parts, fmt.Sprintf("%s is now %s (was %s)", l.Name,
			shop.Money{Minor: l.Now, Currency: s.cfg.Currency}, shop.Money{Minor: l.Was, Currency: s.cfg.Currency}))
	}
	return "Nothing was ordered yet: prices went up since you started. " + strings.Join(parts, "; ") +
		". The summary below shows the new total; place the order again to accept it."
}

func slotMessage(e *orders.SlotError) string {
	what := "pickup time"
	if e.Delivery {
		what = "delivery day"
	}
	switch e.Problem {
	case orders.SlotFull:
		return "That " + what + " has just filled up. Please choose another."
	case orders.SlotPast, orders.SlotClosed:
		return "That " + what + " is no longer available. Please choose another."
	default:
		return "Choose a " + what + " from the list."
	}
}

// renderDayProblem flags the lines that cannot be made for the day
// chosen, each with the next day that has room, and keeps the form.
func (s *Server) renderDayProblem(c echo.Context, lines []shop.CartLine, form shop.CheckoutForm, e *calendar.DayError) error {
	v, err := s.checkoutView(c, lines, form)
	if err != nil {
		return err
	}
	v.DayProblems = map[int64]string{}
	var parts []string
	for _, p := range e.Lines {
		m := p.Message(s.now(), s.cfg.Location)
		v.DayProblems[p.ProductID] = m
		parts = append(parts, m)
	}
	v.Notice = "Nothing was ordered yet. " + strings.Join(parts, " ") + " Choose another day, or change your cart."
	field := "slot_id"
	if form.Fulfilment == shop.Delivery {
		field = "delivery_slot_id"
	}
	v.Errors = shop.FieldErrors{field: "Choose a day on which everything in your order can be made."}
	return s.render(c, http.StatusConflict, views.CheckoutPage(v), views.CheckoutForm(v))
}

// ordering is what decides which days customers can order for.
func (s *Server) ordering(st *settings.Settings) calendar.Ordering {
	return calendar.Ordering{Cutoff: st.Cutoff, HorizonDays: st.HorizonDays, Loc: s.cfg.Location}
}

// clientNetwork is the network a request comes from, as order limits
// count it; zero when the address cannot be read.
func clientNetwork(c echo.Context) netip.Addr {
	ip, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return netip.Addr{}
	}
	return shop.Network(ip)
}

// recentOrderLimit is how many order links the orders cookie keeps.
const recentOrderLimit = 10

// lastOrderWithin is how long after placing an order a visitor who comes
// back to the checkout with an empty cart is led to that order.
const lastOrderWithin = time.Hour

// lastOrder is the order this browser placed last, if that was recent.
func lastOrder(c echo.Context, now time.Time) (cookiestate.RecentOrder, bool) {
	recent, _ := cookiestate.RecentOrdersCookie.Get(jar(c))
	if len(recent.Orders) == 0 || now.Sub(time.Unix(recent.Orders[0].PlacedAt, 0)) > lastOrderWithin {
		return cookiestate.RecentOrder{}, false
	}
	return recent.Orders[0], true
}

// remembered reports whether this browser already knows the order.
func remembered(c echo.Context, token string) bool {
	recent, _ := cookiestate.RecentOrdersCookie.Get(jar(c))
	for _, o := range recent.Orders {
		if o.Token == token {
			return true
		}
	}
	return false
}

// rememberOrder adds an order to the browser's recent orders.
func rememberOrder(c echo.Context, p orders.Placed, now time.Time) {
	recent, _ := cookiestate.RecentOrdersCookie.Get(jar(c))
	kept := []cookiestate.RecentOrder{{Token: p.Token, Number: fmt.Sprint(p.Number), PlacedAt: now.Unix()}}
	for _, o := range recent.Orders {
		if o.Token != p.Token && now.Sub(time.Unix(o.PlacedAt, 0)) < recentOrdersFor && len(kept) < recentOrderLimit {
			kept = append(kept, o)
		}
	}
	_ = cookiestate.RecentOrdersCookie.Set(jar(c), cookiestate.RecentOrders{Orders: kept}) // ten links always fit
}
