package orders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/outbox"
	"shopfront/shop"
)

var (
	// ErrInvalidTransition means the state machine does not allow the change.
	ErrInvalidTransition = errors.New("that status change is not allowed")
	// ErrNotFound means there is no such order.
	ErrNotFound = errors.New("no such order")
	// ErrCannotPay means the order is cancelled.
	ErrCannotPay = errors.New("a cancelled order cannot be paid")
)

// StaleStatus means the order changed status since the staff member saw it.
type StaleStatus struct{ Current string }

func (e *StaleStatus) Error() string { return "the order is now " + e.Current }

// Change is a staff member moving an order from the status they saw to
// another. Cancelling needs a reason, which goes into the history and the
// customer's email.
type Change struct {
	OrderID  int64
	From, To string
	StaffID  int64
	Reason   string
	Now      time.Time
}

// ErrReasonRequired means a cancellation came without a reason.
var ErrReasonRequired = errors.New("a cancellation needs a reason")

// ChangeStatus applies a Change in one transaction with its event and the
// customer's email. Cancelling returns the stock and frees the pickup
// place in the same transaction. Repeating a change that is already
// applied (a double click, two people at once) does nothing and reports
// applied=false; so does its email, which is sent once.
func ChangeStatus(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, ch Change) (applied bool, err error) {
	if ch.To == shop.StatusCancelled && strings.TrimSpace(ch.Reason) == "" {
		return false, ErrReasonRequired
	}
	err = db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		applied = false // the transaction may be retried
		o, err := q.AdminGetOrder(ctx, ch.OrderID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("reading the order: %w", err)
		}
		if !shop.CanTransition(ch.From, ch.To, o.Fulfilment) {
			if o.Status == ch.To {
				return nil // already there
			}
			return ErrInvalidTransition
		}
		slot, err := q.ChangeOrderStatus(ctx, db.ChangeOrderStatusParams{ID: ch.OrderID, FromStatus: ch.From, ToStatus: ch.To})
		if errors.Is(err, pgx.ErrNoRows) {
			// Someone else changed it first: fine if it is now what we wanted.
			current, err := q.AdminGetOrder(ctx, ch.OrderID)
			if err != nil {
				return fmt.Errorf("reading the order again: %w", err)
			}
			if current.Status == ch.To {
				return nil
			}
			return &StaleStatus{Current: current.Status}
		} else if err != nil {
			return fmt.Errorf("changing the status: %w", err)
		}
		if ch.To == shop.StatusCancelled {
			if err := giveBack(ctx, q, []cancelled{{id: o.ID, number: o.Number, booked: slot}}, ch.StaffID, ch.Now); err != nil {
				return fmt.Errorf("returning stock and the pickup place: %w", err)
			}
		}
		applied = true
		reason := ""
		if ch.To == shop.StatusCancelled {
			reason = ch.Reason
		}
		if err := recordEvent(ctx, q, event{orderID: ch.OrderID, kind: "status_changed", from: ch.From, to: ch.To, staffID: ch.StaffID, reason: reason, at: ch.Now}); err != nil {
			return err
		}
		return out.OrderStatus(ctx, tx, ch.OrderID, ch.To, o.Fulfilment, o.CustomerEmail)
	})
	return applied, err
}

// cancelled is an order just changed to cancelled, with what it booked.
type cancelled struct {
	id, number int64
	booked     db.ChangeOrderStatusRow
}

