package typeset

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/shape"
)

// drawLineOf draws text on one line at st, white on black, pen at x = 10.
func drawLineOf(ts *Typesetter, text string, st Style) *raster.Frame {
	b := ts.Line(text, st, 2*st.Size)
	return draw(ts, b, b.Width().Ceil()+20+st.Size, 2*st.Size, 10, 0, b.Width().Ceil()+10, Left)
}

// glyphIDs lists the non-zero-advance glyphs text is shaped into.
func glyphIDs(ts *Typesetter, text string, st Style) []uint32 {
	var ids []uint32
	for _, c := range ts.paragraph(text, st).clusters {
		for _, g := range c.glyphs {
			if g.Adv != 0 || g.XOff != 0 || g.YOff != 0 {
				ids = append(ids, uint32(g.ID))
			}
		}
	}
	return ids
}

// TestShapingJoins: complex scripts are shaped, not drawn letter by letter:
// joined letters and conjuncts differ from the same letters kept apart by a
// zero-width non-joiner (which draws nothing itself).
func TestShapingJoins(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 68}
	for _, c := range []struct{ name, joined, apart string }{
		{"arabic word", "سلام", "س\u200cل\u200cا\u200cم"},
		{"arabic bold", "مرحبا", "م\u200cر\u200cح\u200cب\u200cا"},
		{"devanagari conjunct", "क्ष", "क्\u200cष"},
		{"bengali conjunct", "ক্ষ", "ক্\u200cষ"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts.ResetMissing()
			j, a := drawLineOf(ts, c.joined, st), drawLineOf(ts, c.apart, st)
			if len(ts.Missing()) > 0 {
				t.Fatalf("missing %U", ts.Missing())
			}
			if ink(j, black).empty() || ink(a, black).empty() {
				t.Fatal("nothing drawn")
			}
			if j.W == a.W && bytes.Equal(j.Pix, a.Pix) {
				t.Errorf("%q and %q draw the same pixels: not shaped", c.joined, c.apart)
			}
			if gj, ga := glyphIDs(ts, c.joined, st), glyphIDs(ts, c.apart, st); slices.Equal(gj, ga) {
				t.Errorf("same glyphs %v for %q and %q", gj, c.joined, c.apart)
			}
		})
	}
}

// TestKerning: pairs the font kerns are narrower together than apart.
func TestKerning(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	kerned := func(pair string, st Style) (both, apart fixed.Int26_6) {
		rs := []rune(pair)
		return measure(ts, pair, st), measure(ts, string(rs[0]), st) + measure(ts, string(rs[1]), st)
	}
	for _, c := range []struct {
		pair string
		st   Style
	}{
		{"AV", Style{Family: inter, Bold: true, Size: 68}},
		{"AV", Style{Family: inter, Bold: false, Size: 68}},
		{"AV", Style{Family: family(t, ts, "DejaVu Serif"), Bold: true, Size: 68}},
		// Class kerning: go-text v0.3.5 skipped these (its set digest
		// dropped ranges, issue #278; patched in host/third_party).
		{"VA", Style{Family: inter, Bold: true, Size: 68}},
		{"To", Style{Family: inter, Bold: true, Size: 68}},
		{"Wa", Style{Family: inter, Bold: true, Size: 68}},
		{"Ya", Style{Family: inter, Bold: true, Size: 68}},
	} {
		if both, apart := kerned(c.pair, c.st); both >= apart {
			t.Errorf("%q family %d bold=%v %d px: %v, not narrower than %v apart (no kerning)", c.pair, c.st.Family, c.st.Bold, c.st.Size, both, apart)
		}
	}
}

// findInk returns the x (of the ink's left edge) where the ink of text
// drawn alone on the same baseline matches fr best: where a glyph was drawn
// in a line.
func findInk(ts *Typesetter, fr *raster.Frame, text string, st Style, lineHeight int) int {
	b := ts.Line(text, st, lineHeight)
	one := draw(ts, b, fr.W, fr.H, 0, 0, fr.W, Left)
	bb := ink(one, black)
	if bb.empty() {
		return -1
	}
	best, bestX := math.MaxInt, -1
	for x := 0; x+bb.x1-bb.x0 <= fr.W; x++ {
		sad := 0
		for y := bb.y0; y < bb.y1 && sad < best; y++ {
			for i := 0; i < bb.x1-bb.x0; i++ {
				a := int(one.Pix[(y*one.W+bb.x0+i)*4])
				c := int(fr.Pix[(y*fr.W+x+i)*4])
				sad += max(a-c, c-a)
			}
		}
		if sad < best {
			best, bestX = sad, x
		}
	}
	return bestX
}

