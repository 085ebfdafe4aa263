// Package render draws a card: it interprets a template from package
// templates with validated params onto a raster frame, laying text out with
// package typeset. One Renderer per instance; it reuses its frame and caches.
package render

import (
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/math/fixed"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/imagedec"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/typeset"
)

// Default text metrics when a template leaves them out.
const (
	defaultLineHeight = 1.2
	pillLineHeight    = 1.0
)

// Renderer draws cards. Not safe for concurrent use.
type Renderer struct {
	Set *templates.Set
	// MaxLayers and MaxLayerBytes bound the static layers kept (see
	// layers.go): at most this many, of at most this many bytes in all
	// (DefaultMaxLayers, DefaultMaxLayerBytes); 0 layers keeps none.
	MaxLayers     int
	MaxLayerBytes int
	// AssetLimits bound the decoding of a template's asset images
	// (DefaultAssetLimits); MaxAssetBytes the decoded assets kept, over
	// every template (DefaultMaxAssetBytes).
	AssetLimits   imagedec.Limits
	MaxAssetBytes int

	ts      *typeset.Typesetter
	frame   *raster.Frame
	layers  layerCache
	states  stateCache
	scratch []byte // gg's coverage buffer (RGBA), reused
	layer   []byte // an image's layer (RGBA), reused
	arena   arena  // the masks of the element being drawn
}

// New loads the set's fonts and allocates the frame.
func New(set *templates.Set) (*Renderer, error) {
	var fams []typeset.FontData
	for _, name := range set.FamilyNames() {
		f := set.Families[name]
		if f.Pack {
			fams = append(fams, typeset.FontData{Name: name}) // handed over later
			continue
		}
		reg, err := templates.FontFile(f.Regular)
		if err != nil {
			return nil, err
		}
		bold, err := templates.FontFile(f.Bold)
		if err != nil {
			return nil, err
		}
		fams = append(fams, typeset.FontData{Name: name, Regular: reg, Bold: bold})
	}
	ts, err := typeset.New(fams, set.FallbackOrder)
	if err != nil {
		return nil, err
	}
	return &Renderer{Set: set, ts: ts, frame: raster.NewFrame(templates.Width, templates.Height),
		MaxLayers: DefaultMaxLayers, MaxLayerBytes: DefaultMaxLayerBytes,
		AssetLimits: DefaultAssetLimits, MaxAssetBytes: DefaultMaxAssetBytes}, nil
}

// AddFamily adds a fallback font family handed over by the host (packed by
// fonts.Family.Pack).
func (r *Renderer) AddFamily(packed []byte) error { return r.ts.AddFamily(packed) }

// AddUserFamily adds a user font family (abi step 1e) a template may name;
// bold may be empty (the regular draws bold text too).
func (r *Renderer) AddUserFamily(name string, regular, bold []byte) error {
	return r.ts.AddUserFamily(name, regular, bold)
}

// RemoveFamily drops a user font family AddUserFamily added. The static
// layers drawn with it stay: they are keyed by the template's font tag.
func (r *Renderer) RemoveFamily(name string) bool { return r.ts.RemoveFamily(name) }

// Missing returns the runes the last render had no font for.
func (r *Renderer) Missing() []rune { return r.ts.Missing() }

// Frame returns the frame the last Render drew into (RGBA, opaque), of the
// last template's canvas size (Frame().W x Frame().H).
func (r *Renderer) Frame() *raster.Frame { return r.frame }

// Render draws p into the renderer's frame and returns it.
func (r *Renderer) Render(p *params.Params) (*raster.Frame, error) {
	return r.RenderImages(p, nil)
}

// RenderImages is Render with the decoded images the parameters name, by
// parameter ("avatar", "logo"); a named image missing from images is not
// drawn (the avatar's initials element shows the initials).
func (r *Renderer) RenderImages(p *params.Params, images map[string]image.Image) (*raster.Frame, error) {
	t := r.Set.Templates[p.Template]
	if t == nil {
		return nil, fmt.Errorf("render: unknown template %q", p.Template)
	}
	r.ts.ResetMissing()
	st := r.state(t)
	c := &card{r: r, p: p, family: r.ts.FamilyIndex(p.Font), texts: map[*templates.Element]string{}, images: images, st: st}
	if c.family < 0 {
		return nil, fmt.Errorf("render: unknown font family %q", p.Font)
	}
	c.family = c.loaded(c.family)
	r.frame.Resize(canvasSize(t))
	// The static elements before the first that depends on the request
	// come from a cached layer when one was kept (layers.go).
	start := 0
	if st.static > 0 && st.static <= len(t.Elements) && r.MaxLayers > 0 {
		key := c.layerKey(t)
		if l := r.layers.get(key); l != nil && r.frame.Load(l) {
			start = st.static
		} else {
			c.clear(t)
			for _, e := range t.Elements[:st.static] {
				if c.shown(e) {
					c.draw(e)
				}
			}
			start = st.static
			if len(r.ts.Missing()) == 0 { // a text waits for fonts: not final
				r.layers.put(key, r.frame, r.MaxLayers, r.MaxLayerBytes)
			}
		}
	} else {
		c.clear(t)
	}
	for _, e := range t.Elements[start:] {
		if c.shown(e) {
			c.draw(e)
		}
	}
	return r.frame, nil
}

