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

	corners map[int][2][]byte // quarter-disc coverage masks by radius: left, right
	scratch []byte            // one frame-wide row
}

// NewFrame allocates a w x h frame.
func NewFrame(w, h int) *Frame {
	return &Frame{Pix: make([]byte, w*h*4), W: w, H: h, corners: map[int][2][]byte{}}
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
	r = max(0, min(r, w/2, h/2))
	var left, right []byte
	if r > 0 {
		left, right = f.corner(r)
	}
	scale := alphaTable(p.Alpha)
	var hcols []RGB // colours across the shape for horizontal gradients
	if p.Gradient == 'h' {
		hcols = make([]RGB, w)
		for i := range hcols {
			hcols[i] = lerp(p.From, p.To, i, w-1)
		}
	}
	// Fast paths need the shape's columns inside the frame and no
	// horizontal gradient; anything else takes the per-pixel path.
	fast := x >= 0 && x+w <= f.W && hcols == nil
	px := f.words()
	var solid []byte // a frame-wide row of the colour, for opaque solid fills
	for j := 0; j < h; j++ {
		py := y + j
		if py < 0 || py >= f.H {
			continue
		}
		c := p.From
		if p.Gradient == 'v' {
			c = lerp(p.From, p.To, j, h-1)
		}
		crb, cga := lanes(c)
		// inset: columns at each end of this row covered by corner masks.
		inset, cy := 0, -1
		if j < r {
			inset, cy = r, j
		} else if j >= h-r {
			inset, cy = r, h-1-j
		}
		line := px[py*f.W : (py+1)*f.W]
		if !fast {
			for i := 0; i < w; i++ {
				cx := x + i
				if cx < 0 || cx >= f.W {
					continue
				}
				cov := uint32(255)
				if i < inset {
					cov = uint32(left[cy*r+i])
				} else if i >= w-inset {
					cov = uint32(right[cy*r+i-(w-inset)])
				}
				cc := c
				if hcols != nil {
					cc = hcols[i]
				}
				rb, ga := lanes(cc)
				if scale != nil {
					cov = uint32(scale[cov])
				}
				line[cx] = blend(line[cx], cov, rb, ga)
			}
			continue
		}
		if inset > 0 {
			lc, rc := left[cy*r:(cy+1)*r], right[cy*r:(cy+1)*r]
			if scale != nil {
				blendRowScaled(line[x:x+r], lc, scale, crb, cga)
				blendRowScaled(line[x+w-r:x+w], rc, scale, crb, cga)
			} else {
				blendRow(line[x:x+r], lc, crb, cga)
				blendRow(line[x+w-r:x+w], rc, crb, cga)
			}
		}
		span := line[x+inset : x+w-inset]
		switch {
		case p.Alpha < 255:
			blendConst(span, p.Alpha, crb, cga)
		case p.Gradient == 'v':
			fillSpan(f.Pix[(py*f.W+x+inset)*4:(py*f.W+x+w-inset)*4], c)
		default:
			// One memory.copy per row from a row pre-filled with the colour.
			if solid == nil {
				solid = f.solidRow(c)
			}
			copy(f.Pix[(py*f.W+x+inset)*4:(py*f.W+x+w-inset)*4], solid)
		}
	}
}

// solidRow returns a frame-wide row filled with c (the frame's scratch row).
func (f *Frame) solidRow(c RGB) []byte {
	if len(f.scratch) != f.W*4 {
		f.scratch = make([]byte, f.W*4)
	}
	fillSpan(f.scratch, c)
	return f.scratch
}

// corner returns the r x r coverage masks (0..255, row-major) of the
// left-hand corners and of the right-hand ones (mirrored), row 0 being the
// row nearest the top or bottom edge. Computed once per radius with 8x8
// supersampling.
func (f *Frame) corner(r int) (left, right []byte) {
	if m, ok := f.corners[r]; ok {
		return m[0], m[1]
	}
	const ss = 8
	left, right = make([]byte, r*r), make([]byte, r*r)
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
			v := uint8((n*255 + ss*ss/2) / (ss * ss))
			left[j*r+i], right[j*r+r-1-i] = v, v
		}
	}
	f.corners[r] = [2][]byte{left, right}
	return left, right
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
// G,A) with an exact, division-free round(x/255) and no data-dependent
// branches (zero coverage leaves a pixel unchanged by the arithmetic alone).
// The row loop handles eight pixels per iteration: in WebAssembly run under a
// deadline every loop back-edge costs a check, so fewer, fuller iterations
// matter more than skipping work.
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
	if scale := alphaTable(alpha); scale != nil {
		for j := j0; j < j1; j++ {
			src := m.Pix[j*m.W+i0 : j*m.W+i1]
			blendRowScaled(px[(y0+j)*f.W+x0+i0:][:len(src)], src, scale, crb, cga)
		}
		return
	}
	for j := j0; j < j1; j++ {
		src := m.Pix[j*m.W+i0 : j*m.W+i1]
		blendRow(px[(y0+j)*f.W+x0+i0:][:len(src)], src, crb, cga)
	}
}

// alphaTable returns coverage scaled by alpha (nil when alpha is 255).
func alphaTable(alpha uint32) *[256]uint8 {
	if alpha >= 255 {
		return nil
	}
	var t [256]uint8
	for a := range t {
		t[a] = uint8((uint32(a)*alpha + 128) * 257 >> 16)
	}
	return &t
}

// Row kernels. They process sixteen pixels per loop iteration: in
// WebAssembly run under a deadline every loop back-edge costs a check (about
// 30 ns in wazero), so fewer, fuller iterations beat skipping work. Glyph
// masks are padded to a multiple of sixteen columns, so the tail loops rarely run.

