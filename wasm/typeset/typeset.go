// Package typeset lays out and draws card text: font fallback per glyph,
// word wrap, shrink-to-fit within a size range and ellipsis clamping, with a
// glyph-mask cache that lives as long as the render instance.
package typeset

import (
	"fmt"
	"image"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/wasm/raster"
)

// Ellipsis ends a clamped line.
const Ellipsis = '…'

// MaxCachedMasks bounds the glyph-mask cache; it is emptied when full so an
// instance's memory stays bounded whatever text it is asked to draw.
const MaxCachedMasks = 8192

// Style selects a font and size.
type Style struct {
	Family int // index into the Typesetter's families
	Bold   bool
	Size   int // px
}

// Typesetter owns the parsed fonts and every cache. Not safe for concurrent use.
type Typesetter struct {
	families []string
	fonts    []*sfnt.Font // family*2 + bold
	fallback []int        // family indices tried after the requested one
	buf      sfnt.Buffer

	faces    map[faceKey]*face
	lastKey  faceKey // memo of the last face looked up: runs of glyphs share one
	lastFace *face
	owner    map[ownerKey]int16 // rune -> font index that draws it, -1 for none
	latin    [][256]int16       // owner for runes < 256, by fontIndex(family, bold); -2 = unknown
	masks    map[maskKey]*raster.Mask
	nmasks   int

	// splits memoises the words of recently wrapped texts: fitting a text
	// wraps it at several sizes.
	splits    [4]split
	nextSplit int
}

// split is a text cut into words, as strings and as runes (each rune slice
// with cap == len, so appending to it never writes into a shared array).
type split struct {
	text  string
	words []string
	runes [][]rune
}

// words returns text's words (strings.Fields) and their runes.
func (t *Typesetter) words(text string) ([]string, [][]rune) {
	for i := range t.splits {
		if sp := &t.splits[i]; sp.words != nil && sp.text == text {
			return sp.words, sp.runes
		}
	}
	words := strings.Fields(text)
	runes := make([][]rune, len(words))
	for i, w := range words {
		r := []rune(w)
		runes[i] = r[:len(r):len(r)]
	}
	t.splits[t.nextSplit] = split{text: text, words: words, runes: runes}
	t.nextSplit = (t.nextSplit + 1) % len(t.splits)
	return words, runes
}

type faceKey struct {
	font int16
	size int16
}

type ownerKey struct {
	family int16
	bold   bool
	r      rune
}

type maskKey struct {
	font int16
	size int16
	sub  int8
	r    rune
}

type face struct {
	f               *opentype.Face
	ascent, descent fixed.Int26_6
	adv             map[rune]fixed.Int26_6
	// Direct tables for runes < 256 (most card text): no hashing on the hot path.
	latAdv   [256]fixed.Int26_6
	latAdvOK [256]bool
	latMask  [256][4]*raster.Mask
}

// noMask marks a cached glyph with no pixels (e.g. a space).
var noMask = &raster.Mask{}

// FontData is one family's font files.
type FontData struct {
	Name          string
	Regular, Bold []byte
}

// New parses the families; fallback lists family names tried, in order, for
// glyphs a requested family lacks.
func New(families []FontData, fallback []string) (*Typesetter, error) {
	t := &Typesetter{
		faces: map[faceKey]*face{},
		owner: map[ownerKey]int16{},
		masks: map[maskKey]*raster.Mask{},
	}
	for _, fam := range families {
		for _, data := range [][]byte{fam.Regular, fam.Bold} {
			f, err := sfnt.Parse(data)
			if err != nil {
				return nil, fmt.Errorf("font %s: %w", fam.Name, err)
			}
			t.fonts = append(t.fonts, f)
		}
		t.families = append(t.families, fam.Name)
	}
	t.latin = make([][256]int16, len(t.fonts))
	for i := range t.latin {
		for r := range t.latin[i] {
			t.latin[i][r] = -2
		}
	}
	for _, name := range fallback {
		i := t.FamilyIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("fallback family %q not loaded", name)
		}
		t.fallback = append(t.fallback, i)
	}
	return t, nil
}

// FamilyIndex returns the index of a family name, or -1.
func (t *Typesetter) FamilyIndex(name string) int {
	for i, n := range t.families {
		if n == name {
			return i
		}
	}
	return -1
}

func fontIndex(family int, bold bool) int {
	if bold {
		return family*2 + 1
	}
	return family * 2
}

