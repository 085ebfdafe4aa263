package typeset

import (
	"testing"

	"github.com/go-text/typesetting/font"
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
