package views

import (
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
}

// PaymentInstruction says what is due and how to pay.
func (o OrderView) PaymentInstruction() string {
	return shop.PaymentInstruction(o.Order.Status, o.Order.Fulfilment, o.Order.PaidAt.Valid,
		shop.Money{Minor: o.Order.TotalMinor, Currency: o.Order.Currency}, o.Number())
}
