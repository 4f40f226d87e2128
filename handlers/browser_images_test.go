package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/apptest/phonephoto"
	"shopfront/staffauth"
)

// Chromium on a 1280 px desktop screen fetches the width the layout
// shows an image at, not the whole display version: a card's 20rem column
// takes the 480 px version, the product page's half of the page (35rem)
// the 720 px one.
func TestBrowserFetchesTheImageWidthTheLayoutShows(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	const slug = "cox-apples"
	id := productID(t, c.Pool, slug)
	staff, _ := admSignIn(t, c, "photos@example.com", staffauth.RoleStaff)
	r := admUpload(t, staff, id, staff.Token(t, fmt.Sprintf("/admin/products/%d", id)), "apples.jpg", "image/jpeg", phonephoto.JPEG(1200, 800, 1))
	if flash := admFlash(t, staff, r); flash != "Image uploaded." {
		t.Fatalf("upload: flash %q", flash)
	}
	ctx := apptest.NewBrowser(t)

	browserOpen(t, ctx, c.URL+catalogueNewestFirst, true)
	card := `document.querySelector(".card__image")`
	apptest.WaitFor(t, ctx, browserWait, card+`?.complete && `+card+`.naturalWidth > 0`, "the first card's image to load")
	if got := apptest.Eval[string](t, ctx, card+`.currentSrc`); !strings.HasSuffix(got, "?w=480") {
		t.Errorf("the first card's image came from %s, want its 480 px version", got)
	}

	browserOpen(t, ctx, c.URL+"/products/"+slug, true)
	img := `document.querySelector(".product__image")`
	apptest.WaitFor(t, ctx, browserWait, img+`?.complete && `+img+`.naturalWidth > 0`, "the product image to load")
	if got := apptest.Eval[string](t, ctx, img+`.currentSrc`); !strings.HasSuffix(got, "?w=720") {
		t.Errorf("the product image came from %s, want its 720 px version", got)
	}
}
