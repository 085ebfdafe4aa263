package typeset

import "testing"

// BenchmarkClusterWidths: the benchmark card's title's cluster widths at a
// size, as Wrap computes them for each size it tries.
func BenchmarkClusterWidths(b *testing.B) {
	ts := newBuiltin(b)
	st := Style{Family: ts.FamilyIndex("Inter"), Bold: true, Size: 61}
	p := ts.paragraph(benchTitle(7), st)
	for b.Loop() {
		ts.clusterWidths(p, st)
	}
}
