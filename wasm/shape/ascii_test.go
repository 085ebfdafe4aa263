package shape

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// asciiAlphabet is every character the fast path takes.
var asciiAlphabet = func() (out []rune) {
	for r := range rune(128) {
		if asciiClass[r] != lbNone {
			out = append(out, r)
		}
	}
	return out
}()

// compareBreaks checks the fast path against go-text's segmenter on
// runes; it reports whether the fast path took them.
func compareBreaks(t *testing.T, a *Analyzer, runes []rune) bool {
	t.Helper()
	n := len(runes)
	fb, fg := make([]bool, n+1), make([]bool, n+1)
	if !asciiBreaks(runes, fb, fg) {
		return false
	}
	gb, gg := make([]bool, n+1), make([]bool, n+1)
	a.segment(runes, gb, gg)
	// Both ends are set by AnalyzeRunes whichever path ran.
	if !slices.Equal(fb[1:n], gb[1:n]) || !slices.Equal(fg[:n], gg[:n]) {
		t.Fatalf("%q: fast breaks %v graphemes %v, segmenter breaks %v graphemes %v", string(runes), fb[1:n], fg[:n], gb[1:n], gg[:n])
	}
	return true
}

// TestASCIIBreaksMatchSegmenter: the fast path's line breaks and grapheme
// clusters are the segmenter's on every string of up to three of the
// characters it takes, on every string of up to six over one character
// of each class (and the others that behave apart), and on random
// paragraphs, and it takes most of them.
func TestASCIIBreaksMatchSegmenter(t *testing.T) {
	var a Analyzer
	taken, all := 0, 0
	try := func(runes []rune) {
		all++
		if compareBreaks(t, &a, runes) {
			taken++
		}
	}
	var every func(prefix []rune, alphabet []rune, n int)
	every = func(prefix []rune, alphabet []rune, n int) {
		if len(prefix) > 0 {
			try(prefix)
		}
		if len(prefix) == n {
			return
		}
		for _, r := range alphabet {
			every(append(prefix, r), alphabet, n)
		}
	}
	every(nil, asciiAlphabet, 3)
	every(nil, []rune("a1 .,!'\"([)]-"), 5)
	t.Logf("short strings: %d of %d taken by the fast path", taken, all)
	if taken < all/2 {
		t.Errorf("the fast path took only %d of %d short strings", taken, all)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	taken, all = 0, 0
	for range 20000 {
		try(randomParagraph(rng))
	}
	t.Logf("random paragraphs: %d of %d taken by the fast path", taken, all)
	if taken < all/2 {
		t.Errorf("the fast path took only %d of %d random paragraphs", taken, all)
	}
}

// randomParagraph is a card title's make-up: words of letters and digits
// between spaces, with punctuation here and there.
func randomParagraph(rng *rand.Rand) []rune {
	var out []rune
	for w := rng.IntN(20) + 1; w > 0; w-- {
		if len(out) > 0 {
			out = append(out, ' ')
			if rng.IntN(10) == 0 {
				out = append(out, ' ')
			}
		}
		for l := rng.IntN(10) + 1; l > 0; l-- {
			switch k := rng.IntN(20); {
			case k < 14:
				out = append(out, rune('a'+rng.IntN(26)))
			case k < 16:
				out = append(out, rune('0'+rng.IntN(10)))
			default:
				out = append(out, asciiAlphabet[rng.IntN(len(asciiAlphabet))])
			}
		}
	}
	return out
}

// TestASCIIBreaksCases: the fast path on titles, against the segmenter, and
// which paragraphs it leaves to the general path.
func TestASCIIBreaksCases(t *testing.T) {
	var a Analyzer
	for _, c := range []struct {
		text  string
		taken bool
	}{
		{"Benchmark card number 1234: how we render social images at the edge without a headless browser", true},
		{"A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in milliseconds on two cores, with room to spare.", true},
		{"What's new in Go 1.26? (A tour)", false}, // "1.26": IS before a digit
		{"Real-time cards -- and \"quotes\", [too]!", true},
		{"\"quoted\" (aside)", false}, // QU SP OP (LB15a/b)
		{"-start and end-", true},
		{"naïve", false},     // not ASCII
		{"tab\there", false}, // a control
		{"a .5", false},      // SP IS NU (LB15c)
	} {
		t.Run(fmt.Sprintf("%.20s", c.text), func(t *testing.T) {
			if got := compareBreaks(t, &a, []rune(c.text)); got != c.taken {
				t.Errorf("taken by the fast path: %v, want %v", got, c.taken)
			}
		})
	}
}

// FuzzASCIIBreaks: on any text the fast path takes, it agrees with the
// segmenter.
func FuzzASCIIBreaks(f *testing.F) {
	for _, s := range []string{"Hello, world!", "x -y", "(a) [b] 'c' \"d\"", "1-2 3:4 5,6"} {
		f.Add(s)
	}
	var a Analyzer
	f.Fuzz(func(t *testing.T, s string) {
		compareBreaks(t, &a, []rune(s))
	})
}

// TestAnalyzeScratch: the analysis into reused slices equals a fresh one,
// call after call, longer and shorter texts of every kind alternating.
func TestAnalyzeScratch(t *testing.T) {
	var a, fresh Analyzer
	texts := []string{"Benchmark card 1: how", "", "日本語の見出し、東京", "abc אבג 123 \u202bx\u202c", "มาตรฐาน ภาษาไทย", "a\u0301 e\u0301\u0302!", "x"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 500 {
		text := texts[rng.IntN(len(texts))]
		if rng.IntN(3) == 0 {
			text += string(randomParagraph(rng))
		}
		got, want := a.AnalyzeScratch(text), fresh.Analyze(text)
		if !slices.Equal(got.Runes, want.Runes) || got.RTL != want.RTL || !slices.Equal(got.Levels, want.Levels) ||
			!slices.Equal(got.Break, want.Break) || !slices.Equal(got.Grapheme, want.Grapheme) || !slices.Equal(got.Scripts, want.Scripts) {
			t.Fatalf("%q: scratch analysis %+v, fresh %+v", text, got, want)
		}
	}
}

// TestASCIIIsNFC: NFC's shortcut for ASCII text is what normalisation
// says, on every pair of ASCII characters.
func TestASCIIIsNFC(t *testing.T) {
	for a := range 128 {
		for b := range 128 {
			s := string([]byte{byte(a), byte(b)})
			if !norm.NFC.IsNormalString(s) {
				t.Fatalf("%q is not NFC", s)
			}
		}
	}
}
