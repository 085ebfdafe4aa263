package typeset

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/shape"
)

// FuzzLayout lays arbitrary text out with Fit in an arbitrary box and size
// range, checks the block's invariants, and draws it to check that the ink
// stays within the block's box. The fuzzer's text is mixed (by the high
// bits of fam) with random words of every script the fallback families
// cover, emoji sequences (ZWJ, skin tones, flags, keycaps, tags) and bidi
// controls. One Typesetter serves every input (fuzz workers run inputs one
// at a time), so its caches warm up as in production.
func FuzzLayout(f *testing.F) {
	seeds := []string{
		"", " ", "Hello", "Rendering social images at the edge without a headless browser",
		"Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopic",
		"Привет, мир — Γειά σου Κόσμε — Zażółć gęślą jaźń", "Кириллица, ελληνικά, and a glyph no font has: 日本 ☃ \U00010600",
		"日本語のテキストは単語の間に空白がありません", "Launch 🚀 day 🎉 👩\u200d💻 🇫🇷",
		"Ǻngström ǕǗ ẲỂ │┼╬", "Z\u0301\u0308\u030a\u0301\u0308\u030aa\u0316\u0317\u0323l",
		"a\x00b\u202ec\xff\tz", strings.Repeat("word ", 80), strings.Repeat("W", 300), "… … …", "\U0001F850\U0010FFFD",
		"abc אבג 123 \u2067مرحبا\u2069 \u202eoverride\u202c", "नमस्ते क्षत्रिय ক্ষ தமிழ் สวัสดีชาวโลก",
		"👨\u200d👩\u200d👧👋🏽🇯🇵1\ufe0f\u20e3🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
		"https://example.com/app-render.tsx", strings.Repeat("\u200d", 200), "Tie\u0302\u0301ng Vie\u0323\u0302t",
		"ب" + strings.Repeat("\u064b\u0651\u0652", 20), "안녕하세요 세계 Բարեւ გამარჯობა",
	}
	for i, s := range seeds {
		// text, width, height, min size, max size, max lines, family (and
		// mixing), bold, line height, align (and balance)
		f.Add(s, uint16(100+i*97), uint16(40+i*37), uint8(i*13), uint8(60+i*11), uint8(i%13), uint8(i*17), i%2 == 0, uint8(i*29), uint8(i*7))
	}
	f.Add("W", uint16(0), uint16(0), uint8(192), uint8(192), uint8(0), uint8(1), true, uint8(0), uint8(0))
	f.Add("a b", uint16(0), uint16(629), uint8(0), uint8(0), uint8(12), uint8(2), false, uint8(220), uint8(2))
	shared(f)

	f.Fuzz(layoutCheck)
}

