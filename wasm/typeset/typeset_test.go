package typeset

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/raster"
)

// newTypesetter builds a Typesetter from the embedded fonts exactly as
// wasm/render.New does.
func newTypesetter(tb testing.TB) *Typesetter {
	tb.Helper()
	set, err := templates.Load()
	if err != nil {
		tb.Fatalf("templates.Load: %v", err)
	}
	var fams []FontData
	for _, name := range set.FamilyNames() {
		f := set.Families[name]
		reg, err := templates.FontFile(f.Regular)
		if err != nil {
			tb.Fatal(err)
		}
		bold, err := templates.FontFile(f.Bold)
		if err != nil {
			tb.Fatal(err)
		}
		fams = append(fams, FontData{Name: name, Regular: reg, Bold: bold})
	}
	ts, err := New(fams, set.FallbackOrder)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return ts
}

var (
	sharedOnce sync.Once
	sharedTS   *Typesetter
)

// shared returns one Typesetter for the whole test binary (tests in this
// package do not run in parallel; a Typesetter is not safe for concurrent use).
func shared(tb testing.TB) *Typesetter {
	tb.Helper()
	sharedOnce.Do(func() { sharedTS = newTypesetter(tb) })
	if sharedTS == nil {
		tb.Fatal("no typesetter")
	}
	return sharedTS
}

func family(tb testing.TB, ts *Typesetter, name string) int {
	tb.Helper()
	i := ts.FamilyIndex(name)
	if i < 0 {
		tb.Fatalf("family %q not loaded", name)
	}
	return i
}

// checkBlock asserts the invariants every laid-out block keeps.
func checkBlock(t *testing.T, ts *Typesetter, b *Block, width int) {
	t.Helper()
	if len(b.Lines) != len(b.Widths) {
		t.Fatalf("%d lines, %d widths", len(b.Lines), len(b.Widths))
	}
	for i, l := range b.Lines {
		if got := ts.Measure(l, b.Style); got != b.Widths[i] {
			t.Errorf("line %d %q: Widths = %v, measured %v", i, string(l), b.Widths[i], got)
		}
		if b.Widths[i] > fixed.I(width) {
			t.Errorf("line %d %q: width %v > %d", i, string(l), b.Widths[i], width)
		}
		if strings.HasPrefix(string(l), " ") || strings.HasSuffix(string(l), " ") {
			t.Errorf("line %d %q: leading or trailing space", i, string(l))
		}
	}
	if b.Height() != len(b.Lines)*b.LineHeight {
		t.Errorf("Height %d != %d lines x %d", b.Height(), len(b.Lines), b.LineHeight)
	}
}

func joined(b *Block) string {
	var s []string
	for _, l := range b.Lines {
		s = append(s, string(l))
	}
	return strings.Join(s, " ")
}

// noSpaces is the text's runes without white space, as Wrap sees them.
func noSpaces(s string) []rune { return []rune(strings.Join(strings.Fields(s), "")) }

