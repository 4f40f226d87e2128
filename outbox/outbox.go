// Package outbox records the side effects of a change inside the change's
// own transaction: an email row (what staff see) and the River job that
// sends it. A rolled-back transaction leaves neither; a committed one is
// never lost, whichever node dies afterwards. The jobs package works them.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"shopfront/db"
	"shopfront/shop"
)

// Kind is a kind of email.
type Kind string

// The emails the shop sends.
const (
	OrderConfirmation   Kind = "order_confirmation"
	OrderAlert          Kind = "order_alert"
	OrderReady          Kind = "order_ready"
	OrderOutForDelivery Kind = "order_out_for_delivery"
	OrderDelivered      Kind = "order_delivered"
	OrderCancelled      Kind = "order_cancelled"
	StaffInvite         Kind = "staff_invite"
	PasswordReset       Kind = "password_reset"
)

// Label is how staff see an email's kind.
func (k Kind) Label() string {
	switch k {
	case OrderConfirmation:
		return "Order confirmation"
	case OrderAlert:
		return "New-order alert to the shop"
	case OrderReady:
		return "Ready to collect"
	case OrderOutForDelivery:
		return "Out for delivery"
	case OrderDelivered:
		return "Delivered"
	case OrderCancelled:
		return "Cancellation"
	case StaffInvite:
		return "Staff invitation"
	case PasswordReset:
		return "Password reset"
	}
	return string(k)
}

// StatusEmail is the email a customer gets when their order reaches
// status, if any: nothing for "collected" (they are standing in the shop).
func StatusEmail(status, fulfilment string) (Kind, bool) {
	switch {
	case status == shop.StatusReady && fulfilment == shop.Delivery:
		return OrderOutForDelivery, true
	case status == shop.StatusReady:
		return OrderReady, true
	case status == shop.StatusDelivered:
		return OrderDelivered, true
	case status == shop.StatusCancelled:
		return OrderCancelled, true
	}
	return "", false
}

// EmailAttempts is how often an email is tried before it is given up and
// shown to staff as failed. With the retry schedule in the jobs package
// that is about two hours of trying.
const EmailAttempts = 8

// SendEmail is the job that sends one email row. Resend tells a staff
// "send again" apart from the first sending, so that it is a new job.
type SendEmail struct {
	EmailID int64 `json:"email_id"`
	Resend  int32 `json:"resend"`
}

// Kind is River's name for the job.
func (SendEmail) Kind() string { return "send_email" }

// InsertOpts: at most one live job per email and resend, however often
// the cause is replayed.
func (SendEmail) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: EmailAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Housekeeping is the periodic clean-up job.
type Housekeeping struct{}

// Kind is River's name for the job.
func (Housekeeping) Kind() string { return "housekeeping" }

// Anonymise is the daily job that removes customers' personal data from
// orders older than the shop's retention period.
type Anonymise struct{}

// Kind is River's name for the job.
func (Anonymise) Kind() string { return "anonymise_orders" }

// MakeSlots is the hourly job that makes pickup slots and delivery days
// from the schedule, so the booking horizon moves on day by day.
type MakeSlots struct{}

// Kind is River's name for the job.
func (MakeSlots) Kind() string { return "make_slots" }

// Inserter puts a job into the queue inside a transaction; River's client
// is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Outbox enqueues the shop's emails.
type Outbox struct {
	jobs Inserter
}

// New returns an Outbox inserting into jobs.
func New(jobs Inserter) *Outbox { return &Outbox{jobs: jobs} }

// OrderPlaced enqueues the customer's confirmation and the shop's alert:
// to the addresses the settings name, or else to every active owner.
func (o *Outbox) OrderPlaced(ctx context.Context, tx pgx.Tx, orderID int64, customer string) error {
	if err := o.orderEmail(ctx, tx, OrderConfirmation, orderID, customer); err != nil {
		return err
	}
	q := db.New(tx)
	to, err := q.NotifyEmails(ctx)
	if err != nil {
		return fmt.Errorf("finding who gets new-order alerts: %w", err)
	}
	if len(to) == 0 {
		if to, err = q.ShopOwnerEmails(ctx); err != nil {
			return fmt.Errorf("finding who gets new-order alerts: %w", err)
		}
	}
	for _, addr := range to {
		if err := o.orderEmail(ctx, tx, OrderAlert, orderID, addr); err != nil {
			return err
		}
	}
	return nil
}

// OrderStatus enqueues the customer's email for an order's new status.
func (o *Outbox) OrderStatus(ctx context.Context, tx pgx.Tx, orderID int64, status, fulfilment, customer string) error {
	kind, ok := StatusEmail(status, fulfilment)
	if !ok {
		return nil
	}
	return o.orderEmail(ctx, tx, kind, orderID, customer)
}

func (o *Outbox) orderEmail(ctx context.Context, tx pgx.Tx, kind Kind, orderID int64, to string) error {
	return o.enqueue(ctx, tx, db.InsertEmailParams{
		Kind: string(kind), OrderID: pgtype.Int8{Int64: orderID, Valid: true}, Recipient: strings.TrimSpace(to),
	})
}

// StaffLink enqueues an invitation or a reset email for a staff token.
func (o *Outbox) StaffLink(ctx context.Context, tx pgx.Tx, kind Kind, tokenID int64, to string) error {
	return o.enqueue(ctx, tx, db.InsertEmailParams{
		Kind: string(kind), StaffTokenID: pgtype.Int8{Int64: tokenID, Valid: true}, Recipient: to,
	})
}

func (o *Outbox) enqueue(ctx context.Context, tx pgx.Tx, p db.InsertEmailParams) error {
	id, err := db.New(tx).InsertEmail(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // this cause already has its email
	} else if err != nil {
		return fmt.Errorf("recording the %s email: %w", p.Kind, err)
	}
	return o.Send(ctx, tx, id, 0)
}

// Send enqueues the job that sends email id (again, for resend > 0).
func (o *Outbox) Send(ctx context.Context, tx pgx.Tx, emailID int64, resend int32) error {
	if _, err := o.jobs.InsertTx(ctx, tx, SendEmail{EmailID: emailID, Resend: resend}, nil); err != nil {
		return fmt.Errorf("queueing email %d: %w", emailID, err)
	}
	return nil
}