// fontFor returns the font that draws r in the given style: the style's own
// family first, then the fallbacks (same weight), or -1 when none has it.
func (t *Typesetter) fontFor(st Style, r rune) int {
	if r < 256 {
		lat := &t.latin[fontIndex(st.Family, st.Bold)]
		if fi := lat[r]; fi != -2 {
			return int(fi)
		}
		fi := t.findFont(st, r)
		lat[r] = int16(fi)
		return fi
	}
	k := ownerKey{int16(st.Family), st.Bold, r}
	if fi, ok := t.owner[k]; ok {
		return int(fi)
	}
	fi := t.findFont(st, r)
	t.owner[k] = int16(fi)
	return fi
}

func (t *Typesetter) findFont(st Style, r rune) int {
	fi := -1
	if !unicode.IsSpace(r) || r == ' ' {
		try := func(fam int) bool {
			i := fontIndex(fam, st.Bold)
			g, err := t.fonts[i].GlyphIndex(&t.buf, r)
			if err == nil && g != 0 {
				fi = i
				return true
			}
			return false
		}
		if !try(st.Family) {
			for _, fam := range t.fallback {
				if fam != st.Family && try(fam) {
					break
				}
			}
		}
	}
	return fi
}

func (t *Typesetter) face(fi, size int) *face {
	k := faceKey{int16(fi), int16(size)}
	if t.lastFace != nil && t.lastKey == k {
		return t.lastFace
	}
	if f, ok := t.faces[k]; ok {
		t.lastKey, t.lastFace = k, f
		return f
	}
	of, err := opentype.NewFace(t.fonts[fi], &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // sizes are validated; NewFace fails only on bad options
	}
	m := of.Metrics()
	f := &face{f: of.(*opentype.Face), ascent: m.Ascent, descent: m.Descent, adv: map[rune]fixed.Int26_6{}}
	t.faces[k] = f
	t.lastKey, t.lastFace = k, f
	return f
}

// Invisible reports whether r only steers shaping or emoji presentation
// (joiners, variation selectors, tag characters), which cards do not do: it
// takes no space and draws nothing, rather than a missing-glyph box.
func Invisible(r rune) bool {
	return r == 0x200c || r == 0x200d || r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0000 && r <= 0xe007f
}

// advance is the width of r in style st (a missing glyph is a box 0.6 em wide).
func (t *Typesetter) advance(st Style, r rune) fixed.Int26_6 {
	fi := t.fontFor(st, r)
	if fi < 0 {
		if Invisible(r) {
			return 0
		}
		return fixed.I(st.Size * 6 / 10)
	}
	f := t.face(fi, st.Size)
	if r < 256 {
		if !f.latAdvOK[r] {
			f.latAdv[r], _ = f.f.GlyphAdvance(r)
			f.latAdvOK[r] = true
		}
		return f.latAdv[r]
	}
	a, ok := f.adv[r]
	if !ok {
		a, _ = f.f.GlyphAdvance(r)
		f.adv[r] = a
	}
	return a
}

// Measure returns the advance width of s in style st.
func (t *Typesetter) Measure(s []rune, st Style) fixed.Int26_6 {
	// Fast path, inline: Latin runes the style's own font draws and whose
	// advance is cached (fitting measures every word at several sizes).
	fi := fontIndex(st.Family, st.Bold)
	lat, f := &t.latin[fi], t.face(fi, st.Size)
	var w fixed.Int26_6
	for _, r := range s {
		if r < 256 && lat[r] == int16(fi) && f.latAdvOK[r] {
			w += f.latAdv[r]
			continue
		}
		w += t.advance(st, r)
	}
	return w
}

// Metrics returns the ascent and descent, in px rounded up, of the style's
// primary font.
func (t *Typesetter) Metrics(st Style) (ascent, descent int) {
	f := t.face(fontIndex(st.Family, st.Bold), st.Size)
	return f.ascent.Ceil(), f.descent.Ceil()
}

// Block is laid-out text: lines that each fit the width it was laid out for.
type Block struct {
	Style      Style
	Lines      [][]rune
	Widths     []fixed.Int26_6
	LineHeight int  // px between baselines
	Clamped    bool // text was cut and ends with an ellipsis
}

// Height is the block's height in px.
func (b *Block) Height() int { return len(b.Lines) * b.LineHeight }

