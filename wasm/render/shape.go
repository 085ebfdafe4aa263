package render

import (
	"image"
	"math"

	"github.com/fogleman/gg"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/gradient"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/svgpath"
)

// Shapes of format version 2 (templates/v2.go): an element's outline is a
// path in frame coordinates, turned about its box's centre, flattened
// (svgpath) and handed to gg as lines, which rasterises its fill and its
// stroke (caps, joins, dashes) into coverage masks over the part of the
// frame they can touch; the masks are blended by package raster, a
// gradient through gradient's shader. A plain rectangle, and a circle that
// is not turned, keep raster's fast rounded rectangles.

// Geometry limits: coordinates are clamped to ±coordLimit px, curves
// flattened to flatTolerance px with at most maxPoints points.
const (
	coordLimit    = 4 * templates.MaxCanvasSide
	flatTolerance = 0.1
	maxPoints     = 1 << 16
	// miterLimit is SVG's default: past it a miter join is bevelled.
	miterLimit = 4
	// maxDashes bounds the dashes of one stroke: a longer pattern is
	// stretched to fit.
	maxDashes = 20000
)

// plainRect reports whether a rect draws as it did before format
// version 2: no gradient fill, stroke, shadow or rotation.
func plainRect(e *templates.Element) bool {
	return e.FillGradient == nil && e.Stroke == nil && e.Shadow == nil && e.Rotate == 0
}

// plainImage reports whether an image draws as it did before format
// version 2: no clip, rotation or shadow.
func plainImage(e *templates.Element) bool {
	return e.Clip == "" && e.Rotate == 0 && e.Shadow == nil
}

// rect draws a rect element at x, y, w, h.
func (c *card) rect(e *templates.Element, x, y, w, h int) {
	if plainRect(e) {
		c.r.frame.RoundRect(x, y, w, h, e.Radius, c.paint(e))
		return
	}
	c.shape(e, x, y, w, h)
}

// area is a rectangle of frame pixels [x0, x1) x [y0, y1).
type area struct{ x0, y0, x1, y1 int }

func (a area) empty() bool { return a.x0 >= a.x1 || a.y0 >= a.y1 }
func (a area) w() int      { return a.x1 - a.x0 }
func (a area) h() int      { return a.y1 - a.y0 }
func (a area) and(b area) area {
	return area{max(a.x0, b.x0), max(a.y0, b.y0), min(a.x1, b.x1), min(a.y1, b.y1)}
}
func (a area) or(b area) area {
	return area{min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1)}
}
func (a area) grow(d int) area { return area{a.x0 - d, a.y0 - d, a.x1 + d, a.y1 + d} }
func (a area) move(dx, dy int) area {
	return area{a.x0 + dx, a.y0 + dy, a.x1 + dx, a.y1 + dy}
}

// around is the area holding the points lo..hi grown by pad px.
func around(lo, hi svgpath.Point, pad float64) area {
	return area{int(math.Floor(lo.X - pad)), int(math.Floor(lo.Y - pad)), int(math.Ceil(hi.X + pad)), int(math.Ceil(hi.Y + pad))}
}

// region is the part of the frame an element's masks must cover: the frame,
// and with a shadow the pixels that its offset and blur bring into it.
func (c *card) region(s *templates.Shadow) area {
	f := area{0, 0, c.r.frame.W, c.r.frame.H}
	if s == nil {
		return f
	}
	dx, dy := shadowOffset(s)
	return f.or(f.move(-dx, -dy).grow(3 * blurRadius(s.Blur)))
}

// turn is a rotation by an element's Rotate degrees (clockwise on the
// screen) about its box's centre.
type turn struct {
	sin, cos, cx, cy float64
	on               bool
}

func rotation(e *templates.Element, x, y, w, h int) turn {
	t := turn{cx: float64(x) + float64(w)/2, cy: float64(y) + float64(h)/2, cos: 1}
	if e.Rotate != 0 && !math.IsNaN(e.Rotate) && !math.IsInf(e.Rotate, 0) {
		t.sin, t.cos = sincosDeg(e.Rotate)
		t.on = t.sin != 0 || t.cos != 1
	}
	return t
}

// apply turns p, clamping it to the coordinate limits first.
func (t turn) apply(p svgpath.Point) svgpath.Point {
	p.X, p.Y = clampCoord(p.X), clampCoord(p.Y)
	if !t.on {
		return p
	}
	dx, dy := p.X-t.cx, p.Y-t.cy
	return svgpath.Point{X: t.cx + float64(dx*t.cos) - float64(dy*t.sin), Y: t.cy + float64(dx*t.sin) + float64(dy*t.cos)}
}

func clampCoord(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(-coordLimit, min(v, coordLimit))
}

