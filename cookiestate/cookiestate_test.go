package cookiestate

import (
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func codecs(t testing.TB, keys string, secure bool) *Codecs {
	t.Helper()
	c, err := NewCodecs(keys, secure)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rejection records what a jar reported.
type rejection struct{ cookie, reason string }

// request builds a request carrying the given cookies.
func request(cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// roundTrip writes j's cookies and returns them as the browser would keep them.
func written(j *Jar) []*http.Cookie {
	h := http.Header{}
	j.Write(h)
	return (&http.Response{Header: h}).Cookies()
}

func find(cookies []*http.Cookie, name string) *http.Cookie {
	for _, c := range cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func jarWith(c *Codecs, now time.Time, cookies ...*http.Cookie) (*Jar, *[]rejection) {
	var rej []rejection
	j := c.NewJar(request(cookies...), now, func(cookie, reason string) { rej = append(rej, rejection{cookie, reason}) })
	return j, &rej
}

func TestValueWrittenByOneCodecIsReadByAnotherWithTheSameKeys(t *testing.T) {
	keys := GenerateKeySet().String()
	a, b := codecs(t, keys, true), codecs(t, keys, true)
	ja, _ := jarWith(a, t0)
	want := Cart{Lines: []CartLine{{ProductID: 7, Quantity: 2, PriceSeen: 450}}}
	if err := CartCookie.Set(ja, want); err != nil {
		t.Fatal(err)
	}
	jb, rej := jarWith(b, t0.Add(time.Minute), written(ja)...)
	got, ok := CartCookie.Get(jb)
	if !ok || len(got.Lines) != 1 || got.Lines[0] != want.Lines[0] || len(*rej) != 0 {
		t.Fatalf("got %+v %v, rejections %v", got, ok, *rej)
	}
}

func TestCookieAttributes(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	j, _ := jarWith(c, t0)
	_ = PrefsCookie.Set(j, Prefs{Theme: "dark"})
	h := http.Header{}
	j.Write(h)
	set := h.Get("Set-Cookie")
	for _, want := range []string{"__Host-prefs=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age="} {
		if !strings.Contains(set, want) {
			t.Fatalf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, "Domain") {
		t.Fatalf("Set-Cookie %q has a Domain", set)
	}
	if h.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("Cache-Control = %q", h.Get("Cache-Control"))
	}

	// Deletions carry the same attributes, or browsers ignore them.
	j2, _ := jarWith(c, t0, written(j)...)
	PrefsCookie.Delete(j2)
	h = http.Header{}
	j2.Write(h)
	del := h.Get("Set-Cookie")
	for _, want := range []string{"__Host-prefs=;", "Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=0"} {
		if !strings.Contains(del, want) {
			t.Fatalf("deletion %q lacks %s", del, want)
		}
	}

	// Plain-http development drops only the prefix and Secure.
	dev := codecs(t, GenerateKeySet().String(), false)
	j3, _ := jarWith(dev, t0)
	_ = PrefsCookie.Set(j3, Prefs{Theme: "dark"})
	h = http.Header{}
	j3.Write(h)
	if s := h.Get("Set-Cookie"); !strings.HasPrefix(s, "prefs=") || strings.Contains(s, "Secure") || !strings.Contains(s, "HttpOnly") {
		t.Fatalf("development cookie = %q", s)
	}
}

func TestUnchangedValuesAreNotRewritten(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	j, _ := jarWith(c, t0)
	_ = PrefsCookie.Set(j, Prefs{Theme: "dark"})
	j2, _ := jarWith(c, t0.Add(time.Hour), written(j)...)
	_ = PrefsCookie.Set(j2, Prefs{Theme: "dark"})
	if got := written(j2); len(got) != 0 {
		t.Fatalf("setting the same value wrote %v", got)
	}
	_ = PrefsCookie.Set(j2, Prefs{Theme: "light"})
	if got := written(j2); len(got) != 1 {
		t.Fatalf("a changed value wrote %d cookies, want 1", len(got))
	}
}

func TestBadCookiesAreTreatedAsAbsentAndDeleted(t *testing.T) {
	keys := GenerateKeySet().String()
	c := codecs(t, keys, true)
	good, _ := jarWith(c, t0)
	_ = CartCookie.Set(good, Cart{Lines: []CartLine{{1, 1, 100}}})
	cart := find(written(good), "__Host-cart").Value

	other := codecs(t, GenerateKeySet().String(), true)
	foreign, _ := jarWith(other, t0)
	_ = CartCookie.Set(foreign, Cart{Lines: []CartLine{{1, 1, 100}}})

	flipped := []byte(cart)
	flipped[len(flipped)/2] ^= 0x01
	if flipped[len(flipped)/2] == '=' || flipped[len(flipped)/2] > 'z' {
		flipped[len(flipped)/2] = 'A'
	}
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(rand.IntN(256))
	}

	cases := []struct {
		name, cookie, value, reason string
	}{
		{"flipped byte", "__Host-cart", string(flipped), ""},
		{"truncated", "__Host-cart", cart[:len(cart)-10], ""},
		{"random base64", "__Host-cart", base64.URLEncoding.EncodeToString(random), ""},
		{"10 KB value", "__Host-cart", strings.Repeat("A", 10240), ReasonOversized},
		{"garbage", "__Host-cart", "not a cookie at all", ""},
		{"cart value under the flash name", "__Host-flash", cart, ReasonSignature},
		{"made with a key set of ours but not valid with it", "__Host-cart", keyID(cart) + "." + legacyValue(find(written(foreign), "__Host-cart").Value), ReasonSignature},
		{"from before key ids, made with keys this node lacks", "__Host-cart", legacyValue(find(written(foreign), "__Host-cart").Value), ReasonSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, rej := jarWith(c, t0, &http.Cookie{Name: tc.cookie, Value: tc.value})
			if _, ok := CartCookie.Get(j); ok {
				t.Fatal("a bad cart was accepted")
			}
			if _, ok := FlashCookie.Get(j); ok {
				t.Fatal("a bad flash was accepted")
			}
			if len(*rej) != 1 || (*rej)[0].cookie != tc.cookie || (tc.reason != "" && (*rej)[0].reason != tc.reason) {
				t.Fatalf("rejections = %v, want one for %s (%s)", *rej, tc.cookie, tc.reason)
			}
			del := find(written(j), tc.cookie)
			if del == nil || del.MaxAge >= 0 {
				t.Fatalf("bad cookie %s was not deleted: %+v", tc.cookie, del)
			}
		})
	}
}

func keyID(value string) string       { id, _, _ := strings.Cut(value, "."); return id }
func legacyValue(value string) string { _, v, _ := strings.Cut(value, "."); return v }

// A cookie made with a key set this node does not have (a newer one, while
// a deploy rolls out, or an older one it already dropped) is left alone:
// not read, not deleted, not overwritten — the node that made it reads it
// on the visitor's next request.
func TestCookiesMadeWithKeysThisNodeLacksAreLeftAlone(t *testing.T) {
	mine := codecs(t, GenerateKeySet().String(), true)
	other := codecs(t, GenerateKeySet().String(), true)
	made, _ := jarWith(other, t0)
	_ = CartCookie.Set(made, Cart{Lines: []CartLine{{1, 2, 100}}})
	value := find(written(made), "__Host-cart").Value

	j, rej := jarWith(mine, t0, &http.Cookie{Name: "__Host-cart", Value: value})
	if _, ok := CartCookie.Get(j); ok {
		t.Fatal("a cart made with keys this node lacks was read")
	}
	if !CartCookie.Unreadable(j) || len(*rej) != 1 || (*rej)[0].reason != ReasonUnknownKey {
		t.Fatalf("not reported as made with an unknown key: unreadable=%v rejections=%v", CartCookie.Unreadable(j), *rej)
	}
	if err := CartCookie.Set(j, Cart{Lines: []CartLine{{9, 1, 100}}}); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("overwriting it: %v, want ErrUnreadable", err)
	}
	if got := written(j); len(got) != 0 {
		t.Fatalf("the node wrote %v; it must leave the cookie alone", got)
	}
	// The node that has the keys still reads it.
	back, _ := jarWith(other, t0, &http.Cookie{Name: "__Host-cart", Value: value})
	if cart, ok := CartCookie.Get(back); !ok || cart.Lines[0].Quantity != 2 {
		t.Fatalf("the cart after visiting the other node: %v %v", cart, ok)
	}
	// Deleting is always allowed: it is what the visitor asked for.
	CartCookie.Delete(j)
	if del := find(written(j), "__Host-cart"); del == nil || del.MaxAge >= 0 {
		t.Fatalf("an explicit delete was not sent: %+v", del)
	}
}

// Cookies written before values carried a key id are still read.
func TestCookiesFromBeforeKeyIDsAreRead(t *testing.T) {
	keys := GenerateKeySet().String()
	c := codecs(t, keys, true)
	j, _ := jarWith(c, t0)
	_ = CartCookie.Set(j, Cart{Lines: []CartLine{{4, 3, 100}}})
	old := legacyValue(find(written(j), "__Host-cart").Value)
	j2, rej := jarWith(c, t0, &http.Cookie{Name: "__Host-cart", Value: old})
	if cart, ok := CartCookie.Get(j2); !ok || cart.Lines[0].ProductID != 4 || len(*rej) != 0 {
		t.Fatalf("a cookie without a key id: %v %v %v", cart, ok, *rej)
	}
}

func TestUnknownVersionIsTreatedAsAbsent(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	value, err := c.encode(&CartCookie.spec, envelope{V: 99, Iat: t0.Unix(), Seen: t0.Unix(), D: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	j, rej := jarWith(c, t0, &http.Cookie{Name: "__Host-cart", Value: value})
	if _, ok := CartCookie.Get(j); ok || len(*rej) != 1 || (*rej)[0].reason != ReasonVersion {
		t.Fatalf("version 99 accepted or not reported: %v", *rej)
	}
}

func TestKeyRotation(t *testing.T) {
	oldKeys, newKeys := GenerateKeySet().String(), GenerateKeySet().String()

	// A cookie from before the rotation...
	before, _ := jarWith(codecs(t, oldKeys, true), t0)
	_ = CartCookie.Set(before, Cart{Lines: []CartLine{{3, 1, 250}}})
	oldCookie := written(before)

	// ...is accepted by a node on [new, old] and re-issued under new.
	rotated := codecs(t, newKeys+","+oldKeys, true)
	j, rej := jarWith(rotated, t0, oldCookie...)
	if _, ok := CartCookie.Get(j); !ok || len(*rej) != 0 {
		t.Fatalf("an old-key cookie was refused after rotation: %v", *rej)
	}
	reissued := written(j)
	if len(reissued) != 1 {
		t.Fatalf("the old-key cookie was not re-issued: %v", reissued)
	}
	newOnly, _ := jarWith(codecs(t, newKeys, true), t0, reissued...)
	if _, ok := CartCookie.Get(newOnly); !ok {
		t.Fatal("the re-issued cookie is not under the new key")
	}

	// Rolling deploy, step 1 done: nodes still encoding with old have new as
	// a decode-only key, so they accept cookies from nodes already on [new, old].
	step1 := codecs(t, oldKeys+","+newKeys, true)
	j, rej = jarWith(step1, t0, reissued...)
	if _, ok := CartCookie.Get(j); !ok || len(*rej) != 0 {
		t.Fatalf("a node on [old, new] refused a cookie from [new, old]: %v", *rej)
	}
	// Without step 1 a node on [old] alone would have refused it.
	j, rej = jarWith(codecs(t, oldKeys, true), t0, reissued...)
	if _, ok := CartCookie.Get(j); ok || len(*rej) != 1 {
		t.Fatal("a node without the new key accepted a new-key cookie")
	}
}

func TestKeysAreDerivedPerKind(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), false)
	j, _ := jarWith(c, t0)
	_ = PrefsCookie.Set(j, Prefs{Theme: "dark"})
	prefs := find(written(j), "prefs").Value
	// Same keys, same name: the only thing wrong is the kind.
	var plain []byte
	if err := c.byKind["cart"][0].Decode("prefs", prefs, &plain); err == nil {
		t.Fatal("the cart codec opened a prefs cookie")
	}
}

func TestLifetimesUseThePayloadsOwnTimestamps(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	at := func(now time.Time, cookies []*http.Cookie) (*Jar, *[]rejection) { return jarWith(c, now, cookies...) }

	// Cart: 30 days since the last change.
	j, _ := at(t0, nil)
	_ = CartCookie.Set(j, Cart{Lines: []CartLine{{1, 1, 100}}})
	cart := written(j)
	if j, _ := at(t0.Add(29*day), cart); !has(CartCookie, j) {
		t.Fatal("a 29-day-old cart expired")
	}
	j, rej := at(t0.Add(31*day), cart)
	if has(CartCookie, j) || len(*rej) != 1 || (*rej)[0].reason != ReasonExpired {
		t.Fatalf("a 31-day-old cart was accepted: %v", *rej)
	}
	// Changing the cart on day 20 restarts the 30 days.
	j, _ = at(t0.Add(20*day), cart)
	_ = CartCookie.Set(j, Cart{Lines: []CartLine{{1, 2, 100}}})
	if j, _ := at(t0.Add(45*day), written(j)); !has(CartCookie, j) {
		t.Fatal("a cart changed on day 20 expired on day 45")
	}

	// Flash: minutes, not days.
	j, _ = at(t0, nil)
	_ = FlashCookie.Set(j, Flash{Kind: "success", Text: "Saved"})
	if j, _ := at(t0.Add(11*time.Minute), written(j)); has(FlashCookie, j) {
		t.Fatal("an 11-minute-old flash was shown")
	}

	// Staff session: idle 1 h, absolute 12 h, even when used all along.
	j, _ = at(t0, nil)
	_ = StaffSessionCookie.Set(j, StaffSession{StaffID: 1, Epoch: 1})
	session := written(j)
	if j, _ := at(t0.Add(61*time.Minute), session); has(StaffSessionCookie, j) {
		t.Fatal("a session idle for 61 minutes was accepted")
	}
	now := t0
	for now.Before(t0.Add(11*time.Hour + 30*time.Minute)) {
		now = now.Add(30 * time.Minute)
		j, rej := at(now, session)
		if !has(StaffSessionCookie, j) {
			t.Fatalf("an active session expired after %s: %v", now.Sub(t0), *rej)
		}
		if err := StaffSessionCookie.Touch(j, time.Minute); err != nil {
			t.Fatal(err)
		}
		if w := written(j); len(w) == 1 {
			session = w
		}
	}
	if j, _ := at(t0.Add(12*time.Hour+time.Minute), session); has(StaffSessionCookie, j) {
		t.Fatal("a session older than 12 hours was accepted")
	}

	// A timestamp from the future is not trusted.
	future, _ := c.encode(&CartCookie.spec, envelope{V: 1, Iat: t0.Add(time.Hour).Unix(), Seen: t0.Add(time.Hour).Unix(), D: []byte(`{}`)})
	if j, _ := at(t0, []*http.Cookie{{Name: "__Host-cart", Value: future}}); has(CartCookie, j) {
		t.Fatal("a cookie issued in the future was accepted")
	}
}

func has[T any](k *Kind[T], j *Jar) bool {
	_, ok := k.Get(j)
	return ok
}

// largestCart is the biggest cart the shop allows: 50 lines of 99, with
// ids and prices far beyond what the shop will ever hold.
func largestCart() Cart {
	var c Cart
	for i := range 50 {
		c.Lines = append(c.Lines, CartLine{ProductID: 9_999_999_999 - int64(i), Quantity: 99, PriceSeen: 99_999_999})
	}
	return c
}

func TestLargestAllowedStateFitsItsBudget(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	j, _ := jarWith(c, t0)
	if err := CartCookie.Set(j, largestCart()); err != nil {
		t.Fatalf("the largest allowed cart does not fit: %v", err)
	}
	ck := find(written(j), "__Host-cart")
	if n := len(ck.Name) + 1 + len(ck.Value); n > Budget {
		t.Fatalf("largest cart cookie is %d bytes, budget %d", n, Budget)
	} else {
		t.Logf("largest cart cookie: %d of %d bytes", n, Budget)
	}

	// Random carts within the limits, as a property.
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		var cart Cart
		for range 1 + r.IntN(50) {
			cart.Lines = append(cart.Lines, CartLine{ProductID: r.Int64N(10_000_000_000), Quantity: 1 + r.IntN(99), PriceSeen: r.Int64N(100_000_000)})
		}
		j, _ := jarWith(c, t0)
		if err := CartCookie.Set(j, cart); err != nil {
			t.Fatalf("a %d-line cart does not fit: %v", len(cart.Lines), err)
		}
	}

	// The most recent orders we keep (10) fit too.
	var orders RecentOrders
	for range 10 {
		orders.Orders = append(orders.Orders, RecentOrder{Token: strings.Repeat("x", 43), Number: "SF-2026-123456", PlacedAt: t0.Unix()})
	}
	if err := RecentOrdersCookie.Set(j, orders); err != nil {
		t.Fatalf("10 recent orders do not fit: %v", err)
	}
}

