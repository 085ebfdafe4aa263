package typeset

import (
	"testing"

	"github.com/go-text/typesetting/font"
	"github.com/ogmint/ogmint/wasm/bounded"
	"github.com/ogmint/ogmint/wasm/raster"
)

// TestMaskFrontAgreesWithCache: the masks' front cache returns the very
// mask the byte-bounded cache holds for a key, through generations dropped
// (many large masks) and a clear, and never a mask that cache let go.
func TestMaskFrontAgreesWithCache(t *testing.T) {
	ts := newBuiltin(t)
	fi := ts.styleFace(Style{Family: ts.FamilyIndex("Inter")})
	check := func(gid font.GID, size int, sub int8) {
		t.Helper()
		m := ts.mask(fi, size, gid, sub)
		held, ok := ts.masks.Get(maskKey{int16(fi), int16(size), sub, gid})
		if !ok || held != m {
			t.Fatalf("glyph %d size %d sub %d: front gave %p, the cache holds %p (%v)", gid, size, sub, m, held, ok)
		}
	}
	for round := range 3 {
		for size := 40; size <= 400; size += 40 {
			for gid := font.GID(1); gid < 300; gid += 7 {
				check(gid, size, int8(gid%4))
				check(gid, size, int8(gid%4)) // a front hit
			}
		}
		if round == 1 {
			ts.masks.Clear()
			ts.front.clear(ts.masks.Evictions)
		}
	}
	if ts.masks.Evictions == 0 {
		t.Fatal("no generation was dropped: the test did not exercise eviction")
	}
}

// TestMaskFrontHoldsOnlyCached: the front cache keeps only masks its
// byte-bounded cache keeps, so masks too large for that cache (over half
// its budget) are not kept alive outside the budget. With a 64 KiB budget
// and Inter at 200 px most masks are such. (A review found the front
// holding 392 refused masks, 3.37 MB, before the fix.)
func TestMaskFrontHoldsOnlyCached(t *testing.T) {
	ts := newBuiltin(t)
	const budget = 64 << 10
	ts.masks = bounded.New[maskKey, *raster.Mask](budget)
	ts.front.clear(ts.masks.Evictions)
	fi := ts.styleFace(Style{Family: ts.FamilyIndex("Inter")})
	drawn := 0
	for gid := font.GID(1); gid < 400; gid++ {
		if m := ts.mask(fi, 200, gid, 0); len(m.Pix) > 0 {
			drawn++
		}
	}
	if drawn < 100 {
		t.Fatalf("only %d glyphs had pixels", drawn)
	}
	live := 0
	for i, m := range ts.front.masks {
		if m == nil {
			continue
		}
		if got, ok := ts.masks.Get(ts.front.keys[i]); !ok || got != m {
			t.Errorf("front slot %d holds a mask the bounded cache does not", i)
		}
		live += len(m.Pix)
	}
	if live > budget {
		t.Errorf("the front holds %d bytes of masks, over the cache's budget of %d", live, budget)
	}
}
