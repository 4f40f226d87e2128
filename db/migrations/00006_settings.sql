-- +goose Up
-- What the owner decides about their shop, edited in the staff area: who
-- the shop is, where and when to collect, where it delivers and for how
-- much, its policies and who hears of new orders. One row of settings
-- (its version guards against two owners overwriting each other), the
-- pickup points, opening hours and delivery zones, and a log of changes.

CREATE TABLE shop_settings (
    id                   integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name                 text NOT NULL DEFAULT '' CHECK (length(name) <= 80),
    description          text NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    logo_image_id        bigint REFERENCES images (id),
    icon_image_id        bigint REFERENCES images (id),
    accent               text NOT NULL DEFAULT '' CHECK (accent = '' OR accent ~ '^#[0-9a-f]{6}$'),
    phone                text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    email                text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    pickup_enabled       boolean NOT NULL DEFAULT true,
    -- How long before a pickup slot starts it can still be booked.
    lead_minutes         integer NOT NULL DEFAULT 30 CHECK (lead_minutes BETWEEN 0 AND 10080),
    delivery_enabled     boolean NOT NULL DEFAULT false,
    privacy              text NOT NULL DEFAULT '' CHECK (length(privacy) <= 20000),
    terms                text NOT NULL DEFAULT '' CHECK (length(terms) <= 20000),
    allergens            text NOT NULL DEFAULT '' CHECK (length(allergens) <= 5000),
    retention_months     integer NOT NULL DEFAULT 24 CHECK (retention_months BETWEEN 1 AND 120),
    notify_emails        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(notify_emails) <= 10),
    -- Set once the owner has named the shop and said where to collect:
    -- until then production shows customers an "opening soon" page.
    configured_at        timestamptz,
    version              integer NOT NULL DEFAULT 1,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           bigint REFERENCES staff (id)
);

INSERT INTO shop_settings (id) VALUES (1);

CREATE TABLE pickup_points (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    address      text NOT NULL CHECK (length(btrim(address)) BETWEEN 1 AND 300),
    instructions text NOT NULL DEFAULT '' CHECK (length(instructions) <= 300),
    position     integer NOT NULL DEFAULT 0,
    -- Archived points stay for the orders and slots that name them.
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Opening hours: one row per range, several a day; no row is closed.
CREATE TABLE opening_hours (
    weekday integer NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 is Sunday
    opens   time NOT NULL,
    closes  time NOT NULL,
    PRIMARY KEY (weekday, opens),
    CHECK (closes > opens)
);

CREATE TABLE delivery_zones (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    fee_minor       bigint NOT NULL CHECK (fee_minor >= 0),
    minimum_minor   bigint NOT NULL DEFAULT 0 CHECK (minimum_minor >= 0),
    -- Delivery is free from this subtotal on; NULL: never free.
    free_over_minor bigint CHECK (free_over_minor >= 0),
    position        integer NOT NULL DEFAULT 0
);

-- A postcode prefix belongs to one zone at most.
CREATE TABLE delivery_zone_prefixes (
    zone_id bigint NOT NULL REFERENCES delivery_zones (id) ON DELETE CASCADE,
    prefix  text PRIMARY KEY CHECK (prefix ~ '^[A-Z0-9 -]{1,12}$')
);

CREATE INDEX delivery_zone_prefixes_zone_idx ON delivery_zone_prefixes (zone_id);

-- Who changed which settings when, and what changed.
CREATE TABLE settings_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id   bigint REFERENCES staff (id),
    section    text NOT NULL,
    summary    text NOT NULL CHECK (length(summary) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX settings_changes_created_idx ON settings_changes (created_at DESC);

-- Slots belong to a pickup point; orders name theirs, and delivery orders
-- the zone whose fee they paid. A shop that already has slots or orders
-- gets one point for them, to be named and given its address in Settings.
INSERT INTO pickup_points (name, address)
SELECT 'The shop', 'Set the address in Settings'
WHERE EXISTS (SELECT 1 FROM pickup_slots) OR EXISTS (SELECT 1 FROM orders);
ALTER TABLE pickup_slots ADD COLUMN pickup_point_id bigint REFERENCES pickup_points (id);
UPDATE pickup_slots SET pickup_point_id = (SELECT min(id) FROM pickup_points);
ALTER TABLE pickup_slots ALTER COLUMN pickup_point_id SET NOT NULL;
ALTER TABLE pickup_slots DROP CONSTRAINT pickup_slots_starts_at_key;
ALTER TABLE pickup_slots ADD CONSTRAINT pickup_slots_point_start_key UNIQUE (pickup_point_id, starts_at);
ALTER TABLE orders ADD COLUMN pickup_point_id bigint REFERENCES pickup_points (id);
UPDATE orders SET pickup_point_id = (SELECT min(id) FROM pickup_points) WHERE fulfilment = 'pickup';
ALTER TABLE orders ADD COLUMN delivery_zone_id bigint REFERENCES delivery_zones (id) ON DELETE SET NULL;
ALTER TABLE orders ADD COLUMN delivery_zone_name text CHECK (length(delivery_zone_name) <= 80);
-- Personal data is anonymised after the owner's retention period.
ALTER TABLE orders ADD COLUMN anonymised_at timestamptz;
CREATE INDEX orders_anonymise_idx ON orders (placed_at) WHERE anonymised_at IS NULL;

-- +goose Down
DROP INDEX orders_anonymise_idx;
ALTER TABLE pickup_slots DROP CONSTRAINT pickup_slots_point_start_key;
ALTER TABLE pickup_slots ADD CONSTRAINT pickup_slots_starts_at_key UNIQUE (starts_at);
ALTER TABLE orders DROP COLUMN anonymised_at, DROP COLUMN delivery_zone_name, DROP COLUMN delivery_zone_id, DROP COLUMN pickup_point_id;
ALTER TABLE pickup_slots DROP COLUMN pickup_point_id;
DROP TABLE settings_changes;
DROP TABLE delivery_zone_prefixes;
DROP TABLE delivery_zones;
DROP TABLE opening_hours;
DROP TABLE pickup_points;
DROP TABLE shop_settings;
