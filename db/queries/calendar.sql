-- The shop's week: the schedule, closures, delivery days, the slots made
-- from them, and products' daily counts.

-- name: LockCalendar :exec
-- Serialises everything that makes or changes slots from the schedule.
SELECT pg_advisory_xact_lock(hashtextextended('calendar', 7));

-- name: HorizonDays :one
SELECT horizon_days FROM shop_settings WHERE id = 1;

-- name: UpdateOrdering :exec
UPDATE shop_settings SET horizon_days = $1, cutoff_kind = $2, cutoff_days_before = $3, cutoff_time = $4, lead_minutes = $5,
       orders_per_hour = $6 WHERE id = 1;

-- name: ScheduleRules :many
SELECT r.id, r.pickup_point_id, r.weekdays, r.starts, r.ends, r.slot_minutes, r.capacity
FROM schedule_rules r
JOIN pickup_points p ON p.id = r.pickup_point_id
ORDER BY p.position, p.id, r.starts, r.id;

-- name: InsertScheduleRule :one
INSERT INTO schedule_rules (pickup_point_id, weekdays, starts, ends, slot_minutes, capacity)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: DeleteScheduleRule :execrows
DELETE FROM schedule_rules WHERE id = $1;

-- name: Closures :many
-- Closures not yet over (a day of slack for time zones: callers filter).
SELECT id, first_day, last_day, note FROM closures WHERE last_day >= current_date - 1 ORDER BY first_day, id;

-- name: InsertClosure :one
INSERT INTO closures (first_day, last_day, note, created_by) VALUES ($1, $2, $3, sqlc.narg(created_by)) RETURNING id;

-- name: DeleteClosure :execrows
DELETE FROM closures WHERE id = $1;

-- name: DeliveryDays :many
SELECT zone_id, weekday, capacity FROM delivery_days ORDER BY zone_id, weekday;

-- name: DeleteDeliveryDays :exec
DELETE FROM delivery_days WHERE zone_id = $1;

-- name: InsertDeliveryDay :exec
INSERT INTO delivery_days (zone_id, weekday, capacity) VALUES ($1, $2, $3);

-- name: SlotsBetween :many
-- Every pickup slot starting in a range, made or one-off.
SELECT id, pickup_point_id, starts_at, ends_at, capacity, booked, closed, generated, rule_id, unwanted
FROM pickup_slots
WHERE starts_at >= sqlc.arg(from_time)::timestamptz AND starts_at < sqlc.arg(to_time)::timestamptz
ORDER BY starts_at, pickup_point_id;

-- name: InsertMadeSlot :exec
-- (A one-off slot added at that moment, outside the calendar's lock, wins.)
INSERT INTO pickup_slots (pickup_point_id, starts_at, ends_at, capacity, generated, rule_id)
VALUES ($1, $2, $3, $4, true, $5)
ON CONFLICT (pickup_point_id, starts_at) DO NOTHING;

-- name: SetSlotRule :exec
-- A slot the schedule wants, now made by this rule: its capacity and end
-- become the rule's (never below what is booked), and a slot closed only
-- because nothing wanted it opens again.
UPDATE pickup_slots SET rule_id = sqlc.arg(rule_id), capacity = greatest(sqlc.arg(capacity)::integer, booked),
       ends_at = sqlc.arg(ends_at)::timestamptz, closed = closed AND NOT unwanted, unwanted = false, generated = true
WHERE id = sqlc.arg(id);

-- name: ReopenWantedSlot :exec
-- A slot again wanted (a closure was lifted): open, if only a closure or
-- the schedule had closed it.
UPDATE pickup_slots SET closed = closed AND NOT unwanted, unwanted = false WHERE id = $1;

-- name: DeleteUnbookedSlot :execrows
DELETE FROM pickup_slots s
WHERE s.id = $1 AND s.booked = 0 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.slot_id = s.id);

-- name: MarkSlotUnwanted :exec
UPDATE pickup_slots SET unwanted = true, closed = true WHERE id = $1;

-- name: UnwantedSlots :many
-- Booked slots that the schedule or a closure no longer wants: staff
-- decide what to do with their orders.
SELECT s.id, s.pickup_point_id, s.starts_at, s.ends_at, s.booked
FROM pickup_slots s
WHERE s.unwanted AND s.booked > 0 AND s.starts_at >= sqlc.arg(from_time)::timestamptz
ORDER BY s.starts_at;

