// SPDX-License-Identifier: Unlicense OR BSD-3-Clause

package font

import "github.com/go-text/typesetting/font/opentype/tables"

// lazyGlyf is the 'glyf' table kept as bytes, each glyph parsed when it is
// asked for. (ogmint patch: upstream parses every glyph of a font when it
// loads it: 17 ms and tens of MiB for a 4 MB CJK font, which a render
// instance with a 128 MiB memory cap cannot afford.)
type lazyGlyf struct {
	raw  []byte
	loca []uint32 // numGlyphs + 1 offsets into raw
}

// Len is the number of glyphs.
func (g lazyGlyf) Len() int { return max(len(g.loca)-1, 0) }

// At parses glyph gid; a glyph without an outline, out of range or damaged
// is the zero Glyph (no contours), as upstream leaves it.
func (g lazyGlyf) At(gid tables.GlyphID) tables.Glyph {
	if int(gid) >= g.Len() {
		return tables.Glyph{}
	}
	start, end := g.loca[gid], g.loca[gid+1]
	if start >= end || int(end) > len(g.raw) {
		return tables.Glyph{}
	}
	out, _, err := tables.ParseGlyph(g.raw[start:end])
	if err != nil {
		return tables.Glyph{}
	}
	return out
}

// all parses every glyph (variable fonts need them for 'gvar').
func (g lazyGlyf) all() tables.Glyf {
	out := make(tables.Glyf, g.Len())
	for i := range out {
		out[i] = g.At(tables.GlyphID(i))
	}
	return out
}
