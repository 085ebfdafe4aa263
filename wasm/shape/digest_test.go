package shape

import (
	"bufio"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/fonts"
)

var updateDigests = flag.Bool("update-digests", false, "rewrite testdata/shape-digests.txt")

// digestFonts are the fonts whose shaping TestShapingDigests pins, with the
// runes its words are made of.
var digestFonts = []struct {
	file, dir string
	ranges    [][2]rune
}{
	{"Inter-Regular.otf", "fonts", latinRanges},
	{"Inter-Bold.otf", "fonts", latinRanges},
	{"DejaVuSerif.ttf", "fontpack", latinRanges},
	{"JetBrainsMono-Regular.ttf", "fontpack", latinRanges},
	{"NotoSansArabic-Regular.ttf", "fontpack", [][2]rune{{0x621, 0x64a}, {0x64b, 0x652}, {0x660, 0x669}, {0x200c, 0x200d}}},
	{"NotoSansHebrew-Bold.ttf", "fontpack", [][2]rune{{0x5d0, 0x5ea}, {0x5b0, 0x5bc}}},
	{"NotoSansDevanagari-Regular.ttf", "fontpack", [][2]rune{{0x905, 0x939}, {0x93e, 0x94d}, {0x200c, 0x200d}}},
	{"NotoSansBengali-Bold.ttf", "fontpack", [][2]rune{{0x985, 0x9b9}, {0x9be, 0x9cd}}},
	{"NotoSansTamil-Regular.ttf", "fontpack", [][2]rune{{0xb85, 0xbb9}, {0xbbe, 0xbcd}}},
	{"NotoSansThai-Regular.ttf", "fontpack", [][2]rune{{0xe01, 0xe3a}, {0xe40, 0xe4e}}},
	{"NanumSquareR.ttf", "fontpack", [][2]rune{{0xac00, 0xac40}, {0x1100, 0x1112}, {0x1161, 0x1175}}},
}

// latinRanges: ASCII (digits, punctuation: Inter's contextual forms), and
// Latin-1 letters.
var latinRanges = [][2]rune{{'!', '~'}, {'a', 'z'}, {'a', 'z'}, {'A', 'Z'}, {0xc0, 0xff}}

// TestShapingDigests: shaping thousands of words per font (every
// two-letter Latin word, random words of each font's script) gives the
// glyphs, clusters, advances and offsets recorded in
// testdata/shape-digests.txt, a digest per font taken with go-text as
// released plus patches 1-4 (go test -run ShapingDigests
// -update-digests rewrites it). It pins the patches to HarfBuzz's shaping
// code (allocation-free matchers and contexts) to the results before them.
func TestShapingDigests(t *testing.T) {
	path := filepath.Join("testdata", "shape-digests.txt")
	want := map[string]string{}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, d, ok := strings.Cut(sc.Text(), " "); ok {
				want[name] = d
			}
		}
		f.Close()
	} else if !*updateDigests {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, df := range digestFonts {
		data, err := readFont(df.dir, df.file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := fonts.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		face := font.NewFace(f)
		got := shapingDigest(face, df.ranges)
		fmt.Fprintf(&out, "%s %s\n", df.file, got)
		if !*updateDigests && want[df.file] != got {
			t.Errorf("%s: shaping digest %s, recorded %s", df.file, got, want[df.file])
		}
	}
	if *updateDigests {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFont(dir, file string) ([]byte, error) {
	if dir == "fonts" {
		return templates.FontFile(file)
	}
	return os.ReadFile(filepath.Join("..", "..", "templates", "fontpack", file))
}

// shapingDigest shapes every two-rune word over the first range, and 3,000
// random words of 1-10 runes over all of them, and hashes the results.
func shapingDigest(face *font.Face, ranges [][2]rune) string {
	h := fnv.New64a()
	s := NewShaper(0) // no cache: every word shaped
	shapeWord := func(word []rune) {
		script := language.Latin
		for _, r := range word {
			if sc := language.LookupScript(r); sc != language.Common && sc != language.Inherited {
				script = sc
				break
			}
		}
		rtl := script == language.Arabic || script == language.Hebrew
		for _, g := range s.Shape(face, 0, word, rtl, script) {
			fmt.Fprintf(h, "%d,%d,%d,%d,%d;", g.ID, g.Cluster, g.Adv, g.XOff, g.YOff)
		}
		h.Write([]byte{'\n'})
	}
	first := ranges[0]
	for a := first[0]; a <= first[1]; a++ {
		for b := first[0]; b <= first[1]; b++ {
			shapeWord([]rune{a, b})
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		word := make([]rune, 1+rng.IntN(10))
		for i := range word {
			rg := ranges[rng.IntN(len(ranges))]
			word[i] = rg[0] + rune(rng.IntN(int(rg[1]-rg[0]+1)))
		}
		shapeWord(word)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
