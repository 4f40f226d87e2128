package demo

import (
	"bytes"
	"crypto/sha256"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestCategories(t *testing.T) {
	cats := Categories()
	if len(cats) != 5 {
		t.Fatalf("got %d categories, want 5", len(cats))
	}
	seen := map[string]bool{}
	for i, c := range cats {
		if !slugRE.MatchString(c.Slug) {
			t.Errorf("category slug %q is not a valid slug", c.Slug)
		}
		if seen[c.Slug] {
			t.Errorf("duplicate category slug %q", c.Slug)
		}
		seen[c.Slug] = true
		if c.Name == "" {
			t.Errorf("category %q has no name", c.Slug)
		}
		if c.Position != i+1 {
			t.Errorf("category %q has position %d, want %d", c.Slug, c.Position, i+1)
		}
	}
}

func TestProducts(t *testing.T) {
	cats := map[string]int{}
	for _, c := range Categories() {
		cats[c.Slug] = 0
	}
	prods := Products()
	if len(prods) != 30 {
		t.Fatalf("got %d products, want 30", len(prods))
	}

	seen := map[string]bool{}
	ages := map[int]bool{}
	soldOut, low := 0, 0
	for _, p := range prods {
		if !slugRE.MatchString(p.Slug) || len(p.Slug) > 80 {
			t.Errorf("product slug %q is not a valid slug of at most 80 chars", p.Slug)
		}
		if seen[p.Slug] {
			t.Errorf("duplicate product slug %q", p.Slug)
		}
		seen[p.Slug] = true
		if _, ok := cats[p.CategorySlug]; !ok {
			t.Errorf("%s: unknown category %q", p.Slug, p.CategorySlug)
		}
		cats[p.CategorySlug]++
		if p.Name == "" || utf8.RuneCountInString(p.Name) > 120 {
			t.Errorf("%s: name %q must be 1..120 chars", p.Slug, p.Name)
		}
		checkDescription(t, p)
		if p.PriceMinor <= 0 {
			t.Errorf("%s: price %d must be positive", p.Slug, p.PriceMinor)
		}
		if p.Stock < 0 || p.Stock > 60 {
			t.Errorf("%s: stock %d outside 0..60", p.Slug, p.Stock)
		}
		switch {
		case p.Stock == 0:
			soldOut++
		case p.Stock <= 3:
			low++
		}
		if p.AgeDays < 0 || p.AgeDays > 60 {
			t.Errorf("%s: age %d days outside 0..60", p.Slug, p.AgeDays)
		}
		ages[p.AgeDays] = true
	}
	if soldOut != 2 {
		t.Errorf("got %d sold-out products, want exactly 2", soldOut)
	}
	if low < 3 {
		t.Errorf("got %d products with stock 1..3, want at least 3", low)
	}
	if len(ages) < 20 {
		t.Errorf("only %d distinct AgeDays values; newest-first sorting needs variety", len(ages))
	}
	for slug, n := range cats {
		if n < 5 {
			t.Errorf("category %q has %d products, want at least 5", slug, n)
		}
	}
}

func checkDescription(t *testing.T, p Product) {
	t.Helper()
	d := p.Description
	if d == "" || utf8.RuneCountInString(d) > 600 {
		t.Errorf("%s: description must be 1..600 chars", p.Slug)
	}
	if strings.ContainsAny(d, "<>") {
		t.Errorf("%s: description looks like it contains HTML", p.Slug)
	}
	if !strings.HasSuffix(d, ".") {
		t.Errorf("%s: description should end with a full stop", p.Slug)
	}
	if n := strings.Count(d, ". ") + 1; n > 3 {
		t.Errorf("%s: description has %d sentences, want 1..3", p.Slug, n)
	}
}

func TestImage(t *testing.T) {
	hashes := map[[32]byte]string{}
	for _, p := range Products() {
		b := Image(p)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: decode: %v", p.Slug, err)
		}
		if sz := img.Bounds().Size(); sz.X != 480 || sz.Y != 360 {
			t.Errorf("%s: image is %v, want 480x360", p.Slug, sz)
		}
		if len(b) >= 60*1024 {
			t.Errorf("%s: PNG is %d bytes, want < 60 KB", p.Slug, len(b))
		}
		if !bytes.Equal(b, Image(p)) {
			t.Errorf("%s: image bytes differ between calls", p.Slug)
		}
		h := sha256.Sum256(b)
		if other, dup := hashes[h]; dup {
			t.Errorf("%s and %s have identical images", p.Slug, other)
		}
		hashes[h] = p.Slug
	}
}

// Every demo product is drawn as what it is (carrots as carrots, a
// baguette as a baguette), not as its category's general picture.
func TestEveryProductHasItsOwnDrawing(t *testing.T) {
	for _, p := range Products() {
		if _, ok := drawings[p.Slug]; !ok {
			t.Errorf("%s has no drawing of its own", p.Slug)
		}
	}
	// The carrots are orange and green, not an apple's red.
	for _, p := range Products() {
		if p.Slug != "bunched-carrots" {
			continue
		}
		img, err := png.Decode(bytes.NewReader(Image(p)))
		if err != nil {
			t.Fatal(err)
		}
		var orange, green, red int
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				r, g, bl = r>>8, g>>8, bl>>8
				switch {
				case r > 200 && g > 90 && g < 160 && bl < 70:
					orange++
				case g > 70 && r < g*3/4 && bl < g*3/4:
					green++
				case r > 150 && g < 70 && bl < 70:
					red++
				}
			}
		}
		if orange < 4000 || green < 500 || red > orange/10 {
			t.Errorf("the carrots' picture has %d orange, %d green and %d red pixels: not carrots", orange, green, red)
		}
	}
}
