package views

import (
	"context"

	"github.com/a-h/templ"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shopfront/db"
	"shopfront/settings"
	"shopfront/shop"
)

// Staff-area route names.
const (
	RouteAdmin                = "admin"
	RouteAdminLogin           = "admin.login"
	RouteAdminLoginPost       = "admin.login.post"
	RouteAdminLogout          = "admin.logout"
	RouteAdminSignOutAll      = "admin.signout-all"
	RouteAdminOrders          = "admin.orders"
	RouteAdminOrderEvents     = "admin.orders.events"
	RouteAdminOrder           = "admin.order"
	RouteAdminOrderStatus     = "admin.order.status"
	RouteAdminOrderPaid       = "admin.order.paid"
	RouteAdminOrdersCSV       = "admin.orders.csv"
	RouteAdminProducts        = "admin.products"
	RouteAdminProductNew      = "admin.product.new"
	RouteAdminProductCreate   = "admin.product.create"
	RouteAdminProduct         = "admin.product"
	RouteAdminProductUpdate   = "admin.product.update"
	RouteAdminProductImage    = "admin.product.image"
	RouteAdminProductStock    = "admin.product.stock"
	RouteAdminProductDaily    = "admin.product.daily"
	RouteAdminProductArchive  = "admin.product.archive"
	RouteAdminProductRestore  = "admin.product.restore"
	RouteAdminProductDelete   = "admin.product.delete"
	RouteAdminCategories      = "admin.categories"
	RouteAdminCategoryCreate  = "admin.category.create"
	RouteAdminCategoryUpdate  = "admin.category.update"
	RouteAdminCategoryDelete  = "admin.category.delete"
	RouteAdminCategoryMove    = "admin.category.move"
	RouteAdminSlots           = "admin.slots"
	RouteAdminSlotsGenerate   = "admin.slots.generate"
	RouteAdminSlotCapacity    = "admin.slot.capacity"
	RouteAdminSlotClosed      = "admin.slot.closed"
	RouteAdminStaff           = "admin.staff"
	RouteAdminStaffCreate     = "admin.staff.create"
	RouteAdminStaffUpdate     = "admin.staff.update"
	RouteAdminAccount         = "admin.account"
	RouteAdminAccountPassword = "admin.account.password"

	RouteAdminOrderCancel      = "admin.order.cancel"
	RouteAdminOrderCancelAll   = "admin.order.cancel-all"
	RouteAdminOrderCancelAllDo = "admin.order.cancel-all.do"
	RouteAdminBoardAlerts      = "admin.board.alerts"
	RouteAdminSessionEnd       = "admin.session.end"
	RouteAdminOrderEmailResend = "admin.order.email.resend"
	RouteAdminInviteResend     = "admin.invite.resend"
	RouteAdminInviteWithdraw   = "admin.invite.withdraw"
	RouteAdminInvite           = "admin.invite"
	RouteAdminInviteAccept     = "admin.invite.accept"
	RouteAdminForgot           = "admin.forgot"
	RouteAdminForgotPost       = "admin.forgot.post"
	RouteAdminReset            = "admin.reset"
	RouteAdminResetPost        = "admin.reset.post"

	RouteDevMail        = "dev.mail"
	RouteDevMailMessage = "dev.mail.message"
	RouteDevMailHTML    = "dev.mail.html"
)

// StaffInfo is who is signed in, for the staff area's header.
type StaffInfo struct {
	Name  string
	Owner bool
}

// AdminLogin is the sign-in form.
type AdminLogin struct {
	Email, Next, Error string
	Remember           bool
}

// AdminOrder is one order as the staff see it in lists.
type AdminOrder struct {
	ID, Number         int64
	Status, Fulfilment string
	Customer, Email    string
	Total              int64
	Currency           string
	Paid               bool
	PlacedAt           time.Time
	SlotStart, SlotEnd time.Time // zero for delivery
	Postcode           string
	Focus              bool // after an htmx update, move focus to this row's status
}

// Transition is a status change a staff member can make.
type Transition struct{ To, Label string }

