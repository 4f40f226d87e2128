package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"shopfront/staffauth"
	"shopfront/views"
)

// routes is the one route table: every route has a name, and views build
// URLs from those names. Pages get cookie state and CSRF protection;
// assets and health checks get neither, so they stay cacheable and cheap.
func (s *Server) routes() {
	s.middleware()

	s.add(views.RouteImage, echo.GET, "/images/:hash", s.image)
	s.add("static", echo.GET, "/static/*", s.static)
	s.add("healthz", echo.GET, "/healthz", s.healthz)
	s.add("readyz", echo.GET, "/readyz", s.readyz)

	s.add(views.RouteRobots, echo.GET, "/robots.txt", s.robots)
	s.add(views.RouteSitemap, echo.GET, "/sitemap.xml", s.sitemap)
	s.add(views.RouteTheme, echo.GET, "/theme.css", s.theme)

	// Customer pages wait until the owner has set the shop up.
	page := []echo.MiddlewareFunc{s.withCookies, s.csrf, s.openingSoon}
	s.add(views.RouteCatalogue, echo.GET, "/", s.catalogue, page...)
	s.add(views.RouteProduct, echo.GET, "/products/:slug", s.product, page...)
	s.add(views.RoutePreferences, echo.GET, "/preferences", s.preferences, page...)
	s.add(views.RouteSavePreferences, echo.POST, "/preferences", s.savePreferences, page...)
	s.add(views.RouteSetView, echo.POST, "/preferences/view", s.setView, page...)

	s.add(views.RouteCart, echo.GET, "/cart", s.cart, page...)
	s.add(views.RouteCartAdd, echo.POST, "/cart/add", s.cartAdd, page...)
	s.add(views.RouteCartUpdate, echo.POST, "/cart/update", s.cartUpdate, page...)
	s.add(views.RouteCartRemove, echo.POST, "/cart/remove", s.cartRemove, page...)
	s.add(views.RouteCartClear, echo.POST, "/cart/clear", s.cartClear, page...)
	s.add(views.RouteCartPutBack, echo.POST, "/cart/put-back", s.cartPutBack, page...)
	s.add(views.RouteCheckout, echo.GET, "/checkout", s.checkout, page...)
	s.add(views.RouteCheckoutTotal, echo.GET, "/checkout/total", s.checkoutTotal, page...)
	s.add(views.RoutePlaceOrder, echo.POST, "/checkout", s.placeOrder, append([]echo.MiddlewareFunc{middleware.BodyLimit(maxCheckoutBody)}, page...)...)
	s.add(views.RouteOrders, echo.GET, "/orders", s.recentOrders, page...)
	s.add(views.RouteOrder, echo.GET, "/orders/:token", s.order, page...)
	s.add(views.RouteOrderEvents, echo.GET, "/orders/:token/events", s.orderEvents, page...)

	s.add(views.RouteVisit, echo.GET, "/visit", s.visit, page...)
	s.add(views.RouteDelivery, echo.GET, "/delivery", s.delivery, page...)
	s.add(views.RoutePrivacy, echo.GET, "/privacy", s.privacy, page...)
	s.add(views.RouteTerms, echo.GET, "/terms", s.terms, page...)

	// The staff area. Each route says who may use it; requireStaff checks
	// the session and the role in one place.
	page = []echo.MiddlewareFunc{s.withCookies, s.csrf}
	s.add(views.RouteAdminLogin, echo.GET, "/admin/login", s.adminLoginPage, page...)
	s.add(views.RouteAdminLoginPost, echo.POST, "/admin/login", s.adminLogin, page...)
	s.add(views.RouteAdminForgot, echo.GET, "/admin/forgot-password", s.adminForgotPage, page...)
	s.add(views.RouteAdminForgotPost, echo.POST, "/admin/forgot-password", s.adminForgot, page...)
	s.add(views.RouteAdminReset, echo.GET, "/admin/reset/:token", s.adminResetPage, page...)
	s.add(views.RouteAdminResetPost, echo.POST, "/admin/reset/:token", s.adminReset, page...)
	s.add(views.RouteAdminInvite, echo.GET, "/admin/invite/:token", s.adminInvitePage, page...)
	s.add(views.RouteAdminInviteAccept, echo.POST, "/admin/invite/:token", s.adminAcceptInvite, page...)
	s.staff(views.RouteAdmin, echo.GET, "/admin", s.adminHome)
	s.staff(views.RouteAdminLogout, echo.POST, "/admin/logout", s.adminLogout)
	s.staff(views.RouteAdminSignOutAll, echo.POST, "/admin/sign-out-everywhere", s.adminSignOutEverywhere)
	s.staff(views.RouteAdminAccount, echo.GET, "/admin/account", s.adminAccount)
	s.staff(views.RouteAdminAccountPassword, echo.POST, "/admin/account/password", s.adminChangePassword)
	s.staff(views.RouteAdminSessionEnd, echo.POST, "/admin/account/sessions/:id/end", s.adminEndSession)

	s.staff(views.RouteAdminOrders, echo.GET, "/admin/orders", s.adminOrders)
	s.staffStream(views.RouteAdminOrderEvents, "/admin/orders/events", s.adminOrderEvents)
	s.staff(views.RouteAdminBoardAlerts, echo.POST, "/admin/board/alerts", s.adminBoardAlerts)
	s.staff(views.RouteAdminOrdersCSV, echo.GET, "/admin/orders.csv", s.adminOrdersCSV)
	s.staff(views.RouteAdminOrder, echo.GET, "/admin/orders/:id", s.adminOrder)
	s.staff(views.RouteAdminOrderStatus, echo.POST, "/admin/orders/:id/status", s.adminOrderStatus)
	s.staff(views.RouteAdminOrderCancel, echo.GET, "/admin/orders/:id/cancel", s.adminOrderCancel)
	s.staff(views.RouteAdminOrderCancelAll, echo.GET, "/admin/orders/:id/cancel-all", s.adminOrderCancelAll)
	s.staff(views.RouteAdminOrderCancelAllDo, echo.POST, "/admin/orders/:id/cancel-all", s.adminOrderCancelAllDo)
	s.staff(views.RouteAdminOrderEmailResend, echo.POST, "/admin/orders/:id/emails/:email/resend", s.adminResendEmail)
	s.staff(views.RouteAdminOrderPaid, echo.POST, "/admin/orders/:id/paid", s.adminOrderPaid)
	s.staff(views.RouteAdminPickList, echo.GET, "/admin/pick-list", s.adminPickList)
	s.staff(views.RouteAdminBakeList, echo.GET, "/admin/bake-list", s.adminBakeList)
	s.staff(views.RouteAdminRestock, echo.GET, "/admin/restock", s.adminRestock)
	s.staff(views.RouteAdminRestockSave, echo.POST, "/admin/restock", s.adminSaveRestock)

	s.staff(views.RouteAdminProducts, echo.GET, "/admin/products", s.adminProducts)
	s.staff(views.RouteAdminProductNew, echo.GET, "/admin/products/new", s.adminNewProduct)
	s.staff(views.RouteAdminProductCreate, echo.POST, "/admin/products", s.adminCreateProduct)
	s.staff(views.RouteAdminProduct, echo.GET, "/admin/products/:id", s.adminProduct)
	s.staff(views.RouteAdminProductUpdate, echo.POST, "/admin/products/:id", s.adminUpdateProduct)
	s.staff(views.RouteAdminProductImage, echo.POST, "/admin/products/:id/image", s.adminUploadImage)
	s.staff(views.RouteAdminProductStock, echo.POST, "/admin/products/:id/stock", s.adminChangeStock)
	s.staff(views.RouteAdminProductDaily, echo.POST, "/admin/products/:id/daily", s.adminProductDaily)
	s.staff(views.RouteAdminProductArchive, echo.POST, "/admin/products/:id/archive", s.adminArchiveProduct)
	s.staff(views.RouteAdminProductRestore, echo.POST, "/admin/products/:id/restore", s.adminRestoreProduct)
	s.staff(views.RouteAdminProductDelete, echo.POST, "/admin/products/:id/delete", s.adminDeleteProduct)

	s.staff(views.RouteAdminCategories, echo.GET, "/admin/categories", s.adminCategories)
	s.staff(views.RouteAdminCategoryCreate, echo.POST, "/admin/categories", s.adminCreateCategory)
	s.staff(views.RouteAdminCategoryUpdate, echo.POST, "/admin/categories/:id", s.adminRenameCategory)
	s.staff(views.RouteAdminCategoryDelete, echo.POST, "/admin/categories/:id/delete", s.adminDeleteCategory)
	s.staff(views.RouteAdminCategoryMove, echo.POST, "/admin/categories/:id/move", s.adminMoveCategory)

	s.staff(views.RouteAdminCalendar, echo.GET, "/admin/calendar", s.adminCalendar)
	s.staff(views.RouteAdminCalendarRules, echo.POST, "/admin/calendar/rules", s.adminSaveRule)
	s.staff(views.RouteAdminCalendarRuleDelete, echo.POST, "/admin/calendar/rules/:id/delete", s.adminDeleteRule)
	s.staff(views.RouteAdminClosures, echo.POST, "/admin/calendar/closures", s.adminAddClosure)
	s.staff(views.RouteAdminClosureDelete, echo.POST, "/admin/calendar/closures/:id/delete", s.adminDeleteClosure)
	s.staff(views.RouteAdminDeliveryDays, echo.POST, "/admin/calendar/zones/:id/days", s.adminSaveDeliveryDays)
	s.owner(views.RouteAdminOrdering, echo.POST, "/admin/calendar/ordering", s.adminSaveOrdering)
	s.staff(views.RouteAdminSlots, echo.GET, "/admin/slots", s.adminSlots)
	s.staff(views.RouteAdminSlotsGenerate, echo.POST, "/admin/slots", s.adminGenerateSlots)
	s.staff(views.RouteAdminSlotCapacity, echo.POST, "/admin/slots/:id/capacity", s.adminSlotCapacity)
	s.staff(views.RouteAdminSlotClosed, echo.POST, "/admin/slots/:id/closed", s.adminSlotClosed)

	s.owner(views.RouteAdminStaff, echo.GET, "/admin/staff", s.adminStaff)
	s.owner(views.RouteAdminStaffCreate, echo.POST, "/admin/staff", s.adminCreateStaff)
	s.owner(views.RouteAdminStaffUpdate, echo.POST, "/admin/staff/:id", s.adminUpdateStaff)
	s.owner(views.RouteAdminSettings, echo.GET, "/admin/settings", s.adminSettings)
	s.owner(views.RouteAdminSettingsIdentity, echo.POST, "/admin/settings/identity", s.adminSaveIdentity)
	s.owner(views.RouteAdminSettingsLogo, echo.POST, "/admin/settings/logo", s.adminSaveLogo)
	s.owner(views.RouteAdminSettingsContact, echo.POST, "/admin/settings/contact", s.adminSaveContact)
	s.owner(views.RouteAdminSettingsHours, echo.POST, "/admin/settings/hours", s.adminSaveHours)
	s.owner(views.RouteAdminSettingsPoints, echo.POST, "/admin/settings/points", s.adminSavePoint)
	s.owner(views.RouteAdminSettingsPoint, echo.POST, "/admin/settings/points/:id", s.adminSavePoint)
	s.owner(views.RouteAdminSettingsDelivery, echo.POST, "/admin/settings/delivery", s.adminSaveDelivery)
	s.owner(views.RouteAdminSettingsZones, echo.POST, "/admin/settings/zones", s.adminSaveZone)
	s.owner(views.RouteAdminSettingsZone, echo.POST, "/admin/settings/zones/:id", s.adminSaveZone)
	s.owner(views.RouteAdminSettingsZoneDelete, echo.POST, "/admin/settings/zones/:id/delete", s.adminDeleteZone)
	s.owner(views.RouteAdminSettingsPolicies, echo.POST, "/admin/settings/policies", s.adminSavePolicies)
	s.owner(views.RouteAdminSettingsNotify, echo.POST, "/admin/settings/notifications", s.adminSaveNotify)
	s.owner(views.RouteAdminInviteResend, echo.POST, "/admin/invitations/:id/resend", s.adminResendInvite)
	s.owner(views.RouteAdminInviteWithdraw, echo.POST, "/admin/invitations/:id/withdraw", s.adminWithdrawInvite)

	// The development mailbox, only in development without an SMTP server.
	if s.devMailbox() {
		s.add(views.RouteDevMail, echo.GET, "/dev/mail", s.devMail, page...)
		s.add(views.RouteDevMailMessage, echo.GET, "/dev/mail/:id", s.devMailMessage, page...)
		s.add(views.RouteDevMailHTML, echo.GET, "/dev/mail/:id/html", s.devMailHTML)
	}

	// Unknown URLs get the 404 page with the visitor's state (theme, cart).
	s.echo.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, page...)
}