// canvasSize is t's canvas size, clamped to the limits of format version 2.
func canvasSize(t *templates.Template) (w, h int) {
	w, h = t.Size()
	w = max(1, min(w, templates.MaxCanvasSide))
	h = max(1, min(h, templates.MaxCanvasSide, templates.MaxCanvasPixels/w))
	return w, h
}

// clear paints the template's background (its colour, then its gradient),
// skipping what its first element covers when that is a plain opaque
// rectangle (the card's surface).
func (c *card) clear(t *templates.Template) {
	bg := c.color(t.Background)
	f := c.r.frame
	if g := t.BackgroundGradient; g != nil {
		grad := c.gradient(g, 0, 0, float64(f.W), float64(f.H), turn{cos: 1})
		if !grad.Opaque() {
			f.Clear(bg)
		}
		f.ShadeRect(0, 0, f.W, f.H, grad, 255)
		return
	}
	if len(t.Elements) > 0 {
		if e := t.Elements[0]; e.Type == templates.KindRect && plainRect(e) && e.Shadow == nil && c.shown(e) && c.paint(e).Alpha == 255 {
			f.ClearAround(bg, e.Box[0], e.Box[1], e.Box[2], e.Box[3], e.Radius)
			return
		}
	}
	f.Clear(bg)
}

// card is the state of one render.
type card struct {
	r      *Renderer
	p      *params.Params
	family int
	texts  map[*templates.Element]string // resolved element texts
	images map[string]image.Image        // decoded images by parameter
	st     *state                        // the template's cached state
}

func (c *card) shown(e *templates.Element) bool {
	if e.If != "" && c.p.Value(e.If) == "" {
		return false
	}
	switch e.Type {
	case templates.KindRect, templates.KindStack, templates.KindEllipse, templates.KindLine, templates.KindPolygon, templates.KindPath:
		return true
	case templates.KindImage:
		return c.image(e) != nil
	}
	return c.text(e) != ""
}

// image is the image an image element shows: the request's avatar or logo,
// or the template's asset; nil when there is none.
func (c *card) image(e *templates.Element) image.Image {
	if name, ok := strings.CutPrefix(e.Src, assetPrefix); ok {
		return c.r.asset(c.st, name)
	}
	return c.images[e.Src]
}

// text substitutes {param} placeholders in e.Text (once per render).
func (c *card) text(e *templates.Element) string {
	if s, ok := c.texts[e]; ok {
		return s
	}
	s := e.Text
	names := e.Placeholders()
	if names == nil && strings.IndexByte(s, '{') >= 0 {
		names = templates.Placeholders(s) // a template that was not validated
	}
	if len(names) > 0 {
		s = substitute(s, names, c.p.Value)
	}
	if e.Transform == "upper" {
		s = strings.ToUpper(s)
	}
	c.texts[e] = s
	return s
}

// substitute replaces each {name} of names in s with value(name), then
// trims the spaces around the result. A text that is one placeholder
// (most are) is its value, trimmed, without searching and copying.
func substitute(s string, names []string, value func(string) string) string {
	if len(names) == 1 && isPlaceholder(s, names[0]) {
		return strings.TrimSpace(value(names[0]))
	}
	for _, name := range names {
		s = strings.ReplaceAll(s, "{"+name+"}", value(name))
	}
	return strings.TrimSpace(s)
}

// isPlaceholder reports whether s is "{" + name + "}".
func isPlaceholder(s, name string) bool {
	return len(s) == len(name)+2 && s[0] == '{' && s[len(s)-1] == '}' && s[1:len(s)-1] == name
}

func (c *card) color(ref string) raster.RGB {
	hex := ref
	switch ref {
	case "bg":
		hex = c.p.Bg
	case "surface":
		hex = c.p.Surface
	case "accent":
		hex = c.p.Accent
	case "text":
		hex = c.p.Text
	default:
		hex = strings.TrimPrefix(ref, "#")
	}
	v, _ := strconv.ParseUint(hex, 16, 32) // validated by templates and params
	return raster.RGB{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v)}
}

