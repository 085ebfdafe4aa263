package pngenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Image is an opaque RGBA frame as a PNG will hold it: 8-bit truecolour
// (RGB; alpha is dropped), or 8-bit palette indices when the frame has at
// most 256 colours. Either way the encoder reads the RGBA pixels: equal
// pixels have equal indices, and a literal pixel's index is looked up.
type Image struct {
	W, H int

	src     []byte   // the RGBA frame
	bpp     int      // bytes per pixel in a scanline: 3 or 1
	palette []uint32 // colours (0xbbggrr) of a palette image, else nil
	slots   colorSet // the palette's colours, for index lookups
	colors  []uint32 // the palette's storage, reused
}

// ErrSize reports dimensions that do not match the pixel buffer.
var ErrSize = errors.New("pngenc: bad frame size")

// CheckSize reports whether pix can hold a w x h RGBA frame.
func CheckSize(pix []byte, w, h int) error {
	if w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 || len(pix) < w*h*4 {
		return fmt.Errorf("%w: %dx%d with %d bytes", ErrSize, w, h, len(pix))
	}
	return nil
}

// Truecolor sets m to the RGBA frame pix (stride 4*w) as RGB.
func (m *Image) Truecolor(pix []byte, w, h int) {
	m.W, m.H, m.palette = w, h, nil
	m.src, m.bpp = pix[:w*h*4], 3
}

// Indexed sets m to the frame pix as indices into colors (at most 256),
// which must hold every colour of the frame (see Deflater.Colors; a
// Deflater reports a colour it does not find). It reports false, leaving m
// unchanged, for more than 256 colours.
func (m *Image) Indexed(pix []byte, w, h int, colors []uint32) bool {
	if len(colors) > 256 {
		return false
	}
	m.slots.reset()
	for _, c := range colors {
		m.slots.add(c)
	}
	m.colors = append(m.colors[:0], colors...)
	m.W, m.H, m.palette = w, h, m.colors
	m.src, m.bpp = pix[:w*h*4], 1
	return true
}

// Release drops the image's reference to its frame (an Image kept for reuse
// must not hold on to a frame, possibly a module's memory).
func (m *Image) Release() { m.src, m.palette = nil, nil }

// index returns the palette index of the RGBA pixel p.
func (m *Image) index(p []byte) (byte, bool) {
	return m.slots.index(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16)
}

// row returns row y of the compressed source.
func (m *Image) row(y int) []byte {
	n := m.W * 4
	return m.src[y*n : (y+1)*n]
}

// AppendHeader appends the signature, IHDR and, for a palette image, PLTE.
func (m *Image) AppendHeader(dst []byte) []byte {
	if m.palette == nil {
		return appendHeader(dst, m.W, m.H, 2)
	}
	dst = appendHeader(dst, m.W, m.H, 3)
	dst = binary.BigEndian.AppendUint32(dst, uint32(3*len(m.palette)))
	start := len(dst)
	dst = append(dst, "PLTE"...)
	for _, c := range m.palette {
		dst = append(dst, byte(c), byte(c>>8), byte(c>>16))
	}
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// UnionColors returns the colours of a and then those of b not in a, when
// there are at most 256 of them.
func UnionColors(a, b []uint32) ([]uint32, bool) {
	var s colorSet
	for _, c := range a {
		s.add(c)
	}
	for _, c := range b {
		s.add(c)
	}
	return s.list, !s.over
}
