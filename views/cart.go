package views

import (
	"strconv"

	"shopfront/shop"
)

// AddToCart is the add-to-cart form of one product.
type AddToCart struct {
	ProductID int64
	Name      string
	SoldOut   bool
	ReturnTo  string // where a browser without JavaScript goes back to
	Compact   bool   // in a catalogue card rather than on the product page
	Action    string // the cart's add URL, made once per page; "" makes it here
}

// CartView is the cart page and its swappable region.
type CartView struct {
	Cart   shop.PricedCart
	Errors map[int64]string // per-line problems from the last action
	// FocusSummary moves focus to the cart's summary after an htmx change
	// that removed the button that had it (remove, empty, reduce).
	FocusSummary bool
	// Postcode is one the customer asked about; Zone delivers there.
	Postcode string
	Zone     *shop.DeliveryZone
	// Emptied is how many items an emptied cart held, which "Put them
	// back" restores.
	Emptied int
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func qtyString(n int) string { return strconv.Itoa(n) }

func maxQty(l shop.PricedLine) string {
	if l.Available && l.Product.Stock > 0 {
		return strconv.Itoa(min(int(l.Product.Stock), shop.MaxQuantity))
	}
	return strconv.Itoa(shop.MaxQuantity)
}

func lineName(l shop.PricedLine) string {
	if l.Product.Name != "" {
		return l.Product.Name
	}
	return "this product"
}
