-- The shop's settings: one row, its pickup points, opening hours and
-- delivery zones, and the log of changes.

-- name: GetSettings :one
SELECT s.name, s.description, s.accent, s.phone, s.email, s.pickup_enabled, s.lead_minutes, s.delivery_enabled,
       s.privacy, s.terms, s.allergens, s.retention_months, s.notify_emails, s.configured_at, s.version, s.updated_at,
       s.horizon_days, s.cutoff_kind, s.cutoff_days_before, s.cutoff_time, s.orders_per_hour,
       coalesce(encode(logo.sha256, 'hex'), '')::text AS logo_hash,
       coalesce(icon.sha256 IS NOT NULL, false)::boolean AS has_icon,
       coalesce(encode(icon.sha256, 'hex'), '')::text AS icon_hash
FROM shop_settings s
LEFT JOIN images logo ON logo.id = s.logo_image_id
LEFT JOIN images icon ON icon.id = s.icon_image_id
WHERE s.id = 1;

-- name: PickupPoints :many
SELECT id, name, address, instructions, active FROM pickup_points ORDER BY NOT active, position, id;

-- name: OpeningHours :many
SELECT weekday, opens, closes FROM opening_hours ORDER BY weekday, opens;

-- name: DeliveryZones :many
SELECT z.id, z.name, z.fee_minor, z.minimum_minor, z.free_over_minor,
       coalesce(array_agg(p.prefix ORDER BY p.prefix) FILTER (WHERE p.prefix IS NOT NULL), '{}')::text[] AS prefixes
FROM delivery_zones z
LEFT JOIN delivery_zone_prefixes p ON p.zone_id = z.id
GROUP BY z.id
ORDER BY z.position, z.id;

-- name: BumpSettingsVersion :execrows
-- Saves only if nobody else saved since this owner loaded the settings.
UPDATE shop_settings SET version = version + 1, updated_at = sqlc.arg(at)::timestamptz, updated_by = sqlc.narg(staff_id)
WHERE id = 1 AND version = sqlc.arg(version)::integer;

-- name: UpdateIdentity :exec
UPDATE shop_settings SET name = $1, description = $2, accent = $3 WHERE id = 1;

-- name: UpdateContact :exec
UPDATE shop_settings SET phone = $1, email = $2, pickup_enabled = $3 WHERE id = 1;

-- name: UpdateDeliveryEnabled :exec
UPDATE shop_settings SET delivery_enabled = $1 WHERE id = 1;

-- name: UpdatePolicies :exec
UPDATE shop_settings SET privacy = $1, terms = $2, allergens = $3, retention_months = $4 WHERE id = 1;

-- name: UpdateNotifications :exec
UPDATE shop_settings SET notify_emails = $1 WHERE id = 1;

-- name: SetSettingsImages :exec
UPDATE shop_settings SET logo_image_id = sqlc.narg(logo_id), icon_image_id = sqlc.narg(icon_id) WHERE id = 1;

-- name: DeleteOpeningHours :exec
DELETE FROM opening_hours;

-- name: InsertOpeningHour :exec
INSERT INTO opening_hours (weekday, opens, closes) VALUES ($1, $2, $3);

-- name: InsertPickupPoint :one
INSERT INTO pickup_points (name, address, instructions, position)
VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM pickup_points))
RETURNING id;

-- name: UpdatePickupPoint :execrows
UPDATE pickup_points SET name = $2, address = $3, instructions = $4, active = $5 WHERE id = $1;

-- name: InsertDeliveryZone :one
INSERT INTO delivery_zones (name, fee_minor, minimum_minor, free_over_minor, position)
VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM delivery_zones))
RETURNING id;

-- name: UpdateDeliveryZone :execrows
UPDATE delivery_zones SET name = $2, fee_minor = $3, minimum_minor = $4, free_over_minor = $5 WHERE id = $1;

-- name: DeleteDeliveryZone :execrows
DELETE FROM delivery_zones WHERE id = $1;

-- name: DeleteZonePrefixes :exec
DELETE FROM delivery_zone_prefixes WHERE zone_id = $1;

-- name: InsertZonePrefix :exec
INSERT INTO delivery_zone_prefixes (zone_id, prefix) VALUES ($1, $2);

-- name: ZoneOfPrefix :one
SELECT z.name FROM delivery_zone_prefixes p JOIN delivery_zones z ON z.id = p.zone_id
WHERE p.prefix = $1 AND p.zone_id <> sqlc.arg(except_zone)::bigint;

-- name: MarkConfigured :exec
-- The shop opens to customers once it has a name and a place to collect
-- (or no pickup at all).
UPDATE shop_settings SET configured_at = sqlc.arg(at)::timestamptz
WHERE id = 1 AND configured_at IS NULL AND name <> ''
  AND (NOT pickup_enabled OR EXISTS (SELECT 1 FROM pickup_points WHERE active));

-- name: InsertSettingsChange :exec
INSERT INTO settings_changes (staff_id, section, summary, created_at) VALUES (sqlc.narg(staff_id), $1, $2, sqlc.arg(at)::timestamptz);

-- name: RecentSettingsChanges :many
-- The settings' change log, newest first, a page at a time (one row more
-- than a page, to know whether there is another).
SELECT c.section, c.summary, c.created_at, coalesce(s.name, 'The command line')::text AS staff_name
FROM settings_changes c
LEFT JOIN staff s ON s.id = c.staff_id
ORDER BY c.id DESC
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: NotifySettings :exec
-- Every node drops its cached settings at commit.
SELECT pg_notify('shop_settings', '');

-- name: NotifyEmails :one
SELECT notify_emails FROM shop_settings WHERE id = 1;

-- name: OrderSettings :one
-- What placing an order needs to know, read in its transaction.
SELECT pickup_enabled, delivery_enabled, lead_minutes, cutoff_kind, cutoff_days_before, cutoff_time, horizon_days, orders_per_hour FROM shop_settings WHERE id = 1;

-- name: ActivePickupPoint :one
SELECT id, name FROM pickup_points WHERE id = $1 AND active;

-- name: DefaultPickupPoint :one
SELECT id FROM pickup_points WHERE active ORDER BY position, id LIMIT 1;

-- name: AnonymiseOrders :execrows
-- Personal data of finished orders older than the retention period.
WITH old AS (
    SELECT o.id FROM orders o
    WHERE o.anonymised_at IS NULL AND o.placed_at < sqlc.arg(before)::timestamptz
      AND o.status IN ('collected', 'delivered', 'cancelled')
    ORDER BY o.placed_at
    LIMIT 1000
), mails AS (
    UPDATE emails e SET recipient = 'anonymised@invalid' FROM old WHERE e.order_id = old.id AND e.kind <> 'order_alert'
)
UPDATE orders o
SET customer_name = 'Anonymised', customer_email = 'anonymised@invalid', customer_phone = '000000',
    delivery_address = CASE WHEN o.delivery_address IS NULL THEN NULL ELSE 'Anonymised' END,
    delivery_postcode = CASE WHEN o.delivery_postcode IS NULL THEN NULL ELSE '' END,
    note = '', client_network = NULL, anonymised_at = sqlc.arg(at)::timestamptz
FROM old
WHERE o.id = old.id;

-- name: RetentionMonths :one
SELECT retention_months FROM shop_settings WHERE id = 1;