func TestWrapWordBoundaries(t *testing.T) {
	ts := shared(t)
	inter, serif, mono := family(t, ts, "Inter"), family(t, ts, "DejaVu Serif"), family(t, ts, "JetBrains Mono")
	cases := []struct {
		name  string
		text  string
		st    Style
		width int
	}{
		{"english", "The quick brown fox jumps over the lazy dog and keeps on running far away", Style{inter, false, 40}, 300},
		{"english bold", "The quick brown fox jumps over the lazy dog and keeps on running far away", Style{inter, true, 60}, 600},
		{"serif", "Rendering social images at the edge without a headless browser", Style{serif, false, 48}, 500},
		{"mono", "func main() { fmt.Println(\"hello, world\") }", Style{mono, false, 30}, 400},
		{"greek", "Γειά σου Κόσμε, αυτή είναι μια δοκιμή αναδίπλωσης κειμένου", Style{inter, true, 44}, 420},
		{"cyrillic", "Съешь же ещё этих мягких французских булок, да выпей чаю", Style{serif, false, 44}, 420},
		{"accents", "Zażółć gęślą jaźń — résumé naïve Ångström façade", Style{inter, false, 36}, 330},
		{"CJK words (placeholders)", "日本語 の テキスト 中文 한국어 混在 文字列", Style{inter, false, 40}, 200},
		{"emoji", "Launch 🚀 day 🎉 is here ✨ finally", Style{inter, false, 40}, 220},
		{"extra white space", "  lots \t of\n\n   space   between   words  ", Style{inter, false, 30}, 140},
		{"one word", "Hello", Style{inter, false, 30}, 1000},
		{"wide line", "Just a short title", Style{inter, true, 68}, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, 100)
			checkBlock(t, ts, b, c.width)
			if b.Clamped {
				t.Fatal("clamped with 100 lines available")
			}
			if got, want := joined(b), strings.Join(strings.Fields(c.text), " "); got != want {
				t.Errorf("lines joined = %q, want %q (words were split or lost)", got, want)
			}
			// Greedy: the next line's first word would not have fitted.
			for i := 0; i+1 < len(b.Lines); i++ {
				next := strings.Fields(string(b.Lines[i+1]))[0]
				w := ts.Measure([]rune(string(b.Lines[i])+" "+next), c.st)
				if w <= fixed.I(c.width) {
					t.Errorf("line %d %q: next word %q would have fitted (%v <= %d)", i, string(b.Lines[i]), next, w, c.width)
				}
			}
			if want := int(float64(c.st.Size)*1.2 + 0.5); b.LineHeight != want {
				t.Errorf("LineHeight = %d, want %d", b.LineHeight, want)
			}
			if b.Style != c.st {
				t.Errorf("Style = %+v", b.Style)
			}
		})
	}
}

// TestWrapExactWidth: a line exactly as wide as the box fits; 1 px less breaks it.
func TestWrapExactWidth(t *testing.T) {
	ts := shared(t)
	st := Style{family(t, ts, "Inter"), false, 40}
	text := "Hello world"
	w := ts.Measure([]rune(text), st).Ceil()
	if b := ts.Wrap(text, st, 1.2, w, 5); len(b.Lines) != 1 {
		t.Errorf("width %d: %d lines, want 1", w, len(b.Lines))
	}
	if b := ts.Wrap(text, st, 1.2, w-1, 5); len(b.Lines) != 2 || joined(b) != text {
		t.Errorf("width %d: lines %q, want 2 lines", w-1, b.Lines)
	}
}

func TestWrapEmpty(t *testing.T) {
	ts := shared(t)
	for _, s := range []string{"", " ", " \t\n "} {
		b := ts.Wrap(s, Style{0, false, 20}, 1.2, 500, 3)
		if len(b.Lines) != 0 || b.Clamped || b.Height() != 0 {
			t.Errorf("Wrap(%q) = %q clamped=%v", s, b.Lines, b.Clamped)
		}
	}
}

func TestWrapLongWord(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	cases := []struct {
		name  string
		text  string
		st    Style
		width int
	}{
		{"latin", "Supercalifragilisticexpialidocious", Style{inter, false, 60}, 250},
		{"latin bold in text", "A Supercalifragilisticexpialidocious word", Style{inter, true, 60}, 300},
		{"url", "https://example.com/a/very/long/path/that/never/has/a/space/in/it?query=string", Style{inter, false, 30}, 200},
		{"CJK run", "日本語のテキストは単語の間に空白がありません", Style{inter, false, 40}, 150},
		{"greek", "Αντιδιαφωνούντιστεςκαιμακροσκελέστατοι", Style{inter, false, 40}, 180},
		{"narrow", "WWWWWWWW", Style{inter, true, 40}, 42}, // one W (41.4 px) a line
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, 100)
			checkBlock(t, ts, b, c.width)
			if b.Clamped {
				t.Fatal("clamped with 100 lines available")
			}
			if len(b.Lines) < 2 {
				t.Fatalf("lines %q: want the word broken", b.Lines)
			}
			if got, want := string(noSpaces(joined(b))), string(noSpaces(c.text)); got != want {
				t.Errorf("characters lost or reordered: %q, want %q", got, want)
			}
			for i, l := range b.Lines {
				if len(l) == 0 {
					t.Errorf("line %d empty", i)
				}
			}
			// A broken line is full: its next character would not have fitted.
			for i := 0; i+1 < len(b.Lines) && !strings.Contains(c.text, " "); i++ {
				next := b.Lines[i+1][0]
				if w := b.Widths[i] + ts.advance(c.st, next); w <= fixed.I(c.width) {
					t.Errorf("line %d %q broken early: %q would fit (%v)", i, string(b.Lines[i]), next, w)
				}
			}
		})
	}
}

