// Package shape turns text into what a line breaker and a painter need:
// NFC normalisation, bidi levels (UAX #9), line-break opportunities
// (UAX #14), grapheme clusters (UAX #29), scripts, and glyphs shaped by
// HarfBuzz (github.com/go-text/typesetting), cached within a byte budget.
package shape

import (
	"unicode/utf8"

	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/segmenter"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	xbidi "golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/ogmint/ogmint/wasm/bounded"
)

// Analysis is what the line breaker needs to know of a paragraph.
type Analysis struct {
	Runes []rune
	// Levels is each rune's bidi embedding level (odd: right to left).
	Levels []int8
	// RTL: the paragraph's direction (its first strong character is R or AL).
	RTL bool
	// Break[i]: a line may break before rune i (UAX #14; for Thai, Lao,
	// Khmer and Myanmar, which need a dictionary, between grapheme clusters).
	Break []bool
	// Grapheme[i]: a grapheme cluster starts at rune i (UAX #29).
	Grapheme []bool
	// Scripts is each rune's script, Common and Inherited resolved to the
	// script of the text around them.
	Scripts []language.Script
}

// Analyzer reuses its buffers between analyses. Not safe for concurrent use.
type Analyzer struct {
	seg     segmenter.Segmenter
	para    bidi.Paragraph
	scratch Analysis // AnalyzeScratch's
}

// NFC returns text in Normalization Form C (decomposed accents composed, so
// "e" + U+0301 and "é" set alike).
func NFC(text string) string {
	if ascii(text) || norm.NFC.IsNormalString(text) { // ASCII is NFC
		return text
	}
	return norm.NFC.String(text)
}

