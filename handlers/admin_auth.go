package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/cookiestate"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

const staffKey = "staff"

// errOwnerOnly is returned to staff who reach an owner-only page.
var errOwnerOnly = errors.New("owner only")

// touchEvery bounds how often the staff cookie is rewritten to move its
// idle timeout along.
const touchEvery = time.Minute

// requireStaff is the one place staff access is enforced: every /admin
// route but the sign-in page goes through it with the role the route table
// gives. The session is checked against Postgres on every request. A live
// stream is told in the stream itself when its session has ended, and does
// not count as activity (an open board alone keeps nobody signed in).
func (s *Server) requireStaff(role string, stream bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			j := jar(c)
			c.Response().Header().Set("Cache-Control", "private, no-store")
			kind, session, ok := staffCookie(j)
			if !ok && (cookiestate.StaffSessionCookie.Unreadable(j) || cookiestate.StaffDeviceCookie.Unreadable(j)) {
				// Signed in with a key set this node does not have yet (a
				// deploy is rolling out): try again on another node,
				// signed in still.
				return cookiestate.ErrUnreadable
			}
			if !ok {
				if stream {
					return s.endStaffStream(c)
				}
				return s.toSignIn(c, "")
			}
			st, err := staffauth.Check(c.Request().Context(), s.queries, session.Session, session.StaffID, session.Epoch)
			if errors.Is(err, staffauth.ErrSignedOut) {
				kind.Delete(j)
				if stream {
					return s.endStaffStream(c)
				}
				return s.toSignIn(c, "You have been signed out. Please sign in again.")
			} else if err != nil {
				return err
			}
			if role == staffauth.RoleOwner && !st.Owner() {
				return errOwnerOnly
			}
			if !stream {
				if err := kind.Touch(j, touchEvery); err != nil {
					return err
				}
				if err := staffauth.Seen(c.Request().Context(), s.queries, st, s.now()); err != nil {
					return err
				}
			} else if until, ok := kind.ExpiresAt(j); ok {
				c.Set(sessionEndsKey, until)
			}
			c.Set(staffKey, st)
			return next(c)
		}
	}
}

const sessionEndsKey = "staff-session-ends"

// staffCookie is the request's staff session: kept on this device, or the
// ordinary kind.
func staffCookie(j *cookiestate.Jar) (*cookiestate.Kind[cookiestate.StaffSession], cookiestate.StaffSession, bool) {
	for _, kind := range cookiestate.StaffKinds {
		if session, ok := kind.Get(j); ok {
			return kind, session, true
		}
	}
	return nil, cookiestate.StaffSession{}, false
}

func currentStaff(c echo.Context) staffauth.Staff {
	st, _ := c.Get(staffKey).(staffauth.Staff)
	return st
}

// toSignIn sends a visitor without a valid session to the sign-in page,
// remembering where they were. An action (a POST) is refused, saying so:
// after signing in they come back to the page they were on.
func (s *Server) toSignIn(c echo.Context, message string) error {
	r := c.Request()
	back := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		message = "You were signed out, so nothing was changed. Sign in to carry on."
		back = safeAdminPath(c.FormValue("return_to"))
		if back == "/admin" {
			back = refererPath(r)
		}
	}
	if message != "" {
		s.flash(c, "error", message)
	}
	return redirect(c, s.paths.URL(views.RouteAdminLogin)+"?next="+url.QueryEscape(safeAdminPath(back)))
}

// refererPath is the staff page an action was sent from, if the browser
// said so and it is one of ours.
func refererPath(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host {
		return "/admin"
	}
	return u.RequestURI()
}

func (s *Server) adminLoginPage(c echo.Context) error {
	next := safeAdminPath(c.QueryParam("next"))
	if _, session, ok := staffCookie(jar(c)); ok {
		if _, err := staffauth.Check(c.Request().Context(), s.queries, session.Session, session.StaffID, session.Epoch); err == nil {
			return redirect(c, next)
		}
	}
	return s.render(c, http.StatusOK, views.AdminLoginPage(views.AdminLogin{Next: next, Email: shop.CleanText(c.QueryParam("email"))}), nil)
}

