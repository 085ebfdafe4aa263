package typeset

import (
	"testing"

	"github.com/go-text/typesetting/font"
	"github.com/ogmint/ogmint/wasm/bounded"
	"github.com/ogmint/ogmint/wasm/raster"
)

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
