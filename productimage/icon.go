package productimage

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/png"

	"golang.org/x/image/draw"
)

// IconSize is the side of the square icon made from a shop's logo: the
// size phones use for a home-screen icon, and browsers scale down for tabs.
const IconSize = 180

// Icon makes the shop's square icon from its logo's display version: the
// logo scaled to fit, centred on a transparent square, as PNG.
func Icon(display Image) (Image, error) {
	src, _, err := image.Decode(bytes.NewReader(display.Data))
	if err != nil {
		return Image{}, &Error{Message: "The logo could not be read."}
	}
	b := src.Bounds()
	w, h := fitBox(b.Dx(), b.Dy(), IconSize)
	if b.Dx() < IconSize && b.Dy() < IconSize { // small logos grow to fill the icon
		if b.Dx() >= b.Dy() {
			w, h = IconSize, max(1, b.Dy()*IconSize/b.Dx())
		} else {
			w, h = max(1, b.Dx()*IconSize/b.Dy()), IconSize
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, IconSize, IconSize))
	at := image.Rect((IconSize-w)/2, (IconSize-h)/2, (IconSize-w)/2+w, (IconSize-h)/2+h)
	draw.CatmullRom.Scale(dst, at, src, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return Image{}, err
	}
	return Image{Data: buf.Bytes(), ContentType: "image/png", Width: IconSize, Height: IconSize, SHA256: sha256.Sum256(buf.Bytes())}, nil
}
