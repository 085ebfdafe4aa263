package typeset

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/image/math/fixed"
)

// TestClusterWidthsAreAdvances: clusterWidths gives every cluster's
// advance (the general per-cluster computation), over texts mixing faces,
// spaces, invisible and missing clusters, at sizes and letter spacings.
func TestClusterWidthsAreAdvances(t *testing.T) {
	ts := newBuiltin(t)
	rng := rand.New(rand.NewPCG(7, 8))
	texts := []string{"Benchmark card 1234: how", "a\u200db  c\u0301 日本 \U00010600 x", "  ", "", "مرحبا abc"}
	for range 200 {
		st := Style{Family: ts.FamilyIndex("Inter"), Bold: rng.IntN(2) == 0, Size: 1 + rng.IntN(120), Spacing: fixed.Int26_6(rng.IntN(400) - 200)}
		p := ts.paragraph(texts[rng.IntN(len(texts))], st)
		w := ts.clusterWidths(p, st)
		if len(w) != len(p.clusters) {
			t.Fatalf("%d widths for %d clusters", len(w), len(p.clusters))
		}
		for i := range p.clusters {
			if want := ts.advance(p, &p.clusters[i], st); w[i] != want {
				t.Fatalf("%q at %+v: cluster %d width %d, advance %d", string(p.runes), st, i, w[i], want)
			}
		}
	}
}
