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
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/trustelem/zxcvbn"

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
// about are the person's email and name (and the shop's), which a
// password must not be built from.
func HashPassword(password string, about ...string) (string, error) {
	if err := CheckPolicy(password, about...); err != nil {
		return "", err
	}
	return argon2id.CreateHash(password, params)
}

// CheckPolicy refuses passwords of the wrong length and those an attacker
// tries first: the most common passwords and small variations of them
// ("password1234"), keyboard runs and repeats, and the person's own email
// or name — whatever zxcvbn estimates at under a million guesses.
func CheckPolicy(password string, about ...string) error {
	if n := utf8.RuneCountInString(password); n < MinPassword || n > MaxPassword {
		return &shop.InputError{Field: "password", Message: fmt.Sprintf("Use a password of %d to %d characters.", MinPassword, MaxPassword)}
	}
	if zxcvbn.PasswordStrength(password, about).Score < 2 {
		return &shop.InputError{Field: "password", Message: "That password is one of the first an attacker would try (a common password, a simple pattern or your own name or email). " +
			"Choose another: a few unrelated words work well."}
	}
	return nil
}

// PasswordChecks counts password hashes compared on this node: sign-ins
// (an unknown email's stand-in check included), password changes and
// commands.
var PasswordChecks = promauto.NewCounter(prometheus.CounterOpts{
	Name: "shopfront_password_checks_total",
	Help: "Password hashes compared (sign-ins, including the stand-in check for an unknown email, and password changes).",
})

// CheckPassword reports whether password matches hash.
func CheckPassword(password, hash string) bool {
	PasswordChecks.Inc()
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
	// Device is a new device nonce after a successful sign-in, for the
	// browser's device cookie.
	Device string
}

// Owner reports whether the person may manage staff accounts.
func (s Staff) Owner() bool { return s.Role == RoleOwner }

// MaxUserAgent is how much of a browser's User-Agent is kept.
const MaxUserAgent = 300

// Attempt is one sign-in: what was typed and where it came from.
type Attempt struct {
	Email, Password string
	IP              netip.Addr
	// Device is the nonce of this browser's device cookie for this email
	// (given by an earlier successful sign-in), or "" for a browser the
	// account has not signed in from.
	Device string
	Now    time.Time
	// Remember keeps the session on this device for 30 days from its last
	// use (a shop counter's tablet), instead of STAFF_SESSION_MAX_AGE.
	Remember  bool
	UserAgent string
}

// Network is the client network failures are counted by (shop.Network).
func Network(ip netip.Addr) netip.Addr { return shop.Network(ip) }

// Login checks a password under the rate limit and opens a session.
//
// The limit follows OWASP's device cookies: a browser that has signed in to
// the account before (a.Device) has an allowance of its own, MaxFailures in
// Window, which nobody else's failures use up; every other browser shares
// the account's allowance and its network's. So guessing from elsewhere can
// lock out other new browsers, but never the owner's own.
//
// The attempt is recorded as a failure before the password is checked and
// removed when it was right, so attempts checked at the same moment on
// several nodes all count. The password hash is computed outside any
// transaction, holding no connection, and at most h's limit at a time on
// this node: beyond it a *Busy error says to try again in a moment.
func Login(ctx context.Context, pool *pgxpool.Pool, h *Hashing, a Attempt) (Staff, error) {
	email := strings.ToLower(shop.CleanText(a.Email))
	if len(email) > 254 || len(a.Password) > 4*MaxPassword || len(a.Device) > 64 {
		return Staff{}, ErrBadCredentials
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return Staff{}, err
	}
	defer release()
	network := Network(a.IP)
	device := pgtype.Text{String: a.Device, Valid: a.Device != ""}
	var (
		row      db.StaffByEmailRow
		known    bool
		reserved int64
		outcome  error
	)
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		known, outcome = false, nil
		if err := q.LockLoginAttempts(ctx, db.LockLoginAttemptsParams{Email: email, Ip: network.String()}); err != nil {
			return err
		}
		if outcome = limited(ctx, q, email, network, a.Device, a.Now); outcome != nil {
			return nil
		}
		var err error
		row, err = q.StaffByEmail(ctx, email)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			known = true
		}
		reserved, err = q.RecordLoginFailure(ctx, db.RecordLoginFailureParams{Email: email, Ip: network, FailedAt: a.Now, Device: device})
		return err
	})
	if err != nil {
		return Staff{}, err
	}
	if outcome != nil {
		return Staff{}, outcome
	}

	var right bool
	if known {
		right = CheckPassword(a.Password, row.PasswordHash) && row.Active
	} else {
		burnTime(a.Password)
	}
	release()
	if !right {
		return Staff{}, ErrBadCredentials // the failure is recorded already
	}

	session := newSessionID()
	ua := shop.CleanText(a.UserAgent)
	if len(ua) > MaxUserAgent {
		ua = strings.ToValidUTF8(ua[:MaxUserAgent], "")
	}
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.DeleteLoginFailure(ctx, reserved); err != nil {
			return err
		}
		if err := q.ClearLoginFailures(ctx, db.ClearLoginFailuresParams{Email: email, Device: a.Device, Ip: network}); err != nil {
			return err
		}
		return q.CreateStaffSession(ctx, db.CreateStaffSessionParams{ID: session, StaffID: row.ID, CreatedAt: a.Now, Remember: a.Remember, UserAgent: ua})
	})
	if err != nil {
		return Staff{}, err
	}
	return Staff{ID: row.ID, Email: row.Email, Name: row.Name, Role: row.Role, Epoch: row.SessionEpoch, Session: session,
		Remember: a.Remember, Device: NewDeviceNonce()}, nil
}

