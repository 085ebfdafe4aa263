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
// times at one size on the blog card, its tag seven). The blocks are
// shared with Wrap's callers, who do not modify them.
type wrapMemo struct {
	keys   [8]wrapKey
	blocks [8]*Block
	next   int
}

// get returns the block laid out for k, or nil.
func (m *wrapMemo) get(k wrapKey) *Block {
	for i, b := range m.blocks {
		if b != nil && m.keys[i].same(&k) {
			return b
		}
	}
	return nil
}

// same is k == *o with the numbers compared before the text (a call to
// compare bytes in WebAssembly; most keys differ in their size).
func (k *wrapKey) same(o *wrapKey) bool {
	return k.st == o.st && k.width == o.width && k.maxLines == o.maxLines && k.balance == o.balance &&
		k.lineHeight == o.lineHeight && k.text == o.text
}

// put remembers b as k's block, in place of the oldest.
func (m *wrapMemo) put(k wrapKey, b *Block) {
	m.keys[m.next], m.blocks[m.next] = k, b
	m.next = (m.next + 1) % len(m.keys)
}

// blockAlloc is a block with room for its lines.
type blockAlloc struct {
	b     Block
	lines [4]Line
}

// newBlock returns an empty block with room for four lines, from a slab
// of them allocated sixteen at a time (a card lays out a dozen blocks;
// the garbage collector frees a slab when none of its blocks is used).
func (t *Typesetter) newBlock() *Block {
	if len(t.blockSlab) == 0 {
		t.blockSlab = make([]blockAlloc, 16)
	}
	a := &t.blockSlab[0]
	t.blockSlab = t.blockSlab[1:]
	a.b.Lines = a.lines[:0]
	return &a.b
}

// copyBlock returns a copy of b (its lines too).
func (t *Typesetter) copyBlock(b *Block) *Block {
	cp := t.newBlock()
	lines := append(cp.Lines, b.Lines...)
	*cp = *b
	cp.Lines = lines
	return cp
}
