package typeset

import "golang.org/x/image/math/fixed"

// widthsMemo keeps the cluster and segment widths of the last paragraphs
// laid out or drawn, each at one size and letter spacing: a card's stack
// lays its title out at a size, then again balanced at that size, then
// draws it at that size. A slot holds its paragraph, so no other
// paragraph can take its address while the slot remembers it.
type widthsMemo struct {
	slots [4]widthsSlot
	next  int
}

// widthsSlot is one paragraph's widths at one size and spacing; segs is
// filled on first use (drawing needs only the clusters' widths).
type widthsSlot struct {
	p       *para
	size    int
	spacing fixed.Int26_6
	w       []fixed.Int26_6
	sw      []segWidth
	segsOK  bool
}

// slot returns the slot of p at st's size and spacing, its cluster widths
// computed.
func (t *Typesetter) slot(p *para, st Style) *widthsSlot {
	m := &t.sized
	for i := range m.slots {
		s := &m.slots[i]
		if s.p == p && s.size == st.Size && s.spacing == st.Spacing {
			return s
		}
	}
	s := &m.slots[m.next]
	m.next = (m.next + 1) % len(m.slots)
	s.p, s.size, s.spacing, s.segsOK = p, st.Size, st.Spacing, false
	s.w = appendClusterWidths(s.w[:0], t, p, st)
	return s
}

// clusterWidthsAt is clusterWidths(p, st), remembered. The slice is
// shared: do not modify it.
func (t *Typesetter) clusterWidthsAt(p *para, st Style) []fixed.Int26_6 {
	return t.slot(p, st).w
}

// widthsAt is clusterWidths(p, st) and segmentWidths of them, remembered.
// The slices are shared: do not modify them.
func (t *Typesetter) widthsAt(p *para, st Style) ([]fixed.Int26_6, []segWidth) {
	s := t.slot(p, st)
	if !s.segsOK {
		s.sw, s.segsOK = appendSegmentWidths(s.sw[:0], p, s.w), true
	}
	return s.w, s.sw
}
