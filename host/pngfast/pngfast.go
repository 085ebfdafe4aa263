// Package pngfast is the host's native PNG encoder for render frames: an
// opaque RGBA frame becomes an 8-bit RGB PNG with filter None, deflated with
// github.com/klauspost/compress at level 1 (BestSpeed) in two horizontal bands
// compressed in parallel. It decodes to exactly the pixels of the render
// module's portable encoder (wasm/pngenc with compress/zlib); the bytes differ.
//
// The two bands form one zlib stream: a 0x78 0x01 header, the first band's raw
// deflate ended by a sync flush (byte aligned, not final), the second band's
// raw deflate ended by a final block, then the Adler-32 of all scanline bytes,
// combined from the two bands' checksums.
package pngfast

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/adler32"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/ogmint/ogmint/wasm/pngenc"
)

// Level is the deflate level: BestSpeed. On flat cards it gives smaller and
// faster output than higher levels with PNG filters (see DESIGN.md).
const Level = flate.BestSpeed

// minParallelPixels is the image size below which one band on the calling
// goroutine beats starting a second one.
const minParallelPixels = 64 << 10

// zlibHeader: CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest level, no
// dictionary; (0x78<<8|0x01) % 31 == 0).
var zlibHeader = [2]byte{0x78, 0x01}

var trailer = pngenc.Trailer()

// Encode appends a complete PNG of the w x h opaque RGBA frame pix (stride
// 4*w) to dst and returns the extended slice. Alpha is dropped.
func Encode(dst []byte, pix []byte, w, h int) ([]byte, error) {
	bands := 2
	if w*h < minParallelPixels || h < 2 {
		bands = 1
	}
	return encode(dst, pix, w, h, bands)
}

// ErrSize reports dimensions that do not match the pixel buffer.
var ErrSize = errors.New("pngfast: bad frame size")

func encode(dst []byte, pix []byte, w, h, bands int) ([]byte, error) {
	if w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 || len(pix) < w*h*4 {
		return nil, fmt.Errorf("%w: %dx%d with %d bytes", ErrSize, w, h, len(pix))
	}
	first := getBand(w)
	defer bandPool.Put(first)
	first.out = append(first.out[:0], zlibHeader[:]...)

	if bands == 1 {
		if err := first.compress(pix, w, 0, h, true); err != nil {
			return nil, err
		}
		first.out = binary.BigEndian.AppendUint32(first.out, first.adler.Sum32())
	} else {
		mid := h / 2
		second := getBand(w)
		defer bandPool.Put(second)
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
		sum := adler32Combine(first.adler.Sum32(), second.adler.Sum32(), second.n)
		first.out = append(first.out, second.out...)
		first.out = binary.BigEndian.AppendUint32(first.out, sum)
	}

	header := cardHeader
	if w != cardW || h != cardH {
		header = pngenc.Header(w, h)
	}
	need := len(header) + 12 + len(first.out) + len(trailer)
	if cap(dst)-len(dst) < need {
		grown := make([]byte, len(dst), len(dst)+need)
		copy(grown, dst)
		dst = grown
	}
	dst = append(dst, header...)
	dst = pngenc.AppendChunk(dst, "IDAT", first.out)
	return append(dst, trailer...), nil
}

// The common card size gets a precomputed header.
const cardW, cardH = 1200, 630

var cardHeader = pngenc.Header(cardW, cardH)

// band compresses a range of rows; pooled with its deflate state and buffers.
type band struct {
	fw    *flate.Writer
	out   sliceWriter
	row   []byte
	adler hash.Hash32
	n     int64 // uncompressed bytes written
}

var bandPool sync.Pool

func getBand(w int) *band {
	b, _ := bandPool.Get().(*band)
	if b == nil {
		fw, _ := flate.NewWriter(nil, Level) // err only for a bad level
		b = &band{fw: fw, adler: adler32.New()}
	}
	if cap(b.row) < 1+3*w {
		b.row = make([]byte, 1+3*w)
	}
	return b
}

// compress deflates rows [y0, y1) as scanlines into b.out (appending), ending
// with a final block when last, else with a sync flush.
func (b *band) compress(pix []byte, w, y0, y1 int, last bool) error {
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
func (b *band) Write(p []byte) (int, error) {
	b.adler.Write(p)
	b.n += int64(len(p))
	return b.fw.Write(p)
}

type sliceWriter []byte

func (s *sliceWriter) Write(p []byte) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}

// adler32Combine returns the Adler-32 of A||B from adler32(A), adler32(B) and
// len(B) (zlib's adler32_combine).
func adler32Combine(a, b uint32, lenB int64) uint32 {
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
