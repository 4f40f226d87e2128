package catalogue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
)

// Blocked means a deletion cannot be done as things are; Message says
// what stands in the way and what to do about it.
type Blocked struct{ Message string }

func (e *Blocked) Error() string { return e.Message }

// Archive takes a product out of the shop and out of the staff's product
// list. Past orders keep it (their lines are snapshots pointing at it), and
// it can be restored. Archiving an archived product changes nothing.
func Archive(ctx context.Context, pool *pgxpool.Pool, id int64, now time.Time) (name string, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		p, err := lockProduct(ctx, q, id)
		if err != nil {
			return err
		}
		name = p.Name
		if p.ArchivedAt.Valid {
			return nil
		}
		if err := q.ArchiveProduct(ctx, db.ArchiveProductParams{ID: id, At: now}); err != nil {
			return fmt.Errorf("archive product %d: %w", id, err)
		}
		return nil
	})
	return name, err
}

// Restore brings an archived product back into the staff's list. It stays
// hidden from the shop until staff put it on sale again, so that its price
// and stock are looked at first.
func Restore(ctx context.Context, pool *pgxpool.Pool, id int64, now time.Time) (name string, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		p, err := lockProduct(ctx, q, id)
		if err != nil {
			return err
		}
		name = p.Name
		if !p.ArchivedAt.Valid {
			return nil
		}
		if err := q.RestoreProduct(ctx, db.RestoreProductParams{ID: id, At: now}); err != nil {
			return fmt.Errorf("restore product %d: %w", id, err)
		}
		return nil
	})
	return name, err
}

// Delete removes a product that was never ordered, with its stock ledger
// and made-to-order counts. A product on any order is refused (*Blocked):
// orders keep pointing at it, so it can only be archived. The row lock
// makes a checkout that is taking its stock at the same moment either
// finish first (and so block the deletion) or find the product gone.
func Delete(ctx context.Context, pool *pgxpool.Pool, id int64) (name string, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		p, err := lockProduct(ctx, q, id)
		if err != nil {
			return err
		}
		name = p.Name
		n, err := q.ProductOrderCount(ctx, id)
		if err != nil {
			return fmt.Errorf("count orders of product %d: %w", id, err)
		}
		if n > 0 {
			return &Blocked{Message: fmt.Sprintf("%s is on %s, so it cannot be deleted: archive it instead. It then leaves the shop and the product list, and the orders keep it.",
				p.Name, countNoun(n, "order", "orders"))}
		}
		if err := q.DeleteProductDays(ctx, id); err != nil {
			return fmt.Errorf("delete made-to-order days of product %d: %w", id, err)
		}
		if err := q.DeleteProductMovements(ctx, id); err != nil {
			return fmt.Errorf("delete stock ledger of product %d: %w", id, err)
		}
		if err := q.DeleteProduct(ctx, id); err != nil {
			return fmt.Errorf("delete product %d: %w", id, err)
		}
		return nil
	})
	return name, err
}

func lockProduct(ctx context.Context, q *db.Queries, id int64) (db.LockProductRow, error) {
	p, err := q.LockProduct(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	} else if err != nil {
		return p, fmt.Errorf("lock product %d: %w", id, err)
	}
	return p, nil
}

// ErrNoCategory means there is no such category.
var ErrNoCategory = errors.New("no such category")

// DeleteCategory removes a category with nothing in it. Archived products
// count as something: they keep their category so that they can come back
// to it, so they must be moved (or, never ordered, deleted) first. What is
// in the way is named in the *Blocked error.
func DeleteCategory(ctx context.Context, pool *pgxpool.Pool, id int64) (name string, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		c, err := q.LockCategory(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoCategory
		} else if err != nil {
			return fmt.Errorf("lock category %d: %w", id, err)
		}
		name = c.Name
		in, err := q.CategoryProducts(ctx, id)
		if err != nil {
			return fmt.Errorf("list products of category %d: %w", id, err)
		}
		if len(in) > 0 {
			return categoryBlocked(in)
		}
		if err := q.DeleteCategory(ctx, id); err != nil {
			return fmt.Errorf("delete category %d: %w", id, err)
		}
		return nil
	})
	return name, err
}

// categoryBlocked says which products keep a category from being deleted:
// "3 products are in this category (1 of them archived): Rye Bread, Spelt
// Loaf and Stollen. Move them to another category first; …".
func categoryBlocked(in []db.CategoryProductsRow) *Blocked {
	total := in[0].Total
	var names []string
	archived := 0
	for _, p := range in {
		label := p.Name
		if p.Archived {
			label += " (archived)"
			archived++
		}
		names = append(names, label)
	}
	if int64(len(names)) < total {
		names = append(names, fmt.Sprintf("%d more", total-int64(len(names))))
	}
	list := names[0]
	if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	verb, them := "are", "them"
	if total == 1 {
		verb, them = "is", "it"
	}
	msg := fmt.Sprintf("%s %s in this category: %s. Move %s to another category first (on the product’s page); a product never ordered can be deleted instead.",
		countNoun(total, "product", "products"), verb, list, them)
	if archived > 0 {
		msg += " Archived products count too, since restoring one brings it back to its category: find them under Archived products."
	}
	return &Blocked{Message: msg}
}

// Move directions for a category.
const (
	Up   = -1
	Down = 1
)

// MoveCategory moves a category one place up or down in the order the
// shop lists them, rewriting every position in one transaction.
func MoveCategory(ctx context.Context, pool *pgxpool.Pool, id int64, dir int) (name string, moved bool, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		cats, err := q.LockCategories(ctx)
		if err != nil {
			return fmt.Errorf("lock categories: %w", err)
		}
		ids := make([]int64, len(cats))
		name = ""
		for i, c := range cats {
			ids[i] = c.ID
			if c.ID == id {
				name = c.Name
			}
		}
		if name == "" {
			return ErrNoCategory
		}
		var order []int64
		order, moved = Reorder(ids, id, dir)
		for i, cid := range order {
			if err := q.SetCategoryPosition(ctx, db.SetCategoryPositionParams{ID: cid, Position: int32(i + 1)}); err != nil {
				return fmt.Errorf("set position of category %d: %w", cid, err)
			}
		}
		return nil
	})
	return name, moved, err
}

// Reorder moves id one place in ids (Up or Down). At either end there is
// nowhere to go: the order comes back unchanged and moved is false.
func Reorder(ids []int64, id int64, dir int) (order []int64, moved bool) {
	order = append([]int64(nil), ids...)
	for i, x := range order {
		if x != id {
			continue
		}
		j := i + dir
		if dir != Up && dir != Down || j < 0 || j >= len(order) {
			return order, false
		}
		order[i], order[j] = order[j], order[i]
		return order, true
	}
	return order, false
}

// countNoun is "1 order" or "3 orders".
func countNoun(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
