package typeset

import (
	"strings"
	"testing"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/wasm/raster"
)

// FuzzLayout lays arbitrary text out with Fit in an arbitrary box and size
// range, checks the block's invariants, and draws it to check that the ink
// stays within the block's rows. One Typesetter serves every input (fuzz
// workers run inputs one at a time), so its caches warm up as in production.
func FuzzLayout(f *testing.F) {
	seeds := []string{
		"", " ", "Hello", "Rendering social images at the edge without a headless browser",
		"Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopic",
		"Привет, мир — Γειά σου Κόσμε — Zażółć gęślą jaźń", "Кириллица, ελληνικά, and a glyph no font has: 日本 ☃",
		"日本語のテキストは単語の間に空白がありません", "Launch 🚀 day 🎉 👩\u200d💻 🇫🇷",
		"Ǻngström ǕǗ ẲỂ │┼╬", "Z\u0301\u0308\u030a\u0301\u0308\u030aa\u0316\u0317\u0323l",
		"a\x00b\u202ec\xff\tz", strings.Repeat("word ", 80), strings.Repeat("W", 300), "… … …", "\U0001F850\U0010FFFD",
	}
	for i, s := range seeds {
		// text, width, height, min size, max size, max lines, family, bold, line height, align
		f.Add(s, uint16(100+i*97), uint16(40+i*37), uint8(i*13), uint8(60+i*11), uint8(i%13), uint8(i), i%2 == 0, uint8(i*29), uint8(i))
	}
	f.Add("W", uint16(0), uint16(0), uint8(192), uint8(192), uint8(0), uint8(1), true, uint8(0), uint8(0))
	f.Add("a b", uint16(0), uint16(629), uint8(0), uint8(0), uint8(12), uint8(2), false, uint8(220), uint8(2))
	shared(f)

	f.Fuzz(layoutCheck)
}

// layoutCheck is the body of FuzzLayout.
func layoutCheck(t *testing.T, text string, w, h uint16, s0, s1, ml, fam uint8, bold bool, lh, al uint8) {
	ts := shared(t)
	if len(text) > 2048 {
		text = text[:2048] // params allow 500 characters; keep iterations fast
	}
	width := 1 + int(w)%1200               // 1..1200 px
	height := 1 + int(h)%630               // 1..630 px
	lo, hi := 8+int(s0)%193, 8+int(s1)%193 // 8..200 px, as templates allow
	if lo > hi {
		lo, hi = hi, lo
	}
	maxLines := int(ml) % 13                     // 0..12, as templates allow (0 = 1)
	lineHeight := 0.8 + float64(int(lh)%221)/100 // 0.8..3.0
	family := int(fam) % len(ts.families)
	align := Align(int(al) % 3)

	b := ts.Fit(text, family, bold, lo, hi, lineHeight, width, height, maxLines)
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
	if len(b.Lines) != len(b.Widths) {
		t.Fatalf("%d lines, %d widths", len(b.Lines), len(b.Widths))
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
	words := strings.Fields(text)
	if len(words) > 0 && len(b.Lines) == 0 {
		t.Fatalf("no lines for %q", text)
	}
	for i, l := range b.Lines {
		if b.Widths[i] > fixed.I(width) {
			t.Fatalf("line %d %q: width %v > %d", i, string(l), b.Widths[i], width)
		}
		if m := ts.Measure(l, b.Style); m != b.Widths[i] {
			t.Fatalf("line %d %q: Widths %v, measured %v", i, string(l), b.Widths[i], m)
		}
	}
	// Content: all of it when not clamped, a prefix (then "…") when clamped.
	all := make([]rune, 0, len(text))
	for _, l := range b.Lines {
		for _, r := range l {
			if r != ' ' {
				all = append(all, r)
			}
		}
	}
	var want []rune // per word: joined bytes could form new runes
	for _, w := range words {
		want = append(want, []rune(w)...)
	}
	if !b.Clamped {
		if string(all) != string(want) {
			t.Fatalf("unclamped block %q lost text of %q", string(all), string(want))
		}
		// Fit picked the largest size that fits.
		if size < hi {
			lines := linesThatFit(size+1, lineHeight, height, maxLines)
			if ts.Wrap(text, Style{family, bold, size + 1}, lineHeight, width, lines).Clamped == false {
				t.Fatalf("size %d chosen but %d fits", size, size+1)
			}
		}
	} else {
		if size != lo {
			t.Fatalf("clamped at size %d, not the minimum %d", size, lo)
		}
		if len(all) > 0 && all[len(all)-1] == Ellipsis {
			all = all[:len(all)-1]
		} else if ts.advance(b.Style, Ellipsis) <= fixed.I(width) {
			t.Fatalf("clamped block %q has no ellipsis", string(all))
		}
		if len(all) > len(want) || string(want[:len(all)]) != string(all) {
			t.Fatalf("clamped block %q is not a prefix of %q", string(all), string(want))
		}
	}

	// Drawing: nothing outside the block's rows changes.
	// Glyphs reach at most ~1.2 em from their baseline, so a pad of one em
	// and a bit above and below the block catches any stray ink.
	pad := size + 8
	fr := raster.NewFrame(width+size, b.Height()+2*pad)
	bg := raster.RGB{R: 1, G: 2, B: 3}
	fr.Clear(bg)
	y := pad
	ts.Draw(fr, b, size/2, y, width, align, raster.RGB{R: 250, G: 240, B: 230}, 255)
	top, bottom := drawRows(ts, b, y)
	for r := 0; r < fr.H; r++ {
		if r >= top && r < bottom {
			continue
		}
		for i := r * fr.W * 4; i < (r+1)*fr.W*4; i += 4 {
			if fr.Pix[i] != bg.R || fr.Pix[i+1] != bg.G || fr.Pix[i+2] != bg.B || fr.Pix[i+3] != 255 {
				t.Fatalf("ink in row %d, outside rows [%d, %d) of a %d-line block at y %d (size %d, line height %d)",
					r, top, bottom, len(b.Lines), y, size, b.LineHeight)
			}
		}
	}
}
