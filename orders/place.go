// Package orders places and changes orders. Each operation is one database
// transaction; stock and slot places are taken with conditional updates, so
// concurrent checkouts on any number of nodes can never oversell.
package orders

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/calendar"
	"shopfront/db"
	"shopfront/outbox"
	"shopfront/settings"
	"shopfront/shop"
)

// ErrKeyReused means a checkout form's key came back with different content.
var ErrKeyReused = errors.New("this checkout form was already used for a different order")

// LineProblem says why a line could not be bought.
type LineProblem struct {
	ProductID int64
	Name      string
	Left      int32 // units left; meaningful when the product is still for sale
	Available bool  // false: removed or hidden
	// MaxPerOrder, when set, is the most of the product one order may
	// have, which the line asks more than.
	MaxPerOrder int32
}

// LimitError means the customer (their network or email address) has
// placed as many orders this hour as the shop allows; nothing was placed.
type LimitError struct {
	RetryAfter time.Duration
}

func (e *LimitError) Error() string { return "too many orders from one customer this hour" }

// StockError lists the lines that cannot be bought as asked.
type StockError struct{ Lines []LineProblem }

func (e *StockError) Error() string { return fmt.Sprintf("%d lines cannot be bought", len(e.Lines)) }

// PriceChange is a line whose price went up since the customer's summary.
type PriceChange struct {
	ProductID int64
	Name      string
	Was, Now  int64
}

// PriceChangedError means prices rose after the customer saw the summary;
// nothing was placed and the customer must confirm the new total.
type PriceChangedError struct{ Lines []PriceChange }

func (e *PriceChangedError) Error() string { return "prices changed since the summary" }

// SlotProblem is why a pickup slot or delivery day could not be booked.
type SlotProblem string

// Slot problems.
const (
	SlotUnknown SlotProblem = "unknown" // not one of the choices
	SlotClosed  SlotProblem = "closed"  // closed to new orders
	SlotPast    SlotProblem = "past"    // orders for it have closed
	SlotFull    SlotProblem = "full"
)

// SlotError says why the pickup slot, or with Delivery the delivery day,
// could not be booked.
type SlotError struct {
	Problem  SlotProblem
	Delivery bool
}

func (e *SlotError) Error() string {
	if e.Delivery {
		return "delivery day " + string(e.Problem)
	}
	return "pickup slot " + string(e.Problem)
}

// FieldError is a business-rule problem with one form field.
type FieldError struct{ Field, Message string }

func (e *FieldError) Error() string { return e.Message }

// Request is everything needed to place an order. Where and for how much
// the shop delivers, and how late orders close, are read from its
// settings inside the transaction, so an order always follows the rules
// in force when it is placed.
type Request struct {
	Form     shop.CheckoutForm
	Currency string
	Now      time.Time
	// Loc is the shop's time zone, where days and cut-offs are reckoned.
	Loc *time.Location
	// Client is the network the order comes from (shop.Network), counted
	// against the shop's hourly limit with the email address; zero when
	// unknown.
	Client netip.Addr
}

// Placed identifies an order; Replayed is true when the checkout key had
// already placed it (a double click, a retry, the back button).
type Placed struct {
	ID       int64
	Number   int64
	Token    string
	Replayed bool
}

// Place places an order in one transaction, or writes nothing at all. The
// customer's confirmation and the shop's alert are enqueued in the same
// transaction.
//
// Under a rush every buyer wants the same product row and a few slots, so
// those are locked last: everything that can be read, checked and written
// first is (the products and the slot read without a lock, the order, its
// lines, its event and emails), and the place in the slot, made-to-order
// days and the stock are taken at the very end, each by a conditional
// update on what the read found, just before commit (takeContended). A
// slot or product that filled up or changed meanwhile fails the order as
// before, writing nothing.
func Place(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, r Request) (Placed, error) {
	var placed Placed
	err := db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) (err error) {
		var rest *contended
		placed, rest, err = place(ctx, q, r)
		if err != nil || placed.Replayed {
			return err
		}
		if err := out.OrderPlaced(ctx, tx, placed.ID, r.Form.Email); err != nil {
			return err
		}
		return takeContended(ctx, q, placed, rest, r)
	})
	return placed, err
}

