-- +goose Up
-- Pickup slots, orders and their lines, and the order event log. Stock and
-- slot places are taken with conditional updates inside the order's
-- transaction; these constraints are the last line of defence.

CREATE TABLE pickup_slots (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starts_at  timestamptz NOT NULL UNIQUE,
    ends_at    timestamptz NOT NULL,
    capacity   integer NOT NULL CHECK (capacity BETWEEN 0 AND 1000),
    booked     integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    closed     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (booked <= capacity)
);

CREATE SEQUENCE order_number_seq START WITH 1001;

CREATE TABLE orders (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             bigint NOT NULL UNIQUE DEFAULT nextval('order_number_seq'),
    -- The customer's link to the order: 144 random bits, unrelated to the number.
    token              text NOT NULL UNIQUE CHECK (length(token) >= 22),
    -- One key per rendered checkout form: retries find the first order.
    idempotency_key    text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 16 AND 64),
    content_hash       bytea NOT NULL CHECK (length(content_hash) = 32),
    status             text NOT NULL DEFAULT 'placed'
                       CHECK (status IN ('placed', 'ready', 'collected', 'delivered', 'cancelled')),
    fulfilment         text NOT NULL CHECK (fulfilment IN ('pickup', 'delivery')),
    slot_id            bigint REFERENCES pickup_slots (id),
    delivery_address   text CHECK (length(delivery_address) <= 300),
    delivery_postcode  text CHECK (length(delivery_postcode) <= 12),
    customer_name      text NOT NULL CHECK (length(btrim(customer_name)) BETWEEN 1 AND 100),
    customer_email     text NOT NULL CHECK (length(customer_email) BETWEEN 3 AND 254 AND position('@' IN customer_email) > 1),
    customer_phone     text NOT NULL CHECK (length(customer_phone) BETWEEN 6 AND 30),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_minor     bigint NOT NULL CHECK (subtotal_minor >= 0),
    delivery_fee_minor bigint NOT NULL DEFAULT 0 CHECK (delivery_fee_minor >= 0),
    total_minor        bigint NOT NULL,
    paid_at            timestamptz,
    placed_at          timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (total_minor = subtotal_minor + delivery_fee_minor),
    CHECK ((fulfilment = 'pickup' AND slot_id IS NOT NULL AND delivery_address IS NULL)
        OR (fulfilment = 'delivery' AND slot_id IS NULL AND delivery_address IS NOT NULL AND delivery_postcode IS NOT NULL))
);

CREATE INDEX orders_slot_idx ON orders (slot_id) WHERE slot_id IS NOT NULL;
CREATE INDEX orders_placed_at_idx ON orders (placed_at DESC);

CREATE TABLE order_lines (
    order_id         bigint NOT NULL REFERENCES orders (id),
    line_no          integer NOT NULL CHECK (line_no BETWEEN 1 AND 50),
    product_id       bigint NOT NULL REFERENCES products (id),
    -- Snapshots: what the customer bought, whatever happens to the product later.
    product_name     text NOT NULL,
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    line_total_minor bigint NOT NULL,
    PRIMARY KEY (order_id, line_no),
    UNIQUE (order_id, product_id),
    CHECK (line_total_minor = unit_price_minor * quantity)
);

-- Everything that happens to an order, written in the same transaction as
-- the change: the audit trail, and the outbox later consumers (emails, the
-- staff board) read from.
CREATE TABLE order_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders (id),
    kind        text NOT NULL CHECK (kind IN ('placed', 'status_changed', 'paid')),
    from_status text,
    to_status   text,
    staff_id    bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX order_events_order_idx ON order_events (order_id, id);

-- +goose Down
DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
DROP SEQUENCE order_number_seq;
DROP TABLE pickup_slots;
