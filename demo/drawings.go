package demo

import (
	"image/color"
	"math"
)

// drawing draws one kind of product; (cx, gy) is the bottom centre of the
// object on the table, s its scale.
type drawing func(c *canvas, r *rng, cx, gy, s float64)

// drawings says what each demo product looks like, so that carrots are
// drawn as carrots and a baguette as a baguette.
var drawings = map[string]drawing{
	"white-sourdough-loaf":           func(c *canvas, r *rng, cx, gy, s float64) { drawLoaf(c, r, cx, gy, s, 34, 0.55, false) },
	"seeded-rye-loaf":                func(c *canvas, r *rng, cx, gy, s float64) { drawLoaf(c, r, cx, gy, s, 22, 0.3, true) },
	"wholemeal-tin-loaf":             drawTinLoaf,
	"rosemary-sea-salt-focaccia":     drawFocaccia,
	"traditional-baguette":           drawBaguette,
	"spelt-honey-loaf":               func(c *canvas, r *rng, cx, gy, s float64) { drawLoaf(c, r, cx, gy, s, 30, 0.45, false) },
	"all-butter-croissant":           drawCroissant,
	"pain-au-chocolat":               drawPainAuChocolat,
	"cinnamon-swirl":                 drawCinnamonSwirl,
	"victoria-sponge":                drawSponge,
	"lemon-drizzle-cake":             drawLemonDrizzle,
	"bakewell-tart":                  drawBakewell,
	"free-range-eggs-half-dozen":     func(c *canvas, r *rng, cx, gy, s float64) { drawEggs(c, r, cx, gy, s, 22, 34, 0.3, 0.55, 1) },
	"duck-eggs":                      func(c *canvas, r *rng, cx, gy, s float64) { drawEggs(c, r, cx, gy, s, 150, 185, 0.2, 0.3, 1.12) },
	"whole-milk-1-litre":             drawMilk,
	"farmhouse-salted-butter":        drawButter,
	"mature-farmhouse-cheese":        drawCheese,
	"natural-yoghurt":                drawYoghurt,
	"cox-apples":                     drawApples,
	"conference-pears":               drawPears,
	"british-strawberries":           drawStrawberries,
	"heritage-tomatoes":              drawTomatoes,
	"new-potatoes":                   drawPotatoes,
	"bunched-carrots":                drawCarrots,
	"strawberry-jam":                 func(c *canvas, r *rng, cx, gy, s float64) { drawJar(c, r, cx, gy, s, hsl(350, 0.7, 0.36)) },
	"seville-orange-marmalade":       drawMarmalade,
	"wildflower-honey":               drawHoney,
	"spiced-apple-chutney":           func(c *canvas, r *rng, cx, gy, s float64) { drawJar(c, r, cx, gy, s, hsl(18, 0.55, 0.3)) },
	"stoneground-strong-white-flour": drawFlour,
	"cold-pressed-rapeseed-oil": func(c *canvas, r *rng, cx, gy, s float64) {
		drawBottle(c, r, cx, gy, s, hsl(r.between(46, 52), 0.85, 0.55))
	},
}

// drawingFor is p's drawing; a product without one of its own gets its
// category's most general picture.
func drawingFor(p Product) drawing {
	if d, ok := drawings[p.Slug]; ok {
		return d
	}
	switch p.CategorySlug {
	case "bread":
		return func(c *canvas, r *rng, cx, gy, s float64) { drawLoaf(c, r, cx, gy, s, 30, 0.5, false) }
	case "pastries-cakes":
		return drawSponge
	case "dairy-eggs":
		return drawMilk
	case "fruit-veg":
		return drawApples
	}
	return func(c *canvas, r *rng, cx, gy, s float64) {
		drawJar(c, r, cx, gy, s, hsl(r.between(-10, 45), 0.7, 0.45))
	}
}

// --- bread ---