// stockTake is one line's stock to take at the end of placing its order,
// on the conditions its product was read with.
type stockTake struct {
	line     shop.OrderLine
	price    int64
	currency string
	made     bool
}

// takeStock takes each line's stock in product id order (one lock order
// for every transaction: checkout and cancelling lock slots, delivery
// days, products' days and then products, so they cannot deadlock), each
// with its stock ledger entry in the same statement.
func takeStock(ctx context.Context, q *db.Queries, placed Placed, lines []stockTake, r Request) error {
	var problems []LineProblem
	var changes []PriceChange
	for _, t := range lines {
		_, err := q.TakeStockForOrder(ctx, db.TakeStockForOrderParams{
			ProductID: t.line.ProductID, Qty: int32(t.line.Quantity), Price: t.price, Currency: t.currency, Made: t.made,
			OrderID: placed.ID, Reason: "Sold in order " + shop.OrderNumber(placed.Number), CreatedAt: r.Now,
		})
		if err == nil {
			continue
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("taking stock: %w", err)
		}
		// It changed since it was read: a new price is confirmed again;
		// otherwise it ran out or was taken off sale.
		now, err := q.ProductsForOrder(ctx, []int64{t.line.ProductID})
		if err != nil {
			return fmt.Errorf("reading the product again: %w", err)
		}
		if len(now) == 1 && now[0].Active && now[0].PriceMinor != t.price {
			changes = append(changes, PriceChange{ProductID: t.line.ProductID, Name: now[0].Name, Was: t.line.ExpectedPrice, Now: now[0].PriceMinor})
			continue
		}
		problems = append(problems, lineProblem(ctx, q, t.line.ProductID))
	}
	if len(problems) > 0 {
		return &StockError{Lines: problems}
	}
	if len(changes) > 0 {
		return &PriceChangedError{Lines: changes}
	}
	return nil
}

