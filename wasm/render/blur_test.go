package render

import (
	"math/rand/v2"
	"testing"

	"github.com/ogmint/ogmint/wasm/raster"
)

// TestBlurExact compares blur with the plain definition: three passes of
// the rounded mean of 2r+1 values (zeros beyond) along rows, then three
// along columns.
func TestBlurExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		m := raster.NewMask(rng.IntN(9)-4, rng.IntN(9)-4, 1+rng.IntN(30), 1+rng.IntN(30))
		for i := range m.Pix {
			if rng.IntN(3) > 0 {
				m.Pix[i] = uint8(rng.IntN(256))
			}
		}
		r := []int{1, 2, 3, 7, 20, rng.IntN(25) + 1}[rng.IntN(6)]
		got := new(arena).blur(m, r)
		g := 3 * r
		if got.X != m.X-g || got.Y != m.Y-g || got.W < m.W+2*g || got.H != m.H+2*g {
			t.Fatalf("iter %d: blurred mask at %d,%d %dx%d", iter, got.X, got.Y, got.W, got.H)
		}
		w, h := got.W, got.H
		ref := make([]int, w*h)
		for j := range m.H {
			for i := range m.W {
				ref[(j+g)*w+i+g] = int(m.Pix[j*m.W+i])
			}
		}
		pass := func(n, stride, count, step int) {
			for k := range count {
				line := make([]int, n)
				for i := range line {
					line[i] = ref[k*step+i*stride]
				}
				for i := range line {
					s := 0
					for x := i - r; x <= i+r; x++ {
						if x >= 0 && x < n {
							s += line[x]
						}
					}
					ref[k*step+i*stride] = (s + r) / (2*r + 1)
				}
			}
		}
		for range 3 {
			pass(w, 1, h, w)
		}
		for range 3 {
			pass(h, w, w, 1)
		}
		for i, v := range got.Pix {
			if int(v) != ref[i] {
				t.Fatalf("iter %d (r %d): pixel %d,%d is %d, want %d", iter, r, i%w, i/w, v, ref[i])
			}
		}
	}
}
