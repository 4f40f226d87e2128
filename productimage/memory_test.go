package productimage

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"runtime"
	"strings"
	"testing"

	"shopfront/apptest/phonephoto"
)

// losslessBomb is a 978-byte lossless WebP of 5656x4242 (24 megapixels)
// in one colour, made with cwebp 1.2.4 (Debian package "webp"):
//
//	cwebp -lossless -z 9 uniform.png -o lossless.webp
const losslessBomb = "UklGRsoDAABXRUJQVlA4TL0DAAAvF1YkFAdQ5CIXucjBEhIk+H+8NSJSHwhIkv7/DyP6n0CB+PuPIiLjv//++89///3333/++++///7z33///fef//7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777///vvvv//++++///7777//QwAA"

// craftPNG is a PNG of w x h pixels, all zero, of the given colour type and
// bit depth: the rows compress to almost nothing, whatever they decode to.
func craftPNG(t testing.TB, w, h int, colorType, depth byte, interlaced bool) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	var lace byte
	if interlaced {
		lace = 1
	}
	ihdr = append(ihdr, depth, colorType, 0, 0, lace)
	chunk("IHDR", ihdr)
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, 1+w*channels*int(depth)/8) // filter byte 0, then zero samples
	rows := h
	if interlaced {
		rows = h * 2 // enough for every pass
	}
	for range rows {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// progressiveJPEGHeader is the start of a progressive JPEG claiming w x h
// in full-resolution colour (4:4:4): the frame and first scan headers are
// all DecodeConfig and the memory estimate read.
func progressiveJPEGHeader(w, h uint16) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xC2, 0, 17, 8}
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	b = append(b, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
	b = append(b, 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 0, 0) // the first scan's header
	return append(b, 0xFF, 0xD9)
}

// uploadBudget is what one upload may take in all: decoding within
// MaxDecodeMemory, and making the display version (blocks averaged a row
// at a time, then scaled from at most twice the display size).
const uploadBudget = MaxDecodeMemory + 64<<20

// Each memory bomb (a few bytes claiming a picture that decodes to
// hundreds of megabytes) is refused from its header, or processed within
// the budget. Not parallel: the allocation count is the whole process's.
func TestMemoryBombsAreRefusedOrProcessedWithinBudget(t *testing.T) {
	cases := []struct {
		name    string
		data    []byte
		refused bool
	}{
		{"38-byte-class lossless WebP, 24 MP", mustB64(t, losslessBomb), false},
		{"16-bit RGBA PNG, 24 MP", craftPNG(t, 5656, 4242, 6, 16, false), false},
		{"interlaced 16-bit RGBA PNG, 24 MP", craftPNG(t, 5656, 4242, 6, 16, true), true},
		{"8-bit grey PNG, 24 MP", craftPNG(t, 5656, 4242, 0, 8, false), false},
		{"progressive 4:4:4 JPEG, 24 MP", progressiveJPEGHeader(5656, 4242), true},
		{"6 MP phone photo turned by its EXIF orientation", phonephoto.JPEG(3000, 2000, 6), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, display, err := Process(tc.data)
			runtime.ReadMemStats(&after)
			used := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes uploaded: %.0f MB allocated (budget %d MB), err=%v", len(tc.data), float64(used)/1e6, uploadBudget>>20, err)
			if tc.refused {
				var e *Error
				if err == nil || !strings.Contains(err.Error(), "megapixels") || !errorAs(err, &e) {
					t.Fatalf("want a refusal naming the size allowed, got %v", err)
				}
				if used > 1<<20 {
					t.Errorf("refusing took %d bytes: it must be decided from the header", used)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if max(display.Width, display.Height) != DisplayWidth {
				t.Errorf("display version is %dx%d", display.Width, display.Height)
			}
			if used > uploadBudget {
				t.Errorf("processing took %d MB, over the budget of %d MB", used>>20, uploadBudget>>20)
			}
		})
	}
}

func errorAs(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// The estimate follows the format and bit depth.
func TestDecodeMemoryByFormatAndDepth(t *testing.T) {
	const w, h = 1000, 1000
	cfg := func(m color.Model) image.Config { return image.Config{ColorModel: m, Width: w, Height: h} }
	for _, c := range []struct {
		name        string
		contentType string
		data        []byte
		model       color.Model
		want        int64
	}{
		{"grey PNG", "image/png", craftPNG(t, 8, 8, 0, 8, false), color.GrayModel, w * h},
		{"16-bit RGBA PNG", "image/png", craftPNG(t, 8, 8, 6, 16, false), color.NRGBA64Model, 8 * w * h},
		{"interlaced RGBA PNG", "image/png", craftPNG(t, 8, 8, 6, 8, true), color.NRGBAModel, 8 * w * h},
		{"progressive 4:4:4 JPEG", "image/jpeg", progressiveJPEGHeader(8, 8), color.YCbCrModel, 15 * w * h},
		{"baseline 4:2:0 JPEG", "image/jpeg", encodeJPEG(t, testImage(16, 16, false)), color.YCbCrModel, 3 * w * h / 2},
		{"lossless WebP", "image/webp", mustB64(t, losslessBomb), color.NRGBAModel, 5 * w * h},
		{"lossy WebP", "image/webp", mustB64(t, opaqueWebP), color.YCbCrModel, 3 * w * h / 2},
		{"lossy WebP with alpha", "image/webp", mustB64(t, alphaWebP), color.NYCbCrAModel, 7 * w * h},
	} {
		if got := DecodeMemory(c.contentType, c.data, cfg(c.model)); got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, got, c.want)
		}
	}
}