func place(ctx context.Context, q *db.Queries, r Request) (Placed, *contended, error) {
	f := r.Form
	hash := f.ContentHash()

	// Same key: wait for any attempt in flight, then lead to its order.
	if err := q.LockIdempotencyKey(ctx, f.Key); err != nil {
		return Placed{}, nil, err
	}
	existing, err := q.OrderByIdempotencyKey(ctx, f.Key)
	switch {
	case err == nil && bytes.Equal(existing.ContentHash, hash):
		return Placed{ID: existing.ID, Number: existing.Number, Token: existing.Token, Replayed: true}, nil, nil
	case err == nil:
		return Placed{}, nil, ErrKeyReused
	case !errors.Is(err, pgx.ErrNoRows):
		return Placed{}, nil, err
	}

	rules, err := q.OrderSettings(ctx)
	if err != nil {
		return Placed{}, nil, fmt.Errorf("reading the shop's settings: %w", err)
	}
	if err := countCheckout(ctx, q, int(rules.OrdersPerHour), r); err != nil {
		return Placed{}, nil, err
	}

	// Read the products without locking them: their stock is taken last
	// (takeStock), on the conditions read here. A product made to order
	// has no stock: its day's count is taken below, once the day is known.
	taken := map[int64]snapshot{}
	var problems []LineProblem
	var rises []PriceChange
	byID := slices.Clone(f.Lines)
	slices.SortFunc(byID, func(a, b shop.OrderLine) int { return cmp.Compare(a.ProductID, b.ProductID) })
	ids := make([]int64, len(byID))
	for i, l := range byID {
		ids[i] = l.ProductID
	}
	rows, err := q.ProductsForOrder(ctx, ids)
	if err != nil {
		return Placed{}, nil, fmt.Errorf("reading the products: %w", err)
	}
	products := make(map[int64]db.ProductsForOrderRow, len(rows))
	for _, row := range rows {
		products[row.ID] = row
	}
	for _, l := range byID {
		row, ok := products[l.ProductID]
		switch {
		case !ok || !row.Active:
			problems = append(problems, LineProblem{ProductID: l.ProductID, Name: row.Name})
			continue
		case !row.DailyLimit.Valid && row.Stock < int32(l.Quantity):
			problems = append(problems, LineProblem{ProductID: l.ProductID, Name: row.Name, Left: row.Stock, Available: true})
			continue
		case row.Currency != r.Currency:
			problems = append(problems, LineProblem{ProductID: l.ProductID, Name: row.Name})
			continue
		case row.MaxPerOrder.Valid && int32(l.Quantity) > row.MaxPerOrder.Int32:
			problems = append(problems, LineProblem{ProductID: l.ProductID, Name: row.Name, Available: true, Left: row.Stock, MaxPerOrder: row.MaxPerOrder.Int32})
			continue
		}
		if row.PriceMinor > l.ExpectedPrice {
			rises = append(rises, PriceChange{ProductID: l.ProductID, Name: row.Name, Was: l.ExpectedPrice, Now: row.PriceMinor})
		}
		snap := snapshot{name: row.Name, price: row.PriceMinor, currency: row.Currency}
		if row.DailyLimit.Valid {
			snap.made = &calendar.Made{ProductID: l.ProductID, Limit: int(row.DailyLimit.Int32), MadeOn: shop.Weekdays(row.MadeOn)}
		}
		taken[l.ProductID] = snap
	}
	if len(problems) > 0 {
		return Placed{}, nil, &StockError{Lines: problems}
	}
	if len(rises) > 0 {
		return Placed{}, nil, &PriceChangedError{Lines: rises}
	}

	var subtotal int64
	for _, l := range f.Lines {
		subtotal += taken[l.ProductID].price * int64(l.Quantity)
	}
	var fee int64
	var slotID, pointID, zoneID, deliverySlotID pgtype.Int8
	var address, postcode, zoneName pgtype.Text
	var deliveryDate pgtype.Date
	var day time.Time // the date the order is for
	ordering := calendar.Ordering{Cutoff: settings.CutoffOf(rules.CutoffKind, rules.LeadMinutes, rules.CutoffDaysBefore, rules.CutoffTime),
		HorizonDays: int(rules.HorizonDays), Loc: r.Loc}
	rest := &contended{ordering: ordering, fulfilment: f.Fulfilment, lines: f.Lines, byID: byID, taken: taken}
	switch f.Fulfilment {
	case shop.Delivery:
		zone, err := deliveryZone(ctx, q, rules.DeliveryEnabled, f.Postcode, subtotal, r.Currency)
		if err != nil {
			return Placed{}, nil, err
		}
		day, err = takeDeliveryDay(ctx, q, f.DeliverySlotID, zone, ordering, r.Now)
		if err != nil {
			return Placed{}, nil, err
		}
		fee = zone.FeeFor(subtotal)
		address = pgtype.Text{String: f.Address, Valid: true}
		postcode = pgtype.Text{String: f.Postcode, Valid: true}
		zoneID, zoneName = pgtype.Int8{Int64: zone.ID, Valid: true}, pgtype.Text{String: zone.Name, Valid: true}
		deliverySlotID, deliveryDate = pgtype.Int8{Int64: f.DeliverySlotID, Valid: true}, pgtype.Date{Time: day, Valid: true}
	default:
		if !rules.PickupEnabled {
			return Placed{}, nil, &FieldError{Field: "fulfilment", Message: "This shop does not offer pickup at the moment; please choose delivery."}
		}
		// The slot is read here and its place taken last (takeContended),
		// if it is still as read: a slot full now is refused at once.
		earliest := ordering.Cutoff.EarliestStart(r.Now, r.Loc)
		booked, err := q.SlotState(ctx, f.SlotID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return Placed{}, nil, &SlotError{Problem: SlotUnknown}
		case err != nil:
			return Placed{}, nil, fmt.Errorf("reading the slot: %w", err)
		case booked.Closed:
			return Placed{}, nil, &SlotError{Problem: SlotClosed}
		case booked.StartsAt.Before(earliest):
			return Placed{}, nil, &SlotError{Problem: SlotPast}
		case booked.Booked >= booked.Capacity:
			return Placed{}, nil, &SlotError{Problem: SlotFull}
		}
		if !ordering.Cutoff.Bookable(booked.StartsAt, r.Now, r.Loc) {
			return Placed{}, nil, &SlotError{Problem: SlotPast}
		}
		if !shop.DayOf(booked.StartsAt, r.Loc).Before(ordering.End(r.Now)) {
			return Placed{}, nil, &SlotError{Problem: SlotClosed} // beyond the booking horizon
		}
		day = shop.DayOf(booked.StartsAt, r.Loc)
		rest.slotID, rest.slotStart, rest.pointID, rest.earliest = f.SlotID, booked.StartsAt, booked.PickupPointID, earliest
		slotID, pointID = pgtype.Int8{Int64: f.SlotID, Valid: true}, pgtype.Int8{Int64: booked.PickupPointID, Valid: true}
	}

	token := newToken()
	order, err := q.InsertOrder(ctx, db.InsertOrderParams{
		Token: token, IdempotencyKey: f.Key, ContentHash: hash, Fulfilment: f.Fulfilment,
		SlotID: slotID, DeliveryAddress: address, DeliveryPostcode: postcode,
		CustomerName: f.Name, CustomerEmail: f.Email, CustomerPhone: f.Phone, Note: f.Note,
		Currency: r.Currency, SubtotalMinor: subtotal, DeliveryFeeMinor: fee, TotalMinor: subtotal + fee,
		PlacedAt: r.Now, PickupPointID: pointID, DeliveryZoneID: zoneID, DeliveryZoneName: zoneName,
		DeliverySlotID: deliverySlotID, DeliveryDate: deliveryDate, ClientNetwork: clientNetwork(r.Client),
	})
	if err != nil {
		return Placed{}, nil, err
	}
	lines := db.InsertOrderLinesParams{OrderID: order.ID, Day: pgtype.Date{Time: day, Valid: true}}
	for i, l := range f.Lines {
		s := taken[l.ProductID]
		lines.LineNos = append(lines.LineNos, int32(i+1))
		lines.ProductIds = append(lines.ProductIds, l.ProductID)
		lines.ProductNames = append(lines.ProductNames, s.name)
		lines.UnitPrices = append(lines.UnitPrices, s.price)
		lines.Quantities = append(lines.Quantities, int32(l.Quantity))
		lines.LineTotals = append(lines.LineTotals, s.price*int64(l.Quantity))
		lines.Made = append(lines.Made, s.made != nil)
	}
	if err := q.InsertOrderLines(ctx, lines); err != nil {
		return Placed{}, nil, fmt.Errorf("saving the order's lines: %w", err)
	}
	if err := recordEvent(ctx, q, event{orderID: order.ID, kind: "placed", to: shop.StatusPlaced, at: r.Now}); err != nil {
		return Placed{}, nil, err
	}
	rest.day, rest.zoneID = day, zoneID.Int64
	return Placed{ID: order.ID, Number: order.Number, Token: token}, rest, nil
}

