package handlers

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/maypok86/otter/v2"

	"shopfront/productimage"
)

// variantCacheBytes bounds this node's memory of scaled images. A card's
// 480 px JPEG is some 40 KB, so this holds every version of several
// hundred products; what it drops is scaled again when asked for.
const variantCacheBytes = 16 << 20

// variantKey names a scaled version: the display image's hash and a width.
type variantKey struct {
	hash  string
	width int
}

// variants makes the narrower versions of display images that srcset
// offers (productimage.VariantWidths), each once per node: they are
// derived from what Postgres holds, so keeping them in memory only saves
// time (DESIGN.md rule 1), and browsers keep each for a year. Storing
// them in Postgres would cost a table and a row per size per upload, for
// a scaling that takes tens of milliseconds. One image is scaled at a time
// per node, so a burst of new pages cannot pile up decoded pictures.
type variants struct {
	cache   *otter.Cache[variantKey, productimage.Image]
	scaling chan struct{}
}

func newVariants() *variants {
	return &variants{
		cache: otter.Must(&otter.Options[variantKey, productimage.Image]{
			MaximumWeight: variantCacheBytes,
			Weigher:       func(_ variantKey, v productimage.Image) uint32 { return uint32(len(v.Data)) },
		}),
		scaling: make(chan struct{}, 1),
	}
}

// imageWidth reads the w query parameter: 0 when absent, ok false when it
// is not one of the widths offered.
func imageWidth(c echo.Context) (width int, ok bool) {
	w := c.QueryParam("w")
	if w == "" {
		return 0, true
	}
	n, err := strconv.Atoi(w)
	return n, err == nil && slices.Contains(productimage.VariantWidths, n)
}

// variant serves the display image hash at width: from this node's cache,
// or scaled from Postgres's copy.
func (s *Server) variant(c echo.Context, hash string, sum []byte, width int) error {
	etag := `"` + hash + "-w" + strconv.Itoa(width) + `"`
	if notModified(c, etag) {
		cacheForever(c, etag)
		return c.NoContent(http.StatusNotModified)
	}
	ctx := c.Request().Context()
	v, err := s.variants.cache.Get(ctx, variantKey{hash, width}, otter.LoaderFunc[variantKey, productimage.Image](
		func(ctx context.Context, k variantKey) (productimage.Image, error) {
			img, err := s.queries.GetImageByHash(ctx, sum)
			if err != nil {
				return productimage.Image{}, err
			}
			select {
			case s.variants.scaling <- struct{}{}:
				defer func() { <-s.variants.scaling }()
			case <-ctx.Done():
				return productimage.Image{}, ctx.Err()
			}
			return productimage.Variant(img.Data, k.width)
		}))
	if errors.Is(err, productimage.ErrNoVariant) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	cacheForever(c, etag)
	return c.Blob(http.StatusOK, v.ContentType, v.Data)
}

// validImageHash is the sha256 an image URL names, or ok false.
func validImageHash(hash string) (sum []byte, ok bool) {
	sum, err := hex.DecodeString(hash)
	return sum, err == nil && len(sum) == 32
}
