package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/catalogue"
	"shopfront/db"
	"shopfront/shop"
	"shopfront/views"
)

// adminProducts is the staff's product list, a page at a time: current
// products, or with ?archived=1 the archived ones.
func (s *Server) adminProducts(c echo.Context) error {
	q := shop.CleanText(c.QueryParam("q"))
	if len([]rune(q)) > 100 {
		return &shop.InputError{Field: "q", Message: "Search text is too long: use at most 100 characters."}
	}
	pg, err := shop.ParsePage("page", c.QueryParam("page"), shop.AdminProductsPerPage)
	if err != nil {
		return err
	}
	archived := c.QueryParam("archived") == "1"
	ctx := c.Request().Context()
	rows, err := s.queries.AdminListProducts(ctx, db.AdminListProductsParams{
		Archived: archived, Search: q, PageOffset: int32(pg.Offset()), PageLimit: int32(pg.PerPage),
	})
	if err != nil {
		return fmt.Errorf("list products: %w", err)
	}
	counts, err := s.queries.AdminCountProducts(ctx, db.AdminCountProductsParams{Archived: archived, Search: q})
	if err != nil {
		return fmt.Errorf("count products: %w", err)
	}
	pg.Total = counts.Total
	return s.render(c, http.StatusOK, views.AdminProductsPage(views.AdminProducts{
		Products: rows, Query: q, Archived: archived, ArchivedCount: counts.Archived, Paging: pg,
	}), nil)
}

// productForm fills the product page from what is stored.
func (s *Server) productForm(c echo.Context, id int64) (views.AdminProductForm, error) {
	ctx := c.Request().Context()
	cats, err := s.queries.AllCategories(ctx)
	if err != nil {
		return views.AdminProductForm{}, err
	}
	f := views.AdminProductForm{Categories: cats, Currency: s.cfg.Currency, Active: true, Errors: shop.FieldErrors{}, StockErrors: shop.FieldErrors{}}
	if id == 0 {
		return f, nil
	}
	p, err := s.queries.AdminGetProduct(ctx, id)
	if err != nil {
		return f, err
	}
	f.ID, f.Name, f.Slug, f.Description = p.ID, p.Name, p.Slug, p.Description
	f.Price = shop.Money{Minor: p.PriceMinor, Currency: p.Currency}.Decimal()
	f.CategoryID, f.Active, f.Version, f.Stock, f.ImageHash = p.CategoryID, p.Active, p.Version, p.Stock, p.ImageHash
	f.MadeToOrder, f.DailyLimit, f.MadeOn = p.DailyLimit.Valid, int(p.DailyLimit.Int32), shop.Weekdays(p.MadeOn)
	if p.MaxPerOrder.Valid {
		f.MaxPerOrder = strconv.Itoa(int(p.MaxPerOrder.Int32))
	}
	if !f.MadeToOrder {
		f.DailyLimit = 20
	}
	f.Archived, f.OrderCount = p.ArchivedAt.Valid, p.OrderCount
	if p.ArchivedAt.Valid {
		f.ArchivedAt = p.ArchivedAt.Time
	}
	f.Ledger, err = shop.ParsePage("ledger", c.QueryParam("ledger"), shop.StockLedgerPerPage)
	if err != nil {
		return f, err
	}
	f.Movements, err = s.queries.StockMovements(ctx, db.StockMovementsParams{
		ProductID: id, PageOffset: int32(f.Ledger.Offset()), PageLimit: int32(f.Ledger.Limit()),
	})
	if err != nil {
		return f, fmt.Errorf("read the stock ledger: %w", err)
	}
	if f.Ledger.More = len(f.Movements) > f.Ledger.PerPage; f.Ledger.More {
		f.Movements = f.Movements[:f.Ledger.PerPage]
	}
	return f, nil
}

// adminArchiveProduct takes a product out of the shop and the list.
func (s *Server) adminArchiveProduct(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	name, err := catalogue.Archive(c.Request().Context(), s.pool, id, s.now())
	if err != nil {
		return err
	}
	s.flashLink(c, "success", "“"+name+"” is archived: it is out of the shop and the product list, and past orders keep it.",
		s.paths.URL(views.RouteAdminProduct, id), "Open it to restore it")
	return redirect(c, s.paths.URL(views.RouteAdminProducts))
}

