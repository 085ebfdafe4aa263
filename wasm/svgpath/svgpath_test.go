package svgpath_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fogleman/gg"

	"github.com/ogmint/ogmint/wasm/svgpath"
)

// rec records replayed commands as text, rounded to 3 decimals.
type rec struct{ b strings.Builder }

func (r *rec) f(op string, v ...float64) {
	if r.b.Len() > 0 {
		r.b.WriteByte(' ')
	}
	r.b.WriteString(op)
	for _, x := range v {
		fmt.Fprintf(&r.b, " %g", math.Round(x*1000)/1000+0) // +0: no "-0"
	}
}
func (r *rec) MoveTo(x, y float64)                    { r.f("M", x, y) }
func (r *rec) LineTo(x, y float64)                    { r.f("L", x, y) }
func (r *rec) QuadraticTo(x1, y1, x2, y2 float64)     { r.f("Q", x1, y1, x2, y2) }
func (r *rec) CubicTo(x1, y1, x2, y2, x3, y3 float64) { r.f("C", x1, y1, x2, y2, x3, y3) }
func (r *rec) ClosePath()                             { r.f("Z") }

func replay(p svgpath.Path, dx, dy float64) string {
	var r rec
	p.Replay(&r, dx, dy)
	return r.b.String()
}

var _ svgpath.Sink = (*gg.Context)(nil) // a gg context takes a path as it is

func TestParse(t *testing.T) {
	for _, c := range []struct {
		d, want string
	}{
		{"M10 20L30 40", "M 10 20 L 30 40"},
		{"m10 20l5 5", "M 10 20 L 15 25"},
		{"M1,2 3,4 5,6", "M 1 2 L 3 4 L 5 6"}, // implicit lineto
		{"m1 2 3 4", "M 1 2 L 4 6"},           // implicit relative lineto
		{"M0 0H10V20h-5v-5", "M 0 0 L 10 0 L 10 20 L 5 20 L 5 15"},
		{"M0 0L10 0L10 10Z", "M 0 0 L 10 0 L 10 10 Z"},
		{"M5 5l10 0zl0 10", "M 5 5 L 15 5 Z M 5 5 L 5 15"}, // after z: from the subpath's start
		{"M0 0C1 2 3 4 5 6", "M 0 0 C 1 2 3 4 5 6"},
		{"M1 1c1 2 3 4 5 6", "M 1 1 C 2 3 4 5 6 7"},
		{"M0 0C0 10 10 10 10 0S20 -10 20 0", "M 0 0 C 0 10 10 10 10 0 C 10 -10 20 -10 20 0"},
		{"M0 0s5 5 10 0", "M 0 0 C 0 0 5 5 10 0"}, // no cubic before: the first control is the point
		{"M0 0Q5 10 10 0T20 0", "M 0 0 Q 5 10 10 0 Q 15 -10 20 0"},
		{"M0 0t10 0", "M 0 0 Q 0 0 10 0"},
		{"M0 0Q5 10 10 0L20 0T30 0", "M 0 0 Q 5 10 10 0 L 20 0 Q 20 0 30 0"}, // T after L: no reflection
		{"M.5.5L-.5-1e1", "M 0.5 0.5 L -0.5 -10"},                            // numbers without separators
		{"M1e2 1E-1", "M 100 0.1"},
		{"M0 0A10 10 0 0 1 20 0", "M 0 0 C 0 -5.523 4.477 -10 10 -10 C 15.523 -10 20 -5.523 20 0"},
		{"M0 0a10 10 0 0 0 20 0", "M 0 0 C 0 5.523 4.477 10 10 10 C 15.523 10 20 5.523 20 0"},
		{"M0 0A10 10 0 1120 0", "M 0 0 C 0 -5.523 4.477 -10 10 -10 C 15.523 -10 20 -5.523 20 0"}, // packed flags
		{"M0 0A0 10 0 0 1 20 0", "M 0 0 L 20 0"},                                                 // zero radius: a line
		{"M0 0A10 10 0 0 1 0 0", "M 0 0"},                                                        // same point: nothing
		{"M0 0A1 1 0 0 1 20 0", "M 0 0 C 0 -5.523 4.477 -10 10 -10 C 15.523 -10 20 -5.523 20 0"}, // radii scaled up
		{"  M 1 , 2\n\tL 3 4  ", "M 1 2 L 3 4"},
		{"", ""},
	} {
		p, err := svgpath.Parse(c.d)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.d, err)
			continue
		}
		if got := replay(p, 0, 0); got != c.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.d, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		d, prefix string
	}{
		{"L10 10", ""},                    // must start with a moveto
		{"10 10", ""},                     // no command
		{"M10 10 L20", "M 10 10"},         // missing coordinate: drawn up to the command in error
		{"M0 0 L1 1 X", "M 0 0 L 1 1"},    // unknown command
		{"M0 0 Z 5 5", "M 0 0 Z"},         // numbers after z
		{"M0 0A10 10 0 2 1 5 5", "M 0 0"}, // bad flag
		{"M1e999 0", ""},                  // overflow

		{"M0 0 L . 1", "M 0 0"},
		{"M0 0 L1e308 0 l1e308 0", "M 0 0 L +Inf 0"}, // the sum overflows
		{"M0 0 L1 1e", "M 0 0 L 1 1"},                // "1e": the e is not an exponent, so it is junk
	} {
		p, err := svgpath.Parse(c.d)
		var se *svgpath.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): err %v, want a SyntaxError", c.d, err)
		}
		if got := replay(p, 0, 0); got != c.prefix {
			t.Errorf("Parse(%q) prefix\n got %s\nwant %s", c.d, got, c.prefix)
		}
	}
	long := "M0 0" + strings.Repeat("L1 1", svgpath.MaxCmds)
	if p, err := svgpath.Parse(long); !errors.Is(err, svgpath.ErrTooLong) || len(p) > svgpath.MaxCmds {
		t.Errorf("Parse(long): %d commands, err %v", len(p), err)
	}
}

