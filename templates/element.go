package templates

import (
	"math"
	"slices"
	"strings"
)

// Kinds lists every element type.
var Kinds = []string{KindRect, KindText, KindPill, KindInitials, KindImage, KindStack,
	KindEllipse, KindLine, KindPolygon, KindPath}

// IsShape reports whether kind is one of format version 2's shapes.
func IsShape(kind string) bool {
	return kind == KindEllipse || kind == KindLine || kind == KindPolygon || kind == KindPath
}

// optional lists the fields that only some kinds have: given (non-zero) on
// another kind they are an error. check, when set, checks a given value.
var optional = []struct {
	name  string
	given func(*Element) bool
	kinds []string
	check func(c *checker, e *Element, at pointer)
}{
	{"fillGradient", func(e *Element) bool { return e.FillGradient != nil },
		[]string{KindRect, KindEllipse, KindPolygon, KindPath},
		func(c *checker, e *Element, at pointer) { c.gradient(at, e.FillGradient) }},
	{"stroke", func(e *Element) bool { return e.Stroke != nil },
		[]string{KindRect, KindEllipse, KindLine, KindPolygon, KindPath},
		func(c *checker, e *Element, at pointer) { c.stroke(at, e.Stroke) }},
	{"shadow", func(e *Element) bool { return e.Shadow != nil },
		[]string{KindRect, KindEllipse, KindLine, KindPolygon, KindPath, KindImage},
		func(c *checker, e *Element, at pointer) { c.shadow(at, e.Shadow) }},
	{"rotate", func(e *Element) bool { return e.Rotate != 0 },
		[]string{KindEllipse, KindLine, KindPolygon, KindPath, KindImage},
		func(c *checker, e *Element, at pointer) { between(c, at, e.Rotate, -360, 360) }},
	{"points", func(e *Element) bool { return len(e.Points) > 0 },
		[]string{KindLine, KindPolygon}, nil}, // checked with the kind
	{"path", func(e *Element) bool { return e.Path != "" },
		[]string{KindPath},
		func(c *checker, e *Element, at pointer) { c.pathData(at, e.Path) }},
	{"clip", func(e *Element) bool { return e.Clip != "" },
		[]string{KindImage},
		func(c *checker, e *Element, at pointer) { c.oneOf(at, e.Clip, "", "ellipse", "path") }},
	{"clipPath", func(e *Element) bool { return e.ClipPath != "" },
		[]string{KindImage},
		func(c *checker, e *Element, at pointer) {
			if e.Clip != "path" {
				c.ps.check(at, "only with \"clip\": \"path\"")
			} else {
				c.pathData(at, e.ClipPath)
			}
		}},
	{"letterSpacing", func(e *Element) bool { return e.LetterSpacing != 0 },
		[]string{KindText, KindPill},
		func(c *checker, e *Element, at pointer) { between(c, at, e.LetterSpacing, -20, 100) }},
	{"children", func(e *Element) bool { return len(e.Children) > 0 },
		[]string{KindStack}, nil}, // checked with the kind
}

// element checks one element at pointer at.
func (c *checker) element(e *Element, at pointer, inStack bool) {
	if e == nil {
		c.ps.check(at, "null")
		return
	}
	if !slices.Contains(Kinds, e.Type) {
		c.ps.check(at.key("type"), "%q: want one of %s", e.Type, strings.Join(Kinds, ", "))
		return
	}
	if inStack && e.Type != KindText && e.Type != KindPill && e.Type != KindRect {
		if e.Type == KindStack {
			c.ps.check(at, "stacks do not nest")
		} else {
			c.ps.check(at, "%s elements cannot be stacked (only text, pill and rect)", e.Type)
		}
		return
	}
	if e.If != "" {
		if c.param(e.If, ConditionParams) {
			c.used[e.If] = true
		} else {
			c.ps.check(at.key("if"), "unknown parameter %q", e.If)
		}
	}
	if !inStack {
		c.box(e, at.key("box"))
	}
	between(c, at.key("opacity"), e.Opacity, 0, 1)
	for _, f := range optional {
		switch {
		case !f.given(e):
		case !slices.Contains(f.kinds, e.Type):
			c.ps.check(at.key(f.name), "not allowed on %s elements (only on %s)", e.Type, strings.Join(f.kinds, ", "))
		case f.check != nil:
			f.check(c, e, at.key(f.name))
		}
	}
	switch e.Type {
	case KindRect:
		if inStack && (e.Box[3] <= 0 || e.Box[3] > c.h) {
			c.ps.check(at.key("box"), "a rect in a stack needs a height of 1-%d", c.h)
		}
		c.fill(e, at, e.FillGradient != nil)
		c.radius(e, at)
		c.oneOf(at.key("align"), e.Align, "", "left", "center", "right")
	case KindText, KindPill, KindInitials:
		c.text(e, at)
		if e.Type != KindText {
			c.fill(e, at, false)
		}
		if e.Type == KindInitials {
			c.used["avatar"] = true // the disc shows the avatar when one is given
		}
		between(c, at.key("padX"), e.PadX, 0, 200)
		between(c, at.key("padY"), e.PadY, 0, 200)
	case KindImage:
		c.image(e, at)
	case KindStack:
		c.stack(e, at)
	default:
		c.shape(e, at)
	}
}

