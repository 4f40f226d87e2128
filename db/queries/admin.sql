-- Staff area: catalogue, stock, slots and orders.

-- name: AdminListProducts :many
-- The staff's product list, one page at a time: current products, or the
-- archived ones.
SELECT p.id, p.slug, p.name, p.price_minor, p.currency, p.stock, p.active, p.version, c.name AS category_name,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash
FROM products p
JOIN categories c ON c.id = p.category_id
LEFT JOIN images i ON i.id = p.image_id
WHERE (p.archived_at IS NOT NULL) = sqlc.arg(archived)::boolean
  AND (sqlc.arg(search)::text = ''
       OR p.name ILIKE '%' || sqlc.arg(search)::text || '%'
       OR p.slug ILIKE '%' || sqlc.arg(search)::text || '%')
ORDER BY lower(p.name), p.id
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: AdminCountProducts :one
-- How many products the list holds, for its pages; and how many are
-- archived, for the link to them.
SELECT count(*) FILTER (WHERE (p.archived_at IS NOT NULL) = sqlc.arg(archived)::boolean
                          AND (sqlc.arg(search)::text = ''
                               OR p.name ILIKE '%' || sqlc.arg(search)::text || '%'
                               OR p.slug ILIKE '%' || sqlc.arg(search)::text || '%'))::bigint AS total,
       count(*) FILTER (WHERE p.archived_at IS NOT NULL)::bigint AS archived
FROM products p;

-- name: AdminGetProduct :one
SELECT p.id, p.category_id, p.slug, p.name, p.description, p.price_minor, p.currency, p.stock, p.active, p.version,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash, p.daily_limit, p.made_on, p.max_per_order, p.archived_at,
       (SELECT count(DISTINCT l.order_id) FROM order_lines l WHERE l.product_id = p.id)::bigint AS order_count
FROM products p
LEFT JOIN images i ON i.id = p.image_id
WHERE p.id = $1;

-- name: CreateProduct :one
INSERT INTO products (category_id, slug, name, description, price_minor, currency, stock, active)
VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
RETURNING id;

-- name: UpdateProduct :execrows
-- Saves only if nobody else saved since this editor loaded the product.
UPDATE products
SET category_id = $2, slug = $3, name = $4, description = $5, price_minor = $6, active = $7,
    version = version + 1, updated_at = now()
WHERE id = $1 AND version = sqlc.arg(version);

-- name: SetProductImage :exec
UPDATE products SET image_id = $2, original_image_id = $3, version = version + 1, updated_at = now() WHERE id = $1;

-- name: InsertImage :one
INSERT INTO images (sha256, content_type, byte_size, width, height, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) DO UPDATE SET sha256 = EXCLUDED.sha256
RETURNING id;

-- name: AdjustStock :one
-- Adds delta (which may be negative) in one statement: concurrent
-- adjustments queue on the row lock and none is lost.
UPDATE products SET stock = stock + sqlc.arg(delta)::integer, updated_at = now()
WHERE id = sqlc.arg(id) AND stock + sqlc.arg(delta)::integer >= 0
RETURNING stock;

-- name: SetStock :one
-- Sets the level and reports the change, under the row lock.
WITH old AS (SELECT p.stock FROM products p WHERE p.id = sqlc.arg(id) FOR UPDATE)
UPDATE products SET stock = sqlc.arg(stock)::integer, updated_at = now()
FROM old
WHERE products.id = sqlc.arg(id)
RETURNING products.stock, (products.stock - old.stock)::integer AS delta;

-- name: InsertStockMovement :exec
INSERT INTO stock_movements (product_id, staff_id, order_id, delta, resulting_stock, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: StockMovements :many
-- A product's stock ledger, newest first, one page at a time (one row more
-- than a page, to know whether there is another).
SELECT m.delta, m.resulting_stock, m.reason, m.created_at, coalesce(s.name, '')::text AS staff_name,
       coalesce(o.number, 0)::bigint AS order_number
FROM stock_movements m
LEFT JOIN staff s ON s.id = m.staff_id
LEFT JOIN orders o ON o.id = m.order_id
WHERE m.product_id = $1
ORDER BY m.id DESC
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: LockProduct :one
SELECT id, name, archived_at FROM products WHERE id = $1 FOR UPDATE;

-- name: ProductOrderCount :one
SELECT count(DISTINCT order_id)::bigint FROM order_lines WHERE product_id = $1;

