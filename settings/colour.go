package settings

import (
	"math"
	"strconv"
)

// MinContrast is WCAG 2.1 AA's contrast for normal text.
const MinContrast = 4.5

// PageBackground is the light scheme's page colour (--bg in app.css).
const PageBackground = "#fbf8f3"

// Contrast is the WCAG contrast ratio of two "#rrggbb" colours, 1 to 21.
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG's relative luminance of a "#rrggbb" colour.
func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(0) + 0.7152*channel(1) + 0.0722*channel(2)
}
