package pngenc

import (
	"encoding/binary"
	"math/bits"
)

// Deflater compresses rows of an Image into raw deflate data. Rows equal to
// the row above get filter Up (all zeros: one run); the others filter None,
// matched pixel by pixel against the pixel to the left (a run), the same
// pixel in the nearest None row above, and the last earlier place where the
// next pixels were seen (a hash table: repeated glyphs); the rest are
// literals. Every match is whole pixels, found by comparing the source (the
// RGBA frame, or a palette image's indices) 32 bytes at a time, and the
// tokens are coded in dynamic Huffman blocks.
// A Deflater is reusable and not safe for concurrent use.
type Deflater struct {
	toks []token
	lit  [286]uint32
	dist [30]uint32
	huff huffman
	bw   bitWriter
	head []uint64 // hash of two pixels -> (row+1)<<32 | column
	sum  adler
	n    int64 // scanline bytes so far

	img  *Image // the rows being compressed
	rowB int    // scanline bytes per row: 1 + bpp*W
}

const (
	hashBits = 13
	// hashBitsIndexed: the hash of a palette image's four indices.
	hashBitsIndexed = 12
	// hashBelow: the hash table is asked when the best match is shorter
	// (pixels of a truecolour image).
	hashBelow = 8
	// hashBelowIndexed: the same for a palette image's indices.
	hashBelowIndexed = 8
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
			if m.px == 1 {
				d.noneRowIndexed(y, ref)
			} else {
				d.noneRow(y, ref)
			}
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

// noneRow writes row y of a truecolour image with filter None; ref is the
// nearest None row above. The search stays in one loop: a call per pixel
// would cost more than the search (the hot path of the encoder).
func (d *Deflater) noneRow(y, ref int) {
	m := d.img
	bpp, w := m.bpp, m.W
	row := m.row(y)
	d.n += int64(d.rowB)
	d.sum.byte1(0)
	d.sum.rgb(row)
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

// noneRowIndexed writes row y of a palette image (one index per byte) with
// filter None, as noneRow does a truecolour row: a match is any run of
// three or more bytes.
func (d *Deflater) noneRowIndexed(y, ref int) {
	m := d.img
	w := m.W
	row := m.row(y)
	d.n += int64(d.rowB)
	d.sum.byte1(0)
	d.sum.bytes(row)
	above, aboveDist := d.above(y, ref)
	x := d.rowStart(row, above, aboveDist)
	inLiterals := false // the last token was a literal
	for x < w {
		n, dist := 0, 0
		if x > 0 && row[x] == row[x-1] {
			n, dist = sameBytes(row[x:], row[x-1:]), 1
			if n >= minMatch {
				d.match(n, dist)
				x += n
				continue
			}
		}
		if above != nil && row[x] == above[x] {
			if u := sameBytes(row[x:], above[x:]); u > n {
				n, dist = u, aboveDist
			}
		}
		// The hash table is asked at most once per run of literals (after
		// a miss the next pixels rarely start a repeat: 12% faster, 0.5%
		// larger on the blog card).
		if n < hashBelowIndexed && x+4 <= w && !inLiterals {
			h := hash4(row[x:])
			if hn, hd := d.candidateIndexed(h, row[x:], x, y); hn > n {
				n, dist = hn, hd
			}
			d.head[h] = uint64(y+1)<<32 | uint64(x)
		}
		if n < minMatch {
			d.literal(row[x])
			inLiterals = true
			x++
			continue
		}
		inLiterals = false
		d.match(n, dist)
		x += n
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
		if u := sameBytes(row, above) >> d.img.pxShift; 1+d.img.bpp*u >= minMatch {
			d.match(1+d.img.bpp*u, dist)
			return u
		}
	}
	d.literal(0)
	return 0
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

// candidateIndexed is candidate for a palette image's indices.
func (d *Deflater) candidateIndexed(h uint32, cur []byte, x, y int) (int, int) {
	e := d.head[h]
	if e == 0 {
		return 0, 0
	}
	cy, cx := int(e>>32)-1, int(uint32(e))
	dist := (y-cy)*d.rowB + (x - cx)
	if dist > maxDist {
		return 0, 0
	}
	src := d.img.row(cy)[cx:]
	if le32(cur) != le32(src) {
		return 0, 0
	}
	return sameBytes(cur, src), dist
}

// hash4 hashes the first four bytes of p (four indices).
func hash4(p []byte) uint32 {
	return (le32(p) * 0x9E3779B1) >> (32 - hashBitsIndexed)
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

// literalPixel writes one RGBA pixel's RGB bytes as literals.
func (d *Deflater) literalPixel(p []byte) {
	r, g, b := p[0], p[1], p[2]
	d.toks = append(d.toks, rgbToken(r, g, b))
	d.lit[r]++
	d.lit[g]++
	d.lit[b]++
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

// colorSet numbers up to 256 distinct colours in order of first use (open
// addressing).
type colorSet struct {
	slots [512]uint32 // colour | 1<<24, 0 = free
	at    [512]uint8  // a slot's position in list
	list  []uint32
	// cache: the last colour met per hash of 10 bits, (colour|1<<24)<<8 |
	// index; a hit costs one load and a well-predicted compare.
	cache [1024]uint64
}

func (s *colorSet) reset() {
	if len(s.list) > 0 {
		clear(s.slots[:])
		clear(s.cache[:])
	}
	s.list = s.list[:0]
}

// lookup8 looks up the eight RGBA pixels of w0..w3 and returns their
// indices, the first in the low byte.
func (s *colorSet) lookup8(w0, w1, w2, w3 uint64) (uint64, bool) {
	px := [8]uint32{uint32(w0), uint32(w0 >> 32), uint32(w1), uint32(w1 >> 32),
		uint32(w2), uint32(w2 >> 32), uint32(w3), uint32(w3 >> 32)}
	var ids uint64
	for j, p := range px {
		c := p & 0xffffff
		h := (c * 0x9E3779B1) >> 22
		e := s.cache[h]
		if e>>8 != uint64(c|1<<24) {
			i, ok := s.miss(c, h)
			if !ok {
				return 0, false
			}
			e = uint64(i)
		}
		ids |= uint64(uint8(e)) << (8 * j)
	}
	return ids, true
}

// miss is lookup8's way past the cache: put, remembered in slot h.
//
//go:noinline
func (s *colorSet) miss(c, h uint32) (uint8, bool) {
	i, ok := s.put(c)
	s.cache[h&1023] = uint64(c|1<<24)<<8 | uint64(i)
	return i, ok
}

// put returns the index of colour c (0xbbggrr), adding it when new; false
// when it would be the 257th.
func (s *colorSet) put(c uint32) (uint8, bool) {
	k := c | 1<<24
	for i := (c * 0x9E3779B1) >> 23; ; i = (i + 1) & 511 {
		switch s.slots[i] {
		case k:
			return s.at[i], true
		case 0:
			if len(s.list) == 256 {
				return 0, false
			}
			s.slots[i] = k
			s.at[i] = uint8(len(s.list))
			s.list = append(s.list, c)
			return s.at[i], true
		}
	}
}

// mapRows writes the indices of rows [y0, y1) of the w-wide RGBA frame pix
// to the same rows of plane (row y0 taken as the first); false when they
// hold a 257th colour.
func (s *colorSet) mapRows(plane, pix []byte, w, y0, y1 int) bool {
	stride := 4 * w
	var above, outAbove []byte // the row above and its indices
	for y := y0; y < y1; y++ {
		row, out := pix[y*stride:(y+1)*stride], plane[y*w:(y+1)*w]
		if above != nil && rowsEqual(row, above) {
			copy(out, outAbove)
		} else if !s.mapRow(out, row, outAbove, above) {
			return false
		}
		above, outAbove = row, out
	}
	return true
}

// mapRow writes the index of each RGBA pixel of row to out. Blocks of
// eight pixels equal to those of the row above (above, its indices
// outAbove; nil for the first row) copy their indices; in others a colour
// is looked up only where it differs from the pixel to its left. It
// reports false when the row holds a 257th colour.
func (s *colorSet) mapRow(out, row, outAbove, above []byte) bool {
	n := len(out)
	row = row[:4*n]
	var last uint32 // the last pixel looked up (none yet: differs from the first)
	var idx uint8
	if n > 0 {
		last = ^le32(row)
	}
	x := 0
	if above != nil {
		above, outAbove = above[:4*n], outAbove[:n]
		for ; x+8 <= n; x += 8 {
			p, q := (*[32]byte)(row[4*x:]), (*[32]byte)(above[4*x:])
			w0, w1, w2, w3 := le64(p[0:]), le64(p[8:]), le64(p[16:]), le64(p[24:])
			if (w0^le64(q[0:]))|(w1^le64(q[8:]))|(w2^le64(q[16:]))|(w3^le64(q[24:])) == 0 {
				binary.LittleEndian.PutUint64(out[x:], le64(outAbove[x:]))
				continue
			}
			ids, ok := s.lookup8(w0, w1, w2, w3)
			if !ok {
				return false
			}
			binary.LittleEndian.PutUint64(out[x:], ids)
		}
	}
	for ; x < n; x++ {
		if c := le32(row[4*x:]); c != last {
			i, ok := s.put(c & 0xffffff)
			if !ok {
				return false
			}
			last, idx = c, i
		}
		out[x] = idx
	}
	return true
}
