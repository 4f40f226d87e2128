-- +goose Up
-- Limits that keep one client from buying out the shop: orders an hour
-- from one network (an IPv4 address or an IPv6 /64) and from one email
-- address, counted in Postgres so every node shares them; a cap on units
-- of a product in one order.

ALTER TABLE shop_settings
    ADD COLUMN orders_per_hour integer NOT NULL DEFAULT 20 CHECK (orders_per_hour BETWEEN 0 AND 10000); -- 0: no limit

ALTER TABLE products
    ADD COLUMN max_per_order integer CHECK (max_per_order BETWEEN 1 AND 99);

-- The network an order came from, so staff can find and cancel everything
-- one client ordered; cleared with the rest when the order is anonymised.
ALTER TABLE orders ADD COLUMN client_network text;
CREATE INDEX orders_client_network_idx ON orders (client_network) WHERE client_network IS NOT NULL;
CREATE INDEX orders_email_idx ON orders (lower(customer_email));

-- Orders placed per client and hour: "net:203.0.113.7" or "email:…".
CREATE TABLE checkout_counts (
    key    text NOT NULL,
    hour   timestamptz NOT NULL,
    orders integer NOT NULL,
    PRIMARY KEY (key, hour)
);

-- +goose Down
DROP TABLE checkout_counts;
DROP INDEX orders_email_idx;
DROP INDEX orders_client_network_idx;
ALTER TABLE orders DROP COLUMN client_network;
ALTER TABLE products DROP COLUMN max_per_order;
ALTER TABLE shop_settings DROP COLUMN orders_per_hour;