// TestWrapGlyphWiderThanLine: a glyph wider than the whole line cannot be
// drawn there; no line may be wider than the box anyway.
func TestWrapGlyphWiderThanLine(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	for _, c := range []struct {
		text  string
		size  int
		width int
	}{
		{"W", 100, 50},
		{"Hello W", 100, 60},
		{"ab\U0001F850cd", 40, 60}, // U+1F850 is 2.7 em wide
		{"…", 100, 20},
		{"a b c", 200, 1},
	} {
		for _, lines := range []int{1, 3} {
			b := ts.Wrap(c.text, Style{inter, false, c.size}, 1.2, c.width, lines)
			checkBlock(t, ts, b, c.width)
			if len(b.Lines) > lines {
				t.Errorf("%q: %d lines, max %d", c.text, len(b.Lines), lines)
			}
			if !b.Clamped {
				t.Errorf("%q size %d width %d: lines %q not marked clamped", c.text, c.size, c.width, b.Lines)
			}
		}
	}
}

func TestWrapClamp(t *testing.T) {
	ts := shared(t)
	inter, serif := family(t, ts, "Inter"), family(t, ts, "DejaVu Serif")
	long := strings.Repeat("Exceptionally long headline words keep coming ", 20)
	cases := []struct {
		name     string
		text     string
		st       Style
		width    int
		maxLines int
	}{
		{"one line", long, Style{inter, true, 40}, 500, 1},
		{"two lines", long, Style{inter, false, 30}, 400, 2},
		{"three lines serif", long, Style{serif, true, 50}, 700, 3},
		{"punctuation before cut", strings.Repeat("Hello, world; again: and - again. ", 10), Style{inter, false, 30}, 300, 2},
		{"long word clamped", strings.Repeat("x", 400), Style{inter, false, 30}, 200, 2},
		{"placeholders", strings.Repeat("日本語 ", 60), Style{inter, false, 30}, 200, 2},
		{"max lines zero means one", long, Style{inter, false, 30}, 400, 0},
		{"narrow", long, Style{inter, false, 30}, 60, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, c.maxLines)
			checkBlock(t, ts, b, c.width)
			want := max(c.maxLines, 1)
			if !b.Clamped || len(b.Lines) != want {
				t.Fatalf("clamped=%v lines=%d, want clamped with %d lines", b.Clamped, len(b.Lines), want)
			}
			all := joined(b)
			if n := strings.Count(all, "…"); n != 1 {
				t.Errorf("%d ellipses in %q, want exactly 1", n, all)
			}
			last := b.Lines[len(b.Lines)-1]
			if last[len(last)-1] != Ellipsis {
				t.Fatalf("last line %q does not end with an ellipsis", string(last))
			}
			if len(last) > 1 && strings.ContainsRune(" ,.;:-–—", last[len(last)-2]) {
				t.Errorf("last line %q: punctuation or space before the ellipsis", string(last))
			}
			// What is shown is the start of the text.
			shown := noSpaces(strings.TrimSuffix(all, "…"))
			if !strings.HasPrefix(string(noSpaces(c.text)), string(shown)) {
				t.Errorf("shown text %q is not a prefix of the input", string(shown))
			}
		})
	}
}

// TestWrapNotClampedWhenItFits: text that needs exactly maxLines lines is
// not clamped and gets no ellipsis.
func TestWrapNotClampedWhenItFits(t *testing.T) {
	ts := shared(t)
	st := Style{family(t, ts, "Inter"), false, 40}
	text := "one two three four five six seven eight nine ten"
	full := ts.Wrap(text, st, 1.2, 300, 100)
	n := len(full.Lines)
	if n < 2 {
		t.Fatalf("want several lines, got %q", full.Lines)
	}
	b := ts.Wrap(text, st, 1.2, 300, n)
	if b.Clamped || joined(b) != text {
		t.Errorf("maxLines=%d: clamped=%v %q", n, b.Clamped, b.Lines)
	}
	b = ts.Wrap(text, st, 1.2, 300, n-1)
	if !b.Clamped || len(b.Lines) != n-1 {
		t.Errorf("maxLines=%d: clamped=%v %q", n-1, b.Clamped, b.Lines)
	}
}

