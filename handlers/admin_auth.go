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
// gives. The session is checked against Postgres on every request.
func (s *Server) requireStaff(role string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			j := jar(c)
			c.Response().Header().Set("Cache-Control", "private, no-store")
			session, ok := cookiestate.StaffSessionCookie.Get(j)
			if !ok {
				return s.toSignIn(c, "")
			}
			st, err := staffauth.Check(c.Request().Context(), s.queries, session.Session, session.StaffID, session.Epoch)
			if errors.Is(err, staffauth.ErrSignedOut) {
				cookiestate.StaffSessionCookie.Delete(j)
				return s.toSignIn(c, "You have been signed out. Please sign in again.")
			} else if err != nil {
				return err
			}
			if role == staffauth.RoleOwner && !st.Owner() {
				return errOwnerOnly
			}
			if err := cookiestate.StaffSessionCookie.Touch(j, touchEvery); err != nil {
				return err
			}
			c.Set(staffKey, st)
			return next(c)
		}
	}
}

func currentStaff(c echo.Context) staffauth.Staff {
	st, _ := c.Get(staffKey).(staffauth.Staff)
	return st
}

// toSignIn sends a visitor without a valid session to the sign-in page,
// remembering where they were going.
func (s *Server) toSignIn(c echo.Context, message string) error {
	if message != "" {
		s.flash(c, "error", message)
	}
	target := s.paths.URL(views.RouteAdminLogin)
	if c.Request().Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
	}
	return redirect(c, target)
}

func (s *Server) adminLoginPage(c echo.Context) error {
	next := safeAdminPath(c.QueryParam("next"))
	if session, ok := cookiestate.StaffSessionCookie.Get(jar(c)); ok {
		if _, err := staffauth.Check(c.Request().Context(), s.queries, session.Session, session.StaffID, session.Epoch); err == nil {
			return redirect(c, next)
		}
	}
	return s.render(c, http.StatusOK, views.AdminLoginPage(views.AdminLogin{Next: next}), nil)
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
	st, err := staffauth.Login(c.Request().Context(), s.pool, form.Email, c.FormValue("password"), ip.Unmap(), s.now())
	var limited *staffauth.RateLimited
	switch {
	case errors.As(err, &limited):
		minutes := int(math.Ceil(limited.RetryAfter.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(limited.RetryAfter.Seconds()))))
		form.Error = fmt.Sprintf("Too many failed sign-ins. Please wait %d minute%s and try again.", minutes, map[bool]string{true: "", false: "s"}[minutes == 1])
		return s.render(c, http.StatusTooManyRequests, views.AdminLoginPage(form), nil)
	case errors.Is(err, staffauth.ErrBadCredentials):
		form.Error = "That email and password do not match an account."
		return s.render(c, http.StatusUnprocessableEntity, views.AdminLoginPage(form), nil)
	case err != nil:
		return err
	}
	j := jar(c)
	cookiestate.RotateCSRF(j)
	if err := cookiestate.StaffSessionCookie.Set(j, cookiestate.StaffSession{Session: st.Session, StaffID: st.ID, Epoch: st.Epoch}); err != nil {
		return err
	}
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
	cookiestate.StaffSessionCookie.Delete(j)
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
