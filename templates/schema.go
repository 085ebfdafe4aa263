package templates

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
	// FontTag tags what a custom template's user font families are bound
	// to (set by the host with Name and Version; see wasm/abi step 1e).
	FontTag string `json:"-"`
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
