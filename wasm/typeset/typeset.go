// Package typeset lays out and draws card text: a font per grapheme
// cluster (the style's family, the built-in fallbacks, then the fallback
// families the host handed over), shaping with package shape, line breaking
// at UAX #14 opportunities with balanced lines, shrink-to-fit within a size
// range, ellipsis at a word boundary, bidi reordering per line, and glyph
// masks and emoji bitmaps cached within byte budgets.
package typeset

import (
	"fmt"
	"slices"
	"unicode"

	"github.com/go-text/typesetting/font"
	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/wasm/bounded"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/shape"
)

// Ellipsis ends a clamped line.
const Ellipsis = '…'

// Budgets of the caches, in bytes.
const (
	ShapeCacheBytes = 2 << 20
	ParaCacheBytes  = 1 << 20
	MaskCacheBytes  = 4 << 20
	EmojiCacheBytes = 2 << 20
	OwnerCacheBytes = 256 << 10
)

// Style selects a font and size.
type Style struct {
	Family int // index into the Typesetter's families
	Bold   bool
	Size   int // px
	// Spacing is letter spacing: added after every cluster but a line's
	// last, in measuring, wrapping and drawing (px, 26.6; may be negative).
	Spacing fixed.Int26_6
}

// face is one font file the typesetter draws with.
type face struct {
	f       *font.Face
	upem    int32
	color   bool  // colour bitmaps (emoji)
	synth   bool  // emboldened when drawn (a bold asked of a family without one)
	ascent  int32 // font units
	descent int32 // font units, positive
	space   int32 // advance of U+0020, font units x 64
}

// extra is a fallback family handed over by the host.
type extra struct {
	rank      int
	name      string
	owns      fonts.Ranges
	reg, bold int // face indices
}

// Typesetter owns the fonts and every cache. Not safe for concurrent use.
type Typesetter struct {
	families []string
	builtin  [][2]int // family -> face index of regular, bold
	fallback []int    // built-in families tried after the requested one
	faces    []*face
	extras   []extra // by rank
	color    int     // face index of the colour (emoji) family, or -1
	// freeFaces and freeFamilies are slots RemoveFamily emptied, for the
	// next AddUserFamily.
	freeFaces, freeFamilies []int
	nBuiltin                int // families declared at New; user families follow

	an     shape.Analyzer
	shaper *shape.Shaper
	paras  *bounded.Cache[paraKey, *para]
	owner  *bounded.Cache[ownerKey, int16]
	masks  *bounded.Cache[maskKey, *raster.Mask]
	front  maskFront  // in front of masks
	wraps  wrapMemo   // Wrap's last blocks
	sized  widthsMemo // the last paragraphs' widths at a size
	emoji  *bounded.Cache[emojiKey, *emojiBitmap]
	latin  [][256]int16 // owner of runes < 256 by face index of the style; -3 unknown

	missing   []rune // runes no font drew, since ResetMissing
	widths    []fixed.Int26_6
	faceBuf   []int16 // paragraph's face per rune
	segWidths []segWidth
	scratch   []Line       // balancing's trial lines
	order     []int        // drawLine's visual order
	levels    []int8       // and the levels it reorders
	blockSlab []blockAlloc // newBlock's

	lastInitials struct { // Initials' last name
		name, initials string
		ok             bool
	}
}

type paraKey struct {
	text   string
	family int16
	bold   bool
}

type ownerKey struct {
	family int16
	bold   bool
	r      rune
}

// emojiKey is a colour glyph at a size and opacity.
type emojiKey struct {
	face  int16
	size  int16
	alpha uint8
	gid   font.GID
}

type maskKey struct {
	face int16
	size int16
	sub  int8
	gid  font.GID
}

// FontData is one family's font files.
type FontData struct {
	Name          string
	Regular, Bold []byte
}

