package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"testing"

	"shopfront/apptest"
	"shopfront/apptest/phonephoto"
	"shopfront/staffauth"
)

// storedImage is an image as Postgres holds it.
type storedImage struct {
	contentType   string
	width, height int
	data          []byte
}

func loadImage(t *testing.T, c *apptest.Cluster, sql string, args ...any) storedImage {
	t.Helper()
	var img storedImage
	if err := c.Pool.QueryRow(context.Background(), sql, args...).Scan(&img.contentType, &img.width, &img.height, &img.data); err != nil {
		t.Fatalf("loading the stored image: %v", err)
	}
	return img
}

// checkUpright fails unless img is w x h as recorded and as decoded, red
// in its top half and blue in its bottom half (the phone photo turned the
// way its EXIF orientation says), and holds none of the photo's metadata.
func checkUpright(t *testing.T, what string, img storedImage, w, h int) {
	t.Helper()
	m, format, err := image.Decode(bytes.NewReader(img.data))
	if err != nil {
		t.Fatalf("the stored %s does not decode: %v", what, err)
	}
	if "image/"+format != img.contentType || m.Bounds().Dx() != w || m.Bounds().Dy() != h || img.width != w || img.height != h {
		t.Errorf("the stored %s is %s %v (recorded as %s %dx%d), want %dx%d upright", what, format, m.Bounds().Size(), img.contentType, img.width, img.height, w, h)
		return
	}
	colour := func(x, y int) string {
		r, _, b, _ := m.At(x, y).RGBA()
		switch {
		case r > 0xa000 && b < 0x6000:
			return "red"
		case b > 0xa000 && r < 0x6000:
			return "blue"
		}
		return "neither"
	}
	if top, bottom := colour(w/2, h/4), colour(w/2, h*3/4); top != "red" || bottom != "blue" {
		t.Errorf("the stored %s is %s at the top and %s at the bottom, want red above blue as the phone saw it", what, top, bottom)
	}
	for _, s := range [][]byte{[]byte("Exif"), phonephoto.GPSLatitude, []byte(phonephoto.Comment)} {
		if bytes.Contains(img.data, s) {
			t.Errorf("the stored %s still contains %q", what, s)
		}
	}
}

// A photo taken with the phone held upright (stored sideways with EXIF
// orientation 6, and the GPS position) is kept upright and without its
// metadata, as a product's image and as the shop's logo alike.
func TestPhonePhotoUploadsAreStoredUprightWithoutGPS(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	photo := phonephoto.JPEG(600, 400, 6) // the sensor's landscape picture, red left, blue right
	if !bytes.Contains(photo, phonephoto.GPSLatitude) {
		t.Fatal("the test photo carries no GPS position")
	}

	id := productID(t, c.Pool, "cox-apples")
	staff, _ := admSignIn(t, c, "photos@example.com", staffauth.RoleStaff)
	r := admUpload(t, staff, id, staff.Token(t, fmt.Sprintf("/admin/products/%d", id)), "IMG_2041.JPG", "image/jpeg", photo)
	if flash := admFlash(t, staff, r); flash != "Image uploaded." {
		t.Fatalf("upload: flash %q", flash)
	}
	const q = `SELECT i.content_type, i.width, i.height, i.data FROM products p JOIN images i ON i.id = p.%s WHERE p.id = $1`
	checkUpright(t, "original", loadImage(t, c, fmt.Sprintf(q, "original_image_id"), id), 400, 600)
	checkUpright(t, "display version", loadImage(t, c, fmt.Sprintf(q, "image_id"), id), 400, 600)

	owner := signedIn(t, c, "owner@example.com", staffauth.RoleOwner)
	r = owner.Upload(t, "/admin/settings", "/admin/settings/logo", "logo", "IMG_2041.JPG", "image/jpeg", photo,
		url.Values{"version": {settingsVersion(t, owner)}})
	if flash := admFlash(t, owner, r); flash != "The logo is saved." {
		t.Fatalf("logo upload: flash %q", flash)
	}
	const logo = `SELECT i.content_type, i.width, i.height, i.data FROM shop_settings s JOIN images i ON i.id = s.%s`
	checkUpright(t, "logo", loadImage(t, c, fmt.Sprintf(logo, "logo_image_id")), 400, 600)
	icon := loadImage(t, c, fmt.Sprintf(logo, "icon_image_id"))
	m, _, err := image.Decode(bytes.NewReader(icon.data))
	if err != nil {
		t.Fatalf("the icon does not decode: %v", err)
	}
	// The icon is the upright logo centred on a transparent square: its
	// left and right edges are transparent, its top red, its bottom blue.
	if _, _, _, a := m.At(2, 90).RGBA(); a != 0 {
		t.Errorf("the icon's left edge is not transparent (alpha %d): the logo in it lies on its side", a)
	}
	if r, _, b, _ := m.At(90, 30).RGBA(); r < 0xa000 || b > 0x6000 {
		t.Errorf("the icon's top is not red: the logo in it is not upright")
	}
}
