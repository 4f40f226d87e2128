package staffauth

import (
	"net/netip"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	for _, weak := range []string{"password1234", "123456789012", "qwertyuiopas", "aaaaaaaaaaaa", "Password123!", "iloveyou1234", "short"} {
		if CheckPolicy(weak) == nil {
			t.Errorf("%q accepted", weak)
		}
	}
	if CheckPolicy("pat@hilltop.example", "pat@hilltop.example", "Pat") == nil {
		t.Error("the person's own email accepted as a password")
	}
	for _, good := range []string{"correct horse battery staple", "a brand new password", "bakery-owner-2026"} {
		if err := CheckPolicy(good, "pat@hilltop.example"); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

func TestFailuresCountPerIPv4AddressAndIPv6Network(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":               "203.0.113.7",
		"::ffff:203.0.113.7":        "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":      "2001:db8:1:2::",
		"2001:db8:1:2:ffff:ffff::1": "2001:db8:1:2::",
		"fe80::1%eth0":              "fe80::",
	} {
		if got := Network(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("%s counts as %s, want %s", in, got, want)
		}
	}
}
