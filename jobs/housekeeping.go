package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"shopfront/calendar"
	"shopfront/db"
	"shopfront/outbox"
)

// Retention of what housekeeping deletes. River deletes its own finished
// jobs (completed after a day, cancelled and discarded after a week).
const (
	// StaffSessionRetention outlasts the longest staff session allowed (a
	// device kept signed in: 90 days), StaffSessionIdleRetention its
	// longest idle time (30 days).
	StaffSessionRetention     = 91 * 24 * time.Hour
	StaffSessionIdleRetention = 31 * 24 * time.Hour
	// RevokedSessionRetention: a signed-out session's row only has to
	// outlive the requests still in flight with its cookie.
	RevokedSessionRetention = 24 * time.Hour
	// LoginFailureRetention outlasts the sign-in limit's window.
	LoginFailureRetention = 24 * time.Hour
	// UnusedImageAge keeps an image nobody uses for a day, so an upload
	// in progress is never caught between storing its image and using it.
	UnusedImageAge = 24 * time.Hour
	// StaffTokenRetention keeps used and expired links visible for a week.
	StaffTokenRetention = 7 * 24 * time.Hour
	// DevMailRetention is how long the development mailbox keeps mail.
	DevMailRetention = 7 * 24 * time.Hour
)

// housekeepingWorker deletes what nobody needs any more. It is scheduled
// by the leader (one node) and is unique per period.
type housekeepingWorker struct {
	river.WorkerDefaults[outbox.Housekeeping]
	pool *pgxpool.Pool
	now  func() time.Time
	log  *slog.Logger
}

func (w *housekeepingWorker) Work(ctx context.Context, _ *river.Job[outbox.Housekeeping]) error {
	r, err := Housekeep(ctx, w.pool, w.now())
	if err != nil {
		return err
	}
	w.log.LogAttrs(ctx, slog.LevelInfo, "housekeeping",
		slog.Int64("staff_sessions", r.StaffSessions), slog.Int64("login_failures", r.LoginFailures),
		slog.Int64("images", r.Images), slog.Int64("staff_links", r.StaffLinks), slog.Int64("dev_mail", r.DevMail),
		slog.Int64("checkout_counts", r.CheckoutCounts))
	return nil
}

// Swept is what one housekeeping run deleted.
type Swept struct {
	StaffSessions, LoginFailures, Images, StaffLinks, DevMail, CheckoutCounts int64
}

// Housekeep deletes ended staff sessions, old sign-in failures, images no
// product uses, old staff links, old development mail and past hours'
// checkout counts, as of now.
func Housekeep(ctx context.Context, pool *pgxpool.Pool, now time.Time) (Swept, error) {
	q := db.New(pool)
	var r Swept
	var err error
	if r.StaffSessions, err = q.DeleteEndedStaffSessions(ctx, db.DeleteEndedStaffSessionsParams{
		Before: now.Add(-StaffSessionRetention), IdleBefore: now.Add(-StaffSessionIdleRetention), RevokedBefore: now.Add(-RevokedSessionRetention),
	}); err != nil {
		return r, fmt.Errorf("deleting ended staff sessions: %w", err)
	}
	if r.LoginFailures, err = q.DeleteLoginFailuresBefore(ctx, now.Add(-LoginFailureRetention)); err != nil {
		return r, fmt.Errorf("deleting old sign-in failures: %w", err)
	}
	if r.Images, err = q.DeleteUnusedImages(ctx, now.Add(-UnusedImageAge)); err != nil {
		return r, fmt.Errorf("deleting unused images: %w", err)
	}
	if r.StaffLinks, err = q.DeleteOldStaffTokens(ctx, now.Add(-StaffTokenRetention)); err != nil {
		return r, fmt.Errorf("deleting old staff links: %w", err)
	}
	if r.DevMail, err = q.DeleteOldDevMail(ctx, now.Add(-DevMailRetention)); err != nil {
		return r, fmt.Errorf("deleting old development mail: %w", err)
	}
	// Counts of past hours: the hourly order limit reads only this hour's.
	if r.CheckoutCounts, err = q.DeleteOldCheckoutCounts(ctx, now.Add(-2*time.Hour)); err != nil {
		return r, fmt.Errorf("deleting old checkout counts: %w", err)
	}
	return r, nil
}

// anonymiseWorker removes personal data from finished orders older than
// the retention period the owner set (Settings → Policies).
type anonymiseWorker struct {
	river.WorkerDefaults[outbox.Anonymise]
	pool *pgxpool.Pool
	now  func() time.Time
	log  *slog.Logger
}

func (w *anonymiseWorker) Work(ctx context.Context, _ *river.Job[outbox.Anonymise]) error {
	n, err := Anonymise(ctx, w.pool, w.now())
	if err != nil {
		return err
	}
	w.log.LogAttrs(ctx, slog.LevelInfo, "orders anonymised", slog.Int64("orders", n))
	return nil
}

// Anonymise replaces the name, contact details, address and note of every
// collected, delivered or cancelled order placed before the retention
// period, in batches; it returns how many orders it changed.
func Anonymise(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int64, error) {
	q := db.New(pool)
	months, err := q.RetentionMonths(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the retention period: %w", err)
	}
	before := now.AddDate(0, -int(months), 0)
	var total int64
	for {
		n, err := q.AnonymiseOrders(ctx, db.AnonymiseOrdersParams{Before: before, At: now})
		if err != nil {
			return total, fmt.Errorf("anonymising orders: %w", err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// makeSlotsWorker makes the slots and delivery days of the schedule up to
// the horizon (calendar.Generate, idempotent: a second run changes
// nothing).
type makeSlotsWorker struct {
	river.WorkerDefaults[outbox.MakeSlots]
	pool *pgxpool.Pool
	now  func() time.Time
	loc  *time.Location
	log  *slog.Logger
}

func (w *makeSlotsWorker) Work(ctx context.Context, _ *river.Job[outbox.MakeSlots]) error {
	res, err := MakeSlots(ctx, w.pool, w.now(), w.loc)
	if err != nil {
		return err
	}
	w.log.LogAttrs(ctx, slog.LevelInfo, "slots made", slog.Int("made", res.Made), slog.Int("removed", res.Removed), slog.Int("kept", res.Kept))
	return nil
}

// MakeSlots runs calendar.Generate in a transaction of its own.
func MakeSlots(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) (calendar.Result, error) {
	var res calendar.Result
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) (err error) {
		res, err = calendar.Generate(ctx, q, now, loc)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("making slots: %w", err)
	}
	return res, nil
}
