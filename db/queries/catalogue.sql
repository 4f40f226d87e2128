-- name: ListCategories :many
SELECT c.id, c.slug, c.name,
       (SELECT count(*) FROM products p WHERE p.category_id = c.id AND p.active)::bigint AS product_count
FROM categories c
ORDER BY c.position, c.name;

-- The catalogue's pages. Each ordering has a query of its own that reads
-- its index in order (00010_catalogue_indexes.sql): a page, the first or
-- a deep one, reads a dozen rows. Paging is by keyset: `after` (or
-- `before`) is the id of the product the previous page ended (or the next
-- one began) with, 0 for the first page; `page_offset` serves the older
-- ?page=N links. A category id of 0 means every category. These run with
-- a plan made for their parameters, so the conditions that are off fold
-- away (db.PlannedEachTime).

-- name: CardsByName :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (sqlc.arg(after)::bigint = 0 OR (name, id) > (SELECT k.name, k.id FROM products k WHERE k.id = sqlc.arg(after)::bigint))
ORDER BY name, id
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CardsByNameBefore :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (name, id) < (SELECT k.name, k.id FROM products k WHERE k.id = sqlc.arg(before)::bigint)
ORDER BY name DESC, id DESC
LIMIT sqlc.arg(page_limit)::integer;

-- name: CardsByPrice :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (sqlc.arg(after)::bigint = 0 OR (price_minor, id) > (SELECT k.price_minor, k.id FROM products k WHERE k.id = sqlc.arg(after)::bigint))
ORDER BY price_minor, id
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CardsByPriceBefore :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (price_minor, id) < (SELECT k.price_minor, k.id FROM products k WHERE k.id = sqlc.arg(before)::bigint)
ORDER BY price_minor DESC, id DESC
LIMIT sqlc.arg(page_limit)::integer;

-- name: CardsByPriceDesc :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (sqlc.arg(after)::bigint = 0 OR (price_minor, id) < (SELECT k.price_minor, k.id FROM products k WHERE k.id = sqlc.arg(after)::bigint))
ORDER BY price_minor DESC, id DESC
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CardsByPriceDescBefore :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (price_minor, id) > (SELECT k.price_minor, k.id FROM products k WHERE k.id = sqlc.arg(before)::bigint)
ORDER BY price_minor, id
LIMIT sqlc.arg(page_limit)::integer;

-- name: CardsByNewest :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (sqlc.arg(after)::bigint = 0 OR (created_at, id) < (SELECT k.created_at, k.id FROM products k WHERE k.id = sqlc.arg(after)::bigint))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CardsByNewestBefore :many
SELECT * FROM catalogue_cards
WHERE (sqlc.arg(category_id)::bigint = 0 OR category_id = sqlc.arg(category_id)::bigint)
  AND (created_at, id) > (SELECT k.created_at, k.id FROM products k WHERE k.id = sqlc.arg(before)::bigint)
ORDER BY created_at, id
LIMIT sqlc.arg(page_limit)::integer;

-- name: SearchCards :many
-- Products matching a prefix tsquery (the GIN index on search), in an
-- allow-listed order, by offset: a search is read a few pages deep.
SELECT p.id, p.slug, p.name, p.price_minor, p.currency, (CASE WHEN p.daily_limit IS NULL THEN p.stock ELSE p.daily_limit END)::integer AS stock,
       (p.daily_limit IS NOT NULL)::boolean AS made_to_order, p.made_on, p.created_at,
       p.category_id, c.slug AS category_slug, c.name AS category_name,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash
FROM products p
JOIN categories c ON c.id = p.category_id
LEFT JOIN images i ON i.id = p.image_id
WHERE p.active
  AND p.search @@ to_tsquery('english', sqlc.arg(tsquery)::text)
  AND (sqlc.arg(category_id)::bigint = 0 OR p.category_id = sqlc.arg(category_id)::bigint)
ORDER BY
  CASE WHEN sqlc.arg(sort)::text = 'relevance' THEN ts_rank(p.search, to_tsquery('english', sqlc.arg(tsquery)::text)) END DESC,
  CASE WHEN sqlc.arg(sort)::text = 'price_asc' THEN p.price_minor END ASC,
  CASE WHEN sqlc.arg(sort)::text = 'price_desc' THEN p.price_minor END DESC,
  CASE WHEN sqlc.arg(sort)::text = 'newest' THEN p.created_at END DESC,
  p.name, p.id
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CountSearch :one
-- How many products match a search, counted up to a cap: past it the
-- page says "more than".
SELECT count(*)::bigint FROM (
  SELECT 1 FROM products p
  WHERE p.active
    AND p.search @@ to_tsquery('english', sqlc.arg(tsquery)::text)
    AND (sqlc.arg(category_id)::bigint = 0 OR p.category_id = sqlc.arg(category_id)::bigint)
  LIMIT sqlc.arg(count_cap)::integer
) s;

-- name: GetProductBySlug :one
SELECT p.id, p.slug, p.name, p.description, p.price_minor, p.currency, (CASE WHEN p.daily_limit IS NULL THEN p.stock ELSE p.daily_limit END)::integer AS stock,
       (p.daily_limit IS NOT NULL)::boolean AS made_to_order, p.made_on,
       c.slug AS category_slug, c.name AS category_name,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash, coalesce(i.width, 0)::integer AS image_width, coalesce(i.height, 0)::integer AS image_height
FROM products p
JOIN categories c ON c.id = p.category_id
LEFT JOIN images i ON i.id = p.image_id
WHERE p.slug = $1 AND p.active;

-- name: GetImageByHash :one
SELECT content_type, data
FROM images
WHERE sha256 = $1;

-- name: UpsertCategory :one
-- Seeding: insert a category once; running again changes nothing.
INSERT INTO categories (slug, name, position)
VALUES ($1, $2, $3)
ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
RETURNING id;

-- name: UpsertImage :one
INSERT INTO images (sha256, content_type, byte_size, width, height, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) DO UPDATE SET sha256 = EXCLUDED.sha256
RETURNING id;

-- name: InsertProductIfMissing :execrows
INSERT INTO products (category_id, slug, name, description, price_minor, currency, stock, image_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
ON CONFLICT (slug) DO NOTHING;

-- name: ProductSlugExists :one
SELECT EXISTS (SELECT 1 FROM products WHERE slug = $1);

-- name: SitemapProducts :many
-- Every product for sale, for sitemap.xml.
SELECT slug, updated_at FROM products WHERE active ORDER BY id LIMIT 50000;

-- name: ProductIDBySlug :one
SELECT id FROM products WHERE slug = $1;
