package imagedec

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/internal/testimages"
)

// testLimits are the module's defaults (wasm/abi).
var testLimits = Limits{MaxPixels: 4 << 20, MaxBytes: 32 << 20, DirectBytes: 8 << 20}

// avatar draws the image as the profile template's avatar: cover, 260x260.
func avatar(size image.Point) []Draw {
	side := min(size.X, size.Y)
	src := image.Rect((size.X-side)/2, (size.Y-side)/2, (size.X-side)/2+side, (size.Y-side)/2+side)
	return []Draw{{Src: src, Dst: image.Pt(260, 260)}}
}

// TestReducer: box averages of premultiplied pixels, edges included, match
// a direct computation.
func TestReducer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ size, k image.Point }{
		{image.Pt(7, 5), image.Pt(1, 1)}, {image.Pt(8, 8), image.Pt(2, 2)}, {image.Pt(9, 7), image.Pt(2, 3)},
		{image.Pt(1, 30), image.Pt(1, 7)}, {image.Pt(30, 1), image.Pt(30, 1)}, {image.Pt(13, 11), image.Pt(5, 4)},
	} {
		t.Run(fmt.Sprintf("%v-by-%v", tc.size, tc.k), func(t *testing.T) {
			src := image.NewNRGBA(image.Rectangle{Max: tc.size})
			for i := range src.Pix {
				src.Pix[i] = byte(r.Uint32())
				if i%8 == 3 {
					src.Pix[i] = 0xff // opaque pixels too
				}
			}
			red := newReducer(tc.size, tc.k)
			for y := range tc.size.Y {
				red.add(src.Pix[y*src.Stride : (y+1)*src.Stride])
			}
			if want := reducedSize(tc.size, tc.k); red.out.Rect.Size() != want {
				t.Fatalf("size %v, want %v", red.out.Rect.Size(), want)
			}
			for oy := range red.out.Rect.Dy() {
				for ox := range red.out.Rect.Dx() {
					if got, want := red.out.RGBAAt(ox, oy), boxAverage(src, image.Rect(ox*tc.k.X, oy*tc.k.Y, (ox+1)*tc.k.X, (oy+1)*tc.k.Y)); got != want {
						t.Fatalf("(%d,%d) = %v, want %v", ox, oy, got, want)
					}
				}
			}
		})
	}
}

// boxAverage is the rounded mean of the premultiplied pixels of r in src.
func boxAverage(src *image.NRGBA, r image.Rectangle) color.RGBA {
	r = r.Intersect(src.Rect)
	var s [4]int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := src.NRGBAAt(x, y)
			a := int(c.A)
			s[0] += (int(c.R)*a + 127) / 255
			s[1] += (int(c.G)*a + 127) / 255
			s[2] += (int(c.B)*a + 127) / 255
			s[3] += a
		}
	}
	n := r.Dx() * r.Dy()
	return color.RGBA{uint8((s[0] + n/2) / n), uint8((s[1] + n/2) / n), uint8((s[2] + n/2) / n), uint8((s[3] + n/2) / n)}
}

func encode(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), uint8(255 - x/4)})
		}
	}
	return img
}

