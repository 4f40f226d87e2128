-- +goose Up
-- Staff accounts and sessions, the login rate limit, and the stock ledger.

CREATE TABLE staff (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    role          text NOT NULL CHECK (role IN ('owner', 'staff')),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- Bumped to sign this person out everywhere at once.
    session_epoch bigint NOT NULL DEFAULT 1,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX staff_email_idx ON staff (lower(email));

-- One row per signed-in browser: signing out revokes just this one, so a
-- slow request that finishes later cannot bring it back.
CREATE TABLE staff_sessions (
    id         text PRIMARY KEY CHECK (length(id) >= 22),
    staff_id   bigint NOT NULL REFERENCES staff (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id);

-- Failed sign-ins, counted per account and per client address by every node.
CREATE TABLE login_failures (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    ip         inet NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);

-- Every change of stock: who, when, by how much, why, and the level after.
CREATE TABLE stock_movements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      bigint NOT NULL REFERENCES products (id),
    staff_id        bigint REFERENCES staff (id),
    order_id        bigint REFERENCES orders (id),
    delta           integer NOT NULL CHECK (delta <> 0),
    resulting_stock integer NOT NULL CHECK (resulting_stock >= 0),
    reason          text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id DESC);

ALTER TABLE products ADD COLUMN original_image_id bigint REFERENCES images (id);
ALTER TABLE order_events ADD CONSTRAINT order_events_staff_fk FOREIGN KEY (staff_id) REFERENCES staff (id);
CREATE INDEX orders_status_idx ON orders (status, placed_at DESC);

-- +goose Down
DROP INDEX orders_status_idx;
ALTER TABLE order_events DROP CONSTRAINT order_events_staff_fk;
ALTER TABLE products DROP COLUMN original_image_id;
DROP TABLE stock_movements;
DROP TABLE login_failures;
DROP TABLE staff_sessions;
DROP TABLE staff;
