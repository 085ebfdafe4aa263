package typeset

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/ogmint/ogmint/wasm/raster"
)

// Align of a line within its box. Start and End follow the paragraph's
// direction (Start is Left for left-to-right text, Right for right to left).
type Align int

const (
	Left Align = iota
	Center
	Right
	Start
	End
)

// resolve turns Start and End into Left or Right for a paragraph.
func (a Align) resolve(rtl bool) Align {
	switch {
	case a == Start && !rtl, a == End && rtl:
		return Left
	case a == Start, a == End:
		return Right
	}
	return a
}

// Draw paints block b with its first line's box at top y, within [x, x+width),
// in colour c at opacity alpha (0..255).
func (t *Typesetter) Draw(fr *raster.Frame, b *Block, x, y, width int, align Align, c raster.RGB, alpha uint32) {
	asc, desc := t.Metrics(b.Style)
	// Centre the font's ascent+descent within each line box.
	baseline0 := y + (b.LineHeight-(asc+desc))/2 + asc
	a := align.resolve(b.RTL())
	var w []fixed.Int26_6
	if b.para != nil {
		w = t.clusterWidthsAt(b.para, b.Style)
	}
	for i, line := range b.Lines {
		lx := fixed.I(x)
		switch a {
		case Center:
			lx += (fixed.I(width) - line.Width) / 2
		case Right:
			lx += fixed.I(width) - line.Width
		}
		t.drawLine(fr, b, w, line, lx, baseline0+i*b.LineHeight, c, alpha)
	}
}

// drawLine paints one line from x on the baseline, its clusters in visual
// order (UAX #9 rule L2); w: the clusters' advances (clusterWidths).
func (t *Typesetter) drawLine(fr *raster.Frame, b *Block, w []fixed.Int26_6, line Line, x fixed.Int26_6, baseline int, c raster.RGB, alpha uint32) {
	p := b.para
	order, levels := t.order[:0], t.levels[:0]
	mixed := p.rtl
	for i := line.From; i < line.To; i++ {
		order = append(order, i)
		levels = append(levels, p.clusters[i].level)
		mixed = mixed || p.clusters[i].level != 0
	}
	if line.Ellipsis {
		order = append(order, -1)
		levels = append(levels, int8(b2i(p.rtl)))
	}
	if mixed {
		reorder(order, levels)
	}
	t.order, t.levels = order, levels
	size := b.Style.Size
	// Marks stacked without end (a "zalgo" title) are cut half an em beyond
	// the style font's ascent and descent: they stay near their line.
	asc, desc := t.Metrics(b.Style)
	clip := [2]int{baseline - asc - size/2, baseline + desc + size/2}
	for _, k := range order {
		if k < 0 {
			e := t.ellipsis(b.Style)
			for i := range e.clusters {
				t.drawCluster(fr, &e.clusters[i], size, x, baseline, clip, c, alpha)
				x += t.advance(e, &e.clusters[i], b.Style)
			}
			continue
		}
		t.drawCluster(fr, &p.clusters[k], size, x, baseline, clip, c, alpha)
		x += w[k]
	}
}

// reorder puts order (indices with their levels) in visual order: from the
// highest level down to the lowest odd one, every run at or above the level
// is reversed.
func reorder(order []int, levels []int8) {
	var hi, lowOdd int8 = 0, 127
	for _, l := range levels {
		hi = max(hi, l)
		if l%2 == 1 {
			lowOdd = min(lowOdd, l)
		}
	}
	for lvl := hi; lvl >= lowOdd && lvl > 0; lvl-- {
		for i := 0; i < len(order); {
			if levels[i] < lvl {
				i++
				continue
			}
			j := i
			for j < len(order) && levels[j] >= lvl {
				j++
			}
			for l, r := i, j-1; l < r; l, r = l+1, r-1 {
				order[l], order[r] = order[r], order[l]
				levels[l], levels[r] = levels[r], levels[l]
			}
			i = j
		}
	}
}

// VisualOrder returns the visual order of runes with the given bidi levels
// (rule L2), as indices into them.
func VisualOrder(levels []int8) []int {
	order := make([]int, len(levels))
	for i := range order {
		order[i] = i
	}
	reorder(order, append([]int8(nil), levels...))
	return order
}