// giveBack returns cancelled orders' stock, or their made-to-order lines
// to their days' counts, and frees their pickup places and delivery days.
// It runs once per order: only the change to cancelled calls it. Rows are
// locked in the order checkout locks them — slots, then delivery days,
// then products' days, then products by id (checkout takes the stock
// last) — across all the orders at once, so it cannot deadlock with a
// checkout.
func giveBack(ctx context.Context, q *db.Queries, orders []cancelled, staffID int64, now time.Time) error {
	type line struct {
		db.OrderLinesRow
		order cancelled
	}
	var lines []line
	var slots, days []int64
	for _, o := range orders {
		rows, err := q.OrderLines(ctx, o.id)
		if err != nil {
			return err
		}
		for _, l := range rows {
			lines = append(lines, line{l, o})
		}
		if o.booked.SlotID.Valid {
			slots = append(slots, o.booked.SlotID.Int64)
		}
		if o.booked.DeliverySlotID.Valid {
			days = append(days, o.booked.DeliverySlotID.Int64)
		}
	}
	slices.Sort(slots)
	for _, id := range slots {
		if err := q.FreeSlotPlace(ctx, id); err != nil {
			return err
		}
	}
	slices.Sort(days)
	for _, id := range days {
		if err := q.FreeDeliveryPlace(ctx, id); err != nil {
			return err
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int {
		return cmp.Or(cmp.Compare(a.ProductID, b.ProductID), a.MadeFor.Time.Compare(b.MadeFor.Time))
	})
	for _, l := range lines {
		if l.MadeFor.Valid {
			if err := q.ReturnToDay(ctx, db.ReturnToDayParams{ProductID: l.ProductID, Day: l.MadeFor.Time, Qty: l.Quantity}); err != nil {
				return err
			}
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return cmp.Compare(a.ProductID, b.ProductID) })
	for _, l := range lines {
		if l.MadeFor.Valid {
			continue // given back to its day above
		}
		left, err := q.ReturnStock(ctx, db.ReturnStockParams{ID: l.ProductID, Qty: l.Quantity})
		if err != nil {
			return err
		}
		err = q.InsertStockMovement(ctx, db.InsertStockMovementParams{
			ProductID: l.ProductID, StaffID: pgtype.Int8{Int64: staffID, Valid: staffID != 0},
			OrderID: pgtype.Int8{Int64: l.order.id, Valid: true}, Delta: l.Quantity, ResultingStock: left,
			Reason: "Returned from cancelled order " + shop.OrderNumber(l.order.number), CreatedAt: now,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// From names one customer: an email address, or the client network their
// orders came from.
type From struct {
	Email   string
	Network string
}

// CancelAllFrom cancels every open order of one customer in one
// transaction, with the reason in each order's history and email: what
// staff do when one client has bought out the shop. Stock, places and
// days' counts come back once; an order already cancelled is not touched.
// It returns how many orders it cancelled.
func CancelAllFrom(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, from From, staffID int64, reason string, now time.Time) (int, error) {
	if strings.TrimSpace(reason) == "" {
		return 0, ErrReasonRequired
	}
	if from.Email == "" && from.Network == "" {
		return 0, ErrNotFound
	}
	n := 0
	err := db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		n = 0 // the transaction may be retried
		open, err := q.OpenOrdersFrom(ctx, db.OpenOrdersFromParams{Email: from.Email, Network: from.Network})
		if err != nil {
			return fmt.Errorf("finding the customer's orders: %w", err)
		}
		var done []cancelled
		for _, o := range open {
			booked, err := q.ChangeOrderStatus(ctx, db.ChangeOrderStatusParams{ID: o.ID, FromStatus: o.Status, ToStatus: shop.StatusCancelled})
			if err != nil {
				return fmt.Errorf("cancelling order %d: %w", o.Number, err)
			}
			done = append(done, cancelled{id: o.ID, number: o.Number, booked: booked})
			if err := recordEvent(ctx, q, event{orderID: o.ID, kind: "status_changed", from: o.Status, to: shop.StatusCancelled, staffID: staffID, reason: reason, at: now}); err != nil {
				return err
			}
			if err := out.OrderStatus(ctx, tx, o.ID, shop.StatusCancelled, o.Fulfilment, o.CustomerEmail); err != nil {
				return err
			}
		}
		if err := giveBack(ctx, q, done, staffID, now); err != nil {
			return fmt.Errorf("returning stock and places: %w", err)
		}
		n = len(done)
		return nil
	})
	return n, err
}

// MarkPaid records payment on pickup or delivery, once.
func MarkPaid(ctx context.Context, pool *pgxpool.Pool, orderID, staffID int64, now time.Time) (applied bool, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		applied = false // the transaction may be retried
		n, err := q.MarkOrderPaid(ctx, db.MarkOrderPaidParams{ID: orderID, At: now})
		if err != nil {
			return err
		}
		if n == 0 {
			o, err := q.AdminGetOrder(ctx, orderID)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return ErrNotFound
			case err != nil:
				return err
			case o.Status == shop.StatusCancelled:
				return ErrCannotPay
			}
			return nil // already paid
		}
		applied = true
		return recordEvent(ctx, q, event{orderID: orderID, kind: "paid", staffID: staffID, at: now})
	})
	return applied, err
}