func TestExceedingTheBudgetLeavesTheCookieUnchanged(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	j, _ := jarWith(c, t0)
	small := Cart{Lines: []CartLine{{1, 1, 100}}}
	_ = CartCookie.Set(j, small)
	j2, _ := jarWith(c, t0, written(j)...)
	huge := largestCart()
	for range 3 {
		huge.Lines = append(huge.Lines, huge.Lines...)
	}
	if err := CartCookie.Set(j2, huge); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("an oversized cart gave %v, want ErrTooLarge", err)
	}
	if got, _ := CartCookie.Get(j2); len(got.Lines) != 1 {
		t.Fatalf("after a refused Set the cart has %d lines, want the old 1", len(got.Lines))
	}
	if w := written(j2); len(w) != 0 {
		t.Fatalf("a refused Set still wrote %v", w)
	}
}

func TestCSRFTokens(t *testing.T) {
	c := codecs(t, GenerateKeySet().String(), true)
	j, _ := jarWith(c, t0)
	token := CSRFToken(j)
	if token == CSRFToken(j) {
		t.Fatal("tokens should be masked afresh each time")
	}
	later, _ := jarWith(c, t0.Add(time.Hour), written(j)...)
	if !ValidCSRFToken(later, token) {
		t.Fatal("a token was refused for its own visitor")
	}
	stranger, _ := jarWith(c, t0)
	CSRFToken(stranger)
	if ValidCSRFToken(stranger, token) {
		t.Fatal("a token was accepted for another visitor")
	}
	tampered := []byte(token)
	tampered[3] ^= 1
	for _, bad := range []string{"", "x", string(tampered), token[:20]} {
		if ValidCSRFToken(later, bad) {
			t.Fatalf("token %q accepted", bad)
		}
	}
	RotateCSRF(later)
	if ValidCSRFToken(later, token) {
		t.Fatal("a token survived rotation")
	}
}

