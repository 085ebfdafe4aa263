package gradient_test

import (
	"math"
	"testing"

	"github.com/ogmint/ogmint/wasm/gradient"
	"github.com/ogmint/ogmint/wasm/raster"
)

var (
	red  = raster.RGB{R: 255}
	blue = raster.RGB{B: 255}
)

func rgba(c uint32) [4]int {
	return [4]int{int(c & 0xff), int(c >> 8 & 0xff), int(c >> 16 & 0xff), int(c >> 24)}
}

// near reports whether got is within 1 of want in every channel.
func near(got uint32, want [4]float64) bool {
	g := rgba(got)
	for i := range g {
		if math.Abs(float64(g[i])-want[i]) > 1 {
			return false
		}
	}
	return true
}

// TestLinear: a left-to-right red-to-blue gradient over 0..200: pixels
// before and after the line take the end colours exactly; each pixel in
// between is within one level of the colour at its centre's position,
// computed directly.
func TestLinear(t *testing.T) {
	g := gradient.Linear([]gradient.Stop{{0, red, 255}, {1, blue, 255}}, 50, 0, 250, 0)
	row := make([]uint32, 300)
	g.Row(row, 0, 7)
	if !g.Opaque() {
		t.Error("opaque stops: not Opaque")
	}
	for x, c := range row {
		pos := (float64(x) + 0.5 - 50) / 200
		switch {
		case pos <= 0 && c != 0xff0000ff:
			t.Fatalf("x %d: %v, want red", x, rgba(c))
		case pos >= 1 && c != 0xffff0000:
			t.Fatalf("x %d: %v, want blue", x, rgba(c))
		}
		p := max(0, min(pos, 1))
		if want := [4]float64{255 * (1 - p), 0, 255 * p, 255}; !near(c, want) {
			t.Fatalf("x %d: %v, want %v", x, rgba(c), want)
		}
	}
	// Every row is the same; a row starting later is the same colours.
	row2 := make([]uint32, 100)
	g.Row(row2, 120, 500)
	for i, c := range row2 {
		if c != row[120+i] {
			t.Fatalf("x %d: %v on another row and start, want %v", 120+i, rgba(c), rgba(row[120+i]))
		}
	}
}

// TestLinearDiagonalAndStops: three stops, one of them half transparent
// (premultiplied), along a diagonal: positions by projection.
func TestLinearDiagonalAndStops(t *testing.T) {
	green := raster.RGB{G: 200}
	stops := []gradient.Stop{{0, red, 255}, {0.25, green, 128}, {1, blue, 255}}
	g := gradient.Linear(stops, 0, 0, 100, 100)
	if g.Opaque() {
		t.Error("a translucent stop: Opaque")
	}
	row := make([]uint32, 100)
	for _, y := range []int{0, 30, 99} {
		g.Row(row, 0, y)
		for x, c := range row {
			p := (float64(x) + 0.5 + float64(y) + 0.5) / 200
			var want [4]float64
			if p < 0.25 {
				f := p / 0.25
				want = [4]float64{255 * (1 - f), 200 * 128 / 255. * f, 0, 255*(1-f) + 128*f}
			} else {
				f := (p - 0.25) / 0.75
				want = [4]float64{0, 200 * 128 / 255. * (1 - f), 255 * f, 128*(1-f) + 255*f}
			}
			if !near(c, want) {
				t.Fatalf("(%d, %d): %v, want %v", x, y, rgba(c), want)
			}
		}
	}
}

// TestRadial: the centre pixel takes the first colour, pixels at or past
// the radius the last, exactly; in between, the colour at the distance.
func TestRadial(t *testing.T) {
	g := gradient.Radial([]gradient.Stop{{0, red, 255}, {1, blue, 255}}, 50, 50, 40)
	row := make([]uint32, 100)
	for y := range 100 {
		g.Row(row, 0, y)
		for x, c := range row {
			d := math.Hypot(float64(x)+0.5-50, float64(y)+0.5-50)
			p := min(d/40, 1)
			if d >= 40 && c != 0xffff0000 {
				t.Fatalf("(%d, %d) at %.2f: %v, want blue", x, y, d, rgba(c))
			}
			if want := [4]float64{255 * (1 - p), 0, 255 * p, 255}; !near(c, want) {
				t.Fatalf("(%d, %d): %v, want %v", x, y, rgba(c), want)
			}
		}
	}
	// Centred on a pixel's centre: that pixel is exactly the first colour.
	gradient.Radial([]gradient.Stop{{0, red, 255}, {1, blue, 255}}, 49.5, 49.5, 40).Row(row[:1], 49, 49)
	if row[0] != 0xff0000ff {
		t.Errorf("centre %v", rgba(row[0]))
	}
}

// TestDegenerate: odd inputs draw something sensible and never panic.
func TestDegenerate(t *testing.T) {
	row := make([]uint32, 4)
	gradient.Linear(nil, 0, 0, 10, 0).Row(row, 0, 0)
	if row[0] != 0 {
		t.Errorf("no stops: %v, want transparent", rgba(row[0]))
	}
	gradient.Linear([]gradient.Stop{{0.5, red, 255}}, 0, 0, 0, 0).Row(row, 0, 0)
	if row[3] != 0xff0000ff {
		t.Errorf("one stop, no length: %v, want red", rgba(row[3]))
	}
	// Out-of-order and out-of-range positions, NaN and huge coordinates.
	st := []gradient.Stop{{0.8, red, 255}, {0.2, blue, 255}, {math.NaN(), red, 0}, {7, blue, 255}}
	gradient.Linear(st, math.NaN(), math.Inf(1), 1e300, -1e300).Row(row, -5, 1<<30)
	gradient.Radial(st, math.Inf(-1), 0, 0).Row(row, 0, 0)
	// A hard stop: two stops at one position switch colour there.
	g := gradient.Linear([]gradient.Stop{{0, red, 255}, {0.5, red, 255}, {0.5, blue, 255}, {1, blue, 255}}, 0, 0, 100, 0)
	row = make([]uint32, 100)
	g.Row(row, 0, 0)
	if row[49] != 0xff0000ff || row[50] != 0xffff0000 {
		t.Errorf("hard stop: %v %v", rgba(row[49]), rgba(row[50]))
	}
}
