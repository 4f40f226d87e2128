package views

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/a-h/templ"

	"shopfront/db"
	"shopfront/outbox"
	"shopfront/settings"
	"shopfront/shop"
)

// EmailShop is what every email says about the shop that sends it.
type EmailShop struct {
	Name     string
	BaseURL  string // without trailing slash
	Location *time.Location
	// Contact tells the reader how to reach the shop.
	Contact string
	// LogoURL is the shop's logo, "" for none; emails read the same
	// without it (its alt text is the shop's name).
	LogoURL string
}

// EmailLine is one line of an order in an email.
type EmailLine struct {
	Name      string
	Quantity  int32
	UnitPrice string
	Total     string
}

// EmailOrder is everything an order email can show, as text.
type EmailOrder struct {
	Shop     EmailShop
	Kind     outbox.Kind
	Number   string // "#1001"
	Customer string
	Email    string
	Phone    string
	Lines    []EmailLine
	Subtotal string
	Fee      string // empty when there is no delivery fee
	Zone     string // the delivery zone
	Total    string
	Pickup   bool
	When     string   // the pickup slot, with its time zone
	Where    []string // the pickup point: name, address lines, instructions
	Address  []string
	Pay      string
	Note     string
	Reason   string // why it was cancelled
	OrderURL string // the customer's page
	StaffURL string // the order in the staff area, for the shop's alert
}

// OrderEmailModel builds an order email's view from the rows the email job
// read; links are made from the shop's BASE_URL and the route table.
func OrderEmailModel(kind outbox.Kind, o db.OrderForEmailRow, lines []db.OrderLinesRow, s EmailShop, st *settings.Settings, paths Paths) EmailOrder {
	money := func(minor int64) string { return shop.Money{Minor: minor, Currency: o.Currency}.String() }
	e := EmailOrder{
		Shop: s, Kind: kind, Number: shop.OrderNumber(o.Number), Customer: o.CustomerName,
		Email: o.CustomerEmail, Phone: o.CustomerPhone,
		Subtotal: money(o.SubtotalMinor), Total: money(o.TotalMinor),
		Pickup: o.Fulfilment == shop.Pickup, Note: o.Note, Reason: o.CancelReason,
		Pay:      shop.PaymentInstruction(o.Status, o.Fulfilment, o.PaidAt.Valid, shop.Money{Minor: o.TotalMinor, Currency: o.Currency}, shop.OrderNumber(o.Number)),
		OrderURL: s.BaseURL + paths.URL(RouteOrder, o.Token),
		StaffURL: s.BaseURL + paths.URL(RouteAdminOrder, o.ID),
	}
	if o.DeliveryFeeMinor > 0 {
		e.Fee = money(o.DeliveryFeeMinor)
	}
	for _, l := range lines {
		e.Lines = append(e.Lines, EmailLine{Name: l.ProductName, Quantity: l.Quantity, UnitPrice: money(l.UnitPriceMinor), Total: money(l.LineTotalMinor)})
	}
	if o.SlotStartsAt.Valid {
		e.When = zonedSlot(o.SlotStartsAt.Time, o.SlotEndsAt.Time, s.Location)
	}
	if o.DeliveryAddress.Valid {
		e.Address = append(strings.Split(o.DeliveryAddress.String, "\n"), o.DeliveryPostcode.String)
		e.Zone = o.DeliveryZoneName.String
	}
	if p, ok := st.Point(o.PickupPointID.Int64); ok && o.PickupPointID.Valid {
		e.Where = PointLines(p)
	}
	return e
}

// PointLines are a pickup point's name, address lines and instructions.
func PointLines(p settings.PickupPoint) []string {
	lines := append([]string{p.Name}, strings.Split(p.Address, "\n")...)
	if p.Instructions != "" {
		lines = append(lines, p.Instructions)
	}
	return lines
}

// zonedSlot is a pickup time with its zone, for readers who may be
// elsewhere: "Saturday 5 December, 09:00–10:00 GMT".
func zonedSlot(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	return s.Format("Monday 2 January, 15:04") + "–" + e.Format("15:04") + " (" + shop.ZoneName(start, loc) + ")"
}

// Subject is the email's subject line.
func (e EmailOrder) Subject() string {
	switch e.Kind {
	case outbox.OrderConfirmation:
		return "Your order " + e.Number + " at " + e.Shop.Name
	case outbox.OrderAlert:
		how := "delivery"
		if e.Pickup {
			how = "pickup " + e.When
		}
		return fmt.Sprintf("New order %s: %s, %s", e.Number, e.Total, how)
	case outbox.OrderReady:
		return "Order " + e.Number + " is ready to collect"
	case outbox.OrderOutForDelivery:
		return "Order " + e.Number + " is on its way"
	case outbox.OrderDelivered:
		return "Order " + e.Number + " is delivered"
	case outbox.OrderCancelled:
		return "Order " + e.Number + " is cancelled"
	}
	return "Order " + e.Number
}

// Heading and Intro open the email.
func (e EmailOrder) Heading() string {
	switch e.Kind {
	case outbox.OrderConfirmation:
		return "Thank you for your order"
	case outbox.OrderAlert:
		return "New order " + e.Number
	case outbox.OrderReady:
		return "Your order is ready to collect"
	case outbox.OrderOutForDelivery:
		return "Your order is on its way"
	case outbox.OrderDelivered:
		return "Your order is delivered"
	case outbox.OrderCancelled:
		return "Your order is cancelled"
	}
	return e.Subject()
}