// drawCluster paints a cluster with its pen at x on the baseline; glyph
// masks are cut to the rows of clip.
func (t *Typesetter) drawCluster(fr *raster.Frame, cl *cluster, size int, x fixed.Int26_6, baseline int, clip [2]int, c raster.RGB, alpha uint32) {
	switch cl.face {
	case kindSpace, kindInvisible:
		return
	case kindMissing:
		w := size * 6 / 10
		h := size * 7 / 10
		fr.Outline(x.Round()+w/10, baseline-h, w-w/5, h, c, alpha)
		return
	}
	fc := t.faces[cl.face]
	up := int64(fc.upem)
	scale := func(v int32) fixed.Int26_6 { return scaleUnits(v, size, up) }
	for _, g := range cl.glyphs {
		gx := x + scale(g.XOff)
		gy := baseline - scale(g.YOff).Round()
		if g.ID == 0 {
			// The font's .notdef: our own box, as for a rune no font has,
			// at the pen on the baseline. Not for a mark the font lacks (no
			// advance): HarfBuzz's fallback placement of it, by the extents
			// of the font's .notdef, can be a line away.
			if g.Adv != 0 {
				w := size * 6 / 10
				fr.Outline(x.Round()+w/10, baseline-size*7/10, w-w/5, size*7/10, c, alpha)
			}
		} else if fc.color {
			if bm := t.emojiBitmap(int(cl.face), g.ID, size, alpha); bm != nil {
				fr.DrawImage(bm.img, gx.Round()+bm.x, gy+bm.y, 0)
			}
		} else {
			fr.DrawMask(clipRows(t.mask(int(cl.face), size, g.ID, int8((gx&63)>>4)), clip[0]-gy, clip[1]-gy), gx.Floor(), gy, c, alpha)
		}
		x += scale(g.Adv)
	}
}

// fade scales img's premultiplied pixels to opacity alpha (0..255), so
// that emoji take the text's opacity.
func fade(img *image.RGBA, alpha uint32) {
	for i, v := range img.Pix {
		img.Pix[i] = byte(uint32(v) * alpha / 255)
	}
}

// clipRows returns m without its rows outside [y0, y1) (relative to its
// origin): a shared mask is left as it is.
func clipRows(m *raster.Mask, y0, y1 int) *raster.Mask {
	j0, j1 := max(y0-m.Y, 0), min(y1-m.Y, m.H)
	switch {
	case j0 == 0 && j1 == m.H:
		return m
	case j0 >= j1:
		return noMask
	}
	return &raster.Mask{X: m.X, Y: m.Y + j0, W: m.W, H: j1 - j0, Pix: m.Pix[j0*m.W : j1*m.W]}
}

// noMask marks a cached glyph with no pixels (e.g. a space).
var noMask = &raster.Mask{}

// mask returns the cached coverage mask of glyph gid of face fi at size,
// with the pen at sub quarter-pixels right of an integer position.
func (t *Typesetter) mask(fi, size int, gid font.GID, sub int8) *raster.Mask {
	k := maskKey{int16(fi), int16(size), sub, gid}
	f := &t.front
	slot := k.slot()
	if m := f.masks[slot]; m != nil && f.keys[slot] == k && f.evictions == t.masks.Evictions {
		return m
	}
	m, ok := t.masks.Get(k)
	if !ok {
		m = rasterize(t.faces[fi], gid, size, sub)
		// A mask may also hold a sprite of 4 bytes per pixel (raster.Frame).
		cost := 5*len(m.Pix) + 4*m.H + 96
		if !t.masks.Admits(cost) {
			return m // too large to keep: neither cache holds it
		}
		t.masks.Put(k, m, cost)
	}
	if f.evictions != t.masks.Evictions {
		f.clear(t.masks.Evictions)
	}
	f.keys[slot], f.masks[slot] = k, m
	return m
}

// maskFrontSize is the number of slots of the masks' front cache.
const maskFrontSize = 1024

// maskFront is a direct-mapped cache in front of the masks' byte-bounded
// cache: a hit costs an index and a compare where the map hashes the key
// (several times a glyph's draw in WebAssembly). It holds only masks the
// bounded cache holds: it is emptied whenever that cache drops a
// generation (evictions counts them) or is cleared.
type maskFront struct {
	keys      [maskFrontSize]maskKey
	masks     [maskFrontSize]*raster.Mask
	evictions int
}

