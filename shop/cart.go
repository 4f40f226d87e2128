package shop

import (
	"fmt"
	"strconv"
	"strings"
)

// Cart limits.
const (
	MaxCartLines = 50
	MaxQuantity  = 99
)

// CartLine is one product in a cart as the visitor's cookie holds it. The
// price is only what the visitor saw; charging always uses the database.
type CartLine struct {
	ProductID int64
	Quantity  int
	PriceSeen int64
}

// ParseQuantity reads a quantity a person typed: a whole number 1–99.
func ParseQuantity(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxQuantity {
		return 0, &InputError{Field: "quantity", Message: fmt.Sprintf("Quantity must be a whole number from 1 to %d.", MaxQuantity)}
	}
	return n, nil
}

// ParseProductID reads a product id from a form.
func ParseProductID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 1 {
		return 0, &InputError{Field: "product_id", Message: "That product does not exist."}
	}
	return id, nil
}

// AddToCart adds qty of a product at the price the visitor sees now. The
// cart is never changed when the result would break a limit.
func AddToCart(lines []CartLine, productID int64, qty int, price int64, name string) ([]CartLine, error) {
	for i, l := range lines {
		if l.ProductID != productID {
			continue
		}
		if l.Quantity+qty > MaxQuantity {
			return lines, &InputError{Field: "quantity", Message: fmt.Sprintf("You can order at most %d of %s; your cart already has %d.", MaxQuantity, name, l.Quantity)}
		}
		out := append([]CartLine(nil), lines...)
		out[i] = CartLine{ProductID: productID, Quantity: l.Quantity + qty, PriceSeen: price}
		return out, nil
	}
	if len(lines) >= MaxCartLines {
		return lines, &InputError{Field: "product_id", Message: fmt.Sprintf("Your cart is full: it can hold %d different products.", MaxCartLines)}
	}
	return append(append([]CartLine(nil), lines...), CartLine{ProductID: productID, Quantity: qty, PriceSeen: price}), nil
}

// SetQuantity changes a line's quantity; the line must be in the cart.
func SetQuantity(lines []CartLine, productID int64, qty int) ([]CartLine, error) {
	for i, l := range lines {
		if l.ProductID == productID {
			out := append([]CartLine(nil), lines...)
			out[i].Quantity = qty
			return out, nil
		}
	}
	return lines, &InputError{Field: "product_id", Message: "That product is not in your cart."}
}

// RemoveLine drops a product from the cart.
func RemoveLine(lines []CartLine, productID int64) []CartLine {
	out := make([]CartLine, 0, len(lines))
	for _, l := range lines {
		if l.ProductID != productID {
			out = append(out, l)
		}
	}
	return out
}

// PutBack returns the cart with the lines of an emptied cart put back:
// those not in it again since, as far as the limits allow.
func PutBack(lines, emptied []CartLine) []CartLine {
	return CleanCart(append(append([]CartLine(nil), lines...), emptied...))
}

// QuantityFor is how many of a product a cart may hold when a visitor asks
// for qty: no more than is left, or for a product made to order, than a
// day's limit. When that is less than asked, the notice says so.
func QuantityFor(p PricedLine, qty int) (n int, notice string, err error) {
	switch {
	case !p.Available:
		return 0, "", &InputError{Field: "product_id", Message: "Sorry, that product is no longer sold. Remove it to check out."}
	case p.Product.Stock <= 0 && p.Product.MadeToOrder:
		return 0, "", &InputError{Field: "quantity", Message: fmt.Sprintf("Sorry, %s is not being made at the moment.", p.Product.Name)}
	case p.Product.Stock <= 0:
		return 0, "", &InputError{Field: "quantity", Message: fmt.Sprintf("Sorry, %s is sold out.", p.Product.Name)}
	case int32(qty) > p.Product.Stock && p.Product.MadeToOrder:
		n = int(p.Product.Stock)
		return n, fmt.Sprintf("At most %d of %s can be made for one day, so your cart now has %d.", n, p.Product.Name, n), nil
	case int32(qty) > p.Product.Stock:
		n = int(p.Product.Stock)
		return n, fmt.Sprintf("Only %d of %s left, so your cart now has %d.", n, p.Product.Name, n), nil
	}
	return qty, "", nil
}

// RemoveOrdered takes what an order bought out of the cart it came from,
// keeping what was added since, in another tab for example: lines of other
// products, and any quantity beyond what was ordered.
func RemoveOrdered(lines []CartLine, ordered []OrderLine) []CartLine {
	bought := map[int64]int{}
	for _, o := range ordered {
		bought[o.ProductID] += o.Quantity
	}
	out := make([]CartLine, 0, len(lines))
	for _, l := range lines {
		l.Quantity -= bought[l.ProductID]
		if l.Quantity > 0 {
			out = append(out, l)
		}
	}
	return out
}