func alpha(opacity float64) uint32 {
	if opacity <= 0 || opacity >= 1 {
		return 255
	}
	return uint32(opacity*255 + 0.5)
}

func (c *card) paint(e *templates.Element) raster.Paint {
	p := raster.Paint{From: c.color(e.Fill), Alpha: alpha(e.Opacity)}
	p.To = p.From
	switch e.Gradient {
	case "horizontal":
		p.Gradient, p.To = 'h', c.color(e.Fill2)
	case "vertical":
		p.Gradient, p.To = 'v', c.color(e.Fill2)
	}
	return p
}

// loaded returns family fam if the module has its fonts; else it asks the
// host for them (Missing) and sets the text in the default family meanwhile.
func (c *card) loaded(fam int) int {
	if c.r.ts.Loaded(fam) {
		return fam
	}
	c.r.ts.Want(fam)
	return c.r.ts.FamilyIndex(c.r.Set.DefaultFamily)
}

func (c *card) style(e *templates.Element, size int) typeset.Style {
	fam := c.family
	if e.Family != "" {
		if i := c.r.ts.FamilyIndex(e.Family); i >= 0 {
			fam = c.loaded(i)
		}
	}
	return typeset.Style{Family: fam, Bold: e.Weight == "bold", Size: size, Spacing: letterSpacing(e.LetterSpacing)}
}

// letterSpacing is a text's letter spacing in 26.6 px, clamped to the
// format's -20..100.
func letterSpacing(px float64) fixed.Int26_6 {
	if math.IsNaN(px) {
		return 0
	}
	return fixed.Int26_6(math.Round(max(-20, min(px, 100)) * 64))
}

func lineHeight(e *templates.Element, def float64) float64 {
	if e.LineHeight > 0 {
		return e.LineHeight
	}
	return def
}

func align(s string) typeset.Align {
	switch s {
	case "center":
		return typeset.Center
	case "right":
		return typeset.Right
	case "start":
		return typeset.Start
	case "end":
		return typeset.End
	}
	return typeset.Left
}

// offset places something w wide within avail by align (start and end as
// in a paragraph of direction rtl).
func offset(align string, rtl bool, avail, w int) int {
	switch {
	case align == "center":
		return (avail - w) / 2
	case align == "right", align == "start" && rtl, align == "end" && !rtl:
		return avail - w
	}
	return 0
}

func (c *card) draw(e *templates.Element) {
	x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
	switch e.Type {
	case templates.KindRect:
		c.rect(e, x, y, w, h)
	case templates.KindEllipse, templates.KindLine, templates.KindPolygon, templates.KindPath:
		c.shape(e, x, y, w, h)
	case templates.KindText:
		b := c.fitText(e, w, h)
		top := y
		switch e.VAlign {
		case "middle":
			top += (h - b.Height()) / 2
		case "bottom":
			top += h - b.Height()
		}
		c.drawText(e, b, x, top, w)
	case templates.KindPill:
		b := c.pill(e, w)
		c.drawPill(e, b, x, y, w)
	case templates.KindImage:
		if plainImage(e) {
			if p := c.place(e, c.image(e), e.Fit); p.usable {
				c.r.frame.DrawImage(p.img, p.x, p.y, min(e.Radius, p.img.Rect.Dx()/2, p.img.Rect.Dy()/2))
			}
		} else {
			c.drawImageV2(e, c.image(e))
		}
	case templates.KindInitials:
		if img := c.images["avatar"]; img != nil {
			c.drawImage(img, "cover", "", "", x, y, w, h, min(w, h)/2)
			return
		}
		c.r.frame.RoundRect(x, y, w, h, min(w, h)/2, c.paint(e))
		ini := c.r.ts.Initials(c.text(e))
		if ini == "" {
			// No letters (emoji, symbols): the neutral avatar.
			c.neutralAvatar(e, x, y, w, h)
			return
		}
		c.drawText(e, c.r.ts.Line(ini, c.style(e, e.Size[1]), h), x, y, w)
	case templates.KindStack:
		c.stack(e)
	}
}

func (c *card) fitText(e *templates.Element, w, h int) *typeset.Block {
	st := c.style(e, e.Size[1])
	return c.r.ts.FitStyle(c.text(e), st, e.Size[0], e.Size[1], lineHeight(e, defaultLineHeight), w, h, max(e.MaxLines, 1), e.Wrap == "balance")
}

func (c *card) drawText(e *templates.Element, b *typeset.Block, x, y, w int) {
	a := align(e.Align)
	if e.Type == templates.KindInitials {
		a = typeset.Center
	}
	c.r.ts.Draw(c.r.frame, b, x, y, w, a, c.color(e.Color), alpha(e.Opacity))
}

