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

// ExportLineRow is one order line in the per-product CSV export.
type ExportLineRow struct {
	Number               int64
	PlacedAt             time.Time
	Status               string
	PaidAt               pgtype.Timestamptz
	Fulfilment           string
	SlotStartsAt         pgtype.Timestamptz
	DeliveryDate         pgtype.Date
	Name                 string
	ProductID            int64
	Product              string
	Quantity             int32
	UnitPrice, LineTotal int64
	Currency             string
}

const exportOrderLines = `
SELECT o.number, o.placed_at, o.status, o.paid_at, o.fulfilment, s.starts_at, o.delivery_date,
       o.customer_name, l.product_id, l.product_name, l.quantity, l.unit_price_minor, l.line_total_minor, o.currency
FROM orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.placed_at >= $1 AND o.placed_at < $2
ORDER BY o.placed_at, o.id, l.line_no`

// StreamOrderLines calls fn for each line of the orders placed in
// [from, to), row by row like StreamOrders.
func StreamOrderLines(ctx context.Context, pool *pgxpool.Pool, from, to time.Time, fn func(ExportLineRow) error) error {
	rows, err := pool.Query(ctx, exportOrderLines, from, to)
	if err != nil {
		return err
	}
	var r ExportLineRow
	_, err = pgx.ForEachRow(rows, []any{
		&r.Number, &r.PlacedAt, &r.Status, &r.PaidAt, &r.Fulfilment, &r.SlotStartsAt, &r.DeliveryDate,
		&r.Name, &r.ProductID, &r.Product, &r.Quantity, &r.UnitPrice, &r.LineTotal, &r.Currency,
	}, func() error { return fn(r) })
	return err
}
