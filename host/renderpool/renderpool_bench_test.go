package renderpool

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/pngfast"
	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

// Benchmarks use the release module (no debug hooks).
func benchPool(b *testing.B, instances int) *Pool {
	return benchPoolConfig(b, Config{Instances: instances})
}

func benchPoolConfig(b *testing.B, cfg Config) *Pool {
	b.Helper()
	instances := cfg.Instances
	cfg.CacheDir, cfg.Deadline = testCacheDir, relaxedDeadline
	if cfg.Fonts == nil { // as the server runs: with the fallback families
		cfg.Fonts = testFonts(b)
	}
	if cfg.SnapshotDir == "" { // as the server runs: snapshots kept in files
		cfg.SnapshotDir = b.TempDir()
	}
	p, err := New(context.Background(), moduleBytes(b), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close(context.Background()) })
	if cfg.SnapshotDir != "" && bootID() != "" { // wait until the file is written
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if s := p.snap.Load(); s != nil && s.file.Load() != nil {
				break
			}
		}
	}
	// Warm every instance (glyph caches) with the titles' alphabet.
	for i := 0; i < 4*instances; i++ {
		if err := p.Render(context.Background(), blogQuery(nil, i), func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	// Collect the set-up's garbage (and an earlier run's pool) now: a
	// collection's mark phase during the timed loop occupies the other core
	// and halves the render's speed on this two-core machine, which would
	// charge one run's set-up to another's result.
	runtime.GC()
	return p
}

// blogQuery appends a blog card query with a title distinct per i.
func blogQuery(dst []byte, i int) []byte {
	return append(dst, benchcard.Query(i)...)
}

func reportMS(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkRenderBlog: warm instance, distinct titles, frame viewed in place.
func BenchmarkRenderBlog(b *testing.B) { benchRenderBlog(b, benchPool(b, 1)) }

func benchRenderBlog(b *testing.B, p *Pool) {
	ctx := context.Background()
	var q []byte
	noop := func([]byte) error { return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q = blogQuery(q[:0], i+1000)
		if err := p.Render(ctx, q, noop); err != nil {
			b.Fatal(err)
		}
	}
	reportMS(b)
}

// BenchmarkRenderBlogPNG: the host's full path, warm render plus the native
// two-band encoder on the zero-copy frame.
func BenchmarkRenderBlogPNG(b *testing.B) {
	p := benchPool(b, 1)
	ctx := context.Background()
	var q, out []byte
	encode := func(pix []byte) (err error) {
		out, err = pngfast.Encode(out[:0], pix, abi.Width, abi.Height)
		return err
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q = blogQuery(q[:0], i+1000)
		if err := p.Render(ctx, q, encode); err != nil {
			b.Fatal(err)
		}
	}
	reportMS(b)
}

// BenchmarkRenderBlogPortablePNG: render plus the module's own encoder
// (standard library deflate in wasm), the portable path.
func BenchmarkRenderBlogPortablePNG(b *testing.B) {
	p := benchPool(b, 1)
	ctx := context.Background()
	var q []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q = blogQuery(q[:0], i+1000)
		if _, err := p.RenderPNG(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	reportMS(b)
}

// BenchmarkRenderBlogParallel: throughput of two warm instances on two cores.
func BenchmarkRenderBlogParallel(b *testing.B) {
	p := benchPool(b, 2)
	ctx := context.Background()
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var q []byte
		noop := func([]byte) error { return nil }
		for pb.Next() {
			q = blogQuery(q[:0], int(seq.Add(1))+1000)
			if err := p.Render(ctx, q, noop); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "renders/s")
}

// BenchmarkFreshInstance: a clone of the snapshot plus its first render of a
// blog card: what a replacement or an added instance costs.
func BenchmarkFreshInstance(b *testing.B) {
	benchFresh(b, benchPool(b, 1), func(i int) []byte { return blogQuery(nil, 200000+i) })
}

// BenchmarkFreshInstanceJapanese: a clone of the snapshot plus its first
// Japanese card, which hands over Droid Sans Fallback (4 MB) and renders
// twice: what the first CJK card on a new instance costs.
func BenchmarkFreshInstanceJapanese(b *testing.B) {
	benchFresh(b, benchPool(b, 1), func(int) []byte { return japaneseQuery })
}

// BenchmarkRenderJapanese: Japanese cards with distinct titles on a warm
// instance that holds Droid Sans Fallback (no hand-over).
func BenchmarkRenderJapanese(b *testing.B) {
	p := benchPool(b, 1)
	ctx := context.Background()
	title := []rune("日本語の見出しと東京の記録、大阪の会議について")
	query := func(i int) []byte {
		t := append([]rune(nil), title...)
		t[i%len(t)], t[(i/len(t))%len(t)] = t[(i/len(t))%len(t)], t[i%len(t)]
		return q("template", "blog", "title", string(t), "author", "山田太郎")
	}
	if err := p.Render(ctx, query(0), nil); err != nil {
		b.Fatal(err)
	}
	before := p.Stats().FontHandovers
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Render(ctx, query(i+1), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if p.Stats().FontHandovers != before {
		b.Fatal("families handed over during the timed loop")
	}
	reportMS(b)
}

// BenchmarkFreshInstanceAfterTraffic: what recycling pays in a server that
// has served cards: the snapshot has been retaken from an instance whose
// glyph cache holds the sizes those cards use.
func BenchmarkFreshInstanceAfterTraffic(b *testing.B) {
	p := benchPoolConfig(b, Config{Instances: 1, SnapshotEvery: 100})
	for i := 0; i < 120; i++ {
		if err := p.Render(context.Background(), blogQuery(nil, 100000+i), nil); err != nil {
			b.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); p.Stats().Snapshots == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if p.Stats().Snapshots == 0 {
		b.Fatal("the snapshot was not retaken")
	}
	benchFresh(b, p, func(i int) []byte { return blogQuery(nil, 200000+i) })
}

func benchFresh(b *testing.B, p *Pool, query func(int) []byte) {
	ctx := context.Background()
	var inst, first int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Cards like the traffic served before (same title lengths).
		ft, err := p.MeasureFresh(ctx, query(i))
		if err != nil {
			b.Fatal(err)
		}
		inst += int64(ft.Instantiate)
		first += int64(ft.FirstRender)
	}
	b.ReportMetric(float64(inst)/1e6/float64(b.N), "instantiate-ms")
	b.ReportMetric(float64(first)/1e6/float64(b.N), "first-render-ms")
	reportMS(b)
}

// BenchmarkWazeroVsNative renders the benchmark card natively (the same Go
// code, in process) and through wazero, each followed by the host's native
// PNG encoder, in alternating blocks of 50 cards (each side runs warm, and
// machine noise falls on both alike), and reports both sides' draw and
// encode times and the ratio of the totals. b.N is cards per side.
func BenchmarkWazeroVsNative(b *testing.B) { benchWazeroVsNative(b, func(i int) int { return i }) }

// BenchmarkWazeroVsNativeRepeatedTitle: the same card every time (its
// paragraphs analysed and shaped once): the drawing alone, without the cost
// of laying out a title never seen before.
func BenchmarkWazeroVsNativeRepeatedTitle(b *testing.B) {
	benchWazeroVsNative(b, func(int) int { return 7 })
}

// benchWazeroVsNative alternates blocks of native and wazero renders of
// card(i).
func benchWazeroVsNative(b *testing.B, card func(int) int) {
	p := benchPool(b, 1)
	nat, err := module.New()
	if err != nil {
		b.Fatal(err)
	}
	renderNative := func(q []byte) []byte {
		n := copy(nat.Request(len(q)), q)
		if st := nat.Render(n); st != abi.StatusOK {
			b.Fatalf("native render: %v", st)
		}
		return nat.Pixels()
	}
	for i := range 4 { // the same warm-up as the pool's instance
		renderNative(blogQuery(nil, i))
	}
	renderNative(blogQuery(nil, card(0)))
	runtime.GC()
	ctx := context.Background()
	var q, out []byte
	var encoding time.Duration // of the current side
	encode := func(pix []byte) (err error) {
		start := time.Now()
		out, err = pngfast.Encode(out[:0], pix, abi.Width, abi.Height)
		encoding += time.Since(start)
		return err
	}
	const block = 50
	var native, wazero, nativeEncode, wazeroEncode time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		encoding = 0
		start := time.Now()
		for i := range n {
			q = blogQuery(q[:0], card(1000+done+i))
			if err := encode(renderNative(q)); err != nil {
				b.Fatal(err)
			}
		}
		native += time.Since(start)
		nativeEncode += encoding
		encoding = 0
		start = time.Now()
		for i := range n {
			q = blogQuery(q[:0], card(1000+done+i))
			if err := p.Render(ctx, q, encode); err != nil {
				b.Fatal(err)
			}
		}
		wazero += time.Since(start)
		wazeroEncode += encoding
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(native-nativeEncode), "native-draw-ms")
	b.ReportMetric(ms(wazero-wazeroEncode), "wazero-draw-ms")
	b.ReportMetric(ms(nativeEncode), "native-encode-ms")
	b.ReportMetric(ms(wazeroEncode), "wazero-encode-ms")
	b.ReportMetric(float64(wazero)/float64(native), "wazero/native")
}
