package demo

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
)

const (
	imgW = 480
	imgH = 360
)

// categoryHue is the background hue (in degrees) for each demo category.
var categoryHue = map[string]float64{
	"bread":          38,
	"pastries-cakes": 340,
	"dairy-eggs":     205,
	"fruit-veg":      95,
	"pantry":         18,
}

// Image returns a 480x360 PNG illustrating p: a soft gradient backdrop in the
// category's hue and a flat illustration picked by category. Everything
// random is derived from the slug, so the bytes are the same on every call.
func Image(p Product) []byte {
	r := newRNG(p.Slug)
	c := &canvas{image.NewRGBA(image.Rect(0, 0, imgW, imgH))}

	hue := categoryHue[p.CategorySlug] + r.between(-10, 10)
	horizon := r.between(235, 260)
	cx := 240 + r.between(-30, 30)
	c.background(hue, horizon)
	// A pale disc behind the product, like a spotlight, to lift it off the wall.
	c.paint(circle(cx+r.between(-15, 15), horizon-70, r.between(125, 150)), white, 0.3, 1)

	gy := horizon + r.between(30, 50) // where the product sits on the table
	s := r.between(0.85, 1.05)
	switch p.CategorySlug {
	case "bread":
		drawLoaf(c, r, cx, gy, s)
	case "pastries-cakes":
		drawCake(c, r, cx, gy, s)
	case "dairy-eggs":
		switch {
		case strings.Contains(p.Slug, "egg"):
			drawEggs(c, r, cx, gy, s)
		case strings.Contains(p.Slug, "cheese"), strings.Contains(p.Slug, "butter"):
			drawWheel(c, r, cx, gy, s)
		default:
			drawBottle(c, r, cx, gy, s, hsl(r.between(0, 360), 0.1, 0.97))
		}
	case "fruit-veg":
		drawFruit(c, r, cx, gy, s)
	default:
		if strings.Contains(p.Slug, "oil") {
			drawBottle(c, r, cx, gy, s, hsl(r.between(42, 52), 0.85, 0.55))
		} else {
			drawJar(c, r, cx, gy, s)
		}
	}

	// DefaultCompression rather than BestCompression: on these flat images
	// Best only saves ~5% (max ~14 KB vs ~15 KB) but is ~9x slower (~50 ms per
	// image), which would make seeding 30 products take well over a second.
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, c.img); err != nil {
		panic(err) // cannot happen when writing to a bytes.Buffer
	}
	return buf.Bytes()
}

// --- illustrations; (cx, gy) is the bottom centre of the object, s its scale ---

func drawLoaf(c *canvas, r *rng, cx, gy, s float64) {
	crust := hsl(r.between(24, 36), 0.6, r.between(0.42, 0.55))
	crumb := hsl(40, 0.6, 0.8)
	hw := r.between(110, 140) * s
	c.shadow(cx, gy, hw*1.05, s)
	c.fill(rrect(cx, gy-45*s, hw, 45*s, 28*s), crust)
	c.fill(ellipse(cx, gy-80*s, hw*0.97, 55*s), crust)
	for i := -1.0; i <= 1; i++ { // scoring slashes showing the paler crumb
		c.fill(rotate(ellipse(cx+i*hw*0.42, gy-100*s, 26*s, 6*s), -0.6), crumb)
	}
	c.paint(ellipse(cx-hw*0.4, gy-118*s, hw*0.35, 9*s), white, 0.25, 1)
}

func drawCake(c *canvas, r *rng, cx, gy, s float64) {
	sponge := hsl(r.between(30, 42), 0.65, r.between(0.62, 0.74))
	jam := hsl(r.between(345, 365), 0.7, 0.45)
	icing := hsl(r.between(0, 360), 0.55, 0.9)
	rx, ry := r.between(95, 120)*s, 28*s
	c.shadow(cx, gy, rx*1.3, s)
	c.fill(ellipse(cx, gy-8*s, rx*1.25, ry*1.2), hsl(0, 0, 0.98)) // plate
	base := gy - 14*s
	c.band(cx, base-40*s, base, rx, ry, sponge)
	c.band(cx, base-50*s, base-40*s, rx, ry, jam)
	c.band(cx, base-90*s, base-50*s, rx, ry, sponge)
	c.fill(ellipse(cx, base-90*s, rx, ry), icing)
	for i, n := 0, 1+r.intn(3); i < n; i++ { // cherries on top
		x := cx + (float64(i)-float64(n-1)/2)*40*s
		c.fill(circle(x, base-98*s, 13*s), jam)
		c.paint(circle(x-4*s, base-102*s, 4*s), white, 0.6, 1)
	}
}

func drawEggs(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 135*s, s)
	for _, dx := range []float64{-78, 78, 0} { // middle egg last, so it sits in front
		shell := hsl(r.between(22, 34), r.between(0.3, 0.55), r.between(0.62, 0.82))
		x, rx, ry := cx+dx*s, r.between(40, 46)*s, r.between(53, 60)*s
		y := gy - ry
		if dx == 0 {
			y += 6 * s
		}
		c.fill(ellipse(x, y, rx, ry), shell)
		c.paint(ellipse(x-rx*0.35, y-ry*0.4, rx*0.25, ry*0.3), white, 0.35, 1)
	}
}

