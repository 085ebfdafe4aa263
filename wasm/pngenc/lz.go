package pngenc

import (
	"encoding/binary"
	"math/bits"
)

// Deflater compresses rows of an Image into raw deflate data. Rows equal to
// the row above get filter Up (all zeros: one run); the others filter None,
// matched pixel by pixel against the pixel to the left (a run), the same
// pixel in the nearest None row above, and the last earlier place where the
// next two pixels were seen (a hash table: repeated glyphs); the rest are
// literals. Every match is whole pixels, found by comparing the RGBA frame
// 32 bytes at a time, and the tokens are coded in dynamic Huffman blocks.
// A Deflater is reusable and not safe for concurrent use.
type Deflater struct {
	toks   []token
	lit    [286]uint32
	dist   [30]uint32
	huff   huffman
	bw     bitWriter
	head   []uint64 // hash of two pixels -> (row+1)<<32 | column
	sum    adler
	n      int64    // scanline bytes so far
	colors colorSet // colours of literal pixels (truecolour rows)
	// missing: a palette image lacked a pixel's colour (the output is
	// wrong; the encoder writes RGB instead).
	missing bool

	img  *Image // the rows being compressed
	rowB int    // scanline bytes per row: 1 + bpp*W
}

const (
	hashBits = 13
	// hashBelow: the hash table is asked when the best match is shorter.
	hashBelow = 8
)

// Rows appends the raw deflate of rows [y0, y1) of m to dst, ending on a
// final block if last, else byte aligned by a sync flush so another part
// can follow. It also returns the Adler-32 and length of those scanlines.
func (d *Deflater) Rows(dst []byte, m *Image, y0, y1 int, last bool) ([]byte, uint32, int64) {
	d.start(dst, m)
	ref := d.noneRowAbove(y0)
	for y := y0; y < y1; y++ {
		if y > 0 && rowsEqual(m.row(y), m.row(y-1)) {
			d.zeroRow()
		} else {
			d.noneRow(y, ref)
			ref = y
		}
		if len(d.toks) >= blockTokens {
			d.flushBlock(false)
		}
	}
	d.flushBlock(last)
	if last {
		d.bw.align()
	} else {
		d.bw.syncFlush()
	}
	out := d.bw.out
	d.bw.out, d.img = nil, nil // hold on to neither the output nor the frame
	return out, d.sum.Sum32(), d.n
}

// Missing reports whether the last Rows call on a palette image met a
// colour not in the palette: its output is wrong.
func (d *Deflater) Missing() bool { return d.missing }

// Colors reports the distinct colours of the last truecolour Rows call when
// there were at most 256 of them, in order of first use (0xbbggrr). Every
// colour is met first as a literal: a match copies earlier pixels.
func (d *Deflater) Colors() ([]uint32, bool) { return d.colors.list, !d.colors.over }

func (d *Deflater) start(dst []byte, m *Image) {
	d.img = m
	d.rowB = 1 + m.bpp*m.W
	d.toks = d.toks[:0]
	d.lit, d.dist = [286]uint32{}, [30]uint32{}
	d.bw = bitWriter{out: dst}
	if d.head == nil {
		d.head = make([]uint64, 1<<hashBits)
	} else {
		clear(d.head)
	}
	d.sum = newAdler()
	d.n = 0
	d.colors.reset()
	d.missing = false
}

// noneRowAbove is the nearest row above y filtered None within reach of a
// match, or -1: rows equal to the one above are filtered Up.
func (d *Deflater) noneRowAbove(y int) int {
	m := d.img
	for r := y - 1; r >= 0 && (y-r)*d.rowB <= maxDist; r-- {
		if r == 0 || !rowsEqual(m.row(r), m.row(r-1)) {
			return r
		}
	}
	return -1
}

func (d *Deflater) flushBlock(last bool) {
	d.bw.writeBlock(&d.huff, d.toks, &d.lit, &d.dist, last)
	d.toks = d.toks[:0]
	d.lit, d.dist = [286]uint32{}, [30]uint32{}
}