// TestDecodePaths: small files decode as image.Decode decodes them (the
// pixels every earlier render drew); large ones come back box-reduced to
// what the draw needs; files past the limits are refused with a message
// for the caller.
func TestDecodePaths(t *testing.T) {
	small := encode(t, gradient(320, 240), "png")
	for _, tc := range []struct {
		name    string
		file    []byte
		lim     Limits
		plan    Planner
		reduced image.Point // size of a *Reduced; zero: decoded as it is
		err     string
	}{
		{"small png as it is", small, testLimits, avatar, image.Point{}, ""},
		{"small jpeg as it is", encode(t, gradient(320, 240), "jpeg"), testLimits, avatar, image.Point{}, ""},
		{"small gif as it is", encode(t, gradient(64, 64), "gif"), testLimits, avatar, image.Point{}, ""},
		{"small png, no direct decoding", small, Limits{MaxPixels: 4 << 20, MaxBytes: 32 << 20}, avatar, image.Pt(320, 240), ""},
		{"16-bit png", testimages.PNG16(), testLimits, avatar, image.Pt(293, 293), ""},
		{"16-bit png, not drawn", testimages.PNG16(), testLimits, func(image.Point) []Draw { return nil }, image.Pt(1, 1), ""},
		{"16-bit png, drawn at full size", testimages.PNG16(), testLimits, func(s image.Point) []Draw {
			return []Draw{{Src: image.Rectangle{Max: s}, Dst: image.Pt(s.X/2+1, 40)}}
		}, image.Pt(2048, 41), ""},
		{"jpeg", testimages.JPEG(), testLimits, avatar, image.Pt(293, 293), ""},
		{"progressive 4:2:0 jpeg", testimages.ProgressiveJPEG420(), testLimits, avatar, image.Pt(293, 293), ""},
		{"progressive 4:4:4 jpeg", testimages.ProgressiveJPEG444(), testLimits, avatar, image.Point{}, "2048x2048 progressive JPEG needs 60.3 MiB to decode; at most 32 MiB"},
		{"16-bit png, small budget", testimages.PNG16(), Limits{MaxPixels: 4 << 20, MaxBytes: 1 << 20}, func(s image.Point) []Draw {
			return []Draw{{Src: image.Rectangle{Max: s}, Dst: s}}
		}, image.Point{}, "2048x2048 16-bit PNG needs 160 MiB to decode; at most 1 MiB"},
		{"too many pixels", encode(t, image.NewGray(image.Rect(0, 0, 2049, 2048)), "png"), testLimits, avatar, image.Point{}, "image is 2049x2048; at most 4194304 pixels"},
		{"not an image", []byte("hello, not an image"), testLimits, avatar, image.Point{}, "not a PNG, JPEG or GIF image"},
		{"damaged png", small[:len(small)-30], testLimits, avatar, image.Point{}, "png image does not decode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Decode(tc.file, tc.lim, tc.plan)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, ok := img.(*Reduced)
			switch {
			case tc.reduced == image.Point{}:
				want, _, _ := image.Decode(bytes.NewReader(tc.file))
				if !reflect.DeepEqual(img, want) {
					t.Fatalf("got a %T, not what image.Decode returns", img)
				}
			case !ok:
				t.Fatalf("got a %T, want *Reduced", img)
			case r.Rect.Size() != tc.reduced:
				t.Fatalf("reduced to %v, want %v", r.Rect.Size(), tc.reduced)
			}
		})
	}
}

// TestReducedPixels: the reduced 16-bit PNG is its 8-bit pixels averaged;
// the reduced JPEG is close to its picture averaged (JPEG is lossy).
func TestReducedPixels(t *testing.T) {
	img, err := Decode(testimages.PNG16(), testLimits, avatar)
	if err != nil {
		t.Fatal(err)
	}
	r := img.(*Reduced)
	if r.Size != image.Pt(2048, 2048) {
		t.Fatalf("Size %v", r.Size)
	}
	full, _ := png.Decode(bytes.NewReader(testimages.PNG16()))
	n8 := image.NewNRGBA(full.Bounds())
	for y := range 2048 {
		for x := range 2048 {
			c := nrgba8(full.At(x, y))
			copy(n8.Pix[n8.PixOffset(x, y):], c[:])
		}
	}
	for _, p := range []image.Point{{0, 0}, {100, 7}, {292, 292}, {150, 200}} {
		want := boxAverage(n8, image.Rect(p.X*7, p.Y*7, p.X*7+7, p.Y*7+7))
		if got := r.RGBAAt(p.X, p.Y); got != want {
			t.Errorf("%v = %v, want %v", p, got, want)
		}
	}
	img, err = Decode(testimages.JPEG(), testLimits, avatar)
	if err != nil {
		t.Fatal(err)
	}
	pic := testimages.Picture()
	for _, p := range []image.Point{{0, 0}, {100, 7}, {150, 200}} {
		got, want := img.(*Reduced).RGBAAt(p.X, p.Y), boxAverage((*image.NRGBA)(pic), image.Rect(p.X*7, p.Y*7, p.X*7+7, p.Y*7+7))
		if d := max(diff(got.R, want.R), diff(got.G, want.G), diff(got.B, want.B)); d > 6 || got.A != 0xff {
			t.Errorf("jpeg %v = %v, want about %v", p, got, want)
		}
	}
}

