package svgpath

import "math"

// Polyline is one flattened subpath: its points, and whether it was
// closed (the segment back to the first point is implied, not repeated).
type Polyline struct {
	Pts    []Point
	Closed bool
}

// maxCurveSegments bounds the segments of one curve.
const maxCurveSegments = 1024

// Flatten turns p into polylines whose segments stray at most tol from
// the curves (Wang's bound on the second differences), with at most
// maxPoints points in all: once the budget is short, curves become their
// chords, and once it is spent the rest of the path is dropped. Repeated
// points are left out.
func (p Path) Flatten(tol float64, maxPoints int) []Polyline {
	if !(tol > 0) {
		tol = 0.1
	}
	var out []Polyline
	var cur *Polyline
	var at Point
	left := maxPoints
	add := func(q Point) bool {
		if cur == nil {
			out = append(out, Polyline{Pts: []Point{at}})
			cur = &out[len(out)-1]
			left--
		}
		if q == cur.Pts[len(cur.Pts)-1] {
			return true
		}
		if left <= 0 {
			return false
		}
		cur.Pts = append(cur.Pts, q)
		left--
		return true
	}
	for _, c := range p {
		switch c.Op {
		case MoveTo:
			if left <= 0 {
				return out
			}
			cur, at = nil, c.P[0]
			continue
		case Close:
			if cur != nil {
				cur.Closed = true
				at = cur.Pts[0]
			}
			cur = nil
			continue
		}
		p0 := at
		end := c.End()
		n := 1
		switch c.Op {
		case QuadTo:
			n = segments(1.0/4, dd(p0, c.P[0], c.P[1]), tol)
		case CubicTo:
			n = segments(3.0/4, max(dd(p0, c.P[0], c.P[1]), dd(c.P[0], c.P[1], c.P[2])), tol)
		}
		if n > left-1 {
			n = 1 // the budget is short: the chord
		}
		for i := 1; i < n; i++ {
			t := float64(i) / float64(n)
			var q Point
			if c.Op == QuadTo {
				q = quad(p0, c.P[0], c.P[1], t)
			} else {
				q = cubic(p0, c.P[0], c.P[1], c.P[2], t)
			}
			if !add(q) {
				return out
			}
		}
		if !add(end) {
			return out
		}
		at = end
	}
	return out
}

// dd is the length of the second difference a - 2b + c.
func dd(a, b, c Point) float64 { return math.Hypot(a.X-2*b.X+c.X, a.Y-2*b.Y+c.Y) }

// segments is Wang's count of segments for a curve whose largest second
// difference is m: ceil(sqrt(k * m / tol)), with k = d(d-1)/8 for degree d.
func segments(k, m, tol float64) int {
	v := math.Ceil(math.Sqrt(k * m / tol))
	if !(v >= 1) {
		return 1
	}
	return int(min(v, maxCurveSegments))
}

func quad(p0, p1, p2 Point, t float64) Point {
	u := 1 - t
	a, b, c := u*u, 2*u*t, t*t
	return Point{a*p0.X + b*p1.X + c*p2.X, a*p0.Y + b*p1.Y + c*p2.Y}
}

func cubic(p0, p1, p2, p3 Point, t float64) Point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return Point{a*p0.X + b*p1.X + c*p2.X + d*p3.X, a*p0.Y + b*p1.Y + c*p2.Y + d*p3.Y}
}

// kappa places the control points of a cubic quarter circle.
const kappa = 0.5522847498307936 // 4/3 (sqrt 2 - 1)

// Ellipse is the ellipse centred at (cx, cy) with radii rx, ry: four cubic
// quarters, clockwise from the rightmost point, closed.
func Ellipse(cx, cy, rx, ry float64) Path {
	kx, ky := rx*kappa, ry*kappa
	return Path{
		{Op: MoveTo, P: [3]Point{{cx + rx, cy}}},
		{Op: CubicTo, P: [3]Point{{cx + rx, cy + ky}, {cx + kx, cy + ry}, {cx, cy + ry}}},
		{Op: CubicTo, P: [3]Point{{cx - kx, cy + ry}, {cx - rx, cy + ky}, {cx - rx, cy}}},
		{Op: CubicTo, P: [3]Point{{cx - rx, cy - ky}, {cx - kx, cy - ry}, {cx, cy - ry}}},
		{Op: CubicTo, P: [3]Point{{cx + kx, cy - ry}, {cx + rx, cy - ky}, {cx + rx, cy}}},
		{Op: Close},
	}
}

// RoundRect is the rectangle x, y, w, h with corners of radius r (at most
// half the shorter side), clockwise from the top left, closed.
func RoundRect(x, y, w, h, r float64) Path {
	r = max(0, min(r, w/2, h/2))
	if r == 0 {
		return Polygon([]Point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}, true)
	}
	k := r * (1 - kappa)
	x1, y1 := x+w, y+h
	return Path{
		{Op: MoveTo, P: [3]Point{{x + r, y}}},
		{Op: LineTo, P: [3]Point{{x1 - r, y}}},
		{Op: CubicTo, P: [3]Point{{x1 - k, y}, {x1, y + k}, {x1, y + r}}},
		{Op: LineTo, P: [3]Point{{x1, y1 - r}}},
		{Op: CubicTo, P: [3]Point{{x1, y1 - k}, {x1 - k, y1}, {x1 - r, y1}}},
		{Op: LineTo, P: [3]Point{{x + r, y1}}},
		{Op: CubicTo, P: [3]Point{{x + k, y1}, {x, y1 - k}, {x, y1 - r}}},
		{Op: LineTo, P: [3]Point{{x, y + r}}},
		{Op: CubicTo, P: [3]Point{{x, y + k}, {x + k, y}, {x + r, y}}},
		{Op: Close},
	}
}

// Polygon is the polyline through pts, closed or not.
func Polygon(pts []Point, closed bool) Path {
	if len(pts) == 0 {
		return nil
	}
	out := make(Path, 0, len(pts)+1)
	out = append(out, Cmd{Op: MoveTo, P: [3]Point{pts[0]}})
	for _, q := range pts[1:] {
		out = append(out, Cmd{Op: LineTo, P: [3]Point{q}})
	}
	if closed {
		out = append(out, Cmd{Op: Close})
	}
	return out
}
