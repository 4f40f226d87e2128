package productimage

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// VariantWidths are the narrower versions of a display image the shop
// serves, for srcset: a list's thumbnail, a card at one and two pixels a
// point, a product page on a phone or beside its text. The set is fixed,
// so a request cannot make the shop scale to any size it likes.
var VariantWidths = []int{240, 480, 720}

// ErrNoVariant says there is no such version of the image: the width is
// not one of VariantWidths, or the image is not a display version (only
// those, at most DisplayWidth a side, are scaled: an original could be
// 24 megapixels).
var ErrNoVariant = errors.New("productimage: no such version of the image")

// Variant returns the display image data scaled to width pixels wide, its
// aspect ratio kept, in its own format (JPEG, or PNG if it uses
// transparency). An image no wider than width is returned as it is: never
// scaled up. Scaling takes at most a few megabytes: the display version
// decoded, and the scaled copy.
func Variant(data []byte, width int) (Image, error) {
	if !slices.Contains(VariantWidths, width) {
		return Image{}, ErrNoVariant
	}
	contentType := http.DetectContentType(data)
	f, ok := formats[contentType]
	if !ok {
		return Image{}, ErrNoVariant
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > DisplayWidth || cfg.Height > DisplayWidth {
		return Image{}, ErrNoVariant
	}
	if cfg.Width <= width {
		return Image{Data: data, ContentType: contentType, Width: cfg.Width, Height: cfg.Height}, nil
	}
	img, err := safeDecode(f, data)
	if err != nil {
		return Image{}, fmt.Errorf("productimage: decoding a stored image: %w", err)
	}
	h := max(1, (cfg.Height*width+cfg.Width/2)/cfg.Width)
	v, err := scaleAndEncode(img, width, h)
	if err != nil {
		return Image{}, fmt.Errorf("productimage: encoding a %d px version: %w", width, err)
	}
	return v, nil
}
