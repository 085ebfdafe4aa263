package typeset

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/language"
	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/wasm/shape"
)

// Cluster kinds beyond a face index.
const (
	kindMissing   = -1 // no font has it: an outlined box 0.6 em wide
	kindSpace     = -2 // U+0020 (or a tab, newline...): the style face's space advance
	kindInvisible = -3 // joiners and other default-ignorables, controls, alone: nothing
)

// cluster is the smallest unit of layout: one or more grapheme clusters
// shaped into glyphs together. Lines break only between clusters.
type cluster struct {
	start, end int32 // runes [start, end) of the paragraph
	face       int16 // face index, or a kind
	level      int8  // bidi level
	brk        bool  // a line may break before it
	glyphs     []shape.Glyph
	adv        int32 // advance in font units x 64 of face (or of the style face for kinds)
}

// para is a text analysed, its fonts chosen and shaped: everything about
// its layout that does not depend on size.
type para struct {
	runes    []rune
	rtl      bool
	clusters []cluster
	segs     []seg  // the clusters as words and spaces (segments.go)
	face     int    // the style's own face (metrics, spaces, boxes)
	missing  []rune // runes no font here draws: Missing reports them whenever the text is set
}

func (p *para) bytes() int {
	return len(p.runes)*4 + len(p.clusters)*48 + len(p.segs)*12 + len(p.missing)*4
}

// paragraph returns text analysed and shaped in the family and weight of st.
func (t *Typesetter) paragraph(text string, st Style) *para {
	k := paraKey{text, int16(st.Family), st.Bold}
	if p, ok := t.paras.Get(k); ok {
		t.addMissing(p.missing...)
		return p
	}
	an := t.an.AnalyzeScratch(text) // its slices but Runes are used here only
	p := &para{runes: an.Runes, rtl: an.RTL, face: t.styleFace(st), clusters: make([]cluster, 0, len(an.Runes))}
	runes := an.Runes
	n := len(runes)
	// Choose a face per grapheme cluster.
	faces := slices.Grow(t.faceBuf[:0], n)[:n]
	t.faceBuf = faces
	for i := 0; i < n; {
		j := i + 1
		for j < n && !an.Grapheme[j] {
			j++
		}
		g := runes[i:j]
		fi := kindMissing
		switch {
		case j == i+1 && g[0] < 0x80:
			fi = t.asciiFace(st, g[0])
		case allSpace(g):
			fi = kindSpace
		case allInvisible(g):
			fi = kindInvisible
		case emojiCluster(g) && t.color >= 0 && t.has(t.color, g[0]):
			fi = t.color
		default:
			fi = t.faceFor(st, g[0])
			if emojiCluster(g) && t.color < 0 {
				p.missing = append(p.missing, 0xfe0f) // ask for the emoji family
			}
		}
		if fi == kindMissing {
			p.missing = append(p.missing, g[0])
		}
		for k := i; k < j; k++ {
			faces[k] = int16(fi)
		}
		i = j
	}
	// Shape maximal runs of one face, level and script; a grapheme cluster
	// is never split (a mark of another script stays with its base), so
	// that lines break only between grapheme clusters.
	for i := 0; i < n; {
		j := i + 1
		for j < n && (!an.Grapheme[j] || faces[j] == faces[i] && an.Levels[j] == an.Levels[i] && an.Scripts[j] == an.Scripts[i]) && faces[i] >= 0 {
			j++
		}
		if faces[i] < 0 {
			// Kinds are one grapheme cluster each.
			for j < n && !an.Grapheme[j] {
				j++
			}
			c := cluster{start: int32(i), end: int32(j), face: faces[i], level: an.Levels[i], brk: an.Break[i]}
			switch faces[i] {
			case kindSpace:
				c.adv = t.spaceAfter(p)
			case kindMissing:
				c.adv = t.faces[p.face].upem * 64 * 6 / 10
			}
			p.clusters = append(p.clusters, c)
		} else {
			p.clusters = t.shapeRun(p.clusters, an, int(faces[i]), i, j)
		}
		i = j
	}
	p.segs = segments(p.clusters)
	t.addMissing(p.missing...)
	t.paras.Put(k, p, len(text)+p.bytes())
	return p
}

// asciiFace is the face of a grapheme cluster of one ASCII rune r: what
// paragraph's cases give for it (no ASCII rune is default-ignorable or an
// emoji), in fewer tests.
func (t *Typesetter) asciiFace(st Style, r rune) int {
	switch {
	case r == ' ' || r >= '\t' && r <= '\r':
		return kindSpace
	case r < 0x20 || r == 0x7f:
		return kindInvisible
	}
	return t.faceFor(st, r)
}

