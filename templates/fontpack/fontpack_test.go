package fontpack

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCatalogOwners: every script the issue names has exactly one owner,
// and no rune is owned twice (a module's pixels must not depend on which
// families it was given before).
func TestCatalogOwners(t *testing.T) {
	cat, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		r    rune
		want string
	}{
		{'ب', "Noto Sans Arabic"}, {'پ', "Noto Sans Arabic"}, {'ڈ', "Noto Sans Arabic"}, // Arabic, Persian, Urdu
		{'א', "Noto Sans Hebrew"}, {'क', "Noto Sans Devanagari"}, {'ক', "Noto Sans Bengali"},
		{'த', "Noto Sans Tamil"}, {'ก', "Noto Sans Thai"}, {'Ա', "Noto Sans Armenian"},
		{'ა', "Noto Sans Georgian"}, {'東', "Droid Sans Fallback"}, {'の', "Droid Sans Fallback"},
		{'边', "Droid Sans Fallback"}, {'邊', "Droid Sans Fallback"}, {'한', "NanumSquare"},
		{0x1f600, "Noto Color Emoji"}, {0xfe0f, "Noto Color Emoji"}, {0x1f1ef, "Noto Color Emoji"},
	} {
		need := cat.Needed([]rune{tc.r})
		if len(need) != 1 || cat.Families[need[0]].Name != tc.want {
			var names []string
			for _, i := range need {
				names = append(names, cat.Families[i].Name)
			}
			t.Errorf("%q (U+%04X) is owned by %v, want %s", tc.r, tc.r, names, tc.want)
		}
	}
	if need := cat.Needed([]rune("Hello, world")); len(need) != 0 {
		t.Errorf("Latin needs families %v; the built-in ones draw it", need)
	}
	for i, a := range cat.Families {
		for _, b := range cat.Families[i+1:] {
			if both := a.Owns.Minus(a.Owns.Minus(b.Owns)); len(both) > 0 {
				t.Errorf("%s and %s both own %v", a.Name, b.Name, both[0])
			}
		}
	}
}

// TestLicences: every family ships with its licence file, and the files stay
// under the size the issue allows.
func TestLicences(t *testing.T) {
	total := int64(0)
	for _, e := range Entries {
		for _, f := range []string{e.Regular, e.Bold, e.License} {
			if f == "" {
				continue
			}
			st, err := os.Stat(f)
			if err != nil {
				t.Fatalf("%s: %v", e.Name, err)
			}
			total += st.Size()
		}
	}
	builtin, _ := filepath.Glob("../fonts/*")
	for _, f := range builtin {
		st, _ := os.Stat(f)
		total += st.Size()
	}
	t.Logf("font files shipped: %.1f MB", float64(total)/1e6)
	if total > 40e6 {
		t.Fatalf("font files: %d bytes, over 40 MB", total)
	}
}
