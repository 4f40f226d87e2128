package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"shopfront/db"
	mailer "shopfront/mail"
	"shopfront/outbox"
	"shopfront/settings"
	"shopfront/staffauth"
	"shopfront/views"
)

// emailWorker sends one email row: it composes the message from what is
// in Postgres now, hands it to the mail server, and records the outcome
// on the row staff see. Temporary failures are retried with backoff; a
// permanent refusal, or the last attempt, marks the email failed.
type emailWorker struct {
	river.WorkerDefaults[outbox.SendEmail]
	cfg Config
	log *slog.Logger
}

// Timeout bounds a job a little beyond the send itself.
func (w *emailWorker) Timeout(*river.Job[outbox.SendEmail]) time.Duration {
	return w.cfg.SendTimeout + 10*time.Second
}

// unsendable is an email that can never be composed: trying again is
// pointless.
type unsendable struct{ why string }

func (e *unsendable) Error() string { return e.why }

func (w *emailWorker) Work(ctx context.Context, job *river.Job[outbox.SendEmail]) error {
	q := db.New(w.cfg.Pool)
	e, err := q.EmailToSend(ctx, job.Args.EmailID)
	if errors.Is(err, pgx.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("email %d no longer exists", job.Args.EmailID))
	} else if err != nil {
		return fmt.Errorf("reading email %d: %w", job.Args.EmailID, err)
	}
	if e.Resends != job.Args.Resend || e.Status != "pending" {
		return nil // sent or given up already, or a newer "send again" took over
	}
	mark := func(status string, sendErr error) error {
		now := w.cfg.Now()
		switch status {
		case "sent":
			return q.MarkEmailSent(ctx, db.MarkEmailSentParams{ID: e.ID, Resends: e.Resends, At: now})
		case "failed":
			attempted := int32(1)
			var u *unsendable
			if errors.As(sendErr, &u) {
				attempted = 0
			}
			return q.MarkEmailFailed(ctx, db.MarkEmailFailedParams{ID: e.ID, Resends: e.Resends, Attempted: attempted, Error: errorText(sendErr), At: now})
		default:
			return q.RecordEmailAttempt(ctx, db.RecordEmailAttemptParams{ID: e.ID, Resends: e.Resends, Error: errorText(sendErr), At: now})
		}
	}

	msg, err := w.compose(ctx, q, e)
	var u *unsendable
	if errors.As(err, &u) {
		emailsTotal.WithLabelValues(e.Kind, "failed").Inc()
		if merr := mark("failed", err); merr != nil {
			return merr
		}
		return river.JobCancel(err)
	} else if err != nil {
		return fmt.Errorf("composing email %d: %w", e.ID, err)
	}

	sendErr := w.cfg.Sender.Send(ctx, msg)
	attrs := []slog.Attr{slog.Int64("email_id", e.ID), slog.String("kind", e.Kind), slog.String("message_id", msg.MessageID), slog.Int("attempt", job.Attempt)}
	switch {
	case sendErr == nil:
		emailsTotal.WithLabelValues(e.Kind, "sent").Inc()
		w.log.LogAttrs(ctx, slog.LevelInfo, "email sent", attrs...)
		return mark("sent", nil)
	case mailer.IsPermanent(sendErr):
		emailsTotal.WithLabelValues(e.Kind, "failed").Inc()
		w.log.LogAttrs(ctx, slog.LevelWarn, "email refused", append(attrs, slog.String("error", sendErr.Error()))...)
		if err := mark("failed", sendErr); err != nil {
			return err
		}
		return river.JobCancel(sendErr)
	case job.Attempt >= job.MaxAttempts:
		emailsTotal.WithLabelValues(e.Kind, "failed").Inc()
		w.log.LogAttrs(ctx, slog.LevelWarn, "email given up", append(attrs, slog.String("error", sendErr.Error()))...)
		if err := mark("failed", sendErr); err != nil {
			return err
		}
		return sendErr // River discards the job after its last attempt
	default:
		emailsTotal.WithLabelValues(e.Kind, "retry").Inc()
		if err := mark("pending", sendErr); err != nil {
			return err
		}
		return sendErr
	}
}