// zeroRow writes a row equal to the one above: filter Up, all zeros.
func (d *Deflater) zeroRow() {
	n := d.rowB - 1
	d.sum.byte1(2)
	d.sum.zeros(n)
	d.n += int64(d.rowB)
	d.literal(2)
	if n < 1+minMatch {
		for range n {
			d.literal(0)
		}
		return
	}
	d.literal(0)
	d.match(n-1, 1)
}

// noneRow writes row y with filter None; ref is the nearest None row above.
// The search stays in one loop: a call per pixel would cost more than the
// search (the hot path of the encoder).
func (d *Deflater) noneRow(y, ref int) {
	m := d.img
	bpp, w := m.bpp, m.W
	row := m.row(y)
	d.rowSums(row)
	above, aboveDist := d.above(y, ref)
	x := d.rowStart(row, above, aboveDist)
	minPx := (minMatch + bpp - 1) / bpp
	for x < w {
		o := 4 * x
		n, dist := 0, 0
		if x > 0 && le32(row[o:]) == le32(row[o-4:]) {
			n, dist = samePixels(row[o:], row[o-4:]), bpp
			if n >= minPx {
				d.match(n*bpp, dist)
				x += n
				continue
			}
		}
		if above != nil && le32(row[o:]) == le32(above[o:]) {
			if u := samePixels(row[o:], above[o:]); u > n {
				n, dist = u, aboveDist
			}
		}
		if n < hashBelow && x+1 < w {
			h := hashAt(row[o:])
			if hn, hd := d.candidate(h, row[o:], x, y); hn > n {
				n, dist = hn, hd
			}
			d.head[h] = uint64(y+1)<<32 | uint64(x)
		}
		if n < minPx {
			d.literalPixel(row[o : o+4])
			x++
			continue
		}
		d.match(n*bpp, dist)
		x += n
	}
}

// rowSums adds a None row's scanline to the checksum: the filter byte,
// then RGB or indices.
func (d *Deflater) rowSums(row []byte) {
	d.n += int64(d.rowB)
	d.sum.byte1(0)
	if d.img.bpp == 3 {
		d.sum.rgb(row)
	} else {
		d.indexSums(row)
	}
}

// above returns row ref and its distance back from row y when a match can
// reach it, else nil.
func (d *Deflater) above(y, ref int) ([]byte, int) {
	if ref < 0 || (y-ref)*d.rowB > maxDist {
		return nil, 0
	}
	return d.img.row(ref), (y - ref) * d.rowB
}

// rowStart writes the filter byte, with the row's leading pixels when they
// equal those above (the filter byte is 0 above too), and returns where the
// row goes on.
func (d *Deflater) rowStart(row, above []byte, dist int) int {
	if above != nil {
		if u := samePixels(row, above); 1+d.img.bpp*u >= minMatch {
			d.match(1+d.img.bpp*u, dist)
			return u
		}
	}
	d.literal(0)
	return 0
}

// indexSums adds the palette indices of the RGBA row to the checksum, one
// lookup per run of equal pixels, reduced once per row.
func (d *Deflater) indexSums(row []byte) {
	s1, s2 := d.sum.s1, d.sum.s2
	var last uint32 // the last pixel looked up (none yet: differs from the first)
	var c uint64    // its index
	if len(row) >= 4 {
		last = ^le32(row)
	}
	for len(row) >= 4 {
		n := uint64(1)
		if len(row) >= 8 && le32(row[4:]) == le32(row) {
			n += uint64(sameBytes(row[4:], row) >> 2)
		}
		if p := le32(row); p != last {
			i, ok := d.img.index(row)
			d.missing = d.missing || !ok
			last, c = p, uint64(i)
		}
		s2 += n*s1 + c*(n*(n+1)/2)
		s1 += n * c
		row = row[4*n:]
	}
	d.sum.s1, d.sum.s2 = s1%adlerMod, s2%adlerMod
}

// candidate returns the length and distance of the match the hash table
// offers for the pixels cur at (x, y), or 0.
func (d *Deflater) candidate(h uint32, cur []byte, x, y int) (int, int) {
	e := d.head[h]
	if e == 0 {
		return 0, 0
	}
	cy, cx := int(e>>32)-1, int(uint32(e))
	dist := (y-cy)*d.rowB + (x-cx)*d.img.bpp
	if dist > maxDist {
		return 0, 0
	}
	src := d.img.row(cy)[4*cx:]
	if le32(cur) != le32(src) {
		return 0, 0
	}
	return samePixels(cur, src), dist
}