// New parses the built-in families; fallback lists family names tried, in
// order, for glyphs a requested family lacks.
func New(families []FontData, fallback []string) (*Typesetter, error) {
	t := &Typesetter{
		color:  -1,
		shaper: shape.NewShaper(ShapeCacheBytes),
		paras:  bounded.New[paraKey, *para](ParaCacheBytes),
		owner:  bounded.New[ownerKey, int16](OwnerCacheBytes),
		masks:  bounded.New[maskKey, *raster.Mask](MaskCacheBytes),
		emoji:  bounded.New[emojiKey, *emojiBitmap](EmojiCacheBytes),
	}
	for _, fam := range families {
		idx := [2]int{-1, -1}
		for i, data := range [][]byte{fam.Regular, fam.Bold} {
			if data == nil {
				continue // declared: the host hands it over (AddFamily)
			}
			fi, err := t.addFace(data, false)
			if err != nil {
				return nil, fmt.Errorf("font %s: %w", fam.Name, err)
			}
			idx[i] = fi
		}
		t.builtin = append(t.builtin, idx)
		t.families = append(t.families, fam.Name)
	}
	t.nBuiltin = len(t.families)
	for _, name := range fallback {
		i := t.FamilyIndex(name)
		if i < 0 || !t.Loaded(i) {
			return nil, fmt.Errorf("fallback family %q not loaded", name)
		}
		t.fallback = append(t.fallback, i)
	}
	return t, nil
}

func (t *Typesetter) addFace(data []byte, synth bool) (int, error) {
	fc, err := newFace(data, synth)
	if err != nil {
		return 0, err
	}
	var lat [256]int16
	for i := range lat {
		lat[i] = -3
	}
	if n := len(t.freeFaces); n > 0 {
		fi := t.freeFaces[n-1]
		t.freeFaces = t.freeFaces[:n-1]
		t.faces[fi], t.latin[fi] = fc, lat
		return fi, nil
	}
	t.faces = append(t.faces, fc)
	t.latin = append(t.latin, lat)
	return len(t.faces) - 1, nil
}

// newFace parses a font file into a face.
func newFace(data []byte, synth bool) (*face, error) {
	f, err := fonts.Parse(data)
	if err != nil {
		return nil, err
	}
	ff := font.NewFace(f)
	fc := &face{f: ff, upem: int32(f.Upem()), color: fonts.IsColor(f), synth: synth}
	if ext, ok := ff.FontHExtents(); ok {
		fc.ascent, fc.descent = int32(ext.Ascender+0.5), int32(-ext.Descender+0.5)
	}
	if fc.color {
		// Bitmap extents are read at the font's largest strike.
		sizes := f.BitmapSizes()
		best := sizes[0]
		for _, s := range sizes {
			if s.YPpem > best.YPpem {
				best = s
			}
		}
		ff.SetPpem(best.XPpem, best.YPpem)
	}
	if g, ok := ff.NominalGlyph(' '); ok {
		fc.space = int32(ff.HorizontalAdvance(g) * 64)
	} else {
		fc.space = fc.upem * 64 / 4
	}
	return fc, nil
}

// AddFamily adds a fallback family the host handed over (packed by
// fonts.Family.Pack). Its bold, if it has none, is synthesised.
func (t *Typesetter) AddFamily(packed []byte) error {
	fam, err := fonts.Unpack(packed)
	if err != nil {
		return err
	}
	for _, e := range t.extras {
		if e.rank == fam.Rank {
			return nil // already here
		}
	}
	reg, err := t.addFace(fam.Regular, false)
	if err != nil {
		return fmt.Errorf("font family %s: %w", fam.Name, err)
	}
	bold := -1
	if len(fam.Bold) > 0 {
		if bold, err = t.addFace(fam.Bold, false); err != nil {
			return fmt.Errorf("font family %s (bold): %w", fam.Name, err)
		}
	} else if t.variableWeight(reg) {
		// A variable font: the bold is its own instance at wght 700, parsed
		// again so that the shaper (which keeps one HarfBuzz font per
		// parsed font) sees each instance's coordinates.
		if bold, err = t.addFace(fam.Regular, false); err != nil {
			return fmt.Errorf("font family %s (bold): %w", fam.Name, err)
		}
		setWeight(t.faces[bold], 700)
	} else {
		// The same font file, drawn emboldened.
		cp := *t.faces[reg]
		cp.synth = !cp.color
		t.faces = append(t.faces, &cp)
		t.latin = append(t.latin, t.latin[reg])
		bold = len(t.faces) - 1
	}
	t.extras = append(t.extras, extra{rank: fam.Rank, name: fam.Name, owns: fam.Owns, reg: reg, bold: bold})
	if i := t.FamilyIndex(fam.Name); i >= 0 && !t.Loaded(i) {
		t.builtin[i] = [2]int{reg, bold} // a declared family arrives
	}
	slices.SortFunc(t.extras, func(a, b extra) int { return a.rank - b.rank })
	if t.faces[reg].color {
		t.color = reg
	}
	// Texts laid out before may now be drawn with the new family.
	t.paras.Clear()
	t.wraps = wrapMemo{}
	t.sized = widthsMemo{}
	t.owner.Clear()
	for i := range t.latin {
		for r := range t.latin[i] {
			t.latin[i][r] = -3
		}
	}
	return nil
}

