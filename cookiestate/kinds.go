package cookiestate

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"
)

const (
	day = 24 * time.Hour
	// Budget is the most bytes a cookie's name=value may take: under the
	// 4096 browsers keep, leaving room for the attributes.
	Budget = 3800
)

// Cart is the visitor's cart: product ids, quantities and the unit price
// seen when each was added. Prices and stock are always re-read from
// Postgres; PriceSeen only lets the cart say "the price changed".
type Cart struct {
	Lines []CartLine
	// Emptied is what an emptied cart held, until something is added, so
	// that "Empty cart" can be undone.
	Emptied []CartLine
}

// CartLine is one product in the cart.
type CartLine struct {
	ProductID int64
	Quantity  int
	PriceSeen int64
}

// Flash is a one-time message for the next page.
type Flash struct {
	Kind string `json:"k"` // "success", "notice" or "error"
	Text string `json:"t"`
	// Link, with LinkText, follows the message: "view it".
	Link     string `json:"l,omitempty"`
	LinkText string `json:"lt,omitempty"`
}

// Prefs are the visitor's display preferences. Values are allow-listed
// where they are used; anything unknown means the default.
type Prefs struct {
	Theme string `json:"t,omitempty"` // light, dark, system
	View  string `json:"v,omitempty"` // grid, list
	Sort  string `json:"s,omitempty"` // default catalogue order
	// Alerts: a sound and a count in the tab's title for new orders on
	// the staff orders board.
	Alerts bool `json:"a,omitempty"`
}

// RecentOrders links the visitor back to orders placed from this browser.
type RecentOrders struct {
	Orders []RecentOrder `json:"o,omitempty"`
}

// RecentOrder is one order's public token and number.
type RecentOrder struct {
	Token    string `json:"t"`
	Number   string `json:"n"`
	PlacedAt int64  `json:"p"` // unix seconds
}

// Visitor holds the secret the CSRF token is derived from.
type Visitor struct {
	Secret []byte `json:"c"`
}

// StaffSession identifies a signed-in staff member and their session. The
// session must not be revoked in Postgres and Epoch must match the staff
// row: bumping it there signs out every copy of every session at once.
type StaffSession struct {
	Session string `json:"s"`
	StaffID int64  `json:"id"`
	Epoch   int64  `json:"e"`
}

// SigninDevices marks this browser as one that has signed in to each of
// these staff accounts before (OWASP's device cookies): its failed
// sign-ins count against its own allowance, so nobody guessing elsewhere
// can lock it out. Newest first.
type SigninDevices struct {
	Devices []SigninDevice `json:"d,omitempty"`
}

// SigninDevice is one account this browser signed in to, and the nonce
// its failures are counted by.
type SigninDevice struct {
	Email string `json:"e"`
	Nonce string `json:"n"`
}

// maxSigninDevices is how many accounts one browser remembers (a shared
// counter tablet).
const maxSigninDevices = 4

// Nonce is this browser's nonce for email, or "".
func (d SigninDevices) Nonce(email string) string {
	for _, x := range d.Devices {
		if x.Email == email {
			return x.Nonce
		}
	}
	return ""
}

// With returns d with email's nonce replaced (and first), keeping at most
// a few accounts.
func (d SigninDevices) With(email, nonce string) SigninDevices {
	out := SigninDevices{Devices: []SigninDevice{{Email: email, Nonce: nonce}}}
	for _, x := range d.Devices {
		if x.Email != email && len(out.Devices) < maxSigninDevices {
			out.Devices = append(out.Devices, x)
		}
	}
	return out
}

// RememberSignin records a successful sign-in to email on this browser,
// dropping the oldest accounts if the cookie would not fit.
func RememberSignin(j *Jar, email, nonce string) error {
	d, _ := SigninDeviceCookie.Get(j)
	d = d.With(email, nonce)
	for {
		err := SigninDeviceCookie.Set(j, d)
		if !errors.Is(err, ErrTooLarge) || len(d.Devices) <= 1 {
			return err
		}
		d.Devices = d.Devices[:len(d.Devices)-1]
	}
}

