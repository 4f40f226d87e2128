package views

import (
	"github.com/a-h/templ"
	"strings"
	"time"

	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// Slot is a pickup slot a customer can choose.
type Slot struct {
	ID         int64
	Start, End time.Time
	Left       int32
}

// Checkout is the checkout page: the order summary at today's prices, the
// form as entered, and any problems to show inline.
type Checkout struct {
	Cart   shop.PricedCart
	Form   shop.CheckoutForm
	Key    string // idempotency key of this rendering of the form
	Points []SlotGroup
	Shop   *settings.Settings
	Total  shop.CheckoutTotal // for the option chosen
	Errors shop.FieldErrors
	Notice string // a problem with the whole order (stock, prices, slot)
	// Deliveries are the delivery days customers can choose, by zone.
	Deliveries []DeliveryGroup
	// Cutoff says how late customers can order ("Order by 18:00 today for
	// pickup tomorrow.").
	Cutoff string
	// Closures are the closures coming up, with their notes.
	Closures []settings.Closure
	// DayProblems flag lines that cannot be made for the day chosen, by
	// product: "Sourdough is sold out for Friday — available Saturday."
	DayProblems map[int64]string
	// Confirm is set when prices rose: the summary shows the new prices and
	// the customer submits again to accept them.
	Confirm bool
}

// DeliveryGroup is a delivery zone and its open delivery days.
type DeliveryGroup struct {
	Zone shop.DeliveryZone
	Days []DeliveryDay
}

// DeliveryDay is a delivery day a customer can choose.
type DeliveryDay struct {
	ID   int64
	Day  time.Time // a date
	Left int32
}

// DeliveriesByZone groups open delivery days under the zones, in the
// zones' order; a zone without open days is left out.
func DeliveriesByZone(zones []shop.DeliveryZone, rows []db.OpenDeliverySlotsRow) []DeliveryGroup {
	var out []DeliveryGroup
	for _, z := range zones {
		g := DeliveryGroup{Zone: z}
		for _, r := range rows {
			if r.ZoneID.Int64 == z.ID {
				g.Days = append(g.Days, DeliveryDay{ID: r.ID, Day: r.Day, Left: r.Capacity - r.Booked})
			}
		}
		if len(g.Days) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// SlotGroup is a pickup point and its open slots.
type SlotGroup struct {
	Point settings.PickupPoint
	Slots []Slot
}

// SlotsByPoint groups open slots under the active pickup points, in the
// points' order; a point without open slots is left out.
func SlotsByPoint(points []settings.PickupPoint, rows []db.OpenSlotsRow) []SlotGroup {
	var out []SlotGroup
	for _, p := range points {
		g := SlotGroup{Point: p}
		for _, r := range rows {
			if r.PickupPointID == p.ID {
				g.Slots = append(g.Slots, Slot{ID: r.ID, Start: r.StartsAt, End: r.EndsAt, Left: r.Capacity - r.Booked})
			}
		}
		if len(g.Slots) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// HasSlots reports whether any pickup time is left.
func (c Checkout) HasSlots() bool { return len(c.Points) > 0 }

// HasErrors reports whether there is anything to fix.
func (c Checkout) HasErrors() bool { return len(c.Errors) > 0 || c.Notice != "" }

// Fulfilment is the chosen method, pickup by default.
func (c Checkout) Fulfilment() string {
	if c.Shop != nil && c.Shop.Delivers() && (c.Form.Fulfilment == shop.Delivery || !c.Shop.Collects()) {
		return shop.Delivery
	}
	return shop.Pickup
}

// errorOrder is the order fields appear in, for the error summary.
var errorOrder = []struct{ field, id string }{
	{"form", "checkout-form"}, {"lines", "summary"}, {"name", "name"}, {"email", "email"}, {"phone", "phone"},
	{"fulfilment", "fulfilment-pickup"}, {"slot_id", "slot_id"}, {"address", "address"}, {"postcode", "postcode"},
	{"delivery_slot_id", "delivery_slot_id"}, {"note", "note"},
}

type fieldError struct{ ID, Message string }

func (c Checkout) errorList() []fieldError {
	var out []fieldError
	for _, f := range errorOrder {
		if m, ok := c.Errors[f.field]; ok {
			out = append(out, fieldError{f.id, m})
		}
	}
	return out
}

// invalidAttrs marks a field with an error and describes it by its hints
// and, when there is one, the error message (one aria-describedby: a
// second attribute would be ignored).
func invalidAttrs(errs shop.FieldErrors, field string, hints ...string) templ.Attributes {
	ids := hints
	attrs := templ.Attributes{}
	if _, ok := errs[field]; ok {
		attrs["aria-invalid"] = "true"
		ids = append(ids, field+"-error")
	}
	if len(ids) > 0 {
		attrs["aria-describedby"] = strings.Join(ids, " ")
	}
	return attrs
}

func feeText(fee int64, currency string) string {
	if fee == 0 {
		return "Free"
	}
	return price(fee, currency)
}

// oneLine is a multi-line address on one line.
func oneLine(address string) string { return strings.ReplaceAll(address, "\n", ", ") }