// spaceAfter is the advance of a space that follows the clusters laid out
// so far, in the style face's units: the space of the font the text before
// it is set in (a Devanagari word in a mono card is followed by a
// Devanagari space, not the mono font's wide one), else the style face's.
func (t *Typesetter) spaceAfter(p *para) int32 {
	own := t.faces[p.face]
	if n := len(p.clusters); n > 0 {
		if fi := int(p.clusters[n-1].face); fi >= 0 && fi != p.face && !t.faces[fi].color {
			f := t.faces[fi]
			return int32(int64(f.space) * int64(own.upem) / int64(f.upem))
		}
	}
	return own.space
}

func (t *Typesetter) has(fi int, r rune) bool {
	_, ok := t.faces[fi].f.NominalGlyph(r)
	return ok
}

func allInvisible(g []rune) bool {
	for _, r := range g {
		if !Invisible(r) && !unicode.Is(unicode.Cc, r) {
			return false
		}
	}
	return true
}

// allSpace reports whether g is white space a line breaks and trims at: a
// space, or a tab, newline or other separator laid out as one (as the old
// engine, and CSS white-space: normal, do) rather than drawn as a box.
func allSpace(g []rune) bool {
	for _, r := range g {
		if r != ' ' && (r < '\t' || r > '\r') && r != 0x85 && r != 0x2028 && r != 0x2029 {
			return false
		}
	}
	return true
}

// shapeRun shapes runes [i, j) of one face, level and script and appends
// their clusters in logical order.
func (t *Typesetter) shapeRun(out []cluster, an *shape.Analysis, fi, i, j int) []cluster {
	rtl := an.Levels[i]%2 == 1
	script := an.Scripts[i]
	if script == 0 {
		script = language.Latin
	}
	gs := t.shaper.Shape(t.faces[fi].f, fi, an.Runes[i:j], rtl, script)
	first := len(out)
	// Glyphs of one cluster are adjacent; group them, and the clusters of
	// one grapheme cluster (HarfBuzz starts a cluster at a joiner: " " +
	// ZWNJ + virama), so that lines break between grapheme clusters.
	for a := 0; a < len(gs); {
		b, lo := a+1, gs[a].Cluster
		for b < len(gs) {
			if k := gs[b].Cluster; k != gs[b-1].Cluster {
				if rtl {
					k = gs[b-1].Cluster // the start of the logically later cluster
				}
				if an.Grapheme[i+int(k)] {
					break
				}
			}
			lo = min(lo, gs[b].Cluster)
			b++
		}
		var adv int32
		for _, g := range gs[a:b] {
			adv += g.Adv
		}
		s := int32(i) + lo
		out = append(out, cluster{start: s, face: int16(fi), level: an.Levels[i], brk: an.Break[s], glyphs: gs[a:b:b], adv: adv})
		a = b
	}
	cs := out[first:]
	if rtl {
		for l, r := 0, len(cs)-1; l < r; l, r = l+1, r-1 {
			cs[l], cs[r] = cs[r], cs[l]
		}
	}
	for k := range cs {
		if k+1 < len(cs) {
			cs[k].end = cs[k+1].start
		} else {
			cs[k].end = int32(j)
		}
	}
	return out
}

// px is a cluster's advance at size.
func (t *Typesetter) px(p *para, c *cluster, size int) fixed.Int26_6 {
	fi := int(c.face)
	if fi < 0 {
		fi = p.face
	}
	return scaleUnits(c.adv, size, int64(t.faces[fi].upem))
}

// scaleUnits is v (font units x 64) at size px in a font of upem units,
// v*size/upem truncated toward zero. Go's signed 64-bit division is a
// runtime call in WebAssembly (it checks for MinInt64 / -1); the unsigned
// one is an instruction, and gives the same quotient for operands that are
// not negative, which they nearly always are.
func scaleUnits(v int32, size int, upem int64) fixed.Int26_6 {
	n := int64(v) * int64(size)
	if n >= 0 && upem > 0 {
		return fixed.Int26_6(uint64(n) / uint64(upem))
	}
	return fixed.Int26_6(n / upem)
}