// clear empties every slot; evictions is the bounded cache's count now.
func (f *maskFront) clear(evictions int) {
	f.masks = [maskFrontSize]*raster.Mask{}
	f.evictions = evictions
}

// slot is k's slot in the front cache.
func (k maskKey) slot() int {
	h := uint32(k.gid)*0x9e3779b1 ^ uint32(k.size)*0x85ebca6b ^ uint32(k.face)*0xc2b2ae35 ^ uint32(k.sub)
	return int(h>>16^h) & (maskFrontSize - 1)
}

// coverageLevels is how many levels of coverage a glyph's edge pixels
// take: 32 (5 bits) look the same as 256 at the sizes of a card, and with
// them a card of text on flat colours stays within the 256 colours of a
// lossless palette PNG (half the bytes of RGB).
const coverageLevels = 32

// coverageLevel maps a coverage 0..255 to the nearest of coverageLevels
// levels spread evenly over 0..255 (0 and 255 kept).
var coverageLevel = func() (t [256]byte) {
	const steps = coverageLevels - 1
	for v := range t {
		t[v] = byte(((v*steps+127)/255*255 + steps/2) / steps)
	}
	return t
}()

// rasterize draws a glyph's outline into a coverage mask, its coverage on
// coverageLevels levels.
func rasterize(fc *face, gid font.GID, size int, sub int8) *raster.Mask {
	outline, ok := fc.f.GlyphData(gid).(font.GlyphOutline)
	if !ok || len(outline.Segments) == 0 {
		return noMask
	}
	s := float32(size) / float32(fc.upem)
	dx := float32(sub) / 4
	minX, minY := float32(math.MaxFloat32), float32(math.MaxFloat32)
	maxX, maxY := -minX, -minY
	for _, seg := range outline.Segments {
		for _, a := range seg.ArgsSlice() {
			minX, maxX = min(minX, a.X), max(maxX, a.X)
			minY, maxY = min(minY, a.Y), max(maxY, a.Y)
		}
	}
	x0 := int(math.Floor(float64(float32(minX*s) + dx)))
	x1 := int(math.Ceil(float64(float32(maxX*s) + dx)))
	y0 := int(math.Floor(float64(-float32(maxY * s))))
	y1 := int(math.Ceil(float64(-float32(minY * s))))
	bold := 0
	if fc.synth {
		bold = max(1, (size+12)/24)
	}
	w, h := x1-x0, y1-y0
	if w <= 0 || h <= 0 || w > 4*size+64 || h > 4*size+64 {
		return noMask
	}
	var z vector.Rasterizer
	z.Reset(w, h)
	px := func(p ot.SegmentPoint) (float32, float32) {
		return float32(p.X*s) + dx - float32(x0), -float32(p.Y*s) - float32(y0)
	}
	started := false
	for _, seg := range outline.Segments {
		switch seg.Op {
		case ot.SegmentOpMoveTo:
			if started {
				z.ClosePath()
			}
			started = true
			z.MoveTo(px(seg.Args[0]))
		case ot.SegmentOpLineTo:
			z.LineTo(px(seg.Args[0]))
		case ot.SegmentOpQuadTo:
			ax, ay := px(seg.Args[0])
			bx, by := px(seg.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case ot.SegmentOpCubeTo:
			ax, ay := px(seg.Args[0])
			bx, by := px(seg.Args[1])
			cx, cy := px(seg.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	z.ClosePath()
	a := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(a, a.Rect, image.Opaque, image.Point{})
	by := bold / 2
	m := raster.NewMask(x0, y0-by, w+bold, h+by)
	for j := range h {
		copy(m.Pix[(j+by)*m.W:], a.Pix[j*a.Stride:j*a.Stride+w])
	}
	if bold > 0 {
		embolden(m, bold, by)
	}
	for i, v := range m.Pix {
		m.Pix[i] = coverageLevel[v]
	}
	m.Trim()
	return m
}

// embolden thickens a mask's ink by dx pixels to the right and dy upwards
// (a running maximum): synthetic bold for a family without one.
func embolden(m *raster.Mask, dx, dy int) {
	for j := range m.H {
		row := m.Pix[j*m.W : (j+1)*m.W]
		for i := m.W - 1; i >= 0; i-- {
			v := row[i]
			for k := 1; k <= dx && i-k >= 0; k++ {
				v = max(v, row[i-k])
			}
			row[i] = v
		}
	}
	for j := 0; j < m.H; j++ {
		for k := 1; k <= dy && j+k < m.H; k++ {
			src := m.Pix[(j+k)*m.W : (j+k+1)*m.W]
			dst := m.Pix[j*m.W : (j+1)*m.W]
			for i := range dst {
				dst[i] = max(dst[i], src[i])
			}
		}
	}
}

// emojiBitmap is a colour glyph scaled to a size, placed relative to the pen.
type emojiBitmap struct {
	img  *image.RGBA
	x, y int
}

// emojiBitmap returns glyph gid of colour face fi scaled to size
// (Catmull-Rom) at opacity alpha, or nil when the font has no bitmap for it
// or alpha is 0.
func (t *Typesetter) emojiBitmap(fi int, gid font.GID, size int, alpha uint32) *emojiBitmap {
	if alpha == 0 {
		return nil
	}
	k := emojiKey{int16(fi), int16(size), uint8(min(alpha, 255)), gid}
	if bm, ok := t.emoji.Get(k); ok {
		return bm
	}
	fc := t.faces[fi]
	var bm *emojiBitmap
	data, ok := fc.f.GlyphData(gid).(font.GlyphBitmap)
	ext, okExt := fc.f.GlyphExtents(gid)
	if ok && okExt && data.Format == font.PNG {
		if src, err := png.Decode(bytes.NewReader(data.Data)); err == nil {
			s := float64(size) / float64(fc.upem)
			x := int(math.Round(float64(ext.XBearing) * s))
			y := int(math.Round(-float64(ext.YBearing) * s))
			w := max(1, int(math.Round(float64(ext.Width)*s)))
			h := max(1, int(math.Round(-float64(ext.Height)*s)))
			if w <= 4*size && h <= 4*size {
				img := image.NewRGBA(image.Rect(0, 0, w, h))
				xdraw.CatmullRom.Scale(img, img.Rect, src, src.Bounds(), xdraw.Src, nil)
				if alpha < 255 {
					fade(img, alpha)
				}
				bm = &emojiBitmap{img: img, x: x, y: y}
			}
		}
	}
	cost := 0
	if bm != nil {
		cost = len(bm.img.Pix)
	}
	t.emoji.Put(k, bm, cost+64)
	return bm
}

// Line lays text out on one line at st, never wrapped nor clamped (as wide
// as it is), lineHeight px high.
func (t *Typesetter) Line(text string, st Style, lineHeight int) *Block {
	b := t.copyBlock(t.Wrap(text, st, 1, math.MaxInt32/64, 1, false)) // Wrap's may be shared
	b.LineHeight = lineHeight
	return b
}

// Initials is the package's Initials, remembering the last name: a card
// draws its author's initials on every render.
func (t *Typesetter) Initials(name string) string {
	if !t.lastInitials.ok || t.lastInitials.name != name {
		t.lastInitials.name, t.lastInitials.initials, t.lastInitials.ok = name, Initials(name), true
	}
	return t.lastInitials.initials
}

// Initials returns up to two upper-case initials of a name ("Ada Lovelace"
// -> "AL"): the first letter of the first and of the last word, with the
// marks that follow it. Emoji, symbols and punctuation are skipped; a name
// with no letter has no initials.
func Initials(name string) string {
	var words [][]rune // the words with a letter (or digit)
	for _, w := range strings.Fields(name) {
		if rs := []rune(w); slices.IndexFunc(rs, isInitial) >= 0 {
			words = append(words, rs)
		}
	}
	if len(words) > 2 {
		words = [][]rune{words[0], words[len(words)-1]}
	}
	var out []rune
	for _, rs := range words {
		j := slices.IndexFunc(rs, isInitial)
		out = append(out, unicode.ToUpper(rs[j]))
		for _, m := range rs[j+1:] {
			if !unicode.In(m, unicode.Mn, unicode.Mc) {
				break
			}
			out = append(out, m)
		}
	}
	return string(out)
}

// isInitial reports whether a word's initial can be r: a letter or digit,
// but not a Thai or Lao vowel written before its consonant (U+0E40-0E44,
// U+0EC0-0EC4, Logical_Order_Exception): "ใจดี" gives "จ".
func isInitial(r rune) bool {
	if r >= 0xe40 && r <= 0xe44 || r >= 0xec0 && r <= 0xec4 {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
