package shop

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
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
	// DeliverySlotID is the delivery day chosen, of the zone delivering
	// to Postcode.
	DeliverySlotID int64
	Address        string
	Postcode       string // normalised: upper case, single space
	Note           string
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
		id, err := strconv.ParseInt(clean("delivery_slot_id"), 10, 64)
		if err != nil || id < 1 {
			errs["delivery_slot_id"] = "Choose a delivery day."
		}
		f.DeliverySlotID = id
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
	for _, s := range []string{f.Fulfilment, strconv.FormatInt(f.SlotID, 10), strconv.FormatInt(f.DeliverySlotID, 10), f.Address, f.Postcode, f.Name, f.Email, f.Phone, f.Note} {
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

// DeliveryZone is an area the shop delivers to, with its price.
type DeliveryZone struct {
	ID       int64
	Name     string
	Prefixes []string // postcode prefixes: UK outward codes ("BS6"), areas ("BS") or any prefix
	Fee      int64
	Minimum  int64 // smallest subtotal delivered
	FreeOver int64 // delivery is free from this subtotal on; 0 with HasFreeOver false: never
	// HasFreeOver says whether delivery can be free in this zone.
	HasFreeOver bool
}

// Covers reports how specifically the zone covers a normalised postcode:
// the length of its longest matching prefix, 0 for not at all.
func (z DeliveryZone) Covers(postcode string) int {
	best := 0
	for _, p := range z.Prefixes {
		if (DeliveryRules{Areas: []string{p}}).Covers(postcode) && len(p) > best {
			best = len(p)
		}
	}
	return best
}

// FeeFor is the delivery fee for an order of this subtotal.
func (z DeliveryZone) FeeFor(subtotal int64) int64 {
	if z.HasFreeOver && subtotal >= z.FreeOver {
		return 0
	}
	return z.Fee
}

// FindZone is the zone that delivers to postcode: the one with the most
// specific matching prefix ("BS6" before "BS").
func FindZone(zones []DeliveryZone, postcode string) (DeliveryZone, bool) {
	var found DeliveryZone
	best := 0
	for _, z := range zones {
		if n := z.Covers(postcode); n > best {
			found, best = z, n
		}
	}
	return found, best > 0
}

// DeliveryProblem is why an order cannot be delivered, said to the
// customer next to the field to change.
type DeliveryProblem struct{ Field, Message string }

func (e *DeliveryProblem) Error() string { return e.Message }

// CheckDelivery finds the zone that delivers an order of subtotal to
// postcode, or says why it cannot be delivered.
func CheckDelivery(enabled bool, zones []DeliveryZone, postcode string, subtotal int64, currency string) (DeliveryZone, error) {
	if !enabled || len(zones) == 0 {
		return DeliveryZone{}, &DeliveryProblem{Field: "fulfilment", Message: "This shop does not deliver; please choose pickup."}
	}
	zone, ok := FindZone(zones, postcode)
	if !ok {
		return DeliveryZone{}, &DeliveryProblem{Field: "postcode", Message: fmt.Sprintf("Sorry, we don’t deliver to %s. Choose pickup, or a delivery address in our area.", postcode)}
	}
	if subtotal < zone.Minimum {
		min := Money{Minor: zone.Minimum, Currency: currency}
		return zone, &DeliveryProblem{Field: "fulfilment", Message: fmt.Sprintf("Delivery to %s needs an order of at least %s. Add a little more, or choose pickup.", postcode, min)}
	}
	return zone, nil
}

// Quote says what delivery to a zone costs, in the words the cart and the
// delivery page use: "£3.50, free over £40.00".
func (z DeliveryZone) Quote(currency string) string {
	fee := "free"
	if z.Fee > 0 {
		fee = Money{Minor: z.Fee, Currency: currency}.String()
	}
	if z.HasFreeOver && z.Fee > 0 {
		fee += ", free over " + Money{Minor: z.FreeOver, Currency: currency}.String()
	}
	if z.Minimum > 0 {
		fee += " (orders of " + Money{Minor: z.Minimum, Currency: currency}.String() + " or more)"
	}
	return fee
}

// CheckoutTotal is what an order comes to with the option chosen.
type CheckoutTotal struct {
	Subtotal   int64
	Fulfilment string
	Fee        int64
	Zone       string // the delivery zone, when the postcode is known
	Postcode   string
	// Known is false for delivery until a postcode the shop delivers to
	// is given: the fee then depends on it.
	Known bool
	// Problem says why delivery is not possible as entered.
	Problem string
}

// Total is subtotal plus fee.
func (t CheckoutTotal) Total() int64 { return t.Subtotal + t.Fee }

// QuoteCheckout is the checkout's total for a subtotal, an option and, for
// delivery, a postcode.
func QuoteCheckout(subtotal int64, fulfilment string, delivers bool, zones []DeliveryZone, postcode string) CheckoutTotal {
	t := CheckoutTotal{Subtotal: subtotal, Fulfilment: fulfilment, Postcode: postcode, Known: true}
	if fulfilment != Delivery {
		t.Fulfilment = Pickup
		return t
	}
	if postcode == "" {
		t.Known = false
		return t
	}
	zone, err := CheckDelivery(delivers, zones, postcode, subtotal, "")
	if err != nil {
		var p *DeliveryProblem
		if errors.As(err, &p) && p.Field == "postcode" {
			t.Known, t.Problem = false, "We don’t deliver to "+postcode+"."
			return t
		}
		t.Problem = "This order is below the delivery minimum for " + postcode + "."
	}
	t.Fee, t.Zone = zone.FeeFor(subtotal), zone.Name
	return t
}
