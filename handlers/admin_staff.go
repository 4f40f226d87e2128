package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"shopfront/db"
	"shopfront/jobs"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

func (s *Server) adminStaff(c echo.Context) error {
	return s.renderStaff(c, http.StatusOK, map[string]string{}, nil)
}

func (s *Server) renderStaff(c echo.Context, status int, form map[string]string, errs shop.FieldErrors) error {
	ctx := c.Request().Context()
	list, err := s.queries.ListStaff(ctx)
	if err != nil {
		return err
	}
	invites, err := s.queries.PendingInvites(ctx, s.now())
	if err != nil {
		return err
	}
	return s.render(c, status, views.AdminStaffPage(views.AdminStaffList{Staff: list, Invites: invites, Self: currentStaff(c).ID, Form: form, Errors: errs}), nil)
}

// adminCreateStaff invites someone: they get an email with a single-use
// link to choose their own password; the account exists once they do.
func (s *Server) adminCreateStaff(c echo.Context) error {
	form := map[string]string{"name": c.FormValue("name"), "email": c.FormValue("email"), "role": c.FormValue("role")}
	err := staffauth.Invite(c.Request().Context(), s.pool, s.out, staffauth.Invitation{
		Email: form["email"], Name: form["name"], Role: form["role"], By: currentStaff(c).ID, Now: s.now(),
	})
	var input *shop.InputError
	switch {
	case errors.As(err, &input):
		return s.renderStaff(c, http.StatusUnprocessableEntity, form, shop.FieldErrors{input.Field: input.Message})
	case errors.Is(err, staffauth.ErrEmailTaken):
		return s.renderStaff(c, http.StatusUnprocessableEntity, form, shop.FieldErrors{"email": "Another account already uses this email."})
	case errors.Is(err, staffauth.ErrAlreadyInvited):
		return s.renderStaff(c, http.StatusUnprocessableEntity, form, shop.FieldErrors{"email": "An invitation to this email is already waiting: send it again from the list below."})
	case err != nil:
		return err
	}
	s.flash(c, "success", "Invitation sent to "+strings.TrimSpace(form["email"])+".")
	return redirect(c, s.paths.URL(views.RouteAdminStaff))
}

func inviteID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// adminResendInvite emails a waiting invitation again with a new link.
func (s *Server) adminResendInvite(c echo.Context) error {
	id, err := inviteID(c)
	if err != nil {
		return err
	}
	sent, err := staffauth.ResendInvite(c.Request().Context(), s.pool, s.out, id, s.now())
	if err != nil {
		return err
	}
	if sent {
		s.flash(c, "success", "The invitation will be sent again with a new link; the old link no longer works.")
	} else {
		s.flash(c, "error", "That invitation was used, withdrawn, or is still waiting to be sent.")
	}
	return redirect(c, s.paths.URL(views.RouteAdminStaff))
}

// adminWithdrawInvite stops an invitation's link from working.
func (s *Server) adminWithdrawInvite(c echo.Context) error {
	id, err := inviteID(c)
	if err != nil {
		return err
	}
	withdrawn, err := staffauth.WithdrawInvite(c.Request().Context(), s.queries, id, s.now())
	if err != nil {
		return err
	}
	if withdrawn {
		s.flash(c, "success", "Invitation withdrawn: its link no longer works.")
	} else {
		s.flash(c, "error", "That invitation was already used or withdrawn.")
	}
	return redirect(c, s.paths.URL(views.RouteAdminStaff))
}

// adminUpdateStaff changes a role or deactivates an account (which signs
// the person out everywhere). The shop always keeps one active owner.
func (s *Server) adminUpdateStaff(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return echo.ErrNotFound
	}
	role, active := c.FormValue("role"), c.FormValue("active") != "false"
	if role != staffauth.RoleOwner && role != staffauth.RoleStaff {
		return s.renderStaff(c, http.StatusUnprocessableEntity, map[string]string{}, shop.FieldErrors{"form": "The role must be owner or staff."})
	}
	var refused string
	err = db.InTx(c.Request().Context(), s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockOwnerChanges(c.Request().Context()); err != nil {
			return err
		}
		n, err := q.UpdateStaffAccess(c.Request().Context(), db.UpdateStaffAccessParams{ID: id, Role: role, Active: active})
		if err != nil {
			return err
		}
		if n == 0 {
			return echo.ErrNotFound
		}
		owners, err := q.CountActiveOwners(c.Request().Context())
		if err != nil {
			return err
		}
		if owners == 0 {
			refused = "The shop needs at least one active owner: make someone else an owner first."
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return s.renderStaff(c, http.StatusConflict, map[string]string{}, shop.FieldErrors{"form": refused})
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "Account saved.")
	return redirect(c, s.paths.URL(views.RouteAdminStaff))
}

