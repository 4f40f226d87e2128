package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The catalogue at realistic sizes: products are generated into the bench
// database (one INSERT … SELECT over generate_series, not committed
// anywhere), then the pages a shopper opens are loaded at each size.

// generatedPrefix starts the slug of every generated product.
const generatedPrefix = "bench-"

// dropGenerated deletes the products an earlier run generated (no order
// refers to them). A database from before the first run has no tables yet.
func dropGenerated(ctx context.Context, dbURL string) error {
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return nil // the node's migrate step creates the database
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DO $$ BEGIN
		IF to_regclass('products') IS NOT NULL THEN DELETE FROM products WHERE slug LIKE 'bench-%'; END IF;
	END $$`)
	return err
}

// generate makes the shop have size products for sale, adding generated
// ones: names from a small vocabulary ("Sourdough Bloomer No. 1234"), so a
// search for one word matches a twentieth of them; prices, stock, ages and
// the demo's images spread over them.
func generate(ctx context.Context, dbURL string, size int) (added int64, took time.Duration, err error) {
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	var have int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM products WHERE slug NOT LIKE 'bench-%'").Scan(&have); err != nil {
		return 0, 0, err
	}
	tag, err := conn.Exec(ctx, `
WITH adj AS (SELECT ARRAY['White','Brown','Seeded','Rye','Spelt','Sourdough','Malted','Stoneground','Country','Farmhouse',
                          'Walnut','Honey','Oat','Barley','Olive','Cheese','Cherry','Lemon','Ginger','Plum'] a),
     noun AS (SELECT ARRAY['Loaf','Bloomer','Bap','Roll','Cake','Tart','Bun','Cookie','Scone','Pie','Slice','Twist'] n),
     cats AS (SELECT array_agg(id ORDER BY id) c FROM categories),
     imgs AS (SELECT coalesce(array_agg(id ORDER BY id), '{}') i FROM images)
INSERT INTO products (category_id, slug, name, description, price_minor, currency, stock, image_id, created_at, updated_at)
SELECT cats.c[1 + g % cardinality(cats.c)], 'bench-' || g,
       adj.a[1 + g % 20] || ' ' || noun.n[1 + (g / 20) % 12] || ' No. ' || g,
       'Baked for the benchmark: a ' || lower(adj.a[1 + (g / 7) % 20]) || ' ' || lower(noun.n[1 + g % 12]) || '.',
       50 + (g * 7919) % 5000, (SELECT currency FROM products LIMIT 1), 1 + g % 40,
       CASE WHEN cardinality(imgs.i) > 0 THEN imgs.i[1 + g % cardinality(imgs.i)] END,
       now() - make_interval(mins => g), now()
FROM generate_series(1, $1::integer) g, adj, noun, cats, imgs
ON CONFLICT (slug) DO NOTHING`, max(0, int64(size)-have))
	if err != nil {
		return 0, 0, fmt.Errorf("generating products: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE categories, products, images"); err != nil {
		return 0, 0, err
	}
	return tag.RowsAffected(), time.Since(start), nil
}

// sizePage is one page loaded at each size.
type sizePage struct {
	name string
	path func(v *visitor) string
	hx   bool // an htmx partial request
}

func sizeBench(ctx context.Context, o options, bases []string, dbURL string) error {
	if strings.TrimSpace(o.sizes) == "" {
		return nil
	}
	for _, f := range strings.Split(o.sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || size < 1 {
			return fmt.Errorf("-sizes: %q is not a number of products", f)
		}
		added, took, err := generate(ctx, dbURL, size)
		if err != nil {
			return err
		}
		deep, err := deepPage(ctx, dbURL)
		if err != nil {
			return err
		}
		fmt.Printf("\nThe catalogue with %d products (%d generated in %s), %d concurrent visitors, %s per page\n\n",
			size, added, took.Round(time.Millisecond), o.concurrency, o.sizeRun)
		fmt.Printf("%-22s %10s %10s %10s %10s %10s %8s\n", "page", "requests", "req/s", "p50", "p90", "p99", "errors")
		pages := []sizePage{
			{name: "home", path: func(*visitor) string { return "/" }},
			{name: "search-partial", path: func(*visitor) string { return "/?q=sourd" }, hx: true},
			{name: "category", path: func(*visitor) string { return "/?category=bread" }},
			{name: "deep-page", path: func(*visitor) string { return deep }},
			{name: "product", path: func(*visitor) string {
				return fmt.Sprintf("/products/%s%d", generatedPrefix, 1+rand.IntN(size-30))
			}},
		}
		so := o
		so.duration = o.sizeRun
		for _, p := range pages {
			r := load(ctx, bases, so, scenario{step: func(v *visitor) (time.Duration, error) {
				var h []string
				if p.hx {
					h = []string{"HX-Request", "true", "HX-Request-Type", "partial"}
				}
				status, body, err := v.get(p.path(v), h...)
				return 0, expect(status, body, err, http.StatusOK)
			}})
			fmt.Printf("%-22s %10d %10.0f %10s %10s %10s %8d\n", p.name, r.n, float64(r.n)/r.elapsed.Seconds(),
				pct(r.latencies, 50), pct(r.latencies, 90), pct(r.latencies, 99), r.errors)
			if r.firstErr != nil {
				fmt.Printf("  first error: %v\n", r.firstErr)
			}
		}
	}
	return nil
}

// deepPage is the address of the page half way through the catalogue in
// its usual order, as its "Next page" links lead there (a build that
// pages by number alone reads the same page by its number).
func deepPage(ctx context.Context, dbURL string) (string, error) {
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM products WHERE active").Scan(&n); err != nil {
		return "", err
	}
	page := n / 2 / 12 // the page before the one wanted ends with this row
	if page < 1 {
		return "/", nil
	}
	var id int64
	err = conn.QueryRow(ctx, "SELECT id FROM products WHERE active ORDER BY name, id OFFSET $1 LIMIT 1", page*12-1).Scan(&id)
	if err == pgx.ErrNoRows {
		return "/", nil
	}
	return fmt.Sprintf("/?after=%d&page=%d", id, page+1), err
}
