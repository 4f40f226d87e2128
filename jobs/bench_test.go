package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"shopfront/apptest"
	"shopfront/jobs"
	"shopfront/mail"
	"shopfront/orders"
	"shopfront/outbox"
	"shopfront/shop"
	"shopfront/views"
)

// BenchmarkEmailsPerSecond is how fast one node's job queue sends order
// emails to an SMTP server on this machine: each iteration places an order
// (a confirmation and a shop alert), and the clock runs until the queue
// has delivered all of them.
func BenchmarkEmailsPerSecond(b *testing.B) {
	dbURL := apptest.NewDatabase(b, true)
	pool := apptest.NewPool(b, dbURL, 10)
	jobPool := apptest.NewPool(b, dbURL, 8)
	sink := apptest.NewMailSink(b)
	ctx := context.Background()
	var loaf int64
	if err := pool.QueryRow(ctx, "UPDATE products SET stock = 1000000 WHERE slug = 'white-sourdough-loaf' RETURNING id").Scan(&loaf); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	slot := apptest.AddSlot(b, pool, now.Add(48*time.Hour).Truncate(time.Hour), 1000)
	inserter, err := jobs.NewInserter(jobPool)
	if err != nil {
		b.Fatal(err)
	}
	out := outbox.New(inserter)
	place := func(i int) {
		_, err := orders.Place(ctx, pool, out, orders.Request{
			Form: shop.CheckoutForm{Key: fmt.Sprintf("bench-email-%012d", i), Name: "Ada", Email: fmt.Sprintf("ada%d@example.com", i),
				Phone: "0117 496 0000", Fulfilment: shop.Pickup, SlotID: slot,
				Lines: []shop.OrderLine{{ProductID: loaf, Quantity: 1, ExpectedPrice: 1 << 40}}},
			Currency: "GBP", Now: now, Loc: apptest.London,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	server, _ := mail.ParseURL(sink.URL())
	cfg := apptest.TestConfig("https://shop.example", dbURL)
	cfg.JobWorkers = 4
	paths := views.Paths{views.RouteOrder: "/orders/:token", views.RouteAdminOrder: "/admin/orders/:id"}
	jc := jobs.FromConfig(cfg, jobPool, mail.NewSMTP(server, 10*time.Second), paths, slog.New(slog.DiscardHandler))
	q, err := jobs.New(jc)
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	b.StopTimer()
	for i := range b.N {
		place(i)
	}
	b.StartTimer()
	start := time.Now()
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	sink.WaitFor(b, 2*b.N, 10*time.Minute, "every email", func(apptest.Mail) bool { return true })
	elapsed := time.Since(start)
	b.StopTimer()
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = q.Stop(stopCtx)
	b.ReportMetric(float64(2*b.N)/elapsed.Seconds(), "emails/s")
}
