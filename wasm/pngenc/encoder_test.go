package pngenc

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"image"
	"image/png"
	"math/rand/v2"
	"slices"
	"testing"
)

// frame builds a w x h RGBA frame (alpha 0xff) from a pixel function.
func frame(w, h int, f func(x, y int) (r, g, b byte)) []byte {
	pix := make([]byte, w*h*4)
	for y := range h {
		for x := range w {
			i := (y*w + x) * 4
			pix[i], pix[i+1], pix[i+2] = f(x, y)
			pix[i+3] = 0xff
		}
	}
	return pix
}

func noise(seed uint64, mask byte) func(x, y int) (byte, byte, byte) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(int, int) (byte, byte, byte) {
		v := r.Uint32()
		return byte(v) & mask, byte(v>>8) & mask, byte(v>>16) & mask
	}
}

// card draws a flat background, a surface with a border, and text-like
// stripes of 16 grey levels (repeated "glyphs").
func card(x, y int) (byte, byte, byte) {
	switch {
	case x < 40 || x >= 1160 || y < 40 || y >= 590:
		return 0x0a, 0x0a, 0x0f
	case y >= 140 && y < 200 && x >= 100 && x < 1000 && (x/7)%3 != 0:
		v := byte(0x13 + (x*5+y)%16*12)
		return v, v, v + 7
	}
	return 0x13, 0x13, 0x1a
}

var cases = []struct {
	name    string
	w, h    int
	f       func(x, y int) (byte, byte, byte)
	palette bool
}{
	{"solid", 1200, 630, func(int, int) (byte, byte, byte) { return 1, 2, 3 }, true},
	{"card", 1200, 630, card, true},
	{"gradient", 1200, 630, func(x, y int) (byte, byte, byte) { return byte(x), byte(y), byte(x + y) }, false},
	{"noise", 1200, 630, noise(1, 0xff), false},
	{"few-colour noise", 1200, 630, noise(2, 0xc0), true},
	{"1x1", 1, 1, func(int, int) (byte, byte, byte) { return 1, 2, 3 }, true},
	{"1x5", 1, 5, func(_, y int) (byte, byte, byte) { return byte(y / 2), 9, 200 }, true},
	{"2x3 equal rows", 2, 3, func(x, _ int) (byte, byte, byte) { return byte(x), 0, 0 }, true},
	{"odd small", 37, 13, noise(3, 0xff), false},
	{"odd large noise", 1001, 333, noise(4, 0xff), false},
	{"tall thin", 3, 20001, noise(5, 0xff), false},
	{"wide short", 9001, 2, func(x, y int) (byte, byte, byte) { return byte(x>>6) & 0x7f, byte(y), 0 }, true},
	{"256 colours", 512, 300, func(x, y int) (byte, byte, byte) { return byte(x + y), byte(x+y) ^ 0x55, 7 }, true},
	{"257 colours", 512, 300, func(x, y int) (byte, byte, byte) {
		if x == 511 && y == 299 {
			return 1, 2, 3
		}
		return byte(x + y), byte(x+y) ^ 0x55, 7
	}, false},
	// Opaque white is 0xffffffff as a word: no "none yet" marker may equal it
	// (row 84 starts with white, which is not the first colour).
	{"256 greys, a row from white", 512, 100, func(x, y int) (byte, byte, byte) {
		v := byte(x*7 + y*3 + 3)
		return v, v, v
	}, true},
	{"runs longer than a match", 1200, 4, func(x, y int) (byte, byte, byte) { return byte(y), byte(x / 600), 0 }, true},
	// Each row differs from the one above in one pixel: blocks of eight
	// pixels equal to those above copy their indices, the others are
	// looked up; an odd width leaves a partial block.
	{"rows differing in one pixel", 1003, 300, func(x, y int) (byte, byte, byte) {
		if x == (y*37)%1003 {
			return byte(y % 200), 0x80, 0 // 200 colours, 26 more below
		}
		return byte(x / 40), byte(x / 40), 0x30
	}, true},
	{"257th colour in the last partial block", 1003, 9, func(x, y int) (byte, byte, byte) {
		if y == 8 && x >= 1000 {
			return 1, 1, 1
		}
		return byte(x * y), 0, 0 // 256 colours
	}, false},
}

