package pngenc

// adlerMod is Adler-32's modulus.
const adlerMod = 65521

// adler is a running Adler-32 over scanlines, added a row at a time: rows
// of zeros in closed form, other rows eight bytes at a time with the sums of
// a word reused while words repeat (flat colour), so flat rows are cheap.
type adler struct {
	s1, s2 uint64 // reduced mod adlerMod between rows
}

func newAdler() adler { return adler{s1: 1} }

// Sum32 is the checksum so far.
func (a *adler) Sum32() uint32 { return uint32(a.s2<<16 | a.s1) }

// byte1 adds one byte.
func (a *adler) byte1(c byte) {
	a.s1 = (a.s1 + uint64(c)) % adlerMod
	a.s2 = (a.s2 + a.s1) % adlerMod
}

// zeros adds n zero bytes.
func (a *adler) zeros(n int) {
	a.s2 = (a.s2 + uint64(n)%adlerMod*a.s1) % adlerMod
}

// reduceBlocks bounds the 32-byte blocks summed between reductions.
const reduceBlocks = 1 << 10

// rgb adds the RGB bytes of the RGBA pixels pix, eight pixels (32 bytes) at
// a time: a block repeating the last word (flat colour) in closed form, any
// other block with lane arithmetic, without branching per pixel.
func (a *adler) rgb(pix []byte) {
	s1, s2 := a.s1, a.s2
	n := len(pix) &^ 31
	var last, sum, wsum uint64 // the last word of the previous block, its sums
	if n > 0 {
		last = ^le64(pix)
	}
	for i, k := 0, 0; i < n; {
		q := (*[32]byte)(pix[i:])
		w0, w1, w2, w3 := le64(q[0:]), le64(q[8:]), le64(q[16:]), le64(q[24:])
		if (w0^last)|(w1^last)|(w2^last)|(w3^last) == 0 {
			m := uint64(sameBlocks(pix[i+32:n], last, reduceBlocks-1)) + 1
			// m blocks of 24 bytes, each summing b = 4*sum
			b, bw := 4*sum, 36*sum+4*wsum
			s2 += m*24*s1 + m*bw + 12*b*m*(m-1)
			s1 += m * b
			i += int(m) * 32
			k += int(m)
		} else {
			bs, bw := blockSums(w0, w1, w2, w3)
			s2 += 24*s1 + bw
			s1 += bs
			last = w3
			sum, wsum = rgbSums(w3)
			i += 32
			k++
		}
		if k >= reduceBlocks {
			s1, s2, k = s1%adlerMod, s2%adlerMod, 0
		}
	}
	for p := pix[n:]; len(p) >= 4; p = p[4:] {
		r, g, b := uint64(p[0]), uint64(p[1]), uint64(p[2])
		s2 += 3*s1 + 3*r + 2*g + b
		s1 += r + g + b
	}
	a.s1, a.s2 = s1%adlerMod, s2%adlerMod
}

// sameBlocks counts the leading 32-byte blocks of p (at most max) made of
// the word v.
func sameBlocks(p []byte, v uint64, max int) int {
	n := 0
	for ; n < max && len(p) >= 32; n++ {
		q := (*[32]byte)(p)
		if (le64(q[0:])^v)|(le64(q[8:])^v)|(le64(q[16:])^v)|(le64(q[24:])^v) != 0 {
			break
		}
		p = p[32:]
	}
	return n
}

// lanes selects the even bytes of a word as four 16-bit lanes.
const lanes = 0x00ff00ff00ff00ff

// rgbSums returns the sum of the RGB bytes of the two RGBA pixels in v and
// their sum weighted 6, 5, 4, 3, 2, 1 (the weights Adler's s2 gives them).
func rgbSums(v uint64) (sum, wsum uint64) {
	even, odd := v&lanes, v>>8&lanes // r0 b0 r1 b1, g0 a0 g1 a1
	return dotSum(even, odd), dotWeighted(even, odd)
}

// blockSums returns the sum of the RGB bytes of the eight RGBA pixels in
// w0..w3 and their sum weighted 24, 23, ..., 1.
func blockSums(w0, w1, w2, w3 uint64) (sum, wsum uint64) {
	e0, e1, e2, e3 := w0&lanes, w1&lanes, w2&lanes, w3&lanes
	o0, o1, o2, o3 := w0>>8&lanes, w1>>8&lanes, w2>>8&lanes, w3>>8&lanes
	e, o := e0+e1+e2+e3, o0+o1+o2+o3
	// Word k (0..3) is followed by 3-k words of 6 bytes each.
	ew, ow := 3*e0+2*e1+e2, 3*o0+2*o1+o2
	return dotSum(e, o), dotWeighted(e, o) + 6*dotSum(ew, ow)
}