// Line is one laid-out line: clusters [From, To) of its block's paragraph,
// trailing spaces left out, and its width.
type Line struct {
	From, To int
	Width    fixed.Int26_6
	Ellipsis bool // ends (in the paragraph's direction) with an ellipsis
}

// Block is laid-out text: lines that each fit the width it was laid out for.
type Block struct {
	Style      Style
	Lines      []Line
	LineHeight int  // px between baselines
	Clamped    bool // text was cut and ends with an ellipsis
	para       *para
	forced     bool // a line broke where UAX #14 offers no opportunity
}

// Height is the block's height in px.
func (b *Block) Height() int { return len(b.Lines) * b.LineHeight }

// RTL reports whether the block's paragraph runs right to left.
func (b *Block) RTL() bool { return b.para != nil && b.para.rtl }

// Text returns the runes of line i in logical order (an ellipsis included).
func (b *Block) Text(i int) string {
	l := b.Lines[i]
	var s string
	if l.To > l.From {
		s = string(b.para.runes[b.para.clusters[l.From].start:b.para.clusters[l.To-1].end])
	}
	if l.Ellipsis {
		s += string(Ellipsis)
	}
	return s
}

// Width is the widest line.
func (b *Block) Width() fixed.Int26_6 {
	var w fixed.Int26_6
	for _, l := range b.Lines {
		w = max(w, l.Width)
	}
	return w
}

// Wrap breaks text into at most maxLines lines no wider than width px at
// style st, at line-break opportunities (UAX #14) and, for a word longer
// than a line, between grapheme clusters. When the text needs more lines,
// the last ends in an ellipsis after the last whole word that fits with it
// (or, when none does, the last grapheme cluster). With balance, lines are
// made as even as the line count allows (CSS text-wrap: balance). The
// block may be shared with other calls: do not modify it.
func (t *Typesetter) Wrap(text string, st Style, lineHeight float64, width, maxLines int, balance bool) *Block {
	k := wrapKey{text, st, lineHeight, width, maxLines, balance}
	if b := t.wraps.get(k); b != nil {
		t.addMissing(b.para.missing...) // as paragraph does
		if b.Clamped {
			t.ellipsis(st) // as clamp does
		}
		return b
	}
	b := t.wrap(text, st, lineHeight, width, maxLines, balance)
	t.wraps.put(k, b)
	return b
}

// wrap is Wrap without the memo.
func (t *Typesetter) wrap(text string, st Style, lineHeight float64, width, maxLines int, balance bool) *Block {
	maxLines = max(maxLines, 1)
	p := t.paragraph(text, st)
	b := t.newBlock()
	b.Style, b.LineHeight, b.para = st, int(float64(st.Size)*lineHeight+0.5), p
	w, sw := t.widthsAt(p, st)
	// Every cluster's width includes the spacing after it, which a line's
	// last one does not have: a line fits when its sum is at most the
	// width plus one spacing (trimSpacing takes it off the lines).
	limit := widen(fixed.I(width), st.Spacing)
	lines, rest, forced := t.breakLines(p, w, sw, limit, maxLines, b.Lines[:0])
	if rest < len(p.clusters) {
		b.Lines = t.clamp(p, w, limit, lines, st)
		b.Clamped = true
		trimSpacing(b.Lines, st.Spacing)
		return b
	}
	b.Lines, b.forced = lines, forced
	trimSpacing(b.Lines, st.Spacing)
	if balance {
		t.balance(b, w, sw, limit)
	}
	return b
}

// widen is the limit of a line width px wide with spacing sp: width + sp,
// saturating (Line's width is the largest there is).
func widen(width, sp fixed.Int26_6) fixed.Int26_6 {
	if sp > 0 && width > math.MaxInt32-sp {
		return math.MaxInt32
	}
	return width + sp
}

// trimSpacing takes the spacing after a line's last cluster off its width.
func trimSpacing(lines []Line, sp fixed.Int26_6) {
	if sp == 0 {
		return
	}
	for i := range lines {
		if lines[i].To > lines[i].From || lines[i].Ellipsis {
			lines[i].Width -= sp
		}
	}
}

