package views

import "testing"

func TestPathsFillPatterns(t *testing.T) {
	p := Paths{"home": "/", "cart": "/cart", "product": "/products/:slug", "email": "/admin/orders/:id/emails/:email/resend", "slash": "/x/:id/"}
	for _, tc := range []struct {
		name   string
		params []any
		want   string
	}{
		{"home", nil, "/"},
		{"cart", nil, "/cart"},
		{"product", []any{"white-loaf"}, "/products/white-loaf"},
		{"product", []any{"a b/c"}, "/products/a%20b%2Fc"},
		{"email", []any{int64(12), 7}, "/admin/orders/12/emails/7/resend"},
		{"slash", []any{int32(3)}, "/x/3/"},
	} {
		if got := p.URL(tc.name, tc.params...); got != tc.want {
			t.Errorf("URL(%q, %v) = %q, want %q", tc.name, tc.params, got, tc.want)
		}
	}
	for _, bad := range []func(){
		func() { p.URL("product") },
		func() { p.URL("product", "a", "b") },
		func() { p.URL("cart", "a") },
		func() { p.URL("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a wrong route or number of params did not panic")
				}
			}()
			bad()
		}()
	}
}
