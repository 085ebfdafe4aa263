package templates

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinCanvasSide is the narrowest canvas side a template may ask for.
const MinCanvasSide = 200

// MaxDisplayName is the longest name of a custom template, in characters.
const MaxDisplayName = 64

// checker checks a decoded template, adding problems as it goes.
type checker struct {
	ps         *problems
	o          Options
	t          *Template
	w, h       int             // the canvas
	used       map[string]bool // parameters shown or tested
	assetsUsed map[string]bool
}

// template checks the whole template and fills in its Params.
func (c *checker) template() {
	t := c.t
	c.name()
	switch {
	case c.o.Custom && t.Version < 0:
		c.ps.check("/version", "%d: must be >= 0", t.Version)
	case !c.o.Custom && t.Version < 1:
		c.ps.check("/version", "%d: must be >= 1", t.Version)
	}
	c.color("/background", t.Background)
	c.canvas()
	if t.BackgroundGradient != nil {
		c.gradient("/backgroundGradient", t.BackgroundGradient)
	}
	c.fields()
	if n := len(t.Elements); n == 0 || n > c.o.Limits.MaxElements {
		c.ps.check("/elements", "%d elements; want 1-%d", n, c.o.Limits.MaxElements)
	}
	for i, e := range t.Elements {
		if c.ps.full() {
			break
		}
		c.element(e, pointer("/elements").index(i), false)
	}
	c.assets()
	if !c.used["title"] {
		c.derived("", "the template never shows {title}")
	}
	for _, name := range sortedKeys(t.Fields) {
		if !c.used[name] {
			c.derived(pointer("/fields").key(name), "declared but never used: show it as {%s} in a text or test it with \"if\"", name)
		}
	}
	for p := range c.used {
		t.Params = append(t.Params, p)
	}
	sort.Strings(t.Params)
}

// derived adds a problem found from the template as a whole, which a value
// of the wrong type may have caused (a text that did not decode never shows
// its placeholders): it is left out when there are such values.
func (c *checker) derived(at pointer, format string, args ...any) {
	if len(c.ps.badType) == 0 {
		c.ps.check(at, format, args...)
	}
}

func (c *checker) name() {
	name := c.t.Name
	if !c.o.Custom {
		if !isTemplateName(name) {
			c.ps.check("/name", "%q: want 1-32 of [a-z0-9_-], starting with a letter", name)
		}
		return
	}
	if n := utf8.RuneCountInString(name); n > MaxDisplayName {
		c.ps.check("/name", "%d characters; at most %d", n, MaxDisplayName)
	}
	if i := strings.IndexFunc(name, isControl); i >= 0 {
		c.ps.check("/name", "control character %U at byte %d", []rune(name[i:])[0], i)
	}
}

// isControl reports control characters and bidi controls, which a display
// name must not contain.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		'\u202a' <= r && r <= '\u202e' || '\u2066' <= r && r <= '\u2069'
}

// canvas checks the canvas size and sets c.w and c.h (a bad side counts as
// the default one, so boxes are still checked sensibly).
func (c *checker) canvas() {
	c.w, c.h = c.t.Size()
	ok := true
	for _, s := range []struct {
		at  pointer
		v   int
		dst *int
		def int
	}{{"/width", c.t.Width, &c.w, Width}, {"/height", c.t.Height, &c.h, Height}} {
		if s.v != 0 && (s.v < MinCanvasSide || s.v > MaxCanvasSide) {
			c.ps.check(s.at, "%d: want %d..%d px (0 = %d)", s.v, MinCanvasSide, MaxCanvasSide, s.def)
			*s.dst, ok = s.def, false
		}
	}
	if ok && c.w*c.h > MaxCanvasPixels {
		c.ps.check("/height", "a %dx%d canvas has %d px; at most %d", c.w, c.h, c.w*c.h, MaxCanvasPixels)
	}
}

// color checks a colour field.
func (c *checker) color(at pointer, s string) {
	if err := checkColor(s); err != nil {
		c.ps.check(at, "%v", err)
	}
}

// ColorRefs are the names a colour field may use besides "#rrggbb".
var ColorRefs = []string{"bg", "surface", "accent", "text"}

func checkColor(s string) error {
	if slices.Contains(ColorRefs, s) || strings.HasPrefix(s, "#") && IsHexColor(s[1:]) {
		return nil
	}
	return fmt.Errorf("%q: want bg, surface, accent, text or #rrggbb", s)
}

// oneOf checks that v is one of ok (whose first entry is "", the default).
func (c *checker) oneOf(at pointer, v string, ok ...string) {
	if !slices.Contains(ok, v) {
		c.ps.check(at, "%q is not one of %q", v, ok[1:])
	}
}

// between checks that lo <= v <= hi.
func between[N int | float64](c *checker, at pointer, v, lo, hi N) {
	if v < lo || v > hi {
		c.ps.check(at, "%v: want %v..%v", v, lo, hi)
	}
}
