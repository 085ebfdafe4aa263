package typeset

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/shape"
)

// newTypesetter builds a Typesetter from the embedded fonts exactly as
// wasm/render.New does, then hands it every fallback family of the host's
// catalogue (templates/fontpack), as a host would for text that needs them.
func newTypesetter(tb testing.TB) *Typesetter {
	tb.Helper()
	ts := newBuiltin(tb)
	cat := fontpackCatalog(tb)
	for i := range cat.Families {
		if err := ts.AddFamily(cat.Packed(i)); err != nil {
			tb.Fatalf("AddFamily(%s): %v", cat.Families[i].Name, err)
		}
	}
	return ts
}

// newBuiltin builds a Typesetter with the families inside the render
// module only (the others declared, not loaded).
func newBuiltin(tb testing.TB) *Typesetter {
	tb.Helper()
	set, err := templates.Load()
	if err != nil {
		tb.Fatalf("templates.Load: %v", err)
	}
	var fams []FontData
	for _, name := range set.FamilyNames() {
		f := set.Families[name]
		if f.Pack {
			fams = append(fams, FontData{Name: name}) // handed over later
			continue
		}
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
	catOnce sync.Once
	cat     *fonts.Catalog
	catErr  error
)

// fontpackCatalog is the host's catalogue of fallback families, built once.
func fontpackCatalog(tb testing.TB) *fonts.Catalog {
	tb.Helper()
	catOnce.Do(func() { cat, catErr = fontpack.NewCatalog() })
	if catErr != nil {
		tb.Fatalf("fontpack.NewCatalog: %v", catErr)
	}
	return cat
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

// lineTexts returns each line's text (Block.Text).
func lineTexts(b *Block) []string {
	var s []string
	for i := range b.Lines {
		s = append(s, b.Text(i))
	}
	return s
}

// joined is the block's lines joined by spaces.
func joined(b *Block) string { return strings.Join(lineTexts(b), " ") }

// noSpaces is text's runes in NFC without white space: what a block's
// lines hold of it, whatever the line breaks.
func noSpaces(s string) string { return strings.Join(strings.Fields(shape.NFC(s)), "") }

// measure is the width of text laid out on one line at st.
func measure(ts *Typesetter, text string, st Style) fixed.Int26_6 {
	b := ts.Line(text, st, st.Size)
	if len(b.Lines) == 0 {
		return 0
	}
	return b.Lines[0].Width
}

// clustersWidth is the sum of the advances of clusters [from, to) of b's
// paragraph, as drawing advances the pen.
func clustersWidth(ts *Typesetter, b *Block, from, to int) fixed.Int26_6 {
	var w fixed.Int26_6
	for i := from; i < to; i++ {
		w += ts.px(b.para, &b.para.clusters[i], b.Style.Size)
	}
	return w
}

// checkBlock asserts the invariants every laid-out block keeps.
func checkBlock(t *testing.T, ts *Typesetter, b *Block, width int) {
	t.Helper()
	n := len(b.para.clusters)
	for i, l := range b.Lines {
		if l.From < 0 || l.To < l.From || l.To > n || i > 0 && l.From < b.Lines[i-1].To {
			t.Fatalf("line %d: clusters [%d, %d) of %d, after line %d's [%d, %d)", i, l.From, l.To, n, i-1, b.Lines[max(i-1, 0)].From, b.Lines[max(i-1, 0)].To)
		}
		w := clustersWidth(ts, b, l.From, l.To)
		if l.Ellipsis {
			w += ts.ellipsisWidth(b.Style)
		}
		if w != l.Width {
			t.Errorf("line %d %q: Width = %v, its clusters add up to %v", i, b.Text(i), l.Width, w)
		}
		if l.Width > fixed.I(width) {
			t.Errorf("line %d %q: width %v > %d", i, b.Text(i), l.Width, width)
		}
		s := b.Text(i)
		// (A space that carries a mark, " ்", is no white space.)
		if l.To > l.From && (b.para.clusters[l.From].face == kindSpace || b.para.clusters[l.To-1].face == kindSpace) {
			t.Errorf("line %d %q: leading or trailing white space", i, s)
		}
		if l.Ellipsis && (i != len(b.Lines)-1 || !b.Clamped) {
			t.Errorf("line %d %q: an ellipsis on a line other than a clamped block's last", i, s)
		}
	}
	if b.Width() > fixed.I(width) {
		t.Errorf("block width %v > %d", b.Width(), width)
	}
	if b.Height() != len(b.Lines)*b.LineHeight {
		t.Errorf("Height %d != %d lines x %d", b.Height(), len(b.Lines), b.LineHeight)
	}
}

type bbox struct{ x0, y0, x1, y1 int } // inked pixels, x1/y1 exclusive; empty if x0 >= x1

func (b bbox) empty() bool { return b.x0 >= b.x1 }

// ink returns the bounding box of pixels that differ from bg.
func ink(fr *raster.Frame, bg raster.RGB) bbox {
	return inkIn(fr, bg, 0, 0, fr.W, fr.H)
}

// inkIn is ink within columns [x0, x1) and rows [y0, y1).
func inkIn(fr *raster.Frame, bg raster.RGB, x0, y0, x1, y1 int) bbox {
	b := bbox{fr.W, fr.H, 0, 0}
	for y := max(y0, 0); y < min(y1, fr.H); y++ {
		for x := max(x0, 0); x < min(x1, fr.W); x++ {
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

// draw draws b white on black in a w x h frame, its box at (x, y) width bw.
func draw(ts *Typesetter, b *Block, w, h, x, y, bw int, a Align) *raster.Frame {
	fr := raster.NewFrame(w, h)
	fr.Clear(black)
	ts.Draw(fr, b, x, y, bw, a, white, 255)
	return fr
}

// scriptRanges are letters (and marks) of each script the fallback
// families cover, for random text.
var scriptRanges = map[string][][2]rune{
	"latin":      {{'a', 'z'}, {'A', 'Z'}, {0xc0, 0xd6}, {0xd8, 0xf6}, {0x100, 0x17f}, {0x300, 0x30c}},
	"cyrillic":   {{0x410, 0x44f}, {0x401, 0x401}, {0x451, 0x451}},
	"greek":      {{0x391, 0x3a1}, {0x3a3, 0x3a9}, {0x3b1, 0x3c9}, {0x3ac, 0x3af}},
	"arabic":     {{0x621, 0x64a}, {0x621, 0x64a}, {0x64b, 0x652}, {0x660, 0x669}, {0x6cc, 0x6cc}, {0x640, 0x640}},
	"hebrew":     {{0x5d0, 0x5ea}, {0x5d0, 0x5ea}, {0x5b0, 0x5bc}},
	"devanagari": {{0x905, 0x914}, {0x915, 0x939}, {0x915, 0x939}, {0x93e, 0x94c}, {0x94d, 0x94d}, {0x902, 0x903}},
	"bengali":    {{0x985, 0x98c}, {0x995, 0x9a8}, {0x9aa, 0x9b0}, {0x9be, 0x9c4}, {0x9cd, 0x9cd}},
	"tamil":      {{0xb85, 0xb8a}, {0xb95, 0xb95}, {0xb99, 0xb9a}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbbe, 0xbc2}, {0xbcd, 0xbcd}},
	"thai":       {{0xe01, 0xe2e}, {0xe01, 0xe2e}, {0xe30, 0xe3a}, {0xe40, 0xe44}, {0xe48, 0xe4b}},
	"armenian":   {{0x531, 0x556}, {0x561, 0x586}},
	"georgian":   {{0x10d0, 0x10fa}},
	"cjk":        {{0x4e00, 0x9fa5}, {0x3001, 0x3002}, {0x300c, 0x300d}, {0xff01, 0xff0c}},
	"hangul":     {{0xac00, 0xd7a3}},
	"kana":       {{0x3041, 0x3096}, {0x30a1, 0x30fa}, {0x30fc, 0x30fc}},
	"digits":     {{'0', '9'}, {'.', '.'}, {',', ','}, {'-', '-'}, {'/', '/'}, {'(', ')'}},
}

// scriptNames is scriptRanges' keys in a fixed order.
var scriptNames = []string{"latin", "cyrillic", "greek", "arabic", "hebrew", "devanagari", "bengali", "tamil",
	"thai", "armenian", "georgian", "cjk", "hangul", "kana", "digits"}

// emojiSequences are emoji of one and several code points.
var emojiSequences = []string{
	"😀", "🚀", "🎉", "✨", "❤\ufe0f", "👨\u200d👩\u200d👧", "👩\u200d💻", "👋🏽", "👍🏿", "🇯🇵", "🇫🇷", "🇺🇸",
	"1\ufe0f\u20e3", "#\ufe0f\u20e3", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
	"🏳\ufe0f\u200d🌈", "🧑🏽\u200d🚀", "👨\u200d👨\u200d👦\u200d👦",
}

// bidiControls are the explicit directional formatting characters.
var bidiControls = []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f}

// worldText returns random text of about n words: words of random scripts,
// emoji sequences, digits, punctuation, bidi controls and the odd joiner
// or newline between them.
func worldText(rng *rand.Rand, n int) string {
	var sb strings.Builder
	for w := 0; w < n; w++ {
		if w > 0 {
			switch rng.IntN(20) {
			case 0:
				sb.WriteString("  ")
			case 1:
				sb.WriteByte('\n')
			case 2: // no space: scripts run into each other
			default:
				sb.WriteByte(' ')
			}
		}
		switch k := rng.IntN(20); {
		case k < 2:
			sb.WriteString(emojiSequences[rng.IntN(len(emojiSequences))])
		case k < 3:
			sb.WriteRune(bidiControls[rng.IntN(len(bidiControls))])
		case k < 4:
			sb.WriteRune([]rune{'—', '…', '«', '»', '"', '!', '?', '、', '。', 0x200d, 0x200c, 0xfe0f, 0x301}[rng.IntN(13)])
		}
		rs := scriptRanges[scriptNames[rng.IntN(len(scriptNames))]]
		for range 1 + rng.IntN(9) {
			r := rs[rng.IntN(len(rs))]
			sb.WriteRune(r[0] + rune(rng.IntN(int(r[1]-r[0]+1))))
		}
	}
	return sb.String()
}

// boxRows is the band of rows a block drawn at y may touch: its line boxes
// (at least the style font's ascent and descent) and half an em more.
func boxRows(ts *Typesetter, b *Block, y int) (top, bottom int) {
	asc, desc := ts.Metrics(b.Style)
	if len(b.Lines) == 0 {
		return y, y
	}
	base0 := y + (b.LineHeight-(asc+desc))/2 + asc
	last := base0 + (len(b.Lines)-1)*b.LineHeight
	return min(y, base0-asc) - b.Style.Size/2, max(y+b.Height(), last+desc) + b.Style.Size/2
}