// drawLoaf is a round, scored loaf: its crust's hue and lightness, and
// seeds on top for a seeded one.
func drawLoaf(c *canvas, r *rng, cx, gy, s, hue, light float64, seeded bool) {
	crust := hsl(hue+r.between(-3, 3), 0.6, light+r.between(-0.03, 0.03))
	crumb := hsl(40, 0.55, 0.82)
	hw := r.between(110, 130) * s
	c.shadow(cx, gy, hw*1.05, s)
	c.fill(rrect(cx, gy-45*s, hw, 45*s, 28*s), crust)
	c.fill(ellipse(cx, gy-80*s, hw*0.97, 55*s), crust)
	for i := -1.0; i <= 1; i++ { // scoring slashes showing the paler crumb
		c.fill(rotate(ellipse(cx+i*hw*0.42, gy-100*s, 26*s, 6*s), -0.6), crumb)
	}
	if seeded {
		for range 40 {
			x, y := cx+r.between(-0.8, 0.8)*hw, gy-r.between(70, 125)*s
			seed := hsl(r.between(40, 100), 0.25, r.between(0.55, 0.8))
			c.fill(rotate(ellipse(x, y, 5*s, 2.5*s), r.between(0, math.Pi)), seed)
		}
	} else {
		c.paint(ellipse(cx-hw*0.3, gy-120*s, hw*0.45, 12*s), white, 0.35, 6) // flour
	}
}

func drawTinLoaf(c *canvas, r *rng, cx, gy, s float64) {
	crust := hsl(r.between(26, 32), 0.55, r.between(0.4, 0.46))
	side := hsl(32, 0.5, 0.58)
	hw := 100 * s
	c.shadow(cx, gy, hw*1.1, s)
	c.fill(rrect(cx, gy-55*s, hw, 55*s, 8*s), side) // the sides the tin shaped
	c.fill(ellipse(cx, gy-110*s, hw*1.08, 42*s), crust)
	c.fill(rrect(cx, gy-100*s, hw*1.08, 14*s, 10*s), crust)
	c.paint(ellipse(cx-hw*0.35, gy-132*s, hw*0.4, 8*s), white, 0.3, 2)
}

func drawFocaccia(c *canvas, r *rng, cx, gy, s float64) {
	hw, hh := 150*s, 40*s
	c.shadow(cx, gy, hw*1.05, s)
	c.fill(rrect(cx, gy-18*s, hw, 18*s, 10*s), hsl(34, 0.6, 0.45)) // the slab's side
	top := gy - 36*s - hh
	c.fill(rrect(cx, top+hh, hw, hh, 26*s), hsl(40, 0.7, 0.6))
	for row := range 3 { // dimples pressed in with fingers
		for col := range 7 {
			x := cx + (float64(col)-3+0.5*float64(row%2))*38*s
			y := top + (20+float64(row)*26)*s
			c.fill(ellipse(x, y, 7*s, 5*s), hsl(36, 0.65, 0.47))
		}
	}
	for range 8 { // rosemary sprigs
		x, y := cx+r.between(-0.8, 0.8)*hw, top+r.between(15, 70)*s
		a := r.between(0, math.Pi)
		for j := -2.0; j <= 2; j++ {
			c.fill(rotate(ellipse(x+j*6*s*math.Cos(a), y+j*6*s*math.Sin(a), 7*s, 1.8*s), a+0.7), hsl(120, 0.4, 0.3))
		}
	}
	for range 30 { // flakes of salt
		c.fill(circle(cx+r.between(-0.85, 0.85)*hw, top+r.between(10, 75)*s, 1.6*s), white)
	}
}

func drawBaguette(c *canvas, r *rng, cx, gy, s float64) {
	crust := hsl(r.between(30, 36), 0.65, 0.52)
	x0, y0, x1, y1 := cx-165*s, gy-40*s, cx+165*s, gy-75*s
	c.shadow(cx, gy, 175*s, s)
	c.fill(capsule(x0, y0, x1, y1, 30*s, 28*s), crust)
	for i := range 5 { // the slashes along its length
		t := (float64(i) + 0.7) / 5.4
		c.fill(rotate(ellipse(x0+(x1-x0)*t, y0+(y1-y0)*t-4*s, 24*s, 6*s), -0.45), hsl(42, 0.6, 0.78))
	}
	c.paint(capsule(x0+20*s, y0-18*s, x1-20*s, y1-18*s, 4*s, 4*s), white, 0.3, 3)
}

