// Package svgpath parses SVG path data (the d attribute: M L H V C S Q T A
// Z, absolute and relative, with implicit repeats) into a short list of
// absolute commands — move, line, quadratic, cubic, close; arcs become
// cubic Béziers — that can be replayed into a 2D context such as a
// gg.Context, and flattened into polylines within a point budget.
package svgpath

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Op is a command of a parsed path.
type Op uint8

// The commands: MoveTo, LineTo, QuadTo and CubicTo take 1, 1, 2 and 3
// points (control points first, the end point last); Close none.
const (
	MoveTo Op = iota
	LineTo
	QuadTo
	CubicTo
	Close
)

// Point is a point in the path's coordinates.
type Point struct{ X, Y float64 }

// Cmd is one command with its points (P[:Op.Points()]).
type Cmd struct {
	Op Op
	P  [3]Point
}

// Points is the number of points a command of op takes.
func (op Op) Points() int {
	switch op {
	case MoveTo, LineTo:
		return 1
	case QuadTo:
		return 2
	case CubicTo:
		return 3
	}
	return 0
}

// End is the point a command ends at (the zero point for Close).
func (c Cmd) End() Point {
	if n := c.Op.Points(); n > 0 {
		return c.P[n-1]
	}
	return Point{}
}

// Path is a parsed path. Every subpath starts with a MoveTo.
type Path []Cmd

// MaxCmds bounds the commands Parse returns; longer data is an error.
const MaxCmds = 1 << 14

// ErrTooLong: the path data has more than MaxCmds commands.
var ErrTooLong = errors.New("svgpath: too many commands")

// Sink receives a path's commands; *gg.Context is one.
type Sink interface {
	MoveTo(x, y float64)
	LineTo(x, y float64)
	QuadraticTo(x1, y1, x2, y2 float64)
	CubicTo(x1, y1, x2, y2, x3, y3 float64)
	ClosePath()
}

// Replay sends p to s, every point moved by (dx, dy).
func (p Path) Replay(s Sink, dx, dy float64) {
	for _, c := range p {
		q := c.P
		for i := range q {
			q[i].X += dx
			q[i].Y += dy
		}
		switch c.Op {
		case MoveTo:
			s.MoveTo(q[0].X, q[0].Y)
		case LineTo:
			s.LineTo(q[0].X, q[0].Y)
		case QuadTo:
			s.QuadraticTo(q[0].X, q[0].Y, q[1].X, q[1].Y)
		case CubicTo:
			s.CubicTo(q[0].X, q[0].Y, q[1].X, q[1].Y, q[2].X, q[2].Y)
		case Close:
			s.ClosePath()
		}
	}
}

// Map returns p with f applied to every point (an affine f maps the
// curves exactly).
func (p Path) Map(f func(Point) Point) Path {
	out := make(Path, len(p))
	for i, c := range p {
		for k := range c.Op.Points() {
			c.P[k] = f(c.P[k])
		}
		out[i] = c
	}
	return out
}

// Bounds returns the box of every point of p, control points included (so
// it holds the curves); ok is false for a path without points.
func (p Path) Bounds() (lo, hi Point, ok bool) {
	lo = Point{math.Inf(1), math.Inf(1)}
	hi = Point{math.Inf(-1), math.Inf(-1)}
	for _, c := range p {
		for _, q := range c.P[:c.Op.Points()] {
			lo.X, lo.Y = min(lo.X, q.X), min(lo.Y, q.Y)
			hi.X, hi.Y = max(hi.X, q.X), max(hi.Y, q.Y)
			ok = true
		}
	}
	return lo, hi, ok
}

// SyntaxError is malformed path data at byte Offset. Parse returns the
// commands before it with it, as SVG renderers draw a path up to its
// first error.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("svgpath: at byte %d: %s", e.Offset, e.Msg) }

// Parse parses SVG path data. On an error it returns the path up to the
// command in error, and the error.
func Parse(d string) (Path, error) {
	ps := parser{s: d}
	return ps.parse()
}

