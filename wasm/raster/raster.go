// Package raster draws the primitives every card uses — solid and gradient
// rectangles with anti-aliased rounded corners, discs and alpha masks — into
// an opaque RGBA frame. It avoids per-pixel allocation and interface calls:
// these loops run inside WebAssembly where branches and calls are expensive.
package raster

import "unsafe"

// RGB is an opaque colour.
type RGB struct{ R, G, B uint8 }

// Frame is an opaque RGBA image, stride W*4, alpha always 255.
type Frame struct {
	Pix  []byte
	W, H int

	corners map[int][]byte // quarter-disc coverage masks by radius
}

// NewFrame allocates a w x h frame.
func NewFrame(w, h int) *Frame {
	return &Frame{Pix: make([]byte, w*h*4), W: w, H: h, corners: map[int][]byte{}}
}

// Clear fills the whole frame with c.
func (f *Frame) Clear(c RGB) {
	fillSpan(f.Pix, c)
}

// fillSpan writes c into every pixel of dst (len a multiple of 4) by doubling
// copies, which compile to memory.copy in WebAssembly.
func fillSpan(dst []byte, c RGB) {
	if len(dst) < 4 {
		return
	}
	dst[0], dst[1], dst[2], dst[3] = c.R, c.G, c.B, 255
	for n := 4; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
}

// blendSpan blends c with coverage a (0..255) over every pixel of dst.
func blendSpan(dst []byte, c RGB, a uint32) {
	if a == 0 {
		return
	}
	if a >= 255 {
		fillSpan(dst, c)
		return
	}
	inv := 255 - a
	cr, cg, cb := uint32(c.R)*a, uint32(c.G)*a, uint32(c.B)*a
	for i := 0; i+3 < len(dst); i += 4 {
		d := dst[i : i+3 : i+3]
		d[0] = uint8((uint32(d[0])*inv + cr + 127) / 255)
		d[1] = uint8((uint32(d[1])*inv + cg + 127) / 255)
		d[2] = uint8((uint32(d[2])*inv + cb + 127) / 255)
	}
}

// blendPixel blends c with coverage a over the pixel at byte offset i.
func (f *Frame) blendPixel(i int, c RGB, a uint32) {
	inv := 255 - a
	p := f.Pix[i : i+3 : i+3]
	p[0] = uint8((uint32(p[0])*inv + uint32(c.R)*a + 127) / 255)
	p[1] = uint8((uint32(p[1])*inv + uint32(c.G)*a + 127) / 255)
	p[2] = uint8((uint32(p[2])*inv + uint32(c.B)*a + 127) / 255)
}

// Paint describes how a shape is filled: a solid colour or a two-stop linear
// gradient, with an opacity (0..255).
type Paint struct {
	From, To RGB
	// Gradient is 0 (solid), 'h' (left to right) or 'v' (top to bottom).
	Gradient byte
	Alpha    uint32
}

// Solid is an opaque paint of one colour.
func Solid(c RGB) Paint { return Paint{From: c, To: c, Alpha: 255} }

// lerp mixes a and b at t/n.
func lerp(a, b RGB, t, n int) RGB {
	if n <= 0 {
		return a
	}
	m := func(x, y uint8) uint8 { return uint8((int(x)*(n-t) + int(y)*t + n/2) / n) }
	return RGB{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B)}
}

// RoundRect fills the rectangle x, y, w, h with corner radius r (clamped to
// half the shorter side), anti-aliasing the corners. Parts outside the frame
// are clipped.
func (f *Frame) RoundRect(x, y, w, h, r int, p Paint) {
	if w <= 0 || h <= 0 || p.Alpha == 0 {
		return
	}
	if r > w/2 {
		r = w / 2
	}
	if r > h/2 {
		r = h / 2
	}
	if r < 0 {
		r = 0
	}
	var corner []byte
	if r > 0 {
		corner = f.corner(r)
	}
	var row []RGB // colours across the shape for horizontal gradients
	if p.Gradient == 'h' {
		row = make([]RGB, w)
		for i := range row {
			row[i] = lerp(p.From, p.To, i, w-1)
		}
	}
	for j := 0; j < h; j++ {
		py := y + j
		if py < 0 || py >= f.H {
			continue
		}
		c := p.From
		if p.Gradient == 'v' {
			c = lerp(p.From, p.To, j, h-1)
		}
		// inset: columns at each end of this row covered by corner masks.
		inset, cy := 0, -1
		if j < r {
			inset, cy = r, j
		} else if j >= h-r {
			inset, cy = r, h-1-j
		}
		line := f.Pix[py*f.W*4 : (py+1)*f.W*4]
		for i := 0; i < inset; i++ {
			cov := uint32(corner[cy*r+i]) * p.Alpha / 255
			if cov == 0 {
				continue
			}
			for _, px := range [2]int{x + i, x + w - 1 - i} {
				if px >= 0 && px < f.W {
					cc := c
					if row != nil {
						cc = row[px-x]
					}
					f.blendPixel(py*f.W*4+px*4, cc, cov)
				}
			}
		}
		x0, x1 := clamp(x+inset, 0, f.W), clamp(x+w-inset, 0, f.W)
		if x0 >= x1 {
			continue
		}
		span := line[x0*4 : x1*4]
		if row == nil {
			blendSpan(span, c, p.Alpha)
			continue
		}
		for i := x0; i < x1; i++ {
			blendSpan(line[i*4:i*4+4], row[i-x], p.Alpha)
		}
	}
}