// decode decodes a PNG into a tight RGBA buffer and reports its colour type.
func decode(t testing.TB, b []byte) (pix []byte, w, h int, paletted bool) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	r := img.Bounds()
	_, paletted = img.(*image.Paletted)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			pix = append(pix, byte(cr>>8), byte(cg>>8), byte(cb>>8), byte(ca>>8))
		}
	}
	return pix, r.Dx(), r.Dy(), paletted
}

// samePixels reports the first pixel whose RGB differs, alpha taken as opaque.
func diff(got, want []byte, w int) (x, y int, ok bool) {
	for i := 0; i < len(want); i += 4 {
		if !bytes.Equal(got[i:i+3], want[i:i+3]) || got[i+3] != 0xff {
			return i / 4 % w, i / 4 / w, false
		}
	}
	return 0, 0, len(got) == len(want)
}

func TestEncoderRoundTrip(t *testing.T) {
	var e Encoder // reused across cases, as the module reuses it
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := frame(tc.w, tc.h, tc.f)
			out, err := e.Encode([]byte("prefix"), src, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			if string(out[:6]) != "prefix" {
				t.Fatal("dst prefix clobbered")
			}
			got, w, h, paletted := decode(t, out[6:])
			if w != tc.w || h != tc.h {
				t.Fatalf("decoded %dx%d", w, h)
			}
			if x, y, ok := diff(got, src, w); !ok {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got[4*(y*w+x):][:4], src[4*(y*w+x):][:4])
			}
			if paletted != tc.palette {
				t.Errorf("palette %v, want %v", paletted, tc.palette)
			}
		})
	}
}

