package typeset

import (
	"os"
	"testing"

	"github.com/ogmint/ogmint/wasm/fonts"
)

// TestVariableFontWeights: a fallback family that is one variable font
// (Inter's, from Debian's fonts-inter-variable, in testdata) draws its bold
// at the font's own wght 700 instance, not emboldened, and its regular at
// wght 400.
func TestVariableFontWeights(t *testing.T) {
	data, err := os.ReadFile("testdata/Inter-roman.var.ttf")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTypesetter(t)
	fam := &fonts.Family{Name: "Inter Variable", Rank: 100, Owns: fonts.Ranges{{Lo: 'H', Hi: 'H'}}, Regular: data}
	if err := ts.AddFamily(fam.Pack()); err != nil {
		t.Fatal(err)
	}
	e := ts.extras[len(ts.extras)-1]
	reg, bold := ts.faces[e.reg], ts.faces[e.bold]
	if bold.synth || bold.f.Font == reg.f.Font {
		t.Fatalf("bold is synthesised (%v) or shares the regular's parsed font", bold.synth)
	}
	gid, ok := reg.f.NominalGlyph('H')
	if !ok {
		t.Fatal("no H")
	}
	ink := func(fi int) (sum int) {
		for _, v := range ts.mask(fi, 60, gid, 0).Pix {
			sum += int(v)
		}
		return sum
	}
	r, b := ink(e.reg), ink(e.bold)
	t.Logf("ink of H at 60 px: wght 400 %d, wght 700 %d", r, b)
	if b < r*13/10 {
		t.Fatalf("wght 700 has %d ink, not clearly more than wght 400's %d", b, r)
	}
	// The regular instance is wght 400: as much ink as the static Inter Regular.
	static := ts.builtin[family(t, ts, "Inter")][0]
	sgid, _ := ts.faces[static].f.NominalGlyph('H')
	var s int
	for _, v := range ts.mask(static, 60, sgid, 0).Pix {
		s += int(v)
	}
	if d := r - s; d < -s/20 || d > s/20 {
		t.Fatalf("variable wght 400 ink %d vs static Regular %d: not the same weight", r, s)
	}
	// The advances follow the instance (bold is wider).
	if reg.f.HorizontalAdvance(gid) >= bold.f.HorizontalAdvance(gid) {
		t.Fatalf("H advance: regular %v, bold %v", reg.f.HorizontalAdvance(gid), bold.f.HorizontalAdvance(gid))
	}
}