func TestKeyValidation(t *testing.T) {
	a, b := GenerateKeySet(), GenerateKeySet()
	short := base64.RawURLEncoding.EncodeToString(make([]byte, 16))
	bad := map[string]string{
		"":                  "empty",
		"onlyonepart":       "hashkey:blockkey",
		a.String() + ",":    "hashkey:blockkey",
		short + ":" + short: "hash key must be 64 bytes",
		strings.Split(a.String(), ":")[0] + ":" + short: "block key must be 32 bytes",
		a.String() + "," + a.String():                   "share a key",
		"!!!:???":                                       "hash key",
		strings.Repeat(a.String()+",", 4) + b.String():  "at most",
	}
	for keys, want := range bad {
		_, err := ParseKeys(keys)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeys(%.30q) = %v, want an error about %q", keys, err, want)
		}
	}
	if sets, err := ParseKeys(a.String() + "," + b.String()); err != nil || len(sets) != 2 {
		t.Fatalf("two good sets: %v", err)
	}
}

// FuzzDecode feeds arbitrary cookie values to every kind: a jar must never
// panic, and anything it accepts must be a value it could have written.
func FuzzDecode(f *testing.F) {
	keys := GenerateKeySet().String()
	c := codecs(f, keys, true)
	j, _ := jarWith(c, t0)
	_ = CartCookie.Set(j, Cart{Lines: []CartLine{{1, 2, 300}}})
	_ = FlashCookie.Set(j, Flash{Kind: "success", Text: "hi"})
	for _, ck := range written(j) {
		f.Add(ck.Value)
		f.Add(ck.Value[:len(ck.Value)/2])
	}
	f.Add("")
	f.Add("MTcwMDAwMDAwMHx8")
	f.Add(strings.Repeat("A", 5000))
	f.Fuzz(func(t *testing.T, value string) {
		var cookies []*http.Cookie
		for _, s := range registry {
			cookies = append(cookies, &http.Cookie{Name: c.CookieName(s), Value: value})
		}
		var rej int
		j := c.NewJar(request(cookies...), t0, func(string, string) { rej++ })
		_, _ = CartCookie.Get(j)
		_, _ = FlashCookie.Get(j)
		_, _ = PrefsCookie.Get(j)
		_, _ = RecentOrdersCookie.Get(j)
		_, _ = VisitorCookie.Get(j)
		_, _ = StaffSessionCookie.Get(j)
		j.Write(http.Header{})
	})
}

func BenchmarkLargestCartEncodeDecode(b *testing.B) {
	c := codecs(b, GenerateKeySet().String(), true)
	cart := largestCart()
	b.ReportAllocs()
	for b.Loop() {
		j, _ := jarWith(c, t0)
		if err := CartCookie.Set(j, cart); err != nil {
			b.Fatal(err)
		}
		h := http.Header{}
		j.Write(h)
		r := request((&http.Response{Header: h}).Cookies()...)
		j2 := c.NewJar(r, t0, nil)
		if got, ok := CartCookie.Get(j2); !ok || len(got.Lines) != 50 {
			b.Fatal("round trip failed")
		}
	}
}