// Actions lists the status changes the order allows now.
func (o AdminOrder) Actions() []Transition {
	var out []Transition
	for _, t := range []Transition{
		{shop.StatusReady, map[bool]string{true: "Out for delivery", false: "Mark ready"}[o.Fulfilment == shop.Delivery]},
		{shop.StatusCollected, "Mark collected"},
		{shop.StatusDelivered, "Mark delivered"},
		{shop.StatusCancelled, "Cancel"},
	} {
		if shop.CanTransition(o.Status, t.To, o.Fulfilment) {
			out = append(out, t)
		}
	}
	return out
}

// StatusLabel is the order's status in words.
func (o AdminOrder) StatusLabel() string { return shop.StatusLabel(o.Status, o.Fulfilment) }

// AdminOrders is the orders board.
type AdminOrders struct {
	Orders   []AdminOrder
	Status   string
	Day      string
	SlotID   int64
	SlotName string
	Query    string
	Error    string
	// FailedEmails gave up recently: staff should know.
	FailedEmails []AdminFailedEmail
	// Counts are the orders per status, for the filters but the status.
	Counts []db.AdminOrderCountsRow
	// LastEvent is the newest order event the board shows: its live stream
	// starts after it.
	LastEvent int64
	// Alerts: this person wants a sound and a tab count for new orders.
	Alerts bool
	// Paging is the page of the board shown; only the first updates live.
	Paging shop.Paging
}

// Live says whether the board's table refreshes itself: on its first
// page, where new orders appear.
func (b AdminOrders) Live() bool { return b.Paging.Page <= 1 }

// boardFilterAttrs make the board's filters update its first page in
// place as staff type; on a later page they load the first page afresh,
// which is the one that updates live.
func boardFilterAttrs(ctx context.Context, b AdminOrders) templ.Attributes {
	if !b.Live() {
		return templ.Attributes{}
	}
	return templ.Attributes{
		"data-hx-get":      URL(ctx, RouteAdminOrders),
		"data-hx-trigger":  "submit, input delay:300ms",
		"data-hx-target":   "#orders",
		"data-hx-push-url": "true",
		"data-hx-sync":     "this:replace",
	}
}

// PageURL is the board, as filtered, at another page.
func (b AdminOrders) PageURL(ctx context.Context, page int) string {
	c := b
	c.Paging.Page = page
	return URLWithQuery(ctx, c.Values(), RouteAdminOrders)
}

// Values is the query string of the board as filtered.
func (b AdminOrders) Values() map[string][]string {
	v := map[string][]string{}
	if b.Status != "" {
		v["status"] = []string{b.Status}
	}
	if b.Day != "" {
		v["day"] = []string{b.Day}
	}
	if b.SlotID != 0 {
		v["slot"] = []string{strconv.FormatInt(b.SlotID, 10)}
	}
	if b.Query != "" {
		v["q"] = []string{b.Query}
	}
	if b.Paging.Page > 1 {
		v["page"] = []string{strconv.Itoa(b.Paging.Page)}
	}
	return v
}

// AdminOrderDetail is one order with its lines and history.
type AdminOrderDetail struct {
	// SameEmail and SameNetwork count the open orders, this one included,
	// from its email address and from the network it was placed from.
	SameEmail, SameNetwork int64
	Order                  AdminOrder
	Full                   db.AdminGetOrderRow
	Lines                  []db.OrderLinesRow
	Events                 []db.OrderEventsRow
	Emails                 []AdminEmail
}

// AdminProducts is the product list, one page of it.
type AdminProducts struct {
	Products []db.AdminListProductsRow
	Query    string
	// Archived: the list of archived products rather than current ones.
	Archived      bool
	ArchivedCount int64
	Paging        shop.Paging
}

