package svgpath_test

import (
	"math"
	"testing"

	"github.com/ogmint/ogmint/wasm/svgpath"
)

// FuzzParse: whatever the data, Parse returns (no panic, no endless loop)
// at most MaxCmds commands, each with finite points, starting with a
// moveto; the path flattens within its budget; and parsing is
// deterministic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"M10 20L30 40", "m1 2 3 4z", "M0 0C0 10 10 10 10 0S20 -10 20 0", "M0 0Q5 10 10 0T20 0t5 5",
		"M0 0A10 10 0 1120 0a5 7 45 0 0 -3 4", "M.5.5L-.5-1e1", "M0 0H10V20h-5v-5Zl1 1", "M1e308 0l1e308 0",
		"M0 0A1e-300 1e300 0 0 1 1 1", "M0 0A1e300 1e-300 1e300 1 0 -1e300 1e300", "M 0,0 L 1,", "Mz", "M0 0 A0 0 0 0 0 0 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		p, err := svgpath.Parse(d)
		if len(p) > svgpath.MaxCmds {
			t.Fatalf("%d commands", len(p))
		}
		if len(p) > 0 && p[0].Op != svgpath.MoveTo {
			t.Fatalf("first command %v", p[0].Op)
		}
		for _, c := range p {
			if c.Op > svgpath.Close {
				t.Fatalf("op %d", c.Op)
			}
			for _, q := range c.P[:c.Op.Points()] {
				if math.IsInf(q.X, 0) || math.IsNaN(q.X) || math.IsInf(q.Y, 0) || math.IsNaN(q.Y) {
					t.Fatalf("point %v", q)
				}
			}
		}
		p2, err2 := svgpath.Parse(d)
		if len(p2) != len(p) || (err == nil) != (err2 == nil) {
			t.Fatalf("not deterministic")
		}
		n := 0
		for _, pl := range p.Flatten(0.25, 4096) {
			n += len(pl.Pts)
		}
		if n > 4097 {
			t.Fatalf("%d points for a budget of 4096", n)
		}
	})
}
