-- name: ProductsForCart :many
-- Current price and stock of the products in a cart; missing ids are
-- simply absent from the result.
SELECT p.id, p.slug, p.name, p.price_minor, p.currency, (CASE WHEN p.daily_limit IS NULL THEN p.stock ELSE p.daily_limit END)::integer AS stock,
       (p.daily_limit IS NOT NULL)::boolean AS made_to_order, p.made_on, p.active, p.max_per_order,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash
FROM products p
LEFT JOIN images i ON i.id = p.image_id
WHERE p.id = ANY(sqlc.arg(ids)::bigint[]);

-- name: OpenSlots :many
-- Slots a customer can still book: not closed, not full, starting after
-- the cut-off and before the horizon, at pickup points in use.
SELECT s.id, s.starts_at, s.ends_at, s.capacity, s.booked, s.pickup_point_id
FROM pickup_slots s
JOIN pickup_points p ON p.id = s.pickup_point_id AND p.active
WHERE NOT closed
  AND booked < capacity
  AND starts_at >= sqlc.arg(after)::timestamptz
  AND starts_at < sqlc.arg(before)::timestamptz
ORDER BY starts_at;

-- name: LockIdempotencyKey :exec
-- Serialises checkouts that share a key, so a retry waits for the first
-- attempt and then finds its order.
SELECT pg_advisory_xact_lock(hashtextextended(sqlc.arg(key)::text, 42));

-- name: OrderByIdempotencyKey :one
SELECT id, number, token, content_hash FROM orders WHERE idempotency_key = $1;

-- name: ProductsForOrder :many
-- What checkout needs of the products in a cart, read without locking
-- them for update: the stock is taken last (TakeStockForOrder), on the
-- same conditions, so the rows everyone wants are locked only until
-- commit. FOR KEY SHARE (what the order lines' foreign key takes anyway,
-- and no hindrance to other buyers' stock updates) keeps a product from
-- being deleted under the order: a deletion that came first is waited
-- for, and the product is then simply not there.
SELECT id, name, active, price_minor, currency, stock, daily_limit, made_on, max_per_order
FROM products
WHERE id = ANY(sqlc.arg(ids)::bigint[])
FOR KEY SHARE;

-- name: TakeStockForOrder :one
-- The last step of placing an order: takes qty units only if that many
-- are left and the product is still as the order was made from it (for
-- sale, same price, currency and way of being sold, within its
-- per-order cap), and records the sale in the stock ledger, in one
-- statement. A product made to order has no stock to take (its day's
-- count was taken already): its row is only locked. No row means the
-- product changed or ran out meanwhile.
WITH taken AS (
    UPDATE products p
    SET stock = CASE WHEN p.daily_limit IS NULL THEN p.stock - sqlc.arg(qty)::integer ELSE p.stock END, updated_at = now()
    WHERE p.id = sqlc.arg(product_id)::bigint AND p.active AND p.price_minor = sqlc.arg(price)::bigint AND p.currency = sqlc.arg(currency)::text
      AND (p.daily_limit IS NOT NULL) = sqlc.arg(made)::boolean
      AND (p.daily_limit IS NOT NULL OR p.stock >= sqlc.arg(qty)::integer)
      AND (p.max_per_order IS NULL OR p.max_per_order >= sqlc.arg(qty)::integer)
    RETURNING p.id, p.stock, p.daily_limit
), ledger AS (
    INSERT INTO stock_movements (product_id, order_id, delta, resulting_stock, reason, created_at)
    SELECT t.id, sqlc.arg(order_id)::bigint, -sqlc.arg(qty)::integer, t.stock, sqlc.arg(reason)::text, sqlc.arg(created_at)::timestamptz
    FROM taken t WHERE t.daily_limit IS NULL
)
SELECT taken.stock FROM taken;

-- name: ProductStock :one
SELECT name, active, stock, max_per_order FROM products WHERE id = $1;

-- name: TakeSlotPlace :one
-- Books a place only in an open, future slot with room left, still at the
-- time and pickup point the order was made for.
UPDATE pickup_slots s
SET booked = s.booked + 1
WHERE s.id = sqlc.arg(id) AND NOT s.closed AND s.booked < s.capacity AND s.starts_at >= sqlc.arg(after)::timestamptz
  AND s.starts_at = sqlc.arg(starts_at)::timestamptz AND s.pickup_point_id = sqlc.arg(pickup_point_id)::bigint
  AND s.pickup_point_id IN (SELECT p.id FROM pickup_points p WHERE p.active)
RETURNING s.starts_at, s.ends_at, s.pickup_point_id;

-- name: SlotState :one
SELECT starts_at, closed, booked, capacity, pickup_point_id FROM pickup_slots WHERE id = $1;

-- name: InsertOrder :one
INSERT INTO orders (token, idempotency_key, content_hash, fulfilment, slot_id, delivery_address, delivery_postcode,
                    customer_name, customer_email, customer_phone, note, currency, subtotal_minor,
                    delivery_fee_minor, total_minor, placed_at, updated_at, pickup_point_id, delivery_zone_id, delivery_zone_name,
                    delivery_slot_id, delivery_date, client_network)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19, $20, $21, $22)