// --- pastries and cakes ---

func drawCroissant(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 150*s, s)
	// A crescent, thickest in the middle, its horns curving down to the
	// table, with the rolled dough's ridges across it.
	const reach = 1.25
	at := func(a float64) (x, y, rad float64) {
		return cx + 125*s*math.Sin(a), gy - 30*s - 62*s*math.Cos(a), 46 * s * (1 - 0.72*math.Abs(a)/reach)
	}
	for a := -reach; a <= reach; a += 0.03 {
		x, y, rad := at(a)
		c.fill(circle(x, y, rad), hsl(32, 0.72, 0.5))
	}
	for a := -reach; a <= reach; a += 0.03 { // the top, lit
		x, y, rad := at(a)
		c.fill(circle(x, y-rad*0.25, rad*0.7), hsl(35, 0.75, 0.58))
	}
	for _, a := range []float64{-0.95, -0.6, -0.22, 0.22, 0.6, 0.95} {
		x, y, rad := at(a)
		c.fill(rotate(ellipse(x, y, 2.2*s, rad*0.92), a), hsl(28, 0.65, 0.36))
	}
	x, y, rad := at(-0.1)
	c.paint(ellipse(x, y-rad*0.55, rad*0.5, rad*0.15), white, 0.35, 3)
}

func drawPainAuChocolat(c *canvas, r *rng, cx, gy, s float64) {
	hw := 120 * s
	c.shadow(cx, gy, hw*1.1, s)
	chocolate := hsl(20, 0.5, 0.18)
	c.fill(rrect(cx-hw, gy-40*s, 14*s, 10*s, 3*s), chocolate) // the batons' ends
	c.fill(rrect(cx+hw, gy-40*s, 14*s, 10*s, 3*s), chocolate)
	c.fill(rrect(cx, gy-42*s, hw, 42*s, 20*s), hsl(33, 0.7, 0.48))
	c.fill(rrect(cx, gy-62*s, hw*0.92, 22*s, 16*s), hsl(36, 0.75, 0.58))
	for i := range 3 { // the layers of the pastry
		c.fill(rrect(cx, gy-(16+float64(i)*11)*s, hw*0.95, 1.3*s, 1*s), hsl(30, 0.6, 0.38))
	}
	c.paint(ellipse(cx-hw*0.3, gy-74*s, hw*0.45, 6*s), white, 0.35, 2)
}

func drawCinnamonSwirl(c *canvas, r *rng, cx, gy, s float64) {
	rx, ry := 110*s, 58*s
	c.shadow(cx, gy, rx*1.05, s)
	c.band(cx, gy-62*s, gy-22*s, rx, ry*0.55, hsl(32, 0.65, 0.5))
	top := gy - 62*s
	c.fill(ellipse(cx, top, rx, ry*0.55), hsl(38, 0.7, 0.62))
	for t := 0.6; t < 5.6*math.Pi; t += 0.12 { // the spiral of cinnamon sugar
		rad := 6*s + 5.5*s*t
		if rad > rx*0.92 {
			break
		}
		c.fill(circle(cx+rad*math.Cos(t), top+rad*math.Sin(t)*0.5, 4.5*s), hsl(22, 0.6, 0.32))
	}
	c.paint(ellipse(cx, top, rx*0.8, ry*0.4), white, 0.22, 8) // glaze
}

// drawLayerCake is a round cake on a plate: sponge, a filling, sponge,
// and its top.
func drawLayerCake(c *canvas, r *rng, cx, gy, s float64, sponge, filling, top color.RGBA) (topY, rx, ry float64) {
	rx, ry = r.between(100, 115)*s, 28*s
	c.shadow(cx, gy, rx*1.3, s)
	c.fill(ellipse(cx, gy-8*s, rx*1.25, ry*1.2), hsl(0, 0, 0.98)) // plate
	base := gy - 14*s
	c.band(cx, base-40*s, base, rx, ry, sponge)
	c.band(cx, base-52*s, base-40*s, rx, ry, filling)
	c.band(cx, base-92*s, base-52*s, rx, ry, sponge)
	c.fill(ellipse(cx, base-92*s, rx, ry), top)
	return base - 92*s, rx, ry
}

