package raster

import "unsafe"

// Shader gives the colours of a fill that varies across the frame (a
// gradient): Row writes the premultiplied RGBA of frame pixels (x, y) to
// (x+len(dst)-1, y) into dst, as little-endian words (R in the low byte).
// A shader with a method Opaque() bool reporting true promises only opaque
// colours: ShadeRect then has it write the frame's pixels directly.
type Shader interface {
	Row(dst []uint32, x, y int)
}

// ShadeRect blends s over the box x, y, w, h (clipped to the frame) at
// opacity alpha (0..255).
func (f *Frame) ShadeRect(x, y, w, h int, s Shader, alpha uint32) {
	f.shade(nil, x, y, w, h, s, alpha)
}

// Shade blends s through mask m placed with its origin at (ox, oy), the
// coverage scaled by alpha (0..255), as DrawMask blends a colour.
func (f *Frame) Shade(m *Mask, ox, oy int, s Shader, alpha uint32) {
	f.shade(m, ox+m.X, oy+m.Y, m.W, m.H, s, alpha)
}

func (f *Frame) shade(m *Mask, x, y, w, h int, s Shader, alpha uint32) {
	x0, y0 := max(x, 0), max(y, 0)
	x1, y1 := min(x+w, f.W), min(y+h, f.H)
	if x0 >= x1 || y0 >= y1 || alpha == 0 {
		return
	}
	alpha = min(alpha, 255)
	f.addInk(x0, y0, x1, y1)
	f.cover.armed = false
	if len(f.scratch) < f.W*4 {
		f.scratch = make([]byte, f.W*4)
	}
	row := unsafeWords(f.scratch)[:x1-x0]
	o, ok := s.(interface{ Opaque() bool })
	opaque := ok && o.Opaque()
	px := f.words()
	for py := y0; py < y1; py++ {
		s.Row(row, x0, py)
		dst := px[py*f.W+x0 : py*f.W+x1]
		if m == nil && alpha == 255 && opaque {
			s.Row(px[py*f.W+x0:py*f.W+x1], x0, py) // its colours are the pixels
			continue
		}
		if m == nil && alpha == 255 {
			for i, c := range row {
				if c>>24 == 255 {
					dst[i] = c // opaque: the colour itself
				} else {
					dst[i] = over(dst[i], c, 255)
				}
			}
			continue
		}
		var cov []byte
		if m != nil {
			cov = m.Pix[(py-y)*m.W+x0-x:]
		}
		for i, c := range row {
			k := alpha
			if cov != nil {
				k = div255(uint32(cov[i]) * alpha)
			}
			dst[i] = over(dst[i], c, k)
		}
	}
}

// over blends the premultiplied colour s at coverage k (0..255) over the
// opaque pixel d: d*(1 - a) + s, where a is s's alpha, s scaled by k, and
// each product rounded.
func over(d, s, k uint32) uint32 {
	if k == 0 || s == 0 {
		return d
	}
	if k == 255 && s>>24 == 255 {
		return s
	}
	sa := div255(s >> 24 * k)
	inv := 255 - sa
	r := div255((s&0xff)*k) + div255((d&0xff)*inv)
	g := div255((s>>8&0xff)*k) + div255((d>>8&0xff)*inv)
	b := div255((s>>16&0xff)*k) + div255((d>>16&0xff)*inv)
	return min(r, 255) | min(g, 255)<<8 | min(b, 255)<<16 | 255<<24
}

// div255 is x/255 rounded, for x in 0..65535.
func div255(x uint32) uint32 { return (x + 128 + (x+128)>>8) >> 8 }

// unsafeWords views b (allocated by make, so word-aligned) as uint32s.
func unsafeWords(b []byte) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}
