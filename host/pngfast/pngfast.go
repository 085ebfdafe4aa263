// Package pngfast is the host's PNG encoder for render frames: the render
// module's own encoder (wasm/pngenc: a palette PNG when the frame has at most
// 256 colours, else RGB; rows equal to the row above filtered Up, the others
// None; a deflate made for cards), run on two horizontal bands in parallel.
// It decodes to exactly the pixels of every other encoder of the project;
// the bytes differ.
//
// The two bands form one zlib stream: the first band's deflate ends on a
// sync flush (byte aligned, not final), the second's on a final block; the
// second band's matches may reach back into the first band's rows, which the
// decoder already holds. The Adler-32 is combined from the bands' checksums.
package pngfast

import (
	"sync"

	"github.com/ogmint/ogmint/wasm/pngenc"
)

// Version names the encoder's output: it changes when the PNG bytes for the
// same pixels change (caches keyed by it then miss once).
const Version = "pngfast-3"

// minParallelPixels is the image size below which one band on the calling
// goroutine beats starting a second one.
const minParallelPixels = 64 << 10

// ErrSize reports dimensions that do not match the pixel buffer.
var ErrSize = pngenc.ErrSize

// Encode appends a complete PNG of the w x h opaque RGBA frame pix (stride
// 4*w) to dst and returns the extended slice. Alpha is dropped.
func Encode(dst []byte, pix []byte, w, h int) ([]byte, error) {
	bands := 2
	if w*h < minParallelPixels || h < 2 {
		bands = 1
	}
	return encode(dst, pix, w, h, bands)
}

// state is one encode's scratch, pooled: the image and a deflater per band.
type state struct {
	img    pngenc.Image
	d      [2]pngenc.Deflater
	second []byte // the second band's deflate
}

var pool = sync.Pool{New: func() any { return new(state) }}

func encode(dst []byte, pix []byte, w, h, bands int) ([]byte, error) {
	if err := pngenc.CheckSize(pix, w, h); err != nil {
		return nil, err
	}
	s := pool.Get().(*state)
	defer pool.Put(s)
	defer s.img.Release() // the frame is an instance's memory
	palette := false
	if bands == 2 {
		palette = s.img.PaletteSplit(pix, w, h, h/2)
	} else {
		palette = s.img.Palette(pix, w, h)
	}
	if !palette {
		s.img.Truecolor(pix, w, h)
	}
	return s.write(dst, bands), nil
}

// write appends the PNG of s.img to dst, compressed in bands.
func (s *state) write(dst []byte, bands int) []byte {
	dst, start := pngenc.BeginIDAT(s.img.AppendHeader(dst))
	if bands == 1 {
		dst, sum, _ := s.d[0].Rows(dst, &s.img, 0, s.img.H, true)
		return pngenc.EndIDAT(dst, start, sum)
	}
	mid := s.img.H / 2
	done := make(chan struct{})
	var sum2 uint32
	var n2 int64
	go func() {
		s.img.FinishSplit() // the second band's indices, while the first is compressed
		s.second, sum2, n2 = s.d[1].Rows(s.second[:0], &s.img, mid, s.img.H, true)
		close(done)
	}()
	dst, sum1, _ := s.d[0].Rows(dst, &s.img, 0, mid, false)
	<-done
	dst = append(dst, s.second...)
	return pngenc.EndIDAT(dst, start, pngenc.Adler32Combine(sum1, sum2, n2))
}