// balance re-breaks an unclamped block at the narrowest width that still
// takes as many lines (w: the clusters' widths at the block's size, sw:
// its segments'; limit: the width plus the style's spacing, as Wrap's).
// Blocks of one line, or with a line broken where UAX #14 offers no
// opportunity, stay as they are.
func (t *Typesetter) balance(b *Block, w []fixed.Int26_6, sw []segWidth, limit fixed.Int26_6) {
	p, n := b.para, len(b.Lines)
	if b.Clamped || n < 2 || b.forced {
		return
	}
	lo, hi := fixed.Int26_6(0), limit
	for hi-lo > 64 {
		mid := (lo + hi) / 2
		l, r, f := t.breakLines(p, w, sw, mid, n, t.scratch[:0])
		t.scratch = l
		if r == len(p.clusters) && len(l) == n && !f {
			hi = mid
		} else {
			lo = mid
		}
	}
	b.Lines, _, _ = t.breakLines(p, w, sw, hi, n, b.Lines[:0])
	trimSpacing(b.Lines, b.Style.Spacing)
}

// clusterWidths returns every cluster's advance at st's size, with the
// letter spacing after it (a shared buffer).
func (t *Typesetter) clusterWidths(p *para, st Style) []fixed.Int26_6 {
	t.widths = appendClusterWidths(t.widths[:0], t, p, st)
	return t.widths
}

// appendClusterWidths appends clusterWidths(p, st) to w.
func appendClusterWidths(w []fixed.Int26_6, t *Typesetter, p *para, st Style) []fixed.Int26_6 {
	cs := p.clusters
	n := len(w)
	w = slices.Grow(w, len(cs))[:n+len(cs)]
	out := w[n:]
	// advance for each cluster, the face's units per em looked up once
	// per run of clusters of one face.
	size, spacing := st.Size, st.Spacing
	face, upem := int16(math.MinInt16), int64(0)
	for i := range cs {
		c := &cs[i]
		if c.face != face {
			face = c.face
			fi := int(face)
			if fi < 0 {
				fi = p.face
			}
			upem = int64(t.faces[fi].upem)
		}
		a := scaleUnits(c.adv, size, upem)
		if spacing != 0 && c.face != kindInvisible {
			a += spacing
		}
		out[i] = a
	}
	return w
}

// advance is a cluster's advance at st's size plus the letter spacing after
// it (none after an invisible cluster: it is not a letter).
func (t *Typesetter) advance(p *para, c *cluster, st Style) fixed.Int26_6 {
	a := t.px(p, c, st.Size)
	if st.Spacing != 0 && c.face != kindInvisible {
		a += st.Spacing
	}
	return a
}

// breakLines fills at most maxLines lines greedily and returns them, the
// index of the first cluster left over, and whether a line had to break
// where UAX #14 offers no opportunity (w: the clusters' widths, sw: the
// segments' widths of the same size).
func (t *Typesetter) breakLines(p *para, w []fixed.Int26_6, sw []segWidth, limit fixed.Int26_6, maxLines int, lines []Line) ([]Line, int, bool) {
	if l, rest, forced, ok := breakSegments(p, sw, limit, maxLines, lines); ok {
		return l, rest, forced
	}
	return breakClusters(p, w, limit, maxLines, lines)
}

// breakClusters is breakLines a cluster at a time.
func breakClusters(p *para, w []fixed.Int26_6, limit fixed.Int26_6, maxLines int, lines []Line) ([]Line, int, bool) {
	forced := false
	cs := p.clusters
	i := skipSpaces(cs, 0)
	for i < len(cs) && len(lines) < maxLines {
		start := i
		var lineW, trimW fixed.Int26_6 // width, and width without trailing spaces
		end, endW := -1, fixed.Int26_6(0)
		for i < len(cs) {
			c := &cs[i]
			if i > start && c.brk && c.face != kindSpace {
				end, endW = i, trimW
			}
			if c.face != kindSpace && lineW+w[i] > limit {
				break
			}
			lineW += w[i]
			if c.face != kindSpace {
				trimW = lineW
			}
			i++
		}
		switch {
		case i == len(cs):
			lines = append(lines, Line{From: start, To: trimEnd(cs, start, i), Width: trimW})
		case end > start:
			lines = append(lines, Line{From: start, To: trimEnd(cs, start, end), Width: endW})
			i = end
		case i > start:
			// No opportunity on the line: break between grapheme clusters.
			lines = append(lines, Line{From: start, To: trimEnd(cs, start, i), Width: trimW})
			forced = true
		default:
			// Not even one cluster fits: stop here rather than draw past the box.
			return lines, i, true
		}
		i = skipSpaces(cs, i)
	}
	return lines, i, forced
}

func skipSpaces(cs []cluster, i int) int {
	for i < len(cs) && cs[i].face == kindSpace {
		i++
	}
	return i
}

