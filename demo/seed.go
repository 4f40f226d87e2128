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

	"shopfront/calendar"
	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
	"shopfront/staffauth"
)

// Load inserts the demo shop in one transaction: the catalogue, and its
// week (a schedule, delivery days, a product made to order) with the
// slots it makes. It only adds what is
// missing, so loading twice adds nothing; it returns how many products it added.
func Load(ctx context.Context, pool *pgxpool.Pool, currency string, loc *time.Location, now time.Time) (added int, err error) {
	if err := LoadSettings(ctx, pool, now); err != nil {
		return 0, fmt.Errorf("the demo shop's settings: %w", err)
	}
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if added, err = loadCatalogue(ctx, q, currency, now); err != nil {
			return err
		}
		return loadSlots(ctx, q, loc, now)
	})
	if err == nil && added > 0 {
		err = db.Analyze(ctx, pool)
	}
	return added, err
}

// LoadSettings sets the demo shop up as an owner would, unless the shop is
// set up already: its name, the bakery to collect from, opening hours and
// a delivery zone.
func LoadSettings(ctx context.Context, pool *pgxpool.Pool, now time.Time) error {
	current, err := settings.Load(ctx, db.New(pool))
	if err != nil || current.Configured {
		return err
	}
	var week [7][]settings.Range
	for d := time.Tuesday; d <= time.Saturday; d++ {
		week[d] = []settings.Range{{Opens: 8 * 60, Closes: 16 * 60}}
	}
	week[time.Sunday] = []settings.Range{{Opens: 9 * 60, Closes: 13 * 60}}
	steps := []func(settings.Change) error{
		func(ch settings.Change) error {
			return settings.SaveIdentity(ctx, pool, ch, settings.Identity{Name: "Shopfront Demo Bakery",
				Description: "Sourdough, pastries and cakes, baked every morning in Bristol. Order ahead, collect or have it delivered."})
		},
		func(ch settings.Change) error {
			return settings.SaveContact(ctx, pool, ch, settings.Contact{Phone: "0117 496 0000", Email: "hello@demo-bakery.example", PickupEnabled: true})
		},
		func(ch settings.Change) error {
			return settings.SavePoint(ctx, pool, ch, settings.PickupPoint{Name: "The bakery", Address: "12 Demo Street\nBristol BS1 4DJ",
				Instructions: "Collect at the counter; the side door on Demo Lane has no step.", Active: true})
		},
		func(ch settings.Change) error { return settings.SaveHours(ctx, pool, ch, week) },
		func(ch settings.Change) error {
			return settings.SaveZone(ctx, pool, ch, shop.DeliveryZone{Name: "Central Bristol",
				Prefixes: []string{"BS1", "BS2", "BS3", "BS5", "BS6", "BS7", "BS8"}, Fee: 350, Minimum: 1500, FreeOver: 4000, HasFreeOver: true})
		},
		func(ch settings.Change) error { return settings.SaveDeliveryEnabled(ctx, pool, ch, true) },
	}
	for _, step := range steps {
		s, err := settings.Load(ctx, db.New(pool))
		if err != nil {
			return err
		}
		if err := step(settings.Change{Version: s.Version, Now: now}); err != nil {
			return err
		}
	}
	return nil
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

// MadeToOrder is the demo's product made to order, and its daily limit.
const (
	MadeToOrder      = "white-sourdough-loaf"
	MadeToOrderLimit = 40
)

// loadSlots gives the demo shop its week, unless it has a schedule: the
// windows of SlotTimes every day at its pickup point, deliveries on
// Tuesdays, Thursdays and Saturdays, and its sourdough made to order;
// then makes the slots up to the horizon.
func loadSlots(ctx context.Context, q *db.Queries, loc *time.Location, now time.Time) error {
	point, err := q.DefaultPickupPoint(ctx)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // nowhere to collect from
	} else if err != nil {
		return err
	}
	rules, err := q.ScheduleRules(ctx)
	if err != nil || len(rules) > 0 {
		return err
	}
	for _, t := range SlotTimes {
		if _, err := q.InsertScheduleRule(ctx, db.InsertScheduleRuleParams{PickupPointID: point, Weekdays: int32(shop.AllWeek),
			Starts: settings.TimeOf(shop.Clock(t[0] * 60)), Ends: settings.TimeOf(shop.Clock(t[1] * 60)), SlotMinutes: 60, Capacity: SlotCapacity}); err != nil {
			return err
		}
	}
	zones, err := q.DeliveryZones(ctx)
	if err != nil {
		return err
	}
	for _, z := range zones {
		for _, d := range []time.Weekday{time.Tuesday, time.Thursday, time.Saturday} {
			if err := q.InsertDeliveryDay(ctx, db.InsertDeliveryDayParams{ZoneID: z.ID, Weekday: int32(d), Capacity: 20}); err != nil {
				return err
			}
		}
	}
	if id, err := q.ProductIDBySlug(ctx, MadeToOrder); err == nil {
		if _, err := q.SetProductDaily(ctx, db.SetProductDailyParams{ID: id, DailyLimit: pgtype.Int4{Int32: MadeToOrderLimit, Valid: true}, MadeOn: int32(shop.AllWeek)}); err != nil {
			return err
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	_, err = calendar.Generate(ctx, q, now, loc)
	return err
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
