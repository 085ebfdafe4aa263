package pngfast

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/pngenc"
)

// frame builds a w x h opaque RGBA frame from a pixel function.
func frame(w, h int, f func(x, y int) (r, g, b byte)) []byte {
	pix := make([]byte, w*h*4)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y*w + x) * 4
			pix[i], pix[i+1], pix[i+2] = f(x, y)
			pix[i+3] = 0xff
		}
	}
	return pix
}

func noise(seed uint64) func(x, y int) (byte, byte, byte) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(int, int) (byte, byte, byte) {
		v := r.Uint32()
		return byte(v), byte(v >> 8), byte(v >> 16)
	}
}

var cases = []struct {
	name string
	w, h int
	f    func(x, y int) (byte, byte, byte)
}{
	{"solid", 1200, 630, func(int, int) (byte, byte, byte) { return 0x0a, 0x0a, 0x0f }},
	{"gradient", 1200, 630, func(x, y int) (byte, byte, byte) { return byte(x), byte(y), byte(x + y) }},
	{"noise", 1200, 630, noise(1)},
	{"1x1", 1, 1, func(int, int) (byte, byte, byte) { return 1, 2, 3 }},
	{"1x2", 1, 2, func(_, y int) (byte, byte, byte) { return byte(y), 9, 200 }},
	{"odd-small", 37, 13, noise(2)},
	{"odd-large-noise", 1001, 333, noise(3)},
	{"odd-large-gradient", 999, 777, func(x, y int) (byte, byte, byte) { return byte(x * 3), byte(y / 2), byte(x ^ y) }},
	{"tall-thin", 3, 50001, noise(4)},
	// At most 256 colours: written as a palette image.
	{"stripes", 1200, 630, func(x, _ int) (byte, byte, byte) { return byte(x / 100 * 20), 0, 0x80 }},
	{"256-colours", 1200, 630, func(x, y int) (byte, byte, byte) { return byte(x + y), byte(x+y) ^ 0x55, 7 }},
	{"257-colours", 1200, 630, func(x, y int) (byte, byte, byte) {
		if x == 1199 && y == 629 {
			return 1, 2, 3
		}
		return byte(x + y), byte(x+y) ^ 0x55, 7
	}},
	{"palette-noise", 641, 479, func(x, y int) (byte, byte, byte) {
		v := byte((x*7919 + y*104729) >> 3)
		return v, v, v
	}},
	{"palette-odd-tiny", 5, 3, func(x, y int) (byte, byte, byte) { return byte(x * y), 1, 1 }},
}

// decodeRGBA decodes a PNG and returns its pixels as a tight RGBA buffer.
func decodeRGBA(t testing.TB, b []byte) (pix []byte, w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bounds := img.Bounds()
	w, h = bounds.Dx(), bounds.Dy()
	if rgba, ok := img.(*image.RGBA); ok { // what image/png gives for 8-bit RGB
		pix = make([]byte, 0, w*h*4)
		for y := 0; y < h; y++ {
			pix = append(pix, rgba.Pix[y*rgba.Stride:y*rgba.Stride+w*4]...)
		}
		return pix, w, h
	}
	pix = make([]byte, 0, w*h*4)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			pix = append(pix, byte(r>>8), byte(g>>8), byte(bl>>8), byte(a>>8))
		}
	}
	return pix, w, h
}

func comparePixels(t *testing.T, got []byte, gw, gh int, want []byte, w, h int) {
	t.Helper()
	if gw != w || gh != h {
		t.Fatalf("decoded %dx%d, want %dx%d", gw, gh, w, h)
	}
	for i := 0; i < len(want); i += 4 {
		if !bytes.Equal(got[i:i+4], want[i:i+4]) {
			p := i / 4
			t.Fatalf("pixel (%d,%d) = %v, want %v", p%w, p/w, got[i:i+4], want[i:i+4])
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := frame(tc.w, tc.h, tc.f)
			for _, bands := range []int{1, 2} {
				if bands == 2 && tc.h < 2 {
					continue
				}
				out, err := encode([]byte("prefix"), src, tc.w, tc.h, bands)
				if err != nil {
					t.Fatalf("bands=%d: %v", bands, err)
				}
				if string(out[:6]) != "prefix" {
					t.Fatalf("bands=%d: dst prefix clobbered", bands)
				}
				got, w, h := decodeRGBA(t, out[6:])
				comparePixels(t, got, w, h, src, tc.w, tc.h)
			}
			// The public entry point picks the band count itself.
			out, err := Encode(nil, src, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			got, w, h := decodeRGBA(t, out)
			comparePixels(t, got, w, h, src, tc.w, tc.h)
		})
	}
}