// adminRestoreProduct brings an archived product back, hidden from the
// shop until it is put on sale again.
func (s *Server) adminRestoreProduct(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	name, err := catalogue.Restore(c.Request().Context(), s.pool, id, s.now())
	if err != nil {
		return err
	}
	s.flash(c, "success", "“"+name+"” is restored. It is hidden from the shop until you tick “For sale” and save: check its price and stock first.")
	return redirect(c, s.paths.URL(views.RouteAdminProduct, id))
}

// adminDeleteProduct deletes a product that was never ordered, once the
// box saying so is ticked.
func (s *Server) adminDeleteProduct(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "on" {
		f, err := s.productForm(c, id)
		if err != nil {
			return err
		}
		f.DeleteError = "Tick the box to confirm that " + f.Name + " is to be deleted for good."
		return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
	}
	name, err := catalogue.Delete(c.Request().Context(), s.pool, id)
	var blocked *catalogue.Blocked
	if errors.As(err, &blocked) {
		f, err := s.productForm(c, id)
		if err != nil {
			return err
		}
		f.DeleteError = blocked.Message
		return s.render(c, http.StatusConflict, views.AdminProductPage(f), nil)
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "“"+name+"” is deleted.")
	return redirect(c, s.paths.URL(views.RouteAdminProducts))
}

// adminProductDaily sets how a product is sold: from stock, or made to
// order with a daily limit on some weekdays.
func (s *Server) adminProductDaily(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	d := catalogue.Daily{}
	for wd := range 7 {
		if c.FormValue("made-"+strconv.Itoa(wd)) == "true" {
			d.MadeOn = d.MadeOn.With(time.Weekday(wd))
		}
	}
	made := c.FormValue("sold") == "made"
	limit, convErr := strconv.Atoi(strings.TrimSpace(c.FormValue("daily_limit")))
	if made {
		d.Limit = &limit
	} else if d.MadeOn == 0 {
		d.MadeOn = shop.AllWeek
	}
	perOrder := strings.TrimSpace(c.FormValue("max_per_order"))
	if perOrder != "" {
		n, err := strconv.Atoi(perOrder)
		if err != nil {
			n = -1 // refused below with the range
		}
		d.MaxPerOrder = &n
	}
	switch {
	case made && convErr != nil:
		err = &shop.InputError{Field: "daily_limit", Message: "Give the most that can be made a day, like 40."}
	default:
		err = catalogue.SetDaily(c.Request().Context(), s.pool, id, d, shop.DayOf(s.now(), s.cfg.Location))
	}
	var input *shop.InputError
	switch {
	case err == nil:
		msg := "Sold from stock on hand."
		if made {
			days := "every day"
			if d.MadeOn&shop.AllWeek != shop.AllWeek {
				days = "on " + d.MadeOn.Names()
			}
			msg = fmt.Sprintf("Made to order: at most %d a day, %s.", limit, days)
		}
		if d.MaxPerOrder != nil {
			msg += fmt.Sprintf(" At most %d in one order.", *d.MaxPerOrder)
		}
		s.flash(c, "success", msg)
		return redirect(c, s.paths.URL(views.RouteAdminProduct, id)+"#daily-title")
	case errors.As(err, &input):
		f, ferr := s.productForm(c, id)
		if ferr != nil {
			return ferr
		}
		f.MadeToOrder, f.MadeOn, f.MaxPerOrder = made, d.MadeOn, perOrder
		if convErr == nil {
			f.DailyLimit = limit
		}
		f.DailyErrors = shop.FieldErrors{input.Field: input.Message}
		return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
	case errors.Is(err, catalogue.ErrNotFound):
		return echo.ErrNotFound
	}
	return err
}

// withTyped puts what the person typed back into the form.
func withTyped(f views.AdminProductForm, c echo.Context) views.AdminProductForm {
	f.Name, f.Slug, f.Description, f.Price = c.FormValue("name"), c.FormValue("slug"), c.FormValue("description"), c.FormValue("price")
	f.CategoryID, _ = strconv.ParseInt(c.FormValue("category_id"), 10, 64)
	f.Active = c.FormValue("active") == "on"
	return f
}

func productID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