func drawWheel(c *canvas, r *rng, cx, gy, s float64) {
	rind := hsl(r.between(35, 50), 0.55, r.between(0.5, 0.6))
	paste := hsl(r.between(45, 52), 0.75, r.between(0.78, 0.86))
	rx, ry := r.between(100, 125)*s, 32*s
	c.shadow(cx, gy, rx*1.05, s)
	c.band(cx, gy-ry-70*s, gy-ry, rx, ry, rind)
	c.fill(ellipse(cx, gy-ry-70*s, rx*0.96, ry*0.94), paste)
}

func drawBottle(c *canvas, r *rng, cx, gy, s float64, body color.RGBA) {
	capCol := hsl(r.between(0, 360), 0.7, 0.5)
	hw := r.between(48, 58) * s
	c.shadow(cx, gy, hw*1.4, s)
	c.fill(rrect(cx, gy-75*s, hw, 75*s, 26*s), body)
	c.fill(ellipse(cx, gy-145*s, hw, 40*s), body) // shoulders
	c.fill(rrect(cx, gy-190*s, 22*s, 35*s, 6*s), body)
	c.fill(rrect(cx, gy-222*s, 25*s, 10*s, 4*s), capCol)
	c.fill(rrect(cx, gy-75*s, hw, 30*s, 2*s), hsl(r.between(0, 360), 0.35, 0.88)) // label
	c.paint(rrect(cx-hw*0.55, gy-110*s, 6*s, 60*s, 6*s), white, 0.4, 1)
}

func drawJar(c *canvas, r *rng, cx, gy, s float64) {
	contents := hsl(r.between(-10, 45), r.between(0.6, 0.85), r.between(0.35, 0.55))
	lid := hsl(r.between(0, 360), 0.55, 0.55)
	hw, hh := r.between(70, 85)*s, r.between(75, 90)*s
	c.shadow(cx, gy, hw*1.1, s)
	c.fill(rrect(cx, gy-hh, hw, hh, 24*s), contents)
	c.fill(rrect(cx, gy-2*hh-8*s, hw*0.9, 18*s, 6*s), lid)
	c.fill(rrect(cx, gy-hh, hw*0.75, hh*0.4, 4*s), hsl(45, 0.5, 0.93)) // label
	c.paint(rrect(cx-hw*0.7, gy-hh*1.45, 6*s, hh*0.3, 6*s), white, 0.45, 1)
}

func drawFruit(c *canvas, r *rng, cx, gy, s float64) {
	rad := r.between(62, 75) * s
	c.shadow(cx+20*s, gy, rad*1.6, s)
	if r.intn(2) == 0 { // sometimes a smaller companion behind
		c.fillFruit(cx+rad*1.05, gy-rad*0.7, rad*0.7, r)
	}
	c.fillFruit(cx, gy-rad, rad, r)
	stemX, stemTop := cx, gy-2*rad-18*s
	c.fill(rotate(rrect(stemX, stemTop+10*s, 4*s, 16*s, 3*s), 0.25), hsl(25, 0.45, 0.3))
	leaf := rotate(ellipse(stemX+30*s, stemTop+4*s, 28*s, 11*s), r.between(-0.5, -0.2))
	c.fill(leaf, hsl(r.between(95, 125), 0.55, 0.4))
}

func (c *canvas) fillFruit(x, y, rad float64, r *rng) {
	// Hues from red through orange and yellow to green read as produce.
	c.fill(circle(x, y, rad), hsl(r.between(-5, 100), r.between(0.6, 0.8), r.between(0.45, 0.55)))
	c.paint(circle(x-rad*0.35, y-rad*0.35, rad*0.28), white, 0.3, 1)
}

// --- canvas and shapes ---

var white = color.RGBA{255, 255, 255, 255}

type canvas struct{ img *image.RGBA }

// shape is a signed distance function (negative inside, in pixels) with a
// bounding box, so painting only visits pixels that could be covered.
type shape struct {
	dist                   func(x, y float64) float64
	minX, minY, maxX, maxY float64
}

func ellipse(cx, cy, rx, ry float64) shape {
	return shape{func(x, y float64) float64 {
		// Approximate distance to an ellipse (Inigo Quilez); exact for circles.
		px, py := x-cx, y-cy
		k0 := length(px/rx, py/ry)
		k1 := length(px/(rx*rx), py/(ry*ry))
		if k1 == 0 {
			return -min(rx, ry)
		}
		return k0 * (k0 - 1) / k1
	}, cx - rx, cy - ry, cx + rx, cy + ry}
}

func circle(cx, cy, rad float64) shape { return ellipse(cx, cy, rad, rad) }