// TestBidi: right-to-left letters in left-to-right text come out right to
// left, in the analysis' visual order and in the pixels drawn.
func TestBidi(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 48}
	for _, c := range []struct {
		text   string
		visual string // the runes left to right
		first  string // of a pair of letters: the one drawn left of the other
		second string
	}{
		{"abc אבג 123", "abc 123 גבא", "ג", "א"},
		{"אבג abc", "abc גבא", "ג", "א"},
		{"Say שלום!", "Say םולש!", "ם", "ש"},
		{"a (אב) b", "a (בא) b", "ב", "א"},
		// Letters that do not join: each drawn as when alone.
		{"دار 2024", "2024 راد", "ر", "د"},
	} {
		var a shape.Analyzer
		an := a.Analyze(c.text)
		var vis []rune
		for _, i := range VisualOrder(an.Levels) {
			vis = append(vis, an.Runes[i])
		}
		// Brackets are mirrored when drawn (by the font), not reordered.
		if got := string(vis); got != c.visual && strings.NewReplacer("(", ")", ")", "(").Replace(got) != c.visual {
			t.Errorf("%q: visual order %q, want %q (levels %v)", c.text, got, c.visual, an.Levels)
		}
		b := ts.Line(c.text, st, 2*st.Size)
		fr := draw(ts, b, b.Width().Ceil()+40, 2*st.Size, 10, 0, b.Width().Ceil()+10, Left)
		x1 := findInk(ts, fr, c.first, st, 2*st.Size)
		x2 := findInk(ts, fr, c.second, st, 2*st.Size)
		if x1 < 0 || x2 < 0 || x1 >= x2 {
			t.Errorf("%q: %q drawn at x %d, %q at x %d: want %[2]q left of %[4]q", c.text, c.first, x1, c.second, x2)
		}
	}
}

// TestCJKWrap: text without spaces wraps between ideographs and kana, and
// no line starts with a closing punctuation mark (UAX #14 class CL, NS).
func TestCJKWrap(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	isCJK := func(r rune) bool {
		return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
	}
	for _, text := range []string{
		"日本語のテキストは単語の間に空白がありません。次の文も、同じように折り返されます。",
		"中文文本没有空格，但是可以在任意两个汉字之间换行。标点符号、引号和括号不能出现在行首。",
		"東京、大阪、名古屋、札幌、福岡、神戸、京都、横浜、仙台、広島。",
	} {
		inside := false
		for width := 90; width <= 700; width += 11 {
			for _, balance := range []bool{false, true} {
				b := ts.Wrap(text, Style{Family: inter, Bold: false, Size: 32}, 1.2, width, 100, balance)
				checkBlock(t, ts, b, width)
				if b.Clamped {
					t.Fatalf("width %d: clamped", width)
				}
				if got := strings.Join(lineTexts(b), ""); got != text {
					t.Errorf("width %d: lines %q lose text", width, lineTexts(b))
				}
				lines := lineTexts(b)
				for i, l := range lines {
					rs := []rune(l)
					if i > 0 && strings.ContainsRune("。、，．）」』！？ー", rs[0]) {
						t.Errorf("width %d balance %v: line %d %q starts with %q", width, balance, i, l, rs[0])
					}
					if i > 0 {
						prev := []rune(lines[i-1])
						if isCJK(prev[len(prev)-1]) && isCJK(rs[0]) {
							inside = true
						}
					}
				}
			}
		}
		if !inside {
			t.Errorf("%q never wrapped between two ideographs", text)
		}
	}
}

