package renderpool

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/fontcat"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/module"
)

var (
	catOnce sync.Once
	testCat *fonts.Catalog
	catErr  error
)

// testFonts is the fontpack's catalogue, built once per test binary (the
// server builds it once at start).
func testFonts(tb testing.TB) *fonts.Catalog {
	tb.Helper()
	catOnce.Do(func() { testCat, catErr = fontpack.NewCatalog() })
	if catErr != nil {
		tb.Fatal(catErr)
	}
	return testCat
}

// familyIndex is the index of the named family in cat.
func familyIndex(tb testing.TB, cat *fonts.Catalog, name string) int {
	tb.Helper()
	for i, f := range cat.Families {
		if f.Name == name {
			return i
		}
	}
	tb.Fatalf("no family %q in the catalogue", name)
	return -1
}

// World-text cards: each needs fallback families.
var (
	japaneseQuery = q("template", "blog", "title", "日本語のタイトル：ひらがな、カタカナと漢字", "description", "東京で開かれた会議の記録", "author", "山田太郎")
	arabicQuery   = q("template", "blog", "title", "مرحبا بالعالم: عنوان عربي طويل بعض الشيء", "description", "نص عربي مع أرقام 2024", "author", "أحمد")
	emojiQuery    = q("template", "blog", "title", "Family 👨‍👩‍👧 flag 🇯🇵 keycap 1️⃣", "description", "Emoji sequences in colour", "author", "Ada Lovelace")
)

// nativeFrame renders query with the native module (wasm/module, the
// reference of the hand-over loop) and cat, returning a copy of the frame.
func nativeFrame(tb testing.TB, m *module.Module, query []byte, cat *fonts.Catalog) []byte {
	tb.Helper()
	n := copy(m.Request(len(query)), query)
	if st := m.RenderWithFonts(n, cat); st != abi.StatusOK {
		tb.Fatalf("native render: %s: %s", st, m.Output())
	}
	return bytes.Clone(m.Pixels())
}

// poolFrame renders query through the pool and returns a copy of the frame.
func poolFrame(tb testing.TB, p *Pool, query []byte) []byte {
	tb.Helper()
	var out []byte
	if err := p.Render(context.Background(), query, func(pix []byte) error {
		out = bytes.Clone(pix)
		return nil
	}); err != nil {
		tb.Fatalf("pool render: %v", err)
	}
	return out
}

