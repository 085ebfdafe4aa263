// Package fonts parses font files and knows which runes each font draws. The
// render module and the hosts import it both, so the host decides which
// fallback families a text needs with the very code the module draws with.
//
// A fallback family travels from host to module packed (Family.Pack): a
// small header, the runes the family owns (Ranges) and its font files.
package fonts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/go-text/typesetting/font"
)

// Range is an inclusive range of runes.
type Range struct{ Lo, Hi rune }

// Ranges is a sorted list of disjoint, non-adjacent rune ranges.
type Ranges []Range

// Contains reports whether r lies in one of the ranges (binary search).
func (rs Ranges) Contains(r rune) bool {
	lo, hi := 0, len(rs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < rs[m].Lo:
			hi = m
		case r > rs[m].Hi:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// FromRunes builds Ranges from runes in any order.
func FromRunes(runes []rune) Ranges {
	rs := slices.Clone(runes)
	slices.Sort(rs)
	var out Ranges
	for _, r := range rs {
		if n := len(out); n > 0 && r <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, r)
			continue
		}
		out = append(out, Range{r, r})
	}
	return out
}

// Union returns the runes in either list.
func (rs Ranges) Union(o Ranges) Ranges {
	all := append(slices.Clone(rs), o...)
	slices.SortFunc(all, func(a, b Range) int { return int(a.Lo - b.Lo) })
	var out Ranges
	for _, r := range all {
		if n := len(out); n > 0 && r.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Minus returns the runes of rs that are not in o.
func (rs Ranges) Minus(o Ranges) Ranges {
	var out Ranges
	j := 0
	for _, r := range rs {
		lo := r.Lo
		for j < len(o) && o[j].Hi < lo {
			j++
		}
		for k := j; k < len(o) && o[k].Lo <= r.Hi && lo <= r.Hi; k++ {
			if o[k].Lo > lo {
				out = append(out, Range{lo, o[k].Lo - 1})
			}
			lo = max(lo, o[k].Hi+1)
		}
		if lo <= r.Hi {
			out = append(out, Range{lo, r.Hi})
		}
	}
	return out
}

// Coverage returns the runes the font's cmap maps to a glyph.
func Coverage(f *font.Font) Ranges {
	var runes []rune
	it := f.Cmap.Iter()
	for it.Next() {
		r, gid := it.Char()
		if gid != 0 {
			runes = append(runes, r)
		}
	}
	return FromRunes(runes)
}

// Parse reads a font file: TrueType or CFF OpenType, WOFF, or the first font
// of a collection (TTC/OTC).
func Parse(data []byte) (*font.Font, error) {
	if len(data) >= 4 && string(data[:4]) == "ttcf" {
		faces, err := font.ParseTTC(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if len(faces) == 0 {
			return nil, errors.New("empty font collection")
		}
		return faces[0].Font, nil
	}
	if len(data) >= 4 && string(data[:4]) == "wOF2" {
		return nil, errors.New("WOFF2 fonts are not supported; convert to TTF or WOFF")
	}
	f, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return f.Font, nil
}

// IsColor reports whether the font draws its glyphs as colour bitmaps
// (CBDT/sbix): an emoji font.
func IsColor(f *font.Font) bool {
	// A colour bitmap font has bitmap glyph sizes and no outlines for them.
	return len(f.BitmapSizes()) > 0
}

// Family is a fallback family as the host hands it to a render module.
type Family struct {
	Name string
	// Rank orders families: for a rune two families could draw, the lower
	// rank wins (it is the catalogue's order).
	Rank int
	// Owns is the runes this family draws in the module: its coverage
	// minus what the built-in families and lower-ranked families draw.
	Owns          Ranges
	Regular, Bold []byte // font files; Bold may be empty (synthesised)
}

const packMagic = "OGF1"

// Pack encodes the family for ogmint_font / ogmint_font_add:
// "OGF1", rank u32, len(name) u32, name, n u32, n ranges (lo, hi u32),
// len(regular) u32, regular, len(bold) u32, bold. Integers little-endian.
func (f *Family) Pack() []byte {
	n := 4 + 4 + 4 + len(f.Name) + 4 + 8*len(f.Owns) + 4 + len(f.Regular) + 4 + len(f.Bold)
	b := make([]byte, 0, n)
	b = append(b, packMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(f.Rank))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.Name)))
	b = append(b, f.Name...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.Owns)))
	for _, r := range f.Owns {
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Lo))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Hi))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.Regular)))
	b = append(b, f.Regular...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.Bold)))
	return append(b, f.Bold...)
}

