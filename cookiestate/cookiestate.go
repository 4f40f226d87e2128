package cookiestate

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
)

// ErrTooLarge means a value would not fit its cookie's size budget. The
// cookie is left as it was: a browser is never sent a cookie it would drop.
var ErrTooLarge = errors.New("cookie value over its size budget")

// ErrUnreadable means the request carries a cookie of this kind made with
// a key set this node does not have (a newer one, while a deploy rolls
// out): the cookie is left as it is rather than overwritten, so a node
// that cannot read it can never empty it.
var ErrUnreadable = errors.New("cookie made with a key set this node does not have")

// Reasons a cookie is rejected; each is logged and counted.
const (
	ReasonOversized = "oversized"
	ReasonSignature = "signature" // tampered, or moved from another cookie
	// ReasonUnknownKey: made with a key set this node does not have. Such a
	// cookie is treated as absent here but left alone, not deleted.
	ReasonUnknownKey = "unknown_key"
	ReasonMalformed  = "malformed"
	ReasonExpired    = "expired"
	ReasonVersion    = "unknown_version"
)

// spec is the non-generic description of one kind of cookie.
type spec struct {
	name    string        // logical name; the cookie is "__Host-"+name when secure
	version int           // payload format version; any other is treated as absent
	maxAge  time.Duration // absolute lifetime since issue; 0 = none
	idle    time.Duration // lifetime since the last change (or visit, for sessions); 0 = none
	budget  int           // bytes allowed for name=value
	expires time.Duration // the cookie's own Max-Age
}

// Kind is one kind of cookie state holding a T, e.g. Kind[Cart].
type Kind[T any] struct{ spec }

// registry lists every kind, so codecs are derived for each at startup and
// every request checks every known cookie it carries.
var registry []*spec

func newKind[T any](s spec) *Kind[T] {
	k := &Kind[T]{s}
	registry = append(registry, &k.spec)
	return k
}

// Name is the logical name of the kind ("cart").
func (k *Kind[T]) Name() string { return k.name }

// Get returns the value held in the request's cookie, and whether there was
// a valid one. Get reflects Set and Delete made earlier in the same request.
// The value is decoded once per request: later Gets share its slices, so
// change a copy and Set it rather than changing what Get returned.
func (k *Kind[T]) Get(j *Jar) (T, bool) {
	var v T
	e := j.entries[k.name]
	if e == nil || e.data == nil {
		return v, false
	}
	if cached, ok := e.value.(T); ok {
		return cached, true
	}
	if err := unmarshal(e.data, &v); err != nil {
		j.reject(&k.spec, e, ReasonMalformed)
		var zero T
		return zero, false
	}
	e.value = v
	return v, true
}

// Unreadable reports whether the request carries this cookie made with a
// key set this node does not have.
func (k *Kind[T]) Unreadable(j *Jar) bool {
	e := j.entries[k.name]
	return e != nil && e.foreign
}

// Set stores v, to be written on the response if it differs from what the
// request carried. It fails with ErrTooLarge, changing nothing, when the
// encoded cookie would exceed the kind's budget, and with ErrUnreadable
// when the request's cookie was made with a key set this node lacks.
func (k *Kind[T]) Set(j *Jar, v T) error {
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("cookiestate: encoding %s: %w", k.name, err)
	}
	e := j.entry(&k.spec)
	if e.foreign {
		return fmt.Errorf("%w: %s", ErrUnreadable, k.name)
	}
	env := envelope{V: k.version, Iat: j.now.Unix(), Seen: j.now.Unix(), D: data}
	e.value = nil
	if e.loaded != nil && bytes.Equal(e.loaded.D, data) {
		// Unchanged: keep what the browser has (and its timestamps).
		e.data, e.pending, e.deleted = data, "", false
		return nil
	}
	if e.loaded != nil {
		// Keep the issue time; a node whose clock is a little behind the one
		// that issued the cookie must not stamp "seen" before "issued".
		env.Iat = e.loaded.Iat
		env.Seen = max(env.Seen, env.Iat)
	}
	value, err := j.codecs.encode(&k.spec, env)
	if err != nil {
		return err
	}
	e.data, e.pending, e.deleted = data, value, false
	return nil
}