// param reports whether name is a built-in parameter of the list or a
// declared field.
func (c *checker) param(name string, builtin []string) bool {
	_, field := c.t.Fields[name]
	return field || slices.Contains(builtin, name)
}

// box checks a top-level element's box: on the canvas (text, pills and
// stacks inside the safe zone), or, for shapes, within one canvas of it.
func (c *checker) box(e *Element, at pointer) {
	x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
	if IsShape(e.Type) {
		// Comparisons ordered so that huge values cannot overflow.
		if w <= 0 || h <= 0 || x < -c.w || y < -c.h || x > 2*c.w || y > 2*c.h || w > 2*c.w-x || h > 2*c.h-y {
			c.ps.check(at, "%v: a shape's box must lie within x %d..%d, y %d..%d (one canvas around the %dx%d canvas)",
				e.Box, -c.w, 2*c.w, -c.h, 2*c.h, c.w, c.h)
		}
		return
	}
	// w > c.w-x rather than x+w > c.w: huge values must not overflow.
	if x < 0 || y < 0 || w <= 0 || h <= 0 || w > c.w-x || h > c.h-y {
		c.ps.check(at, "%v: must lie inside the %dx%d canvas", e.Box, c.w, c.h)
		return
	}
	m := SafeMargin
	inSafeZone := x >= m && y >= m && x+w <= c.w-m && y+h <= c.h-m
	switch {
	case inSafeZone:
	case e.Type == KindText || e.Type == KindPill:
		c.ps.check(at, "%v: text must keep %d px from every edge", e.Box, m)
	case e.Type == KindStack:
		c.ps.check(at, "%v: a stack must keep %d px from every edge", e.Box, m)
	}
}

// fill checks fill (which may be empty with mayBeEmpty) and the two-colour
// gradient.
func (c *checker) fill(e *Element, at pointer, mayBeEmpty bool) {
	if !mayBeEmpty || e.Fill != "" {
		c.color(at.key("fill"), e.Fill)
	}
	switch e.Gradient {
	case "":
	case "horizontal", "vertical":
		c.color(at.key("fill2"), e.Fill2)
	default:
		c.ps.check(at.key("gradient"), "%q: want horizontal or vertical", e.Gradient)
	}
}

func (c *checker) radius(e *Element, at pointer) {
	if e.Radius < 0 {
		c.ps.check(at.key("radius"), "%d: must be >= 0", e.Radius)
	}
}

func (c *checker) text(e *Element, at pointer) {
	if e.Text == "" {
		c.ps.check(at.key("text"), "empty")
	}
	e.placeholders = Placeholders(e.Text)
	for _, p := range e.placeholders {
		if c.param(p, TextParams) {
			c.used[p] = true
		} else {
			c.ps.check(at.key("text"), "unknown placeholder {%s}", p)
		}
	}
	c.color(at.key("color"), e.Color)
	if e.Size[0] < 8 || e.Size[1] < e.Size[0] || e.Size[1] > 200 {
		c.ps.check(at.key("size"), "%v: want [min, max] with 8 <= min <= max <= 200", e.Size)
	}
	if e.LineHeight != 0 && (e.LineHeight < 0.8 || e.LineHeight > 3) {
		c.ps.check(at.key("lineHeight"), "%v: want 0.8..3", e.LineHeight)
	}
	if e.MaxLines < 0 || e.MaxLines > 12 {
		c.ps.check(at.key("maxLines"), "%d: want 0..12 (0 = 1)", e.MaxLines)
	}
	c.oneOf(at.key("weight"), e.Weight, "", "regular", "bold")
	c.oneOf(at.key("align"), e.Align, "", "left", "center", "right", "start", "end")
	c.oneOf(at.key("valign"), e.VAlign, "", "top", "middle", "bottom")
	c.oneOf(at.key("transform"), e.Transform, "", "upper")
	c.oneOf(at.key("wrap"), e.Wrap, "", "balance")
}

