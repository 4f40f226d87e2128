// Package staffauth signs staff in and out: argon2id password hashes, a
// sign-in rate limit kept in Postgres (so every node counts the same
// failures), and sessions that Postgres can revoke one by one or all at once.
package staffauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/shop"
)

// Roles.
const (
	RoleOwner = "owner"
	RoleStaff = "staff"
)

// Sign-in limits: this many failures in Window, per account or per client
// address, and further attempts are refused until the oldest leaves it.
const (
	MaxFailures = 10
	Window      = 15 * time.Minute
)

// Password length limits.
const (
	MinPassword = 12
	MaxPassword = 128
)

// params follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about
// 30 ms on one core, and little enough memory for a small machine.
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

var (
	// ErrBadCredentials covers unknown emails, wrong passwords and
	// deactivated accounts alike: the page must not tell them apart.
	ErrBadCredentials = errors.New("email or password is wrong")
	// ErrSignedOut means the session was revoked, the person signed out
	// everywhere, changed password or was deactivated.
	ErrSignedOut = errors.New("signed out")
	// ErrEmailTaken means another account has this email.
	ErrEmailTaken = errors.New("another account uses this email")
)

// RateLimited refuses a sign-in attempt; RetryAfter says when to try again.
type RateLimited struct{ RetryAfter time.Duration }

func (e *RateLimited) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %s", e.RetryAfter.Round(time.Second))
}

// HashPassword checks the password policy and hashes it with argon2id.
func HashPassword(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPassword || n > MaxPassword {
		return "", &shop.InputError{Field: "password", Message: fmt.Sprintf("Use a password of %d to %d characters.", MinPassword, MaxPassword)}
	}
	return argon2id.CreateHash(password, params)
}

// CheckPassword reports whether password matches hash.
func CheckPassword(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// burnTime does the work of a real password check, so that an unknown email
// takes as long to refuse as a wrong password.
func burnTime(password string) {
	dummyOnce.Do(func() { dummyHash, _ = argon2id.CreateHash("not a real password at all", params) })
	CheckPassword(password, dummyHash)
}

// Staff is a signed-in staff member.
type Staff struct {
	ID      int64
	Email   string
	Name    string
	Role    string
	Epoch   int64
	Session string
	// Remember: the session is kept on this device (30 days idle).
	Remember bool
	// LastSeen is when the session was last used, before this request.
	LastSeen time.Time
}

// Owner reports whether the person may manage staff accounts.
func (s Staff) Owner() bool { return s.Role == RoleOwner }

// Device is what a sign-in says about the browser it comes from.
type Device struct {
	// Remember keeps the session on this device for 30 days from its last
	// use (a shop counter's tablet), instead of STAFF_SESSION_MAX_AGE.
	Remember  bool
	UserAgent string
}

// MaxUserAgent is how much of a browser's User-Agent is kept.
const MaxUserAgent = 300

// Login checks a password under the rate limit and opens a session. Every
// failure is recorded, whichever node saw it.
func Login(ctx context.Context, pool *pgxpool.Pool, email, password string, ip netip.Addr, now time.Time, device Device) (Staff, error) {
	email = strings.ToLower(shop.CleanText(email))
	if len(email) > 254 || len(password) > 4*MaxPassword {
		return Staff{}, ErrBadCredentials
	}
	var signedIn Staff
	var outcome error
	err := db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockLoginAttempts(ctx, db.LockLoginAttemptsParams{Email: email, Ip: ip.String()}); err != nil {
			return err
		}
		since := now.Add(-Window)
		recent, err := q.RecentLoginFailures(ctx, db.RecentLoginFailuresParams{Email: email, Since: since, Ip: ip})
		if err != nil {
			return err
		}
		if recent.ByEmail >= MaxFailures || recent.ByIp >= MaxFailures {
			oldest := recent.OldestEmail
			if recent.ByIp >= MaxFailures && (recent.ByEmail < MaxFailures || recent.OldestIp.After(oldest)) {
				oldest = recent.OldestIp
			}
			outcome = &RateLimited{RetryAfter: max(oldest.Add(Window).Sub(now), time.Second)}
			return nil
		}
		row, err := q.StaffByEmail(ctx, email)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			burnTime(password)
		case err != nil:
			return err
		case CheckPassword(password, row.PasswordHash) && row.Active:
			if err := q.ClearLoginFailures(ctx, email); err != nil {
				return err
			}
			session := newSessionID()
			ua := shop.CleanText(device.UserAgent)
			if len(ua) > MaxUserAgent {
				ua = strings.ToValidUTF8(ua[:MaxUserAgent], "")
			}
			if err := q.CreateStaffSession(ctx, db.CreateStaffSessionParams{ID: session, StaffID: row.ID, CreatedAt: now, Remember: device.Remember, UserAgent: ua}); err != nil {
				return err
			}
			signedIn = Staff{ID: row.ID, Email: row.Email, Name: row.Name, Role: row.Role, Epoch: row.SessionEpoch, Session: session, Remember: device.Remember}
			return nil
		}
		// A failure is committed, not rolled back: it must count.
		outcome = ErrBadCredentials
		return q.RecordLoginFailure(ctx, db.RecordLoginFailureParams{Email: email, Ip: ip, FailedAt: now})
	})
	if err != nil {
		return Staff{}, err
	}
	return signedIn, outcome
}

