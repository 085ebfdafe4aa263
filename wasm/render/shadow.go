package render

import (
	"bytes"
	"encoding/binary"

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

// shadow draws s for an element whose outline is sil (nil: nothing). Where
// cover (nil: nowhere) is full, the element is opaque: what the shadow
// draws there is painted over, so it is not drawn.
func (c *card) shadow(s *templates.Shadow, sil, cover *raster.Mask) {
	if sil == nil {
		return
	}
	dx, dy := shadowOffset(s)
	b := c.r.arena.blur(sil, blurRadius(s.Blur))
	if cover != nil {
		hide(b, cover, dx, dy)
	}
	c.r.frame.DrawMask(b, dx, dy, c.color(s.Color), alpha(s.Opacity))
}

// hide clears the pixels of m, drawn at (dx, dy), that cover covers fully.
func hide(m, cover *raster.Mask, dx, dy int) {
	for j := range cover.H {
		y := cover.Y + j - dy - m.Y // m's row under cover's row j
		if y < 0 || y >= m.H {
			continue
		}
		src := cover.Pix[j*cover.W : (j+1)*cover.W]
		dst := m.Pix[y*m.W : (y+1)*m.W]
		x0 := cover.X - dx - m.X
		// Runs of full coverage, cleared a run at a time.
		for i := 0; i < len(src); {
			if src[i] != 255 {
				i++
				continue
			}
			k := i
			for k < len(src) && src[k] == 255 {
				k++
			}
			if a, b := max(x0+i, 0), min(x0+k, m.W); a < b {
				clear(dst[a:b])
			}
			i = k
		}
	}
}

// blur returns m blurred by three box blurs of radius r along rows, then
// three along columns, grown by 3r on every side (all it spreads to). A
// radius of 0 returns m.
func (ar *arena) blur(m *raster.Mask, r int) *raster.Mask {
	if r <= 0 {
		return m
	}
	g := 3 * r
	out := ar.mask(m.X-g, m.Y-g, m.W+2*g, m.H+2*g)
	w, h := out.W, out.H
	for j := range m.H {
		copy(out.Pix[(j+g)*w+g:], m.Pix[j*m.W:(j+1)*m.W])
	}
	div := newDivider(2*r + 1)
	tmp := ar.get(max(w, h))
	for j := g; j < g+m.H; j++ { // the rows outside m stay empty
		row := out.Pix[j*w : (j+1)*w]
		if j > g && bytes.Equal(m.Pix[(j-g)*m.W:(j-g+1)*m.W], m.Pix[(j-g-1)*m.W:(j-g)*m.W]) {
			copy(row, out.Pix[(j-1)*w:j*w]) // a row like the last (a shape's straight sides)
			continue
		}
		for range 3 {
			boxBlur(row, tmp[:w], r, div)
		}
	}
	plane := ar.get(w * h)
	sums := make([]uint32, w)
	for range 3 {
		copy(plane, out.Pix)
		boxBlurRows(out.Pix, plane, sums, w, h, r, div)
	}
	return out
}

// divider divides sums of 2r+1 coverage values by 2r+1, rounded, with a
// multiplication: (x * m) >> 32 is x/d exactly for x*d < 2^32, which the
// sums (at most 255*201 + 100) are.
type divider struct{ half, m uint64 }

func newDivider(d int) divider {
	return divider{half: uint64(d / 2), m: (1<<32 + uint64(d) - 1) / uint64(d)}
}

func (v divider) div(sum uint32) uint8 { return uint8((uint64(sum) + v.half) * v.m >> 32) }

// boxBlur replaces each value of v by the mean of the 2r+1 values around
// it (zeros past the ends), rounded; tmp is scratch of v's length.
func boxBlur(v, tmp []byte, r int, d divider) {
	copy(tmp, v)
	n := len(v)
	var sum uint32
	for i := 0; i < r && i < n; i++ {
		sum += uint32(tmp[i])
	}
	// At i the window is [i-r, i+r] within v: nothing leaves it before
	// r, nothing enters it from n-r on.
	i := 0
	for ; i < n && i < r; i++ {
		if i+r < n {
			sum += uint32(tmp[i+r])
		}
		v[i] = d.div(sum)
	}
	for ; i+r < n; i++ {
		sum += uint32(tmp[i+r])
		v[i] = d.div(sum)
		sum -= uint32(tmp[i-r])
	}
	for ; i < n; i++ {
		v[i] = d.div(sum)
		sum -= uint32(tmp[i-r])
	}
}

// boxBlurRows is boxBlur down the columns of the w x h plane src into dst,
// a row at a time (sums: scratch of w). Where the row entering the window
// is the row leaving it (inside a shape, or where both are empty), the sums
// do not change and the row below is the row above again.
func boxBlurRows(dst, src []byte, sums []uint32, w, h, r int, d divider) {
	clear(sums)
	row := func(j int) []byte {
		if j < 0 || j >= h {
			return nil
		}
		return src[j*w : (j+1)*w]
	}
	for j := 0; j < r && j < h; j++ {
		for i, v := range row(j) {
			sums[i] += uint32(v)
		}
	}
	for j := range h {
		in, out := row(j+r), row(j-r-1)
		if j > 0 && (bytes.Equal(in, out) || empty(in) && empty(out)) {
			copy(dst[j*w:(j+1)*w], dst[(j-1)*w:j*w])
			continue
		}
		for i, v := range in {
			sums[i] += uint32(v)
		}
		for i, v := range out {
			sums[i] -= uint32(v)
		}
		o := dst[j*w : (j+1)*w]
		for i, s := range sums[:w] {
			o[i] = d.div(s)
		}
	}
}

// empty reports whether a row is all zeros (nil too).
func empty(row []byte) bool {
	for len(row) >= 8 {
		if binary.LittleEndian.Uint64(row) != 0 {
			return false
		}
		row = row[8:]
	}
	for _, v := range row {
		if v != 0 {
			return false
		}
	}
	return true
}