// TestEmojiClusters: an emoji sequence is one cluster drawn as one colour
// glyph of the emoji family, not its parts.
func TestEmojiClusters(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: true, Size: 64}
	if ts.color < 0 {
		t.Fatal("no colour family")
	}
	for _, c := range []struct{ name, text string }{
		{"ZWJ family", "👨\u200d👩\u200d👧"},
		{"skin tone", "👋🏽"},
		{"flag", "🇯🇵"},
		{"keycap", "1\ufe0f\u20e3"},
		{"tag sequence (Scotland)", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"},
		{"ZWJ profession", "👩\u200d💻"},
		{"single", "😀"},
		{"text heart with VS16", "❤\ufe0f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts.ResetMissing()
			p := ts.paragraph(c.text, st)
			if len(p.clusters) != 1 {
				t.Fatalf("%d clusters, want 1", len(p.clusters))
			}
			cl := p.clusters[0]
			if int(cl.face) != ts.color || len(cl.glyphs) != 1 || cl.glyphs[0].ID == 0 {
				t.Fatalf("face %d (colour %d), glyphs %v: want one glyph of the colour family", cl.face, ts.color, cl.glyphs)
			}
			if m := ts.Missing(); len(m) > 0 {
				t.Errorf("missing %U", m)
			}
			// Drawn in red, text would be shades of red: the emoji's
			// own colours (or greys) show it is drawn from its bitmap.
			b := ts.Line(c.text, st, 2*st.Size)
			fr := raster.NewFrame(b.Width().Ceil()+20, 2*st.Size)
			fr.Clear(black)
			ts.Draw(fr, b, 10, 0, b.Width().Ceil(), Left, raster.RGB{R: 255}, 255)
			bitmap := false
			for i := 0; i < len(fr.Pix) && !bitmap; i += 4 {
				bitmap = fr.Pix[i+1] > 16 || fr.Pix[i+2] > 16
			}
			if !bitmap {
				t.Error("drawn in the text colour, not from the colour bitmap")
			}
			// At the text's opacity: fainter at half, nothing at 0.
			sum := func(a uint32) (n int) {
				fr.Clear(black)
				ts.Draw(fr, b, 10, 0, b.Width().Ceil(), Left, raster.RGB{R: 255}, a)
				for i := 0; i < len(fr.Pix); i += 4 {
					n += int(fr.Pix[i]) + int(fr.Pix[i+1]) + int(fr.Pix[i+2])
				}
				return n
			}
			if full, half, none := sum(255), sum(128), sum(0); none != 0 || half >= full*3/4 || half <= full/4 {
				t.Errorf("ink at opacity 255, 128, 0: %d, %d, %d", full, half, none)
			}
		})
	}
}

// TestNormalization: composed and decomposed text set alike.
func TestNormalization(t *testing.T) {
	ts := shared(t)
	for _, text := range []string{"Tiếng Việt", "Đặng Thị Ngọc Thịnh", "Ångström café naïve", "한국어"} {
		nfd := norm.NFD.String(text)
		if nfd == text {
			t.Fatalf("%q: NFD is the same", text)
		}
		for _, st := range []Style{{Family: family(t, ts, "Inter"), Size: 48}, {Family: family(t, ts, "DejaVu Serif"), Bold: true, Size: 30}} {
			a, b := drawLineOf(ts, text, st), drawLineOf(ts, nfd, st)
			if a.W != b.W || !bytes.Equal(a.Pix, b.Pix) {
				t.Errorf("%q: NFC and NFD draw differently", text)
			}
		}
	}
}

