// Package catalogue holds the staff's changes to products: validated
// edits that never silently overwrite someone else's, images, and stock
// changes recorded in the stock ledger.
package catalogue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/unicode/norm"

	"shopfront/db"
	"shopfront/productimage"
	"shopfront/shop"
)

var (
	// ErrChanged means someone saved the product since it was loaded.
	ErrChanged = errors.New("the product changed while you were editing it")
	// ErrNotFound means there is no such product.
	ErrNotFound = errors.New("no such product")
)

// ProductForm is a validated product edit.
type ProductForm struct {
	CategoryID  int64
	Slug        string
	Name        string
	Description string
	Price       int64
	Active      bool
	Version     int32 // the version the editor loaded
}

// ParseProductForm validates the product form; field problems come back
// keyed by field name.
func ParseProductForm(v url.Values, currency string) (ProductForm, shop.FieldErrors) {
	errs := shop.FieldErrors{}
	clean := func(k string) string { return shop.CleanText(v.Get(k)) }
	f := ProductForm{Name: clean("name"), Description: clean("description"), Active: v.Get("active") == "on"}
	if n := utf8.RuneCountInString(f.Name); n == 0 || n > 120 {
		errs["name"] = "Enter a name of at most 120 characters."
	}
	if utf8.RuneCountInString(f.Description) > 5000 {
		errs["description"] = "The description must be at most 5000 characters."
	}
	f.Slug = clean("slug")
	if f.Slug == "" {
		f.Slug = Slugify(f.Name)
	}
	if !shop.IsSlug(f.Slug) {
		errs["slug"] = "Use lower-case letters, digits and single hyphens, like white-sourdough."
	}
	price, err := shop.ParseAmount(clean("price"), currency)
	if err != nil || price > 100_000_000 {
		errs["price"] = "Enter a price like 4.50."
	}
	f.Price = price
	if id, err := strconv.ParseInt(clean("category_id"), 10, 64); err != nil || id < 1 {
		errs["category_id"] = "Choose a category."
	} else {
		f.CategoryID = id
	}
	if ver := clean("version"); ver != "" {
		n, err := strconv.ParseInt(ver, 10, 32)
		if err != nil || n < 1 {
			errs["form"] = "This form is incomplete. Please reload the page."
		}
		f.Version = int32(n)
	}
	return f, errs
}

// Slugify makes a URL slug from a name: "Crème Brûlée (2)" → "creme-brulee-2".
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r): // drop accents
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case !hyphen && b.Len() > 0:
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// fieldError turns a constraint violation into a message on a field.
func fieldError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505" && strings.Contains(pgErr.ConstraintName, "slug"):
			return &shop.InputError{Field: "slug", Message: "Another product already uses this web address; choose another."}
		case pgErr.Code == "23503":
			return &shop.InputError{Field: "category_id", Message: "Choose a category."}
		case pgErr.Code == "23514" && pgErr.ConstraintName == "products_archived_not_for_sale":
			return &shop.InputError{Field: "active", Message: "An archived product cannot be for sale: restore it first."}
		}
	}
	return err
}

// Create adds a product (with no stock: stock is set through the ledger).
func Create(ctx context.Context, q *db.Queries, f ProductForm, currency string) (int64, error) {
	id, err := q.CreateProduct(ctx, db.CreateProductParams{
		CategoryID: f.CategoryID, Slug: f.Slug, Name: f.Name, Description: f.Description,
		PriceMinor: f.Price, Currency: currency, Active: f.Active,
	})
	return id, fieldError(err)
}

// Update saves an edit only if nobody saved the product since f.Version.
func Update(ctx context.Context, q *db.Queries, id int64, f ProductForm) error {
	n, err := q.UpdateProduct(ctx, db.UpdateProductParams{
		ID: id, CategoryID: f.CategoryID, Slug: f.Slug, Name: f.Name, Description: f.Description,
		PriceMinor: f.Price, Active: f.Active, Version: f.Version,
	})
	if err != nil {
		return fieldError(err)
	}
	if n == 0 {
		if _, err := q.AdminGetProduct(ctx, id); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		return ErrChanged
	}
	return nil
}