// corner returns the r x r coverage mask of a quarter disc of radius r, for
// the top-left corner (index [row*r+col], 0..255), computed once per radius
// with 8x8 supersampling.
func (f *Frame) corner(r int) []byte {
	if m, ok := f.corners[r]; ok {
		return m
	}
	const ss = 8
	m := make([]byte, r*r)
	rr := float64(r) * float64(r)
	for j := 0; j < r; j++ {
		for i := 0; i < r; i++ {
			n := 0
			for sj := 0; sj < ss; sj++ {
				dy := float64(r) - (float64(j) + (float64(sj)+0.5)/ss)
				for si := 0; si < ss; si++ {
					dx := float64(r) - (float64(i) + (float64(si)+0.5)/ss)
					if dx*dx+dy*dy <= rr {
						n++
					}
				}
			}
			m[j*r+i] = uint8((n*255 + ss*ss/2) / (ss * ss))
		}
	}
	f.corners[r] = m
	return m
}

// Mask is an alpha coverage image positioned relative to an origin.
type Mask struct {
	// X, Y: offset of the mask's top-left pixel from the origin it is drawn at.
	X, Y int
	W, H int
	Pix  []byte // W*H coverage values
}

// DrawMask blends c through m placed with its origin at (ox, oy), scaling the
// coverage by alpha (0..255). Pixels outside the frame are clipped.
//
// Each pixel is one little-endian uint32 blended as two 16-bit lanes (R,B and
// G,A) with an exact, division-free round(x/255): four multiplies per pixel
// and no per-channel branches, which matters most inside WebAssembly.
func (f *Frame) DrawMask(m *Mask, ox, oy int, c RGB, alpha uint32) {
	x0, y0 := ox+m.X, oy+m.Y
	// Clip the mask's columns and rows to the frame once.
	i0, i1 := max(0, -x0), min(m.W, f.W-x0)
	j0, j1 := max(0, -y0), min(m.H, f.H-y0)
	if i0 >= i1 || j0 >= j1 {
		return
	}
	px := f.words()
	crb := uint32(c.R) | uint32(c.B)<<16
	cga := uint32(c.G) | 255<<16
	for j := j0; j < j1; j++ {
		src := m.Pix[j*m.W+i0 : j*m.W+i1]
		dst := px[(y0+j)*f.W+x0+i0:]
		dst = dst[:len(src)]
		for i, a := range src {
			cov := uint32(a)
			if alpha < 255 {
				cov = (cov*alpha + 128) * 257 >> 16
			}
			inv := 255 - cov
			d := dst[i]
			rb := (d&0x00ff00ff)*inv + crb*cov + 0x00800080
			ga := (d>>8&0x00ff00ff)*inv + cga*cov + 0x00800080
			rb = (rb + (rb >> 8 & 0x00ff00ff)) >> 8 & 0x00ff00ff
			ga = (ga + (ga >> 8 & 0x00ff00ff)) >> 8 & 0x00ff00ff
			dst[i] = rb | ga<<8
		}
	}
}

// words views the frame's pixels as little-endian uint32s (RGBA in memory
// order); the frame's buffer is allocated word-aligned.
func (f *Frame) words() []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(f.Pix))), len(f.Pix)/4)
}

// Outline draws a 1 px wide rectangle outline (used for the missing-glyph box).
func (f *Frame) Outline(x, y, w, h int, c RGB, alpha uint32) {
	p := Paint{From: c, To: c, Alpha: alpha}
	f.RoundRect(x, y, w, 1, 0, p)
	f.RoundRect(x, y+h-1, w, 1, 0, p)
	f.RoundRect(x, y+1, 1, h-2, 0, p)
	f.RoundRect(x+w-1, y+1, 1, h-2, 0, p)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
