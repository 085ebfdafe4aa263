package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Template is one card design: a background and a list of elements drawn in order.
// The JSON format is documented in templates/README.md.
type Template struct {
	Name        string     `json:"name"`
	Version     int        `json:"version"`
	Description string     `json:"description"`
	Background  string     `json:"background"`
	Elements    []*Element `json:"elements"`

	// Format version 2 (v2.go): canvas size, a gradient background,
	// custom text fields and image assets (name -> "data:image/png;base64,…"
	// or image/jpeg).
	Width              int               `json:"width,omitempty"`
	Height             int               `json:"height,omitempty"`
	BackgroundGradient *Gradient         `json:"backgroundGradient,omitempty"`
	Fields             map[string]Field  `json:"fields,omitempty"`
	Assets             map[string]string `json:"assets,omitempty"`

	// Params lists the request parameters the template shows, derived from its
	// placeholders and conditions (filled in by Parse).
	Params []string `json:"-"`
}

// Element kinds.
const (
	KindRect     = "rect"     // a filled, optionally rounded, rectangle (or gradient)
	KindText     = "text"     // wrapped, shrunk and clamped text in a box
	KindPill     = "pill"     // one line of text on a rounded background sized to it
	KindInitials = "initials" // a disc with the initials of a text (e.g. the author)
	KindStack    = "stack"    // children laid out top to bottom inside a box
	KindImage    = "image"    // a fetched image (the avatar or the logo) fitted into a box
)

// ImageParams are the parameters naming images an image element may show.
var ImageParams = []string{"avatar", "logo"}

// Element is one drawing instruction. Which fields apply depends on Type.
type Element struct {
	Type string `json:"type"`
	// If names a parameter; the element is drawn only when it is non-empty.
	If string `json:"if,omitempty"`
	// Box is x, y, width, height in canvas pixels. Inside a stack x and y come
	// from the stack; a rect keeps its height and its width (0 or wider than
	// the stack = the stack's width); a pill or rect honours Align.
	Box [4]int `json:"box"`

	// Shapes.
	Radius   int     `json:"radius,omitempty"`
	Fill     string  `json:"fill,omitempty"`
	Fill2    string  `json:"fill2,omitempty"`    // with Gradient: the end colour
	Gradient string  `json:"gradient,omitempty"` // "", "horizontal" or "vertical"
	Opacity  float64 `json:"opacity,omitempty"`  // 0 means opaque

	// Format version 2 (v2.go): gradients, strokes, shadows, rotation,
	// shapes' points and path data, image clips.
	FillGradient  *Gradient    `json:"fillGradient,omitempty"`
	Stroke        *Stroke      `json:"stroke,omitempty"`
	Shadow        *Shadow      `json:"shadow,omitempty"`
	Rotate        float64      `json:"rotate,omitempty"`
	Points        [][2]float64 `json:"points,omitempty"`
	Path          string       `json:"path,omitempty"`
	Clip          string       `json:"clip,omitempty"`     // "", "ellipse" or "path" (images)
	ClipPath      string       `json:"clipPath,omitempty"` // SVG path data for Clip "path"
	LetterSpacing float64      `json:"letterSpacing,omitempty"`

	// Text.
	Text       string  `json:"text,omitempty"`   // literal text with {param} placeholders
	Family     string  `json:"family,omitempty"` // "" = the requested font family
	Weight     string  `json:"weight,omitempty"` // "regular" (default) or "bold"
	Size       [2]int  `json:"size,omitempty"`   // [min, max] font size in px
	LineHeight float64 `json:"lineHeight,omitempty"`
	MaxLines   int     `json:"maxLines,omitempty"`
	// Align: left (default), center, right, or, for text, start and end,
	// which follow the paragraph's direction (start is right for Arabic).
	Align  string `json:"align,omitempty"`
	VAlign string `json:"valign,omitempty"` // top (default), middle, bottom
	// Wrap: "" (greedy: fill each line) or "balance" (lines as even as the
	// line count allows, as CSS text-wrap: balance).
	Wrap      string `json:"wrap,omitempty"`
	Color     string `json:"color,omitempty"`
	Transform string `json:"transform,omitempty"` // "", "upper"
	PadX      int    `json:"padX,omitempty"`
	PadY      int    `json:"padY,omitempty"`

	// Image: Src names the image parameter (avatar or logo); Fit is
	// "contain" (default: all of it, aligned by Align and VAlign) or "cover"
	// (fills the box, centred and cropped). An initials element shows the
	// avatar instead of the initials when the request carries one.
	Src string `json:"src,omitempty"`
	Fit string `json:"fit,omitempty"`

	// Stack.
	Gap      int        `json:"gap,omitempty"`
	Anchor   string     `json:"anchor,omitempty"` // top (default), middle, bottom
	Children []*Element `json:"children,omitempty"`

	placeholders []string // parameter names in Text, found by Parse
}

