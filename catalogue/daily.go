package catalogue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/shop"
)

// MaxDailyLimit is the most a product made to order can be made a day.
const MaxDailyLimit = 100_000

// Daily is how a product is sold: from stock on hand (Limit nil), or made
// to order, at most *Limit a day, on the weekdays MadeOn.
type Daily struct {
	Limit  *int
	MadeOn shop.Weekdays
	// MaxPerOrder caps the units of it one order may have (nil: none
	// beyond the cart's own limit).
	MaxPerOrder *int
}

// SetDaily saves how a product is sold. A daily limit may not go below
// what is already ordered for a day from today on (a day with a limit of
// its own keeps it).
func SetDaily(ctx context.Context, pool *pgxpool.Pool, productID int64, d Daily, today time.Time) error {
	if d.MadeOn&shop.AllWeek == 0 {
		return &shop.InputError{Field: "made_on", Message: "Choose at least one day it is made."}
	}
	var limit pgtype.Int4
	if d.Limit != nil {
		if *d.Limit < 0 || *d.Limit > MaxDailyLimit {
			return &shop.InputError{Field: "daily_limit", Message: fmt.Sprintf("The daily limit is 0 to %d.", MaxDailyLimit)}
		}
		limit = pgtype.Int4{Int32: int32(*d.Limit), Valid: true}
	}
	var perOrder pgtype.Int4
	if d.MaxPerOrder != nil {
		if *d.MaxPerOrder < 1 || *d.MaxPerOrder > shop.MaxQuantity {
			return &shop.InputError{Field: "max_per_order", Message: fmt.Sprintf("At most 1 to %d in one order, or leave it empty.", shop.MaxQuantity)}
		}
		perOrder = pgtype.Int4{Int32: int32(*d.MaxPerOrder), Valid: true}
	}
	return db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		n, err := q.SetProductDaily(ctx, db.SetProductDailyParams{ID: productID, DailyLimit: limit, MadeOn: int32(d.MadeOn), MaxPerOrder: perOrder})
		if err != nil {
			return fmt.Errorf("saving the daily limit: %w", err)
		}
		if n == 0 {
			return ErrNotFound
		}
		if d.Limit == nil {
			return nil
		}
		over, err := q.OverLimitDay(ctx, db.OverLimitDayParams{ProductID: productID, FromDay: today, DayLimit: int32(*d.Limit)})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		return &shop.InputError{Field: "daily_limit", Message: fmt.Sprintf(
			"%d are already ordered for %s: the daily limit cannot go below %d.", over.Ordered, over.Day.Format("Monday 2 January"), over.Ordered)}
	})
}

// Restock is one product's line of the morning restock: a new stock level
// for a product sold from stock, or the day's limit for one made to order.
// Shown is what the page showed, so only what staff changed is saved.
type Restock struct {
	ProductID int64
	Name      string
	Stock     *int32 // new level, through the ledger
	DayLimit  *int32 // today's own limit
}

// RestockError lists, by product, what could not be saved; nothing was.
type RestockError struct{ Problems map[int64]string }

func (e *RestockError) Error() string {
	return fmt.Sprintf("%d products could not be restocked", len(e.Problems))
}

// ApplyRestock saves a morning restock in one transaction: each stock
// level through the ledger with the reason, each day's limit never below
// what is already ordered for the day. Any problem saves nothing.
func ApplyRestock(ctx context.Context, pool *pgxpool.Pool, staffID int64, lines []Restock, day time.Time, reason string, now time.Time) (changed int, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		changed = 0
		problems := map[int64]string{}
		for _, l := range lines {
			if l.Stock != nil {
				if *l.Stock < 0 || *l.Stock > 100_000 {
					problems[l.ProductID] = "Stock is 0 to 100000."
					continue
				}
				row, err := q.SetStock(ctx, db.SetStockParams{ID: l.ProductID, Stock: *l.Stock})
				if errors.Is(err, pgx.ErrNoRows) {
					problems[l.ProductID] = l.Name + " is no longer in the catalogue."
					continue
				} else if err != nil {
					return fmt.Errorf("setting stock: %w", err)
				}
				if row.Delta != 0 {
					changed++
					if err := q.InsertStockMovement(ctx, db.InsertStockMovementParams{
						ProductID: l.ProductID, StaffID: pgtype.Int8{Int64: staffID, Valid: staffID != 0},
						Delta: row.Delta, ResultingStock: row.Stock, Reason: reason, CreatedAt: now,
					}); err != nil {
						return fmt.Errorf("recording the stock change: %w", err)
					}
				}
			}
			if l.DayLimit != nil {
				if *l.DayLimit < 0 || *l.DayLimit > MaxDailyLimit {
					problems[l.ProductID] = fmt.Sprintf("A day's limit is 0 to %d.", MaxDailyLimit)
					continue
				}
				_, err := q.SetDayLimit(ctx, db.SetDayLimitParams{ProductID: l.ProductID, Day: day, DayLimit: *l.DayLimit})
				if errors.Is(err, pgx.ErrNoRows) {
					count, err := q.DayCount(ctx, db.DayCountParams{ProductID: l.ProductID, Day: day})
					if err != nil {
						return err
					}
					problems[l.ProductID] = fmt.Sprintf("%d are already ordered for today: the limit cannot go below %d.", count.Ordered, count.Ordered)
					continue
				} else if err != nil {
					return fmt.Errorf("setting the day's limit: %w", err)
				}
				changed++
			}
		}
		if len(problems) > 0 {
			return &RestockError{Problems: problems}
		}
		return nil
	})
	return changed, err
}
