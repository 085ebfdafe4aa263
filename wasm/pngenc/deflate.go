package pngenc

import (
	"encoding/binary"
	"slices"
)

// A token is a literal byte (< 256), three literal bytes (an RGB pixel:
// rgbFlag | b<<16 | g<<8 | r), or a match of 3 <= length <= 258 bytes at
// 1 <= dist <= 32768: matchFlag | code<<21 | extra<<8 | (length-3), with the
// distance's code and extra bits.
type token uint32

// rgbToken is the token of a literal pixel.
func rgbToken(r, g, b byte) token {
	return token(rgbFlag | uint32(b)<<16 | uint32(g)<<8 | uint32(r))
}

// matchToken is the token of a match.
func matchToken(length int, dcode uint8, dist int) token {
	extra := uint32(dist-1) - uint32(distBase[dcode])
	return token(matchFlag | uint32(dcode)<<21 | extra<<8 | uint32(length-minMatch))
}

const (
	matchFlag  = 1 << 31
	rgbFlag    = 1 << 30
	maxMatch   = 258
	minMatch   = 3
	maxDist    = 32768
	endOfBlock = 256
	// blockTokens: a block is written when this many tokens wait. Smaller
	// blocks adapt their codes better but cost their headers and codes:
	// on the blog card 1<<11 is 2% smaller and 20% slower.
	blockTokens = 1 << 14
)

// Length and distance codes (RFC 1951 3.2.5), filled by init.
var (
	lengthCode  [256]uint8 // by length-3: code-257
	lengthBase  [29]uint16
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distCodeLo  [256]uint8 // by dist-1 < 256
	distCodeHi  [256]uint8 // by (dist-1)>>7
	distBase    [30]uint16
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

func init() {
	l := 0
	for c := range 28 {
		lengthBase[c] = uint16(l)
		for range 1 << lengthExtra[c] {
			lengthCode[l] = uint8(c)
			l++
		}
	}
	lengthCode[255] = 28
	lengthBase[28] = 255
	d := 0
	for c := range 30 {
		distBase[c] = uint16(d)
		for range 1 << distExtra[c] {
			if d < 256 {
				distCodeLo[d] = uint8(c)
			}
			if d>>7 < 256 && (d < 256 || d&127 == 0) {
				distCodeHi[d>>7] = uint8(c)
			}
			d++
		}
	}
}

// distCode is the distance code of dist-1.
func distCode(d1 uint32) uint8 {
	if d1 < 256 {
		return distCodeLo[d1]
	}
	return distCodeHi[d1>>7]
}

// bitWriter packs bits LSB first into out.
type bitWriter struct {
	out  []byte
	bits uint64
	n    uint
}

// put writes the low n (<= 32) bits of v.
func (w *bitWriter) put(v uint32, n uint) {
	w.bits |= uint64(v) << w.n
	w.n += n
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.bits))
		w.bits >>= 32
		w.n -= 32
	}
}

// align pads with zero bits to a byte boundary and flushes.
func (w *bitWriter) align() {
	for w.n > 0 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.n -= min(w.n, 8)
	}
	w.bits = 0
}

// syncFlush ends the stream so far on a byte boundary without ending it: an
// empty stored block, as zlib's Z_SYNC_FLUSH.
func (w *bitWriter) syncFlush() {
	w.put(0, 3)
	w.align()
	w.out = append(w.out, 0, 0, 0xff, 0xff)
}

// huffman holds one block's codes.
type huffman struct {
	litLen  [286]uint8
	litCode [286]uint16
	dLen    [30]uint8
	dCode   [30]uint16
	clLen   [19]uint8
	clCode  [19]uint16
	scratch []uint64
}

// clOrder is the order code length code lengths are sent in.
var clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// writeBlock writes toks as one dynamic-Huffman block (final if last) with
// the symbol frequencies lit (286) and dist (30), which it may adjust.
func (w *bitWriter) writeBlock(h *huffman, toks []token, lit *[286]uint32, dist *[30]uint32, last bool) {
	lit[endOfBlock]++
	h.build(lit, dist)
	w.writeHeader(h, last)
	w.writeTokens(h, toks)
	w.put(uint32(h.litCode[endOfBlock]), uint(h.litLen[endOfBlock]))
}

// build makes the literal/length and distance codes (at least two symbols
// each, so both codes are complete).
func (h *huffman) build(lit *[286]uint32, dist *[30]uint32) {
	ensureTwo(lit[:])
	ensureTwo(dist[:])
	h.scratch = huffLengths(h.litLen[:], lit[:], 15, h.scratch)
	h.scratch = huffLengths(h.dLen[:], dist[:], 15, h.scratch)
	huffCodes(h.litCode[:], h.litLen[:])
	huffCodes(h.dCode[:], h.dLen[:])
}