// adminLogin signs a staff member in. Failures count towards the
// Postgres-held limit whichever node sees them; a refusal says when to try
// again. Success opens a session and rotates the CSRF secret.
func (s *Server) adminLogin(c echo.Context) error {
	form := views.AdminLogin{Email: strings.TrimSpace(c.FormValue("email")), Next: safeAdminPath(c.FormValue("next"))}
	ip, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		ip = netip.IPv4Unspecified()
	}
	remember := c.FormValue("remember") == "on"
	form.Remember = remember
	email := strings.ToLower(shop.CleanText(form.Email))
	devices, _ := cookiestate.SigninDeviceCookie.Get(jar(c))
	st, err := staffauth.Login(c.Request().Context(), s.pool, s.hashing, staffauth.Attempt{
		Email: email, Password: c.FormValue("password"), IP: ip.Unmap(), Device: devices.Nonce(email), Now: s.now(),
		Remember: remember, UserAgent: c.Request().UserAgent(),
	})
	var limited *staffauth.RateLimited
	var busy *staffauth.Busy
	switch {
	case errors.As(err, &limited):
		minutes := int(math.Ceil(limited.RetryAfter.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(limited.RetryAfter.Seconds()))))
		form.Error = fmt.Sprintf("Too many failed sign-ins. Please wait %d minute%s and try again.", minutes, map[bool]string{true: "", false: "s"}[minutes == 1])
		return s.render(c, http.StatusTooManyRequests, views.AdminLoginPage(form), nil)
	case errors.As(err, &busy):
		c.Response().Header().Set("Retry-After", "1")
		form.Error = "Many sign-ins are being checked right now. Please try again in a moment."
		return s.render(c, http.StatusTooManyRequests, views.AdminLoginPage(form), nil)
	case errors.Is(err, staffauth.ErrBadCredentials):
		form.Error = "That email and password do not match an account."
		return s.render(c, http.StatusUnprocessableEntity, views.AdminLoginPage(form), nil)
	case err != nil:
		return err
	}
	j := jar(c)
	cookiestate.RotateCSRF(j)
	kind := cookiestate.StaffSessionCookie
	if remember {
		kind = cookiestate.StaffDeviceCookie
	}
	for _, k := range cookiestate.StaffKinds {
		k.Delete(j)
	}
	if err := kind.Set(j, cookiestate.StaffSession{Session: st.Session, StaffID: st.ID, Epoch: st.Epoch}); err != nil {
		return err
	}
	_ = cookiestate.RememberSignin(j, email, st.Device) // without it, only the shared allowance applies next time
	s.log.Info("staff signed in", "staff_id", st.ID, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	return redirect(c, form.Next)
}

// adminLogout ends this browser's session: revoked in Postgres, so even a
// slow request that re-sends the cookie afterwards cannot revive it.
func (s *Server) adminLogout(c echo.Context) error {
	st := currentStaff(c)
	if err := s.queries.RevokeStaffSession(c.Request().Context(), st.Session); err != nil {
		return err
	}
	s.signOut(c, "You are signed out.")
	return redirect(c, s.paths.URL(views.RouteAdminLogin))
}

// adminSignOutEverywhere bumps the epoch: every session of this person, on
// every device and node, ends at once.
func (s *Server) adminSignOutEverywhere(c echo.Context) error {
	st := currentStaff(c)
	if err := s.queries.BumpSessionEpoch(c.Request().Context(), st.ID); err != nil {
		return err
	}
	s.signOut(c, "You are signed out on every device.")
	return redirect(c, s.paths.URL(views.RouteAdminLogin))
}

func (s *Server) signOut(c echo.Context, message string) {
	j := jar(c)
	for _, k := range cookiestate.StaffKinds {
		k.Delete(j)
	}
	cookiestate.RotateCSRF(j)
	s.flash(c, "success", message)
}

// safeAdminPath accepts only a path inside the staff area as a place to
// return to after signing in.
func safeAdminPath(p string) string {
	if strings.HasPrefix(p, "/admin") && safeReturnPath(p, "") != "" && !strings.HasPrefix(p, "/admin/login") {
		return p
	}
	return "/admin"
}

// adminForgotPage asks for the email to send a reset link to.
func (s *Server) adminForgotPage(c echo.Context) error {
	return s.render(c, http.StatusOK, views.AdminForgotPage(views.AdminForgot{}), nil)
}

// adminForgot sends a reset link if the email has an active account. The
// answer is the same either way, so nobody learns who has an account.
func (s *Server) adminForgot(c echo.Context) error {
	email := shop.CleanText(c.FormValue("email"))
	if !strings.Contains(email, "@") || len(email) > 254 {
		return s.render(c, http.StatusUnprocessableEntity, views.AdminForgotPage(views.AdminForgot{
			Email: email, Errors: shop.FieldErrors{"email": "Enter the email you sign in with, like name@example.com."},
		}), nil)
	}
	if err := staffauth.RequestReset(c.Request().Context(), s.pool, s.out, email, s.now()); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AdminForgotPage(views.AdminForgot{Email: email, Sent: true}), nil)
}