// PageURL is the list at another page, as filtered.
func (p AdminProducts) PageURL(ctx context.Context, page int) string {
	v := url.Values{}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	if p.Archived {
		v.Set("archived", "1")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return URLWithQuery(ctx, v, RouteAdminProducts)
}

// AdminProductForm is the create/edit page of a product: the form as typed
// (or as stored), plus, when editing, its image, stock and ledger.
type AdminProductForm struct {
	ID          int64
	Name        string
	Slug        string
	Description string
	Price       string
	CategoryID  int64
	Active      bool
	Version     int32
	Categories  []db.AllCategoriesRow
	Errors      shop.FieldErrors
	Notice      string
	Stock       int32
	ImageHash   string
	Movements   []db.StockMovementsRow
	StockErrors shop.FieldErrors
	// StockMode, StockAmount and StockReason are what was typed into the
	// stock form, shown again with its errors.
	StockMode, StockAmount, StockReason string
	ImageError                          string
	Currency                            string
	// How it is sold: from stock, or made to order up to DailyLimit a day
	// on MadeOn.
	MadeToOrder bool
	DailyLimit  int
	MadeOn      shop.Weekdays
	MaxPerOrder string // as typed, "" for no cap
	DailyErrors shop.FieldErrors
	// Archived products are out of the shop and the list; ArchivedAt is
	// when. OrderCount is how many orders have it (none: it may be deleted).
	Archived    bool
	ArchivedAt  time.Time
	OrderCount  int64
	DeleteError string
	// Ledger is the page of the stock ledger shown.
	Ledger shop.Paging
}

// LedgerURL is the product page showing another page of its ledger.
func (f AdminProductForm) LedgerURL(ctx context.Context, page int) string {
	v := url.Values{}
	if page > 1 {
		v.Set("ledger", strconv.Itoa(page))
	}
	return URLWithQuery(ctx, v, RouteAdminProduct, f.ID) + "#ledger-title"
}

// AdminCategories is the category list.
type AdminCategories struct {
	Categories []AdminCategory
	Errors     shop.FieldErrors
	Name       string
	// Problem says why a deletion was refused.
	Problem string
}

// AdminCategory is one category in the shop's order, with what is in it.
type AdminCategory struct {
	ID                        int64
	Name                      string
	ForSale, Hidden, Archived int64
	First, Last               bool // first or last in the order
}

// Empty says whether nothing, not even an archived product, is in it.
func (c AdminCategory) Empty() bool { return c.ForSale+c.Hidden+c.Archived == 0 }

// Contents says what is in it: "4 for sale, 1 hidden, 2 archived".
func (c AdminCategory) Contents() string {
	if c.Empty() {
		return "Empty"
	}
	var parts []string
	for _, p := range []struct {
		n    int64
		what string
	}{{c.ForSale, "for sale"}, {c.Hidden, "hidden"}, {c.Archived, "archived"}} {
		if p.n > 0 {
			parts = append(parts, strconv.FormatInt(p.n, 10)+" "+p.what)
		}
	}
	return strings.Join(parts, ", ")
}

// AdminSlots lists upcoming slots by day, with the generator form.
type AdminSlots struct {
	Days   []SlotDay
	Form   map[string]string
	Errors shop.FieldErrors
	Points []settings.PickupPoint // in use, for the generator
}

// SlotDay is one day's slots; Open days show their slots at first.
type SlotDay struct {
	Day   time.Time
	Slots []db.AdminListSlotsRow
	Open  bool
}

// Summary says how the day is doing: "6 slots, 4 of 30 places booked, 1 closed".
func (d SlotDay) Summary() string {
	var booked, capacity, closed int32
	for _, s := range d.Slots {
		booked += s.Booked
		capacity += s.Capacity
		if s.Closed {
			closed++
		}
	}
	out := plural(int64(len(d.Slots)), "slot", "slots") + ", " + i32(booked) + " of " + i32(capacity) + " places booked"
	if closed > 0 {
		out += ", " + i32(closed) + " closed"
	}
	return out
}

// AdminStaffList is the owners' staff management page.
type AdminStaffList struct {
	Staff   []db.ListStaffRow
	Invites []db.PendingInvitesRow
	Self    int64
	Form    map[string]string
	Errors  shop.FieldErrors
}

// AdminAccount is the account page: password change and open sessions.
type AdminAccount struct {
	Errors   shop.FieldErrors
	Sessions []AdminSession
}

// AdminSession is one signed-in browser of the account.
type AdminSession struct {
	ID       string
	Device   string // from its User-Agent, in words
	Started  time.Time
	LastSeen time.Time
	Remember bool
	Current  bool // the browser looking at the page
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }
func i32(n int32) string { return strconv.Itoa(int(n)) }

func dayQuery(day string) url.Values {
	if day == "" {
		return url.Values{}
	}
	return url.Values{"day": {day}}
}

func slotQuery(id int64) url.Values { return url.Values{"slot": {strconv.FormatInt(id, 10)}} }

// dayLabel names a YYYY-MM-DD day, or today.
func dayLabel(ctx context.Context, day string) string {
	if d, err := time.Parse("2006-01-02", day); err == nil {
		return d.Format("Monday 2 January")
	}
	return "today"
}

func signed(n int32) string {
	if n > 0 {
		return "+" + strconv.Itoa(int(n))
	}
	return strconv.Itoa(int(n))
}

// AdminForgot is the "forgot your password" form, or its answer.
type AdminForgot struct {
	Email  string
	Sent   bool
	Errors shop.FieldErrors
}

// AdminLinkForm is an invitation or reset link's page.
type AdminLinkForm struct {
	Invite  bool   // an invitation; otherwise a password reset
	Action  string // where the form posts
	Email   string
	Name    string
	Role    string
	Problem string // the link does not work, and why
	Errors  shop.FieldErrors
}

// Title names the page.
func (f AdminLinkForm) Title() string {
	if f.Invite {
		return "Join the staff area"
	}
	return "Choose a new password"
}

// AdminCancel is the confirmation step of cancelling an order.
type AdminCancel struct {
	Order AdminOrder
	// All, when set ("email" or "network"), cancels every open order of
	// the order's customer: Count of them, from From.
	All      string
	Count    int64
	From     string
	Reasons  []string
	Reason   string // the choice made
	Other    string // typed when the choice is "Other"
	ReturnTo string
	Errors   shop.FieldErrors
}

// AdminEmail is one email of an order, as staff see it.
type AdminEmail struct {
	ID        int64
	Kind      string // outbox kind label
	Recipient string
	Status    string // pending, sent, failed
	Detail    string // what happened, in words
	CanResend bool
}

// AdminFailedEmail is an email that gave up, for the notice on the board.
type AdminFailedEmail struct {
	OrderID     int64
	OrderNumber int64
	Kind        string
	Recipient   string
}

// emailStatusLabel says how an invitation's email is doing.
func emailStatusLabel(status, lastError string) string {
	switch status {
	case "sent":
		return "Sent"
	case "failed":
		return "Failed: " + lastError
	case "pending":
		if lastError != "" {
			return "Waiting to be sent (retrying: " + lastError + ")"
		}
		return "Waiting to be sent"
	}
	return "Not sent by email (a link was printed)"
}

// mailto links to an address without letting it add recipients or
// headers: "?", "&", "," and "%" in it are escaped.
func mailto(addr string) templ.SafeURL {
	return templ.SafeURL("mailto:" + url.PathEscape(addr))
}

// cancelQuery carries the status the staff member saw and the page to go
// back to into the cancellation step.
func cancelQuery(status, returnTo string) url.Values {
	return url.Values{"from": {status}, "return_to": {returnTo}}
}

// nextQuery brings staff back to path after signing in.
func nextQuery(path string) url.Values { return url.Values{"next": {path}} }

// cancelAction is where the cancellation step posts.
func cancelAction(ctx context.Context, p AdminCancel) string {
	if p.All != "" {
		return URL(ctx, RouteAdminOrderCancelAllDo, p.Order.ID)
	}
	return URL(ctx, RouteAdminOrderStatus, p.Order.ID)
}

// cancelAllQuery asks to cancel every open order of a customer.
func cancelAllQuery(by, returnTo string) url.Values {
	return url.Values{"by": {by}, "return_to": {returnTo}}
}

func searchQuery(q string) url.Values { return url.Values{"q": {q}} }

// priceExample is how a price may be typed: "£12.50".
func priceExample(currency string) string {
	return shop.Money{Minor: 1250, Currency: currency}.String()
}