// Wrap breaks text into lines no wider than width px at style st, breaking
// at spaces and, for words longer than a line, between characters. When the
// text needs more than maxLines lines, the last kept line ends in an ellipsis
// (unless even the ellipsis is wider than the line). A glyph wider than the
// whole line cuts the text there, as if it had run out of lines.
func (t *Typesetter) Wrap(text string, st Style, lineHeight float64, width, maxLines int) *Block {
	if maxLines < 1 {
		maxLines = 1
	}
	b := &Block{Style: st, LineHeight: int(float64(st.Size)*lineHeight + 0.5),
		Lines: make([][]rune, 0, maxLines), Widths: make([]fixed.Int26_6, 0, maxLines)}
	limit := fixed.I(width)
	space := t.advance(st, ' ')
	words, runes := t.words(text)
	// Lines are built one after another in buf and handed out as
	// cap-limited slices of it: one allocation for all of them (appending
	// past a full buf moves only the line being built).
	buf := make([]rune, 0, len(text)+1)
	start := 0 // the current line is buf[start:]
	var lineW fixed.Int26_6
	flush := func() {
		b.Lines = append(b.Lines, buf[start:len(buf):len(buf)])
		b.Widths = append(b.Widths, lineW)
		start, lineW = len(buf), 0
	}
	for wi := 0; wi < len(words); wi++ {
		word := runes[wi]
		w := t.Measure(word, st)
		switch {
		case len(buf) > start && lineW+space+w <= limit:
			buf = append(append(buf, ' '), word...)
			lineW += space + w
			continue
		case len(buf) > start:
			flush()
		}
		if len(b.Lines) >= maxLines {
			b.clamp(t, words[wi:], limit)
			return b
		}
		if w <= limit {
			buf, lineW = append(buf, word...), w
			continue
		}
		// A word wider than the line: break it between characters.
		for len(word) > 0 {
			n, pw := 0, fixed.Int26_6(0)
			for n < len(word) {
				a := t.advance(st, word[n])
				if pw+a > limit {
					break
				}
				pw += a
				n++
			}
			if n == 0 {
				// Not even one glyph fits a line: cut the text before it
				// rather than draw past the box.
				if len(b.Lines) == 0 {
					flush()
				}
				b.clamp(t, append([]string{string(word)}, words[wi+1:]...), limit)
				return b
			}
			buf, lineW = append(buf, word[:n]...), pw
			word = word[n:]
			if len(word) > 0 {
				flush()
				if len(b.Lines) >= maxLines {
					b.clamp(t, append([]string{string(word)}, words[wi+1:]...), limit)
					return b
				}
			}
		}
	}
	if len(buf) > start {
		flush()
	}
	return b
}

// clamp marks the text as cut: the last line gets an ellipsis, shortened
// until line plus ellipsis fit the width.
func (b *Block) clamp(t *Typesetter, rest []string, limit fixed.Int26_6) {
	b.Clamped = true
	n := len(b.Lines) - 1
	line := b.Lines[n]
	ell := t.advance(b.Style, Ellipsis)
	w := b.Widths[n]
	// Prefer to show the start of the next word if there is room.
	if len(rest) > 0 && w+ell < limit {
		next := append([]rune{' '}, []rune(rest[0])...)
		line = append(line[:len(line):len(line)], next...)
		w += t.Measure(next, b.Style)
	}
	for len(line) > 0 && w+ell > limit {
		w -= t.advance(b.Style, line[len(line)-1])
		line = line[:len(line)-1]
	}
	for len(line) > 0 && strings.ContainsRune(" ,.;:-–—", line[len(line)-1]) {
		w -= t.advance(b.Style, line[len(line)-1])
		line = line[:len(line)-1]
	}
	if ell > limit {
		// The ellipsis itself does not fit: end the line without it.
		b.Lines[n], b.Widths[n] = line, w
		return
	}
	b.Lines[n] = append(line[:len(line):len(line)], Ellipsis)
	b.Widths[n] = w + ell
}

// Fit lays text out at the largest size in [minSize, maxSize] at which it
// fits width x height in at most maxLines lines; if none does, at minSize,
// clamped to the lines that fit (with an ellipsis). It never returns more
// lines than fit the height, and at least one.
func (t *Typesetter) Fit(text string, family int, bold bool, minSize, maxSize int, lineHeight float64, width, height, maxLines int) *Block {
	minSize = min(minSize, maxSize)
	var b *Block
	for size := maxSize; size >= minSize; size-- {
		st := Style{Family: family, Bold: bold, Size: size}
		lines := linesThatFit(size, lineHeight, height, maxLines)
		b = t.Wrap(text, st, lineHeight, width, lines)
		if !b.Clamped {
			return b
		}
	}
	return b
}

