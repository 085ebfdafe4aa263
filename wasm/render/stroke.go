package render

import (
	"math"

	"github.com/fogleman/gg"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/svgpath"
)

// Strokes: gg (its freetype stroker) draws the caps, the round and bevel
// joins and the dashes. It has no miter join, and it caps a closed path
// where it starts. So a closed polyline is handed over starting and ending
// halfway along its first segment, where the two butt ends cancel exactly
// (an undashed stroke has no seam and a join at every corner), and a miter
// join is a bevel join plus, at each corner within SVG's miter limit, the
// quadrilateral from the corner to the miter's tip (filled in the same
// mask: it lies over the stroke but for the tip).

// strokeWidth is a stroke's width clamped to 0.5..200 px.
func strokeWidth(s *templates.Stroke) float64 {
	if !(s.Width > 0) {
		return 1
	}
	return max(0.5, min(s.Width, 200))
}

// strokePad is how far past its path a stroke may reach.
func strokePad(s *templates.Stroke) float64 {
	hw := strokeWidth(s) / 2
	switch {
	case s.Join == "" || s.Join == "miter":
		return hw * miterLimit
	case s.Cap == "square":
		return hw * math.Sqrt2
	}
	return hw
}

// strokeMask rasterises the stroke of polylines over area a.
func (c *card) strokeMask(a area, lines []svgpath.Polyline, s *templates.Stroke) *raster.Mask {
	hw := strokeWidth(s) / 2
	dash := dashes(s.Dash, lines)
	var runs [][]svgpath.Point // what gg strokes: open polylines
	for _, pl := range lines {
		pts := dedup(pl.Pts)
		if len(pts) < 2 {
			continue
		}
		if pl.Closed {
			if dash == nil {
				pts = fromMiddle(pts)
			} else {
				pts = append(pts, pts[0]) // the dashes start at the first point, as SVG's
			}
		}
		runs = append(runs, pts)
	}
	if len(runs) == 0 {
		return nil
	}
	miter := s.Join == "" || s.Join == "miter"
	return c.coverage(a, func(dc *gg.Context) {
		dc.SetLineWidth(2 * hw)
		switch s.Cap {
		case "round":
			dc.SetLineCap(gg.LineCapRound)
		case "square":
			dc.SetLineCap(gg.LineCapSquare)
		default:
			dc.SetLineCap(gg.LineCapButt)
		}
		if s.Join == "round" {
			dc.SetLineJoin(gg.LineJoinRound)
		} else {
			dc.SetLineJoin(gg.LineJoinBevel)
		}
		if dash != nil {
			dc.SetDash(dash...)
		}
		for _, run := range runs {
			dc.MoveTo(run[0].X, run[0].Y)
			for _, q := range run[1:] {
				dc.LineTo(q.X, q.Y)
			}
		}
		dc.Stroke()
		if !miter {
			return
		}
		tips := 0
		for _, run := range runs {
			tips += miterTips(dc, run, hw, dash)
		}
		if tips > 0 {
			dc.Fill()
		}
	})
}

// fromMiddle opens a closed polyline halfway along its longest segment
// (gg drops points very near each other: the middle of the longest is
// furthest from them): from there round to there. The segment's ends are
// moved to the nearest 1/32 px, so that both halves are the same vector in
// gg's 1/64 px (26.6) coordinates: the stroker's two butt ends there are
// then the very same edge, both ways, and cancel exactly.
func fromMiddle(pts []svgpath.Point) []svgpath.Point {
	n := len(pts)
	k, best := 0, -1.0
	for i := range n {
		a, b := pts[i], pts[(i+1)%n]
		if l := math.Hypot(b.X-a.X, b.Y-a.Y); l > best {
			k, best = i, l
		}
	}
	a, b := snap32(pts[k]), snap32(pts[(k+1)%n])
	m := svgpath.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	out := make([]svgpath.Point, 0, n+2)
	out = append(out, m)
	for i := 1; i <= n; i++ {
		out = append(out, pts[(k+i)%n])
	}
	out[1], out[n] = b, a
	return append(out, m)
}

func snap32(p svgpath.Point) svgpath.Point {
	return svgpath.Point{X: math.Round(p.X*32) / 32, Y: math.Round(p.Y*32) / 32}
}