func (s *Server) adminNewProduct(c echo.Context) error {
	f, err := s.productForm(c, 0)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AdminProductPage(f), nil)
}

func (s *Server) adminProduct(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	f, err := s.productForm(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AdminProductPage(f), nil)
}

func (s *Server) adminCreateProduct(c echo.Context) error {
	params, _ := c.FormParams()
	form, errs := catalogue.ParseProductForm(params, s.cfg.Currency)
	if len(errs) == 0 {
		id, err := catalogue.Create(c.Request().Context(), s.queries, form, s.cfg.Currency)
		var input *shop.InputError
		switch {
		case errors.As(err, &input):
			errs[input.Field] = input.Message
		case err != nil:
			return err
		default:
			s.flash(c, "success", "Product created. Add an image and stock below.")
			return redirect(c, s.paths.URL(views.RouteAdminProduct, id))
		}
	}
	f, err := s.productForm(c, 0)
	if err != nil {
		return err
	}
	f = withTyped(f, c)
	f.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
}

// adminUpdateProduct saves an edit unless someone else saved first; then
// the editor sees the current values and nothing is overwritten.
func (s *Server) adminUpdateProduct(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	form, errs := catalogue.ParseProductForm(params, s.cfg.Currency)
	if form.Version == 0 && errs["form"] == "" {
		errs["form"] = "This form is incomplete. Please reload the page."
	}
	if len(errs) == 0 {
		err := catalogue.Update(c.Request().Context(), s.queries, id, form)
		var input *shop.InputError
		switch {
		case errors.Is(err, catalogue.ErrChanged):
			f, err := s.productForm(c, id)
			if err != nil {
				return err
			}
			f.Notice = "Someone else changed this product while you were editing it. These are the current values; your changes were not saved. Make them again if they are still needed."
			return s.render(c, http.StatusConflict, views.AdminProductPage(f), nil)
		case errors.Is(err, catalogue.ErrNotFound):
			return echo.ErrNotFound
		case errors.As(err, &input):
			errs[input.Field] = input.Message
		case err != nil:
			return err
		default:
			s.flash(c, "success", "Product saved.")
			return redirect(c, s.paths.URL(views.RouteAdminProduct, id))
		}
	}
	f, err := s.productForm(c, id)
	if err != nil {
		return err
	}
	f = withTyped(f, c)
	f.Version = form.Version
	f.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
}

// adminUploadImage stores an uploaded photo, original and display
// version, as the product's image.
func (s *Server) adminUploadImage(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	original, display, message, err := s.receiveImage(c, "image")
	if err != nil {
		return err
	}
	if message != "" {
		f, err := s.productForm(c, id)
		if err != nil {
			return err
		}
		f.ImageError = message
		return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
	}
	if err := catalogue.SetImage(c.Request().Context(), s.pool, id, original, display); errors.Is(err, catalogue.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "Image uploaded.")
	return redirect(c, s.paths.URL(views.RouteAdminProduct, id))
}

// adminChangeStock sets or adjusts stock with a reason, through the ledger.
func (s *Server) adminChangeStock(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	change, errs := catalogue.ParseStockChange(params)
	if len(errs) == 0 {
		level, err := catalogue.ChangeStock(c.Request().Context(), s.pool, id, currentStaff(c).ID, change, s.now())
		var input *shop.InputError
		switch {
		case errors.Is(err, catalogue.ErrNotFound):
			return echo.ErrNotFound
		case errors.As(err, &input):
			errs[input.Field] = input.Message
		case err != nil:
			return err
		default:
			s.flash(c, "success", "Stock is now "+strconv.Itoa(int(level))+".")
			return redirect(c, s.paths.URL(views.RouteAdminProduct, id))
		}
	}
	f, err := s.productForm(c, id)
	if err != nil {
		return err
	}
	f.StockErrors = errs
	f.StockMode, f.StockAmount, f.StockReason = params.Get("mode"), shop.CleanText(params.Get("amount")), shop.CleanText(params.Get("reason"))
	return s.render(c, http.StatusUnprocessableEntity, views.AdminProductPage(f), nil)
}

func (s *Server) adminCategories(c echo.Context) error {
	return s.renderCategories(c, http.StatusOK, "", nil)
}

