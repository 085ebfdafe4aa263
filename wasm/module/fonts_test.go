package module_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/module"
)

// TestFontHandOver walks the ABI's font protocol: a text the built-in
// families cannot draw answers StatusNeedFonts with the runes it lacks, the
// families that own them are added, and the instance keeps them.
func TestFontHandOver(t *testing.T) {
	cat, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	m := newModule(t)
	q := url.Values{"template": {"blog"}, "title": {"東京 Hello"}}.Encode()
	if st := call(m, m.Render, q); st != abi.StatusNeedFonts {
		t.Fatalf("Japanese title on a fresh module: %s, want need_fonts", st)
	}
	missing := []rune(string(m.Output()))
	if !slices.Contains(missing, '東') || slices.Contains(missing, 'H') {
		t.Fatalf("missing runes %q: want the kanji and no Latin", string(missing))
	}
	need := cat.Needed(missing)
	if len(need) != 1 || cat.Families[need[0]].Name != "Droid Sans Fallback" {
		t.Fatalf("families needed: %v", need)
	}
	// The same request rendered again draws boxes rather than ask twice.
	n := len(q)
	if st := m.Render(n); st != abi.StatusOK {
		t.Fatalf("second render in one request: %s", st)
	}
	b := cat.Packed(need[0])
	copy(m.Font(len(b)), b)
	if st := m.FontAdd(len(b)); st != abi.StatusOK {
		t.Fatalf("font add: %s %s", st, m.Output())
	}
	if st := call(m, m.Render, q); st != abi.StatusOK {
		t.Fatalf("after the hand-over: %s %s", st, m.Output())
	}
	// A rune no family owns: asked once per request, then boxes.
	q2 := url.Values{"template": {"blog"}, "title": {"Linear A \U00010600"}}.Encode()
	if st := call(m, withFonts(m, cat), q2); st != abi.StatusOK {
		t.Fatalf("rune no family has: %s", st)
	}
}

// TestFontAddRejects: a damaged or mismatched hand-over is an error, never
// a crash, and the module keeps working.
func TestFontAddRejects(t *testing.T) {
	m := newModule(t)
	if st := m.FontAdd(10); st != abi.StatusInvalid {
		t.Fatalf("FontAdd without Font: %s", st)
	}
	for _, b := range [][]byte{[]byte("OGF1garbage"), []byte("not a font at all"), make([]byte, 64)} {
		copy(m.Font(len(b)), b)
		if st := m.FontAdd(len(b)); st != abi.StatusInvalid {
			t.Fatalf("FontAdd(%q): %s", b, st)
		}
	}
	if m.Font(abi.MaxFontBytes+1) != nil || m.Font(0) != nil {
		t.Fatal("Font accepted a size beyond its limits")
	}
	if st := call(m, m.Render, "template=blog&title=Still+fine"); st != abi.StatusOK {
		t.Fatalf("render after rejected fonts: %s", st)
	}
}

// TestFamilyOutsideTheModule: a card set in a family that is not in the
// module (fonts.json "pack") asks for it on a fresh module, and is drawn in
// it, not in the default family.
func TestFamilyOutsideTheModule(t *testing.T) {
	cat, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, font := range []string{"serif", "mono"} {
		m := newModule(t)
		q := url.Values{"template": {"blog"}, "title": {"Hello"}, "font": {font}}.Encode()
		if st := call(m, m.Render, q); st != abi.StatusNeedFonts {
			t.Fatalf("font=%s on a fresh module: %s, want need_fonts", font, st)
		}
		if st := call(m, withFonts(m, cat), q); st != abi.StatusOK {
			t.Fatalf("font=%s: %s", font, st)
		}
		set := append([]byte(nil), m.Pixels()...)
		inter := url.Values{"template": {"blog"}, "title": {"Hello"}}.Encode()
		if st := call(m, m.Render, inter); st != abi.StatusOK {
			t.Fatal(st)
		}
		if string(set) == string(m.Pixels()) {
			t.Fatalf("font=%s drew the same pixels as Inter", font)
		}
	}
}

// withFonts is RenderWithFonts as a function of the request length (for call).
func withFonts(m *module.Module, cat *fonts.Catalog) func(int) abi.Status {
	return func(n int) abi.Status { return m.RenderWithFonts(n, cat) }
}
