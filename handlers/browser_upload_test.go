package handlers_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"shopfront/apptest"
	"shopfront/apptest/phonephoto"
	"shopfront/staffauth"
)

// heldUploads keeps each product image upload waiting, its body unread,
// while hold is set, until release is closed.
type heldUploads struct {
	hold     atomic.Bool
	arrived  atomic.Int32
	release  chan struct{}
	released sync.Once
}

var productImagePath = regexp.MustCompile(`^/admin/products/\d+/image$`)

func (h *heldUploads) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && productImagePath.MatchString(r.URL.Path) && h.hold.Load() {
			h.arrived.Add(1)
			<-h.release
		}
		next.ServeHTTP(w, r)
	})
}

func (h *heldUploads) let() { h.released.Do(func() { close(h.release) }) }

// writeFile puts data in a file of the test's, for the browser to upload.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const uploadForm = `form[data-upload][action$="/image"]`

// An image upload shows its progress while it is on its way, and what was
// wrong without leaving the page.
func TestBrowserImageUploadShowsProgress(t *testing.T) {
	t.Parallel()
	held := &heldUploads{release: make(chan struct{})}
	t.Cleanup(held.let)
	c := apptest.NewCluster(t, apptest.Options{Demo: true, Wrap: held.wrap})
	id := productID(t, c.Pool, "cox-apples")
	apptest.CreateStaff(t, c.Pool, "photos@example.com", staffauth.RoleStaff)
	page := fmt.Sprintf("/admin/products/%d", id)
	var refused atomic.Int32
	ctx := apptest.NewBrowserWith(t, apptest.BrowserOptions{Allow: func(m chromedp.ConsoleMessage) bool {
		ok := m.Type == chromedp.ConsoleError && m.Source == "network" && m.URL == c.URL+page+"/image" && strings.Contains(m.Text, "status of 422")
		if ok {
			refused.Add(1)
		}
		return ok
	}})
	browserSignIn(t, ctx, c, "photos@example.com")
	apptest.Do(t, ctx, "opening the product", chromedp.Navigate(c.URL+page))
	browserWaitForPage(t, ctx, `!!document.querySelector(`+jsQuote(uploadForm)+`)`, page)
	if hidden := apptest.Eval[bool](t, ctx, `document.querySelector(`+jsQuote(uploadForm+` progress`)+`).hidden`); !hidden {
		t.Fatal("the upload progress shows before anything is uploaded")
	}

	// Not an image: the form comes back saying so, in place.
	browserMarkWindow(t, ctx)
	apptest.Do(t, ctx, "uploading a text file",
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeFile(t, "notes.jpg", []byte("shopping list: flour, eggs"))}),
		chromedp.Click(chromedp.CSS(uploadForm+` button[type="submit"]`)))
	apptest.WaitFor(t, ctx, browserWait, `document.getElementById("image")?.getAttribute("aria-invalid") === "true"`, "the form to say what is wrong")
	assertNoReloadSince(t, ctx, "a refused upload")
	if got := browserText(t, ctx, uploadForm); !strings.Contains(got, "Only JPEG, PNG and WebP images can be uploaded.") {
		t.Errorf("after a refused upload the form says %q", got)
	}
	if f := browserFocusedID(t, ctx); f != "image" {
		t.Errorf("after a refused upload focus is on %q, want the file field", f)
	}
	if refused.Load() != 1 {
		t.Errorf("the browser saw %d refusals (422) of the upload, want 1", refused.Load())
	}

	// A photo, held by the shop while it is on its way.
	held.hold.Store(true)
	before := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id)
	apptest.Do(t, ctx, "uploading a photo",
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeFile(t, "IMG_2041.JPG", phonephoto.JPEG(600, 400, 6))}),
		chromedp.Click(chromedp.CSS(uploadForm+` button[type="submit"]`)))
	pollUntil(t, browserWait, func() bool { return held.arrived.Load() >= 1 }, "the upload to reach the shop")
	form := `document.querySelector(` + jsQuote(uploadForm) + `)`
	if busy := apptest.Eval[string](t, ctx, form+`.getAttribute("aria-busy") ?? ""`); busy != "true" {
		t.Errorf("while uploading, the form's aria-busy is %q, want \"true\"", busy)
	}
	progress := apptest.Eval[bool](t, ctx, `(p => !!p && !p.hidden && p.getBoundingClientRect().height > 0)(`+form+`.querySelector("progress"))`)
	if !progress {
		t.Error("while uploading, no progress bar shows")
	}
	status := apptest.Eval[string](t, ctx, form+`.querySelector("[role=status]").textContent`)
	if !strings.HasPrefix(status, "Uploading…") && status != "Sent. Processing the image…" {
		t.Errorf("while uploading, the status line says %q", status)
	}
	if got := apptest.Eval[string](t, ctx, form+`.querySelector("button[type=submit]").getAttribute("aria-disabled") ?? ""`); got != "true" {
		t.Errorf("while uploading, the upload button's aria-disabled is %q, want \"true\"", got)
	}
	held.let()
	browserWaitForPage(t, ctx, `location.pathname == `+jsQuote(page)+` && document.getElementById("flash").textContent.includes("Image uploaded.")`, page+" saying the image is uploaded")
	if after := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id); after == before {
		t.Fatal("the product's image did not change")
	}
	checkUpright(t, "display version", loadImage(t, c, `SELECT i.content_type, i.width, i.height, i.data FROM products p JOIN images i ON i.id = p.image_id WHERE p.id = $1`, id), 400, 600)
}

// Without JavaScript the upload is a plain form post.
func TestBrowserImageUploadWorksWithoutJavaScript(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	id := productID(t, c.Pool, "cox-apples")
	staff, _ := admSignIn(t, c, "photos@example.com", staffauth.RoleStaff)
	ctx := apptest.NewBrowserNoJS(t)
	apptest.UseCookiesOf(t, ctx, staff)
	page := fmt.Sprintf("/admin/products/%d", id)
	browserOpen(t, ctx, c.URL+page, false)
	before := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id)
	browserMarkWindow(t, ctx)
	apptest.Do(t, ctx, "uploading a photo",
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeFile(t, "IMG_2041.JPG", phonephoto.JPEG(600, 400, 6))}),
		chromedp.Click(chromedp.CSS(uploadForm+` button[type="submit"]`)))
	browserWaitForPage(t, ctx, `location.pathname == `+jsQuote(page)+` && document.getElementById("flash").textContent.includes("Image uploaded.")`, page+" saying the image is uploaded")
	if after := admInt(t, c, "SELECT image_id FROM products WHERE id = $1", id); after == before {
		t.Fatal("the product's image did not change")
	}
	if hidden := apptest.Eval[bool](t, ctx, `document.querySelector(`+jsQuote(uploadForm+` progress`)+`).hidden`); !hidden {
		t.Error("without JavaScript the progress bar shows, though nothing fills it")
	}
}
