package calendar_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"shopfront/apptest"
	"shopfront/calendar"
	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// BenchmarkGenerateAtTheLongestHorizon is one hourly run with nothing to
// do: four windows every day, 90 days ahead (360 slots to compare).
func BenchmarkGenerateAtTheLongestHorizon(b *testing.B) {
	ctx := context.Background()
	pool := apptest.NewPool(b, apptest.NewDatabase(b, false), 4)
	st, err := settings.Load(ctx, db.New(pool))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if err := calendar.SaveOrdering(ctx, pool, settings.Change{Version: st.Version, Now: now}, apptest.London, calendar.MaxHorizon, st.Cutoff, 0); err != nil {
		b.Fatal(err)
	}
	point := st.ActivePoints()[0].ID
	for _, h := range []int{9, 11, 14, 16} {
		rule := calendar.Rule{PointID: point, Days: shop.AllWeek, Starts: shop.Clock(h * 60), Ends: shop.Clock(h*60 + 60), Every: time.Hour, Capacity: 5}
		if _, err := calendar.AddRule(ctx, pool, calendar.Edit{Now: now, Loc: apptest.London}, rule, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
			res, err := calendar.Generate(ctx, q, now, apptest.London)
			if err == nil && res.Made+res.Removed+res.Changed+res.Kept != 0 {
				b.Fatalf("an idempotent run changed %s", res)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
