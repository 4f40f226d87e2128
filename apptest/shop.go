package apptest

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/calendar"
	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// The test shop's settings, as its owner would have saved them.
const (
	TestShopName  = "Test Bakery"
	TestPointName = "The test bakery"
)

// TestZones is where the test shop delivers: two areas, £3.50, from £15.
var TestZones = []shop.DeliveryZone{{Name: "Central", Prefixes: []string{"BS1", "BS6"}, Fee: 350, Minimum: 1500}}

// ConfigureShop saves the test shop's settings: its name, one pickup
// point, opening hours, one delivery zone, and alerts to ShopInbox.
func ConfigureShop(ctx context.Context, pool *pgxpool.Pool) error {
	now := time.Now()
	change := func() (settings.Change, error) {
		s, err := settings.Load(ctx, db.New(pool))
		if err != nil {
			return settings.Change{}, err
		}
		return settings.Change{Version: s.Version, Now: now}, nil
	}
	steps := []func(settings.Change) error{
		func(ch settings.Change) error {
			return settings.SaveIdentity(ctx, pool, ch, settings.Identity{Name: TestShopName, Description: "Bread and cakes, baked for tests."})
		},
		func(ch settings.Change) error {
			return settings.SaveContact(ctx, pool, ch, settings.Contact{Phone: "0117 496 0123", Email: "hello@bakery.test", PickupEnabled: true})
		},
		func(ch settings.Change) error {
			return settings.SavePoint(ctx, pool, ch, settings.PickupPoint{Name: TestPointName, Address: "1 Test Street\nBristol BS1 4DJ",
				Instructions: "Ring the bell at the side door.", Active: true})
		},
		func(ch settings.Change) error {
			var week [7][]settings.Range
			for d := time.Tuesday; d <= time.Saturday; d++ {
				week[d] = []settings.Range{{Opens: 8 * 60, Closes: 16 * 60}}
			}
			return settings.SaveHours(ctx, pool, ch, week)
		},
		func(ch settings.Change) error { return settings.SaveZone(ctx, pool, ch, TestZones[0]) },
		func(ch settings.Change) error { return settings.SaveDeliveryEnabled(ctx, pool, ch, true) },
		func(ch settings.Change) error { return settings.SaveNotify(ctx, pool, ch, ShopInbox) },
		// Tests buy from one address, many times: no hourly limit per
		// customer (the tests of the limit set one).
		func(ch settings.Change) error {
			s, err := settings.Load(ctx, db.New(pool))
			if err != nil {
				return err
			}
			return calendar.SaveOrdering(ctx, pool, ch, London, s.HorizonDays, s.Cutoff, 0)
		},
	}
	for _, step := range steps {
		ch, err := change()
		if err != nil {
			return err
		}
		if err := step(ch); err != nil {
			return err
		}
	}
	return nil
}