// mixText mixes random world text into the fuzzer's: mode 0 leaves it, 1
// interleaves random words, 2 replaces it, 3 sprinkles bidi controls,
// joiners and emoji into it.
func mixText(text string, mode int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, uint64(mode)))
	switch mode {
	case 1:
		var sb strings.Builder
		for _, w := range strings.SplitAfter(text, " ") {
			sb.WriteString(w)
			if rng.IntN(2) == 0 {
				sb.WriteString(worldText(rng, 1+rng.IntN(3)))
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(worldText(rng, 1+rng.IntN(4)))
		return sb.String()
	case 2:
		return worldText(rng, 1+rng.IntN(24))
	case 3:
		rs := []rune(text)
		for range 1 + len(rs)/4 {
			var ins []rune
			switch rng.IntN(3) {
			case 0:
				ins = []rune{bidiControls[rng.IntN(len(bidiControls))]}
			case 1:
				ins = []rune(emojiSequences[rng.IntN(len(emojiSequences))])
			default:
				ins = []rune{[]rune{0x200d, 0x200c, 0xfe0f, 0x20e3, 0x1f3fd, 0xe0067, 0x301, 0x94d, 0x651}[rng.IntN(9)]}
			}
			at := rng.IntN(len(rs) + 1)
			rs = append(rs[:at], append(ins, rs[at:]...)...)
		}
		return string(rs)
	}
	return text
}

// layoutCheck is the body of FuzzLayout.
func layoutCheck(t *testing.T, text string, w, h uint16, s0, s1, ml, fam uint8, bold bool, lh, al uint8) {
	ts := shared(t)
	if len(text) > 2048 {
		text = text[:2048] // params allow 500 characters; keep iterations fast
	}
	hash := fnv.New64a()
	hash.Write([]byte(text))
	hash.Write([]byte{byte(w), byte(w >> 8), byte(h), byte(h >> 8), s0, s1, ml, fam, lh, al})
	text = mixText(text, int(fam>>4)%4, hash.Sum64())
	width := 1 + int(w)%1200               // 1..1200 px
	height := 1 + int(h)%630               // 1..630 px
	lo, hi := 8+int(s0)%193, 8+int(s1)%193 // 8..200 px, as templates allow
	if lo > hi {
		lo, hi = hi, lo
	}
	maxLines := int(ml) % 13                     // 0..12, as templates allow (0 = 1)
	lineHeight := 0.8 + float64(int(lh)%221)/100 // 0.8..3.0
	family := int(fam) % len(ts.families)
	align := Align(int(al) % 5)
	balance := al&0x40 != 0

	ts.ResetMissing()
	b := ts.Fit(text, family, bold, lo, hi, lineHeight, width, height, maxLines, balance)
	if b == nil {
		t.Fatal("nil block")
	}
	size := b.Style.Size
	if size < lo || size > hi || b.Style.Family != family || b.Style.Bold != bold {
		t.Fatalf("style %+v, want family %d bold %v size in [%d, %d]", b.Style, family, bold, lo, hi)
	}
	if want := int(float64(size)*lineHeight + 0.5); b.LineHeight != want {
		t.Fatalf("line height %d, want %d", b.LineHeight, want)
	}
	if n := len(b.Lines); n > max(maxLines, 1) {
		t.Fatalf("%d lines, max %d", n, max(maxLines, 1))
	}
	if b.LineHeight <= height && b.Height() > height {
		t.Fatalf("%d lines x %d px = %d > height %d", len(b.Lines), b.LineHeight, b.Height(), height)
	}
	if b.LineHeight > height && len(b.Lines) > 1 {
		t.Fatalf("%d lines where not even one fits", len(b.Lines))
	}
	if len(strings.Fields(text)) > 0 && len(b.Lines) == 0 {
		t.Fatalf("no lines for %q", text)
	}
	// Lines are in order, within the width (a cluster wider than the line
	// is never set: the text is clamped before it), and as wide as their
	// clusters.
	checkBlock(t, ts, b, width)
	if t.Failed() {
		t.FailNow()
	}
	// Content: all of it when not clamped, a prefix (then "…") when clamped.
	all := noSpaces(strings.Join(lineTexts(b), " "))
	want := noSpaces(string([]rune(shape.NFC(text)))) // invalid UTF-8 as U+FFFD
	if !b.Clamped {
		if all != want {
			t.Fatalf("unclamped block %q lost text of %q", all, want)
		}
		// Fit picked the largest size that fits.
		if size < hi {
			lines := linesThatFit(size+1, lineHeight, height, maxLines)
			if !ts.Wrap(text, Style{Family: family, Bold: bold, Size: size + 1}, lineHeight, width, lines, balance).Clamped {
				t.Fatalf("size %d chosen but %d fits", size, size+1)
			}
		}
	} else {
		if size != lo {
			t.Fatalf("clamped at size %d, not the minimum %d", size, lo)
		}
		if strings.HasSuffix(all, string(Ellipsis)) && b.Lines[len(b.Lines)-1].Ellipsis {
			all = strings.TrimSuffix(all, string(Ellipsis))
		} else if ts.ellipsisWidth(b.Style) <= fixed.I(width) {
			t.Fatalf("clamped block %q has no ellipsis", all)
		}
		if !strings.HasPrefix(want, all) {
			t.Fatalf("clamped block %q is not a prefix of %q", all, want)
		}
	}
	// Lines break between grapheme clusters.
	var a shape.Analyzer
	an := a.AnalyzeRunes(b.para.runes)
	for i, l := range b.Lines {
		if l.From < len(b.para.clusters) && !an.Grapheme[b.para.clusters[l.From].start] {
			t.Fatalf("line %d %q starts inside a grapheme cluster", i, b.Text(i))
		}
	}
	// Missing runes come from the text (or ask for a family).
	for _, r := range ts.Missing() {
		if !strings.ContainsRune(text, r) && !strings.ContainsRune(shape.NFC(text), r) && r != 0xfe0f && (r < fonts.FamilyToken(0) || r > fonts.FamilyToken(255)) && !(r == utf8.RuneError && !utf8.ValidString(text)) {
			t.Fatalf("missing %U, not in the text", r)
		}
	}

	// Drawing: nothing outside the block's box changes: its rows, widened
	// by half an em (beyond the font's ascent and descent where lines are
	// tighter than the font) for the overhang of accents and of glyphs of
	// other fonts (marks stacked beyond are cut, see drawCluster), and its
	// columns, widened by an em for marks before a line's first base (a
	// combining overline or double breve spans up to an em) and the last
	// glyph's overhang.
	pad := 3*size + 8 // room to see ink where it should not be
	fr := raster.NewFrame(width+2*pad, b.Height()+2*pad)
	bg := raster.RGB{R: 1, G: 2, B: 3}
	fr.Clear(bg)
	x, y := pad, pad
	ts.Draw(fr, b, x, y, width, align, raster.RGB{R: 250, G: 240, B: 230}, 255)
	top, bottom := boxRows(ts, b, y)
	left, right := x-size, x+width+size
	for r := 0; r < fr.H; r++ {
		for c := 0; c < fr.W; c++ {
			if r >= top && r < bottom && c >= left && c < right {
				continue
			}
			i := (r*fr.W + c) * 4
			if fr.Pix[i] != bg.R || fr.Pix[i+1] != bg.G || fr.Pix[i+2] != bg.B || fr.Pix[i+3] != 255 {
				t.Fatalf("ink at (%d, %d), outside rows [%d, %d) and columns [%d, %d) of a %d-line block at (%d, %d) (size %d, line height %d, align %d): %q",
					c, r, top, bottom, left, right, len(b.Lines), x, y, size, b.LineHeight, align, lineTexts(b))
			}
		}
	}
	// Text with nothing visible draws nothing (unless a rune no font has
	// is drawn as a box).
	if !Visible(text) && len(ts.Missing()) == 0 {
		if bb := ink(fr, bg); !bb.empty() {
			t.Fatalf("invisible text %q drew ink %+v", text, bb)
		}
	}
}