// hashAt hashes the first two pixels of p.
func hashAt(p []byte) uint32 {
	return uint32((le64(p) * 0x9E3779B97F4A7C15) >> (64 - hashBits))
}

// samePixels counts the leading whole pixels (4 bytes) a and b share.
func samePixels(a, b []byte) int { return sameBytes(a, b) >> 2 }

// sameBytes counts the leading bytes a and b share, comparing 32 bytes per
// step (no bounds checks inside, and no branch to find the first
// difference in the last step).
func sameBytes(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+32 <= n; i += 32 {
		p, q := (*[32]byte)(a[i:]), (*[32]byte)(b[i:])
		x0, x1 := le64(p[0:])^le64(q[0:]), le64(p[8:])^le64(q[8:])
		x2, x3 := le64(p[16:])^le64(q[16:]), le64(p[24:])^le64(q[24:])
		if x0|x1|x2|x3 != 0 {
			return i + firstDiff(x0, x1, x2, x3)
		}
	}
	for ; i+8 <= n; i += 8 {
		if x := le64(a[i:]) ^ le64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// firstDiff is the offset of the first non-zero byte of the 32 bytes x0..x3
// (one of them non-zero), chosen with conditional moves, not branches.
func firstDiff(x0, x1, x2, x3 uint64) int {
	r := 192 + bits.TrailingZeros64(x3)
	if x2 != 0 {
		r = 128 + bits.TrailingZeros64(x2)
	}
	if x1 != 0 {
		r = 64 + bits.TrailingZeros64(x1)
	}
	if x0 != 0 {
		r = bits.TrailingZeros64(x0)
	}
	return r >> 3
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

func (d *Deflater) literal(c byte) {
	d.toks = append(d.toks, token(c))
	d.lit[c]++
}

// literalPixel writes one pixel's bytes (RGB, or its index) as literals.
func (d *Deflater) literalPixel(p []byte) {
	if d.img.bpp == 1 {
		i, ok := d.img.index(p)
		d.missing = d.missing || !ok
		d.literal(i)
		return
	}
	r, g, b := p[0], p[1], p[2]
	d.toks = append(d.toks, rgbToken(r, g, b))
	d.lit[r]++
	d.lit[g]++
	d.lit[b]++
	d.colors.add(uint32(r) | uint32(g)<<8 | uint32(b)<<16)
}

// match writes a copy of n >= 3 bytes from dist back, in pieces of at most
// maxMatch.
func (d *Deflater) match(n, dist int) {
	dc := distCode(uint32(dist - 1))
	for n > 0 {
		k := min(n, maxMatch)
		if r := n - k; r > 0 && r < minMatch {
			k = n - minMatch
		}
		d.toks = append(d.toks, matchToken(k, dc, dist))
		d.lit[257+int(lengthCode[k-minMatch])]++
		d.dist[dc]++
		n -= k
	}
}

// colorSet collects up to 256 distinct colours (open addressing).
type colorSet struct {
	slots [512]uint32 // colour | 1<<24, 0 = free
	at    [512]uint8  // a slot's position in list
	list  []uint32
	over  bool
}

func (s *colorSet) reset() {
	if len(s.list) > 0 || s.over {
		clear(s.slots[:])
	}
	s.list, s.over = s.list[:0], false
}

func (s *colorSet) add(c uint32) {
	if s.over {
		return
	}
	k := c | 1<<24
	for i := (c * 0x9E3779B1) >> 23; ; i = (i + 1) & 511 {
		switch s.slots[i] {
		case k:
			return
		case 0:
			if len(s.list) == 256 {
				s.over = true
				return
			}
			s.slots[i] = k
			s.at[i] = uint8(len(s.list))
			s.list = append(s.list, c)
			return
		}
	}
}

// index returns the position of c in the set's list.
func (s *colorSet) index(c uint32) (uint8, bool) {
	k := c | 1<<24
	for i := (c * 0x9E3779B1) >> 23; ; i = (i + 1) & 511 {
		switch s.slots[i] {
		case k:
			return s.at[i], true
		case 0:
			return 0, false
		}
	}
}
