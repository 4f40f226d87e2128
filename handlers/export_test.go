package handlers

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// AddTestRoute lets tests register a route outside the route table, such as
// one that panics.
func (s *Server) AddTestRoute(path string, h echo.HandlerFunc) { s.echo.GET(path, h) }

// StaffRoute is a staff-area route and the role the route table gives it.
type StaffRoute struct {
	Name, Method, Path, Role string
	Stream                   bool // a live stream
}

// StaffRoutes lists every staff-area route, for the authorization walk.
func StaffRoutes(s *Server) []StaffRoute {
	var out []StaffRoute
	for _, r := range s.echo.Routes() {
		if role, ok := s.roles[r.Name]; ok {
			out = append(out, StaffRoute{Name: r.Name, Method: r.Method, Path: r.Path, Role: role, Stream: s.streams[r.Name]})
		}
	}
	return out
}

// SafeReturnPath is safeReturnPath, for its tests.
var SafeReturnPath = safeReturnPath

// PageRoute is a GET route of the route table.
type PageRoute struct{ Name, Path string }

// GetRoutes lists every GET route, so tests that visit every page can
// check that they miss none.
func GetRoutes(s *Server) []PageRoute {
	var out []PageRoute
	for _, r := range s.echo.Routes() {
		if r.Method == "GET" && r.Name != "" && !strings.HasPrefix(r.Name, "github.com/") {
			out = append(out, PageRoute{Name: r.Name, Path: r.Path})
		}
	}
	return out
}
