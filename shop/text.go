package shop

import (
	"strings"
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
