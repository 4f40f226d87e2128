-- +goose Up
-- The catalogue: categories, products and their images. Images live in
-- Postgres so that any node can serve any image and nodes keep no disk state.

CREATE TABLE categories (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE images (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256       bytea NOT NULL UNIQUE CHECK (length(sha256) = 32),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    byte_size    integer NOT NULL CHECK (byte_size > 0 AND byte_size = length(data)),
    width        integer NOT NULL CHECK (width BETWEEN 1 AND 10000),
    height       integer NOT NULL CHECK (height BETWEEN 1 AND 10000),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id bigint NOT NULL REFERENCES categories (id),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    stock       integer NOT NULL CHECK (stock >= 0),
    active      boolean NOT NULL DEFAULT true,
    image_id    bigint REFERENCES images (id),
    -- Bumped on every edit, for optimistic concurrency in the staff area.
    version     integer NOT NULL DEFAULT 1,
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english'::regconfig, name), 'A') ||
                    setweight(to_tsvector('english'::regconfig, description), 'B')
                ) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX products_category_idx ON products (category_id) WHERE active;
CREATE INDEX products_search_idx ON products USING gin (search);

-- +goose Down
DROP TABLE products;
DROP TABLE images;
DROP TABLE categories;
