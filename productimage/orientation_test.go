package productimage

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"testing"

	"shopfront/apptest/phonephoto"
)

// jpegMarkers lists the markers of data's segments up to the first scan.
func jpegMarkers(t *testing.T, data []byte) []byte {
	t.Helper()
	var markers []byte
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			t.Fatalf("no marker at byte %d", i)
		}
		m := data[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return markers
}

// noMetadata fails unless img is a JPEG or PNG carrying pixels only.
func noMetadata(t *testing.T, what string, img Image) {
	t.Helper()
	for _, s := range [][]byte{[]byte("Exif"), phonephoto.GPSLatitude, []byte("Holly Tree"), []byte("hdrgm")} {
		if bytes.Contains(img.Data, s) {
			t.Errorf("the stored %s still contains %q", what, s)
		}
	}
	if img.ContentType != "image/jpeg" {
		return
	}
	for _, m := range jpegMarkers(t, img.Data) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("the stored %s has an APP%d or comment segment (marker %#x)", what, m-0xE0, m)
		}
	}
}

// colourAt says whether the pixel at (x, y) is red or blue.
func colourAt(t *testing.T, data []byte, x, y int) string {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r, _, b, _ := m.At(x, y).RGBA()
	switch {
	case r > 0xa000 && b < 0x6000:
		return "red"
	case b > 0xa000 && r < 0x6000:
		return "blue"
	}
	return "neither"
}

// A photo from a phone held upright is stored as it was seen, and
// without the GPS position, the EXIF block or the comment it came with.
func TestPhonePhotosAreStoredUprightWithoutMetadata(t *testing.T) {
	// The sensor's picture is w x h, red on its left, blue on its right:
	// large enough for one to be scaled to the display size, small for the
	// others (the race detector makes decoding slow).
	type want struct {
		orientation              uint16
		w, h                     int    // the sensor's picture
		width, height            int    // of the stored original
		displayW, displayH       int    // of the display version
		top, bottom, left, right string // what the upright picture shows there
	}
	for _, tc := range []want{
		{6, 2000, 1200, 1200, 2000, 576, 960, "red", "blue", "", ""}, // turned 90° clockwise: the phone held upright
		{1, 200, 120, 200, 120, 200, 120, "", "", "red", "blue"},
		{3, 200, 120, 200, 120, 200, 120, "", "", "blue", "red"}, // turned 180°
		{8, 200, 120, 120, 200, 120, 200, "blue", "red", "", ""}, // turned 90° anticlockwise
		{5, 200, 120, 120, 200, 120, 200, "red", "blue", "", ""}, // transposed
		{2, 200, 120, 200, 120, 200, 120, "", "", "blue", "red"}, // mirrored
	} {
		photo := phonephoto.JPEG(tc.w, tc.h, tc.orientation)
		orig, disp, err := Process(photo)
		if err != nil {
			t.Fatalf("orientation %d: %v", tc.orientation, err)
		}
		for _, v := range []struct {
			what string
			img  Image
			w, h int
		}{{"original", orig, tc.width, tc.height}, {"display version", disp, tc.displayW, tc.displayH}} {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(v.img.Data))
			if err != nil {
				t.Fatalf("orientation %d: the %s does not decode: %v", tc.orientation, v.what, err)
			}
			if cfg.Width != v.w || cfg.Height != v.h || v.img.Width != v.w || v.img.Height != v.h {
				t.Errorf("orientation %d: the %s is %dx%d (recorded %dx%d), want %dx%d",
					tc.orientation, v.what, cfg.Width, cfg.Height, v.img.Width, v.img.Height, v.w, v.h)
				continue
			}
			if tc.top != "" {
				if got := colourAt(t, v.img.Data, v.w/2, v.h/4); got != tc.top {
					t.Errorf("orientation %d: the %s's top is %s, want %s", tc.orientation, v.what, got, tc.top)
				}
				if got := colourAt(t, v.img.Data, v.w/2, v.h*3/4); got != tc.bottom {
					t.Errorf("orientation %d: the %s's bottom is %s, want %s", tc.orientation, v.what, got, tc.bottom)
				}
			} else {
				if got := colourAt(t, v.img.Data, v.w/4, v.h/2); got != tc.left {
					t.Errorf("orientation %d: the %s's left is %s, want %s", tc.orientation, v.what, got, tc.left)
				}
				if got := colourAt(t, v.img.Data, v.w*3/4, v.h/2); got != tc.right {
					t.Errorf("orientation %d: the %s's right is %s, want %s", tc.orientation, v.what, got, tc.right)
				}
			}
			noMetadata(t, v.what, v.img)
		}
	}
	// The upload itself did carry all of it, so the checks above can fail.
	photo := phonephoto.JPEG(64, 40, 6)
	if !bytes.Contains(photo, phonephoto.GPSLatitude) || !bytes.Contains(photo, []byte("Exif\x00\x00MM")) || !bytes.Contains(photo, []byte("Holly Tree")) {
		t.Fatal("the test photo lacks its metadata")
	}
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	body := append([]byte(typ), data...)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
}

