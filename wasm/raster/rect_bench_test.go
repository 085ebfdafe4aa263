package raster

import "testing"

// BenchmarkRoundRectCard: the blog card's background, surface and accent
// bar: a clear around the surface, then opaque solid rounded rectangles.
func BenchmarkRoundRectCard(b *testing.B) {
	f := NewFrame(1200, 630)
	surface := Paint{From: RGB{255, 255, 255}, To: RGB{255, 255, 255}, Alpha: 255}
	accent := Paint{From: RGB{37, 99, 235}, To: RGB{37, 99, 235}, Alpha: 255}
	for b.Loop() {
		f.ClearAround(RGB{250, 250, 247}, 40, 40, 1120, 550, 24)
		f.RoundRect(40, 40, 1120, 550, 24, surface)
		f.RoundRect(40, 64, 8, 502, 4, accent)
	}
}

// TestRoundRectCoreRows: an opaque solid rounded rectangle (its rows
// between the corners copied whole) gives the pixels of the same colour as
// a vertical gradient from it to itself (every row filled pixel by pixel),
// inside the frame, across its top and bottom edges, and for every radius.
func TestRoundRectCoreRows(t *testing.T) {
	c := RGB{37, 99, 235}
	for _, g := range [][5]int{
		{40, 40, 1120, 550, 24}, {40, 64, 8, 502, 4}, {0, -30, 100, 100, 20}, {10, 600, 50, 80, 10},
		{5, 5, 30, 30, 0}, {5, 5, 30, 30, 15}, {5, 5, 30, 3, 2}, {0, 0, 1200, 630, 0}, {3, -700, 20, 2000, 9},
	} {
		solid, grad := NewFrame(1200, 630), NewFrame(1200, 630)
		solid.Clear(RGB{250, 250, 247})
		grad.Clear(RGB{250, 250, 247})
		solid.RoundRect(g[0], g[1], g[2], g[3], g[4], Paint{From: c, To: c, Alpha: 255})
		grad.RoundRect(g[0], g[1], g[2], g[3], g[4], Paint{From: c, To: c, Alpha: 255, Gradient: 'v'})
		for i := range solid.Pix {
			if solid.Pix[i] != grad.Pix[i] {
				t.Fatalf("%v: pixel %d (byte %d) %d, filled pixel by pixel %d", g, i/4, i%4, solid.Pix[i], grad.Pix[i])
			}
		}
	}
}