// The kinds of cookie state, with their lifetimes and budgets.
var (
	CartCookie = newKind[Cart](spec{name: "cart", version: 1, idle: 30 * day, budget: Budget, expires: 30 * day})
	// Flash lives for one response; the short cookie lifetime only bounds
	// a message nobody came back to read.
	FlashCookie        = newKind[Flash](spec{name: "flash", version: 1, maxAge: 10 * time.Minute, budget: 1024, expires: 10 * time.Minute})
	PrefsCookie        = newKind[Prefs](spec{name: "prefs", version: 1, idle: 365 * day, budget: 512, expires: 365 * day})
	RecentOrdersCookie = newKind[RecentOrders](spec{name: "orders", version: 1, idle: 90 * day, budget: 2048, expires: 90 * day})
	VisitorCookie      = newKind[Visitor](spec{name: "visitor", version: 1, maxAge: 365 * day, budget: 512, expires: 365 * day})
	// The staff session's lifetimes can be set from configuration with
	// Codecs.WithStaffSession; these are the defaults.
	StaffSessionCookie = newKind[StaffSession](spec{name: "staff", version: 1, maxAge: 12 * time.Hour, idle: time.Hour, budget: 512, expires: 12 * time.Hour})
	// StaffDeviceCookie is a staff session kept on a trusted device, such
	// as the shop counter's tablet: 30 days from the last request, at most
	// 90 in all. Its session row in Postgres revokes it like any other.
	StaffDeviceCookie = newKind[StaffSession](spec{name: "staff-device", version: 1, maxAge: 90 * day, idle: 30 * day, budget: 512, expires: 90 * day})
	// SigninDeviceCookie outlives sessions: it is about the browser, not
	// a sign-in, and is renewed by each successful one.
	SigninDeviceCookie = newKind[SigninDevices](spec{name: "signin", version: 1, idle: 180 * day, budget: 1024, expires: 180 * day})
)

// StaffKinds are the two kinds of staff session cookie.
var StaffKinds = []*Kind[StaffSession]{StaffSessionCookie, StaffDeviceCookie}

// CSRF tokens are the visitor's secret XOR a fresh random mask, sent with
// the mask: a new string on every page, so compressed pages do not leak the
// secret byte by byte (BREACH), yet checkable against the one secret.
const secretSize = 32

// CSRFToken returns a token for forms and htmx headers, creating the
// visitor's secret (and so its cookie) on first use.
func CSRFToken(j *Jar) string {
	v, ok := VisitorCookie.Get(j)
	if !ok || len(v.Secret) != secretSize {
		v = Visitor{Secret: make([]byte, secretSize)}
		_, _ = rand.Read(v.Secret)
		_ = VisitorCookie.Set(j, v) // a 32-byte secret always fits
	}
	token := make([]byte, 2*secretSize)
	_, _ = rand.Read(token[:secretSize])
	for i := range secretSize {
		token[secretSize+i] = token[i] ^ v.Secret[i]
	}
	return base64.RawURLEncoding.EncodeToString(token)
}

// ValidCSRFToken reports whether token was issued from this visitor's secret.
func ValidCSRFToken(j *Jar, token string) bool {
	v, ok := VisitorCookie.Get(j)
	if !ok || len(v.Secret) != secretSize {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 2*secretSize {
		return false
	}
	secret := make([]byte, secretSize)
	for i := range secretSize {
		secret[i] = raw[i] ^ raw[secretSize+i]
	}
	return subtle.ConstantTimeCompare(secret, v.Secret) == 1
}

// RotateCSRF replaces the visitor's secret, invalidating every token issued
// before (done at sign-in).
func RotateCSRF(j *Jar) {
	VisitorCookie.Delete(j)
	v := Visitor{Secret: make([]byte, secretSize)}
	_, _ = rand.Read(v.Secret)
	_ = VisitorCookie.Set(j, v)
}