// linkProblem is what a person is told about a link that does not work.
func linkProblem(err error) (string, bool) {
	switch {
	case errors.Is(err, staffauth.ErrLinkInvalid):
		return "This link does not work. Check that you copied all of it; if an email came later, use the link in the newest one.", true
	case errors.Is(err, staffauth.ErrLinkUsed):
		return "This link was already used. Each link works once.", true
	case errors.Is(err, staffauth.ErrLinkExpired):
		return "This link has expired.", true
	}
	return "", false
}

func (s *Server) linkPage(c echo.Context, purpose string) (views.AdminLinkForm, error) {
	invite := purpose == staffauth.PurposeInvite
	route := views.RouteAdminResetPost
	if invite {
		route = views.RouteAdminInviteAccept
	}
	f := views.AdminLinkForm{Invite: invite, Action: s.paths.URL(route, c.Param("token")), Errors: shop.FieldErrors{}}
	link, err := staffauth.CheckLink(c.Request().Context(), s.queries, c.Param("token"), purpose, s.now())
	if problem, ok := linkProblem(err); ok {
		f.Problem = problem
		return f, nil
	} else if err != nil {
		return f, err
	}
	f.Email, f.Name, f.Role = link.Email, link.Name, link.Role
	return f, nil
}

func (s *Server) showLinkPage(c echo.Context, purpose string) error {
	// The token is in the URL: keep it out of caches and referrers.
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	f, err := s.linkPage(c, purpose)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if f.Problem != "" {
		status = http.StatusGone
	}
	return s.render(c, status, views.AdminLinkPage(f), nil)
}

func (s *Server) adminInvitePage(c echo.Context) error {
	return s.showLinkPage(c, staffauth.PurposeInvite)
}
func (s *Server) adminResetPage(c echo.Context) error {
	return s.showLinkPage(c, staffauth.PurposeReset)
}

// useLink handles the password form of an invitation or reset link.
func (s *Server) useLink(c echo.Context, purpose string, use func(password string) (string, error), done string) error {
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	f, err := s.linkPage(c, purpose)
	if err != nil {
		return err
	}
	if f.Problem != "" {
		return s.render(c, http.StatusGone, views.AdminLinkPage(f), nil)
	}
	f.Name = c.FormValue("name")
	password := c.FormValue("password")
	if password != c.FormValue("password_again") {
		f.Errors["password_again"] = "The two passwords are not the same."
		return s.render(c, http.StatusUnprocessableEntity, views.AdminLinkPage(f), nil)
	}
	email, err := use(password)
	var input *shop.InputError
	if problem, ok := linkProblem(err); ok {
		f.Problem = problem
		return s.render(c, http.StatusGone, views.AdminLinkPage(f), nil)
	}
	switch {
	case errors.As(err, &input):
		f.Errors[input.Field] = input.Message
		return s.render(c, http.StatusUnprocessableEntity, views.AdminLinkPage(f), nil)
	case errors.Is(err, staffauth.ErrEmailTaken):
		f.Problem = "An account with this email exists already: sign in with it, or use “Forgot your password?”."
		return s.render(c, http.StatusConflict, views.AdminLinkPage(f), nil)
	case err != nil:
		return err
	}
	s.flash(c, "success", done)
	return redirect(c, s.paths.URL(views.RouteAdminLogin)+"?email="+url.QueryEscape(email))
}

// adminAcceptInvite creates the invited account with the chosen password.
func (s *Server) adminAcceptInvite(c echo.Context) error {
	return s.useLink(c, staffauth.PurposeInvite, func(password string) (string, error) {
		return staffauth.AcceptInvite(c.Request().Context(), s.pool, c.Param("token"), c.FormValue("name"), password, s.now())
	}, "Your account is ready. Sign in with your email and the password you chose.")
}

// adminReset sets a new password through a reset link.
func (s *Server) adminReset(c echo.Context) error {
	return s.useLink(c, staffauth.PurposeReset, func(password string) (string, error) {
		return staffauth.ResetPassword(c.Request().Context(), s.pool, c.Param("token"), password, s.now())
	}, "Your password is changed and you are signed out everywhere. Sign in with the new password.")
}
