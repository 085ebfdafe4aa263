package fontcat

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// packFile reads a font file of templates/fontpack.
func packFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "templates", "fontpack", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadIsTheFontpackCatalogue: without a directory, Load gives exactly
// fontpack.NewCatalog's catalogue (same families, owned runes and packed
// bytes), so the host hands over what the native reference would.
func TestLoadIsTheFontpackCatalogue(t *testing.T) {
	start := time.Now()
	got, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load: %d families, %d bytes packed, in %s", len(got.Families), Size(got), time.Since(start).Round(time.Millisecond))
	want, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Families) != len(want.Families) || len(got.Families) == 0 {
		t.Fatalf("%d families, want %d", len(got.Families), len(want.Families))
	}
	for i, f := range got.Families {
		w := want.Families[i]
		if f.Name != w.Name || f.Rank != w.Rank || !slices.Equal(f.Owns, w.Owns) || !bytes.Equal(got.Packed(i), want.Packed(i)) {
			t.Errorf("family %d: %s differs from the fontpack's %s", i, f.Name, w.Name)
		}
	}
}

// TestFontsDirAddsFamilies: each font file of the directory is a family
// after the fontpack's, named after its file; "-Bold" pairs with its
// regular; other files are ignored.
func TestFontsDirAddsFamilies(t *testing.T) {
	thai, thaiBold := packFile(t, "NotoSansThai-Regular.ttf"), packFile(t, "NotoSansThai-Bold.ttf")
	hebrew := packFile(t, "NotoSansHebrew-Regular.ttf")
	dir := writeFiles(t, map[string][]byte{
		"MyThai-Regular.ttf": thai,
		"MyThai-Bold.ttf":    thaiBold,
		"Hebrew.TTF":         hebrew,
		"Lonely-Bold.ttf":    thaiBold, // no regular: a family of its own
		"README.txt":         []byte("not a font"),
		".hidden.ttf":        []byte("ignored"),
	})
	if err := os.Mkdir(filepath.Join(dir, "sub.ttf"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if want := []string{"Hebrew", "Lonely-Bold", "MyThai"}; !slices.Equal(names, want) {
		t.Fatalf("families %v, want %v", names, want)
	}
	if !bytes.Equal(files[2].Regular, thai) || !bytes.Equal(files[2].Bold, thaiBold) || files[0].Bold != nil || files[1].Bold != nil {
		t.Error("regular and bold files are not paired as named")
	}

	cat, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := len(fontpack.Entries)
	if got := Names(cat); len(got) != n+3 || !slices.Equal(got[n:], names) {
		t.Fatalf("catalogue families %v: want the fontpack's %d, then %v", got, n, names)
	}
	// The fontpack's Thai and Hebrew come first and keep their runes: the
	// directory's copies own none of them.
	if need := Names(subset(cat, cat.Needed([]rune("สวัสดี שלום")))); !slices.Equal(need, []string{"Noto Sans Hebrew", "Noto Sans Thai"}) {
		t.Errorf("Thai and Hebrew text needs %v", need)
	}
	// Alone (no fontpack before it), a directory family owns its script.
	builtin, err := fontpack.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	only, err := New(builtin, files[2:])
	if err != nil {
		t.Fatal(err)
	}
	if need := only.Needed([]rune("สวัสดี")); len(need) != 1 || only.Families[need[0]].Name != "MyThai" {
		t.Errorf("Thai text needs %v of %v", need, Names(only))
	}
}

func subset(cat *fonts.Catalog, idx []int) *fonts.Catalog {
	out := &fonts.Catalog{}
	for _, i := range idx {
		out.Families = append(out.Families, cat.Families[i])
	}
	return out
}

// TestFontsDirErrors: a WOFF2 file that does not decode (garbage or
// truncated, by name or content), a file that is no font, a family name
// used twice and a missing directory stop the start, naming the file.
func TestFontsDirErrors(t *testing.T) {
	woff2 := append([]byte("wOF2"), make([]byte, 64)...)
	inter, err := os.ReadFile(filepath.Join("testdata", interWOFF2))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  []string
	}{
		{"woff2", map[string][]byte{"Fancy.woff2": woff2}, []string{"Fancy.woff2", "WOFF2"}},
		{"woff2 named ttf", map[string][]byte{"Fancy.ttf": woff2}, []string{"Fancy.ttf", "WOFF2"}},
		{"truncated woff2", map[string][]byte{"Inter.woff2": inter[:len(inter)-100]}, []string{"Inter.woff2", "WOFF2"}},
		{"bad woff2 bold", map[string][]byte{"Inter.woff2": inter, "Inter-Bold.woff2": inter[:4000]}, []string{"Inter-Bold.woff2", "WOFF2"}},
		{"not a font", map[string][]byte{"Broken.otf": []byte("hello, world, not a font at all")}, []string{"Broken.otf"}},
		{"bad bold", map[string][]byte{"X.ttf": packFile(t, "NotoSansThai-Regular.ttf"), "X-Bold.ttf": []byte("junk")}, []string{"X-Bold.ttf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, tc.files))
			if err == nil {
				t.Fatal("loaded")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	thai := packFile(t, "NotoSansThai-Regular.ttf")
	if _, err := Load(writeFiles(t, map[string][]byte{"Dup.ttf": thai, "Dup-Regular.otf": thai})); err == nil || !strings.Contains(err.Error(), `"Dup"`) {
		t.Errorf("two families named Dup: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing directory: %v", err)
	}
}
