-- +goose Up
-- The catalogue's cost must not grow with the shop: each ordering a
-- customer can pick has an index in that order over the products for sale,
-- so a page (the first or the thousandth, by keyset) reads a dozen rows.
-- The id breaks ties, so every product has one place in each order.
CREATE INDEX products_name_idx ON products (name, id) WHERE active;
CREATE INDEX products_price_idx ON products (price_minor, id) WHERE active;
CREATE INDEX products_newest_idx ON products (created_at, id) WHERE active;
-- One category in the usual order; its leading column also serves what
-- products_category_idx did.
CREATE INDEX products_category_name_idx ON products (category_id, name, id) WHERE active;
DROP INDEX products_category_idx;

-- A product card as the catalogue shows it, for sale only. Queries that
-- read it are inlined by the planner, so their conditions reach the
-- indexes above.
CREATE VIEW catalogue_cards AS
SELECT p.id, p.slug, p.name, p.price_minor, p.currency,
       (CASE WHEN p.daily_limit IS NULL THEN p.stock ELSE p.daily_limit END)::integer AS stock,
       (p.daily_limit IS NOT NULL)::boolean AS made_to_order, p.made_on, p.created_at,
       p.category_id, c.slug AS category_slug, c.name AS category_name,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash
FROM products p
JOIN categories c ON c.id = p.category_id
LEFT JOIN images i ON i.id = p.image_id
WHERE p.active;

-- Every node caches the category list with its product counts; a change
-- to what it shows tells them all, whichever code made it.
-- +goose StatementBegin
CREATE FUNCTION notify_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalogue', '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER products_catalogue_changed
    AFTER INSERT OR DELETE OR UPDATE OF active, category_id ON products
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalogue_changed();
CREATE TRIGGER products_catalogue_truncated
    AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalogue_changed();
CREATE TRIGGER categories_catalogue_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalogue_changed();

-- +goose Down
DROP TRIGGER categories_catalogue_changed ON categories;
DROP TRIGGER products_catalogue_truncated ON products;
DROP TRIGGER products_catalogue_changed ON products;
DROP FUNCTION notify_catalogue_changed();
DROP VIEW catalogue_cards;
CREATE INDEX products_category_idx ON products (category_id) WHERE active;
DROP INDEX products_category_name_idx;
DROP INDEX products_newest_idx;
DROP INDEX products_price_idx;
DROP INDEX products_name_idx;