// Touch records a visit for a kind whose idle timeout runs from the last
// request rather than the last change (the staff session), rewriting the
// cookie at most once per interval.
func (k *Kind[T]) Touch(j *Jar, interval time.Duration) error {
	e := j.entries[k.name]
	if e == nil || e.loaded == nil || e.pending != "" || e.deleted {
		return nil
	}
	if j.now.Sub(time.Unix(e.loaded.Seen, 0)) < interval {
		return nil
	}
	env := *e.loaded
	env.Seen = max(j.now.Unix(), env.Iat)
	value, err := j.codecs.encode(&k.spec, env)
	if err != nil {
		return err
	}
	e.pending = value
	return nil
}

// IssuedAt is when the cookie's current value was first issued.
func (k *Kind[T]) IssuedAt(j *Jar) (time.Time, bool) {
	e := j.entries[k.name]
	if e == nil || e.loaded == nil {
		return time.Time{}, false
	}
	return time.Unix(e.loaded.Iat, 0), true
}

// ExpiresAt is when the value the request carried stops being accepted:
// its absolute lifetime, or its idle timeout from the last change or visit,
// whichever comes first. ok is false when there is no valid value or it
// never expires.
func (k *Kind[T]) ExpiresAt(j *Jar) (time.Time, bool) {
	e := j.entries[k.name]
	if e == nil || e.loaded == nil {
		return time.Time{}, false
	}
	life := j.codecs.lifetime(&k.spec)
	var at time.Time
	if life.maxAge > 0 {
		at = time.Unix(e.loaded.Iat, 0).Add(life.maxAge)
	}
	if life.idle > 0 {
		if idle := time.Unix(e.loaded.Seen, 0).Add(life.idle); at.IsZero() || idle.Before(at) {
			at = idle
		}
	}
	return at, !at.IsZero()
}

// Delete removes the cookie from the browser (even one this node cannot
// read: deleting is always what the visitor asked for).
func (k *Kind[T]) Delete(j *Jar) {
	e := j.entry(&k.spec)
	e.data, e.pending, e.foreign, e.value = nil, "", false, nil
	e.deleted = e.present
}

// Take returns the value and deletes the cookie: for one-shot state (flash).
func (k *Kind[T]) Take(j *Jar) (T, bool) {
	v, ok := k.Get(j)
	if ok {
		k.Delete(j)
	}
	return v, ok
}

// envelope is the plaintext inside every cookie, written as
// "version.issued.seen.data": the version and unix-second timestamps, then
// the JSON of the value. (It is only parsed after the MAC has proved we
// wrote it, and a fixed layout is cheaper than a second JSON document.)
type envelope struct {
	V    int
	Iat  int64 // issued at
	Seen int64 // last change or visit
	D    []byte
}

func (e envelope) append(b []byte) []byte {
	b = strconv.AppendInt(b, int64(e.V), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, e.Iat, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, e.Seen, 10)
	b = append(b, '.')
	return append(b, e.D...)
}

func parseEnvelope(b []byte) (envelope, bool) {
	var e envelope
	var n [3]int64
	for i := range n {
		dot := bytes.IndexByte(b, '.')
		if dot < 1 {
			return e, false
		}
		v, err := strconv.ParseInt(string(b[:dot]), 10, 64)
		if err != nil {
			return e, false
		}
		n[i], b = v, b[dot+1:]
	}
	if len(b) == 0 {
		return e, false
	}
	return envelope{V: int(n[0]), Iat: n[1], Seen: n[2], D: b}, true
}

// marshal and unmarshal call a value's own JSON methods directly when it
// has them (the cart does, being the largest and busiest cookie), skipping
// encoding/json's second pass over their output.
func marshal(v any) ([]byte, error) {
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(v)
}

func unmarshal(data []byte, v any) error {
	if u, ok := v.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	return json.Unmarshal(data, v)
}

// Codecs holds, for every kind, one securecookie codec per configured key
// set: the first encodes, all decode.
type Codecs struct {
	byKind    map[string][]*securecookie.SecureCookie
	ids       []string // key identifier of each set, in the same order
	secure    bool
	lifetimes map[string]lifetime // per-deployment overrides of a kind's lifetimes
}