func trimEnd(cs []cluster, from, to int) int {
	for to > from && cs[to-1].face == kindSpace {
		to--
	}
	return to
}

// clamp ends the text on the last line that fits with an ellipsis: after
// the last whole word that fits with it, or else the last grapheme cluster.
func (t *Typesetter) clamp(p *para, w []fixed.Int26_6, limit fixed.Int26_6, lines []Line, st Style) []Line {
	ell := t.ellipsisWidth(st)
	if len(lines) == 0 {
		lines = append(lines, Line{From: skipSpaces(p.clusters, 0)})
		lines[0].To = lines[0].From
	}
	last := &lines[len(lines)-1]
	cs := p.clusters
	start := last.From
	var lineW, trimW fixed.Int26_6
	wordEnd, wordW := -1, fixed.Int26_6(0)      // last word boundary that fits
	graphEnd, graphW := start, fixed.Int26_6(0) // last cluster that fits
	for i := start; i < len(cs); i++ {
		c := &cs[i]
		if i > start && c.brk && c.face != kindSpace && trimW+ell <= limit {
			wordEnd, wordW = i, trimW
		}
		if c.face != kindSpace && lineW+w[i]+ell > limit {
			break
		}
		lineW += w[i]
		if c.face != kindSpace {
			trimW = lineW
			graphEnd, graphW = i+1, trimW
		}
	}
	end, endW := graphEnd, graphW
	if wordEnd > start {
		end, endW = wordEnd, wordW
	}
	end = trimEnd(cs, start, end)
	// No ellipsis after a separator: "word,…" reads as "word…".
	for end > start && strings.ContainsRune(" ,.;:-–—、。，", p.runes[cs[end-1].start]) && cs[end-1].end-cs[end-1].start == 1 {
		k := trimEnd(cs, start, end-1)
		for _, cw := range w[k:end] { // the separator and the spaces before it
			endW -= cw
		}
		end = k
	}
	if ell > limit {
		*last = Line{From: start, To: end, Width: endW}
		return lines
	}
	*last = Line{From: start, To: end, Width: endW + ell, Ellipsis: true}
	return lines
}

// ellipsis returns the paragraph of a lone ellipsis in st (shaped once).
func (t *Typesetter) ellipsis(st Style) *para { return t.paragraph(string(Ellipsis), st) }

// ellipsisWidth is the ellipsis's advance with the spacing after it.
func (t *Typesetter) ellipsisWidth(st Style) fixed.Int26_6 {
	e := t.ellipsis(st)
	var w fixed.Int26_6
	for i := range e.clusters {
		w += t.advance(e, &e.clusters[i], st)
	}
	return w
}

// Fit lays text out at the largest size in [minSize, maxSize] at which it
// fits width x height in at most maxLines lines; if none does, at minSize,
// clamped to the lines that fit (with an ellipsis). It never returns more
// lines than fit the height, and at least one. The block may be shared
// with other calls: do not modify it.
func (t *Typesetter) Fit(text string, family int, bold bool, minSize, maxSize int, lineHeight float64, width, height, maxLines int, balance bool) *Block {
	return t.FitStyle(text, Style{Family: family, Bold: bold}, minSize, maxSize, lineHeight, width, height, maxLines, balance)
}

// FitStyle is Fit in st's family, weight and letter spacing (st.Size is
// not used).
func (t *Typesetter) FitStyle(text string, st Style, minSize, maxSize int, lineHeight float64, width, height, maxLines int, balance bool) *Block {
	minSize = min(minSize, maxSize)
	var b *Block
	for size := maxSize; size >= minSize; size-- {
		st.Size = size
		lines := linesThatFit(size, lineHeight, height, maxLines)
		// Balancing keeps the line count: fit greedily, balance once.
		b = t.Wrap(text, st, lineHeight, width, lines, false)
		if !b.Clamped {
			if balance {
				b = t.copyBlock(b) // Wrap's may be shared
				w, sw := t.widthsAt(b.para, st)
				t.balance(b, w, sw, widen(fixed.I(width), st.Spacing))
			}
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
	return max(n, 1)
}

// Metrics returns the ascent and descent, in px rounded up, of the style's
// own font.
func (t *Typesetter) Metrics(st Style) (ascent, descent int) {
	f := t.faces[t.styleFace(st)]
	up := int(f.upem)
	return (int(f.ascent)*st.Size + up - 1) / up, (int(f.descent)*st.Size + up - 1) / up
}