// TestSameAsOtherEncoders: the same pixels (not the same bytes) as the
// previous host encoder (pngfast-1) and the module's portable one.
func TestSameAsOtherEncoders(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := frame(tc.w, tc.h, tc.f)
			z, _ := zlib.NewWriterLevel(nil, flate.BestSpeed)
			portable, err := pngenc.Encode(nil, src, tc.w, tc.h, z, make([]byte, 1+3*tc.w))
			if err != nil {
				t.Fatal(err)
			}
			reference, err := encodeReference(nil, src, tc.w, tc.h, 1)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := Encode(nil, src, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			b, bw, bh := decodeRGBA(t, fast)
			for _, other := range [][]byte{portable, reference} {
				a, aw, ah := decodeRGBA(t, other)
				comparePixels(t, b, bw, bh, a, aw, ah)
			}
		})
	}
}

// TestPaletteWhenFewColours: frames of at most 256 colours become palette
// PNGs, the others RGB.
func TestPaletteWhenFewColours(t *testing.T) {
	for _, tc := range []struct {
		name    string
		palette bool
	}{{"solid", true}, {"stripes", true}, {"256-colours", true}, {"257-colours", false}, {"palette-noise", true}, {"noise", false}, {"gradient", false}} {
		var f func(x, y int) (byte, byte, byte)
		var w, h int
		for _, c := range cases {
			if c.name == tc.name {
				f, w, h = c.f, c.w, c.h
			}
		}
		for _, bands := range []int{1, 2} {
			out, err := encode(nil, frame(w, h, f), w, h, bands)
			if err != nil {
				t.Fatal(err)
			}
			if got := out[25] == 3; got != tc.palette { // IHDR colour type
				t.Errorf("%s, %d bands: palette %v, want %v", tc.name, bands, got, tc.palette)
			}
		}
	}
}

func TestEncodeRejectsBadSizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		pix  []byte
		w, h int
	}{
		{"zero width", make([]byte, 16), 0, 4},
		{"negative height", make([]byte, 16), 4, -1},
		{"short buffer", make([]byte, 15), 2, 2},
	} {
		if _, err := Encode(nil, tc.pix, tc.w, tc.h); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestEncodeConcurrent exercises the writer pool from several goroutines.
func TestEncodeConcurrent(t *testing.T) {
	src := frame(640, 480, noise(9))
	want, err := Encode(nil, src, 640, 480)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 5; j++ {
				got, err := Encode(nil, src, 640, 480)
				if err == nil && !bytes.Equal(got, want) {
					err = errMismatch
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

var errMismatch = errorString("concurrent encode gave different bytes")

type errorString string

func (e errorString) Error() string { return string(e) }

// TestBlogCardPNG: the benchmark card (the blog card of docs/benchmarks.md)
// has at most 256 colours, so it is a palette PNG, within issue 11's
// 40 KB, on one band and two, and decodes to the frame.
func TestBlogCardPNG(t *testing.T) {
	pix := card(t)
	for _, bands := range []int{1, 2} {
		out, err := encode(nil, pix, abi.Width, abi.Height, bands)
		if err != nil {
			t.Fatal(err)
		}
		if out[25] != 3 { // IHDR colour type
			t.Errorf("bands=%d: colour type %d, want 3 (palette)", bands, out[25])
		}
		if len(out) > 40_000 {
			t.Errorf("bands=%d: %d bytes, want at most 40,000", bands, len(out))
		}
		got, w, h := decodeRGBA(t, out)
		comparePixels(t, got, w, h, pix, abi.Width, abi.Height)
		t.Logf("bands=%d: %d bytes", bands, len(out))
	}
}