type lifetime struct{ maxAge, idle, expires time.Duration }

// WithStaffSession sets the staff session's absolute and idle lifetimes
// from configuration.
func (c *Codecs) WithStaffSession(absolute, idle time.Duration) *Codecs {
	c.lifetimes[StaffSessionCookie.name] = lifetime{maxAge: absolute, idle: idle, expires: absolute}
	return c
}

func (c *Codecs) lifetime(s *spec) lifetime {
	if l, ok := c.lifetimes[s.name]; ok {
		return l
	}
	return lifetime{maxAge: s.maxAge, idle: s.idle, expires: s.expires}
}

// NewCodecs derives per-kind keys from COOKIE_KEYS. secure selects the
// __Host- prefix and the Secure attribute (off only for plain-http
// development).
func NewCodecs(cookieKeys string, secure bool) (*Codecs, error) {
	sets, err := ParseKeys(cookieKeys)
	if err != nil {
		return nil, err
	}
	c := &Codecs{byKind: map[string][]*securecookie.SecureCookie{}, secure: secure, lifetimes: map[string]lifetime{}}
	for _, set := range sets {
		c.ids = append(c.ids, set.ID())
	}
	for _, s := range registry {
		for _, set := range sets {
			hashKey, err := hkdf.Key(sha256.New, set.Hash, nil, "shopfront cookie hash "+s.name, HashKeySize)
			if err != nil {
				return nil, err
			}
			blockKey, err := hkdf.Key(sha256.New, set.Block, nil, "shopfront cookie block "+s.name, BlockKeySize)
			if err != nil {
				return nil, err
			}
			codec := securecookie.New(hashKey, blockKey).
				SetSerializer(securecookie.NopEncoder{}).
				MaxLength(s.budget).
				MaxAge(0) // lifetimes are checked from the payload's own timestamps
			c.byKind[s.name] = append(c.byKind[s.name], codec)
		}
	}
	return c, nil
}

// CookieName is the name the browser stores the kind under.
func (c *Codecs) CookieName(s *spec) string {
	if c.secure {
		return "__Host-" + s.name
	}
	return s.name
}

// A cookie's value is "<key id>.<securecookie value>": the id names the key
// set that made it, so a node can tell a cookie it cannot read because it
// lacks that set (left alone) from one that fails with a set it has
// (deleted). securecookie's base64 never contains a dot, so values from
// before key ids are told apart and still read, by trying every set.
const keyIDSeparator = "."

func (c *Codecs) encode(s *spec, env envelope) (string, error) {
	plain := env.append(make([]byte, 0, 32+len(env.D)))
	name := c.CookieName(s)
	value, err := c.byKind[s.name][0].Encode(name, plain)
	value = c.ids[0] + keyIDSeparator + value
	if err != nil || len(name)+1+len(value) > s.budget {
		return "", fmt.Errorf("%w: %s", ErrTooLarge, s.name)
	}
	return value, nil
}

// decode opens a cookie value. rotated is true when an older key set was
// needed, so the caller re-issues it under the newest.
func (c *Codecs) decode(s *spec, value string, now time.Time) (env envelope, rotated bool, reason string) {
	name := c.CookieName(s)
	if len(name)+1+len(value) > s.budget {
		return env, false, ReasonOversized
	}
	codecs, first := c.byKind[s.name], 0
	if id, rest, ok := strings.Cut(value, keyIDSeparator); ok {
		i := slices.Index(c.ids, id)
		if i < 0 {
			return env, false, ReasonUnknownKey
		}
		codecs, first, value = codecs[i:i+1], i, rest
	}
	var plain []byte
	reason = ReasonSignature
	for i, codec := range codecs {
		err := codec.Decode(name, value, &plain)
		if err == nil {
			rotated, reason = first+i > 0, ""
			break
		}
		if !errors.Is(err, securecookie.ErrMacInvalid) {
			reason = ReasonMalformed // not even well-formed: no other key will help
			break
		}
	}
	if reason != "" {
		return env, false, reason
	}
	env, ok := parseEnvelope(plain)
	if !ok {
		return env, false, ReasonMalformed
	}
	if env.V != s.version {
		return env, false, ReasonVersion
	}
	issued, seen := time.Unix(env.Iat, 0), time.Unix(env.Seen, 0)
	life := c.lifetime(s)
	const skew = 5 * time.Minute // nodes' clocks differ a little
	switch {
	case issued.After(now.Add(skew)) || seen.Before(issued):
		return env, false, ReasonMalformed
	case life.maxAge > 0 && now.Sub(issued) > life.maxAge,
		life.idle > 0 && now.Sub(seen) > life.idle:
		return env, false, ReasonExpired
	}
	return env, rotated, ""
}