// errorText is what staff see of a failure: short, one line.
func errorText(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 480 {
		s = s[:480] + "…"
	}
	return s
}

func (w *emailWorker) compose(ctx context.Context, q *db.Queries, e db.EmailToSendRow) (mailer.Message, error) {
	kind := outbox.Kind(e.Kind)
	shopSettings, err := settings.Load(ctx, q)
	if err != nil {
		return mailer.Message{}, err
	}
	s := emailShop(w.cfg.Shop, shopSettings, w.cfg.Paths)
	from := w.cfg.Shop.From
	if from.Name == "" {
		from.Name = shopSettings.Name
	}
	m := mailer.Message{From: from, ReplyTo: w.cfg.Shop.ReplyTo, To: mail.Address{Address: e.Recipient}, Date: w.cfg.Now()}
	var html, text templ.Component
	switch {
	case e.OrderID.Valid:
		o, err := q.OrderForEmail(ctx, e.OrderID.Int64)
		if err != nil {
			return m, err
		}
		lines, err := q.OrderLines(ctx, o.ID)
		if err != nil {
			return m, err
		}
		v := views.OrderEmailModel(kind, o, lines, s, shopSettings, w.cfg.Paths)
		if v.ForCustomer() {
			m.To.Name = o.CustomerName
		}
		m.Subject, html, text = v.Subject(), views.OrderEmailHTML(v), views.OrderEmailText(v)
		m.MessageID = messageID(fmt.Sprintf("order-%d.%s", o.Number, kind), e.Resends, w.cfg.Shop.Host)
	case e.StaffTokenID.Valid:
		t, err := q.StaffTokenForEmail(ctx, e.StaffTokenID.Int64)
		if err != nil {
			return m, err
		}
		// The link is made now, so only its hash is ever stored; sending
		// again makes a new one and the old one stops working.
		token, hash := staffauth.NewLinkToken()
		n, err := q.SetStaffTokenHash(ctx, db.SetStaffTokenHashParams{ID: t.ID, TokenHash: hash, Now: w.cfg.Now()})
		if err != nil {
			return m, err
		}
		if n == 0 {
			return m, &unsendable{why: "the link was used or had expired before it could be sent"}
		}
		route := views.RouteAdminReset
		if kind == outbox.StaffInvite {
			route = views.RouteAdminInvite
		}
		v := views.StaffLinkModel(kind, t.Name, t.Role.String, s.BaseURL+w.cfg.Paths.URL(route, token), t.ExpiresAt, s)
		m.To.Name = t.Name
		m.Subject, html, text = v.Subject(), views.StaffLinkHTML(v), views.StaffLinkText(v)
		m.MessageID = messageID(fmt.Sprintf("staff-link-%d.%s", t.ID, kind), e.Resends, w.cfg.Shop.Host)
	default:
		return m, &unsendable{why: "the email belongs to nothing"}
	}
	if m.HTML, err = renderString(ctx, html); err != nil {
		return m, err
	}
	if m.Text, err = renderString(ctx, text); err != nil {
		return m, err
	}
	return m, nil
}

// emailShop is what an email says about the shop, from its settings: its
// name, logo and how to reach it.
func emailShop(sh Shop, st *settings.Settings, paths views.Paths) views.EmailShop {
	contact := []string{"Questions about your order? Reply to this email"}
	if st.Phone != "" {
		contact = append(contact, "or call "+st.Phone)
	}
	e := views.EmailShop{Name: st.Name, BaseURL: sh.BaseURL, Location: sh.Location, Contact: strings.Join(contact, " ") + "."}
	if st.LogoHash != "" {
		e.LogoURL = sh.BaseURL + paths.URL(views.RouteImage, st.LogoHash)
	}
	return e
}

// messageID is stable for a cause, so that a rare duplicate (the server
// took the message, then the node died before recording it) is
// recognisable as one; each "send again" gets its own.
func messageID(base string, resend int32, host string) string {
	if resend > 0 {
		base += fmt.Sprintf(".%d", resend)
	}
	return base + "@" + host
}

func renderString(ctx context.Context, c templ.Component) (string, error) {
	var b strings.Builder
	if err := c.Render(ctx, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}
