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
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/outbox"
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
}

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

// SlotError says why the pickup slot could not be booked.
type SlotError struct{ Problem string } // "unknown", "closed", "past", "full"

func (e *SlotError) Error() string { return "pickup slot " + e.Problem }

// FieldError is a business-rule problem with one form field.
type FieldError struct{ Field, Message string }

func (e *FieldError) Error() string { return e.Message }

// Request is everything needed to place an order. Where and for how much
// the shop delivers is read from its settings inside the transaction, so
// an order always pays the fee in force when it is placed.
type Request struct {
	Form     shop.CheckoutForm
	Currency string
	Now      time.Time
	// SlotCutoff is the earliest slot start still bookable (now + lead time).
	SlotCutoff time.Time
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
func Place(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, r Request) (Placed, error) {
	var placed Placed
	err := db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) (err error) {
		placed, err = place(ctx, q, r)
		if err != nil || placed.Replayed {
			return err
		}
		return out.OrderPlaced(ctx, tx, placed.ID, r.Form.Email)
	})
	return placed, err
}

func place(ctx context.Context, q *db.Queries, r Request) (Placed, error) {
	f := r.Form
	hash := f.ContentHash()

	// Same key: wait for any attempt in flight, then lead to its order.
	if err := q.LockIdempotencyKey(ctx, f.Key); err != nil {
		return Placed{}, err
	}
	existing, err := q.OrderByIdempotencyKey(ctx, f.Key)
	switch {
	case err == nil && bytes.Equal(existing.ContentHash, hash):
		return Placed{ID: existing.ID, Number: existing.Number, Token: existing.Token, Replayed: true}, nil
	case err == nil:
		return Placed{}, ErrKeyReused
	case !errors.Is(err, pgx.ErrNoRows):
		return Placed{}, err
	}

	// Take stock line by line in product id order (one lock order for every
	// transaction, so concurrent checkouts cannot deadlock).
	type snapshot struct {
		name  string
		price int64
		left  int32 // stock after taking this line
	}
	taken := map[int64]snapshot{}
	var problems []LineProblem
	var rises []PriceChange
	byID := slices.Clone(f.Lines)
	slices.SortFunc(byID, func(a, b shop.OrderLine) int { return cmp.Compare(a.ProductID, b.ProductID) })
	for _, l := range byID {
		row, err := q.TakeStock(ctx, db.TakeStockParams{ID: l.ProductID, Qty: int32(l.Quantity)})
		if errors.Is(err, pgx.ErrNoRows) {
			problems = append(problems, lineProblem(ctx, q, l.ProductID))
			continue
		}
		if err != nil {
			return Placed{}, err
		}
		if row.Currency != r.Currency {
			problems = append(problems, LineProblem{ProductID: l.ProductID, Name: row.Name})
			continue
		}
		if row.PriceMinor > l.ExpectedPrice {
			rises = append(rises, PriceChange{ProductID: l.ProductID, Name: row.Name, Was: l.ExpectedPrice, Now: row.PriceMinor})
		}
		taken[l.ProductID] = snapshot{row.Name, row.PriceMinor, row.Stock}
	}
	if len(problems) > 0 {
		return Placed{}, &StockError{Lines: problems}
	}
	if len(rises) > 0 {
		return Placed{}, &PriceChangedError{Lines: rises}
	}

	var subtotal int64
	for _, l := range f.Lines {
		subtotal += taken[l.ProductID].price * int64(l.Quantity)
	}
	var fee int64
	var slotID, pointID, zoneID pgtype.Int8
	var address, postcode, zoneName pgtype.Text
	rules, err := q.OrderSettings(ctx)
	if err != nil {
		return Placed{}, fmt.Errorf("reading the shop's settings: %w", err)
	}
	switch f.Fulfilment {
	case shop.Delivery:
		zone, err := deliveryZone(ctx, q, rules.DeliveryEnabled, f.Postcode, subtotal, r.Currency)
		if err != nil {
			return Placed{}, err
		}
		fee = zone.FeeFor(subtotal)
		address = pgtype.Text{String: f.Address, Valid: true}
		postcode = pgtype.Text{String: f.Postcode, Valid: true}
		zoneID, zoneName = pgtype.Int8{Int64: zone.ID, Valid: true}, pgtype.Text{String: zone.Name, Valid: true}
	default:
		if !rules.PickupEnabled {
			return Placed{}, &FieldError{Field: "fulfilment", Message: "This shop does not offer pickup at the moment; please choose delivery."}
		}
		booked, err := q.TakeSlotPlace(ctx, db.TakeSlotPlaceParams{ID: f.SlotID, After: r.SlotCutoff})
		if errors.Is(err, pgx.ErrNoRows) {
			return Placed{}, slotProblem(ctx, q, f.SlotID, r.SlotCutoff)
		} else if err != nil {
			return Placed{}, err
		}
		slotID, pointID = pgtype.Int8{Int64: f.SlotID, Valid: true}, pgtype.Int8{Int64: booked.PickupPointID, Valid: true}
	}

	token := newToken()
	order, err := q.InsertOrder(ctx, db.InsertOrderParams{
		Token: token, IdempotencyKey: f.Key, ContentHash: hash, Fulfilment: f.Fulfilment,
		SlotID: slotID, DeliveryAddress: address, DeliveryPostcode: postcode,
		CustomerName: f.Name, CustomerEmail: f.Email, CustomerPhone: f.Phone, Note: f.Note,
		Currency: r.Currency, SubtotalMinor: subtotal, DeliveryFeeMinor: fee, TotalMinor: subtotal + fee,
		PlacedAt: r.Now, PickupPointID: pointID, DeliveryZoneID: zoneID, DeliveryZoneName: zoneName,
	})
	if err != nil {
		return Placed{}, err
	}
	for i, l := range f.Lines {
		s := taken[l.ProductID]
		err := q.InsertOrderLine(ctx, db.InsertOrderLineParams{
			OrderID: order.ID, LineNo: int32(i + 1), ProductID: l.ProductID, ProductName: s.name,
			UnitPriceMinor: s.price, Quantity: int32(l.Quantity), LineTotalMinor: s.price * int64(l.Quantity),
		})
		if err != nil {
			return Placed{}, err
		}
		err = q.InsertStockMovement(ctx, db.InsertStockMovementParams{
			ProductID: l.ProductID, OrderID: pgtype.Int8{Int64: order.ID, Valid: true}, Delta: -int32(l.Quantity),
			ResultingStock: s.left, Reason: "Sold in order " + shop.OrderNumber(order.Number), CreatedAt: r.Now,
		})
		if err != nil {
			return Placed{}, err
		}
	}
	if err := recordEvent(ctx, q, event{orderID: order.ID, kind: "placed", to: shop.StatusPlaced, at: r.Now}); err != nil {
		return Placed{}, err
	}
	return Placed{ID: order.ID, Number: order.Number, Token: token}, nil
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

func slotProblem(ctx context.Context, q *db.Queries, id int64, cutoff time.Time) error {
	s, err := q.SlotState(ctx, id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return &SlotError{Problem: "unknown"}
	case err != nil:
		return err
	case s.Closed:
		return &SlotError{Problem: "closed"}
	case !s.StartsAt.After(cutoff):
		return &SlotError{Problem: "past"}
	default:
		return &SlotError{Problem: "full"}
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
