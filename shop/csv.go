package shop

// SafeCSVRow neutralises cells a spreadsheet would run as a formula: a
// cell starting with =, +, -, @ (or a tab or carriage return, which some
// spreadsheets skip before looking) gets a leading apostrophe, so a
// customer named "=HYPERLINK(...)" stays text.
func SafeCSVRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if c != "" {
			switch c[0] {
			case '=', '+', '-', '@', '\t', '\r':
				c = "'" + c
			}
		}
		out[i] = c
	}
	return out
}