func drawSponge(c *canvas, r *rng, cx, gy, s float64) {
	sponge := hsl(r.between(38, 44), 0.7, 0.68)
	topY, rx, ry := drawLayerCake(c, r, cx, gy, s, sponge, hsl(352, 0.7, 0.45), sponge)
	c.band(cx, gy-14*s-48*s, gy-14*s-44*s, rx, ry, hsl(45, 0.6, 0.95)) // buttercream above the jam
	for range 120 {                                                    // caster sugar
		a, d := r.between(0, 2*math.Pi), math.Sqrt(r.between(0, 1))*0.92
		c.fill(circle(cx+math.Cos(a)*d*rx, topY+math.Sin(a)*d*ry, 1.4*s), white)
	}
}

func drawLemonDrizzle(c *canvas, r *rng, cx, gy, s float64) {
	hw := 115 * s
	c.shadow(cx, gy, hw*1.4, s)
	c.fill(rrect(cx-20*s, gy-50*s, hw, 50*s, 12*s), hsl(44, 0.7, 0.62))
	c.fill(rrect(cx-20*s, gy-96*s, hw*0.98, 14*s, 12*s), hsl(40, 0.65, 0.5)) // the crust
	for i := range 7 {                                                       // the drizzle of icing
		x := cx - 20*s + (float64(i)-3)*30*s
		c.fill(rotate(ellipse(x, gy-92*s, 4*s, 22*s), 0.5), hsl(50, 0.6, 0.95))
	}
	// A slice of lemon beside it.
	lx, ly, lr := cx+hw+12*s, gy-30*s, 30*s
	c.fill(circle(lx, ly, lr), hsl(52, 0.9, 0.5))
	c.fill(circle(lx, ly, lr*0.85), hsl(54, 0.85, 0.78))
	for k := range 8 {
		a := float64(k) * math.Pi / 4
		c.fill(rotate(rrect(lx+math.Cos(a)*lr*0.42, ly+math.Sin(a)*lr*0.42, lr*0.42, 1.2*s, 1*s), a), hsl(52, 0.5, 0.92))
	}
}

func drawBakewell(c *canvas, r *rng, cx, gy, s float64) {
	rx, ry := 120*s, 40*s
	c.shadow(cx, gy, rx*1.1, s)
	c.band(cx, gy-42*s, gy-12*s, rx, ry, hsl(34, 0.6, 0.55)) // the pastry case
	top := gy - 42*s
	c.fill(ellipse(cx, top, rx, ry), hsl(36, 0.55, 0.52))        // its rim
	c.fill(ellipse(cx, top, rx*0.9, ry*0.85), hsl(42, 0.6, 0.7)) // frangipane
	for range 45 {                                               // toasted flaked almonds
		a, d := r.between(0, 2*math.Pi), math.Sqrt(r.between(0, 1))*0.8
		x, y := cx+math.Cos(a)*d*rx, top+math.Sin(a)*d*ry
		c.fill(rotate(ellipse(x, y, 8*s, 4*s), r.between(0, math.Pi)), hsl(38, 0.5, r.between(0.72, 0.86)))
	}
	c.fill(circle(cx, top-6*s, 13*s), hsl(352, 0.8, 0.42)) // a cherry on top
	c.paint(circle(cx-4*s, top-10*s, 4*s), white, 0.6, 1)
}

// --- dairy and eggs ---

// drawEggs is three eggs whose shells' hue and saturation lie in the
// ranges given, size times the size of a hen's.
func drawEggs(c *canvas, r *rng, cx, gy, s, hueLo, hueHi, satLo, satHi, size float64) {
	c.shadow(cx, gy, 135*s*size, s)
	for _, dx := range []float64{-78, 78, 0} { // middle egg last, so it sits in front
		shell := hsl(r.between(hueLo, hueHi), r.between(satLo, satHi), r.between(0.66, 0.84))
		x, rx, ry := cx+dx*s*size, r.between(40, 46)*s*size, r.between(53, 60)*s*size
		y := gy - ry
		if dx == 0 {
			y += 6 * s
		}
		c.fill(ellipse(x, y, rx, ry), shell)
		c.paint(ellipse(x-rx*0.35, y-ry*0.4, rx*0.25, ry*0.3), white, 0.35, 1)
	}
}

