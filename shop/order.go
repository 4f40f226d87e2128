package shop

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusReady     = "ready"
	StatusCollected = "collected"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
)

// Statuses lists every status in the order they happen.
var Statuses = []string{StatusPlaced, StatusReady, StatusCollected, StatusDelivered, StatusCancelled}

// StatusLabel is how a status reads to people.
func StatusLabel(status, fulfilment string) string {
	switch status {
	case StatusPlaced:
		return "Placed"
	case StatusReady:
		if fulfilment == Delivery {
			return "Out for delivery"
		}
		return "Ready to collect"
	case StatusCollected:
		return "Collected"
	case StatusDelivered:
		return "Delivered"
	case StatusCancelled:
		return "Cancelled"
	}
	return status
}

// CanTransition is the order state machine: placed → ready → collected
// (pickup) or delivered (delivery); placed or ready → cancelled.
func CanTransition(from, to, fulfilment string) bool {
	switch {
	case from == StatusPlaced && to == StatusReady:
		return true
	case from == StatusReady && to == StatusCollected:
		return fulfilment == Pickup
	case from == StatusReady && to == StatusDelivered:
		return fulfilment == Delivery
	case (from == StatusPlaced || from == StatusReady) && to == StatusCancelled:
		return true
	}
	return false
}

// OrderNumber is how an order number is shown.
func OrderNumber(n int64) string { return "#" + strconv.FormatInt(n, 10) }

// PaymentInstruction tells the customer what is due and how to pay it:
// payment is taken on pickup or delivery, by card or cash.
func PaymentInstruction(status, fulfilment string, paid bool, total Money, number string) string {
	switch {
	case paid:
		return "Paid. Thank you!"
	case status == StatusCancelled:
		return "This order was cancelled; nothing is due."
	case fulfilment == Pickup:
		return "Pay " + total.String() + " when you collect, by card or cash. Quote order " + number + "."
	default:
		return "Pay " + total.String() + " when we deliver, by card or cash."
	}
}

// MaxCancelReason is the longest cancellation reason, in characters.
const MaxCancelReason = 200

// CancelReasons are the reasons staff choose from when cancelling; they
// can also type their own.
var CancelReasons = []string{
	"You asked us to cancel it.",
	"Something you ordered is no longer available.",
	"We cannot have it ready at the time you chose.",
	"It was not collected.",
}

// CancelReason is the reason to store and send for a cancellation: one of
// CancelReasons, or the text typed when choice is "other".
func CancelReason(choice, other string) (string, error) {
	for _, r := range CancelReasons {
		if choice == r {
			return r, nil
		}
	}
	if choice != "other" {
		return "", &InputError{Field: "reason", Message: "Choose why the order is cancelled: the customer is told."}
	}
	other = CleanText(other)
	switch n := utf8.RuneCountInString(other); {
	case n == 0:
		return "", &InputError{Field: "reason_other", Message: "Write the reason the customer will read."}
	case n > MaxCancelReason:
		return "", &InputError{Field: "reason_other", Message: fmt.Sprintf("Keep the reason to %d characters.", MaxCancelReason)}
	}
	return other, nil
}