func (s *Server) renderCategories(c echo.Context, status int, name string, errs shop.FieldErrors) error {
	return s.renderCategoriesWith(c, status, views.AdminCategories{Name: name, Errors: errs})
}

func (s *Server) renderCategoriesWith(c echo.Context, status int, p views.AdminCategories) error {
	rows, err := s.queries.AdminListCategories(c.Request().Context())
	if err != nil {
		return fmt.Errorf("list categories: %w", err)
	}
	for i, r := range rows {
		p.Categories = append(p.Categories, views.AdminCategory{
			ID: r.ID, Name: r.Name, ForSale: r.ForSale, Hidden: r.Hidden, Archived: r.Archived,
			First: i == 0, Last: i == len(rows)-1,
		})
	}
	return s.render(c, status, views.AdminCategoriesPage(p), nil)
}

func categoryName(c echo.Context) (string, string, shop.FieldErrors) {
	name := shop.CleanText(c.FormValue("name"))
	slug := catalogue.Slugify(name)
	if n := len([]rune(name)); n == 0 || n > 80 || slug == "" {
		return name, "", shop.FieldErrors{"name": "Enter a name of 1 to 80 characters, with at least one letter or digit."}
	}
	return name, slug, nil
}

func (s *Server) adminCreateCategory(c echo.Context) error {
	name, slug, errs := categoryName(c)
	if errs == nil {
		_, err := s.queries.CreateCategory(c.Request().Context(), db.CreateCategoryParams{Slug: slug, Name: name})
		if isUniqueViolation(err) {
			errs = shop.FieldErrors{"name": "There is already a category with that name."}
		} else if err != nil {
			return err
		} else {
			s.flash(c, "success", "Category “"+name+"” added.")
			return redirect(c, s.paths.URL(views.RouteAdminCategories))
		}
	}
	return s.renderCategories(c, http.StatusUnprocessableEntity, name, errs)
}

func (s *Server) adminRenameCategory(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	name, slug, errs := categoryName(c)
	if errs != nil {
		return s.renderCategories(c, http.StatusUnprocessableEntity, "", errs)
	}
	n, err := s.queries.RenameCategory(c.Request().Context(), db.RenameCategoryParams{ID: id, Name: name, Slug: slug})
	switch {
	case isUniqueViolation(err):
		return s.renderCategories(c, http.StatusUnprocessableEntity, "", shop.FieldErrors{"name": "There is already a category with that name."})
	case err != nil:
		return err
	case n == 0:
		return echo.ErrNotFound
	}
	s.flash(c, "success", "Category renamed to “"+name+"”.")
	return redirect(c, s.paths.URL(views.RouteAdminCategories))
}

// adminDeleteCategory deletes an empty category; when something is in it,
// the page says what.
func (s *Server) adminDeleteCategory(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	name, err := catalogue.DeleteCategory(c.Request().Context(), s.pool, id)
	var blocked *catalogue.Blocked
	if errors.As(err, &blocked) {
		return s.renderCategoriesWith(c, http.StatusConflict, views.AdminCategories{Problem: "“" + name + "” cannot be deleted yet. " + blocked.Message})
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "Category “"+name+"” deleted.")
	return redirect(c, s.paths.URL(views.RouteAdminCategories))
}

// adminMoveCategory moves a category one place up or down in the shop.
func (s *Server) adminMoveCategory(c echo.Context) error {
	id, err := productID(c)
	if err != nil {
		return err
	}
	dir := map[string]int{"up": catalogue.Up, "down": catalogue.Down}[c.FormValue("direction")]
	if dir == 0 {
		return &shop.InputError{Field: "direction", Message: "Choose whether to move the category up or down."}
	}
	name, moved, err := catalogue.MoveCategory(c.Request().Context(), s.pool, id, dir)
	if err != nil {
		return err
	}
	switch {
	case !moved && dir == catalogue.Up:
		s.flash(c, "error", "“"+name+"” is already first.")
	case !moved:
		s.flash(c, "error", "“"+name+"” is already last.")
	default:
		s.flash(c, "success", "“"+name+"” moved "+c.FormValue("direction")+".")
	}
	return redirect(c, s.paths.URL(views.RouteAdminCategories)+"#cat-row-"+strconv.FormatInt(id, 10))
}
