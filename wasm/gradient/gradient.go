// Package gradient evaluates linear and radial gradients for package
// raster (a raster.Shader): each pixel's position along the gradient, at
// its centre, indexes a table of premultiplied colours interpolated
// between the stops. Linear positions step in 32.32 fixed point along a
// row; radial ones take one square root a pixel. The same inputs give the
// same pixels on every platform the renderer runs on.
package gradient

import (
	"math"

	"github.com/ogmint/ogmint/wasm/raster"
)

// Steps is the resolution of the colour table: positions 0..1 are taken
// in Steps equal steps (a quarter of a colour level between two stops of
// opposite colours).
const Steps = 1024

// Stop is a colour at a position 0..1, with an opacity (0..255).
type Stop struct {
	At    float64
	Color raster.RGB
	Alpha uint8
}

// Gradient is a linear or a radial gradient in frame coordinates.
type Gradient struct {
	table  [Steps + 1]uint32 // premultiplied RGBA by position
	opaque bool
	radial bool
	// linear: position*Steps at frame point (x, y) is
	// (x-x0)*dx + (y-y0)*dy.
	x0, y0, dx, dy float64
	// radial: centre and Steps / radius.
	cx, cy, scale float64
}

// Linear runs from (x0, y0), position 0, to (x1, y1), position 1; pixels
// take the position of their centre projected on that line.
func Linear(stops []Stop, x0, y0, x1, y1 float64) *Gradient {
	g := newGradient(stops)
	vx, vy := x1-x0, y1-y0
	l2 := float64(vx*vx) + float64(vy*vy)
	g.x0, g.y0 = finite(x0), finite(y0)
	if l2 > 0 && !math.IsInf(l2, 0) && !math.IsNaN(l2) {
		g.dx, g.dy = finite(vx/l2*Steps), finite(vy/l2*Steps)
	}
	return g
}

// Radial is centred at (cx, cy) and reaches position 1 at radius r.
func Radial(stops []Stop, cx, cy, r float64) *Gradient {
	g := newGradient(stops)
	g.radial = true
	g.cx, g.cy = finite(cx), finite(cy)
	if r > 0 && !math.IsInf(r, 0) {
		g.scale = Steps / r
	} else {
		g.scale = math.MaxFloat32 // everywhere but the centre is past the end
	}
	return g
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return max(-1e9, min(v, 1e9))
}

// Opaque reports whether every colour of the gradient is opaque.
func (g *Gradient) Opaque() bool { return g.opaque }

// At returns the premultiplied colour (RGBA, R in the low byte) at a
// position 0..1 (clamped).
func (g *Gradient) At(t float64) uint32 {
	return g.table[index(t*Steps)]
}

func index(v float64) int {
	switch {
	case !(v > 0): // NaN too
		return 0
	case v >= Steps:
		return Steps
	}
	return int(v + 0.5)
}

// Row writes the colours of frame pixels (x, y) to (x+len(dst)-1, y).
func (g *Gradient) Row(dst []uint32, x, y int) {
	if len(dst) == 0 {
		return
	}
	py := float64(y) + 0.5
	if g.radial {
		ddy := py - g.cy
		ddy2 := float64(ddy * ddy)
		for i := range dst {
			ddx := float64(x+i) + 0.5 - g.cx
			d := math.Sqrt(float64(ddx*ddx) + ddy2)
			dst[i] = g.table[index(float64(d*g.scale))]
		}
		return
	}
	// Position*Steps at the row's first pixel, then a constant step, in
	// 32.32 fixed point.
	const one = 1 << 32
	start := float64((float64(x)+0.5-g.x0)*g.dx) + float64((py-g.y0)*g.dy)
	start = max(-2*Steps, min(start, 2*Steps)) // beyond, clamped anyway
	step := max(-2*Steps, min(g.dx, 2*Steps))
	acc := int64(math.Round(start * one))
	inc := int64(math.Round(step * one))
	if inc == 0 { // one colour along the row: doubling copies
		dst[0] = g.table[index(start)]
		for n := 1; n < len(dst); n *= 2 {
			copy(dst[n:], dst[:n])
		}
		return
	}
	for i := range dst {
		k := (acc + one/2) >> 32
		k = max(0, min(k, Steps))
		dst[i] = g.table[k]
		acc += inc
	}
}

// newGradient builds the colour table. Stops are taken in order with their
// positions clamped to 0..1 and to at least the previous stop's (as CSS
// does); no stop is transparent, one is a solid colour.
func newGradient(stops []Stop) *Gradient {
	g := &Gradient{opaque: len(stops) > 0}
	if len(stops) == 0 {
		return g
	}
	at := make([]float64, len(stops))
	prev := 0.0
	for i, s := range stops {
		a := s.At
		if math.IsNaN(a) {
			a = prev
		}
		a = max(prev, min(a, 1))
		at[i], prev = a, a
		if s.Alpha != 255 {
			g.opaque = false
		}
	}
	premul := func(s Stop) [4]float64 {
		a := float64(s.Alpha)
		return [4]float64{float64(s.Color.R) * a / 255, float64(s.Color.G) * a / 255, float64(s.Color.B) * a / 255, a}
	}
	i := 0
	for k := range g.table {
		t := float64(k) / Steps
		for i+1 < len(stops) && at[i+1] <= t {
			i++
		}
		var c [4]float64
		switch {
		case t < at[0]:
			c = premul(stops[0])
		case i+1 >= len(stops):
			c = premul(stops[len(stops)-1])
		default:
			f := (t - at[i]) / (at[i+1] - at[i])
			a, b := premul(stops[i]), premul(stops[i+1])
			for ch := range c {
				c[ch] = a[ch] + float64((b[ch]-a[ch])*f)
			}
		}
		var px uint32
		for ch, v := range c {
			px |= uint32(math.Round(v)) << (8 * ch)
		}
		g.table[k] = px
	}
	return g
}