func TestFit(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	const (
		lo, hi   = 24, 72
		lh       = 1.15
		width    = 1000
		height   = 260
		maxLines = 3
	)
	words := strings.Fields(strings.Repeat("Rendering social images at the edge without a headless browser ", 8))
	prev := hi + 1
	sawShrink, sawClamp := false, false
	for n := 1; n <= len(words); n++ {
		text := strings.Join(words[:n], " ")
		b := ts.Fit(text, inter, true, lo, hi, lh, width, height, maxLines)
		checkBlock(t, ts, b, width)
		size := b.Style.Size
		if size < lo || size > hi {
			t.Fatalf("%d words: size %d outside [%d, %d]", n, size, lo, hi)
		}
		if size > prev {
			t.Errorf("%d words: size grew from %d to %d with longer text", n, prev, size)
		}
		if size < prev && prev <= hi {
			sawShrink = true
		}
		prev = size
		if len(b.Lines) > maxLines || b.Height() > height {
			t.Errorf("%d words: %d lines, height %d > %d", n, len(b.Lines), b.Height(), height)
		}
		if b.Clamped {
			sawClamp = true
			if size != lo {
				t.Errorf("%d words: clamped at size %d, want the minimum %d", n, size, lo)
			}
			continue
		}
		if got := joined(b); got != text {
			t.Errorf("%d words: %q", n, got)
		}
		// Largest size: one px larger does not fit.
		if size < hi {
			bigger := size + 1
			lines := linesThatFit(bigger, lh, height, maxLines)
			if w := ts.Wrap(text, Style{inter, true, bigger}, lh, width, lines); !w.Clamped {
				t.Errorf("%d words: chose %d but %d fits", n, size, bigger)
			}
		}
	}
	if !sawShrink || !sawClamp {
		t.Errorf("shrink seen %v, clamp seen %v: the text lengths do not exercise Fit", sawShrink, sawClamp)
	}
}

func TestFitCases(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	long := strings.Repeat("words that go on and on ", 100)
	for _, c := range []struct {
		name                    string
		text                    string
		lo, hi                  int
		width, height, maxLines int
		wantSize, wantLines     int
		wantClamped             bool
	}{
		{"short at max size", "Hi", 20, 80, 1000, 400, 3, 80, 1, false},
		{"min equals max", "Hi there", 30, 30, 1000, 400, 3, 30, 1, false},
		{"long clamped at min", long, 20, 40, 800, 300, 3, 20, 3, true},
		{"height limits lines", long, 20, 20, 800, 60, 10, 20, 2, true}, // 60 / 24 px = 2 lines
		{"height below one line", long, 20, 20, 800, 5, 3, 20, 1, true},
		{"max lines zero", long, 20, 20, 800, 400, 0, 20, 1, true},
		{"single line shrinks", "A title that is rather long for one line", 10, 80, 600, 400, 1, 0, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Fit(c.text, inter, false, c.lo, c.hi, 1.2, c.width, c.height, c.maxLines)
			checkBlock(t, ts, b, c.width)
			if c.wantSize != 0 && b.Style.Size != c.wantSize {
				t.Errorf("size %d, want %d", b.Style.Size, c.wantSize)
			}
			if len(b.Lines) != c.wantLines || b.Clamped != c.wantClamped {
				t.Errorf("%d lines clamped=%v, want %d clamped=%v", len(b.Lines), b.Clamped, c.wantLines, c.wantClamped)
			}
		})
	}
}

// TestFitBadRange: an empty size range must not return a nil block.
func TestFitBadRange(t *testing.T) {
	ts := shared(t)
	b := ts.Fit("Hello", 0, false, 40, 30, 1.2, 500, 200, 2)
	if b == nil {
		t.Fatal("nil block")
	}
	if b.Style.Size < 30 || b.Style.Size > 40 || len(b.Lines) != 1 {
		t.Errorf("size %d lines %q", b.Style.Size, b.Lines)
	}
}