// CleanCart drops lines a cookie should never hold (bad ids or quantities,
// duplicates, more than the limit): a cookie is never trusted.
func CleanCart(lines []CartLine) []CartLine {
	seen := map[int64]bool{}
	out := make([]CartLine, 0, len(lines))
	for _, l := range lines {
		if l.ProductID < 1 || l.Quantity < 1 || l.Quantity > MaxQuantity || l.PriceSeen < 0 || seen[l.ProductID] || len(out) == MaxCartLines {
			continue
		}
		seen[l.ProductID] = true
		out = append(out, l)
	}
	return out
}

// CartCount is the number of items, for the header badge.
func CartCount(lines []CartLine) int {
	n := 0
	for _, l := range lines {
		n += l.Quantity
	}
	return n
}

// Product is what the cart needs to know about a product, read fresh from
// the database.
type Product struct {
	ID        int64
	Slug      string
	Name      string
	Price     int64
	Currency  string
	Stock     int32 // for a product made to order, its daily limit
	Active    bool
	ImageHash string
	// MadeToOrder products are made for the day ordered for, up to a
	// daily limit, rather than sold from stock.
	MadeToOrder bool
	// MaxPerOrder, when set, is the most one order may have of it.
	MaxPerOrder int32
}

// PricedLine is a cart line checked against the database.
type PricedLine struct {
	CartLine
	Product   Product
	Available bool // the product exists, is for sale, and in the shop's currency
}

// LineTotal is the current price times the quantity.
func (l PricedLine) LineTotal() int64 { return l.Product.Price * int64(l.Quantity) }

// PriceChanged reports whether the price differs from what the visitor saw.
func (l PricedLine) PriceChanged() bool { return l.Available && l.Product.Price != l.PriceSeen }

// SoldOut reports whether none is left.
func (l PricedLine) SoldOut() bool { return l.Available && l.Product.Stock <= 0 }

// OverStock reports whether the cart wants more than is left.
func (l PricedLine) OverStock() bool {
	return l.Available && l.Product.Stock > 0 && int32(l.Quantity) > l.Product.Stock
}

// Blocked reports whether this line stops checkout.
func (l PricedLine) Blocked() bool { return !l.Available || l.SoldOut() || l.OverStock() }

// PricedCart is a cart at today's prices.
type PricedCart struct {
	Lines    []PricedLine
	Currency string
}

// PriceCart checks lines against products (keyed by id) at current prices.
func PriceCart(lines []CartLine, products map[int64]Product, currency string) PricedCart {
	c := PricedCart{Currency: currency}
	for _, l := range lines {
		p, ok := products[l.ProductID]
		c.Lines = append(c.Lines, PricedLine{CartLine: l, Product: p, Available: ok && p.Active && p.Currency == currency})
	}
	return c
}

// Subtotal sums the lines that can be bought.
func (c PricedCart) Subtotal() int64 {
	var sum int64
	for _, l := range c.Lines {
		if l.Available {
			sum += l.LineTotal()
		}
	}
	return sum
}

// Blocked reports whether any line stops checkout.
func (c PricedCart) Blocked() bool {
	for _, l := range c.Lines {
		if l.Blocked() {
			return true
		}
	}
	return false
}

// Count is the number of items.
func (c PricedCart) Count() int {
	n := 0
	for _, l := range c.Lines {
		n += l.Quantity
	}
	return n
}

// CanAdd checks adding qty of a priced product to the cart: it must be for
// sale, and the cart may not ask for more than is left (or, for a product
// made to order, more than a day's limit).
func CanAdd(lines []CartLine, p PricedLine, qty int) error {
	if !p.Available {
		return &InputError{Field: "product_id", Message: "Sorry, that product is no longer sold."}
	}
	inCart := 0
	for _, l := range lines {
		if l.ProductID == p.ProductID {
			inCart = l.Quantity
		}
	}
	switch {
	case p.Product.MaxPerOrder > 0 && int32(inCart+qty) > p.Product.MaxPerOrder:
		return &InputError{Field: "quantity", Message: fmt.Sprintf("At most %d of %s can be bought in one order, and your cart has %d.", p.Product.MaxPerOrder, p.Product.Name, inCart)}
	case p.Product.Stock <= 0 && p.Product.MadeToOrder:
		return &InputError{Field: "quantity", Message: fmt.Sprintf("Sorry, %s is not being made at the moment.", p.Product.Name)}
	case p.Product.Stock <= 0:
		return &InputError{Field: "quantity", Message: fmt.Sprintf("Sorry, %s is sold out.", p.Product.Name)}
	case int32(inCart+qty) > p.Product.Stock && p.Product.MadeToOrder:
		return &InputError{Field: "quantity", Message: fmt.Sprintf("At most %d of %s can be made for one day, and your cart has %d.", p.Product.Stock, p.Product.Name, inCart)}
	case int32(inCart+qty) > p.Product.Stock:
		return &InputError{Field: "quantity", Message: fmt.Sprintf("Only %d of %s left, and your cart has %d.", p.Product.Stock, p.Product.Name, inCart)}
	}
	return nil
}