// TestBalance: balanced wrapping evens the lines out: a title that greedy
// wrapping leaves with one word on its last line gets more, in as many
// lines, none wider than the box.
func TestBalance(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	for _, c := range []struct {
		text string
		st   Style
	}{
		{"Rendering social images at the edge without a headless browser", Style{Family: inter, Bold: true, Size: 60}},
		{"How we cut our build times in half with remote caching", Style{Family: inter, Bold: true, Size: 56}},
		{"Notes on typesetting world scripts in WebAssembly modules", Style{Family: inter, Bold: false, Size: 48}},
		{"Заметки о наборе текста на всех языках мира", Style{Family: family(t, ts, "DejaVu Serif"), Bold: false, Size: 48}},
		{"ملاحظات حول تنضيد النصوص بجميع لغات العالم اليوم", Style{Family: inter, Bold: true, Size: 48}},
	} {
		// The widths at which greedy wrapping leaves one word alone.
		tested, widest := 0, 0
		for _, w := range strings.Fields(c.text) {
			widest = max(widest, measure(ts, w, c.st).Ceil())
		}
		for width := widest; width <= 1200; width += 3 {
			greedy := ts.Wrap(c.text, c.st, 1.2, width, 10, false)
			gl := lineTexts(greedy)
			// A title's two or three lines (with more, lines of a word or
			// two cannot always be evened out).
			if len(gl) < 2 || len(gl) > 3 || greedy.Clamped || len(strings.Fields(gl[len(gl)-1])) != 1 {
				continue
			}
			tested++
			bal := ts.Wrap(c.text, c.st, 1.2, width, 10, true)
			checkBlock(t, ts, bal, width)
			bl := lineTexts(bal)
			if len(bl) != len(gl) || strings.Join(strings.Fields(joined(bal)), " ") != strings.Join(strings.Fields(c.text), " ") {
				t.Fatalf("%q width %d: balanced %q vs greedy %q", c.text, width, bl, gl)
			}
			if n := len(strings.Fields(bl[len(bl)-1])); n < 2 {
				t.Errorf("%q width %d: balanced last line %q has %d word", c.text, width, bl[len(bl)-1], n)
			}
			// More even: the widest line is no wider, the last line wider.
			if bal.Width() > greedy.Width() || bal.Lines[len(bl)-1].Width <= greedy.Lines[len(gl)-1].Width {
				t.Errorf("%q width %d: balanced %q (widest %v) not more even than greedy %q (widest %v)", c.text, width, bl, bal.Width(), gl, greedy.Width())
			}
		}
		if tested == 0 {
			t.Errorf("%q: greedy wrapping never left one word alone: pick another title", c.text)
		}
	}
	// CJK without spaces balances too.
	st := Style{Family: inter, Bold: true, Size: 60}
	text := "日本語のタイトルは均等な行に分けられます"
	greedy := ts.Wrap(text, st, 1.2, 700, 10, false)
	bal := ts.Wrap(text, st, 1.2, 700, 10, true)
	checkBlock(t, ts, bal, 700)
	if len(greedy.Lines) < 2 || len(bal.Lines) != len(greedy.Lines) || bal.Width() >= greedy.Width() {
		t.Errorf("CJK: balanced %q vs greedy %q", lineTexts(bal), lineTexts(greedy))
	}
}

// TestEllipsisAtWordBoundary: a clamped line ends with a whole word and
// "…" when a word fits; a single long word is cut at a grapheme cluster.
// (Changed from the old engine, which cut mid-word wherever the line was
// full: "Vanderbil…".)
func TestEllipsisAtWordBoundary(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: true, Size: 40}
	text := "Cornelius Vanderbilt built the railroads of New York"
	cut := measure(ts, "Cornelius Vanderbil…", st)
	whole := measure(ts, "Cornelius Vanderbilt…", st)
	if cut >= whole {
		t.Fatalf("premise: %v >= %v", cut, whole)
	}
	for _, c := range []struct {
		width int
		want  string
	}{
		{cut.Ceil(), "Cornelius…"},
		{whole.Ceil() - 1, "Cornelius…"},
		{whole.Ceil(), "Cornelius Vanderbilt…"},
		{measure(ts, "Cornelius…", st).Ceil(), "Cornelius…"},
		{measure(ts, "Cornel…", st).Ceil(), "Cornel…"}, // no whole word fits
	} {
		b := ts.Wrap(text, st, 1.2, c.width, 1, false)
		checkBlock(t, ts, b, c.width)
		if got := b.Text(0); !b.Clamped || got != c.want {
			t.Errorf("width %d: %q, want %q", c.width, got, c.want)
		}
	}
	// Across widths: when the last line's first word fits with an
	// ellipsis, the text before the ellipsis ends at a word's end.
	for width := 150; width < 1100; width += 9 {
		for _, lines := range []int{1, 2, 3} {
			b := ts.Wrap(text, st, 1.2, width, lines, false)
			checkBlock(t, ts, b, width)
			if !b.Clamped {
				continue
			}
			last := b.Lines[len(b.Lines)-1]
			p := b.para
			first := last.From + 1 // the end of the last line's first word
			for first < len(p.clusters) && p.clusters[first].face != kindSpace {
				first++
			}
			if measure(ts, string(p.runes[p.clusters[last.From].start:p.clusters[first-1].end])+"…", st) > fixed.I(width) {
				continue // no whole word fits: cut at a grapheme cluster
			}
			if last.To < len(p.clusters) && p.clusters[last.To].face != kindSpace {
				t.Errorf("width %d lines %d: %q ends inside a word", width, lines, lineTexts(b))
			}
		}
	}
	// A single long word is cut at a grapheme cluster.
	var a shape.Analyzer
	for _, word := range []string{
		"Pneumonoultramicroscopicsilicovolcanoconiosis",
		strings.Repeat("क्षत्रिय", 6),
		strings.Repeat("👨\u200d👩\u200d👧🇯🇵", 6),
		strings.Repeat("ạ̈", 30),
	} {
		an := a.Analyze(word)
		for width := 90; width < 400; width += 17 {
			b := ts.Wrap(word, st, 1.2, width, 1, false)
			checkBlock(t, ts, b, width)
			if !b.Clamped {
				continue
			}
			got := []rune(b.Text(0))
			if len(got) < 2 || got[len(got)-1] != Ellipsis {
				t.Errorf("width %d: %q: want a part of %q and an ellipsis", width, string(got), word)
				continue
			}
			n := len(got) - 1
			if string(an.Runes[:n]) != string(got[:n]) || !an.Grapheme[n] {
				t.Errorf("width %d: %q is not cut at a grapheme cluster of %q", width, string(got), word)
			}
		}
	}
}

