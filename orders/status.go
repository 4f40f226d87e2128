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
			if err := giveBack(ctx, q, o.ID, o.Number, slot, ch.StaffID, ch.Now); err != nil {
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

// giveBack returns a cancelled order's stock, or its made-to-order lines
// to their day's count, and frees its pickup place or delivery day. It
// runs once per order: only the change to cancelled calls it.
func giveBack(ctx context.Context, q *db.Queries, orderID, number int64, booked db.ChangeOrderStatusRow, staffID int64, now time.Time) error {
	lines, err := q.OrderLines(ctx, orderID)
	if err != nil {
		return err
	}
	// Products are locked in id order, as checkout locks them: any other
	// order could deadlock with a concurrent checkout.
	slices.SortFunc(lines, func(a, b db.OrderLinesRow) int { return cmp.Compare(a.ProductID, b.ProductID) })
	for _, l := range lines {
		if l.MadeFor.Valid {
			continue // below, after the slot, as checkout takes them
		}
		left, err := q.ReturnStock(ctx, db.ReturnStockParams{ID: l.ProductID, Qty: l.Quantity})
		if err != nil {
			return err
		}
		err = q.InsertStockMovement(ctx, db.InsertStockMovementParams{
			ProductID: l.ProductID, StaffID: pgtype.Int8{Int64: staffID, Valid: staffID != 0},
			OrderID: pgtype.Int8{Int64: orderID, Valid: true}, Delta: l.Quantity, ResultingStock: left,
			Reason: "Returned from cancelled order " + shop.OrderNumber(number), CreatedAt: now,
		})
		if err != nil {
			return err
		}
	}
	if booked.SlotID.Valid {
		if err := q.FreeSlotPlace(ctx, booked.SlotID.Int64); err != nil {
			return err
		}
	}
	if booked.DeliverySlotID.Valid {
		if err := q.FreeDeliveryPlace(ctx, booked.DeliverySlotID.Int64); err != nil {
			return err
		}
	}
	for _, l := range lines {
		if l.MadeFor.Valid {
			if err := q.ReturnToDay(ctx, db.ReturnToDayParams{ProductID: l.ProductID, Day: l.MadeFor.Time, Qty: l.Quantity}); err != nil {
				return err
			}
		}
	}
	return nil
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