func TestReplayOffset(t *testing.T) {
	p, _ := svgpath.Parse("M0 0L10 0Q1 2 3 4C1 2 3 4 5 6Z")
	want := "M 100 50 L 110 50 Q 101 52 103 54 C 101 52 103 54 105 56 Z"
	if got := replay(p, 100, 50); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// TestArcOnEllipse: every point of an arc's flattening is on its ellipse
// (turned by phi, radii scaled up when too small) from the start to the
// end, bulging on the side the sweep flag says, the long way round when
// the large-arc flag is set. The centre is found independently: in the
// frame where the ellipse is a unit circle, the two centres of the circles
// through both end points.
func TestArcOnEllipse(t *testing.T) {
	for _, c := range []struct {
		rx, ry, phi  float64
		large, sweep bool
	}{{30, 20, 0, false, false}, {30, 20, 30, true, false}, {30, 20, -45, false, true}, {30, 20, 90, true, true}, {25, 25, 0, true, true}, {5, 5, 0, false, true}} {
		start, end := svgpath.Point{X: 0, Y: 0}, svgpath.Point{X: 40, Y: 10}
		d := fmt.Sprintf("M0 0A%g %g %g %d %d 40 10", c.rx, c.ry, c.phi, b2i(c.large), b2i(c.sweep))
		p, err := svgpath.Parse(d)
		if err != nil {
			t.Fatal(err)
		}
		pl := p.Flatten(0.01, 10000)
		if len(pl) != 1 || pl[0].Pts[0] != start || pl[0].Pts[len(pl[0].Pts)-1] != end {
			t.Fatalf("%s: flattening %v", d, pl)
		}
		sin, cos := math.Sincos(c.phi * math.Pi / 180)
		unit := func(q svgpath.Point) (float64, float64) { // to the unit-circle frame
			return (cos*q.X + sin*q.Y) / c.rx, (-sin*q.X + cos*q.Y) / c.ry
		}
		sx, sy := unit(start)
		ex, ey := unit(end)
		mx, my := (sx+ex)/2, (sy+ey)/2
		half := math.Hypot(ex-sx, ey-sy) / 2
		scale := max(1, half) // radii scaled up: the circle's radius
		h := math.Sqrt(max(0, scale*scale-half*half))
		nx, ny := -(ey-sy)/(2*half), (ex-sx)/(2*half)
		best := math.Inf(1)
		var centre [2]float64
		for _, sgn := range []float64{1, -1} {
			cx, cy := mx+sgn*h*nx, my+sgn*h*ny
			worst := 0.0
			for _, q := range pl[0].Pts {
				ux, uy := unit(q)
				worst = max(worst, math.Abs(math.Hypot(ux-cx, uy-cy)-scale))
			}
			if worst < best {
				best, centre = worst, [2]float64{cx, cy}
			}
		}
		if best > 0.002*scale {
			t.Errorf("%s: points %.4f off the ellipse", d, best)
		}
		mid := pl[0].Pts[len(pl[0].Pts)/2]
		side := func(x, y float64) float64 { return (ex-sx)*(y-sy) - (ey-sy)*(x-sx) }
		ux, uy := unit(mid)
		// Sweep 1 turns clockwise on screen (y down): from the start to
		// the end, the arc bulges to the left of the chord.
		if (side(ux, uy) < 0) != c.sweep {
			t.Errorf("%s: the arc bulges on the wrong side (%v)", d, mid)
		}
		if h > 1e-9 && ((side(ux, uy) < 0) == (side(centre[0], centre[1]) < 0)) != c.large {
			t.Errorf("%s: large flag not honoured (mid %v)", d, mid)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFlattenCircle: a circle's flattening stays within the tolerance of
// it (points on it, chords' midpoints inside by at most tol), closed.
func TestFlattenCircle(t *testing.T) {
	for _, tol := range []float64{1, 0.1, 0.01} {
		pl := svgpath.Ellipse(100, 100, 80, 80).Flatten(tol, 100000)
		if len(pl) != 1 || !pl[0].Closed {
			t.Fatalf("tol %g: %d polylines", tol, len(pl))
		}
		pts := pl[0].Pts
		for i, q := range pts {
			r := pts[(i+1)%len(pts)]
			mid := svgpath.Point{X: (q.X + r.X) / 2, Y: (q.Y + r.Y) / 2}
			// A cubic quarter circle is itself 0.027% off the circle.
			if d := math.Abs(math.Hypot(q.X-100, q.Y-100) - 80); d > 0.03 {
				t.Fatalf("tol %g: point %v %.3f off the circle", tol, q, d)
			}
			if d := 80 - math.Hypot(mid.X-100, mid.Y-100); d > tol+0.03 {
				t.Fatalf("tol %g: chord %v-%v %.3f inside the circle", tol, q, r, d)
			}
		}
		t.Logf("tol %g: %d points", tol, len(pts))
	}
}

func TestFlattenBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("M0 0")
	for range 2000 {
		b.WriteString("C0 5000 5000 5000 5000 0C5000 -5000 0 -5000 0 0")
	}
	p, err := svgpath.Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	const budget = 5000
	n := 0
	for _, pl := range p.Flatten(0.1, budget) {
		n += len(pl.Pts)
	}
	if n > budget+1 || n < budget/2 {
		t.Errorf("%d points for a budget of %d", n, budget)
	}
	// Straight lines and subpaths.
	pl := svgpath.Polygon([]svgpath.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}}, true).Flatten(0.1, 100)
	if len(pl) != 1 || len(pl[0].Pts) != 3 || !pl[0].Closed {
		t.Errorf("polygon: %+v (repeated points are left out)", pl)
	}
	p, _ = svgpath.Parse("M0 0L1 1M5 5M6 6L7 7Z")
	if pl := p.Flatten(0.1, 100); len(pl) != 2 || pl[0].Closed || !pl[1].Closed || len(pl[1].Pts) != 2 {
		t.Errorf("subpaths: %+v", pl)
	}
}

func TestRoundRectAndEllipse(t *testing.T) {
	lo, hi, ok := svgpath.RoundRect(10, 20, 100, 50, 80).Bounds()
	if !ok || lo != (svgpath.Point{X: 10, Y: 20}) || hi != (svgpath.Point{X: 110, Y: 70}) {
		t.Errorf("round rect bounds %v %v", lo, hi)
	}
	if got := replay(svgpath.RoundRect(0, 0, 10, 5, 0), 0, 0); got != "M 0 0 L 10 0 L 10 5 L 0 5 Z" {
		t.Errorf("square rect: %s", got)
	}
	lo, hi, _ = svgpath.Ellipse(50, 40, 30, 20).Bounds()
	if lo != (svgpath.Point{X: 20, Y: 20}) || hi != (svgpath.Point{X: 80, Y: 60}) {
		t.Errorf("ellipse bounds %v %v", lo, hi)
	}
}
