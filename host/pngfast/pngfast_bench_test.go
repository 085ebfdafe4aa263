package pngfast

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/ogmint/ogmint/internal/benchcard/benchframe"
	"github.com/ogmint/ogmint/wasm/abi"
)

// card is the benchmark card's frame (internal/benchcard/benchframe).
func card(tb testing.TB) []byte {
	pix, err := benchframe.Pixels()
	if err != nil {
		tb.Fatal(err)
	}
	return pix
}

func report(b *testing.B, size int) {
	b.ReportMetric(float64(size), "png-bytes")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkEncode: two parallel bands (the production path).
func BenchmarkEncode(b *testing.B) {
	benchEncode(b, 2)
}

// BenchmarkEncodeSingleBand: the same encoder on one goroutine (one core).
func BenchmarkEncodeSingleBand(b *testing.B) {
	benchEncode(b, 1)
}

func benchEncode(b *testing.B, bands int) {
	pix := card(b)
	var out []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = encode(out[:0], pix, abi.Width, abi.Height, bands); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, len(out))
}

// BenchmarkBeforeAfter encodes the blog card with the previous encoder
// (pngfast-1: RGB, filter None, klauspost deflate level 1) and this one
// alternately, on one core and in two bands, and reports each side's time
// per encode and PNG size: the comparison of docs/benchmarks.md.
func BenchmarkBeforeAfter(b *testing.B) {
	for _, bands := range []int{1, 2} {
		b.Run(fmt.Sprintf("bands=%d", bands), func(b *testing.B) {
			beforeAfter(b, [][]byte{card(b)}, bands)
		})
	}
}

// BenchmarkBeforeAfterGoldens: the same over every golden frame; sizes are
// the mean per frame.
func BenchmarkBeforeAfterGoldens(b *testing.B) {
	_, frames := goldenFrames(b)
	beforeAfter(b, frames, 2)
}

func beforeAfter(b *testing.B, frames [][]byte, bands int) {
	var old, cur []byte
	var tOld, tNew time.Duration
	var nOld, nNew int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pix := frames[i%len(frames)]
		t0 := time.Now()
		old, _ = encodeReference(old[:0], pix, abi.Width, abi.Height, bands)
		t1 := time.Now()
		cur, _ = encode(cur[:0], pix, abi.Width, abi.Height, bands)
		t2 := time.Now()
		tOld, tNew = tOld+t1.Sub(t0), tNew+t2.Sub(t1)
		nOld, nNew = nOld+len(old), nNew+len(cur)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tOld.Microseconds())/1000/n, "before-ms/op")
	b.ReportMetric(float64(tNew.Microseconds())/1000/n, "after-ms/op")
	b.ReportMetric(float64(nOld)/n, "before-bytes")
	b.ReportMetric(float64(nNew)/n, "after-bytes")
}

// BenchmarkEncodeStdlibPNG: image/png at BestSpeed on the RGBA image (with
// its adaptive filters), the baseline.
func BenchmarkEncodeStdlibPNG(b *testing.B) {
	pix := card(b)
	img := &image.RGBA{Pix: pix, Stride: abi.Width * 4, Rect: image.Rect(0, 0, abi.Width, abi.Height)}
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &bufPool{}}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := enc.Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, buf.Len())
}

type bufPool struct{ b *png.EncoderBuffer }

func (p *bufPool) Get() *png.EncoderBuffer  { return p.b }
func (p *bufPool) Put(b *png.EncoderBuffer) { p.b = b }