// contended is what placing an order takes last, just before commit: the
// rows other buyers want at the same moment (the slot, products' days,
// products), in the one lock order, each with a conditional update.
type contended struct {
	slotID     int64 // 0: a delivery order, whose day was booked already
	slotStart  time.Time
	pointID    int64
	earliest   time.Time
	day        time.Time
	ordering   calendar.Ordering
	fulfilment string
	zoneID     int64
	lines      []shop.OrderLine
	byID       []shop.OrderLine
	taken      map[int64]snapshot
}

// snapshot is a product as the order was made from it.
type snapshot struct {
	name     string
	price    int64
	currency string
	made     *calendar.Made
}

// takeContended books the place in the slot, takes made-to-order lines
// from their days' counts and then every line's stock, or fails the order.
func takeContended(ctx context.Context, q *db.Queries, placed Placed, c *contended, r Request) error {
	if c.slotID != 0 {
		_, err := q.TakeSlotPlace(ctx, db.TakeSlotPlaceParams{ID: c.slotID, After: c.earliest, StartsAt: c.slotStart, PickupPointID: c.pointID})
		if errors.Is(err, pgx.ErrNoRows) {
			return slotProblem(ctx, q, c.slotID, c.earliest)
		} else if err != nil {
			return fmt.Errorf("booking the slot: %w", err)
		}
	}
	if err := takeDays(ctx, q, c, r); err != nil {
		return err
	}
	stock := make([]stockTake, len(c.byID))
	for i, l := range c.byID {
		s := c.taken[l.ProductID]
		stock[i] = stockTake{line: l, price: s.price, currency: s.currency, made: s.made != nil}
	}
	return takeStock(ctx, q, placed, stock, r)
}

