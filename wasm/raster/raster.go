// Package raster draws the primitives every card uses — solid and gradient
// rectangles with anti-aliased rounded corners, discs and alpha masks — into
// an opaque RGBA frame. It avoids per-pixel allocation and interface calls:
// these loops run inside WebAssembly where branches and calls are expensive.
package raster

import (
	"image"
	"sync/atomic"
	"unsafe"
)

// RGB is an opaque colour.
type RGB struct{ R, G, B uint8 }

// Frame is an opaque RGBA image, stride W*4, alpha always 255.
type Frame struct {
	Pix  []byte
	W, H int

	corners map[int][2][]byte // quarter-disc coverage masks by radius: left, right
	scratch []byte            // one frame-wide row
	alphas  map[uint32]*[256]uint8
	covers  [4]coverTable // recently used, replaced round-robin
	nextCov int
	// sprites are the masks holding a sprite, and their bytes (bounded by
	// MaxSpriteBytes: past it, every sprite is dropped).
	sprites     []*Mask
	spriteBytes int

	// Where the frame is known to be flat (see flatThenInk): since the last
	// Clear or ClearAround, every row y was drawn on only within
	// [inkLo[y], inkHi[y]); outside, it holds the clear colour, or the cover
	// rectangle's colour inside that rectangle's rows between its corners.
	inkLo, inkHi []int32
	cover        coverRect
}

// coverRect is the rectangle ClearAround left for the shape drawn next.
type coverRect struct {
	x, y, w, h, r int
	armed         bool // ClearAround registered it; the next RoundRect may draw it
	solid         bool // it was drawn solid and opaque: its core is flat
}

// trackInk enables flatThenInk's answer (tests turn it off to compare with scanning).
var trackInk = true

// MaxSpriteBytes bounds the memory a frame's glyph sprites take.
const MaxSpriteBytes = 4 << 20

// tableIDs numbers cover tables: a sprite names the table it was made with.
var tableIDs atomic.Uint64

// coverTable holds, for one background pixel, colour and opacity, the pixel
// that blending gives at every coverage: text drawn over a flat surface then
// costs a table lookup per pixel instead of the blend arithmetic.
type coverTable struct {
	id    uint64 // 0: unused
	bg    uint32
	c     uint64
	alpha uint32
	px    [256]uint32
}

// NewFrame allocates a w x h frame.
func NewFrame(w, h int) *Frame {
	return &Frame{Pix: make([]byte, w*h*4), W: w, H: h, corners: map[int][2][]byte{}}
}

// Clear fills the whole frame with c.
func (f *Frame) Clear(c RGB) {
	fillSpan(f.Pix, c)
	f.resetInk()
}

// resetInk records that the frame holds only its fills (nothing drawn yet).
func (f *Frame) resetInk() {
	if len(f.inkLo) != f.H {
		f.inkLo, f.inkHi = make([]int32, f.H), make([]int32, f.H)
	}
	for y := range f.inkLo {
		f.inkLo[y], f.inkHi[y] = int32(f.W), 0
	}
	f.cover.armed, f.cover.solid = false, false
	f.cover.w = 0
}

// addInk records that the box x0..x1 x y0..y1 (clipped) was drawn on.
func (f *Frame) addInk(x0, y0, x1, y1 int) {
	if len(f.inkLo) != f.H {
		return
	}
	x0, x1, y0, y1 = max(x0, 0), min(x1, f.W), max(y0, 0), min(y1, f.H)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	lo, hi := f.inkLo[y0:y1], f.inkHi[y0:y1]
	for i := range lo {
		lo[i] = min(lo[i], int32(x0))
		hi[i] = max(hi[i], int32(x1))
	}
}

