// Package shop holds Shopfront's business rules as plain functions: money,
// stock states and the catalogue's query rules. Nothing here knows about HTTP.
package shop

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// currencyFormat says how a currency is written: its symbol, whether the
// symbol follows the amount, and how many minor-unit digits it has.
type currencyFormat struct {
	symbol string
	after  bool
	digits int
}

var currencies = map[string]currencyFormat{
	"GBP": {"£", false, 2},
	"EUR": {"€", false, 2},
	"USD": {"$", false, 2},
	"CAD": {"CA$", false, 2},
	"AUD": {"A$", false, 2},
	"NZD": {"NZ$", false, 2},
	"CHF": {"CHF ", false, 2},
	"SEK": {" kr", true, 2},
	"NOK": {" kr", true, 2},
	"DKK": {" kr.", true, 2},
	"JPY": {"¥", false, 0},
}

// SupportedCurrencies lists the ISO 4217 codes prices may be kept in.
func SupportedCurrencies() []string {
	codes := make([]string, 0, len(currencies))
	for c := range currencies {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// IsSupportedCurrency reports whether code is a currency we can format.
func IsSupportedCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// Money is an amount in minor units (pence, cents) of one currency.
// It is never a float.
type Money struct {
	Minor    int64
	Currency string
}

// String formats the amount for people, e.g. "£1,234.50".
func (m Money) String() string {
	f, ok := currencies[m.Currency]
	if !ok {
		f = currencyFormat{symbol: " " + m.Currency, after: true, digits: 2}
	}
	minor := m.Minor
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	unit := int64(1)
	for range f.digits {
		unit *= 10
	}
	whole := groupThousands(strconv.FormatInt(minor/unit, 10))
	amount := whole
	if f.digits > 0 {
		frac := strconv.FormatInt(minor%unit, 10)
		amount += "." + strings.Repeat("0", f.digits-len(frac)) + frac
	}
	if f.after {
		return sign + amount + f.symbol
	}
	return sign + f.symbol + amount
}

// thousands is a whole number grouped by commas: 1,250 or 12,345,678.
var thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)

func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// ParseAmount reads a decimal amount such as "3.50" in currency into minor
// units, refusing negative numbers and more decimals than the currency has.
// It takes an amount as the shop shows it too: with the currency's symbol
// or code ("£12.50", "12.50 GBP") and thousands separators ("£1,250.00").
func ParseAmount(s, currency string) (int64, error) {
	f, ok := currencies[currency]
	if !ok {
		f.digits = 2
	}
	in := s
	s = strings.TrimSpace(s)
	for _, mark := range []string{strings.TrimSpace(f.symbol), currency} {
		if mark == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(s, mark); ok {
			s = strings.TrimSpace(rest)
		} else if rest, ok := strings.CutSuffix(s, mark); ok {
			s = strings.TrimSpace(rest)
		}
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		if !thousands.MatchString(whole) {
			return 0, fmt.Errorf("%q is not an amount like 3.50", in)
		}
		whole = strings.ReplaceAll(whole, ",", "")
	}
	s = in
	if !allDigits(whole) || len(frac) > f.digits || (hasFrac && !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not an amount like 3.50", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1_000_000_000 {
		return 0, fmt.Errorf("%q is not an amount like 3.50", s)
	}
	frac += strings.Repeat("0", f.digits-len(frac))
	var fr int64
	if frac != "" {
		if fr, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, fmt.Errorf("%q is not an amount like 3.50", s)
		}
	}
	unit := int64(1)
	for range f.digits {
		unit *= 10
	}
	return w*unit + fr, nil
}

// Decimal writes the amount without symbol or grouping ("1234.50"), for
// files other programs read.
func (m Money) Decimal() string {
	f, ok := currencies[m.Currency]
	if !ok {
		f.digits = 2
	}
	sign, minor := "", m.Minor
	if minor < 0 {
		sign, minor = "-", -minor
	}
	unit := int64(1)
	for range f.digits {
		unit *= 10
	}
	s := sign + strconv.FormatInt(minor/unit, 10)
	if f.digits > 0 {
		frac := strconv.FormatInt(minor%unit, 10)
		s += "." + strings.Repeat("0", f.digits-len(frac)) + frac
	}
	return s
}

// allDigits reports whether s is one or more ASCII digits: no sign, no space.
func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
