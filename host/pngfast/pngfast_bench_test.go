package pngfast

import (
	"bytes"
	"image"
	"image/png"
	"sync"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
	"github.com/ogmint/ogmint/wasm/pngenc"
)

var (
	cardOnce sync.Once
	cardPix  []byte
	cardErr  error
)

// card renders a realistic blog card natively with the module's own code.
func card(b *testing.B) []byte {
	cardOnce.Do(func() {
		m, err := module.New()
		if err != nil {
			cardErr = err
			return
		}
		q := "template=blog&title=Hello+World%2C+a+title+long+enough+to+wrap+onto+two+lines&description=Some+text+describing+the+post+in+a+sentence+or+two.&tag=Go&author=Ada+Lovelace"
		n := copy(m.Request(len(q)), q)
		if st := m.Render(n); st != abi.StatusOK {
			cardErr = errorString("render: " + st.String() + ": " + string(m.Output()))
			return
		}
		cardPix = append([]byte(nil), m.Pixels()...)
	})
	if cardErr != nil {
		b.Fatal(cardErr)
	}
	return cardPix
}

func report(b *testing.B, size int) {
	b.ReportMetric(float64(size), "png-bytes")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkEncode: two parallel bands (the production path).
func BenchmarkEncode(b *testing.B) {
	pix := card(b)
	var out []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = Encode(out[:0], pix, abi.Width, abi.Height); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, len(out))
}

// BenchmarkEncodeSingleBand: the same encoder on one goroutine.
func BenchmarkEncodeSingleBand(b *testing.B) {
	pix := card(b)
	var out []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = encode(out[:0], pix, abi.Width, abi.Height, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, len(out))
}

// BenchmarkEncodeKlauspostZlib: pngenc.Encode with klauspost's zlib writer
// (one band, the straightforward use of the library).
func BenchmarkEncodeKlauspostZlib(b *testing.B) {
	pix := card(b)
	z, _ := kzlib.NewWriterLevel(nil, kzlib.BestSpeed)
	row := make([]byte, 1+3*abi.Width)
	var out []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if out, err = pngenc.Encode(out[:0], pix, abi.Width, abi.Height, z, row); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, len(out))
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
