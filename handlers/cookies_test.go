package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/cookiestate"
)

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken loads path and returns the CSRF token of its forms.
func csrfToken(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(c.Get(t, path).Body)
	if m == nil {
		t.Fatalf("%s has no CSRF field", path)
	}
	return m[1]
}

func savePrefs(t *testing.T, c *apptest.Client, theme, view string) *apptest.Response {
	t.Helper()
	token := csrfToken(t, c, "/preferences")
	return c.PostForm(t, "/preferences", url.Values{"csrf_token": {token}, "theme": {theme}, "view": {view}, "sort": {"price_asc"}})
}

func TestPreferencesSetOnOneNodeAreReadByAnother(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	saved := savePrefs(t, visitor, "dark", "list")
	if saved.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving preferences = %d, want 303", saved.StatusCode)
	}
	setBy := saved.Header.Get("X-Test-Node")
	for range 3 {
		r := visitor.Get(t, "/")
		if r.Header.Get("X-Test-Node") == setBy {
			continue
		}
		if !strings.Contains(r.Body, `data-theme="dark"`) || !strings.Contains(r.Body, "products--list") {
			t.Fatalf("%s did not apply the preferences set on %s", r.Header.Get("X-Test-Node"), setBy)
		}
		// Default sort preference: cheapest first.
		if first := titles(r.Body)[0]; !strings.Contains(r.Body, "£1.45") || first == "All-Butter Croissant" {
			t.Fatalf("default sort preference ignored; first product %q", first)
		}
		return
	}
	t.Fatal("never reached another node")
}

func TestUnknownPreferenceValuesMeanTheDefault(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	token := csrfToken(t, visitor, "/preferences")
	r := visitor.PostForm(t, "/preferences", url.Values{"csrf_token": {token}, "theme": {"<script>"}, "view": {"carousel"}, "sort": {"evil"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", r.StatusCode)
	}
	page := visitor.Get(t, "/").Body
	if strings.Contains(page, "data-theme") || strings.Contains(page, "products--list") || strings.Contains(page, "<script>") {
		t.Fatal("unknown preference values were not replaced by defaults")
	}
}

func TestBadCookiesAreIgnoredDeletedAndLogged(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})

	// A genuine cart cookie, to move under another name.
	donor := c.Client()
	savePrefs(t, donor, "dark", "grid")
	prefs := donor.Cookie("__Host-prefs")

	for name, value := range map[string]string{
		"__Host-prefs":   strings.Repeat("A", 10240),
		"__Host-cart":    "garbage!",
		"__Host-flash":   prefs, // a valid value under the wrong name
		"__Host-visitor": prefs[:len(prefs)/2],
	} {
		visitor := c.Client()
		visitor.SetCookie(name, value)
		r := visitor.Get(t, "/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: page = %d, want 200", name, r.StatusCode)
		}
		// Deleted, or (for the CSRF secret the page needs) replaced by a fresh one.
		replaced := false
		for _, ck := range r.Cookies() {
			if ck.Name == name && (ck.MaxAge < 0 || ck.Value != value) {
				replaced = true
			}
		}
		if !replaced {
			t.Fatalf("%s: bad cookie not deleted; Set-Cookie: %v", name, r.Header.Values("Set-Cookie"))
		}
		if !strings.Contains(c.Logs(), `"msg":"cookie rejected","node":"`) || !strings.Contains(c.Logs(), `"cookie":"`+name+`"`) {
			t.Fatalf("%s: rejection not logged", name)
		}
	}
}

func TestKeyRotationDuringARollingDeploy(t *testing.T) {
	t.Parallel()
	oldKeys, newKeys := cookiestate.GenerateKeySet().String(), cookiestate.GenerateKeySet().String()
	// Step 2 of the rotation, mid-deploy: some nodes encode with the new set,
	// the others still encode with the old one but already decode the new.
	c := apptest.NewCluster(t, apptest.Options{Nodes: 2, Keys: []string{newKeys + "," + oldKeys, oldKeys + "," + newKeys}})
	visitor := c.Client()
	token := csrfToken(t, visitor, "/preferences")
	visitor.PostForm(t, "/preferences", url.Values{"csrf_token": {token}, "theme": {"dark"}})
	for range 6 {
		r := visitor.Get(t, "/preferences")
		if !strings.Contains(r.Body, `data-theme="dark"`) {
			t.Fatalf("%s lost the preference during rotation", r.Header.Get("X-Test-Node"))
		}
	}
	if strings.Contains(c.Logs(), "cookie rejected") {
		t.Fatalf("cookies were rejected during rotation:\n%s", c.Logs())
	}
}