// dotSum adds the RGB lanes: a product's top lane is the dot product of
// the lanes with the multiplier's lanes reversed.
func dotSum(even, odd uint64) uint64 {
	return (even*0x0001000100010001 + odd*0x0001000000010000) >> 48
}

// dotWeighted weights the lanes r0 6, g0 5, b0 4, r1 3, g1 2, b1 1.
func dotWeighted(even, odd uint64) uint64 {
	return (even*0x0006000400030001 + odd*0x0005000000020000) >> 48
}

// bytes adds p (a palette image's indices) 32 bytes at a time: a block
// repeating the last word (a run of one index) in closed form, any other
// block with lane arithmetic.
func (a *adler) bytes(p []byte) {
	s1, s2 := a.s1, a.s2
	n := len(p) &^ 31
	var last, sum, wsum uint64 // the last word of the previous block, its sums
	if n > 0 {
		last = ^le64(p)
	}
	for i, k := 0, 0; i < n; {
		q := (*[32]byte)(p[i:])
		w0, w1, w2, w3 := le64(q[0:]), le64(q[8:]), le64(q[16:]), le64(q[24:])
		if (w0^last)|(w1^last)|(w2^last)|(w3^last) == 0 {
			m := uint64(sameBlocks(p[i+32:n], last, reduceBlocks-1)) + 1
			// m blocks of 32 bytes, each summing 4*sum
			bw := 4*wsum + 48*sum
			s2 += 32*m*s1 + m*bw + 64*sum*m*(m-1)
			s1 += 4 * m * sum
			i += int(m) * 32
			k += int(m)
		} else {
			e0, e1, e2, e3 := w0&lanes, w1&lanes, w2&lanes, w3&lanes
			o0, o1, o2, o3 := w0>>8&lanes, w1>>8&lanes, w2>>8&lanes, w3>>8&lanes
			e, o := e0+e1+e2+e3, o0+o1+o2+o3
			// Word k (0..3) is followed by 3-k words of 8 bytes each.
			ew, ow := 3*e0+2*e1+e2, 3*o0+2*o1+o2
			s2 += 32*s1 + byteWeighted(e, o) + 8*byteSum(ew, ow)
			s1 += byteSum(e, o)
			last = w3
			sum, wsum = byteSum(w3&lanes, w3>>8&lanes), byteWeighted(w3&lanes, w3>>8&lanes)
			i += 32
			k++
		}
		if k >= reduceBlocks {
			s1, s2, k = s1%adlerMod, s2%adlerMod, 0
		}
	}
	for _, c := range p[n:] {
		s1 += uint64(c)
		s2 += s1
	}
	a.s1, a.s2 = s1%adlerMod, s2%adlerMod
}

// byteSum adds the lanes of the even and odd bytes of words.
func byteSum(even, odd uint64) uint64 { return (even + odd) * 0x0001000100010001 >> 48 }

// byteWeighted weights a word's bytes 8, 7, ..., 1 (the weights Adler's s2
// gives them), from the lanes of its even and odd bytes.
func byteWeighted(even, odd uint64) uint64 {
	return (even*0x0008000600040002 + odd*0x0007000500030001) >> 48
}

// run adds n copies of the byte c.
func (a *adler) run(n int, c byte) {
	N, C := uint64(n), uint64(c)
	a.s2 = (a.s2 + N%adlerMod*a.s1 + (N*(N+1)/2)%adlerMod*C) % adlerMod
	a.s1 = (a.s1 + N%adlerMod*C) % adlerMod
}

// Adler32Combine returns the Adler-32 of A||B from adler32(A), adler32(B) and
// len(B) (zlib's adler32_combine).
func Adler32Combine(a, b uint32, lenB int64) uint32 {
	rem := uint64(lenB % adlerMod)
	s1 := uint64(a & 0xffff)
	s2 := rem * s1 % adlerMod
	s1 += uint64(b&0xffff) + adlerMod - 1
	s2 += uint64(a>>16) + uint64(b>>16) + adlerMod - rem
	if s1 >= adlerMod {
		s1 -= adlerMod
	}
	if s1 >= adlerMod {
		s1 -= adlerMod
	}
	if s2 >= adlerMod<<1 {
		s2 -= adlerMod << 1
	}
	if s2 >= adlerMod {
		s2 -= adlerMod
	}
	return uint32(s2<<16 | s1)
}