// Unpack decodes a packed family. The font files alias b.
func Unpack(b []byte) (*Family, error) {
	bad := errors.New("fonts: malformed packed family")
	if len(b) < 8 || string(b[:4]) != packMagic {
		return nil, bad
	}
	b = b[4:]
	u32 := func() (int, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return int(v), v < 1<<31
	}
	bytesN := func() ([]byte, bool) {
		n, ok := u32()
		if !ok || n > len(b) {
			return nil, false
		}
		out := b[:n:n]
		b = b[n:]
		return out, true
	}
	f := &Family{}
	var ok bool
	if f.Rank, ok = u32(); !ok {
		return nil, bad
	}
	name, ok := bytesN()
	if !ok {
		return nil, bad
	}
	f.Name = string(name)
	n, ok := u32()
	if !ok || n > len(b)/8 {
		return nil, bad
	}
	f.Owns = make(Ranges, n)
	for i := range f.Owns {
		lo, _ := u32()
		hi, _ := u32()
		if hi < lo || hi > 0x10ffff || i > 0 && rune(lo) <= f.Owns[i-1].Hi+1 {
			return nil, bad
		}
		f.Owns[i] = Range{rune(lo), rune(hi)}
	}
	if f.Regular, ok = bytesN(); !ok || len(f.Regular) == 0 {
		return nil, bad
	}
	if f.Bold, ok = bytesN(); !ok || len(b) != 0 {
		return nil, bad
	}
	return f, nil
}

// Files is a fallback family's font files, as the catalogue is given them.
type Files struct {
	Name          string
	Regular, Bold []byte
	// Token, when not 0, is a rune the family also owns: a module asks for
	// it when a text is set in this family and the module lacks it (a
	// template family that is not in the module, see FamilyToken).
	Token rune
}

// FamilyToken is the rune a module asks for when it needs template family
// number i (in the order of templates.Set.FamilyNames) that it does not
// have: one of plane 15's private-use code points, which no font here has.
func FamilyToken(i int) rune { return 0xf0000 + rune(i) }

// Catalog is the host's list of fallback families, in priority order, with
// the runes each owns.
type Catalog struct {
	Families []*Family
	packed   [][]byte
}

// NewCatalog computes which runes each family owns: those its regular font
// covers that neither the built-in families (builtin) nor an earlier family
// cover: every rune has at most one owner, so what a module draws does not
// depend on which families it was given before. A colour (emoji) family
// also owns the emoji-sequence characters (variation selector 16, the
// keycap mark, tags, ZWJ), so a text with emoji asks for it.
func NewCatalog(builtin Ranges, files []Files) (*Catalog, error) {
	c := &Catalog{}
	// The emoji-sequence characters belong to the colour family alone: a
	// module asks for U+FE0F when it meets an emoji it cannot draw.
	taken := builtin.Minus(EmojiSequenceRunes)
	for i, ff := range files {
		f, err := Parse(ff.Regular)
		if err != nil {
			return nil, fmt.Errorf("font family %s: %w", ff.Name, err)
		}
		if len(ff.Bold) > 0 {
			if _, err := Parse(ff.Bold); err != nil {
				return nil, fmt.Errorf("font family %s (bold): %w", ff.Name, err)
			}
		}
		cov := Coverage(f)
		if IsColor(f) {
			// Keycap bases (digits, # and *) stay with the text fonts; the
			// module draws a sequence with VS16 or the keycap mark in colour.
			cov = cov.Union(EmojiSequenceRunes).Minus(Ranges{{'0', '9'}, {'#', '#'}, {'*', '*'}})
		} else {
			cov = cov.Minus(EmojiSequenceRunes)
		}
		owns := cov.Minus(taken)
		if ff.Token != 0 {
			owns = owns.Union(Ranges{{ff.Token, ff.Token}})
		}
		taken = taken.Union(owns)
		c.Families = append(c.Families, &Family{Name: ff.Name, Rank: i, Owns: owns, Regular: ff.Regular, Bold: ff.Bold})
	}
	for _, f := range c.Families {
		c.packed = append(c.packed, f.Pack())
	}
	return c, nil
}

// Needed returns the indices of the families that own any of runes, in
// catalogue order.
func (c *Catalog) Needed(runes []rune) []int {
	var out []int
	for i, f := range c.Families {
		for _, r := range runes {
			if f.Owns.Contains(r) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// Packed is family i packed for ogmint_font.
func (c *Catalog) Packed(i int) []byte { return c.packed[i] }

// MovePacked replaces family i's packed bytes with b, which must hold the
// same bytes (a host keeps them in a read-only mapping of a file, so that
// the heap copy can be collected). Not safe while Packed is being called.
func (c *Catalog) MovePacked(i int, b []byte) { c.packed[i] = b }

// EmojiSequenceRunes are the characters that make a sequence an emoji (ZWJ,
// VS16, the combining keycap, tag characters).
var EmojiSequenceRunes = Ranges{{0x200d, 0x200d}, {0x20e3, 0x20e3}, {0xfe0f, 0xfe0f}, {0xe0020, 0xe007f}}
