package handlers

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"shopfront/productimage"
)

// uploadReadTimeout is how long an image upload may take to arrive.
const uploadReadTimeout = 5 * time.Minute

// allowSlowUpload gives the request's body uploadReadTimeout to arrive: a
// 5 MB photo over a slow shop connection outlasts the server's ordinary
// read timeout. Call it before anything reads the form.
func allowSlowUpload(c echo.Context) {
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(uploadReadTimeout))
}

// receiveImage is the one way an uploaded image (a product photo or the
// shop's logo) comes in: it reads the file sent in field and has
// productimage check it by its bytes, turn it upright and drop its
// metadata. One upload is processed at a time per node: decoding a large
// photo takes a lot of memory. A problem with the upload comes back as
// message, for the form; err is anything else.
func (s *Server) receiveImage(c echo.Context, field string) (original, display productimage.Image, message string, err error) {
	allowSlowUpload(c)
	fh, err := c.FormFile(field)
	if err != nil {
		return original, display, "Choose an image file to upload.", nil
	}
	file, err := fh.Open()
	if err != nil {
		return original, display, "The upload could not be read. Please try again.", nil
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, productimage.MaxBytes+1))
	if err != nil {
		return original, display, "The upload could not be read. Please try again.", nil
	}

	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	case <-c.Request().Context().Done():
		return original, display, "", c.Request().Context().Err()
	}
	original, display, err = productimage.Process(data)
	var bad *productimage.Error
	if errors.As(err, &bad) {
		return original, display, bad.Message, nil
	} else if err != nil {
		return original, display, "", err
	}
	return original, display, "", nil
}