// TestURLBreaks: a URL breaks after "/" or "-" (UAX #14), never inside a
// word of it.
func TestURLBreaks(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 30}
	url := "https://example.com/app-render.tsx"
	var a shape.Analyzer
	an := a.Analyze(url)
	r0 := strings.Index(url, "render")
	for i := r0 + 1; i < r0+len("render"); i++ {
		if an.Break[i] {
			t.Errorf("a break opportunity inside %q at %d", "render", i)
		}
	}
	// Every piece between opportunities fits from this width on.
	widest := 0
	for _, piece := range []string{"https://", "example.com/", "app-", "render.tsx"} {
		widest = max(widest, measure(ts, piece, st).Ceil())
	}
	sawBreak := false
	for width := widest; width <= measure(ts, url, st).Ceil()+10; width += 5 {
		for _, balance := range []bool{false, true} {
			b := ts.Wrap(url, st, 1.2, width, 10, balance)
			checkBlock(t, ts, b, width)
			if got := strings.Join(lineTexts(b), ""); got != url || b.Clamped {
				t.Fatalf("width %d: %q", width, lineTexts(b))
			}
			for i, l := range lineTexts(b)[:len(b.Lines)-1] {
				sawBreak = true
				if !strings.HasSuffix(l, "/") && !strings.HasSuffix(l, "-") {
					t.Errorf("width %d balance %v: line %d %q does not end after / or -", width, balance, i, l)
				}
			}
		}
	}
	if !sawBreak {
		t.Error("the URL never broke")
	}
}

// TestVisible: text of joiners, controls and spaces alone is not visible
// (and draws nothing); a letter among them is.
func TestVisible(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	for _, c := range []struct {
		text string
		want bool
	}{
		{strings.Repeat("\u200d", 200), false},
		{strings.Repeat("\u200d", 200) + "a", true},
		{"a" + strings.Repeat("\u200d", 200), true},
		{"", false},
		{" \t\n\u00a0\u3000", false},
		{"\ufe0f\u200b\u2060\u202e\u2066\u200f\U000e0067", false},
		{"\x00\x01\x1b", false},
		{"😀", true},
		{"·", true},
		{"\u0301", true},
	} {
		if got := Visible(c.text); got != c.want {
			t.Errorf("Visible(%q) = %v, want %v", c.text, got, c.want)
		}
		if !c.want {
			ts.ResetMissing()
			b := ts.Wrap(c.text, st, 1.2, 400, 3, false)
			if bb := ink(draw(ts, b, 500, 200, 10, 10, 400, Left), black); !bb.empty() {
				t.Errorf("%q (not visible) drew ink %+v", c.text, bb)
			}
			if m := ts.Missing(); len(m) > 0 {
				t.Errorf("%q: missing %U", c.text, m)
			}
		}
	}
}