// ascii reports whether text is all ASCII.
func ascii(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Analyze analyses text (normalised to NFC first) as one paragraph.
func (a *Analyzer) Analyze(text string) *Analysis {
	return a.AnalyzeRunes([]rune(NFC(text)))
}

// AnalyzeScratch is Analyze into the analyzer's own analysis, whose slices
// the next AnalyzeScratch reuses: the caller keeps Runes (a new slice
// each time) and nothing else.
func (a *Analyzer) AnalyzeScratch(text string) *Analysis {
	runes := []rune(NFC(text))
	n := len(runes)
	an := &a.scratch
	*an = Analysis{Runes: runes, Levels: resize(an.Levels, n), Break: resize(an.Break, n+1),
		Grapheme: resize(an.Grapheme, n+1), Scripts: resize(an.Scripts, n)}
	a.analyze(an)
	return an
}

// resize returns s with length n, zeroed, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// AnalyzeRunes analyses runes, as they are, as one paragraph (it keeps them).
func (a *Analyzer) AnalyzeRunes(runes []rune) *Analysis {
	n := len(runes)
	an := &Analysis{Runes: runes, Levels: make([]int8, n), Break: make([]bool, n+1), Grapheme: make([]bool, n+1), Scripts: make([]language.Script, n)}
	a.analyze(an)
	return an
}

// analyze fills an (its slices sized and zeroed) for an.Runes.
func (a *Analyzer) analyze(an *Analysis) {
	runes := an.Runes
	n := len(runes)
	if n == 0 {
		return
	}
	an.RTL = FirstStrongRTL(runes)
	if needsBidi(runes) {
		a.Levels(runes, an.RTL, an.Levels)
	}
	if !asciiBreaks(runes, an.Break, an.Grapheme) {
		a.segment(runes, an.Break, an.Grapheme)
	}
	an.Break[0], an.Grapheme[n], an.Break[n] = false, true, true
	resolveScripts(runes, an.Scripts)
	for i := 1; i < n; i++ {
		if an.Grapheme[i] && needsDictionary(an.Scripts[i-1]) && needsDictionary(an.Scripts[i]) {
			an.Break[i] = true
		}
	}
}

// segment fills brk and grapheme (len(runes)+1 long) with the line-break
// opportunities and grapheme cluster starts go-text's segmenter finds: the
// general path.
func (a *Analyzer) segment(runes []rune, brk, grapheme []bool) {
	clear(brk)
	clear(grapheme)
	a.seg.Init(runes)
	for it := a.seg.LineIterator(); it.Next(); {
		brk[it.Line().Offset] = true
	}
	for it := a.seg.GraphemeIterator(); it.Next(); {
		grapheme[it.Grapheme().Offset] = true
	}
}

// Levels fills levels with the bidi embedding level of each rune of a
// paragraph of direction rtl (UAX #9 rules up to L1, via go-text's bidi).
// A paragraph separator (a newline) ends go-text's paragraph: the text
// after it is another paragraph of the same direction, and the separator
// takes the paragraph's level (rule L1).
func (a *Analyzer) Levels(runes []rune, rtl bool, levels []int8) {
	dir, base := bidi.LeftToRight, int8(0)
	if rtl {
		dir, base = bidi.RightToLeft, 1
	}
	for start := 0; start < len(runes); {
		runs := a.para.Segment(runes[start:], dir)
		end := start
		for i := 0; i < runs.NumRuns(); i++ {
			r := runs.Run(i)
			for j := r.Start; j < r.End; j++ {
				levels[start+j] = int8(r.Level)
			}
			end = start + r.End
		}
		if end < len(runes) {
			levels[end] = base
		}
		start = end + 1
	}
}

// FirstStrongRTL reports whether the first strong character of runes is
// right to left (rules P2 and P3 of UAX #9).
func FirstStrongRTL(runes []rune) bool {
	for _, r := range runes {
		p, _ := xbidi.LookupRune(r)
		switch p.Class() {
		case xbidi.L:
			return false
		case xbidi.R, xbidi.AL:
			return true
		}
	}
	return false
}

// needsBidi reports whether any rune could take a level other than 0 in a
// left-to-right paragraph (a quick check that skips the algorithm for most
// Latin text): a right-to-left letter or an explicit directional
// formatting character (marks, embeddings, overrides, isolates).
func needsBidi(runes []rune) bool {
	for _, r := range runes {
		if r >= 0x590 && (r < 0x900 || r >= 0x200e && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
			r >= 0xfb1d && r <= 0xfefc || r >= 0x10800 && r <= 0x10fff || r >= 0x1e800 && r <= 0x1efff) {
			return true
		}
	}
	return false
}

func needsDictionary(s language.Script) bool {
	return s == language.Thai || s == language.Lao || s == language.Khmer || s == language.Myanmar
}

// asciiScripts are the scripts of the ASCII runes, from LookupScript once:
// its binary search over 200 ranges is the cost of most runes analysed.
var asciiScripts = func() (t [128]language.Script) {
	for r := range rune(len(t)) {
		t[r] = language.LookupScript(r)
	}
	return t
}()

// resolveScripts fills out with each rune's script; Common and Inherited
// runes take the script before them (or after, at the start).
func resolveScripts(runes []rune, out []language.Script) {
	last := language.Script(0)
	for i, r := range runes {
		var s language.Script
		if 0 <= r && r < 128 {
			s = asciiScripts[r]
		} else {
			s = language.LookupScript(r)
		}
		if s == language.Common || s == language.Inherited || s == language.Unknown {
			out[i] = last
			continue
		}
		if last == 0 {
			for j := range i {
				out[j] = s
			}
		}
		out[i], last = s, s
	}
	if last == 0 {
		for i := range out {
			out[i] = language.Latin
		}
	}
}

// Glyph is one shaped glyph, in font units x 64 (26.6 at a size of one unit
// per pixel: scale by size/upem).
type Glyph struct {
	ID      font.GID
	Cluster int32 // index, in the shaped runes, of the first rune of its cluster
	Adv     int32
	XOff    int32
	YOff    int32
}

// Shaper shapes runs of runes and keeps the results within a byte budget.
type Shaper struct {
	hb    shaping.HarfbuzzShaper
	cache *bounded.Cache[string, []Glyph]
	key   []byte
	// Shaped counts runs shaped (cache misses), for tests and stats.
	Shaped int
}

// NewShaper returns a shaper whose cache holds at most budget bytes.
func NewShaper(budget int) *Shaper {
	return &Shaper{cache: bounded.New[string, []Glyph](budget)}
}

// Reset forgets every shaped run and every font the shaper prepared (after
// a font's identity, its fontID, was given to another font, or to free a
// font's memory).
func (s *Shaper) Reset() {
	s.cache.Clear()
	s.hb = shaping.HarfbuzzShaper{}
}

// CacheBytes is the size of the shaped-run cache.
func (s *Shaper) CacheBytes() int { return s.cache.Bytes() }

// Shape shapes runes (one font, one direction, one script) with face, whose
// identity within the caller is fontID. Glyphs come in visual order (right
// to left runs reversed) with advances and offsets in font units x 64.
// The result is shared: do not modify it.
func (s *Shaper) Shape(face *font.Face, fontID int, runes []rune, rtl bool, script language.Script) []Glyph {
	k := append(s.key[:0], byte(fontID), byte(fontID>>8), 0, byte(script), byte(script>>8), byte(script>>16), byte(script>>24))
	if rtl {
		k[2] = 1
	}
	for _, r := range runes {
		if 0 <= r && r < utf8.RuneSelf {
			k = append(k, byte(r))
		} else {
			k = utf8.AppendRune(k, r)
		}
	}
	s.key = k
	if g, ok := bounded.GetBytes(s.cache, k); ok {
		return g
	}
	dir := di.DirectionLTR
	if rtl {
		dir = di.DirectionRTL
	}
	upem := int(face.Upem())
	out := s.hb.ShapeNoExtents(shaping.Input{Text: runes, RunStart: 0, RunEnd: len(runes), Direction: dir,
		Face: face, Size: fixed.I(upem), Script: script})
	gs := make([]Glyph, len(out.Glyphs))
	for i, g := range out.Glyphs {
		gs[i] = Glyph{ID: g.GlyphID, Cluster: int32(g.ClusterIndex), Adv: int32(g.Advance), XOff: int32(g.XOffset), YOff: int32(g.YOffset)}
	}
	s.Shaped++
	s.cache.Put(string(k), gs, len(k)+len(gs)*20)
	return gs
}