RETURNING id, number;

-- name: InsertOrderLines :exec
-- All of an order's lines in one statement; made-to-order lines are for
-- the order's day.
INSERT INTO order_lines (order_id, line_no, product_id, product_name, unit_price_minor, quantity, line_total_minor, made_for)
SELECT sqlc.arg(order_id)::bigint, l.line_no, l.product_id, l.product_name, l.unit_price, l.quantity, l.line_total,
       CASE WHEN l.made THEN sqlc.narg(day)::date END
FROM (SELECT unnest(sqlc.arg(line_nos)::integer[]) AS line_no, unnest(sqlc.arg(product_ids)::bigint[]) AS product_id,
             unnest(sqlc.arg(product_names)::text[]) AS product_name, unnest(sqlc.arg(unit_prices)::bigint[]) AS unit_price,
             unnest(sqlc.arg(quantities)::integer[]) AS quantity, unnest(sqlc.arg(line_totals)::bigint[]) AS line_total,
             unnest(sqlc.arg(made)::boolean[]) AS made) l;

-- name: InsertOrderEvent :one
INSERT INTO order_events (order_id, kind, from_status, to_status, staff_id, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- name: NotifyOrderEvent :exec
-- Delivered at commit to every node listening, for live order pages.
SELECT pg_notify('order_events', sqlc.arg(payload)::text);

-- name: OrderByToken :one
SELECT o.id, o.number, o.token, o.status, o.fulfilment, o.delivery_address, o.delivery_postcode,
       o.customer_name, o.customer_email, o.customer_phone, o.note, o.currency,
       o.subtotal_minor, o.delivery_fee_minor, o.total_minor, o.paid_at, o.placed_at,
       s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, o.pickup_point_id, o.delivery_zone_name
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.token = $1;

-- name: OrderLines :many
SELECT line_no, product_id, product_name, unit_price_minor, quantity, line_total_minor, made_for
FROM order_lines
WHERE order_id = $1
ORDER BY line_no;

-- name: OrdersByTokens :many
SELECT o.number, o.token, o.status, o.fulfilment, o.total_minor, o.currency, o.placed_at,
       s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.token = ANY(sqlc.arg(tokens)::text[])
ORDER BY o.placed_at DESC;

-- name: InsertSlotIfMissing :execrows
INSERT INTO pickup_slots (pickup_point_id, starts_at, ends_at, capacity)
VALUES ($1, $2, $3, $4)
ON CONFLICT (pickup_point_id, starts_at) DO NOTHING;

-- name: OrderEventsAfter :many
-- What a live stream missed: events after the last one it saw, up to what
-- this node has already passed on live.
SELECT id, order_id, kind, coalesce(to_status, '')::text AS status
FROM order_events
WHERE id > sqlc.arg(after)::bigint AND id <= sqlc.arg(upto)::bigint
  AND (sqlc.arg(order_id)::bigint = 0 OR order_id = sqlc.arg(order_id)::bigint)
ORDER BY id
LIMIT 1000;

-- name: LatestOrderEvent :one
SELECT coalesce(max(id), 0)::bigint FROM order_events
WHERE sqlc.arg(order_id)::bigint = 0 OR order_id = sqlc.arg(order_id)::bigint;

-- name: CountCheckout :one
-- Counts an order for a client in this hour, and says how many it has now.
INSERT INTO checkout_counts (key, hour, orders) VALUES (sqlc.arg(key), sqlc.arg(hour)::timestamptz, 1)
ON CONFLICT (key, hour) DO UPDATE SET orders = checkout_counts.orders + 1
RETURNING orders;

-- name: DeleteOldCheckoutCounts :execrows
DELETE FROM checkout_counts WHERE hour < sqlc.arg(before)::timestamptz;

-- name: OpenOrdersFrom :many
-- The open orders from one email address or one client network, oldest
-- first, locked for cancelling them together.
SELECT id, number, status, fulfilment, customer_email
FROM orders
WHERE status IN ('placed', 'ready')
  AND ((sqlc.arg(email)::text <> '' AND lower(customer_email) = lower(sqlc.arg(email)::text))
       OR (sqlc.arg(network)::text <> '' AND client_network = sqlc.arg(network)::text))
ORDER BY id
FOR UPDATE;

-- name: CountOpenOrdersFrom :one
SELECT count(*) FILTER (WHERE lower(customer_email) = lower(sqlc.arg(email)::text))::bigint AS by_email,
       count(*) FILTER (WHERE sqlc.arg(network)::text <> '' AND client_network = sqlc.arg(network)::text)::bigint AS by_network
FROM orders
WHERE status IN ('placed', 'ready')
  AND (lower(customer_email) = lower(sqlc.arg(email)::text) OR (sqlc.arg(network)::text <> '' AND client_network = sqlc.arg(network)::text));
