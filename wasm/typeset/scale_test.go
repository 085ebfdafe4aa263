package typeset

import (
	"math"
	"testing"

	"golang.org/x/image/math/fixed"
)

// TestScaleUnits: scaleUnits is v*size/upem with Go's signed division, for
// every sign and the extremes.
func TestScaleUnits(t *testing.T) {
	for _, v := range []int32{0, 1, -1, 63, -63, 64, 1000, -1000, 123456, math.MaxInt32, math.MinInt32} {
		for _, size := range []int{0, 1, 7, 68, 400, -3} {
			for _, upem := range []int64{1, 1000, 2048, 2816, -5} {
				want := fixed.Int26_6(int64(v) * int64(size) / upem)
				if got := scaleUnits(v, size, upem); got != want {
					t.Errorf("scaleUnits(%d, %d, %d) = %d, want %d", v, size, upem, got, want)
				}
			}
		}
	}
}