-- name: DeliverySlotsFrom :many
SELECT id, zone_id, day, capacity, booked, generated, unwanted FROM delivery_slots
WHERE day >= sqlc.arg(from_day)::date AND zone_id IS NOT NULL
ORDER BY day, zone_id;

-- name: InsertDeliverySlot :execrows
INSERT INTO delivery_slots (zone_id, day, capacity, generated) VALUES ($1, $2, $3, true)
ON CONFLICT (zone_id, day) WHERE zone_id IS NOT NULL DO NOTHING;

-- name: SetDeliverySlot :exec
UPDATE delivery_slots SET capacity = greatest(sqlc.arg(capacity)::integer, booked), unwanted = false, generated = true WHERE id = sqlc.arg(id);

-- name: ReopenDeliverySlot :exec
-- A one-off delivery day whose closure was lifted; its capacity was kept
-- at what was booked while closed.
UPDATE delivery_slots SET unwanted = false, capacity = greatest(capacity, sqlc.arg(capacity)::integer) WHERE id = sqlc.arg(id);

-- name: DeleteUnbookedDeliverySlot :execrows
DELETE FROM delivery_slots d
WHERE d.id = $1 AND d.booked = 0 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.delivery_slot_id = d.id);

-- name: MarkDeliverySlotUnwanted :exec
UPDATE delivery_slots SET unwanted = true WHERE id = $1;

-- name: OpenDeliverySlots :many
-- Delivery days a customer can still choose.
SELECT d.id, d.zone_id, d.day, d.capacity, d.booked
FROM delivery_slots d
WHERE NOT d.unwanted AND d.booked < d.capacity AND d.zone_id IS NOT NULL
  AND d.day >= sqlc.arg(from_day)::date AND d.day < sqlc.arg(to_day)::date
ORDER BY d.day, d.zone_id;

-- name: TakeDeliveryPlace :one
UPDATE delivery_slots d SET booked = d.booked + 1
WHERE d.id = sqlc.arg(id) AND d.zone_id = sqlc.arg(zone_id) AND NOT d.unwanted AND d.booked < d.capacity
  AND d.day >= sqlc.arg(from_day)::date
RETURNING d.day;

-- name: DeliverySlotState :one
SELECT zone_id, day, capacity, booked, unwanted FROM delivery_slots WHERE id = $1;

-- name: FreeDeliveryPlace :exec
UPDATE delivery_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0;

-- name: OrdersOnDays :many
-- Live orders for days in a range: a pickup slot or a delivery day in it.
SELECT o.id, o.number, o.customer_name, o.customer_phone, o.customer_email, o.status, o.fulfilment,
       coalesce(s.starts_at, (o.delivery_date::timestamp AT TIME ZONE sqlc.arg(zone)::text))::timestamptz AS for_time
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.status IN ('placed', 'ready')
  AND ((s.starts_at >= sqlc.arg(from_time)::timestamptz AND s.starts_at < sqlc.arg(to_time)::timestamptz)
       OR (o.delivery_date >= sqlc.arg(from_day)::date AND o.delivery_date <= sqlc.arg(to_day)::date))
ORDER BY for_time, o.number;

-- name: ProductForDay :one
-- A product's daily rule, locked for the order taking from it.
SELECT id, name, daily_limit, made_on FROM products WHERE id = $1 AND active;

