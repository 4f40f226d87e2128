package shop

import "strconv"

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