// A PNG or WebP keeps its pixels exactly, but not the text, EXIF (with
// GPS) or XMP chunks it came with.
func TestPNGAndWebPOriginalsLoseTheirMetadata(t *testing.T) {
	exif := phonephoto.ExifSegment(1)[4:] // "Exif\0\0" and the TIFF block
	tiff := exif[6:]
	xmp := []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="51,30.439N"/></x:xmpmeta>`)

	plain := encodePNG(t, testImage(120, 80, false))
	iend := len(plain) - 12
	withMeta := append([]byte{}, plain[:33]...) // signature and IHDR
	withMeta = append(withMeta, pngChunk("tEXt", []byte("Comment\x00Taken at Holly Tree Farm"))...)
	withMeta = append(withMeta, pngChunk("eXIf", tiff)...)
	withMeta = append(withMeta, pngChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), xmp...))...)
	withMeta = append(withMeta, plain[33:iend]...)
	withMeta = append(withMeta, plain[iend:]...)

	webp := mustB64(t, alphaWebP) // VP8X, ALPH, VP8
	for _, c := range []struct {
		fourCC string
		data   []byte
	}{{"EXIF", tiff}, {"XMP ", xmp}} {
		webp = binary.LittleEndian.AppendUint32(append(webp, c.fourCC...), uint32(len(c.data)))
		webp = append(webp, c.data...)
		if len(c.data)%2 == 1 {
			webp = append(webp, 0)
		}
	}
	webp[20] |= 0x08 | 0x04 // VP8X flags: EXIF and XMP present
	binary.LittleEndian.PutUint32(webp[4:], uint32(len(webp)-8))

	for _, tc := range []struct {
		what, contentType string
		data              []byte
	}{{"PNG", "image/png", withMeta}, {"WebP", "image/webp", webp}} {
		if !bytes.Contains(tc.data, phonephoto.GPSLatitude) || !bytes.Contains(tc.data, []byte("GPSLatitude")) {
			t.Fatalf("%s: the test file lacks its metadata", tc.what)
		}
		orig, _, err := Process(tc.data)
		if err != nil {
			t.Fatalf("%s: %v", tc.what, err)
		}
		if orig.ContentType != tc.contentType {
			t.Errorf("%s: original stored as %s", tc.what, orig.ContentType)
		}
		for _, s := range [][]byte{phonephoto.GPSLatitude, []byte("GPSLatitude"), []byte("Holly Tree"), []byte("eXIf"), []byte("EXIF"), []byte("XMP ")} {
			if bytes.Contains(orig.Data, s) {
				t.Errorf("%s: the stored original still contains %q", tc.what, s)
			}
		}
		want, _, err := image.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := image.Decode(bytes.NewReader(orig.Data))
		if err != nil {
			t.Fatalf("%s: the stored original does not decode: %v", tc.what, err)
		}
		b := want.Bounds()
		if got.Bounds() != b {
			t.Fatalf("%s: the stored original is %v, want %v", tc.what, got.Bounds(), b)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if want.At(x, y) != got.At(x, y) {
					t.Fatalf("%s: pixel (%d, %d) is %v, want %v as uploaded", tc.what, x, y, got.At(x, y), want.At(x, y))
				}
			}
		}
	}
	if len(stripPNG(plain)) != len(plain) {
		t.Error("a PNG with nothing to drop lost bytes")
	}
}
