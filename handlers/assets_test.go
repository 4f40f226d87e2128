package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"shopfront/apptest"
)

func TestImagesAreServedFromPostgresWithStrongCaching(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	visitor := c.Client()
	page := visitor.Get(t, "/products/white-sourdough-loaf").Body
	src := regexp.MustCompile(`src="(/images/[0-9a-f]{64})"`).FindStringSubmatch(page)
	if src == nil {
		t.Fatal("product page has no image")
	}
	img := visitor.Get(t, src[1])
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.Body, "\x89PNG") {
		t.Fatalf("image: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
	}
	etag := img.Header.Get("ETag")
	if etag != `"`+strings.TrimPrefix(src[1], "/images/")+`"` {
		t.Fatalf("ETag = %s, want the quoted sha256", etag)
	}
	if cc := img.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Fatalf("Cache-Control = %q", cc)
	}
	again := visitor.Get(t, src[1], "If-None-Match", etag)
	if again.StatusCode != http.StatusNotModified || again.Body != "" {
		t.Fatalf("conditional GET = %d, want 304 with no body", again.StatusCode)
	}
	if r := visitor.Get(t, "/images/"+strings.Repeat("0", 64)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown image = %d, want 404", r.StatusCode)
	}
}

func TestStaticAssetsHaveContentHashedURLs(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{})
	visitor := c.Client()
	page := visitor.Get(t, "/").Body
	for _, pattern := range []string{`href="(/static/css/app\.[0-9a-f]{12}\.css)"`, `src="(/static/js/htmx\.min\.[0-9a-f]{12}\.js)"`} {
		m := regexp.MustCompile(pattern).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("page does not link %s", pattern)
		}
		r := visitor.Get(t, m[1])
		if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("%s: %d %q", m[1], r.StatusCode, r.Header.Get("Cache-Control"))
		}
		// A page from another build asks for another hash: it still gets
		// today's file, but not cached for a year.
		stale := regexp.MustCompile(`\.[0-9a-f]{12}\.`).ReplaceAllString(m[1], ".000000000000.")
		if r := visitor.Get(t, stale); r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: %d %q, want 200 no-cache", stale, r.StatusCode, r.Header.Get("Cache-Control"))
		}
	}
	if !strings.Contains(visitor.Get(t, regexp.MustCompile(`src="(/static/js/[^"]+)"`).FindStringSubmatch(page)[1]).Body, `"4.0.1"`) {
		t.Fatal("the vendored htmx is not 4.0.1")
	}
}

func TestHTMLIsCompressed(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	req, _ := http.NewRequest(http.MethodGet, c.URL+"/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Client().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !strings.Contains(string(body), "</html>") {
		t.Fatal("gzipped page does not decompress to the page")
	}
}

func TestStaticAssetsAreSentCompressedAsTheBrowserAccepts(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Nodes: 1})
	visitor := c.Client()
	page := visitor.Get(t, "/").Body
	css := regexp.MustCompile(`href="(/static/css/app\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(page)[1]
	get := func(accept string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, c.URL+css, nil)
		req.Header.Set("Accept-Encoding", accept)
		// The transport leaves Accept-Encoding and the body as sent.
		resp, err := visitor.HTTP.Transport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s with Accept-Encoding %q: %d, Vary %q", css, accept, resp.StatusCode, resp.Header.Get("Vary"))
		}
		return resp, body
	}
	_, plain := get("")
	gzResp, gz := get("gzip, deflate")
	brResp, br := get("gzip, deflate, br")
	noBr, _ := get("br;q=0, gzip")
	if gzResp.Header.Get("Content-Encoding") != "gzip" || brResp.Header.Get("Content-Encoding") != "br" || noBr.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding: %q for gzip, %q for br, %q for br;q=0", gzResp.Header.Get("Content-Encoding"), brResp.Header.Get("Content-Encoding"), noBr.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	unbr, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if !bytes.Equal(unzipped, plain) || !bytes.Equal(unbr, plain) || len(br) >= len(gz) || len(gz) >= len(plain)/2 {
		t.Fatalf("app.css: %d bytes, gzip %d (same content: %v), brotli %d (same: %v)", len(plain), len(gz), bytes.Equal(unzipped, plain), len(br), bytes.Equal(unbr, plain))
	}
	// Each representation has its own validator, so a cache never answers
	// 304 for a coding the browser cannot read.
	if gzResp.Header.Get("ETag") == brResp.Header.Get("ETag") {
		t.Fatalf("gzip and brotli share the ETag %s", gzResp.Header.Get("ETag"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{})
	r := c.Client().Get(t, "/")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("CSP allows inline or eval: %q", csp)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
	} {
		if got := r.Header.Get(name); got != want {
			t.Fatalf("%s = %q, want %q", name, got, want)
		}
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Fatal("no request id")
	}
}

func TestRequestsAreLoggedWithRouteAndNode(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	r := c.Client().Get(t, "/products/duck-eggs")
	id := r.Header.Get("X-Request-Id")
	var line string
	for _, l := range strings.Split(c.Logs(), "\n") {
		if strings.Contains(l, id) {
			line = l
		}
	}
	for _, want := range []string{`"msg":"request"`, `"method":"GET"`, `"route":"/products/:slug"`, `"status":200`, `"duration":`, `"node":"node-`} {
		if !strings.Contains(line, want) {
			t.Fatalf("log line %q lacks %s", line, want)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Nodes: 1})
	visitor := c.Client()
	if r := visitor.Get(t, "/healthz"); r.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", r.StatusCode)
	}
	if r := visitor.Get(t, "/readyz"); r.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %d", r.StatusCode)
	}
	c.Nodes[0].App.StartDraining()
	if r := visitor.Get(t, "/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining = %d, want 503", r.StatusCode)
	}
	if r := visitor.Get(t, "/healthz"); r.StatusCode != http.StatusOK {
		t.Fatalf("/healthz while draining = %d, want 200 (alive)", r.StatusCode)
	}
	if r := visitor.Get(t, "/"); r.StatusCode != http.StatusOK {
		t.Fatalf("pages while draining = %d, want still served", r.StatusCode)
	}
}
