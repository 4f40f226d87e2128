package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/cookiestate"
	"shopfront/staffauth"
)

// Cookie keys rotate while shoppers and staff carry on, one node replaced
// at a time as a deploy does, in the order the runbook gives and in the
// order people get wrong (the new key first at once). Either way no cart
// loses a line and nobody is signed out: a node that meets a cookie made
// with a key it lacks leaves it alone (and says "try again" rather than
// overwrite it); only the runbook's order is also free of those answers.
func TestCookieKeyRotationInEitherOrderLosesNothing(t *testing.T) {
	t.Parallel()
	k1, k2 := cookiestate.GenerateKeySet().String(), cookiestate.GenerateKeySet().String()
	for _, tc := range []struct {
		name    string
		steps   []string
		runbook bool
	}{
		{"runbook: K1 → K1,K2 → K2,K1 → K2", []string{k1 + "," + k2, k2 + "," + k1, k2}, true},
		{"new key first: K1 → K2,K1 → K2", []string{k2 + "," + k1, k2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := apptest.NewCluster(t, apptest.Options{Demo: true, Keys: []string{k1}})
			loaf := productID(t, c.Pool, "white-sourdough-loaf")
			exec(t, c.Pool, "UPDATE products SET stock = 1000 WHERE id = $1", loaf) // every add can succeed
			var shoppers []*shopper
			want := map[*shopper]int{}
			for range 6 {
				s := newShopper(t, c)
				if r := s.add(loaf, "1"); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("adding to a cart: %d", r.StatusCode)
				}
				shoppers, want[s] = append(shoppers, s), 1
			}
			var staff []*apptest.Client
			for i := range 3 {
				staff = append(staff, signedIn(t, c, "staff"+string(rune('a'+i))+"@example.com", staffauth.RoleStaff))
			}

			tryAgain := 0
			traffic := func() {
				for _, s := range shoppers {
					r := s.c.Get(t, "/cart")
					switch {
					case r.StatusCode == http.StatusServiceUnavailable:
						tryAgain++
					case r.StatusCode != http.StatusOK || cartQuantity(r.Body, loaf) != want[s]:
						t.Fatalf("a cart mid-deploy: %d with %d loaves, want %d", r.StatusCode, cartQuantity(r.Body, loaf), want[s])
					}
					switch r := s.add(loaf, "1"); r.StatusCode {
					case http.StatusSeeOther:
						want[s]++
					case http.StatusServiceUnavailable:
						tryAgain++
					default:
						t.Fatalf("adding to a cart mid-deploy: %d", r.StatusCode)
					}
				}
				for _, st := range staff {
					switch r := st.Get(t, "/admin/orders"); r.StatusCode {
					case http.StatusOK:
					case http.StatusServiceUnavailable:
						tryAgain++
					default:
						t.Fatalf("a staff page mid-deploy: %d (%s): signed out", r.StatusCode, r.Header.Get("Location"))
					}
				}
			}
			for _, keys := range tc.steps {
				for i := range c.Nodes {
					c.Replace(t, c.Nodes[i], keys)
					traffic()
					traffic()
				}
			}
			// The fleet agrees again: everything is there.
			for _, s := range shoppers {
				if r := s.c.Get(t, "/cart"); cartQuantity(r.Body, loaf) != want[s] {
					t.Fatalf("a cart after the rotation has %d loaves, want %d", cartQuantity(r.Body, loaf), want[s])
				}
			}
			for _, st := range staff {
				if r := st.Get(t, "/admin/orders"); r.StatusCode != http.StatusOK {
					t.Fatalf("staff after the rotation: %d: signed out", r.StatusCode)
				}
			}
			t.Logf("%d answers said to try again while the fleet was mixed", tryAgain)
			if tc.runbook && tryAgain > 0 {
				t.Errorf("the runbook's order gave %d \"try again\" answers, want none", tryAgain)
			}
			if n := strings.Count(c.Logs(), `"reason":"signature"`); n > 0 {
				t.Errorf("%d cookies were rejected as forged during the rotation", n)
			}
		})
	}
}