// Placeholders returns the parameter names Text refers to as {name}.
func (e *Element) Placeholders() []string { return e.placeholders }

// TextParams are the request parameters a template may place in text.
var TextParams = []string{"title", "description", "tag", "author"}

// ConditionParams are the parameters an element may be conditional on.
var ConditionParams = []string{"title", "description", "tag", "author", "avatar", "logo"}

var (
	placeholderRE = regexp.MustCompile(`\{([a-zA-Z]+)\}`)
	nameRE        = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// Placeholders returns the parameter names used in a text as {name}.
func Placeholders(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// Parse decodes and validates one template file.
func Parse(data []byte) (*Template, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Template
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(t.Name) {
		return nil, fmt.Errorf("name %q: want 1-32 of [a-z0-9_-], starting with a letter", t.Name)
	}
	if t.Version < 1 {
		return nil, fmt.Errorf("version: must be >= 1")
	}
	if err := checkColor(t.Background); err != nil {
		return nil, fmt.Errorf("background: %w", err)
	}
	if len(t.Elements) == 0 || len(t.Elements) > 64 {
		return nil, fmt.Errorf("elements: want 1-64")
	}
	used := map[string]bool{}
	for i, e := range t.Elements {
		if e == nil {
			return nil, fmt.Errorf("elements[%d]: null", i)
		}
		if err := e.validate(false, used); err != nil {
			return nil, fmt.Errorf("elements[%d] (%s): %w", i, e.Type, err)
		}
	}
	if !used["title"] {
		return nil, fmt.Errorf("the template never shows {title}")
	}
	for p := range used {
		t.Params = append(t.Params, p)
	}
	sort.Strings(t.Params)
	return &t, nil
}

func (e *Element) validate(inStack bool, used map[string]bool) error {
	if e.If != "" {
		if !slices.Contains(ConditionParams, e.If) {
			return fmt.Errorf("if: unknown parameter %q", e.If)
		}
		used[e.If] = true
	}
	x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
	// w > Width-x rather than x+w > Width: huge values must not overflow.
	if !inStack && (x < 0 || y < 0 || w <= 0 || h <= 0 || w > Width-x || h > Height-y) {
		return fmt.Errorf("box %v: must lie inside the %dx%d canvas", e.Box, Width, Height)
	}
	if e.Opacity < 0 || e.Opacity > 1 {
		return fmt.Errorf("opacity: want 0..1")
	}
	switch e.Type {
	case KindRect:
		if inStack && (h <= 0 || h > Height) {
			return fmt.Errorf("box: a rect in a stack needs a height of 1-%d", Height)
		}
		if err := e.checkFill(); err != nil {
			return err
		}
		if e.Radius < 0 {
			return fmt.Errorf("radius: must be >= 0")
		}
		return oneOf("align", e.Align, "", "left", "center", "right")
	case KindText, KindPill, KindInitials:
		if err := e.validateText(used); err != nil {
			return err
		}
		if e.Type == KindInitials || e.Type == KindPill {
			if err := e.checkFill(); err != nil {
				return err
			}
		}
		if e.PadX < 0 || e.PadX > 200 || e.PadY < 0 || e.PadY > 200 {
			return fmt.Errorf("padX/padY: want 0..200")
		}
		if !inStack && e.Type != KindInitials && !inSafeZone(e.Box) {
			return fmt.Errorf("box %v: text must keep %d px from every edge", e.Box, SafeMargin)
		}
		return nil
	case KindImage:
		if inStack {
			return fmt.Errorf("images cannot be stacked")
		}
		if !slices.Contains(ImageParams, e.Src) {
			return fmt.Errorf("src: %q is not one of %q", e.Src, ImageParams)
		}
		used[e.Src] = true
		if e.Radius < 0 {
			return fmt.Errorf("radius: must be >= 0")
		}
		if err := oneOf("fit", e.Fit, "", "contain", "cover"); err != nil {
			return err
		}
		if err := oneOf("align", e.Align, "", "left", "center", "right"); err != nil {
			return err
		}
		return oneOf("valign", e.VAlign, "", "top", "middle", "bottom")
	case KindStack:
		if inStack {
			return fmt.Errorf("stacks do not nest")
		}
		if !inSafeZone(e.Box) {
			return fmt.Errorf("box %v: a stack must keep %d px from every edge", e.Box, SafeMargin)
		}
		if err := oneOf("anchor", e.Anchor, "", "top", "middle", "bottom"); err != nil {
			return err
		}
		if e.Gap < 0 || e.Gap > 200 {
			return fmt.Errorf("gap: want 0..200")
		}
		if len(e.Children) == 0 || len(e.Children) > 16 {
			return fmt.Errorf("children: want 1-16")
		}
		for i, c := range e.Children {
			if c == nil {
				return fmt.Errorf("children[%d]: null", i)
			}
			if c.Type == KindInitials {
				return fmt.Errorf("children[%d]: initials cannot be stacked", i)
			}
			if err := c.validate(true, used); err != nil {
				return fmt.Errorf("children[%d] (%s): %w", i, c.Type, err)
			}
		}
		return nil
	}
	return fmt.Errorf("type: want one of rect, text, pill, initials, image, stack")
}

func (e *Element) checkFill() error {
	if err := checkColor(e.Fill); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	switch e.Gradient {
	case "":
	case "horizontal", "vertical":
		if err := checkColor(e.Fill2); err != nil {
			return fmt.Errorf("fill2: %w", err)
		}
	default:
		return fmt.Errorf("gradient: want horizontal or vertical")
	}
	return nil
}

// Families returns every font family an element of t names explicitly.
func (t *Template) Families() []string {
	var out []string
	var walk func([]*Element)
	walk = func(es []*Element) {
		for _, e := range es {
			if e.Family != "" {
				out = append(out, e.Family)
			}
			walk(e.Children)
		}
	}
	walk(t.Elements)
	return out
}

func (e *Element) validateText(used map[string]bool) error {
	if e.Text == "" {
		return fmt.Errorf("text: empty")
	}
	e.placeholders = Placeholders(e.Text)
	for _, p := range e.placeholders {
		if !slices.Contains(TextParams, p) {
			return fmt.Errorf("text: unknown placeholder {%s}", p)
		}
		used[p] = true
	}
	if err := checkColor(e.Color); err != nil {
		return fmt.Errorf("color: %w", err)
	}
	if e.Size[0] < 8 || e.Size[1] < e.Size[0] || e.Size[1] > 200 {
		return fmt.Errorf("size %v: want [min, max] with 8 <= min <= max <= 200", e.Size)
	}
	if e.LineHeight != 0 && (e.LineHeight < 0.8 || e.LineHeight > 3) {
		return fmt.Errorf("lineHeight: want 0.8..3")
	}
	if e.MaxLines < 0 || e.MaxLines > 12 {
		return fmt.Errorf("maxLines: want 0..12 (0 = 1)")
	}
	for _, c := range []struct {
		name, v string
		ok      []string
	}{
		{"weight", e.Weight, []string{"", "regular", "bold"}},
		{"align", e.Align, []string{"", "left", "center", "right", "start", "end"}},
		{"valign", e.VAlign, []string{"", "top", "middle", "bottom"}},
		{"transform", e.Transform, []string{"", "upper"}},
		{"wrap", e.Wrap, []string{"", "balance"}},
	} {
		if err := oneOf(c.name, c.v, c.ok...); err != nil {
			return err
		}
	}
	return nil
}

// ColorRefs are the names a colour field may use besides "#rrggbb".
var ColorRefs = []string{"bg", "surface", "accent", "text"}

func checkColor(s string) error {
	if slices.Contains(ColorRefs, s) || strings.HasPrefix(s, "#") && IsHexColor(s[1:]) {
		return nil
	}
	return fmt.Errorf("%q: want bg, surface, accent, text or #rrggbb", s)
}

func inSafeZone(b [4]int) bool {
	return b[0] >= SafeMargin && b[1] >= SafeMargin && b[0]+b[2] <= Width-SafeMargin && b[1]+b[3] <= Height-SafeMargin
}

func oneOf(name, v string, ok ...string) error {
	if slices.Contains(ok, v) {
		return nil
	}
	return fmt.Errorf("%s: %q is not one of %q", name, v, ok[1:])
}