-- name: ArchiveProduct :exec
-- Out of the shop and the staff's list; never for sale while archived.
UPDATE products SET archived_at = sqlc.arg(at)::timestamptz, active = false, version = version + 1, updated_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id);

-- name: RestoreProduct :exec
-- Back in the staff's list, hidden from the shop until staff put it on sale.
UPDATE products SET archived_at = NULL, version = version + 1, updated_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id);

-- name: DeleteProductDays :exec
DELETE FROM product_days WHERE product_id = $1;

-- name: DeleteProductMovements :exec
DELETE FROM stock_movements WHERE product_id = $1;

-- name: DeleteProduct :exec
DELETE FROM products WHERE id = $1;

-- name: CreateCategory :one
INSERT INTO categories (slug, name, position)
VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM categories))
RETURNING id;

-- name: RenameCategory :execrows
UPDATE categories SET name = $2, slug = $3 WHERE id = $1;

-- name: AdminListCategories :many
-- Categories in the shop's order, with what is in each.
SELECT c.id, c.slug, c.name, c.position,
       count(p.id) FILTER (WHERE p.active)::bigint AS for_sale,
       count(p.id) FILTER (WHERE NOT p.active AND p.archived_at IS NULL)::bigint AS hidden,
       count(p.id) FILTER (WHERE p.archived_at IS NOT NULL)::bigint AS archived
FROM categories c
LEFT JOIN products p ON p.category_id = c.id
GROUP BY c.id
ORDER BY c.position, c.name, c.id;

-- name: LockCategories :many
-- Every category in order, locked, so that moving one rewrites the order
-- as a whole and two moves at once queue.
SELECT id, name FROM categories ORDER BY position, name, id FOR UPDATE;

-- name: SetCategoryPosition :exec
UPDATE categories SET position = $2 WHERE id = $1;

-- name: LockCategory :one
SELECT id, name FROM categories WHERE id = $1 FOR UPDATE;

-- name: CategoryProducts :many
-- What is in a category, for saying what blocks deleting it: the first
-- few names of each kind and how many there are.
SELECT p.name, (p.archived_at IS NOT NULL)::boolean AS archived, p.active, count(*) OVER ()::bigint AS total
FROM products p
WHERE p.category_id = $1
ORDER BY (p.archived_at IS NOT NULL), lower(p.name), p.id
LIMIT 5;

-- name: DeleteCategory :exec
DELETE FROM categories WHERE id = $1;

-- name: AdminListSlots :many
SELECT id, starts_at, ends_at, capacity, booked, closed
FROM pickup_slots
WHERE starts_at >= sqlc.arg(from_time)::timestamptz AND starts_at < sqlc.arg(to_time)::timestamptz
ORDER BY starts_at;

-- name: AdminGetSlot :one
SELECT id, starts_at, ends_at, capacity, booked, closed FROM pickup_slots WHERE id = $1;

-- name: SetSlotCapacity :execrows
-- Never below what is already booked.
UPDATE pickup_slots SET capacity = sqlc.arg(capacity)::integer WHERE id = sqlc.arg(id) AND booked <= sqlc.arg(capacity)::integer;

-- name: SetSlotClosed :execrows
UPDATE pickup_slots SET closed = $2 WHERE id = $1;

-- name: AdminListOrders :many
-- The orders board, newest first, one page at a time.
SELECT o.id, o.number, o.status, o.fulfilment, o.customer_name, o.customer_email, o.total_minor, o.currency,
       o.paid_at, o.placed_at, s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, o.delivery_postcode
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE (sqlc.arg(status)::text = '' OR o.status = sqlc.arg(status)::text)
  AND (sqlc.arg(slot_id)::bigint = 0 OR o.slot_id = sqlc.arg(slot_id)::bigint)
  AND (NOT sqlc.arg(by_day)::boolean OR
       (s.starts_at >= sqlc.arg(day_start)::timestamptz AND s.starts_at < sqlc.arg(day_end)::timestamptz)
       OR o.delivery_date = sqlc.arg(day)::date
       OR (o.slot_id IS NULL AND o.delivery_date IS NULL
           AND o.placed_at >= sqlc.arg(day_start)::timestamptz AND o.placed_at < sqlc.arg(day_end)::timestamptz))
  AND (sqlc.arg(search)::text = ''
       OR o.number::text = ltrim(sqlc.arg(search)::text, '#')
       OR o.customer_name ILIKE '%' || sqlc.arg(search)::text || '%'
       OR o.customer_email ILIKE '%' || sqlc.arg(search)::text || '%')
