package raster_test

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/ogmint/ogmint/wasm/raster"
)

// rowShader paints the colours of a table, by frame column and row.
type rowShader func(x, y int) uint32

func (s rowShader) Row(dst []uint32, x, y int) {
	for i := range dst {
		dst[i] = s(x+i, y)
	}
}

// TestShadeExact compares Shade and ShadeRect with the reference
// source-over of premultiplied colours: coverage k = cov*alpha/255, then
// d*(255 - a*k/255)/255 + s*k/255 per channel, each quotient rounded.
func TestShadeExact(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const W, H = 19, 13
	round := func(x uint32) uint32 { return (x + 127) / 255 }
	for iter := 0; iter < 2000; iter++ {
		// Random premultiplied colours (channels at most alpha), with the
		// opaque and transparent cases.
		pal := make([]uint32, 64)
		for i := range pal {
			a := uint32(rng.Intn(256))
			switch rng.Intn(4) {
			case 0:
				a = 255
			case 1:
				a = 0
			}
			ch := func() uint32 { return uint32(rng.Intn(int(a) + 1)) }
			pal[i] = ch() | ch()<<8 | ch()<<16 | a<<24
		}
		sh := rowShader(func(x, y int) uint32 { return pal[(x*7+y*3+64*8)%64] })
		var m *raster.Mask
		ox, oy := rng.Intn(W+10)-5, rng.Intn(H+10)-5
		w, h := 1+rng.Intn(12), 1+rng.Intn(12)
		if rng.Intn(3) > 0 {
			m = raster.NewMask(rng.Intn(5)-2, rng.Intn(5)-2, w, h)
			rng.Read(m.Pix)
			w = m.W
		}
		alpha := []uint32{0, 1, 128, 255, uint32(rng.Intn(256))}[rng.Intn(5)]
		fr := randomFrame(rng, W, H)
		want := bytes.Clone(fr.Pix)
		x0, y0 := ox, oy
		if m != nil {
			x0, y0 = ox+m.X, oy+m.Y
		}
		for j := 0; j < h; j++ {
			for i := 0; i < w; i++ {
				x, y := x0+i, y0+j
				if x < 0 || y < 0 || x >= W || y >= H {
					continue
				}
				k := alpha
				if m != nil {
					k = round(uint32(m.Pix[j*m.W+i]) * alpha)
				}
				s := sh(x, y)
				sa := round(s >> 24 * k)
				p := want[(y*W+x)*4:]
				for c := 0; c < 3; c++ {
					v := round((s>>(8*c)&0xff)*k) + round(uint32(p[c])*(255-sa))
					p[c] = uint8(min(v, 255))
				}
			}
		}
		if m != nil {
			fr.Shade(m, ox, oy, sh, alpha)
		} else {
			fr.ShadeRect(ox, oy, w, h, sh, alpha)
		}
		if !bytes.Equal(fr.Pix, want) {
			t.Fatalf("iter %d: pixels differ from the reference", iter)
		}
	}
}

// TestLayerRoundTrip: drawing on a frame loaded from a layer gives the
// pixels of drawing on the frame the layer was saved from, text (masks over
// flat colour, which the frame's ink record speeds up) included.
func TestLayerRoundTrip(t *testing.T) {
	bg, fg := raster.RGB{R: 10, G: 20, B: 30}, raster.RGB{R: 200, G: 180, B: 90}
	glyph := raster.NewMask(0, 0, 16, 16)
	for i := range glyph.Pix {
		glyph.Pix[i] = uint8(i * 7)
	}
	glyph.Trim()
	base := func(f *raster.Frame) {
		f.ClearAround(bg, 20, 10, 100, 60, 12)
		f.RoundRect(20, 10, 100, 60, 12, raster.Solid(fg))
		f.DrawMask(glyph, 150, 20, fg, 255)
	}
	more := func(f *raster.Frame) {
		for x := 0; x < 200; x += 13 {
			f.DrawMask(glyph, x, 40, raster.RGB{R: 255}, 200) // over the rect, its corner, the glyph and the clear
		}
		f.RoundRect(0, 75, 200, 10, 0, raster.Paint{From: fg, To: bg, Gradient: 'h', Alpha: 255})
	}
	a := raster.NewFrame(200, 100)
	base(a)
	l := a.Save(nil)
	if l.Bytes() < 200*100*4 {
		t.Fatalf("layer of %d bytes", l.Bytes())
	}
	more(a)
	b := raster.NewFrame(200, 100)
	b.Clear(raster.RGB{B: 255})
	b.DrawMask(glyph, 40, 40, bg, 255) // state to be replaced
	if !b.Load(l) {
		t.Fatal("Load refused a layer of the frame's size")
	}
	more(b)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("drawing on a loaded layer gives other pixels")
	}
	// A layer is reused by Save; one of another size is refused by Load.
	if l2 := raster.NewFrame(50, 50).Save(l); l2 != l || l2.W != 50 {
		t.Error("Save did not reuse the layer for a frame of another size")
	}
	if raster.NewFrame(100, 100).Load(l) {
		t.Error("Load took a layer of another size")
	}
}