// pill lays out a pill's single line for at most maxWidth px including padding.
func (c *card) pill(e *templates.Element, maxWidth int) *typeset.Block {
	st := c.style(e, e.Size[1])
	return c.r.ts.Wrap(c.text(e), st, lineHeight(e, pillLineHeight), maxWidth-2*e.PadX, 1, false)
}

func pillSize(e *templates.Element, b *typeset.Block) (w, h int) {
	return b.Width().Ceil() + 2*e.PadX, b.Height() + 2*e.PadY
}

// neutralAvatar draws a head and shoulders in the text colour, faint, in
// the disc of an initials element whose name has no letters.
func (c *card) neutralAvatar(e *templates.Element, x, y, w, h int) {
	col, a := c.color(e.Color), uint32(170)
	d := min(w, h)
	head := d * 2 / 5
	c.r.frame.RoundRect(x+(w-head)/2, y+d/6, head, head, head/2, raster.Paint{From: col, To: col, Alpha: a})
	body := d / 2
	c.r.frame.RoundRect(x+(w-body)/2, y+d*57/100, body, d*3/10, d*3/20, raster.Paint{From: col, To: col, Alpha: a})
}

// drawPill draws a pill at y, aligned within [x, x+avail) by e.Align.
func (c *card) drawPill(e *templates.Element, b *typeset.Block, x, y, avail int) {
	w, h := pillSize(e, b)
	x += offset(e.Align, b.RTL(), avail, w)
	c.r.frame.RoundRect(x, y, w, h, e.Radius, c.paint(e))
	c.r.ts.Draw(c.r.frame, b, x+e.PadX, y+e.PadY, w-2*e.PadX, typeset.Start, c.color(e.Color), 255)
}

// drawImage fits img into the box x, y, w, h ("contain", placed by align
// and valign, or "cover"), scaled with Catmull-Rom, with corners of radius r.
// Layout is done at the size of the file's image; a box-reduced one
// (*imagedec.Reduced) gives the pixels of the same region.
func (c *card) drawImage(img image.Image, fit, align, valign string, x, y, w, h, r int) {
	if img == nil {
		return
	}
	dst, x, y, ok := placeImage(img, fit, align, valign, x, y, w, h)
	if !ok {
		return
	}
	c.r.frame.DrawImage(dst, x, y, min(r, dst.Rect.Dx()/2, dst.Rect.Dy()/2))
}

// fitRect is the region of an image of size (origin 0,0) drawn into a box
// w x h, and the size it is drawn at: "cover" crops the image, centred, to
// the box's aspect ratio and fills the box; "contain" (anything else) draws
// all of it at the largest size of its aspect ratio that fits.
func fitRect(size image.Point, fit string, w, h int) (src image.Rectangle, dw, dh int) {
	sw, sh := size.X, size.Y
	src, dw, dh = image.Rectangle{Max: size}, w, h
	switch {
	case fit == "cover" && sw*h > sh*w:
		cw := sh * w / h
		src = image.Rect((sw-cw)/2, 0, (sw-cw)/2+cw, sh)
	case fit == "cover":
		ch := sw * h / w
		src = image.Rect(0, (sh-ch)/2, sw, (sh-ch)/2+ch)
	case sw*h > sh*w:
		dh = max(1, sh*w/sw)
	default:
		dw = max(1, sw*h/sh)
	}
	return src, dw, dh
}

// pixelRect maps r, in the coordinates of an image of size, to the pixels
// pix of that image (its bounds, or a reduction of it), widening to whole
// pixels.
func pixelRect(r image.Rectangle, size image.Point, pix image.Rectangle) image.Rectangle {
	if pix.Size() == size {
		return r.Add(pix.Min)
	}
	p := pix.Size()
	return image.Rect(r.Min.X*p.X/size.X, r.Min.Y*p.Y/size.Y,
		(r.Max.X*p.X+size.X-1)/size.X, (r.Max.Y*p.Y+size.Y-1)/size.Y).Add(pix.Min)
}

// ImageDraws lists how template t may draw the image parameter name
// ("avatar", "logo") of the given size: every image element showing it, and
// for the avatar every initials element. The module decodes the image to
// the least pixels these draws need (imagedec.Factor).
func ImageDraws(t *templates.Template, name string, size image.Point) []imagedec.Draw {
	var draws []imagedec.Draw
	for _, e := range t.Elements {
		fit := e.Fit
		switch {
		case e.Type == templates.KindImage && e.Src == name:
		case e.Type == templates.KindInitials && name == "avatar":
			fit = "cover"
		default:
			continue
		}
		src, dw, dh := fitRect(size, fit, e.Box[2], e.Box[3])
		draws = append(draws, imagedec.Draw{Src: src, Dst: image.Pt(dw, dh)})
	}
	return draws
}
