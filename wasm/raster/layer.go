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

// RoundRectMask returns the coverage RoundRect(x, y, w, h, r) draws, as a
// mask placed at (x, y) from the origin (the outline of the shape, for its
// shadow), in pix when it is large enough (nil: a new buffer).
func (f *Frame) RoundRectMask(x, y, w, h, r int, pix []byte) *Mask {
	w, h = max(w, 0), max(h, 0)
	r = max(0, min(r, w/2, h/2))
	m := NewMask(x, y, 0, h)
	m.W = (w + 7) &^ 7
	if cap(pix) >= m.W*h {
		m.Pix = pix[:m.W*h]
		clear(m.Pix)
	} else {
		m.Pix = make([]byte, m.W*h)
	}
	var left, right []byte
	if r > 0 {
		left, right = f.corner(r)
	}
	for j := range h {
		inset, cy := cornerRow(j, h, r)
		row := m.Pix[j*m.W : j*m.W+w]
		for i := inset; i < w-inset; i++ {
			row[i] = 255
		}
		if inset > 0 {
			copy(row[:r], left[cy*r:(cy+1)*r])
			copy(row[w-r:], right[cy*r:(cy+1)*r])
		}
	}
	return m
}
