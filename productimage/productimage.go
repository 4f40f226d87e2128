// Package productimage validates product photos uploaded by staff and makes
// the versions the shop stores and shows. Nothing touches disk: bytes in,
// bytes out (the caller stores them in Postgres).
//
// A phone photo is turned the way its EXIF orientation says, and nothing
// the camera wrote is kept: both the stored original and the display
// version are encoded here from the decoded pixels, so no EXIF (GPS
// position, camera serial, time), XMP, IPTC or comment survives. The
// colour profile does not survive either; browsers show untagged images
// as sRGB, which is what nearly all photos are.
package productimage

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"github.com/disintegration/imaging"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits.
const (
	MaxBytes     = 5 << 20    // 5 MB upload limit
	MaxSide      = 8000       // widest/tallest accepted image, pixels
	MaxPixels    = 24_000_000 // width*height accepted (a 24-megapixel camera photo): bounds decoding memory; checked BEFORE decoding pixels
	DisplayWidth = 960        // display version is at most this wide (and at most 960 tall), never upscaled
)

// displayJPEGQuality is the JPEG quality of opaque display versions.
const displayJPEGQuality = 82

// originalJPEGQuality is the JPEG quality the stored original is encoded
// at: high enough that making new display versions from it later loses
// nothing anyone would see.
const originalJPEGQuality = 92

// Image is a stored image: bytes plus what Postgres records about them.
type Image struct {
	Data          []byte
	ContentType   string // image/jpeg, image/png or image/webp
	Width, Height int
	SHA256        [32]byte
}

// Error is a problem with the upload, with a message fit to show the person who uploaded it.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Messages shown to the uploader.
const (
	msgEmpty       = "The file is empty."
	msgTooBig      = "The image must be at most 5 MB."
	msgUnsupported = "Only JPEG, PNG and WebP images can be uploaded."
	msgHEIC        = "This is a HEIC photo (an iPhone's usual format), which browsers cannot show. Export it as JPEG first — in Photos choose Export, or set Settings → Camera → Formats → Most Compatible — and upload that."
	msgDamaged     = "The image file is damaged or incomplete."
	msgTooWide     = "The image is too large: at most 8000 pixels on a side."
	msgTooManyPix  = "The image is too large: at most 24 megapixels."
)

// format is one accepted image type: how to read its header and its pixels.
type format struct {
	decodeConfig func(*bytes.Reader) (image.Config, error)
	decode       func(*bytes.Reader) (image.Image, error)
}

// formats maps the type sniffed by http.DetectContentType to its decoder.
// The decoder is chosen from the sniffed type only, so a file can never be
// accepted as one type and parsed as another.
var formats = map[string]format{
	"image/jpeg": {
		func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) },
		// Decoded upright: imaging reads the EXIF orientation tag while
		// the JPEG decoder reads the same bytes, and turns or flips the
		// picture as the tag says (a phone held upright writes "rotate 90°").
		func(r *bytes.Reader) (image.Image, error) { return imaging.Decode(r, imaging.AutoOrientation(true)) },
	},
	"image/png": {
		func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) },
	},
	"image/webp": {
		func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) },
	},
}

