package gradient_test

import (
	"image/color"

	"github.com/fogleman/gg"
	"testing"

	"github.com/ogmint/ogmint/wasm/gradient"
	"github.com/ogmint/ogmint/wasm/raster"
)

// BenchmarkFrame: a 1200x630 frame filled with an opaque gradient.
func BenchmarkFrame(b *testing.B) {
	stops := []gradient.Stop{{0, red, 255}, {0.6, raster.RGB{G: 120, B: 80}, 255}, {1, blue, 255}}
	for _, c := range []struct {
		name string
		g    *gradient.Gradient
	}{{"linear", gradient.Linear(stops, 0, 0, 1200, 630)}, {"radial", gradient.Radial(stops, 600, 315, 700)}} {
		b.Run(c.name, func(b *testing.B) {
			f := raster.NewFrame(1200, 630)
			for b.Loop() {
				f.ShadeRect(0, 0, 1200, 630, c.g, 255)
			}
		})
	}
}

// BenchmarkFrameGG is the linear gradient of BenchmarkFrame drawn by gg
// (its own gradient pattern through its path filler), for comparison.
func BenchmarkFrameGG(b *testing.B) {
	dc := gg.NewContext(1200, 630)
	lg := gg.NewLinearGradient(0, 0, 1200, 630)
	lg.AddColorStop(0, color.RGBA{255, 0, 0, 255})
	lg.AddColorStop(0.6, color.RGBA{0, 120, 80, 255})
	lg.AddColorStop(1, color.RGBA{0, 0, 255, 255})
	dc.SetFillStyle(lg)
	for b.Loop() {
		dc.DrawRectangle(0, 0, 1200, 630)
		dc.Fill()
	}
}