type parser struct {
	s   string
	i   int
	out Path
	cur Point // current point
	sub Point // start of the current subpath
	// ctrl is the last control point of the previous command when it was a
	// cubic (for S) or a quadratic (for T): its kind in ctrlOp.
	ctrl   Point
	ctrlOp byte
	open   bool // a subpath has been started (MoveTo emitted)
}

func (p *parser) fail(msg string) error { return &SyntaxError{Offset: p.i, Msg: msg} }

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\f':
			p.i++
		default:
			return
		}
	}
}

// skipSep skips white space and at most one comma.
func (p *parser) skipSep() {
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.skipSpace()
	}
}

// atNumber reports whether a number starts at the current position.
func (p *parser) atNumber() bool {
	if p.i >= len(p.s) {
		return false
	}
	c := p.s[p.i]
	return c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+'
}

// number reads a number (SVG's grammar: sign, digits, fraction, exponent)
// and the separator after it.
func (p *parser) number() (float64, error) {
	start := p.i
	i := p.i
	if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
		i++
		digits++
	}
	if i < len(p.s) && p.s[i] == '.' {
		i++
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, p.fail("want a number")
	}
	if i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		j := i + 1
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		k := j
		for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
			k++
		}
		if k > j { // an exponent needs digits; else the 'e' is not ours
			i = k
		}
	}
	v, err := parseFloat(p.s[start:i])
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, p.fail("number out of range")
	}
	p.i = i
	p.skipSep()
	return v, nil
}

// flag reads an arc flag: a single 0 or 1, which needs no separator.
func (p *parser) flag() (bool, error) {
	if p.i >= len(p.s) || p.s[p.i] != '0' && p.s[p.i] != '1' {
		return false, p.fail("want a flag (0 or 1)")
	}
	f := p.s[p.i] == '1'
	p.i++
	p.skipSep()
	return f, nil
}

// numbers reads n numbers into v.
func (p *parser) numbers(v []float64) error {
	for k := range v {
		x, err := p.number()
		if err != nil {
			return err
		}
		v[k] = x
	}
	return nil
}

func (p *parser) emit(c Cmd) error {
	if len(p.out) >= MaxCmds {
		return ErrTooLong
	}
	for _, q := range c.P[:c.Op.Points()] {
		if math.IsInf(q.X, 0) || math.IsInf(q.Y, 0) || math.IsNaN(q.X) || math.IsNaN(q.Y) {
			return p.fail("coordinate out of range")
		}
	}
	p.out = append(p.out, c)
	return nil
}

func (p *parser) parse() (Path, error) {
	p.skipSpace()
	var cmd byte
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return p.out, nil
		}
		start := p.i
		if c := p.s[p.i]; isCommand(c) {
			cmd = c
			p.i++
			p.skipSpace()
		} else if cmd == 0 || cmd == 'Z' || cmd == 'z' || !p.atNumber() {
			return p.out, p.fail(fmt.Sprintf("unexpected %q", c))
		}
		if cmd != 'M' && cmd != 'm' && len(p.out) == 0 {
			return p.out, p.fail("path data must start with M or m")
		}
		n := len(p.out)
		if err := p.command(cmd); err != nil {
			p.out = p.out[:n] // the command in error is not drawn
			return p.out, err
		}
		if p.i == start {
			return p.out, p.fail("no progress") // cannot happen; never loop
		}
		// After a moveto, further coordinate pairs are linetos.
		switch cmd {
		case 'M':
			cmd = 'L'
		case 'm':
			cmd = 'l'
		}
	}
}

func isCommand(c byte) bool {
	switch c {
	case 'M', 'm', 'L', 'l', 'H', 'h', 'V', 'v', 'C', 'c', 'S', 's', 'Q', 'q', 'T', 't', 'A', 'a', 'Z', 'z':
		return true
	}
	return false
}

