-- +goose Up
-- Archiving a product takes it out of the shop and out of the staff's
-- product list while past orders keep it; an archived product is never for
-- sale. Categories keep the order staff give them: positions are made
-- distinct once, and from then on are rewritten together when one moves.

ALTER TABLE products ADD COLUMN archived_at timestamptz;
ALTER TABLE products ADD CONSTRAINT products_archived_not_for_sale CHECK (archived_at IS NULL OR NOT active);

UPDATE categories c SET position = r.n
FROM (SELECT id, row_number() OVER (ORDER BY position, name, id)::integer AS n FROM categories) r
WHERE r.id = c.id AND c.position <> r.n;

-- Whether a product was ever ordered decides whether it may be deleted (and
-- the foreign key's check on delete needs it too).
CREATE INDEX order_lines_product_idx ON order_lines (product_id);

-- +goose Down
DROP INDEX order_lines_product_idx;
ALTER TABLE products DROP CONSTRAINT products_archived_not_for_sale;
ALTER TABLE products DROP COLUMN archived_at;
