package demo

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math"
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
// category's hue and a flat drawing of the product itself (drawings).
// Everything random is derived from the slug, so the bytes are the same on
// every call.
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
	drawingFor(p)(c, r, cx, gy, s)

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

// capsule is a stroke from (ax, ay) to (bx, by) whose radius goes from ra
// to rb: a carrot, a baguette, a strawberry (Inigo Quilez's uneven capsule).
func capsule(ax, ay, bx, by, ra, rb float64) shape {
	dx, dy := bx-ax, by-ay
	h := dx*dx + dy*dy
	b := ra - rb
	cx, cy := math.Sqrt(max(h-b*b, 0)), b
	return shape{func(x, y float64) float64 {
		px, py := x-ax, y-ay
		qx, qy := math.Abs(px*dy-py*dx)/h, (px*dx+py*dy)/h
		k := cx*qy - cy*qx
		m := cx*qx + cy*qy
		n := qx*qx + qy*qy
		switch {
		case k < 0:
			return math.Sqrt(h*n) - ra
		case k > cx:
			return math.Sqrt(h*(n+1-2*qy)) - rb
		}
		return m - ra
	}, min(ax-ra, bx-rb), min(ay-ra, by-rb), max(ax+ra, bx+rb), max(ay+ra, by+rb)}
}

// polygon is the convex polygon through pts (x, y pairs, in order): the
// distance to its farthest edge line, exact inside and near the edges.
func polygon(pts ...float64) shape {
	n := len(pts) / 2
	var mx, my float64
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range n {
		x, y := pts[2*i], pts[2*i+1]
		mx, my = mx+x/float64(n), my+y/float64(n)
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
	}
	type edge struct{ x, y, nx, ny float64 }
	edges := make([]edge, n)
	for i := range n {
		x0, y0, x1, y1 := pts[2*i], pts[2*i+1], pts[2*((i+1)%n)], pts[2*((i+1)%n)+1]
		l := length(x1-x0, y1-y0)
		nx, ny := (y1-y0)/l, -(x1-x0)/l
		if (mx-x0)*nx+(my-y0)*ny > 0 { // point the normal away from the centre
			nx, ny = -nx, -ny
		}
		edges[i] = edge{x0, y0, nx, ny}
	}
	return shape{func(x, y float64) float64 {
		d := math.Inf(-1)
		for _, e := range edges {
			d = max(d, (x-e.x)*e.nx+(y-e.y)*e.ny)
		}
		return d
	}, minX, minY, maxX, maxY}
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
