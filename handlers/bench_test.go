package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"shopfront/apptest"
)

// BenchmarkCataloguePage renders the catalogue in-process on one node
// (real Postgres, no network), as a returning visitor with cookies.
func BenchmarkCataloguePage(b *testing.B) {
	c := apptest.NewCluster(b, apptest.Options{Nodes: 1, Demo: true})
	app := c.Nodes[0].App
	first := httptest.NewRecorder()
	app.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := first.Result().Cookies()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		_, _ = io.Copy(io.Discard, w.Body)
	}
}
