package productimage

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	mrand "math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Tiny WebP files made with cwebp 1.2.4 (Debian package "webp") from 24x16
// PNGs generated in Go:
//
//	cwebp -q 80 opaque.png -o opaque.webp                 (simple lossy VP8)
//	cwebp -q 80 -alpha_q 100 alpha.png -o alpha.webp      (VP8X + ALPH + VP8; left half fully transparent)
const (
	opaqueWebP = "UklGRnAAAABXRUJQVlA4IGQAAAAQBACdASoYABAAPm0uk0WkIqGYBABABsS2AE6ZQjgbwAAwkuxjrwCCUAD+/GtQpVLapBuCXDOO3s//xzjRNhmW5hk733RFMzH45uSilmW/lV7IzArpWsVXTF+fsHfN6fP4aAAA"
	alphaWebP  = "UklGRpAAAABXRUJQVlA4WAoAAAAQAAAAFwAADwAAQUxQSBQAAAABDzD/ERFCSED4v9YD3YKI/gc2A1ZQOCBWAAAAkAMAnQEqGAAQAD5tLJNFpCKhmAQAQAbEswBOgBCo/xl+KbU1AAD+9olDuIk16iPomHFjufr19hdf/49+5tW//ucD//OKqZ/0q2YiPtovAugzEzPEAAA="
)

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testImage is a w x h gradient with some texture. If transparentLeft, the
// left half is fully transparent; otherwise alpha is 255 everywhere (but the
// image still has an alpha channel).
func testImage(w, h int, transparentLeft bool) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x * 255 / w)
			m.Pix[i+1] = uint8(y * 255 / h)
			m.Pix[i+2] = uint8(128 + 100*math.Sin(float64(x+y)/7))
			m.Pix[i+3] = 255
			if transparentLeft && x < w/2 {
				m.Pix[i+3] = 0
			}
		}
	}
	return m
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG signature plus an IHDR chunk (8-bit RGBA) claiming
// w x h, with a correct CRC, then an empty IDAT and IEND: no pixel data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // depth 8, RGBA, deflate, no filter, no interlace
	chunk("IHDR", ihdr)
	chunk("IDAT", nil)
	chunk("IEND", nil)
	return b.Bytes()
}

// jpegClaiming returns a valid JPEG whose SOF0 header is patched to claim w x h.
func jpegClaiming(t *testing.T, w, h uint16) []byte {
	data := encodeJPEG(t, testImage(16, 16, false))
	i := bytes.Index(data, []byte{0xFF, 0xC0}) // SOF0: FFC0 len(2) precision(1) height(2) width(2)
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(data[i+5:], h)
	binary.BigEndian.PutUint16(data[i+7:], w)
	return data
}

// check runs Process on valid input and checks the common invariants.
func check(t *testing.T, data []byte, wantType string, w, h int, wantDisplayType string, dw, dh int) (Image, Image) {
	t.Helper()
	orig, disp, err := Process(data)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	if orig.ContentType != wantType || orig.Width != w || orig.Height != h {
		t.Errorf("original = %s %dx%d, want %s %dx%d", orig.ContentType, orig.Width, orig.Height, wantType, w, h)
	}
	if orig.SHA256 != sha256.Sum256(orig.Data) {
		t.Error("original hash is wrong")
	}
	if om, format, err := image.Decode(bytes.NewReader(orig.Data)); err != nil {
		t.Errorf("original does not decode: %v", err)
	} else if "image/"+format != orig.ContentType || om.Bounds().Dx() != w || om.Bounds().Dy() != h {
		t.Errorf("original decodes as %s %v", format, om.Bounds())
	}
	if disp.ContentType != wantDisplayType || disp.Width != dw || disp.Height != dh {
		t.Errorf("display = %s %dx%d, want %s %dx%d", disp.ContentType, disp.Width, disp.Height, wantDisplayType, dw, dh)
	}
	if disp.SHA256 != sha256.Sum256(disp.Data) {
		t.Error("display hash is wrong")
	}
	m, format, err := image.Decode(bytes.NewReader(disp.Data))
	if err != nil {
		t.Fatalf("display does not decode: %v", err)
	}
	if "image/"+format != disp.ContentType || m.Bounds().Dx() != dw || m.Bounds().Dy() != dh {
		t.Errorf("display decodes as %s %v", format, m.Bounds())
	}
	return orig, disp
}

