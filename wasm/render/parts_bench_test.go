package render_test

import (
	"encoding/json"
	"image/color"
	"net/url"
	"testing"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/render"
)

// BenchmarkRenderPart: the parts of BenchmarkRenderRichTemplate's card one
// at a time (no layers kept), each on the plain background with nothing
// else but, for "empty" and "bggradient", a title: where a first render's
// time goes, natively and (make bench-render-wasm BENCH=Part) in wazero.
func BenchmarkRenderPart(b *testing.B) {
	r := newRendererB(b)
	r.MaxLayers = 0
	for _, c := range []struct{ name, extra, el string }{
		{"empty", ``, `{"type": "text", "box": [100, 100, 600, 100], "text": "{title}", "size": [40, 40], "color": "text"}`},
		{"bggradient", `"backgroundGradient": {"type": "linear", "angle": 120, "stops": [{"color": "bg", "at": 0}, {"color": "surface", "at": 1}]},`, `{"type": "text", "box": [100, 100, 600, 100], "text": "{title}", "size": [40, 40], "color": "text"}`},
		{"circle", ``, `{"type": "ellipse", "box": [920, -120, 400, 400], "fill": "accent", "opacity": 0.25, "stroke": {"color": "accent", "width": 10}}`},
		{"path", ``, `{"type": "path", "box": [-40, 440, 1280, 220], "path": "M0 120 C 200 20, 380 20, 560 110 S 920 220, 1280 80", "stroke": {"color": "accent", "width": 8, "cap": "round", "opacity": 0.6}}`},
		{"card", ``, `{"type": "rect", "box": [60, 60, 760, 420], "radius": 28, "fill": "surface", "shadow": {"offset": [0, 18], "blur": 40, "color": "#000000", "opacity": 0.45}}`},
		{"cardnoshadow", ``, `{"type": "rect", "box": [60, 60, 760, 420], "radius": 28, "fill": "surface"}`},
		{"image", `"assets": {"p": "` + picURI + `"},`, `{"type": "image", "src": "asset:p", "box": [880, 300, 240, 180], "fit": "cover", "radius": 20, "shadow": {"offset": [0, 10], "blur": 20, "color": "#000000", "opacity": 0.4}}`},
	} {
		js := `{"name": "p-` + c.name + `", "version": 1, "background": "bg", ` + c.extra + ` "elements": [` + c.el + `]}`
		tpl := parseTemplate(b, js)
		r.Set.Templates[tpl.Name] = tpl
		q := url.Values{"template": {tpl.Name}, "title": {"x"}}
		p, perr := params.Parse(q, r.Set)
		if perr != nil {
			b.Fatal(perr)
		}
		b.Run(c.name, func(b *testing.B) {
			r.Render(p)
			for b.Loop() {
				r.Render(p)
			}
		})
	}
}

var picURI = redPNG(128, 96, color.NRGBA{200, 100, 50, 255})

func newRendererB(b *testing.B) *render.Renderer {
	set, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New(set)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func parseTemplate(b *testing.B, js string) *templates.Template {
	var t templates.Template
	if err := json.Unmarshal([]byte(js), &t); err != nil {
		b.Fatal(err)
	}
	return &t
}