func linesThatFit(size int, lineHeight float64, height, maxLines int) int {
	lh := int(float64(size)*lineHeight + 0.5)
	n := maxLines
	if lh > 0 && height/lh < n {
		n = height / lh
	}
	if n < 1 {
		n = 1
	}
	return n
}

// Align of a line within its box.
type Align int

const (
	Left Align = iota
	Center
	Right
)

// Draw paints block b with its first line's box at top y, within [x, x+width),
// in colour c at opacity alpha (0..255).
func (t *Typesetter) Draw(fr *raster.Frame, b *Block, x, y, width int, align Align, c raster.RGB, alpha uint32) {
	asc, desc := t.Metrics(b.Style)
	// Centre the font's ascent+descent within each line box.
	baseline0 := y + (b.LineHeight-(asc+desc))/2 + asc
	for i, line := range b.Lines {
		lx := fixed.I(x)
		switch align {
		case Center:
			lx += (fixed.I(width) - b.Widths[i]) / 2
		case Right:
			lx += fixed.I(width) - b.Widths[i]
		}
		t.DrawLine(fr, line, b.Style, lx, baseline0+i*b.LineHeight, c, alpha)
	}
}

// DrawLine paints one line of runes starting at x (26.6 fixed point) on the
// given baseline.
func (t *Typesetter) DrawLine(fr *raster.Frame, line []rune, st Style, x fixed.Int26_6, baseline int, c raster.RGB, alpha uint32) {
	for _, r := range line {
		fi := t.fontFor(st, r)
		adv := t.advance(st, r)
		if r != ' ' {
			if fi < 0 {
				if !Invisible(r) {
					t.drawMissing(fr, st, x, baseline, c, alpha)
				}
			} else {
				fr.DrawMask(t.mask(fi, st.Size, r, int8((x&63)>>4)), x.Floor(), baseline, c, alpha)
			}
		}
		x += adv
	}
}

// drawMissing draws the placeholder for a glyph no font has: an outlined box.
func (t *Typesetter) drawMissing(fr *raster.Frame, st Style, x fixed.Int26_6, baseline int, c raster.RGB, alpha uint32) {
	w := st.Size * 6 / 10
	h := st.Size * 7 / 10
	fr.Outline(x.Round()+w/10, baseline-h, w-w/5, h, c, alpha)
}

// mask returns the cached coverage mask of rune r in font fi at size, with
// the pen at sub quarter-pixels right of an integer position.
func (t *Typesetter) mask(fi, size int, r rune, sub int8) *raster.Mask {
	f := t.face(fi, size)
	if r < 256 {
		if m := f.latMask[r][sub]; m != nil {
			return m
		}
	}
	k := maskKey{int16(fi), int16(size), sub, r}
	if m, ok := t.masks[k]; ok {
		return m
	}
	if t.nmasks >= MaxCachedMasks {
		t.masks = map[maskKey]*raster.Mask{}
		t.nmasks = 0
		for _, f := range t.faces {
			f.latMask = [256][4]*raster.Mask{}
		}
	}
	dr, img, mp, _, ok := f.f.Glyph(fixed.Point26_6{X: fixed.Int26_6(sub) * 16}, r)
	m := noMask
	if ok && !dr.Empty() {
		m = raster.NewMask(dr.Min.X, dr.Min.Y, dr.Dx(), dr.Dy())
		a, isAlpha := img.(*image.Alpha)
		for j := 0; j < m.H; j++ {
			for i := 0; i < dr.Dx(); i++ {
				var v uint8
				if isAlpha {
					v = a.Pix[a.PixOffset(mp.X+i, mp.Y+j)]
				} else {
					_, _, _, av := img.At(mp.X+i, mp.Y+j).RGBA()
					v = uint8(av >> 8)
				}
				m.Pix[j*m.W+i] = v
			}
		}
		m.Trim()
	}
	if r < 256 {
		f.latMask[r][sub] = m
	} else {
		t.masks[k] = m
	}
	t.nmasks++
	return m
}

// Initials returns up to two upper-case initials of a name ("Ada Lovelace" -> "AL").
func Initials(name string) []rune {
	words := strings.Fields(name)
	var out []rune
	for i, w := range words {
		if i == 0 || i == len(words)-1 {
			for _, r := range w {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					out = append(out, unicode.ToUpper(r))
					break
				}
			}
		}
	}
	if len(out) > 2 {
		out = out[:2]
	}
	return out
}