func drawMilk(c *canvas, r *rng, cx, gy, s float64) {
	drawBottle(c, r, cx, gy, s, hsl(200, 0.1, 0.97))
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

func drawButter(c *canvas, r *rng, cx, gy, s float64) {
	w, h, d := 200*s, 60*s, 40*s // front width, height, depth going back
	x0, x1 := cx-w/2-d/2, cx+w/2-d/2
	c.shadow(cx, gy, w*0.65, s)
	butter, butterTop := hsl(50, 0.85, 0.62), hsl(52, 0.9, 0.74)
	c.fill(polygon(x0, gy, x1, gy, x1, gy-h, x0, gy-h), butter)
	c.fill(polygon(x0, gy-h, x1, gy-h, x1+d, gy-h-d*0.7, x0+d, gy-h-d*0.7), butterTop)
	c.fill(polygon(x1, gy, x1+d, gy-d*0.7, x1+d, gy-h-d*0.7, x1, gy-h), hsl(48, 0.8, 0.52))
	// The wrapper, folded back from the left half.
	wx := x0 + w*0.45
	paper, paperTop := hsl(45, 0.3, 0.93), hsl(45, 0.3, 0.97)
	c.fill(polygon(wx, gy, x1, gy, x1, gy-h, wx, gy-h), paper)
	c.fill(polygon(wx, gy-h, x1, gy-h, x1+d, gy-h-d*0.7, wx+d, gy-h-d*0.7), paperTop)
	c.fill(polygon(x1, gy, x1+d, gy-d*0.7, x1+d, gy-h-d*0.7, x1, gy-h), hsl(45, 0.25, 0.85))
	c.fill(polygon(wx+12*s, gy-h*0.3, x1-12*s, gy-h*0.3, x1-12*s, gy-h*0.7, wx+12*s, gy-h*0.7), hsl(r.between(200, 230), 0.5, 0.45)) // label
}

func drawCheese(c *canvas, r *rng, cx, gy, s float64) {
	rind := hsl(r.between(35, 45), 0.45, r.between(0.55, 0.62)) // the cloth binding
	paste := hsl(r.between(42, 48), 0.8, r.between(0.66, 0.72))
	rx, ry := r.between(105, 120)*s, 32*s
	c.shadow(cx, gy, rx*1.05, s)
	c.band(cx, gy-ry-70*s, gy-ry, rx, ry, rind)
	c.fill(ellipse(cx, gy-ry-70*s, rx*0.96, ry*0.94), rind)
	// A wedge cut out of the front shows the paste.
	tx, ty := cx, gy-ry-70*s
	c.fill(polygon(tx, ty, tx+rx*0.55, ty+ry*0.82, tx+rx*0.55, ty+ry*0.82+70*s, tx, ty+70*s), paste)
	c.fill(polygon(tx, ty, tx-rx*0.45, ty+ry*0.88, tx-rx*0.45, ty+ry*0.88+70*s, tx, ty+70*s), hsl(45, 0.75, 0.62))
}

func drawYoghurt(c *canvas, r *rng, cx, gy, s float64) {
	top, bottom, h := 90*s, 72*s, 130*s
	c.shadow(cx, gy, top*1.1, s)
	c.fill(polygon(cx-top, gy-h, cx+top, gy-h, cx+bottom, gy, cx-bottom, gy), hsl(40, 0.2, 0.96))
	band := func(y0, y1 float64) (float64, float64) { // the pot's half-width at y0 and y1 above the table
		return bottom + (top-bottom)*y0/h, bottom + (top-bottom)*y1/h
	}
	a, b := band(40*s, 95*s)
	c.fill(polygon(cx-b, gy-95*s, cx+b, gy-95*s, cx+a, gy-40*s, cx-a, gy-40*s), hsl(r.between(195, 215), 0.55, 0.55)) // label
	c.fill(ellipse(cx, gy-h, top*1.04, 14*s), hsl(210, 0.1, 0.8))                                                     // the foil lid
	c.paint(polygon(cx-top*0.75, gy-h+10*s, cx-top*0.62, gy-h+10*s, cx-bottom*0.6, gy-10*s, cx-bottom*0.72, gy-10*s), white, 0.5, 1)
}

// --- fruit and vegetables ---

func drawApples(c *canvas, r *rng, cx, gy, s float64) {
	rad := r.between(62, 70) * s
	c.shadow(cx+20*s, gy, rad*1.6, s)
	apple := func(x, y, rad float64) {
		c.fill(circle(x, y, rad), hsl(r.between(55, 75), 0.6, 0.5))                                        // a Cox's yellow-green ground
		c.paint(circle(x+rad*0.15, y-rad*0.1, rad*0.85), hsl(r.between(0, 12), 0.75, 0.45), 0.85, rad*0.5) // and its red blush
		c.fill(ellipse(x, y-rad*0.85, rad*0.16, rad*0.07), hsl(30, 0.4, 0.3))                              // the stalk's hollow
		c.paint(circle(x-rad*0.35, y-rad*0.35, rad*0.25), white, 0.3, 1)
	}
	apple(cx+rad*1.05, gy-rad*0.7, rad*0.72)
	apple(cx, gy-rad, rad)
	stemTop := gy - 2*rad - 14*s
	c.fill(rotate(rrect(cx, stemTop+10*s, 4*s, 16*s, 3*s), 0.25), hsl(25, 0.45, 0.3))
	c.fill(rotate(ellipse(cx+30*s, stemTop+4*s, 28*s, 11*s), r.between(-0.5, -0.2)), hsl(r.between(95, 125), 0.55, 0.4))
}

func drawPears(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 150*s, s)
	pear := func(x, lean, size float64) {
		skin := hsl(r.between(62, 78), 0.5, 0.5)
		bottomR, topR := 52*s*size, 28*s*size
		bx, by := x, gy-bottomR
		tx, ty := x+lean*s, gy-bottomR-88*s*size
		c.fill(capsule(bx, by, tx, ty, bottomR, topR), skin)
		c.paint(capsule(bx, by, tx, ty, bottomR*0.9, topR*0.9), hsl(30, 0.45, 0.45), 0.35, bottomR*0.6) // russet
		c.fill(rotate(rrect(tx+3*s, ty-topR-8*s, 3*s, 12*s, 2*s), 0.3), hsl(25, 0.45, 0.28))
		c.paint(capsule(bx-bottomR*0.4, by-bottomR*0.2, tx-topR*0.4, ty, 6*s, 3*s), white, 0.25, 3)
	}
	pear(cx+70*s, 14, 0.85)
	pear(cx-55*s, -12, 1)
}

