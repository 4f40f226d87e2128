-- +goose Up
-- The shop's week: a weekly schedule per pickup point that slots are made
-- from, as far ahead as the booking horizon; closures; the cut-off rule;
-- delivery days per zone with a capacity each; and products made to order
-- with a daily limit, counted per day.

ALTER TABLE shop_settings
    ADD COLUMN horizon_days       integer NOT NULL DEFAULT 14 CHECK (horizon_days BETWEEN 1 AND 90),
    -- 'lead': a slot can be booked until lead_minutes before it starts;
    -- 'before': until cutoff_time on the day cutoff_days_before earlier.
    ADD COLUMN cutoff_kind        text NOT NULL DEFAULT 'lead' CHECK (cutoff_kind IN ('lead', 'before')),
    ADD COLUMN cutoff_days_before integer NOT NULL DEFAULT 1 CHECK (cutoff_days_before BETWEEN 0 AND 7),
    ADD COLUMN cutoff_time        time NOT NULL DEFAULT '18:00';

-- A rule of the weekly schedule: on these weekdays (a bit per day, Sunday
-- the lowest), from starts to ends, a slot every slot_minutes, each for
-- capacity orders.
CREATE TABLE schedule_rules (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pickup_point_id bigint NOT NULL REFERENCES pickup_points (id),
    weekdays        integer NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    starts          time NOT NULL,
    ends            time NOT NULL,
    slot_minutes    integer NOT NULL CHECK (slot_minutes BETWEEN 10 AND 240),
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends > starts)
);

-- Days the shop is closed, with a note customers see.
CREATE TABLE closures (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_day  date NOT NULL,
    last_day   date NOT NULL,
    note       text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 200),
    created_by bigint REFERENCES staff (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day >= first_day AND last_day - first_day <= 366)
);

-- Slots made from the schedule; one-off slots are not. A made slot that a
-- schedule change no longer wants is deleted when nobody booked it, and
-- otherwise kept and marked for staff to handle.
-- rule_id is the rule that made the slot: a slot keeps the capacity staff
-- gave it until its rule changes.
ALTER TABLE pickup_slots
    ADD COLUMN generated boolean NOT NULL DEFAULT false,
    ADD COLUMN rule_id   bigint REFERENCES schedule_rules (id) ON DELETE SET NULL,
    ADD COLUMN unwanted  boolean NOT NULL DEFAULT false;
CREATE INDEX pickup_slots_starts_idx ON pickup_slots (starts_at);

-- The weekdays a zone is delivered to, with how many orders each.
CREATE TABLE delivery_days (
    zone_id  bigint NOT NULL REFERENCES delivery_zones (id) ON DELETE CASCADE,
    weekday  integer NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    PRIMARY KEY (zone_id, weekday)
);

-- A day's deliveries to a zone, made from its delivery days like slots,
-- or added for one day.
CREATE TABLE delivery_slots (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone_id   bigint REFERENCES delivery_zones (id) ON DELETE SET NULL,
    day       date NOT NULL,
    capacity  integer NOT NULL CHECK (capacity BETWEEN 0 AND 1000),
    booked    integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    -- made from the zone's delivery days; a one-off day is not
    generated boolean NOT NULL DEFAULT false,
    unwanted  boolean NOT NULL DEFAULT false,
    CHECK (booked <= capacity)
);
CREATE UNIQUE INDEX delivery_slots_zone_day_idx ON delivery_slots (zone_id, day) WHERE zone_id IS NOT NULL;

ALTER TABLE orders
    ADD COLUMN delivery_slot_id bigint REFERENCES delivery_slots (id),
    ADD COLUMN delivery_date    date;
CREATE INDEX orders_delivery_date_idx ON orders (delivery_date) WHERE delivery_date IS NOT NULL;

-- Made to order: at most daily_limit a day (NULL: sold from stock on hand),
-- on the weekdays made_on says (a bit per day, Sunday the lowest).
ALTER TABLE products
    ADD COLUMN daily_limit integer CHECK (daily_limit BETWEEN 0 AND 100000),
    ADD COLUMN made_on     integer NOT NULL DEFAULT 127 CHECK (made_on BETWEEN 1 AND 127);

-- How many of a made-to-order product are ordered for a day, taken with a
-- conditional update in the order's transaction; limit_override is a
-- day's own limit (the morning restock).
CREATE TABLE product_days (
    product_id     bigint NOT NULL REFERENCES products (id),
    day            date NOT NULL,
    ordered        integer NOT NULL DEFAULT 0 CHECK (ordered >= 0),
    limit_override integer CHECK (limit_override BETWEEN 0 AND 100000),
    PRIMARY KEY (product_id, day)
);

-- The day a made-to-order line was taken from; NULL: from stock.
ALTER TABLE order_lines ADD COLUMN made_for date;

-- +goose Down
ALTER TABLE order_lines DROP COLUMN made_for;
DROP TABLE product_days;
ALTER TABLE products DROP COLUMN made_on, DROP COLUMN daily_limit;
DROP INDEX orders_delivery_date_idx;
ALTER TABLE orders DROP COLUMN delivery_date, DROP COLUMN delivery_slot_id;
DROP TABLE delivery_slots;
DROP TABLE delivery_days;
DROP INDEX pickup_slots_starts_idx;
ALTER TABLE pickup_slots DROP COLUMN unwanted, DROP COLUMN rule_id, DROP COLUMN generated;
DROP TABLE closures;
DROP TABLE schedule_rules;
ALTER TABLE shop_settings DROP COLUMN cutoff_time, DROP COLUMN cutoff_days_before, DROP COLUMN cutoff_kind, DROP COLUMN horizon_days;
