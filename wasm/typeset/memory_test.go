package typeset

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/ogmint/ogmint/wasm/raster"
)

// TestCachesBounded lays out and draws thousands of random texts in every
// script the fallback families cover, at random sizes, and checks that the
// caches keep within their budgets (and that nothing panics): an instance
// that renders whatever it is sent keeps its memory whatever it was sent.
func TestCachesBounded(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1500
	}
	ts := newTypesetter(t)
	const budget = ShapeCacheBytes + ParaCacheBytes + MaskCacheBytes + EmojiCacheBytes + OwnerCacheBytes
	rng := rand.New(rand.NewPCG(1, 2))
	fr := raster.NewFrame(1200, 630)
	fr.Clear(raster.RGB{R: 20, G: 30, B: 40})
	peak := 0
	heapStart, heapMid := heapInUse(), uint64(0)
	for i := range n {
		text := worldText(rng, 1+rng.IntN(10))
		fam := rng.IntN(len(ts.families))
		bold := rng.IntN(2) == 0
		width := 40 + rng.IntN(1160)
		var b *Block
		switch rng.IntN(3) {
		case 0:
			lo := 8 + rng.IntN(150)
			b = ts.Fit(text, fam, bold, lo, lo+rng.IntN(43), 0.8+rng.Float64()*2, width, 20+rng.IntN(600), 1+rng.IntN(12), rng.IntN(2) == 0)
		case 1:
			b = ts.Wrap(text, Style{Family: fam, Bold: bold, Size: 8 + rng.IntN(193)}, 0.8+rng.Float64()*2, width, 1+rng.IntN(6), rng.IntN(2) == 0)
		default:
			b = ts.Line(text, Style{Family: fam, Bold: bold, Size: 8 + rng.IntN(120)}, 40)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("text %d %q: panic %v", i, text, r)
				}
			}()
			ts.Draw(fr, b, rng.IntN(1200)-100, rng.IntN(630)-100, width, Align(rng.IntN(5)), raster.RGB{R: 250, G: 250, B: 250}, uint32(rng.IntN(256)))
		}()
		if c := ts.CacheBytes(); c > peak {
			peak = c
			if c > budget {
				t.Fatalf("after %d texts: caches hold %d bytes, over the budgets' sum %d", i+1, c, budget)
			}
		}
		for name, c := range map[string][2]int{
			"shape": {ts.shaper.CacheBytes(), ShapeCacheBytes}, "para": {ts.paras.Bytes(), ParaCacheBytes},
			"owner": {ts.owner.Bytes(), OwnerCacheBytes}, "mask": {ts.masks.Bytes(), MaskCacheBytes}, "emoji": {ts.emoji.Bytes(), EmojiCacheBytes},
		} {
			if c[0] > c[1] {
				t.Fatalf("after %d texts: %s cache %d bytes > its budget %d", i+1, name, c[0], c[1])
			}
		}
		if i == n/2 {
			heapMid = heapInUse()
		}
	}
	heapEnd := heapInUse()
	t.Logf("%d texts: caches peaked at %d bytes (%.1f MB) of %d (%.1f MB); now %d (shape %d, para %d, owner %d, mask %d, emoji %d); evictions: masks %d, emoji %d, paras %d",
		n, peak, float64(peak)/(1<<20), budget, float64(budget)/(1<<20), ts.CacheBytes(),
		ts.shaper.CacheBytes(), ts.paras.Bytes(), ts.owner.Bytes(), ts.masks.Bytes(), ts.emoji.Bytes(),
		ts.masks.Evictions, ts.emoji.Evictions, ts.paras.Evictions)
	t.Logf("heap in use: %.1f MB with the fonts loaded, %.1f MB half way, %.1f MB at the end",
		float64(heapStart)/(1<<20), float64(heapMid)/(1<<20), float64(heapEnd)/(1<<20))
	if ts.masks.Evictions == 0 {
		t.Error("the mask cache never filled: the test does not exercise the budget")
	}
	// What the caches hold is bounded; the heap must not keep growing.
	if heapEnd > heapMid+32<<20 {
		t.Errorf("heap grew from %.1f MB to %.1f MB in the second half", float64(heapMid)/(1<<20), float64(heapEnd)/(1<<20))
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
