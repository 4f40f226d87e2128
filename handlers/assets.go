package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"shopfront/static"
)

// image serves a product image from Postgres. Its URL is its sha256, so the
// bytes behind a URL never change and browsers may keep them for a year.
// With ?w= (one of productimage.VariantWidths) it serves the display
// image scaled to that width, for srcset; any other w is not found.
func (s *Server) image(c echo.Context) error {
	hash := c.Param("hash")
	sum, ok := validImageHash(hash)
	if !ok {
		return echo.ErrNotFound
	}
	width, ok := imageWidth(c)
	if !ok {
		return echo.ErrNotFound
	}
	if width != 0 {
		return s.variant(c, hash, sum, width)
	}
	etag := `"` + hash + `"`
	if notModified(c, etag) {
		cacheForever(c, etag)
		return c.NoContent(http.StatusNotModified)
	}
	img, err := s.queries.GetImageByHash(c.Request().Context(), sum)
	if err != nil {
		return err
	}
	cacheForever(c, etag)
	return c.Blob(http.StatusOK, img.ContentType, img.Data)
}

// static serves embedded CSS, JavaScript and icons under content-hashed
// names, compressed once per process (brotli or gzip, as the browser
// accepts) rather than on every request.
func (s *Server) static(c echo.Context) error {
	a, current, ok := static.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	enc := a.For(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	h := c.Response().Header()
	h.Add("Vary", echo.HeaderAcceptEncoding)
	if current {
		cacheForever(c, enc.ETag)
	} else {
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", enc.ETag)
	}
	if notModified(c, enc.ETag) {
		return c.NoContent(http.StatusNotModified)
	}
	if enc.Name != "" {
		h.Set(echo.HeaderContentEncoding, enc.Name)
	}
	return c.Blob(http.StatusOK, a.ContentType, enc.Body)
}