func TestInitials(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ada Lovelace", "AL"},
		{"ada lovelace", "AL"},
		{"Ada", "A"},
		{"Ada Augusta King Lovelace", "AL"},
		{"  Grace   Brewster  Hopper ", "GH"},
		{"", ""},
		{"   ", ""},
		{"Émile Zola", "ÉZ"},
		{"élodie", "É"},
		{"Жанна д'Арк", "ЖД"},
		{"αλέξανδρος μέγας", "ΑΜ"},
		{"李 小龍", "李小"},
		{"@ada lovelace", "AL"},
		{"(ada) [lovelace]", "AL"},
		{"42 Club", "4C"},
		{"- Ada", "A"},
		{"🚀 Rocket", "R"},
		{"🚀 🎉", ""},
	} {
		if got := string(Initials(c.in)); got != c.want {
			t.Errorf("Initials(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMeasure(t *testing.T) {
	ts := shared(t)
	st := Style{family(t, ts, "Inter"), true, 33}
	if ts.Measure(nil, st) != 0 {
		t.Error("Measure(nil) != 0")
	}
	a, b := []rune("Hello, "), []rune("wörld 日本")
	if got, want := ts.Measure(append(append([]rune{}, a...), b...), st), ts.Measure(a, st)+ts.Measure(b, st); got != want {
		t.Errorf("Measure not additive: %v != %v", got, want)
	}
	if big, small := ts.Measure(a, Style{st.Family, true, 66}), ts.Measure(a, st); big <= small {
		t.Errorf("size 66 (%v) not wider than 33 (%v)", big, small)
	}
	// A missing glyph advances by 0.6 em.
	if got := ts.Measure([]rune{0x10fffd}, Style{st.Family, false, 50}); got != fixed.I(30) {
		t.Errorf("missing glyph advance %v, want 30", got)
	}
}

func TestNew(t *testing.T) {
	if _, err := New([]FontData{{Name: "Bad", Regular: []byte("not a font"), Bold: []byte("x")}}, nil); err == nil {
		t.Error("New accepted garbage font data")
	}
	reg, err := templates.FontFile("Inter-Regular.otf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New([]FontData{{Name: "Inter", Regular: reg, Bold: reg}}, []string{"Nope"}); err == nil {
		t.Error("New accepted an unknown fallback family")
	}
	ts := shared(t)
	if ts.FamilyIndex("Nope") != -1 || ts.FamilyIndex("inter") != -1 {
		t.Error("FamilyIndex matched an unknown or wrongly cased name")
	}
}

// scripts are titles the card fonts must draw in the requested family.
var scripts = map[string]string{
	"latin":    "The Quick Brown Fox Jumps Over the Lazy Dog 0123456789 !?&@#%()[]{}<>/\\|*+=_~^$€£ “quotes” ‘apostrophe’ — – … ©®™",
	"accents":  "Zażółć gęślą jaźń Résumé naïve Ångström Ærøskøbing façade Straße Œuvre İstanbul Čeština Ğ ş",
	"greek":    "Γειά σου Κόσμε ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ αβγδεζηθικλμνξοπρστυφχψω άέήίόύώ ς",
	"cyrillic": "Привет мир Съешь же ещё этих мягких французских булок да выпей чаю АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
}

// TestRequestedFamilyUsed: Latin, Greek and Cyrillic text is drawn in the
// requested family and weight, never by a fallback or as a placeholder.
func TestRequestedFamilyUsed(t *testing.T) {
	ts := shared(t)
	for fam, name := range ts.families {
		for _, bold := range []bool{false, true} {
			st := Style{fam, bold, 40}
			for script, text := range scripts {
				for _, r := range text {
					if r == ' ' {
						continue
					}
					if got, want := ts.fontFor(st, r), fontIndex(fam, bold); got != want {
						t.Errorf("%s bold=%v %s: %q (%U) drawn by font %d, want %d", name, bold, script, r, r, got, want)
					}
				}
			}
		}
	}
}

// missing are runes no card font has.
var missing = []rune{0x10fffd, '日', '中', '한', 0x1f600}

// TestMissingGlyphsHaveNoFont guards the premise of the placeholder tests.
func TestMissingGlyphsHaveNoFont(t *testing.T) {
	ts := shared(t)
	for fam := range ts.families {
		for _, r := range missing {
			if fi := ts.fontFor(Style{fam, false, 20}, r); fi != -1 {
				t.Errorf("%U is drawn by font %d; pick another rune for the placeholder tests", r, fi)
			}
		}
	}
}

type bbox struct{ x0, y0, x1, y1 int } // inked pixels, x1/y1 exclusive; empty if x0 >= x1

// ink returns the bounding box of pixels that differ from bg.
func ink(fr *raster.Frame, bg raster.RGB) bbox {
	b := bbox{fr.W, fr.H, 0, 0}
	for y := 0; y < fr.H; y++ {
		for x := 0; x < fr.W; x++ {
			i := (y*fr.W + x) * 4
			if fr.Pix[i] != bg.R || fr.Pix[i+1] != bg.G || fr.Pix[i+2] != bg.B {
				b.x0, b.y0 = min(b.x0, x), min(b.y0, y)
				b.x1, b.y1 = max(b.x1, x+1), max(b.y1, y+1)
			}
		}
	}
	return b
}

var (
	black = raster.RGB{}
	white = raster.RGB{R: 255, G: 255, B: 255}
)

// TestMissingGlyphPlaceholder: a glyph no font has is drawn as a visible box
// inside its own advance, not as nothing.
func TestMissingGlyphPlaceholder(t *testing.T) {
	ts := shared(t)
	for _, size := range []int{8, 20, 68} {
		for _, r := range missing {
			st := Style{family(t, ts, "Inter"), size >= 20, size}
			fr := raster.NewFrame(4*size, 3*size)
			fr.Clear(black)
			x, baseline := size, 2*size
			ts.DrawLine(fr, []rune{r}, st, fixed.I(x), baseline, white, 255)
			adv := ts.advance(st, r).Ceil()
			b := ink(fr, black)
			if b.x0 >= b.x1 {
				t.Errorf("size %d %U: nothing drawn", size, r)
				continue
			}
			if b.x0 < x || b.x1 > x+adv || b.y1 > baseline+1 || b.y0 < baseline-size {
				t.Errorf("size %d %U: box %+v outside its cell x [%d, %d), y [%d, %d]", size, r, b, x, x+adv, baseline-size, baseline)
			}
			if b.x1-b.x0 < 2 || b.y1-b.y0 < 2 {
				t.Errorf("size %d %U: placeholder %+v too small to see", size, r, b)
			}
		}
	}
}

// TestDrawBlockWithPlaceholders: in a laid-out title, each missing glyph's
// cell has ink, between correctly drawn Latin text.
func TestDrawBlockWithPlaceholders(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	b := ts.Fit("Hi 日本 \U0010fffd ok", inter, true, 40, 40, 1.2, 800, 100, 1)
	if len(b.Lines) != 1 {
		t.Fatalf("lines %q", b.Lines)
	}
	fr := raster.NewFrame(900, 100)
	fr.Clear(black)
	ts.Draw(fr, b, 10, 20, 800, Left, white, 255)
	asc, desc := ts.Metrics(b.Style)
	baseline := 20 + (b.LineHeight-(asc+desc))/2 + asc
	x := fixed.I(10)
	for _, r := range b.Lines[0] {
		adv := ts.advance(b.Style, r)
		if r != ' ' {
			cell := raster.NewFrame(adv.Ceil()+1, b.LineHeight)
			for j := 0; j < cell.H; j++ {
				row := baseline - b.LineHeight + j + desc
				copy(cell.Pix[j*cell.W*4:(j+1)*cell.W*4], fr.Pix[(row*fr.W+x.Floor())*4:(row*fr.W+x.Floor()+cell.W)*4])
			}
			if bb := ink(cell, black); bb.x0 >= bb.x1 {
				t.Errorf("%q (%U): no ink in its cell", r, r)
			}
		}
		x += adv
	}
}

func TestDrawAlign(t *testing.T) {
	ts := shared(t)
	st := Style{family(t, ts, "Inter"), false, 40}
	b := ts.Wrap("Hi", st, 1.2, 400, 1)
	w := b.Widths[0]
	left := -1
	for _, c := range []struct {
		a     Align
		shift fixed.Int26_6
	}{{Left, 0}, {Center, (fixed.I(400) - w) / 2}, {Right, fixed.I(400) - w}} {
		fr := raster.NewFrame(500, 80)
		fr.Clear(black)
		ts.Draw(fr, b, 50, 10, 400, c.a, white, 255)
		bb := ink(fr, black)
		if bb.x0 >= bb.x1 {
			t.Fatalf("align %d: nothing drawn", c.a)
		}
		if left < 0 {
			left = bb.x0
		}
		if d := bb.x0 - left - c.shift.Round(); d < -1 || d > 1 {
			t.Errorf("align %d: ink starts at %d, want %d", c.a, bb.x0, left+c.shift.Round())
		}
		if bb.x1 > 450+1 {
			t.Errorf("align %d: ink ends at %d, past the box", c.a, bb.x1)
		}
	}
}

func TestDrawTransparentAndClipped(t *testing.T) {
	ts := shared(t)
	b := ts.Wrap("Hello 日本 world", Style{0, true, 50}, 1.2, 1000, 1)
	fr := raster.NewFrame(200, 100)
	fr.Clear(black)
	before := bytes.Clone(fr.Pix)
	ts.Draw(fr, b, 10, 10, 180, Left, white, 0)
	if !bytes.Equal(fr.Pix, before) {
		t.Error("alpha 0 changed pixels")
	}
	// Partly or wholly off the frame: clipped, no panic.
	for _, xy := range [][2]int{{-30, -30}, {150, 80}, {-1000, 10}, {10, -1000}, {5000, 5000}, {10, 99}} {
		ts.Draw(fr, b, xy[0], xy[1], 180, Center, white, 255)
	}
	for i := 3; i < len(fr.Pix); i += 4 {
		if fr.Pix[i] != 255 {
			t.Fatal("alpha channel changed")
		}
	}
}

// TestDrawStaysInRows: text drawn as a block keeps to the rows of its lines
// (plus the font's own ascent/descent overhang), even with stacked marks.
func TestDrawStaysInRows(t *testing.T) {
	ts := shared(t)
	zalgo := "Z" + strings.Repeat("\u0301\u0308\u030a", 12) + "a" + strings.Repeat("\u0316\u0317\u0323", 12) + "l"
	for _, text := range []string{"Hello", "Ǻngström ǕǗ ẲỂ", "box │┼╬", zalgo, zalgo + " " + zalgo + " " + zalgo} {
		for _, lh := range []float64{0.8, 1.0, 1.2, 2} {
			b := ts.Fit(text, 1, false, 40, 40, lh, 300, 200, 3)
			checkRows(t, ts, b, 300, text)
		}
	}
}

// checkRows draws b in a frame with room above and below and reports ink
// outside the rows the block may use.
func checkRows(t *testing.T, ts *Typesetter, b *Block, width int, text string) {
	t.Helper()
	pad := 3 * b.Style.Size
	h := b.Height()
	fr := raster.NewFrame(width+2*pad, h+2*pad)
	fr.Clear(black)
	before := bytes.Clone(fr.Pix)
	y := pad
	ts.Draw(fr, b, pad, y, width, Left, white, 255)
	top, bottom := drawRows(ts, b, y)
	for row := 0; row < fr.H; row++ {
		if row >= top && row < bottom {
			continue
		}
		s := fr.Pix[row*fr.W*4 : (row+1)*fr.W*4]
		if !bytes.Equal(s, before[row*fr.W*4:(row+1)*fr.W*4]) {
			t.Errorf("%q size %d lh %d: ink in row %d, outside [%d, %d) (box top %d, %d lines)",
				text, b.Style.Size, b.LineHeight, row, top, bottom, y, len(b.Lines))
			return
		}
	}
}

// drawRows is the band of rows a block drawn at y may touch: its line boxes,
// widened to the primary font's ascent and descent where the line height is
// smaller than the font, and by one descent more for accents on capitals
// (Ǻ, Ẳ) and fallback glyphs that overhang the font's ascent.
func drawRows(ts *Typesetter, b *Block, y int) (top, bottom int) {
	asc, desc := ts.Metrics(b.Style)
	if len(b.Lines) == 0 {
		return y, y
	}
	base0 := y + (b.LineHeight-(asc+desc))/2 + asc
	last := base0 + (len(b.Lines)-1)*b.LineHeight
	return min(y, base0-asc) - desc, max(y+b.Height(), last+desc) + desc
}

// isJoiner reports whether r belongs to the character before it: a combining
// mark, a variation selector, an emoji modifier or tag, or a ZWJ sequence.
func isJoiner(prev, r rune) bool {
	return unicode.Is(unicode.M, r) || r == 0x200d || prev == 0x200d ||
		r >= 0x1f3fb && r <= 0x1f3ff || r >= 0xe0020 && r <= 0xe007f
}

// TestWrapKeepsCharactersWhole: breaking a long word or clamping never
// separates a combining mark from its base character. (Emoji sequences are
// not kept whole: no card font has emoji, each code point is a placeholder.)
func TestWrapKeepsCharactersWhole(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	texts := []string{
		strings.Repeat("e\u0301a\u0308o\u0302", 12),                                            // decomposed accents
		"Cafe\u0301 cre\u0300me bru\u0302le\u0301e " + strings.Repeat("Vie\u0323\u0302t ", 10), // Vietnamese, two marks
	}
	for _, text := range texts {
		want := noSpaces(text)
		for width := 60; width <= 400; width += 3 { // every character fits a line
			for _, maxLines := range []int{1, 2, 100} {
				b := ts.Wrap(text, Style{inter, false, 30}, 1.2, width, maxLines)
				checkBlock(t, ts, b, width)
				var all []rune
				for i, l := range b.Lines {
					l := noSpaces(string(l))
					if i > 0 && len(all) > 0 && len(l) > 0 && isJoiner(all[len(all)-1], l[0]) {
						t.Errorf("width %d: line %d %q starts inside a character (%U after %U)", width, i, string(l), l[0], all[len(all)-1])
					}
					all = append(all, l...)
				}
				shown := noSpaces(strings.TrimSuffix(joined(b), "…"))
				if n := len(shown); n > 0 && n < len(want) && isJoiner(want[n-1], want[n]) {
					t.Errorf("width %d lines %d: text cut before %U, inside a character: %q", width, maxLines, want[n], b.Lines)
				}
			}
		}
	}
}

// TestMaskCacheBounded: however many distinct glyphs are drawn, the mask
// cache stays within MaxCachedMasks, and glyphs drawn after it was emptied
// look the same as before.
func TestMaskCacheBounded(t *testing.T) {
	ts := newTypesetter(t)
	st := Style{family(t, ts, "Inter"), false, 8}
	draw := func(s string) []byte {
		fr := raster.NewFrame(100, 20)
		fr.Clear(black)
		ts.DrawLine(fr, []rune(s), st, fixed.I(2), 12, white, 255)
		return fr.Pix
	}
	ref := draw("Aé Ж")
	fr := raster.NewFrame(64, 20)
	drawn := 0
	for r := rune(0x21); drawn <= MaxCachedMasks+500 && r < 0x30000; r++ {
		if ts.fontFor(st, r) < 0 {
			continue
		}
		for sub := 0; sub < 4; sub++ {
			ts.DrawLine(fr, []rune{r}, st, fixed.I(4)+fixed.Int26_6(sub*16), 12, white, 255)
			drawn++
		}
		if ts.nmasks > MaxCachedMasks || len(ts.masks) > MaxCachedMasks {
			t.Fatalf("after %d glyphs: %d masks counted, %d in the map", drawn, ts.nmasks, len(ts.masks))
		}
	}
	if drawn <= MaxCachedMasks {
		t.Fatalf("only %d glyphs drawn; the cache never filled", drawn)
	}
	if got := draw("Aé Ж"); !bytes.Equal(got, ref) {
		t.Error("glyphs differ after the cache was emptied")
	}
}

func TestInvisibleRunesDrawNothing(t *testing.T) {
	ts := newTypesetter(t)
	st := Style{Family: 0, Size: 40}
	for _, r := range []rune{0x200d, 0x200c, 0xfe0f, 0xe0067} {
		if w := ts.Measure([]rune{r}, st); w != 0 {
			t.Errorf("U+%04X advance %v, want 0", r, w)
		}
		fr := raster.NewFrame(100, 60)
		fr.Clear(raster.RGB{})
		ts.DrawLine(fr, []rune{r}, st, fixed.I(10), 45, raster.RGB{R: 255, G: 255, B: 255}, 255)
		for i := 0; i < len(fr.Pix); i += 4 {
			if fr.Pix[i] != 0 {
				t.Fatalf("U+%04X drew pixels", r)
			}
		}
	}
}