func diff(a, b uint8) int { return abs(int(a) - int(b)) }

// TestDecodeCostsMatchAllocation: the byte counts limits are checked
// against are what the decoders really allocate (measured natively): the
// standard library's within 15%, the streaming PNG decoder's within its
// bound.
func TestDecodeCostsMatchAllocation(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"16-bit png", testimages.PNG16()},
		{"8-bit png", encode(t, gradient(1024, 1024), "png")},
		{"baseline jpeg", testimages.JPEG()},
		{"progressive 4:2:0 jpeg", testimages.ProgressiveJPEG420()},
		{"progressive 4:4:4 jpeg", testimages.ProgressiveJPEG444()},
		{"gif", encode(t, gradient(1024, 1024), "gif")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := inspect(tc.file, testLimits)
			if err != nil {
				t.Fatal(err)
			}
			direct := allocated(func() { _, _, err = image.Decode(bytes.NewReader(tc.file)) })
			if err != nil {
				t.Fatal(err)
			}
			if est := f.directBytes(); float64(est) < 0.85*float64(direct) || float64(est) > 1.15*float64(direct) {
				t.Errorf("image.Decode allocated %s, estimated %s", mib(int(direct)), mib(est))
			}
			draws := avatar(f.size)
			k := Factor(draws, f.size)
			reduced := allocated(func() { _, err = f.decodeReduced(tc.file, k, avatar) })
			if err != nil {
				t.Fatal(err)
			}
			if est := f.reducedCost(nil, k); float64(reduced) > 1.15*float64(est) {
				t.Errorf("reduced decoding allocated %s, estimated %s", mib(int(reduced)), mib(est))
			}
			t.Logf("image.Decode %s (estimate %s); reduced %s (estimate %s)", mib(int(direct)), mib(f.directBytes()),
				mib(int(reduced)), mib(f.reducedCost(nil, k)))
		})
	}
}

// allocated is the bytes fn allocates.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestLimitsValidate rejects limits that cannot work.
func TestLimitsValidate(t *testing.T) {
	for _, tc := range []struct {
		lim Limits
		ok  bool
	}{
		{testLimits, true},
		{Limits{MaxPixels: 1, MaxBytes: 1 << 20}, true},
		{Limits{MaxBytes: 32 << 20}, false},
		{Limits{MaxPixels: 1, MaxBytes: 1000}, false},
		{Limits{MaxPixels: 1, MaxBytes: 1 << 20, DirectBytes: 2 << 20}, false},
	} {
		if err := tc.lim.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.lim, err)
		}
	}
}

