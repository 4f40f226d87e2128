package shop

import "strings"

// SafeCSVRow neutralises cells a spreadsheet would run as a formula: a
// cell starting with =, +, -, @ (or a tab or carriage return, which some
// spreadsheets skip before looking) gets a leading apostrophe, so a
// customer named "=HYPERLINK(...)" stays text. Spreadsheets set up for
// semicolon-separated files split an unquoted cell at each ";", so every
// piece after a semicolon is neutralised the same way ("a;=1+1" becomes
// "a;'=1+1").
func SafeCSVRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if strings.Contains(c, ";") {
			parts := strings.Split(c, ";")
			for j, p := range parts {
				parts[j] = safeCSVPiece(p)
			}
			c = strings.Join(parts, ";")
		} else {
			c = safeCSVPiece(c)
		}
		out[i] = c
	}
	return out
}

// safeCSVPiece prefixes an apostrophe to text a spreadsheet would take for
// a formula, looking past the spaces some of them skip.
func safeCSVPiece(p string) string {
	if p == "" {
		return p
	}
	switch p[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + p
	}
	if t := strings.TrimLeft(p, " "); t != p && t != "" {
		switch t[0] {
		case '=', '+', '-', '@':
			return "'" + p
		}
	}
	return p
}
