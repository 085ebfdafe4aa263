package raster

// Resize makes the frame w x h. Its buffer is kept when it is large
// enough (a card of another size does not allocate again when the size
// comes back); the pixels are undefined until the next Clear.
func (f *Frame) Resize(w, h int) {
	if f.W == w && f.H == h {
		return
	}
	n := max(w*h*4, 0)
	if cap(f.Pix) >= n {
		f.Pix = f.Pix[:n]
	} else {
		f.Pix = make([]byte, n)
	}
	f.W, f.H = w, h
	f.scratch = nil
	f.inkLo, f.inkHi = nil, nil // no ink record until the next clear
	f.cover = coverRect{}
}

// Layer is a saved frame: its pixels and what the frame knows about them
// (where it was drawn on since its last clear), so that loading it back
// and drawing on gives the very pixels drawing on the original gives.
type Layer struct {
	W, H         int
	pix          []byte
	inkLo, inkHi []int32
	cover        coverRect
}

// Bytes is the memory the layer holds.
func (l *Layer) Bytes() int { return cap(l.pix) + 4*(cap(l.inkLo)+cap(l.inkHi)) }

// Save copies the frame into l, reusing its buffers (nil: a new layer), and
// returns it.
func (f *Frame) Save(l *Layer) *Layer {
	if l == nil {
		l = &Layer{}
	}
	l.W, l.H = f.W, f.H
	l.pix = append(l.pix[:0], f.Pix...)
	l.inkLo = append(l.inkLo[:0], f.inkLo...)
	l.inkHi = append(l.inkHi[:0], f.inkHi...)
	l.cover = f.cover
	return l
}

// Load copies a layer saved from a frame of this size into the frame; it
// reports false, changing nothing, for a layer of another size.
func (f *Frame) Load(l *Layer) bool {
	if l.W != f.W || l.H != f.H || len(l.pix) != len(f.Pix) {
		return false
	}
	copy(f.Pix, l.pix)
	if len(l.inkLo) == 0 {
		f.inkLo, f.inkHi = f.inkLo[:0], f.inkHi[:0]
	} else {
		f.inkLo = append(f.inkLo[:0], l.inkLo...)
		f.inkHi = append(f.inkHi[:0], l.inkHi...)
	}
	f.cover = l.cover
	return true
}