ORDER BY o.placed_at DESC, o.id DESC
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: AdminGetOrder :one
SELECT o.id, o.number, o.token, o.status, o.fulfilment, o.delivery_address, o.delivery_postcode,
       o.customer_name, o.customer_email, o.customer_phone, o.note, o.currency,
       o.subtotal_minor, o.delivery_fee_minor, o.total_minor, o.paid_at, o.placed_at, o.slot_id,
       s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, coalesce(o.client_network, '')::text AS client_network
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.id = $1;

-- name: OrderEvents :many
SELECT e.kind, e.from_status, e.to_status, e.created_at, coalesce(s.name, '')::text AS staff_name,
       coalesce(e.reason, '')::text AS reason
FROM order_events e
LEFT JOIN staff s ON s.id = e.staff_id
WHERE e.order_id = $1
ORDER BY e.id;

-- name: ChangeOrderStatus :one
-- Applies a transition only from the status the staff member saw, so a
-- double click or two people at once apply it once.
UPDATE orders SET status = sqlc.arg(to_status), updated_at = now()
WHERE id = sqlc.arg(id) AND status = sqlc.arg(from_status)
RETURNING slot_id, delivery_slot_id;

-- name: ReturnStock :one
UPDATE products SET stock = stock + sqlc.arg(qty)::integer, updated_at = now()
WHERE id = sqlc.arg(id)
RETURNING stock;

-- name: FreeSlotPlace :exec
UPDATE pickup_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0;

-- name: MarkOrderPaid :execrows
UPDATE orders SET paid_at = sqlc.arg(at)::timestamptz, updated_at = now()
WHERE id = sqlc.arg(id) AND paid_at IS NULL AND status <> 'cancelled';

-- name: PickList :many
-- What to pack: every line of the live orders in a slot, or for a day:
-- pickups in it and deliveries on it (an order from before delivery days,
-- by the day it was placed).
SELECT o.id AS order_id, o.number, o.customer_name, o.customer_phone, o.note, o.status, o.fulfilment,
       o.delivery_address, o.delivery_postcode, o.paid_at, o.total_minor, o.currency,
       l.product_id, l.product_name, l.quantity, s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at,
       o.delivery_date, coalesce(pt.name, '')::text AS point_name, coalesce(o.delivery_zone_name, '')::text AS zone_name
FROM orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN pickup_slots s ON s.id = o.slot_id
LEFT JOIN pickup_points pt ON pt.id = o.pickup_point_id
WHERE o.status IN ('placed', 'ready')
  AND (sqlc.arg(slot_id)::bigint = 0 OR o.slot_id = sqlc.arg(slot_id)::bigint)
  AND (NOT sqlc.arg(by_day)::boolean OR
       (s.starts_at >= sqlc.arg(day_start)::timestamptz AND s.starts_at < sqlc.arg(day_end)::timestamptz)
       OR o.delivery_date = sqlc.arg(day)::date
       OR (o.slot_id IS NULL AND o.delivery_date IS NULL
           AND o.placed_at >= sqlc.arg(day_start)::timestamptz AND o.placed_at < sqlc.arg(day_end)::timestamptz))
ORDER BY o.fulfilment DESC, s.starts_at NULLS LAST, o.delivery_postcode, o.number, l.line_no;

-- name: AllCategories :many
SELECT id, slug, name, position FROM categories ORDER BY position, name, id;

-- name: AdminOrderCounts :many
-- Orders per status on the board, for every filter but the status.
SELECT o.status, count(*)::bigint AS count
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE (sqlc.arg(slot_id)::bigint = 0 OR o.slot_id = sqlc.arg(slot_id)::bigint)
  AND (NOT sqlc.arg(by_day)::boolean OR
       (s.starts_at >= sqlc.arg(day_start)::timestamptz AND s.starts_at < sqlc.arg(day_end)::timestamptz)
       OR o.delivery_date = sqlc.arg(day)::date
       OR (o.slot_id IS NULL AND o.delivery_date IS NULL
           AND o.placed_at >= sqlc.arg(day_start)::timestamptz AND o.placed_at < sqlc.arg(day_end)::timestamptz))
  AND (sqlc.arg(search)::text = ''
       OR o.number::text = ltrim(sqlc.arg(search)::text, '#')
       OR o.customer_name ILIKE '%' || sqlc.arg(search)::text || '%'
       OR o.customer_email ILIKE '%' || sqlc.arg(search)::text || '%')
GROUP BY o.status
ORDER BY array_position(ARRAY['placed', 'ready', 'collected', 'delivered', 'cancelled'], o.status);
