package settings_test

import (
	"strings"
	"testing"
	"time"

	"shopfront/settings"
	"shopfront/shop"
)

func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{{"#ffffff", "#000000", 21}, {"#ffffff", "#ffffff", 1}, {"#767676", "#ffffff", 4.54}} {
		if got := settings.Contrast(tc.a, tc.b); got < tc.want-0.01 || got > tc.want+0.01 {
			t.Errorf("Contrast(%s, %s) = %.2f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
	if _, err := settings.CheckIdentity(settings.Identity{Name: "Shop", Accent: "#8A3B12"}); err != nil {
		t.Errorf("the standard accent is refused: %v", err)
	}
	for _, bad := range []string{"#f5d90a", "#777777", "red", "#12345"} {
		if _, err := settings.CheckIdentity(settings.Identity{Name: "Shop", Accent: bad}); err == nil {
			t.Errorf("accent %s accepted", bad)
		}
	}
}

func TestHoursAreChecked(t *testing.T) {
	var week [7][]settings.Range
	week[time.Monday] = []settings.Range{{Opens: 15 * 60, Closes: 18 * 60}, {Opens: 8 * 60, Closes: 13 * 60}}
	got, err := settings.CheckHours(week)
	if err != nil || got[time.Monday][0].Opens != 8*60 {
		t.Fatalf("two ranges out of order: %v, %v", got[time.Monday], err)
	}
	s := &settings.Settings{Hours: got}
	if s.OpenOn(time.Monday) != "08:00–13:00 and 15:00–18:00" || s.OpenOn(time.Sunday) != "Closed" {
		t.Fatalf("OpenOn: %q / %q", s.OpenOn(time.Monday), s.OpenOn(time.Sunday))
	}
	london, _ := time.LoadLocation("Europe/London")
	monday := time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC) // 23:30 in London, still Monday
	if got := s.Today(monday, london); got != "Open today 08:00–13:00 and 15:00–18:00" {
		t.Fatalf("Today = %q", got)
	}
	for _, bad := range [][]settings.Range{
		{{Opens: 13 * 60, Closes: 8 * 60}},
		{{Opens: 8 * 60, Closes: 13 * 60}, {Opens: 12 * 60, Closes: 16 * 60}},
		{{Opens: 1, Closes: 2}, {Opens: 3, Closes: 4}, {Opens: 5, Closes: 6}, {Opens: 7, Closes: 8}},
	} {
		week[time.Tuesday] = bad
		if _, err := settings.CheckHours(week); err == nil {
			t.Errorf("hours %v accepted", bad)
		}
	}
}

func TestZonesAreChecked(t *testing.T) {
	others := []shop.DeliveryZone{{ID: 1, Name: "Central", Prefixes: []string{"BS1", "BS6"}}}
	z, err := settings.CheckZone(shop.DeliveryZone{Name: " North ", Prefixes: []string{"bs7", " BS8 ", "", "BS7"}, Fee: 250}, others)
	if err != nil || z.Name != "North" || strings.Join(z.Prefixes, ",") != "BS7,BS8" {
		t.Fatalf("CheckZone: %+v, %v", z, err)
	}
	for _, bad := range []shop.DeliveryZone{
		{Name: "Clash", Prefixes: []string{"BS6"}},
		{Name: "Empty"},
		{Name: "Negative", Prefixes: []string{"BS9"}, Fee: -1},
		{Name: "", Prefixes: []string{"BS9"}},
		{Name: "Weird", Prefixes: []string{"B$9"}},
	} {
		if _, err := settings.CheckZone(bad, others); err == nil {
			t.Errorf("zone %+v accepted", bad)
		}
	}
	// The most specific prefix wins.
	zones := []shop.DeliveryZone{{Name: "Area", Prefixes: []string{"BS"}, Fee: 500}, {Name: "Near", Prefixes: []string{"BS6"}, Fee: 250}}
	if z, ok := shop.FindZone(zones, "BS6 1AA"); !ok || z.Name != "Near" {
		t.Errorf("BS6 1AA is in %q", z.Name)
	}
	if z, ok := shop.FindZone(zones, "BS60 1AA"); !ok || z.Name != "Area" {
		t.Errorf("BS60 1AA is in %q", z.Name)
	}
	if _, ok := shop.FindZone(zones, "BA1 1AA"); ok {
		t.Error("BA1 1AA is delivered to")
	}
}

func TestTheDefaultPrivacyNoticeSaysWhatIsKeptAndForHowLong(t *testing.T) {
	s := &settings.Settings{Name: "Hilltop", RetentionMonths: 18, Email: "hello@hilltop.example"}
	text := s.PrivacyText()
	for _, want := range []string{"Hilltop", "name", "email", "phone", "address", "18 months", "hello@hilltop.example"} {
		if !strings.Contains(text, want) {
			t.Errorf("the privacy notice lacks %q", want)
		}
	}
	s.Privacy = "Our own words."
	if s.PrivacyText() != "Our own words." {
		t.Error("the owner's notice is not used")
	}
}
