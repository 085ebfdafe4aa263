package imgformat_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/webp"

	"github.com/ogmint/ogmint/host/imgformat"
	"github.com/ogmint/ogmint/internal/benchcard/benchframe"
)

// card is the benchmark card's frame (internal/benchcard/benchframe).
func card(tb testing.TB) []byte {
	pix, err := benchframe.Pixels()
	if err != nil {
		tb.Fatal(err)
	}
	return pix
}

const w, h = 1200, 630

// maxMAE is each format's bound on the mean absolute error per channel
// (R, G, B; 0-255) against the PNG's pixels for the blog card. Measured:
// png 0, webp 0 (lossless), jpeg q85 1.33, q50 2.45 (TestMeanError -v).
var maxMAE = map[string]float64{"png": 0, "webp": 0, "jpeg85": 1.5, "jpeg50": 2.7}

func decode(t *testing.T, format string, b []byte) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch format {
	case imgformat.PNG:
		img, err = png.Decode(bytes.NewReader(b))
	case imgformat.JPEG:
		img, err = jpeg.Decode(bytes.NewReader(b))
	case imgformat.WebP:
		img, err = webp.Decode(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatalf("%s: decode: %v", format, err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, w, h) {
		t.Fatalf("%s: bounds %v, want 1200x630", format, got)
	}
	return img
}

// meanError is the mean absolute difference per channel (R, G, B, 8-bit)
// between img and the reference frame.
func meanError(ref image.Image, img image.Image) float64 {
	var sum int64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r0, g0, b0, _ := ref.At(x, y).RGBA()
			r1, g1, b1, _ := img.At(x, y).RGBA()
			for _, d := range [3]int64{int64(r0>>8) - int64(r1>>8), int64(g0>>8) - int64(g1>>8), int64(b0>>8) - int64(b1>>8)} {
				sum += max(d, -d)
			}
		}
	}
	return float64(sum) / float64(3*w*h)
}

func TestMeanError(t *testing.T) {
	pix := card(t)
	pb, err := imgformat.Encode(nil, imgformat.PNG, 0, pix, w, h)
	if err != nil {
		t.Fatal(err)
	}
	ref := decode(t, imgformat.PNG, pb)
	for _, c := range []struct {
		name, format string
		quality      int
	}{{"png", imgformat.PNG, 0}, {"webp", imgformat.WebP, 0}, {"jpeg85", imgformat.JPEG, 0}, {"jpeg50", imgformat.JPEG, 50}} {
		b, err := imgformat.Encode(nil, c.format, c.quality, pix, w, h)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := imgformat.Sniff(b); got != c.format {
			t.Errorf("%s: Sniff = %q", c.name, got)
		}
		mae := meanError(ref, decode(t, c.format, b))
		t.Logf("%s: %d bytes, mean absolute error %.3f per channel", c.name, len(b), mae)
		if mae > maxMAE[c.name] {
			t.Errorf("%s: mean absolute error %.3f > %.3f", c.name, mae, maxMAE[c.name])
		}
	}
}

func TestEncodeAppends(t *testing.T) {
	pix := card(t)
	for _, f := range []string{imgformat.PNG, imgformat.JPEG, imgformat.WebP} {
		b, err := imgformat.Encode([]byte("x"), f, 0, pix, w, h)
		if err != nil || string(b[:1]) != "x" || imgformat.Sniff(b[1:]) != f {
			t.Errorf("%s: prefix lost or bad bytes (err %v)", f, err)
		}
	}
	if _, err := imgformat.Encode(nil, "gif", 0, pix, w, h); err == nil {
		t.Error("gif: no error")
	}
	if _, err := imgformat.Encode(nil, imgformat.JPEG, 0, pix[:100], w, h); err == nil {
		t.Error("short frame: no error")
	}
}

func TestContentType(t *testing.T) {
	for f, want := range map[string]string{"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"} {
		if got := imgformat.ContentType(f); got != want {
			t.Errorf("ContentType(%s) = %s", f, got)
		}
	}
	if got := imgformat.SniffContentType([]byte("junk")); got != "image/png" {
		t.Errorf("SniffContentType(junk) = %s", got)
	}
}

// BenchmarkEncode: the blog card's size and encode time per format.
func BenchmarkEncode(b *testing.B) {
	pix := card(b)
	for _, c := range []struct {
		name, format string
		quality      int
	}{{"png", imgformat.PNG, 0}, {"jpeg", imgformat.JPEG, 85}, {"webp", imgformat.WebP, 0}} {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			var err error
			for b.Loop() {
				buf, err = imgformat.Encode(buf[:0], c.format, c.quality, pix, w, h)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(buf)), "bytes")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