// TestEncoderDropsAlpha: alpha is ignored (the frame is opaque), as by the
// reference encoder; pixels differing only in alpha still encode right.
func TestEncoderDropsAlpha(t *testing.T) {
	src := frame(300, 200, card)
	r := rand.New(rand.NewPCG(9, 9))
	for i := 3; i < len(src); i += 4 {
		src[i] = byte(r.IntN(2)) * 0xff
	}
	var e Encoder
	out, err := e.Encode(nil, src, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	got, w, _, _ := decode(t, out)
	if x, y, ok := diff(got, src, w); !ok {
		t.Fatalf("pixel (%d,%d) differs", x, y)
	}
}

// TestSmallerThanReference: on card-like frames the encoder beats the
// reference (RGB, filter None, zlib level 1).
func TestSmallerThanReference(t *testing.T) {
	for _, f := range []func(x, y int) (byte, byte, byte){card, noise(6, 0xff)} {
		src := frame(1200, 630, f)
		z, _ := zlib.NewWriterLevel(nil, flate.BestSpeed)
		ref, err := Encode(nil, src, 1200, 630, z, make([]byte, 1+3*1200))
		if err != nil {
			t.Fatal(err)
		}
		var e Encoder
		out, err := e.Encode(nil, src, 1200, 630)
		if err != nil {
			t.Fatal(err)
		}
		// Noise does not compress: allow the block headers' few bytes.
		if len(out) > len(ref)+len(ref)/100 {
			t.Errorf("%d bytes, reference %d", len(out), len(ref))
		}
	}
}

// TestRowsInBands: rows compressed in two parts by two Deflaters (the second
// reaching back into the first part's rows) join into one valid stream.
func TestRowsInBands(t *testing.T) {
	for _, tc := range cases {
		if tc.h < 2 {
			continue
		}
		src := frame(tc.w, tc.h, tc.f)
		var m Image
		m.Truecolor(src, tc.w, tc.h)
		for _, mid := range []int{1, tc.h / 2, tc.h - 1} {
			var d0, d1 Deflater
			out, start := BeginIDAT(m.AppendHeader(nil))
			out, s0, _ := d0.Rows(out, &m, 0, mid, false)
			second, s1, n1 := d1.Rows(nil, &m, mid, tc.h, true)
			out = EndIDAT(append(out, second...), start, Adler32Combine(s0, s1, n1))
			got, w, _, _ := decode(t, out)
			if x, y, ok := diff(got, src, w); !ok {
				t.Fatalf("%s, split at %d: pixel (%d,%d) differs", tc.name, mid, x, y)
			}
		}
	}
}

func TestEncoderRejectsBadSizes(t *testing.T) {
	var e Encoder
	for _, tc := range []struct {
		name string
		pix  []byte
		w, h int
	}{
		{"zero width", make([]byte, 16), 0, 4},
		{"negative height", make([]byte, 16), 4, -1},
		{"short buffer", make([]byte, 15), 2, 2},
		{"too wide", make([]byte, 16), 1<<24 + 1, 1},
	} {
		if _, err := e.Encode(nil, tc.pix, tc.w, tc.h); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// FuzzEncoder: any frame decodes to its own pixels. The fuzzer's bytes are
// the frame's size and a few colours drawn in runs, so rows repeat, runs
// and repeated patterns occur, and colour counts cross 256.
func FuzzEncoder(f *testing.F) {
	f.Add(uint8(7), uint8(3), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(200), uint8(40), []byte{0, 0, 0, 255, 255, 255, 10})
	f.Add(uint8(1), uint8(1), []byte{})
	f.Add(uint8(255), uint8(2), bytes.Repeat([]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 80))
	var e Encoder
	f.Fuzz(func(t *testing.T, w8, h8 uint8, data []byte) {
		w, h := int(w8)+1, int(h8)%64+1
		src := make([]byte, w*h*4)
		for i, k := 0, 0; i < len(src); k++ {
			var c [4]byte
			if len(data) >= 4 {
				copy(c[:], data[(k*3)%(len(data)-3):])
			}
			run := 1 + int(c[3])%(2*w)
			for ; run > 0 && i < len(src); run-- {
				src[i], src[i+1], src[i+2], src[i+3] = c[0], c[1], c[2], 0xff
				i += 4
			}
		}
		out, err := e.Encode(nil, src, w, h)
		if err != nil {
			t.Fatal(err)
		}
		got, gw, _, _ := decode(t, out)
		if x, y, ok := diff(got, src, gw); !ok {
			t.Fatalf("%dx%d: pixel (%d,%d) differs", w, h, x, y)
		}
	})
}

// TestPaletteSplitAsPalette: mapping a frame's lower rows on a second
// goroutine and renumbering them gives the image Palette gives: the same
// colours in the same order and the same indices, or the same refusal.
func TestPaletteSplitAsPalette(t *testing.T) {
	var whole, split Image
	for _, tc := range cases {
		if tc.h < 2 {
			continue
		}
		pix := frame(tc.w, tc.h, tc.f)
		ok := whole.Palette(pix, tc.w, tc.h)
		for _, mid := range []int{1, tc.h / 3, tc.h / 2, tc.h - 1} {
			if mid < 1 {
				continue
			}
			okSplit := split.PaletteSplit(pix, tc.w, tc.h, mid)
			if okSplit != ok {
				t.Fatalf("%s, mid %d: palette %v, want %v", tc.name, mid, okSplit, ok)
			}
			if !ok {
				continue
			}
			split.FinishSplit()
			if !slices.Equal(split.palette, whole.palette) {
				t.Errorf("%s, mid %d: colours %x, want %x", tc.name, mid, split.palette, whole.palette)
			}
			if !bytes.Equal(split.src, whole.src) {
				t.Errorf("%s, mid %d: indices differ", tc.name, mid)
			}
		}
	}
}
