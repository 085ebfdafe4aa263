package pngfast

// The encoder pngfast replaced (pngfast-1), kept as the reference the new
// one is measured and checked against: RGB, filter None,
// github.com/klauspost/compress deflate at level 1 in two bands.

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/adler32"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/ogmint/ogmint/wasm/pngenc"
)

// refLevel is the deflate level: BestSpeed. On flat cards it gives smaller and
// faster output than higher levels with PNG filters (see DESIGN.md).
const refLevel = flate.BestSpeed

// refZlibHeader: CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest level, no
// dictionary; (0x78<<8|0x01) % 31 == 0).
var refZlibHeader = [2]byte{0x78, 0x01}

var refTrailer = pngenc.Trailer()

// encodeReference is pngfast-1's encode: bands is 1 or 2.
func encodeReference(dst []byte, pix []byte, w, h, bands int) ([]byte, error) {
	if w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 || len(pix) < w*h*4 {
		return nil, fmt.Errorf("%w: %dx%d with %d bytes", pngenc.ErrSize, w, h, len(pix))
	}
	first := refGetBand(w)
	defer refBandPool.Put(first)
	first.out = append(first.out[:0], refZlibHeader[:]...)

	if bands == 1 {
		if err := first.compress(pix, w, 0, h, true); err != nil {
			return nil, err
		}
		first.out = binary.BigEndian.AppendUint32(first.out, first.adler.Sum32())
	} else {
		mid := h / 2
		second := refGetBand(w)
		defer refBandPool.Put(second)
		second.out = second.out[:0]
		errc := make(chan error, 1)
		go func() { errc <- second.compress(pix, w, mid, h, true) }()
		err0 := first.compress(pix, w, 0, mid, false)
		if err1 := <-errc; err0 == nil {
			err0 = err1
		}
		if err0 != nil {
			return nil, err0
		}
		sum := refAdler32Combine(first.adler.Sum32(), second.adler.Sum32(), second.n)
		first.out = append(first.out, second.out...)
		first.out = binary.BigEndian.AppendUint32(first.out, sum)
	}

	header := refCardHeader
	if w != refCardW || h != refCardH {
		header = pngenc.Header(w, h)
	}
	need := len(header) + 12 + len(first.out) + len(refTrailer)
	if cap(dst)-len(dst) < need {
		grown := make([]byte, len(dst), len(dst)+need)
		copy(grown, dst)
		dst = grown
	}
	dst = append(dst, header...)
	dst = pngenc.AppendChunk(dst, "IDAT", first.out)
	return append(dst, refTrailer...), nil
}

// The common card size gets a precomputed header.
const refCardW, refCardH = 1200, 630

var refCardHeader = pngenc.Header(refCardW, refCardH)

// refBand compresses a range of rows; pooled with its deflate state and buffers.
type refBand struct {
	fw    *flate.Writer
	out   refSliceWriter
	row   []byte
	adler hash.Hash32
	n     int64 // uncompressed bytes written
}

var refBandPool sync.Pool

func refGetBand(w int) *refBand {
	b, _ := refBandPool.Get().(*refBand)
	if b == nil {
		fw, _ := flate.NewWriter(nil, refLevel) // err only for a bad level
		b = &refBand{fw: fw, adler: adler32.New()}
	}
	if cap(b.row) < 1+3*w {
		b.row = make([]byte, 1+3*w)
	}
	return b
}

// compress deflates rows [y0, y1) as scanlines into b.out (appending), ending
// with a final block when last, else with a sync flush.
func (b *refBand) compress(pix []byte, w, y0, y1 int, last bool) error {
	b.fw.Reset(&b.out)
	b.adler.Reset()
	b.n = 0
	if err := pngenc.Scanlines(b, pix, w, y0, y1, b.row); err != nil {
		return err
	}
	if last {
		return b.fw.Close()
	}
	return b.fw.Flush()
}

// Write feeds scanline bytes to the checksum and the compressor.
func (b *refBand) Write(p []byte) (int, error) {
	b.adler.Write(p)
	b.n += int64(len(p))
	return b.fw.Write(p)
}

type refSliceWriter []byte

func (s *refSliceWriter) Write(p []byte) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}

// refAdler32Combine returns the Adler-32 of A||B from adler32(A), adler32(B) and
// len(B) (zlib's adler32_combine).
func refAdler32Combine(a, b uint32, lenB int64) uint32 {
	const mod = 65521
	rem := uint64(lenB % mod)
	s1 := uint64(a & 0xffff)
	s2 := rem * s1 % mod
	s1 += uint64(b&0xffff) + mod - 1
	s2 += uint64(a>>16) + uint64(b>>16) + mod - rem
	if s1 >= mod {
		s1 -= mod
	}
	if s1 >= mod {
		s1 -= mod
	}
	if s2 >= mod<<1 {
		s2 -= mod << 1
	}
	if s2 >= mod {
		s2 -= mod
	}
	return uint32(s2<<16 | s1)
}
