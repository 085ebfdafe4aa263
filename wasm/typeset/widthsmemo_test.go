package typeset

import (
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/image/math/fixed"
)

// TestWidthsMemo: widthsAt and clusterWidthsAt, over a random sequence of
// paragraphs, sizes and spacings (repeats included, in either order of
// the two calls), give what clusterWidths and segmentWidths compute
// afresh.
func TestWidthsMemo(t *testing.T) {
	ts := newBuiltin(t)
	rng := rand.New(rand.NewPCG(3, 4))
	texts := []string{"Benchmark card 1234: how we render", "a\u200db  c\u0301 日本 x", "A deep dive into WebAssembly", "", "مرحبا abc"}
	sizes := []int{20, 27, 58, 59}
	spacings := []fixed.Int26_6{0, 0, 13, -20}
	for i := range 3000 {
		st := Style{Family: ts.FamilyIndex("Inter"), Bold: rng.IntN(2) == 0, Size: sizes[rng.IntN(len(sizes))], Spacing: spacings[rng.IntN(len(spacings))]}
		p := ts.paragraph(texts[rng.IntN(len(texts))], st)
		wantW := slices.Clone(ts.clusterWidths(p, st))
		wantSW := slices.Clone(ts.segmentWidths(p, wantW))
		if rng.IntN(3) == 0 {
			if w := ts.clusterWidthsAt(p, st); !slices.Equal(w, wantW) {
				t.Fatalf("call %d, %q at %+v: clusterWidthsAt %v, want %v", i, string(p.runes), st, w, wantW)
			}
		}
		w, sw := ts.widthsAt(p, st)
		if !slices.Equal(w, wantW) || !slices.Equal(sw, wantSW) {
			t.Fatalf("call %d, %q at %+v: widthsAt %v %v, want %v %v", i, string(p.runes), st, w, sw, wantW, wantSW)
		}
	}
}
