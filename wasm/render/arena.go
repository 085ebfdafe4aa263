package render

import "github.com/ogmint/ogmint/wasm/raster"

// maxArenaBytes bounds the buffers an arena keeps; past it, buffers are
// allocated (and collected) as usual.
const maxArenaBytes = 32 << 20

// arena hands out the buffers of one element's masks (coverage, outline,
// blur) and takes them back for the next element: the n-th buffer asked for
// is the n-th kept, so drawing a template again allocates no masks. In the
// module the garbage collector runs on the render's core, over the
// instance's whole heap: garbage costs render time.
type arena struct {
	bufs  [][]byte
	next  int
	bytes int
}

// reset takes every buffer back.
func (a *arena) reset() { a.next = 0 }

// get returns n zeroed bytes.
func (a *arena) get(n int) []byte {
	if a.next < len(a.bufs) {
		b := a.bufs[a.next]
		if cap(b) >= n {
			a.next++
			b = b[:n]
			clear(b)
			return b
		}
		if a.bytes-cap(b)+n <= maxArenaBytes {
			a.bytes += n - cap(b)
			a.bufs[a.next] = make([]byte, n)
			a.next++
			return a.bufs[a.next-1]
		}
		return make([]byte, n)
	}
	b := make([]byte, n)
	if a.bytes+n <= maxArenaBytes {
		a.bufs = append(a.bufs, b)
		a.bytes += n
		a.next++
	}
	return b
}

// mask returns a zeroed w x h mask placed at (x, y), its rows padded to
// whole words as raster.NewMask pads them.
func (a *arena) mask(x, y, w, h int) *raster.Mask {
	w8 := (max(w, 0) + 7) &^ 7
	h = max(h, 0)
	return &raster.Mask{X: x, Y: y, W: w8, H: h, Pix: a.get(w8 * h)}
}
