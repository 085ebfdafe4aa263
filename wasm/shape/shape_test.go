package shape

import (
	"fmt"
	"slices"
	"testing"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/fonts"
)

func TestNFC(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"plain ASCII", "plain ASCII"},
		{"Tie\u0302\u0301ng Vie\u0323\u0302t", "Tiếng Việt"},
		{"e\u0301", "é"},
		{"Z\u0308\u0308", "Z\u0308\u0308"}, // no composed Z with diaeresis
	} {
		if got := NFC(c.in); got != c.want {
			t.Errorf("NFC(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var a Analyzer
	if nfd, nfc := a.Analyze("Tie\u0302\u0301ng"), a.Analyze("Tiếng"); string(nfd.Runes) != string(nfc.Runes) {
		t.Errorf("Analyze did not normalise: %q vs %q", string(nfd.Runes), string(nfc.Runes))
	}
}

func TestFirstStrongRTL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"123 !?", false},
		{"abc אבג", false},
		{"אבג abc", true},
		{"123 مرحبا", true},
		{"«شلم» hello", true},
		{"\u200f", true},
		{"\u200e אבג", false},
	} {
		if got := FirstStrongRTL([]rune(c.in)); got != c.want {
			t.Errorf("FirstStrongRTL(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func odd(l int8) bool { return l%2 == 1 }

// TestLevels covers what the conformance file does not: text with several
// paragraph separators (the test file has one paragraph per case), and the
// analysis' shortcut for left-to-right text.
func TestLevels(t *testing.T) {
	var a Analyzer
	for _, c := range []struct {
		name string
		text string
		rtl  bool
		want string // per rune: R odd level, L even level, . any
	}{
		{"latin", "abc def", false, "LLLLLLL"},
		{"hebrew in latin", "abc אבג 123", false, "LLLL" + "RRR" + "R" + "LLL"},
		{"arabic paragraph", "مرحبا بالعالم", true, "RRRRRRRRRRRRR"},
		{"arabic with digits", "عام 2024", true, "RRRR" + "LLLL"},
		// A newline is a paragraph separator (bidi class B): what follows
		// is still laid out, in the same direction.
		{"hebrew after a newline", "אב\nגד", true, "RR.RR"},
		{"hebrew after two separators", "אב\n\u2029גד\rה", true, "RR..RR.R"},
		{"latin after a newline in rtl", "אב\nab", true, "RR.LL"},
		// Explicit formatting characters in otherwise left-to-right text.
		{"right-to-left override", "\u202eabc\u202c", false, ".RRR."},
		{"right-to-left embedding", "x \u202babc\u202c", false, "LL.LLL."},
		{"right-to-left isolate", "x \u2067abc\u2069", false, "LL.LLL."},
		{"right-to-left mark", "a\u200fb", false, "LRL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runes := []rune(c.text)
			check := func(what string, levels []int8) {
				t.Helper()
				for i, w := range c.want {
					if w == 'R' && !odd(levels[i]) || w == 'L' && odd(levels[i]) {
						t.Errorf("%s: rune %d (%U) level %d, want %c; levels %v", what, i, runes[i], levels[i], w, levels)
						return
					}
				}
			}
			levels := make([]int8, len(runes))
			a.Levels(runes, c.rtl, levels)
			check("Levels", levels)
			if FirstStrongRTL(runes) == c.rtl {
				an := a.AnalyzeRunes(runes)
				check("AnalyzeRunes", an.Levels)
				if !slices.Equal(an.Levels, levels) {
					t.Errorf("AnalyzeRunes levels %v, Levels %v", an.Levels, levels)
				}
			}
		})
	}
	// Levels are per run of one direction: "abc" under RLO is reversed.
	levels := make([]int8, 5)
	a.Levels([]rune("\u202eabc\u202c"), false, levels)
	if !odd(levels[1]) || !odd(levels[3]) {
		t.Errorf("RLO: levels %v", levels)
	}
}

// TestAnalyze checks breaks, graphemes and scripts on small texts.
func TestAnalyze(t *testing.T) {
	var a Analyzer
	an := a.Analyze("")
	if len(an.Runes) != 0 || len(an.Break) != 1 || len(an.Grapheme) != 1 {
		t.Errorf("empty: %+v", an)
	}
	for _, c := range []struct {
		text     string
		breaks   string // per position 0..n: | a break opportunity before the rune
		grapheme string // per position 0..n: | a cluster starts
	}{
		{"ab cd", "   | |", "||||||"},
		{"well-known", "     |    |", "|||||||||||"},
		{"日本語。", " || |", "|||||"},
		{"👨\u200d👩\u200d👧 x", "      ||", "|    |||"},
		{"e\u0301x", "   |", "| ||"},
		// Thai has no spaces between words: a break between every two
		// grapheme clusters (there is no dictionary).
		{"ภาษาไทย", " |||||||", "||||||||"},
	} {
		runes := []rune(c.text)
		an := a.AnalyzeRunes(runes)
		show := func(b []bool) string {
			s := []byte{}
			for i := range b {
				if b[i] {
					s = append(s, '|')
				} else {
					s = append(s, ' ')
				}
			}
			return string(s)
		}
		if got := show(an.Break); got != c.breaks {
			t.Errorf("%q: breaks %q, want %q", c.text, got, c.breaks)
		}
		if got := show(an.Grapheme); got != c.grapheme {
			t.Errorf("%q: graphemes %q, want %q", c.text, got, c.grapheme)
		}
		if len(an.Break) != len(runes)+1 || len(an.Grapheme) != len(runes)+1 {
			t.Fatalf("%q: %d breaks, %d graphemes for %d runes", c.text, len(an.Break), len(an.Grapheme), len(runes))
		}
		if an.Break[0] || !an.Break[len(runes)] || !an.Grapheme[0] || !an.Grapheme[len(runes)] {
			t.Errorf("%q: ends: break %v %v, grapheme %v %v", c.text, an.Break[0], an.Break[len(runes)], an.Grapheme[0], an.Grapheme[len(runes)])
		}
	}
	an = a.Analyze("abc مرحبا 123 日本")
	want := []language.Script{language.Latin, language.Latin, language.Latin, language.Latin,
		language.Arabic, language.Arabic, language.Arabic, language.Arabic, language.Arabic, language.Arabic,
		language.Arabic, language.Arabic, language.Arabic, language.Arabic, language.Han, language.Han}
	if !slices.Equal(an.Scripts, want) {
		t.Errorf("scripts %v, want %v", an.Scripts, want)
	}
}

// loadFace parses a built-in font file.
func loadFace(t *testing.T, name string) *font.Face {
	t.Helper()
	data, err := templates.FontFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := fonts.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return font.NewFace(f)
}

// TestShaperCache: a run shaped twice is shaped once, and however many runs
// are shaped the cache keeps within its budget.
func TestShaperCache(t *testing.T) {
	face := loadFace(t, "Inter-Regular.otf")
	const budget = 16 << 10
	s := NewShaper(budget)
	g1 := s.Shape(face, 0, []rune("Hello"), false, language.Latin)
	g2 := s.Shape(face, 0, []rune("Hello"), false, language.Latin)
	if s.Shaped != 1 || len(g1) != 5 || &g1[0] != &g2[0] {
		t.Errorf("shaped %d times, %d glyphs; want once, 5 glyphs from the cache", s.Shaped, len(g1))
	}
	// Another font id or direction is another entry.
	s.Shape(face, 1, []rune("Hello"), false, language.Latin)
	s.Shape(face, 0, []rune("Hello"), true, language.Latin)
	if s.Shaped != 3 {
		t.Errorf("shaped %d times, want 3", s.Shaped)
	}
	for i := range 5000 {
		s.Shape(face, 0, []rune(fmt.Sprintf("run %d of many", i)), false, language.Latin)
		if b := s.CacheBytes(); b > budget {
			t.Fatalf("after %d runs: cache %d bytes > budget %d", i, b, budget)
		}
	}
	// An RTL run comes in visual order: the last rune's glyph first.
	gs := s.Shape(face, 0, []rune("ab"), true, language.Latin)
	if len(gs) != 2 || gs[0].Cluster != 1 || gs[1].Cluster != 0 {
		t.Errorf("RTL glyph clusters %v, want [1 0]", gs)
	}
	// Advances are in font units x 64: "A" in Inter is a bit over half an em.
	gs = s.Shape(face, 0, []rune("A"), false, language.Latin)
	if em := int32(face.Upem()) * 64; len(gs) != 1 || gs[0].Adv < em/2 || gs[0].Adv > em {
		t.Errorf("A: %v (upem %d)", gs, face.Upem())
	}
}
