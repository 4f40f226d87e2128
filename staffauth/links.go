package staffauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/outbox"
	"shopfront/shop"
)

// How long single-use links work.
const (
	InviteValidFor = 48 * time.Hour
	ResetValidFor  = time.Hour
)

// MaxResetsPerHour bounds reset emails per account: more requests are
// accepted (the page says the same) but send nothing, so nobody can flood
// an owner's inbox.
const MaxResetsPerHour = 3

// Link purposes.
const (
	PurposeInvite = "invite"
	PurposeReset  = "reset"
)

var (
	// ErrLinkInvalid means no link has this token: mistyped, cut short,
	// forged, or replaced by a newer one.
	ErrLinkInvalid = errors.New("this link is not valid")
	// ErrLinkUsed means the link worked once already.
	ErrLinkUsed = errors.New("this link was already used")
	// ErrLinkExpired means the link is too old.
	ErrLinkExpired = errors.New("this link has expired")
	// ErrAlreadyInvited means an invitation to this address is waiting.
	ErrAlreadyInvited = errors.New("an invitation to this address is already waiting")
	// ErrNoAccount means no active account has this email.
	ErrNoAccount = errors.New("no active account has this email")
)

// linkTokenPattern is what a link token looks like: 256 random bits.
var linkTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// NewLinkToken makes the secret part of a single-use link and the hash
// that is stored in its place.
func NewLinkToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Link is a valid single-use link.
type Link struct {
	ID      int64
	Purpose string
	Email   string
	Name    string
	Role    string
	StaffID int64
	Expires time.Time
}

// CheckLink finds the link a token belongs to and says whether it still
// works, without using it.
func CheckLink(ctx context.Context, q *db.Queries, token, purpose string, now time.Time) (Link, error) {
	if !linkTokenPattern.MatchString(token) {
		return Link{}, ErrLinkInvalid
	}
	row, err := q.StaffTokenByHash(ctx, hashToken(token))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && row.Purpose != purpose) {
		return Link{}, ErrLinkInvalid
	} else if err != nil {
		return Link{}, fmt.Errorf("reading the link: %w", err)
	}
	switch {
	case row.UsedAt.Valid:
		return Link{}, ErrLinkUsed
	case !now.Before(row.ExpiresAt):
		return Link{}, ErrLinkExpired
	}
	return Link{ID: row.ID, Purpose: row.Purpose, Email: row.Email, Name: row.Name, Role: row.Role.String,
		StaffID: row.StaffID.Int64, Expires: row.ExpiresAt}, nil
}

// Invitation is an owner inviting someone to the staff area.
type Invitation struct {
	Email, Name, Role string
	By                int64 // the owner; 0 from the command line
	Now               time.Time
}

// Invite records an invitation and, in the same transaction, the email
// that carries its link (made when the email is sent).
func Invite(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, inv Invitation) error {
	_, err := invite(ctx, pool, inv, func(ctx context.Context, tx pgx.Tx, id int64, a Account) ([]byte, error) {
		return nil, out.StaffLink(ctx, tx, outbox.StaffInvite, id, a.Email)
	})
	return err
}

// InviteLink records an invitation and returns its link's token, for the
// first owner of a shop that has no working mail yet.
func InviteLink(ctx context.Context, pool *pgxpool.Pool, inv Invitation) (string, error) {
	token, hash := NewLinkToken()
	_, err := invite(ctx, pool, inv, func(context.Context, pgx.Tx, int64, Account) ([]byte, error) { return hash, nil })
	return token, err
}

func invite(ctx context.Context, pool *pgxpool.Pool, inv Invitation, then func(context.Context, pgx.Tx, int64, Account) ([]byte, error)) (int64, error) {
	a, err := CheckAccount(inv.Email, inv.Name, inv.Role)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(inv.Name) == "" {
		a.Name = "" // the invitee chooses; the email's part before @ is only a fallback
	}
	var id int64
	err = db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		if err := q.LockStaffEmail(ctx, a.Email); err != nil {
			return err
		}
		if _, err := q.StaffByEmail(ctx, a.Email); err == nil {
			return ErrEmailTaken
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := q.PendingInviteFor(ctx, db.PendingInviteForParams{Email: a.Email, Now: inv.Now}); err == nil {
			return ErrAlreadyInvited
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// The hash is set now for a printed link, or by the email job.
		params := db.CreateStaffTokenParams{
			Purpose: PurposeInvite, Email: a.Email, Name: a.Name, Role: pgtype.Text{String: a.Role, Valid: true},
			CreatedBy: pgtype.Int8{Int64: inv.By, Valid: inv.By != 0}, CreatedAt: inv.Now, ExpiresAt: inv.Now.Add(InviteValidFor),
		}
		var err error
		if id, err = q.CreateStaffToken(ctx, params); err != nil {
			return fmt.Errorf("recording the invitation: %w", err)
		}
		hash, err := then(ctx, tx, id, a)
		if err != nil || hash == nil {
			return err
		}
		_, err = q.SetStaffTokenHash(ctx, db.SetStaffTokenHashParams{ID: id, TokenHash: hash, Now: inv.Now})
		return err
	})
	return id, err
}