// blendRow blends colour (crb, cga lanes) over dst with per-pixel coverage src.
func blendRow(dst []uint32, src []byte, crb, cga uint32) {
	n := len(src)
	i := 0
	for ; i+16 <= n; i += 16 {
		d := dst[i : i+16 : i+16]
		s := src[i : i+16 : i+16]
		d[0] = blend(d[0], uint32(s[0]), crb, cga)
		d[1] = blend(d[1], uint32(s[1]), crb, cga)
		d[2] = blend(d[2], uint32(s[2]), crb, cga)
		d[3] = blend(d[3], uint32(s[3]), crb, cga)
		d[4] = blend(d[4], uint32(s[4]), crb, cga)
		d[5] = blend(d[5], uint32(s[5]), crb, cga)
		d[6] = blend(d[6], uint32(s[6]), crb, cga)
		d[7] = blend(d[7], uint32(s[7]), crb, cga)
		d[8] = blend(d[8], uint32(s[8]), crb, cga)
		d[9] = blend(d[9], uint32(s[9]), crb, cga)
		d[10] = blend(d[10], uint32(s[10]), crb, cga)
		d[11] = blend(d[11], uint32(s[11]), crb, cga)
		d[12] = blend(d[12], uint32(s[12]), crb, cga)
		d[13] = blend(d[13], uint32(s[13]), crb, cga)
		d[14] = blend(d[14], uint32(s[14]), crb, cga)
		d[15] = blend(d[15], uint32(s[15]), crb, cga)
	}
	for ; i < n; i++ {
		dst[i] = blend(dst[i], uint32(src[i]), crb, cga)
	}
}

// blendRowScaled is blendRow with coverage mapped through t (opacity).
func blendRowScaled(dst []uint32, src []byte, t *[256]uint8, crb, cga uint32) {
	n := len(src)
	i := 0
	for ; i+16 <= n; i += 16 {
		d := dst[i : i+16 : i+16]
		s := src[i : i+16 : i+16]
		d[0] = blend(d[0], uint32(t[s[0]]), crb, cga)
		d[1] = blend(d[1], uint32(t[s[1]]), crb, cga)
		d[2] = blend(d[2], uint32(t[s[2]]), crb, cga)
		d[3] = blend(d[3], uint32(t[s[3]]), crb, cga)
		d[4] = blend(d[4], uint32(t[s[4]]), crb, cga)
		d[5] = blend(d[5], uint32(t[s[5]]), crb, cga)
		d[6] = blend(d[6], uint32(t[s[6]]), crb, cga)
		d[7] = blend(d[7], uint32(t[s[7]]), crb, cga)
		d[8] = blend(d[8], uint32(t[s[8]]), crb, cga)
		d[9] = blend(d[9], uint32(t[s[9]]), crb, cga)
		d[10] = blend(d[10], uint32(t[s[10]]), crb, cga)
		d[11] = blend(d[11], uint32(t[s[11]]), crb, cga)
		d[12] = blend(d[12], uint32(t[s[12]]), crb, cga)
		d[13] = blend(d[13], uint32(t[s[13]]), crb, cga)
		d[14] = blend(d[14], uint32(t[s[14]]), crb, cga)
		d[15] = blend(d[15], uint32(t[s[15]]), crb, cga)
	}
	for ; i < n; i++ {
		dst[i] = blend(dst[i], uint32(t[src[i]]), crb, cga)
	}
}

// blendConst blends colour at one coverage over every pixel of dst.
func blendConst(dst []uint32, cov, crb, cga uint32) {
	n := len(dst)
	i := 0
	for ; i+16 <= n; i += 16 {
		d := dst[i : i+16 : i+16]
		d[0] = blend(d[0], cov, crb, cga)
		d[1] = blend(d[1], cov, crb, cga)
		d[2] = blend(d[2], cov, crb, cga)
		d[3] = blend(d[3], cov, crb, cga)
		d[4] = blend(d[4], cov, crb, cga)
		d[5] = blend(d[5], cov, crb, cga)
		d[6] = blend(d[6], cov, crb, cga)
		d[7] = blend(d[7], cov, crb, cga)
		d[8] = blend(d[8], cov, crb, cga)
		d[9] = blend(d[9], cov, crb, cga)
		d[10] = blend(d[10], cov, crb, cga)
		d[11] = blend(d[11], cov, crb, cga)
		d[12] = blend(d[12], cov, crb, cga)
		d[13] = blend(d[13], cov, crb, cga)
		d[14] = blend(d[14], cov, crb, cga)
		d[15] = blend(d[15], cov, crb, cga)
	}
	for ; i < n; i++ {
		dst[i] = blend(dst[i], cov, crb, cga)
	}
}

// lanes splits a colour into the two 16-bit lanes blend works on.
func lanes(c RGB) (crb, cga uint32) {
	return uint32(c.R) | uint32(c.B)<<16, uint32(c.G) | 255<<16
}

// blend mixes one pixel d with colour lanes crb/cga at coverage cov (0..255).
func blend(d, cov, crb, cga uint32) uint32 {
	inv := 255 - cov
	rb := (d&0x00ff00ff)*inv + crb*cov + 0x00800080
	ga := (d>>8&0x00ff00ff)*inv + cga*cov + 0x00800080
	rb = (rb + (rb >> 8 & 0x00ff00ff)) >> 8 & 0x00ff00ff
	ga = (ga + (ga >> 8 & 0x00ff00ff)) >> 8 & 0x00ff00ff
	return rb | ga<<8
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
