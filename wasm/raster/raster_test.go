package raster_test

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/ogmint/ogmint/wasm/raster"
)

// refBlend is the exact blend DrawMask must produce: coverage scaled by
// alpha with rounding, then round((dst*(255-cov) + c*cov) / 255) per channel.
func refBlend(dst, c uint8, a, alpha uint32) uint8 {
	cov := a
	if alpha < 255 {
		cov = (a*alpha + 127) / 255
	}
	return uint8((uint32(dst)*(255-cov) + uint32(c)*cov + 127) / 255)
}

func randomFrame(rng *rand.Rand, w, h int) *raster.Frame {
	fr := raster.NewFrame(w, h)
	rng.Read(fr.Pix)
	for i := 3; i < len(fr.Pix); i += 4 {
		fr.Pix[i] = 255
	}
	return fr
}

// TestDrawMaskExact compares DrawMask with the reference blend for random
// masks, colours, opacities and positions, including ones clipped by every
// edge of the frame.
func TestDrawMaskExact(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const W, H = 23, 17
	for iter := 0; iter < 3000; iter++ {
		m := &raster.Mask{X: rng.Intn(11) - 5, Y: rng.Intn(11) - 8, W: 1 + rng.Intn(12), H: 1 + rng.Intn(12)}
		m.Pix = make([]byte, m.W*m.H)
		rng.Read(m.Pix)
		for i := range m.Pix { // plenty of the 0 and 255 special cases
			switch rng.Intn(4) {
			case 0:
				m.Pix[i] = 0
			case 1:
				m.Pix[i] = 255
			}
		}
		c := raster.RGB{R: uint8(rng.Intn(256)), G: uint8(rng.Intn(256)), B: uint8(rng.Intn(256))}
		alpha := []uint32{0, 1, 128, 254, 255, uint32(rng.Intn(256))}[rng.Intn(6)]
		ox, oy := rng.Intn(W+20)-10, rng.Intn(H+20)-10
		fr := randomFrame(rng, W, H)
		want := bytes.Clone(fr.Pix)
		for j := 0; j < m.H; j++ {
			for i := 0; i < m.W; i++ {
				x, y := ox+m.X+i, oy+m.Y+j
				if x < 0 || y < 0 || x >= W || y >= H {
					continue
				}
				p := want[(y*W+x)*4:]
				a := uint32(m.Pix[j*m.W+i])
				p[0], p[1], p[2] = refBlend(p[0], c.R, a, alpha), refBlend(p[1], c.G, a, alpha), refBlend(p[2], c.B, a, alpha)
			}
		}
		fr.DrawMask(m, ox, oy, c, alpha)
		if !bytes.Equal(fr.Pix, want) {
			for i := range want {
				if fr.Pix[i] != want[i] {
					t.Fatalf("iter %d: mask %dx%d at (%d,%d)+(%d,%d) colour %v alpha %d: byte %d (pixel %d,%d channel %d) = %d, want %d",
						iter, m.W, m.H, ox, oy, m.X, m.Y, c, alpha, i, i/4%W, i/4/W, i%4, fr.Pix[i], want[i])
				}
			}
		}
	}
}

func TestDrawMaskEmpty(t *testing.T) {
	fr := raster.NewFrame(4, 4)
	before := bytes.Clone(fr.Pix)
	fr.DrawMask(&raster.Mask{}, 1, 1, raster.RGB{R: 255}, 255)
	fr.DrawMask(&raster.Mask{W: 2, H: 2, Pix: []byte{255, 255, 255, 255}}, 100, 100, raster.RGB{R: 255}, 255)
	fr.DrawMask(&raster.Mask{W: 2, H: 2, Pix: []byte{255, 255, 255, 255}}, -2, -2, raster.RGB{R: 255}, 255)
	if !bytes.Equal(fr.Pix, before) {
		t.Error("empty or off-frame mask changed pixels")
	}
}

func TestClear(t *testing.T) {
	for _, wh := range [][2]int{{0, 0}, {1, 1}, {3, 5}, {1200, 630}} {
		fr := raster.NewFrame(wh[0], wh[1])
		c := raster.RGB{R: 1, G: 2, B: 3}
		fr.Clear(c)
		for i := 0; i < len(fr.Pix); i += 4 {
			if fr.Pix[i] != 1 || fr.Pix[i+1] != 2 || fr.Pix[i+2] != 3 || fr.Pix[i+3] != 255 {
				t.Fatalf("%dx%d: pixel %d = %v", wh[0], wh[1], i/4, fr.Pix[i:i+4])
			}
		}
	}
}

// pixel returns the RGB at x, y.
func pixel(fr *raster.Frame, x, y int) raster.RGB {
	p := fr.Pix[(y*fr.W+x)*4:]
	return raster.RGB{R: p[0], G: p[1], B: p[2]}
}