// takeDays takes made-to-order lines from the day's count, in product id order.
func takeDays(ctx context.Context, q *db.Queries, c *contended, r Request) error {
	var dayProblems []calendar.DayProblem
	for _, l := range c.byID {
		m := c.taken[l.ProductID].made
		if m == nil {
			continue
		}
		if !m.MadeOn.Has(c.day.Weekday()) {
			dayProblems = append(dayProblems, calendar.DayProblem{ProductID: l.ProductID, Name: c.taken[l.ProductID].name, Day: c.day, NotMade: true})
			continue
		}
		if err := q.EnsureProductDay(ctx, db.EnsureProductDayParams{ProductID: l.ProductID, Day: c.day}); err != nil {
			return fmt.Errorf("counting the day's orders: %w", err)
		}
		_, err := q.TakeFromDay(ctx, db.TakeFromDayParams{ProductID: l.ProductID, Day: c.day, Qty: int32(l.Quantity)})
		if errors.Is(err, pgx.ErrNoRows) {
			count, err := q.DayCount(ctx, db.DayCountParams{ProductID: l.ProductID, Day: c.day})
			if err != nil {
				return fmt.Errorf("reading the day's count: %w", err)
			}
			dayProblems = append(dayProblems, calendar.DayProblem{ProductID: l.ProductID, Name: c.taken[l.ProductID].name, Day: c.day, Left: max(0, int(count.DayLimit-count.Ordered))})
		} else if err != nil {
			return fmt.Errorf("taking from the day's limit: %w", err)
		}
	}
	if len(dayProblems) > 0 {
		qty := map[int64]int{}
		for _, l := range c.lines {
			qty[l.ProductID] = l.Quantity
		}
		for i, p := range dayProblems {
			days, err := calendar.OpenDays(ctx, q, c.ordering, r.Now, c.fulfilment == shop.Pickup, c.fulfilment == shop.Delivery, c.zoneID)
			if err != nil {
				return err
			}
			next, err := calendar.NextDays(ctx, q, *c.taken[p.ProductID].made, days, qty[p.ProductID], 1, c.day)
			if err != nil {
				return err
			}
			if len(next) > 0 {
				dayProblems[i].Next = next[0]
			}
		}
		return &calendar.DayError{Lines: dayProblems}
	}
	return nil
}

// countCheckout counts the order against the hourly limit of its network
// and its email address, in its transaction: an order that fails later
// rolls its count back, so only placed orders count.
func countCheckout(ctx context.Context, q *db.Queries, perHour int, r Request) error {
	if perHour <= 0 {
		return nil
	}
	hour := r.Now.Truncate(time.Hour)
	keys := []string{"email:" + strings.ToLower(r.Form.Email)}
	if r.Client.IsValid() {
		keys = append([]string{"net:" + r.Client.String()}, keys...) // one order of keys for every transaction
	}
	for _, k := range keys {
		n, err := q.CountCheckout(ctx, db.CountCheckoutParams{Key: k, Hour: hour})
		if err != nil {
			return fmt.Errorf("counting the customer's orders: %w", err)
		}
		if int(n) > perHour {
			return &LimitError{RetryAfter: hour.Add(time.Hour).Sub(r.Now)}
		}
	}
	return nil
}

func clientNetwork(ip netip.Addr) pgtype.Text {
	return pgtype.Text{String: ip.String(), Valid: ip.IsValid()}
}

// deliveryZone is the zone delivering to postcode, as the settings say in
// this transaction, if the order may be delivered there.
func deliveryZone(ctx context.Context, q *db.Queries, enabled bool, postcode string, subtotal int64, currency string) (shop.DeliveryZone, error) {
	rows, err := q.DeliveryZones(ctx)
	if err != nil {
		return shop.DeliveryZone{}, fmt.Errorf("reading the delivery zones: %w", err)
	}
	zones := make([]shop.DeliveryZone, len(rows))
	for i, z := range rows {
		zones[i] = shop.DeliveryZone{ID: z.ID, Name: z.Name, Prefixes: z.Prefixes, Fee: z.FeeMinor, Minimum: z.MinimumMinor,
			FreeOver: z.FreeOverMinor.Int64, HasFreeOver: z.FreeOverMinor.Valid}
	}
	zone, err := shop.CheckDelivery(enabled, zones, postcode, subtotal, currency)
	var problem *shop.DeliveryProblem
	if errors.As(err, &problem) {
		return zone, &FieldError{Field: problem.Field, Message: problem.Message}
	}
	return zone, err
}