// flatThenInk reports whether the box x0..x1 x y0..y1 (a glyph's, inside
// the frame) is certainly one flat colour: nothing has been drawn on it
// since the last clear, and it lies wholly outside the cover rectangle or
// wholly inside its flat core. In the same pass over the rows it records
// the columns inkX0..inkX1 of the glyph's ink (addInk). It reads two
// numbers per row, where checking the pixels reads them all.
func (f *Frame) flatThenInk(x0, y0, x1, y1, inkX0, inkX1 int) bool {
	if len(f.inkLo) != f.H {
		return false
	}
	flat := trackInk
	if c := &f.cover; c.w > 0 {
		outside := x1 <= c.x || x0 >= c.x+c.w || y1 <= c.y || y0 >= c.y+c.h
		inCore := c.solid && x0 >= c.x && x1 <= c.x+c.w && y0 >= c.y+c.r && y1 <= c.y+c.h-c.r
		flat = flat && (outside || inCore)
	}
	inkX0, inkX1 = max(inkX0, 0), min(inkX1, f.W)
	overlap := int32(0)
	lo, hi := f.inkLo[y0:y1], f.inkHi[y0:y1]
	hi = hi[:len(lo)]
	if inkX0 >= inkX1 {
		for i := range lo {
			overlap = max(overlap, min(hi[i], int32(x1))-max(lo[i], int32(x0)))
		}
		return flat && overlap <= 0
	}
	for i := range lo {
		l, h := lo[i], hi[i]
		overlap = max(overlap, min(h, int32(x1))-max(l, int32(x0)))
		lo[i], hi[i] = min(l, int32(inkX0)), max(h, int32(inkX1))
	}
	return flat && overlap <= 0
}