func TestValidImages(t *testing.T) {
	t.Run("small opaque PNG is not upscaled, display is JPEG", func(t *testing.T) {
		// Has an alpha channel, but every pixel is opaque.
		check(t, encodePNG(t, testImage(300, 200, false)), "image/png", 300, 200, "image/jpeg", 300, 200)
	})
	t.Run("large JPEG is resized to 960 wide", func(t *testing.T) {
		check(t, encodeJPEG(t, testImage(2400, 1600, false)), "image/jpeg", 2400, 1600, "image/jpeg", 960, 640)
	})
	t.Run("tall PNG is resized to 960 tall", func(t *testing.T) {
		check(t, encodePNG(t, testImage(1000, 3000, false)), "image/png", 1000, 3000, "image/jpeg", 320, 960)
	})
	t.Run("odd aspect ratio is kept", func(t *testing.T) {
		check(t, encodeJPEG(t, testImage(1999, 1001, false)), "image/jpeg", 1999, 1001, "image/jpeg", 960, 481)
	})
	t.Run("exactly 960 is untouched", func(t *testing.T) {
		check(t, encodeJPEG(t, testImage(960, 960, false)), "image/jpeg", 960, 960, "image/jpeg", 960, 960)
	})
	t.Run("gray PNG", func(t *testing.T) {
		g := image.NewGray(image.Rect(0, 0, 40, 30))
		check(t, encodePNG(t, g), "image/png", 40, 30, "image/jpeg", 40, 30)
	})
	t.Run("transparent PNG gives a transparent PNG display", func(t *testing.T) {
		_, disp := check(t, encodePNG(t, testImage(1200, 900, true)), "image/png", 1200, 900, "image/png", 960, 720)
		m, _ := png.Decode(bytes.NewReader(disp.Data))
		if _, _, _, a := m.At(10, 10).RGBA(); a != 0 {
			t.Errorf("left side alpha = %d, want 0", a)
		}
		if _, _, _, a := m.At(950, 10).RGBA(); a != 0xffff {
			t.Errorf("right side alpha = %d, want opaque", a)
		}
	})
	t.Run("small transparent PNG", func(t *testing.T) {
		check(t, encodePNG(t, testImage(50, 40, true)), "image/png", 50, 40, "image/png", 50, 40)
	})
	t.Run("opaque WebP", func(t *testing.T) {
		check(t, mustB64(t, opaqueWebP), "image/webp", 24, 16, "image/jpeg", 24, 16)
	})
	t.Run("transparent WebP", func(t *testing.T) {
		check(t, mustB64(t, alphaWebP), "image/webp", 24, 16, "image/png", 24, 16)
	})
}