// dedup drops points nearer than a quarter pixel to the previous one (gg's
// stroker drops those itself; a corner then has the segments gg sees).
func dedup(pts []svgpath.Point) []svgpath.Point {
	out := make([]svgpath.Point, 0, len(pts))
	for _, q := range pts {
		if n := len(out); n > 0 && math.Abs(q.X-out[n-1].X)+math.Abs(q.Y-out[n-1].Y) < 0.25 {
			continue
		}
		out = append(out, q)
	}
	return out
}

// dashes is a stroke's dash pattern made usable: nil (solid) for none, a
// negative or non-finite length, or a pattern of no length; an odd list
// repeated (as SVG does); stretched when the path would take more than
// maxDashes dashes.
func dashes(d []float64, lines []svgpath.Polyline) []float64 {
	if len(d) == 0 || len(d) > 16 {
		return nil
	}
	sum := 0.0
	for _, v := range d {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil
		}
		sum += v
	}
	if !(sum > 0) {
		return nil
	}
	out := append([]float64(nil), d...)
	if len(out)%2 == 1 {
		out = append(out, d...)
		sum *= 2
	}
	length := 0.0
	for _, pl := range lines {
		for i := 1; i < len(pl.Pts); i++ {
			length += math.Hypot(pl.Pts[i].X-pl.Pts[i-1].X, pl.Pts[i].Y-pl.Pts[i-1].Y)
		}
		if pl.Closed && len(pl.Pts) > 1 {
			length += math.Hypot(pl.Pts[0].X-pl.Pts[len(pl.Pts)-1].X, pl.Pts[0].Y-pl.Pts[len(pl.Pts)-1].Y)
		}
	}
	if n := length / sum * float64(len(out)); n > maxDashes {
		k := n / maxDashes
		for i := range out {
			out[i] *= k
		}
	}
	return out
}

// miterTips adds to dc's path, for each inner point of run where the
// stroke turns within the miter limit (and, dashed, inside a dash), the
// quadrilateral from the point through the outer corners of the bevel to
// the miter's tip. It returns how many it added.
func miterTips(dc *gg.Context, run []svgpath.Point, hw float64, dash []float64) int {
	n := 0
	at := 0.0 // length along the run
	for i := 1; i+1 < len(run); i++ {
		p0, p, p1 := run[i-1], run[i], run[i+1]
		l0 := math.Hypot(p.X-p0.X, p.Y-p0.Y)
		l1 := math.Hypot(p1.X-p.X, p1.Y-p.Y)
		at += l0
		if l0 == 0 || l1 == 0 || dash != nil && !inDash(dash, at) {
			continue
		}
		d0 := svgpath.Point{X: (p.X - p0.X) / l0, Y: (p.Y - p0.Y) / l0}
		d1 := svgpath.Point{X: (p1.X - p.X) / l1, Y: (p1.Y - p.Y) / l1}
		cos := d0.X*d1.X + d0.Y*d1.Y
		// Nearly straight: the bevel is the miter. The limit: the miter is
		// 1/sin(half the inner angle) = sqrt(2/(1+cos)) half widths long.
		if cos > 0.9999 || 2/(1+cos) > miterLimit*miterLimit {
			continue
		}
		// Normals, on the outer side of the turn.
		n0 := svgpath.Point{X: -d0.Y, Y: d0.X}
		n1 := svgpath.Point{X: -d1.Y, Y: d1.X}
		if n0.X*d1.X+n0.Y*d1.Y > 0 { // turning towards n0: the outside is opposite
			n0, n1 = svgpath.Point{X: -n0.X, Y: -n0.Y}, svgpath.Point{X: -n1.X, Y: -n1.Y}
		}
		k := hw / (1 + cos)
		dc.MoveTo(p.X, p.Y)
		dc.LineTo(p.X+hw*n0.X, p.Y+hw*n0.Y)
		dc.LineTo(p.X+k*(n0.X+n1.X), p.Y+k*(n0.Y+n1.Y))
		dc.LineTo(p.X+hw*n1.X, p.Y+hw*n1.Y)
		dc.ClosePath()
		n++
	}
	return n
}

// inDash reports whether the point at length at along a dashed run lies
// inside a dash, at least a quarter pixel from its ends (gg drops shorter
// pieces): a corner that close to a dash's end is left bevelled.
func inDash(dash []float64, at float64) bool {
	period := 0.0
	for _, v := range dash {
		period += v
	}
	pos := math.Mod(at, period)
	const margin = 0.25
	start := 0.0
	for i, v := range dash {
		if pos < start+v {
			return i%2 == 0 && pos-start >= margin && start+v-pos >= margin
		}
		start += v
	}
	return false
}