// TestAlignFollowsDirection: Start and End follow the paragraph's
// direction: right-to-left text set Start draws at the right edge.
func TestAlignFollowsDirection(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: true, Size: 40}
	const x, width = 50, 500
	for _, c := range []struct {
		text  string
		rtl   bool
		align Align
		right bool // drawn against the right edge
	}{
		{"مرحبا بالعالم", true, Start, true},
		{"مرحبا بالعالم", true, End, false},
		{"مرحبا بالعالم", true, Left, false},
		{"מה שלומך", true, Start, true},
		{"Hello world", false, Start, false},
		{"Hello world", false, End, true},
		{"Hello world", false, Right, true},
		{"123 مرحبا", true, Start, true}, // the first strong letter sets the direction
		{"Hi مرحبا", false, Start, false},
	} {
		b := ts.Wrap(c.text, st, 1.2, width, 1, false)
		if b.RTL() != c.rtl {
			t.Errorf("%q: RTL() = %v", c.text, b.RTL())
		}
		bb := ink(draw(ts, b, x+width+x, 80, x, 10, width, c.align), black)
		l, r := bb.x0-x, x+width-bb.x1
		if c.right && (r < -2 || r > st.Size/4) || !c.right && (l < -2 || l > st.Size/4) {
			t.Errorf("%q align %d: ink [%d, %d) in box [%d, %d): want it against the %s edge", c.text, c.align, bb.x0, bb.x1, x, x+width,
				map[bool]string{true: "right", false: "left"}[c.right])
		}
	}
	// A clamped right-to-left line has its ellipsis at its end: the left.
	b := ts.Wrap(strings.Repeat("مرحبا بالعالم ", 20), st, 1.2, width, 1, false)
	if !b.Clamped || !b.Lines[0].Ellipsis {
		t.Fatal("not clamped")
	}
	fr := draw(ts, b, x+width+x, 80, x, 0, width, Start)
	if ex := findInk(ts, fr, "…", st, b.LineHeight); ex < 0 || ex > x+st.Size {
		t.Errorf("ellipsis drawn at x %d, want at the left end of the line [%d, %d)", ex, x, x+width)
	}
}

// TestMissing: runes no font has are reported, once each; text every rune
// of which some font draws reports nothing, even laid out again from the
// cache.
func TestMissing(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	ts.ResetMissing()
	ts.Wrap("Linear A: \U00010600\U00010601 \U00010600", st, 1.2, 500, 2, false)
	if m := ts.Missing(); !slices.Equal(m, []rune{0x10600, 0x10601}) {
		t.Errorf("Missing() = %U, want [U+10600 U+10601]", m)
	}
	ts.ResetMissing()
	ts.Wrap("Linear A: \U00010600\U00010601 \U00010600", st, 1.2, 500, 2, false) // from the cache
	if m := ts.Missing(); !slices.Equal(m, []rune{0x10600, 0x10601}) {
		t.Errorf("again: Missing() = %U, want [U+10600 U+10601]", m)
	}
	for _, text := range worldTitles {
		for _, bold := range []bool{false, true} {
			ts.ResetMissing()
			b := ts.Wrap(text, Style{Family: st.Family, Bold: bold, Size: 40}, 1.2, 800, 3, true)
			draw(ts, b, 900, 200, 10, 10, 800, Start)
			if m := ts.Missing(); len(m) > 0 {
				t.Errorf("%q bold=%v: missing %U", text, bold, m)
			}
		}
	}
}

// worldTitles are titles in every script the fallback families cover.
var worldTitles = []string{
	"The quick brown fox — «ça va?» naïve Ærø İstanbul",
	"Съешь же ещё этих мягких французских булок",
	"Γειά σου Κόσμε: αυτή είναι μια δοκιμή",
	"مرحبا بالعالم، هذه تجربة ٢٠٢٤",
	"שלום עולם, זהו ניסיון 2024",
	"नमस्ते दुनिया, यह एक परीक्षण है क्षत्रिय",
	"ওহে বিশ্ব, এটি একটি পরীক্ষা",
	"வணக்கம் உலகம் இது ஒரு சோதனை",
	"สวัสดีชาวโลก นี่คือการทดสอบ",
	"Բարեւ աշխարհ, սա փորձարկում է",
	"გამარჯობა მსოფლიო, ეს ტესტია",
	"你好，世界。这是一个测试。日本語のテキスト、カタカナ",
	"안녕하세요 세계, 이것은 테스트입니다",
	"Launch day 🚀 👨\u200d👩\u200d👧 👋🏽 🇯🇵 1\ufe0f\u20e3 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f ❤\ufe0f",
	"Tiếng Việt có dấu: Đặng Thị Ngọc Thịnh",
}

// TestWorldTitlesDraw: each title lays out and draws within its box in
// every family, with its own direction's alignment.
func TestWorldTitlesDraw(t *testing.T) {
	ts := shared(t)
	for fam := range ts.families {
		for _, text := range worldTitles {
			b := ts.Fit(text, fam, fam%2 == 0, 24, 64, 1.2, 600, 300, 3, true)
			checkBlock(t, ts, b, 600)
			if b.Clamped {
				t.Errorf("%q: clamped", text)
			}
			checkRows(t, ts, b, 600, text)
		}
	}
}