// SetImage stores a processed upload (original and display version) and
// points the product at it, in one transaction.
func SetImage(ctx context.Context, pool *pgxpool.Pool, productID int64, original, display productimage.Image) error {
	return db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if _, err := q.AdminGetProduct(ctx, productID); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		ids := make([]int64, 2)
		for i, img := range []productimage.Image{original, display} {
			id, err := q.InsertImage(ctx, db.InsertImageParams{
				Sha256: img.SHA256[:], ContentType: img.ContentType, ByteSize: int32(len(img.Data)),
				Width: int32(img.Width), Height: int32(img.Height), Data: img.Data,
			})
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return q.SetProductImage(ctx, db.SetProductImageParams{
			ID: productID, ImageID: pgtype.Int8{Int64: ids[1], Valid: true}, OriginalImageID: pgtype.Int8{Int64: ids[0], Valid: true},
		})
	})
}

// StockChange is a staff member's stock change: either a new level (Set)
// or a delta (Adjust), always with a reason.
type StockChange struct {
	Set    *int32
	Adjust int32
	Reason string
}

// ParseStockChange validates the stock form: mode "set" with a level of
// 0–100000, or "adjust" with a non-zero delta; a reason is required.
func ParseStockChange(v url.Values) (StockChange, shop.FieldErrors) {
	errs := shop.FieldErrors{}
	c := StockChange{Reason: shop.CleanText(v.Get("reason"))}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Get("amount")), 10, 32)
	switch v.Get("mode") {
	case "set":
		if err != nil || n < 0 || n > 100_000 {
			errs["amount"] = "Enter the new stock level, from 0 to 100000."
		}
		level := int32(n)
		c.Set = &level
	case "adjust":
		if err != nil || n == 0 || n < -100_000 || n > 100_000 {
			errs["amount"] = "Enter how many to add (or, with a minus sign, remove), for example 12 or -3."
		}
		c.Adjust = int32(n)
	default:
		errs["mode"] = "Choose whether to set the level or adjust it."
	}
	if n := utf8.RuneCountInString(c.Reason); n == 0 || n > 200 {
		errs["reason"] = "Give a reason of at most 200 characters, for example “Morning bake”."
	}
	return c, errs
}

// ChangeStock applies a stock change and records it in the ledger in one
// transaction. The change is a single UPDATE, so concurrent changes queue
// on the row lock and none is lost. It returns the new level.
func ChangeStock(ctx context.Context, pool *pgxpool.Pool, productID, staffID int64, c StockChange, now time.Time) (int32, error) {
	var level int32
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		var delta int32
		if c.Set != nil {
			row, err := q.SetStock(ctx, db.SetStockParams{ID: productID, Stock: *c.Set})
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			} else if err != nil {
				return err
			}
			level, delta = row.Stock, row.Delta
		} else {
			left, err := q.AdjustStock(ctx, db.AdjustStockParams{ID: productID, Delta: c.Adjust})
			if errors.Is(err, pgx.ErrNoRows) {
				if _, err := q.AdminGetProduct(ctx, productID); errors.Is(err, pgx.ErrNoRows) {
					return ErrNotFound
				}
				return &shop.InputError{Field: "amount", Message: fmt.Sprintf("Stock cannot go below zero: removing %d is more than there is.", -c.Adjust)}
			} else if err != nil {
				return err
			}
			level, delta = left, c.Adjust
		}
		if delta == 0 {
			return nil // set to the level it already had: nothing to record
		}
		return q.InsertStockMovement(ctx, db.InsertStockMovementParams{
			ProductID: productID, StaffID: pgtype.Int8{Int64: staffID, Valid: staffID != 0},
			Delta: delta, ResultingStock: level, Reason: c.Reason, CreatedAt: now,
		})
	})
	return level, err
}
