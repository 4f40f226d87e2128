package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"shopfront/db"
	"shopfront/shop"
	"shopfront/staffauth"
	"shopfront/views"
)

func (s *Server) adminStaff(c echo.Context) error {
	return s.renderStaff(c, http.StatusOK, map[string]string{}, nil)
}

func (s *Server) renderStaff(c echo.Context, status int, form map[string]string, errs shop.FieldErrors) error {
	list, err := s.queries.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, status, views.AdminStaffPage(views.AdminStaffList{Staff: list, Self: currentStaff(c).ID, Form: form, Errors: errs}), nil)
}

func (s *Server) adminCreateStaff(c echo.Context) error {
	form := map[string]string{"name": c.FormValue("name"), "email": c.FormValue("email"), "role": c.FormValue("role")}
	_, err := staffauth.Create(c.Request().Context(), s.queries, form["email"], form["name"], form["role"], c.FormValue("password"))
	var input *staffauth.InputError
	switch {
	case errors.As(err, &input):
		return s.renderStaff(c, http.StatusUnprocessableEntity, form, shop.FieldErrors{input.Field: input.Message})
	case errors.Is(err, staffauth.ErrEmailTaken):
		return s.renderStaff(c, http.StatusUnprocessableEntity, form, shop.FieldErrors{"email": "Another account already uses this email."})
	case err != nil:
		return err
	}
	s.flash(c, "success", "Account created for "+form["email"]+".")
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
	return s.render(c, http.StatusOK, views.AdminAccountPage(views.AdminAccount{}), nil)
}

// adminChangePassword sets a new password after checking the current one;
// the epoch moves on, so every session (this one too) ends.
func (s *Server) adminChangePassword(c echo.Context) error {
	st := currentStaff(c)
	ctx := c.Request().Context()
	row, err := s.queries.StaffByEmail(ctx, st.Email)
	if err != nil {
		return err
	}
	if !staffauth.CheckPassword(c.FormValue("current"), row.PasswordHash) {
		return s.render(c, http.StatusUnprocessableEntity, views.AdminAccountPage(views.AdminAccount{Errors: shop.FieldErrors{"current": "That is not your current password."}}), nil)
	}
	hash, err := staffauth.HashPassword(c.FormValue("password"))
	var input *staffauth.InputError
	if errors.As(err, &input) {
		return s.render(c, http.StatusUnprocessableEntity, views.AdminAccountPage(views.AdminAccount{Errors: shop.FieldErrors{"password": input.Message}}), nil)
	} else if err != nil {
		return err
	}
	if err := s.queries.SetStaffPassword(ctx, db.SetStaffPasswordParams{ID: st.ID, PasswordHash: hash}); err != nil {
		return err
	}
	s.signOut(c, "Password changed. Sign in again with the new password.")
	return redirect(c, s.paths.URL(views.RouteAdminLogin))
}
