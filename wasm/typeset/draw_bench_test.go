package typeset

import (
	"testing"

	"github.com/ogmint/ogmint/wasm/raster"
)

// BenchmarkDrawText: drawing the benchmark card's laid-out title and
// description (cached layout, warm glyph masks) over a flat background, as
// the blog card does. Run it in wazero with make bench-text-wasm.
func BenchmarkDrawText(b *testing.B) {
	ts := newBuiltin(b)
	inter := ts.FamilyIndex("Inter")
	title := ts.Wrap(benchTitle(7), Style{Family: inter, Bold: true, Size: 60}, 1.15, 1040, 3, true)
	desc := ts.Wrap("A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in milliseconds on two cores, with room to spare.",
		Style{Family: inter, Size: 28}, 1.4, 1040, 2, false)
	fr := raster.NewFrame(1200, 630)
	bg := raster.RGB{R: 250, G: 250, B: 247}
	draw := func() {
		fr.Clear(bg)
		ts.Draw(fr, title, 80, 120, 1040, Start, raster.RGB{R: 17, G: 24, B: 39}, 255)
		ts.Draw(fr, desc, 80, 360, 1040, Start, raster.RGB{R: 75, G: 85, B: 99}, 255)
	}
	draw()
	for b.Loop() {
		draw()
	}
}

// BenchmarkClearFrame: the frame clear alone (part of BenchmarkDrawText).
func BenchmarkClearFrame(b *testing.B) {
	fr := raster.NewFrame(1200, 630)
	for b.Loop() {
		fr.Clear(raster.RGB{R: 250, G: 250, B: 247})
	}
}