// Intro is the first paragraph.
func (e EmailOrder) Intro() string {
	switch e.Kind {
	case outbox.OrderConfirmation:
		if e.Pickup {
			return fmt.Sprintf("Hello %s, we have your order %s. Collect it %s.", e.Customer, e.Number, e.When)
		}
		return fmt.Sprintf("Hello %s, we have your order %s and will deliver it to the address below.", e.Customer, e.Number)
	case outbox.OrderAlert:
		return fmt.Sprintf("%s (%s, %s) placed order %s for %s.", e.Customer, e.Email, e.Phone, e.Number, e.Total)
	case outbox.OrderReady:
		return fmt.Sprintf("Hello %s, order %s is ready. Collect it %s.", e.Customer, e.Number, e.When)
	case outbox.OrderOutForDelivery:
		return fmt.Sprintf("Hello %s, order %s has left the shop and is on its way to you.", e.Customer, e.Number)
	case outbox.OrderDelivered:
		return fmt.Sprintf("Hello %s, order %s has been delivered. Enjoy!", e.Customer, e.Number)
	case outbox.OrderCancelled:
		return fmt.Sprintf("Hello %s, we are sorry: order %s is cancelled and nothing is due. The items are back on our shelves.", e.Customer, e.Number)
	}
	return ""
}

// ForCustomer reports whether the email goes to the customer (rather than
// the shop).
func (e EmailOrder) ForCustomer() bool { return e.Kind != outbox.OrderAlert }

// OrderEmailText is the plain-text part of an order email.
func OrderEmailText(e EmailOrder) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
		line("%s", e.Heading())
		line("")
		line("%s", e.Intro())
		if e.Kind == outbox.OrderCancelled && e.Reason != "" {
			line("")
			line("Reason: %s", e.Reason)
		}
		line("")
		for _, l := range e.Lines {
			line("  %d × %s  %s", l.Quantity, l.Name, l.Total)
		}
		line("  Subtotal  %s", e.Subtotal)
		if e.Fee != "" {
			line("  Delivery  %s", e.Fee)
		}
		line("  Total     %s", e.Total)
		line("")
		if e.Pickup {
			line("Collection: %s", e.When)
			for _, w := range e.Where {
				line("  %s", w)
			}
		} else {
			line("Delivery to:")
			for _, a := range e.Address {
				line("  %s", a)
			}
		}
		if e.Note != "" {
			line("Note: %s", e.Note)
		}
		if e.ForCustomer() {
			if e.Pay != "" {
				line("")
				line("%s", e.Pay)
			}
			line("")
			line("Your order: %s", e.OrderURL)
			line("")
			line("%s", e.Shop.Contact)
		} else {
			line("")
			line("Open it in the staff area: %s", e.StaffURL)
		}
		line("")
		line("%s", e.Shop.Name)
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// StaffLinkEmail is an invitation or a password reset link.
type StaffLinkEmail struct {
	Shop    EmailShop
	Kind    outbox.Kind
	Name    string
	Role    string
	Link    string
	Expires string // "Thursday 3 December at 17:15 GMT"
}

// StaffLinkModel builds a staff link email's view.
func StaffLinkModel(kind outbox.Kind, name, role, link string, expires time.Time, s EmailShop) StaffLinkEmail {
	return StaffLinkEmail{Shop: s, Kind: kind, Name: name, Role: role, Link: link,
		Expires: expires.In(s.Location).Format("Monday 2 January at 15:04") + " (" + shop.ZoneName(expires, s.Location) + ")"}
}

// Subject is the email's subject line.
func (e StaffLinkEmail) Subject() string {
	if e.Kind == outbox.StaffInvite {
		return "You are invited to the staff area of " + e.Shop.Name
	}
	return "Reset your " + e.Shop.Name + " staff password"
}

// Intro is the first paragraph.
func (e StaffLinkEmail) Intro() string {
	greeting := "Hello"
	if e.Name != "" {
		greeting += " " + e.Name
	}
	if e.Kind == outbox.StaffInvite {
		return fmt.Sprintf("%s, you are invited to help run %s as %s. Follow the link to choose your password; it works once, until %s.",
			greeting, e.Shop.Name, roleLabel(e.Role), e.Expires)
	}
	return fmt.Sprintf("%s, someone (we hope you) asked to reset your password for the staff area of %s. Follow the link to choose a new one; it works once, until %s. Resetting signs you out everywhere.",
		greeting, e.Shop.Name, e.Expires)
}

// Ignore tells the reader what to do if they did not expect the email.
func (e StaffLinkEmail) Ignore() string {
	if e.Kind == outbox.StaffInvite {
		return "If you did not expect this invitation, ignore this email: nothing happens unless the link is used."
	}
	return "If you did not ask for this, ignore this email: your password stays as it is."
}

func roleLabel(role string) string {
	if role == "owner" {
		return "an owner"
	}
	return "staff"
}

// StaffLinkText is the plain-text part of a staff link email.
func StaffLinkText(e StaffLinkEmail) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s\n\n%s\n\n%s\n\n%s\n", e.Intro(), e.Link, e.Ignore(), e.Shop.Name)
		return err
	})
}
