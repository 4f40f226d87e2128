package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz says the process is alive; it never touches the database, so a
// database outage does not get every node restarted.
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// readyz says whether this node should get traffic: 503 from the moment
// shutdown begins. It reads no database and takes no pooled connection.
func (s *Server) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	ok, why := s.ready()
	if !ok {
		return c.String(http.StatusServiceUnavailable, why+"\n")
	}
	return c.String(http.StatusOK, why+"\n")
}
