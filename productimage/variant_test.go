package productimage

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"testing"
)

func TestVariantsAreTheDisplayVersionNarrower(t *testing.T) {
	_, landscape, err := Process(encodeJPEG(t, testImage(1200, 900, false)))
	if err != nil {
		t.Fatal(err)
	}
	_, transparent, err := Process(encodePNG(t, testImage(1000, 500, true)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what          string
		display       Image
		width         int
		contentType   string
		wantW, wantH  int
		sameAsDisplay bool
	}{
		{"a photo at 240", landscape, 240, "image/jpeg", 240, 180, false},
		{"a photo at 480", landscape, 480, "image/jpeg", 480, 360, false},
		{"a photo at 720", landscape, 720, "image/jpeg", 720, 540, false},
		{"a transparent picture at 480", transparent, 480, "image/png", 480, 240, false},
		{"the demo's 480 px picture at 720: not scaled up", Image{Data: encodePNG(t, testImage(480, 360, false))}, 720, "image/png", 480, 360, true},
	} {
		v, err := Variant(tc.display.Data, tc.width)
		if err != nil {
			t.Fatalf("%s: %v", tc.what, err)
		}
		m, format, err := image.Decode(bytes.NewReader(v.Data))
		if err != nil {
			t.Fatalf("%s: does not decode: %v", tc.what, err)
		}
		if "image/"+format != tc.contentType || v.ContentType != tc.contentType || m.Bounds().Dx() != tc.wantW || m.Bounds().Dy() != tc.wantH {
			t.Errorf("%s: %s %v (says %s), want %s %dx%d", tc.what, format, m.Bounds().Size(), v.ContentType, tc.contentType, tc.wantW, tc.wantH)
		}
		if same := bytes.Equal(v.Data, tc.display.Data); same != tc.sameAsDisplay {
			t.Errorf("%s: the same bytes as the display version: %v, want %v", tc.what, same, tc.sameAsDisplay)
		}
		if tc.contentType == "image/png" && !tc.sameAsDisplay {
			if _, _, _, a := m.At(2, 2).RGBA(); a != 0 {
				t.Errorf("%s: lost its transparency", tc.what)
			}
		}
	}
	// Only the fixed widths, and only display versions.
	original := encodeJPEG(t, testImage(1200, 900, false))
	for _, tc := range []struct {
		what  string
		data  []byte
		width int
	}{
		{"a width not offered", landscape.Data, 300},
		{"no width", landscape.Data, 0},
		{"an original of 1200 px", original, 240},
		{"not an image", []byte("hello"), 240},
	} {
		if _, err := Variant(tc.data, tc.width); !errors.Is(err, ErrNoVariant) {
			t.Errorf("%s: %v, want ErrNoVariant", tc.what, err)
		}
	}
}

// BenchmarkVariant times making each narrower version of a 960x720
// display photo, and what it allocates.
func BenchmarkVariant(b *testing.B) {
	_, display, err := Process(encodeJPEG(b, testImage(4000, 3000, false)))
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range VariantWidths {
		b.Run(fmt.Sprintf("%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Variant(display.Data, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