// sincosDeg is the sine and cosine of deg degrees, exact at multiples of 90.
func sincosDeg(deg float64) (sin, cos float64) {
	deg = math.Mod(deg, 360)
	if deg < 0 {
		deg += 360
	}
	switch deg {
	case 0:
		return 0, 1
	case 90:
		return 1, 0
	case 180:
		return 0, -1
	case 270:
		return -1, 0
	}
	return math.Sincos(deg * math.Pi / 180)
}

// outline is e's path in frame coordinates (box at x, y, w, h), not yet
// turned; closed reports whether it has an inside (a line has none).
func (c *card) outline(e *templates.Element, x, y, w, h int) (p svgpath.Path, closed bool) {
	fx, fy := float64(x), float64(y)
	pts := func() []svgpath.Point {
		n := min(len(e.Points), templates.MaxPoints)
		out := make([]svgpath.Point, n)
		for i, q := range e.Points[:n] {
			out[i] = svgpath.Point{X: fx + q[0], Y: fy + q[1]}
		}
		return out
	}
	switch e.Type {
	case templates.KindRect:
		r := max(0, min(e.Radius, w/2, h/2))
		return svgpath.RoundRect(fx, fy, float64(w), float64(h), float64(r)), true
	case templates.KindEllipse:
		return svgpath.Ellipse(fx+float64(w)/2, fy+float64(h)/2, float64(w)/2, float64(h)/2), true
	case templates.KindLine:
		return svgpath.Polygon(pts(), false), false
	case templates.KindPolygon:
		return svgpath.Polygon(pts(), true), true
	case templates.KindPath:
		return c.st.path(e.Path).Map(func(q svgpath.Point) svgpath.Point { return svgpath.Point{X: fx + q.X, Y: fy + q.Y} }), true
	}
	return nil, false
}

// shape draws a shape element (or a rect that is not plain) at x, y, w, h:
// its shadow, its fill, then its stroke.
func (c *card) shape(e *templates.Element, x, y, w, h int) {
	c.r.arena.reset()
	path, closed := c.outline(e, x, y, w, h)
	rot := rotation(e, x, y, w, h)
	lines := path.Map(rot.apply).Flatten(flatTolerance, maxPoints)
	lo, hi, ok := polyBounds(lines)
	if !ok {
		return
	}
	fill := closed && (e.Fill != "" || e.FillGradient != nil)
	// Raster's own rounded rectangles: the rect as before, and a circle of
	// an even diameter (its four corners share a centre).
	fast := fill && !rot.on && e.FillGradient == nil &&
		(e.Type == templates.KindRect || e.Type == templates.KindEllipse && w == h && w%2 == 0)
	pad := 1.0
	if e.Stroke != nil {
		pad += strokePad(e.Stroke)
	}
	a := around(lo, hi, pad).and(c.region(e.Shadow))
	if a.empty() {
		return
	}
	var fillM, strokeM *raster.Mask
	switch {
	case fast && e.Shadow != nil: // the outline, as raster fills it
		fillM = c.r.frame.RoundRectMask(x, y, w, h, fastRadius(e, w, h), c.r.arena.get(((w+7)&^7)*h))
	case fill && !fast:
		fillM = c.coverage(a, func(dc *gg.Context) {
			addLines(dc, lines)
			dc.Fill()
		})
	}
	if e.Stroke != nil {
		strokeM = c.strokeMask(a, lines, e.Stroke)
	}
	f := c.r.frame
	if e.Shadow != nil {
		var cover *raster.Mask // where the fill hides the shadow
		if fill && e.FillGradient == nil && alpha(e.Opacity) == 255 && (e.Gradient == "" || fast) {
			cover = fillM
		}
		c.shadow(e.Shadow, c.r.arena.union(fillM, strokeM), cover)
	}
	switch {
	case !fill:
	case fast:
		f.RoundRect(x, y, w, h, fastRadius(e, w, h), c.paint(e))
	case e.FillGradient != nil || e.Gradient != "":
		g := e.FillGradient
		if g == nil {
			g = legacyGradient(e)
		}
		f.Shade(fillM, 0, 0, c.gradient(g, float64(x), float64(y), float64(w), float64(h), rot), alpha(e.Opacity))
	default:
		f.DrawMask(fillM, 0, 0, c.color(e.Fill), alpha(e.Opacity))
	}
	if strokeM != nil {
		f.DrawMask(strokeM, 0, 0, c.color(e.Stroke.Color), alpha(e.Stroke.Opacity))
	}
}

// fastRadius is the corner radius raster draws a fast shape with: a
// rect's, or half a circle's diameter.
func fastRadius(e *templates.Element, w, h int) int {
	if e.Type == templates.KindEllipse {
		return w / 2
	}
	return e.Radius
}

// legacyGradient is the two-colour gradient of Fill, Fill2 and Gradient
// ("horizontal" or "vertical") as a format-2 gradient.
func legacyGradient(e *templates.Element) *templates.Gradient {
	angle := 180.0
	if e.Gradient == "horizontal" {
		angle = 90
	}
	return &templates.Gradient{Type: "linear", Angle: &angle, Stops: []templates.GradientStop{{Color: e.Fill}, {Color: e.Fill2, At: 1}}}
}

