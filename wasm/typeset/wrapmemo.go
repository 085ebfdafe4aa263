package typeset

import "slices"

// wrapKey is everything Wrap's block depends on but the fonts (a change of
// fonts empties the memo with the paragraphs).
type wrapKey struct {
	text            string
	st              Style
	lineHeight      float64
	width, maxLines int
	balance         bool
}

// wrapMemo keeps the last blocks Wrap laid out: a card's stack lays its
// texts out at several sizes while it searches for the largest at which
// they fit, most of them more than once at one size (the description five
// times at one size on the blog card, its tag seven).
type wrapMemo struct {
	keys   [8]wrapKey
	blocks [8]*Block
	next   int
}

// get returns a copy of the block laid out for k, or nil.
func (m *wrapMemo) get(k wrapKey) *Block {
	for i := range m.keys {
		if b := m.blocks[i]; b != nil && m.keys[i] == k {
			cp := *b
			cp.Lines = slices.Clone(b.Lines)
			return &cp
		}
	}
	return nil
}

// put remembers a copy of b as k's block, in place of the oldest.
func (m *wrapMemo) put(k wrapKey, b *Block) {
	cp := *b
	cp.Lines = slices.Clone(b.Lines)
	m.keys[m.next], m.blocks[m.next] = k, &cp
	m.next = (m.next + 1) % len(m.keys)
}