// TestStackedMarksStayNearTheLine: marks stacked without end (HarfBuzz
// stacks Arabic harakat, say) are cut half an em beyond the font's ascent
// and descent, so a "zalgo" title cannot paint over the rest of a card.
func TestStackedMarksStayNearTheLine(t *testing.T) {
	ts := shared(t)
	for _, text := range []string{
		"ب" + strings.Repeat("\u064b\u0651\u0652", 30) + " ok",
		"ب" + strings.Repeat("\u0650\u064d", 30),
		"क" + strings.Repeat("\u0947\u0901", 30),
		"ก" + strings.Repeat("\u0e34\u0e48", 30),
		"Z" + strings.Repeat("\u0301\u0308\u030a", 30) + "a" + strings.Repeat("\u0316\u0317\u0323", 30),
	} {
		for _, lh := range []float64{0.8, 1.2} {
			for _, fam := range []string{"Inter", "DejaVu Serif"} {
				b := ts.Fit(text, family(t, ts, fam), false, 40, 40, lh, 600, 300, 2, false)
				pad := 6 * b.Style.Size
				fr := draw(ts, b, 600+2*pad, b.Height()+2*pad, pad, pad, 600, Left)
				top, bottom := boxRows(ts, b, pad)
				if bb := ink(fr, black); bb.empty() || bb.y0 < top || bb.y1 > bottom {
					t.Errorf("%q %s lh %v: ink rows [%d, %d), want within [%d, %d)", text, fam, lh, bb.y0, bb.y1, top, bottom)
				}
			}
		}
	}
}

// TestMissingMarksStayInPlace: a mark the cluster's font lacks (a Hebrew
// point after "(", shadda in a keycap) draws no .notdef box where
// HarfBuzz's fallback placement puts it, by the box's extents: a line
// away; a spacing glyph the font lacks is a box at the pen.
func TestMissingMarksStayInPlace(t *testing.T) {
	ts := shared(t)
	for _, text := range []string{"(\u05b5\u05d4\u05b4", "#\u0651\ufe0f\u20e3Re", " \u05b2\u05b5x", "a\u0651\ufe0f\u20e3"} {
		for _, fam := range []string{"Inter", "DejaVu Serif", "JetBrains Mono"} {
			st := Style{Family: family(t, ts, fam), Bold: false, Size: 60}
			b := ts.Line(text, st, 72)
			pad := 4 * st.Size
			fr := draw(ts, b, b.Width().Ceil()+2*pad, b.Height()+2*pad, pad, pad, b.Width().Ceil(), Left)
			top, bottom := boxRows(ts, b, pad)
			bb := ink(fr, black)
			if bb.empty() || bb.y0 < top || bb.y1 > bottom || bb.x0 < pad-st.Size/2 || bb.x1 > pad+b.Width().Ceil()+st.Size/2 {
				t.Errorf("%q %s: ink %+v, want within x [%d, %d), y [%d, %d)", text, fam, bb, pad-st.Size/2, pad+b.Width().Ceil()+st.Size/2, top, bottom)
			}
		}
	}
}

// TestSpaceFollowsTheScriptFont: a space after a word set in a fallback
// font is that font's space, not the style font's (JetBrains Mono's is
// 0.6 em; a Devanagari title in a mono card had gaping word spaces).
func TestSpaceFollowsTheScriptFont(t *testing.T) {
	ts := shared(t)
	mono := Style{Family: family(t, ts, "JetBrains Mono"), Bold: false, Size: 40}
	gap := func(text string, st Style) fixed.Int26_6 {
		a, b, _ := strings.Cut(text, " ")
		return measure(ts, text, st) - measure(ts, a, st) - measure(ts, b, st)
	}
	deva, latin := gap("कमल कमल", mono), gap("abc abc", mono)
	if deva >= latin*3/4 {
		t.Fatalf("space after Devanagari in a mono card: %v, mono space %v", deva, latin)
	}
	sans := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	if got := gap("कमल कमल", sans); got != deva {
		t.Fatalf("space after Devanagari: %v in a mono card, %v in a sans card: want the same font's", deva, got)
	}
}
