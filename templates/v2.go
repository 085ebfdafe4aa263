package templates

// Version 2 of the template format: what custom templates can draw beyond
// the built-ins' rects, texts, pills, initials, images and stacks. Every
// field here is optional and every version-1 template is a valid version-2
// template with the same pixels. Semantics, shared by validation (schema.go)
// and drawing (wasm/render):
//
//   - Canvas: Template.Width x Template.Height (0 = 1200 x 630), each
//     MinCanvasSide..MaxCanvasSide and at most MaxCanvasPixels. The safe zone for text is
//     SafeMargin from each edge of this canvas.
//   - Shapes (KindEllipse, KindLine, KindPolygon, KindPath) are placed by
//     their Box: an ellipse fills it; Points (line: exactly 2, polygon:
//     3..MaxPoints) and Path (SVG path data, absolute and relative commands
//     M L H V C S Q T A Z) are in pixels relative to the Box's top left. A
//     shape's box may extend past the canvas (it is clipped), within
//     -canvas..2x canvas on each axis.
//   - Fill (colour, with Opacity) or FillGradient (wins over Fill) paints
//     the inside of rects, ellipses, polygons and paths; a line has no
//     inside. Stroke outlines rects, ellipses, lines, polygons and paths.
//     A shape needs a fill, a gradient or a stroke.
//   - Rotate turns shapes and images by degrees clockwise about their box's
//     centre. Shadow draws a blurred, offset copy of the element's outline
//     (rects, shapes, images) below it.
//   - An image element's Src is "avatar", "logo" or "asset:<name>", an
//     image carried in Template.Assets. Clip "ellipse" shows the image
//     inside the ellipse its box bounds; Clip "path" inside ClipPath (SVG
//     path data relative to the box).
//   - Text: LetterSpacing adds px between glyphs (may be negative, -20..100);
//     Family may name any family the server knows, or an uploaded font.
//   - Fields declares extra text parameters, used as {name} placeholders and
//     "if" conditions like the built-in texts.

// Element kinds added by format version 2.
const (
	KindEllipse = "ellipse" // an ellipse (a circle in a square box)
	KindLine    = "line"    // a straight line between two points
	KindPolygon = "polygon" // a closed polygon
	KindPath    = "path"    // SVG path data
)

// Canvas limits (format version 2).
const (
	MaxCanvasSide   = 2400
	MaxCanvasPixels = 4_000_000
	// MaxPoints is the most points a polygon has.
	MaxPoints = 256
	// MaxPathBytes is the longest SVG path data, in bytes.
	MaxPathBytes = 16 << 10
	// MaxFields is the most custom fields a template declares.
	MaxFields = 16
	// MaxFieldLength is the largest maxLength a custom field may have.
	MaxFieldLength = 500
)

// Gradient is a linear or radial fill.
type Gradient struct {
	// Type is "linear" or "radial".
	Type string `json:"type"`
	// Angle of a linear gradient in degrees, CSS style: 0 runs bottom to
	// top, 90 left to right, 180 top to bottom (the default).
	Angle *float64 `json:"angle,omitempty"`
	// Center of a radial gradient as fractions of the box (default
	// [0.5, 0.5]); Radius as a fraction of the box's diagonal half
	// (default 1: the farthest corner).
	Center *[2]float64 `json:"center,omitempty"`
	Radius float64     `json:"radius,omitempty"`
	// Stops: 2..8 colours at positions 0..1, none before the previous one
	// (equal positions make a hard edge).
	Stops []GradientStop `json:"stops"`
}

// GradientStop is one colour of a gradient.
type GradientStop struct {
	Color   string  `json:"color"`
	At      float64 `json:"at"`
	Opacity float64 `json:"opacity,omitempty"` // 0 means opaque
}

// Stroke outlines a shape.
type Stroke struct {
	Color   string    `json:"color"`
	Width   float64   `json:"width"`             // px, 0.5..200
	Opacity float64   `json:"opacity,omitempty"` // 0 means opaque
	Dash    []float64 `json:"dash,omitempty"`    // on, off, ... lengths in px (2..8 values)
	Cap     string    `json:"cap,omitempty"`     // butt (default), round, square
	Join    string    `json:"join,omitempty"`    // miter (default), round, bevel
}

// Shadow is a blurred copy of an element's outline below it.
type Shadow struct {
	Offset  [2]int  `json:"offset"`            // x, y in px, -200..200
	Blur    int     `json:"blur,omitempty"`    // radius in px, 0..100
	Color   string  `json:"color"`             // a colour
	Opacity float64 `json:"opacity,omitempty"` // 0 means opaque
}

// Field is a custom text parameter a template declares.
type Field struct {
	// MaxLength in characters (Unicode code points), 1..MaxFieldLength.
	MaxLength int `json:"maxLength"`
	// Required fields must be given and non-empty.
	Required bool `json:"required,omitempty"`
	// Description is shown to users (the playground, GET templates).
	Description string `json:"description,omitempty"`
}

// Size returns the template's canvas size (the default when it sets none).
func (t *Template) Size() (w, h int) {
	w, h = t.Width, t.Height
	if w == 0 {
		w = Width
	}
	if h == 0 {
		h = Height
	}
	return w, h
}