func polyBounds(lines []svgpath.Polyline) (lo, hi svgpath.Point, ok bool) {
	lo = svgpath.Point{X: math.Inf(1), Y: math.Inf(1)}
	hi = svgpath.Point{X: math.Inf(-1), Y: math.Inf(-1)}
	for _, pl := range lines {
		for _, q := range pl.Pts {
			lo.X, lo.Y = min(lo.X, q.X), min(lo.Y, q.Y)
			hi.X, hi.Y = max(hi.X, q.X), max(hi.Y, q.Y)
			ok = true
		}
	}
	return lo, hi, ok
}

// addLines adds polylines to dc's path.
func addLines(dc *gg.Context, lines []svgpath.Polyline) {
	for _, pl := range lines {
		dc.MoveTo(pl.Pts[0].X, pl.Pts[0].Y)
		for _, q := range pl.Pts[1:] {
			dc.LineTo(q.X, q.Y)
		}
		if pl.Closed {
			dc.ClosePath()
		}
	}
}

// coverage runs paint on a gg context over area a of the frame (frame
// coordinates, opaque white) and returns the coverage it drew as a mask
// positioned in the frame.
func (c *card) coverage(a area, paint func(dc *gg.Context)) *raster.Mask {
	img := c.r.rgba(&c.r.scratch, a.w(), a.h())
	dc := gg.NewContextForRGBA(img)
	dc.Translate(float64(-a.x0), float64(-a.y0))
	dc.SetRGBA(1, 1, 1, 1)
	paint(dc)
	return c.r.arena.alphaMask(img, a)
}

// alphaMask is img's alpha as a mask over area a.
func (ar *arena) alphaMask(img *image.RGBA, a area) *raster.Mask {
	m := ar.mask(a.x0, a.y0, a.w(), a.h())
	for j := range a.h() {
		src := img.Pix[j*img.Stride : j*img.Stride+4*a.w()]
		dst := m.Pix[j*m.W : j*m.W+a.w()]
		for i := range dst {
			dst[i] = src[4*i+3]
		}
	}
	return m
}

// rgba returns a cleared w x h RGBA image over the buffer *buf (grown as
// needed, kept for the next).
func (r *Renderer) rgba(buf *[]byte, w, h int) *image.RGBA {
	n := w * h * 4
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	b := (*buf)[:n]
	clear(b)
	return &image.RGBA{Pix: b, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// union is the larger coverage of two masks, over the box holding both
// (either may be nil).
func (ar *arena) union(a, b *raster.Mask) *raster.Mask {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	x0, y0 := min(a.X, b.X), min(a.Y, b.Y)
	x1, y1 := max(a.X+a.W, b.X+b.W), max(a.Y+a.H, b.Y+b.H)
	m := ar.mask(x0, y0, x1-x0, y1-y0)
	for _, s := range []*raster.Mask{a, b} {
		for j := range s.H {
			src := s.Pix[j*s.W : (j+1)*s.W]
			dst := m.Pix[(s.Y-y0+j)*m.W+s.X-x0:]
			for i, v := range src {
				dst[i] = max(dst[i], v)
			}
		}
	}
	return m
}

// gradient is g over the box x, y, w, h turned by rot, as a shader: a
// linear gradient runs through the box's centre at g's angle (CSS: 0 up,
// 90 right, 180 down, the default) for as long as the box's extent in that
// direction; a radial one is centred at Center (fractions of the box) and
// reaches Radius times the box's half diagonal.
func (c *card) gradient(g *templates.Gradient, x, y, w, h float64, rot turn) *gradient.Gradient {
	stops := make([]gradient.Stop, 0, min(len(g.Stops), 16))
	for _, s := range g.Stops[:min(len(g.Stops), 16)] {
		stops = append(stops, gradient.Stop{At: s.At, Color: c.color(s.Color), Alpha: uint8(alpha(s.Opacity))})
	}
	cx, cy := x+w/2, y+h/2
	if g.Type == "radial" {
		fx, fy := 0.5, 0.5
		if g.Center != nil {
			fx, fy = g.Center[0], g.Center[1]
		}
		r := g.Radius
		if !(r > 0) {
			r = 1
		}
		p := rot.apply(svgpath.Point{X: x + fx*w, Y: y + fy*h})
		return gradient.Radial(stops, p.X, p.Y, r*math.Hypot(w, h)/2)
	}
	angle := 180.0
	if g.Angle != nil {
		angle = *g.Angle
	}
	s, co := sincosDeg(angle)
	dx, dy := s, -co
	half := (math.Abs(w*s) + math.Abs(h*co)) / 2
	if rot.on {
		dx, dy = dx*rot.cos-dy*rot.sin, dx*rot.sin+dy*rot.cos
	}
	return gradient.Linear(stops, cx-dx*half, cy-dy*half, cx+dx*half, cy+dy*half)
}