func drawStrawberries(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 150*s, s)
	berry := func(x, y, a, size float64) { // (x, y) the top, a its lean
		l := 62 * s * size
		tipX, tipY := x+math.Sin(a)*l, y+math.Cos(a)*l
		c.fill(capsule(x, y, tipX, tipY, 30*s*size, 7*s*size), hsl(r.between(352, 358), 0.78, 0.47))
		for i := range 14 { // seeds
			t := r.between(0.1, 0.9)
			w := (30 - 23*t) * s * size * r.between(-0.75, 0.75)
			px, py := x+(tipX-x)*t+math.Cos(a)*w, y+(tipY-y)*t-math.Sin(a)*w
			c.fill(ellipse(px, py, 1.8*s, 2.6*s), hsl(48, 0.8, 0.7+0.01*float64(i%3)))
		}
		for k := range 5 { // the green calyx
			ka := -math.Pi/2 + (float64(k)-2)*0.6 - a
			c.fill(rotate(ellipse(x+math.Cos(ka)*16*s*size, y-8*s*size+math.Sin(ka)*8*s*size, 15*s*size, 5*s*size), ka), hsl(110, 0.55, 0.36))
		}
	}
	berry(cx-85*s, gy-105*s, 0.5, 0.9)
	berry(cx+80*s, gy-100*s, -0.6, 0.9)
	berry(cx+5*s, gy-150*s, 0.1, 1.05)
	berry(cx-30*s, gy-75*s, 1.2, 0.85)
}