// ClearAround fills the frame with c except where an opaque RoundRect(x, y,
// w, h, r) drawn next is sure to cover it: the rows between its corners,
// from x to x+w. Drawing the shape after it gives the same pixels as Clear
// followed by the shape, with most of the frame written once instead of twice.
func (f *Frame) ClearAround(c RGB, x, y, w, h, r int) {
	r = max(0, min(r, w/2, h/2))
	top, bottom := y+r, y+h-r // rows [top, bottom) are covered from x to x+w
	if x < 0 || y < 0 || x+w > f.W || y+h > f.H || top >= bottom || w <= 0 {
		f.Clear(c)
		return
	}
	f.resetInk()
	f.cover.x, f.cover.y, f.cover.w, f.cover.h, f.cover.r, f.cover.armed = x, y, w, h, r, true
	row := f.W * 4
	fillSpan(f.Pix[:top*row], c)
	solid := f.solidRow(c) // one memory.copy per side and row
	for j := top; j < bottom; j++ {
		copy(f.Pix[j*row:j*row+x*4], solid)
		copy(f.Pix[j*row+(x+w)*4:(j+1)*row], solid)
	}
	fillSpan(f.Pix[bottom*row:], c)
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
	if c := &f.cover; c.armed && x == c.x && y == c.y && w == c.w && h == c.h && r == c.r {
		// The cover rectangle ClearAround left room for: its core is flat
		// if it is one opaque colour.
		c.solid = p.Alpha == 255 && (p.Gradient == 0 || p.From == p.To)
	} else {
		f.addInk(x, y, x+w, y+h)
	}
	f.cover.armed = false
	var left, right []byte
	if r > 0 {
		left, right = f.corner(r)
	}
	scale := f.alphaTable(p.Alpha)
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
		cl := lanes(c)
		// inset: columns at each end of this row covered by corner masks.
		inset, cy := cornerRow(j, h, r)
		if inset == 0 && fast && p.Alpha == 255 && p.Gradient != 'v' {
			// The rows between the corners of an opaque solid fill, one
			// copy each (as the default case below, without its tests).
			if solid == nil {
				solid = f.solidRow(c)
			}
			for end := min(h-r, f.H-y); j < end; j++ {
				o := ((y+j)*f.W + x) * 4
				copy(f.Pix[o:o+w*4], solid)
			}
			j-- // the loop's j++ goes to the row after them
			continue
		}
		line := px[py*f.W : (py+1)*f.W]
		if !fast {
			for i := 0; i < w; i++ {
				cx := x + i
				if cx < 0 || cx >= f.W {
					continue
				}
				cov := cornerCoverage(i, w, inset, cy, r, left, right)
				cc := c
				if hcols != nil {
					cc = hcols[i]
				}
				if scale != nil {
					cov = uint32(scale[cov])
				}
				line[cx] = blend(line[cx], uint64(cov), lanes(cc))
			}
			continue
		}
		if inset > 0 { // the corner rows: one-row masks
			blendMask(line[x:x+r], 0, left[cy*r:(cy+1)*r], 0, r, 1, nil, cl, scale)
			blendMask(line[x+w-r:x+w], 0, right[cy*r:(cy+1)*r], 0, r, 1, nil, cl, scale)
		}
		span := line[x+inset : x+w-inset]
		switch {
		case p.Alpha < 255:
			blendConst(span, p.Alpha, cl)
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

// cornerRow returns, for row j of a w x h shape with corner radius r, how
// many columns at each end the corner masks cover (inset) and which mask row
// covers them (cy, -1 for none).
func cornerRow(j, h, r int) (inset, cy int) {
	switch {
	case j < r:
		return r, j
	case j >= h-r:
		return r, h - 1 - j
	}
	return 0, -1
}

// cornerCoverage is the coverage (0..255) of column i of a row of width w
// whose corner masks (Frame.corner(r)) cover inset columns at each end.
func cornerCoverage(i, w, inset, cy, r int, left, right []byte) uint32 {
	switch {
	case i < inset:
		return uint32(left[cy*r+i])
	case i >= w-inset:
		return uint32(right[cy*r+i-(w-inset)])
	}
	return 255
}

// Mask is an alpha coverage image positioned relative to an origin.
type Mask struct {
	// X, Y: offset of the mask's top-left pixel from the origin it is drawn at.
	X, Y int
	W, H int
	Pix  []byte // W*H coverage values
	// spans holds, per row, the first and the end 8-pixel word with any
	// coverage (set by Trim; nil: rows are drawn in full).
	spans []uint16
	// inkX0, inkX1: the columns with any coverage (set by Trim; else 0, W).
	inkX0, inkX1 int
	// sprite is the mask through the cover table numbered spriteID (see
	// Frame.sprite).
	sprite   []uint32
	spriteID uint64
}

// NewMask returns a zero w x h mask at offset x, y, its rows padded with
// zero coverage to a multiple of eight columns (whole words for blendMask).
func NewMask(x, y, w, h int) *Mask {
	w = (w + 7) &^ 7
	return &Mask{X: x, Y: y, W: w, H: h, Pix: make([]byte, w*h)}
}

// Trim records which words of each row have coverage, so that drawing skips
// the empty ends of rows. Call it once Pix is filled (W a multiple of 8).
func (m *Mask) Trim() {
	if m.W%8 != 0 || m.W/8 > 0xffff {
		return
	}
	m.spans = make([]uint16, 2*m.H)
	m.inkX0, m.inkX1 = m.W, 0
	for i, v := range m.Pix {
		if v != 0 {
			m.inkX0, m.inkX1 = min(m.inkX0, i%m.W), max(m.inkX1, i%m.W+1)
		}
	}
	for j := range m.H {
		row := m.Pix[j*m.W : (j+1)*m.W]
		first, end := -1, 0
		for k := 0; k < m.W; k += 8 {
			if word(row[k:]) != 0 {
				if first < 0 {
					first = k / 8
				}
				end = k/8 + 1
			}
		}
		if first >= 0 {
			m.spans[2*j], m.spans[2*j+1] = uint16(first), uint16(end)
		}
	}
}

// DrawMask blends c through m placed with its origin at (ox, oy), scaling the
// coverage by alpha (0..255). Pixels outside the frame are clipped.
//
// Over one flat colour the glyph is copied from a sprite (Frame.sprite);
// elsewhere it is blended (blendMask), with the same pixels either way.
func (f *Frame) DrawMask(m *Mask, ox, oy int, c RGB, alpha uint32) {
	x0, y0 := ox+m.X, oy+m.Y
	// Clip the mask's columns and rows to the frame once.
	i0, i1 := max(0, -x0), min(m.W, f.W-x0)
	j0, j1 := max(0, -y0), min(m.H, f.H-y0)
	if i0 >= i1 || j0 >= j1 {
		return
	}
	dst := f.words()[(y0+j0)*f.W+x0+i0:]
	w, h := i1-i0, j1-j0
	cl, scale := lanes(c), f.alphaTable(alpha)
	var spans []uint16
	if m.spans != nil && i0 == 0 && i1 == m.W {
		spans = m.spans[2*j0:]
	}
	src := m.Pix[j0*m.W+i0:]
	bx0, by0 := x0+i0, y0+j0
	inkX0, inkX1 := 0, m.W
	if m.spans != nil {
		inkX0, inkX1 = m.inkX0, m.inkX1
	}
	// The ink record says whether the box was flat, and takes the glyph's
	// ink, in one pass over its rows.
	flat := f.flatThenInk(bx0, by0, bx0+w, by0+h, x0+max(i0, inkX0), x0+min(i1, inkX1))
	// Over one flat colour (the corners agree, then the ink record or the
	// pixels say so) every pixel the glyph covers comes from the cover
	// table: copy the glyph's sprite for it (unclipped masks) or look every
	// pixel up.
	bg := dst[0]
	if dst[w-1] == bg && dst[(h-1)*f.W] == bg && dst[(h-1)*f.W+w-1] == bg &&
		(flat || uniform(dst, f.W, spans, w, h, bg)) {
		ct := f.coverTable(bg, cl, alpha, scale)
		if spans == nil {
			tableMask(dst, f.W, src, m.W, w, h, nil, &ct.px)
			return
		}
		sp := f.sprite(m, ct)[j0*m.W:]
		for j := 0; j < h; j++ {
			i, end := rowSpan(spans, j, w)
			copy(dst[j*f.W+i:j*f.W+end], sp[j*m.W+i:j*m.W+end])
		}
		return
	}
	blendMask(dst, f.W, src, m.W, w, h, spans, cl, scale)
}

// uniform reports whether every pixel of the w x h box at dst (rows stride
// apart; within spans, see Mask.Trim) is bg. It reads the box once, two
// pixels per 64-bit load, and decides with one branch at the end: in
// WebAssembly a taken branch costs more than the arithmetic.
func uniform(dst []uint32, stride int, spans []uint16, w, h int, bg uint32) bool {
	bg2 := uint64(bg) | uint64(bg)<<32
	var diff uint64
	for j := 0; j < h; j++ {
		d := dst[j*stride:][:w]
		i, end := rowSpan(spans, j, w)
		for ; i+8 <= end; i += 8 {
			d2 := (*[4]uint64)(unsafe.Pointer(&d[i : i+8][0]))
			diff |= d2[0] ^ bg2 | d2[1] ^ bg2 | d2[2] ^ bg2 | d2[3] ^ bg2
		}
		for ; i < end; i++ {
			diff |= uint64(d[i] ^ bg)
		}
	}
	return diff == 0
}

// tableMask writes tab[coverage] for every pixel of the w x h box at dst
// whose coverage word is within spans: blendMask's result when the box is
// all tab's background (tab[0] is the background itself), with no branch per
// word: coverage taken eight bytes at a time, pixels stored two at a time
// (little-endian: byte k of the word is pixel k).
func tableMask(dst []uint32, dstStride int, src []byte, srcStride, w, h int, spans []uint16, tab *[256]uint32) {
	for j := 0; j < h; j++ {
		d, s := dst[j*dstStride:][:w], src[j*srcStride:][:w]
		i, end := rowSpan(spans, j, w)
		for ; i+8 <= end; i += 8 {
			ws := word(s[i:])
			d2 := (*[4]uint64)(unsafe.Pointer(&d[i : i+8][0]))
			d2[0] = uint64(tab[uint8(ws)]) | uint64(tab[uint8(ws>>8)])<<32
			d2[1] = uint64(tab[uint8(ws>>16)]) | uint64(tab[uint8(ws>>24)])<<32
			d2[2] = uint64(tab[uint8(ws>>32)]) | uint64(tab[uint8(ws>>40)])<<32
			d2[3] = uint64(tab[uint8(ws>>48)]) | uint64(tab[uint8(ws>>56)])<<32
		}
		for ; i < end; i++ {
			d[i] = tab[s[i]]
		}
	}
}

// coverTable returns the table of pixels of colour c at opacity alpha over bg
// at every coverage (the same pixels blend gives).
func (f *Frame) coverTable(bg uint32, c uint64, alpha uint32, scale *[256]uint8) *coverTable {
	for i := range f.covers {
		if t := &f.covers[i]; t.id != 0 && t.bg == bg && t.c == c && t.alpha == alpha {
			return t
		}
	}
	t := &f.covers[f.nextCov]
	f.nextCov = (f.nextCov + 1) % len(f.covers)
	*t = coverTable{id: tableIDs.Add(1), bg: bg, c: c, alpha: alpha}
	for cov := range t.px {
		a := uint64(cov)
		if scale != nil {
			a = uint64(scale[cov])
		}
		t.px[cov] = blend(bg, a, c)
	}
	return t
}

// sprite returns m's pixels through table t (rows within m's spans), made
// once per mask and table: drawing the glyph over t's background is then a
// copy per row (memory.copy in WebAssembly, run at native speed).
func (f *Frame) sprite(m *Mask, t *coverTable) []uint32 {
	if m.spriteID == t.id {
		return m.sprite
	}
	n := m.W * m.H
	if cap(m.sprite) < n {
		if f.spriteBytes+4*n > MaxSpriteBytes {
			for _, old := range f.sprites {
				old.sprite, old.spriteID = nil, 0
			}
			f.sprites, f.spriteBytes = f.sprites[:0], 0
		}
		m.sprite = make([]uint32, n)
		f.sprites = append(f.sprites, m)
		f.spriteBytes += 4 * n
	}
	m.sprite, m.spriteID = m.sprite[:n], t.id
	tableMask(m.sprite, m.W, m.Pix, m.W, m.W, m.H, m.spans, &t.px)
	return m.sprite
}

// rowSpan is the range of row j of a w-wide mask to draw: the words with
// coverage when spans are known (see Mask.Trim), else the whole row.
func rowSpan(spans []uint16, j, w int) (i, end int) {
	if spans == nil {
		return 0, w
	}
	return int(spans[2*j]) * 8, int(spans[2*j+1]) * 8
}

// identity maps coverage to itself (blendMask at full opacity).
var identity = func() (t [256]uint8) {
	for i := range t {
		t[i] = uint8(i)
	}
	return t
}()

// blendMask blends colour lanes c through w x h coverage values of src (rows
// srcStride apart) onto dst (rows dstStride apart), coverage mapped through
// scale (nil: full opacity). One call per glyph: in WebAssembly a call costs
// far more than a loop iteration. Coverage is taken eight pixels at a time
// as one 64-bit word: a word of zeros (most of a glyph's box) leaves the
// pixels as they are, a word of 0xff at full opacity writes the colour, and
// only the rest is blended per pixel; blend is exact at 0 and 255, so the
// shortcuts give the same pixels as blending everything. (A glyph over a
// flat background does not come here: DrawMask copies its sprite.)
func blendMask(dst []uint32, dstStride int, src []byte, srcStride, w, h int, spans []uint16, c uint64, scale *[256]uint8) {
	t, opaque := scale, scale == nil
	if opaque {
		t = &identity
	}
	solid := blend(0, 255, c)
	for j := 0; j < h; j++ {
		d, s := dst[j*dstStride:][:w], src[j*srcStride:][:w]
		i, end := rowSpan(spans, j, w)
		for ; i+8 <= end; i += 8 {
			ws := word(s[i:])
			if ws == 0 {
				continue
			}
			d8 := d[i : i+8 : i+8]
			if ws == ^uint64(0) && opaque {
				d8[0], d8[1], d8[2], d8[3], d8[4], d8[5], d8[6], d8[7] = solid, solid, solid, solid, solid, solid, solid, solid
				continue
			}
			s8 := s[i : i+8 : i+8]
			d8[0] = blend(d8[0], uint64(t[s8[0]]), c)
			d8[1] = blend(d8[1], uint64(t[s8[1]]), c)
			d8[2] = blend(d8[2], uint64(t[s8[2]]), c)
			d8[3] = blend(d8[3], uint64(t[s8[3]]), c)
			d8[4] = blend(d8[4], uint64(t[s8[4]]), c)
			d8[5] = blend(d8[5], uint64(t[s8[5]]), c)
			d8[6] = blend(d8[6], uint64(t[s8[6]]), c)
			d8[7] = blend(d8[7], uint64(t[s8[7]]), c)
		}
		for ; i < end; i++ {
			d[i] = blend(d[i], uint64(t[s[i]]), c)
		}
	}
}

// alphaTable returns coverage scaled by alpha (nil when alpha is 255),
// computed once per frame and alpha.
func (f *Frame) alphaTable(alpha uint32) *[256]uint8 {
	if alpha >= 255 {
		return nil
	}
	if t := f.alphas[alpha]; t != nil {
		return t
	}
	var t [256]uint8
	for a := range t {
		t[a] = uint8((uint32(a)*alpha + 128) * 257 >> 16)
	}
	if f.alphas == nil {
		f.alphas = map[uint32]*[256]uint8{}
	}
	f.alphas[alpha] = &t
	return &t
}

// word reads eight coverage bytes as one word (byte order does not matter:
// callers only compare it with all zeros and all ones).
func word(s []byte) uint64 { return *(*uint64)(unsafe.Pointer(unsafe.SliceData(s[:8]))) }

// blendConst blends colour at one coverage over every pixel of dst.
func blendConst(dst []uint32, cov uint32, c uint64) {
	cv := uint64(cov)
	n := len(dst)
	i := 0
	for ; i+16 <= n; i += 16 {
		d := dst[i : i+16 : i+16]
		d[0] = blend(d[0], cv, c)
		d[1] = blend(d[1], cv, c)
		d[2] = blend(d[2], cv, c)
		d[3] = blend(d[3], cv, c)
		d[4] = blend(d[4], cv, c)
		d[5] = blend(d[5], cv, c)
		d[6] = blend(d[6], cv, c)
		d[7] = blend(d[7], cv, c)
		d[8] = blend(d[8], cv, c)
		d[9] = blend(d[9], cv, c)
		d[10] = blend(d[10], cv, c)
		d[11] = blend(d[11], cv, c)
		d[12] = blend(d[12], cv, c)
		d[13] = blend(d[13], cv, c)
		d[14] = blend(d[14], cv, c)
		d[15] = blend(d[15], cv, c)
	}
	for ; i < n; i++ {
		dst[i] = blend(dst[i], cv, c)
	}
}

// lanes spreads a colour (alpha 255) over the four 16-bit lanes blend
// works on: R, B, G, A at bits 0, 16, 32 and 48.
func lanes(c RGB) uint64 {
	return uint64(c.R) | uint64(c.B)<<16 | uint64(c.G)<<32 | 255<<48
}

// blend mixes one pixel d with colour lanes c at coverage cov (0..255): each
// channel is (d*(255-cov) + c*cov)/255, rounded, all four in one 64-bit
// word (WebAssembly's native integer width, so no 32-bit masking either).
func blend(d uint32, cov, c uint64) uint32 {
	const lo = 0x00ff00ff00ff00ff
	x := (uint64(d) | uint64(d)<<24) & lo
	t := x*(255-cov) + c*cov + 0x0080008000800080
	t = (t + (t >> 8 & lo)) >> 8 & lo
	return uint32(t | t>>24)
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

// DrawImage draws src (already scaled to its size, premultiplied alpha) with
// its top-left corner at x, y, clipped to the frame and to a rounded
// rectangle of corner radius r over src's bounds (r = half the side: a disc).
func (f *Frame) DrawImage(src *image.RGBA, x, y, r int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if w <= 0 || h <= 0 {
		return
	}
	r = max(0, min(r, w/2, h/2))
	var left, right []byte
	if r > 0 {
		left, right = f.corner(r)
	}
	f.addInk(x, y, x+w, y+h)
	f.cover.armed = false
	px := f.words()
	for j := range h {
		py := y + j
		if py < 0 || py >= f.H {
			continue
		}
		inset, cy := cornerRow(j, h, r)
		row := src.Pix[j*src.Stride:]
		for i := range w {
			cx := x + i
			if cx < 0 || cx >= f.W {
				continue
			}
			cov := cornerCoverage(i, w, inset, cy, r, left, right)
			s := row[i*4 : i*4+4 : i*4+4]
			// Source over: the image's (premultiplied) colour at its alpha,
			// times the shape's coverage.
			a := uint32(s[3]) * cov / 255
			if a == 0 {
				continue
			}
			d := px[py*f.W+cx]
			inv := 255 - a
			rr := (uint32(s[0])*cov/255 + (d&0xff)*inv/255)
			gg := (uint32(s[1])*cov/255 + (d>>8&0xff)*inv/255)
			bb := (uint32(s[2])*cov/255 + (d>>16&0xff)*inv/255)
			px[py*f.W+cx] = min(rr, 255) | min(gg, 255)<<8 | min(bb, 255)<<16 | 255<<24
		}
	}
}