// Process checks an upload and returns the original and a display version, both upright (EXIF
// orientation applied) and without any of the upload's metadata.
// The type is sniffed from the bytes (http.DetectContentType plus decoding), never taken from the
// file name or the Content-Type header. Accepted: JPEG, PNG, WebP. Any problem with the upload
// is returned as *Error with a message for the uploader.
//
// The original keeps every pixel, in the upload's format (see
// encodeOriginal); data itself is not changed. The display
// version is at most DisplayWidth x DisplayWidth, never upscaled, and is a
// JPEG unless the image actually uses transparency, in which case it is a PNG.
func Process(data []byte) (original Image, display Image, err error) {
	// Size first: a 50 MB upload is rejected by its length alone.
	if len(data) == 0 {
		return Image{}, Image{}, &Error{msgEmpty}
	}
	if len(data) > MaxBytes {
		return Image{}, Image{}, &Error{msgTooBig}
	}

	contentType := http.DetectContentType(data) // looks at the first 512 bytes only
	f, ok := formats[contentType]
	if !ok && isHEIF(data) {
		return Image{}, Image{}, &Error{msgHEIC}
	}
	if !ok {
		return Image{}, Image{}, &Error{msgUnsupported}
	}

	// Read only the header and check the dimensions it claims before any
	// pixel buffer (whose size follows from those dimensions) is allocated.
	// The decoders re-read the same header, so they see the same dimensions
	// (x/image/webp also rejects a VP8X canvas that disagrees with its frame).
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Image{}, Image{}, &Error{msgDamaged}
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide {
		return Image{}, Image{}, &Error{msgTooWide}
	}
	if cfg.Width*cfg.Height > MaxPixels { // no overflow: both are ≤ MaxSide
		return Image{}, Image{}, &Error{msgTooManyPix}
	}
	// Then what decoding this file will take, from its format and bit
	// depth: a few bytes can claim a 16-bit or lossless picture of 24
	// megapixels, which decodes into hundreds of megabytes.
	if need := ProcessMemory(contentType, data, cfg); need > MaxDecodeMemory {
		return Image{}, Image{}, &Error{tooMuchMemory(contentType, data, cfg)}
	}

	img, err := safeDecode(f, data)
	if err != nil {
		return Image{}, Image{}, &Error{msgDamaged}
	}
	// Turned a quarter by its orientation, a picture swaps its sides.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); (w != cfg.Width || h != cfg.Height) && (w != cfg.Height || h != cfg.Width) {
		return Image{}, Image{}, &Error{msgDamaged}
	}

	original, err = encodeOriginal(data, img, contentType)
	if err != nil {
		return Image{}, Image{}, fmt.Errorf("productimage: encoding the original: %w", err)
	}
	display, err = makeDisplay(img)
	if err != nil {
		// Encoding into memory does not fail for a decoded image; if it
		// somehow does, it is our problem, not the uploader's.
		return Image{}, Image{}, fmt.Errorf("productimage: encoding display version: %w", err)
	}
	return original, display, nil
}

// encodeOriginal makes the stored original from the upload and its
// upright picture, keeping every pixel and nothing else:
//
//   - a JPEG that its orientation turned is encoded again from the
//     upright picture (what Go's encoder writes is pixels only);
//   - any other upload keeps its bytes less every segment or chunk that
//     is not picture or colour: EXIF, XMP, text, comments, times and what
//     follows the picture are dropped. That is lossless and quick (encoding
//     a 12-megapixel JPEG again takes two seconds here), and Go cannot
//     write WebP, nor a 16-bit PNG without boxing every pixel.
func encodeOriginal(data []byte, img image.Image, contentType string) (Image, error) {
	var out []byte
	switch contentType {
	case "image/png":
		out = stripPNG(data)
	case "image/webp":
		out = stripWebP(data)
	default:
		// The JPEG decoder returns YCbCr, grey or CMYK pictures; an NRGBA
		// one is a photo that imaging has turned upright.
		n, turned := img.(*image.NRGBA)
		if !turned {
			if stripped, ok := stripJPEG(data); ok {
				out = stripped
				break
			}
		} else if isOpaque(n) {
			// Opaque, so its NRGBA pixels are RGBA ones, which the JPEG
			// encoder reads directly rather than pixel by pixel.
			img = &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: originalJPEGQuality}); err != nil {
			return Image{}, err
		}
		out = buf.Bytes()
	}
	b := img.Bounds()
	return Image{Data: out, ContentType: contentType, Width: b.Dx(), Height: b.Dy(), SHA256: sha256.Sum256(out)}, nil
}

// isOpaque reports whether img has no transparent pixel. All image types
// the decoders return (and *image.RGBA, *image.NRGBA) have an Opaque
// method; it is O(1) for YCbCr (JPEG) and a single scan otherwise. An
// alpha channel that is present but all 255 counts as opaque.
func isOpaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return !ok || o.Opaque()
}