func drawTomatoes(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 150*s, s)
	tomato := func(x, y, size, hue float64) {
		rx, ry := 52*s*size, 44*s*size
		c.fill(ellipse(x, y, rx, ry), hsl(hue, 0.8, 0.48))
		c.fill(ellipse(x, y, rx*0.55, ry*0.95), hsl(hue, 0.75, 0.52)) // the lobes
		c.paint(ellipse(x-rx*0.4, y-ry*0.4, rx*0.25, ry*0.18), white, 0.35, 2)
		for k := range 5 { // a star of green sepals and the stalk
			a := float64(k) * 2 * math.Pi / 5
			c.fill(rotate(ellipse(x+math.Cos(a)*10*s*size, y-ry*0.85+math.Sin(a)*4*s*size, 12*s*size, 3*s*size), a), hsl(105, 0.5, 0.32))
		}
		c.fill(rrect(x, y-ry*0.95, 2.5*s, 7*s, 2*s), hsl(105, 0.45, 0.3))
	}
	tomato(cx-80*s, gy-42*s, 0.9, r.between(38, 44)) // a yellow heritage one
	tomato(cx+85*s, gy-40*s, 0.85, r.between(18, 24))
	tomato(cx, gy-58*s, 1.15, r.between(0, 4))
}

func drawPotatoes(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 150*s, s)
	for _, p := range [][3]float64{{-95, -30, 0.9}, {90, -28, 0.85}, {-30, -35, 1}, {40, -45, 0.95}, {-60, -75, 0.8}, {25, -92, 0.8}} {
		x, y, size := cx+p[0]*s, gy+p[1]*s, p[2]
		a := r.between(-0.6, 0.6)
		skin := hsl(r.between(32, 40), 0.4, r.between(0.62, 0.7))
		c.fill(rotate(ellipse(x, y, 40*s*size, 28*s*size), a), skin)
		c.fill(rotate(ellipse(x+12*s*size, y-5*s*size, 28*s*size, 25*s*size), a), skin) // not quite an egg
		for range 3 {                                                                   // its eyes
			c.fill(circle(x+r.between(-25, 25)*s*size, y+r.between(-14, 14)*s*size, 1.8*s), hsl(30, 0.4, 0.42))
		}
		c.paint(rotate(ellipse(x-10*s, y-14*s*size, 14*s*size, 5*s*size), a), white, 0.3, 2)
	}
}

func drawCarrots(c *canvas, r *rng, cx, gy, s float64) {
	c.shadow(cx, gy, 170*s, s)
	// The bunch's tops come together at the left, tied; the carrots fan
	// out to their tips on the right.
	tieX, tieY := cx-120*s, gy-95*s
	for i := range 5 {
		f := float64(i)
		tx, ty := tieX+14*s+f*4*s, tieY-16*s+f*10*s
		for j := range 4 { // the feathery green tops
			a := -2.2 - 0.25*float64(j) + 0.12*f
			l := r.between(34, 44) * s
			c.fill(rotate(ellipse(tx+math.Cos(a)*l, ty+math.Sin(a)*l, l, 4*s), a), hsl(r.between(100, 120), 0.55, 0.36))
		}
	}
	for i := range 5 {
		f := float64(i)
		tx, ty := tieX+14*s+f*4*s, tieY-16*s+f*10*s
		tipX, tipY := cx+r.between(110, 150)*s, gy-r.between(110, 130)*s+f*24*s
		c.fill(capsule(tx, ty, tipX, tipY, 15*s, 3*s), hsl(r.between(22, 28), 0.88, 0.52))
		for k := 1; k < 6; k++ { // the rings across a carrot
			t := float64(k) / 6.5
			px, py := tx+(tipX-tx)*t, ty+(tipY-ty)*t
			a := math.Atan2(tipY-ty, tipX-tx) + math.Pi/2
			c.fill(rotate(ellipse(px, py, (15-11*t)*s*0.6, 1*s), a), hsl(22, 0.7, 0.42))
		}
	}
	c.fill(rotate(rrect(tieX+22*s, tieY+4*s, 5*s, 30*s, 2*s), -0.2), hsl(35, 0.35, 0.55)) // the string
}

