package typeset

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
// times at one size on the blog card, its tag seven). It keeps copies, in
// buffers it reuses, and hands out copies.
type wrapMemo struct {
	keys   [8]wrapKey
	blocks [8]Block
	used   [8]bool
	next   int
}

// get returns a copy of the block laid out for k, or nil.
func (m *wrapMemo) get(k wrapKey) *Block {
	for i := range m.keys {
		if m.used[i] && m.keys[i] == k {
			return copyBlock(&m.blocks[i])
		}
	}
	return nil
}

// put remembers a copy of b as k's block, in place of the oldest.
func (m *wrapMemo) put(k wrapKey, b *Block) {
	i := m.next
	lines := append(m.blocks[i].Lines[:0], b.Lines...)
	m.keys[i], m.blocks[i], m.used[i] = k, *b, true
	m.blocks[i].Lines = lines
	m.next = (i + 1) % len(m.keys)
}

// blockAlloc is a block with room for its lines, allocated at once.
type blockAlloc struct {
	b     Block
	lines [4]Line
}

// newBlock returns an empty block with room for four lines.
func newBlock() *Block {
	a := new(blockAlloc)
	a.b.Lines = a.lines[:0]
	return &a.b
}

// copyBlock returns a copy of b (its lines too) in one allocation.
func copyBlock(b *Block) *Block {
	cp := newBlock()
	lines := append(cp.Lines, b.Lines...)
	*cp = *b
	cp.Lines = lines
	return cp
}
