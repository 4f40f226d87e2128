package mail

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
)

// Mailbox is the development mailbox: with no SMTP server configured in
// development, messages are kept in Postgres and listed at /dev/mail, so
// every node shows the same mail and a restart loses none.
type Mailbox struct{ pool *pgxpool.Pool }

// NewMailbox returns the development mailbox in pool's database.
func NewMailbox(pool *pgxpool.Pool) *Mailbox { return &Mailbox{pool: pool} }

// Send keeps m in the mailbox.
func (b *Mailbox) Send(ctx context.Context, m Message) error {
	raw, err := Raw(m)
	if err != nil {
		return err
	}
	err = db.New(b.pool).InsertDevMail(ctx, db.InsertDevMailParams{
		MessageID: m.MessageID, Sender: address(m.From).String(), Recipients: address(m.To).String(),
		Subject: header(m.Subject), TextBody: m.Text, HtmlBody: m.HTML, Raw: raw,
	})
	if err != nil {
		return fmt.Errorf("keeping the message in the development mailbox: %w", err)
	}
	return nil
}
