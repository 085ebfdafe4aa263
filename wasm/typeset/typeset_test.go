package typeset

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/shape"
)

// TestWrapWordBoundaries: text of space-separated words wraps between
// words, greedily, and loses nothing. (Changed: CJK and Hangul break
// between characters under UAX #14, see TestCJKWrap; white space within a
// line is kept, not collapsed.)
func TestWrapWordBoundaries(t *testing.T) {
	ts := shared(t)
	inter, serif, mono := family(t, ts, "Inter"), family(t, ts, "DejaVu Serif"), family(t, ts, "JetBrains Mono")
	cases := []struct {
		name  string
		text  string
		st    Style
		width int
	}{
		{"english", "The quick brown fox jumps over the lazy dog and keeps on running far away", Style{Family: inter, Bold: false, Size: 40}, 300},
		{"english bold", "The quick brown fox jumps over the lazy dog and keeps on running far away", Style{Family: inter, Bold: true, Size: 60}, 600},
		{"serif", "Rendering social images at the edge without a headless browser", Style{Family: serif, Bold: false, Size: 48}, 500},
		{"mono", "func main() { fmt.Println(\"hello, world\") }", Style{Family: mono, Bold: false, Size: 30}, 400},
		{"greek", "Γειά σου Κόσμε, αυτή είναι μια δοκιμή αναδίπλωσης κειμένου", Style{Family: inter, Bold: true, Size: 44}, 420},
		{"cyrillic", "Съешь же ещё этих мягких французских булок, да выпей чаю", Style{Family: serif, Bold: false, Size: 44}, 420},
		{"accents", "Zażółć gęślą jaźń — résumé naïve Ångström façade", Style{Family: inter, Bold: false, Size: 36}, 330},
		{"emoji", "Launch 🚀 day 🎉 is here ✨ finally", Style{Family: inter, Bold: false, Size: 40}, 220},
		{"extra white space", "  lots \t of\n\n   space   between   words  ", Style{Family: inter, Bold: false, Size: 30}, 140},
		{"one word", "Hello", Style{Family: inter, Bold: false, Size: 30}, 1000},
		{"wide line", "Just a short title", Style{Family: inter, Bold: true, Size: 68}, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, 100, false)
			checkBlock(t, ts, b, c.width)
			if b.Clamped {
				t.Fatal("clamped with 100 lines available")
			}
			// Every line holds whole words (white space within a line is
			// kept as it is: compare the words).
			var got []string
			for _, l := range lineTexts(b) {
				got = append(got, strings.Fields(l)...)
			}
			if want := strings.Fields(c.text); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("words of the lines %q, want %q (words were split or lost)", got, want)
			}
			// Greedy: the next line's first word would not have fitted.
			p := b.para
			for i := 0; i+1 < len(b.Lines); i++ {
				next := b.Lines[i+1]
				end := next.From + 1
				for end < next.To && !p.clusters[end].brk {
					end++
				}
				s := string(p.runes[p.clusters[b.Lines[i].From].start:p.clusters[end-1].end])
				if w := measure(ts, s, c.st); w <= fixed.I(c.width) {
					t.Errorf("line %d %q: %q would have fitted (%v <= %d)", i, b.Text(i), s, w, c.width)
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
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	text := "Hello world"
	w := measure(ts, text, st).Ceil()
	if b := ts.Wrap(text, st, 1.2, w, 5, false); len(b.Lines) != 1 {
		t.Errorf("width %d: %d lines, want 1", w, len(b.Lines))
	}
	if b := ts.Wrap(text, st, 1.2, w-1, 5, false); len(b.Lines) != 2 || joined(b) != text {
		t.Errorf("width %d: lines %q, want 2 lines", w-1, lineTexts(b))
	}
}

func TestWrapEmpty(t *testing.T) {
	ts := shared(t)
	for _, s := range []string{"", " ", " \t\n ", "\r\n"} {
		for _, balance := range []bool{false, true} {
			b := ts.Wrap(s, Style{Family: 0, Bold: false, Size: 20}, 1.2, 500, 3, balance)
			if len(b.Lines) != 0 || b.Clamped || b.Height() != 0 {
				t.Errorf("Wrap(%q) = %q clamped=%v", s, lineTexts(b), b.Clamped)
			}
		}
	}
}

// TestWrapLongWord: a word wider than the line breaks (at a line-break
// opportunity inside it if it has one, else between grapheme clusters).
// Changed from the old engine: a URL now breaks after "/" (UAX #14), not
// wherever the line is full.
func TestWrapLongWord(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	cases := []struct {
		name  string
		text  string
		st    Style
		width int
		full  bool // lines break wherever they are full
	}{
		{"latin", "Supercalifragilisticexpialidocious", Style{Family: inter, Bold: false, Size: 60}, 250, true},
		{"latin bold in text", "A Supercalifragilisticexpialidocious word", Style{Family: inter, Bold: true, Size: 60}, 300, false},
		{"url", "https://example.com/a/very/long/path/that/never/has/a/space/in/it?query=string", Style{Family: inter, Bold: false, Size: 30}, 200, false},
		{"CJK run", "日本語のテキストは単語の間に空白がありません", Style{Family: inter, Bold: false, Size: 40}, 150, true},
		{"greek", "Αντιδιαφωνούντιστεςκαιμακροσκελέστατοι", Style{Family: inter, Bold: false, Size: 40}, 180, true},
		{"narrow", "WWWWWWWW", Style{Family: inter, Bold: true, Size: 40}, 42, true}, // one W (41.4 px) a line
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, 100, false)
			checkBlock(t, ts, b, c.width)
			if b.Clamped {
				t.Fatal("clamped with 100 lines available")
			}
			if len(b.Lines) < 2 {
				t.Fatalf("lines %q: want the word broken", lineTexts(b))
			}
			if got, want := noSpaces(joined(b)), noSpaces(c.text); got != want {
				t.Errorf("characters lost or reordered: %q, want %q", got, want)
			}
			for i, l := range b.Lines {
				if l.To == l.From {
					t.Errorf("line %d empty", i)
				}
			}
			// A broken line is full: its next cluster would not have fitted.
			for i := 0; c.full && i+1 < len(b.Lines); i++ {
				next := b.Lines[i+1].From
				if w := b.Lines[i].Width + clustersWidth(ts, b, next, next+1); w <= fixed.I(c.width) {
					t.Errorf("line %d %q broken early: the next cluster would fit (%v)", i, b.Text(i), w)
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
		{"ab\U0001F850cd", 40, 60}, // U+1F850 is 2.7 em wide (DejaVu Serif)
		{"…", 100, 20},
		{"a b c", 200, 1},
		{"日本", 100, 40},
		{"😀", 100, 40},
	} {
		for _, lines := range []int{1, 3} {
			for _, balance := range []bool{false, true} {
				b := ts.Wrap(c.text, Style{Family: inter, Bold: false, Size: c.size}, 1.2, c.width, lines, balance)
				checkBlock(t, ts, b, c.width)
				if len(b.Lines) > lines {
					t.Errorf("%q: %d lines, max %d", c.text, len(b.Lines), lines)
				}
				if !b.Clamped {
					t.Errorf("%q size %d width %d: lines %q not marked clamped", c.text, c.size, c.width, lineTexts(b))
				}
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
		{"one line", long, Style{Family: inter, Bold: true, Size: 40}, 500, 1},
		{"two lines", long, Style{Family: inter, Bold: false, Size: 30}, 400, 2},
		{"three lines serif", long, Style{Family: serif, Bold: true, Size: 50}, 700, 3},
		{"punctuation before cut", strings.Repeat("Hello, world; again: and - again. ", 10), Style{Family: inter, Bold: false, Size: 30}, 300, 2},
		{"long word clamped", strings.Repeat("x", 400), Style{Family: inter, Bold: false, Size: 30}, 200, 2},
		{"CJK", strings.Repeat("日本語 ", 60), Style{Family: inter, Bold: false, Size: 30}, 200, 2},
		{"CJK without spaces", strings.Repeat("日本語のテキスト、", 30), Style{Family: inter, Bold: false, Size: 30}, 200, 2},
		{"max lines zero means one", long, Style{Family: inter, Bold: false, Size: 30}, 400, 0},
		{"narrow", long, Style{Family: inter, Bold: false, Size: 30}, 60, 4},
		{"arabic", strings.Repeat("مرحبا بالعالم ", 30), Style{Family: inter, Bold: false, Size: 30}, 300, 2},
	}
	// A separator after a space, dropped before the ellipsis with the
	// space: the line's width loses both.
	for width := 100; width < 400; width += 3 {
		cases = append(cases, struct {
			name     string
			text     string
			st       Style
			width    int
			maxLines int
		}{"separator after a space", strings.Repeat("words . and , more ", 20), Style{Family: inter, Bold: false, Size: 30}, width, 1 + width%3})
	}
	for _, c := range cases {
		for _, balance := range []bool{false, true} {
			b := ts.Wrap(c.text, c.st, 1.2, c.width, c.maxLines, balance)
			checkBlock(t, ts, b, c.width)
			want := max(c.maxLines, 1)
			if !b.Clamped || len(b.Lines) != want {
				t.Fatalf("%s: clamped=%v lines=%d, want clamped with %d lines", c.name, b.Clamped, len(b.Lines), want)
			}
			all := joined(b)
			if n := strings.Count(all, "…"); n != 1 {
				t.Errorf("%s: %d ellipses in %q, want exactly 1", c.name, n, all)
			}
			last := []rune(b.Text(len(b.Lines) - 1))
			if last[len(last)-1] != Ellipsis || !b.Lines[len(b.Lines)-1].Ellipsis {
				t.Fatalf("%s: last line %q does not end with an ellipsis", c.name, string(last))
			}
			if len(last) > 1 && strings.ContainsRune(" ,.;:-–—、。", last[len(last)-2]) {
				t.Errorf("%s: last line %q: punctuation or space before the ellipsis", c.name, string(last))
			}
			// What is shown is the start of the text.
			shown := noSpaces(strings.TrimSuffix(all, "…"))
			if !strings.HasPrefix(noSpaces(c.text), shown) {
				t.Errorf("%s: shown text %q is not a prefix of the input", c.name, shown)
			}
		}
	}
}

// TestWrapNotClampedWhenItFits: text that needs exactly maxLines lines is
// not clamped and gets no ellipsis.
func TestWrapNotClampedWhenItFits(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	text := "one two three four five six seven eight nine ten"
	full := ts.Wrap(text, st, 1.2, 300, 100, false)
	n := len(full.Lines)
	if n < 2 {
		t.Fatalf("want several lines, got %q", lineTexts(full))
	}
	for _, balance := range []bool{false, true} {
		b := ts.Wrap(text, st, 1.2, 300, n, balance)
		if b.Clamped || joined(b) != text || len(b.Lines) != n {
			t.Errorf("maxLines=%d balance=%v: clamped=%v %q", n, balance, b.Clamped, lineTexts(b))
		}
		b = ts.Wrap(text, st, 1.2, 300, n-1, balance)
		if !b.Clamped || len(b.Lines) != n-1 {
			t.Errorf("maxLines=%d balance=%v: clamped=%v %q", n-1, balance, b.Clamped, lineTexts(b))
		}
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
	for _, balance := range []bool{false, true} {
		prev := hi + 1
		sawShrink, sawClamp := false, false
		for n := 1; n <= len(words); n++ {
			text := strings.Join(words[:n], " ")
			b := ts.Fit(text, inter, true, lo, hi, lh, width, height, maxLines, balance)
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
				if w := ts.Wrap(text, Style{Family: inter, Bold: true, Size: bigger}, lh, width, lines, balance); !w.Clamped {
					t.Errorf("%d words: chose %d but %d fits", n, size, bigger)
				}
			}
		}
		if !sawShrink || !sawClamp {
			t.Errorf("shrink seen %v, clamp seen %v: the text lengths do not exercise Fit", sawShrink, sawClamp)
		}
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
			for _, balance := range []bool{false, true} {
				b := ts.Fit(c.text, inter, false, c.lo, c.hi, 1.2, c.width, c.height, c.maxLines, balance)
				checkBlock(t, ts, b, c.width)
				if c.wantSize != 0 && b.Style.Size != c.wantSize {
					t.Errorf("balance=%v: size %d, want %d", balance, b.Style.Size, c.wantSize)
				}
				if len(b.Lines) != c.wantLines || b.Clamped != c.wantClamped {
					t.Errorf("balance=%v: %d lines clamped=%v, want %d clamped=%v", balance, len(b.Lines), b.Clamped, c.wantLines, c.wantClamped)
				}
			}
		})
	}
}

// TestFitBadRange: an empty size range must not return a nil block.
func TestFitBadRange(t *testing.T) {
	ts := shared(t)
	b := ts.Fit("Hello", 0, false, 40, 30, 1.2, 500, 200, 2, false)
	if b == nil {
		t.Fatal("nil block")
	}
	if b.Style.Size < 30 || b.Style.Size > 40 || len(b.Lines) != 1 {
		t.Errorf("size %d lines %q", b.Style.Size, lineTexts(b))
	}
}

func TestInitials(t *testing.T) {
	ts := &Typesetter{}
	for _, c := range []struct{ in, want string }{
		{"Ada Lovelace", "AL"},
		{"ada lovelace", "AL"},
		{"Ada", "A"},
		{"Ada Augusta King Lovelace", "AL"},
		{"  Grace   Brewster  Hopper ", "GH"},
		{"", ""},
		{"   ", ""},
		{"Émile Zola", "ÉZ"},
		{"สมชาย ใจดี", "สจ"}, // a Thai vowel written before its consonant is not an initial
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
		// Emoji and symbols around the name are not words of it.
		{"😀 Ada Lovelace 🎉", "AL"},
		{"🎉🎉", ""},
		{"Ada 🎉", "A"},
		{"— Ada — Lovelace —", "AL"},
		// A letter keeps its marks: Devanagari "कि" (ka + vowel sign i).
		{"किरण देसाई", "किदे"},
	} {
		if got := Initials(c.in); got != c.want {
			t.Errorf("Initials(%q) = %q, want %q", c.in, got, c.want)
		}
		// The typesetter's remembers the last name: asked twice, and
		// after another name.
		if got, again := ts.Initials(c.in), ts.Initials(c.in); got != c.want || again != c.want {
			t.Errorf("Typesetter.Initials(%q) = %q then %q, want %q", c.in, got, again, c.want)
		}
	}
}

// TestLineWidth (was TestMeasure): widths add up across a space, grow with
// the size, and a rune no font has advances by 0.6 em.
func TestLineWidth(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: true, Size: 33}
	if w := measure(ts, "", st); w != 0 {
		t.Errorf("width of nothing %v", w)
	}
	// No kerning across a space: "a b" is "a", a space and "b".
	space := measure(ts, "x x", st) - 2*measure(ts, "x", st)
	if space <= 0 {
		t.Fatalf("space width %v", space)
	}
	a, b := "Hello,", "wörld 日本"
	if got, want := measure(ts, a+" "+b, st), measure(ts, a, st)+space+measure(ts, b, st); got != want {
		t.Errorf("widths do not add up across a space: %v != %v", got, want)
	}
	if big, small := measure(ts, a, Style{Family: st.Family, Bold: true, Size: 66}), measure(ts, a, st); big <= small {
		t.Errorf("size 66 (%v) not wider than 33 (%v)", big, small)
	}
	// A missing glyph advances by 0.6 em.
	for _, r := range []rune{0x10fffd, 0x10600} {
		if got := measure(ts, string(r), Style{Family: st.Family, Bold: false, Size: 50}); got < fixed.I(30)-1 || got > fixed.I(30) {
			t.Errorf("missing glyph %U advance %v, want 30", r, got)
		}
	}
	// Line never wraps nor clamps.
	long := strings.Repeat("word ", 500)
	if l := ts.Line(long, st, 40); len(l.Lines) != 1 || l.Clamped || l.LineHeight != 40 || l.Text(0) != strings.TrimSpace(long) {
		t.Errorf("Line: %d lines clamped=%v height %d", len(l.Lines), l.Clamped, l.LineHeight)
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
	if err := ts.AddFamily([]byte("OGF1 but not a family")); err == nil {
		t.Error("AddFamily accepted garbage")
	}
	cat := fontpackCatalog(t)
	if got := ts.Families(); len(got) != len(cat.Families) {
		t.Errorf("Families() = %q, want the %d of the catalogue", got, len(cat.Families))
	}
	// Adding a family again changes nothing.
	if err := ts.AddFamily(cat.Packed(0)); err != nil || len(ts.Families()) != len(cat.Families) {
		t.Errorf("AddFamily again: %v, %d families", err, len(ts.Families()))
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
			st := Style{Family: fam, Bold: bold, Size: 40}
			for script, text := range scripts {
				for _, r := range text {
					if r == ' ' {
						continue
					}
					if got, want := ts.faceFor(st, r), ts.styleFace(st); got != want {
						t.Errorf("%s bold=%v %s: %q (%U) drawn by face %d, want %d", name, bold, script, r, r, got, want)
					}
				}
			}
		}
	}
}

// builtinMissing are runes no built-in font has (the fallback families do),
// missing runes no font has at all.
var (
	builtinMissing = []rune{'日', '中', '한', 0x1f600, 'א', 'ع', 'क'}
	missing        = []rune{0x10fffd, 0x10600}
)

// TestMissingGlyphsHaveNoFont guards the premise of the placeholder tests.
func TestMissingGlyphsHaveNoFont(t *testing.T) {
	builtin, ts := newBuiltin(t), shared(t)
	for fam := range ts.families {
		for _, r := range append(builtinMissing, missing...) {
			if !builtin.Loaded(fam) {
				break // declared, handed over by the host (fonts.json "pack")
			}
			if fi := builtin.faceFor(Style{Family: fam, Bold: false, Size: 20}, r); fi != -1 {
				t.Errorf("built-in fonts only: %U is drawn by face %d; pick another rune for the placeholder tests", r, fi)
			}
		}
		for _, r := range missing {
			if fi := ts.faceFor(Style{Family: fam, Bold: false, Size: 20}, r); fi != -1 {
				t.Errorf("%U is drawn by face %d; pick another rune for the placeholder tests", r, fi)
			}
		}
		for _, r := range builtinMissing {
			if fi := ts.faceFor(Style{Family: fam, Bold: true, Size: 20}, r); fi < 0 {
				t.Errorf("%U has no font among the fallback families", r)
			}
		}
	}
}

// TestMissingGlyphPlaceholder: a glyph no font has is drawn as a visible box
// inside its own advance, not as nothing.
func TestMissingGlyphPlaceholder(t *testing.T) {
	for _, c := range []struct {
		ts    *Typesetter
		runes []rune
	}{{newBuiltin(t), builtinMissing}, {shared(t), missing}} {
		ts := c.ts
		for _, size := range []int{8, 20, 68} {
			for _, r := range c.runes {
				if r == 0x1f600 {
					continue // an emoji alone without the emoji family: see TestEmojiWithoutFamily
				}
				st := Style{Family: family(t, ts, "Inter"), Bold: size >= 20, Size: size}
				b := ts.Line(string(r), st, 2*size)
				x, y := size, size/2
				fr := draw(ts, b, 4*size, 3*size, x, y, 2*size, Left)
				asc, desc := ts.Metrics(st)
				baseline := y + (b.LineHeight-(asc+desc))/2 + asc
				adv := b.Lines[0].Width.Ceil()
				bb := ink(fr, black)
				if bb.empty() {
					t.Errorf("size %d %U: nothing drawn", size, r)
					continue
				}
				if bb.x0 < x || bb.x1 > x+adv || bb.y1 > baseline+1 || bb.y0 < baseline-size {
					t.Errorf("size %d %U: box %+v outside its cell x [%d, %d), y [%d, %d]", size, r, bb, x, x+adv, baseline-size, baseline)
				}
				if bb.x1-bb.x0 < 2 || bb.y1-bb.y0 < 2 {
					t.Errorf("size %d %U: placeholder %+v too small to see", size, r, bb)
				}
			}
		}
	}
}

// TestEmojiWithoutFamily: without the emoji family, an emoji is a
// placeholder and asks for the family (VS16 among the missing runes).
func TestEmojiWithoutFamily(t *testing.T) {
	ts := newBuiltin(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	ts.Line("Hi 😀", st, 48)
	if m := ts.Missing(); !containsRune(m, 0x1f600) || !containsRune(m, 0xfe0f) {
		t.Errorf("Missing() = %U, want U+1F600 and U+FE0F", m)
	}
}

func containsRune(rs []rune, r rune) bool { return strings.ContainsRune(string(rs), r) }

// TestDrawBlockWithPlaceholders: in a laid-out title, each cluster's cell
// has ink: text in fallback fonts and placeholders between Latin text.
func TestDrawBlockWithPlaceholders(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	b := ts.Fit("Hi 日本 \U0010fffd ok שלום", inter, true, 40, 40, 1.2, 800, 100, 1, false)
	if len(b.Lines) != 1 {
		t.Fatalf("lines %q", lineTexts(b))
	}
	fr := draw(ts, b, 900, 100, 10, 20, 800, Left)
	// Cells in visual order.
	line := b.Lines[0]
	var levels []int8
	for i := line.From; i < line.To; i++ {
		levels = append(levels, b.para.clusters[i].level)
	}
	x := fixed.I(10)
	for _, k := range VisualOrder(levels) {
		c := &b.para.clusters[line.From+k]
		adv := ts.px(b.para, c, b.Style.Size)
		if c.face != kindSpace {
			if bb := inkIn(fr, black, x.Floor(), 20, (x + adv).Ceil(), 20+b.LineHeight); bb.empty() {
				t.Errorf("%q: no ink in its cell", string(b.para.runes[c.start:c.end]))
			}
		}
		x += adv
	}
}

func TestDrawAlign(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 40}
	b := ts.Wrap("Hi", st, 1.2, 400, 1, false)
	w := b.Lines[0].Width
	left := -1
	for _, c := range []struct {
		a     Align
		shift fixed.Int26_6
	}{{Left, 0}, {Center, (fixed.I(400) - w) / 2}, {Right, fixed.I(400) - w}, {Start, 0}, {End, fixed.I(400) - w}} {
		fr := draw(ts, b, 500, 80, 50, 10, 400, c.a)
		bb := ink(fr, black)
		if bb.empty() {
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
	b := ts.Wrap("Hello 日本 world مرحبا 👋🏽", Style{Family: 0, Bold: true, Size: 50}, 1.2, 1000, 1, false)
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
	for _, text := range []string{"Hello", "Ǻngström ǕǗ ẲỂ", "box │┼╬", zalgo, zalgo + " " + zalgo + " " + zalgo,
		"日本語 한국어 ไทย हिन्दी বাংলা தமிழ் 👨‍👩‍👧 🇯🇵", "مرحبا שלום Հայերեն ქართული"} {
		for _, lh := range []float64{0.8, 1.0, 1.2, 2} {
			b := ts.Fit(text, 1, false, 40, 40, lh, 300, 200, 3, false)
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

// TestWrapKeepsCharactersWhole: breaking a long word or clamping never
// separates a grapheme cluster (a letter and its marks, an emoji sequence).
func TestWrapKeepsCharactersWhole(t *testing.T) {
	ts := shared(t)
	inter := family(t, ts, "Inter")
	texts := []string{
		strings.Repeat("e\u0301a\u0308o\u0302z\u0308\u0323", 12),                               // accents, one left decomposed by NFC
		"Cafe\u0301 cre\u0300me bru\u0302le\u0301e " + strings.Repeat("Vie\u0323\u0302t ", 10), // Vietnamese, two marks
		strings.Repeat("👨‍👩‍👧👋🏽🇯🇵1️⃣", 8),
		strings.Repeat("क्षत्रिय", 8),
		strings.Repeat("ΖΡάί \u0bcdஆப ", 8), // a Tamil mark on a space: one grapheme, two scripts
		strings.Repeat("গ \u200c্আ ", 10),   // HarfBuzz starts a cluster at the ZWNJ
		strings.Repeat("שלום \u200c\u05b0ע ", 10),
	}
	var a shape.Analyzer
	for _, text := range texts {
		an := a.Analyze(text)
		want := noSpaces(text)
		for width := 60; width <= 400; width += 7 { // every cluster fits a line
			for _, maxLines := range []int{1, 2, 100} {
				b := ts.Wrap(text, Style{Family: inter, Bold: false, Size: 30}, 1.2, width, maxLines, false)
				checkBlock(t, ts, b, width)
				for i, l := range b.Lines {
					for _, k := range []int{l.From, l.To} {
						if k < len(b.para.clusters) && !an.Grapheme[b.para.clusters[k].start] {
							t.Errorf("width %d: line %d %q starts or ends inside a grapheme cluster", width, i, b.Text(i))
						}
					}
				}
				shown := noSpaces(strings.TrimSuffix(joined(b), "…"))
				if !strings.HasPrefix(want, shown) {
					t.Errorf("width %d lines %d: shown %q is not a prefix of %q", width, maxLines, shown, want)
				}
			}
		}
	}
}

// TestMaskCacheBounded: however many distinct glyphs are drawn, the mask
// cache stays within its budget, and glyphs drawn after it was emptied
// look the same as before.
func TestMaskCacheBounded(t *testing.T) {
	ts := newTypesetter(t)
	st := Style{Family: family(t, ts, "Inter"), Bold: false, Size: 8}
	drawText := func(s string) []byte {
		return draw(ts, ts.Line(s, st, 12), 100, 20, 2, 2, 96, Left).Pix
	}
	ref := drawText("Aé Ж 日")
	fr := raster.NewFrame(64, 40)
	drawn := 0
	for r := rune(0x21); ts.masks.Evictions < 3 && r < 0x30000; r++ {
		if ts.faceFor(st, r) < 0 || ts.faces[ts.faceFor(st, r)].color {
			continue
		}
		for _, size := range []int{8, 24, 40} {
			s := Style{Family: st.Family, Bold: false, Size: size}
			for sub := 0; sub < 4; sub++ {
				ts.Draw(fr, ts.Line(string(r), s, 40), sub, 0, 64, Left, white, 255)
				drawn++
			}
		}
		if b := ts.masks.Bytes(); b > MaskCacheBytes {
			t.Fatalf("after %d glyphs: mask cache %d bytes > %d", drawn, b, MaskCacheBytes)
		}
	}
	if ts.masks.Evictions < 3 {
		t.Fatalf("%d glyphs drawn; the cache never filled", drawn)
	}
	if got := drawText("Aé Ж 日"); !bytes.Equal(got, ref) {
		t.Error("glyphs differ after the cache was emptied")
	}
}

func TestInvisibleRunesDrawNothing(t *testing.T) {
	ts := shared(t)
	st := Style{Family: 0, Size: 40}
	for _, r := range []rune{0x200d, 0x200c, 0xfe0f, 0xe0067, 0x2066, 0x202e, 0x200f, 0xad} {
		if w := measure(ts, string(r), st); w != 0 {
			t.Errorf("U+%04X advance %v, want 0", r, w)
		}
		if bb := ink(draw(ts, ts.Line(string(r), st, 48), 100, 60, 10, 5, 80, Left), black); !bb.empty() {
			t.Errorf("U+%04X drew pixels", r)
		}
	}
}

// TestCoverageLevels: glyph edges take coverageLevels levels, so white
// text on black, regular and bold, Latin and CJK, has at most that many
// greys (with 256 levels it has over a hundred). Glyphs that overlap (as
// joined Arabic letters do) blend two edges into more.
func TestCoverageLevels(t *testing.T) {
	seen := map[byte]bool{}
	for v := range 256 {
		q := coverageLevel[v]
		seen[q] = true
		if d := int(q) - v; d < -5 || d > 5 {
			t.Errorf("coverage %d -> %d: more than half a step away", v, q)
		}
		if v > 0 && q < coverageLevel[v-1] {
			t.Errorf("coverage %d -> %d: below %d's", v, q, v-1)
		}
	}
	if len(seen) != coverageLevels || coverageLevel[0] != 0 || coverageLevel[255] != 255 {
		t.Fatalf("%d levels (0 -> %d, 255 -> %d), want %d with 0 and 255 kept", len(seen), coverageLevel[0], coverageLevel[255], coverageLevels)
	}
	ts := shared(t)
	for _, bold := range []bool{false, true} {
		for _, text := range []string{"Wavy kerning, AV To: 0123", "日本語のタイトル"} {
			b := ts.Wrap(text, Style{Family: family(t, ts, "Inter"), Size: 37, Bold: bold}, 1.2, 1100, 2, false)
			fr := draw(ts, b, 1200, 200, 10, 10, 1100, Left)
			greys := map[uint8]bool{}
			for i := 0; i < len(fr.Pix); i += 4 {
				greys[fr.Pix[i]] = true
			}
			if len(greys) < 8 || len(greys) > coverageLevels {
				t.Errorf("%q bold=%v: %d greys, want 8..%d", text, bold, len(greys), coverageLevels)
			}
		}
	}
}
