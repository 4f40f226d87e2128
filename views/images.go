package views

import (
	"context"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"shopfront/productimage"
)

// How wide the layout (static/css/app.css) shows product images, for the
// browser to pick a width from the srcset before it has laid the page out.
const (
	// A card in the grid: the phone's width less the page's and the
	// card's padding while the grid is one column (up to 31.25rem), and
	// at most 20rem once it has two or more.
	cardImageSizes = "(max-width: 31.25rem) calc(100vw - 3.75rem), 20rem"
	// A card in the list view: its 8rem thumbnail column.
	listImageSizes = "8rem"
	// The product page: the page's width on a phone (one column below
	// 48rem), half of it beside the details, at most 35rem.
	productImageSizes = "(max-width: 48rem) calc(100vw - 2rem), (max-width: 74rem) calc(50vw - 2rem), 35rem"
)

// imageSrcset offers the display image hash, width pixels wide, at each
// narrower width the image route makes, and itself at its own width.
func imageSrcset(ctx context.Context, hash string, width int) string {
	src := URL(ctx, RouteImage, hash)
	var b strings.Builder
	for _, w := range productimage.VariantWidths {
		if w < width {
			b.WriteString(src + "?w=" + strconv.Itoa(w) + " " + strconv.Itoa(w) + "w, ")
		}
	}
	b.WriteString(src + " " + strconv.Itoa(width) + "w")
	return b.String()
}

// cardImage is the srcset and sizes of a product card's image. The list
// does not know the display image's width: it is taken as the widest a
// display version is, and a narrower one is served as it is when a
// width above its own is asked for.
func cardImage(ctx context.Context, hash, view string) templ.Attributes {
	sizes := cardImageSizes
	if view == "list" {
		sizes = listImageSizes
	}
	return templ.Attributes{"srcset": imageSrcset(ctx, hash, productimage.DisplayWidth), "sizes": sizes}
}

// productImage is the srcset and sizes of the product page's image.
func productImage(ctx context.Context, hash string, width int32) templ.Attributes {
	return templ.Attributes{"srcset": imageSrcset(ctx, hash, int(width)), "sizes": productImageSizes}
}

// thumbnailURL is the narrowest version of the display image hash, for a
// staff list's small picture.
func thumbnailURL(ctx context.Context, hash string) string {
	return URL(ctx, RouteImage, hash) + "?w=" + strconv.Itoa(productimage.VariantWidths[0])
}