func TestRoundRectSolidAndClipped(t *testing.T) {
	red := raster.RGB{R: 255}
	for _, r := range [][4]int{{2, 3, 5, 4}, {-3, -3, 6, 6}, {8, 8, 10, 10}, {-100, 2, 1000, 1}, {0, 0, 10, 10}} {
		fr := raster.NewFrame(10, 10)
		fr.RoundRect(r[0], r[1], r[2], r[3], 0, raster.Solid(red))
		for y := 0; y < 10; y++ {
			for x := 0; x < 10; x++ {
				in := x >= r[0] && x < r[0]+r[2] && y >= r[1] && y < r[1]+r[3]
				if got := pixel(fr, x, y); (got == red) != in || (!in && got != raster.RGB{}) {
					t.Fatalf("rect %v: pixel (%d,%d) = %v, inside %v", r, x, y, got, in)
				}
			}
		}
	}
	// Zero or negative sizes and zero alpha draw nothing.
	fr := raster.NewFrame(10, 10)
	fr.RoundRect(1, 1, 0, 5, 0, raster.Solid(red))
	fr.RoundRect(1, 1, 5, -1, 2, raster.Solid(red))
	fr.RoundRect(1, 1, 5, 5, 2, raster.Paint{From: red, To: red})
	if !bytes.Equal(fr.Pix, raster.NewFrame(10, 10).Pix) {
		t.Error("empty rect or alpha 0 drew pixels")
	}
}

func TestRoundRectCorners(t *testing.T) {
	white := raster.RGB{R: 255, G: 255, B: 255}
	fr := raster.NewFrame(40, 40)
	fr.RoundRect(0, 0, 40, 40, 100, raster.Solid(white)) // radius clamped to 20: a disc
	if got := pixel(fr, 0, 0); got != (raster.RGB{}) {
		t.Errorf("corner pixel of a disc = %v, want untouched", got)
	}
	if got := pixel(fr, 20, 20); got != white {
		t.Errorf("centre = %v", got)
	}
	if got := pixel(fr, 20, 0); got.R == 0 {
		t.Errorf("top middle of the disc not covered: %v", got)
	}
	// Anti-aliased: some edge pixel is partly covered.
	partial := false
	for x := 0; x < 20; x++ {
		if v := pixel(fr, x, 5).R; v > 0 && v < 255 {
			partial = true
		}
	}
	if !partial {
		t.Error("no anti-aliased pixel on the disc edge")
	}
	// Symmetric in both axes.
	for y := 0; y < 40; y++ {
		for x := 0; x < 40; x++ {
			if pixel(fr, x, y) != pixel(fr, 39-x, y) || pixel(fr, x, y) != pixel(fr, x, 39-y) {
				t.Fatalf("disc not symmetric at (%d,%d)", x, y)
			}
		}
	}
}

func TestRoundRectGradients(t *testing.T) {
	a, b := raster.RGB{R: 0, G: 0, B: 0}, raster.RGB{R: 200, G: 100, B: 50}
	for _, g := range []byte{'h', 'v'} {
		fr := raster.NewFrame(11, 11)
		fr.RoundRect(0, 0, 11, 11, 0, raster.Paint{From: a, To: b, Gradient: g, Alpha: 255})
		first, last, mid := pixel(fr, 0, 0), pixel(fr, 10, 10), pixel(fr, 5, 5)
		if first != a || last != b || mid != (raster.RGB{R: 100, G: 50, B: 25}) {
			t.Errorf("gradient %c: first %v last %v middle %v", g, first, last, mid)
		}
		// Clipped horizontal gradients keep their colours in place.
		clipped := raster.NewFrame(11, 11)
		clipped.RoundRect(-5, 0, 11, 11, 0, raster.Paint{From: a, To: b, Gradient: g, Alpha: 255})
		if g == 'h' && pixel(clipped, 0, 0) != pixel(fr, 5, 0) {
			t.Errorf("clipped gradient: %v, want %v", pixel(clipped, 0, 0), pixel(fr, 5, 0))
		}
	}
}

func TestOutline(t *testing.T) {
	white := raster.RGB{R: 255, G: 255, B: 255}
	fr := raster.NewFrame(10, 10)
	fr.Outline(2, 2, 5, 4, white, 255)
	for y := 0; y < 10; y++ {
		for x := 0; x < 10; x++ {
			edge := (x == 2 || x == 6) && y >= 2 && y <= 5 || (y == 2 || y == 5) && x >= 2 && x <= 6
			if got := pixel(fr, x, y) == white; got != edge {
				t.Fatalf("pixel (%d,%d) drawn %v, want %v", x, y, got, edge)
			}
		}
	}
	// Tiny and off-frame outlines do not panic.
	fr.Outline(-3, -3, 2, 2, white, 255)
	fr.Outline(9, 9, 5, 5, white, 128)
	fr.Outline(4, 4, 1, 1, white, 255)
}

func TestAlphaStaysOpaque(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	fr := raster.NewFrame(30, 30)
	fr.Clear(raster.RGB{R: 9})
	for i := 0; i < 200; i++ {
		c := raster.RGB{R: uint8(rng.Intn(256)), G: uint8(rng.Intn(256)), B: uint8(rng.Intn(256))}
		p := raster.Paint{From: c, To: c, Gradient: []byte{0, 'h', 'v'}[rng.Intn(3)], Alpha: uint32(rng.Intn(256))}
		fr.RoundRect(rng.Intn(40)-5, rng.Intn(40)-5, rng.Intn(20), rng.Intn(20), rng.Intn(8), p)
		m := &raster.Mask{W: 5, H: 5, Pix: make([]byte, 25)}
		rng.Read(m.Pix)
		fr.DrawMask(m, rng.Intn(40)-5, rng.Intn(40)-5, c, uint32(rng.Intn(256)))
	}
	for i := 3; i < len(fr.Pix); i += 4 {
		if fr.Pix[i] != 255 {
			t.Fatalf("alpha of pixel %d = %d", i/4, fr.Pix[i])
		}
	}
}