// Check confirms that a session cookie is still good: the session is not
// revoked, the person is active and the epoch has not moved on.
func Check(ctx context.Context, q *db.Queries, session string, staffID, epoch int64) (Staff, error) {
	row, err := q.StaffSession(ctx, db.StaffSessionParams{SessionID: session, StaffID: staffID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Staff{}, ErrSignedOut
	}
	if err != nil {
		return Staff{}, err
	}
	if row.RevokedAt.Valid || !row.Active || row.SessionEpoch != epoch {
		return Staff{}, ErrSignedOut
	}
	return Staff{ID: row.ID, Email: row.Email, Name: row.Name, Role: row.Role, Epoch: row.SessionEpoch, Session: session,
		Remember: row.Remember, LastSeen: row.LastSeenAt.Time}, nil
}

// seenEvery bounds how often a session's last use is written.
const seenEvery = 5 * time.Minute

// Seen records that a session was used now, at most every few minutes.
func Seen(ctx context.Context, q *db.Queries, st Staff, now time.Time) error {
	if now.Sub(st.LastSeen) < seenEvery {
		return nil
	}
	return q.TouchStaffSession(ctx, db.TouchStaffSessionParams{ID: st.Session, At: now})
}

// MaxName is the longest staff name, in characters.
const MaxName = 100

// Account is who a staff account is for, checked.
type Account struct {
	Email, Name, Role string
}

// CheckAccount cleans and checks an account's email, name and role; an
// empty name becomes the part of the email before the @.
func CheckAccount(email, name, role string) (Account, error) {
	email = shop.CleanText(email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return Account{}, &shop.InputError{Field: "email", Message: "Enter an email address like name@example.com."}
	}
	name = shop.CleanText(name)
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	if utf8.RuneCountInString(name) > MaxName {
		return Account{}, &shop.InputError{Field: "name", Message: fmt.Sprintf("The name must be at most %d characters.", MaxName)}
	}
	if role != RoleOwner && role != RoleStaff {
		return Account{}, &shop.InputError{Field: "role", Message: "The role must be owner or staff."}
	}
	return Account{Email: email, Name: name, Role: role}, nil
}

// Create adds a staff account.
func Create(ctx context.Context, q *db.Queries, email, name, role, password string) (int64, error) {
	a, err := CheckAccount(email, name, role)
	if err != nil {
		return 0, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	return createAccount(ctx, q, a, hash)
}

func createAccount(ctx context.Context, q *db.Queries, a Account, hash string) (int64, error) {
	id, err := q.CreateStaff(ctx, db.CreateStaffParams{Email: a.Email, Name: a.Name, Role: a.Role, PasswordHash: hash})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, ErrEmailTaken
	}
	return id, err
}

func newSessionID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
