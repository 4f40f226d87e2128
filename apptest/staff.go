package apptest

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/staffauth"
)

// StaffPassword is the password CreateStaff gives every account.
const StaffPassword = "correct horse battery staple"

// CreateStaff adds a staff account with StaffPassword and returns its id.
func CreateStaff(t testing.TB, pool *pgxpool.Pool, email, role string) int64 {
	t.Helper()
	id, err := staffauth.Create(context.Background(), db.New(pool), email, "", role, StaffPassword)
	if err != nil {
		t.Fatalf("creating staff %s: %v", email, err)
	}
	return id
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Token loads path and returns the CSRF token of its forms.
func (c *Client) Token(t testing.TB, path string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(c.Get(t, path).Body)
	if m == nil {
		t.Fatalf("%s has no CSRF field", path)
	}
	return m[1]
}

// SignIn signs the client in to the staff area and fails the test unless
// it worked.
func (c *Client) SignIn(t testing.TB, email, password string) {
	t.Helper()
	r := c.TrySignIn(t, email, password)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d\n%s", email, r.StatusCode, r.Body)
	}
}

// TrySignIn posts the sign-in form and returns the response.
func (c *Client) TrySignIn(t testing.TB, email, password string, headers ...string) *Response {
	t.Helper()
	token := c.Token(t, "/admin/login")
	return c.PostForm(t, "/admin/login", url.Values{"csrf_token": {token}, "email": {email}, "password": {password}}, headers...)
}

// Submit posts form to path the way a browser submits a form on the page
// from: with that page's CSRF token. form is not changed, so several
// clients may submit the same one at once.
func (c *Client) Submit(t testing.TB, from, path string, form url.Values, headers ...string) *Response {
	t.Helper()
	form = maps.Clone(form)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.Token(t, from))
	return c.PostForm(t, path, form, headers...)
}