-- name: EnsureProductDay :exec
INSERT INTO product_days (product_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: TakeFromDay :one
-- Takes qty of a day's limit only if that many are left; no row means
-- "not enough".
UPDATE product_days pd SET ordered = pd.ordered + sqlc.arg(qty)::integer
FROM products p
WHERE pd.product_id = sqlc.arg(product_id) AND pd.day = sqlc.arg(day)::date AND p.id = pd.product_id AND p.active
  AND p.daily_limit IS NOT NULL
  AND pd.ordered + sqlc.arg(qty)::integer <= coalesce(pd.limit_override, p.daily_limit)
RETURNING pd.ordered, coalesce(pd.limit_override, p.daily_limit)::integer AS day_limit, p.name, p.price_minor, p.currency;

-- name: ReturnToDay :exec
UPDATE product_days SET ordered = ordered - sqlc.arg(qty)::integer
WHERE product_id = sqlc.arg(product_id) AND day = sqlc.arg(day)::date AND ordered >= sqlc.arg(qty)::integer;

-- name: ProductDays :many
-- A made-to-order product's days from one on: what is ordered and the limit.
SELECT pd.day, pd.ordered, coalesce(pd.limit_override, p.daily_limit)::integer AS day_limit
FROM product_days pd JOIN products p ON p.id = pd.product_id
WHERE pd.product_id = sqlc.arg(product_id) AND pd.day >= sqlc.arg(from_day)::date AND pd.day < sqlc.arg(to_day)::date
ORDER BY pd.day;

-- name: SetDayLimit :one
-- A day's own limit, never below what is ordered for it.
INSERT INTO product_days (product_id, day, limit_override) VALUES (sqlc.arg(product_id), sqlc.arg(day)::date, sqlc.arg(day_limit)::integer)
ON CONFLICT (product_id, day) DO UPDATE SET limit_override = EXCLUDED.limit_override
WHERE product_days.ordered <= EXCLUDED.limit_override
RETURNING ordered;

-- name: DayCount :one
-- What is ordered of a made-to-order product for a day, and its limit.
SELECT coalesce(pd.ordered, 0)::integer AS ordered, coalesce(pd.limit_override, p.daily_limit, 0)::integer AS day_limit
FROM products p
LEFT JOIN product_days pd ON pd.product_id = p.id AND pd.day = sqlc.arg(day)::date
WHERE p.id = sqlc.arg(product_id);

-- name: SetProductDaily :execrows
UPDATE products SET daily_limit = sqlc.narg(daily_limit), made_on = sqlc.arg(made_on)::integer, max_per_order = sqlc.narg(max_per_order),
       version = version + 1, updated_at = now()
WHERE id = sqlc.arg(id);

-- name: BakeList :many
-- What to make for a day: every product of the live orders for it.
SELECT l.product_id, l.product_name, sum(l.quantity)::bigint AS quantity, count(DISTINCT o.id)::bigint AS orders
FROM orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.status IN ('placed', 'ready')
  AND ((s.starts_at >= sqlc.arg(day_start)::timestamptz AND s.starts_at < sqlc.arg(day_end)::timestamptz)
       OR o.delivery_date = sqlc.arg(day)::date)
GROUP BY l.product_id, l.product_name
ORDER BY l.product_name;

-- name: RestockProducts :many
SELECT p.id, p.name, p.stock, p.daily_limit, p.made_on, p.active,
       coalesce(pd.ordered, 0)::integer AS ordered_today, pd.limit_override
FROM products p
LEFT JOIN product_days pd ON pd.product_id = p.id AND pd.day = sqlc.arg(day)::date
WHERE p.archived_at IS NULL
ORDER BY p.active DESC, lower(p.name), p.id
LIMIT 1000;

-- name: OverLimitDay :one
-- The day from one on with the most ordered beyond a new daily limit,
-- among days without a limit of their own.
SELECT day, ordered FROM product_days
WHERE product_id = sqlc.arg(product_id) AND day >= sqlc.arg(from_day)::date AND limit_override IS NULL
  AND ordered > sqlc.arg(day_limit)::integer
ORDER BY ordered DESC, day
LIMIT 1;

-- name: OpenWeekdays :one
-- The weekdays the schedule makes slots on, and those a zone is delivered
-- on, a bit each, Sunday the lowest.
SELECT coalesce((SELECT bit_or(r.weekdays) FROM schedule_rules r JOIN pickup_points p ON p.id = r.pickup_point_id AND p.active), 0)::integer AS pickup,
       coalesce((SELECT bit_or(1 << d.weekday) FROM delivery_days d), 0)::integer AS delivery;

-- name: UnwantedDeliveryDays :many
-- Booked delivery days that the delivery days or a closure no longer want.
SELECT d.id, d.day, d.booked, coalesce(z.name, '')::text AS zone_name
FROM delivery_slots d
LEFT JOIN delivery_zones z ON z.id = d.zone_id
WHERE d.unwanted AND d.booked > 0 AND d.day >= sqlc.arg(from_day)::date
ORDER BY d.day;