func samePixels(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if d := golden.Diff(got, want, abi.Width); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// TestWorldTextMatchesNative: a Japanese, an Arabic and an emoji card drawn
// through the pool (fallback families handed over through the ABI) are
// pixel-identical to the native module.RenderWithFonts with the same
// catalogue, both on the instance that was handed the families and on a
// fresh clone of the snapshot.
func TestWorldTextMatchesNative(t *testing.T) {
	cat := testFonts(t)
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		query  []byte
		family string
	}{
		{"japanese", japaneseQuery, "Droid Sans Fallback"},
		{"arabic", arabicQuery, "Noto Sans Arabic"},
		{"emoji", emojiQuery, "Noto Color Emoji"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := familyIndex(t, cat, tc.family)
			before := p.FontHandovers()[i]
			want := nativeFrame(t, m, tc.query, cat)
			got := poolFrame(t, p, tc.query)
			samePixels(t, "pool", got, want)
			if n := p.FontHandovers()[i]; n != before+1 {
				t.Errorf("%s handed over %d times, want once", tc.family, n-before)
			}
			// Without the family, the card is different (boxes): the
			// comparison above is not vacuous.
			bare := nativeFrame(t, mustModule(t), tc.query, &fonts.Catalog{})
			if bytes.Equal(bare, want) {
				t.Error("the card looks the same without fallback families")
			}
			// A clone of the snapshot starts without the families.
			in, err := p.instantiateClone(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer in.close()
			if in.holdsFonts() {
				t.Fatal("a clone of the snapshot holds fallback families")
			}
			if err := p.renderOnce(context.Background(), in, tc.query, nil, true); err != nil {
				t.Fatal(err)
			}
			pix, _, _, err := in.pixels(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			samePixels(t, "clone", pix, want)
			if !in.hasFont(i) {
				t.Errorf("the clone was not handed %s", tc.family)
			}
		})
	}
}

func mustModule(t *testing.T) *module.Module {
	t.Helper()
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFontsHandedOverOnce: the instance keeps what it was given; the same
// Japanese card a second time (and another Japanese card) hands over
// nothing, and both are drawn alike.
func TestFontsHandedOverOnce(t *testing.T) {
	cat := testFonts(t)
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	if n := p.Stats().FontHandovers; n != 0 {
		t.Fatalf("%d families handed over while warming up", n)
	}
	droid := familyIndex(t, cat, "Droid Sans Fallback")
	first := poolFrame(t, p, japaneseQuery)
	if got := p.FontHandovers(); got[droid] != 1 || p.Stats().FontHandovers != 1 {
		t.Fatalf("after the first Japanese card: hand-overs %v, want Droid Sans Fallback once", got)
	}
	second := poolFrame(t, p, japaneseQuery)
	poolFrame(t, p, q("template", "blog", "title", "別の日本語の見出し"))
	if got := p.Stats().FontHandovers; got != 1 {
		t.Fatalf("after more Japanese cards: %d hand-overs, want 1 (%v)", got, p.FontHandovers())
	}
	if !bytes.Equal(first, second) {
		t.Error("the second render of the card differs from the first")
	}
	if st := p.Stats(); st.Renders != 3 || st.Replaced != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestMissingRunesDrawBoxes: runes no font draws are drawn as boxes after
// at most one hand-over (U+1F8FF lies in an emoji block, so the module asks
// for the emoji family, which lacks it too; Linear A has no family at all):
// one more render, no loop, the native pixels, and nothing handed over the
// next time. Without a catalogue a Japanese card does the same.
func TestMissingRunesDrawBoxes(t *testing.T) {
	cat := testFonts(t)
	for _, tc := range []struct {
		name     string
		cat      *fonts.Catalog
		title    string
		handover uint64
	}{
		{"linear a", cat, "Linear A 𐘀𐘁𐘂 only", 0},
		{"unassigned in an emoji block", cat, "Nothing draws \U0001F8FF here", 1},
		{"both", cat, "Linear A 𐘀 and \U0001F8FF nowhere", 1},
		{"no catalogue", nil, "日本語のタイトル", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Config{Instances: 1, Fonts: tc.cat, Deadline: 5 * time.Second})
			native := tc.cat
			if native == nil {
				native = &fonts.Catalog{}
			}
			query := q("template", "blog", "title", tc.title, "author", "Ada Lovelace")
			want := nativeFrame(t, mustModule(t), query, native)
			for round := 0; round < 2; round++ {
				start := time.Now()
				got := poolFrame(t, p, query)
				t.Logf("round %d: rendered in %s", round, time.Since(start).Round(time.Microsecond))
				samePixels(t, "pool", got, want)
				if st := p.Stats(); st.FontHandovers != tc.handover || st.Renders != uint64(round+1) || st.Replaced != 0 {
					t.Errorf("round %d: stats %+v, want %d hand-overs", round, st, tc.handover)
				}
			}
		})
	}
}

// TestWarmUpLoadsNoFamilies: the warm-up corpus needs no fallback family,
// so the snapshot every clone starts from holds none.
func TestWarmUpLoadsNoFamilies(t *testing.T) {
	cat := testFonts(t)
	var runes []rune
	for _, q := range append([]string{warmQuery}, warmCorpus...) {
		v, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, vs := range v {
			runes = append(runes, []rune(strings.Join(vs, ""))...)
		}
	}
	if need := cat.Needed(runes); len(need) > 0 {
		t.Errorf("the warm-up corpus needs fallback families %v", need)
	}
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	snap := p.snap.Load()
	if snap == nil {
		t.Fatal("no snapshot")
	}
	for i, held := range snap.fonts {
		if held {
			t.Errorf("the snapshot holds %s", cat.Families[i].Name)
		}
	}
	if n := p.Stats().FontHandovers; n != 0 {
		t.Errorf("%d hand-overs while warming up", n)
	}
}

// TestRetakenSnapshotKeepsFamilies: a snapshot retaken from an instance
// that holds fallback families gives clones those families (no hand-over
// for them) and is not written to the snapshot file.
func TestRetakenSnapshotKeepsFamilies(t *testing.T) {
	if bootID() == "" {
		t.Skip("no boot id: snapshots are not persisted")
	}
	cat := testFonts(t)
	dir := t.TempDir()
	p := newPool(t, Config{Instances: 1, Fonts: cat, SnapshotEvery: 2, SnapshotDir: dir})
	first := p.snap.Load()
	waitFor(t, "the first snapshot file", func() bool { return first.file.Load() != nil })
	files, _ := filepath.Glob(filepath.Join(dir, "*.snap"))
	if len(files) != 1 {
		t.Fatalf("snapshot files %v", files)
	}
	info, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	want := poolFrame(t, p, japaneseQuery)
	poolFrame(t, p, japaneseQuery)
	waitFor(t, "a retaken snapshot", func() bool { return p.Stats().Snapshots > 0 })
	droid := familyIndex(t, cat, "Droid Sans Fallback")
	snap := p.snap.Load()
	if snap == first || !snap.fonts[droid] {
		t.Fatal("the retaken snapshot does not hold Droid Sans Fallback")
	}
	in, err := p.instantiateClone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	before := p.Stats().FontHandovers
	if err := p.renderOnce(context.Background(), in, japaneseQuery, nil, true); err != nil {
		t.Fatal(err)
	}
	pix, _, _, _ := in.pixels(context.Background())
	samePixels(t, "clone of the retaken snapshot", pix, want)
	if n := p.Stats().FontHandovers; n != before {
		t.Errorf("the clone was handed %d families", n-before)
	}
	if info2, err := os.Stat(files[0]); err != nil || !info2.ModTime().Equal(info.ModTime()) || info2.Size() != info.Size() {
		t.Error("a snapshot holding fallback families was written to the file")
	}
}

// TestEveryFamilyFitsTheMemoryCap: one instance handed every family of the
// fontpack (a card in every script, and emoji; the template families when a
// card asks for them) stays within the default memory cap.
func TestEveryFamilyFitsTheMemoryCap(t *testing.T) {
	cat := testFonts(t)
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	title := "عربي עברית हिन्दी বাংলা தமிழ் ไทย Հայերեն ქართული 日本語 한국어 😀👨‍👩‍👧🇯🇵"
	m := mustModule(t)
	want := nativeFrame(t, m, q("template", "blog", "title", title, "description", title), cat)
	got := poolFrame(t, p, q("template", "blog", "title", title, "description", title))
	samePixels(t, "pool", got, want)
	// The template families kept out of the module, then more cards on
	// the instance that holds everything.
	for _, query := range [][]byte{
		q("template", "blog", "title", title, "font", "DejaVu Serif"),
		q("template", "blog", "title", title, "font", "JetBrains Mono"),
		japaneseQuery, arabicQuery, emojiQuery, []byte(sampleQuery),
	} {
		poolFrame(t, p, query)
	}
	needed := map[int]bool{}
	for _, i := range cat.Needed([]rune(title)) {
		needed[i] = true
	}
	for i, n := range p.FontHandovers() {
		if n > 1 || needed[i] && n != 1 {
			t.Errorf("%s handed over %d times, want once", cat.Families[i].Name, n)
		}
	}
	if len(needed) < 10 {
		t.Errorf("the title needs only %d families", len(needed))
	}
	st := p.Stats()
	limit := uint64(DefaultMemoryLimitMiB) << 20
	t.Logf("fonts %d bytes packed; largest instance memory %d MiB of %d MiB", fontcat.Size(cat), st.MaxMemoryBytes>>20, DefaultMemoryLimitMiB)
	if st.MaxMemoryBytes == 0 || st.MaxMemoryBytes > limit || st.Replaced != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestFontsDirFamily: a family from an operator's fonts directory
// (fontcat.ReadDir) is handed over like the fontpack's and draws like it
// does natively.
func TestFontsDirFamily(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "templates", "fontpack", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	builtin, err := fontpack.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	files, err := fontcat.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := fontcat.New(builtin, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Families) != 1 || cat.Families[0].Name != "NotoSansThai" || len(cat.Families[0].Bold) == 0 {
		t.Fatalf("families %v", fontcat.Names(cat))
	}
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	query := q("template", "blog", "title", "สวัสดีชาวโลก ภาษาไทย", "author", "Ada Lovelace")
	want := nativeFrame(t, mustModule(t), query, cat)
	samePixels(t, "pool", poolFrame(t, p, query), want)
	if got := p.FontHandovers(); len(got) != 1 || got[0] != 1 {
		t.Errorf("hand-overs %v, want [1]", got)
	}
}

// TestFirstWorldRenderCost logs what a card needing a fallback family
// costs on a fresh instance (a clone of the snapshot: the family handed
// over, the card drawn twice, its glyphs rasterised cold) against later
// renders of it on that instance, and a Latin card's first render.
func TestFirstWorldRenderCost(t *testing.T) {
	cat := testFonts(t)
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	for _, tc := range []struct {
		name, family string
		query        []byte
	}{
		{"Japanese", "Droid Sans Fallback", japaneseQuery},
		{"emoji", "Noto Color Emoji", emojiQuery},
		{"Arabic", "Noto Sans Arabic", arabicQuery},
		{"docs (JetBrains Mono)", "JetBrains Mono", q("template", "docs", "title", "Getting started", "tag", "Guide")},
		{"Latin", "", []byte(sampleQuery)},
	} {
		for round := 0; round < 3; round++ {
			in, err := p.instantiateClone(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var times []time.Duration
			for i := 0; i < 4; i++ {
				start := time.Now()
				if err := p.renderOnce(context.Background(), in, tc.query, nil, true); err != nil {
					t.Fatal(err)
				}
				times = append(times, time.Since(start).Round(10*time.Microsecond))
			}
			mem := in.mem.Size() >> 20
			in.close()
			if tc.family == "" {
				t.Logf("%s card on clone %d: renders %v; memory %d MiB", tc.name, round, times, mem)
				continue
			}
			// The hand-over alone, to another clone.
			in, err = p.instantiateClone(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			i := familyIndex(t, cat, tc.family)
			start := time.Now()
			if err := in.addFont(context.Background(), tc.family, cat.Packed(i)); err != nil {
				t.Fatal(err)
			}
			handover := time.Since(start).Round(10 * time.Microsecond)
			in.close()
			t.Logf("%s card on clone %d: renders %v (the first hands over %s, %d bytes: %s alone); memory %d MiB",
				tc.name, round, times, tc.family, len(cat.Packed(i)), handover, mem)
		}
	}
}

// TestGoldenCasesMatchNative: every golden case (world scripts, template
// families kept out of the module, images) drawn through the pool, fonts
// handed over through the ABI, gives the native module.RenderWithFonts's
// pixels in the same order, whether or not the stored PNGs are current.
func TestGoldenCasesMatchNative(t *testing.T) {
	cat := testFonts(t)
	p := newPool(t, Config{Instances: 1, Fonts: cat})
	m := mustModule(t)
	cases := golden.Cases(m.Set)
	images := golden.ImageCases(m.Set)
	for _, c := range cases {
		images = append(images, golden.ImageCase{Case: c})
	}
	for _, c := range images {
		var files [abi.NumSlots][]byte
		for slot, name := range c.Images {
			b, err := golden.ImageFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files[slot] = b
		}
		n := copy(m.Request(len(c.Query)), c.Query)
		for slot, b := range files {
			if len(b) > 0 {
				copy(m.Image(slot, len(b)), b)
			}
		}
		if st := m.RenderWithFonts(n, cat); st != abi.StatusOK {
			t.Fatalf("%s: native: %s: %s", c.Name, st, m.Output())
		}
		if err := p.RenderImages(context.Background(), []byte(c.Query), files, func(pix []byte) error {
			samePixels(t, c.Name, pix, m.Pixels())
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
	}
	t.Logf("%d cases, %d hand-overs", len(images), p.Stats().FontHandovers)
}