// safeDecode decodes the pixels, turning a panic in a decoder (which parses
// hostile input) into an error, so that Process never panics.
func safeDecode(f format, data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	return f.decode(bytes.NewReader(data))
}

// makeDisplay scales img down to fit a DisplayWidth x DisplayWidth box
// (keeping its aspect ratio, never upscaling) and encodes it: PNG if it uses
// transparency, JPEG otherwise.
func makeDisplay(img image.Image) (Image, error) {
	b := img.Bounds()
	w, h := fitBox(b.Dx(), b.Dy(), DisplayWidth)
	return scaleAndEncode(img, w, h)
}

// scaleAndEncode scales img to w x h and encodes it: PNG if it uses
// transparency, JPEG otherwise.
func scaleAndEncode(img image.Image, w, h int) (Image, error) {
	b := img.Bounds()
	if w != b.Dx() || h != b.Dy() {
		// Averaging whole blocks first takes the picture to at most twice
		// the display size, one source row at a time: x/image/draw's
		// kernels keep a float buffer of display width × source height
		// (130 MB for a 24-megapixel photo), which from here is small.
		if k := min(b.Dx()/w, b.Dy()/h); k >= 2 {
			img = shrinkByBlocks(img, k)
			b = img.Bounds()
		}
		// Catmull-Rom rather than ApproxBiLinear: x/image/draw widens the
		// Catmull-Rom kernel when shrinking, so every source pixel counts and
		// fine product textures (fabric, print) don't alias into moiré, which
		// ApproxBiLinear (2x2 samples) does at the 4-8x reductions typical of
		// camera photos. It costs more CPU, but uploads are rare, staff-only
		// and done once per image.
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}

	var buf bytes.Buffer
	contentType := "image/jpeg"
	var err error
	if !isOpaque(img) {
		contentType = "image/png"
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: displayJPEGQuality})
	}
	if err != nil {
		return Image{}, err
	}
	return Image{
		Data:        buf.Bytes(),
		ContentType: contentType,
		Width:       w,
		Height:      h,
		SHA256:      sha256.Sum256(buf.Bytes()),
	}, nil
}

// shrinkByBlocks returns img reduced by the whole factor k, each output
// pixel the average of a k×k block (premultiplied, so transparency
// averages correctly). It reads the source one row at a time.
func shrinkByBlocks(img image.Image, k int) *image.RGBA {
	b := img.Bounds()
	ow, oh := b.Dx()/k, b.Dy()/k
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	row := image.NewRGBA(image.Rect(0, 0, b.Dx(), 1))
	sums := make([]uint32, ow*4)
	n := uint32(k * k)
	for oy := range oh {
		clear(sums)
		for dy := range k {
			y := b.Min.Y + oy*k + dy
			draw.Draw(row, row.Rect, img, image.Pt(b.Min.X, y), draw.Src)
			for ox := range ow {
				px := row.Pix[ox*k*4 : (ox+1)*k*4]
				s := sums[ox*4 : ox*4+4]
				for i := 0; i < len(px); i += 4 {
					s[0] += uint32(px[i])
					s[1] += uint32(px[i+1])
					s[2] += uint32(px[i+2])
					s[3] += uint32(px[i+3])
				}
			}
		}
		dst := out.Pix[oy*out.Stride : oy*out.Stride+ow*4]
		for i := range dst {
			dst[i] = uint8((sums[i] + n/2) / n)
		}
	}
	return out
}

// fitBox returns the size of a w x h image scaled down to fit a box x box
// square with its aspect ratio kept (rounded, at least 1 pixel), or w, h
// unchanged if it already fits.
func fitBox(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, (h*box+w/2)/w)
	}
	return max(1, (w*box+h/2)/h), box
}

// isHEIF reports whether data is a HEIF file (HEIC photos from phones): an
// ISO media file whose "ftyp" box names a HEIF brand.
func isHEIF(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
		return true
	}
	return false
}
