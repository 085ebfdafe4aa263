package render

import (
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/raster"
)

// Shadows: an element's outline (its coverage, or an image's alpha) is
// blurred by three box blurs each way — close to a Gaussian of standard
// deviation sqrt(r(r+1)) for box radius r, half the shadow's blur as CSS
// takes a blur radius for two deviations — in integers, each pass
// rounding to 8 bits, so the pixels are the same everywhere; then drawn
// offset, in the shadow's colour and opacity, below the element.

// maxShadowOffset bounds a shadow's offset on each axis, in px.
const maxShadowOffset = 200

// blurRadius is the box radius of a shadow's blur (0..100 px, clamped).
func blurRadius(blur int) int { return (max(0, min(blur, 100)) + 1) / 2 }

// shadowOffset is a shadow's offset, clamped.
func shadowOffset(s *templates.Shadow) (dx, dy int) {
	return max(-maxShadowOffset, min(s.Offset[0], maxShadowOffset)), max(-maxShadowOffset, min(s.Offset[1], maxShadowOffset))
}

// shadow draws s for an element whose outline is sil (nil: nothing).
func (c *card) shadow(s *templates.Shadow, sil *raster.Mask) {
	if sil == nil {
		return
	}
	dx, dy := shadowOffset(s)
	c.r.frame.DrawMask(blur(sil, blurRadius(s.Blur)), dx, dy, c.color(s.Color), alpha(s.Opacity))
}

// blur returns m blurred by three box blurs of radius r along rows, then
// three along columns, grown by 3r on every side (all it spreads to). A
// radius of 0 returns m.
func blur(m *raster.Mask, r int) *raster.Mask {
	if r <= 0 {
		return m
	}
	g := 3 * r
	out := raster.NewMask(m.X-g, m.Y-g, m.W+2*g, m.H+2*g)
	for j := range m.H {
		copy(out.Pix[(j+g)*out.W+g:], m.Pix[j*m.W:(j+1)*m.W])
	}
	n := max(out.W, out.H)
	line, tmp := make([]byte, n), make([]byte, n)
	for j := g; j < g+m.H; j++ { // rows outside m stay empty
		row := out.Pix[j*out.W : (j+1)*out.W]
		for range 3 {
			boxBlur(row, tmp[:len(row)], r)
		}
	}
	for i := range out.W {
		col := line[:out.H]
		for j := range col {
			col[j] = out.Pix[j*out.W+i]
		}
		for range 3 {
			boxBlur(col, tmp[:len(col)], r)
		}
		for j, v := range col {
			out.Pix[j*out.W+i] = v
		}
	}
	return out
}

// boxBlur replaces each value of v by the mean of the 2r+1 values around
// it (zeros past the ends), rounded; tmp is scratch of v's length.
func boxBlur(v, tmp []byte, r int) {
	copy(tmp, v)
	n := len(v)
	d := uint32(2*r + 1)
	var sum uint32
	for i := 0; i < r && i < n; i++ {
		sum += uint32(tmp[i])
	}
	for i := range v {
		if k := i + r; k < n {
			sum += uint32(tmp[k])
		}
		v[i] = uint8((sum + d/2) / d)
		if k := i - r; k >= 0 {
			sum -= uint32(tmp[k])
		}
	}
}