// AddUserFamily adds a template family the host handed over (abi step 1e):
// a style may then name it (FamilyIndex(name)). Unlike a fallback family it
// owns no runes; its bold, when bold is empty, is the regular font as it is
// (not emboldened: the key uploaded one weight, and the other weight falls
// back to it). A family of that name already here is left as it is.
func (t *Typesetter) AddUserFamily(name string, regular, bold []byte) error {
	if t.FamilyIndex(name) >= 0 {
		return nil
	}
	reg, err := t.addFace(regular, false)
	if err != nil {
		return fmt.Errorf("font family %s: %w", name, err)
	}
	if t.faces[reg].color {
		t.removeFace(reg)
		return fmt.Errorf("font family %s: a colour bitmap font cannot be a template family", name)
	}
	b := reg
	if len(bold) > 0 {
		if b, err = t.addFace(bold, false); err != nil {
			t.removeFace(reg)
			return fmt.Errorf("font family %s (bold): %w", name, err)
		}
		if t.faces[b].color {
			t.removeFace(reg)
			t.removeFace(b)
			return fmt.Errorf("font family %s (bold): a colour bitmap font cannot be a template family", name)
		}
	}
	if n := len(t.freeFamilies); n > 0 {
		i := t.freeFamilies[n-1]
		t.freeFamilies = t.freeFamilies[:n-1]
		t.families[i], t.builtin[i] = name, [2]int{reg, b}
	} else {
		t.families = append(t.families, name)
		t.builtin = append(t.builtin, [2]int{reg, b})
	}
	return nil
}

// RemoveFamily drops a family AddUserFamily added, so that its fonts can
// be freed; its slots are reused by later families. Every cache that
// refers to faces or families by index is emptied (eviction is rare: the
// module keeps user families within a byte budget). It reports whether
// the family was here.
func (t *Typesetter) RemoveFamily(name string) bool {
	i := t.FamilyIndex(name)
	if i < t.nBuiltin {
		return false // not found, or declared at New
	}
	reg, bold := t.builtin[i][0], t.builtin[i][1]
	t.removeFace(reg)
	if bold != reg {
		t.removeFace(bold)
	}
	t.families[i], t.builtin[i] = "", [2]int{-1, -1}
	t.freeFamilies = append(t.freeFamilies, i)
	t.paras.Clear()
	t.wraps = wrapMemo{}
	t.sized = widthsMemo{}
	t.owner.Clear()
	t.masks.Clear()
	t.front.clear(t.masks.Evictions)
	t.emoji.Clear()
	t.shaper.Reset()
	for i := range t.latin {
		for r := range t.latin[i] {
			t.latin[i][r] = -3
		}
	}
	return true
}

// removeFace empties face slot fi for reuse.
func (t *Typesetter) removeFace(fi int) {
	t.faces[fi] = nil
	t.freeFaces = append(t.freeFaces, fi)
}

// wght is the OpenType weight axis.
var wght = font.Tag(uint32('w')<<24 | uint32('g')<<16 | uint32('h')<<8 | uint32('t'))

// setWeight sets a face's weight axis to w (a font without one is left as
// it is) and refreshes the metrics that depend on it.
func setWeight(fc *face, w float32) {
	fc.f.SetVariations([]font.Variation{{Tag: wght, Value: w}})
	if ext, ok := fc.f.FontHExtents(); ok {
		fc.ascent, fc.descent = int32(ext.Ascender+0.5), int32(-ext.Descender+0.5)
	}
	if g, ok := fc.f.NominalGlyph(' '); ok {
		fc.space = int32(fc.f.HorizontalAdvance(g) * 64)
	}
}

// variableWeight reports whether face fi has a weight axis reaching bold,
// and sets it to regular (400) when it does.
func (t *Typesetter) variableWeight(fi int) bool {
	fc := t.faces[fi]
	fc.f.SetVariations([]font.Variation{{Tag: wght, Value: 700}})
	bold := slices.ContainsFunc(fc.f.Coords(), func(c font.VarCoord) bool { return c != 0 })
	if bold {
		setWeight(fc, 400)
	} else {
		fc.f.SetVariations(nil)
	}
	return bold
}

