package raster

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestKnownFlatMatchesScanning draws random scenes — a cleared frame with a
// cover rectangle (solid or gradient, sometimes missing), other rectangles,
// outlines and overlapping glyph masks, some clipped — twice: once trusting
// the ink record (flatThenInk) and once checking every pixel. The pixels must
// be identical.
func TestKnownFlatMatchesScanning(t *testing.T) {
	defer func() { trackInk = true }()
	for seed := uint64(0); seed < 300; seed++ {
		var frames [2][]byte
		for k, track := range []bool{true, false} {
			trackInk = track
			rng := rand.New(rand.NewPCG(seed, 7))
			frames[k] = drawScene(rng)
		}
		if !bytes.Equal(frames[0], frames[1]) {
			t.Fatalf("seed %d: the ink record and scanning drew different pixels", seed)
		}
	}
}

func drawScene(rng *rand.Rand) []byte {
	const w, h = 160, 120
	f := NewFrame(w, h)
	// Stale pixels from an earlier "render", as in the renderer's frame: one
	// colour with blocks of others (flat-looking corners, busy inside).
	stale := uint8(rng.IntN(256))
	for i := range f.Pix {
		f.Pix[i] = stale
	}
	for range 12 {
		bx, by, v := rng.IntN(w-8), rng.IntN(h-8), uint8(rng.IntN(256))
		for j := by; j < by+8; j++ {
			for i := bx * 4; i < (bx+8)*4; i++ {
				f.Pix[j*w*4+i] = v
			}
		}
	}
	col := func() RGB { return RGB{uint8(rng.IntN(4) * 80), uint8(rng.IntN(4) * 80), uint8(rng.IntN(4) * 80)} }
	bg := col()
	cx, cy, cw, ch, cr := rng.IntN(30), rng.IntN(30), 60+rng.IntN(90), 40+rng.IntN(70), rng.IntN(20)
	cw, ch = min(cw, w-cx), min(ch, h-cy)
	if rng.IntN(4) == 0 {
		f.Clear(bg)
	} else {
		f.ClearAround(bg, cx, cy, cw, ch, cr)
	}
	if rng.IntN(5) > 0 { // the cover, solid or gradient
		p := Solid(col())
		if rng.IntN(3) == 0 {
			p = Paint{From: col(), To: col(), Gradient: 'v', Alpha: 255}
		}
		f.RoundRect(cx, cy, cw, ch, cr, p)
	}
	masks := make([]*Mask, 6)
	for i := range masks {
		mw, mh := 3+rng.IntN(30), 3+rng.IntN(30)
		m := NewMask(rng.IntN(5)-2, -mh+rng.IntN(5), mw, mh)
		for j := range mh {
			for x := range mw {
				if rng.IntN(3) > 0 {
					m.Pix[j*m.W+x] = uint8([]int{0, 255, rng.IntN(256)}[rng.IntN(3)])
				}
			}
		}
		m.Trim()
		masks[i] = m
	}
	for range 40 {
		switch rng.IntN(6) {
		case 0:
			f.RoundRect(rng.IntN(w)-20, rng.IntN(h)-20, rng.IntN(60), rng.IntN(40), rng.IntN(10), Paint{From: col(), To: col(), Alpha: uint32(rng.IntN(256))})
		case 1:
			f.Outline(rng.IntN(w)-10, rng.IntN(h)-10, 2+rng.IntN(40), 2+rng.IntN(40), col(), 255)
		default:
			// Glyphs along a line, often overlapping their neighbours.
			x, y := rng.IntN(w+20)-20, rng.IntN(h+30)
			for range 1 + rng.IntN(6) {
				m := masks[rng.IntN(len(masks))]
				f.DrawMask(m, x, y, col(), []uint32{255, 255, 180}[rng.IntN(3)])
				x += rng.IntN(m.W + 2)
			}
		}
	}
	return f.Pix
}
