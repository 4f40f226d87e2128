package shop

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fulfilment methods.
const (
	Pickup   = "pickup"
	Delivery = "delivery"
)

// Checkout field limits.
const (
	MaxNameLength    = 100
	MaxNoteLength    = 1000
	MaxAddressLength = 300
)

// NewIdempotencyKey is put into each rendered checkout form: 128 random bits.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// OrderLine is one line of the order summary the customer confirmed.
type OrderLine struct {
	ProductID     int64
	Quantity      int
	ExpectedPrice int64 // the unit price the summary showed
}

// CheckoutForm is a validated checkout submission.
type CheckoutForm struct {
	Key        string
	Lines      []OrderLine
	Name       string
	Email      string
	Phone      string
	Fulfilment string
	SlotID     int64
	Address    string
	Postcode   string // normalised: upper case, single space
	Note       string
}

// FieldErrors maps a form field to what is wrong with it.
type FieldErrors map[string]string

var (
	phonePattern    = regexp.MustCompile(`^\+?[0-9 ()\-]{6,25}$`)
	keyPattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
	ukPostcode      = regexp.MustCompile(`^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$`)
	postcodePattern = regexp.MustCompile(`^[A-Z0-9 -]{2,12}$`)
)

// ParseCheckoutForm reads and validates a checkout submission. It returns
// every problem at once, keyed by field, so the form can show them inline.
func ParseCheckoutForm(v url.Values) (CheckoutForm, FieldErrors) {
	errs := FieldErrors{}
	clean := func(name string) string { return CleanText(v.Get(name)) }
	f := CheckoutForm{
		Key:        clean("idempotency_key"),
		Name:       clean("name"),
		Email:      clean("email"),
		Phone:      clean("phone"),
		Fulfilment: clean("fulfilment"),
		Address:    clean("address"),
		Postcode:   NormalizePostcode(clean("postcode")),
		Note:       clean("note"),
	}
	if !keyPattern.MatchString(f.Key) {
		errs["form"] = "This form is incomplete. Please reload the checkout page."
	}
	lines, err := parseOrderLines(v)
	if err != "" {
		errs["lines"] = err
	}
	f.Lines = lines

	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		errs["name"] = "Enter your name."
	case n > MaxNameLength:
		errs["name"] = fmt.Sprintf("Your name must be at most %d characters.", MaxNameLength)
	}
	if addr, err := mail.ParseAddress(f.Email); err != nil || addr.Address != f.Email || len(f.Email) > 254 || !strings.Contains(f.Email, ".") {
		errs["email"] = "Enter an email address like name@example.com."
	}
	if !phonePattern.MatchString(f.Phone) {
		errs["phone"] = "Enter a phone number of 6 to 25 digits, like 0117 496 0000."
	}
	if utf8.RuneCountInString(f.Note) > MaxNoteLength {
		errs["note"] = fmt.Sprintf("The note must be at most %d characters.", MaxNoteLength)
	}
	switch f.Fulfilment {
	case Pickup:
		id, err := strconv.ParseInt(clean("slot_id"), 10, 64)
		if err != nil || id < 1 {
			errs["slot_id"] = "Choose a pickup time."
		}
		f.SlotID, f.Address, f.Postcode = id, "", ""
	case Delivery:
		switch n := utf8.RuneCountInString(f.Address); {
		case n == 0:
			errs["address"] = "Enter the delivery address."
		case n > MaxAddressLength:
			errs["address"] = fmt.Sprintf("The address must be at most %d characters.", MaxAddressLength)
		}
		if !postcodePattern.MatchString(f.Postcode) {
			errs["postcode"] = "Enter a postcode, like BS1 4DJ."
		}
	default:
		errs["fulfilment"] = "Choose pickup or delivery."
	}
	return f, errs
}

func parseOrderLines(v url.Values) ([]OrderLine, string) {
	ids, qtys, prices := v["line_product"], v["line_quantity"], v["line_price"]
	if len(ids) == 0 {
		return nil, "Your cart is empty."
	}
	if len(ids) != len(qtys) || len(ids) != len(prices) || len(ids) > MaxCartLines {
		return nil, "The order summary is incomplete. Please reload the checkout page."
	}
	seen := map[int64]bool{}
	lines := make([]OrderLine, 0, len(ids))
	for i := range ids {
		id, err1 := strconv.ParseInt(ids[i], 10, 64)
		qty, err2 := strconv.Atoi(qtys[i])
		price, err3 := strconv.ParseInt(prices[i], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || id < 1 || price < 0 || seen[id] {
			return nil, "The order summary is incomplete. Please reload the checkout page."
		}
		if qty < 1 || qty > MaxQuantity {
			return nil, fmt.Sprintf("Quantities must be from 1 to %d.", MaxQuantity)
		}
		seen[id] = true
		lines = append(lines, OrderLine{ProductID: id, Quantity: qty, ExpectedPrice: price})
	}
	return lines, ""
}

// ContentHash identifies what was ordered and how, so a reused checkout key
// with different content can be told from an honest retry. Prices are left
// out: they are the shop's, not the customer's.
func (f CheckoutForm) ContentHash() []byte {
	h := sha256.New()
	lines := slices.Clone(f.Lines)
	slices.SortFunc(lines, func(a, b OrderLine) int { return cmp.Compare(a.ProductID, b.ProductID) })
	var buf [8]byte
	for _, l := range lines {
		binary.BigEndian.PutUint64(buf[:], uint64(l.ProductID))
		h.Write(buf[:])
		binary.BigEndian.PutUint64(buf[:], uint64(l.Quantity))
		h.Write(buf[:])
	}
	for _, s := range []string{f.Fulfilment, strconv.FormatInt(f.SlotID, 10), f.Address, f.Postcode, f.Name, f.Email, f.Phone, f.Note} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// NormalizePostcode upper-cases a postcode and writes a UK one with its
// single space ("bs14dj" → "BS1 4DJ").
func NormalizePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if m := ukPostcode.FindStringSubmatch(strings.ReplaceAll(s, " ", "")); m != nil {
		return m[1] + " " + m[2]
	}
	return s
}

// DeliveryRules say where and when the shop delivers.
type DeliveryRules struct {
	Areas   []string // postcode prefixes: a UK outward code ("BS6") or area ("BS"), or any prefix
	Fee     int64
	Minimum int64 // minimum subtotal, minor units
}

// Enabled reports whether the shop delivers at all.
func (r DeliveryRules) Enabled() bool { return len(r.Areas) > 0 }

// Covers reports whether a normalised postcode is in the delivery area. A
// UK postcode matches by its outward code, so "BS1" covers "BS1 4DJ" but
// not "BS10 5AB"; a letters-only area ("BS") covers all of its districts.
func (r DeliveryRules) Covers(postcode string) bool {
	outward := postcode
	if m := ukPostcode.FindStringSubmatch(strings.ReplaceAll(postcode, " ", "")); m != nil {
		outward = m[1]
	}
	for _, a := range r.Areas {
		switch {
		case outward == a:
			return true
		case strings.HasPrefix(outward, a) && isLetters(a) && len(outward) > len(a) && outward[len(a)] >= '0' && outward[len(a)] <= '9':
			return true
		case !ukPostcode.MatchString(strings.ReplaceAll(postcode, " ", "")) && strings.HasPrefix(postcode, a):
			return true
		}
	}
	return false
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}
