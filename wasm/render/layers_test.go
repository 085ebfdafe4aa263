package render_test

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/render"
)

// cacheTemplate has static shapes and text (one colour a palette ref)
// before its title, and a shape after it.
const cacheTemplate = `{"name": "cached", "version": 3, "background": "bg",
	"backgroundGradient": {"type": "linear", "angle": 120, "stops": [{"color": "bg", "at": 0}, {"color": "#1e293b", "at": 1}]},
	"elements": [
		{"type": "ellipse", "box": [900, -80, 360, 360], "fill": "accent", "opacity": 0.3, "stroke": {"color": "#ffffff", "width": 6, "dash": [18, 9]}},
		{"type": "path", "box": [60, 380, 500, 200], "path": "M0 100 C 100 0 150 0 250 100 S 400 200 500 100", "stroke": {"color": "accent", "width": 8, "cap": "round"}},
		{"type": "rect", "box": [60, 60, 400, 80], "radius": 20, "fill": "surface", "shadow": {"offset": [0, 8], "blur": 16, "color": "#000000", "opacity": 0.5}},
		{"type": "text", "box": [80, 70, 360, 60], "text": "ogmint.dev", "size": [32, 32], "color": "text", "letterSpacing": 2},
		{"type": "text", "box": [60, 180, 1000, 160], "text": "{title}", "size": [40, 60], "maxLines": 2, "color": "text", "weight": "bold"},
		{"type": "polygon", "box": [1000, 450, 120, 120], "points": [[60, 0], [120, 120], [0, 120]], "fill": "accent", "rotate": 20}
	]}`

func newRenderer(t *testing.T, maxLayers int) *render.Renderer {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(set)
	if err != nil {
		t.Fatal(err)
	}
	r.MaxLayers = maxLayers
	return r
}

// TestLayerCacheSamePixels: renders that load a cached static layer give
// the very pixels of renders that draw everything, across palettes,
// titles and fonts; and a hit really skips the static elements.
func TestLayerCacheSamePixels(t *testing.T) {
	plain, cached := newRenderer(t, 0), newRenderer(t, render.DefaultMaxLayers)
	queries := []string{
		"title=Static+layers&palette=ocean",
		"title=Static+layers&palette=forest",
		"title=Static+layers&palette=ocean",
		"title=Another+title+that+is+long+enough+to+wrap+onto+a+second+line&palette=ocean",
		"title=Static+layers&palette=ocean&font=JetBrains+Mono",
		"title=Static+layers&palette=sunset",
		"title=Static+layers&palette=forest",
	}
	for round := range 2 {
		for _, q := range queries {
			a := renderJSON(t, plain, cacheTemplate, q)
			b := renderJSON(t, cached, cacheTemplate, q)
			if d := golden.Diff(b.Pix, a.Pix, a.W); d != "" {
				t.Fatalf("round %d, %s: cached render differs: %s", round, q, d)
			}
		}
	}
	if n, bytes := cached.Layers(); n != render.DefaultMaxLayers || bytes > render.DefaultMaxLayerBytes {
		t.Errorf("%d layers of %d bytes kept", n, bytes)
	}
	if n, _ := plain.Layers(); n != 0 {
		t.Errorf("MaxLayers 0 kept %d layers", n)
	}
	// A hit: the template changed under the same name and version draws its
	// old static part (which is why the version keys the layers).
	q := queries[len(queries)-1]
	before := renderJSON(t, cached, cacheTemplate, q)
	changed := bytes.Replace([]byte(cacheTemplate), []byte(`"opacity": 0.3`), []byte(`"opacity": 0.9`), 1)
	after := renderJSON(t, cached, string(changed), q)
	if !bytes.Equal(before.Pix, after.Pix) {
		t.Error("a cached layer was not used")
	}
	if fresh := renderJSON(t, plain, string(changed), q); bytes.Equal(fresh.Pix, after.Pix) {
		t.Error("the change draws nothing different")
	}
}

// TestLayerCacheBounds: the layers kept stay within MaxLayers and
// MaxLayerBytes, the least recently used going first.
func TestLayerCacheBounds(t *testing.T) {
	r := newRenderer(t, 2)
	for _, p := range []string{"ocean", "forest", "sunset"} {
		renderJSON(t, r, cacheTemplate, "title=x&palette="+p)
	}
	if n, b := r.Layers(); n != 2 || b < 2*1200*630*4 {
		t.Errorf("%d layers (%d bytes), want 2", n, b)
	}
	r.MaxLayerBytes = 1200 * 630 * 4 // less than one layer with its ink record
	renderJSON(t, r, cacheTemplate, "title=x&palette=paper")
	if n, _ := r.Layers(); n > 1 {
		t.Errorf("%d layers within one layer's bytes", n)
	}
	// Built-in templates (nothing costly before their first placeholder)
	// keep no layer.
	r = newRenderer(t, 3)
	for _, name := range r.Set.Names() {
		q := url.Values{"template": {name}, "title": {"x"}}
		p, perr := params.Parse(q, r.Set)
		if perr != nil {
			t.Fatal(perr)
		}
		if _, err := r.Render(p); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := r.Layers(); n != 0 {
		t.Errorf("built-in templates kept %d layers", n)
	}
}
