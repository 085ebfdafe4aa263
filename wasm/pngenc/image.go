package pngenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Image is an opaque RGBA frame as a PNG will hold it: 8-bit truecolour
// (RGB; alpha is dropped), or 8-bit palette indices when the frame has at
// most 256 colours. A palette image is first mapped to a plane of indices
// (one byte per pixel), which the Deflater then compresses; a truecolour
// image is compressed from the RGBA frame itself.
type Image struct {
	W, H int

	src     []byte   // the RGBA frame, or the index plane of a palette image
	px      int      // bytes per pixel in src: 4 or 1
	pxShift uint     // log2(px)
	bpp     int      // bytes per pixel in a scanline: 3 or 1
	palette []uint32 // colours (0xbbggrr) of a palette image, else nil
	slots   colorSet // the palette's colours, for index lookups
	plane   []byte   // the index plane's storage, reused

	// PaletteSplit's lower rows: their colours, their indices' new numbers
	// and whether they change.
	lower      colorSet
	lowerIndex [256]uint8
	lowerRows  []byte
	remap      bool
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
	m.src, m.px, m.pxShift, m.bpp = pix[:w*h*4], 4, 2, 3
}

// Palette sets m to the RGBA frame pix (stride 4*w) as palette indices, the
// colours numbered in order of first use, and reports true when the frame
// has at most 256 colours. Otherwise it stops at the 257th and reports
// false; m must then be set again (Truecolor) before it is used.
//
// Rows equal to the row above copy its indices, as do blocks of eight
// pixels equal to those above; elsewhere a colour is looked up only where
// it differs from the pixel to its left.
func (m *Image) Palette(pix []byte, w, h int) bool {
	plane := m.planeFor(w, h)
	m.slots.reset()
	if !m.slots.mapRows(plane, pix, w, 0, h) {
		m.src, m.palette = nil, nil
		return false
	}
	m.setPalette(plane, w, h)
	return true
}

// PaletteSplit is Palette with rows [mid, h) mapped on a second goroutine,
// their colours numbered after those of the rows above. The indices of
// those rows are right only after FinishSplit, which may run on another
// goroutine while rows [0, mid) are read; the image is then the one
// Palette makes.
func (m *Image) PaletteSplit(pix []byte, w, h, mid int) bool {
	plane := m.planeFor(w, h)
	m.slots.reset()
	m.lower.reset()
	done := make(chan bool, 1)
	go func() { done <- m.lower.mapRows(plane, pix, w, mid, h) }()
	ok := m.slots.mapRows(plane, pix, w, 0, mid)
	if !<-done || !ok {
		m.src, m.palette = nil, nil
		return false
	}
	// The lower rows' colours in the order Palette meets them: those of the
	// upper rows keep their numbers, the others follow.
	m.remap = false
	for i, c := range m.lower.list {
		j, ok := m.slots.put(c)
		if !ok {
			m.src, m.palette = nil, nil
			return false
		}
		m.lowerIndex[i] = j
		m.remap = m.remap || j != uint8(i)
	}
	m.lowerRows = plane[mid*w : h*w]
	m.setPalette(plane, w, h)
	return true
}

// FinishSplit renumbers the rows PaletteSplit mapped on its second
// goroutine (often nothing to do).
func (m *Image) FinishSplit() {
	if m.remap {
		t := &m.lowerIndex
		for i, v := range m.lowerRows {
			m.lowerRows[i] = t[v]
		}
	}
	m.remap, m.lowerRows = false, nil
}

// planeFor returns the index plane's storage for a w x h frame.
func (m *Image) planeFor(w, h int) []byte {
	n := w * h
	if cap(m.plane) < n {
		m.plane = make([]byte, n)
	}
	return m.plane[:n]
}

// setPalette sets m to the index plane of a w x h frame.
func (m *Image) setPalette(plane []byte, w, h int) {
	m.W, m.H, m.palette = w, h, m.slots.list
	m.src, m.px, m.pxShift, m.bpp = plane, 1, 0, 1
}

// Release drops the image's reference to its frame (an Image kept for reuse
// must not hold on to a frame, possibly a module's memory).
func (m *Image) Release() { m.src, m.palette = nil, nil }

// row returns row y of the compressed source (RGBA pixels or indices).
func (m *Image) row(y int) []byte {
	n := m.W * m.px
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