// AcceptInvite creates the invited account with the password the invitee
// chose and uses the link up. It returns the new account's email.
func AcceptInvite(ctx context.Context, pool *pgxpool.Pool, token, name, password string, now time.Time) (string, error) {
	link, err := CheckLink(ctx, db.New(pool), token, PurposeInvite, now)
	if err != nil {
		return "", err
	}
	if name = shop.CleanText(name); name == "" {
		name = link.Name
	}
	a, err := CheckAccount(link.Email, name, link.Role)
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(password, a.Email, a.Name) // outside the transaction: it takes a while
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := useLink(ctx, q, link.ID, now); err != nil {
			return err
		}
		_, err := createAccount(ctx, q, a, hash)
		return err
	})
	return a.Email, err
}

// WithdrawInvite stops a waiting invitation's link from working.
func WithdrawInvite(ctx context.Context, q *db.Queries, id int64, now time.Time) (bool, error) {
	n, err := q.WithdrawInvite(ctx, db.WithdrawInviteParams{ID: id, Now: now})
	return n > 0, err
}

// ResendInvite emails a waiting invitation again with a new link (the old
// one stops working) and gives it a fresh 48 hours.
func ResendInvite(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, id int64, now time.Time) (bool, error) {
	sent := false
	err := db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		row, err := q.RestartInviteEmail(ctx, db.RestartInviteEmailParams{TokenID: id, ExpiresAt: now.Add(InviteValidFor)})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // used, withdrawn, or its email is still waiting to go
		} else if err != nil {
			return err
		}
		sent = true
		return out.Send(ctx, tx, row.ID, row.Resends)
	})
	return sent, err
}

// RequestReset emails a reset link to the account with this email, if
// there is an active one. The caller says the same whatever happened, so
// nobody learns which emails have accounts.
func RequestReset(ctx context.Context, pool *pgxpool.Pool, out *outbox.Outbox, email string, now time.Time) error {
	_, err := requestReset(ctx, pool, email, now, func(ctx context.Context, tx pgx.Tx, id int64, to string) ([]byte, error) {
		return nil, out.StaffLink(ctx, tx, outbox.PasswordReset, id, to)
	})
	if errors.Is(err, ErrNoAccount) {
		return nil
	}
	return err
}

// ResetLink makes a reset link for the account and returns its token, for
// an owner locked out of a shop whose mail does not work yet.
func ResetLink(ctx context.Context, pool *pgxpool.Pool, email string, now time.Time) (string, error) {
	token, hash := NewLinkToken()
	_, err := requestReset(ctx, pool, email, now, func(context.Context, pgx.Tx, int64, string) ([]byte, error) { return hash, nil })
	return token, err
}

func requestReset(ctx context.Context, pool *pgxpool.Pool, email string, now time.Time, then func(context.Context, pgx.Tx, int64, string) ([]byte, error)) (bool, error) {
	email = strings.ToLower(shop.CleanText(email))
	if len(email) > 254 || !strings.Contains(email, "@") {
		return false, ErrNoAccount
	}
	made := false
	err := db.InTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		made = false
		if err := q.LockStaffEmail(ctx, email); err != nil {
			return err
		}
		st, err := q.StaffByEmail(ctx, email)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !st.Active) {
			return ErrNoAccount
		} else if err != nil {
			return err
		}
		recent, err := q.RecentResetRequests(ctx, db.RecentResetRequestsParams{StaffID: st.ID, Since: now.Add(-time.Hour)})
		if err != nil {
			return err
		}
		if recent >= MaxResetsPerHour {
			return nil
		}
		id, err := q.CreateStaffToken(ctx, db.CreateStaffTokenParams{
			Purpose: PurposeReset, Email: st.Email, StaffID: pgtype.Int8{Int64: st.ID, Valid: true},
			CreatedAt: now, ExpiresAt: now.Add(ResetValidFor),
		})
		if err != nil {
			return fmt.Errorf("recording the reset: %w", err)
		}
		hash, err := then(ctx, tx, id, st.Email)
		if err != nil {
			return err
		}
		made = true
		if hash != nil {
			_, err = q.SetStaffTokenHash(ctx, db.SetStaffTokenHashParams{ID: id, TokenHash: hash, Now: now})
		}
		return err
	})
	return made, err
}

// ResetPassword sets a new password through a reset link, uses the link
// up, ends the account's other reset links and signs it out everywhere.
func ResetPassword(ctx context.Context, pool *pgxpool.Pool, token, password string, now time.Time) (string, error) {
	link, err := CheckLink(ctx, db.New(pool), token, PurposeReset, now)
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(password, link.Email) // outside the transaction: it takes a while
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := useLink(ctx, q, link.ID, now); err != nil {
			return err
		}
		if err := q.SetStaffPassword(ctx, db.SetStaffPasswordParams{ID: link.StaffID, PasswordHash: hash}); err != nil {
			return err
		}
		return q.EndOtherResets(ctx, db.EndOtherResetsParams{StaffID: link.StaffID, Now: now})
	})
	return link.Email, err
}

// useLink consumes a link; a concurrent use of the same link loses.
func useLink(ctx context.Context, q *db.Queries, id int64, now time.Time) error {
	n, err := q.UseStaffToken(ctx, db.UseStaffTokenParams{ID: id, Now: now})
	if err != nil {
		return fmt.Errorf("using the link: %w", err)
	}
	if n == 0 {
		return ErrLinkUsed
	}
	return nil
}