// staff and owner register staff-area routes for the given role; the role
// is recorded so tests can walk every route and check it.
func (s *Server) staff(name, method, path string, h echo.HandlerFunc) {
	s.addWithRole(staffauth.RoleStaff, name, method, path, h, false)
}

func (s *Server) owner(name, method, path string, h echo.HandlerFunc) {
	s.addWithRole(staffauth.RoleOwner, name, method, path, h, false)
}

// staffStream registers a live stream for staff: a session that ends is
// told so in the stream, not redirected.
func (s *Server) staffStream(name, path string, h echo.HandlerFunc) {
	s.addWithRole(staffauth.RoleStaff, name, echo.GET, path, h, true)
	s.streams[name] = true
}

func (s *Server) addWithRole(role, name, method, path string, h echo.HandlerFunc, stream bool) {
	m := []echo.MiddlewareFunc{s.withCookies, s.csrf, s.requireStaff(role, stream)}
	if name == views.RouteAdminProductImage || name == views.RouteAdminSettingsLogo {
		// Uploads are bigger than forms: the image plus a little form data.
		m = append([]echo.MiddlewareFunc{middleware.BodyLimit(maxUploadBody)}, m...)
	}
	s.add(name, method, path, h, m...)
	s.roles[name] = role
}

// add registers a named route and records its path for views.
func (s *Server) add(name, method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.echo.Add(method, path, h, m...).Name = name
	s.paths[name] = path
}