// --- pantry ---

func drawJar(c *canvas, r *rng, cx, gy, s float64, contents color.RGBA) {
	lid := hsl(r.between(0, 360), 0.55, 0.55)
	hw, hh := r.between(70, 85)*s, r.between(75, 90)*s
	c.shadow(cx, gy, hw*1.1, s)
	c.fill(rrect(cx, gy-hh, hw, hh, 24*s), contents)
	c.fill(rrect(cx, gy-2*hh-8*s, hw*0.9, 18*s, 6*s), lid)
	c.fill(rrect(cx, gy-hh, hw*0.75, hh*0.4, 4*s), hsl(45, 0.5, 0.93)) // label
	c.paint(rrect(cx-hw*0.7, gy-hh*1.45, 6*s, hh*0.3, 6*s), white, 0.45, 1)
}

func drawMarmalade(c *canvas, r *rng, cx, gy, s float64) {
	drawJar(c, r, cx, gy, s, hsl(28, 0.9, 0.48))
	for range 14 { // shreds of peel
		x, y := cx+r.between(-60, 60)*s, gy-r.between(15, 35)*s
		if r.intn(2) == 0 {
			y -= r.between(110, 130) * s
		}
		c.fill(rotate(ellipse(x, y, 9*s, 1.6*s), r.between(0, math.Pi)), hsl(24, 0.9, 0.35))
	}
}

func drawHoney(c *canvas, r *rng, cx, gy, s float64) {
	drawJar(c, r, cx-25*s, gy, s, hsl(38, 0.9, 0.48))
	// A wooden honey dipper leaning on the jar, dripping.
	hx, hy := cx+95*s, gy-28*s
	c.fill(capsule(hx, hy, hx-40*s, hy-170*s, 4*s, 4*s), hsl(30, 0.45, 0.55))
	for k := range 4 {
		c.fill(rotate(ellipse(hx-2*s, hy-float64(k)*9*s, 22*s-float64(k)*1.5*s, 5*s), -0.23), hsl(30, 0.5, 0.5-0.04*float64(k%2)))
	}
	c.fill(capsule(hx, hy+4*s, hx, gy-2*s, 5*s, 7*s), hsl(38, 0.9, 0.5))
}

func drawFlour(c *canvas, r *rng, cx, gy, s float64) {
	hw, hh := 82*s, 92*s
	c.shadow(cx, gy, hw*1.2, s)
	paper := hsl(38, 0.35, 0.82)
	c.fill(rrect(cx, gy-hh, hw, hh, 16*s), paper)
	c.fill(rrect(cx, gy-2*hh-6*s, hw*0.92, 14*s, 3*s), hsl(36, 0.35, 0.7)) // the folded top
	c.fill(rrect(cx, gy-hh-4*s, hw*0.7, hh*0.5, 6*s), hsl(40, 0.3, 0.95))  // label
	// An ear of wheat on the label.
	ex, ey := cx, gy-hh+30*s
	c.fill(rrect(ex, ey-22*s, 1.5*s, 30*s, 1*s), hsl(38, 0.6, 0.4))
	for k := range 4 {
		y := ey - 20*s - float64(k)*9*s
		c.fill(rotate(ellipse(ex-6*s, y, 6*s, 3*s), -0.6), hsl(40, 0.7, 0.5))
		c.fill(rotate(ellipse(ex+6*s, y, 6*s, 3*s), 0.6), hsl(40, 0.7, 0.5))
	}
	c.paint(ellipse(cx-hw*0.2, gy-4*s, hw*0.6, 8*s), white, 0.4, 6) // spilt flour
}