// writeHeader writes a dynamic block's header: the code lengths of h's two
// codes, run-length coded with the code length code.
func (w *bitWriter) writeHeader(h *huffman, last bool) {
	nlit := 286
	for nlit > 257 && h.litLen[nlit-1] == 0 {
		nlit--
	}
	ndist := 30
	for ndist > 1 && h.dLen[ndist-1] == 0 {
		ndist--
	}
	var seq [286 + 30]uint8
	n := copy(seq[:], h.litLen[:nlit])
	n += copy(seq[n:], h.dLen[:ndist])
	var rle [286 + 30]uint16 // symbol | extra<<8
	var clFreq [19]uint32
	nr := runLengths(rle[:0], seq[:n], &clFreq)
	ensureTwo(clFreq[:])
	h.scratch = huffLengths(h.clLen[:], clFreq[:], 7, h.scratch)
	huffCodes(h.clCode[:], h.clLen[:])
	ncl := 19
	for ncl > 4 && h.clLen[clOrder[ncl-1]] == 0 {
		ncl--
	}

	final := uint32(0)
	if last {
		final = 1
	}
	w.put(final|2<<1, 3) // BFINAL, BTYPE 10: dynamic Huffman
	w.put(uint32(nlit-257)|uint32(ndist-1)<<5|uint32(ncl-4)<<10, 14)
	for _, s := range clOrder[:ncl] {
		w.put(uint32(h.clLen[s]), 3)
	}
	for _, r := range nr {
		s := r & 0xff
		w.put(uint32(h.clCode[s]), uint(h.clLen[s]))
		if s >= 16 {
			w.put(uint32(r>>8), uint(repeatBits[s-16]))
		}
	}
}

// repeatBits are the extra bits of code length symbols 16, 17 and 18.
var repeatBits = [3]uint8{2, 3, 7}

// writeTokens writes the codes of toks. Codes are looked up with their
// lengths packed in (code | bits<<24) and written whole bytes at a time
// without a branch; every token fits in the 56 bits left free.
func (w *bitWriter) writeTokens(h *huffman, toks []token) {
	var lit, length [256]uint32
	for c := range 256 {
		lit[c] = uint32(h.litCode[c]) | uint32(h.litLen[c])<<24
		lc := lengthCode[c]
		n := h.litLen[257+int(lc)]
		code := uint32(h.litCode[257+int(lc)]) | (uint32(c)-uint32(lengthBase[lc]))<<n
		length[c] = code | uint32(n+lengthExtra[lc])<<24
	}
	var dist [32]uint32 // code | bits<<16 | (bits+extra bits)<<24
	for c := range 30 {
		dist[c] = uint32(h.dCode[c]) | uint32(h.dLen[c])<<16 | uint32(h.dLen[c]+distExtra[c])<<24
	}
	w.out = slices.Grow(w.out, 6*len(toks)+16)
	buf, pos := w.out[:cap(w.out)], len(w.out)
	bits, n := w.bits, w.n
	for _, t := range toks {
		binary.LittleEndian.PutUint64(buf[pos:], bits)
		k := n >> 3
		pos += int(k)
		bits >>= k << 3
		n &= 7
		if t < matchFlag {
			c := lit[uint8(t)]
			bits |= uint64(c&0xffffff) << n
			n += uint(c >> 24)
			if t >= rgbFlag { // 45 bits at most
				c = lit[uint8(t>>8)]
				bits |= uint64(c&0xffffff) << n
				n += uint(c >> 24)
				c = lit[uint8(t>>16)]
				bits |= uint64(c&0xffffff) << n
				n += uint(c >> 24)
			}
			continue
		}
		c := length[uint8(t)]
		bits |= uint64(c&0xffffff) << n
		n += uint(c >> 24)
		d := dist[t>>21&31]
		bits |= (uint64(d&0xffff) | uint64(t>>8&0x1fff)<<(d>>16&0xff)) << n
		n += uint(d >> 24)
	}
	binary.LittleEndian.PutUint64(buf[pos:], bits)
	k := n >> 3
	w.out, w.bits, w.n = buf[:pos+int(k)], bits>>(k<<3), n&7
}

// ensureTwo gives the first two symbols a frequency when fewer than two are
// used, so the code is complete (what every inflater accepts).
func ensureTwo(freq []uint32) {
	used := 0
	for _, f := range freq {
		if f > 0 {
			used++
		}
	}
	for i := 0; used < 2; i++ {
		if freq[i] == 0 {
			freq[i] = 1
			used++
		}
	}
}

// runLengths encodes code lengths seq with the code length alphabet (16:
// repeat the previous 3-6 times, 17: 3-10 zeros, 18: 11-138 zeros) into dst,
// counting symbol frequencies.
func runLengths(dst []uint16, seq []uint8, freq *[19]uint32) []uint16 {
	for i := 0; i < len(seq); {
		v := seq[i]
		run := 1
		for i+run < len(seq) && seq[i+run] == v {
			run++
		}
		i += run
		if v == 0 {
			for run >= 11 {
				k := min(run, 138)
				dst = append(dst, 18|uint16(k-11)<<8)
				freq[18]++
				run -= k
			}
			if run >= 3 {
				dst = append(dst, 17|uint16(run-3)<<8)
				freq[17]++
				run = 0
			}
		} else {
			dst = append(dst, uint16(v))
			freq[v]++
			run--
			for run >= 3 {
				k := min(run, 6)
				dst = append(dst, 16|uint16(k-3)<<8)
				freq[16]++
				run -= k
			}
		}
		for ; run > 0; run-- {
			dst = append(dst, uint16(v))
			freq[v]++
		}
	}
	return dst
}