func TestCSRFProtection(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{})
	visitor := c.Client()
	token := csrfToken(t, visitor, "/preferences")
	form := url.Values{"theme": {"dark"}}
	withToken := url.Values{"theme": {"dark"}, "csrf_token": {token}}

	cases := []struct {
		name    string
		form    url.Values
		headers []string
		want    int
	}{
		{"cross-site fetch", withToken, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"same-site fetch", withToken, []string{"Sec-Fetch-Site", "same-site", "Origin", "https://sub.shop.example"}, http.StatusForbidden},
		{"no fetch metadata, foreign origin", withToken, []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"no fetch metadata, no origin, no token", form, []string{"Sec-Fetch-Site", "", "Origin", ""}, http.StatusForbidden},
		{"no fetch metadata, no origin, wrong token", url.Values{"theme": {"dark"}, "csrf_token": {"AAAA"}}, []string{"Sec-Fetch-Site", "", "Origin", ""}, http.StatusForbidden},
		{"no fetch metadata, token in the header", form, []string{"Sec-Fetch-Site", "", "Origin", "", "X-CSRF-Token", token}, http.StatusSeeOther},
		{"no fetch metadata, same origin, token", withToken, []string{"Sec-Fetch-Site", ""}, http.StatusSeeOther},
		{"same-origin fetch with token", withToken, nil, http.StatusSeeOther},
	}
	for _, tc := range cases {
		r := visitor.PostForm(t, "/preferences", tc.form, tc.headers...)
		if r.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.want)
		}
		if tc.want == http.StatusForbidden && !strings.Contains(r.Body, "Reload the page") {
			t.Errorf("%s: 403 without a helpful message", tc.name)
		}
	}
	// Another visitor's token is worthless.
	stranger := c.Client()
	r := stranger.PostForm(t, "/preferences", withToken, "Sec-Fetch-Site", "", "Origin", "")
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("another visitor's token: %d, want 403", r.StatusCode)
	}
}

func TestFlashIsShownOnceAndNotTakenByBackgroundRequests(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	savePrefs(t, visitor, "light", "grid")

	// Search-as-you-type in the background must not eat the message.
	if r := visitor.Get(t, "/?q=bread", "HX-Request", "true"); strings.Contains(r.Body, "preferences are saved") {
		t.Fatal("a background htmx request showed the flash")
	}
	first := visitor.Get(t, "/")
	if !strings.Contains(first.Body, "Your preferences are saved.") {
		t.Fatal("the next full page did not show the flash")
	}
	if again := visitor.Get(t, "/"); strings.Contains(again.Body, "Your preferences are saved.") {
		t.Fatal("the flash was shown twice")
	}

	// With htmx the message comes in the response itself, for the live region.
	token := csrfToken(t, visitor, "/preferences")
	r := visitor.PostForm(t, "/preferences", url.Values{"csrf_token": {token}, "theme": {"dark"}}, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || r.Header.Get("HX-Redirect") != "/preferences" {
		t.Fatalf("htmx save: %d HX-Redirect=%q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	if page := visitor.Get(t, "/preferences"); !strings.Contains(page.Body, "Your preferences are saved.") {
		t.Fatal("after an htmx redirect the next page did not show the flash")
	}
}

func TestViewSwitchSwapsResultsInPlace(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	token := csrfToken(t, visitor, "/?q=bread")
	form := url.Values{"csrf_token": {token}, "view": {"list"}, "return_to": {"/?q=bread"}}

	r := visitor.PostForm(t, "/preferences/view", form, "HX-Request", "true", "HX-Request-Type", "partial")
	loc := r.Header.Get("HX-Location")
	if r.StatusCode != http.StatusOK || !strings.Contains(loc, `"path":"/?q=bread"`) || !strings.Contains(loc, `"target":"#results"`) {
		t.Fatalf("htmx view switch: %d HX-Location=%s", r.StatusCode, loc)
	}
	if !strings.Contains(visitor.Get(t, "/?q=bread").Body, "products--list") {
		t.Fatal("list view not applied")
	}

	form.Set("view", "grid")
	form.Set("return_to", "https://evil.example/")
	r = visitor.PostForm(t, "/preferences/view", form)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("no-JS view switch: %d Location=%q, want 303 to / (never off-site)", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestAssetsNeverSetCookies(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	visitor.SetCookie("__Host-cart", "garbage")
	page := visitor.Get(t, "/")
	css := regexp.MustCompile(`href="(/static/css/[^"]+)"`).FindStringSubmatch(page.Body)[1]
	visitor.SetCookie("__Host-cart", "garbage")
	for _, path := range []string{css, "/healthz"} {
		if r := visitor.Get(t, path); len(r.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("%s set cookies: %v", path, r.Header.Values("Set-Cookie"))
		}
	}
}

func TestHtmxErrorsGoToTheLiveRegionNotTheTarget(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	// A refused htmx POST (no token, no Fetch Metadata) must not replace the
	// form it came from with an error page.
	r := visitor.PostForm(t, "/cart/add", url.Values{"product_id": {"1"}, "quantity": {"1"}},
		"Sec-Fetch-Site", "", "Origin", "", "HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusForbidden || r.Header.Get("HX-Retarget") != "#flash" || r.Header.Get("HX-Reswap") != "innerHTML" ||
		!strings.Contains(r.Body, `class="flash flash--error"`) || strings.Contains(r.Body, "<h1") {
		t.Fatalf("htmx 403: %d retarget=%q body=%s", r.StatusCode, r.Header.Get("HX-Retarget"), r.Body)
	}
	// A bad search while typing says why, in the same place.
	r = visitor.Get(t, "/?q="+strings.Repeat("a", 300), "HX-Request", "true", "HX-Request-Type", "partial")
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("HX-Retarget") != "#flash" || !strings.Contains(r.Body, "Search text is too long") {
		t.Fatalf("htmx 400: %d %q", r.StatusCode, r.Body)
	}
}
