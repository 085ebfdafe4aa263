package typeset

import (
	"fmt"
	"testing"

	"github.com/ogmint/ogmint/wasm/shape"
)

// The cost of a title never seen before, by phase. Run them in wazero as
// the module does:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "go run ./internal/cmd/wasmexec" -run XXX -bench NewTitle ./wasm/typeset

func benchTitle(i int) string {
	return fmt.Sprintf("Benchmark card number %d: how we render social images at the edge without a headless browser", i)
}

// BenchmarkNewTitleAnalyze: NFC, bidi, UAX #14 and #29, scripts.
func BenchmarkNewTitleAnalyze(b *testing.B) {
	var an shape.Analyzer
	i := 0
	for b.Loop() {
		i++
		an.Analyze(benchTitle(i))
	}
}

// BenchmarkNewTitleParagraph: analysis, fonts and shaping (every word but
// the number cached).
func BenchmarkNewTitleParagraph(b *testing.B) {
	ts := newBuiltin(b)
	st := Style{Family: ts.FamilyIndex("Inter"), Bold: true, Size: 68}
	ts.paragraph(benchTitle(0), st)
	i := 0
	s0 := ts.shaper.Shaped
	for b.Loop() {
		i++
		ts.paragraph(benchTitle(i), st)
	}
	b.ReportMetric(float64(ts.shaper.Shaped-s0)/float64(i), "shaped/op")
}

// BenchmarkNewTitleFit: the title as the blog card sets it (paragraph, fit,
// balance).
func BenchmarkNewTitleFit(b *testing.B) {
	ts := newBuiltin(b)
	inter := ts.FamilyIndex("Inter")
	ts.Fit(benchTitle(0), inter, true, 40, 68, 1.15, 1040, 300, 3, true)
	i := 0
	for b.Loop() {
		i++
		ts.Fit(benchTitle(i), inter, true, 40, 68, 1.15, 1040, 300, 3, true)
	}
}