// command reads the arguments of one command and emits it.
func (p *parser) command(cmd byte) error {
	rel := cmd >= 'a'
	base := Point{}
	if rel {
		base = p.cur
	}
	at := func(x, y float64) Point { return Point{base.X + x, base.Y + y} }
	// A drawing command right after a close starts its subpath at the
	// close's point, with a moveto of its own.
	if cmd != 'M' && cmd != 'm' && cmd != 'Z' && cmd != 'z' && !p.open {
		if err := p.emit(Cmd{Op: MoveTo, P: [3]Point{p.cur}}); err != nil {
			return err
		}
		p.open = true
	}
	var v [7]float64
	ctrl, ctrlOp := Point{}, byte(0)
	switch cmd {
	case 'M', 'm':
		if err := p.numbers(v[:2]); err != nil {
			return err
		}
		pt := at(v[0], v[1])
		if err := p.emit(Cmd{Op: MoveTo, P: [3]Point{pt}}); err != nil {
			return err
		}
		p.cur, p.sub, p.open = pt, pt, true
	case 'L', 'l':
		if err := p.numbers(v[:2]); err != nil {
			return err
		}
		if err := p.lineTo(at(v[0], v[1])); err != nil {
			return err
		}
	case 'H', 'h':
		if err := p.numbers(v[:1]); err != nil {
			return err
		}
		if err := p.lineTo(Point{base.X + v[0], p.cur.Y}); err != nil {
			return err
		}
	case 'V', 'v':
		if err := p.numbers(v[:1]); err != nil {
			return err
		}
		if err := p.lineTo(Point{p.cur.X, base.Y + v[0]}); err != nil {
			return err
		}
	case 'C', 'c', 'S', 's':
		c1 := p.cur
		k := 0
		if cmd == 'C' || cmd == 'c' {
			if err := p.numbers(v[:6]); err != nil {
				return err
			}
			c1, k = at(v[0], v[1]), 2
		} else {
			if err := p.numbers(v[:4]); err != nil {
				return err
			}
			if p.ctrlOp == 'C' {
				c1 = Point{2*p.cur.X - p.ctrl.X, 2*p.cur.Y - p.ctrl.Y}
			}
		}
		c2, end := at(v[k], v[k+1]), at(v[k+2], v[k+3])
		if err := p.emit(Cmd{Op: CubicTo, P: [3]Point{c1, c2, end}}); err != nil {
			return err
		}
		p.cur, ctrl, ctrlOp = end, c2, 'C'
	case 'Q', 'q', 'T', 't':
		c1 := p.cur
		var end Point
		if cmd == 'Q' || cmd == 'q' {
			if err := p.numbers(v[:4]); err != nil {
				return err
			}
			c1, end = at(v[0], v[1]), at(v[2], v[3])
		} else {
			if err := p.numbers(v[:2]); err != nil {
				return err
			}
			if p.ctrlOp == 'Q' {
				c1 = Point{2*p.cur.X - p.ctrl.X, 2*p.cur.Y - p.ctrl.Y}
			}
			end = at(v[0], v[1])
		}
		if err := p.emit(Cmd{Op: QuadTo, P: [3]Point{c1, end}}); err != nil {
			return err
		}
		p.cur, ctrl, ctrlOp = end, c1, 'Q'
	case 'A', 'a':
		if err := p.numbers(v[:3]); err != nil {
			return err
		}
		large, err := p.flag()
		if err != nil {
			return err
		}
		sweep, err := p.flag()
		if err != nil {
			return err
		}
		if err := p.numbers(v[3:5]); err != nil {
			return err
		}
		end := at(v[3], v[4])
		if err := p.arc(v[0], v[1], v[2], large, sweep, end); err != nil {
			return err
		}
		p.cur = end
	case 'Z', 'z':
		if p.open {
			if err := p.emit(Cmd{Op: Close}); err != nil {
				return err
			}
		}
		p.cur, p.open = p.sub, false
	}
	p.ctrl, p.ctrlOp = ctrl, ctrlOp
	return nil
}

func (p *parser) lineTo(pt Point) error {
	if err := p.emit(Cmd{Op: LineTo, P: [3]Point{pt}}); err != nil {
		return err
	}
	p.cur = pt
	return nil
}

