package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"shopfront/cookiestate"
	"shopfront/db"
	"shopfront/shop"
	"shopfront/views"
)

// cartLines is the visitor's cart as the cookie holds it, cleaned of
// anything a cart may not contain.
func cartLines(c echo.Context) []shop.CartLine {
	stored, _ := cookiestate.CartCookie.Get(jar(c))
	lines := make([]shop.CartLine, len(stored.Lines))
	for i, l := range stored.Lines {
		lines[i] = shop.CartLine(l)
	}
	return shop.CleanCart(lines)
}

// emptiedLines is what the visitor's cart held before they emptied it,
// while that can still be undone.
func emptiedLines(c echo.Context) []shop.CartLine {
	stored, _ := cookiestate.CartCookie.Get(jar(c))
	if len(stored.Lines) > 0 {
		return nil
	}
	lines := make([]shop.CartLine, len(stored.Emptied))
	for i, l := range stored.Emptied {
		lines[i] = shop.CartLine(l)
	}
	return shop.CleanCart(lines)
}

// saveCart writes the cart cookie; a cart too big for its cookie is
// refused and the old cart kept. Anything saved ends an emptied cart's
// undo.
func saveCart(c echo.Context, lines []shop.CartLine) error {
	if len(lines) == 0 {
		cookiestate.CartCookie.Delete(jar(c))
		return nil
	}
	stored := cookiestate.Cart{Lines: make([]cookiestate.CartLine, len(lines))}
	for i, l := range lines {
		stored.Lines[i] = cookiestate.CartLine(l)
	}
	if err := cookiestate.CartCookie.Set(jar(c), stored); errors.Is(err, cookiestate.ErrTooLarge) {
		return &shop.InputError{Field: "product_id", Message: "Your cart is too full to add more. Check out or remove something first."}
	} else if err != nil {
		return err
	}
	return nil
}

// priceCart reads today's price and stock of every product in lines.
func (s *Server) priceCart(ctx context.Context, lines []shop.CartLine) (shop.PricedCart, error) {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	products := map[int64]shop.Product{}
	if len(ids) > 0 {
		rows, err := s.queries.ProductsForCart(ctx, ids)
		if err != nil {
			return shop.PricedCart{}, err
		}
		for _, r := range rows {
			products[r.ID] = shop.Product{ID: r.ID, Slug: r.Slug, Name: r.Name, Price: r.PriceMinor, Currency: r.Currency, Stock: r.Stock, Active: r.Active, ImageHash: r.ImageHash, MadeToOrder: r.MadeToOrder, MaxPerOrder: r.MaxPerOrder.Int32}
			s.shown.prices.Set(r.ID, products[r.ID])
		}
	}
	return shop.PriceCart(lines, products, s.cfg.Currency), nil
}