// AssetPrefix starts an image Src naming one of the template's assets.
const AssetPrefix = "asset:"

func (c *checker) image(e *Element, at pointer) {
	switch name, isAsset := strings.CutPrefix(e.Src, AssetPrefix); {
	case slices.Contains(ImageParams, e.Src):
		c.used[e.Src] = true
	case isAsset:
		if _, ok := c.t.Assets[name]; ok {
			c.assetsUsed[name] = true
		} else {
			c.ps.check(at.key("src"), "%q: the template has no asset %q", e.Src, name)
		}
	default:
		c.ps.check(at.key("src"), "%q: want avatar, logo or asset:<name>", e.Src)
	}
	c.radius(e, at)
	c.oneOf(at.key("fit"), e.Fit, "", "contain", "cover")
	c.oneOf(at.key("align"), e.Align, "", "left", "center", "right")
	c.oneOf(at.key("valign"), e.VAlign, "", "top", "middle", "bottom")
	if e.Clip == "path" && e.ClipPath == "" {
		c.ps.check(at.key("clipPath"), "required with \"clip\": \"path\"")
	}
}

func (c *checker) stack(e *Element, at pointer) {
	c.oneOf(at.key("anchor"), e.Anchor, "", "top", "middle", "bottom")
	between(c, at.key("gap"), e.Gap, 0, 200)
	if n := len(e.Children); n == 0 || n > c.o.Limits.MaxChildren {
		c.ps.check(at.key("children"), "%d children; want 1-%d", n, c.o.Limits.MaxChildren)
	}
	for i, child := range e.Children {
		if c.ps.full() {
			return
		}
		c.element(child, at.key("children").index(i), true)
	}
}

// shape checks what an ellipse, line, polygon or path draws.
func (c *checker) shape(e *Element, at pointer) {
	if e.Gradient != "" || e.Fill2 != "" {
		c.ps.check(at.key("gradient"), "only rects have the two-colour gradient (gradient, fill2); use fillGradient")
	}
	if e.Type == KindLine {
		if e.Stroke == nil {
			c.ps.check(at.key("stroke"), "required: a line is drawn by its stroke")
		}
		if e.Fill != "" {
			c.ps.check(at.key("fill"), "a line has no inside to fill; give it a stroke")
		}
		c.points(e, at.key("points"), 2, 2)
		return
	}
	if e.Fill != "" {
		c.color(at.key("fill"), e.Fill)
	} else if e.FillGradient == nil && e.Stroke == nil {
		c.ps.check(at, "%s elements need a fill, a fillGradient or a stroke", e.Type)
	}
	switch e.Type {
	case KindPolygon:
		c.points(e, at.key("points"), 3, MaxPoints)
	case KindPath:
		if e.Path == "" {
			c.ps.check(at.key("path"), "required: SVG path data")
		}
	}
}

// points checks a line's or polygon's points: their count, and each
// coordinate (relative to the box) within -2x..3x the canvas.
func (c *checker) points(e *Element, at pointer, lo, hi int) {
	switch n := len(e.Points); {
	case lo == hi && n != lo:
		c.ps.check(at, "%d points; a %s has exactly %d", n, e.Type, lo)
	case n < lo || n > hi:
		c.ps.check(at, "%d points; want %d..%d", n, lo, hi)
	}
	for i, p := range e.Points {
		for j, v := range p {
			side := c.w
			if j == 1 {
				side = c.h
			}
			if math.IsNaN(v) || v < float64(-2*side) || v > float64(3*side) {
				c.ps.check(at.index(i).index(j), "%v: want %d..%d", v, -2*side, 3*side)
			}
		}
		if c.ps.full() {
			return
		}
	}
}

// pathData checks SVG path data.
func (c *checker) pathData(at pointer, d string) {
	if err := ValidPathData(d); err != nil {
		c.ps.check(at, "%v", err)
	}
}