// rrect is a rectangle centred on (cx, cy) with half-size (hw, hh) and corner radius rad.
func rrect(cx, cy, hw, hh, rad float64) shape {
	return shape{func(x, y float64) float64 {
		qx := math.Abs(x-cx) - (hw - rad)
		qy := math.Abs(y-cy) - (hh - rad)
		return length(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - rad
	}, cx - hw, cy - hh, cx + hw, cy + hh}
}

// rotate turns sh by angle radians about the centre of its bounding box.
func rotate(sh shape, angle float64) shape {
	cx, cy := (sh.minX+sh.maxX)/2, (sh.minY+sh.maxY)/2
	R := length(sh.maxX-cx, sh.maxY-cy)
	sin, cos := math.Sincos(-angle)
	return shape{func(x, y float64) float64 {
		dx, dy := x-cx, y-cy
		return sh.dist(cx+dx*cos-dy*sin, cy+dx*sin+dy*cos)
	}, cx - R, cy - R, cx + R, cy + R}
}

func (c *canvas) fill(sh shape, col color.RGBA) { c.paint(sh, col, 1, 1) }

// paint blends col over the pixels covered by sh. Coverage ramps from 1 to 0
// over blur pixels across the edge: blur 1 gives anti-aliased edges, larger
// values give soft shadows.
func (c *canvas) paint(sh shape, col color.RGBA, alpha, blur float64) {
	x0, y0 := clampInt(sh.minX-blur-1, imgW), clampInt(sh.minY-blur-1, imgH)
	x1, y1 := clampInt(sh.maxX+blur+2, imgW), clampInt(sh.maxY+blur+2, imgH)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			d := sh.dist(float64(x)+0.5, float64(y)+0.5)
			a := alpha * min(max(0.5-d/blur, 0), 1)
			if a <= 0 {
				continue
			}
			p := c.img.Pix[c.img.PixOffset(x, y):]
			p[0], p[1], p[2] = mix(p[0], col.R, a), mix(p[1], col.G, a), mix(p[2], col.B, a)
		}
	}
}

// band draws the visible side of a cylinder slice whose top and bottom
// ellipses are centred at yTop and yBottom; stack bands to build layers.
func (c *canvas) band(cx, yTop, yBottom, rx, ry float64, col color.RGBA) {
	c.fill(ellipse(cx, yBottom, rx, ry), col)
	c.fill(rrect(cx, (yTop+yBottom)/2, rx, (yBottom-yTop)/2, 0), col)
}

func (c *canvas) shadow(cx, gy, hw, s float64) {
	c.paint(ellipse(cx, gy, hw, 12*s), color.RGBA{40, 30, 20, 255}, 0.22, 16)
}

// background paints a vertical wall gradient above horizon and a darker
// table top below it. Each row is a single colour, which PNG compresses well.
func (c *canvas) background(hue, horizon float64) {
	top, wall := hsl(hue, 0.55, 0.94), hsl(hue, 0.45, 0.84)
	near, far := hsl(hue+8, 0.3, 0.72), hsl(hue+8, 0.3, 0.78)
	for y := 0; y < imgH; y++ {
		var col color.RGBA
		if fy := float64(y) + 0.5; fy < horizon {
			col = lerp(top, wall, fy/horizon)
		} else {
			col = lerp(far, near, (fy-horizon)/(imgH-horizon))
		}
		row := c.img.Pix[y*c.img.Stride : (y+1)*c.img.Stride]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = col.R, col.G, col.B, 255
		}
	}
}

// --- colour and number helpers ---

// hsl converts hue (degrees, any range), saturation and lightness (0..1) to an opaque colour.
func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(math.Mod(h, 360)+360, 360) / 60
	ch := (1 - math.Abs(2*l-1)) * s
	x := ch * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g = ch, x
	case 1:
		r, g = x, ch
	case 2:
		g, b = ch, x
	case 3:
		g, b = x, ch
	case 4:
		r, b = x, ch
	default:
		r, b = ch, x
	}
	m := l - ch/2
	return color.RGBA{to8(r + m), to8(g + m), to8(b + m), 255}
}

func lerp(a, b color.RGBA, t float64) color.RGBA {
	return color.RGBA{mix(a.R, b.R, t), mix(a.G, b.G, t), mix(a.B, b.B, t), 255}
}

func mix(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t + 0.5) }

func to8(v float64) uint8 { return uint8(min(max(v, 0), 1)*255 + 0.5) }

func clampInt(v float64, hi int) int { return int(min(max(v, 0), float64(hi))) }

// rng is a tiny splitmix64 generator seeded from the slug. It is written out
// here rather than using math/rand so the images (and their hashes) cannot
// change if the standard library's generators do.
type rng struct{ state uint64 }

func newRNG(seed string) *rng {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &rng{h.Sum64()}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// between returns a float in [lo, hi).
func (r *rng) between(lo, hi float64) float64 {
	return lo + (hi-lo)*float64(r.next()>>11)/(1<<53)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// length is math.Hypot without its overflow care, which is slow and not
// needed for pixel-sized values.
func length(x, y float64) float64 { return math.Sqrt(x*x + y*y) }