// entry is the state of one kind of cookie during a request.
type entry struct {
	spec    *spec
	present bool      // the request carried this cookie
	loaded  *envelope // its valid content, if any
	data    []byte    // current value (JSON of T); nil when absent
	pending string    // encoded value to send; "" when nothing to send
	deleted bool      // send a deletion
	rotated bool      // decoded with an older key set: re-issue under the newest
	foreign bool      // made with a key set this node lacks: leave it alone
	value   any       // data decoded by the first Get, for the next ones
}

// Jar is the cookie state of one request.
type Jar struct {
	codecs   *Codecs
	now      time.Time
	entries  map[string]*entry
	onReject func(cookie, reason string)
}

// NewJar reads every known cookie on r. A cookie that fails to decode, is
// expired or has an unknown version is treated as absent, deleted on the
// response and reported through onReject (once per cookie). A cookie made
// with a key set this node does not have is treated as absent too, and
// reported, but left in the browser.
func (c *Codecs) NewJar(r *http.Request, now time.Time, onReject func(cookie, reason string)) *Jar {
	j := &Jar{codecs: c, now: now, entries: make(map[string]*entry, len(registry)), onReject: onReject}
	cookies := r.Cookies() // the header parsed once, not once per kind
	for _, s := range registry {
		name := c.CookieName(s)
		i := slices.IndexFunc(cookies, func(ck *http.Cookie) bool { return ck.Name == name })
		if i < 0 {
			continue
		}
		ck := cookies[i]
		e := &entry{spec: s, present: true}
		j.entries[s.name] = e
		env, rotated, reason := c.decode(s, ck.Value, now)
		if reason == ReasonUnknownKey {
			// Not ours to judge: another node (with a newer or older key
			// set) made it, and will read it on the visitor's next request.
			e.foreign = true
			if onReject != nil {
				onReject(c.CookieName(s), reason)
			}
			continue
		}
		if reason != "" {
			j.reject(s, e, reason)
			continue
		}
		e.loaded, e.data, e.rotated = &env, env.D, rotated
	}
	return j
}

func (j *Jar) entry(s *spec) *entry {
	e := j.entries[s.name]
	if e == nil {
		e = &entry{spec: s}
		j.entries[s.name] = e
	}
	return e
}

func (j *Jar) reject(s *spec, e *entry, reason string) {
	e.loaded, e.data, e.pending, e.deleted, e.value = nil, nil, "", true, nil
	if j.onReject != nil {
		j.onReject(j.codecs.CookieName(s), reason)
	}
}

// Write adds the Set-Cookie headers this request needs: changed values,
// deletions, and values re-issued under the newest key. Responses that set
// cookies are marked private and not stored by any cache.
func (j *Jar) Write(h http.Header) {
	wrote := false
	for _, s := range registry {
		e := j.entries[s.name]
		if e == nil {
			continue
		}
		if e.pending == "" && e.rotated && !e.deleted && e.loaded != nil {
			if v, err := j.codecs.encode(s, *e.loaded); err == nil {
				e.pending = v
			}
		}
		switch {
		case e.pending != "":
			h.Add("Set-Cookie", j.cookie(s, e.pending, int(j.codecs.lifetime(s).expires.Seconds())).String())
		case e.deleted:
			h.Add("Set-Cookie", j.cookie(s, "", -1).String())
		default:
			continue
		}
		wrote = true
	}
	if wrote {
		h.Set("Cache-Control", "private, no-store")
	}
}

func (j *Jar) cookie(s *spec, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     j.codecs.CookieName(s),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   j.codecs.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
