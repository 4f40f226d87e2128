package db

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ExportRow is one order in the CSV export.
type ExportRow struct {
	Number                       int64
	PlacedAt                     time.Time
	Status                       string
	PaidAt                       pgtype.Timestamptz
	Fulfilment                   string
	SlotStartsAt                 pgtype.Timestamptz
	Name, Email, Phone           string
	Address, Postcode            pgtype.Text
	Subtotal, DeliveryFee, Total int64
	Currency, Note, Items        string
}

const exportOrders = `
SELECT o.number, o.placed_at, o.status, o.paid_at, o.fulfilment, s.starts_at,
       o.customer_name, o.customer_email, o.customer_phone, o.delivery_address, o.delivery_postcode,
       o.subtotal_minor, o.delivery_fee_minor, o.total_minor, o.currency, o.note,
       coalesce((SELECT string_agg(l.quantity || ' x ' || l.product_name, '; ' ORDER BY l.line_no)
                 FROM order_lines l WHERE l.order_id = o.id), '')
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.placed_at >= $1 AND o.placed_at < $2
ORDER BY o.placed_at, o.id`

// StreamOrders calls fn for each order placed in [from, to), reading rows
// as they arrive rather than loading the whole range into memory. (sqlc
// has no row-by-row mode, hence this hand-written query.)
func StreamOrders(ctx context.Context, pool *pgxpool.Pool, from, to time.Time, fn func(ExportRow) error) error {
	rows, err := pool.Query(ctx, exportOrders, from, to)
	if err != nil {
		return err
	}
	var r ExportRow
	_, err = pgx.ForEachRow(rows, []any{
		&r.Number, &r.PlacedAt, &r.Status, &r.PaidAt, &r.Fulfilment, &r.SlotStartsAt,
		&r.Name, &r.Email, &r.Phone, &r.Address, &r.Postcode,
		&r.Subtotal, &r.DeliveryFee, &r.Total, &r.Currency, &r.Note, &r.Items,
	}, func() error { return fn(r) })
	return err
}