// limited returns a *RateLimited when the attempt's allowance is used up:
// the device's own, or else the account's and the network's.
func limited(ctx context.Context, q *db.Queries, email string, network netip.Addr, device string, now time.Time) error {
	recent, err := q.RecentLoginFailures(ctx, db.RecentLoginFailuresParams{Email: email, Since: now.Add(-Window), Ip: network, Device: device})
	if err != nil {
		return err
	}
	var oldest time.Time
	switch {
	case device != "":
		if recent.ByDevice < MaxFailures {
			return nil
		}
		oldest = recent.OldestDevice
	case recent.ByEmail >= MaxFailures && recent.ByIp >= MaxFailures:
		oldest = recent.OldestEmail
		if recent.OldestIp.After(oldest) {
			oldest = recent.OldestIp
		}
	case recent.ByEmail >= MaxFailures:
		oldest = recent.OldestEmail
	case recent.ByIp >= MaxFailures:
		oldest = recent.OldestIp
	default:
		return nil
	}
	return &RateLimited{RetryAfter: max(oldest.Add(Window).Sub(now), time.Second)}
}

// NewDeviceNonce makes the secret a device cookie names a browser by.
func NewDeviceNonce() string { return newSessionID() }

// MaxPasswordChecks is how many wrong current passwords a session may give
// (changing the password) in Window before it must wait.
const MaxPasswordChecks = 5

// CheckCurrentPassword checks a signed-in person's password before a change
// of password, at most MaxPasswordChecks wrong ones per session in Window,
// hashing outside any transaction like Login.
func CheckCurrentPassword(ctx context.Context, pool *pgxpool.Pool, h *Hashing, st Staff, password string, ip netip.Addr, now time.Time) error {
	if len(password) > 4*MaxPassword {
		return ErrBadCredentials
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	key := "session:" + st.Session
	var hash string
	var reserved int64
	var outcome error
	err = db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		outcome = nil
		if err := q.LockLoginAttempts(ctx, db.LockLoginAttemptsParams{Email: st.Email, Ip: key}); err != nil {
			return err
		}
		recent, err := q.RecentLoginFailures(ctx, db.RecentLoginFailuresParams{Email: st.Email, Since: now.Add(-Window), Ip: Network(ip), Device: key})
		if err != nil {
			return err
		}
		if recent.ByDevice >= MaxPasswordChecks {
			outcome = &RateLimited{RetryAfter: max(recent.OldestDevice.Add(Window).Sub(now), time.Second)}
			return nil
		}
		row, err := q.StaffByEmail(ctx, st.Email)
		if err != nil {
			return err
		}
		hash = row.PasswordHash
		reserved, err = q.RecordLoginFailure(ctx, db.RecordLoginFailureParams{Email: st.Email, Ip: Network(ip), FailedAt: now,
			Device: pgtype.Text{String: key, Valid: true}})
		return err
	})
	if err != nil {
		return err
	}
	if outcome != nil {
		return outcome
	}
	right := CheckPassword(password, hash)
	release()
	if !right {
		return ErrBadCredentials
	}
	return db.New(pool).DeleteLoginFailure(ctx, reserved)
}

// Busy refuses a password check because this node is already checking as
// many as it allows at once (a flood of sign-ins): try again in a moment.
type Busy struct{}

func (*Busy) Error() string { return "too many password checks at once on this node" }

// Hashing bounds how many password checks a node runs at once: argon2id
// takes 19 MiB and tens of milliseconds of a core each, so a flood of
// sign-ins must queue briefly or be refused, not eat the node.
type Hashing struct {
	slots chan struct{}
	wait  time.Duration
}

// hashWait is how long a check waits for a free slot before being refused.
const hashWait = 250 * time.Millisecond

// NewHashing allows n checks at once; n <= 0 means half the processors Go
// may use (at least one), leaving the rest for pages.
func NewHashing(n int) *Hashing {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	return &Hashing{slots: make(chan struct{}, n), wait: hashWait}
}

// acquire takes a slot, or fails with *Busy after a short wait. The
// returned func gives the slot back; calling it again does nothing.
func (h *Hashing) acquire(ctx context.Context) (func(), error) {
	if h == nil {
		return func() {}, nil
	}
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			hashRefused.Inc()
			return nil, &Busy{}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-h.slots }) }, nil
}

var hashRefused = promauto.NewCounter(prometheus.CounterOpts{
	Name: "shopfront_password_checks_refused_total",
	Help: "Sign-ins and password checks refused (429) because this node was already checking as many as it allows at once.",
})

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
	hash, err := HashPassword(password, a.Email, a.Name)
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