func TestBadUploads(t *testing.T) {
	over := make([]byte, MaxBytes+1)
	rand.Read(over)
	goodJPEG := encodeJPEG(t, testImage(200, 150, false))
	goodPNG := encodePNG(t, testImage(200, 150, false))
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, testImage(20, 20, false), nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, msgEmpty},
		{"5MB+1 random bytes", over, msgTooBig},
		{"PNG signature then garbage", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("garbage!"), 64)...), msgDamaged},
		{"truncated PNG", goodPNG[:len(goodPNG)/2], msgDamaged},
		{"truncated JPEG", goodJPEG[:len(goodJPEG)/2], msgDamaged},
		{"JPEG SOI then garbage", append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{0x42}, 300)...), msgDamaged},
		{"WebP header on garbage", append([]byte("RIFF\x40\x00\x00\x00WEBPVP8 "), bytes.Repeat([]byte{0x7}, 64)...), msgDamaged},
		{"HTML (named .jpg)", []byte("<!doctype html><html><body><script>alert(1)</script></body></html>"), msgUnsupported},
		{"SVG with script (named .png)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>`), msgUnsupported},
		{"SVG with XML declaration", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`), msgUnsupported},
		{"GIF", gifBuf.Bytes(), msgUnsupported},
		{"plain text", []byte("just some text"), msgUnsupported},
		{"PDF", []byte("%PDF-1.7\n%...."), msgUnsupported},
		{"PNG claiming 0 width", pngHeader(0, 10), msgDamaged},
		{"PNG bomb 100000x100000", pngHeader(100000, 100000), msgTooWide},
		{"PNG 8001x1", pngHeader(8001, 1), msgTooWide},
		{"PNG 7000x7000 (49 MP)", pngHeader(7000, 7000), msgTooManyPix},
		{"JPEG claiming 60000x60000", jpegClaiming(t, 60000, 60000), msgTooWide},
		{"JPEG claiming 8000x8000", jpegClaiming(t, 8000, 8000), msgTooManyPix},
		{"PNG within limits but no pixel data", pngHeader(100, 100), msgDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig, disp, err := Process(tt.data)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Message != tt.want {
				t.Errorf("message = %q, want %q", e.Message, tt.want)
			}
			if orig.Data != nil || disp.Data != nil {
				t.Error("images returned along with an error")
			}
		})
	}
}

// A 50 MB upload is rejected by its length before any work: even with a
// valid PNG at the front, Process allocates nothing but the error.
func TestHugeUploadRejectedByLength(t *testing.T) {
	data := make([]byte, 50<<20)
	copy(data, encodePNG(t, testImage(10, 10, false)))
	allocs := testing.AllocsPerRun(10, func() {
		if _, _, err := Process(data); err == nil || err.Error() != msgTooBig {
			t.Fatalf("err = %v", err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations for a 50 MB upload, want at most 1 (the error)", allocs)
	}
}

// The 100000x100000 PNG bomb (would be 40 GB as RGBA) is rejected from its
// header alone: quickly and with almost no memory.
func TestDecompressionBombIsCheap(t *testing.T) {
	bomb := pngHeader(100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, _, err := Process(bomb)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || err.Error() != msgTooWide {
		t.Fatalf("err = %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes rejecting a bomb (in %v)", n, elapsed)
	}
}

func TestFitBox(t *testing.T) {
	for _, c := range [][4]int{
		{100, 50, 100, 50}, {960, 960, 960, 960}, {961, 961, 960, 960},
		{4000, 3000, 960, 720}, {3000, 4000, 720, 960}, {8000, 1, 960, 1}, {1, 8000, 1, 960},
	} {
		if w, h := fitBox(c[0], c[1], DisplayWidth); w != c[2] || h != c[3] {
			t.Errorf("fitBox(%d, %d) = %d, %d, want %d, %d", c[0], c[1], w, h, c[2], c[3])
		}
	}
}

func FuzzProcess(f *testing.F) {
	f.Add(encodePNG(f, testImage(20, 10, false)))
	f.Add(encodePNG(f, testImage(20, 10, true)))
	f.Add(encodeJPEG(f, testImage(20, 10, false)))
	f.Add(mustB64(f, opaqueWebP))
	f.Add(mustB64(f, alphaWebP))
	f.Add(pngHeader(100000, 100000))
	f.Add([]byte("garbage, not an image"))
	f.Add([]byte("\x89PNG\r\n\x1a\ngarbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		orig, disp, err := Process(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("err = %v (%T), want *Error with a message", err, err)
			}
			return
		}
		if orig.Width > MaxSide || orig.Height > MaxSide || orig.Width*orig.Height > MaxPixels {
			t.Fatalf("accepted %dx%d", orig.Width, orig.Height)
		}
		m, _, err := image.Decode(bytes.NewReader(disp.Data))
		if err != nil {
			t.Fatalf("display does not decode: %v", err)
		}
		if b := m.Bounds(); b.Dx() != disp.Width || b.Dy() != disp.Height || b.Dx() > DisplayWidth || b.Dy() > DisplayWidth {
			t.Fatalf("display is %v, reported %dx%d", b, disp.Width, disp.Height)
		}
	})
}

// BenchmarkProcessLargeJPEG times Process on a 4000x3000 (12 MP) camera-sized JPEG.
func BenchmarkProcessLargeJPEG(b *testing.B) {
	const w, h = 4000, 3000
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := mrand.New(mrand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := uint8(rng.IntN(16)) // a little sensor-like noise
			m.SetRGBA(x, y, color.RGBA{uint8(x*200/w) + n, uint8(y*200/h) + n, uint8(128+100*math.Sin(float64(x*y)/5000)) + n/2, 255})
		}
	}
	data := encodeJPEG(b, m)
	if len(data) > MaxBytes {
		b.Fatalf("test JPEG is %d bytes, over the limit", len(data))
	}
	b.Logf("input: %dx%d JPEG, %d bytes", w, h, len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := Process(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHEICPhotosAreRefusedWithWhatToDo(t *testing.T) {
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	_, _, err := Process(heic)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "Export it as JPEG") {
		t.Fatalf("a HEIC photo: %v, want the message saying to export it as JPEG", err)
	}
}
