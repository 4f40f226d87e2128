package handlers_test

import (
	"fmt"
	"html"
	"image"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/apptest/phonephoto"
	"shopfront/staffauth"
)

var (
	productImageTag = regexp.MustCompile(`<img class="product__image"[^>]*>`)
	cardImageTag    = regexp.MustCompile(`<img class="card__image"[^>]*>`)
	attrValue       = func(tag, name string) string {
		m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
)

// Product images come at the widths the layout shows them: the product
// page and the cards offer narrower versions (srcset, sizes), which the
// image route makes from the display version at a fixed set of widths
// only, and which browsers may keep for a year.
func TestProductImagesComeAtTheWidthsTheLayoutUses(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	const slug = "cox-apples"
	id := productID(t, c.Pool, slug)
	staff, _ := admSignIn(t, c, "photos@example.com", staffauth.RoleStaff)
	r := admUpload(t, staff, id, staff.Token(t, fmt.Sprintf("/admin/products/%d", id)), "apples.jpg", "image/jpeg", phonephoto.JPEG(1200, 800, 1))
	if flash := admFlash(t, staff, r); flash != "Image uploaded." {
		t.Fatalf("upload: flash %q", flash)
	}
	display := admString(t, c, "SELECT encode(i.sha256, 'hex') FROM products p JOIN images i ON i.id = p.image_id WHERE p.id = $1", id)
	original := admString(t, c, "SELECT encode(i.sha256, 'hex') FROM products p JOIN images i ON i.id = p.original_image_id WHERE p.id = $1", id)
	shopper := c.Client()

	// The product page: the 960 px display version and the three narrower ones.
	tag := productImageTag.FindString(shopper.Get(t, "/products/"+slug).Body)
	src := "/images/" + display
	want := src + "?w=240 240w, " + src + "?w=480 480w, " + src + "?w=720 720w, " + src + " 960w"
	if got := attrValue(tag, "srcset"); got != want {
		t.Fatalf("the product image's srcset is %q, want %q", got, want)
	}
	if got := attrValue(tag, "sizes"); !strings.Contains(got, "(max-width: 48rem) calc(100vw - 2rem)") {
		t.Errorf("the product image's sizes is %q", got)
	}
	for _, w := range []int{240, 480, 720} {
		url := fmt.Sprintf("%s?w=%d", src, w)
		img := shopper.Get(t, url)
		if img.StatusCode != http.StatusOK || !strings.Contains(img.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: %d, Cache-Control %q", url, img.StatusCode, img.Header.Get("Cache-Control"))
		}
		cfg, format, err := image.DecodeConfig(strings.NewReader(img.Body))
		if err != nil || cfg.Width != w || cfg.Height != w*2/3 || "image/"+format != img.Header.Get("Content-Type") {
			t.Errorf("%s: %s %dx%d served as %s (%v), want %dx%d", url, format, cfg.Width, cfg.Height, img.Header.Get("Content-Type"), err, w, w*2/3)
		}
		etag := img.Header.Get("ETag")
		if etag != fmt.Sprintf(`"%s-w%d"`, display, w) {
			t.Errorf("%s: ETag %q", url, etag)
		}
		// Another node, asked again with the ETag: nothing to send.
		if again := shopper.Get(t, url, "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %d, want 304", url, again.StatusCode)
		}
		if again := shopper.Get(t, url); again.Body != img.Body {
			t.Errorf("%s: different bytes on another request", url)
		}
	}
	// Only those widths, and only of display versions.
	for _, url := range []string{src + "?w=300", src + "?w=1920", src + "?w=big", src + "?w=-240", "/images/" + original + "?w=240"} {
		if r := shopper.Get(t, url); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", url, r.StatusCode)
		}
	}

	// A demo product's picture is 480 px: only the narrower 240 is offered.
	demo := productImageTag.FindString(shopper.Get(t, "/products/white-sourdough-loaf").Body)
	if got := attrValue(demo, "srcset"); !regexp.MustCompile(`^/images/[0-9a-f]{64}\?w=240 240w, /images/[0-9a-f]{64} 480w$`).MatchString(got) {
		t.Errorf("a 480 px product image's srcset is %q", got)
	}

	// Cards offer the same widths, for the grid's columns.
	page := shopper.Get(t, catalogueNewestFirst).Body
	cards := cardImageTag.FindAllString(page, -1)
	if len(cards) == 0 {
		t.Fatal("the catalogue shows no card images")
	}
	for _, card := range cards {
		set, sizes := attrValue(card, "srcset"), attrValue(card, "sizes")
		if !strings.Contains(set, "?w=240 240w") || !strings.Contains(set, "?w=480 480w") || sizes != "(max-width: 31.25rem) calc(100vw - 3.75rem), 20rem" {
			t.Fatalf("a card's image offers srcset %q, sizes %q", set, sizes)
		}
	}
	// A 480 px demo picture asked for at 720 comes as it is, not scaled up.
	first := attrValue(cards[0], "src")
	big := shopper.Get(t, first+"?w=720")
	if cfg, _, err := image.DecodeConfig(strings.NewReader(big.Body)); err != nil || big.StatusCode != http.StatusOK || cfg.Width > 720 {
		t.Errorf("%s?w=720: %d, %dx%d (%v)", first, big.StatusCode, cfg.Width, cfg.Height, err)
	} else if whole := shopper.Get(t, first); cfg.Width < 720 && big.Body != whole.Body {
		t.Errorf("%s?w=720 is %d px wide but not the display version itself", first, cfg.Width)
	}
}