// priceCartOrLastKnown prices the cart, or while the database is away,
// with the prices and stock this node last showed, so the cart stays
// usable (checkout re-reads everything, and waits for the database).
func (s *Server) priceCartOrLastKnown(c echo.Context, lines []shop.CartLine) (shop.PricedCart, error) {
	err := db.ErrUnreachable
	if s.dbUp() {
		var priced shop.PricedCart
		if priced, err = s.priceCart(c.Request().Context(), lines); err == nil || !fallBack(err) {
			return priced, err
		}
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	products, ok := s.pricesFromMemory(ids)
	if !ok {
		return shop.PricedCart{}, err
	}
	s.servedFromMemory(c)
	return shop.PriceCart(lines, products, s.cfg.Currency), nil
}

func (s *Server) cart(c echo.Context) error {
	if cookiestate.CartCookie.Unreadable(jar(c)) {
		return cookiestate.ErrUnreadable // never show a kept cart as empty
	}
	priced, err := s.priceCartOrLastKnown(c, cartLines(c))
	if err != nil {
		return err
	}
	v := views.CartView{Cart: priced, Emptied: shop.CartCount(emptiedLines(c))}
	if pc := shop.NormalizePostcode(shop.CleanText(c.QueryParam("postcode"))); pc != "" && len(pc) <= 12 {
		v.Postcode = pc
		if z, ok := shop.FindZone(s.shop(c).Zones, pc); ok {
			v.Zone = &z
		}
	}
	return s.render(c, http.StatusOK, views.CartPage(v), views.CartContents(v))
}

// cartAdd adds a product from the catalogue or its page. htmx gets the
// form's status line and the new cart count; a plain form goes back where
// it came from with a flash message.
func (s *Server) cartAdd(c echo.Context) error {
	lines, message, err := s.addToCart(c, cartLines(c))
	count := shop.CartCount(lines)
	var input *shop.InputError
	switch {
	case errors.As(err, &input):
		message = input.Message
	case err != nil:
		return err
	}
	if isPartial(c.Request()) {
		status := http.StatusOK
		if input != nil {
			status = http.StatusUnprocessableEntity
		}
		return s.render(c, status, nil, views.AddedToCart(input == nil, message, count))
	}
	kind := "success"
	if input != nil {
		kind = "error"
	}
	s.flash(c, kind, message)
	return redirect(c, safeReturnPath(c.FormValue("return_to"), s.paths.URL(views.RouteCart)))
}

// addToCart returns the cart as it is afterwards (unchanged on error).
func (s *Server) addToCart(c echo.Context, lines []shop.CartLine) ([]shop.CartLine, string, error) {
	id, err := shop.ParseProductID(c.FormValue("product_id"))
	if err != nil {
		return lines, "", err
	}
	qty, err := shop.ParseQuantity(c.FormValue("quantity"))
	if err != nil {
		return lines, "", err
	}
	priced, err := s.priceCartOrLastKnown(c, []shop.CartLine{{ProductID: id, Quantity: qty}})
	if err != nil {
		return lines, "", err
	}
	p := priced.Lines[0]
	if err := shop.CanAdd(lines, p, qty); err != nil {
		return lines, "", err
	}
	updated, err := shop.AddToCart(lines, id, qty, p.Product.Price, p.Product.Name)
	if err != nil {
		return lines, "", err
	}
	if err := saveCart(c, updated); err != nil {
		return lines, "", err
	}
	return updated, fmt.Sprintf("Added %d × %s to your cart.", qty, p.Product.Name), nil
}

// cartUpdate, cartRemove, cartClear and cartPutBack change the cart from
// the cart page. A typed quantity above what is left becomes what is left,
// and the visitor is told.
func (s *Server) cartUpdate(c echo.Context) error {
	// "Reduce to N" removes its own button; a typed quantity keeps it.
	return s.changeCart(c, c.FormValue("reduce") == "1", func(lines []shop.CartLine) ([]shop.CartLine, string, error) {
		id, err := shop.ParseProductID(c.FormValue("product_id"))
		if err != nil {
			return lines, "", err
		}
		qty, err := shop.ParseQuantity(c.FormValue("quantity"))
		if err != nil {
			return lines, "", err
		}
		priced, err := s.priceCartOrLastKnown(c, []shop.CartLine{{ProductID: id, Quantity: qty}})
		if err != nil {
			return lines, "", err
		}
		qty, notice, err := shop.QuantityFor(priced.Lines[0], qty)
		if err != nil {
			return lines, "", err
		}
		lines, err = shop.SetQuantity(lines, id, qty)
		if err == nil && notice != "" {
			return lines, "", &cartNotice{notice}
		}
		return lines, "Your cart is updated.", err
	})
}

// cartNotice is a change that was made, but not quite as asked.
type cartNotice struct{ message string }

func (n *cartNotice) Error() string { return n.message }

func (s *Server) cartRemove(c echo.Context) error {
	return s.changeCart(c, true, func(lines []shop.CartLine) ([]shop.CartLine, string, error) {
		id, err := shop.ParseProductID(c.FormValue("product_id"))
		if err != nil {
			return lines, "", err
		}
		return shop.RemoveLine(lines, id), "Removed from your cart.", nil
	})
}

func (s *Server) cartClear(c echo.Context) error {
	return s.changeCart(c, true, func(lines []shop.CartLine) ([]shop.CartLine, string, error) {
		if len(lines) > 0 {
			emptied := make([]cookiestate.CartLine, len(lines))
			for i, l := range lines {
				emptied[i] = cookiestate.CartLine(l)
			}
			if err := cookiestate.CartCookie.Set(jar(c), cookiestate.Cart{Emptied: emptied}); err != nil {
				return lines, "", err
			}
		}
		return nil, "Your cart is empty.", errKept
	})
}

func (s *Server) cartPutBack(c echo.Context) error {
	return s.changeCart(c, true, func(lines []shop.CartLine) ([]shop.CartLine, string, error) {
		return shop.PutBack(lines, emptiedLines(c)), "Your items are back in your cart.", nil
	})
}

// errKept says a change has written the cart cookie itself.
var errKept = errors.New("cart cookie already written")

// changeCart applies change to the cart and shows the result: the cart
// region for htmx (announced in the status region; focus moves to the
// cart's summary when the pressed button is gone), or a redirect to the
// cart page. Bad input leaves the cart as it was.
func (s *Server) changeCart(c echo.Context, moveFocus bool, change func([]shop.CartLine) ([]shop.CartLine, string, error)) error {
	lines := cartLines(c)
	updated, message, err := change(lines)
	var notice *cartNotice
	switch {
	case err == nil:
		err = saveCart(c, updated)
	case errors.Is(err, errKept):
		err = nil
	case errors.As(err, &notice):
		err = saveCart(c, updated)
	}
	var input *shop.InputError
	status := http.StatusOK
	switch {
	case notice != nil && err == nil:
		s.flash(c, "notice", notice.message)
	case errors.As(err, &input):
		s.flash(c, "error", input.Message)
		status = http.StatusUnprocessableEntity
		updated = lines
	case err != nil:
		return err
	default:
		s.flash(c, "success", message)
	}
	if !isPartial(c.Request()) {
		return redirect(c, s.paths.URL(views.RouteCart))
	}
	priced, err := s.priceCartOrLastKnown(c, updated)
	if err != nil {
		return err
	}
	emptied := 0
	if len(updated) == 0 {
		emptied = shop.CartCount(emptiedLines(c)) // as this response leaves the cookie
	}
	return s.render(c, status, nil, views.CartContents(views.CartView{Cart: priced, FocusSummary: moveFocus, Emptied: emptied}))
}