// arc emits the elliptical arc from the current point to end as cubic
// Béziers of at most 90 degrees each (SVG 1.1 appendix F.6).
func (p *parser) arc(rx, ry, phiDeg float64, large, sweep bool, end Point) error {
	for _, c := range Arc(p.cur, rx, ry, phiDeg, large, sweep, end) {
		if err := p.emit(c); err != nil {
			return err
		}
	}
	return nil
}

// Arc returns the SVG elliptical arc from start to end (radii rx, ry, the
// ellipse turned by phiDeg degrees, the large-arc and sweep flags) as at
// most four cubic Béziers, or one line when a radius is zero, or nothing
// when the end is the start.
func Arc(start Point, rx, ry, phiDeg float64, large, sweep bool, end Point) []Cmd {
	if start == end {
		return nil
	}
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 {
		return []Cmd{{Op: LineTo, P: [3]Point{end}}}
	}
	phi := math.Mod(phiDeg, 360) * math.Pi / 180
	sin, cos := math.Sincos(phi)
	// F.6.5.1: the midpoint in the ellipse's frame.
	dx, dy := (start.X-end.X)/2, (start.Y-end.Y)/2
	x1 := cos*dx + sin*dy
	y1 := -sin*dx + cos*dy
	// F.6.6: radii too small for the endpoints are scaled up.
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		s := math.Sqrt(l)
		rx, ry = rx*s, ry*s
	}
	// F.6.5.2: the centre in the ellipse's frame.
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	k := 0.0
	if den > 0 && num > 0 {
		k = math.Sqrt(num / den)
	}
	if large == sweep {
		k = -k
	}
	cx1, cy1 := k*rx*y1/ry, -k*ry*x1/rx
	// F.6.5.3: the centre.
	cx := cos*cx1 - sin*cy1 + (start.X+end.X)/2
	cy := sin*cx1 + cos*cy1 + (start.Y+end.Y)/2
	// F.6.5.5-6: start angle and sweep.
	ux, uy := (x1-cx1)/rx, (y1-cy1)/ry
	vx, vy := (-x1-cx1)/rx, (-y1-cy1)/ry
	theta := math.Atan2(uy, ux)
	delta := math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
	if !sweep && delta > 0 {
		delta -= 2 * math.Pi
	} else if sweep && delta < 0 {
		delta += 2 * math.Pi
	}
	if math.IsNaN(delta) || math.IsNaN(theta) || math.IsNaN(cx) || math.IsNaN(cy) {
		return []Cmd{{Op: LineTo, P: [3]Point{end}}}
	}
	n := int(math.Ceil(math.Abs(delta)/(math.Pi/2) - 1e-9))
	n = max(1, min(n, 4))
	step := delta / float64(n)
	t := 4.0 / 3 * math.Tan(step/4)
	// onEllipse maps an angle on the unit circle to the ellipse, and its
	// derivative direction scaled by t.
	pt := func(a float64) (Point, Point) {
		sa, ca := math.Sincos(a)
		x, y := rx*ca, ry*sa
		tx, ty := -rx*sa*t, ry*ca*t
		return Point{cos*x - sin*y + cx, sin*x + cos*y + cy}, Point{cos*tx - sin*ty, sin*tx + cos*ty}
	}
	out := make([]Cmd, 0, n)
	a := theta
	p0, d0 := pt(a)
	for i := range n {
		b := a + step
		p1, d1 := pt(b)
		if i == n-1 {
			p1 = end // exactly the end point, not its rounding
		}
		out = append(out, Cmd{Op: CubicTo, P: [3]Point{{p0.X + d0.X, p0.Y + d0.Y}, {p1.X - d1.X, p1.Y - d1.Y}, p1}})
		a, p0, d0 = b, p1, d1
	}
	return out
}

// parseFloat parses a number the parser has delimited; an underflow is
// the nearest value (zero), an overflow an error.
func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(v, 0) {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, nil
		}
	}
	return v, err
}
