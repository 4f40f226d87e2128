-- name: ListCategories :many
SELECT c.id, c.slug, c.name,
       (SELECT count(*) FROM products p WHERE p.category_id = c.id AND p.active)::bigint AS product_count
FROM categories c
ORDER BY c.position, c.name;

-- name: SearchProducts :many
-- The catalogue page: active products, optionally in one category and
-- matching a prefix tsquery, in an allow-listed order, one page at a time.
SELECT p.id, p.slug, p.name, p.price_minor, p.currency, (CASE WHEN p.daily_limit IS NULL THEN p.stock ELSE p.daily_limit END)::integer AS stock,
       (p.daily_limit IS NOT NULL)::boolean AS made_to_order, p.made_on, p.created_at,
       c.slug AS category_slug, c.name AS category_name,
       coalesce(encode(i.sha256, 'hex'), '')::text AS image_hash,
       count(*) OVER ()::bigint AS total
FROM products p
JOIN categories c ON c.id = p.category_id
LEFT JOIN images i ON i.id = p.image_id
WHERE p.active
  AND (sqlc.arg(category)::text = '' OR c.slug = sqlc.arg(category)::text)
  AND (sqlc.arg(tsquery)::text = '' OR p.search @@ to_tsquery('english', sqlc.arg(tsquery)::text))
ORDER BY
  CASE WHEN sqlc.arg(sort)::text = 'relevance' AND sqlc.arg(tsquery)::text <> ''
       THEN ts_rank(p.search, to_tsquery('english', sqlc.arg(tsquery)::text)) END DESC,
  CASE WHEN sqlc.arg(sort)::text = 'price_asc' THEN p.price_minor END ASC,
  CASE WHEN sqlc.arg(sort)::text = 'price_desc' THEN p.price_minor END DESC,
  CASE WHEN sqlc.arg(sort)::text = 'newest' THEN p.created_at END DESC,
  p.name, p.id
LIMIT sqlc.arg(page_limit)::integer OFFSET sqlc.arg(page_offset)::integer;

-- name: CountProducts :one
-- Used when a page is past the end and the window count is unavailable.
SELECT count(*)::bigint
FROM products p
JOIN categories c ON c.id = p.category_id
WHERE p.active
  AND (sqlc.arg(category)::text = '' OR c.slug = sqlc.arg(category)::text)
  AND (sqlc.arg(tsquery)::text = '' OR p.search @@ to_tsquery('english', sqlc.arg(tsquery)::text));

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