// lineProblem finds out why stock could not be taken for a product.
func lineProblem(ctx context.Context, q *db.Queries, id int64) LineProblem {
	p, err := q.ProductStock(ctx, id)
	if err != nil || !p.Active {
		return LineProblem{ProductID: id, Name: p.Name}
	}
	return LineProblem{ProductID: id, Name: p.Name, Left: p.Stock, Available: true}
}

func slotProblem(ctx context.Context, q *db.Queries, id int64, earliest time.Time) error {
	s, err := q.SlotState(ctx, id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return &SlotError{Problem: SlotUnknown}
	case err != nil:
		return fmt.Errorf("reading the slot: %w", err)
	case s.Closed:
		return &SlotError{Problem: SlotClosed}
	case s.StartsAt.Before(earliest):
		return &SlotError{Problem: SlotPast}
	default:
		return &SlotError{Problem: SlotFull}
	}
}

// takeDeliveryDay books a place on a delivery day of the zone delivering
// to the order, if orders for that day are still open.
func takeDeliveryDay(ctx context.Context, q *db.Queries, id int64, zone shop.DeliveryZone, o calendar.Ordering, now time.Time) (time.Time, error) {
	first, end := o.FirstDay(now), o.End(now)
	day, err := q.TakeDeliveryPlace(ctx, db.TakeDeliveryPlaceParams{ID: id, ZoneID: pgtype.Int8{Int64: zone.ID, Valid: true}, FromDay: first})
	if err == nil && day.Before(end) {
		return day, nil
	} else if err == nil {
		return time.Time{}, &SlotError{Problem: SlotPast, Delivery: true} // beyond the horizon now
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, fmt.Errorf("booking the delivery day: %w", err)
	}
	st, err := q.DeliverySlotState(ctx, id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return time.Time{}, &SlotError{Problem: SlotUnknown, Delivery: true}
	case err != nil:
		return time.Time{}, fmt.Errorf("reading the delivery day: %w", err)
	case st.ZoneID.Int64 != zone.ID:
		return time.Time{}, &FieldError{Field: "delivery_slot_id", Message: fmt.Sprintf(
			"That day is for another delivery area: your postcode is in %s, so choose one of the days listed for %s.", zone.Name, zone.Name)}
	case st.Unwanted:
		return time.Time{}, &SlotError{Problem: SlotClosed, Delivery: true}
	case st.Day.Before(first):
		return time.Time{}, &SlotError{Problem: SlotPast, Delivery: true}
	default:
		return time.Time{}, &SlotError{Problem: SlotFull, Delivery: true}
	}
}

// event is one thing that happened to an order.
type event struct {
	orderID  int64
	kind     string // placed, status_changed, paid
	from, to string
	staffID  int64
	reason   string
	at       time.Time
}

// recordEvent writes an order event and tells every node about it at commit.
func recordEvent(ctx context.Context, q *db.Queries, e event) error {
	text := func(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }
	id, err := q.InsertOrderEvent(ctx, db.InsertOrderEventParams{
		OrderID: e.orderID, Kind: e.kind, FromStatus: text(e.from), ToStatus: text(e.to),
		StaffID: pgtype.Int8{Int64: e.staffID, Valid: e.staffID != 0}, Reason: text(e.reason), CreatedAt: e.at,
	})
	if err != nil {
		return fmt.Errorf("recording the order event: %w", err)
	}
	// The id lets live streams resume exactly where they stopped.
	payload, _ := json.Marshal(map[string]any{"id": id, "order_id": e.orderID, "kind": e.kind, "status": e.to})
	return q.NotifyOrderEvent(ctx, string(payload))
}

// newToken is the public order link: 144 random bits.
func newToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