// TestResize: a frame takes a new size, keeps its buffer when it is large
// enough, and draws correctly at the new size.
func TestResize(t *testing.T) {
	f := raster.NewFrame(300, 200)
	f.Resize(100, 100)
	if f.W != 100 || f.H != 100 || len(f.Pix) != 100*100*4 || cap(f.Pix) != 300*200*4 {
		t.Fatalf("resized to %dx%d, %d bytes (cap %d)", f.W, f.H, len(f.Pix), cap(f.Pix))
	}
	f.Clear(raster.RGB{R: 1})
	f.RoundRect(90, 90, 20, 20, 0, raster.Solid(raster.RGB{G: 2}))
	if p := f.Pix[(99*100+99)*4:]; p[0] != 0 || p[1] != 2 || p[3] != 255 {
		t.Errorf("corner pixel %v", p[:4])
	}
	f.Resize(400, 300)
	if len(f.Pix) != 400*300*4 {
		t.Fatalf("%d bytes", len(f.Pix))
	}
}

// TestShadeMarksInk: text drawn over a shaded area blends with the shaded
// pixels (the frame does not take the area for its clear colour).
func TestShadeMarksInk(t *testing.T) {
	f := raster.NewFrame(64, 32)
	f.Clear(raster.RGB{})
	f.ShadeRect(0, 0, 64, 32, rowShader(func(x, y int) uint32 { return 0xff0000ff }), 255) // opaque red
	m := raster.NewMask(0, 0, 8, 8)
	for i := range m.Pix {
		m.Pix[i] = 128
	}
	m.Trim()
	f.DrawMask(m, 10, 10, raster.RGB{G: 255}, 255)
	p := f.Pix[(12*64+12)*4:]
	if want := refBlend(255, 0, 128, 255); p[0] != want || p[1] != refBlend(0, 255, 128, 255) {
		t.Errorf("pixel %v, want red %d under half green", p[:4], want)
	}
}

// TestRoundRectMask: the mask blended in a colour gives RoundRect's pixels.
func TestRoundRectMask(t *testing.T) {
	for _, c := range [][5]int{{3, 4, 40, 30, 9}, {0, 0, 17, 9, 100}, {-5, 2, 30, 30, 15}, {10, 10, 20, 20, 0}} {
		a, b := raster.NewFrame(64, 48), raster.NewFrame(64, 48)
		a.Clear(raster.RGB{R: 9})
		b.Clear(raster.RGB{R: 9})
		col := raster.RGB{R: 200, G: 100, B: 50}
		a.RoundRect(c[0], c[1], c[2], c[3], c[4], raster.Solid(col))
		b.DrawMask(b.RoundRectMask(c[0], c[1], c[2], c[3], c[4], make([]byte, 9)), 0, 0, col, 255)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("%v: the mask draws other pixels than RoundRect", c)
		}
	}
}

// opaqueShader is a rowShader that says its colours are opaque.
type opaqueShader struct{ rowShader }

func (opaqueShader) Opaque() bool { return true }

// TestShadeOpaqueDirect: an opaque shader written straight into the frame
// gives the pixels of blending it.
func TestShadeOpaqueDirect(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	sh := rowShader(func(x, y int) uint32 { return 0xff000000 | uint32(x*7+y*13)&0xffffff })
	a, b := randomFrame(rng, 40, 30), raster.NewFrame(40, 30)
	copy(b.Pix, a.Pix)
	a.ShadeRect(-3, 2, 50, 20, sh, 255)
	b.ShadeRect(-3, 2, 50, 20, opaqueShader{sh}, 255)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("direct write differs from blending")
	}
}
