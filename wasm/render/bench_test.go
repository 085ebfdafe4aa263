package render_test

import (
	"net/url"
	"testing"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/render"
)

// BenchmarkRenderRichTemplate: the card of golden's v2-rich template (a
// gradient background, a stroked circle, a path, a shadowed card, an image
// asset with its shadow — all static — then the title and the description
// from the request). "first" draws it all and keeps the static layer (the
// first render of a template, colours and size; the asset was decoded
// before), "cached" loads that layer and draws the texts, "uncached" draws
// it all with no layers kept. Run it in wazero with make bench-render-wasm.
func BenchmarkRenderRichTemplate(b *testing.B) {
	set, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New(set)
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := golden.LoadTemplate("v2-rich.json")
	if err != nil {
		b.Fatal(err)
	}
	set.Templates[tpl.Name] = tpl
	// Four requests that differ in their background colour: with three
	// layers kept, cycling through them misses every time (each miss
	// reuses the buffers of the layer it evicts, as a busy instance does).
	var ps []*params.Params
	for _, bg := range []string{"0a0a0f", "101018", "0b1020", "111827"} {
		q := url.Values{"template": {tpl.Name}, "palette": {"midnight"}, "bgColor": {bg},
			"title":       {"Drawing Open Graph cards with paths, gradients and shadows"},
			"description": {"Format version 2 adds shapes, strokes, gradients, shadows, clips and letter spacing."}}
		p, perr := params.Parse(q, set)
		if perr != nil {
			b.Fatal(perr)
		}
		ps = append(ps, p)
	}
	draw := func(p *params.Params) {
		if _, err := r.Render(p); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range ps {
		draw(p) // glyphs, the asset
	}
	b.Run("first", func(b *testing.B) {
		i := 0
		for b.Loop() {
			draw(ps[i%len(ps)])
			i++
		}
	})
	b.Run("cached", func(b *testing.B) {
		draw(ps[0])
		for b.Loop() {
			draw(ps[0])
		}
	})
	b.Run("uncached", func(b *testing.B) {
		r.MaxLayers = 0
		defer func() { r.MaxLayers = render.DefaultMaxLayers }()
		for b.Loop() {
			draw(ps[0])
		}
	})
}
