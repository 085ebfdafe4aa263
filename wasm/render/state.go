package render

import (
	"encoding/base64"
	"image"
	"strings"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/imagedec"
	"github.com/ogmint/ogmint/wasm/svgpath"
)

// assetPrefix starts an image element's Src naming one of the template's
// assets.
const assetPrefix = "asset:"

// DefaultAssetLimits bound an asset's decoding as the module's image limits
// bound the avatar's and the logo's (wasm/abi).
var DefaultAssetLimits = imagedec.Limits{MaxPixels: abi.MaxImagePixels, MaxBytes: abi.MaxImageDecodeBytes, DirectBytes: abi.DirectImageBytes}

// DefaultMaxAssetBytes bounds the decoded assets kept, over every template.
const DefaultMaxAssetBytes = 24 << 20

// maxStates is the most templates whose state is kept.
const maxStates = 16

// state is what the renderer keeps of a template between renders, by name
// and version: how many leading elements are static (0 when a cached
// layer would save no work), its parsed paths and its decoded assets.
type state struct {
	name       string
	version    int
	t          *templates.Template // the latest parse of it
	static     int
	paths      map[string]svgpath.Path
	assets     map[string]image.Image     // nil for an asset that does not decode
	scaled     map[scaleKey]placed        // assets scaled into their boxes
	assetBytes int                        // of assets and scaled
	fitSteps   map[*templates.Element]int // each stack's last chosen step (stack.go)
}

// scaleKey is how an image element places its image.
type scaleKey struct {
	src, fit, align, valign string
	box                     [4]int
}

// placed is an image scaled to its drawn size and where it goes.
type placed struct {
	img    *image.RGBA
	x, y   int
	usable bool
}

// stateCache keeps states, most recently used first.
type stateCache struct{ list []*state }

// state returns t's state, made on first use.
func (r *Renderer) state(t *templates.Template) *state {
	l := r.states.list
	for i, st := range l {
		if st.name == t.Name && st.version == t.Version {
			copy(l[1:i+1], l[:i])
			l[0] = st
			if st.t != t { // parsed again (the same template, or it would have another version)
				st.t, st.static = t, staticPrefix(t)
				st.fitSteps = nil // keyed by the old parse's elements
			}
			return st
		}
	}
	st := &state{name: t.Name, version: t.Version, t: t, static: staticPrefix(t), paths: map[string]svgpath.Path{},
		assets: map[string]image.Image{}, scaled: map[scaleKey]placed{}}
	if len(l) >= maxStates {
		l = l[:maxStates-1]
	}
	r.states.list = append([]*state{st}, l...)
	return st
}

// staticPrefix counts the leading elements of t that do not depend on the
// request, or returns 0 when none of them (nor the background) is costly
// to draw.
func staticPrefix(t *templates.Template) int {
	costly := t.BackgroundGradient != nil
	n := 0
	for _, e := range t.Elements {
		if !static(e) {
			break
		}
		costly = costly || isCostly(e)
		n++
	}
	if !costly {
		return 0
	}
	return n
}

// static reports whether e draws the same for every request of a template
// (colours, font and canvas size aside, which key the layers).
func static(e *templates.Element) bool {
	if e == nil || e.If != "" {
		return false
	}
	switch e.Type {
	case templates.KindText, templates.KindPill:
		return len(templates.Placeholders(e.Text)) == 0
	case templates.KindInitials:
		return false
	case templates.KindImage:
		return strings.HasPrefix(e.Src, assetPrefix)
	case templates.KindStack:
		for _, ch := range e.Children {
			if !static(ch) {
				return false
			}
		}
	}
	return true
}

// isCostly reports whether e needs more than the fast rectangles, text and
// images: a shape, a gradient, a stroke, a shadow, a rotation, a clip or
// an asset.
func isCostly(e *templates.Element) bool {
	switch {
	case e.Type == templates.KindEllipse, e.Type == templates.KindLine, e.Type == templates.KindPolygon, e.Type == templates.KindPath,
		e.FillGradient != nil, e.Stroke != nil, e.Shadow != nil, e.Rotate != 0, e.Clip != "",
		strings.HasPrefix(e.Src, assetPrefix):
		return true
	}
	for _, ch := range e.Children {
		if isCostly(ch) {
			return true
		}
	}
	return false
}

// path returns SVG path data d parsed (once per template; malformed data
// draws up to its error).
func (st *state) path(d string) svgpath.Path {
	if p, ok := st.paths[d]; ok {
		return p
	}
	p, _ := svgpath.Parse(d)
	st.paths[d] = p
	return p
}

// asset returns the template's asset name decoded (once per template), or
// nil when it is missing or does not decode within r.AssetLimits. The
// decoded assets of the least recently used templates are dropped to keep
// within r.MaxAssetBytes.
func (r *Renderer) asset(st *state, name string) image.Image {
	if img, ok := st.assets[name]; ok {
		return img
	}
	var img image.Image
	if b, ok := dataURI(st.t.Assets[name]); ok {
		t := st.t
		dec, err := imagedec.Decode(b, r.AssetLimits, func(size image.Point) []imagedec.Draw {
			return ImageDraws(t, assetPrefix+name, size)
		})
		if err == nil {
			img = dec
		}
	}
	st.assets[name] = img
	if img != nil {
		st.assetBytes += imageBytes(img)
		r.trimAssets(st)
	}
	return img
}

// trimAssets drops the assets of the least recently used templates (never
// keep's) until the decoded assets fit r.MaxAssetBytes.
func (r *Renderer) trimAssets(keep *state) {
	total := 0
	for _, st := range r.states.list {
		total += st.assetBytes
	}
	for i := len(r.states.list) - 1; i >= 0 && total > r.MaxAssetBytes; i-- {
		if st := r.states.list[i]; st != keep && st.assetBytes > 0 {
			total -= st.assetBytes
			st.assets, st.scaled, st.assetBytes = map[string]image.Image{}, map[scaleKey]placed{}, 0
		}
	}
}

// place is placeImage for an image element: an asset's is kept with the
// template's state (it draws the same every time).
func (c *card) place(e *templates.Element, img image.Image, fit string) placed {
	if img == nil {
		return placed{}
	}
	x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
	asset := strings.HasPrefix(e.Src, assetPrefix)
	k := scaleKey{e.Src, fit, e.Align, e.VAlign, e.Box}
	if p, ok := c.st.scaled[k]; ok && asset {
		return p
	}
	dst, px, py, ok := placeImage(img, fit, e.Align, e.VAlign, x, y, w, h)
	p := placed{dst, px, py, ok}
	if asset {
		c.st.scaled[k] = p
		if ok {
			c.st.assetBytes += len(dst.Pix)
			c.r.trimAssets(c.st)
		}
	}
	return p
}

// imageBytes approximates the memory of a decoded image.
func imageBytes(img image.Image) int {
	if red, ok := img.(*imagedec.Reduced); ok {
		return len(red.Pix)
	}
	s := img.Bounds().Size()
	return 4 * s.X * s.Y
}

// dataURI returns the bytes of a base64 data URI ("data:image/png;base64,…").
func dataURI(s string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return nil, false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, false
	}
	data = strings.TrimRight(data, "=")
	b, err := base64.RawStdEncoding.DecodeString(data)
	if err != nil {
		return nil, false
	}
	return b, true
}
