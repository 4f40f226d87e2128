package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/staffauth"
)

// Load inserts the demo shop in one transaction: the catalogue, and pickup
// slots for the next 7 days in the shop's time zone. It only adds what is
// missing, so loading twice adds nothing; it returns how many products it added.
func Load(ctx context.Context, pool *pgxpool.Pool, currency string, loc *time.Location, now time.Time) (added int, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if added, err = loadCatalogue(ctx, q, currency, now); err != nil {
			return err
		}
		return loadSlots(ctx, q, loc, now)
	})
	return added, err
}

// LoadCatalogue inserts only the demo catalogue.
func LoadCatalogue(ctx context.Context, pool *pgxpool.Pool, currency string, now time.Time) (added int, err error) {
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		added, err = loadCatalogue(ctx, q, currency, now)
		return err
	})
	return added, err
}

// SlotTimes are the demo shop's daily pickup windows (start hour, end hour).
var SlotTimes = [][2]int{{9, 10}, {11, 12}, {14, 15}, {16, 17}}

// SlotCapacity is how many orders each demo slot takes.
const SlotCapacity = 5

func loadSlots(ctx context.Context, q *db.Queries, loc *time.Location, now time.Time) error {
	today := now.In(loc)
	for d := range 7 {
		day := time.Date(today.Year(), today.Month(), today.Day()+d, 0, 0, 0, 0, loc)
		for _, t := range SlotTimes {
			// time.Date, not midnight plus hours: 09:00 stays 09:00 on a clock-change day.
			start := time.Date(day.Year(), day.Month(), day.Day(), t[0], 0, 0, 0, loc)
			if !start.After(now) {
				continue
			}
			_, err := q.InsertSlotIfMissing(ctx, db.InsertSlotIfMissingParams{
				StartsAt: start, EndsAt: time.Date(day.Year(), day.Month(), day.Day(), t[1], 0, 0, 0, loc), Capacity: SlotCapacity,
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func loadCatalogue(ctx context.Context, q *db.Queries, currency string, now time.Time) (int, error) {
	categories := map[string]int64{}
	for _, c := range Categories() {
		id, err := q.UpsertCategory(ctx, db.UpsertCategoryParams{Slug: c.Slug, Name: c.Name, Position: int32(c.Position)})
		if err != nil {
			return 0, err
		}
		categories[c.Slug] = id
	}
	added := 0
	for _, p := range Products() {
		if exists, err := q.ProductSlugExists(ctx, p.Slug); err != nil {
			return 0, err
		} else if exists {
			continue // already there: leave it, and its image, as it is
		}
		img := Image(p)
		size, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			return 0, fmt.Errorf("demo image for %s: %w", p.Slug, err)
		}
		sum := sha256.Sum256(img)
		imageID, err := q.UpsertImage(ctx, db.UpsertImageParams{
			Sha256: sum[:], ContentType: "image/png", ByteSize: int32(len(img)),
			Width: int32(size.Width), Height: int32(size.Height), Data: img,
		})
		if err != nil {
			return 0, err
		}
		n, err := q.InsertProductIfMissing(ctx, db.InsertProductIfMissingParams{
			CategoryID:  categories[p.CategorySlug],
			Slug:        p.Slug,
			Name:        p.Name,
			Description: p.Description,
			PriceMinor:  p.PriceMinor,
			Currency:    currency,
			Stock:       p.Stock,
			ImageID:     pgtype.Int8{Int64: imageID, Valid: true},
			CreatedAt:   now.Add(-time.Duration(p.AgeDays) * 24 * time.Hour),
		})
		if err != nil {
			return 0, err
		}
		added += int(n)
	}
	return added, nil
}

// The demo shop's owner account, created by `shopfront seed` in
// development only. Production refuses to start while it exists with this
// password.
const (
	OwnerEmail    = "owner@example.com"
	OwnerPassword = "demo-owner-password"
)

// LoadOwner creates the demo owner unless an account with its email exists.
func LoadOwner(ctx context.Context, pool *pgxpool.Pool) (created bool, err error) {
	q := db.New(pool)
	if _, err := q.StaffByEmail(ctx, OwnerEmail); err == nil {
		return false, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	_, err = staffauth.Create(ctx, q, OwnerEmail, "Demo Owner", staffauth.RoleOwner, OwnerPassword)
	if errors.Is(err, staffauth.ErrEmailTaken) {
		return false, nil // created meanwhile
	}
	return err == nil, err
}

// OwnerStillDemo reports whether the demo owner exists, is active and still
// has the demo password.
func OwnerStillDemo(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	row, err := db.New(pool).StaffByEmail(ctx, OwnerEmail)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return row.Active && staffauth.CheckPassword(OwnerPassword, row.PasswordHash), nil
}