// Families lists the names of the fallback families handed over.
func (t *Typesetter) Families() []string {
	var out []string
	for _, e := range t.extras {
		out = append(out, e.name)
	}
	return out
}

// Loaded reports whether family i's fonts are here (a declared family is
// not until the host hands it over).
func (t *Typesetter) Loaded(i int) bool { return t.builtin[i][0] >= 0 }

// Want records that a text needs declared family i: Missing reports its
// token (fonts.FamilyToken) so that the host hands it over.
func (t *Typesetter) Want(i int) { t.addMissing(fonts.FamilyToken(i)) }

// FamilyIndex returns the index of a built-in or user family name, or -1.
func (t *Typesetter) FamilyIndex(name string) int {
	if name == "" {
		return -1
	}
	for i, n := range t.families {
		if n == name {
			return i
		}
	}
	return -1
}

// Missing returns the runes no font could draw since ResetMissing, each once.
func (t *Typesetter) Missing() []rune { return t.missing }

// ResetMissing forgets the missing runes.
func (t *Typesetter) ResetMissing() { t.missing = t.missing[:0] }

func (t *Typesetter) addMissing(runes ...rune) {
	for _, r := range runes {
		if !slices.Contains(t.missing, r) && len(t.missing) < 1024 {
			t.missing = append(t.missing, r)
		}
	}
}

// CacheBytes is the size of every text cache together.
func (t *Typesetter) CacheBytes() int {
	return t.shaper.CacheBytes() + t.paras.Bytes() + t.owner.Bytes() + t.masks.Bytes() + t.emoji.Bytes()
}

func (t *Typesetter) styleFace(st Style) int { return t.builtin[st.Family][b2i(st.Bold)] }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Invisible reports whether r draws nothing on its own: joiners, variation
// selectors, tag characters and other default-ignorable code points.
func Invisible(r rune) bool {
	return r == 0x200c || r == 0x200d || r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0000 && r <= 0xe0fff ||
		r == 0x34f || r >= 0x115f && r <= 0x1160 || r >= 0x17b4 && r <= 0x17b5 || r >= 0x180b && r <= 0x180f ||
		r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2060 && r <= 0x206f ||
		r == 0x3164 || r == 0xfeff || r == 0xffa0 || r >= 0xfff0 && r <= 0xfff8 || r >= 0x1bca0 && r <= 0x1bca3 ||
		r >= 0x1d173 && r <= 0x1d17a || r == 0xad || r == 0x61c
}

// Visible reports whether text has a character that draws ink: not only
// white space and default-ignorable code points.
func Visible(text string) bool {
	for _, r := range text {
		if !Invisible(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Cc, r) {
			return true
		}
	}
	return false
}

// faceFor returns the face that draws a cluster whose first rune is r in
// style st, or -1 when no font has it.
func (t *Typesetter) faceFor(st Style, r rune) int {
	if r < 256 {
		lat := &t.latin[t.styleFace(st)]
		if fi := lat[r]; fi != -3 {
			return int(fi)
		}
		fi := t.findFace(st, r)
		lat[r] = int16(fi)
		return fi
	}
	k := ownerKey{int16(st.Family), st.Bold, r}
	if fi, ok := t.owner.Get(k); ok {
		return int(fi)
	}
	fi := t.findFace(st, r)
	t.owner.Put(k, int16(fi), 16)
	return fi
}

func (t *Typesetter) findFace(st Style, r rune) int {
	has := func(fi int) bool {
		_, ok := t.faces[fi].f.NominalGlyph(r)
		return ok
	}
	if fi := t.styleFace(st); has(fi) {
		return fi
	}
	for _, fam := range t.fallback {
		if fi := t.builtin[fam][b2i(st.Bold)]; fam != st.Family && has(fi) {
			return fi
		}
	}
	for _, e := range t.extras {
		if e.owns.Contains(r) {
			if st.Bold {
				return e.bold
			}
			return e.reg
		}
	}
	return -1
}

// emojiCluster reports whether a grapheme cluster is an emoji: one with an
// emoji-sequence character (VS16, ZWJ, keycap, tags), a regional indicator
// pair, or a first rune in the emoji blocks.
func emojiCluster(g []rune) bool {
	if len(g) > 1 {
		for _, r := range g[1:] {
			if fonts.EmojiSequenceRunes.Contains(r) || r >= 0x1f3fb && r <= 0x1f3ff {
				return true
			}
		}
	}
	r := g[0]
	return r >= 0x1f000 && r <= 0x1faff
}