// errRollback undoes a transaction whose outcome is reported separately.
var errRollback = errors.New("rolled back")

func (s *Server) adminAccount(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, views.AdminAccount{})
}

// renderAccount shows the account page with the account's open sessions.
func (s *Server) renderAccount(c echo.Context, status int, a views.AdminAccount) error {
	st := currentStaff(c)
	rows, err := s.queries.StaffSessions(c.Request().Context(), db.StaffSessionsParams{StaffID: st.ID, Since: s.now().Add(-jobs.StaffSessionRetention)})
	if err != nil {
		return err
	}
	for _, r := range rows {
		a.Sessions = append(a.Sessions, views.AdminSession{
			ID: r.ID, Device: shop.DeviceName(r.UserAgent), Started: r.CreatedAt, LastSeen: r.LastSeenAt,
			Remember: r.Remember, Current: r.ID == st.Session,
		})
	}
	return s.render(c, status, views.AdminAccountPage(a), nil)
}

// adminEndSession signs one of the person's browsers out, on every node.
func (s *Server) adminEndSession(c echo.Context) error {
	st := currentStaff(c)
	n, err := s.queries.RevokeOwnStaffSession(c.Request().Context(), db.RevokeOwnStaffSessionParams{ID: c.Param("id"), StaffID: st.ID})
	if err != nil {
		return err
	}
	if c.Param("id") == st.Session {
		s.signOut(c, "You are signed out.")
		return redirect(c, s.paths.URL(views.RouteAdminLogin))
	}
	if n == 0 {
		s.flash(c, "error", "That browser was already signed out.")
	} else {
		s.flash(c, "success", "That browser is signed out.")
	}
	return redirect(c, s.paths.URL(views.RouteAdminAccount))
}

// adminChangePassword sets a new password after checking the current one;
// the epoch moves on, so every session (this one too) ends.
func (s *Server) adminChangePassword(c echo.Context) error {
	st := currentStaff(c)
	ctx := c.Request().Context()
	ip, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		ip = netip.IPv4Unspecified()
	}
	err = staffauth.CheckCurrentPassword(ctx, s.pool, s.hashing, st, c.FormValue("current"), ip, s.now())
	var limited *staffauth.RateLimited
	switch {
	case errors.As(err, &limited):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(limited.RetryAfter.Seconds()))))
		return s.renderAccount(c, http.StatusTooManyRequests, views.AdminAccount{Errors: shop.FieldErrors{"current": fmt.Sprintf(
			"Too many wrong passwords. Please wait %d minutes and try again.", int(math.Ceil(limited.RetryAfter.Minutes())))}})
	case errors.Is(err, staffauth.ErrBadCredentials):
		return s.renderAccount(c, http.StatusUnprocessableEntity, views.AdminAccount{Errors: shop.FieldErrors{"current": "That is not your current password."}})
	case err != nil:
		return err
	}
	hash, err := staffauth.HashPassword(c.FormValue("password"), st.Email, st.Name, s.shop(c).Name)
	var input *shop.InputError
	if errors.As(err, &input) {
		return s.renderAccount(c, http.StatusUnprocessableEntity, views.AdminAccount{Errors: shop.FieldErrors{"password": input.Message}})
	} else if err != nil {
		return err
	}
	if err := s.queries.SetStaffPassword(ctx, db.SetStaffPasswordParams{ID: st.ID, PasswordHash: hash}); err != nil {
		return err
	}
	s.signOut(c, "Password changed. Sign in again with the new password.")
	return redirect(c, s.paths.URL(views.RouteAdminLogin))
}