// TestReduceYCbCr: every chroma subsampling, odd sizes and an offset
// origin: each cell is its Y, Cb and Cr averaged, then converted.
func TestReduceYCbCr(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		t.Run(ratio.String(), func(t *testing.T) {
			full := image.NewYCbCr(image.Rect(0, 0, 40, 30), ratio)
			for _, p := range [][]byte{full.Y, full.Cb, full.Cr} {
				for i := range p {
					p[i] = byte(r.Uint32())
				}
			}
			m := full.SubImage(image.Rect(4, 2, 37, 29)).(*image.YCbCr)
			k := image.Pt(3, 4)
			got := reduceImage(m, k)
			b := m.Bounds()
			for oy := range got.Rect.Dy() {
				for ox := range got.Rect.Dx() {
					cell := image.Rect(b.Min.X+ox*k.X, b.Min.Y+oy*k.Y, b.Min.X+(ox+1)*k.X, b.Min.Y+(oy+1)*k.Y).Intersect(b)
					var s [3]int
					for y := cell.Min.Y; y < cell.Max.Y; y++ {
						for x := cell.Min.X; x < cell.Max.X; x++ {
							c := m.YCbCrAt(x, y)
							s[0], s[1], s[2] = s[0]+int(c.Y), s[1]+int(c.Cb), s[2]+int(c.Cr)
						}
					}
					n := cell.Dx() * cell.Dy()
					rr, gg, bb := color.YCbCrToRGB(uint8((s[0]+n/2)/n), uint8((s[1]+n/2)/n), uint8((s[2]+n/2)/n))
					if c := got.RGBAAt(ox, oy); c != (color.RGBA{rr, gg, bb, 0xff}) {
						t.Fatalf("(%d,%d) = %v, want %v", ox, oy, c, color.RGBA{rr, gg, bb, 0xff})
					}
				}
			}
		})
	}
}

// TestRowConverters: the fast paths convert as color.NRGBAModel does.
func TestRowConverters(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rect := image.Rect(3, 1, 20, 9)
	fill := func(p []byte) {
		for i := range p {
			p[i] = byte(r.Uint32())
		}
	}
	nrgba, cmyk, gray := image.NewNRGBA(rect), image.NewCMYK(rect), image.NewGray(rect)
	pal := image.NewPaletted(rect, color.Palette{color.RGBA{1, 2, 3, 255}, color.NRGBA{200, 100, 50, 128}, color.RGBA{}})
	for _, p := range [][]byte{nrgba.Pix, cmyk.Pix, gray.Pix} {
		fill(p)
	}
	for i := range pal.Pix {
		pal.Pix[i] = byte(r.IntN(3))
	}
	for _, img := range []image.Image{nrgba, cmyk, gray, pal, image.NewRGBA64(rect)} {
		conv := rowConverter(img)
		row := make([]byte, 4*rect.Dx())
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			conv(row, y)
			for x := rect.Min.X; x < rect.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				if got := [4]byte(row[4*(x-rect.Min.X):]); got != [4]byte{c.R, c.G, c.B, c.A} {
					t.Fatalf("%T (%d,%d) = %v, want %v", img, x, y, got, c)
				}
			}
		}
	}
}

// TestPremul: the shift form is the rounded division for every byte pair.
func TestPremul(t *testing.T) {
	for c := range 256 {
		for a := range 256 {
			if got, want := premul(uint8(c), uint32(a)), uint32((c*a+127)/255); got != want {
				t.Fatalf("premul(%d, %d) = %d, want %d", c, a, got, want)
			}
		}
	}
}

// TestScanJPEG: the frame header is found past fill bytes, extraneous
// bytes and segments; what it says sets the estimate.
func TestScanJPEG(t *testing.T) {
	base := testimages.JPEG()
	noisy := append([]byte{0xff, 0xd8, 0x12, 0x34, 0xff, 0xff, 0xff, 0xd0}, base[2:]...)
	for _, tc := range []struct {
		name string
		file []byte
		prog bool
		comp int
		cost int
	}{
		{"baseline 4:2:0", base, false, 3, 6 << 20},
		{"with fill and stray bytes", noisy, false, 3, 6 << 20},
		{"progressive 4:2:0", testimages.ProgressiveJPEG420(), true, 3, 30 << 20},
		{"progressive 4:4:4", testimages.ProgressiveJPEG444(), true, 3, 60 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := scanJPEG(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if j.progressive != tc.prog || len(j.comps) != tc.comp || j.decodeBytes(image.Pt(2048, 2048)) != tc.cost {
				t.Fatalf("%+v, %d bytes; want progressive %v, %d components, %d bytes", j, j.decodeBytes(image.Pt(2048, 2048)), tc.prog, tc.comp, tc.cost)
			}
		})
	}
	if _, err := scanJPEG([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00}); err == nil {
		t.Error("a truncated file has a frame header")
	}
}
