package views

import (
	"time"

	"shopfront/db"
	"shopfront/shop"
)

// OrderView is the customer's page for one order.
type OrderView struct {
	Order db.OrderByTokenRow
	Lines []db.OrderLinesRow
	// LastEvent is the newest of the order's events the page shows: its
	// live stream starts after it.
	LastEvent int64
}

// Status is the order's status as the customer reads it.
func (o OrderView) Status() string { return shop.StatusLabel(o.Order.Status, o.Order.Fulfilment) }

// Number is the order number as shown.
func (o OrderView) Number() string { return shop.OrderNumber(o.Order.Number) }

// RecentOrder is one order this browser placed.
type RecentOrder struct {
	Number, Token, Status, Total string
	PlacedAt                     time.Time
	Pickup                       string // the pickup time, with its time zone; "" for delivery
}

// RecentOrderFrom is the recent-orders list's view of an order.
func RecentOrderFrom(r db.OrdersByTokensRow, loc *time.Location) RecentOrder {
	o := RecentOrder{
		Number: shop.OrderNumber(r.Number), Token: r.Token, PlacedAt: r.PlacedAt,
		Status: shop.StatusLabel(r.Status, r.Fulfilment), Total: shop.Money{Minor: r.TotalMinor, Currency: r.Currency}.String(),
	}
	if r.SlotStartsAt.Valid {
		o.Pickup = zonedSlot(r.SlotStartsAt.Time, r.SlotEndsAt.Time, loc)
	}
	return o
}

// PaymentInstruction says what is due and how to pay.
func (o OrderView) PaymentInstruction() string {
	return shop.PaymentInstruction(o.Order.Status, o.Order.Fulfilment, o.Order.PaidAt.Valid,
		shop.Money{Minor: o.Order.TotalMinor, Currency: o.Order.Currency}, o.Number())
}
