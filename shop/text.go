package shop

import (
	"strings"
	"time"
	"unicode"
)

// CleanText makes text from a form or query safe to store and show: valid
// UTF-8, no NUL or other control characters (Postgres refuses NUL in text),
// except tabs and line breaks, trimmed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	if strings.IndexFunc(s, isUnwantedControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isUnwantedControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

func isUnwantedControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// ZoneName says which clock a time is on, for a reader who may be
// elsewhere: "GMT, London time" (a zone without an abbreviation is named
// by its offset, "UTC+03:00").
func ZoneName(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	abbr := t.Format("MST")
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
		abbr = "UTC" + t.Format("-07:00")
	}
	place := loc.String()
	if i := strings.LastIndex(place, "/"); i >= 0 {
		place = place[i+1:]
	}
	if place == "" || place == "UTC" || place == "Local" {
		return abbr
	}
	return abbr + ", " + strings.ReplaceAll(place, "_", " ") + " time"
}
