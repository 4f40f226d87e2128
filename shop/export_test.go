package shop

import (
	"errors"
	"testing"
	"time"
)

func TestParseExportRange(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// 00:30 on 1 December in London is still 30 November in New York, but
	// the shop's days are London's.
	now := time.Date(2026, 12, 1, 0, 30, 0, 0, london)
	for _, tc := range []struct {
		rows, from, to     string
		wantRows           string
		wantFrom, wantTo   string
		wantStart, wantEnd time.Time
	}{
		{"", "", "", ExportOrders, "2026-11-01", "2026-12-01",
			time.Date(2026, 11, 1, 0, 0, 0, 0, london), time.Date(2026, 12, 2, 0, 0, 0, 0, london)},
		{"lines", "2026-03-29", "2026-03-29", ExportLines, "2026-03-29", "2026-03-29", // the clocks go forward that day
			time.Date(2026, 3, 29, 0, 0, 0, 0, london), time.Date(2026, 3, 30, 0, 0, 0, 0, london)},
		{"orders", "", "2026-06-30", ExportOrders, "2026-05-31", "2026-06-30",
			time.Date(2026, 5, 31, 0, 0, 0, 0, london), time.Date(2026, 7, 1, 0, 0, 0, 0, london)},
	} {
		e, err := ParseExport(tc.rows, tc.from, tc.to, now, london)
		if err != nil || e.Rows != tc.wantRows || e.FromDay != tc.wantFrom || e.ToDay != tc.wantTo || !e.From.Equal(tc.wantStart) || !e.End.Equal(tc.wantEnd) {
			t.Errorf("ParseExport(%q, %q, %q) = %+v, %v", tc.rows, tc.from, tc.to, e, err)
		}
	}
	for _, tc := range []struct{ rows, from, to, field string }{
		{"", "2026-13-40", "", "from"},
		{"", "", "yesterday", "from"},
		{"", "2026-11-20", "2026-11-01", "from"},
		{"", "2024-01-01", "2026-01-01", "from"},
		{"products", "", "", "rows"},
	} {
		_, err := ParseExport(tc.rows, tc.from, tc.to, now, london)
		var input *InputError
		if !errors.As(err, &input) || input.Field != tc.field {
			t.Errorf("ParseExport(%q, %q, %q): %v, want an input error on %s", tc.rows, tc.from, tc.to, err, tc.field)
		}
	}
}
