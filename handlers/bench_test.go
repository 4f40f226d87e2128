package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/klauspost/compress/gzip"

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

// BenchmarkGzipLevels compresses the home page as the gzip middleware
// does, at the levels worth considering: bytes out per level, and the
// time each takes (the middleware's level was chosen from these).
func BenchmarkGzipLevels(b *testing.B) {
	c := apptest.NewCluster(b, apptest.Options{Nodes: 1, Demo: true})
	w := httptest.NewRecorder()
	c.Nodes[0].App.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	page := w.Body.Bytes()
	for _, level := range []struct {
		name  string
		level int
	}{{"stateless", gzip.StatelessCompression}, {"1", 1}, {"2", 2}, {"5", 5}, {"9", 9}} {
		b.Run(level.name, func(b *testing.B) {
			var out bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&out, level.level)
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				zw.Reset(&out)
				_, _ = zw.Write(page)
				_ = zw.Close()
			}
			b.ReportMetric(float64(len(page)), "bytes-in")
			b.ReportMetric(float64(out.Len()), "bytes-out")
		})
	}
}
